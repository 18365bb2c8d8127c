@testable import OrderCore
import Testing

struct AllocationTests {
    /// SH (priority 1) serves Shanghai, BJ (priority 2) serves Beijing, GZ (priority 3) serves nobody.
    func engine(sh: Int64 = 10, bj: Int64 = 10, gz: Int64 = 0) throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": sh, "BJ": bj])
        try engine.ok("warehouse.upsert", ["warehouse": "SH", "serves": ["Shanghai"], "distances": ["Beijing": 1200, "Sichuan": 1900]])
        try engine.ok("warehouse.upsert", ["warehouse": "BJ", "serves": ["Beijing"], "distances": ["Shanghai": 1200, "Sichuan": 1800]])
        try engine.ok("warehouse.upsert", ["warehouse": "GZ", "priority": 3, "distances": ["Sichuan": 1300]])
        if gz > 0 { try engine.ok("stock.receive", ["sku": "A1", "warehouse": "GZ", "qty": .int(gz)]) }
        return engine
    }

    func paidOrder(_ engine: Engine, qty: Int64, region: String) throws -> JSON {
        var args = orderArgs([("A1", qty, "1.00")])
        args["ship_to"] = ["region": .string(region)]
        let id = try engine.ok("order.create", args)["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id])
        return id
    }

    func holds(_ doc: JSON) -> [JSON] {
        doc["lines"]?.arrayValue?.first?["reservations"]?.arrayValue?.filter { $0["state"] == "active" }.map { $0["warehouse"] ?? .null } ?? []
    }

    @Test func aWarehouseServingTheRegionWithEveryUnitShipsAndTheHoldMovesThere() throws {
        let engine = try engine()
        let id = try paidOrder(engine, qty: 3, region: "Beijing")
        #expect(holds(try engine.ok("order.get", ["order_id": id])) == ["SH"])  // reserved by priority at checkout
        let allocated = try engine.ok("order.allocate", ["order_id": id])
        #expect(allocated["state"] == "allocated" && allocated["allocation"]?["decision"] == "single")
        #expect(allocated["allocation"]?["reason"]?.stringValue?.contains("BJ serves the ship-to region") == true)
        #expect(holds(allocated) == ["BJ"] && allocated["lines"]?.arrayValue?.first?["allocated"] == 3)
        #expect(try engine.ok("stock.get", ["sku": "A1", "warehouse": "SH"])["reserved"] == 0)
        #expect(try engine.ok("stock.get", ["sku": "A1", "warehouse": "BJ"])["reserved"] == 3)
        #expect(try engine.ok("stock.verify")["ok"] == true)
        #expect(engine.fails("order.allocate", ["order_id": id]) == .conflict)
    }

    @Test func aShortLocalWarehouseMeansASplitAndATransferProposal() throws {
        let engine = try engine(sh: 10, bj: 1)
        let id = try paidOrder(engine, qty: 3, region: "Beijing")
        let allocation = try engine.ok("order.allocate", ["order_id": id])["allocation"]
        #expect(allocation?["decision"] == "split")
        #expect(allocation?["allocations"] == [["line_no": 1, "sku": "A1", "warehouse": "BJ", "qty": 1],
                                               ["line_no": 1, "sku": "A1", "warehouse": "SH", "qty": 2]])
        let move = allocation?["transfer_proposal"]?.arrayValue
        #expect(move?.count == 1 && move?.first?["sku"] == "A1" && move?.first?["qty"] == 2)
        #expect(move?.first?["from"] == "SH" && move?.first?["to"] == "BJ")
        #expect(move?.first?["distance_km"] == .null && move?.first?["lead_days"] == 1)  // no coordinates: T+1
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func withoutALocalWarehouseTheNearestWithEveryUnitShips() throws {
        let engine = try engine(sh: 5, bj: 5, gz: 5)
        let id = try paidOrder(engine, qty: 4, region: "Sichuan")
        let allocation = try engine.ok("order.allocate", ["order_id": id])["allocation"]
        #expect(allocation?["decision"] == "single" && allocation?["allocations"]?.arrayValue?.first?["warehouse"] == "GZ")
    }

    @Test func missingUnitsMeanABackorderWithAnAlertUntilTheStockIsBack() throws {
        let engine = try engine(sh: 3, bj: 0)
        let id = try paidOrder(engine, qty: 3, region: "Shanghai")
        try engine.ok("stock.count", ["warehouse": "SH", "counts": [["sku": "A1", "qty": 1]]])  // two went missing
        let backordered = try engine.ok("order.allocate", ["order_id": id])
        #expect(backordered["state"] == "paid" && backordered["allocation"]?["decision"] == "backorder")
        #expect(backordered["allocation"]?["short"] == [["sku": "A1", "qty": 2]])
        #expect(backordered["allocation"]?["urgent_purchase"] == [["sku": "A1", "qty": 2]])
        let alert = try engine.ok("stock.alerts")["alerts"]?.arrayValue?.first { $0["kind"] == "backorder" }
        #expect(alert?["order_id"] == id)
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 5])
        #expect(try engine.ok("order.allocate", ["order_id": id])["state"] == "allocated")
        #expect(try engine.ok("stock.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "backorder" } == false)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    /// Shanghai–Beijing is about 1,067 km: beyond the 200 km transfer radius, so the missing units come from
    /// Tianjin (about 114 km), which takes 2 days to Beijing (transfers.lead_days), not from Shanghai.
    @Test func transfersComeFromWithinTheRadiusWithTheirLeadTime() throws {
        let engine = try engine(sh: 10, bj: 1)
        try engine.ok("warehouse.upsert", ["warehouse": "SH", "latitude": "31.2304", "longitude": "121.4737"])
        let bj = try engine.ok("warehouse.upsert", ["warehouse": "BJ", "latitude": .number("39.9042"), "longitude": "116.4074"])
        #expect(bj["latitude"] == JSON.number("39.904200") && bj["longitude"] == JSON.number("116.407400"))
        try engine.ok("warehouse.upsert", ["warehouse": "TJ", "priority": 4, "latitude": "39.3434", "longitude": "117.3616"])
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "TJ", "qty": 1])
        try engine.ok("config.set", ["key": "transfers.lead_days", "value": ["TJ>BJ": 2]])
        let id = try paidOrder(engine, qty: 3, region: "Beijing")
        let allocation = try engine.ok("order.allocate", ["order_id": id, "at": "2026-08-01T10:00:00Z"])["allocation"]
        let moves = allocation?["transfer_proposal"]?.arrayValue ?? []
        #expect(moves.count == 1 && moves.first?["from"] == "TJ" && moves.first?["qty"] == 1)
        #expect(moves.first?["lead_days"] == 2 && moves.first?["expected_at"] == "2026-08-03T10:00:00Z")
        #expect((100...130).contains(moves.first?["distance_km"]?.intValue ?? 0))
        #expect(engine.fails("warehouse.upsert", ["warehouse": "TJ", "latitude": "95"]) == .invalidInput)  // no longitude
        #expect(engine.fails("warehouse.upsert", ["warehouse": "TJ", "latitude": "95", "longitude": "1"]) == .invalidInput)
        #expect(engine.fails("config.set", ["key": "transfers.lead_days", "value": ["TJ": 2]]) == .invalidInput)
    }

    @Test func distancesOnTheGlobe() {
        let shanghai = Allocator.Location(latitude: 31_230_400, longitude: 121_473_700)
        let beijing = Allocator.Location(latitude: 39_904_200, longitude: 116_407_400)
        #expect((1_060...1_075).contains(shanghai.kilometres(to: beijing)))
        #expect(shanghai.kilometres(to: shanghai) == 0)
    }

    @Test func onlyPaidOrdersAreAllocatedAndAllocatedOrdersCanStillBeCancelled() throws {
        let engine = try engine()
        let unpaid = try engine.ok("order.create", orderArgs([("A1", 1, "1.00")]))["order_id"] ?? nil
        #expect(engine.fails("order.allocate", ["order_id": unpaid]) == .conflict)
        let id = try paidOrder(engine, qty: 2, region: "Shanghai")
        try engine.ok("order.allocate", ["order_id": id])
        #expect(try engine.ok("order.cancel", ["order_id": id])["refund_due"] == "2.00")
        #expect(try engine.available("A1") == 19)
    }

    @Test func regionsAndDistancesAreValidated() throws {
        let engine = try engine()
        #expect(engine.fails("warehouse.upsert", ["warehouse": "SH", "distances": ["Beijing": -1]]) == .invalidInput)
        #expect(engine.fails("warehouse.upsert", ["warehouse": "SH", "serves": "Beijing"]) == .invalidInput)
        let sh = try engine.ok("warehouse.upsert", ["warehouse": "SH", "serves": ["Shanghai", "Jiangsu"]])
        #expect(sh["serves"] == ["Jiangsu", "Shanghai"] && sh["distances"] == ["Beijing": 1200, "Sichuan": 1900])
    }

    @Test func theAllocatorPrefersLocalThenNearest() {
        let sites = [Allocator.Site(warehouse: "A", priority: 1, local: false, distance: 900, capacity: ["X": 5]),
                     Allocator.Site(warehouse: "B", priority: 2, local: false, distance: 100, capacity: ["X": 5]),
                     Allocator.Site(warehouse: "C", priority: 3, local: false, distance: nil, capacity: ["X": 5])]
        #expect(Allocator.plan([(1, "X", 5)], sites: sites).takes.map(\.warehouse) == ["B"])
        #expect(Allocator.plan([(1, "X", 16)], sites: sites).decision == .backorder)
        #expect(Allocator.plan([(1, "X", 12)], sites: sites).decision == .split)
        #expect(Allocator.plan([(1, "X", 8)], sites: sites).takes.map(\.warehouse) == ["B", "A"])
    }
}
