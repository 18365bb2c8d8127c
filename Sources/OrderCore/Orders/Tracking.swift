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

    /// The status `name` names (a field's value), else a clear error.
    init(named name: String, field: String) throws(OrderCoreError) {
        guard let status = TrackingStatus(name: name) else {
            throw .invalid(
                "\(field) must be one of \(TrackingStatus.allCases.map(\.rawValue).joined(separator: ", ")) "
                    + "(or an AfterShip tag such as InTransit), not '\(name)'", field: field)
        }
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
        "channel_parcel_cancelled",
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
    static let all = [event, ingest, get]

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
        let report = try TrackingReport(f, at: ctx.at)
        try f.finish()
        return .object(try ctx.take(report))
    }

    static let ingest = Command(
        "tracking.ingest", .write,
        "Apply AfterShip trackings (a webhook, a GET or list response: payload) checkpoint by checkpoint, each as "
            + "tracking.event; repeats apply once",
        arguments: [
            Argument(
                "payload", .json,
                "AfterShip's JSON: {\"msg\": tracking} (webhook), {\"data\": {\"tracking\"}}, "
                    + "{\"data\": {\"trackings\": [...]}} or a tracking",
                required: true, positional: true)
        ],
        result: ["trackings"]
    ) { ctx, f in
        guard let payload = f.value("payload") else {
            throw OrderCoreError.invalid("payload is required: AfterShip's JSON", field: "payload")
        }
        try f.finish()
        let document: JSON
        if case .string(let text) = payload {
            do throws(OrderCoreError) { document = try JSONParser.parse(text) } catch {
                throw OrderCoreError.invalid("payload is not JSON: \(error.message)", field: "payload")
            }
        } else {
            document = payload
        }
        let trackings = AfterShip.trackings(in: document)
        guard !trackings.isEmpty else {
            throw OrderCoreError.invalid(
                "payload has no AfterShip tracking (an object with slug and tracking_number)", field: "payload")
        }
        var results: [JSON] = []
        for (i, tracking) in trackings.enumerated() {
            var outcome: JSONObject = [:]
            var applied = 0
            var duplicates = 0
            for (j, event) in AfterShip.events(of: tracking).enumerated() {
                let f = Fields(event, path: "payload.trackings[\(i)].checkpoints[\(j)]")
                let report = try TrackingReport(f, at: ctx.at)
                try f.finish()
                outcome = try ctx.take(report)
                if outcome["duplicate"] == true { duplicates += 1 } else { applied += 1 }
            }
            outcome["applied"] = .int(Int64(applied))
            outcome["duplicates"] = .int(Int64(duplicates))
            for key in ["status", "duplicate"] { outcome[key] = nil }
            outcome["carrier"] = tracking["slug"] ?? .null
            outcome["tracking_no"] = tracking["tracking_number"] ?? .null
            results.append(.object(outcome))
        }
        return ["trackings": .array(results)]
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
            "events": .array(
                try ctx.store.trackingEvents(carrier: found?.shipment.carrier ?? carrier, trackingNo: trackingNo)),
        ]
    }
}

/// One carrier event about a parcel, as `tracking.event` takes it and keeps it.
struct TrackingReport {
    var carrier: String
    var trackingNo: String
    var status: TrackingStatus
    var time: Int64
    var message: String
    var location: String?
    var subtag: String?
}

extension TrackingReport {
    /// `tracking.event`'s arguments; a time without a zone is UTC (carrier feeds send local times without one),
    /// none is `at`.
    init(_ f: Fields, at: Int64) throws(OrderCoreError) {
        carrier = try f.requiredCode("carrier")
        trackingNo = try f.requiredCode("tracking_no")
        status = try TrackingStatus(named: try f.requiredCode("status"), field: f.name("status"))
        time = try f.time("time", assumingUTC: true) ?? at
        message = try f.text("message", maxLength: 1_000) ?? ""
        location = try f.text("location", maxLength: 200)
        subtag = try f.code("subtag")
    }
}

/// AfterShip's JSON: its trackings, and each one's checkpoints as `tracking.event` arguments.
enum AfterShip {
    /// The trackings of a webhook (`msg`), a GET (`data.tracking`) or list (`data.trackings`) response, or a
    /// tracking itself: each an object with a `slug` and a `tracking_number`.
    static func trackings(in document: JSON) -> [JSONObject] {
        let candidates: [JSON?] = [
            document["msg"], document["data"]?["tracking"], document["data"]?["trackings"], document["tracking"],
            document["trackings"], document,
        ]
        for candidate in candidates.compactMap({ $0 }) {
            let objects = (candidate.arrayValue ?? [candidate]).compactMap(\.objectValue)
            let trackings = objects.filter {
                $0["slug"]?.stringValue != nil && $0["tracking_number"]?.stringValue != nil
            }
            if !trackings.isEmpty { return trackings }
        }
        return []
    }

    /// A tracking's checkpoints as `tracking.event` arguments (`tag`, `subtag`, `checkpoint_time`, `message`,
    /// the `city` or `location`), and, for a tracking AfterShip gave up on (`Expired`: no news for 30 days), that
    /// too, at its `updated_at`.
    static func events(of tracking: JSONObject) -> [JSONObject] {
        let base: JSONObject = [
            "carrier": tracking["slug"] ?? .null, "tracking_no": tracking["tracking_number"] ?? .null,
        ]
        var events: [JSONObject] = (tracking["checkpoints"]?.arrayValue ?? []).compactMap { checkpoint in
            guard let c = checkpoint.objectValue else { return nil }
            var event = base
            event["status"] = c["tag"] ?? .null
            for (key, from) in [("subtag", "subtag"), ("time", "checkpoint_time"), ("message", "message")] {
                if let value = c[from], value != .null, value != "" { event[key] = value }
            }
            if let place = [c["city"], c["location"]].compactMap({ $0?.stringValue }).first(where: { !$0.isEmpty }) {
                event["location"] = .string(place)
            }
            return event
        }
        if tracking["tag"] == "Expired" {
            var event = base
            event["status"] = "Expired"
            event["time"] = tracking["updated_at"] ?? .null
            event["message"] = "AfterShip: no news from the carrier for 30 days"
            events.append(event)
        }
        return events
    }
}

extension CommandContext {
    /// Keeps a carrier's event and applies it to the shipment with its number, once (the same event again is a
    /// duplicate). One no shipment has is kept and reported (`unknown_tracking`), and applied when a shipment takes
    /// the number (`replayTracking`). - Returns: `tracking.event`'s answer.
    func take(_ report: TrackingReport) throws -> JSONObject {
        var report = report
        let found = try store.shipment(carrier: report.carrier, trackingNo: report.trackingNo)
        // Kept under the shipment's carrier, however this source spells it: its events read as one.
        if let found { report.carrier = found.shipment.carrier }
        let (carrier, trackingNo) = (report.carrier, report.trackingNo)
        let stored = try store.insertTrackingEvent(report, shipmentRowID: found?.rowID, at: at)
        var result: JSONObject = [
            "carrier": .string(carrier), "tracking_no": .string(trackingNo), "status": .string(report.status.rawValue),
            "duplicate": .bool(!stored),
        ]
        guard let found else {
            // Kept, and reported: an event for a parcel no shipment knows is a problem someone must see.
            if stored {
                try store.openAlert(
                    kind: "unknown_tracking", ref: "\(carrier):\(trackingNo)", at: at,
                    details: [
                        "carrier": .string(carrier), "tracking_no": .string(trackingNo),
                        "status": .string(report.status.rawValue),
                    ])
            }
            result["matched"] = false
            return result
        }
        guard var order = try store.order(rowID: found.orderRowID) else {
            throw OrderCoreError(.internal, "shipment without order")
        }
        result["matched"] = true
        result["order_id"] = .string(order.orderID)
        result["shipment"] = .int(found.shipment.seq)
        guard stored else { return result }
        try applyTracking(report, to: found, order: &order)
        let after = try store.shipment(carrier: carrier, trackingNo: trackingNo)
        result["shipment_state"] = .optional(after?.shipment.state)
        result["order_state"] = .string(order.state.rawValue)
        return result
    }

    /// Applies a carrier's event to the shipment it is about (`found`, of `order`): the shipment moves forward, never
    /// back (late events arrive out of order); `delivered` delivers it as `order.deliver` does (its timeline step
    /// named `command`); a pickup clears `no_pickup`; a refusal, a parcel going back or lost, an exception or a failed
    /// attempt raises its alert.
    func applyTracking(
        _ report: TrackingReport, to found: (rowID: Int64, orderRowID: Int64, shipment: Shipment), order: inout Order,
        command: String = "tracking.event"
    ) throws {
        let status = report.status
        let current = TrackingStatus(name: found.shipment.state)
        let moves = current.map { status.rank > $0.rank } ?? true
        if found.shipment.state != "delivered" {
            if status == .delivered {
                try deliver(
                    &order, shipments: [found.shipment], command: command,
                    details: ["tracking_no": .string(report.trackingNo)],
                    deliveredAt: report.time)
                for kind in TrackingStatus.parcelAlerts {
                    try store.clearOrderAlerts(kind: kind, orderID: order.orderID, at: at)
                }
            } else {
                try store.setTracking(
                    shipmentRowID: found.rowID, state: moves ? status.rawValue : found.shipment.state,
                    pickedUpAt: status.pickedUp ? report.time : nil, eventAt: report.time)
                if status.pickedUp {
                    try store.clearOrderAlerts(kind: "no_pickup", orderID: order.orderID, at: at)
                    // The carrier has it: it left, whatever the channel cancelled.
                    try store.clearRefAlerts(
                        kind: "channel_parcel_cancelled", ref: "\(found.shipment.carrier):\(found.shipment.trackingNo)",
                        at: at)
                }
            }
        }
        // Refused, undeliverable or lost: the parcel will not reach the buyer, nor a cash-on-delivery order be paid.
        if let kind = status.alert(subtag: report.subtag), found.shipment.state != "delivered" {
            try store.openAlert(
                kind: kind, orderID: order.orderID, at: at,
                details: [
                    "carrier": .string(report.carrier), "tracking_no": .string(report.trackingNo),
                    "message": .string(report.message), "time": .string(Timestamp.format(report.time)),
                    "location": .optional(report.location), "subtag": .optional(report.subtag),
                ])
        }
    }

    /// The events a carrier sent for a tracking number before any shipment had it (its first scans before the
    /// warehouse shipped the parcel, the numbers a channel names after its shipment), applied in time order once
    /// a shipment of `order` takes the number — under the shipment's carrier, or any other spelling of it when no
    /// other shipment has the number, as `take` finds them; the `unknown_tracking` alerts they raised are cleared.
    /// Nothing is read again for a number with none.
    func replayTracking(carrier: String, trackingNo: String, order: inout Order) throws {
        let early = try store.unmatchedTrackingEvents(trackingNo: trackingNo)
        guard !early.isEmpty, let shipment = try store.shipment(carrier: carrier, trackingNo: trackingNo) else {
            return
        }
        var spellings: [String] = []
        for spelling in Set(early.map(\.carrier)).sorted()
        where try store.shipment(carrier: spelling, trackingNo: trackingNo)?.rowID == shipment.rowID {
            try store.linkTrackingEvents(
                carrier: spelling, trackingNo: trackingNo, shipmentRowID: shipment.rowID,
                kept: shipment.shipment.carrier)
            try store.clearRefAlerts(kind: "unknown_tracking", ref: "\(spelling):\(trackingNo)", at: at)
            spellings.append(spelling)
        }
        var applied = Set<String>()
        for var report in early where spellings.contains(report.carrier) {
            report.carrier = shipment.shipment.carrier
            // The same event sent under two spellings is one.
            guard applied.insert("\(report.status.rawValue) \(report.time) \(report.message)").inserted,
                let found = try store.shipment(carrier: report.carrier, trackingNo: trackingNo)
            else { continue }
            try applyTracking(report, to: found, order: &order)
        }
    }
}
