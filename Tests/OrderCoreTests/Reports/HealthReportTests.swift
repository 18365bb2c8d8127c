@testable import OrderCore
import Testing

struct HealthReportTests {
    static let period: JSONObject = ["from": "2026-05-01T00:00:00Z", "to": "2026-05-05T00:00:00Z", "at": "2026-05-05T00:00:00Z"]

    /// A four-day history with hand-computed figures (ship within 48 h; A1 lives in SH, B2 in BJ):
    /// - web O1 paid 05-01 00:00, shipped 10 h later; returned on 05-03. web O2 shipped after 24 h.
    /// - app O3 (B2, 200 g) paid 05-01, packed at 500 g (weight hold, overridden), shipped after 60 h: late.
    /// - app O4 (B2) paid 05-02, two failed pack checks (one alone, one in a batch), packed, shipped after 20 h.
    /// - web O5 paid 05-01, allocated 01:00, never shipped: late (96 h) and stuck (allocated > 24 h).
    /// - web O6 paid 05-04 12:00: not due yet, not stuck. web O7 never paid.
    /// - "night-owl" adjusts stock three times at 02:00 (off-hours bulk threshold set to 3).
    func history() throws -> Engine {
        let engine = try Engine(test: temporaryDirectory() + "/health.db")
        try engine.seedCatalog(a1: ["SH": 100], b2: ["BJ": 100])
        try engine.ok("sku.upsert", ["sku": "B2", "barcode": "690002", "weight_g": 200])
        try engine.ok("config.set", ["key": "health.off_hours_changes", "value": 3])
        func at(_ day: Int, _ hour: Int) -> JSON { .string("2026-05-0\(day)T\(hour < 10 ? "0" : "")\(hour):00:00Z") }
        func order(_ channel: String, _ sku: String, paid: (Int, Int)?) throws -> JSON {
            let id = try engine.ok("order.create", orderArgs([(sku, 1, "10.00")], ["channel": .string(channel), "at": at(paid?.0 ?? 4, paid?.1 ?? 0)]))["order_id"] ?? .null
            if let paid { try engine.ok("order.pay", ["order_id": id, "at": at(paid.0, paid.1)]) }
            return id
        }
        func ship(_ id: JSON, _ sku: String, day: Int, hour: Int, weight: Int = 0) throws {
            try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": .string("SF-\(id.stringValue ?? "")"), "at": at(day, hour)])
        }
        func pack(_ id: JSON, _ scan: String, day: Int, hour: Int, weight: Int64 = 0) -> Result<JSON, OrderCoreError> {
            engine.run("order.pack", ["order_id": id, "scans": [id, .string(scan)], "weight_g": .int(weight), "at": at(day, hour)])
        }
        let o1 = try order("web", "A1", paid: (1, 0)), o2 = try order("web", "A1", paid: (1, 0)), o3 = try order("app", "B2", paid: (1, 0))
        let o4 = try order("app", "B2", paid: (2, 0)), o5 = try order("web", "A1", paid: (1, 0)), o6 = try order("web", "A1", paid: (4, 12))
        _ = try order("web", "A1", paid: nil)
        for (id, day) in [(o1, 1), (o2, 1), (o3, 1), (o4, 2)] { try engine.ok("order.allocate", ["order_id": id, "at": at(day, 1)]) }
        try engine.ok("order.allocate", ["order_id": o5, "at": at(1, 1)])
        _ = try pack(o1, "A1", day: 1, hour: 2).get()
        _ = try pack(o2, "A1", day: 1, hour: 2).get()
        #expect(try pack(o3, "690002", day: 1, hour: 2, weight: 500).get()["parcel"]?["weight_check"] == "held")
        try engine.ok("order.override_weight", ["order_id": o3, "parcel": 1, "reason": "bubble wrap", "at": at(3, 11)])
        #expect(pack(o4, "A1", day: 2, hour: 3).failure?.code == .conflict)
        // A malformed request and an illegal transition are not pack verification failures: not counted.
        #expect(engine.fails("order.pack", ["order_id": o4, "scans": [o4], "at": at(2, 3)]) == .invalidInput)
        #expect(engine.fails("order.pack", ["order_id": o6, "scans": [o6, "A1"], "weight_g": 0, "at": at(4, 13)]) == .conflict)
        var batch = #"[{"op":"order.pack","order_id":"\#(o4.stringValue ?? "")","scans":["\#(o4.stringValue ?? "")","690001"],"weight_g":0,"at":"2026-05-02T04:00:00Z"}]"#
        #expect(batch.withUTF8 { engine.executeBatch($0, atomic: false).response }.contains("pack check failed"))
        _ = try pack(o4, "690002", day: 2, hour: 5, weight: 200).get()
        try ship(o1, "A1", day: 1, hour: 10)
        try ship(o2, "A1", day: 2, hour: 0)
        try ship(o3, "B2", day: 3, hour: 12)
        try ship(o4, "B2", day: 2, hour: 20)
        try engine.ok("return.request", ["order_id": o1, "lines": [["sku": "A1", "qty": 1]], "reason": "changed_mind", "at": at(3, 9)])
        for _ in 0..<3 {
            try engine.ok("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": -1, "reason": "count", "actor": "night-owl", "at": at(2, 2)])
        }
        #expect(o6 != .null)
        return engine
    }

    func component(_ report: JSON, _ name: String) -> JSON? {
        report["components"]?.arrayValue?.first { $0["component"]?.stringValue == name }
    }

    @Test func cashOnDeliveryOrdersWaitingForWorkAreBacklog() throws {
        let engine = try history()
        // A checkout waiting for its money is no work yet; a cash-on-delivery order is, paid or not.
        try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], ["at": "2026-05-04T14:00:00Z", "cash_on_delivery": true]))
        try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], ["at": "2026-05-04T14:00:00Z"]))
        let backlog = component(try engine.ok("report.health", Self.period), "backlog")
        #expect(backlog?["details"]?["unprocessed"] == 3, "O5, O6 and the cash-on-delivery order")
    }

    @Test func aCashOnDeliveryOrderIsOnTimeFromWhenItWasPlaced() throws {
        let engine = try history()
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], ["at": "2026-05-02T00:00:00Z", "cash_on_delivery": true]))["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": id, "at": "2026-05-02T01:00:00Z"])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1"], "weight_g": 0, "at": "2026-05-02T02:00:00Z"])
        try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": "SF-COD", "at": "2026-05-02T10:00:00Z"])
        try engine.ok("order.pay", ["order_id": id, "at": "2026-05-03T09:00:00Z"])  // remitted after delivery
        let onTime = component(try engine.ok("report.health", Self.period), "on_time")
        // O1, O2, O4 and the cash-on-delivery order (placed → shipped 10 h, not paid → shipped −23 h) of 6 due.
        #expect(onTime?["value"] == "0.6667" && onTime?["details"]?["due"] == 6)
        #expect(onTime?["details"]?["avg_paid_to_shipped_hours"] == "24.8", "10, 24, 60, 20 and 10 h")
    }

    @Test func everyComponentWithHandComputedValues() throws {
        let report = try history().ok("report.health", Self.period)
        // Backlog: 2 unprocessed (O5, O6) over 4 first shipments in 4 days = 2.0 days → 50.
        #expect(component(report, "backlog")?["value"] == "2.0" && component(report, "backlog")?["score"] == 50)
        #expect(component(report, "backlog")?["details"]?["shipped_per_day"] == "1.0")
        // Stuck: O5 of the 2 orders in limited states → 0.5000 → 0.
        #expect(component(report, "stuck")?["value"] == "0.5000" && component(report, "stuck")?["grade"] == "F")
        // On time: O1, O2, O4 of 5 due (O3 late, O5 late and unshipped; O6 not due) → 0.6000.
        let onTime = component(report, "on_time")
        #expect(onTime?["value"] == "0.6000" && onTime?["score"] == 0)
        // Paid → shipped: 10, 24, 60, 20 h → mean 28.5, p90 (nearest rank) 60.0.
        #expect(onTime?["details"]?["avg_paid_to_shipped_hours"] == "28.5" && onTime?["details"]?["p90_paid_to_shipped_hours"] == "60.0")
        // Pack: 6 attempts (4 parcels, 2 failed scans), failures = 1 weight hold + 2 scan failures → 0.5000.
        let pack = component(report, "pack_failures")
        #expect(pack?["value"] == "0.5000" && pack?["details"]?["scan_failures"] == 2 && pack?["details"]?["weight_holds"] == 1)
        // Returns: 1 of 4 shipped → 0.2500 → 0.
        #expect(component(report, "returns")?["value"] == "0.2500" && component(report, "returns")?["score"] == 0)
        // Consistency: ledger verified, no feed consumers → 100.
        #expect(component(report, "consistency")?["score"] == 100 && component(report, "consistency")?["details"]?["differences"] == 0)
        // Off-hours: night-owl's 3 changes at 02:00 on the night of 05-01 → 1 bulk modification → 50.
        let night = component(report, "off_hours")
        #expect(night?["value"] == 1 && night?["score"] == 50)
        #expect(night?["details"]?["bulk"]?.arrayValue?.first == ["actor": "night-owl", "night_of": "2026-05-01", "changes": 3])
        // (20·50 + 15·0 + 20·0 + 10·0 + 10·0 + 15·100 + 10·50) / 100 = 30 → F.
        #expect(report["score"] == 30 && report["grade"] == "F")
        // The paid → shipped trend per day of payment.
        #expect(report["daily"]?.arrayValue?.map { $0["day"] } == ["2026-05-01", "2026-05-02", "2026-05-04"])
        #expect(report["daily"]?.arrayValue?.first == ["day": "2026-05-01", "paid": 4, "shipped": 3, "avg_paid_to_shipped_hours": "31.3"])
    }

    @Test func perChannelAndWarehouse() throws {
        let report = try history().ok("report.health", Self.period)
        let channels = report["channels"]?.arrayValue ?? []
        #expect(channels.map { $0["channel"] } == ["app", "web"])
        // app: backlog 0 → 100, nothing open (stuck not judged), on time 1 of 2, packs 3 of 4 failed, no returns.
        #expect(channels[0]["backlog_days"] == "0.0" && channels[0]["stuck_rate"] == .null && channels[0]["on_time_rate"] == "0.5000")
        #expect(channels[0]["pack_failure_rate"] == "0.7500" && channels[0]["return_rate"] == "0.0000")
        // (20·100 + 20·0 + 10·0 + 10·100) / 60 = 50.
        #expect(channels[0]["score"] == 50 && channels[0]["grade"] == "F")
        // web: backlog 2·4/2 = 4.0 → 0; stuck 1/2 → 0; on time 2/3 → 0; packs 0/2 → 100; returns 1/2 → 0: 1000/75 = 13.
        #expect(channels[1]["backlog_days"] == "4.0" && channels[1]["on_time_rate"] == "0.6667" && channels[1]["score"] == 13)
        let warehouses = report["warehouses"]?.arrayValue ?? []
        #expect(warehouses.map { $0["warehouse"] } == ["BJ", "SH"])
        // Warehouses add the ledger check (100): BJ (2000 + 1000 + 1500) / 75 = 60, SH 2500 / 90 = 28.
        #expect(warehouses[0]["score"] == 60 && warehouses[0]["grade"] == "D" && warehouses[0]["ledger_differences"] == 0)
        #expect(warehouses[1]["score"] == 28)
    }

    @Test func weightsFeedLagAndBadInput() throws {
        let engine = try history()
        // Only on-time shipping counts: the score is its score.
        try engine.ok("config.set", ["key": "health.weights", "value": ["backlog": 0, "stuck": 0, "pack_failures": 0, "returns": 0,
                                                                         "consistency": 0, "off_hours": 0, "on_time": 1]])
        #expect(try engine.ok("report.health", Self.period)["score"] == 0)
        try engine.ok("config.set", ["key": "health.weights", "value": ["on_time": 0, "backlog": 1, "stuck": 0, "pack_failures": 0,
                                                                         "returns": 0, "consistency": 0, "off_hours": 0]])
        #expect(try engine.ok("report.health", Self.period)["score"] == 50)
        #expect(engine.fails("config.set", ["key": "health.weights", "value": ["speed": 3]]) == .invalidInput)
        #expect(engine.fails("config.set", ["key": "health.weights", "value": ["backlog": 0, "stuck": 0, "on_time": 0, "pack_failures": 0,
                                                                                "returns": 0, "consistency": 0, "off_hours": 0]]) == .invalidInput)
        // A consumer that read nothing since the first event is as far behind as that event is old.
        try engine.ok("events.ack", ["consumer": "erp", "cursor": 0])
        let lagging = try engine.ok("report.health", Self.period)
        let consumer = component(lagging, "consistency")?["details"]?["consumers"]?.arrayValue?.first
        #expect(consumer?["consumer"] == "erp" && (consumer?["lag"]?.intValue ?? 0) > 0)
        #expect(component(lagging, "consistency")?["score"] == 0)   // more than 24 h behind
        // Both show in report.alerts: the lagging consumer, and the night's bulk changes the day after.
        let alerts = try engine.ok("report.alerts", ["at": "2026-05-02T12:00:00Z"])["items"]?.arrayValue ?? []
        let kinds = alerts.map { "\($0["kind"]?.stringValue ?? "") \($0["ref"]?.stringValue ?? "")" }
        #expect(kinds.contains("feed_lag erp") && kinds.contains("off_hours_bulk night-owl"))
        #expect(alerts.first { $0["kind"] == "off_hours_bulk" }?["since"] == "2026-05-01T20:00:00Z")
        #expect(engine.fails("report.health", ["from": "2026-05-05T00:00:00Z", "to": "2026-05-01T00:00:00Z"]) == .invalidInput)
        #expect(engine.fails("report.health", ["verify": "yes"]) == .invalidInput)
        var quickArgs = Self.period
        quickArgs["verify"] = false
        let quick = try engine.ok("report.health", quickArgs)
        #expect(component(quick, "consistency")?["details"]?["differences"] == nil)
        #expect(component(quick, "consistency")?["score"] == 0)   // the lagging consumer is still measured
        let fresh = try Engine(test: ":memory:")
        #expect(component(try fresh.ok("report.health", ["verify": false]), "consistency")?["score"] == .null)
    }

    /// Each day from 1 June, a web order to ZJ is paid at 01:00 and never shipped (late: ship within 1 h),
    /// and an app order to SN ships on time. The sweep keeps each day's scores after the day ends.
    @Test func aComponentBelowGradeCForDaysRaisesHealthDegraded() throws {
        let engine = try Engine(test: temporaryDirectory() + "/degraded.db")
        try engine.seedCatalog(a1: ["SH": 100])
        try engine.ok("config.set", ["key": "fulfillment.ship_within_hours", "value": 1])
        func sweep(_ at: String) throws -> JSON { try engine.ok("sweep", ["at": .string(at)])["daily_checks"] ?? .null }
        func degraded() throws -> [String: JSON] {
            let alerts = try engine.ok("stock.alerts")["alerts"]?.arrayValue ?? []
            return Dictionary(uniqueKeysWithValues: alerts.filter { $0["kind"] == "health_degraded" }.map { ($0["ref"]?.stringValue ?? "", $0) })
        }
        for day in 1...3 {
            let at = { (hour: Int) -> JSON in .string("2026-06-0\(day)T0\(hour):00:00Z") }
            for (channel, region) in [("web", "ZJ"), ("app", "SN")] {
                let id = try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], ["channel": .string(channel), "ship_to": ["country": "CN", "region": .string(region)], "at": at(1)]))["order_id"] ?? .null
                try engine.ok("order.pay", ["order_id": id, "at": at(1)])
                guard channel == "app" else { continue }
                try engine.ok("order.allocate", ["order_id": id, "at": at(1)])
                try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1"], "weight_g": 0, "at": at(2)])
                try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": .string("SF-\(day)"), "at": at(2)])
            }
            let checks = try sweep("2026-06-0\(day + 1)T00:30:00Z")
            #expect(checks["health_degraded_opened"] == (day < 3 ? 0 : .int(Int64(try degraded().count))))
            #expect(try sweep("2026-06-0\(day + 1)T05:00:00Z") == .null)   // once a day
        }
        // Three days below grade C: web's on-time shipping and backlog, where it ships to (ZJ), the warehouse
        // both channels share (SH: 1 of 2 on time), and the whole business. app and SN are fine.
        let open = try degraded()
        for ref in ["channel:web:on_time", "channel:web:backlog", "region:ZJ:on_time", "warehouse:SH:on_time", "overall:on_time"] {
            #expect(open[ref] != nil, "\(ref)")
        }
        #expect(open["channel:app:on_time"] == nil && open["region:SN:on_time"] == nil && open["channel:app:backlog"] == nil)
        #expect(open["channel:web:on_time"]?["details"] == ["scope": "channel", "name": "web", "component": "on_time", "days": 3, "worst_score": 0, "grade": "F"])
        let item = try engine.ok("report.alerts", ["at": "2026-06-04T01:00:00Z"])["items"]?.arrayValue?.first { $0["ref"] == "region:ZJ:on_time" }
        #expect(item?["kind"] == "health_degraded" && item?["severity"] == "warning")
        #expect(item?["resolve"]?.stringValue?.hasPrefix("report.health: region:ZJ:on_time") == true)
        // The health report itself has the ship-to regions beside channels and warehouses.
        let report = try engine.ok("report.health", ["from": "2026-06-01T00:00:00Z", "to": "2026-06-04T00:00:00Z", "verify": false])
        #expect(report["regions"]?.arrayValue?.map { [$0["region"], $0["on_time_rate"]] } == [["SN", "1.0000"], ["ZJ", "0.0000"]])
        // 4 June has no payments: on-time shipping has nothing to judge and its four alerts clear; the web
        // backlog still grows with nothing shipped, so that one stays (and the business's backlog and the
        // web orders paid over 24 h ago, now stuck, have been bad for three days as well).
        let checks = try sweep("2026-06-05T00:30:00Z")
        let after = try degraded()
        #expect(after["channel:web:on_time"] == nil && after["overall:on_time"] == nil && after["channel:web:backlog"] != nil)
        #expect(checks["health_degraded_cleared"] == 4 && after["overall:backlog"] != nil && after["channel:web:stuck"] != nil)
    }
}

