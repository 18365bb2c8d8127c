/// A return (RMA): always one order, some of its shipped units, a reason, and what happened since.
struct ReturnRecord {
    /// The main members of the return document, as the commands that answer with it declare.
    static let members = [
        "return_id", "order_id", "state", "reason", "customer", "owner", "lines", "quote", "refunds", "timeline",
    ]

    enum State: String, CaseIterable {
        case requested, approved, rejected
        /// Some units arrived, more are expected.
        case receiving
        /// Every requested unit arrived (or was accounted for).
        case received
        /// Everything that arrived and can be refunded was refunded, and nothing more is expected.
        case refunded
        /// Everything arrived and nothing of it can be refunded (wrong items, empty boxes).
        case closed
    }

    struct Line {
        var lineNo: Int64
        var sku: String
        var requested: Int64
        var resellable: Int64 = 0
        var damaged: Int64 = 0
        var wrongItem: Int64 = 0
        var empty: Int64 = 0
        var refunded: Int64 = 0

        var received: Int64 { resellable + damaged + wrongItem + empty }
        /// Units that came back as what was sold: the only ones a refund pays for.
        var refundable: Int64 { resellable + damaged }

        var json: JSON {
            [
                "line_no": .int(lineNo), "sku": .string(sku), "requested": .int(requested), "received": .int(received),
                "resellable": .int(resellable), "damaged": .int(damaged), "wrong_item": .int(wrongItem),
                "empty": .int(empty),
                "refunded": .int(refunded),
            ]
        }
    }

    var rowID: Int64
    var returnID: String
    var orderRowID: Int64
    var state: State
    var reason: String
    var sellerFault: Bool
    /// The customer (id, else phone) the return counts against in returner stats.
    var customer: String?
    /// Who is handling it: the actor who approved it, else who requested it.
    var owner: String?
    var note: String?
    /// Signals found on receipt (`empty_box`, `wrong_item`).
    var flags: [String]
    var replacementOrderID: String?
    var priceDifference: Int64?
    var createdAt: Int64
    var updatedAt: Int64
    var stateSince: Int64

    /// Where a return stands once its goods are (partly) in: receiving while units are expected; then
    /// refunded when everything payable was paid (before receipt, say), closed when nothing was
    /// payable, received while a refund is due.
    static func state(after lines: [Line]) -> State {
        guard lines.allSatisfy({ $0.received >= $0.requested }) else { return .receiving }
        guard lines.allSatisfy({ $0.refunded >= $0.refundable }) else { return .received }
        return lines.contains { $0.refunded > 0 } ? .refunded : .closed
    }

    /// States in which a return waits for somebody (the SLA clock runs).
    static let open: [State] = [.requested, .approved, .receiving, .received]
}
