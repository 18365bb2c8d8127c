@testable import OrderCore
import Testing

struct SalesReportTests {
    /// A history with hand-computed figures (prices include tax):
    /// day 1 — A (web) 2×50.00 − line 10.00 − coupon 5.00 + shipping 8.00 = 93.00; B (app) 20.00;
    ///         E (web) 15.00, cancelled on day 2 (still sold on day 1; nothing refunded yet);
    /// day 2 — C (web) 3×10.00 = 30.00; day 3 — 10.00 of C refunded. D is never paid.
    func history() throws -> Engine {
        let engine = try Engine(test: temporaryDirectory() + "/sales.db")
        try engine.seedCatalog(a1: ["SH": 100], b2: ["SH": 100])
        func order(_ channel: String, _ lines: [(String, Int64, String)], day: Int = 1) throws -> JSON {
            try engine.ok("order.create", orderArgs(lines, ["channel": .string(channel), "at": .string("2026-05-0\(day)T08:50:00Z")]))["order_id"] ?? .null
        }
        var a = orderArgs([("A1", 2, "50.00")], ["channel": "web", "shipping_fee": "8.00", "at": "2026-05-01T08:50:00Z"])
        a["lines"] = [["sku": "A1", "qty": 2, "unit_price": "50.00", "line_discount": "10.00"]]
        a["discounts"] = [["kind": "coupon", "amount": "5.00"]]
        let orderA = try engine.ok("order.create", a)["order_id"] ?? .null
        let orderB = try order("app", [("B2", 1, "20.00")])
        let orderE = try order("web", [("A1", 1, "15.00")])
        for id in [orderA, orderB, orderE] { try engine.ok("order.pay", ["order_id": id, "at": "2026-05-01T09:00:00Z"]) }
        let orderC = try order("web", [("B2", 3, "10.00")], day: 2)
        _ = try order("web", [("B2", 1, "99.00")], day: 2)
        try engine.ok("order.pay", ["order_id": orderC, "at": "2026-05-02T09:00:00Z"])
        try engine.ok("order.cancel", ["order_id": orderE, "at": "2026-05-02T10:00:00Z"])
        try engine.ok("order.refund", ["order_id": orderC, "amount": "10.00", "refund_ref": "RF-C", "at": "2026-05-03T09:00:00Z"])
        return engine
    }

    @Test func byDayWithExactMoney() throws {
        let report = try history().ok("report.sales", ["from": "2026-05-01T00:00:00Z", "to": "2026-05-04T00:00:00Z"])
        let days = report["rows"]?.arrayValue ?? []
        #expect(days.map { $0["day"] } == ["2026-05-01", "2026-05-02", "2026-05-03"])
        #expect(days[0] == ["day": "2026-05-01", "currency": "CNY", "orders": 3, "units": 4, "gross": "135.00", "discounts": "15.00",
                            "shipping": "8.00", "gmv": "128.00", "refunds": "0.00", "net": "128.00", "average_order_value": "42.67"])
        #expect(days[1]["gmv"] == "30.00" && days[1]["orders"] == 1)
        #expect(days[2]["gmv"] == "0.00" && days[2]["refunds"] == "10.00" && days[2]["net"] == "-10.00")
        let total = report["totals"]?.arrayValue?.first
        #expect(total?["gmv"] == "158.00" && total?["refunds"] == "10.00" && total?["net"] == "148.00")
        #expect(total?["orders"] == 4 && total?["average_order_value"] == "39.50")
    }

    @Test func byChannelBySkuAndTheBusinessDay() throws {
        let engine = try history()
        let channels = try engine.ok("report.sales", ["from": "2026-05-01T00:00:00Z", "to": "2026-05-04T00:00:00Z", "by": "channel"])["rows"]?.arrayValue ?? []
        #expect(channels.map { $0["channel"] } == ["app", "web"])
        #expect(channels[1]["gmv"] == "138.00" && channels[1]["refunds"] == "10.00")
        let skus = try engine.ok("report.sales", ["from": "2026-05-01T00:00:00Z", "to": "2026-05-04T00:00:00Z", "by": "sku"])["rows"]?.arrayValue ?? []
        #expect(skus.map { $0["sku"] } == ["A1", "B2"])
        #expect(skus[0]["units"] == 3 && skus[0]["gross"] == "115.00" && skus[0]["line_discounts"] == "10.00" && skus[0]["value"] == "105.00")
        // Ten hours west of UTC, a payment at 09:00 UTC belongs to the day before.
        try engine.ok("config.set", ["key": "business.utc_offset_minutes", "value": -600])
        let shifted = try engine.ok("report.sales", ["from": "2026-05-01T00:00:00Z", "to": "2026-05-04T00:00:00Z"])["rows"]?.arrayValue ?? []
        #expect(shifted.first?["day"] == "2026-04-30")
        #expect(engine.fails("report.sales", ["by": "planet"]) == .invalidInput)
        #expect(engine.fails("report.sales", ["from": "2026-05-04T00:00:00Z", "to": "2026-05-01T00:00:00Z"]) == .invalidInput)
    }
}
