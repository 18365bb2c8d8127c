import CSQLite
import CSQLiteVFS

#if canImport(Glibc)
import Glibc
#endif

/// How a database file is opened.
public struct StoreOptions: Sendable {
    public enum Synchronous: String, Sendable { case full = "FULL", normal = "NORMAL" }

    /// `FULL` (default) survives power loss with every committed order; `NORMAL` is faster in WAL mode
    /// and survives application crashes, but may lose the last commits on power loss.
    public var synchronous: Synchronous = .full
    /// How long a writer waits for another writer before the command fails with `busy`.
    public var busyTimeoutMillis: Int = 10_000

    /// How many pages the write-ahead log may reach before a commit waits for its readers to move on
    /// so that it can start again from the beginning (`Database.checkpoint(afterCommitOf:)`); nil: as
    /// many as make `Database.walRestartBytes`, whatever the file's page size.
    var walRestartPages: Int32?

    public init(synchronous: Synchronous = .full, busyTimeoutMillis: Int = 10_000) {
        self.synchronous = synchronous
        self.busyTimeoutMillis = busyTimeoutMillis
    }
}

/// A value bound to a statement parameter.
enum SQLValue: Equatable {
    case int(Int64)
    case text(String)
    case null

    static func opt(_ s: String?) -> SQLValue { s.map(SQLValue.text) ?? .null }
    static func opt(_ i: Int64?) -> SQLValue { i.map(SQLValue.int) ?? .null }
    static func bool(_ b: Bool) -> SQLValue { .int(b ? 1 : 0) }
}

/// A `WHERE` clause assembled from the filters actually given. SQLite cannot use an index for
/// `? IS NULL OR column = ?`, so optional filters are left out of the text instead; each combination
/// of filters is its own cached statement.
struct Conditions {
    private(set) var clauses: [String] = []
    private(set) var arguments: [SQLValue] = []

    init(_ clauses: String...) { self.clauses = clauses }

    /// Adds `clause` (with one `?`) when `value` is present.
    mutating func add(_ clause: String, _ value: String?) {
        guard let value else { return }
        clauses.append(clause)
        arguments.append(.text(value))
    }

    mutating func add(_ clause: String, _ value: Int64?) {
        guard let value else { return }
        clauses.append(clause)
        arguments.append(.int(value))
    }

    /// Adds a clause with its own arguments (any number of `?`).
    mutating func add(_ clause: String, arguments values: [SQLValue]) {
        clauses.append(clause)
        arguments += values
    }

    var sql: String { clauses.isEmpty ? "1 = 1" : clauses.joined(separator: " AND ") }
}

/// One result row, valid only inside the closure that receives it: an SQLite statement's current row,
/// or row `index` of a PostgreSQL result.
struct Row {
    fileprivate let stmt: OpaquePointer?
    fileprivate var result: OpaquePointer? = nil
    fileprivate var index: Int32 = 0

    func int(_ column: Int32) -> Int64 {
        guard let stmt else { return PostgresConnection.int(result!, index, column) }
        return sqlite3_column_int64(stmt, column)
    }
    func optInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
    func bool(_ column: Int32) -> Bool { int(column) != 0 }
    func isNull(_ column: Int32) -> Bool {
        guard let stmt else { return PostgresConnection.isNull(result!, index, column) }
        return sqlite3_column_type(stmt, column) == SQLITE_NULL
    }
    func text(_ column: Int32) -> String { optText(column) ?? "" }
    func optText(_ column: Int32) -> String? {
        guard let stmt else { return PostgresConnection.text(result!, index, column) }
        guard let p = sqlite3_column_text(stmt, column) else { return nil }
        return String(
            decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, column))), as: UTF8.self)
    }
}

/// A thin layer over one sqlite3 connection: cached prepared statements, `BEGIN IMMEDIATE` write
/// transactions, a jittered busy handler, and SQLite result codes mapped to `OrderCoreError` — or, for a
/// `postgresql://` path, over one `PostgresConnection` with the same statements and promises.
/// Not thread-safe by itself; `Engine` serialises access with its mutex.
final class Database {
    /// The SQLite handle (nil on PostgreSQL, where every SQLite-only path is guarded by `postgres`).
    private let db: OpaquePointer!
    private var cache: [StatementKey: Prepared] = [:]
    /// The statements used last, by where their text is stored: a call site passes the same literal (or
    /// `generated` text) every time, so most lookups compare an address and the text's identity instead
    /// of hashing it. A slot whose text lives elsewhere now, or differs, falls back to `cache`.
    @exclusivity(unchecked) private var recent = [RecentStatement?](repeating: nil, count: Database.recentSlots)
    private static let recentSlots = 256
    /// SQL texts built from parts (`generated`), by what they were built from.
    private var built: [StatementKey: [Int: String]] = [:]
    private let postgres: PostgresConnection?
    /// The file, or the PostgreSQL URI without its password.
    let path: String
    var dialect: SQLDialect { postgres == nil ? .sqlite : .postgresql }
    /// Whether the transaction writes beside others (`Sharing.concurrent`, PostgreSQL): the rows it reads
    /// to change them are then locked as read (`FOR UPDATE`), not only when written.
    var locksRowsRead: Bool { postgres?.concurrent == true }
    /// What a read of rows the command then changes ends with: ` FOR UPDATE` when `locksRowsRead`.
    var forUpdate: String { locksRowsRead ? " FOR UPDATE" : "" }
    /// The files SQLite keeps this database in (nil in memory): no output may be written over them.
    let files: DatabaseFiles?
    /// On PostgreSQL, a query of one integer sent with every BEGIN, and its answer while the transaction
    /// lasts (the Store's cache epoch; on SQLite, where a query costs no round trip, the Store reads it
    /// when it needs it). When the answer is known beforehand (`expectedPrelude`), BEGIN only checks it
    /// (`check`, which divides by zero when its argument is not the answer), pipelined with nothing
    /// waiting for it: a transaction that finds another answer fails before it commits, with
    /// `PreludeMoved`. Otherwise BEGIN waits for the answer: a round trip of its own.
    var prelude: (read: String, check: String)?
    var expectedPrelude: Int64?
    private(set) var preludeValue: Int64?
    /// The prelude's answer was not the one expected: the transaction was rolled back.
    struct PreludeMoved: Error {}
    private var preludeMoved = false

    init(path: String, options: StoreOptions) throws {
        if PostgresConnection.names(path) {
            let postgres = try PostgresConnection(uri: path)
            self.postgres = postgres
            self.path = postgres.target
            db = nil
            files = nil
            return
        }
        postgres = nil
        self.path = path
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        // Through the VFS that writes each log frame with one system call and keeps sub-journals in memory
        // (architecture.md, *Log writes*, *Sub-journal in memory*).
        let rc = sqlite3_open_v2(path, &handle, flags, ordercore_vfs())
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw Database.error(rc, message, path: path)
        }
        db = handle
        files = sqlite3_db_filename(handle, "main").flatMap { DatabaseFiles(String(cString: $0)) }
        sqlite3_extended_result_codes(db, 1)
        busyTimeoutMillis = max(1, options.busyTimeoutMillis)
        waitFor(busyTimeoutMillis)
        // From here a failure needs no clean-up: deinit closes the handle (Swift runs it for an
        // initializer that throws once every property is set; closing it here too closed it twice).
        // A new file's page size, set before its first write (a file that has pages keeps its own).
        try execute("PRAGMA page_size=\(Database.pageSize)")
        // journal_mode is persistent in the file; WAL lets readers run while one writer commits. Another
        // program's file is refused first, unchanged (its programs may not read a WAL file).
        try Migration.refuseForeign(self)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=\(options.synchronous.rawValue)")
        try execute("PRAGMA foreign_keys=ON")
        let pageSize = try first("PRAGMA page_size") { $0.int(0) } ?? Int64(Database.pageSize)
        walRestartPages = options.walRestartPages ?? Int32(Database.walRestartBytes / pageSize)
        restartAt = walRestartPages
        try execute("PRAGMA journal_size_limit=\(Int64(walRestartPages) * pageSize)")
        sqlite3_wal_hook(db, walHook, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        ordercore_checkpointer_stop(checkpointer)
        for prepared in cache.values { sqlite3_finalize(prepared.stmt) }
        if let db {
            sqlite3_wal_hook(db, nil, nil)
            sqlite3_close_v2(db)
        }
    }

    // MARK: - Checkpoints

    /// The page size of a new file. Each commit writes every page it changed, in full, to the log, with
    /// a checksum over it: a paid order changes about 26 pages of 23 trees (a row and its index entries
    /// each), nearly all of them by a few dozen bytes. At 2 KiB instead of SQLite's 4 KiB, a paid order
    /// writes half the bytes and is about a fifth faster (docs/benchmarks.md, section 1); at 1 KiB
    /// channel payloads spill over too many pages.
    static let pageSize = 2_048
    /// The size of the log past which a commit waits for readers to move on (`checkpoint(afterCommitOf:)`).
    static let walRestartBytes: Int64 = 64 << 20

    private var busyTimeoutMillis = 0
    private var walRestartPages: Int32 = 0
    /// The log's size, in pages, at which the next commit checkpoints with `RESTART`.
    private var restartAt: Int32 = 0
    /// Up to how long a commit waits for readers to leave the log before it restarts it.
    private static let restartWaitMillis = 1_000
    /// SQLite's own automatic checkpoint, which the log hook replaces, in pages: from this size on, the
    /// thread of `checkpointer` copies the log into the database, every `backgroundEveryPages` pages.
    private static let autocheckpointPages: Int32 = 1_000
    private static let backgroundEveryPages: Int32 = 500
    /// The log's size past which a commit copies the rest itself, so that the log starts over.
    private static let catchUpPages: Int32 = 4_000
    /// The log's size at which the next commit asks `checkpointer` for a pass.
    private var backgroundAt = Database.autocheckpointPages
    /// The thread that checkpoints beside the commits (`ordercore_checkpointer_start`), started when
    /// first needed; nil before, on PostgreSQL, or when it could not start (then the commit checkpoints,
    /// and the next one that asks tries to start it again).
    private var checkpointer: OpaquePointer?

    /// How long a statement waits for a lock another connection holds: the busy handler's budget, given
    /// through its context pointer (no state to keep alive).
    private func waitFor(_ millis: Int) {
        sqlite3_busy_handler(db, jitteredBusyHandler, UnsafeMutableRawPointer(bitPattern: millis))
    }

    /// SQLite's own policy, split across two threads and one step further (the log hook replaces its
    /// automatic checkpoint). Past `autocheckpointPages` SQLite's commit copies into the database what no
    /// reader still needs (`PASSIVE`, no waiting): a copy of each page the last thousand frames changed
    /// and two syncs, a quarter of a paid order's time. Here a thread of its own does that
    /// (`checkpointer`), every `backgroundEveryPages`, while the next commits go on. The log starts over
    /// only at a write that finds all of it copied, which a pass beside ongoing commits seldom leaves, so
    /// past `catchUpPages` a commit copies the rest itself (little, after the passes). Neither lets the
    /// log start again from the beginning while some reader is always in the middle of a read (a
    /// dashboard, a feed consumer, a report) — the log then grows for as long as that lasts (measured: by
    /// 26 MB a second of paid orders with two overlapping readers). So past `walRestartPages` a commit
    /// waits, up to `restartWaitMillis`, for the readers to move on to the latest data (`RESTART`), and
    /// the next writer starts the log again, cut back to that size (`journal_size_limit`). A reader that
    /// holds on for longer (a long report) is not waited for again before the log has grown by as much
    /// once more.
    fileprivate func checkpoint(afterCommitOf pages: Int32) {
        logPages = pages
        if pages < backgroundAt - Database.backgroundEveryPages { backgroundAt = Database.autocheckpointPages }
        guard pages >= restartAt else {
            if pages >= Database.catchUpPages {
                sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            } else if pages >= backgroundAt {
                backgroundAt = pages + Database.backgroundEveryPages
                if let checkpointer = startedCheckpointer() {
                    ordercore_checkpointer_request(checkpointer)
                } else {
                    sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                }
            }
            return
        }
        waitFor(Database.restartWaitMillis)
        let rc = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_RESTART, nil, nil)
        waitFor(busyTimeoutMillis)
        restartAt = rc == SQLITE_OK ? walRestartPages : pages + walRestartPages
    }

    private func startedCheckpointer() -> OpaquePointer? {
        if checkpointer == nil { checkpointer = sqlite3_db_filename(db, "main").flatMap(ordercore_checkpointer_start) }
        return checkpointer
    }

    /// The log's size, in pages, after this handle's last commit.
    private(set) var logPages: Int32 = 0

    /// How many passes the checkpoint thread has made (0 before it started): tests wait for one.
    var backgroundCheckpoints: Int { checkpointer.map { ordercore_checkpointer_passes($0) } ?? 0 }

    /// With `ORDERCORE_SQL_LOG` set to a file, every statement text a handle prepares is appended to it,
    /// each ended by a NUL byte: what `Tests/sql/portable.py` prepares on PostgreSQL to prove the Store's
    /// SQL portable (docs/architecture.md).
    nonisolated(unsafe) private static let sqlLog: UnsafeMutablePointer<FILE>? = getenv("ORDERCORE_SQL_LOG").flatMap {
        fopen($0, "a")
    }

    private static func logStatement(_ sql: String) {
        guard let sqlLog else { return }
        flockfile(sqlLog)
        fputs(sql, sqlLog)
        fputc(0, sqlLog)
        fflush(sqlLog)
        funlockfile(sqlLog)
    }

    // MARK: - Errors

    /// Maps an SQLite result code to the engine's stable codes.
    static func error(_ rc: Int32, _ message: String, path: String) -> OrderCoreError {
        switch rc & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED:
            OrderCoreError(.busy, "database is busy (another writer held it past the busy timeout): \(message)")
        case SQLITE_FULL: OrderCoreError(.full, "database or disk is full: \(message)")
        case SQLITE_NOTADB: OrderCoreError(.corrupt, "'\(path)' is not a database file")
        case SQLITE_CORRUPT: OrderCoreError(.corrupt, "database file '\(path)' is corrupt: \(message)")
        case SQLITE_CANTOPEN:
            OrderCoreError(.io, "cannot open database file '\(path)' (does its directory exist and is it writable?)")
        case SQLITE_READONLY:
            OrderCoreError(
                .io,
                "'\(path)' cannot be written (OrderCore needs write access to the file and its directory): \(message)")
        case SQLITE_IOERR, SQLITE_PERM:
            OrderCoreError(.io, "I/O error on '\(path)': \(message)")
        case SQLITE_CONSTRAINT: OrderCoreError(.conflict, "constraint violated: \(message)")
        // SUM() over 64-bit integers refuses to overflow (it does not round to REAL): a report whose
        // totals leave 64 bits is asked for too much at once, not broken.
        case SQLITE_ERROR where message == "integer overflow":
            OrderCoreError(
                .invalidInput, "a total is larger than 64 bits can hold; ask for a shorter period or one channel")
        case SQLITE_NOMEM: OrderCoreError(.internal, "out of memory")
        default: OrderCoreError(.internal, "SQLite error \(rc): \(message)")
        }
    }

    private func check(_ rc: Int32) throws {
        guard rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE else {
            throw Database.error(rc, String(cString: sqlite3_errmsg(db)), path: path)
        }
    }

    // MARK: - Statements

    /// Runs SQL text without parameters (schema, pragmas). Not cached.
    func execute(_ sql: String) throws {
        if let postgres { return try postgres.execute(sql) }
        try check(sqlite3_exec(db, sql, nil, nil, nil))
    }

    /// Runs a statement without parameters: on PostgreSQL behind the writes still in flight, in one round
    /// trip with them (`PostgresConnection.run`); on SQLite prepared once per handle (`execute` parses
    /// its text every time: 39,000 instructions per channel event for its four savepoint statements).
    private func mark(_ sql: String) throws {
        if let postgres { return try postgres.run(sql) }
        try run(sql)
    }

    private func prepared(_ sql: String, _ args: [SQLValue]) throws -> OpaquePointer {
        let entry: Prepared
        // A slot holds its text, so no other text is stored at that address while it does, and comparing
        // the texts compares their identity. A text of under 16 bytes is held inline: its address is a
        // copy's on the stack, shared with other short texts, and the comparison is by value.
        let address = sql.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) } ?? 0
        let slot = Int(truncatingIfNeeded: (address >> 4) % UInt(Database.recentSlots))
        if address != 0, let hit = recent[slot], hit.address == address, hit.sql == sql {
            entry = hit.entry
        } else {
            if let cached = cache[StatementKey(sql)] {
                entry = cached
            } else {
                var fresh: OpaquePointer?
                try check(sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &fresh, nil))
                guard let fresh else { throw OrderCoreError(.internal, "empty SQL statement") }
                Database.logStatement(sql)
                entry = Prepared(fresh)
                cache[StatementKey(sql)] = entry
            }
            if address != 0 { recent[slot] = RecentStatement(address: address, sql: sql, entry: entry) }
        }
        let stmt = entry.stmt
        var textBytes = 0
        for arg in args { if case .text(let s) = arg { textBytes += s.utf8.count } }
        let buffer = entry.textBuffer(textBytes)
        var offset = 0
        for (i, arg) in args.enumerated() {
            let index = Int32(i + 1)
            switch arg {
            case .int(let v): try check(sqlite3_bind_int64(stmt, index, v))
            case .null: try check(sqlite3_bind_null(stmt, index))
            case .text(let s):
                var s = s
                try s.withUTF8 { utf8 in
                    if let buffer, let base = utf8.baseAddress {
                        let at = buffer + offset
                        at.copyMemory(from: base, byteCount: utf8.count)
                        offset += utf8.count
                        let chars = at.assumingMemoryBound(to: CChar.self)
                        try check(sqlite3_bind_text(stmt, index, chars, Int32(utf8.count), nil))  // SQLITE_STATIC
                    } else if let base = utf8.baseAddress {
                        let chars = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
                        try check(csqlite_bind_text(stmt, index, chars, Int32(clamping: utf8.count)))
                    } else {
                        try check(csqlite_bind_text(stmt, index, "", 0))
                    }
                }
            }
        }
        return stmt
    }

    /// `?, ?, ?` for an `IN (...)` list of `count` values (each count is its own cached statement).
    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    /// Runs a statement for its effect. - Returns: the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ args: SQLValue...) throws -> Int { try run(sql, arguments: args) }

    /// Runs a write whose result nobody reads. On PostgreSQL it is sent without waiting for its answer
    /// (`PostgresConnection.send`): the next statement that reads, or the commit, reads it back, so a
    /// command's writes cost one round trip together instead of one each. Errors are thrown then.
    func write(_ sql: String, _ args: SQLValue...) throws { try write(sql, arguments: args) }

    func write(_ sql: String, arguments args: [SQLValue]) throws {
        if let postgres { return try postgres.send(sql, args) }
        try run(sql, arguments: args)
    }

    /// Asks, on PostgreSQL, for a read now, so that it comes back with the next round trip and `first`
    /// (or `rows`) of the same statement and arguments later in the transaction costs none: for what a
    /// command needs after another read, which its own writes in between do not change (the next number
    /// of a sequence, the rows read beside another). Nothing on SQLite.
    func prefetch(_ sql: String, arguments args: [SQLValue] = []) throws { try postgres?.prefetch(sql, args) }

    /// How many times the handle has waited for the PostgreSQL server (0 on SQLite): tests count them.
    var roundTrips: Int { postgres?.roundTrips ?? 0 }
    /// How many statements the handle has sent the PostgreSQL server (0 on SQLite): tests count them.
    var statementsSent: Int { postgres?.statements ?? 0 }

    /// Drops the reads sent ahead that nobody asked for: a command ends with it, so the next one (in a
    /// batch, the same transaction) never takes a result read before the writes between them.
    func forgetPrefetched() { postgres?.forgetPrefetched() }

    /// Runs a guarded write (an UPDATE whose WHERE is the guard) that must change a row, else fails the
    /// command with `failure`. On PostgreSQL it is sent without waiting, as `write` is, and the server
    /// itself refuses when no row changed (a division by zero stands for it), so the row lock the write
    /// takes — a hot SKU's balance — is held while the server works through the rest of the command,
    /// never across a round trip to the host.
    func require(_ sql: String, _ args: SQLValue..., else failure: @escaping @autoclosure () -> any Error) throws {
        if let postgres {
            return try postgres.send(
                "WITH changed AS (\(sql) RETURNING 1) SELECT 1 / COUNT(*) FROM changed", args,
                guardFailure: { _, _ in failure() })
        }
        guard try run(sql, arguments: args) > 0 else { throw failure() }
    }

    /// Sends, on PostgreSQL, a statement that refuses by itself: it calls `ordercore_guard_refused(key, detail)`
    /// (migration 0026), which fails the command with `failure(key, detail)` when `flush` reads it back.
    /// Sent without waiting, as `write` is.
    func refusing(
        _ sql: String, arguments args: [SQLValue],
        else failure: @escaping (_ key: String, _ detail: String?) -> any Error
    ) throws {
        guard let postgres else { throw OrderCoreError(.internal, "ordercore_guard_refused exists on PostgreSQL only") }
        try postgres.send(sql, args, guardFailure: failure)
    }

    /// Writes rows (as `write` does) with one multi-row INSERT per 100 rows rather than a statement
    /// each: `insert` is the statement up to `VALUES`; every row has the same number of values.
    /// - Parameter then: what follows the rows (an `ON CONFLICT` clause).
    func writeRows(_ insert: String, _ rows: [[SQLValue]], then suffix: String = "") throws {
        guard let width = rows.first?.count else { return }
        for start in stride(from: 0, to: rows.count, by: 100) {
            let chunk = rows[start..<min(start + 100, rows.count)]
            let sql = generated(suffix.isEmpty ? insert : insert + suffix, chunk.count) {
                insert + " VALUES "
                    + Array(repeating: "(" + Database.placeholders(width) + ")", count: $0).joined(separator: ", ")
                    + (suffix.isEmpty ? "" : " " + suffix)
            }
            var arguments: [SQLValue] = []
            arguments.reserveCapacity(chunk.count * width)  // flatMap grew it a row at a time
            for row in chunk { arguments += row }
            try write(sql, arguments: arguments)
        }
    }

    /// A statement built from a template and a count (of rows, of guards), built once per handle:
    /// building it costs more than running it.
    func generated(_ template: String, _ count: Int, build: (Int) -> String) -> String {
        let key = StatementKey(template)
        if let known = built[key]?[count] { return known }
        let sql = build(count)
        built[key, default: [:]][count] = sql
        return sql
    }

    /// `run` with an argument array, for statements whose arguments are assembled in code.
    @discardableResult
    func run(_ sql: String, arguments args: [SQLValue]) throws -> Int {
        if let postgres { return try postgres.query(sql, args, PostgresConnection.changes) }
        let stmt = try prepared(sql, args)
        defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
        var rc = sqlite3_step(stmt)
        while rc == SQLITE_ROW { rc = sqlite3_step(stmt) }
        try check(rc)
        return Int(sqlite3_changes(db))
    }

    /// Calls `body` for each result row.
    func rows(_ sql: String, _ args: SQLValue..., body: (Row) throws -> Void) throws {
        try rows(sql, arguments: args, body: body)
    }

    func rows(_ sql: String, arguments args: [SQLValue], body: (Row) throws -> Void) throws {
        if let postgres {
            return try postgres.query(sql, args) { result in
                for i in 0..<PostgresConnection.rowCount(result) { try body(Row(stmt: nil, result: result, index: i)) }
            }
        }
        let stmt = try prepared(sql, args)
        defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            try check(rc)
            try body(Row(stmt: stmt))
        }
    }

    /// Maps the first result row, or returns nil when there is none.
    func first<T>(_ sql: String, _ args: SQLValue..., map: (Row) throws -> T) throws -> T? {
        try first(sql, arguments: args, map: map)
    }

    func first<T>(_ sql: String, arguments args: [SQLValue], map: (Row) throws -> T) throws -> T? {
        if let postgres {
            return try postgres.query(sql, args) { result in
                PostgresConnection.rowCount(result) == 0 ? nil : try map(Row(stmt: nil, result: result, index: 0))
            }
        }
        let stmt = try prepared(sql, args)
        defer { sqlite3_reset(stmt); sqlite3_clear_bindings(stmt) }
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_DONE { return nil }
        try check(rc)
        return try map(Row(stmt: stmt))
    }

    /// Rows visited by full table scans in cached statements since the last call (and resets the
    /// counts). Tests use it to prove that hot paths use indexes: their cost must not grow with the data.
    func takeFullScanSteps() -> Int {
        cache.values.reduce(0) { $0 + Int(sqlite3_stmt_status($1.stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1)) }
    }

    /// The texts of the statements prepared so far (tests: which shape of a query a path runs).
    var preparedSQL: [String] { cache.keys.map(\.sql) }

    // MARK: - Transactions

    enum Access { case read, write }

    /// Runs `body` in one transaction: all of it commits or none of it does.
    /// Writes use `BEGIN IMMEDIATE`, so the write lock is taken (waiting in the busy handler) before
    /// anything is read; a deferred transaction that later upgrades could fail with SQLITE_BUSY
    /// without the busy handler being called when its snapshot is stale.
    /// Commits. On PostgreSQL a connection lost during COMMIT leaves the outcome unknown: `in_doubt`.
    private func commit() throws {
        do {
            if let postgres {
                // COMMIT goes in the same round trip as the writes before it.
                try postgres.commit()
            } else {
                try run("COMMIT")
            }
        } catch let error as OrderCoreError where postgres?.isLost == true {
            throw OrderCoreError(
                .inDoubt,
                "the connection to PostgreSQL was lost while committing: the command may or may not have been "
                    + "applied; run it again with the same idempotency key (\(error.message))")
        }
    }

    /// A conflict with another transaction that running the whole command again resolves (PostgreSQL: a
    /// serialization failure, a deadlock, a lock not available, or in a concurrent command a unique key
    /// another transaction committed first). `error` is the answer once the retries run out.
    struct Contention: Error {
        var error: OrderCoreError
    }

    /// How a transaction shares a PostgreSQL database with the others (on SQLite writers are always one at
    /// a time and every transaction reads one snapshot).
    enum Sharing {
        /// A write takes `PostgresConnection.writerLock` exclusively: writers on every host follow each
        /// other as on one SQLite file. A read sees one snapshot (repeatable read).
        case alone
        /// A write shares the writer lock with the other concurrent writes: only for commands whose every
        /// read-then-write is guarded (state-guarded updates, conditional writes, unique keys, the rows it
        /// changes locked as read: `locksRowsRead`).
        case concurrent
        /// A read of the change feed: it first waits for the transactions writing feed events to commit
        /// (`LOCK TABLE feed IN SHARE MODE`, before its snapshot is taken), so it never reads an event
        /// while one numbered before it is still to commit.
        case feedReader
    }

    func transaction<T>(_ access: Access, _ sharing: Sharing = .alone, _ body: () throws -> T) throws -> T {
        defer {
            preludeValue = nil
            forgetPrefetched()
        }
        preludeMoved = false
        if let postgres {
            try postgres.reconnectIfLost()
            postgres.concurrent = access == .write && sharing == .concurrent
            let lock = sharing == .concurrent ? "pg_advisory_xact_lock_shared" : "pg_advisory_xact_lock"
            let begin =
                access == .write
                ? ["BEGIN", "SELECT \(lock)(\(PostgresConnection.writerLock))"]
                : sharing == .feedReader
                    ? ["BEGIN ISOLATION LEVEL REPEATABLE READ", "LOCK TABLE feed IN SHARE MODE"]
                    : ["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"]
            // Prepared, and pipelined with the prelude (or the transaction's first statement): no round
            // trip of their own, nothing parsed again.
            for statement in begin { try postgres.send(statement, []) }
            if let prelude, let expectedPrelude {
                try postgres.send(prelude.check, [.int(expectedPrelude)]) { [unowned self] _, _ in
                    preludeMoved = true
                    return PreludeMoved()
                }
                preludeValue = expectedPrelude
            } else {
                preludeValue = try prelude.flatMap { prelude in
                    try postgres.query(prelude.read, []) {
                        PostgresConnection.rowCount($0) > 0 ? PostgresConnection.int($0, 0, 0) : nil
                    }
                }
            }
        } else {
            try run(access == .write ? "BEGIN IMMEDIATE" : "BEGIN")
        }
        do {
            let result = try body()
            try commit()
            return result
        } catch {
            _ = try? postgres?.flush()  // writes still in flight: their errors follow from this one
            if postgres?.inTransaction ?? (sqlite3_get_autocommit(db) == 0) { _ = try? execute("ROLLBACK") }
            // Whatever the body made of it, what it read was not what it expected.
            if preludeMoved { throw PreludeMoved() }
            throw error
        }
    }
}

extension Database {
    /// Runs `body` so that, if it throws, everything it wrote is undone while the surrounding
    /// transaction (and what was written before) stays: `SAVEPOINT`, then `RELEASE` or `ROLLBACK TO`.
    /// Intake uses it to keep a dead letter while dropping the half-applied effects of its event.
    /// On PostgreSQL, `SAVEPOINT` goes with the writes still in flight (their errors are thrown here,
    /// before `body`) or, with none, ahead of the body's first read; `RELEASE` with the body's writes
    /// (their errors are the body's).
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        try mark("SAVEPOINT command")
        do {
            let result = try body()
            try mark("RELEASE command")
            return result
        } catch {
            _ = try? postgres?.flush()
            _ = try? execute("ROLLBACK TO command")
            _ = try? execute("RELEASE command")
            forgetPrefetched()  // read ahead by what failed: they may show what was undone
            throw error
        }
    }
}

/// A statement `Database.prepared` used, with the text it was asked for and where that text was stored.
private struct RecentStatement {
    let address: UInt
    let sql: String
    let entry: Prepared
}

/// A prepared statement, and the buffer its text arguments are bound from: copied there once and
/// bound as `SQLITE_STATIC`, where SQLite would copy each into memory of its own (an allocation, then a
/// free, per text per execution). The buffer is this statement's alone and is written only when it is
/// bound again, after `sqlite3_reset` and `sqlite3_clear_bindings` (every use ends with both). Texts of
/// more than `maxBuffered` bytes together (a channel's payload) are copied by SQLite, as before, so a
/// handle keeps no large buffer.
private final class Prepared {
    let stmt: OpaquePointer
    private var buffer: UnsafeMutableRawPointer?
    private var capacity = 0
    private static let maxBuffered = 16 << 10

    init(_ stmt: OpaquePointer) { self.stmt = stmt }
    deinit { free(buffer) }

    /// Room for `bytes` of text, or nil (none needed, too many, or no memory: SQLite copies then).
    func textBuffer(_ bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes > 0, bytes <= Prepared.maxBuffered else { return nil }
        if bytes > capacity {
            let size = max(256, bytes * 2)
            guard let grown = realloc(buffer, size) else { return nil }
            buffer = grown
            capacity = size
        }
        return buffer
    }
}

/// The statement cache's key. SQL texts are long and mostly literals, so hashing every byte on each
/// execution is measurable; the hash takes the length and the last 16 bytes (two words), and equality
/// (fast for the same literal, which shares its storage) settles collisions.
struct StatementKey: Hashable {
    let sql: String
    init(_ sql: String) { self.sql = sql }

    func hash(into hasher: inout Hasher) {
        var sql = sql
        sql.withUTF8 { bytes in
            hasher.combine(bytes.count)
            guard bytes.count >= 16, let base = bytes.baseAddress else {
                hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
                return
            }
            let tail = UnsafeRawPointer(base + bytes.count - 16)
            hasher.combine(tail.loadUnaligned(as: UInt64.self))
            hasher.combine(tail.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }
}

/// Called after every commit with the pages in the write-ahead log (`Database.checkpoint(afterCommitOf:)`).
/// The commit has happened whatever a checkpoint finds: it always answers `SQLITE_OK`.
private let walHook: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 =
    {
        context, _, _, pages in
        if let context {
            Unmanaged<Database>.fromOpaque(context).takeUnretainedValue().checkpoint(afterCommitOf: pages)
        }
        return SQLITE_OK
    }

/// Busy handler: sleeps a jittered, growing interval (0.1 ms doubling to 2 ms) so that competing writers
/// do not wake in lockstep, and gives up once the planned sleeps exceed the timeout. A higher ceiling
/// leaves the lock idle while writers sleep: 10 ms doubled the p99 of `Tests/bench/hot_sku.c`.
/// SQLite passes the number of times it has already called the handler for this lock.
private let jitteredBusyHandler: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { context, count in
    let timeoutMicros = Int(bitPattern: context) * 1000
    func base(_ n: Int) -> Int { min(100 << min(n, 5), 2_000) }
    var planned = 0
    for n in 0..<Int(count) {
        planned += base(n)
        if planned > timeoutMicros { return 0 }
    }
    let b = base(Int(count))
    usleep(UInt32(Int.random(in: (b / 2)...(b + b / 2))))
    return 1
}

extension Database {
    /// Copies the whole database, as of the caller's transaction, to `path` with SQLite's online
    /// backup; the copy is written beside `path`, checked (`quick_check`), then renamed into place, so
    /// `path` is a complete, consistent database or is not touched. - Returns: pages copied and bytes.
    /// - Throws: `invalid_input` when `path` is this database or one of its files, a link, a
    ///   directory or a device (`OutputFile.checkTarget`); `io`, `full`.
    func backup(to path: String) throws -> (pages: Int64, bytes: Int64) {
        if postgres != nil {
            throw OrderCoreError.invalid(
                "db.backup copies an SQLite file; back up a PostgreSQL database with pg_dump (docs/postgresql.md)",
                field: "path")
        }
        // An empty file made exclusively under an unpredictable name (OutputFile.temporary), which
        // SQLite then fills: no link planted beside the target is ever written through.
        let (fd, temporary) = try OutputFile.temporary(for: path, protecting: files, replacingDatabases: true)
        close(fd)
        var handle: OpaquePointer?
        var rc = sqlite3_open_v2(temporary, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nil)
        guard rc == SQLITE_OK, let destination = handle else {
            sqlite3_close_v2(handle)
            unlink(temporary)
            throw OrderCoreError(
                .io, "cannot create the backup '\(temporary)' (does its directory exist and is it writable?)")
        }
        var pages: Int64 = 0
        var problem: String?
        if let backup = sqlite3_backup_init(destination, "main", db, "main") {
            rc = sqlite3_backup_step(backup, -1)
            pages = Int64(sqlite3_backup_pagecount(backup))
            let finished = sqlite3_backup_finish(backup)
            if rc == SQLITE_DONE { rc = finished }
        } else {
            rc = sqlite3_errcode(destination)
        }
        if rc != SQLITE_OK && rc != SQLITE_DONE {
            problem = String(cString: sqlite3_errmsg(destination))
        } else {
            var statement: OpaquePointer?
            sqlite3_prepare_v2(destination, "PRAGMA quick_check", -1, &statement, nil)
            if sqlite3_step(statement) != SQLITE_ROW || String(cString: sqlite3_column_text(statement, 0)) != "ok" {
                problem = "the copy does not pass quick_check"
            }
            sqlite3_finalize(statement)
        }
        sqlite3_close_v2(destination)
        if let problem {
            unlink(temporary)
            throw Database.error(rc == SQLITE_OK || rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, problem, path: path)
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw OrderCoreError(.io, "cannot rename the backup to '\(path)': \(String(cString: strerror(errno)))")
        }
        return (pages, pages * (try first("PRAGMA page_size") { $0.int(0) } ?? 0))
    }

    /// SQLite's own check of every page, index and constraint: the problems it lists (none when sound).
    /// `quick` skips the comparison of indexes with their tables (much faster on a large file).
    func integrityProblems(quick: Bool, limit: Int) throws -> [String] {
        var problems: [String] = []
        if postgres != nil { return problems }  // PostgreSQL checks its own pages (data checksums, amcheck)
        try rows("PRAGMA \(quick ? "quick_check" : "integrity_check")(\(limit))") { row in
            let text = row.text(0)
            if text != "ok" { problems.append(text) }
        }
        try rows("PRAGMA foreign_key_check") { row in
            if problems.count < limit {
                problems.append("foreign key: row \(row.int(1)) of \(row.text(0)) names a missing \(row.text(2)) row")
            }
        }
        return problems
    }
}
