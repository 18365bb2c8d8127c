/// A shipment a channel reports that OrderCore did not make: an order arriving already shipped
/// (a backfill of history, a marketplace order the marketplace fulfils itself such as Amazon FBA), or
/// a channel saying "shipped" about an order still in OrderCore's queue. It is recorded, never made a
/// second time (docs/channels.md, *Arrival in the channel's state*).
struct ChannelShipment {
    /// The canonical fields a profile may map (`shipment.carrier` ...).
    static let fields = ["carrier", "tracking_no", "shipped_at"]
    /// A parcel's: the shipment's fields, the channel's id of the parcel (`parcel_ref`) and where it is by the
    /// channel's word (`status`, a `tracking.event` status; `subtag`, AfterShip's, for an exception).
    /// `cancelled` (true or false): the channel cancelled the parcel (a fulfillment cancelled, a label voided).
    static let parcelFields = fields + ["parcel_ref", "status", "subtag", "cancelled"]
    /// The parcels one event records at most.
    static let maxParcels = 100

    /// One parcel it left in, with its own tracking number (nil: none known yet).
    struct Parcel {
        var carrier: String?
        var trackingNo: String?
        var shippedAt: Int64?
        /// The channel's id of the parcel (a Shopify fulfillment, an Amazon package): one number it corrects later is
        /// the same parcel's.
        var ref: String?
        /// Where the channel says the parcel is (Amazon's package status, Shopify's fulfillment's shipment status).
        var status: TrackingStatus?
        var subtag: String?
        var cancelled = false

        /// Whether `shipment` of order `orderID` is this parcel: by its number (suffixed when another order had it:
        /// `unusedTrackingNo`), else by the channel's id of it.
        func isRecorded(as shipment: Shipment, orderID: String) -> Bool {
            guard let number = trackingNo else { return ref != nil && shipment.parcelRef == ref }
            return shipment.trackingNo == number || shipment.trackingNo.hasPrefix(number + "/" + orderID)
        }
    }

    var carrier: String?
    /// When it left: the shipment's time, else its first parcel's.
    var shippedAt: Int64?
    /// The parcels the channel names (`parcels`, from the profile's `parcels` rule), else the one of
    /// `tracking_no`: never empty.
    var parcels: [Parcel]
    /// The parcels it names cancelled: shipments of them here are not on their way (`flagCancelledParcels`).
    var cancelled: [Parcel]
    /// The channel fulfilled the order from its own stock (`fulfilled_by: channel`): none of the
    /// merchant's stock moves, whatever the channel's `shipped_orders_move_stock` says.
    var byChannel = false

    init(_ shipment: Fields?, fulfilledBy: String?) throws(OrderCoreError) {
        carrier = try shipment?.code("carrier")
        let trackingNo = try shipment?.code("tracking_no")
        let named = try (shipment?.objects("parcels", maxCount: Self.maxParcels) ?? []).map {
            p throws(OrderCoreError) in
            let parcel = try Parcel(p)
            try p.finish()
            return parcel
        }
        parcels = named.filter { !$0.cancelled }
        cancelled = named.filter(\.cancelled)
        if parcels.isEmpty { parcels = [Parcel(trackingNo: trackingNo)] }
        shippedAt = try shipment?.time("shipped_at") ?? parcels.compactMap(\.shippedAt).min()
        try shipment?.finish()
        switch fulfilledBy {
        case nil, "merchant": byChannel = false
        case "channel": byChannel = true
        case let other?:
            throw .invalid("fulfilled_by must be merchant or channel, not '\(other)'", field: "fulfilled_by")
        }
    }
}

extension ChannelShipment.Parcel {
    /// A parcel's fields (`ChannelShipment.parcelFields`) as a profile mapped them: a parcel of an order event, or
    /// the one a tracking event is about.
    init(_ p: Fields) throws(OrderCoreError) {
        self.init(
            carrier: try p.code("carrier"), trackingNo: try p.code("tracking_no"), shippedAt: try p.time("shipped_at"),
            ref: try p.code("parcel_ref"),
            status: try p.code("status").map { name throws(OrderCoreError) in
                try TrackingStatus(named: name, field: p.name("status"))
            },
            subtag: try p.code("subtag"), cancelled: try p.bool("cancelled") ?? false)
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
        // Its parcels not recorded yet: a later part's event names the earlier parts' parcels too. An order none of
        // whose units had left has no shipment to read.
        let before = lines.contains { $0.quantity(.shipped) > 0 } ? try store.shipments(orderRowID: order.rowID) : []
        let (recorded, refs) = (Set(before.map(\.trackingNo)), Set(before.compactMap(\.parcelRef)))
        // A parcel recorded before under another number (the channel corrected it) is not a new one either.
        let parcels = shipment.parcels.filter {
            $0.trackingNo.map { !recorded.contains($0) } ?? true && $0.ref.map { !refs.contains($0) } ?? true
        }
        var made: [(seq: Int64, carrier: String, trackingNo: String)] = []
        for parcel in parcels.isEmpty ? [shipment.parcels[0]] : parcels {
            let carrier = parcel.carrier ?? shipment.carrier ?? channel
            let trackingNo = try unusedTrackingNo(
                parcel.trackingNo ?? Self.unnamedParcel(order, channel: channel), carrier: carrier, order: order)
            let leftAt = parcel.shippedAt ?? shippedAt
            let seq = try store.insertShipment(
                orderRowID: order.rowID, carrier: carrier, trackingNo: trackingNo, at: leftAt,
                watched: try watchesPickup(
                    leftAt: leftAt, named: parcel.trackingNo != nil, byChannel: shipment.byChannel),
                parcelRef: parcel.ref)
            made.append((seq, carrier, trackingNo))
        }
        let shipments: [JSONObject] = made.map {
            ["shipment": .int($0.seq), "carrier": .string($0.carrier), "tracking_no": .string($0.trackingNo)]
        }
        var details = shipments[0]
        details["source"] = .string(channel)
        details["shipped_at"] = .string(Timestamp.format(shippedAt))
        details["fulfilled_by"] = .string(shipment.byChannel ? "channel" : "merchant")
        details["units_from_stock"] = .int(fromStock)
        if shipments.count > 1 { details["shipments"] = .array(shipments.map(JSON.object)) }
        if !withoutStock.isEmpty { details["shipped_without_stock"] = .array(withoutStock) }
        // Part of a held order shipped by the channel: the rest stays held (a chargeback, a fraud verdict still stop
        // it), now as the rest of a partly shipped order.
        let held = !everything && order.state == .onHold
        try transition(
            &order, to: everything ? .shipped : held ? .onHold : .partiallyShipped, command: "channel.shipped",
            details: .object(details)
        ) { if held { $0.heldFrom = .partiallyShipped } }
        for shipment in made {
            try replayTracking(carrier: shipment.carrier, trackingNo: shipment.trackingNo, order: &order)
        }
        if everything, state == .delivered || state == .completed {
            try deliverAtChannel(&order, completed: state == .completed, channel: channel)
        }
        return details
    }

    /// Whether the sweep waits for a pickup scan of a channel's parcel (`no_pickup`): not of one the channel fulfilled
    /// from its own stock (its logistics, not the merchant's carrier), nor of one it names no number for (no
    /// carrier can scan what nobody can look up), nor of one that left longer ago than the alert's window (a
    /// backfill of history: its pickup, if any, was long ago).
    private func watchesPickup(leftAt: Int64, named: Bool, byChannel: Bool) throws -> Bool {
        let window = try intSetting(.pickupAlertHours) * 3_600_000
        return named && !byChannel && at - leftAt < window
    }

    /// The tracking number of a channel's parcel that names none (yet): the channel and the order's number there.
    static func unnamedParcel(_ order: Order, channel: String) -> String {
        "\(channel)-\(order.externalID ?? order.orderID)"
    }

    /// `named`, or when a shipment already carries it (another order's, or this order's first parcel named again
    /// by a channel that reports only its first tracking number, or none, for every part it ships) the number
    /// told apart by the order, then by how many of its shipments have carried it.
    private func unusedTrackingNo(_ named: String, carrier: String, order: Order) throws -> String {
        var trackingNo = named
        var repeats = 0
        while try store.shipmentExists(carrier: carrier, trackingNo: trackingNo) {
            repeats += 1
            trackingNo = named + "/" + order.orderID + (repeats > 1 ? "/\(repeats)" : "")
        }
        return trackingNo
    }

    /// Tracking numbers the channel names, later, for parcels it shipped: a number it corrected (a label printed
    /// again) replaces the one the same parcel (`parcel_ref`) was recorded with and the channel names no more; one for
    /// a parcel shipped without a number (a Shopify fulfillment whose number was added after it was made) goes to the
    /// order's shipments recorded under none (`unnamedParcel`), in turn. The carrier's events find the order from
    /// then on. A number recorded otherwise stands. Without `unnamed`, corrections only (the event also shipped a
    /// new part, whose parcels are the numbers it names new). Returns the shipments named (timeline
    /// `channel.tracking`).
    func nameChannelParcels(
        _ order: inout Order, shipment: ChannelShipment, channel: String, unnamed namesUnnamed: Bool = true
    ) throws -> [JSON] {
        let shipments = try store.shipments(orderRowID: order.rowID)
        let recorded = Set(shipments.map(\.trackingNo))
        let unnamed = Self.unnamedParcel(order, channel: channel)
        // Waiting for a number: recorded under none, or under one the channel cancelled (its new parcel replaces it).
        var waiting =
            namesUnnamed
            ? shipments.filter { s in
                s.trackingNo == unnamed || s.trackingNo.hasPrefix(unnamed + "/")
                    || s.state != "delivered"
                        && shipment.cancelled.contains { $0.isRecorded(as: s, orderID: order.orderID) }
            } : []
        // Per parcel the channel names, the numbers it names for it now.
        var current: [String: Set<String>] = [:]
        for parcel in shipment.parcels {
            if let ref = parcel.ref, let number = parcel.trackingNo { current[ref, default: []].insert(number) }
        }
        var replaced = Set<Int64>()
        var named: [JSON] = []
        for parcel in shipment.parcels {
            guard let number = parcel.trackingNo, !recorded.contains(number) else { continue }
            // A parcel recorded before under its id is corrected (its number the channel names no more) or left
            // alone, never taken for a parcel with no number.
            let sameParcel = parcel.ref.map { ref in shipments.filter { $0.parcelRef == ref } } ?? []
            let corrected = sameParcel.first {
                !replaced.contains($0.seq) && current[parcel.ref ?? ""]?.contains($0.trackingNo) != true
            }
            guard let old = corrected ?? (sameParcel.isEmpty && !waiting.isEmpty ? waiting.removeFirst() : nil)
            else { continue }
            replaced.insert(old.seq)
            let carrier = parcel.carrier ?? shipment.carrier ?? old.carrier
            let trackingNo = try unusedTrackingNo(number, carrier: carrier, order: order)
            try store.renameShipment(
                orderRowID: order.rowID, seq: old.seq, carrier: carrier, trackingNo: trackingNo,
                watched: try watchesPickup(leftAt: old.shippedAt, named: true, byChannel: shipment.byChannel),
                parcelRef: parcel.ref)
            try store.clearRefAlerts(kind: "channel_parcel_cancelled", ref: "\(old.carrier):\(old.trackingNo)", at: at)
            try replayTracking(carrier: carrier, trackingNo: trackingNo, order: &order)
            named.append([
                "shipment": .int(old.seq), "carrier": .string(carrier), "tracking_no": .string(trackingNo),
                "was": .string(old.trackingNo),
            ])
        }
        if !named.isEmpty {
            try record(
                order, from: order.state, command: "channel.tracking",
                details: ["source": .string(channel), "shipments": .array(named)])
        }
        return named
    }

    /// Shipments of an order that left whose parcel the channel now names cancelled (a Shopify fulfillment cancelled,
    /// an Amazon label voided) and names no new parcel for (`nameChannelParcels` takes a new one for them): the goods
    /// may never have left, though they are recorded shipped and gone from stock. A `channel_parcel_cancelled`
    /// alert asks a person, once per shipment (timeline `channel.parcel_cancelled`); it clears when the channel
    /// names the parcel that replaces it, or the carrier scans the parcel (it left), or it is delivered.
    /// - Returns: the shipments flagged.
    func flagCancelledParcels(_ order: inout Order, shipment: ChannelShipment, channel: String) throws -> [JSON] {
        guard !shipment.cancelled.isEmpty, OrderState.leftTheWarehouse.contains(order.stage) else { return [] }
        let orderID = order.orderID
        let gone = try store.shipments(orderRowID: order.rowID).filter { s in
            s.state != "delivered" && shipment.cancelled.contains { $0.isRecorded(as: s, orderID: orderID) }
        }
        guard !gone.isEmpty else { return [] }
        let told = Set(
            try store.events(orderRowID: order.rowID).filter { $0.command == "channel.parcel_cancelled" }.compactMap {
                $0.details["tracking_no"]?.stringValue
            })
        var flagged: [JSON] = []
        for s in gone where !told.contains(s.trackingNo) {
            let details: JSON = [
                "channel": .string(channel), "shipment": .int(s.seq), "carrier": .string(s.carrier),
                "tracking_no": .string(s.trackingNo),
            ]
            try record(order, from: order.state, command: "channel.parcel_cancelled", details: details)
            try store.openAlert(
                kind: "channel_parcel_cancelled", orderID: orderID, ref: "\(s.carrier):\(s.trackingNo)", at: at,
                details: details)
            flagged.append(details)
        }
        return flagged
    }

    /// Where the channel says each parcel it names is (`status`: Amazon's package status, Shopify's fulfillment's
    /// shipment status), told to the order's shipments of the parcel (by its number; by the channel's id of it
    /// when it names none: a local delivery has none, and a Shopify fulfillment's id is all its boxes') as a
    /// carrier's event is (`applyTracking`): it moves forward, never back; delivered delivers it, and the order
    /// once every shipment is; a refusal, a parcel going back or lost raises its alert. Each status is told once
    /// per parcel (the channel repeats it in every event about the order), at `time`, when the channel said it.
    /// - Returns: the shipments told.
    func reportParcels(
        _ order: inout Order, parcels: [ChannelShipment.Parcel], channel: String, time: Int64
    ) throws -> [JSON] {
        let reported = parcels.filter { $0.status != nil && ($0.trackingNo != nil || $0.ref != nil) }
        guard !reported.isEmpty else { return [] }
        let shipments = try store.shipments(orderRowID: order.rowID)
        var told: [JSON] = []
        for parcel in reported {
            guard let status = parcel.status else { continue }
            for mine in shipments
            where mine.state != "delivered" && parcel.isRecorded(as: mine, orderID: order.orderID) {
                if parcel.trackingNo != nil, let ref = parcel.ref, mine.parcelRef != ref {
                    // Shipped here and told to the channel, or fulfilled there again under the same number: its later
                    // word on the parcel may name its id alone.
                    try store.setParcelRef(orderRowID: order.rowID, seq: mine.seq, parcelRef: ref)
                }
                let report = TrackingReport(
                    carrier: mine.carrier, trackingNo: mine.trackingNo, status: status, time: time,
                    message: "\(channel): \(status.rawValue)" + (parcel.subtag.map { " (\($0))" } ?? ""),
                    location: nil, subtag: parcel.subtag)
                // Told before (every event about the order repeats it): one look, nothing more read.
                guard try !store.trackingEventExists(report),
                    let found = try store.shipment(carrier: mine.carrier, trackingNo: mine.trackingNo),
                    try store.insertTrackingEvent(report, shipmentRowID: found.rowID, at: at)
                else { continue }
                try applyTracking(report, to: found, order: &order, command: "channel.delivered")
                told.append([
                    "shipment": .int(mine.seq), "tracking_no": .string(mine.trackingNo),
                    "status": .string(status.rawValue),
                ])
            }
        }
        return told
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
