@testable import OrderCore
import Testing

/// Fraud verdicts from outside OrderCore (`risk.report`): a channel's fraud analysis that says high holds an order
/// that has not shipped, medium queues it, and a lower one later lifts nothing.
struct RiskReportTests {
    let dir = temporaryDirectory()
    let engine: Engine

    init() throws {
        engine = try Engine(test: dir + "/reports.db")
        try engine.seedCatalog(a1: ["SH": 10])
        try engine.ok("sku.upsert", ["sku": "A1", "barcode": "690001", "weight_g": 300])
        try engine.ok("actor.upsert", ["actor_id": "boss", "role": "admin"])
        try engine.ok("actor.upsert", ["actor_id": "op", "role": "operator"])
    }

    func paidOrder() throws -> JSON {
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "10.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": id])
        return id
    }

    func state(_ id: JSON) throws -> String? { try engine.ok("order.get", ["order_id": id])["state"]?.stringValue }

    @Test func aHighVerdictHoldsTheOrderAndALowerOneLiftsNothing() throws {
        let id = try paidOrder()
        let high: JSONObject = [
            "order_id": id, "source": "shopify-risk-1", "level": "high", "message": "placed from an anonymous proxy",
        ]
        #expect(engine.fails("risk.report", high.merging(["actor": "op"])) == .forbidden, "a verdict is a supervisor's")
        try engine.ok("risk.report", high)
        #expect(try state(id) == "on_hold")
        let risk = try engine.ok("risk.get", ["order_id": id])
        #expect(risk["decision"] == "hold" && risk["score"] == 85, "\(risk.serialized)")
        #expect(risk["reasons"]?.arrayValue?.first?["reason"] == "shopify-risk-1 rates it high risk: placed from an anonymous proxy")
        #expect(risk["reports"]?.arrayValue?.map { $0["level"] } == ["high"])
        #expect(try engine.ok("risk.report", high)["duplicate"] == true)
        // The same source says low now: the hold stands until a person reviews the order.
        try engine.ok("risk.report", ["order_id": id, "source": "shopify-risk-1", "level": "low"])
        #expect(try state(id) == "on_hold")
        try engine.ok("risk.review", ["order_id": id, "decision": "approve", "reason": "called the buyer"])
        #expect(try state(id) == "paid")
        let reported = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue?
            .filter { $0["command"] == "risk.report" }.map { $0["details"]?["level"] }
        #expect(reported == ["high", "low"])
        #expect(engine.fails("risk.report", ["order_id": id, "source": "x", "level": "severe"]) == .invalidInput)
    }

    /// Medium queues the order for review; high on an order waiting in that queue (not held) holds it — it waited
    /// for a person, but nothing stopped it shipping. An order that has left is only recorded.
    @Test func mediumQueuesHighThenHoldsAndAShippedOrderIsOnlyRecorded() throws {
        let id = try paidOrder()
        try engine.ok("risk.report", ["order_id": id, "source": "gateway", "level": "medium"])
        #expect(try state(id) == "paid")
        #expect(try engine.ok("risk.queue")["orders"]?.arrayValue?.map { $0["order_id"] } == [id])
        try engine.ok("risk.report", ["order_id": id, "source": "shopify", "level": "high"])
        #expect(try state(id) == "on_hold")

        let shipped = try paidOrder()
        try engine.ok("order.allocate", ["order_id": shipped])
        try engine.ok("order.pick", ["order_id": shipped])
        try engine.ok("order.pack", ["order_id": shipped, "scans": [shipped, "690001"], "weight_g": 300])
        try engine.ok("order.ship", ["order_id": shipped, "carrier": "SF", "tracking_no": "SF1"])
        try engine.ok("risk.report", ["order_id": shipped, "source": "shopify", "level": "high"])
        #expect(try state(shipped) == "shipped")
        #expect(try engine.ok("risk.get", ["order_id": shipped])["reports"]?.arrayValue?.count == 1)
    }
}
