/// A carrier's report about a parcel, in canonical terms. AfterShip's tags map onto it, so events
/// from an aggregator and from carriers read the same.
enum TrackingStatus: String, CaseIterable {
    case infoReceived = "info_received"
    case pickedUp = "picked_up"
    case inTransit = "in_transit"
    case outForDelivery = "out_for_delivery"
    case failedAttempt = "failed_attempt"
    case exception
    case delivered

    /// AfterShip tags (v3/v4) and a few common spellings. AfterShip's `Expired` (no news from the carrier for
    /// 30 days) is an exception: the parcel may be lost, and a person must ask.
    static let aliases: [String: TrackingStatus] = [
        "inforeceived": .infoReceived, "pending": .infoReceived, "pickedup": .pickedUp, "intransit": .inTransit,
        "outfordelivery": .outForDelivery, "attemptfail": .failedAttempt, "failedattempt": .failedAttempt,
        "exception": .exception, "delivered": .delivered, "availableforpickup": .outForDelivery,
        "expired": .exception,
    ]

    init?(name: String) {
        let key = String(name.lowercased().unicodeScalars.filter { $0 != "_" && $0 != " " && $0 != "-" })
        guard let status = TrackingStatus.aliases[key] else { return nil }
        self = status
    }

    /// How far along a parcel is; a shipment never moves to a lower rank (late events arrive out of order).
    var rank: Int {
        switch self {
        case .infoReceived: 1
        case .pickedUp: 2
        case .inTransit, .exception: 3
        case .outForDelivery, .failedAttempt: 4
        case .delivered: 9
        }
    }

    /// The carrier has the parcel: every status past `info_received`.
    var pickedUp: Bool { self != .infoReceived }

    /// The alerts about a parcel on its way (and the sweep's `no_pickup`), which its delivery clears.
    static let parcelAlerts = [
        "no_pickup", "carrier_exception", "delivery_failed", "delivery_refused", "returning_to_sender", "parcel_lost",
    ]

    /// The alert the status raises, if any. An exception's AfterShip subtag tells what a person must do: the
    /// buyer refused the parcel (`Exception_003`), it is going or has gone back to the sender (`Exception_010`,
    /// `Exception_011`: undeliverable), it is lost (`Exception_013`: a claim, and the order sent again or
    /// refunded).
    func alert(subtag: String?) -> String? {
        switch self {
        case .exception:
            switch subtag?.lowercased() {
            case "exception_003": "delivery_refused"
            case "exception_010", "exception_011": "returning_to_sender"
            case "exception_013": "parcel_lost"
            default: "carrier_exception"
            }
        case .failedAttempt: "delivery_failed"
        default: nil
        }
    }
}

enum TrackingCommands {
    static let all = [event, get]

    static let event = Command(
        "tracking.event", .write,
        "Apply a carrier tracking event (carrier, tracking_no, status, time, message, location); duplicates apply once",
        arguments: [
            .key("carrier"),
            .key("tracking_no"),
            Argument(
                "status", .code,
                "The carrier's status: in_transit, delivered, failed_attempt, exception... or AfterShip tags",
                required: true, positional: true),
            Argument("time", .time, "When the carrier saw it (default: the command's time)"),
            Argument("message", .text, "The carrier's text"),
            Argument("location", .text, "Where (a bin for stock, a place for a carrier scan)"),
            Argument(
                "subtag", .code,
                "AfterShip's subtag: Exception_003 (refused) raises delivery_refused, Exception_010/011 (back to the "
                    + "sender) returning_to_sender, Exception_013 (lost) parcel_lost"),
        ],
        result: ["carrier", "tracking_no", "status", "duplicate", "matched", "order_id", "shipment", "shipment_state"]
    ) { ctx, f in
        let carrier = try f.requiredCode("carrier")
        let trackingNo = try f.requiredCode("tracking_no")
        let statusName = try f.requiredCode("status")
        guard let status = TrackingStatus(name: statusName) else {
            throw OrderCoreError.invalid(
                "status must be one of \(TrackingStatus.allCases.map(\.rawValue).joined(separator: ", ")) "
                    + "(or an AfterShip tag such as InTransit), not '\(statusName)'", field: "status")
        }
        let time = try f.time("time", assumingUTC: true) ?? ctx.at
        let message = try f.text("message", maxLength: 1_000) ?? ""
        let location = try f.text("location", maxLength: 200)
        let subtag = try f.code("subtag")
        try f.finish()

        let found = try ctx.store.shipment(carrier: carrier, trackingNo: trackingNo)
        let stored = try ctx.store.insertTrackingEvent(
            carrier: carrier, trackingNo: trackingNo, shipmentRowID: found?.rowID, status: status,
            time: time, message: message, location: location, at: ctx.at)
        var result: JSONObject = [
            "carrier": .string(carrier), "tracking_no": .string(trackingNo), "status": .string(status.rawValue),
            "duplicate": .bool(!stored),
        ]
        guard let found else {
            // Kept, and reported: an event for a parcel no shipment knows is a problem someone must see.
            if stored {
                try ctx.store.openAlert(
                    kind: "unknown_tracking", ref: "\(carrier):\(trackingNo)", at: ctx.at,
                    details: [
                        "carrier": .string(carrier), "tracking_no": .string(trackingNo),
                        "status": .string(status.rawValue),
                    ])
            }
            result["matched"] = false
            return .object(result)
        }
        guard var order = try ctx.store.order(rowID: found.orderRowID) else {
            throw OrderCoreError(.internal, "shipment without order")
        }
        result["matched"] = true
        result["order_id"] = .string(order.orderID)
        result["shipment"] = .int(found.shipment.seq)
        guard stored else { return .object(result) }

        let current = TrackingStatus(name: found.shipment.state)
        let moves = current.map { status.rank > $0.rank } ?? true
        if found.shipment.state != "delivered" {
            if status == .delivered {
                try ctx.deliver(
                    &order, shipments: [found.shipment], command: "tracking.event",
                    details: ["tracking_no": .string(trackingNo)],
                    deliveredAt: time)
                for kind in TrackingStatus.parcelAlerts {
                    try ctx.store.clearOrderAlerts(kind: kind, orderID: order.orderID, at: ctx.at)
                }
            } else {
                try ctx.store.setTracking(
                    shipmentRowID: found.rowID, state: moves ? status.rawValue : found.shipment.state,
                    pickedUpAt: status.pickedUp ? time : nil, eventAt: time)
                if status.pickedUp {
                    try ctx.store.clearOrderAlerts(kind: "no_pickup", orderID: order.orderID, at: ctx.at)
                }
            }
        }
        // Refused, undeliverable or lost: the parcel will not reach the buyer, nor a cash-on-delivery order be paid.
        if let kind = status.alert(subtag: subtag), found.shipment.state != "delivered" {
            try ctx.store.openAlert(
                kind: kind, orderID: order.orderID, at: ctx.at,
                details: [
                    "carrier": .string(carrier), "tracking_no": .string(trackingNo), "message": .string(message),
                    "time": .string(Timestamp.format(time)), "location": .optional(location),
                    "subtag": .optional(subtag),
                ])
        }
        let after = try ctx.store.shipment(carrier: carrier, trackingNo: trackingNo)
        result["shipment_state"] = .optional(after?.shipment.state)
        result["order_state"] = .string(order.state.rawValue)
        return .object(result)
    }

    static let get = Command(
        "tracking.get", .read, "Show the tracking events of a parcel (carrier, tracking_no)",
        arguments: [
            .key("carrier"),
            .key("tracking_no"),
        ],
        result: ["carrier", "tracking_no", "order_id", "shipment_state", "events"]
    ) { ctx, f in
        let carrier = try f.requiredCode("carrier")
        let trackingNo = try f.requiredCode("tracking_no")
        try f.finish()
        let found = try ctx.store.shipment(carrier: carrier, trackingNo: trackingNo)
        var order: String?
        if let found { order = try ctx.store.order(rowID: found.orderRowID)?.orderID }
        return [
            "carrier": .string(carrier), "tracking_no": .string(trackingNo), "order_id": .optional(order),
            "shipment_state": .optional(found?.shipment.state),
            "events": .array(try ctx.store.trackingEvents(carrier: carrier, trackingNo: trackingNo)),
        ]
    }
}
