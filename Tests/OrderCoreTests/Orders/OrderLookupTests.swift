@testable import OrderCore
import Testing

/// Customer service: `order.find` by what the buyer or carrier knows, `order.view` in one answer.
struct OrderLookupTests {
    func engine() throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 20])
        try engine.ok("channel.upsert", ["channel": "shop"])
        try engine.ok("channel.upsert", ["channel": "tmall"])
        return engine
    }

    @discardableResult
    func order(_ engine: Engine, channel: String, external: String, phone: String, email: String, customer: String)
        throws -> JSON
    {
        let buyer: JSON = ["id": .string(customer), "phone": .string(phone), "email": .string(email), "name": "Wang"]
        return try engine.ok(
            "order.create",
            orderArgs([("A1", 1, "10.00")], ["channel": .string(channel), "external_id": .string(external), "customer": buyer])
        )["order_id"] ?? .null
    }

    @Test func findsByEachKeyNewestFirst() throws {
        let engine = try engine()
        let first = try order(engine, channel: "shop", external: "1001", phone: "+8613300000001", email: "Wang@Example.com",
                              customer: "c-1")
        let second = try order(engine, channel: "tmall", external: "1001", phone: "+8613300000001", email: "wang@example.com",
                               customer: "c-1")
        let other = try order(engine, channel: "shop", external: "2002", phone: "+8613300000002", email: "li@example.com",
                              customer: "c-2")
        func found(_ args: JSONObject) throws -> [JSON] {
            try engine.ok("order.find", args)["orders"]?.arrayValue?.compactMap { $0["order_id"] } ?? []
        }
        #expect(try found(["external_id": "1001"]) == [second, first])  // the same number on two channels
        #expect(try found(["phone": "+8613300000001"]) == [second, first])
        #expect(try found(["email": "wang@example.com"]) == [second, first])  // stored in two spellings
        #expect(try found(["customer": "c-2"]) == [other])
        #expect(try found(["external_id": "1001", "customer": "c-2"]).isEmpty)  // every key given must match
        #expect(try found(["phone": "+8613300000001", "limit": 1]) == [second])
        #expect(try found(["phone": "133 0000 0001", "email": "WANG+cs@example.com"]) == [second, first])
        // A masked phone names thousands of buyers, a short one no one: a clear error, not an empty answer.
        #expect(engine.fails("order.find", ["phone": "133****0001"]) == .invalidInput)
        #expect(engine.fails("order.find", ["phone": "12"]) == .invalidInput)
        #expect(engine.fails("order.find", [:]) == .invalidInput)
        #expect(engine.fails("order.find", ["order_id": first]) == .invalidInput)  // not a search key

        try engine.ok("order.pay", ["order_id": other])
        try engine.ok("order.allocate", ["order_id": other])
        try engine.ok("order.pack", ["order_id": other, "scans": [other, "A1"], "weight_g": 100])
        try engine.ok("order.ship", ["order_id": other, "carrier": "sf", "tracking_no": "SF123"])
        #expect(try found(["tracking_no": "SF123"]) == [other])
    }

    @Test func theViewHasTheLatestCheckpointReturnsAndTimeline() throws {
        let engine = try engine()
        let id = try order(engine, channel: "shop", external: "3003", phone: "+86133", email: "a@b.c", customer: "c-3")
        try engine.ok("order.pay", ["order_id": id, "at": "2026-05-01T08:00:00Z"])
        try engine.ok("order.allocate", ["order_id": id, "at": "2026-05-01T09:00:00Z"])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1"], "weight_g": 100, "at": "2026-05-01T10:00:00Z"])
        try engine.ok("order.ship", ["order_id": id, "carrier": "sf", "tracking_no": "SF9", "at": "2026-05-01T11:00:00Z"])
        for (status, time, location) in [("in_transit", "2026-05-02T08:00:00Z", "Hangzhou hub"),
                                         ("out_for_delivery", "2026-05-03T07:00:00Z", "Shanghai Pudong"),
                                         ("in_transit", "2026-05-02T20:00:00Z", "Shanghai hub")] {  // arrives late
            try engine.ok("tracking.event", ["carrier": "sf", "tracking_no": "SF9", "status": .string(status),
                                             "time": .string(time), "location": .string(location)])
        }
        var view = try engine.ok("order.view", ["order_id": id])
        let tracking = view["tracking"]?.arrayValue?.first
        #expect(tracking?["tracking_no"] == "SF9" && tracking?["latest"]?["status"] == "out_for_delivery")
        #expect(tracking?["latest"]?["location"] == "Shanghai Pudong" && tracking?["latest"]?["time"] == "2026-05-03T07:00:00Z")
        #expect(view["returns"] == [] && view["order_id"] == id && view["lines"]?.arrayValue?.count == 1)
        #expect(view["timeline"]?.arrayValue?.compactMap { $0["to"] }.last == "shipped")

        try engine.ok("tracking.event", ["carrier": "sf", "tracking_no": "SF9", "status": "delivered", "time": "2026-05-03T09:00:00Z"])
        let rt = try engine.ok("return.request", ["order_id": id, "reason": "changed_mind", "lines": [["sku": "A1", "qty": 1]]])
        let returnID = rt["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": returnID])
        try engine.ok("return.receive", ["return_id": returnID, "warehouse": "SH", "lines": [["sku": "A1", "qty": 1]], "grade": "resellable"])
        try engine.ok("return.refund", ["return_id": returnID, "refund_ref": "RF-1"])
        view = try engine.ok("order.view", ["order_id": id])
        let returned = view["returns"]?.arrayValue?.first
        #expect(returned?["return_id"] == returnID && returned?["state"] == "refunded")
        #expect(returned?["refunds"]?.arrayValue?.first?["refund_ref"] == "RF-1")
        #expect(returned?["refunds"]?.arrayValue?.first?["cash"] == "10.00")
        #expect(engine.fails("order.view", ["order_id": "SO-404"]) == .notFound)
    }

    /// Each search key is an index lookup: finding does not read every order.
    @Test func findingDoesNotScanTheOrders() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 1_000])
        try engine.ok("channel.upsert", ["channel": "shop"])
        for i in 0..<300 {
            try order(engine, channel: "shop", external: "E\(i)", phone: "+86 133 \(10_000_000 + i)", email: "B\(i)@x.com",
                      customer: "c\(i)")
        }
        func search() throws {
            for args: JSONObject in [["external_id": "E7"], ["phone": "133-1000-0007"], ["email": "b7@X.com"], ["customer": "c7"],
                                     ["tracking_no": "none"]] {
                #expect(try engine.ok("order.find", args)["orders"]?.arrayValue?.count == (args["tracking_no"] == nil ? 1 : 0))
            }
            try engine.ok("order.view", ["order_id": "SO-000007"])
        }
        try search()
        _ = engine.fullScanSteps()
        try search()
        let scanned = engine.fullScanSteps()
        #expect(scanned < 50, "order.find and order.view visited \(scanned) rows in full scans")
    }

    /// An order's problems have an owner in report.alerts; an item left 4 hours goes to a supervisor.
    @Test func ownersAndEscalationInTheAlertList() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 5])
        for (actor, role) in [("boss", "admin"), ("sue", "supervisor"), ("op", "operator")] {
            try engine.ok("actor.upsert", ["actor_id": .string(actor), "role": .string(role)])
        }
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["at": "2026-07-01T09:00:00Z"]))["order_id"] ?? .null
        func item(at: String) throws -> JSON? {
            try engine.ok("report.alerts", ["at": .string(at)])["items"]?.arrayValue?.first { $0["order_id"] == id }
        }
        var expired = try item(at: "2026-07-01T10:00:00Z")  // unpaid since 9:15
        #expect(expired?["kind"] == "unpaid_expired" && expired?["owner"] == .null && expired?["escalated"] == false)

        #expect(engine.fails("order.assign", ["order_id": id, "owner": "op", "actor": "op"]) == .forbidden)
        #expect(engine.fails("order.assign", ["order_id": id, "owner": "nobody", "actor": "sue"]) == .notFound)
        let assigned = try engine.ok("order.assign", ["order_id": id, "owner": "op", "actor": "sue", "at": "2026-07-01T09:30:00Z"])
        #expect(assigned["owner"] == "op")
        expired = try item(at: "2026-07-01T13:14:00Z")
        #expect(expired?["owner"] == "op" && expired?["escalated"] == false)
        expired = try item(at: "2026-07-01T13:15:00Z")
        #expect(expired?["escalated"] == true)
        let timeline = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue ?? []
        #expect(timeline.last?["command"] == "order.assign" && timeline.last?["actor"] == "sue")
        try engine.ok("order.assign", ["order_id": id, "owner": .null, "actor": "sue"])
        #expect(try engine.ok("order.get", ["order_id": id])["owner"] == .null)
    }
}
