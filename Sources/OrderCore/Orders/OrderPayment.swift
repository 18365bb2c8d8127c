/// A payment about to be applied to an unpaid order: the state it moves the order to, what it
/// charges, and until when the order's stock stays held (nil: for good).
struct PaymentPlan {
    var next: OrderState
    var charged: Int64
    var holdUntil: Int64?
}

extension CommandContext {
    /// Plans paying `order` (`amount`: the amount due, or a pre-sale's deposit; nil: the deposit of a
    /// pre-sale, else the amount due), refusing an order that cannot be paid or an amount that does not match.
    func planPayment(_ order: Order, amount: Int64?) throws -> PaymentPlan {
        let due = order.amountDue
        // Paid while it is fulfilled or after it left (cash on delivery, or shipped unpaid by its channel): it
        // stays where it is.
        let inPlace = due > 0 && OrderState.fulfilledUnpaid.contains(order.stage)
        // An order paid later is paid in parts: some before it leaves (a gift card, points, an advance), the
        // rest at the door or on its terms (instalments). Once goods have left, the carrier may remit less than
        // the total (units cancelled, some refused at the door). Otherwise the amount due is paid whole.
        let partial =
            due > 0
            && (order.paysLater && (inPlace || order.stage == .pendingPayment)
                || OrderState.leftTheWarehouse.contains(order.stage))
        if inPlace || partial {
            if let amount, partial ? !(0 < amount && amount <= due) : amount != due {
                throw OrderCoreError(
                    .invalidInput,
                    "amount \(Money.format(amount, exponent: order.exponent)) does not match the amount due "
                        + "\(Money.format(due, exponent: order.exponent))"
                        + (partial ? " (or less, more than zero)" : ""),
                    details: ["field": "amount", "amount_due": order.money(due)])
            }
            let charged = amount ?? due
            if inPlace || charged < due { return PaymentPlan(next: order.stage, charged: charged, holdUntil: nil) }
        }
        // Held before it was paid (a review, a person's check): the money is taken all the same, and it stays
        // held (`paying`). Held once paid, there is nothing to pay.
        let stage = order.stage
        if order.state == .onHold, !OrderState.unpaid.contains(stage) {
            throw OrderCoreError(
                .conflict, "order \(order.orderID) is on_hold, and paid: there is nothing to pay",
                details: [
                    "order_id": .string(order.orderID), "state": .string(order.state.rawValue),
                    "allowed": .array(try allowed(order).map(JSON.string)),
                ])
        }
        var next = try self.next(order, "order.pay", from: stage)
        var charged = due
        if stage == .pendingPayment, let deposit = order.deposit, (amount ?? deposit) == deposit {
            next = .depositPaid  // a pre-sale: the deposit locks the stock until the balance is due
            charged = deposit
        } else if let amount, amount != due {
            let expected =
                stage == .pendingPayment && order.deposit != nil
                ? "the deposit \(Money.format(order.deposit ?? 0, exponent: order.exponent)) or the full amount"
                : "the amount due"
            throw OrderCoreError(
                .invalidInput,
                "amount \(Money.format(amount, exponent: order.exponent)) does not match \(expected) "
                    + "\(Money.format(due, exponent: order.exponent))",
                details: ["field": "amount", "amount_due": order.money(due)])
        }
        return PaymentPlan(next: next, charged: charged, holdUntil: next == .depositPaid ? order.balanceDueAt : nil)
    }

    /// The order a payment reference is already recorded on, if any; a reference recorded on another
    /// order than `orderID` is refused (`paymentRefTaken`): a gateway never pays two orders with one reference.
    func paidOrder(paymentRef: String?, orderID: String) throws -> String? {
        guard let paymentRef, let owner = try store.orderID(paymentRef: paymentRef) else { return nil }
        guard owner == orderID else { throw Self.paymentRefTaken(paymentRef, owner: owner) }
        return owner
    }

    static func paymentRefTaken(_ paymentRef: String, owner: String) -> OrderCoreError {
        OrderCoreError(
            .conflict, "payment_ref '\(paymentRef)' is already recorded on order \(owner)",
            details: ["payment_ref": .string(paymentRef), "order_id": .string(owner)])
    }

    /// Records the payment and moves the order on (its stock already held as `plan` says); a full
    /// payment counts the order's units as sold.
    /// - Parameters:
    ///   - rowWritten: the order arrives paid (`order.create`): its row was written already as `paying`
    ///     leaves it.
    ///   - holdsAfter: its holds are made after (it arrives paid, or reserves at payment): the caller
    ///     counts its sales once they are.
    func applyPayment(
        _ order: inout Order, _ plan: PaymentPlan, paymentRef: String?, rowWritten: Bool = false,
        holdsAfter: Bool = false
    ) throws {
        try store.insert(
            Payment(paymentRef: paymentRef, amount: plan.charged, at: at), orderRowID: order.rowID, actor: actor)
        let from = order.state
        order = paying(order, plan)
        if !rowWritten { try store.update(order, from: from) }
        try record(
            order, from: from, command: "order.pay",
            details: ["amount": order.money(plan.charged), "payment_ref": .optional(paymentRef)])
        if plan.next == .paid && !holdsAfter && !order.paysLater { try recordSales(of: order, sign: 1) }
        try clearUncollected(order)
    }

    /// An order paid later that owes nothing any more (paid, or its goods back and written off) has no
    /// money left to chase (`chaseCashOnDelivery`, `chasePaymentTerms`).
    func clearUncollected(_ order: Order) throws {
        guard order.paysLater, order.amountDue == 0 else { return }
        let kind = order.cashOnDelivery ? "cod_uncollected" : "payment_overdue"
        try store.clearOrderAlerts(kind: kind, orderID: order.orderID, at: at)
    }

    /// The order as the payment leaves it: a held one stays held, released to where the payment took it.
    func paying(_ order: Order, _ plan: PaymentPlan) -> Order {
        let at = self.at
        let held = order.state == .onHold
        return moved(order, to: held ? .onHold : plan.next) {
            if held { $0.heldFrom = plan.next }
            $0.paidTotal += plan.charged
            $0.expiresAt = plan.holdUntil
            if plan.next == .paid || $0.amountDue == 0 { $0.paidAt = at }
        }
    }
}
