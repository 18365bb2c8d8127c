/// A dispute of an order's payment, opened by the buyer's bank or card network (`order.dispute`): a chargeback
/// takes the disputed money back from the merchant until the merchant wins it; an inquiry (a retrieval request)
/// asks for information and takes nothing.
struct Dispute {
    enum Kind: String, CaseIterable { case chargeback, inquiry }
    /// `open` until the bank decides: `won` (the money stays the merchant's), `lost` (it is the buyer's), or
    /// `closed` without a decision (withdrawn, or settled by a refund the merchant made, recorded as a refund).
    enum Status: String, CaseIterable { case open, won, lost, closed }

    var ref: String
    var kind: Kind
    var status: Status
    var amount: Int64
    var reason: String?
    var openedAt: Int64
    var updatedAt: Int64
    /// Of the refund the order owed (`refund_due`), what the chargeback gave the buyer instead: owed no more
    /// while it takes the money, owed again once it no longer does.
    var coveredDue: Int64 = 0

    /// What the bank has taken back: a chargeback's amount while it is open, and once it is lost.
    var takenBack: Int64 { kind == .chargeback && [.open, .lost].contains(status) ? amount : 0 }
    static func takenBack(_ disputes: [Dispute]) -> Int64 { disputes.reduce(0) { $0 + $1.takenBack } }

    /// The hold a chargeback puts on an order whose goods have not left: lifted when the merchant wins it (or
    /// it closes), or by a supervisor who ships anyway.
    static let holdPrefix = "chargeback "
    var holdReason: String { "\(Self.holdPrefix)\(ref): the buyer's bank is taking the money back; do not ship" }

    func json(exponent: Int) -> JSON {
        [
            "dispute_ref": .string(ref), "kind": .string(kind.rawValue), "status": .string(status.rawValue),
            "amount": .string(Money.format(amount, exponent: exponent)), "reason": .optional(reason),
            "opened_at": .string(Timestamp.format(openedAt)), "updated_at": .string(Timestamp.format(updatedAt)),
        ]
    }
}

/// Chargebacks and inquiries: recorded by a supervisor (finance) or taken in from a channel's dispute events.
enum DisputeCommands {
    static let all = [record]

    static let record = Command(
        "order.dispute", .write,
        "Record a dispute of an order's payment, or how it ended (order_id, dispute_ref, status, kind, amount, "
            + "reason): an open or lost chargeback holds goods that have not left, and refunds never give that money "
            + "back twice",
        role: .supervisor,
        arguments: [
            .orderID,
            Argument(
                "dispute_ref", .code, "The bank's or gateway's case reference (one dispute each)", required: true,
                positional: true),
            Argument(
                "status", .code,
                "open (new: the default), won, lost, or closed (withdrawn, or settled by a refund); unchanged when "
                    + "omitted",
                choices: Dispute.Status.allCases.map(\.rawValue)),
            Argument(
                "kind", .code, "chargeback (new: the default; the bank takes the money back) or inquiry (it asks only)",
                choices: Dispute.Kind.allCases.map(\.rawValue)),
            Argument("amount", .money, "The disputed amount (new: what was paid less what was refunded)"),
            Argument("reason", .text, "The bank's reason (fraudulent, product_not_received)"),
        ],
        result: OrderDetail.members + ["disputes", "charged_back"]
    ) { ctx, f in try ctx.dispute(f) }
}

extension CommandContext {
    /// `order.dispute`: records the dispute, holds the order while a chargeback takes its money back, lifts that
    /// hold when the merchant wins (or the dispute closes).
    func dispute(_ f: Fields) throws -> JSON {
        let id = try f.requiredCode("order_id")
        let ref = try f.requiredCode("dispute_ref")
        let status = try f.choice("status", of: Dispute.Status.self)
        let kind = try f.choice("kind", of: Dispute.Kind.self)
        let reason = try f.text("reason", maxLength: 500)
        var order = try requireOrder(id)
        let amount = try f.money("amount", exponent: order.exponent)
        try f.finish()
        if let (owner, _) = try store.dispute(ref: ref), owner != order.rowID {
            throw OrderCoreError(
                .conflict, "dispute_ref '\(ref)' is a dispute of another order",
                details: ["dispute_ref": .string(ref), "order_id": .string(id)])
        }
        var disputes = try store.disputes(orderRowID: order.rowID)
        let index = disputes.firstIndex { $0.ref == ref }
        let before = index.map { disputes[$0] }
        if let before, let kind, kind != before.kind {
            throw OrderCoreError(
                .conflict, "dispute \(ref) is of kind \(before.kind.rawValue); another kind is another dispute_ref",
                details: ["dispute_ref": .string(ref), "kind": .string(before.kind.rawValue)])
        }
        let refunded = Payment.refunded(try store.payments(orderRowID: order.rowID))
        let disputed = amount ?? before?.amount ?? (order.paidTotal - refunded)
        guard disputed > 0, disputed <= order.paidTotal else {
            throw OrderCoreError(
                order.paidTotal == 0 ? .conflict : .invalidInput,
                order.paidTotal == 0
                    ? "order \(id) has no payment to dispute"
                    : "amount must be more than zero and at most what was paid "
                        + "(\(Money.format(order.paidTotal, exponent: order.exponent)))",
                details: ["order_id": .string(id), "field": "amount", "paid_total": order.money(order.paidTotal)])
        }
        let dispute = Dispute(
            ref: ref, kind: before?.kind ?? kind ?? .chargeback, status: status ?? before?.status ?? .open,
            amount: disputed, reason: reason ?? before?.reason, openedAt: before?.openedAt ?? at, updatedAt: at,
            coveredDue: before?.coveredDue ?? 0)
        if let before, before.status == dispute.status, before.amount == disputed, before.reason == dispute.reason {
            return try document(order, extra: ["duplicate": true])  // a redelivered report
        }
        try store.save(dispute, of: order)
        if let index { disputes[index] = dispute } else { disputes.append(dispute) }
        let due = try refundOwed(order)
        var details: JSONObject = [
            "dispute_ref": .string(ref), "kind": .string(dispute.kind.rawValue),
            "status": .string(dispute.status.rawValue), "amount": order.money(disputed),
            "reason": .optional(dispute.reason), "charged_back": order.money(Dispute.takenBack(disputes)),
        ]
        if let before { details["was"] = .string(before.status.rawValue) }
        if due != order.refundDue { details["refund_due"] = order.money(due) }
        try transition(&order, to: order.state, command: "order.dispute", details: .object(details)) {
            $0.refundDue = due
        }
        if order.refundDue == 0 { try store.clearOrderAlerts(kind: "refund_overdue", orderID: id, at: at) }
        if dispute.takenBack > 0 {
            let opened = before?.takenBack ?? 0 == 0
            if opened {
                try store.openAlert(
                    kind: "chargeback", orderID: id, ref: ref, at: at,
                    details: ["amount": order.money(disputed), "reason": .optional(dispute.reason)])
                // The buyer's other orders still to ship are scored again: they may be the same fraud.
                for other in try store.otherOrdersToShip(of: order) {
                    var o = try requireOrder(other)
                    try reassessRisk(&o)
                }
            }
            // Held when it starts taking the money, and again when it is lost (a supervisor may have shipped on
            // while it was open); a new amount or reason alone holds nothing again.
            if opened || before?.status != dispute.status, OrderState.holdable.contains(order.state) {
                try hold(
                    &order, reason: dispute.holdReason, command: "order.dispute",
                    details: ["reason": .string(dispute.holdReason), "dispute_ref": .string(ref)])
            }
        } else {
            try store.clearRefAlerts(kind: "chargeback", ref: ref, at: at)
            if order.state == .onHold, order.holdReason == dispute.holdReason {
                try lift(&order, command: "order.dispute", reason: "dispute \(ref) \(dispute.status.rawValue)")
            }
        }
        return try document(order)
    }

    /// What an order owes the buyer back (`refund_due`) once `plus` more is owed (or `whole` in all), never more
    /// than the merchant still holds: what chargebacks give the buyer instead is owed no more while they take the
    /// money, and owed again when they no longer do. Each chargeback keeps the part it covers (`coveredDue`).
    func refundOwed(_ order: Order, plus: Int64 = 0, whole: Int64? = nil) throws -> Int64 {
        var disputes = try store.disputes(orderRowID: order.rowID)
        let covered = disputes.reduce(0) { $0 + $1.coveredDue }
        let owed = whole ?? (order.refundDue + covered + plus)
        guard disputes.contains(where: { $0.takenBack > 0 || $0.coveredDue > 0 }) else { return owed }
        let refunded = Payment.refunded(try store.payments(orderRowID: order.rowID))
        var cover = max(0, owed - max(0, order.paidTotal - refunded - Dispute.takenBack(disputes)))
        for i in disputes.indices {
            let part = min(disputes[i].takenBack, cover)
            cover -= part
            if part != disputes[i].coveredDue {
                disputes[i].coveredDue = part
                try store.save(disputes[i], of: order)
            }
        }
        return owed - disputes.reduce(0) { $0 + $1.coveredDue }
    }

    /// The hold of a chargeback that still takes an order's money back, if any.
    func chargebackHold(_ order: Order) throws -> String? {
        try store.disputes(orderRowID: order.rowID).first { $0.takenBack > 0 }?.holdReason
    }

    /// Refuses a refund the merchant would pay (`order.refund`, a return's; not a channel's) of money a chargeback
    /// has taken back already: the buyer would get it twice.
    func refuseRefundTakenBack(_ order: Order, amount: Int64, refunded: Int64) throws {
        let takenBack = Dispute.takenBack(try store.disputes(orderRowID: order.rowID))
        let left = order.paidTotal - refunded - takenBack
        guard takenBack > 0, amount > left else { return }
        throw OrderCoreError(
            .conflict,
            "refund \(Money.format(amount, exponent: order.exponent)) of \(order.orderID) is more than is left "
                + "(\(Money.format(max(0, left), exponent: order.exponent))): chargebacks take "
                + "\(Money.format(takenBack, exponent: order.exponent)) of it back to the buyer",
            details: [
                "order_id": .string(order.orderID), "reason": "charged_back", "charged_back": order.money(takenBack),
                "paid_total": order.money(order.paidTotal), "refunded_total": order.money(refunded),
            ])
    }
}
