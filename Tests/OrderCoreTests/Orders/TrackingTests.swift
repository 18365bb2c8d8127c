@testable import OrderCore
import Testing

/// Carrier tracking with the real AfterShip samples in ../shared/fixtures/logistics.
@Suite(.enabled(if: fixturesAvailable, "the shared fixtures are not at \(fixturesDirectory); set ORDERCORE_FIXTURES"))
struct TrackingTests {
    /// A shipped order (one A1) with the carrier and tracking number of an AfterShip sample.
    @discardableResult func shippedOrder(_ engine: Engine, carrier: String, trackingNo: String, at: String = "2014-10-29T00:00:00Z") throws -> JSON {
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "9.90")], ["at": .string(at)]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id, "at": .string(at)])
        try engine.ok("order.allocate", ["order_id": id, "at": .string(at)])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1"], "weight_g": 100, "at": .string(at)])
        try engine.ok("order.ship", ["order_id": id, "carrier": .string(carrier), "tracking_no": .string(trackingNo), "at": .string(at)])
        return id
    }

    /// The sample's tracking and its checkpoints as tracking.event arguments.
    func sample(_ file: String) throws -> (carrier: String, trackingNo: String, events: [JSONObject]) {
        let text = try #require(readFixture("logistics/aftership_ollie_after_ship/\(file)"), "cannot read \(file) in \(fixturesDirectory)")
        let tracking = try #require(try JSONParser.parse(text)["data"]?["tracking"])
        let carrier = try #require(tracking["slug"]?.stringValue)
        let number = try #require(tracking["tracking_number"]?.stringValue)
        let events: [JSONObject] = (tracking["checkpoints"]?.arrayValue ?? []).map { c in
            var e: JSONObject = ["carrier": .string(carrier), "tracking_no": .string(number), "status": c["tag"] ?? "InTransit",
                                 "time": c["checkpoint_time"] ?? .null, "message": c["message"] ?? .null]
            if let city = c["city"]?.stringValue { e["location"] = .string(city) }
            return e
        }
        return (carrier, number, events)
    }

    func engine() throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 10])
        return engine
    }

    @Test func aUPSParcelsCheckpointsCarryTheOrderToDeliveredAndRepeatsApplyOnce() throws {
        let engine = try engine()
        let (carrier, number, events) = try sample("v4_delivered.json")
        let id = try shippedOrder(engine, carrier: carrier, trackingNo: number)
        var last: JSON = nil
        for event in events { last = try engine.ok("tracking.event", event) }
        #expect(last["shipment_state"] == "delivered" && last["order_state"] == "delivered")
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "delivered")
        for event in events { #expect(try engine.ok("tracking.event", event)["duplicate"] == true) }
        #expect(try engine.ok("tracking.get", ["carrier": .string(carrier), "tracking_no": .string(number)])["events"]?.arrayValue?.count == events.count)
        let pickedUp = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue?.last?["to"]
        #expect(pickedUp == "delivered")
    }

    /// AfterShip's own JSON taken whole (`tracking.ingest`): a GET response, a webhook (`msg`) and a list page,
    /// checkpoint by checkpoint as `tracking.event` takes them — the same order delivered, each repeat once.
    @Test func afterShipTrackingsAreTakenWhole() throws {
        let engine = try engine()
        let (carrier, number, events) = try sample("v4_delivered.json")
        let id = try shippedOrder(engine, carrier: carrier, trackingNo: number)
        let text = try #require(readFixture("logistics/aftership_ollie_after_ship/v4_delivered.json"))
        let taken = try engine.ok("tracking.ingest", ["payload": .string(text)])["trackings"]?.arrayValue?.first
        #expect(taken?["applied"] == .int(Int64(events.count)) && taken?["duplicates"] == 0, "\(taken?.serialized ?? "")")
        #expect(taken?["order_id"] == id && taken?["order_state"] == "delivered" && taken?["tracking_no"] == .string(number))
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "delivered")
        // The webhook of the same tracking: every checkpoint a repeat.
        let tracking = try #require(try JSONParser.parse(text)["data"]?["tracking"])
        let webhook = try engine.ok("tracking.ingest", ["payload": ["event": "tracking_update", "msg": tracking]])
        #expect(webhook["trackings"]?.arrayValue?.first?["duplicates"] == .int(Int64(events.count)))
        // A list page: each of its trackings (the other parcel here is no shipment's: kept and reported).
        let page = try #require(readFixture("logistics/aftership_ollie_after_ship/v4_trackings.json"))
        let listed = try engine.ok("tracking.ingest", ["payload": .string(page)])["trackings"]?.arrayValue ?? []
        #expect(listed.count == 2 && listed.contains { $0["matched"] == false && $0["applied"] == 21 }, "\(listed)")
        // A tracking with no checkpoint yet applies nothing; what is not AfterShip's is refused whole.
        let created = try #require(readFixture("logistics/aftership_ollie_after_ship/v4_created.json"))
        #expect(try engine.ok("tracking.ingest", ["payload": .string(created)])["trackings"]?.arrayValue?.first?["applied"] == 0)
        for bad: JSON in ["not json", ["data": ["tracking": ["slug": "ups"]]], ["msg": ["slug": "ups", "tracking_number": "1Z",
                                                                                        "checkpoints": [["tag": "Teleported"]]]]] {
            #expect(engine.fails("tracking.ingest", ["payload": bad]) == .invalidInput, "\(bad)")
        }
    }

    @Test func failedAttemptsAndExceptionsRaiseAlertsThatDeliveryClears() throws {
        let engine = try engine()
        let (carrier, number, events) = try sample("v3_delivered_wild.json")
        let id = try shippedOrder(engine, carrier: carrier, trackingNo: number)
        let beforeDelivery = events.filter { $0["status"] != "Delivered" }
        for event in beforeDelivery { try engine.ok("tracking.event", event) }
        let kinds = try engine.ok("stock.alerts")["alerts"]?.arrayValue?.filter { $0["order_id"] == id }.compactMap { $0["kind"]?.stringValue }
        #expect(kinds?.contains("carrier_exception") == true)
        for event in events where event["status"] == "Delivered" { try engine.ok("tracking.event", event) }
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "delivered")
        #expect(try engine.ok("stock.alerts")["alerts"]?.arrayValue?.contains { $0["order_id"] == id } == false)
    }

    @Test func aUSPSParcelStillOnItsWayReportsItsFailedAttempt() throws {
        let engine = try engine()
        let (carrier, number, events) = try sample("v3_in_transit.json")
        let id = try shippedOrder(engine, carrier: carrier, trackingNo: number)
        for event in events { try engine.ok("tracking.event", event) }
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "shipped")
        let kinds = Set(try engine.ok("stock.alerts")["alerts"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? [])
        #expect(kinds.isSuperset(of: ["delivery_failed", "carrier_exception"]))
    }

    @Test func aLateInTransitDoesNotUndoDelivered() throws {
        let engine = try engine()
        let id = try shippedOrder(engine, carrier: "ups", trackingNo: "1Z1")
        try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "1Z1", "status": "delivered", "time": "2014-11-03T09:56:00Z"])
        let late = try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "1Z1", "status": "in_transit", "time": "2014-11-02T09:00:00Z"])
        #expect(late["duplicate"] == false && late["shipment_state"] == "delivered")
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "delivered")
    }

    @Test func anEventForAnUnknownParcelIsKeptAndReported() throws {
        let engine = try engine()
        let kept = try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "NOPE", "status": "InTransit", "time": "2014-11-02T09:00:00"])
        #expect(kept["matched"] == false)
        #expect(try engine.ok("tracking.get", ["carrier": "ups", "tracking_no": "NOPE"])["events"]?.arrayValue?.count == 1)
        let alert = try engine.ok("stock.alerts")["alerts"]?.arrayValue?.first
        #expect(alert?["kind"] == "unknown_tracking" && alert?["ref"] == "ups:NOPE")
        #expect(engine.fails("tracking.event", ["carrier": "ups", "tracking_no": "X", "status": "teleported"]) == .invalidInput)
    }

    /// Scans the carrier sent before the parcel's shipment was recorded (the label scanned, and the parcel even
    /// delivered, before the warehouse said it shipped) apply once it is, in their order: the order is delivered at
    /// the carrier's time, and the `unknown_tracking` alert they raised is cleared. A refusal kept so raises its own
    /// alert (its AfterShip subtag is kept with it).
    @Test func scansBeforeTheShipmentApplyOnceItIsRecorded() throws {
        let engine = try engine()
        for (status, time) in [("delivered", "2014-11-03T10:00:00"), ("InTransit", "2014-11-02T09:00:00")] {
            let early = try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "1ZEARLY", "status": .string(status),
                                                         "time": .string(time)])
            #expect(early["matched"] == false)
        }
        try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "1ZREFUSED", "status": "Exception",
                                         "subtag": "Exception_003", "time": "2014-11-02T09:00:00"])
        let refused = try shippedOrder(engine, carrier: "ups", trackingNo: "1ZREFUSED", at: "2014-11-01T00:00:00Z")
        let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []
        #expect(alerts.contains { $0["kind"] == "delivery_refused" && $0["order_id"] == refused }, "\(alerts)")
        func unknown() throws -> Bool {
            try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "unknown_tracking" } == true
        }
        #expect(try unknown())
        let id = try shippedOrder(engine, carrier: "ups", trackingNo: "1ZEARLY", at: "2014-11-01T00:00:00Z")
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["state"] == "delivered", "\(order.serialized)")
        #expect(order["shipments"]?.arrayValue?.first?["delivered_at"] == "2014-11-03T10:00:00Z")
        #expect(try !unknown())
        #expect(try engine.ok("tracking.get", ["carrier": "ups", "tracking_no": "1ZEARLY"])["order_id"] == id)
        // Applied once: the same scan again is a duplicate.
        let again = try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "1ZEARLY", "status": "delivered",
                                                     "time": "2014-11-03T10:00:00"])
        #expect(again["duplicate"] == true && again["matched"] == true)
    }

    /// A carrier named otherwise than the shipment names it (AfterShip's `ups`, the shipment's `UPS`) finds the parcel
    /// by its number, and its events read under the shipment's name; a number two carriers' shipments share is found
    /// only by the carrier's own name.
    @Test func aParcelIsFoundByItsNumberWhateverTheCarriersSpelling() throws {
        let engine = try engine()
        let id = try shippedOrder(engine, carrier: "UPS", trackingNo: "1ZSPELL")
        let event = try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "1ZSPELL", "status": "InTransit"])
        #expect(event["matched"] == true && event["order_id"] == id && event["carrier"] == "UPS")
        #expect(try engine.ok("tracking.get", ["carrier": "ups", "tracking_no": "1ZSPELL"])["events"]?.arrayValue?.count == 1)
        try shippedOrder(engine, carrier: "DHL", trackingNo: "1ZSPELL")
        #expect(try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "1ZSPELL", "status": "Delivered"])["matched"] == false)
        #expect(try engine.ok("tracking.event", ["carrier": "UPS", "tracking_no": "1ZSPELL", "status": "Delivered"])["order_id"] == id)
    }

    /// Scans kept before the shipment under another spelling of its carrier (AfterShip's `ups`, another source's `Ups`,
    /// the shipment's `UPS`) apply to it once it is recorded, each event once, read under the shipment's
    /// name; a number other shipments share waits for a shipment under the spelling it was kept under.
    @Test func scansBeforeTheShipmentUnderAnotherSpellingApplyOnceItIsRecorded() throws {
        let engine = try engine()
        for carrier in ["ups", "Ups"] {
            try engine.ok("tracking.event", ["carrier": .string(carrier), "tracking_no": "1ZLATE", "status": "Delivered",
                                             "time": "2014-11-03T10:00:00"])
        }
        try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "1ZLATE", "status": "InTransit",
                                         "time": "2014-11-02T09:00:00"])
        let id = try shippedOrder(engine, carrier: "UPS", trackingNo: "1ZLATE", at: "2014-11-01T00:00:00Z")
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["state"] == "delivered" && order["delivered_at"] == "2014-11-03T10:00:00Z", "\(order.serialized)")
        let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []
        #expect(!alerts.contains { $0["kind"] == "unknown_tracking" }, "\(alerts)")
        let events = try engine.ok("tracking.get", ["carrier": "UPS", "tracking_no": "1ZLATE"])["events"]?.arrayValue
        #expect(events?.map { $0["status"] } == ["in_transit", "delivered"], "\(events ?? [])")
        // A number other shipments share: an event kept under another spelling waits for a shipment of its own.
        try shippedOrder(engine, carrier: "DHL", trackingNo: "1ZTWO")
        try shippedOrder(engine, carrier: "UPS", trackingNo: "1ZTWO")
        try engine.ok("tracking.event", ["carrier": "fedex", "tracking_no": "1ZTWO", "status": "Delivered",
                                         "time": "2014-11-05T10:00:00"])
        let spelt = try shippedOrder(engine, carrier: "FedEx", trackingNo: "1ZTWO", at: "2014-11-04T00:00:00Z")
        #expect(try engine.ok("order.get", ["order_id": spelt])["state"] == "shipped")
        let own = try shippedOrder(engine, carrier: "fedex", trackingNo: "1ZTWO", at: "2014-11-04T00:00:00Z")
        #expect(try engine.ok("order.get", ["order_id": own])["state"] == "delivered")
    }

    @Test func noPickupScanWithin48HoursRaisesAnAlertThatThePickupClears() throws {
        let engine = try engine()
        let id = try shippedOrder(engine, carrier: "sf", trackingNo: "SF1", at: "2026-01-18T10:00:00Z")
        #expect(try engine.ok("sweep", ["at": "2026-01-20T09:00:00Z"])["awaiting_pickup"] == 0)
        #expect(try engine.ok("sweep", ["at": "2026-01-20T11:00:00Z"])["awaiting_pickup"] == 1)
        #expect(try engine.ok("stock.alerts")["alerts"]?.arrayValue?.first?["kind"] == "no_pickup")
        try engine.ok("tracking.event", ["carrier": "sf", "tracking_no": "SF1", "status": "picked_up", "time": "2026-01-20T12:00:00Z"])
        #expect(try engine.ok("stock.alerts")["alerts"]?.arrayValue?.contains { $0["order_id"] == id } == false)
        #expect(try engine.ok("sweep", ["at": "2026-01-21T11:00:00Z"])["awaiting_pickup"] == 0)
    }
}

/// Times that need no fixture.
struct TrackingTimeTests {
    /// An engine with one order shipped by SF under `trackingNo` on 2026-01-18, and the order's id.
    func shipped(_ trackingNo: String) throws -> (Engine, JSON) {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 10])
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "9.90")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": id])
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1"], "weight_g": 100])
        try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": .string(trackingNo), "at": "2026-01-18T10:00:00Z"])
        return (engine, id)
    }

    @Test func deliveredAtIsTheCarriersTimeNotWhenOrderCoreHeardOfIt() throws {
        let (engine, id) = try shipped("SF42")
        // The carrier's delivered scan, reported a day late.
        try engine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF42", "status": "Delivered",
                                         "time": "2026-01-19T09:30:00Z", "at": "2026-01-20T12:00:00Z"])
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["state"] == "delivered" && order["delivered_at"] == "2026-01-19T09:30:00Z")
        let step = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue?.last
        #expect(step?["at"] == "2026-01-20T12:00:00Z" && step?["details"]?["delivered_at"] == "2026-01-19T09:30:00Z")
    }

    @Test func anExpiredTrackingIsACarrierExceptionSomeoneMustChase() throws {
        let (engine, id) = try shipped("SF43")
        // AfterShip's tag for a parcel with no news for 30 days.
        let event = try engine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF43", "status": "Expired",
                                                     "time": "2026-02-18T10:00:00Z"])
        #expect(event["status"] == "exception" && event["matched"] == true)
        let alerts = try engine.ok("report.alerts")["items"]?.arrayValue ?? []
        #expect(alerts.contains { $0["kind"] == "carrier_exception" && $0["order_id"] == id })
    }

    /// AfterShip's subtag Exception_003: the buyer refused the parcel. The return that takes it in clears it.
    @Test func aRefusedParcelIsAlertedUntilItsReturnIsOpened() throws {
        let (engine, id) = try shipped("SF44")
        try engine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF44", "status": "Exception",
                                         "subtag": "Exception_003", "message": "Customer refused delivery"])
        func kinds() throws -> [JSON] {
            (try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []).filter { $0["order_id"] == id }.map { $0["kind"] ?? nil }
        }
        #expect(try kinds() == ["delivery_refused"])
        try engine.ok("return.request", ["order_id": id, "reason": "refused_delivery", "lines": [["sku": "A1", "qty": 1]]])
        #expect(try kinds().isEmpty)
    }

    /// The other exceptions a person must act on differently: the parcel going back to the sender
    /// (`Exception_010`, `Exception_011`), cleared by the return that takes it in; and lost (`Exception_013`).
    /// Each says what to do; a delivery clears them, and another subtag is a carrier exception.
    @Test func parcelsGoingBackOrLostSayWhatToDo() throws {
        func kinds(_ engine: Engine, _ id: JSON) throws -> [JSON] {
            (try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []).filter { $0["order_id"] == id }.map { $0["kind"] ?? nil }
        }
        let (engine, id) = try shipped("SF45")
        try engine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF45", "status": "Exception", "subtag": "Exception_010",
                                         "message": "Returning to sender"])
        #expect(try kinds(engine, id) == ["returning_to_sender"])
        let alerts = try engine.ok("report.alerts")["items"]?.arrayValue ?? []
        let guidance = alerts.first(where: { $0["kind"] == "returning_to_sender" })?["resolve"]?.stringValue
        #expect(guidance?.contains("return.request \(id.stringValue ?? "")") == true, "\(alerts)")
        try engine.ok("return.request", ["order_id": id, "reason": "changed_mind", "lines": [["sku": "A1", "qty": 1]]])
        #expect(try kinds(engine, id).isEmpty)

        let (lostEngine, lost) = try shipped("SF46")
        try lostEngine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF46", "status": "Exception", "subtag": "Exception_013",
                                             "time": "2026-01-19T00:00:00Z"])
        try lostEngine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF46", "status": "Exception", "subtag": "Exception_012",
                                             "time": "2026-01-20T00:00:00Z"])
        #expect(Set(try kinds(lostEngine, lost).compactMap(\.stringValue)) == ["parcel_lost", "carrier_exception"])
        try lostEngine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF46", "status": "Delivered", "time": "2026-01-21T00:00:00Z"])
        #expect(try kinds(lostEngine, lost).isEmpty, "found and delivered after all")
    }
}
