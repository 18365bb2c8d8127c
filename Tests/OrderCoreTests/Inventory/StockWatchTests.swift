@testable import OrderCore
import Testing

struct StockWatchTests {
    /// Day 0 of the tests: 2026-01-18 (UTC). Sales on days -7...-1 make up the default window.
    let today = "2026-01-18T12:00:00Z"

    func day(_ offset: Int) -> JSON { .string(Timestamp.format(1_768_737_600_000 + Int64(offset) * 86_400_000)) }

    /// Sells `units` of a SKU on day `offset` (placed and paid that day).
    func sell(_ engine: Engine, _ sku: String, _ units: Int64, on offset: Int) throws {
        let id = try engine.ok("order.create", orderArgs([(sku, units, "1.00")], ["at": day(offset)]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id, "at": day(offset)])
    }

    func board(_ engine: Engine, _ args: JSONObject = [:]) throws -> [JSON] {
        var args = args
        args["at"] = .string(today)
        return try engine.ok("stock.board", args)["rows"]?.arrayValue ?? []
    }

    @Test func theBoardShowsSalesCoverAndStatus() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 100], b2: ["SH": 500])
        for offset in -7 ... -1 { try sell(engine, "A1", 10, on: offset) }  // 70 sold, 10 a day
        try sell(engine, "B2", 7, on: -1)                                   // 1 a day
        let rows = try board(engine, ["sort": "sku"])
        #expect(rows.map { $0["sku"] } == ["A1", "B2"])
        #expect(rows[0]["on_hand"] == 100 && rows[0]["reserved"] == 70 && rows[0]["available"] == 30)
        #expect(rows[0]["yesterday_sales"] == 10 && rows[0]["avg_daily_sales"] == "10.00")
        #expect(rows[0]["days_of_cover"] == "3.0" && rows[0]["status"] == "normal")
        #expect(rows[1]["days_of_cover"] == "493.0" && rows[1]["status"] == "sufficient")
        try engine.ok("config.set", ["key": "inventory.cover_warning_days", "value": 4])
        #expect(try board(engine, ["status": "warning"]).map { $0["sku"] } == ["A1"])
        #expect(try board(engine, ["sort": "days_of_cover"]).map { $0["sku"] } == ["A1", "B2"])
        #expect(engine.fails("stock.board", ["sort": "colour"]) == .invalidInput)
        #expect(engine.fails("stock.board", ["status": "fine"]) == .invalidInput)
    }

    @Test func salesCountOnTheBusinessDayOfPaymentAndCancellationsTakeThemBack() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 100])
        try engine.ok("config.set", ["key": "business.utc_offset_minutes", "value": 480])
        // 20:00 UTC on day -2 is 04:00 on day -1 in China.
        let id = try engine.ok("order.create", orderArgs([("A1", 5, "1.00")], ["at": "2026-01-16T20:00:00Z"]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id, "at": "2026-01-16T20:00:00Z"])
        #expect(try board(engine).first?["yesterday_sales"] == 5)
        try engine.ok("order.cancel", ["order_id": id, "at": .string(today)])
        #expect(try board(engine).first?["yesterday_sales"] == 0)
        #expect(try board(engine, ["warehouse": "SH"]).first?["warehouse"] == "SH")
    }

    /// An order that takes its stock only when paid (`inventory.reserve_at` payment) counts as sold when
    /// paid, as one that reserved at creation does; created paid, too.
    /// A batch's orders add their sales once, when it commits; what reads sales in the batch sees those
    /// before it, and an element that fails takes back only its own.
    @Test func aBatchsSalesAreWrittenOnceAndSeenByWhatReadsThemInIt() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 100])
        func paid(_ sku: String, _ units: Int64) -> JSONObject {
            var args = orderArgs([(sku, units, "1.00")], ["at": day(-1), "payment": [:]])
            args["op"] = "order.create"
            return args
        }
        let read: JSONObject = ["op": "stock.board", "at": .string(today)]
        guard case .success(let results) = engine.runBatch([paid("A1", 3), read, paid("NOPE", 1), paid("A1", 4), read])
        else { Issue.record("the batch failed"); return }
        #expect(results.map { if case .success = $0 { true } else { false } } == [true, true, false, true, true])
        func yesterday(_ result: Result<JSON, OrderCoreError>) -> JSON? {
            try? result.get()["rows"]?.arrayValue?.first?["yesterday_sales"]
        }
        #expect(yesterday(results[1]) == 3 && yesterday(results[4]) == 7)
        #expect(try board(engine).first?["yesterday_sales"] == 7)
    }

    /// Sales written for a read inside a savepoint that is then undone are written again at commit.
    @Test func salesWrittenInAnUndoneSavepointAreWrittenAgain() throws {
        let store = try Store(path: temporaryDirectory() + "/sales.db", options: StoreOptions())
        struct Undo: Error {}
        try store.transaction(.write) {
            try store.addSales([("A1", "SH", 1)], day: 20_000)
            _ = try? store.savepoint {
                try store.addSales([("A1", "SH", 5)], day: 20_000)
                try store.flushSales()  // as a read of sales_daily does
                throw Undo()
            }
            try store.addSales([("A1", "SH", 2)], day: 20_000)
        }
        let units = try store.transaction(.read) {
            try store.db.first("SELECT units FROM sales_daily WHERE sku = 'A1' AND day = 20000") { $0.int(0) }
        }
        #expect(units == 3)
    }

    /// Units a refund stops before they ship come off the day they counted as sold: a cash-on-delivery order's
    /// is the day it was placed (it has no payment day yet).
    @Test func unitsStoppedBeforeShippingComeOffTheDayTheyWereSold() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 100])
        let cod = try engine.ok(
            "order.create",
            orderArgs([("A1", 5, "1.00")], ["at": day(-1), "cash_on_delivery": true, "payment": ["amount": "2.00"]]))
        #expect(try board(engine).first?["yesterday_sales"] == 5)
        try engine.ok("order.refund", ["order_id": cod["order_id"] ?? .null, "amount": "1.00", "units": [["sku": "A1", "qty": 1]],
                                       "at": .string(today)])
        #expect(try board(engine).first?["yesterday_sales"] == 4)
    }

    @Test func anOrderThatReservesAtPaymentCountsAsSoldWhenPaid() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 100])
        try engine.ok("config.set", ["key": "inventory.reserve_at", "value": "payment"])
        try sell(engine, "A1", 4, on: -1)
        #expect(try board(engine).first?["yesterday_sales"] == 4)
        try engine.ok("order.create", orderArgs([("A1", 3, "1.00")], ["at": day(-1), "payment": [:]]))
        #expect(try board(engine).first?["yesterday_sales"] == 7)
    }

    @Test func lowStockOpensAnAlertThatClearsItselfOnReplenishment() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 5])
        try engine.ok("order.create", orderArgs([("A1", 5, "1.00")]))
        #expect(try engine.ok("stock.alerts")["alerts"] == [])  // orders are looked at by the sweep
        let swept = try engine.ok("sweep")
        #expect(swept["low_stock_alerts_opened"] == 1)
        let alert = try engine.ok("stock.alerts")["alerts"]?.arrayValue?.first
        #expect(alert?["kind"] == "low_stock" && alert?["sku"] == "A1" && alert?["details"]?["reason"] == "out_of_stock")
        #expect(try engine.ok("sweep")["low_stock_alerts_opened"] == 0)  // one alert, not one per sweep
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 10])  // replenishment clears at once
        #expect(try engine.ok("stock.alerts")["alerts"] == [])
        #expect(try engine.ok("stock.alerts", ["open_only": false])["alerts"]?.arrayValue?.first?["cleared_at"] != .null)
    }

    @Test func belowSafetyIsLow() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 5])
        try engine.ok("stock.safety", ["sku": "A1", "warehouse": "SH", "qty": 8])
        let alert = try engine.ok("stock.alerts")["alerts"]?.arrayValue?.first
        #expect(alert?["details"]?["reason"] == "below_safety")
    }

    @Test func lowStockClosesChannelsAndReplenishmentReopensOnlyThose() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 2], b2: ["SH": 2])
        try engine.ok("config.set", ["key": "inventory.low_stock_closes_channels", "value": true])
        try engine.ok("channel.upsert", ["channel": "web"])
        try engine.ok("channel.upsert", ["channel": "app"])
        try engine.ok("channel.sku", ["channel": "app", "sku": "A1", "open": false, "reason": "manual"])
        try engine.ok("order.create", orderArgs([("A1", 2, "1.00")], ["channel": "web"]))
        try engine.ok("sweep")
        let web = try engine.ok("stock.get", ["sku": "A1", "channel": "web"])["channel"]
        #expect(web?["open"] == false && web?["closed_reason"] == "low_stock")
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 5])
        #expect(try engine.ok("stock.get", ["sku": "A1", "channel": "web"])["channel"]?["open"] == true)
        let app = try engine.ok("stock.get", ["sku": "A1", "channel": "app"])["channel"]
        #expect(app?["open"] == false && app?["closed_reason"] == "manual")
        #expect(try engine.ok("stock.get", ["sku": "B2", "channel": "web"])["channel"]?["open"] == true)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func coverArithmetic() {
        let r = CoverReport(sku: "A", name: "A", onHand: 10, reserved: 0, safety: 0, available: 10, yesterdaySales: 0, windowSales: 3, windowDays: 7)
        #expect(r.coverTenths == 233 && r.averageDailySalesHundredths == 42)
        #expect(r.status(warningDays: 3, sufficientDays: 30, marginPercent: 30) == .normal)
        #expect(CoverReport(sku: "A", name: "A", onHand: 1, reserved: 0, safety: 0, available: 1, yesterdaySales: 0, windowSales: 0, windowDays: 7)
            .status(warningDays: 3, sufficientDays: 30, marginPercent: 30) == .sufficient)
        #expect(CoverReport(sku: "A", name: "A", onHand: .max, reserved: 0, safety: 0, available: .max, yesterdaySales: 0, windowSales: 1, windowDays: 7)
            .coverTenths == .max)
    }

    /// 5 on hand against a safety stock of 4 is within 30 % of it: a warning, not "sufficient".
    @Test func stockNearItsSafetyIsAWarning() {
        let near = CoverReport(sku: "A", name: "A", onHand: 5, reserved: 0, safety: 4, available: 1, yesterdaySales: 0,
                               windowSales: 0, windowDays: 7)
        #expect(near.status(warningDays: 3, sufficientDays: 30, marginPercent: 30) == .warning)
        #expect(near.lowReason(marginPercent: 30) == "near_safety")
        #expect(near.status(warningDays: 3, sufficientDays: 30, marginPercent: 0) == .sufficient)
    }

    /// 2 a day (14 in 7 days), 7 days' lead time, safety 5: reorder point 5 + 14 = 19, early warning up to
    /// 19 + 2 (30 % of 5, rounded up) = 21; a purchase brings the position to 5 + 37 × 2 = 79.
    @Test func replenishmentFromTheReorderPoint() {
        func plan(onHand: Int64) -> (reorderPoint: Int64, suggested: Int64, reason: String?) {
            CoverReport(sku: "A", name: "A", onHand: onHand, reserved: 2, safety: 5, available: onHand - 7,
                        yesterdaySales: 2, windowSales: 14, windowDays: 7, inTransit: 3)
                .replenishment(leadTimeDays: 7, targetDays: 30, marginPercent: 30)
        }
        #expect(plan(onHand: 20) == (19, 58, "early_warning"))  // position 20 - 2 + 3 = 21
        #expect(plan(onHand: 15) == (19, 63, "below_reorder_point"))  // position 16
        #expect(plan(onHand: 21) == (19, 57, nil))  // position 22
        #expect(plan(onHand: -1).reason == "out_of_stock")
    }
}
