@testable import OrderCore
import Testing

/// Intake rules that need no published sample: bad payloads, dead letters and retry, limits,
/// backorders, duplicate orders, CSV.
struct IntakeTests {
    let dir = temporaryDirectory()
    let engine: Engine

    init() throws {
        engine = try Engine(test: dir + "/intake.db")
        try engine.seedCatalog(a1: ["SH": 2])
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "csv"])
        try engine.ok("channel.upsert", ["channel": "web", "profile": "shopify"])
    }

    static let header = "order_id,placed_at,currency,status,sku,qty,unit_price,customer_phone,ship_city"

    func csv(_ rows: String...) -> JSON { .string(([IntakeTests.header] + rows).joined(separator: "\n")) }

    @Test func garbageTruncatedAndWrongTypesAreKeptAsDeadLettersWithTheirRawText() throws {
        let bad: [(JSON, String)] = [
            (.string("this is not json"), "not valid JSON"),
            (.string(#"{"id": 1, "line_items": [{"sku": "A1""#), "not valid JSON"),
            (["id": 5, "line_items": [["sku": "A1", "quantity": "two", "price": "1.00"]]], "not a whole number"),
            (["id": 6, "line_items": [["sku": "NOPE", "quantity": 1, "price": "1.00"]]], "NOPE"),
            (["hello": "world"], "matches no event rule"),
        ]
        for (payload, reason) in bad {
            let outcome = try engine.ok("intake.ingest", ["channel": "web", "payload": payload])
            #expect(outcome["state"] == "dead_letter")
            #expect(outcome["error"]?["message"]?.stringValue?.contains(reason) == true, "\(outcome.serialized)")
            let kept = try engine.ok("intake.get", ["inbox_id": outcome["inbox_id"] ?? .null])
            let raw: String = if case .string(let s) = payload { s } else { payload.serialized }
            #expect(kept["payload"]?.stringValue == raw)
        }
        let letters = try engine.ok("intake.dead_letters")
        #expect(letters["total"] == 5)
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.filter { $0["kind"] == "dead_letter" }.count == 5)
        #expect(try engine.ok("order.list")["orders"]?.arrayValue?.isEmpty == true)
    }

    /// A poll that found nothing new sends an empty page (`{"orders": []}`, a GraphQL `edges: []`): applied, with
    /// nothing in it — not a dead letter, nor an alert for a person.
    @Test func anEmptyPageOfAListIsNothingToApplyNotADeadLetter() throws {
        try engine.ok("channel.upsert", ["channel": "graph", "profile": "shopify_graphql"])
        let pages: [(String, JSON)] = [
            ("web", ["orders": []]), ("graph", ["data": ["orders": ["edges": []]]]), ("web", []), ("shop", csv()),
        ]
        for (channel, payload) in pages {
            let outcome = try engine.ok("intake.ingest", ["channel": .string(channel), "payload": payload])
            #expect(outcome["state"] == "applied" && outcome["events"] == [], "\(outcome.serialized)")
        }
        #expect(try engine.ok("intake.dead_letters")["total"] == 0)
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.isEmpty == true)
        // A payload with no list a rule takes is still a dead letter.
        #expect(try engine.ok("intake.ingest", ["channel": "web", "payload": ["customers": []]])["state"] == "dead_letter")
    }

    @Test func unknownChannelAndOversizedPayloadAreClearErrorsThatStoreNothing() throws {
        #expect(engine.fails("intake.ingest", ["channel": "nowhere", "payload": "{}"]) == .notFound)
        try engine.ok("config.set", ["key": "intake.max_payload_bytes", "value": 2_048])
        let big = JSON.string(String(repeating: "x", count: 3_000))
        guard case .failure(let error) = engine.run("intake.ingest", ["channel": "web", "payload": big]) else {
            Issue.record("an oversized payload was accepted")
            return
        }
        #expect(error.code == .invalidInput)
        #expect(error.message.contains("3000 bytes") && error.message.contains("2048"))
        #expect(try engine.ok("intake.dead_letters")["total"] == 0)
    }

    @Test func aPayloadOfSeveralMegabytesIsAccepted() throws {
        // Over 5 MB: 12 orders of 1,000 lines with long addresses, the way real exports are padded.
        var rows: [String] = []
        let filler = String(repeating: "x", count: 420)
        for i in 0..<12_000 { rows.append("big-\(i / 1_000),2026-01-18T10:00:00Z,CNY,paid,A1,1,1.00,,\(filler)") }
        let text = ([IntakeTests.header] + rows).joined(separator: "\n")
        #expect(text.utf8.count > 5_000_000)
        let outcome = try engine.ok("intake.ingest", ["channel": "shop", "payload": .string(text)])
        #expect(outcome["state"] == "applied", "\(outcome["error"]?.serialized ?? "")")
        #expect(outcome["events"]?.arrayValue?.count == 12)
    }

    @Test func aDeadLetterIsAppliedByRetryOnceTheCatalogIsFixed() throws {
        let outcome = try engine.ok("intake.ingest", ["channel": "shop", "payload": csv("o-1,2026-01-18T10:00:00Z,CNY,paid,C3,1,5.00,,Xian")])
        #expect(outcome["state"] == "dead_letter")
        #expect(outcome["error"]?["code"] == "not_found")
        let id = outcome["inbox_id"] ?? .null
        try engine.ok("sku.upsert", ["sku": "C3"])
        let retried = try engine.ok("intake.retry", ["inbox_id": id])
        #expect(retried["state"] == "applied")
        #expect(try engine.ok("intake.get", ["inbox_id": id])["attempts"] == 2)
        #expect(try engine.ok("intake.dead_letters")["total"] == 0)
        #expect(engine.fails("intake.retry", ["inbox_id": id]) == .conflict)
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "dead_letter" } == false)
    }

    @Test func aChannelSaleIsNeverRefusedForStockButBackorderedWithAnAlert() throws {
        let outcome = try engine.ok("intake.ingest", ["channel": "shop", "payload": csv("o-2,2026-01-18T10:00:00Z,CNY,paid,A1,5,1.00,,Xian")])
        let event = try #require(outcome["events"]?.arrayValue?.first)
        #expect(event["backordered"] == [["line_no": 1, "sku": "A1", "qty": 3]])
        let order = try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])
        #expect(order["state"] == "paid")
        #expect(order["lines"]?.arrayValue?.first?["reserved"] == 2)
        #expect(order["lines"]?.arrayValue?.first?["backordered"] == 3)
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "backorder" } == true)
        // The same order from the merchant's own checkout is refused instead.
        #expect(engine.fails("order.create", orderArgs([("A1", 5, "1.00")])) == .insufficientStock)
        // Once stock arrives, allocation takes the rest and the backorder clears.
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 10])
        let allocated = try engine.ok("order.allocate", ["order_id": event["order_id"] ?? .null])
        #expect(allocated["state"] == "allocated")
        #expect(allocated["lines"]?.arrayValue?.first?["backordered"] == 0)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func samePhoneAndSkusWithinThreeMinutesAcrossChannelsIsFlaggedNotMerged() throws {
        try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["customer": ["phone": "+86 133-1234-3069"], "placed_at": "2026-01-18T10:00:00Z"]))
        let outcome = try engine.ok("intake.ingest", ["channel": "shop", "payload": csv("o-3,2026-01-18T10:02:30Z,CNY,paid,A1,1,1.00,8613312343069,Xian")])
        let id = outcome["events"]?.arrayValue?.first?["order_id"] ?? .null
        let order = try engine.ok("order.get", ["order_id": id])
        let warning = try #require(order["warnings"]?.arrayValue?.first)
        #expect(warning["code"] == "possible_duplicate")
        #expect(warning["suggestion"]?["keep"] == "SO-000001")
        #expect(warning["suggestion"]?["cancel"] == id)
        #expect(order["state"] == "paid")  // flagged, not merged or cancelled
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "possible_duplicate" } == true)
        // Four minutes apart is another purchase.
        let later = try engine.ok("intake.ingest", ["channel": "shop", "payload": csv("o-4,2026-01-18T10:06:31Z,CNY,paid,A1,1,1.00,8613312343069,Xian")])
        let laterOrder = try engine.ok("order.get", ["order_id": later["events"]?.arrayValue?.first?["order_id"] ?? .null])
        #expect(laterOrder["warnings"]?.arrayValue?.isEmpty == true)
    }

    @Test func aLaterEventForAKnownOrderPaysCancelsOrMovesItOnce() throws {
        let created = try engine.ok("intake.ingest", ["channel": "shop", "payload": csv("o-5,2026-01-18T10:00:00Z,CNY,pending,A1,1,1.00,,Xian")])
        let id = created["events"]?.arrayValue?.first?["order_id"] ?? .null
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "pending_payment")
        let paid = try engine.ok("intake.ingest", ["channel": "shop", "payload": csv("o-5,2026-01-18T10:00:00Z,CNY,paid,A1,1,1.00,,Beijing")])
        #expect(paid["events"]?.arrayValue?.first?["action"] == "paid")
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["state"] == "paid")
        #expect(order["ship_to"]?["city"] == "Beijing")
        #expect(order["payments"]?.arrayValue?.count == 1)
        let cancelled = try engine.ok("intake.ingest", ["channel": "shop", "payload": csv("o-5,2026-01-18T10:00:00Z,CNY,cancelled,A1,1,1.00,,Beijing")])
        #expect(cancelled["events"]?.arrayValue?.first?["action"] == "cancelled")
        #expect(try engine.available("A1") == 2)
        // A new address for an order past changing it is a warning: the event (and what else it says) applies.
        let moved = try engine.ok("intake.ingest", ["channel": "shop", "payload": csv("o-5,2026-01-18T10:00:00Z,CNY,cancelled,A1,1,1.00,,Xian")])
        #expect(moved["state"] == "applied", "\(moved.serialized)")
        #expect(moved["events"]?.arrayValue?.first?["warnings"]?.arrayValue?.first?["code"] == "address_after_shipment")
        #expect(try engine.ok("order.get", ["order_id": id])["ship_to"]?["city"] == "Beijing")
    }

    @Test func aStoredProfileMapsANewChannelAndIsValidated() throws {
        #expect(engine.fails("intake.profile_set", ["profile": ["profile": "bad", "events": [["type": "order"]]]]) == .invalidInput)
        try engine.ok("intake.profile_set", ["profile": [
            "profile": "mini", "events": [["type": "order", "fields": ["external_id": "no", "currency": ["const": "EUR"]],
                                            "lines": ["path": "items", "fields": ["sku": "code", "qty": "n", "unit_price": "cents"]]]],
        ]])
        try engine.ok("channel.upsert", ["channel": "mini", "profile": "mini"])
        let outcome = try engine.ok("intake.ingest", ["channel": "mini", "payload": ["no": "M-1", "items": [["code": "A1", "n": 1, "cents": "2.50"]]]])
        let order = try engine.ok("order.get", ["order_id": outcome["events"]?.arrayValue?.first?["order_id"] ?? .null])
        #expect(order["currency"] == "EUR")
        #expect(order["grand_total"] == "2.50")
        #expect(try engine.ok("intake.profiles")["profiles"]?.arrayValue?.contains { $0["profile"] == "mini" && $0["source"] == "stored" } == true)
    }
}

extension IntakeTests {
    @Test func aChannelOrderHeldByTheRiskRulesKeepsItsPayment() throws {
        try engine.ok("risk.list_set", ["kind": "phone", "value": "13512345678", "list": "block"])
        let outcome = try engine.ok("intake.ingest", ["channel": "shop", "payload": csv("o-9,2026-01-18T10:00:00Z,CNY,paid,A1,1,3.00,13512345678,Xian")])
        let event = try #require(outcome["events"]?.arrayValue?.first)
        #expect(event["risk"]?["decision"] == "hold")
        let order = try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])
        #expect(order["state"] == "on_hold" && order["held_from"] == "paid" && order["paid_total"] == "3.00")
    }
}

extension IntakeTests {
    /// A profile of a channel that takes a pre-sale's deposit and the balance on delivery (Shopify's deposits
    /// due on fulfilment): the order is `deposit_paid`, then shipped with its balance owed — its units counted
    /// sold as they leave —, then paid where it is when the channel says so.
    @Test func aPreSaleShippedBeforeItsBalanceIsPaidOwesTheBalance() throws {
        try engine.ok("intake.profile_set", ["profile": [
            "profile": "deposits", "events": [["type": "order",
                "fields": ["external_id": "no", "currency": ["const": "EUR"], "deposit": "deposit",
                           "shipment.tracking_no": "tracking"],
                "lines": ["path": "items", "fields": ["sku": "code", "qty": "n", "unit_price": "price"]],
                "status": ["value": "status", "inbound": ["deposit": "deposit_paid", "sent": "shipped", "done": "completed"],
                           "unpaid": ["sent"]]]],
        ]])
        try engine.ok("channel.upsert", ["channel": "dep", "profile": "deposits"])
        func event(_ status: String) throws -> JSON {
            let outcome = try engine.ok("intake.ingest", ["channel": "dep", "payload": [
                "no": "P-1", "status": .string(status), "deposit": "10.00", "tracking": "TRK-1",
                "items": [["code": "A1", "n": 2, "price": "25.00"]]]])
            return outcome["events"]?.arrayValue?.first ?? .null
        }
        let onHand = try engine.ok("stock.get", ["sku": "A1"])["on_hand"]?.intValue ?? -1
        let placed = try event("deposit")
        #expect(placed["state"] == "deposit_paid", "\(placed.serialized)")
        let sent = try event("sent")
        #expect(sent["state"] == "shipped" && sent["shipment"]?["tracking_no"] == "TRK-1", "\(sent.serialized)")
        var doc = try engine.ok("order.get", ["order_id": placed["order_id"] ?? .null])
        #expect(doc["paid_total"] == "10.00" && doc["balance_due"] == "40.00", "\(doc.serialized)")
        #expect(try engine.ok("stock.get", ["sku": "A1"])["on_hand"]?.intValue == onHand - 2)
        let store = try Store(path: try testDatabase(dir + "/intake.db"), options: StoreOptions())
        let sold = try store.transaction(.read) {
            try store.db.first("SELECT SUM(units) FROM sales_daily WHERE sku = 'A1'") { $0.int(0) }
        }
        #expect(sold == 2, "sold as they left")
        let done = try event("done")
        doc = try engine.ok("order.get", ["order_id": placed["order_id"] ?? .null])
        #expect(done["state"] == "completed" && doc["paid_total"] == "50.00" && doc["balance_due"] == "0.00",
                "\(done.serialized) \(doc.serialized)")
    }
}
