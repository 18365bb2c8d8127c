@testable import OrderCore
import Testing

struct WaveTests {
    func engine() throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 20, "BJ": 20], b2: ["SH": 20])
        try engine.ok("stock.locate", ["sku": "A1", "warehouse": "SH", "location": "B-02-01"])
        try engine.ok("stock.locate", ["sku": "B2", "warehouse": "SH", "location": "A-01-03"])
        return engine
    }

    @discardableResult
    func allocated(_ engine: Engine, _ lines: [(String, Int64, String)], _ extra: JSONObject = [:]) throws -> JSON {
        let id = try engine.ok("order.create", orderArgs(lines, extra))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id])
        try engine.ok("order.allocate", ["order_id": id])
        return id
    }

    @Test func aWaveTakesUrgentOrdersFirstAndWalksThePickListByLocation() throws {
        let engine = try engine()
        let normal = try allocated(engine, [("A1", 2, "1.00")], ["placed_at": "2026-01-18T09:00:00Z"])
        let urgent = try allocated(engine, [("A1", 1, "1.00"), ("B2", 3, "1.00")], ["priority": 5, "placed_at": "2026-01-18T10:00:00Z"])
        let wave = try engine.ok("pick.wave", ["warehouse": "SH", "limit": 2])
        #expect(wave["wave_id"] == "WV-000001" && wave["orders"] == 2 && wave["units"] == 6)
        let list = wave["pick_list"]?.arrayValue ?? []
        #expect(list.map { $0["location"] } == ["A-01-03", "B-02-01"] && list.map { $0["qty"] } == [3, 3])
        #expect(list[1]["orders"]?.arrayValue?.map { $0["order_id"] } == [urgent, normal])  // the urgent order first
        #expect(engine.fails("pick.wave", ["warehouse": "SH"]) == .conflict)  // nothing left waiting
        try engine.ok("order.pick", ["order_id": urgent])
        #expect(try engine.ok("pick.wave_get", ["wave_id": "WV-000001"])["units"] == 2)  // what is still to pick
        // Held since it joined (its channel asks not to ship it, a person checks it): off the list until released.
        try engine.ok("order.hold", ["order_id": normal, "reason": "address check"])
        #expect(try engine.ok("pick.wave_get", ["wave_id": "WV-000001"])["units"] == 0)
        try engine.ok("order.release", ["order_id": normal])
        #expect(try engine.ok("pick.wave_get", ["wave_id": "WV-000001"])["units"] == 2)
    }

    @Test func wavesFilterByCarrierAndCutoff() throws {
        let engine = try engine()
        try allocated(engine, [("A1", 1, "1.00")], ["carrier": "SF", "placed_at": "2026-01-18T09:00:00Z"])
        try allocated(engine, [("A1", 1, "1.00")], ["carrier": "YTO", "placed_at": "2026-01-18T09:00:00Z"])
        try allocated(engine, [("A1", 1, "1.00")], ["carrier": "SF", "placed_at": "2026-01-18T15:00:00Z"])
        #expect(try engine.ok("pick.wave", ["warehouse": "SH", "carrier": "SF", "cutoff": "2026-01-18T12:00:00Z"])["orders"] == 1)
        #expect(try engine.ok("pick.wave", ["warehouse": "SH", "carrier": "SF"])["orders"] == 1)
        #expect(try engine.ok("pick.wave", ["warehouse": "SH"])["orders"] == 1)
        #expect(engine.fails("pick.wave", ["warehouse": "XX"]) == .notFound)
        #expect(engine.fails("pick.wave_get", ["wave_id": "WV-404"]) == .notFound)
        #expect(engine.fails("stock.locate", ["sku": "A1", "warehouse": "XX", "location": "A"]) == .notFound)
    }

    /// What a channel left of an order it shipped in part, allocated here, is picked in a wave too.
    @Test func theRestOfAPartlyShippedOrderJoinsAWave() throws {
        let engine = try engine()
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "shopify"])
        let payload: JSON = ["order": ["id": 5, "currency": "USD", "financial_status": "paid", "fulfillment_status": "partial",
                                       "line_items": [["sku": "A1", "quantity": 3, "price": "1.00", "current_quantity": 3,
                                                       "fulfillable_quantity": 2]]]]
        let id = try engine.ok("intake.ingest", ["channel": "shop", "payload": payload])["events"]?.arrayValue?.first?["order_id"]
        #expect(engine.fails("pick.wave", ["warehouse": "SH"]) == .conflict, "not allocated here yet")
        try engine.ok("order.allocate", ["order_id": id ?? .null])
        let wave = try engine.ok("pick.wave", ["warehouse": "SH"])
        #expect(wave["orders"] == 1 && wave["units"] == 2, "\(wave.serialized)")
    }
}
