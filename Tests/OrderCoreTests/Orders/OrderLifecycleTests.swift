@testable import OrderCore
import Testing

struct OrderLifecycleTests {
    let t0 = "2026-01-18T10:00:00Z"

    func engine(stock: Int64 = 10) throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": stock])
        return engine
    }

    /// An order created in a transaction numbers its timeline in memory (`Store.createdTimelines`); a
    /// command that fails in its savepoint takes its events back, and the numbers go on from the table.
    @Test func ordersCreatedAndChangedInOneBatchNumberTheirTimelinesInOrder() throws {
        let engine = try engine()
        let line = #""lines":[{"sku":"A1","qty":1,"unit_price":"1.00"}]"#
        let batch = """
            [{"op":"order.create",\(line)},
             {"op":"order.pay","order_id":"SO-000001"},
             {"op":"order.create",\(line)},
             {"op":"order.pay","order_id":"SO-999999"},
             {"op":"order.cancel","order_id":"SO-000001","reason":"changed mind"},
             {"op":"order.pay","order_id":"SO-000002"}]
            """
        let bytes = Array(batch.utf8)
        let answer = bytes.withUnsafeBufferPointer { engine.executeBatch($0, atomic: false) }
        #expect(answer.code == nil)
        #expect(answer.response.contains("not_found"))  // SO-999999
        func timeline(_ id: String) throws -> [String] {
            try engine.ok("order.timeline", ["order_id": .string(id)])["events"]?.arrayValue?.map {
                "\($0["seq"]?.intValue ?? 0) \($0["to"]?.stringValue ?? "")"
            } ?? []
        }
        #expect(try timeline("SO-000001") == ["1 pending_payment", "2 paid", "3 cancelled"])
        #expect(try timeline("SO-000002") == ["1 pending_payment", "2 paid"])
    }

    @Test func createReservesStockAndReturnsTheFullDocument() throws {
        let engine = try engine()
        var args = orderArgs([("A1", 3, "19.90")], ["channel": "shopify", "external_id": "1001", "currency": "CNY", "at": .string(t0),
                                                    "shipping_fee": "8.00", "tags": ["presale"], "note": "weekend"])
        args["customer"] = ["id": "c-17", "phone": "+8613312343069", "account_created_at": "2026-01-18T09:59:10Z"]
        args["ship_to"] = ["city": "Xi'an", "region": "Shaanxi", "line1": "Jiefang Rd 100"]
        args["discounts"] = [["kind": "coupon", "code": "NEW10", "amount": "10.00"], ["kind": "points", "amount": "5.00"]]
        let order = try engine.ok("order.create", args)
        #expect(order["state"] == "pending_payment")
        #expect(order["grand_total"] == "52.70")  // 59.70 - 15.00 + 8.00
        #expect(order["expires_at"] == "2026-01-18T10:15:00Z")
        #expect(order["customer"]?["phone"] == "+8613312343069")
        #expect(order["ship_to"]?["city"] == "Xi'an")
        #expect(order["lines"]?.arrayValue?.first?["reserved"] == 3)
        #expect(try engine.ok("stock.get", ["sku": "A1", "at": .string(t0)])["reserved"] == 3)
    }

    @Test func theCreateResponseIsTheDocumentOrderGetReads() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 2, "BJ": 5], b2: ["SH": 5])  // A1 must split: 2 from SH, 4 from BJ
        var args = orderArgs([("A1", 6, "19.90"), ("B2", 1, "5.00")], ["at": .string(t0), "shipping_fee": "8.00"])
        args["discounts"] = [["kind": "coupon", "code": "NEW10", "amount": "10.00"]]
        args["customer"] = ["name": "Wang"]
        let created = try engine.ok("order.create", args)
        #expect(created == (try engine.ok("order.get", ["order_id": created["order_id"] ?? nil, "at": .string(t0)])))
        #expect(created["lines"]?.arrayValue?.first?["reservations"]?.arrayValue?.count == 2)
    }

    @Test func insufficientStockNamesTheSKUAndChangesNothing() throws {
        let engine = try engine(stock: 5)
        try engine.ok("stock.receive", ["sku": "B2", "warehouse": "SH", "qty": 1])
        let result = engine.run("order.create", orderArgs([("B2", 1, "1.00"), ("A1", 6, "1.00")]))
        guard case .failure(let error) = result else { Issue.record("order was accepted"); return }
        #expect(error.code == .insufficientStock && error.details?["sku"] == "A1")
        #expect(try engine.available("A1") == 5 && engine.available("B2") == 1)
        #expect(try engine.ok("order.list")["orders"] == [])
    }

    @Test func orderValidationRefusesBadDocuments() throws {
        let engine = try engine()
        #expect(engine.fails("order.create", [:]) == .invalidInput)
        #expect(engine.fails("order.create", ["lines": []]) == .invalidInput)
        #expect(engine.fails("order.create", orderArgs([("ZZ", 1, "1.00")])) == .notFound)
        #expect(engine.fails("order.create", orderArgs([("A1", 0, "1.00")])) == .invalidInput)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.001")])) == .invalidInput)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["currency": "yuan"])) == .invalidInput)
        // Three letters are not a currency: only ISO 4217's codes are (a typo would be a currency of its own), and
        // not those that are no money an order is priced in ("no currency", testing, gold).
        for code in ["RMB", "UDS", "XXQ", "XXX", "XTS", "XAU"] {
            #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["currency": .string(code)])) == .invalidInput)
        }
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["discounts": [["kind": "bribe", "amount": "1"]]])) == .invalidInput)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["customer": ["shoe_size": "42"]])) == .invalidInput)
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["warehouse": "ZZ"])) == .notFound)
        // placed_at is a real time: from 1970 to a day ahead (a fast clock), not year 0 or 9999.
        let now = Timestamp.now()
        for bad in ["0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z", Timestamp.format(now + 90_000_000)] {
            #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["placed_at": .string(bad)])) == .invalidInput, "\(bad)")
        }
        #expect(try engine.available("A1") == 10)
        try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["placed_at": .string(Timestamp.format(now + 3_600_000))]))
        try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["placed_at": "1970-01-01T00:00:00Z"]))
    }

    @Test func theSameChannelOrderCannotBeCreatedTwice() throws {
        let engine = try engine()
        let args = orderArgs([("A1", 1, "1.00")], ["channel": "shopify", "external_id": "1001"])
        let first = try engine.ok("order.create", args)
        guard case .failure(let error) = engine.run("order.create", args) else { Issue.record("duplicate accepted"); return }
        #expect(error.code == .conflict && error.details?["order_id"] == first["order_id"])
        #expect(try engine.available("A1") == 9)
    }

    @Test func paymentConvertsTheReservationSoItNoLongerExpires() throws {
        let engine = try engine()
        let id = try engine.ok("order.create", orderArgs([("A1", 2, "5.00")], ["at": .string(t0)]))["order_id"] ?? nil
        #expect(engine.fails("order.pay", ["order_id": id, "amount": "9.99", "at": "2026-01-18T10:01:00Z"]) == .invalidInput)
        let paid = try engine.ok("order.pay", ["order_id": id, "amount": "10.00", "payment_ref": "P1", "at": "2026-01-18T10:01:00Z"])
        #expect(paid["state"] == "paid" && paid["expires_at"] == .null && paid["paid_total"] == "10.00")
        #expect(try engine.ok("sweep", ["at": "2026-01-19T10:00:00Z"])["expired_orders"] == 0)
        #expect(try engine.ok("stock.get", ["sku": "A1", "at": "2026-01-19T10:00:00Z"])["reserved"] == 2)
    }

    @Test func aRetriedPaymentCallbackIsHarmlessAndAReusedReferenceIsAConflict() throws {
        let engine = try engine()
        let a = try engine.ok("order.create", orderArgs([("A1", 1, "5.00")]))["order_id"] ?? nil
        let b = try engine.ok("order.create", orderArgs([("A1", 1, "5.00")]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": a, "payment_ref": "P1"])
        #expect(try engine.ok("order.pay", ["order_id": a, "payment_ref": "P1"])["duplicate"] == true)
        #expect(engine.fails("order.pay", ["order_id": a, "payment_ref": "P2"]) == .conflict)
        #expect(engine.fails("order.pay", ["order_id": b, "payment_ref": "P1"]) == .conflict)
        #expect(try engine.ok("order.get", ["order_id": a])["payments"]?.arrayValue?.count == 1)
    }

    @Test func paymentAfterExpiryIsAConflictAndReleasesNothingTwice() throws {
        let engine = try engine()
        let id = try engine.ok("order.create", orderArgs([("A1", 4, "1.00")], ["at": .string(t0)]))["order_id"] ?? nil
        guard case .failure(let late) = engine.run("order.pay", ["order_id": id, "at": "2026-01-18T10:15:00Z"]) else {
            Issue.record("late payment accepted"); return
        }
        #expect(late.code == .conflict && late.details?["expired_at"] == "2026-01-18T10:15:00Z")
        let swept = try engine.ok("sweep", ["at": "2026-01-18T10:16:00Z"])
        #expect(swept["expired_orders"] == 1 && swept["released_units"] == 4)
        #expect(try engine.ok("sweep", ["at": "2026-01-18T10:17:00Z"])["expired_orders"] == 0)
        #expect(try engine.ok("order.get", ["order_id": id])["cancel_reason"] == "unpaid_timeout")
        #expect(engine.fails("order.pay", ["order_id": id]) == .conflict)
        #expect(try engine.available("A1") == 10)
    }

    @Test func lapsedReservationsAreReleasedLazilyWhenTheirSKUIsTouched() throws {
        let engine = try engine(stock: 3)
        try engine.ok("order.create", orderArgs([("A1", 3, "1.00")], ["at": .string(t0)]))
        #expect(try engine.ok("stock.get", ["sku": "A1", "at": "2026-01-18T10:14:59Z"])["available"] == 0)
        // A new order 20 minutes later gets the units without waiting for a sweep.
        try engine.ok("order.create", orderArgs([("A1", 3, "1.00")], ["at": "2026-01-18T10:20:00Z"]))
        let first = try engine.ok("order.timeline", ["order_id": "SO-000001"])
        #expect(first["state"] == "cancelled")
        #expect(first["events"]?.arrayValue?.last?["details"]?["trigger"] == "lazy")
    }

    @Test func unpaidTimeoutIsConfigurable() throws {
        let engine = try engine()
        try engine.ok("config.set", ["key": "order.unpaid_timeout_minutes", "value": 60])
        #expect(try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["at": .string(t0)]))["expires_at"] == "2026-01-18T11:00:00Z")
        #expect(engine.fails("config.set", ["key": "order.unpaid_timeout_minutes", "value": 0]) == .invalidInput)
        #expect(engine.fails("config.set", ["key": "no.such.key", "value": 1]) == .invalidInput)
    }

    @Test func cancellingAPaidOrderReleasesStockAndRecordsTheRefundOwed() throws {
        let engine = try engine()
        let id = try engine.ok("order.create", orderArgs([("A1", 2, "5.00")]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id])
        let cancelled = try engine.ok("order.cancel", ["order_id": id, "reason": "out of stock at the shelf"])
        #expect(cancelled["state"] == "cancelled" && cancelled["refund_due"] == "10.00")
        #expect(cancelled["lines"]?.arrayValue?.first?["cancelled"] == 2)
        #expect(try engine.available("A1") == 10)
    }

    /// Units a person names beyond the order's are refused and change nothing: a SKU it has no line of is
    /// `not_found`, more units than it has left to cancel or refund `conflict` (a channel's refund naming what
    /// the order lacks, a fee's item, counts what matches).
    @Test func unitsAPersonNamesBeyondTheOrderAreRefused() throws {
        let engine = try engine()
        let id = try engine.ok("order.create", orderArgs([("A1", 2, "5.00")]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id])
        func fails(_ op: String, _ sku: String, _ qty: Int64) -> ErrorCode? {
            var args: JSONObject = ["order_id": id, "units": [["sku": .string(sku), "qty": .int(qty)]]]
            if op == "order.refund" { args["amount"] = "1.00" }
            return engine.fails(op, args)
        }
        #expect(fails("order.refund", "B2", 1) == .notFound && fails("order.refund", "NOPE", 1) == .notFound)
        #expect(fails("order.refund", "A1", 3) == .conflict)
        #expect(fails("order.cancel", "B2", 1) == .notFound && fails("order.cancel", "A1", 3) == .conflict)
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["refunded_total"] == "0.00" && order["lines"]?.arrayValue?.first?["refunded"] == 0, "\(order.serialized)")
        try engine.ok("order.refund", ["order_id": id, "amount": "5.00", "units": [["sku": "A1", "qty": 1]]])
        #expect(fails("order.refund", "A1", 2) == .conflict)
    }

    /// A note is kept in the timeline, by whom and when, in any state; the order itself does not change (its
    /// time in its state, which finds stuck orders, goes on).
    @Test func aNoteIsKeptInTheTimelineAndChangesNothingElse() throws {
        let engine = try engine()
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "5.00")], ["at": .string(t0)]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id, "at": .string(t0)])
        let before = try engine.ok("order.get", ["order_id": id])
        let noted = try engine.ok("order.note", ["order_id": id, "note": "buyer asks for delivery after 18:00",
                                                 "actor": "cs-li", "at": "2026-01-19T10:00:00Z"])
        #expect(noted["state"] == "paid" && noted["paid_total"] == before["paid_total"])
        let stuck = try engine.ok("order.list", ["stuck": true, "at": "2026-01-19T12:00:00Z"])["orders"]?.arrayValue ?? []
        #expect(stuck.contains { $0["order_id"] == id }, "a note does not reset the time in the state")
        let last = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue?.last
        #expect(last?["command"] == "order.note" && last?["actor"] == "cs-li" && last?["from"] == "paid" && last?["to"] == "paid")
        #expect(last?["details"]?["note"] == "buyer asks for delivery after 18:00", "\(last?.serialized ?? "")")
        try engine.ok("order.cancel", ["order_id": id, "reason": "changed mind"])
        #expect(try engine.ok("order.note", ["order_id": id, "note": "refund promised by Friday"])["state"] == "cancelled")
        #expect(engine.fails("order.note", ["order_id": id, "note": ""]) == .invalidInput)
        #expect(engine.fails("order.note", ["order_id": "SO-999999", "note": "x"]) == .notFound)
    }

    @Test func illegalTransitionsNameTheStateAndWhatIsAllowed() throws {
        let engine = try engine()
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "1.00")]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id])
        guard case .failure(let error) = engine.run("order.pay", ["order_id": id]) else { Issue.record("paid twice"); return }
        #expect(error.code == .conflict && error.details?["state"] == "paid")
        #expect(error.details?["allowed"] == ["order.allocate", "order.pickup", "order.hold", "order.cancel"])
        try engine.ok("order.cancel", ["order_id": id])
        #expect(engine.fails("order.cancel", ["order_id": id]) == .conflict)
        #expect(engine.fails("order.cancel", ["order_id": "SO-999999"]) == .notFound)
    }

    @Test func timelineRecordsEveryTransitionWithTimeAndActor() throws {
        let engine = try engine()
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["at": .string(t0), "actor": "erp"]))["order_id"] ?? nil
        try engine.ok("order.pay", ["order_id": id, "at": "2026-01-18T10:05:00Z", "actor": "gateway"])
        try engine.ok("order.cancel", ["order_id": id, "at": "2026-01-18T11:00:00Z", "actor": "shell:ops"])
        let events = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue ?? []
        #expect(events.map { $0["to"] } == ["pending_payment", "paid", "cancelled"])
        #expect(events.map { $0["from"] } == [.null, "pending_payment", "paid"])
        #expect(events.map { $0["actor"] } == ["erp", "gateway", "shell:ops"])
        #expect(events.map { $0["at"] } == [.string(t0), "2026-01-18T10:05:00Z", "2026-01-18T11:00:00Z"])
    }

    @Test func listFiltersAndPagesNewestFirst() throws {
        let engine = try engine()
        for i in 0..<5 {
            try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["channel": i % 2 == 0 ? "web" : "pos"]))
        }
        try engine.ok("order.cancel", ["order_id": "SO-000002"])
        let page = try engine.ok("order.list", ["limit": 2])
        #expect(page["orders"]?.arrayValue?.map { $0["order_id"] } == ["SO-000005", "SO-000004"])
        let next = try engine.ok("order.list", ["limit": 2, "after": page["next"] ?? nil])
        #expect(next["orders"]?.arrayValue?.map { $0["order_id"] } == ["SO-000003", "SO-000002"])
        #expect(try engine.ok("order.list", ["channel": "web"])["orders"]?.arrayValue?.count == 3)
        #expect(try engine.ok("order.list", ["state": "cancelled"])["orders"]?.arrayValue?.count == 1)
        #expect(engine.fails("order.list", ["state": "lost"]) == .invalidInput)
    }

    @Test func pinnedWarehouseAndSplitReservations() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 2, "BJ": 2])
        let split = try engine.ok("order.create", orderArgs([("A1", 3, "1.00")]))
        let holds = split["lines"]?.arrayValue?.first?["reservations"]?.arrayValue ?? []
        #expect(holds.map { $0["warehouse"] } == ["SH", "BJ"] && holds.map { $0["qty"] } == [2, 1])
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")], ["warehouse": "SH"])) == .insufficientStock)
        try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["warehouse": "BJ"]))
    }
}
