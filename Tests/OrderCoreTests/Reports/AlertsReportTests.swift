@testable import OrderCore
import Testing

struct AlertsReportTests {
    @Test func oneListMostUrgentFirstWithAgeAndTheResolvingCommandAndItClearsItself() throws {
        let engine = try Engine(test: temporaryDirectory() + "/alerts.db")
        try engine.seedCatalog(a1: ["SH": 2], b2: ["SH": 5])
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "csv"])
        // A backorder (high) and an unpaid order past its timeout (warning).
        try engine.ok("intake.ingest", ["channel": "shop", "at": "2026-06-01T08:00:00Z",
                                        "payload": "order_id,placed_at,currency,status,sku,qty,unit_price\no-1,2026-06-01T08:00:00Z,CNY,paid,A1,5,1.00"])
        try engine.ok("order.create", orderArgs([("B2", 1, "1.00")], ["at": "2026-06-01T09:00:00Z"]))
        let report = try engine.ok("report.alerts", ["at": "2026-06-01T12:00:00Z"])
        let items = report["items"]?.arrayValue ?? []
        #expect(items.first?["kind"] == "backorder" && items.first?["severity"] == "high")
        #expect(items.first?["age_hours"] == "4.0")
        #expect(items.first?["resolve"]?.stringValue?.contains("order.allocate SO-000001") == true)
        #expect(items.contains { $0["kind"] == "unpaid_expired" && $0["resolve"]?.stringValue?.hasPrefix("sweep") == true })
        // The cause goes, the item goes.
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 10])
        try engine.ok("order.allocate", ["order_id": "SO-000001"])
        try engine.ok("sweep", ["at": "2026-06-01T12:00:00Z"])
        let after = try engine.ok("report.alerts", ["at": "2026-06-01T12:00:00Z"])["items"]?.arrayValue ?? []
        #expect(!after.contains { $0["kind"] == "backorder" || $0["kind"] == "unpaid_expired" })
    }
}
