@testable import OrderCore
import Testing

struct StuckOrderTests {
    let t0 = "2026-01-18T10:00:00Z"

    @Test func ordersPastTheirStateLimitAreStuckUntilTheyMove() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 10, "BJ": 10])
        let old = try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["at": .string(t0)]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": old, "at": .string(t0)])
        let fresh = try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["at": "2026-01-19T09:00:00Z"]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": fresh, "at": "2026-01-19T09:00:00Z"])
        let later = "2026-01-19T11:00:00Z"  // 25 h after the first payment
        let stuck = try engine.ok("order.list", ["stuck": true, "at": .string(later)])["orders"]?.arrayValue ?? []
        #expect(stuck.map { $0["order_id"] } == [old])
        let report = try engine.ok("report.alerts", ["at": .string(later)])["stuck_orders"]?.arrayValue?.first
        #expect(report?["order_id"] == old && report?["state"] == "paid" && report?["hours"] == "25.0" && report?["limit_hours"] == 24)
        #expect(report?["since"] == .string(t0))
        try engine.ok("order.allocate", ["order_id": old, "at": .string(later)])
        #expect(try engine.ok("order.list", ["stuck": true, "at": .string(later)])["orders"] == [])
        try engine.ok("config.set", ["key": "fulfillment.state_limit_hours", "value": ["allocated": 1]])
        #expect(try engine.ok("order.list", ["stuck": true, "at": "2026-01-19T12:30:00Z"])["orders"]?.arrayValue?.count == 1)
        #expect(engine.fails("config.set", ["key": "fulfillment.state_limit_hours", "value": ["lost": 1]]) == .invalidInput)
        #expect(engine.fails("config.set", ["key": "fulfillment.state_limit_hours", "value": ["paid": 0]]) == .invalidInput)
    }

    @Test func listFiltersByWarehouseAndAge() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 1, "BJ": 5])
        let sh = try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["at": .string(t0)]))["order_id"] ?? nil
        let bj = try engine.ok("order.create", orderArgs([("A1", 2, "1.00")], ["at": "2026-01-18T12:00:00Z"]))["order_id"] ?? nil
        #expect(try engine.ok("order.list", ["warehouse": "SH", "at": .string(t0)])["orders"]?.arrayValue?.map { $0["order_id"] } == [sh])
        #expect(try engine.ok("order.list", ["warehouse": "BJ", "at": .string(t0)])["orders"]?.arrayValue?.map { $0["order_id"] } == [bj])
        #expect(try engine.ok("order.list", ["placed_before": "2026-01-18T11:00:00Z", "at": .string(t0)])["orders"]?.arrayValue?.count == 1)
    }
}
