@testable import OrderCore
import Testing

struct StatusAnchorTests {
    func engine() throws -> (Engine, JSON) {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 10])
        try engine.ok("sku.upsert", ["sku": "A1", "barcode": "690001"])
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["channel": "shopify"]))["order_id"] ?? nil
        return (engine, id)
    }

    @Test func eachSourceSeesTheAnchorInItsOwnWords() throws {
        let (engine, id) = try engine()
        try engine.ok("status.mapping", ["source": "shopify", "outbound": ["pending_payment": "pending", "paid": "paid", "shipped": "fulfilled",
                                                                           "partially_shipped": "partial", "cancelled": "voided"]])
        #expect(try engine.ok("order.status_for", ["order_id": id, "source": "shopify"])["status"] == "pending")
        try engine.ok("order.pay", ["order_id": id])
        let paid = try engine.ok("order.status_for", ["order_id": id, "source": "shopify"])
        #expect(paid["state"] == "paid" && paid["status"] == "paid")
        #expect(try engine.ok("order.status_for", ["order_id": id, "source": "erp"])["status"] == "paid")  // no mapping: canonical
    }

    @Test func aWMSEventMapsByRulesAndDisagreementShowsAsDrift() throws {
        let (engine, id) = try engine()
        try engine.ok("status.mapping", ["source": "wms", "rules": [
            ["when": ["packaged_time": "present", "logistics_no": "present"], "state": "shipped"],
            ["when": ["packaged_time": "present"], "state": "packed"],
        ]])
        try engine.ok("order.pay", ["order_id": id])
        try engine.ok("order.allocate", ["order_id": id])
        let said = try engine.ok("status.report", ["source": "wms", "order_id": id,
                                                   "fields": ["packaged_time": "2026-01-18 10:00:00", "logistics_no": "SF1"]])
        #expect(said["state"] == "shipped" && said["anchor"] == "allocated" && said["agrees"] == false)
        let drift = try engine.ok("status.drift")["drift"]?.arrayValue ?? []
        #expect(drift.count == 1 && drift.first?["reason"] == "disagrees" && drift.first?["reported_state"] == "shipped")
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "690001"], "weight_g": 0])
        try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": "SF1"])
        #expect(try engine.ok("status.drift", ["source": "wms"])["drift"] == [])  // the anchor caught up
        let packed = try engine.ok("status.report", ["source": "wms", "order_id": id, "fields": ["packaged_time": "x", "logistics_no": ""]])
        #expect(packed["state"] == "packed")
    }

    @Test func unreadableReportsAreListedToo() throws {
        let (engine, id) = try engine()
        let said = try engine.ok("status.report", ["source": "taobao", "order_id": id, "status": "WAIT_BUYER_CONFIRM_GOODS"])
        #expect(said["state"] == .null)
        #expect(try engine.ok("status.drift")["drift"]?.arrayValue?.first?["reason"] == "unmapped")
        try engine.ok("status.mapping", ["source": "taobao", "inbound": ["WAIT_BUYER_PAY": "pending_payment"]])
        #expect(try engine.ok("status.report", ["source": "taobao", "order_id": id, "status": "WAIT_BUYER_PAY"])["agrees"] == true)
        #expect(try engine.ok("status.drift")["drift"] == [])
        #expect(engine.fails("status.mapping", ["source": "x", "outbound": ["lost": "gone"]]) == .invalidInput)
        #expect(engine.fails("status.mapping", ["source": "x", "inbound": ["A": "gone"]]) == .invalidInput)
        #expect(engine.fails("status.report", ["source": "x", "order_id": id]) == .invalidInput)
        #expect(engine.fails("status.report", ["source": "x", "order_id": id, "fields": "packed"]) == .invalidInput)
    }
}
