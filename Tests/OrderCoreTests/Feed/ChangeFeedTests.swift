@testable import OrderCore
import Testing

struct ChangeFeedTests {
    let dir = temporaryDirectory()
    let engine: Engine

    init() throws {
        engine = try Engine(test: dir + "/feed.db")
        try engine.seedCatalog(a1: ["SH": 10])
    }

    func seqs(_ result: JSON) -> [Int64] { (result["events"]?.arrayValue ?? []).compactMap { $0["seq"]?.intValue } }

    /// An order's feed event is written straight to text: exactly the JSON of its object, escapes and
    /// nulls included.
    @Test func anOrdersEventTextIsTheJSONOfItsObject() throws {
        for (externalID, from) in [(nil, nil), ("T\"1\\2\u{1}é", OrderState.pendingPayment)] as [(String?, OrderState?)] {
            let order = Order(
                rowID: 1, orderID: "SO-000001", channel: "tmall", externalID: externalID, state: .paid, currency: "CNY",
                placedAt: 0, createdAt: 0, updatedAt: 0, expiresAt: nil, totals: OrderTotals(subtotal: 1, grandTotal: 1))
            let object: JSONObject = [
                "order_id": "SO-000001", "channel": "tmall", "external_id": .optional(externalID),
                "from": .optional(from?.rawValue), "to": "paid", "command": "order.pay",
            ]
            let text = CommandContext.orderEventText(order, from: from, command: "order.pay")
            #expect(text == JSON.object(object).serialized)
            #expect(try JSONParser.parse(text) == .object(object))
        }
    }

    /// The consumer (the host, no actor) acknowledges what it read; an operator who acknowledges for it would
    /// make it skip events it never read, so only a supervisor may step it past one.
    @Test func onlyTheConsumerOrASupervisorMovesItsCursor() throws {
        for _ in 0..<2 { try engine.ok("order.create", orderArgs([("A1", 1, "1.00")])) }
        try engine.ok("actor.upsert", ["actor_id": "root", "role": "admin"])
        try engine.ok("actor.upsert", ["actor_id": "ops", "role": "operator"])
        try engine.ok("actor.upsert", ["actor_id": "lead", "role": "supervisor"])
        try engine.ok("events.ack", ["consumer": "erp", "cursor": 1])
        #expect(engine.fails("events.ack", ["consumer": "erp", "cursor": 2, "actor": "ops"]) == .forbidden)
        #expect(try engine.ok("events.ack", ["consumer": "erp", "cursor": 2, "actor": "lead"])["cursor"] == 2)
    }

    @Test func aConsumerThatStopsAndRestartsGetsEveryLaterEventExactlyOnceInOrder() throws {
        try engine.ok("channel.upsert", ["channel": "web"])
        for _ in 0..<5 { try engine.ok("order.create", orderArgs([("A1", 1, "1.00")])) }
        let head = try engine.ok("events.read", ["after": 0, "limit": 1])["head"]?.intValue ?? 0
        #expect(head >= 10)

        var seen: [Int64] = []
        // Reads 3 events, acknowledges them, "crashes" (a new engine on the same file), and goes on.
        let first = try engine.ok("events.read", ["consumer": "erp", "limit": 3])
        seen += seqs(first)
        try engine.ok("events.ack", ["consumer": "erp", "cursor": first["next"] ?? .null])
        // Events read but not acknowledged before the crash come again.
        _ = try engine.ok("events.read", ["consumer": "erp", "limit": 2])
        engine.close()
        let restarted = try Engine(test: dir + "/feed.db")
        try restarted.ok("order.cancel", ["order_id": "SO-000001"])
        while true {
            let page = try restarted.ok("events.read", ["consumer": "erp", "limit": 4])
            if seqs(page).isEmpty { break }
            seen += seqs(page)
            try restarted.ok("events.ack", ["consumer": "erp", "cursor": page["next"] ?? .null])
        }
        let total = try restarted.ok("events.read", ["after": 0, "limit": 10_000])
        #expect(seen == seqs(total), "every event once, in order")
        #expect(seen == seen.sorted())
        #expect(try restarted.ok("events.consumers")["consumers"]?.arrayValue?.first?["lag"] == 0)
        // A late acknowledgement never moves the consumer back; a cursor past the end is refused.
        #expect(try restarted.ok("events.ack", ["consumer": "erp", "cursor": 1])["cursor"]?.intValue == seen.last)
        #expect(restarted.fails("events.ack", ["consumer": "erp", "cursor": .int((seen.last ?? 0) + 100)]) == .invalidInput)
    }

    @Test func orderChangesSellableQuantitiesAndAlertsAllAppear() throws {
        try engine.ok("channel.upsert", ["channel": "web"])
        let created = try engine.ok("order.create", orderArgs([("A1", 4, "1.00")]))
        try engine.ok("order.cancel", ["order_id": created["order_id"] ?? .null])
        try engine.ok("channel.sku", ["channel": "web", "sku": "A1", "open": false])
        let events = try engine.ok("events.read", ["after": 0, "limit": 100])["events"]?.arrayValue ?? []
        let sellable = events.filter { $0["kind"] == "sellable" }.compactMap { $0["sellable"]?.intValue }
        #expect(sellable == [10, 6, 10, 0], "published on registration, after the order, after the cancel, when closed")
        let orders = events.filter { $0["kind"] == "order" }.compactMap { $0["to"]?.stringValue }
        #expect(orders == ["pending_payment", "cancelled"])
        // Nothing changed: nothing published.
        let head = try engine.ok("events.read", ["after": 0, "limit": 1])["head"]
        try engine.ok("stock.get", ["sku": "A1"])
        #expect(try engine.ok("events.read", ["after": 0, "limit": 1])["head"] == head)
        // Alerts open and clear in the feed too (a dead letter, then its retry).
        try engine.ok("channel.upsert", ["channel": "csvshop", "profile": "csv"])
        let dead = try engine.ok("intake.ingest", ["channel": "csvshop", "payload": "order_id,sku,qty,unit_price\nx,Z9,1,1.00"])
        try engine.ok("sku.upsert", ["sku": "Z9"])
        try engine.ok("intake.retry", ["inbox_id": dead["inbox_id"] ?? .null])
        let alerts = (try engine.ok("events.read", ["after": 0, "limit": 100, "kinds": ["alert"]])["events"]?.arrayValue ?? [])
            .filter { $0["alert"] == "dead_letter" }.compactMap { $0["state"]?.stringValue }
        #expect(alerts == ["opened", "cleared"])
    }

    /// A batch that moves many SKUs (their published quantities read and written for many pairs at
    /// once) publishes each channel's sellable quantity of each SKU once, caps and closed SKUs
    /// included, and nothing again while nothing changed.
    @Test func aBatchOfManySKUsPublishesEachChannelsSellableQuantityOnce() throws {
        try engine.ok("channel.upsert", ["channel": "web"])
        try engine.ok("channel.upsert", ["channel": "app"])
        let skus = (0..<40).map { "M\($0)" }
        for sku in skus { try engine.ok("sku.upsert", ["sku": .string(sku)]) }
        try engine.ok("channel.sku", ["channel": "app", "sku": "M1", "cap": 3])
        try engine.ok("channel.sku", ["channel": "app", "sku": "M2", "open": false])
        func published(after head: Int64) throws -> [String: [Int64]] {
            let events = try engine.ok("events.read", ["after": .int(head), "limit": 1000, "kinds": ["sellable"]])
            var result: [String: [Int64]] = [:]
            for e in events["events"]?.arrayValue ?? [] {
                result["\(e["channel"]?.stringValue ?? "") \(e["sku"]?.stringValue ?? "")", default: []].append(
                    e["sellable"]?.intValue ?? -1)
            }
            return result
        }
        let head = try engine.ok("events.read", ["after": 0, "limit": 1])["head"]?.intValue ?? 0
        let receive = skus.map { #"{"op":"stock.receive","sku":"\#($0)","warehouse":"SH","qty":7}"# }
        var batch = "[" + receive.joined(separator: ",") + "]"
        #expect(batch.withUTF8 { engine.executeBatch($0, atomic: true) }.code == nil)
        let after = try published(after: head)
        for sku in skus {
            #expect(after["web \(sku)"] == [7])
            #expect(after["app \(sku)"] == (sku == "M1" ? [3] : sku == "M2" ? nil : [7]))
        }
        // The reservation buffer set again to what it is: every published pair is looked at, none changed.
        let again = try engine.ok("events.read", ["after": 0, "limit": 1])["head"]?.intValue ?? 0
        try engine.ok("config.set", ["key": "inventory.sell_percent", "value": 100])
        #expect(try published(after: again).isEmpty)
    }

    /// A transaction's events keep the order they happened in, however many: past 100 they are written
    /// by several INSERTs, which on PostgreSQL never go as parts of one statement (its parts run in no set
    /// order, `PostgresConnection.send`).
    @Test func aTransactionsManyEventsKeepTheOrderTheyHappenedIn() throws {
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 100])
        let create = #"{"op":"order.create","lines":[{"sku":"A1","qty":1,"unit_price":"1.00"}],"payment":{}}"#
        var batch = "[" + Array(repeating: create, count: 60).joined(separator: ",") + "]"
        #expect(batch.withUTF8 { engine.executeBatch($0, atomic: true).code } == nil)
        let events = try engine.ok("events.read", ["after": 0, "limit": 1_000])["events"]?.arrayValue ?? []
        let changes = events.filter { $0["kind"] == "order" }.map {
            "\($0["order_id"]?.stringValue ?? "") \($0["to"]?.stringValue ?? "")"
        }
        let expected = (1...60).flatMap { i in
            let id = "SO-" + String(repeating: "0", count: 6 - String(i).count) + String(i)
            return ["\(id) pending_payment", "\(id) paid"]
        }
        #expect(changes == expected)
    }

    @Test func aBatchCommitsTogetherOrRollsBackTogether() throws {
        let atomic = #"[{"op":"stock.receive","sku":"A1","warehouse":"SH","qty":5},{"op":"stock.receive","sku":"NOPE","warehouse":"SH","qty":1}]"#
        var text = atomic
        let (code, response) = text.withUTF8 { engine.executeBatch($0, atomic: true) }
        #expect(code == .notFound)
        #expect(try JSONParser.parse(response)["index"] == 1)
        #expect(try engine.available("A1") == 10)
        text = atomic
        let (eachCode, eachResponse) = text.withUTF8 { engine.executeBatch($0, atomic: false) }
        #expect(eachCode == nil)
        let results = try JSONParser.parse(eachResponse)["results"]?.arrayValue ?? []
        #expect(results.map { $0["ok"] } == [true, false])
        #expect(try engine.available("A1") == 15)
    }

    @Test func theSweepPrunesOnlyOldEventsEveryConsumerHasAcknowledged() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 50])
        func order(_ day: String) throws {
            try engine.ok("order.create", orderArgs([("A1", 1, "1.00")], ["at": .string("2026-05-\(day)T10:00:00Z")]))
        }
        func events() throws -> [JSON] { try engine.ok("events.read", ["after": 0, "limit": 1_000])["events"]?.arrayValue ?? [] }
        try order("01")
        try order("02")
        try order("20")
        try engine.ok("config.set", ["key": "feed.retention_days", "value": 10])
        // A consumer that acknowledged nothing keeps every event, however old.
        try engine.ok("events.ack", ["consumer": "erp", "cursor": 0])
        #expect(try engine.ok("sweep", ["at": "2026-05-20T12:00:00Z"])["feed_events_pruned"] == 0)
        // Once it has acknowledged everything, events older than the retention go; recent ones stay.
        let head = try engine.ok("events.read", ["after": 0, "limit": 1])["head"]?.intValue ?? 0
        try engine.ok("events.ack", ["consumer": "erp", "cursor": .int(head)])
        #expect((try engine.ok("sweep", ["at": "2026-05-20T12:00:00Z"])["feed_events_pruned"]?.intValue ?? 0) > 0)
        let left = try events()
        #expect(!left.isEmpty && left.allSatisfy { ($0["at"]?.stringValue ?? "") >= "2026-05-10" })
        // Much later everything is old, but the newest event stays, so the sequence keeps counting up
        // and the next event is after every consumer's cursor.
        try engine.ok("sweep", ["at": "2027-01-01T00:00:00Z"])
        #expect(try events().compactMap { $0["seq"]?.intValue }.max() == head)
        try order("21")
        #expect(try engine.ok("events.read", ["consumer": "erp"])["events"]?.arrayValue?.first?["order_id"] == "SO-000004")
    }
}
