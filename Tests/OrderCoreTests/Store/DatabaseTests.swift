@testable import OrderCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

struct DatabaseTests {
    /// Plain INSERTs held on PostgreSQL go as one statement (`PostgresConnection.merge`), each part's
    /// placeholders numbered after the ones before it; a `?` in a literal stays as it is.
    @Test func insertsMergedIntoOneStatementKeepTheirArgumentsApart() {
        let sql = PostgresConnection.merge([
            ("INSERT INTO a(x, y) VALUES (?, ?)", 2), ("INSERT INTO b(z) VALUES (?1), (?1)", 1),
            ("INSERT INTO c(w, v) VALUES ('?', ?)", 1),
        ])
        #expect(
            sql == "WITH w1 AS (INSERT INTO a(x, y) VALUES ($1, $2)), w2 AS (INSERT INTO b(z) VALUES ($3), ($3)) "
                + "INSERT INTO c(w, v) VALUES ('?', $4)")
    }

    /// Statements are looked up first by where their text is stored (`Database.prepared`). Texts built
    /// anew for each query are put by the allocator where an earlier one was, with other content: each
    /// still runs its own statement, and a literal keeps finding its own among them; so do short texts,
    /// which Swift holds inline and hands over as a copy on the stack, at one address.
    @Test func aTextStoredWhereAnotherWasRunsItsOwnStatement() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let db = try Database(path: dir + "/texts.db", options: StoreOptions())
        var wrong = 0
        for i in 0..<3_000 {
            let sql = "SELECT \(i % 250) AS the_value_this_text_asks_for"
            if try db.first(sql, map: { $0.int(0) }) != Int64(i % 250) { wrong += 1 }
            if try db.first("SELECT 'a literal, longer than sixteen bytes'", map: { $0.text(0) }) != "a literal, longer than sixteen bytes" {
                wrong += 1
            }
            if try db.first("SELECT \(i % 7)", map: { $0.int(0) }) != Int64(i % 7) { wrong += 1 }  // held inline
        }
        #expect(wrong == 0)
    }

    @Test func newFileIsMigratedInWALModeWithEveryMigrationRecordedInOrder() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let store = try Store(path: dir + "/a.db", options: StoreOptions())
        var names: [String] = []
        try store.db.rows("SELECT name FROM schema_migrations ORDER BY seq") { names.append($0.text(0)) }
        #expect(names == Migration.all.map(\.name))
        #expect(try store.db.first("PRAGMA journal_mode") { $0.text(0) } == "wal")
        #expect(try store.db.first("PRAGMA synchronous") { $0.int(0) } == 2)  // FULL
    }

    /// A new file has 2 KiB pages (a commit writes every page it changed, in full); a file made with
    /// other pages keeps them, and the log is let grow to the same size before readers are waited for.
    @Test func aNewFileHasTwoKiBPagesAndAnOlderFileKeepsItsOwn() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let store = try Store(path: dir + "/p.db", options: StoreOptions())
        #expect(try store.db.first("PRAGMA page_size") { $0.int(0) } == 2_048)
        #expect(try store.db.first("PRAGMA journal_size_limit") { $0.int(0) } == 64 << 20)
        try store.db.execute("PRAGMA journal_mode=DELETE; PRAGMA page_size=4096; VACUUM; PRAGMA journal_mode=WAL")
        let older = try Store(path: dir + "/p.db", options: StoreOptions())
        #expect(try older.db.first("PRAGMA page_size") { $0.int(0) } == 4_096)
        #expect(try older.db.first("PRAGMA journal_size_limit") { $0.int(0) } == 64 << 20)
        try older.transaction(.write) {
            try older.db.write("INSERT INTO config(key, value) VALUES ('k', 'v')")
        }
        #expect(try store.db.first("SELECT value FROM config WHERE key = 'k'") { $0.text(0) } == "v")
    }

    /// This thread's write system calls so far (a test that counts them runs on one thread: it never
    /// suspends).
    private func writeCalls() throws -> Int64 {
        let io = try #require(fopen("/proc/thread-self/io", "r"), "no /proc/thread-self/io")
        defer { fclose(io) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), io) != nil {
            let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if text.hasPrefix("syscw:") { return Int64(String(text.dropFirst(6)).trimmed) ?? -1 }
        }
        return -1
    }

    /// A commit's frames of the write-ahead log — each a 24-byte header and a page, which SQLite writes
    /// with two calls — go to the file in one write (`CSQLiteVFS`): a commit of N pages makes one write
    /// call, where SQLite alone makes 2N.
    @Test func aCommitsLogFramesAreWrittenWithOneSystemCall() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let store = try Store(path: dir + "/w.db", options: StoreOptions(synchronous: .normal))
        _ = try store.db.first("PRAGMA wal_checkpoint(TRUNCATE)") { $0.int(0) }
        let before = try writeCalls()
        for i in 0..<40 {
            try store.transaction(.write) {
                try store.db.write(
                    "INSERT INTO config(key, value) VALUES (?, ?)", .text("wal-\(i)"),
                    .text(String(repeating: "\(i % 10)", count: 3_000)))
            }
        }
        let calls = try writeCalls() - before
        let frames = try #require(try store.db.first("PRAGMA wal_checkpoint(PASSIVE)") { $0.int(1) })
        #expect(frames >= 80, "\(frames) frames")
        // One a commit, and the log's own header once, as it starts again.
        #expect(calls >= 40 && calls <= 42, "\(calls) write calls for \(frames) frames in 40 commits")
    }

    /// A commit larger than one write (0x1ffff bytes, the most the default VFS writes at once) goes in a
    /// few. A transaction larger than the page cache writes frames before its commit (and rewrites them
    /// in place), and reads them back. Every row is there, for this handle and another, and the file is
    /// sound.
    @Test(arguments: [false, true])
    func aLargeTransactionIsWrittenInRunsAndReadBack(pastTheCache: Bool) throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let store = try Store(path: dir + "/r.db", options: StoreOptions(synchronous: .normal))
        if pastTheCache { try store.db.execute("PRAGMA cache_size=20") }
        _ = try store.db.first("PRAGMA wal_checkpoint(TRUNCATE)") { $0.int(0) }
        func value(_ i: Int) -> String { String(repeating: "\(i % 7)", count: 1_000 + i * 7 % 2_000) }
        let rows = 600
        let before = try writeCalls()
        try store.transaction(.write) {
            for i in 0..<rows {
                try store.db.write("INSERT INTO config(key, value) VALUES (?, ?)", .text("big-\(i)"), .text(value(i)))
            }
            var seen = 0
            try store.db.rows("SELECT key, value FROM config WHERE key LIKE 'big-%'") {
                #expect($0.text(1) == value(Int($0.text(0).dropFirst(4)) ?? -1))
                seen += 1
            }
            #expect(seen == rows)
        }
        let calls = try writeCalls() - before
        let frames = try #require(try store.db.first("PRAGMA wal_checkpoint(PASSIVE)") { $0.int(1) })
        #expect(frames > 600, "\(frames) frames")
        // Some 30 frames of 2 KiB a write; past the cache SQLite rewrites frames one by one, as alone.
        if !pastTheCache { #expect(calls * 20 < frames, "\(calls) write calls for \(frames) frames") }
        let other = try Store(path: dir + "/r.db", options: StoreOptions())
        var seen = 0
        try other.db.rows("SELECT key, value FROM config WHERE key LIKE 'big-%'") {
            #expect($0.text(1) == value(Int($0.text(0).dropFirst(4)) ?? -1))
            seen += 1
        }
        #expect(seen == rows)
        #expect(try other.db.first("PRAGMA integrity_check") { $0.text(0) } == "ok")
    }

    /// What a savepoint changed is rolled back from its sub-journal, held in memory (`CSQLiteVFS`) where
    /// SQLite alone moves it to a temporary file past 64 KiB, writing each page with two system calls;
    /// past `ORDERCORE_SUBJOURNAL_MEMORY` (16 MiB) it moves to a file, and rolls back from there.
    @Test(arguments: [(200, true), (12_000, false)])
    func aSavepointRollsBackFromItsSubJournal(rows: Int, inMemory: Bool) throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let store = try Store(path: dir + "/s.db", options: StoreOptions(synchronous: .normal))
        let before = String(repeating: "a", count: 1_500)  // a row to a page: each page changed is journaled
        try store.transaction(.write) {
            for i in 0..<rows {
                try store.db.write("INSERT INTO config(key, value) VALUES (?, ?)", .text("s-\(i)"), .text(before))
            }
            struct Undo: Error {}
            func updateThenRollBack(_ keys: String) {
                #expect(throws: Undo.self) {
                    try store.db.savepoint {
                        try store.db.write("UPDATE config SET value = ? WHERE key LIKE ?", .text("b"), .text(keys))
                        throw Undo()
                    }
                }
            }
            updateThenRollBack("none-%")  // its statements prepared (and logged, with ORDERCORE_SQL_LOG) first
            let calls = try writeCalls()
            updateThenRollBack("s-%")
            // 200 pages of 2 KiB: 400 KiB of sub-journal, 400 writes to a temporary file by SQLite alone.
            if inMemory { #expect(try writeCalls() == calls) }
        }
        let kept = try store.db.first("SELECT COUNT(*) FROM config WHERE key LIKE 's-%' AND value = ?", .text(before)) {
            $0.int(0)
        }
        #expect(kept == Int64(rows))
    }

    @Test func normalSynchronousIsAnExplicitOption() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let store = try Store(path: dir + "/n.db", options: StoreOptions(synchronous: .normal))
        #expect(try store.db.first("PRAGMA synchronous") { $0.int(0) } == 1)
    }

    @Test func reopeningDoesNotMigrateTwice() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        _ = try Store(path: dir + "/r.db", options: StoreOptions())
        let again = try Store(path: dir + "/r.db", options: StoreOptions())
        #expect(try again.db.first("SELECT COUNT(*) FROM schema_migrations") { $0.int(0) } == Int64(Migration.all.count))
    }

    @Test func fileFromANewerOrderCoreIsRefusedClearly() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let store = try Store(path: dir + "/new.db", options: StoreOptions())
        try store.db.run("INSERT INTO schema_migrations(seq, name, applied_at) VALUES (99, '0099_future', 0)")
        #expect {
            try Store(path: dir + "/new.db", options: StoreOptions())
        } throws: { ($0 as? OrderCoreError)?.code == .incompatible && ($0 as? OrderCoreError)?.message.contains("0099_future") == true }
    }

    @Test func aFileFromTheFirstReleaseIsMigratedKeepingItsData() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let path = dir + "/old.db"
        let old = try databaseBefore(migration: Migration.all[1].name, at: path)
        try old.run("INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason) VALUES (0, 'A1', 'SH', 'on_hand', 5, 'receive')")
        let store = try Store(path: path, options: StoreOptions())
        #expect(try store.db.first("SELECT COUNT(*) FROM schema_migrations") { $0.int(0) } == Int64(Migration.all.count))
        #expect(try store.ledger(.init(limit: 10)).map(\.delta) == [5])
    }

    /// A file from before buyers' phones and e-mails had keys gets them for its orders and returns, and its
    /// listed phones and e-mails are listed by their keys (one listed twice keeps the entry under its key).
    @Test func aFileFromBeforeBuyerKeysGetsThem() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let path = dir + "/old.db"
        let old = try databaseBefore(migration: "0045_buyer_keys", at: path)
        for (id, phone, email) in [(1, "+86 133-1234-3069", "Bob+x@Example.com"), (2, "13312343069", "b.ob@gmail.com"),
                                   (3, "12", nil)] {
            try old.run(
                """
                INSERT INTO orders(id, order_id, channel, state, currency, placed_at, created_at, updated_at, subtotal,
                    line_discount_total, discount_total, shipping_fee, shipping_tax, tax_total, taxes_included, grand_total,
                    customer_phone, customer_email)
                VALUES (?, ?, 'web', 'paid', 'CNY', 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, ?, ?)
                """, .int(Int64(id)), .text("SO-00000\(id)"), .text(phone), .opt(email))
        }
        try old.run(
            """
            INSERT INTO returns(id, return_id, order_rowid, state, reason, seller_fault, created_at, updated_at, state_since,
                customer_phone, customer_email)
            VALUES (1, 'RT-000001', 1, 'refunded', 'damaged', 0, 0, 0, 0, '+86 133-1234-3069', 'bob+x@example.com')
            """)
        for (value, list) in [("+8613312343069", "block"), ("13312343069", "allow"), ("0086 139 0000 0009", "block")] {
            try old.run("INSERT INTO risk_lists(kind, value, list, updated_at) VALUES ('phone', ?, ?, 0)", .text(value), .text(list))
        }
        try old.run("INSERT INTO risk_lists(kind, value, list, updated_at) VALUES ('email', 'b.o.b+1@gmail.com', 'block', 0)")
        let store = try Store(path: path, options: StoreOptions())
        var keys: [String?] = []
        try store.db.rows("SELECT customer_phone_key FROM orders ORDER BY id") { keys.append($0.optText(0)) }
        #expect(keys == ["13312343069", "13312343069", nil])
        #expect(try store.db.first("SELECT customer_phone_key FROM returns") { $0.text(0) } == "13312343069")
        var emails: [String?] = []
        try store.db.rows("SELECT customer_email_key FROM orders ORDER BY id") { emails.append($0.optText(0)) }
        #expect(emails == ["bob@example.com", "bob@gmail.com", nil])
        #expect(try store.db.first("SELECT customer_email FROM returns") { $0.text(0) } == "bob@example.com")
        var lists: [String] = []
        try store.db.rows("SELECT value || ' ' || list FROM risk_lists ORDER BY value") { lists.append($0.text(0)) }
        #expect(lists == ["13312343069 allow", "13900000009 block", "bob@gmail.com block"])
    }

    /// The buyer keys' backfill on either backend, over rows as the engine writes them (their keys taken out).
    @Test func buyerKeysAreBackfilledOnEitherBackend() throws {
        let path = try testDatabase(temporaryDirectory() + "/keys.db")
        let engine = try Engine(path: path)
        try engine.seedCatalog(a1: ["SH": 5])
        let buyer: JSON = ["phone": "0086 133 1234 3069", "email": "Bob+1@x.com", "ip": "2001:db8:1:2::a"]
        try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], ["customer": buyer]))
        let store = try Store(path: path, options: StoreOptions())
        try store.transaction(.write) {
            try store.db.run("UPDATE orders SET customer_phone_key = NULL, customer_email_key = NULL, ip_key = NULL")
            for (kind, value) in [("email", "BOB+2@x.com"), ("email", "bob@x.com"), ("email", "Al+1@y.com"),
                                  ("phone", "+86 133 1234 3069"), ("ip", "2001:db8:1:2::1")] {
                try store.db.run("INSERT INTO risk_lists(kind, value, list, updated_at) VALUES (?, ?, 'block', 0)",
                                 .text(kind), .text(value))
            }
            try Migration.buyerKeys.backfill?(store.db)
        }
        #expect(try store.db.first("SELECT customer_phone_key || ' ' || customer_email_key || ' ' || ip_key FROM orders") {
            $0.text(0) } == "13312343069 bob@x.com 2001:db8:1:2::/64")
        var listed: [String] = []
        try store.db.rows("SELECT value FROM risk_lists ORDER BY value") { listed.append($0.text(0)) }
        #expect(listed == ["13312343069", "2001:db8:1:2::/64", "al@y.com", "bob@x.com"])
    }

    /// The schema itself refuses a count of units below its bound, whatever statement writes it: a
    /// balance below zero, a line or a hold of no units (a `CHECK` on SQLite, a domain on PostgreSQL).
    @Test func theSchemaRefusesNegativeBalancesAndEmptyLines() throws {
        let path = try testDatabase(temporaryDirectory() + "/bounds.db")
        let engine = try Engine(path: path)
        try engine.seedCatalog(a1: ["SH": 3])
        try engine.ok("channel.upsert", ["channel": "web"])
        let id = try engine.ok("order.create", orderArgs([("A1", 2, "5.00")]))["order_id"]?.stringValue ?? ""
        let store = try Store(path: path, options: StoreOptions())
        for sql in [
            "UPDATE stock SET reserved = reserved - 3",
            "UPDATE stock SET on_hand = -1",
            "UPDATE order_lines SET qty = 0",
            "UPDATE reservations SET qty = 0",
            "INSERT INTO channel_skus(channel, sku, cap) VALUES ('web', 'A1', -1)",
        ] {
            #expect(throws: OrderCoreError.self, "\(sql)") { try store.transaction(.write) { try store.db.run(sql) } }
        }
        #expect(try engine.ok("stock.get", ["sku": "A1"])["available"] == 1)
        #expect(try engine.ok("order.get", ["order_id": .string(id)])["lines"]?.arrayValue?.first?["qty"] == 2)
    }

    @Test func failedTransactionLeavesNothingBehind() throws {
        let store = try Store(path: ":memory:", options: StoreOptions())
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.transaction(.write) {
                try store.db.run("INSERT INTO config(key, value) VALUES ('x', '1')")
                throw Boom()
            }
        }
        #expect(try store.configValue("x") == nil)
    }

    @Test func theLedgerIsAppendOnly() throws {
        let store = try Store(path: ":memory:", options: StoreOptions())
        try store.db.run("INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason) VALUES (0, 'A1', 'SH', 'on_hand', 1, 'receive')")
        #expect(throws: OrderCoreError.self) { try store.db.run("UPDATE ledger SET delta = 5") }
        #expect(throws: OrderCoreError.self) { try store.db.run("DELETE FROM ledger") }
    }

    @Test func twoHandlesOnOneFileSeeEachOthersCommits() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let first = try Engine(path: dir + "/shared.db")
        let second = try Engine(path: dir + "/shared.db")
        try first.seedCatalog(a1: ["SH": 5])
        #expect(try second.available("A1") == 5)
        try second.ok("order.create", orderArgs([("A1", 2, "1.00")]))
        #expect(try first.available("A1") == 3)
    }

    @Test func writerWaitingForALongTransactionGetsBusyAfterItsTimeout() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let path = dir + "/busy.db"
        let holder = try Store(path: path, options: StoreOptions())
        let waiter = try Engine(path: path, options: StoreOptions(busyTimeoutMillis: 50))
        try holder.db.run("BEGIN IMMEDIATE")
        #expect(waiter.fails("sku.upsert", ["sku": "A1"]) == .busy)
        try holder.db.run("ROLLBACK")
        #expect(waiter.fails("sku.upsert", ["sku": "A1"]) == nil)
    }

    /// Tests/sql/portable.py gives PostgreSQL these renderings in place of the SQLite ones it finds in the
    /// statement log: the two must agree.
    /// Readers that overlap, so that one is always in the middle of a read, keep SQLite's own checkpoints
    /// from ever starting the log again: it grew by 26 MB a second of paid orders. Past `walRestartPages`
    /// a commit waits for them to move on, and the log starts again, cut back to that size.
    @Test func overlappingReadersDoNotLetTheLogGrowWithoutBound() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        var options = StoreOptions(synchronous: .normal)
        options.walRestartPages = 100
        let store = try Store(path: dir + "/w.db", options: options)
        let readers = try [0, 5_000].map { try OverlappingReader(path: dir + "/w.db", startingAfter: $0) }
        let row = String(repeating: "x", count: 4_000)  // about two pages
        for i in 0..<1_500 {
            try store.transaction(.write) {
                try store.db.write("INSERT INTO config(key, value) VALUES (?, ?)", .text("k\(i)"), .text(row))
            }
        }
        let reads = readers.map { $0.stop() }
        #expect(reads.allSatisfy { $0 > 5 })  // they did overlap the writes
        var log = stat()
        #expect(stat(dir + "/w.db-wal", &log) == 0)
        #expect(log.st_size < 3 * 100 * 4_096)  // without the restarts: over 6 MB
    }

    /// Past 1,000 pages of log, checkpoints run on a thread of their own, every 500 pages, beside the
    /// commits: the committing thread writes its commits and nothing else (SQLite's own checkpoint would
    /// copy every page into the database on it). Past 4,000 pages a commit copies the rest, so the log
    /// starts over. Every row is there, for another handle, and the file is sound.
    @Test func checkpointsRunBesideTheCommitsAndTheLogStartsOver() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let store = try Store(path: dir + "/c.db", options: StoreOptions(synchronous: .normal))
        _ = try store.db.first("PRAGMA wal_checkpoint(TRUNCATE)") { $0.int(0) }
        let row = String(repeating: "c", count: 1_000)  // some 5 frames a commit (row, key, growing file)
        func commit(_ i: Int) throws {
            try store.transaction(.write) {
                try store.db.write("INSERT INTO config(key, value) VALUES (?, ?)", .text("c-\(i)"), .text(row))
            }
        }
        let before = try writeCalls()
        for i in 0..<400 { try commit(i) }  // some 2,000 frames
        let calls = try writeCalls() - before
        #expect(calls <= 402, "\(calls) write calls on the committing thread for 400 commits")
        var waited = 0
        while store.db.backgroundCheckpoints == 0 && waited < 10_000 {
            usleep(1_000)
            waited += 1
        }
        #expect(store.db.backgroundCheckpoints > 0)
        // Past 4,000 frames the log starts over: at the first commit that finds the thread's pass done (on a
        // busy machine the thread may be in the middle of one for some commits).
        var (i, past, restarted) = (400, false, false)
        while i < 1_600 || past && !restarted && i < 12_000 {
            try commit(i)
            i += 1
            if store.db.logPages >= 4_000 { past = true } else if past { restarted = true }
        }
        #expect(!past || restarted, "\(store.db.logPages) pages in the log after \(i) commits")
        let other = try Store(path: dir + "/c.db", options: StoreOptions())
        #expect(try other.db.first("SELECT COUNT(*) FROM config WHERE key LIKE 'c-%' AND value = ?", .text(row)) {
            $0.int(0)
        } == Int64(i))
        #expect(try other.db.first("PRAGMA integrity_check") { $0.text(0) } == "ok")
    }

    @Test func theDialectsRenderingsAreTheOnesThePortabilityCheckMirrors() {
        #expect(SQLDialect.sqlite.commaList("r.warehouse") == "GROUP_CONCAT(r.warehouse)")
        #expect(SQLDialect.postgresql.commaList("r.warehouse") == "STRING_AGG(r.warehouse, ',')")
        #expect(SQLDialect.sqlite.byteLength("payload") == "length(CAST(payload AS BLOB))")
        #expect(SQLDialect.postgresql.byteLength("payload") == "octet_length(payload)")
        #expect(SQLDialect.sqlite.greatest("a", "b") == "MAX(a, b)" && SQLDialect.sqlite.least("a", "b") == "MIN(a, b)")
        #expect(SQLDialect.postgresql.greatest("a", "b") == "GREATEST(a, b)")
        #expect(SQLDialect.postgresql.least("a", "b") == "LEAST(a, b)")
    }
}


/// A connection on its own thread that reads in short transactions (10 ms each) until stopped.
private final class OverlappingReader: @unchecked Sendable {
    private let db: Database
    private let delayMicros: UInt32
    private let stopping = Atomic<Bool>(false)
    private let reads = Atomic<Int>(0)
    private var thread = pthread_t()

    init(path: String, startingAfter delayMicros: UInt32) throws {
        db = try Database(path: path, options: StoreOptions())
        self.delayMicros = delayMicros
        thread = startThread { [self] in run() }
    }

    private func run() {
        usleep(delayMicros)
        while !stopping.load(ordering: .relaxed) {
            try? db.transaction(.read) {
                _ = try db.first("SELECT COUNT(*) FROM config") { $0.int(0) }
                usleep(10_000)
            }
            reads.add(1, ordering: .relaxed)
        }
    }

    /// Stops the thread. - Returns: how many transactions it read in.
    func stop() -> Int {
        stopping.store(true, ordering: .relaxed)
        pthread_join(thread, nil)
        return reads.load(ordering: .relaxed)
    }
}
