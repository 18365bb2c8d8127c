@testable import OrderCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What only a PostgreSQL database has: a connection that can be lost. Runs under `make test-postgresql`.
@Suite(.enabled(if: testPostgreSQL != nil))
struct PostgreSQLTests {
    @Test func aConnectionLostWhileCommittingIsInDoubtAndTheNextCommandReconnects() throws {
        let store = try Store(path: try testDatabase(":memory:"), options: StoreOptions())
        let pid = try store.transaction(.read) { try store.db.first("SELECT pg_backend_pid()") { $0.int(0) } } ?? 0
        let admin = try PostgresConnection(uri: (testPostgreSQL ?? "").replacingAll("{db}", with: "postgres"))
        #expect {
            try store.transaction(.write) {
                try store.db.write("INSERT INTO config(key, value) VALUES ('lost', '1')")  // still in flight
                try admin.execute("SELECT pg_terminate_backend(\(pid))")
                for _ in 0..<500 {  // until the backend is gone
                    let alive = try admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = ?", [.int(pid)]) {
                        PostgresConnection.rowCount($0) > 0
                    }
                    if !alive { break }
                    usleep(10_000)
                }
            }
        } throws: { ($0 as? OrderCoreError)?.code == .inDoubt }
        // The next command connects afresh (no pipeline state of the lost connection left); the row never committed.
        let count = try store.transaction(.read) {
            try store.db.first("SELECT COUNT(*) FROM config WHERE key = 'lost'") { $0.int(0) }
        }
        #expect(count == 0)
    }

    /// Writes sent without waiting for their answers still fail the transaction before it commits, and a
    /// savepoint still undoes only its own part.
    @Test func aWriteInFlightThatFailsFailsItsTransactionOrOnlyItsSavepoint() throws {
        let store = try Store(path: try testDatabase(":memory:"), options: StoreOptions())
        let insert = "INSERT INTO config(key, value) VALUES (?, '1')"
        #expect {
            try store.transaction(.write) {
                try store.db.write(insert, .text("a"))
                try store.db.write(insert, .text("a"))  // the key exists: refused when read back at COMMIT
            }
        } throws: { ($0 as? OrderCoreError)?.code == .conflict }
        try store.transaction(.write) {
            try store.db.write(insert, .text("b"))
            #expect(throws: OrderCoreError.self) { try store.savepoint { try store.db.write(insert, .text("b")) } }
            try store.db.write(insert, .text("c"))
        }
        var keys: [String] = []
        try store.transaction(.read) { try store.db.rows("SELECT key FROM config ORDER BY key") { keys.append($0.text(0)) } }
        #expect(keys == ["b", "c"])
    }

    /// PostgreSQL answers COMMIT with ROLLBACK, not an error, once a statement of the transaction failed:
    /// a failure put aside before it (`try?`) still fails the commit, so nothing is reported done that was not.
    @Test func aTransactionAFailedStatementRolledBackNeverReportsItselfCommitted() throws {
        let store = try Store(path: try testDatabase(":memory:"), options: StoreOptions())
        #expect {
            try store.transaction(.write) {
                try store.db.write("INSERT INTO config(key, value) VALUES ('kept', '1')")
                _ = try? store.db.first("SELECT 1 / 0") { $0.int(0) }
            }
        } throws: { ($0 as? OrderCoreError)?.code == .internal }
        let count = try store.transaction(.read) { try store.db.first("SELECT COUNT(*) FROM config") { $0.int(0) } }
        #expect(count == 0)
    }

    /// BEGIN checks the cache epoch a handle's caches were read at without waiting for it: a transaction
    /// that answered from its caches after another handle changed them is rolled back and run again on
    /// fresh reads, however its body treated the failure.
    @Test func aTransactionThatUsedCachesAnotherHandleChangedRunsAgainOnFreshOnes() throws {
        let uri = try testDatabase(":memory:")
        let (cached, other) = (try Store(path: uri, options: StoreOptions()), try Store(path: uri, options: StoreOptions()))
        let timeout = { try cached.transaction(.read) { try cached.allConfig()["order.unpaid_timeout_minutes"] } }
        #expect(try timeout() == nil)
        #expect(try timeout() == nil)  // from the cache, checked against the epoch it was read at
        try other.transaction(.write) { try other.setConfigValue("order.unpaid_timeout_minutes", .int(30)) }
        var runs = 0
        let seen = try cached.transaction(.write) {
            runs += 1
            let value = try cached.allConfig()["order.unpaid_timeout_minutes"]
            _ = try? cached.db.first("SELECT 1") { $0.int(0) }  // reads the epoch's failure, and puts it aside
            return value
        }
        #expect(seen == .int(30))
        #expect(runs == 2)
        #expect(try timeout() == .int(30))
    }

    /// What creating an order reads before it writes — its external id and payment reference, its
    /// possible twins, what its risk rules count, its stock — comes back in two round trips, however much
    /// the order carries; its writes go with COMMIT. The velocity of its device and IP is counted from the
    /// orders shared-device reads of them, and not sent as counts of their own: 19 statements, where 21 were
    /// (the buyer's chargebacks are counted from what the handle keeps).
    @Test func anOrderCarryingACustomerIsCreatedInTwoRoundTrips() throws {
        let uri = try testDatabase(":memory:")
        try Engine(path: uri).seedCatalog(a1: ["SH": 10])
        let trips = try sent(uri, "order.create") { i in
            let customer: JSONObject = [
                "id": .string("c\(i)"), "email": "eve@example.com", "phone": .string("1370000000\(i)"), "device_id": "d1",
                "ip": "10.0.0.1",
            ]
            return orderArgs(
                [("A1", 1, "5.00")],
                ["external_id": .string("X\(i)"), "customer": .object(customer),
                 "payment": ["payment_ref": .string("P\(i)")], "ship_to": ["line1": "1 Main St"]])
        } check: { _ in }
        #expect(trips.roundTrips == 2)
        #expect(trips.statements == 19)
    }

    /// A channel's event that creates its order paid: the look for a prior event (with the inbox entry's
    /// number), `SAVEPOINT` (with the inbox row and the look for the order), the order's reads (with
    /// its stock's), `RELEASE` (with its writes), `COMMIT` (with the outcome). It took 10.
    @Test func aChannelEventCreatingItsOrderTakesFiveRoundTrips() throws {
        let uri = try testDatabase(":memory:")
        let engine = try Engine(path: uri)
        try engine.seedCatalog(a1: ["SH": 100])
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "csv"])
        let trips = try roundTrips(uri, "intake.ingest") { i in
            ["channel": "shop", "payload": .string(Self.csvOrder(i))]
        } check: { #expect($0["events"]?.arrayValue?.first?["action"] == "created_paid") }
        #expect(trips == 5)
    }

    /// A channel event is stored in the inbox once, with its outcome, where its row was inserted first and
    /// updated at the end: 18 statements (20 before), as the insert now also joins the order's plain inserts;
    /// 19 with the lock of its channel order (`Store.lockChannelOrder`, no round trip of its own); 20 with the
    /// look for the events that wait for its order (`Store.inboxAwaiting`, sent behind the order's writes).
    @Test func aChannelEventIsStoredOnceWithItsOutcome() throws {
        let uri = try testDatabase(":memory:")
        let engine = try Engine(path: uri)
        try engine.seedCatalog(a1: ["SH": 100])
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "csv"])
        let sent = try statements(uri, "intake.ingest") { i in
            ["channel": "shop", "payload": .string(Self.csvOrder(i))]
        } check: { #expect($0["events"]?.arrayValue?.first?["action"] == "created_paid") }
        #expect(sent == 20)
    }

    /// An order created paid writes its row, lines, timeline, payment, holds and ledger rows in two
    /// statements (`PostgresConnection.send`; its timeline's two rows one in each): with BEGIN, the writer
    /// lock, the cache epoch, its number, its stock, its sales, the stock guard, the feed and COMMIT, 11
    /// statements, where it took 16.
    @Test func anOrderCreatedPaidSendsItsRowsInTwoStatements() throws {
        let uri = try testDatabase(":memory:")
        try Engine(path: uri).seedCatalog(a1: ["SH": 10], b2: ["SH": 10])
        let sent = try statements(uri, "order.create") { _ in
            orderArgs([("A1", 1, "5.00"), ("B2", 2, "3.00")], ["payment": [:]])
        } check: { #expect($0["state"] == "paid") }
        #expect(sent == 11)
    }

    /// The round trips of `op` in a write transaction of its own, with `args(1)`, once it ran with
    /// `args(0)` (statements prepared, caches filled).
    private func roundTrips(
        _ uri: String, _ op: String, _ args: (Int) -> JSONObject, check: (JSON) -> Void = { _ in }
    ) throws -> Int {
        try sent(uri, op, args, check: check).roundTrips
    }

    /// `roundTrips`, counting the statements sent.
    private func statements(
        _ uri: String, _ op: String, _ args: (Int) -> JSONObject, check: (JSON) -> Void = { _ in }
    ) throws -> Int {
        try sent(uri, op, args, check: check).statements
    }

    private func sent(
        _ uri: String, _ op: String, _ args: (Int) -> JSONObject, check: (JSON) -> Void
    ) throws -> (roundTrips: Int, statements: Int) {
        let store = try Store(path: uri, options: StoreOptions())
        let command = try #require(Command.byName[op])
        var sent = (roundTrips: 0, statements: 0)
        for i in 0...1 {
            let before = (store.db.roundTrips, store.db.statementsSent)
            let result = try store.transaction(.write) {
                let context = CommandContext(store: store, at: Timestamp.now(), actor: "system", access: .write)
                return try command.run(context, Fields(args(i)))
            }
            check(result)
            sent = (store.db.roundTrips - before.0, store.db.statementsSent - before.1)
        }
        return sent
    }

    /// A CSV channel event: order `B-i`, paid, one unit of A1.
    private static func csvOrder(_ i: Int) -> String {
        "order_id,placed_at,currency,status,sku,qty,unit_price\nB-\(i),2026-01-18T10:00:00Z,CNY,paid,A1,1,19.90"
    }

    /// In a batch each event is applied in its own savepoint too: that `SAVEPOINT` goes with the look
    /// for an earlier copy of the event, so an event costs no more round trips than alone.
    @Test func eventsOfABatchTakeFiveRoundTripsEach() throws {
        let uri = try testDatabase(":memory:")
        let engine = try Engine(path: uri)
        try engine.seedCatalog(a1: ["SH": 1_000])
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "csv"])
        func batch(_ from: Int) -> Int {
            let requests = (from..<from + 20).map { i -> JSON in
                [
                    "op": "intake.ingest", "channel": "shop",
                    "payload": .string(Self.csvOrder(i)),
                ]
            }
            let before = engine.roundTrips
            let bytes = Array(JSON.array(requests).serialized.utf8)
            let answer = bytes.withUnsafeBufferPointer { engine.executeBatch($0, atomic: false) }
            #expect(answer.code == nil && !answer.response.contains("dead_letter"))
            return engine.roundTrips - before
        }
        _ = batch(0)  // statements prepared, caches filled
        #expect(batch(100) <= 20 * 5 + 3)  // and, once per batch, publishing sellable quantities and COMMIT
    }

    /// A fresh database with A1 in stock and a channel `mini` of cancellations and orders, as simple as can be.
    private static func miniChannel() throws -> (uri: String, engine: Engine) {
        let uri = try testDatabase(":memory:")
        let engine = try Engine(path: uri)
        try engine.seedCatalog(a1: ["SH": 10])
        let profile: JSON = [
            "profile": "mini", "events": [
                ["type": "cancel", "when": ["cancelled": true], "fields": ["external_id": "no", "reason": "cancelled"]],
                ["type": "order", "fields": ["external_id": "no", "currency": ["const": "CNY"]],
                 "lines": ["path": "items", "fields": ["sku": "code", "qty": "n", "unit_price": "price"]]],
            ],
        ]
        try engine.ok("intake.profile_set", ["profile": profile])
        try engine.ok("channel.upsert", ["channel": "mini", "profile": "mini"])
        return (uri, engine)
    }

    /// Hosts take in one channel's events side by side. A cancellation that reaches host B while host A
    /// is still creating its order (A's transaction not yet committed) waits for A and cancels the order;
    /// it once found no order and became a dead letter, and the order stayed live.
    @Test func aCancellationArrivingWhileAnotherHostCreatesItsOrderWaitsAndCancelsIt() throws {
        let (uri, engine) = try Self.miniChannel()
        let hostA = try ChannelOrderInFlight(
            uri: uri, ["channel": "mini", "payload": ["no": "M-1", "items": [["code": "A1", "n": 2, "price": "2.50"]]]])
        let outcome = try engine.ok(
            "intake.ingest", ["channel": "mini", "payload": ["no": "M-1", "cancelled": "buyer asked"]])
        #expect(hostA.finish())
        #expect(outcome["state"] == "applied")
        #expect(outcome["events"]?.arrayValue?.first?["action"] == "cancelled")
        let orders = try engine.ok("order.list", [:])["orders"]?.arrayValue ?? []
        #expect(orders.count == 1 && orders.first?["state"] == "cancelled")
        #expect(try engine.ok("stock.get", ["sku": "A1"])["reserved"] == 0)
        #expect(try engine.ok("intake.dead_letters")["total"] == 0)
    }

    /// A cancellation whose order has not arrived is kept as a dead letter waiting for it. The order's event,
    /// reaching another host while that dead letter is being stored, waits for it and then applies it.
    @Test func aCancellationWaitingOnOneHostIsAppliedByItsOrderArrivingOnAnother() throws {
        try Self.cancellationStoredOnAnotherHost("M-2") { engine in
            let outcome = try engine.ok(
                "intake.ingest", ["channel": "mini", "payload": ["no": "M-2", "items": [["code": "A1", "n": 2, "price": "2.50"]]]])
            return try #require(outcome["events"]?.arrayValue?.first)
        }
    }

    /// An order entered by hand with its channel's number takes the channel order's lock too: a cancellation
    /// another host is storing meanwhile is waited for, then applied to it.
    @Test func anOrderEnteredByHandAppliesACancellationAnotherHostIsStoring() throws {
        try Self.cancellationStoredOnAnotherHost("M-3") { engine in
            try engine.ok(
                "order.create", ["channel": "mini", "external_id": "M-3", "lines": [["sku": "A1", "qty": 2, "unit_price": "2.50"]]])
        }
    }

    /// Host A stores a buyer's cancellation of channel order `number`, not yet arrived (a dead letter waiting
    /// for it), and holds its transaction open while `arrival` brings the order in on this host: what
    /// `arrival` returns for the order shows the cancellation applied, and nothing is left waiting.
    private static func cancellationStoredOnAnotherHost(_ number: String, arrival: (Engine) throws -> JSON) throws {
        let (uri, engine) = try miniChannel()
        let hostA = try ChannelOrderInFlight(uri: uri, ["channel": "mini", "payload": ["no": .string(number), "cancelled": "buyer asked"]])
        let order = try arrival(engine)
        #expect(hostA.finish())
        #expect(order["applied_waiting"]?.arrayValue?.first?["state"] == "applied")
        #expect(order["state"] == "cancelled")
        #expect(try engine.ok("stock.get", ["sku": "A1"])["reserved"] == 0)
        #expect(try engine.ok("intake.dead_letters")["total"] == 0)
    }

    /// A host that vanishes inside a transaction does not hold its locks for long.
    @Test func sessionsEndAnIdleTransactionWithinAMinute() throws {
        let store = try Store(path: try testDatabase(":memory:"), options: StoreOptions())
        let timeout = try store.transaction(.read) {
            try store.db.first("SHOW idle_in_transaction_session_timeout") { $0.text(0) }
        }
        #expect(timeout == "1min")
    }
}


/// Host A: takes in one channel event in a transaction of its own thread and holds it open for a second
/// before committing, so another host meets the event's order (or dead letter) while it is being stored.
private final class ChannelOrderInFlight: @unchecked Sendable {
    private let store: Store
    private let args: JSONObject
    private let applied = Atomic<Bool>(false)
    private let committed = Atomic<Bool>(false)
    private var thread = pthread_t()

    /// Returns once the event is applied, its transaction still open.
    init(uri: String, _ args: JSONObject) throws {
        store = try Store(path: uri, options: StoreOptions())
        self.args = args
        thread = startThread { [self] in run() }
        while !applied.load(ordering: .acquiring) { usleep(1_000) }
    }

    private func run() {
        let done: Void? = try? store.transaction(.write, .concurrent) {
            let context = CommandContext(store: store, at: Timestamp.now(), actor: "system", access: .write)
            _ = try IntakeCommands.ingest.run(context, Fields(args))
            try store.db.first("SELECT 1") { _ in }  // the event's statements have reached the server
            applied.store(true, ordering: .releasing)
            usleep(1_000_000)
        }
        committed.store(done != nil, ordering: .releasing)
    }

    /// Waits for the thread. - Returns: whether its transaction committed.
    func finish() -> Bool {
        pthread_join(thread, nil)
        return committed.load(ordering: .acquiring)
    }
}
