@testable import OrderCore
import Testing

/// Chargebacks (`order.dispute`): while the buyer's bank takes an order's money back, nothing more of it ships
/// and no refund gives that money back a second time; winning it undoes both.
struct DisputeTests {
    let dir = temporaryDirectory()
    let engine: Engine

    init() throws {
        engine = try Engine(test: dir + "/disputes.db")
        try engine.seedCatalog(a1: ["SH": 10])
        try engine.ok("sku.upsert", ["sku": "A1", "barcode": "690001", "weight_g": 300])
        try engine.ok("actor.upsert", ["actor_id": "boss", "role": "admin"])
        try engine.ok("actor.upsert", ["actor_id": "lead", "role": "supervisor"])
        try engine.ok("actor.upsert", ["actor_id": "op", "role": "operator"])
    }

    /// A paid order of two A1 at 10.00; its id.
    func paidOrder() throws -> JSON {
        let id = try engine.ok("order.create", orderArgs([("A1", 2, "10.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": id])
        return id
    }

    func ship(_ id: JSON) throws {
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pick", ["order_id": id])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "690001", "690001"], "weight_g": 600])
        try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": .string("SF-\(id)")])
    }

    func openAlerts() throws -> [String] {
        try engine.ok("report.alerts")["items"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []
    }

    /// A partly shipped order is held too: what left is on its way, the rest stays here (nothing of it is
    /// allocated, picked or shipped) until the chargeback is won — then it is partly shipped again — and the
    /// parcel that left is still delivered and may come back. Cancelled while held, the rest is cancelled (and the
    /// order, its parcel delivered, is delivered).
    @Test func aChargebackHoldsTheRestOfAPartlyShippedOrder() throws {
        let id = try paidOrder()
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pick", ["order_id": id])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "690001"], "weight_g": 300, "partial": true])
        try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": "SF-P1"])
        let held = try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-P", "amount": "10.00"])
        #expect(held["state"] == "on_hold" && held["held_from"] == "partially_shipped", "\(held.serialized)")
        #expect(engine.fails("order.pack", ["order_id": id, "scans": [id, "690001"], "weight_g": 300]) == .conflict)
        try engine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF-P1", "status": "delivered"])
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "on_hold")
        let won = try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-P", "status": "won"])
        #expect(won["state"] == "partially_shipped", "\(won.serialized)")
        try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-Q", "amount": "10.00"])
        let cancelled = try engine.ok("order.cancel", ["order_id": id, "reason": "the bank took it back"])
        #expect(cancelled["state"] == "delivered" && cancelled["lines"]?.arrayValue?.first?["cancelled"] == 1,
                "\(cancelled.serialized)")
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func aChargebackHoldsWhatHasNotLeftUntilItIsWon() throws {
        let id = try paidOrder()
        let open: JSONObject = ["order_id": id, "dispute_ref": "CB-1", "reason": "fraudulent"]
        #expect(engine.fails("order.dispute", open.merging(["actor": "op"])) == .forbidden, "finance's, not an operator's")
        let held = try engine.ok("order.dispute", open.merging(["actor": "lead"]))
        #expect(held["state"] == "on_hold" && held["held_from"] == "paid")
        #expect(held["hold_reason"]?.stringValue?.hasPrefix("chargeback CB-1:") == true)
        #expect(held["charged_back"] == "20.00", "a new chargeback is of what was paid")
        #expect(held["disputes"]?.arrayValue?.first?["status"] == "open")
        #expect(try openAlerts() == ["chargeback"])
        #expect(engine.fails("order.allocate", ["order_id": id]) == .conflict, "held: nothing is picked for it")
        #expect(engine.fails("order.release", ["order_id": id, "actor": "op"]) == .forbidden)
        // The same report again changes nothing.
        #expect(try engine.ok("order.dispute", open.merging(["actor": "lead"]))["duplicate"] == true)
        // Won: the money stays, the hold goes, the alert clears.
        let won = try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-1", "status": "won", "actor": "lead"])
        #expect(won["state"] == "paid" && won["charged_back"] == "0.00")
        #expect(won["disputes"]?.arrayValue?.first?["reason"] == "fraudulent", "what it does not say stays")
        #expect(try openAlerts().isEmpty)
        try ship(id)
        let timeline = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue ?? []
        #expect(timeline.filter { $0["command"] == "order.dispute" }.map { $0["to"]?.stringValue ?? "" }
            == ["paid", "on_hold", "on_hold", "paid"])
    }

    @Test func moneyAChargebackTookIsNotRefundedAgain() throws {
        let id = try paidOrder()
        try ship(id)
        try engine.ok("order.deliver", ["order_id": id])
        // An inquiry only asks: it takes nothing and holds nothing.
        let asked = try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "INQ-1", "kind": "inquiry"])
        #expect(asked["charged_back"] == "0.00" && asked["state"] == "delivered")
        let lost = try engine.ok(
            "order.dispute", ["order_id": id, "dispute_ref": "CB-2", "amount": "15.00", "status": "lost"])
        #expect(lost["state"] == "delivered" && lost["charged_back"] == "15.00")
        #expect(try engine.ok("order.refund", ["order_id": id, "amount": "5.00"])["refunded_total"] == "5.00")
        #expect(engine.fails("order.refund", ["order_id": id, "amount": "0.01"]) == .conflict, "the bank gave back the rest")
        // A return of both units would pay 20.00: 15.00 of it the buyer has back from the bank.
        let rid = try engine.ok("return.request", ["order_id": id, "reason": "changed_mind", "lines": [["sku": "A1", "qty": 2]]])["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": rid])
        try engine.ok("return.receive", ["return_id": rid, "warehouse": "SH", "lines": [["sku": "A1", "resellable": 2]]])
        #expect(engine.fails("return.refund", ["return_id": rid]) == .conflict)
        #expect(try engine.ok("order.get", ["order_id": id])["refunded_total"] == "5.00", "nothing recorded")
        // Won after all (reversed on appeal): the money is the merchant's again, and the return is paid.
        try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-2", "status": "won"])
        #expect(try engine.ok("return.refund", ["return_id": rid])["state"] == "refunded")
        #expect(try engine.ok("order.get", ["order_id": id])["refunded_total"] == "20.00")
    }

    @Test func anotherHoldDoesNotHideAChargebackAndALostOneHoldsAgain() throws {
        let id = try paidOrder()
        try engine.ok("order.hold", ["order_id": id, "reason": "address check", "actor": "op"])
        let disputed = try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-3"])
        #expect(disputed["hold_reason"] == "address check", "one hold at a time: the first stays")
        let lifted = try engine.ok("order.release", ["order_id": id, "actor": "op"])
        #expect(lifted["state"] == "on_hold" && lifted["hold_reason"]?.stringValue?.hasPrefix("chargeback CB-3:") == true)
        // A supervisor ships on while it is open; lost, it is held again.
        #expect(try engine.ok("order.release", ["order_id": id, "actor": "lead"])["state"] == "paid")
        #expect(try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-3", "reason": "evidence sent"])["state"] == "paid")
        #expect(try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-3", "status": "lost"])["state"] == "on_hold")
        // Closed without the bank deciding (the buyer withdrew it): the hold goes.
        #expect(try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-3", "status": "closed"])["state"] == "paid")
    }

    /// A unit cancelled after payment is owed back (10.00); a chargeback of the whole payment gives the buyer all
    /// of it, so nothing is owed while it takes the money, and the refund is owed again once it is won.
    @Test func aRefundOwedIsPaidByAChargebackWhileItTakesTheMoney() throws {
        let id = try paidOrder()
        #expect(try engine.ok("order.cancel", ["order_id": id, "units": [["sku": "A1", "qty": 1]]])["refund_due"] == "10.00")
        let small = try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-5", "amount": "5.00"])
        #expect(small["refund_due"] == "10.00", "the merchant still holds 15.00, the 10.00 owed with it")
        let all = try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-6", "amount": "15.00"])
        #expect(all["refund_due"] == "0.00" && all["charged_back"] == "20.00")
        #expect(try engine.ok("order.list", ["refund_due": true])["orders"]?.arrayValue?.isEmpty == true)
        #expect(engine.fails("order.refund", ["order_id": id, "amount": "10.00"]) == .conflict)
        #expect(try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-5", "status": "won"])["refund_due"] == "5.00")
        #expect(try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-6", "status": "won"])["refund_due"] == "10.00")
        #expect(try engine.ok("order.refund", ["order_id": id, "amount": "10.00"])["refund_due"] == "0.00")
        // Cancelled while a chargeback takes part of its money: only the rest is owed.
        let other = try paidOrder()
        try engine.ok("order.dispute", ["order_id": other, "dispute_ref": "CB-7", "amount": "8.00"])
        let cancelled = try engine.ok("order.cancel", ["order_id": other, "reason": "fraud", "actor": "lead"])
        #expect(cancelled["state"] == "cancelled" && cancelled["refund_due"] == "12.00")
        let lost = try engine.ok("order.dispute", ["order_id": other, "dispute_ref": "CB-7", "status": "lost"])
        #expect(lost["refund_due"] == "12.00" && lost["state"] == "cancelled")
    }

    /// The buyer's next order, under any of their identifiers, is reviewed while a chargeback takes their money back.
    @Test func aBuyerWhoseBankTookBackAPaymentIsReviewedNextTime() throws {
        let buyer: JSONObject = ["customer": ["email": "Bob+shop@Example.com", "phone": "+86 138 0013 8000"]]
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], buyer.merging(["payment": [:]])))["order_id"] ?? .null
        /// The rules an order of `customer` placed now fires.
        func rules(_ customer: JSON) throws -> [String] {
            let order = try engine.ok("order.create", orderArgs([("A1", 1, "12.00")], ["customer": customer]))
            try engine.ok("order.cancel", ["order_id": order["order_id"] ?? .null])  // neither velocity nor a duplicate
            return order["risk"]?["reasons"]?.arrayValue?.compactMap { $0["rule"]?.stringValue } ?? []
        }
        #expect(try rules(["email": "bob@example.com"]).isEmpty)
        try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-8", "kind": "inquiry"])
        #expect(try rules(["email": "bob@example.com"]).isEmpty, "an inquiry takes nothing")
        try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-9", "reason": "fraudulent"])
        #expect(try rules(["email": "bob@example.com"]) == ["chargebacks"])
        #expect(try rules(["phone": "13800138000", "id": "guest-2"]).contains("chargebacks"))
        try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-9", "status": "won"])
        #expect(try !rules(["email": "bob@example.com"]).contains("chargebacks"))
        // In one transaction (a batch of a channel's events), an order after a chargeback sees it.
        let placed = try engine.ok("order.list", ["limit": 1_000])["orders"]?.arrayValue?.count ?? 0
        let next = JSON.string(Store.publicID(prefix: "SO-", rowID: Int64(placed + 1)))
        let batch = try engine.runBatch([
            ["op": "order.create", "lines": [["sku": "A1", "qty": 1, "unit_price": "8.00"]], "customer": ["email": "carol@x.com"],
             "payment": [:]],
            ["op": "order.dispute", "order_id": next, "dispute_ref": "CB-10"],
            ["op": "order.create", "lines": [["sku": "A1", "qty": 1, "unit_price": "8.50"]], "customer": ["email": "carol@x.com"]],
        ]).get().map { try $0.get() }
        #expect(batch.first?["order_id"] == next)
        #expect(batch.last?["risk"]?["reasons"]?.arrayValue?.contains { $0["rule"] == "chargebacks" } == true)
        // Another handle (a host, a process) that keeps the chargebacks in memory learns of a new one at once.
        let other = try Engine(test: dir + "/disputes.db")
        #expect(try other.ok("order.create", orderArgs([("A1", 1, "9.00")], ["customer": ["email": "bob@example.com"]]))["risk"]?["reasons"]?
            .arrayValue?.contains { $0["rule"] == "chargebacks" } == false)
        try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-9", "status": "lost"])
        #expect(try other.ok("order.create", orderArgs([("A1", 1, "9.50")], ["customer": ["email": "bob@example.com"]]))["risk"]?["reasons"]?
            .arrayValue?.contains { $0["rule"] == "chargebacks" } == true)
    }

    /// A chargeback puts the buyer's other orders still to ship before a person again: scored anew, they queue
    /// for review (or hold, where the rules give chargebacks more points); those that left are past it.
    @Test func aChargebackScoresTheBuyersOtherOrdersStillToShipAgain() throws {
        let buyer: JSONObject = ["customer": ["email": "mallory@x.com", "phone": "13900000009"], "payment": [:]]
        let disputed = try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], buyer))["order_id"] ?? .null
        let waiting = try engine.ok("order.create", orderArgs([("A1", 1, "11.00")], buyer))["order_id"] ?? .null
        let guest = try engine.ok("order.create", orderArgs([("A1", 1, "12.00")], ["customer": ["phone": "+86 139 0000 0009"], "payment": [:]]))["order_id"] ?? .null
        let left = try engine.ok("order.create", orderArgs([("A1", 2, "13.00")], buyer))["order_id"] ?? .null
        try ship(left)
        try engine.ok("risk.rules_set", ["rules": ["rules": ["chargebacks": ["points": 85]]]])
        try engine.ok("order.dispute", ["order_id": disputed, "dispute_ref": "CB-11", "reason": "fraudulent"])
        for id in [waiting, guest] {
            let order = try engine.ok("order.get", ["order_id": id])
            #expect(order["state"] == "on_hold" && order["hold_reason"]?.stringValue?.hasPrefix("risk score") == true, "\(id)")
            #expect(order["risk"]?["reasons"]?.arrayValue?.contains { $0["rule"] == "chargebacks" } == true)
        }
        #expect(try engine.ok("order.get", ["order_id": left])["state"] == "shipped")
    }

    /// A handle keeps the buyers of chargebacks in memory (up to `chargebackBuyersLimit`); past it the database
    /// counts them. Both count the same chargebacks for a buyer, by any of their keys, each once.
    @Test func theChargebacksAHandleKeepsAreTheOnesTheDatabaseCounts() throws {
        let buyers: [JSONObject] = [["email": "a@x.com", "phone": "13800000001"], ["email": "A@x.com", "id": "c2"],
                                    ["phone": "+86 138 0000 0001", "id": "c3"], ["id": "c4"]]
        for (i, customer) in buyers.enumerated() {
            let id = try engine.ok("order.create", orderArgs([("A1", 1, "5.00")], ["customer": .object(customer), "payment": [:]]))["order_id"] ?? .null
            try engine.ok("order.dispute", ["order_id": id, "dispute_ref": .string("CB-K\(i)"), "status": i == 3 ? "won" : "lost"])
        }
        let store = try Store(path: try testDatabase(dir + "/disputes.db"), options: StoreOptions())
        for (customer, expected) in [(["email": "a@x.com"], 2), (["phone": "0086 138-0000-0001", "id": "c2"], 3), (["id": "c4"], 0),
                                     (["email": "b@x.com"], 0)] as [([String: String], Int64)] {
            let keys = try #require(Store.buyerKeys(CustomerKeys(customer)))
            let (kept, counted) = try store.transaction(.read) {
                (Store.chargebacks(of: keys, in: try store.chargebackBuyers()),
                 try store.first(Store.Read(Store.buyerChargebacks, arguments: keys)) { $0.int(0) })
            }
            #expect(kept == expected && counted == expected, "\(customer)")
        }
        #expect(Store.chargebacks(of: [.text("c2"), .null, .null], in: .many) == nil)
        // Customer service sees them in the buyer's record, by any of the buyer's identifiers.
        #expect(try engine.ok("customer.returns", ["customer": "+86 13800000001"])["chargebacks"] == 2)
        #expect(try engine.ok("customer.returns", ["customer": "c4"])["chargebacks"] == 0)
    }

    @Test func aDisputeIsOfMoneyPaidToThatOrder() throws {
        let unpaid = try engine.ok("order.create", orderArgs([("A1", 1, "10.00")]))["order_id"] ?? .null
        #expect(engine.fails("order.dispute", ["order_id": unpaid, "dispute_ref": "CB-4"]) == .conflict)
        let id = try paidOrder()
        #expect(engine.fails("order.dispute", ["order_id": id, "dispute_ref": "CB-4", "amount": "20.01"]) == .invalidInput)
        #expect(engine.fails("order.dispute", ["order_id": id, "dispute_ref": "CB-4", "amount": "0.00"]) == .invalidInput)
        #expect(engine.fails("order.dispute", ["order_id": id, "dispute_ref": "CB-4", "status": "pending"]) == .invalidInput)
        #expect(engine.fails("order.dispute", ["order_id": "SO-999999", "dispute_ref": "CB-4"]) == .notFound)
        try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-4", "kind": "inquiry"])
        #expect(engine.fails("order.dispute", ["order_id": id, "dispute_ref": "CB-4", "kind": "chargeback"]) == .conflict)
        let other = try paidOrder()
        #expect(engine.fails("order.dispute", ["order_id": other, "dispute_ref": "CB-4"]) == .conflict)
        #expect(try engine.ok("order.get", ["order_id": other])["disputes"]?.arrayValue?.isEmpty == true)
    }
}
