@testable import OrderCore
import Testing

struct SettingTests {
    @Test func mapSettingsKeepTheMembersAChangeDoesNotName() throws {
        let engine = try Engine(test: ":memory:")
        func limits() throws -> JSON { try engine.ok("config.get", ["key": "fulfillment.state_limit_hours"])["settings"]?.arrayValue?.first?["value"] ?? .null }
        try engine.ok("config.set", ["key": "fulfillment.state_limit_hours", "value": ["paid": "10m"]])
        #expect(try limits()["paid"] == "10m" && limits()["packed"] == 24 && limits()["on_hold"] == 48)
        try engine.ok("config.set", ["key": "fulfillment.state_limit_hours", "value": ["packed": .null, "picking": "90m"]])
        #expect(try limits()["packed"] == nil && limits()["picking"] == "90m" && limits()["paid"] == "10m")
        for bad: JSON in ["10s", "0m", "-3h", 0, "ten minutes", 87_601, "9223372036854775807m", 9_223_372_036_854_775_807] {
            #expect(engine.fails("config.set", ["key": "fulfillment.state_limit_hours", "value": ["paid": bad]]) == .invalidInput)
        }
        try engine.ok("config.set", ["key": "health.weights", "value": ["backlog": 5]])
        try engine.ok("config.set", ["key": "health.weights", "value": ["on_time": 40]])
        let weights = try engine.ok("config.get", ["key": "health.weights"])["settings"]?.arrayValue?.first?["value"]
        #expect(weights?["backlog"] == 5 && weights?["on_time"] == 40)
    }

    @Test func aPaidOrderIsStuckAfterTenMinutesWhenTheLimitSaysSo() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog()
        try engine.ok("config.set", ["key": "fulfillment.state_limit_hours", "value": ["paid": "10m"]])
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "5.00")], ["at": "2026-01-18T10:00:00Z"]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": id, "at": "2026-01-18T10:00:00Z"])
        func stuck(at: String) throws -> Bool {
            try engine.ok("report.alerts", ["at": .string(at)])["stuck_orders"]?.arrayValue?.contains { $0["order_id"] == id } == true
        }
        #expect(try !stuck(at: "2026-01-18T10:09:00Z"))
        #expect(try stuck(at: "2026-01-18T10:11:00Z"))
    }
}
