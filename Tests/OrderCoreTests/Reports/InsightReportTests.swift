@testable import OrderCore
import Testing

/// `report.funnel` and `report.regions` on a history whose every figure is worked out by hand below.
struct InsightReportTests {
    /// Five orders placed 1–7 May 2026 (and one in April):
    /// - O1 web, Zhejiang/Hangzhou, 2 × 10.00: paid 1 May 10:00, shipped 16:00 (6 h), delivered.
    /// - O2 web, Zhejiang/Ningbo, 1 × 10.00: paid 2 May 08:00, shipped 3 May 08:00 (24 h).
    /// - O3 web, Jiangsu/Nanjing, 3 × 10.00: paid 2 May 09:00, then cancelled.
    /// - O4 web, Jiangsu/Suzhou, unpaid: expired by the sweep.
    /// - O5 tmall, Shanghai/Shanghai, 1 × 50.00: paid 3 May 10:00, shipped 12:00 (2 h), delivered, returned.
    /// - O0 web, placed 30 April, paid 30 April: outside the period.
    func history() throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 100])
        try engine.ok("channel.upsert", ["channel": "web"])
        try engine.ok("channel.upsert", ["channel": "tmall"])
        try engine.ok("config.set", ["key": "order.unpaid_timeout_minutes", "value": 600])
        func place(_ channel: String, _ qty: Int64, _ price: String, _ region: String, _ city: String, at: String) throws -> JSON {
            let shipTo: JSON = ["country": "CN", "region": .string(region), "city": .string(city)]
            return try engine.ok(
                "order.create",
                orderArgs([("A1", qty, price)], ["channel": .string(channel), "ship_to": shipTo, "at": .string(at)])
            )["order_id"] ?? .null
        }
        func ship(_ id: JSON, units: Int = 1, paid: String, shipped: String, tracking: String) throws {
            let scans = JSON.array([id] + Array(repeating: "A1", count: units))
            try engine.ok("order.pay", ["order_id": id, "at": .string(paid)])
            try engine.ok("order.allocate", ["order_id": id, "at": .string(paid)])
            try engine.ok("order.pack", ["order_id": id, "scans": scans, "weight_g": .int(100 * Int64(units)), "at": .string(shipped)])
            try engine.ok("order.ship", ["order_id": id, "carrier": "sf", "tracking_no": .string(tracking), "at": .string(shipped)])
        }
        let o0 = try place("web", 1, "10.00", "Zhejiang", "Hangzhou", at: "2026-04-30T09:00:00Z")
        try engine.ok("order.pay", ["order_id": o0, "at": "2026-04-30T10:00:00Z"])
        let o1 = try place("web", 2, "10.00", "Zhejiang", "Hangzhou", at: "2026-05-01T09:55:00Z")
        try ship(o1, units: 2, paid: "2026-05-01T10:00:00Z", shipped: "2026-05-01T16:00:00Z", tracking: "SF1")
        try engine.ok("order.deliver", ["order_id": o1, "at": "2026-05-02T10:00:00Z"])
        let o2 = try place("web", 1, "10.00", "Zhejiang", "Ningbo", at: "2026-05-02T07:55:00Z")
        try ship(o2, paid: "2026-05-02T08:00:00Z", shipped: "2026-05-03T08:00:00Z", tracking: "SF2")
        let o3 = try place("web", 3, "10.00", "Jiangsu", "Nanjing", at: "2026-05-02T08:55:00Z")
        try engine.ok("order.pay", ["order_id": o3, "at": "2026-05-02T09:00:00Z"])
        try engine.ok("order.cancel", ["order_id": o3, "at": "2026-05-02T09:30:00Z"])
        _ = try place("web", 1, "10.00", "Jiangsu", "Suzhou", at: "2026-05-04T00:00:00Z")
        try engine.ok("sweep", ["at": "2026-05-05T00:00:00Z"])
        let o5 = try place("tmall", 1, "50.00", "Shanghai", "Shanghai", at: "2026-05-03T09:55:00Z")
        try ship(o5, paid: "2026-05-03T10:00:00Z", shipped: "2026-05-03T12:00:00Z", tracking: "SF5")
        try engine.ok("order.deliver", ["order_id": o5, "at": "2026-05-04T10:00:00Z"])
        let rt = try engine.ok("return.request", ["order_id": o5, "reason": "changed_mind", "lines": [["sku": "A1", "qty": 1]],
                                                  "at": "2026-05-05T10:00:00Z"])
        try engine.ok("return.approve", ["return_id": rt["return_id"] ?? .null, "at": "2026-05-05T11:00:00Z"])
        return engine
    }

    static let may: JSONObject = ["from": "2026-05-01T00:00:00Z", "to": "2026-05-08T00:00:00Z"]

    func stages(_ result: JSON) -> [String] {
        result["stages"]?.arrayValue?.map {
            "\($0["stage"]?.stringValue ?? "") \($0["orders"]?.intValue ?? -1) \($0["rate"]?.stringValue ?? "-")"
        } ?? []
    }

    @Test func theFunnelCountsHowFarThePeriodsOrdersGot() throws {
        let engine = try history()
        let all = try engine.ok("report.funnel", Self.may)
        #expect(stages(all) == ["placed 5 1.0000", "paid 4 0.8000", "shipped 3 0.7500", "delivered 2 0.6667",
                                "cancelled 1 0.2000", "expired 1 0.2000", "returned 1 0.2000"])
        var web = Self.may
        web["channel"] = "web"
        #expect(stages(try engine.ok("report.funnel", web)) == [
            "placed 4 1.0000", "paid 3 0.7500", "shipped 2 0.6667", "delivered 1 0.5000",
            "cancelled 1 0.2500", "expired 1 0.2500", "returned 0 0.0000",
        ])
        let empty = try engine.ok("report.funnel", ["from": "2020-01-01T00:00:00Z", "to": "2020-02-01T00:00:00Z"])
        #expect(stages(empty).first == "placed 0 -")
        #expect(engine.fails("report.funnel", ["from": "2026-05-08T00:00:00Z", "to": "2026-05-01T00:00:00Z"]) == .invalidInput)
    }

    func rows(_ result: JSON) -> [String] {
        result["rows"]?.arrayValue?.map { r in
            ["region", "orders", "gmv", "units", "avg_ship_hours"].map { key in
                switch r[key] {
                case .string(let s)?: s
                case .number(let n)?: n
                default: "-"
                }
            }.joined(separator: " ")
        } ?? []
    }

    @Test func regionsGroupThePeriodsPaidOrdersByShipTo() throws {
        let engine = try history()
        #expect(rows(try engine.ok("report.regions", Self.may)) == [
            "Zhejiang 2 30.00 3 15.0", "Jiangsu 1 30.00 3 -", "Shanghai 1 50.00 1 2.0",
        ])
        var cities = Self.may
        cities["level"] = "city"
        #expect(rows(try engine.ok("report.regions", cities)) == [
            "Hangzhou 1 20.00 2 6.0", "Nanjing 1 30.00 3 -", "Ningbo 1 10.00 1 24.0", "Shanghai 1 50.00 1 2.0",
        ])
        cities["level"] = "country"
        cities["channel"] = "web"
        #expect(rows(try engine.ok("report.regions", cities)) == ["CN 3 60.00 6 15.0"])
        cities["level"] = "planet"
        #expect(engine.fails("report.regions", cities) == .invalidInput)
    }

    /// alice picks O1 and O2 (9:10, 9:20) and packs them (O1's 2 units at 9:30, O2's 1 at 10:05); bob picks
    /// O3 (9:00), fails its pack check once (9:15), packs it (9:20, 1 unit) and picks O4 (11:00).
    /// Both handled 2 orders in 2 clock hours (1.0 an hour); alice has no failure, bob 1 in 2 packs (0.5000).
    @Test func pickersAreRankedByOrdersPerHourThenErrors() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 100])
        try engine.ok("sku.upsert", ["sku": "A1", "barcode": "690001"])
        try engine.ok("config.set", ["key": "order.unpaid_timeout_minutes", "value": 600])
        for (actor, role) in [("boss", "admin"), ("alice", "operator"), ("bob", "operator")] {
            try engine.ok("actor.upsert", ["actor_id": .string(actor), "role": .string(role)])
        }
        var ids: [JSON] = []
        for qty: Int64 in [2, 1, 1, 1] {
            let id = try engine.ok("order.create", orderArgs([("A1", qty, "5.00")], ["at": "2026-06-01T08:00:00Z"]))["order_id"] ?? .null
            try engine.ok("order.pay", ["order_id": id, "at": "2026-06-01T08:05:00Z"])
            try engine.ok("order.allocate", ["order_id": id, "at": "2026-06-01T08:10:00Z"])
            ids.append(id)
        }
        func work(_ op: String, _ actor: String, _ id: JSON, _ at: String, _ extra: JSONObject = [:]) -> Result<JSON, OrderCoreError> {
            var args = extra
            args["order_id"] = id
            args["actor"] = .string(actor)
            args["at"] = .string(at)
            return engine.run(op, args)
        }
        func pack(_ id: JSON, _ units: Int) -> JSONObject {
            ["scans": .array([id] + Array(repeating: "690001", count: units)), "weight_g": .int(Int64(100 * units))]
        }
        _ = try work("order.pick", "alice", ids[0], "2026-06-01T09:10:00Z").get()
        _ = try work("order.pick", "alice", ids[1], "2026-06-01T09:20:00Z").get()
        _ = try work("order.pack", "alice", ids[0], "2026-06-01T09:30:00Z", pack(ids[0], 2)).get()
        _ = try work("order.pack", "alice", ids[1], "2026-06-01T10:05:00Z", pack(ids[1], 1)).get()
        _ = try work("order.pick", "bob", ids[2], "2026-06-01T09:00:00Z").get()
        var wrong = pack(ids[2], 1)
        wrong["scans"] = [ids[2], "999999"]
        #expect(throws: OrderCoreError.self) { try work("order.pack", "bob", ids[2], "2026-06-01T09:15:00Z", wrong).get() }
        _ = try work("order.pack", "bob", ids[2], "2026-06-01T09:20:00Z", pack(ids[2], 1)).get()
        _ = try work("order.pick", "bob", ids[3], "2026-06-01T11:00:00Z").get()

        let report = try engine.ok("report.pickers", ["from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z"])
        let lines = report["rows"]?.arrayValue?.map { r in
            ["actor", "orders_picked", "orders_packed", "units", "pack_failures", "error_rate", "active_hours", "orders_per_hour"]
                .map { key -> String in
                    switch r[key] {
                    case .string(let s)?: s
                    case .number(let n)?: n
                    default: "-"
                    }
                }.joined(separator: " ")
        }
        #expect(lines == ["alice 2 2 3 0 0.0000 2 1.0", "bob 2 1 1 1 0.5000 2 1.0"])
        let later = try engine.ok("report.pickers", ["from": "2026-06-02T00:00:00Z", "to": "2026-06-03T00:00:00Z"])
        #expect(later["rows"] == [])
    }

    /// Five paid orders: {A1,B2}, {A1,B2,C3}, {A1,C3}, {B2}, {A1,B2 (two lines)}. A1-B2 is in 3 (support 3/5,
    /// confidence 3 of A1's 4 = 0.75, lift 3·5/(4·4) = 0.9375), A1-C3 in 2 (0.4, 2/4, 2·5/(4·2) = 1.25),
    /// B2-C3 in 1 (under min_orders 2). An unpaid order with A1 and C3 does not count.
    @Test func basketPairsWithSupportConfidenceAndLift() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 100], b2: ["SH": 100])
        try engine.ok("sku.upsert", ["sku": "C3", "name": "Cup"])
        try engine.ok("stock.receive", ["sku": "C3", "warehouse": "SH", "qty": 100])
        let baskets: [[String]] = [["A1", "B2"], ["A1", "B2", "C3"], ["A1", "C3"], ["B2"], ["A1", "B2", "A1"]]
        for skus in baskets {
            let id = try engine.ok("order.create", orderArgs(skus.map { ($0, 1, "1.00") }))["order_id"] ?? .null
            try engine.ok("order.pay", ["order_id": id])
        }
        try engine.ok("order.create", orderArgs([("A1", 1, "1.00"), ("C3", 1, "1.00")]))
        let report = try engine.ok("report.basket", [:])
        #expect(report["orders"] == 5)
        let pairs = report["pairs"]?.arrayValue?.map { p in
            ["a", "b", "orders", "support", "confidence", "lift"].map { key -> String in
                switch p[key] {
                case .string(let s)?: s
                case .number(let n)?: n
                default: "-"
                }
            }.joined(separator: " ")
        }
        #expect(pairs == ["A1 B2 3 0.6000 0.7500 0.9375", "A1 C3 2 0.4000 0.5000 1.2500"])
        #expect(try engine.ok("report.basket", ["min_orders": 1, "limit": 5])["pairs"]?.arrayValue?.count == 3)
    }
}

/// `report.intake`: per channel, events, dead letters, payload sizes and fields that came or went.
struct IntakeReportTests {
    @Test func newAndMissingFieldsAreFoundAgainstThePeriodBefore() throws {
        let engine = try Engine(test: ":memory:")
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "shopify"])
        func ingest(_ payload: JSON, at: String) {
            _ = engine.run("intake.ingest", ["channel": "shop", "payload": payload, "at": .string(at)])
        }
        // 1–7 June: the payloads carry a note. 8–14 June: no note, a new nested gift object.
        ingest(["order": ["id": 1, "note": "x"]], at: "2026-06-02T10:00:00Z")
        ingest(["order": ["id": 2, "note": "y"]], at: "2026-06-03T10:00:00Z")
        ingest(["order": ["id": 3, "gift": ["wrap": true]]], at: "2026-06-09T10:00:00Z")
        ingest(["order": ["id": 4, "gift": ["wrap": false]], "extra": [["k": 1]]], at: "2026-06-10T10:00:00Z")
        let report = try engine.ok("report.intake", ["from": "2026-06-08T00:00:00Z", "to": "2026-06-15T00:00:00Z"])
        let shop = report["channels"]?.arrayValue?.first
        #expect(shop?["channel"] == "shop" && shop?["events"] == 2)
        #expect(shop?["new_fields"] == ["extra", "extra[].k", "order.gift", "order.gift.wrap"])
        #expect(shop?["missing_fields"] == ["order.note"])
        #expect(shop?["last_event_at"] == "2026-06-10T10:00:00Z")
        let dead = shop?["dead_letters"]?.intValue ?? -1
        #expect(shop?["dead_letter_rate"] == .string(["0.0000", "0.5000", "1.0000"][Int(max(0, min(dead, 2)))]))
        // Asked up to now, the drift is also an alert, cleared once the channel's payloads settle.
        try engine.ok("report.intake", ["at": "2026-06-14T12:00:00Z"])
        func driftAlerts() throws -> [JSON] {
            try engine.ok("stock.alerts")["alerts"]?.arrayValue?.filter { $0["kind"] == "channel_drift" } ?? []
        }
        var drift = try driftAlerts()
        #expect(drift.count == 1 && drift.first?["ref"] == "shop")
        #expect(drift.first?["details"]?["missing_fields"] == ["order.note"])
        try engine.ok("report.intake", ["at": "2026-06-14T13:00:00Z"])  // still drifting: no second alert
        #expect(try driftAlerts().count == 1)
        ingest(["order": ["id": 5, "gift": ["wrap": true]], "extra": [["k": 2]]], at: "2026-06-20T10:00:00Z")
        try engine.ok("report.intake", ["at": "2026-06-21T12:00:00Z"])
        drift = try engine.ok("stock.alerts", ["open_only": false])["alerts"]?.arrayValue?.filter { $0["kind"] == "channel_drift" } ?? []
        #expect(drift.count == 1 && drift.first?["cleared_at"] == "2026-06-21T12:00:00Z")
        // The sweep looks once a day, over the last 7 days: the missing note is back in the picture.
        ingest(["order": ["id": 6, "note": "z"]], at: "2026-06-29T10:00:00Z")
        let checks = try engine.ok("sweep", ["at": "2026-06-30T00:10:00Z"])["daily_checks"]
        #expect(checks?["channel_drift_opened"] == 1)
        #expect(try driftAlerts().first?["details"]?["new_fields"] == ["order.note"])
        // The first period has nothing before it: no drift is claimed.
        let first = try engine.ok("report.intake", ["from": "2026-06-01T00:00:00Z", "to": "2026-06-08T00:00:00Z"])
        #expect(first["channels"]?.arrayValue?.first?["new_fields"] == [])
    }

    /// Twenty payloads of 100, 110, ..., 290 bytes: the median (nearest rank) is the 10th, 190; the 95th
    /// percentile the 19th, 280.
    @Test func payloadSizePercentilesByNearestRank() throws {
        let engine = try Engine(test: temporaryDirectory() + "/sizes.db")
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "shopify"])
        for i in (0..<20).shuffled() {
            let filler = String(repeating: "x", count: 100 + 10 * i - 8)
            let payload = "{\"x\":\"\(filler)\"}"
            #expect(payload.utf8.count == 100 + 10 * i)
            _ = engine.run("intake.ingest", ["channel": "shop", "payload": .string(payload), "at": "2026-06-02T10:00:00Z"])
        }
        let sizes = try engine.ok("report.intake", ["at": "2026-06-03T00:00:00Z"])["channels"]?.arrayValue?.first?["payload_bytes"]
        #expect(sizes == ["p50": 190, "p95": 280, "max": 290, "limit": 16_777_216])
    }
}

