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

    /// `config.reset` puts a setting back to its default, and keeps nothing of it in the file: a later
    /// version's default is the one that holds.
    @Test func aSettingIsResetToItsDefault() throws {
        let dir = temporaryDirectory()
        let engine = try Engine(test: dir + "/settings.db")
        try engine.ok("actor.upsert", ["actor_id": "lead", "role": "supervisor"])
        func value(_ key: String) throws -> JSON {
            try engine.ok("config.get", ["key": .string(key)])["settings"]?.arrayValue?.first?["value"] ?? .null
        }
        try engine.ok("config.set", ["key": "order.unpaid_timeout_minutes", "value": 20])
        try engine.ok("config.set", ["key": "health.weights", "value": ["on_time": 40]])
        try engine.ok("config.set", ["key": "returns.admin_above", "value": ["USD": 700]])
        try engine.ok("config.set", ["key": "risk.rules", "value": ["rules": ["velocity": ["max_orders": 3]]]])
        #expect(engine.fails("config.reset", ["key": "returns.admin_above", "actor": "lead"]) == .forbidden)
        #expect(try value("returns.admin_above") == ["USD": 700])
        for key in ["order.unpaid_timeout_minutes", "health.weights", "returns.admin_above", "risk.rules"] {
            let answer = try engine.ok("config.reset", ["key": .string(key)])
            let setting = Setting.all.first { $0.key == key }
            #expect(try value(key) == setting?.defaultValue, "\(key)")
            #expect(answer["value"] == setting?.defaultValue || key == "risk.rules")  // a new rule set's version
        }
        #expect(try value("health.weights")["on_time"] == 20)
        #expect(try engine.ok("config.get")["settings"]?.arrayValue?.allSatisfy { $0["value"] == $0["default"] } == true)
        #expect(engine.fails("config.reset", ["key": "no.such"]) == .invalidInput)
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
