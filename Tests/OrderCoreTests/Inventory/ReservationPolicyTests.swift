@testable import OrderCore
import Testing

struct ReservationPolicyTests {
    let t0 = "2026-01-18T10:00:00Z"

    func engine(stock: Int64 = 10) throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": stock])
        return engine
    }

    @Test func aBufferSellsAtMostThePercentOfOnHand() throws {
        let engine = try engine(stock: 99)
        try engine.ok("config.set", ["key": "inventory.sell_percent", "value": 95])
        #expect(try engine.available("A1") == 94)  // 95% of 99 = 94.05, rounded down
        #expect(engine.fails("order.create", orderArgs([("A1", 95, "1.00")])) == .insufficientStock)
        try engine.ok("order.create", orderArgs([("A1", 94, "1.00")]))
        #expect(try engine.available("A1") == 0)
        #expect(try engine.ok("stock.get", ["sku": "A1"])["on_hand"] == 99)
        // Physical movements ignore the sales buffer.
        try engine.ok("stock.transfer", ["from": "SH", "to": "BJ", "lines": [["sku": "A1", "qty": 5]]])
        #expect(engine.fails("config.set", ["key": "inventory.sell_percent", "value": 0]) == .invalidInput)
        #expect(engine.fails("config.set", ["key": "inventory.sell_percent", "value": 101]) == .invalidInput)
    }

    @Test func theBufferArithmeticIsExactForHugeBalances() {
        let b = StockBalance(sku: "A1", warehouse: "SH", onHand: .max, sellPercent: 95)
        #expect(b.sellableOnHand == Int64.max / 100 * 95 + Int64.max % 100 * 95 / 100)
        #expect(StockBalance(sku: "A1", warehouse: "SH", onHand: 7, sellPercent: 50).available == 3)
    }

    @Test func reservingAtPaymentChecksAtCreationAndHoldsOnlyOncePaid() throws {
        let engine = try engine(stock: 5)
        try engine.ok("config.set", ["key": "inventory.reserve_at", "value": "payment"])
        #expect(engine.fails("order.create", orderArgs([("A1", 6, "1.00")])) == .insufficientStock)
        let a = try engine.ok("order.create", orderArgs([("A1", 4, "1.00")]))
        let b = try engine.ok("order.create", orderArgs([("A1", 3, "1.00")]))
        #expect(a["reserve_at"] == "payment" && a["lines"]?.arrayValue?.first?["reserved"] == 0)
        #expect(try engine.available("A1") == 5)
        let paid = try engine.ok("order.pay", ["order_id": a["order_id"] ?? nil])
        #expect(paid["lines"]?.arrayValue?.first?["reserved"] == 4)
        // The second buyer pays too late: the payment is refused and nothing changes.
        #expect(engine.fails("order.pay", ["order_id": b["order_id"] ?? nil]) == .insufficientStock)
        #expect(try engine.ok("order.get", ["order_id": b["order_id"] ?? nil])["state"] == "pending_payment")
        #expect(try engine.available("A1") == 1)
        // Orders created before the policy changed keep theirs.
        try engine.ok("config.set", ["key": "inventory.reserve_at", "value": "order"])
        try engine.ok("order.cancel", ["order_id": b["order_id"] ?? nil])
        #expect(try engine.ok("stock.verify")["ok"] == true)
        #expect(engine.fails("config.set", ["key": "inventory.reserve_at", "value": "never"]) == .invalidInput)
    }

    @Test func aPreSaleDepositLocksStockUntilTheBalanceIsPaid() throws {
        let engine = try engine()
        var args = orderArgs([("A1", 2, "50.00")], ["deposit": "20.00", "balance_due_at": "2026-01-20T00:00:00Z", "at": .string(t0)])
        args["tags"] = ["presale"]
        let order = try engine.ok("order.create", args)
        let id = order["order_id"] ?? nil
        #expect(order["deposit"] == "20.00" && order["expires_at"] == "2026-01-18T10:15:00Z")
        let deposit = try engine.ok("order.pay", ["order_id": id, "at": "2026-01-18T10:05:00Z"])
        #expect(deposit["state"] == "deposit_paid" && deposit["paid_total"] == "20.00" && deposit["balance_due"] == "80.00")
        #expect(deposit["expires_at"] == "2026-01-20T00:00:00Z")
        // Still held a day later (the unpaid timeout no longer applies).
        #expect(try engine.ok("stock.get", ["sku": "A1", "at": "2026-01-19T10:00:00Z"])["reserved"] == 2)
        #expect(engine.fails("order.pay", ["order_id": id, "amount": "20.00", "at": "2026-01-19T10:00:00Z"]) == .invalidInput)
        let paid = try engine.ok("order.pay", ["order_id": id, "amount": "80.00", "at": "2026-01-19T10:00:00Z"])
        #expect(paid["state"] == "paid" && paid["paid_total"] == "100.00" && paid["expires_at"] == .null)
        #expect(try engine.ok("sweep", ["at": "2026-01-21T00:00:00Z"])["expired_orders"] == 0)
    }

    @Test func aPreSaleWhoseBalanceIsNotPaidInTimeIsClosedAndForfeitsItsDeposit() throws {
        let engine = try engine()
        let id = try engine.ok("order.create", orderArgs([("A1", 2, "50.00")], ["deposit": "20.00", "balance_due_at": "2026-01-20T00:00:00Z",
                                                                              "at": .string(t0)]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id, "at": "2026-01-18T10:05:00Z"])
        #expect(engine.fails("order.pay", ["order_id": id, "at": "2026-01-20T00:00:01Z"]) == .conflict)
        let swept = try engine.ok("sweep", ["at": "2026-01-20T01:00:00Z"])
        #expect(swept["expired_orders"] == 1 && swept["released_units"] == 2)
        let closed = try engine.ok("order.get", ["order_id": id])
        #expect(closed["state"] == "cancelled" && closed["cancel_reason"] == "balance_unpaid" && closed["refund_due"] == "0.00")
        let last = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue?.last
        #expect(last?["from"] == "deposit_paid" && last?["details"]?["forfeited_deposit"] == "20.00")
        #expect(try engine.available("A1") == 10)
    }

    @Test func preSaleInputIsChecked() throws {
        let engine = try engine()
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "10.00")], ["deposit": "10.00"])) == .invalidInput)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "10.00")], ["deposit": "0"])) == .invalidInput)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "10.00")], ["balance_due_at": "2099-01-01T00:00:00Z"])) == .invalidInput)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "10.00")], ["deposit": "2.00", "balance_due_at": "2000-01-01T00:00:00Z"])) == .invalidInput)
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], ["deposit": "2.00"]))["order_id"] ?? nil
        #expect(engine.fails("order.pay", ["order_id": id, "amount": "5.00"]) == .invalidInput)
        #expect(try engine.ok("order.pay", ["order_id": id, "amount": "10.00"])["state"] == "paid")  // paying in full at once
    }

    @Test func pickupHandsOverTheReservedUnitsAndCompletesTheOrder() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 5, "BJ": 5])
        let id = try engine.ok("order.create", orderArgs([("A1", 3, "1.00")], ["channel": "pos", "warehouse": "BJ"]))["order_id"] ?? nil
        #expect(engine.fails("order.pickup", ["order_id": id]) == .conflict)  // not paid yet
        try engine.ok("order.pay", ["order_id": id])
        let done = try engine.ok("order.pickup", ["order_id": id])
        #expect(done["state"] == "completed")
        #expect(done["lines"]?.arrayValue?.first?["delivered"] == 3 && done["lines"]?.arrayValue?.first?["reserved"] == 0)
        let bj = try engine.ok("stock.get", ["sku": "A1", "warehouse": "BJ"])
        #expect(bj["on_hand"] == 2 && bj["reserved"] == 0)
        #expect(try engine.ok("stock.ledger", ["reason": "pickup"])["entries"]?.arrayValue?.map { $0["bucket"] } == ["on_hand", "reserved"])
        #expect(engine.fails("order.cancel", ["order_id": id]) == .conflict)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func pickupRefusesWhenTheUnitsAreNoLongerThere() throws {
        let engine = try engine(stock: 3)
        let id = try engine.ok("order.create", orderArgs([("A1", 3, "1.00")]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id])
        try engine.ok("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": -2, "reason": "broken"])
        #expect(engine.fails("order.pickup", ["order_id": id]) == .conflict)
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "paid")
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }
}
