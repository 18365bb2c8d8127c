@testable import OrderCore
import Testing

/// When stock is reserved: the setting, then the channel's own policy, then the order's.
struct ReservationTimingTests {
    @Test func eachChannelAndOrderMayChooseWhenStockIsReserved() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 10])
        try engine.ok("channel.upsert", ["channel": "presale", "reserve_at": "payment"])
        try engine.ok("channel.upsert", ["channel": "pos"])
        #expect(try engine.ok("channel.get", ["channel": "presale"])["reserve_at"] == "payment")
        #expect(try engine.ok("channel.get", ["channel": "pos"])["reserve_at"] == .null)

        let later = try engine.ok("order.create", orderArgs([("A1", 3, "1.00")], ["channel": "presale"]))
        #expect(later["reserve_at"] == "payment")
        #expect(try engine.available("A1") == 10)
        try engine.ok("order.pay", ["order_id": later["order_id"] ?? .null])
        #expect(try engine.available("A1") == 7)

        let counter = try engine.ok("order.create", orderArgs([("A1", 2, "1.00")], ["channel": "pos"]))
        #expect(counter["reserve_at"] == "order")
        #expect(try engine.available("A1") == 5)

        let now = try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["channel": "presale", "reserve_at": "order"]))
        #expect(now["reserve_at"] == "order")
        #expect(try engine.available("A1") == 4)

        try engine.ok("channel.upsert", ["channel": "presale", "reserve_at": .null])  // back to the setting
        #expect(try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["channel": "presale"]))["reserve_at"] == "order")
        #expect(engine.fails("channel.upsert", ["channel": "pos", "reserve_at": "shipment"]) == .invalidInput)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["reserve_at": "never"])) == .invalidInput)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }
}
