enum OrderCommands {
    static let all = [create, pay, pickup, cancel, get, list, timeline, note]

    static let create = Command(
        "order.create", .write,
        "Create an order from the canonical document and reserve its stock, or fail with insufficient_stock changing "
            + "nothing",
        roleRule: "a supervisor for goods entered for nothing, for less than their SKUs' unit costs, or in a "
            + "currency their costs are not in, and for goods sold on credit (payment_terms)",
        sharing: .concurrent,
        arguments: [
            Argument("channel", .code),
            Argument("external_id", .code, "The channel's order number"),
            Argument("placed_at", .time, "When the buyer placed it (default: now; from 1970 to a day ahead)"),
            Argument("currency", .code, "ISO 4217 code (default: order.default_currency)"),
            Argument(
                "customer", .object,
                "The buyer: " + Argument.members(Order.customerFields + ["account_created_at"])
                    + " (account_created_at: when their account was made, for the risk rules)"),
            Argument("ship_to", .object, "The address: " + Argument.members(Order.addressFields)),
            Argument(
                "lines", .lines,
                "The lines: "
                    + Argument.members(["sku", "qty", "unit_price", "name", "line_discount", "tax", "line_ref"])
                    + " (line_discount: off the line's whole quantity; line_ref: the channel's id of the line, which "
                    + "its refunds may name)",
                required: true),
            Argument(
                "discounts", .array,
                "Order discounts: [" + Argument.members(["kind", "code", "amount"]) + "] (kind: "
                    + OrderDiscount.kinds.joined(separator: ", ") + "; spread over the lines by value)"),
            Argument(
                "fees", .array,
                "Order fees: [{\"name\",\"amount\",\"tax\",\"returns_refund\"}] (returns_refund false: bought on its "
                    + "own, a gift card or a tip, never refunded by a return)"),
            Argument("shipping_fee", .money, "Shipping charged to the buyer"),
            Argument("shipping_tax", .money, "Tax on shipping"),
            Argument("taxes_included", .boolean, "Whether prices include tax (default true)"),
            Argument("tags", .codes, "Labels for the order"),
            Argument("note", .text),
            Argument("warehouse", .code, "Ship from this warehouse only"),
            Argument("carrier", .code, "The carrier the buyer chose"),
            Argument("priority", .integer, "Lower is preferred (warehouses) or picked first (orders)"),
            Argument("deposit", .money, "A pre-sale's deposit: paying it locks the stock until the balance is due"),
            Argument("balance_due_at", .time, "A pre-sale's balance due time: unpaid then, the order closes"),
            Argument(
                "reserve_at", .code,
                "When this order reserves its stock: at the order or at payment (default: its channel's, then the "
                    + "setting)",
                choices: ReservePolicy.allCases.map(\.rawValue)),
            Argument(
                "cash_on_delivery", .boolean,
                "Paid when it arrives (default false): fulfilled unpaid, its stock held for good, order.pay records "
                    + "the money when it comes"),
            Argument(
                "payment_terms", .object,
                "Sold on credit: {\"name\",\"due_at\" or \"due_in_days\"} (name: \"Net 30\"; neither: due once "
                    + "it ships): fulfilled unpaid like cash on delivery, a payment_overdue alert once due unpaid"),
            Argument(
                "payment", .object,
                "The order arrives paid: {\"amount\",\"payment_ref\"}, paid in the same transaction as order.pay "
                    + "would (amount: the amount due or a pre-sale's deposit; default: the deposit, else the "
                    + "amount due)"
            ),
        ],
        result: OrderDetail.members,
        shellNames: [
            "region": "ship_to.region", "customer": "customer.name", "phone": "customer.phone",
            "email": "customer.email", "paid": "payment.amount", "payment_ref": "payment.payment_ref",
            "terms": "payment_terms.name", "due_at": "payment_terms.due_at",
        ]
    ) { ctx, f in
        let draft = try OrderDraft(f, at: ctx.at, defaultCurrency: try ctx.stringSetting(.defaultCurrency))
        // A channel's events of this order that came before it (a cancellation, a refund) wait as dead
        // letters: an order entered by hand applies them as its channel's order event would, under the
        // same lock (`IntakeCommands.applyAwaiting`).
        guard let externalID = draft.externalID, let channel = try ctx.store.channel(draft.channel) else {
            return try ctx.createOrder(draft).document
        }
        try ctx.store.lockChannelOrder(channel: channel.channel, externalID: externalID)
        let created = try ctx.createOrder(draft)
        let awaiting = try IntakeCommands.applyAwaiting(ctx, channel: channel, externalID: externalID)
        guard !awaiting.isEmpty else { return created.document }
        return try ctx.document(
            ctx.requireOrder(created.order.orderID), extra: ["applied_waiting": .array(awaiting)])
    }

    static let pay = Command(
        "order.pay", .write,
        "Record the payment of an unpaid order (order_id, amount = the amount due, payment_ref); its reservation "
            + "becomes firm. One paid after it left (cash on delivery), or while held, stays where it is",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument(
                "amount", .money,
                "The amount paid: the amount due, or a pre-sale's deposit, or up to the amount due for cash on "
                    + "delivery or once the order has left unpaid (default: the amount due)",
                positional: true),
            Argument(
                "payment_ref", .code, "The gateway's payment reference; a retried callback with it is answered once"),
        ],
        result: OrderDetail.members,
        shellNames: ["ref": "payment_ref"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let paymentRef = try f.code("payment_ref")
        var order = try ctx.requireOrder(id)
        let amount = try f.money("amount", exponent: order.exponent)
        try f.finish()

        // A retried payment callback (same reference, already applied) answers with the order as it is.
        if try ctx.paidOrder(paymentRef: paymentRef, orderID: order.orderID) != nil {
            return try ctx.document(order, extra: ["duplicate": true])
        }
        let plan = try ctx.planPayment(order, amount: amount)
        // A hold stops the clock: a held order does not lapse (`expire`).
        if order.state != .onHold, let expiresAt = order.expiresAt, expiresAt <= ctx.at {
            let what = order.state == .depositPaid ? "its balance was due" : "it expired unpaid"
            throw OrderCoreError(
                .conflict,
                "order \(id): \(what) at \(Timestamp.format(expiresAt)); its hold has lapsed and it will be closed",
                details: [
                    "order_id": .string(id), "state": .string(order.state.rawValue),
                    "expired_at": .string(Timestamp.format(expiresAt)), "allowed": [],
                ])
        }
        // An order that reserves at payment: planned before anything is written, its holds made last
        // (the balance rows other orders wait for are locked only until the commit that follows).
        var planned: CommandContext.PlannedReservation?
        var lines: [OrderLine] = []
        if order.stage == .pendingPayment && order.reserveAt == .payment {
            lines = try ctx.store.lines(orderRowID: order.rowID)
            planned = try ctx.planReservation(
                channel: order.channel, lines: lines, warehouse: order.pinnedWarehouse,
                backorder: ctx.payingForChannel)
        } else {
            try ctx.store.setReservationExpiry(orderRowID: order.rowID, plan.holdUntil)
        }
        try ctx.applyPayment(&order, plan, paymentRef: paymentRef, holdsAfter: planned != nil)
        if let planned {
            // Sold before the balance rows are taken, as an order created paid is: every writer locks the
            // sales rows before the balance rows, so two hosts never deadlock on them.
            if plan.next == .paid { try ctx.recordSales(of: order, planned.takes) }
            try ctx.makeHolds(order, planned, expiresAt: plan.holdUntil)
            if ctx.payingForChannel {
                var short: [JSON] = []
                for (i, missing) in CommandContext.uncovered(lines, by: planned.takes) {
                    try ctx.store.addLineQuantity(
                        .backordered, orderRowID: order.rowID, lineNo: lines[i].lineNo, qty: missing)
                    short.append(CommandContext.shortEntry(lines[i], missing))
                }
                try ctx.openBackorder(orderID: order.orderID, short: short)
                order = try ctx.requireOrder(order.orderID)
            }
        }
        return try ctx.document(order)
    }

    static let pickup = Command(
        "order.pickup", .write,
        "Hand a paid order to the buyer at the counter (POS, store pickup): its reserved units leave stock and it "
            + "completes (order_id)",
        sharing: .concurrent,
        arguments: [
            .orderID
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        try f.finish()
        var order = try ctx.requireOrder(id)
        let next = try ctx.next(order, "order.pickup")
        try ctx.store.lockHeldBalances(orderRowID: order.rowID)  // in SKU, then warehouse order
        let units = try ctx.handOverAll(order)
        try ctx.transition(&order, to: next, command: "order.pickup", details: ["units": .int(units)])
        return try ctx.document(order)
    }

    static let cancel = Command(
        "order.cancel", .write,
        "Cancel an order that has not shipped, or some of its units (order_id, reason, units [{line_no or sku, qty}]); "
            + "releases their stock and records any refund owed",
        roleRule: "a supervisor to cancel units of a line named by number while a line of its SKU whose units cost "
            + "less still ships",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("reason", .text, positional: true),
            Argument(
                "units", .lines,
                "Only these units [{\"line_no\" or \"sku\", \"qty\"}]: the rest of the order still ships (a SKU on "
                    + "several lines gives up its cheapest units first)"),
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let reason = try f.text("reason", maxLength: 500) ?? "cancelled"
        let units = try OrderUnits.parse(f)
        try f.finish()
        // No units named is not the whole order (a host's empty selection must not cancel everything).
        guard units?.isEmpty != true else {
            throw OrderCoreError.invalid(
                "units names no unit: name at least one, or leave units out to cancel the whole order", field: "units")
        }
        var order = try ctx.requireOrder(id)
        let next = try ctx.next(order, "order.cancel")
        if let units, let partial = try cancelUnits(ctx, &order, units, reason: reason) { return partial }
        // Nothing of a cancelled order may leave: parcels packed and not shipped are taken apart.
        _ = try ctx.unpack(&order, reason: reason)
        if order.stage == .partiallyShipped { return try cancelRemainder(ctx, &order, reason: reason) }
        try ctx.recordSales(of: order, sign: -1)  // a cancelled sale was no sale
        let points = try ctx.pointsBack(order)
        let released = try ctx.releaseReservations(of: order, reason: .release)
        try ctx.store.cancelLines(orderRowID: order.rowID)
        // What was paid and not yet given back is owed.
        let owed = try ctx.refundOwed(
            order,
            whole: max(0, order.paidTotal - Payment.refunded(try ctx.store.payments(orderRowID: order.rowID))))
        try ctx.transition(
            &order, to: next, command: "order.cancel",
            details: order.cancelled(
                ["reason": .string(reason), "released_units": .int(released), "refund_due": order.money(owed)],
                pointsBack: points)
        ) {
            $0.cancelReason = reason
            $0.refundDue = owed
            $0.expiresAt = nil
        }
        return try ctx.document(order)
    }

    /// Cancels some units of an order that has not shipped them (a buyer drops an item): their holds are
    /// released and their sales taken back, what is picked or packed follows (`RefundCommands.stopUnits`), and
    /// their value after discounts first comes off what is still due (cash on delivery, an unpaid order), the
    /// rest owed back (`refund_due`). Units that are all the order has left to ship cancel it whole.
    /// - Returns: the order, or nil when the units are all it has left (the caller cancels it whole).
    /// - Parameter refundRef: the channel's refund that took the units off (intake), named in the timeline.
    /// - Throws: `conflict` once everything has shipped, for an order paid in part that is not paid on delivery,
    ///   and for more units of a SKU than the order has left to cancel.
    static func cancelUnits(
        _ ctx: CommandContext, _ order: inout Order, _ units: [OrderUnits], reason: String, refundRef: String? = nil
    ) throws -> JSON? {
        let id = order.orderID
        guard unitsCancellable(order) else {
            throw OrderCoreError(
                .conflict,
                "order \(id) is \(order.state.rawValue)\(order.amountDue > 0 ? ", paid in part" : ""): its units are "
                    + "cancelled one by one only until everything ships, paid in full, unpaid or paid on delivery",
                details: ["order_id": .string(id), "state": .string(order.state.rawValue)])
        }
        let lines = try ctx.store.lines(orderRowID: order.rowID)
        let units = try OrderUnits.resolved(units, lines, orderID: id)
        var open = cancellable(lines)
        var toShip = lines.map { $0.notCancelled - $0.quantity(.shipped) }
        var taken: [(line: Int, qty: Int64)] = []
        let worth = try ctx.allocationIfShared(units, order, lines)
        for unit in units {
            var left = unit.qty
            for i in unit.candidates(lines, by: worth, cheapestFirst: true) where open[i] > 0 && left > 0 {
                let take = min(open[i], left)
                taken.append((i, take))
                open[i] -= take
                toShip[i] -= take
                left -= take
            }
            if left > 0 { try unit.refuse(left: unit.qty - left, of: id, lines, verb: "cancel") }
        }
        if refundRef == nil, let cheaper = try ctx.cheaperLineShips(units, order, lines, toShip: toShip) {
            try ctx.requireRole(
                .supervisor,
                to: "cancelling units of line \(cheaper.named) while line \(cheaper.ships), of the same SKU for less, "
                    + "still ships")
        }
        if toShip.allSatisfy({ $0 <= 0 }) { return nil }
        let (writtenOff, owed, points) = try ctx.settleCancelled(taken, of: order, lines: lines)
        try RefundCommands.stopUnits(
            ctx, &order, lines: lines, taken, why: "units cancelled: \(reason)", refunded: false)
        let due = try ctx.refundOwed(order, plus: owed)
        var details: JSONObject = [
            "reason": .string(reason), "units": .array(units.map(\.json)),
            "written_off": order.money(writtenOff), "refund_due": order.money(due),
        ]
        if let refundRef { details["refund_ref"] = .string(refundRef) }
        try ctx.transition(
            &order, to: order.state, command: "order.cancel", details: order.cancelled(details, pointsBack: points)
        ) {
            $0.refundDue = due
            $0.writeOff(writtenOff, at: ctx.at)
        }
        return try ctx.document(order)
    }

    /// The indices of the lines of `sku`; with the order's `allocation`, ordered by what one of their units
    /// cost the buyer (money and points, after discounts), the cheapest or the dearest first, in line order
    /// when equal. A SKU on several lines — a free gift of the item bought, a second price — gives up its
    /// cheapest units when some are cancelled (what the buyer keeps is what they paid for), and a refund
    /// naming some is taken for its dearest (a price adjustment is not a free gift's refund, which would stop it).
    static func linesOf(
        _ sku: String, _ lines: [OrderLine], by allocation: RefundAllocation?, cheapestFirst: Bool
    ) -> [Int] {
        let indices = lines.indices.filter { lines[$0].sku == sku }
        guard let allocation, indices.count > 1 else { return indices }
        return indices.sorted { a, b in
            if costsLess(a, than: b, allocation) { return cheapestFirst }
            if costsLess(b, than: a, allocation) { return !cheapestFirst }
            return a < b
        }
    }

    /// Whether a unit of line `a` cost the buyer less than one of line `b` (money and points, after discounts).
    static func costsLess(_ a: Int, than b: Int, _ allocation: RefundAllocation) -> Bool {
        func unitWorth(_ i: Int, times other: Int) -> (high: Int64, low: UInt64) {
            let line = allocation.lines[i]
            return (line.cash &+ line.points).multipliedFullWidth(by: max(allocation.lines[other].qty, 1))
        }
        return unitWorth(a, times: b) < unitWorth(b, times: a)
    }

    /// Whether some units of the order may be cancelled (`cancelUnits`): not everything has shipped, and it is
    /// paid in full, not at all, or later (on delivery, on its terms).
    static func unitsCancellable(_ order: Order) -> Bool {
        (OrderState.beforeShipment.contains(order.state) || order.stage == .partiallyShipped)
            && (order.paysLater || order.paidTotal == 0 || order.amountDue == 0)
    }

    /// Per line, the units `cancelUnits` may cancel: those still to ship, picked or packed or not (a parcel
    /// waiting with them is taken apart, and a person puts back what was picked).
    static func cancellable(_ lines: [OrderLine]) -> [Int64] {
        lines.map { $0.notCancelled - $0.quantity(.shipped) }
    }

    /// Cancels what has not shipped of a partially shipped order: its holds are released, its units
    /// cancelled, and the refund owed is their value after discounts (`settleCancelled`: with the shipping only
    /// when the units that left all came back); the order is then `shipped` — `delivered` when every parcel that
    /// left has arrived.
    private static func cancelRemainder(_ ctx: CommandContext, _ order: inout Order, reason: String) throws -> JSON {
        let lines = try ctx.store.lines(orderRowID: order.rowID)
        let (writtenOff, owed, points) = try ctx.settleCancelled(
            lines.indices.map { ($0, lines[$0].notCancelled - lines[$0].quantity(.shipped)) }, of: order, lines: lines)
        try ctx.recordSales(of: order, sign: -1)  // the units that will not ship were no sale
        let released = try ctx.releaseReservations(of: order, reason: .release)
        try ctx.store.cancelLines(orderRowID: order.rowID)
        let due = try ctx.refundOwed(order, plus: owed)
        try ctx.transition(
            &order, to: .shipped, command: "order.cancel",
            details: order.cancelled(
                [
                    "reason": .string(reason), "cancelled_remainder": true, "released_units": .int(released),
                    "refund_due": order.money(due),
                ], pointsBack: points)
        ) {
            $0.cancelReason = reason
            $0.refundDue = due
            $0.writeOff(writtenOff, at: ctx.at)
        }
        // Every parcel that left has arrived: nothing more is on its way, and the order was delivered when the last
        // one was.
        let shipments = try ctx.store.shipments(orderRowID: order.rowID)
        if !shipments.isEmpty, shipments.allSatisfy({ $0.state == "delivered" }) {
            try ctx.deliver(
                &order, shipments: [], command: "order.deliver", deliveredAt: shipments.compactMap(\.deliveredAt).max())
        }
        return try ctx.document(order)
    }

    static let get = Command(
        "order.get", .read, "Show an order: lines, totals, payments, reservations and state (order_id)",
        arguments: [
            .orderID
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        try f.finish()
        return try ctx.document(try ctx.requireOrder(id))
    }

    static let list = Command(
        "order.list", .read,
        "List orders newest first (state, channel, warehouse, placed_before, cash_on_delivery, payment_terms, "
            + "refund_due, stuck, limit, after)",
        arguments: [
            Argument("state", .code, "Only orders in this state"),
            Argument("channel", .code, "Only this channel's orders"),
            Argument("warehouse", .code, "Only orders shipping from this warehouse"),
            Argument("placed_before", .time, "Only orders placed before this time"),
            Argument(
                "cash_on_delivery", .boolean,
                "Only orders paid on delivery (true: with state=pending_payment, those waiting for allocation), or "
                    + "only the others"),
            Argument(
                "payment_terms", .boolean,
                "Only orders on payment terms (true: with state=pending_payment, those waiting for allocation), or "
                    + "only the others"),
            Argument(
                "refund_due", .boolean,
                "Only orders owing the buyer a refund (cancelled, or units cancelled, after they were paid): the "
                    + "refunds to make; or only the others"),
            Argument("stuck", .boolean, "Only orders stuck in their state past the limit"),
            .limit,
            Argument("after", .code, completes: .order),
        ],
        result: ["orders", "next"]
    ) { ctx, f in
        let state = try f.choice("state", of: OrderState.self)
        let channel = try f.code("channel")
        let warehouse = try f.code("warehouse")
        let placedBefore = try f.time("placed_before")
        let cashOnDelivery = try f.bool("cash_on_delivery")
        let onPaymentTerms = try f.bool("payment_terms")
        let owingRefund = try f.bool("refund_due")
        let stuck = try f.bool("stuck") ?? false
        let limit = try f.int("limit", min: 1, max: 1_000) ?? 50
        let after = try f.code("after")
        try f.finish()
        let cursor = try after.map { try ctx.requireOrder($0).rowID }
        let filter = Store.OrderFilter(
            state: state, channel: channel, warehouse: warehouse, placedBefore: placedBefore,
            cashOnDelivery: cashOnDelivery, onPaymentTerms: onPaymentTerms, owingRefund: owingRefund,
            stuck: stuck ? try ctx.stuckCutoffs() : nil, beforeRowID: cursor)
        let page = try ctx.store.listOrders(filter, limit: Int(limit) + 1)
        let shown = page.prefix(Int(limit))
        return [
            "orders": .array(shown.map(ctx.summary)),
            "next": page.count > Int(limit) ? .optional(shown.last?.orderID) : .null,
        ]
    }

    static let timeline = Command(
        "order.timeline", .read, "Show every transition of an order with time, actor, from and to (order_id)",
        arguments: [
            .orderID
        ],
        result: ["order_id", "state", "events"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        try f.finish()
        let order = try ctx.requireOrder(id)
        return [
            "order_id": .string(id), "state": .string(order.state.rawValue),
            "events": .array(try ctx.store.events(orderRowID: order.rowID).map(\.json)),
        ]
    }

    static let note = Command(
        "order.note", .write,
        "Keep a note in an order's timeline (order_id, note): a call with the buyer, a promise made; the order "
            + "does not change",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("note", .text, "What to keep (up to 2,000 characters)", required: true, positional: true),
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        guard let note = try f.text("note", maxLength: 2_000), !note.isEmpty else {
            throw OrderCoreError.invalid("note is required: say what to keep", field: "note")
        }
        try f.finish()
        var order = try ctx.requireOrder(id)
        try ctx.transition(&order, to: order.state, command: "order.note", details: ["note": .string(note)])
        return try ctx.document(order)
    }
}

extension CommandContext {
    /// What units cancelled of an order are worth (per index of its `lines` before the cancellation, how many),
    /// in money and in points, as a return of them would refund it (their share of their lines after discounts,
    /// with tax: `RefundAllocation`): each line's units take the places after those settled before
    /// (`OrderLine.settled`), so a line's cancellations and returns come to exactly what it cost. (A unit
    /// refunded in part while still to ship, a price adjustment naming it, is settled already and still worth
    /// its whole share when cancelled: what the adjustment gave of it is not known per unit.)
    /// - Returns: their worth (no shipping), and the lines as the cancellation leaves them.
    func cancelledWorth(
        _ units: [(line: Int, qty: Int64)], lines: [OrderLine], allocation: RefundAllocation
    ) -> (worth: RefundAllocation.Refund, after: [OrderLine]) {
        var after = lines
        var worth = RefundAllocation.Refund()
        for (i, qty) in units where qty > 0 {
            let line = allocation.lines[i]
            let part = RefundAllocation.refund(
                line, units: qty, already: min(after[i].settled, line.qty - qty), withShipping: false)
            worth.cash &+= part.cash
            worth.points &+= part.points
            after[i].quantities[.cancelled, default: 0] += qty
        }
        return (worth, after)
    }

    /// How units cancelled of `order` (per index of its `lines` before the cancellation, how many) are settled:
    /// they are worth what `cancelledWorth` says. Shipping is not, unless with them the whole order has come back
    /// or been cancelled (the units that left were all returned) and `returns.refund_shipping` refunds it then:
    /// the shipping not refunded yet comes with them, as with a return that completes the order. Refunds that
    /// named no units (a price match) took their share already (`RefundsWithoutUnits`); of the rest, what was
    /// not paid for is no longer due (cash on delivery, payment terms: `Order.settlement`), and the rest is
    /// owed back, never more than is left of the payments and not owed back already. The points paid for them
    /// are the host's loyalty system's to give back.
    func settleCancelled(
        _ units: [(line: Int, qty: Int64)], of order: Order, lines: [OrderLine]
    ) throws -> (writtenOff: Int64, owed: Int64, points: Int64) {
        let allocation = try refundAllocation(order, lines: lines)
        var (refund, after) = cancelledWorth(units, lines: lines, allocation: allocation)
        let policy = try shippingRefund(sellerFault: false, order: order, lines: after)
        try addShippingDue(policy, to: &refund, allocation: allocation, orderLines: after, order: order)
        _ = try refundsWithoutUnits(order, lines: lines, allocation: allocation).apply(&refund, due: order.amountDue)
        let settled = Order.settlement(refund.cash + refund.shipping, due: order.amountDue)
        return (settled.writtenOff, settled.paidBack, refund.points)
    }

    /// A line named by number (`units`) whose units are cancelled while a line of its SKU whose units cost less
    /// still ships (`toShip`, after the cancellation): the buyer keeps the cheaper (a free gift of the item
    /// bought) and is owed the dearer's money — a discount given, as goods entered for nothing are. Nil when none
    /// (named by SKU, units are cancelled cheapest first); no read unless a named line's SKU is on another line.
    func cheaperLineShips(
        _ units: [OrderUnits], _ order: Order, _ lines: [OrderLine], toShip: [Int64]
    ) throws -> (named: Int64, ships: Int64)? {
        var allocation: RefundAllocation?
        for unit in units {
            guard let lineNo = unit.lineNo, let named = lines.firstIndex(where: { $0.lineNo == lineNo }) else {
                continue
            }
            for other in lines.indices where other != named && lines[other].sku == unit.sku && toShip[other] > 0 {
                allocation = try allocation ?? refundAllocation(order, lines: lines)
                if let allocation, OrderCommands.costsLess(other, than: named, allocation) {
                    return (lineNo, lines[other].lineNo)
                }
            }
        }
        return nil
    }

    /// The order's allocation when one of `units`' SKUs is on several of its lines (`OrderCommands.linesOf`
    /// orders them by it), else nil: no read for the usual order.
    func allocationIfShared(_ units: [OrderUnits], _ order: Order, _ lines: [OrderLine]) throws -> RefundAllocation? {
        let shared = Set(Dictionary(grouping: lines, by: \.sku).filter { $0.value.count > 1 }.keys)
        return units.contains { $0.lineNo == nil && shared.contains($0.sku) }
            ? try refundAllocation(order, lines: lines) : nil
    }

    /// The points paid for what is left to ship of an order cancelled whole (`cancelledWorth`), and those that
    /// paid for its shipping (its money all goes back too), for the host's loyalty system to give back; read
    /// before its lines are cancelled. An order without order discounts has none, and costs no read (lapsed
    /// orders are closed inside other commands, `order.create` among them).
    func pointsBack(_ order: Order) throws -> Int64 {
        guard order.totals.discountTotal > 0 else { return 0 }
        let lines = try store.lines(orderRowID: order.rowID)
        let units = lines.indices.map { ($0, lines[$0].notCancelled - lines[$0].quantity(.shipped)) }
        let allocation = try refundAllocation(order, lines: lines)
        let goods = cancelledWorth(units, lines: lines, allocation: allocation).worth.points
        guard allocation.shippingPoints > 0 else { return goods }
        return goods + max(0, allocation.shippingPoints - (try store.refundedShipping(orderRowID: order.rowID)).points)
    }

    /// What each line of an order costs the buyer (`OrderTotals.lineNets`): its share of the order discounts
    /// less what a `shipping` discount took off the shipping (`OrderTotals.offShipping`).
    func lineNets(_ order: Order, _ lines: [OrderLine]) throws -> [Int64] {
        let shippingDiscount = try store.discounts(orderRowID: order.rowID).reduce(Int64(0)) {
            $1.kind == "shipping" ? $0 &+ $1.amount : $0
        }
        let onGoods =
            order.totals.discountTotal - OrderTotals.offShipping(shippingDiscount, shipping: order.totals.shippingFee)
        return OrderTotals.lineNets(lines, orderDiscount: onGoods, taxesIncluded: order.totals.taxesIncluded)
    }

    /// Cash-on-delivery money the carrier has not passed on: an order whose first parcel left more than
    /// `fulfillment.cod_collect_days` ago and still owes has a `cod_uncollected` alert; one that owes nothing
    /// any more (paid, or its goods back and written off) has it cleared.
    /// - Returns: how many orders are waiting for their money past the limit.
    func chaseCashOnDelivery() throws -> Int {
        let days = try intSetting(.codCollectDays)
        let cutoff = days > 0 ? at - days * 86_400_000 : Int64.min
        var late: [String: JSONObject] = [:]
        for owing in try store.codOrdersOwing() {
            guard let firstOut = owing.firstOut, firstOut <= cutoff else { continue }
            let e = Money.exponent(of: owing.currency)
            late[owing.orderID] = [
                "amount_due": .string(Money.format(owing.due, exponent: e)), "currency": .string(owing.currency),
                "shipped_at": .string(Timestamp.format(firstOut)), "days": .int(days),
            ]
        }
        return try keepOrderAlerts("cod_uncollected", open: late)
    }

    /// Payments overdue on their terms: an order sold on credit that still owes past its due time (due on
    /// fulfilment: once its first parcel left) has a `payment_overdue` alert; one that owes nothing any
    /// more (paid, its goods back and written off, cancelled) has it cleared.
    /// - Returns: how many orders are overdue.
    func chasePaymentTerms() throws -> Int {
        var late: [String: JSONObject] = [:]
        for owing in try store.ordersOwingOnTerms() {
            guard let dueAt = owing.dueAt, dueAt <= at else { continue }
            late[owing.orderID] = [
                "amount_due": .string(Money.format(owing.due, exponent: Money.exponent(of: owing.currency))),
                "currency": .string(owing.currency), "payment_terms": .string(owing.terms),
                "due_at": .string(Timestamp.format(dueAt)),
            ]
        }
        return try keepOrderAlerts("payment_overdue", open: late)
    }

    /// Refunds owed too long: an order owing the buyer a refund (`refund_due`) since a cancellation more than
    /// `returns.refund_due_hours` ago (its first since a refund last paid something owed) has a `refund_overdue`
    /// alert, cleared once the refund is recorded.
    /// - Returns: how many orders are overdue.
    func chaseRefundsOwed() throws -> Int {
        let hours = try intSetting(.refundDueHours)
        let cutoff = hours > 0 ? at - hours * 3_600_000 : Int64.min
        var late: [String: JSONObject] = [:]
        for owing in try store.ordersOwingRefunds() where owing.since <= cutoff {
            late[owing.orderID] = [
                "amount_due": .string(Money.format(owing.owed, exponent: Money.exponent(of: owing.currency))),
                "currency": .string(owing.currency), "since": .string(Timestamp.format(owing.since)),
                "hours": .int(hours),
            ]
        }
        return try keepOrderAlerts("refund_overdue", open: late)
    }

    /// Opens (or keeps open, with what is still due) an alert of `kind` for each order of `open`, with its
    /// details, and clears those of the kind open for other orders. - Returns: how many are open.
    private func keepOrderAlerts(_ kind: String, open: [String: JSONObject]) throws -> Int {
        for (orderID, details) in open.sorted(by: { $0.key < $1.key }) {
            if try !store.openAlert(kind: kind, orderID: orderID, at: at, details: .object(details)),
                let due = details["amount_due"]
            {
                try store.setOpenAlertDetail(kind: kind, orderID: orderID, "amount_due", due)
            }
        }
        for orderID in try store.openAlertOrderIDs(kind: kind) where open[orderID] == nil {
            try store.clearOrderAlerts(kind: kind, orderID: orderID, at: at)
        }
        return open.count
    }
}

enum SweepCommand {
    static let all = [sweep]

    static let sweep = Command(
        "sweep", .write,
        "Close unpaid orders past their timeout, release their stock, give orders sold short what is available, "
            + "open or clear low-stock alerts, prune acknowledged feed events past their retention; once a day, keep "
            + "the health scores and open or clear health_degraded and channel_drift alerts",
        arguments: [],
        result: [
            "expired_orders", "released_units", "order_ids", "backorders_filled", "low_stock_alerts_opened",
            "low_stock_alerts_cleared", "completed_orders", "awaiting_pickup", "cod_uncollected", "payment_overdue",
            "refunds_overdue", "overdue_returns",
            "overdue_transfers", "feed_events_pruned", "daily_checks",
        ]
    ) { ctx, f in
        try f.finish()
        var released: Int64 = 0
        var closed: [String] = []
        for rowID in try ctx.store.expiredUnpaidOrders(at: ctx.at) {
            released += try ctx.expire(orderRowID: rowID, trigger: "sweep")
            closed.append(Store.publicID(prefix: "SO-", rowID: rowID))
        }
        // Units that became available without a command freeing them (a warehouse activated, a channel served
        // by another one, a file from before backorders were filled) go to the orders sold short of them.
        ctx.store.freedSKUs.formUnion(try ctx.store.backorderedUnits(sku: nil).map(\.sku))
        let filled = try ctx.fillBackorders()
        var completed = 0
        let days = try ctx.intSetting(.completeAfterDays)
        if days > 0 {
            for rowID in try ctx.store.deliveredOrders(before: ctx.at - days * 86_400_000) {
                guard var order = try ctx.store.order(rowID: rowID) else { continue }
                try ctx.transition(
                    &order, to: .completed, command: "complete",
                    details: ["after_days": .int(days), "trigger": "sweep"])
                completed += 1
            }
        }
        // Parcels the carrier never scanned: somebody has to call the carrier.
        let hours = try ctx.intSetting(.pickupAlertHours)
        let waiting = try ctx.store.shipmentsAwaitingPickup(before: ctx.at - hours * 3_600_000)
        for (orderID, shipment) in waiting {
            try ctx.store.openAlert(
                kind: "no_pickup", orderID: orderID, at: ctx.at,
                details: [
                    "shipment": .int(shipment.seq), "carrier": .string(shipment.carrier),
                    "tracking_no": .string(shipment.trackingNo),
                    "shipped_at": .string(Timestamp.format(shipment.shippedAt)), "hours": .int(hours),
                ])
        }
        let uncollected = try ctx.chaseCashOnDelivery()
        let overduePayments = try ctx.chasePaymentTerms()
        let overdueRefunds = try ctx.chaseRefundsOwed()
        let overdueReturns = try ReturnCommands.escalateOverdue(ctx)
        let overdueTransfers = try TransferCommands.flagOverdue(ctx)
        let pruned = try ctx.store.pruneFeed(before: ctx.at - (try ctx.intSetting(.feedRetentionDays)) * 86_400_000)
        // Everything the expiries released is looked at below with the rest.
        let watched = Set(try ctx.store.takeWatchedSKUs(sinceDay: try ctx.coverWindow().firstDay)).union(
            ctx.replenished)
        ctx.replenished = []
        let (opened, cleared) = try ctx.evaluateLowStock(watched.sorted())
        let daily = try DailyChecks.run(ctx)
        return [
            "expired_orders": .int(closed.count), "released_units": .int(released),
            "order_ids": .array(closed.prefix(1_000).map(JSON.string)), "backorders_filled": .int(filled.count),
            "low_stock_alerts_opened": .int(opened), "low_stock_alerts_cleared": .int(cleared),
            "completed_orders": .int(completed),
            "awaiting_pickup": .int(waiting.count), "cod_uncollected": .int(uncollected),
            "payment_overdue": .int(overduePayments), "refunds_overdue": .int(overdueRefunds),
            "overdue_returns": .int(overdueReturns), "overdue_transfers": .int(overdueTransfers),
            "feed_events_pruned": .int(Int64(pruned)),
            "daily_checks": daily.map {
                [
                    "health_degraded_opened": .int($0.healthOpened), "health_degraded_cleared": .int($0.healthCleared),
                    "channel_drift_opened": .int($0.driftOpened), "channel_drift_cleared": .int($0.driftCleared),
                ]
            } ?? .null,
        ]
    }
}
