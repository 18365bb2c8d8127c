/// The order lifecycle. Every state change goes through `OrderState.check`, so an illegal
/// transition is always a `conflict` that names the current state and what may happen next.
enum OrderState: String, CaseIterable, Sendable {
    case pendingPayment = "pending_payment"
    case depositPaid = "deposit_paid"
    case paid
    case allocated
    case picking
    case packed
    case partiallyShipped = "partially_shipped"
    case shipped
    case delivered
    case completed
    case onHold = "on_hold"
    case cancelled

    /// States an order can still be cancelled from: nothing has left the warehouse.
    static let beforeShipment: Set<OrderState> = [
        .pendingPayment, .depositPaid, .paid, .allocated, .picking, .packed, .onHold,
    ]

    struct Transition {
        let command: String
        let from: Set<OrderState>
        let to: OrderState
    }

    /// States of an order whose goods, or some of them, have left the warehouse.
    static let leftTheWarehouse: Set<OrderState> = [.partiallyShipped, .shipped, .delivered, .completed]

    /// States an order paid after it left is in (cash on delivery, or shipped unpaid by its channel):
    /// `order.pay` records its payment and leaves it there.
    static let fulfilledUnpaid: Set<OrderState> = leftTheWarehouse.union([.allocated, .picking, .packed])

    /// States an order can be put on hold from: nothing has left the warehouse yet, or the rest of a partly shipped
    /// one has not (a chargeback, a fraud verdict or a person stops what is still here; what left is on its way).
    static let holdable: Set<OrderState> = beforeShipment.subtracting([.onHold]).union([.partiallyShipped])
    /// Not paid in full (a pre-sale's deposit may be): `order.pay` takes it on.
    static let unpaid: Set<OrderState> = [.pendingPayment, .depositPaid]

    /// Where each command may move an order from, and to. Some commands choose between targets by what
    /// happened (see the command): `order.pay` of a pre-sale deposit goes to `deposit_paid`, and of an order
    /// held before it was paid leaves it held, to be released paid; `order.pack` stays in `picking` until every
    /// unit is packed; `order.ship` is `partially_shipped` until every unit is out, and allocating, picking,
    /// packing or unpacking the rest keeps it there; `order.release` returns to the state the hold left;
    /// `order.cancel` of a partially shipped order cancels the rest and leaves it `shipped`.
    static let transitions: [Transition] = [
        Transition(command: "order.pay", from: [.pendingPayment, .depositPaid, .onHold], to: .paid),
        Transition(command: "order.allocate", from: [.paid, .partiallyShipped], to: .allocated),
        Transition(command: "order.pick", from: [.allocated, .picking, .partiallyShipped], to: .picking),
        Transition(command: "order.pack", from: [.allocated, .picking, .partiallyShipped], to: .packed),
        Transition(command: "order.unpack", from: [.picking, .packed, .partiallyShipped], to: .picking),
        Transition(command: "order.ship", from: [.picking, .packed, .partiallyShipped], to: .shipped),
        Transition(command: "order.deliver", from: [.shipped, .partiallyShipped], to: .delivered),
        Transition(command: "order.complete", from: [.delivered], to: .completed),
        Transition(command: "order.pickup", from: [.paid, .allocated], to: .completed),
        Transition(command: "order.hold", from: holdable, to: .onHold),
        Transition(command: "order.release", from: [.onHold], to: .paid),
        Transition(command: "order.cancel", from: beforeShipment.union([.partiallyShipped]), to: .cancelled),
        // The channel reports a shipment OrderCore did not make (a backfill, Amazon FBA, a parcel sent by hand).
        Transition(
            command: "channel.shipped",
            from: [.pendingPayment, .depositPaid, .paid, .allocated, .picking, .packed, .partiallyShipped, .onHold],
            to: .shipped),
    ]

    /// The state `command` moves an order in `self` to.
    /// - Parameter allowed: what the order allows instead (`Order.nextCommands`).
    /// - Throws: `conflict` naming the order, its state and the commands allowed from it (`refusal`).
    func next(_ command: String, orderID: String, allowed: [String]) throws(OrderCoreError) -> OrderState {
        guard let t = OrderState.transitions.first(where: { $0.command == command }) else {
            throw OrderCoreError(.internal, "no transition defined for \(command)")
        }
        guard t.from.contains(self) else { throw refusal(command, orderID: orderID, allowed: allowed) }
        return t.to
    }

    /// The `conflict` refusing `command` to an order in this state, naming what it allows instead.
    func refusal(_ command: String, orderID: String, allowed: [String]) -> OrderCoreError {
        let allowedText =
            allowed.isEmpty ? "nothing more can happen to it" : "allowed next: \(allowed.joined(separator: ", "))"
        return OrderCoreError(
            .conflict, "order \(orderID) is \(rawValue); \(command) is not allowed (\(allowedText))",
            details: [
                "order_id": .string(orderID), "state": .string(rawValue), "allowed": .array(allowed.map(JSON.string)),
            ])
    }
}
