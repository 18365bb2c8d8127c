@testable import OrderCore
import Testing

/// `stock.replenishment`, the `replenish` alert and the board's name, category and channel filters.
struct ReplenishmentTests {
    /// A1 "Mug" (mugs): SH 30 on hand with safety 5, BJ 5; B2 "Tea" (tea): SH 10. On 5 June 14 A1 are sold
    /// from SH (paid, not shipped: reserved). On 10 June the window (3–9 June) averages 2 a day: SH's
    /// position is 30 − 14 = 16, its reorder point 5 + 7 × 2 = 19, so buy 5 + 37 × 2 − 16 = 63.
    func engine() throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 30, "BJ": 5], b2: ["SH": 10])
        try engine.ok("sku.upsert", ["sku": "A1", "category": "mugs"])
        try engine.ok("sku.upsert", ["sku": "B2", "category": "tea"])
        try engine.ok("stock.safety", ["sku": "A1", "warehouse": "SH", "qty": 5])
        try engine.ok("channel.upsert", ["channel": "web", "warehouses": ["BJ"]])
        let id = try engine.ok("order.create", orderArgs([("A1", 14, "5.00")], ["warehouse": "SH", "at": "2026-06-05T10:00:00Z"]))
        try engine.ok("order.pay", ["order_id": id["order_id"] ?? .null, "at": "2026-06-05T10:05:00Z"])
        return engine
    }

    static let june10: JSON = "2026-06-10T12:00:00Z"

    func line(_ row: JSON) -> String {
        ["sku", "warehouse", "available", "safety", "daily_sales", "reorder_point", "suggested_qty", "reason"].map { key in
            switch row[key] {
            case .string(let s)?: s
            case .number(let n)?: n
            default: "-"
            }
        }.joined(separator: " ")
    }

    @Test func suggestsWhatToBuyWhereStockFallsToItsReorderPoint() throws {
        let engine = try engine()
        let due = try engine.ok("stock.replenishment", ["at": Self.june10])
        #expect(due["lead_time_days"] == 7)
        #expect(due["rows"]?.arrayValue?.map(line) == ["A1 SH 11 5 2.00 19 63 below_reorder_point"])
        let all = try engine.ok("stock.replenishment", ["at": Self.june10, "all": true])
        #expect(all["rows"]?.arrayValue?.map(line) == [
            "A1 BJ 5 0 0.00 0 0 -", "A1 SH 11 5 2.00 19 63 below_reorder_point", "B2 SH 10 0 0.00 0 0 -",
        ])
        #expect(try engine.ok("stock.replenishment", ["at": Self.june10, "category": "tea", "all": true])["rows"]?
            .arrayValue?.map(line) == ["B2 SH 10 0 0.00 0 0 -"])
        #expect(try engine.ok("stock.replenishment", ["at": Self.june10, "channel": "web", "all": true])["rows"]?
            .arrayValue?.map(line) == ["A1 BJ 5 0 0.00 0 0 -"])
    }

    @Test func theReplenishAlertIsThePurchasingWorkOrder() throws {
        let engine = try engine()
        try engine.ok("sweep", ["at": Self.june10])
        let alerts = try engine.ok("stock.alerts")["alerts"]?.arrayValue ?? []
        let replenish = alerts.first { $0["kind"] == "replenish" }
        #expect(replenish?["sku"] == "A1")
        #expect(replenish?["details"]?["warehouses"]?.arrayValue?.map(line) == ["A1 SH 11 5 2.00 19 63 below_reorder_point"])
        let feed = try engine.ok("events.read", ["limit": 1_000])["events"]?.arrayValue ?? []
        #expect(feed.contains { $0["kind"] == "alert" && $0["alert"] == "replenish" && $0["state"] == "opened" })
        let work = try engine.ok("report.alerts", ["at": Self.june10])["items"]?.arrayValue ?? []
        #expect(work.contains {
            $0["kind"] == "replenish" && $0["resolve"]?.stringValue?.contains("stock.replenishment sku=A1") == true
        })

        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 63, "at": Self.june10])
        let after = try engine.ok("stock.alerts")["alerts"]?.arrayValue ?? []
        #expect(!after.contains { $0["kind"] == "replenish" })
        #expect(try engine.ok("stock.replenishment", ["at": Self.june10])["rows"] == [])
    }

    @Test func theBoardShowsNamesAndFiltersByCategoryAndChannel() throws {
        let engine = try engine()
        let board = try engine.ok("stock.board", ["at": Self.june10, "sort": "sku"])
        let a1 = board["rows"]?.arrayValue?.first
        #expect(a1?["name"] == "Mug" && a1?["category"] == "mugs")
        let tea = try engine.ok("stock.board", ["at": Self.june10, "category": "tea"])["rows"]?.arrayValue
        #expect(tea?.compactMap { $0["sku"] } == ["B2"])
        let web = try engine.ok("stock.board", ["at": Self.june10, "channel": "web"])["rows"]?.arrayValue
        #expect(web?.compactMap { $0["sku"] } == ["A1"] && web?.first?["on_hand"] == 5)
        #expect(engine.fails("stock.board", ["channel": "nowhere"]) == .notFound)
    }
}
