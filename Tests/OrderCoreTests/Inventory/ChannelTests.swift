@testable import OrderCore
import Testing

struct ChannelTests {
    func engine() throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 10, "BJ": 10])
        try engine.ok("channel.upsert", ["channel": "web", "warehouses": ["BJ"]])
        return engine
    }

    func sellable(_ engine: Engine, _ sku: String = "A1", channel: String = "web") throws -> JSON? {
        try engine.ok("stock.get", ["sku": .string(sku), "channel": .string(channel)])["channel"]?["sellable"]
    }

    @Test func aChannelSellsOnlyFromTheWarehousesThatServeIt() throws {
        let engine = try engine()
        let order = try engine.ok("order.create", orderArgs([("A1", 4, "1.00")], ["channel": "web"]))
        #expect(order["lines"]?.arrayValue?.first?["reservations"]?.arrayValue?.map { $0["warehouse"] } == ["BJ"])
        #expect(try sellable(engine) == 6)
        #expect(engine.fails("order.create", orderArgs([("A1", 7, "1.00")], ["channel": "web"])) == .insufficientStock)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["channel": "web", "warehouse": "SH"])) == .invalidInput)
        #expect(try sellable(engine, channel: "pos") == 16)  // unregistered: every warehouse
    }

    @Test func aCapLimitsWhatAChannelSellsAndCancellationsGiveItBack() throws {
        let engine = try engine()
        #expect(try engine.ok("channel.sku", ["channel": "web", "sku": "A1", "cap": 5])["sellable"] == 5)
        let first = try engine.ok("order.create", orderArgs([("A1", 4, "1.00")], ["channel": "web"]))["order_id"] ?? nil
        guard case .failure(let capped) = engine.run("order.create", orderArgs([("A1", 2, "1.00")], ["channel": "web"])) else {
            Issue.record("cap ignored"); return
        }
        #expect(capped.code == .insufficientStock && capped.details?["reason"] == "channel_cap" && capped.details?["available"] == 1)
        try engine.ok("order.create", orderArgs([("A1", 2, "1.00")], ["channel": "pos"]))  // other channels are not capped
        try engine.ok("order.cancel", ["order_id": first])
        #expect(try sellable(engine) == 5)
        try engine.ok("order.create", orderArgs([("A1", 5, "1.00")], ["channel": "web"]))
        #expect(try sellable(engine) == 0)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func expiredOrdersGiveBackTheirCapUsage() throws {
        let engine = try engine()
        try engine.ok("channel.sku", ["channel": "web", "sku": "A1", "cap": 3])
        try engine.ok("order.create", orderArgs([("A1", 3, "1.00")], ["channel": "web", "at": "2026-01-18T10:00:00Z"]))
        #expect(try engine.ok("stock.get", ["sku": "A1", "channel": "web", "at": "2026-01-18T10:05:00Z"])["channel"]?["sellable"] == 0)
        #expect(try engine.ok("stock.get", ["sku": "A1", "channel": "web", "at": "2026-01-18T10:20:00Z"])["channel"]?["used"] == 0)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func closingAChannelForASKUStopsItsSalesWithTheReason() throws {
        let engine = try engine()
        let closed = try engine.ok("channel.sku", ["channel": "web", "sku": "A1", "open": false, "reason": "supplier recall"])
        #expect(closed["sellable"] == 0 && closed["closed_reason"] == "supplier recall")
        guard case .failure(let error) = engine.run("order.create", orderArgs([("A1", 1, "1.00")], ["channel": "web"])) else {
            Issue.record("closed channel sold"); return
        }
        #expect(error.code == .insufficientStock && error.details?["reason"] == "channel_closed")
        #expect(error.message.contains("supplier recall"))
        try engine.ok("channel.sku", ["channel": "web", "sku": "A1", "open": true])
        try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["channel": "web"]))
    }

    @Test func anInactiveChannelSellsNothing() throws {
        let engine = try engine()
        try engine.ok("channel.upsert", ["channel": "web", "active": false])
        #expect(try sellable(engine) == 0)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["channel": "web"])) == .conflict)
    }

    @Test func channelLimitsAreValidated() throws {
        let engine = try engine()
        #expect(engine.fails("channel.sku", ["channel": "nope", "sku": "A1", "cap": 1]) == .notFound)
        #expect(engine.fails("channel.sku", ["channel": "web", "sku": "ZZ", "cap": 1]) == .notFound)
        #expect(engine.fails("channel.sku", ["channel": "web", "sku": "A1", "cap": -1]) == .invalidInput)
        #expect(engine.fails("channel.upsert", ["channel": "web", "warehouses": ["XX"]]) == .notFound)
        try engine.ok("channel.sku", ["channel": "web", "sku": "A1", "cap": 2])
        #expect(try engine.ok("channel.sku", ["channel": "web", "sku": "A1", "cap": .null])["cap"] == .null)
        let channel = try engine.ok("channel.get", ["channel": "web"])
        #expect(channel["warehouses"] == ["BJ"] && channel["skus"]?.arrayValue?.first?["sellable"] == 10)
    }
}
