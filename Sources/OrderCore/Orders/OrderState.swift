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
    static let beforeShipment: Set<OrderState> = [.pendingPayment, .depositPaid, .paid, .allocated, .picking, .packed, .onHold]

    struct Transition {
        let command: String
        let from: Set<OrderState>
        let to: OrderState
    }

    /// The commands that move an order, and where from. Later modules add theirs here.
    /// `order.pay` of a pre-sale deposit goes to `deposit_paid` instead (see `OrderCommands.pay`).
    static let transitions: [Transition] = [
        Transition(command: "order.pay", from: [.pendingPayment, .depositPaid], to: .paid),
        Transition(command: "order.allocate", from: [.paid], to: .allocated),
        Transition(command: "order.pickup", from: [.paid, .allocated], to: .completed),
        Transition(command: "order.cancel", from: beforeShipment, to: .cancelled),
    ]

    /// Commands that may move an order out of this state.
    var nextCommands: [String] { OrderState.transitions.filter { $0.from.contains(self) }.map(\.command) }

    /// The state `command` moves an order in `self` to.
    /// - Throws: `conflict` naming the order, its state and the commands allowed from it.
    func next(_ command: String, orderID: String) throws(OrderCoreError) -> OrderState {
        guard let t = OrderState.transitions.first(where: { $0.command == command }) else {
            throw OrderCoreError(.internal, "no transition defined for \(command)")
        }
        guard t.from.contains(self) else {
            let allowed = nextCommands
            let allowedText = allowed.isEmpty ? "nothing more can happen to it" : "allowed next: \(allowed.joined(separator: ", "))"
            throw OrderCoreError(.conflict, "order \(orderID) is \(rawValue); \(command) is not allowed (\(allowedText))",
                                 details: ["order_id": .string(orderID), "state": .string(rawValue),
                                           "allowed": .array(allowed.map(JSON.string))])
        }
        return t.to
    }
}
