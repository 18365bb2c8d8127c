@testable import OrderCore
import Testing

/// Writes that do not rely on one writer: each checks that what the command read still holds, so a
/// second handle (another process or host) that read before the first wrote changes nothing.
struct GuardedWriteTests {
    let path = temporaryDirectory() + "/guarded.db"

    /// Host A and host B share the file: B reads, A writes, then B writes from what it read.
    func hosts() throws -> (a: Engine, b: Store) {
        let a = try Engine(path: path)
        try a.seedCatalog(a1: ["SH": 10])
        return (a, try Store(path: path, options: StoreOptions()))
    }

    @Test func anOrderMovedByAnotherWriterIsNotOverwritten() throws {
        let (a, b) = try hosts()
        let id = try a.ok("order.create", orderArgs([("A1", 2, "5.00")]))["order_id"]?.stringValue ?? ""
        let read = try b.transaction(.read) { try b.order(id: id) }
        try a.ok("order.pay", ["order_id": .string(id)])
        // B cancels the order it read as pending: the write finds it paid and changes nothing.
        #expect(throws: Store.Stale.self) {
            try b.transaction(.write) {
                guard var stale = read else { return }
                stale.state = .cancelled
                try b.update(stale, from: .pendingPayment)
            }
        }
        #expect(try a.ok("order.get", ["order_id": .string(id)])["state"] == "paid")
    }

    /// Intake looks for a channel order, finds none, and creates it paid; on PostgreSQL (read committed)
    /// another host may create and pay that very order in between. Its payment reference is the channel
    /// order's own: the command runs again and finds the order, where it once left the event a dead
    /// letter ("payment_ref already recorded"), and the order short of the state its channel reported.
    /// A reference paying some other order is still refused.
    @Test func aChannelOrderAnotherHostCreatedPaidSinceTheLookRunsAgain() throws {
        let (a, b) = try hosts()
        try a.ok("order.create", orderArgs([("A1", 1, "5.00")], [
            "channel": "shop", "external_id": "o-17", "payment": ["payment_ref": "shop:o-17"],
        ]))
        func create(_ externalID: String) throws {
            try b.transaction(.write) {
                let ctx = CommandContext(store: b, at: Timestamp.now(), actor: "system", access: .write)
                var draft = try OrderDraft(
                    Fields(orderArgs([("A1", 1, "5.00")], ["channel": "shop", "external_id": .string(externalID)])),
                    at: ctx.at, defaultCurrency: "CNY")
                draft.payment = (nil, "shop:o-17")
                _ = try ctx.createOrder(draft, backorder: true, externalIDFree: true)
            }
        }
        #expect(throws: Store.Stale.self) { try create("o-17") }
        #expect(throws: OrderCoreError.self) { try create("o-18") }
        #expect(try a.ok("order.list", [:])["orders"]?.arrayValue?.count == 1)
    }

    @Test func aHoldReleasedByAnotherWriterIsNotReleasedTwice() throws {
        let (a, b) = try hosts()
        let id = try a.ok("order.create", orderArgs([("A1", 4, "5.00")]))["order_id"]?.stringValue ?? ""
        let holds = try b.transaction(.read) {
            try b.activeReservations(orderRowID: try b.order(id: id)?.rowID ?? 0)
        }
        #expect(holds.map(\.qty) == [4])
        try a.ok("order.cancel", ["order_id": .string(id), "reason": "buyer changed their mind"])
        #expect(throws: Store.Stale.self) {
            try b.transaction(.write) { try b.closeReservation(id: holds[0].id, state: "released") }
        }
        #expect(throws: Store.Stale.self) {
            try b.transaction(.write) { try b.consumeReservation(id: holds[0].id, qty: 4, remaining: 0) }
        }
        let stock = try a.ok("stock.get", ["sku": "A1"])
        #expect(stock["reserved"] == 0 && stock["available"] == 10)
        #expect(try a.ok("stock.verify")["ok"] == true)
    }

    /// An order's balances are taken together (one statement on PostgreSQL): all or none of them, and
    /// a refusal names the balance short of units — whichever one it is, a missing one included.
    @Test func balancesTakenTogetherAreAllOrNothingAndARefusalNamesTheShortOne() throws {
        let (a, b) = try hosts()
        try a.ok("stock.receive", ["sku": "B2", "warehouse": "SH", "qty": 4])
        func take(_ units: [(sku: String, warehouse: String, qty: Int64)]) throws {
            try b.transaction(.write) { try b.reserve(units, sellPercent: 100, else: OrderCoreError.shortOf) }
        }
        for (units, short) in [
            ([("A1", "SH", 3), ("B2", "SH", 5)], ["sku": "B2", "warehouse": "SH"]),
            ([("A1", "SH", 11), ("B2", "SH", 1)], ["sku": "A1", "warehouse": "SH"]),
            ([("A1", "SH", 1), ("B2", "BJ", 1)], ["sku": "B2", "warehouse": "BJ"]),
        ] as [([(String, String, Int64)], JSON)] {
            let refusal = #expect(throws: OrderCoreError.self) { try take(units) }
            #expect(refusal?.code == .insufficientStock && refusal?.details == short)
        }
        #expect(try a.available("A1") == 10 && a.available("B2") == 4)
        try take([("A1", "SH", 3), ("B2", "SH", 4)])
        #expect(try a.available("A1") == 7 && a.available("B2") == 0)
    }

    @Test func oneOpenAlertPerSubjectAndAcknowledgementsOnlyMoveForward() throws {
        let (a, b) = try hosts()
        try b.transaction(.write) {
            #expect(try b.openAlert(kind: "stuck_order", orderID: "SO-000009", at: 1, details: [:]))
            #expect(try !b.openAlert(kind: "stuck_order", orderID: "SO-000009", at: 2, details: [:]))
            #expect(try b.openAlert(kind: "stuck_order", orderID: "SO-000010", at: 2, details: [:]))
            #expect(try b.openAlert(kind: "channel_drift", ref: "web", at: 2, details: [:]))
            #expect(try !b.openAlert(kind: "channel_drift", ref: "web", at: 3, details: [:]))
            try b.setConsumerCursor("erp", 5, at: 1)
            try b.setConsumerCursor("erp", 3, at: 2)   // a late acknowledgement
        }
        let open = try a.ok("stock.alerts")["alerts"]?.arrayValue ?? []
        #expect(open.count == 3)
        #expect(try b.transaction(.read) { try b.consumerCursor("erp") } == 5)
    }

    /// Nothing refuses it and nothing changed: `busy`, which every caller retries, not `conflict`.
    @Test func aStaleCommandThatKeepsLosingIsBusyToRunAgain() {
        let error = Engine.wrap(Store.Stale(what: "order SO-000001"))
        #expect(error.code == .busy && error.message.contains("order SO-000001 was changed by another writer"))
    }

    /// A file from before the index: duplicate open alerts are closed, the oldest kept.
    @Test func duplicateOpenAlertsFromBeforeAreClosed() throws {
        let old = try databaseBefore(migration: "0023_open_alerts", at: path)
        for at in [1, 2] {
            try old.run("INSERT INTO alerts(kind, order_id, opened_at, details) VALUES ('backorder', 'SO-000001', ?, '{}')", .int(Int64(at)))
        }
        let store = try Store(path: path, options: StoreOptions())
        let open = try store.transaction(.read) { try store.alerts(openOnly: true, limit: 10) }
        #expect(open.count == 1 && open.first?["opened_at"] == "1970-01-01T00:00:00.001Z")
    }
}

