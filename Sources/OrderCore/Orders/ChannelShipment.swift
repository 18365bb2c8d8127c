/// A shipment a channel reports that OrderCore did not make: an order arriving already shipped
/// (a backfill of history, a marketplace order the marketplace fulfils itself such as Amazon FBA), or
/// a channel saying "shipped" about an order still in OrderCore's queue. It is recorded, never made a
/// second time (docs/channels.md, *Arrival in the channel's state*).
struct ChannelShipment {
    /// The canonical fields a profile may map (`shipment.carrier` ...).
    static let fields = ["carrier", "tracking_no", "shipped_at"]

    var carrier: String?
    var trackingNo: String?
    var shippedAt: Int64?
    /// The channel fulfilled the order from its own stock (`fulfilled_by: channel`): none of the
    /// merchant's stock moves, whatever the channel's `shipped_orders_move_stock` says.
    var byChannel = false

    init(_ shipment: Fields?, fulfilledBy: String?) throws(OrderCoreError) {
        carrier = try shipment?.code("carrier")
        trackingNo = try shipment?.code("tracking_no")
        shippedAt = try shipment?.time("shipped_at")
        try shipment?.finish()
        switch fulfilledBy {
        case nil, "merchant": byChannel = false
        case "channel": byChannel = true
        case let other?:
            throw .invalid("fulfilled_by must be merchant or channel, not '\(other)'", field: "fulfilled_by")
        }
    }
}

extension CommandContext {
    /// Moves an order OrderCore has not shipped to `state` (shipped, delivered or completed; partially
    /// shipped with `units`) because its channel says so. With `moveStock` the units it holds leave the
    /// warehouse as shipped (ledger rows referencing the channel event); units it never held
    /// (backordered), or that a count has taken off the shelf since, are counted shipped without stock and
    /// listed as `shipped_without_stock`, and owed no more. Without, its holds are released and nothing
    /// moves. Units allocated to the warehouse that left this way are no longer to pick or pack
    /// (`Store.trimAllocation`).
    /// - Parameter units: the units of each line (by number) that left, when only some did (nil: every unit).
    /// - Returns: what was recorded (shipment, units taken from stock, units shipped without stock).
    func recordChannelShipment(
        _ order: inout Order, reaching state: OrderState, units only: [Int64: Int64]? = nil, shipment: ChannelShipment,
        moveStock: Bool, channel: String, reference: String
    ) throws -> JSONObject {
        _ = try next(order, "channel.shipped")
        if moveStock {
            try store.lockHeldBalances(orderRowID: order.rowID)
        } else {
            _ = try releaseReservations(of: order, reason: .release)
        }
        var fromStock: Int64 = 0
        var withoutStock: [JSON] = []
        let lines = try store.lines(orderRowID: order.rowID)
        var everything = true  // after this shipment, every unit is out
        var short: [JSON] = []  // units still owed with no stock to cover them
        for line in lines {
            let remaining = line.notCancelled - line.quantity(.shipped)
            let leaving = only.map { min(remaining, $0[line.lineNo] ?? 0) } ?? remaining
            if leaving < remaining { everything = false }
            let take = moveStock ? min(leaving, line.quantity(.reserved)) : 0
            // Units it was short of are among those that left without a hold: nobody owes them any more.
            let owed = min(line.quantity(.backordered), leaving - take)
            if line.quantity(.backordered) > owed {
                short.append(Self.shortEntry(line, line.quantity(.backordered) - owed))
            }
            guard leaving > 0 else { continue }
            // Held units a count has taken off the shelf since have left all the same.
            let notOnHand =
                take > 0
                ? try handOver(
                    order, lineNo: line.lineNo, qty: take, reason: .ship, reference: ("channel_event", reference),
                    pastTheShelf: true) : 0
            if leaving > take {
                try store.addLineQuantity(.shipped, orderRowID: order.rowID, lineNo: line.lineNo, qty: leaving - take)
                if owed > 0 {
                    try store.addLineQuantity(.backordered, orderRowID: order.rowID, lineNo: line.lineNo, qty: -owed)
                }
            }
            if moveStock, leaving - take + notOnHand > 0 {
                withoutStock.append([
                    "line_no": .int(line.lineNo), "sku": .string(line.sku), "qty": .int(leaving - take + notOnHand),
                ])
            }
            fromStock += take - notOnHand
        }
        // What it was sold short of has left through the channel: nobody must find units for it any more.
        try settleBackorder(orderID: order.orderID, short: short)
        try store.trimAllocation(orderRowID: order.rowID)
        let shippedAt = shipment.shippedAt ?? at
        let carrier = shipment.carrier ?? channel
        // A number already recorded (another order's, or this order's first parcel named again by a channel
        // that reports only its first tracking number, or none, for every part it ships) is told apart by
        // the order, then by how many of its shipments have carried it.
        let named = shipment.trackingNo ?? "\(channel)-\(order.externalID ?? order.orderID)"
        var trackingNo = named
        var repeats = 0
        while try store.shipmentExists(carrier: carrier, trackingNo: trackingNo) {
            repeats += 1
            trackingNo = named + "/" + order.orderID + (repeats > 1 ? "/\(repeats)" : "")
        }
        let seq = try store.insertShipment(
            orderRowID: order.rowID, carrier: carrier, trackingNo: trackingNo, at: shippedAt)
        var details: JSONObject = [
            "source": .string(channel), "shipment": .int(seq), "carrier": .string(carrier),
            "tracking_no": .string(trackingNo),
            "shipped_at": .string(Timestamp.format(shippedAt)),
            "fulfilled_by": .string(shipment.byChannel ? "channel" : "merchant"),
            "units_from_stock": .int(fromStock),
        ]
        if !withoutStock.isEmpty { details["shipped_without_stock"] = .array(withoutStock) }
        // Part of a held order shipped by the channel: the rest stays held (a chargeback, a fraud verdict still stop
        // it), now as the rest of a partly shipped order.
        let held = !everything && order.state == .onHold
        try transition(
            &order, to: everything ? .shipped : held ? .onHold : .partiallyShipped, command: "channel.shipped",
            details: .object(details)
        ) { if held { $0.heldFrom = .partiallyShipped } }
        if everything, state == .delivered || state == .completed {
            try deliverAtChannel(&order, completed: state == .completed, channel: channel)
        }
        return details
    }

    /// The channel says the buyer has every unit of an order whose goods have all left (signed for, receipt
    /// confirmed): each shipment not yet delivered is, and so is the order — completed too when the channel
    /// says so. The carrier's tracking may never tell, and its parcel alerts no longer matter.
    func deliverAtChannel(_ order: inout Order, completed: Bool, channel: String) throws {
        if order.state == .shipped {
            let open = try store.shipments(orderRowID: order.rowID).filter { $0.state != "delivered" }
            try deliver(&order, shipments: open, command: "channel.delivered", details: ["source": .string(channel)])
            for kind in TrackingStatus.parcelAlerts {
                try store.clearOrderAlerts(kind: kind, orderID: order.orderID, at: at)
            }
        }
        if completed, order.state == .delivered {
            try transition(&order, to: .completed, command: "channel.completed", details: ["source": .string(channel)])
        }
    }
}
