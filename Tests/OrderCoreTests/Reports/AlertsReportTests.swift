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

    /// An alert nothing clears by itself (units to put back) is closed by the person who dealt with it, with a
    /// note: it leaves the list, keeps who and why, and the feed says it cleared. One whose cause clears it
    /// (a backorder) is not closed by hand; one about money, possible fraud or an event not taken in is a supervisor's to
    /// close.
    @Test func aPersonClosesAnAlertNothingClearsWithANote() throws {
        let engine = try Engine(test: temporaryDirectory() + "/resolve.db")
        try engine.seedCatalog(a1: ["SH": 5])
        try engine.ok("actor.upsert", ["actor_id": "boss", "role": "admin"])
        try engine.ok("actor.upsert", ["actor_id": "lead", "role": "supervisor"])
        try engine.ok("actor.upsert", ["actor_id": "op", "role": "operator"])
        // Picked, then one unit cancelled: a person puts it back.
        let id = try engine.ok("order.create", orderArgs([("A1", 2, "5.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": id])
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pick", ["order_id": id])
        try engine.ok("order.cancel", ["order_id": id, "units": [["sku": "A1", "qty": 1]]])
        func open() throws -> [JSON] { try engine.ok("report.alerts")["items"]?.arrayValue ?? [] }
        let putBack = try #require(try open().first { $0["kind"] == "refunded_unshipped" })
        let alertID = try #require(putBack["alert_id"])
        #expect(putBack["resolve"]?.stringValue?.hasSuffix("when dealt with: alert.resolve \(alertID.serialized) \"what was done\"") == true,
                "\(putBack.serialized)")
        #expect(engine.fails("alert.resolve", ["alert_id": alertID, "note": ""]) == .invalidInput)
        let closed = try engine.ok("alert.resolve", ["alert_id": alertID, "note": "put back on A-01", "actor": "op"])
        #expect(closed["cleared_at"] != .null && closed["details"]?["resolved_by"] == "op"
                && closed["details"]?["resolution"] == "put back on A-01", "\(closed.serialized)")
        #expect(try !open().contains { $0["kind"] == "refunded_unshipped" })
        let events = try engine.ok("events.read", ["limit": 1000])["events"]?.arrayValue ?? []
        #expect(events.contains { $0["alert"] == "refunded_unshipped" && $0["state"] == "cleared" }, "\(events)")
        #expect(engine.fails("alert.resolve", ["alert_id": alertID, "note": "again"]) == .conflict)
        #expect(engine.fails("alert.resolve", ["alert_id": 9999, "note": "?"]) == .notFound)

        // A backorder clears when the order is no longer short, not by hand.
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "csv"])
        try engine.ok("intake.ingest", ["channel": "shop", "payload":
            "order_id,placed_at,currency,status,sku,qty,unit_price\no-1,2026-06-01T08:00:00Z,CNY,paid,A1,5,1.00"])
        let short = try #require(try open().first { $0["kind"] == "backorder" }?["alert_id"])
        #expect(engine.fails("alert.resolve", ["alert_id": short, "note": "ignore"]) == .conflict)

        // An event not taken in is a supervisor's to close (the order it held may be lost otherwise).
        try engine.ok("intake.ingest", ["channel": "shop", "payload":
            "order_id,placed_at,currency,status,sku,qty,unit_price\no-2,2026-06-01T08:00:00Z,CNY,paid,NOPE,1,1.00"])
        let dead = try #require(try open().first { $0["kind"] == "dead_letter" }?["alert_id"])
        #expect(engine.fails("alert.resolve", ["alert_id": dead, "note": "a test order", "actor": "op"]) == .forbidden)
        try engine.ok("alert.resolve", ["alert_id": dead, "note": "a test order from the shop's staff", "actor": "lead"])
    }
}
