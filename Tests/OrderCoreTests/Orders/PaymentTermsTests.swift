@testable import OrderCore
import Testing

/// Payment terms: an order sold on credit (B2B net terms, due on fulfilment) ships before it is paid, as
/// cash on delivery does, but nobody collects at the door: the money is chased once it is due, and only
/// a supervisor (or the host, or a channel) extends the credit.
struct PaymentTermsTests {
    let dir = temporaryDirectory()
    let engine: Engine

    init() throws {
        engine = try Engine(test: dir + "/terms.db")
        try engine.seedCatalog(a1: ["SH": 10], b2: ["SH": 10])
        try engine.ok("sku.upsert", ["sku": "A1", "barcode": "690001", "weight_g": 300])
        try engine.ok("channel.upsert", ["channel": "shopify", "profile": "shopify"])
    }

    func termsOrder(_ terms: JSON = ["name": "Net 30", "due_in_days": 30], _ extra: JSONObject = [:]) throws -> JSON {
        var args = orderArgs([("A1", 2, "50.00")], extra)
        args["payment_terms"] = terms
        return try engine.ok("order.create", args)
    }

    func ship(_ id: JSON) throws {
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pick", ["order_id": id])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "690001", "690001"], "weight_g": 600])
        try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": .string("SF-\(id)")])
    }

    func sweep(days: Int64) throws -> JSON {
        try engine.ok("sweep", ["at": .string(Timestamp.format(Timestamp.now() + days * 86_400_000))])
    }

    func overdue() throws -> [JSON] {
        (try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []).filter { $0["kind"] == "payment_overdue" }
    }

    @Test func anOrderOnTermsShipsUnpaidAndIsChasedOnceDue() throws {
        let created = try termsOrder()
        let id = created["order_id"] ?? nil
        #expect(created["state"] == "pending_payment" && created["cash_on_delivery"] == false)
        #expect(created["payment_terms"]?["name"] == "Net 30")
        let due = try #require(created["payment_terms"]?["due_at"]?.stringValue.flatMap(Timestamp.parse))
        #expect(abs(due - Timestamp.now() - 30 * 86_400_000) < 60_000, "30 days after it was placed")
        #expect(created["expires_at"] == .null, "its stock is held for good: it ships before it is paid")
        try engine.ok("sweep", ["at": .string(Timestamp.format(Timestamp.now() + 3_600_000))])
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "pending_payment", "not closed unpaid")
        try ship(id)
        let shipped = try engine.ok("order.get", ["order_id": id])
        #expect(shipped["state"] == "shipped" && shipped["paid_total"] == "0.00" && shipped["balance_due"] == "100.00")
        #expect(try sweep(days: 29)["payment_overdue"] == 0 && overdue().isEmpty)
        let late = try sweep(days: 31)
        #expect(late["payment_overdue"] == 1 && late["cod_uncollected"] == 0, "nobody collects it at the door")
        let alert = try #require(overdue().first)
        #expect(alert["order_id"] == id && alert["details"]?["amount_due"] == "100.00")
        #expect(alert["details"]?["payment_terms"] == "Net 30")
        #expect(try sweep(days: 60)["cod_uncollected"] == 0)
        // Paid in instalments: the alert stays until nothing is owed.
        try engine.ok("order.pay", ["order_id": id, "amount": "60.00", "payment_ref": "WIRE-1"])
        #expect(try overdue().first?["details"]?["amount_due"] == "100.00", "the alert as opened")
        #expect(try sweep(days: 32)["payment_overdue"] == 1)
        #expect(try overdue().first?["details"]?["amount_due"] == "40.00", "the sweep tells what is still owed")
        let paid = try engine.ok("order.pay", ["order_id": id, "payment_ref": "WIRE-2"])
        #expect(paid["payment_status"] == "paid" && paid["state"] == "shipped")
        #expect(try overdue().isEmpty && sweep(days: 33)["payment_overdue"] == 0)
        #expect(engine.fails("alert.resolve", ["alert_id": alert["id"] ?? nil, "note": "paid"]) != nil)
    }

    @Test func dueOnFulfilmentItIsDueOnceItShips() throws {
        let id = try termsOrder(["name": "Due on fulfillment"])["order_id"] ?? nil
        #expect(try engine.ok("order.get", ["order_id": id])["payment_terms"]?["due_at"] == .null)
        #expect(try sweep(days: 90)["payment_overdue"] == 0, "not due before its goods leave")
        try ship(id)
        #expect(try sweep(days: 1)["payment_overdue"] == 1)
        #expect(try overdue().first?["details"]?["due_at"] != nil)
    }

    @Test func whatIsNoLongerOwedIsNotChased() throws {
        // Cancelled before it shipped: nothing was sold, nothing is owed.
        let cancelled = try termsOrder(["name": "Net 7", "due_in_days": 7])["order_id"] ?? nil
        try engine.ok("order.cancel", ["order_id": cancelled])
        // Sent back whole: the goods' value comes off what is due.
        let returned = try termsOrder(["name": "Net 7", "due_in_days": 7])["order_id"] ?? nil
        try ship(returned)
        #expect(try sweep(days: 8)["payment_overdue"] == 1)
        let rid = try engine.ok(
            "return.request", ["order_id": returned, "reason": "changed_mind", "lines": [["sku": "A1", "qty": 2]]]
        )["return_id"] ?? nil
        try engine.ok("return.approve", ["return_id": rid])
        try engine.ok("return.receive", ["return_id": rid, "warehouse": "SH", "lines": [["sku": "A1", "resellable": 2]]])
        let refund = try engine.ok("return.refund", ["return_id": rid])["refunds"]?.arrayValue?.first
        #expect(refund?["cash"] == "0.00" && refund?["written_off"] == "100.00", "nothing was paid: nothing goes back")
        #expect(try overdue().isEmpty && sweep(days: 9)["payment_overdue"] == 0)
    }

    /// An invoice the buyer will not pay: a supervisor gives the money up (an admin for much), and nothing
    /// chases it any more.
    @Test func moneyThatWillNotComeIsWrittenOff() throws {
        try engine.ok("actor.upsert", ["actor_id": "op", "role": "operator"])
        try engine.ok("actor.upsert", ["actor_id": "lead", "role": "supervisor"])
        try engine.ok("actor.upsert", ["actor_id": "boss", "role": "admin"])
        let id = try termsOrder(["name": "Net 7", "due_in_days": 7], ["actor": "lead"])["order_id"] ?? nil
        let write: (JSONObject) -> JSONObject = { var args = $0; args["order_id"] = id; return args }
        #expect(engine.fails("order.write_off", write(["reason": "not shipped yet"])) == .conflict, "cancel instead")
        try ship(id)
        #expect(try sweep(days: 8)["payment_overdue"] == 1)
        try engine.ok("order.pay", ["order_id": id, "amount": "30.00"])
        #expect(engine.fails("order.write_off", write(["reason": "bankrupt", "actor": "op"])) == .forbidden)
        #expect(engine.fails("order.write_off", write(["actor": "lead"])) == .invalidInput, "say why")
        #expect(engine.fails("order.write_off", write(["reason": "x", "amount": "70.01", "actor": "lead"])) == .invalidInput)
        try engine.ok("config.set", ["key": "returns.admin_above", "value": 50])
        #expect(engine.fails("order.write_off", write(["reason": "bankrupt", "actor": "lead"])) == .forbidden)
        let part = try engine.ok("order.write_off", write(["reason": "damaged in transit", "amount": "20.00", "actor": "lead"]))
        #expect(part["balance_due"] == "50.00" && part["state"] == "shipped")
        #expect(
            engine.fails("order.write_off", write(["reason": "bankrupt", "amount": "40.00", "actor": "lead"])) == .forbidden,
            "with the 20.00 before, more than 50.00")
        #expect(try overdue().count == 1, "50.00 is still owed")
        let off = try engine.ok("order.write_off", write(["reason": "the buyer went bankrupt", "actor": "boss"]))
        #expect(off["balance_due"] == "0.00" && off["paid_total"] == "30.00" && off["state"] == "shipped")
        #expect(try overdue().isEmpty && sweep(days: 9)["payment_overdue"] == 0)
        #expect(engine.fails("order.write_off", write(["reason": "again", "actor": "boss"])) == .conflict, "owes nothing")
        let timeline = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue ?? []
        let entries = timeline.filter { $0["command"] == "order.write_off" }
        #expect(entries.map { $0["details"]?["amount"] } == ["20.00", "50.00"])
        #expect(entries.last?["actor"] == "boss" && entries.last?["details"]?["reason"] == "the buyer went bankrupt")
    }

    @Test func termsAreNamedAndCannotBeCombinedWithAnotherWayToPay() throws {
        for (terms, extra) in [
            (["due_in_days": 30] as JSON, JSONObject()),  // no name
            (["name": ""], [:]),
            (["name": "Net 30", "due_in_days": 30, "due_at": "2026-03-01T00:00:00Z"], [:]),
            (["name": "Net 30", "due_in_days": -1], [:]),
            (["name": "Net 30", "due_in_days": "30"], [:]),
            (["name": "Net 30", "due_at": "next month"], [:]),
            (["name": "Net 30", "grace_days": 5], [:]),
            ("Net 30", [:]),
            (["name": "Net 30"], ["cash_on_delivery": true]),
            (["name": "Net 30"], ["deposit": "10.00"]),
            (["name": "Net 30"], ["reserve_at": "payment"]),
        ] as [(JSON, JSONObject)] {
            var args = orderArgs([("A1", 2, "50.00")], extra)
            args["payment_terms"] = terms
            let what = terms.serialized + " " + JSON.object(extra).serialized
            #expect(engine.fails("order.create", args) == .invalidInput, "\(what)")
        }
        #expect(try engine.available("A1") == 10, "nothing held by the refusals")
        let due = try termsOrder(["name": "Net 30", "due_at": "2026-03-01T00:00:00+08:00"])
        #expect(due["payment_terms"]?["due_at"] == "2026-02-28T16:00:00Z")
    }

    @Test func ordersOnTermsWaitingForAllocationAreListedApartFromCheckouts() throws {
        let checkout = try engine.ok("order.create", orderArgs([("A1", 1, "50.00")]))["order_id"] ?? nil
        let terms = try termsOrder()["order_id"] ?? nil
        func listed(_ onTerms: Bool) throws -> [JSON] {
            let args: JSONObject = ["state": "pending_payment", "payment_terms": .bool(onTerms), "cash_on_delivery": false]
            return try engine.ok("order.list", args)["orders"]?.arrayValue ?? []
        }
        #expect(try listed(true).map { $0["order_id"] } == [terms])
        #expect(try listed(true).first?["payment_terms"] == "Net 30")
        #expect(try listed(false).map { $0["order_id"] } == [checkout])
        #expect(engine.fails("order.pickup", ["order_id": terms]) == .conflict, "handed over at the counter once paid")
    }

    /// Shipping before the money comes is credit given to the buyer: a supervisor's, not an operator's.
    @Test func onlyASupervisorSellsOnCredit() throws {
        try engine.ok("actor.upsert", ["actor_id": "op", "role": "operator"])
        try engine.ok("actor.upsert", ["actor_id": "lead", "role": "supervisor"])
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "50.00")], [
            "actor": "op", "payment_terms": ["name": "Net 30", "due_in_days": 30],
        ])) == .forbidden)
        #expect(try engine.available("A1") == 10)
        #expect(try engine.ok("order.create", orderArgs([("A1", 1, "50.00")], ["actor": "op"]))["state"] == "pending_payment")
        let credit = try engine.ok("order.create", orderArgs([("A1", 1, "50.00")], [
            "actor": "lead", "payment_terms": ["name": "Net 30", "due_in_days": 30],
        ]))
        #expect(credit["payment_terms"]?["name"] == "Net 30")
    }

    // MARK: - Shopify

    /// A Shopify B2B order on net terms: `pending` until the buyer pays, to be fulfilled first.
    func shopify(
        _ financial: String, outstanding: String = "100.00", terms: JSON? = nil, due: String = "2026-02-17T10:00:00Z"
    ) -> JSON {
        ["order": [
            "id": 9001, "created_at": "2026-01-18T10:00:00Z", "currency": "USD",
            "financial_status": .string(financial), "payment_gateway_names": [],
            "total_price": "100.00", "current_total_price": "100.00", "total_outstanding": .string(outstanding),
            "payment_terms": terms ?? [
                "amount": 100, "currency": "USD", "payment_terms_name": "Net 30", "payment_terms_type": "NET",
                "due_in_days": 30,
                "payment_schedules": [["amount": 100, "currency": "USD", "issued_at": "2026-01-18T10:00:00Z",
                                       "due_at": .string(due), "completed_at": .null]],
            ],
            "line_items": [["id": 1, "sku": "A1", "quantity": 2, "price": "50.00"]],
        ]]
    }

    /// The payload as Shopify sends it on 2026-01-`day` (`updated_at`: a later one is newer).
    func at(_ day: Int, _ payload: JSON) -> JSON {
        var order = payload["order"]?.objectValue ?? [:]
        order["updated_at"] = .string("2026-01-\(day)T10:00:00Z")
        return ["order": .object(order)]
    }

    func ingest(_ payload: JSON) throws -> JSON {
        let outcome = try engine.ok("intake.ingest", ["channel": "shopify", "payload": payload])
        #expect(outcome["state"] == "applied", "\(outcome.serialized)")
        return outcome["events"]?.arrayValue?.first ?? .null
    }

    @Test func aShopifyOrderOnNetTermsShipsHereBeforeItIsPaid() throws {
        let e = try ingest(shopify("pending"))
        #expect(e["state"] == "pending_payment")
        let id = e["order_id"] ?? nil
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["payment_terms"] == ["name": "Net 30", "due_at": "2026-02-17T10:00:00Z"])
        #expect(order["cash_on_delivery"] == false)
        try ship(id)
        #expect(try sweep(days: 0)["payment_overdue"] == 1, "due on 2026-02-17")
        let paid = try ingest(shopify("paid", outstanding: "0.00"))
        #expect(paid["action"] == "paid" && paid["state"] == "shipped")
        #expect(try overdue().isEmpty)
    }

    @Test func aShopifyOrderOnTermsPaidInPartShipsWithThatPartRecorded() throws {
        let e = try ingest(shopify("partially_paid", outstanding: "70.00"))
        #expect(e["state"] == "pending_payment", "not a pre-sale's deposit: it ships before the rest is paid")
        let id = e["order_id"] ?? nil
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["paid_total"] == "30.00" && order["balance_due"] == "70.00")
        try ship(id)
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "shipped")
    }

    @Test func aShopifyGraphQLOrderCarriesItsTermsToo() throws {
        try engine.ok("channel.upsert", ["channel": "shopify-gql", "profile": "shopify_graphql"])
        let order: JSON = ["data": ["order": [
            "id": "gid://shopify/Order/9002", "createdAt": "2026-01-18T10:00:00Z", "currencyCode": "USD",
            "displayFinancialStatus": "PENDING", "displayFulfillmentStatus": "UNFULFILLED",
            "paymentTerms": ["paymentTermsName": "Net 60", "paymentTermsType": "NET", "dueInDays": 60,
                             "paymentSchedules": ["nodes": [["dueAt": "2026-03-19T10:00:00Z"]]]],
            "lineItems": ["edges": [["node": [
                "sku": "A1", "quantity": 2, "originalUnitPriceSet": ["shopMoney": ["amount": "50.00"]],
            ]]]],
        ]]]
        let outcome = try engine.ok("intake.ingest", ["channel": "shopify-gql", "payload": order])
        let id = outcome["events"]?.arrayValue?.first?["order_id"] ?? nil
        let got = try engine.ok("order.get", ["order_id": id])
        #expect(got["payment_terms"] == ["name": "Net 60", "due_at": "2026-03-19T10:00:00Z"], "\(outcome.serialized)")
        #expect(try engine.ok("order.allocate", ["order_id": id])["state"] == "allocated")
    }

    /// Shopify's `paymentTermsCreate` gives an order placed unpaid its terms afterwards, `paymentTermsUpdate`
    /// moves the due date: the order here follows.
    @Test func termsShopifyGivesAnOrderLaterAreFollowed() throws {
        let id = try ingest(at(18, shopify("pending", terms: .null)))["order_id"] ?? nil
        #expect(engine.fails("order.allocate", ["order_id": id]) == .conflict)
        #expect(try engine.soldToday("A1") == 0)
        let given = try ingest(at(19, shopify("pending")))
        #expect(given["action"] == "payment_terms_changed" && given["state"] == "pending_payment")
        #expect(try engine.ok("order.get", ["order_id": id])["payment_terms"]?["due_at"] == "2026-02-17T10:00:00Z")
        #expect(try engine.soldToday("A1") == 2, "sold on credit: counted as cash on delivery is")
        #expect(try engine.ok("order.allocate", ["order_id": id])["state"] == "allocated")
        let later = shopify("pending", due: "2026-03-19T10:00:00Z")
        #expect(try ingest(at(20, later))["action"] == "payment_terms_changed")
        #expect(try engine.ok("order.get", ["order_id": id])["payment_terms"]?["due_at"] == "2026-03-19T10:00:00Z")
        #expect(try ingest(at(21, later))["action"] == "unchanged", "the same terms again change nothing")
        #expect(try ingest(at(22, shopify("pending", terms: .null)))["action"] == "unchanged", "allocated on credit")
        let timeline = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue ?? []
        #expect(timeline.filter { $0["command"] == "channel.payment_terms" }.count == 2)
        #expect(try engine.soldToday("A1") == 2, "counted once")
    }

    /// A B2B invoice paid in instalments: each one Shopify reports is recorded as it comes.
    @Test func instalmentsShopifyReportsAreRecorded() throws {
        let id = try ingest(at(18, shopify("pending")))["order_id"] ?? nil
        try ship(id)
        #expect(try sweep(days: 0)["payment_overdue"] == 1)
        #expect(try ingest(at(19, shopify("partially_paid", outstanding: "70.00")))["action"] == "shipped")
        var order = try engine.ok("order.get", ["order_id": id])
        #expect(order["paid_total"] == "30.00" && order["balance_due"] == "70.00" && order["state"] == "shipped")
        #expect(try ingest(at(20, shopify("partially_paid", outstanding: "70.00")))["action"] == "unchanged")
        #expect(try ingest(at(21, shopify("partially_paid", outstanding: "20.00")))["action"] == "shipped")
        order = try engine.ok("order.get", ["order_id": id])
        #expect(order["paid_total"] == "80.00" && order["payments"]?.arrayValue?.count == 2)
        #expect(try sweep(days: 0)["payment_overdue"] == 1)
        #expect(try overdue().first?["details"]?["amount_due"] == "20.00")
        #expect(try ingest(at(22, shopify("paid", outstanding: "0.00")))["action"] == "paid")
        order = try engine.ok("order.get", ["order_id": id])
        #expect(try order["paid_total"] == "100.00" && order["payment_status"] == "paid" && overdue().isEmpty)
    }

    @Test func aDueDateTheEngineCannotReadLosesNoOrder() throws {
        let outcome = try engine.ok("intake.ingest", ["channel": "shopify", "payload": shopify("pending", due: "soon")])
        let e = outcome["events"]?.arrayValue?.first ?? .null
        #expect(outcome["state"] == "applied" && e["state"] == "pending_payment", "\(outcome.serialized)")
        let order = try engine.ok("order.get", ["order_id": e["order_id"] ?? nil])
        #expect(order["payment_terms"] == ["name": "Net 30", "due_at": .null], "due once it ships")
        #expect(order["warnings"]?.arrayValue?.contains { $0["code"] == "due_at_unread" } == true)
    }

    @Test func aShopifyOrderWithoutTermsStillWaitsForItsMoney() throws {
        let e = try ingest(shopify("pending", terms: .null))
        let id = e["order_id"] ?? nil
        #expect(try engine.ok("order.get", ["order_id": id])["payment_terms"] == .null)
        #expect(engine.fails("order.allocate", ["order_id": id]) == .conflict, "a bank transfer not yet made")
    }
}
