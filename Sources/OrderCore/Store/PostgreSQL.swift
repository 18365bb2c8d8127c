import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection to a shared PostgreSQL database (docs/postgresql.md): the same Store SQL as on
/// SQLite (`SQLDialect.postgresql`), with SQLite's `?` / `?N` placeholders numbered `$N`, each statement
/// text prepared once per connection, values sent as text.
///
/// Write transactions take a transaction-scoped advisory lock first (`writerLock`): the everyday commands
/// (checkout, intake, the warehouse floor, stock on its shelf) share it and rely on guarded writes, unique
/// keys and row locks (`Database.Sharing`, `Database.locksRowsRead`); the others take it alone, so they
/// follow each other across hosts as on one SQLite file.
/// docs/postgresql.md says what that promises.
final class PostgresConnection {
    /// libpq's functions (`CLibPQ`), loaded on the first open of a PostgreSQL database: the library does
    /// not link libpq, so hosts that only use SQLite files need none. Only read once a connection exists.
    private static var pq: ordercore_libpq { loadedLibPQ.api! }

    private var conn: OpaquePointer
    /// The connection string as opened (with the defaults added), to connect again after a loss.
    private let conninfo: String
    private var prepared: [StatementKey: String] = [:]
    /// Statement names handed out on this connection: each new statement gets the next, never one a
    /// statement that failed to prepare (and was forgotten) may still hold on the server.
    private var named = 0
    let target: String

    /// The advisory lock every write transaction holds ("OrderCor" in ASCII): exclusively, or shared
    /// by concurrent commands.
    static let writerLock: Int64 = 0x4F72_6465_7243_6F72
    /// Whether the current transaction runs beside others (a shared `writerLock`): a unique key another
    /// transaction committed first is then contention to retry, not the request's fault.
    var concurrent = false

    /// Whether `path` names a PostgreSQL database: a `postgresql://` or `postgres://` URI, or libpq's
    /// keyword form (`host=db1 dbname=orders`: words of `key=value` whose first key is one of libpq's
    /// connection keywords).
    static func names(_ path: String) -> Bool {
        if path.hasPrefix("postgresql://") || path.hasPrefix("postgres://") { return true }
        guard let first = path.split(separator: " ").first, let equals = first.firstIndex(of: "=") else {
            return false
        }
        return keywords.contains(String(first[..<equals]))
    }

    private static let defaults: [(String, String)] = [
        ("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"), ("keepalives_count", "3"),
        ("connect_timeout", "10"), ("options", "-c idle_in_transaction_session_timeout=60000"),
    ]

    private static let keywords: Set<String> = [
        "host", "hostaddr", "port", "dbname", "user", "service", "sslmode", "target_session_attrs",
    ]

    init(uri: String) throws {
        // Keepalives and an idle-in-transaction limit free a vanished host's locks within seconds; what
        // the caller set itself is kept.
        let isURI = uri.contains("://")
        var tuned = uri
        for (key, value) in PostgresConnection.defaults where !uri.contains(key + "=") {
            tuned +=
                isURI
                ? (tuned.contains("?") ? "&" : "?") + key + "="
                    + value.replacingAll(" ", with: "%20")
                    .replacingAll("=", with: "%3D")
                : " " + key + "='" + value + "'"
        }
        guard loadedLibPQ.api != nil else {
            throw OrderCoreError(.io, "cannot open a PostgreSQL database: \(loadedLibPQ.problem ?? "libpq is missing")")
        }
        conninfo = tuned
        conn = try PostgresConnection.connect(tuned)
        target = PostgresConnection.redacted(uri)
        guard Self.pq.status!(conn) == CONNECTION_OK else {
            // Fully initialised: deinit finishes the connection.
            let message = Self.pq.errorMessage!(conn).map { String(cString: $0).trimmed } ?? "no reason given"
            throw OrderCoreError(.io, "cannot connect to PostgreSQL at \(target): \(message)")
        }
        try execute(PostgresConnection.session)
    }

    /// A libpq connection (which may have failed: see `isLost`) that keeps the server's notices to itself.
    private static func connect(_ conninfo: String) throws -> OpaquePointer {
        guard let conn = Self.pq.connectdb!(conninfo) else { throw OrderCoreError(.internal, "out of memory") }
        _ = Self.pq.setNoticeProcessor!(conn, ordercore_libpq_ignore_notice, nil)
        return conn
    }

    private static let session = "SET client_min_messages = warning; SET TIME ZONE 'UTC'"

    /// Whether the connection is gone (the server restarted or failed over, the network broke), or left
    /// in pipeline mode by a break in the middle of a pipeline (`flush`): either way unusable.
    var isLost: Bool { stuckInPipeline || Self.pq.status!(conn) != CONNECTION_OK }
    private var stuckInPipeline = false

    /// Connects again when the connection was lost (after a failover libpq finds the new primary among
    /// the URI's hosts); what was prepared on the old one is prepared again as used.
    func reconnectIfLost() throws {
        guard isLost else { return }
        // A new connection rather than PQreset: nothing of the old one's state (a pipeline cut short) stays.
        let fresh = try PostgresConnection.connect(conninfo)
        Self.pq.finish!(conn)
        conn = fresh
        prepared = [:]
        pending = []
        held = []
        heldArguments = []
        forgetPrefetched()
        stuckInPipeline = false
        guard !isLost else {
            let reason = Self.pq.errorMessage!(conn).map { String(cString: $0).trimmed } ?? "no reason given"
            throw OrderCoreError(.io, "lost the connection to PostgreSQL at \(target) and cannot reconnect: \(reason)")
        }
        try execute(PostgresConnection.session)
    }

    deinit {
        forgetPrefetched()
        Self.pq.finish!(conn)
    }

    /// The URI (or keyword string) without its password, for messages.
    static func redacted(_ uri: String) -> String {
        // A password= parameter (a keyword word, or a URI query parameter) ...
        var hidden = "", rest = Substring(uri)
        while let found = rest.firstRange(of: "password=") {
            let before =
                found.lowerBound == rest.startIndex ? hidden.last ?? " " : rest[rest.index(before: found.lowerBound)]
            hidden += rest[..<found.upperBound]
            rest = rest[found.upperBound...]
            guard before == " " || before == "&" || before == "?" else { continue }
            hidden += "***"
            rest = rest[(rest.firstIndex { $0 == " " || $0 == "&" } ?? rest.endIndex)...]
        }
        hidden += rest
        // ... and the password of a URI's user:password@.
        let chars = Array(hidden)
        if let scheme = (0..<max(0, chars.count - 2)).first(where: { String(chars[$0..<$0 + 3]) == "://" }) {
            let authority = (scheme + 3)..<(chars[(scheme + 3)...].firstIndex { $0 == "/" || $0 == "?" } ?? chars.count)
            guard let at = chars[authority].lastIndex(of: "@"),
                let colon = chars[authority.lowerBound..<at].firstIndex(of: ":")
            else { return hidden }
            hidden = String(chars[..<colon]) + ":***" + String(chars[at...])
        }
        return hidden
    }

    // MARK: - Statements

    /// Runs SQL text without parameters (schema, session settings); several statements may be given.
    func execute(_ sql: String) throws {
        try flush()
        roundTrips += 1
        statements += 1
        let result = Self.pq.exec!(conn, sql)
        defer { Self.pq.clear!(result) }
        try check(result)
    }

    /// Sends a read now, without waiting for it: its result comes back with the next round trip, and
    /// `query` of the same statement and arguments in this transaction takes it from there. A read
    /// already sent ahead, and not yet asked for, is not sent again.
    func prefetch(_ sql: String, _ args: [SQLValue]) throws {
        let read = Prefetch(key: StatementKey(sql), args: args)
        guard !pending.contains(where: { $0.prefetches(read) }), !prefetched.contains(where: { $0.read == read })
        else { return }
        try enqueue(sql, args, .prefetch(read))
    }

    /// Frees the results of reads sent ahead that nobody asked for (the command or transaction ended);
    /// those still on their way are dropped when they come back.
    func forgetPrefetched() {
        for (_, result) in prefetched { Self.pq.clear!(result) }
        prefetched = []
        pending = pending.map { if case .prefetch = $0 { .execute(guardFailure: nil) } else { $0 } }
    }

    /// Runs a statement and hands its result to `body`; the result is freed afterwards. After writes
    /// still in flight (`send`) it goes down the pipeline behind them: one round trip for all. A read
    /// sent ahead (`prefetch`) is answered from its result.
    func query<T>(_ sql: String, _ args: [SQLValue], _ body: (OpaquePointer) throws -> T) throws -> T {
        let result: OpaquePointer?
        let read = Prefetch(key: StatementKey(sql), args: args)
        try release()  // a read sees the writes sent before it
        if pending.contains(where: { $0.prefetches(read) }) { try flush() }
        if let early = prefetched.firstIndex(where: { $0.read == read }) {
            result = prefetched.remove(at: early).result
        } else if pending.isEmpty {
            let name = try statement(sql)
            roundTrips += 1
            statements += 1
            let direct = try PostgresConnection.withValues(args) {
                Self.pq.execPrepared!(conn, name, Int32(args.count), $0, nil, nil, 0)
            }
            do { try check(direct) } catch {
                Self.pq.clear!(direct)  // a failed statement's result is freed too
                throw error
            }
            result = direct
        } else {
            try enqueue(sql, args, .read)
            result = try flush()
        }
        defer { Self.pq.clear!(result) }
        guard let result else { throw OrderCoreError(.internal, "PostgreSQL returned no result") }
        return try body(result)
    }

    /// The arguments as libpq takes them: C strings in text format, NULL for SQL NULL — all of them in
    /// one buffer (on the stack when small), written without a String or an allocation per value.
    private static func withValues<T>(
        _ args: [SQLValue], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> T
    ) throws -> T {
        var size = 0
        for arg in args {
            switch arg {
            case .null: break
            case .int: size += 21  // a sign, 19 digits and the NUL at most
            case .text(let s): size += s.utf8.count + 1
            }
        }
        return try withUnsafeTemporaryAllocation(of: CChar.self, capacity: max(size, 1)) { bytes in
            try withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: max(args.count, 1)) { values in
                var end = bytes.baseAddress!
                for (i, arg) in args.enumerated() {
                    switch arg {
                    case .null:
                        values[i] = nil
                        continue
                    case .int(let v):
                        values[i] = UnsafePointer(end)
                        if v < 0 {
                            end.pointee = CChar(UInt8(ascii: "-"))
                            end += 1
                        }
                        var (first, rest) = (end, v.magnitude)
                        repeat {
                            end.pointee = CChar(UInt8(ascii: "0") + UInt8(rest % 10))
                            end += 1
                            rest /= 10
                        } while rest > 0
                        var last = end - 1
                        while first < last {  // the digits came least significant first
                            (first.pointee, last.pointee) = (last.pointee, first.pointee)
                            (first, last) = (first + 1, last - 1)
                        }
                    case .text(var s):
                        values[i] = UnsafePointer(end)
                        let count = s.withUTF8 { utf8 in
                            guard let base = utf8.baseAddress else { return 0 }
                            UnsafeMutableRawPointer(end).copyMemory(from: base, byteCount: utf8.count)
                            return utf8.count
                        }
                        // PostgreSQL text cannot hold NUL; a C string would silently end there.
                        if count > 0, memchr(end, 0, count) != nil {
                            throw OrderCoreError.invalid(
                                "text may not contain the NUL character (U+0000) on PostgreSQL")
                        }
                        end += count
                    }
                    end.pointee = 0
                    end += 1
                }
                return try body(UnsafePointer(values.baseAddress!))
            }
        }
    }

    /// The name the statement is prepared under on this connection (prepared on first use).
    private func statement(_ sql: String) throws -> String {
        if let name = prepared[StatementKey(sql)] { return name }
        let name = nextName()
        roundTrips += 1
        let result = Self.pq.prepare!(conn, name, PostgresConnection.numbered(sql), 0, nil)
        defer { Self.pq.clear!(result) }
        try check(result)
        prepared[StatementKey(sql)] = name
        return name
    }

    private func nextName() -> String {
        named += 1
        return "s\(named)"
    }

    // MARK: - Pipelining

    /// What was sent in pipeline mode and not yet read back (`flush`): a statement's preparation (its
    /// key, forgotten if it fails) or an execution (with the error that stands for its guard failing).
    private enum Pending {
        case prepare(StatementKey)
        case execute(guardFailure: GuardFailure?)
        /// A query whose result `flush` hands back (it ends the pipeline).
        case read
        /// A read sent ahead (`prefetch`), its result kept for `query` of the same statement and arguments.
        case prefetch(Prefetch)
        /// `COMMIT`, which must answer `COMMIT`.
        case commit

        func prefetches(_ read: Prefetch) -> Bool {
            if case .prefetch(read) = self { true } else { false }
        }
    }
    private struct Prefetch: Equatable {
        var key: StatementKey
        var args: [SQLValue]
    }
    private var pending: [Pending] = []
    /// How many times this connection has waited for the server (tests count them).
    private(set) var roundTrips = 0
    /// How many statements this connection has sent (tests count them).
    private(set) var statements = 0
    /// Results of reads sent ahead (`prefetch`), until the same statement asks for them or the
    /// transaction ends (`forgetPrefetched`); a few at a time.
    private var prefetched: [(read: Prefetch, result: OpaquePointer?)] = []
    /// What a guarded write refused means, from the error the server raised for it: a guard's own
    /// division by zero, or `ordercore_guard_refused(message, detail)` naming what was refused.
    typealias GuardFailure = (_ message: String, _ detail: String?) -> any Error
    /// The most statements sent before their results are read: libpq blocks while sending, so the server
    /// must never be left blocked writing results nobody reads.
    private static let maxPending = 64

    /// Sends a write whose result nobody reads without waiting for it (libpq's pipeline mode): the
    /// writes sent so are read back, and the first error among them thrown, in one round trip by
    /// `flush`, which every other statement runs first — so a command still reads its own writes, and a
    /// failed write still fails the command before it commits. `commit` ends the pipeline.
    ///
    /// A plain `INSERT … VALUES` (one that reads no table) waits instead, with the ones sent after it
    /// (`held`): they go as one statement (`merge`) when anything else is sent. The server's work per
    /// statement (binding, a snapshot, executor start-up and shutdown) is then spent once for an order's
    /// rows, not once per table.
    /// - Parameter guardFailure: what the statement failing with division by zero means (`Database.require`).
    func send(_ sql: String, _ args: [SQLValue], guardFailure: GuardFailure? = nil) throws {
        let key = StatementKey(sql)
        if guardFailure == nil, let table = plainInsert(key) {
            // One part per table: the parts of a statement run in no set order, and a table's ids (a
            // ledger's, the feed's) must follow the order its rows were sent in.
            if heldArguments.count + args.count > PostgresConnection.maxMergedArguments
                || held.count == PostgresConnection.maxMergedParts || held.contains(where: { $0.table == table })
            {
                try release()
            }
            held.append((key, table, args.count))
            heldArguments += args
            return
        }
        try enqueue(sql, args, .execute(guardFailure: guardFailure))
        if pending.count >= PostgresConnection.maxPending { try flush() }
    }

    /// Plain INSERTs `send` holds, to go as one statement, with how many arguments each has; their
    /// arguments one after the other.
    private var held: [(key: StatementKey, table: Substring, arguments: Int)] = []
    private var heldArguments: [SQLValue] = []
    /// The table of each statement text that is a plain INSERT (`plainInsert`), and the statements made
    /// of several (`merge`).
    private var plainInserts: [StatementKey: Substring?] = [:]
    private var merged: [[StatementKey]: String] = [:]
    /// At most this many statements made of several are kept per connection (each is prepared on the
    /// server); beyond it, new combinations go one by one.
    private static let maxMerged = 256
    /// At most this many parts, and arguments, in a statement made of several (PostgreSQL takes 65,535
    /// arguments).
    private static let maxMergedParts = 16
    private static let maxMergedArguments = 4_000

    /// An `INSERT … VALUES` that reads no table (no `SELECT`), updates nothing (no `ON CONFLICT`) and
    /// returns nothing: in one statement with others, each part sees the same snapshot, which for such a
    /// statement is the same as running it alone after the ones before it. Foreign keys are checked at
    /// the statement's end, when every part's rows are there. - Returns: its table, or nil.
    private func plainInsert(_ key: StatementKey) -> Substring? {
        if let known = plainInserts[key] { return known }
        let sql = key.sql
        let plain =
            sql.hasPrefix("INSERT INTO ") && sql.contains("VALUES") && !sql.contains("SELECT")
            && !sql.contains("ON CONFLICT") && !sql.contains("RETURNING")
        let table = plain ? sql.dropFirst("INSERT INTO ".count).prefix { $0.isLetter || $0 == "_" } : nil
        plainInserts[key] = .some(table)
        return table
    }

    /// Sends the held INSERTs: one alone as it is, several as one statement, each part a `WITH` step.
    private func release() throws {
        guard !held.isEmpty else { return }
        let parts = held
        held = []  // what follows sends them, which must not release them again
        defer { heldArguments.removeAll(keepingCapacity: true) }
        var sql = parts.count == 1 ? parts[0].key.sql : nil
        if sql == nil {
            let keys = parts.map(\.key)
            sql = merged[keys]
            if sql == nil, merged.count < PostgresConnection.maxMerged {
                sql = PostgresConnection.merge(parts.map { ($0.key.sql, $0.arguments) })
                merged[keys] = sql
            }
        }
        if let sql { return try enqueue(sql, heldArguments, .execute(guardFailure: nil)) }
        var start = 0
        for part in parts {
            try enqueue(
                part.key.sql, Array(heldArguments[start..<start + part.arguments]), .execute(guardFailure: nil))
            start += part.arguments
        }
    }

    /// Statements as one: `WITH w1 AS (first), w2 AS (second), … last`, each numbered after the ones before.
    static func merge(_ parts: [(sql: String, arguments: Int)]) -> String {
        var offset = 0
        var steps: [String] = []
        for part in parts {
            steps.append(numbered(part.sql, offset: offset))
            offset += part.arguments
        }
        let last = steps.removeLast()
        return "WITH " + steps.enumerated().map { "w\($0.offset + 1) AS (\($0.element))" }.joined(separator: ", ")
            + " " + last
    }

    /// Sends a statement without parameters (`SAVEPOINT`, `RELEASE`): behind the statements still in
    /// flight, in one round trip with them, which throws the first error among them (so it is theirs,
    /// not what follows); with none in flight, ahead of the next statement that waits.
    func run(_ sql: String) throws {
        let inFlight = !pending.isEmpty || !held.isEmpty
        try enqueue(sql, [], .execute(guardFailure: nil), plain: true)
        if inFlight { try flush() }
    }

    /// Sends `COMMIT` behind the writes still in flight and reads them all back. A transaction the
    /// server had already failed answers `COMMIT` with `ROLLBACK`, not an error (an error read and put
    /// aside before it): that is an error here, so nothing rolled back is ever reported as done.
    func commit() throws {
        try enqueue("COMMIT", [], .commit, plain: true)
        try flush()
    }

    /// Sends `sql` with `args` as a statement prepared once per connection, or (`plain`, no arguments)
    /// as it is.
    private func enqueue(_ sql: String, _ args: [SQLValue], _ entry: Pending, plain: Bool = false) throws {
        try release()  // the INSERTs held go first, in the order sent
        statements += 1
        if pending.isEmpty, Self.pq.enterPipelineMode!(conn) != 1 { try check(nil) }
        var sent: Int32
        if !plain {
            let key = StatementKey(sql)
            let name: String
            if let known = prepared[key] {
                name = known
            } else {
                name = nextName()
                guard Self.pq.sendPrepare!(conn, name, PostgresConnection.numbered(sql), 0, nil) == 1 else {
                    return try check(nil)
                }
                prepared[key] = name
                pending.append(.prepare(key))
            }
            sent = try PostgresConnection.withValues(args) {
                Self.pq.sendQueryPrepared!(conn, name, Int32(args.count), $0, nil, nil, 0)
            }
        } else {
            sent = Self.pq.sendQueryParams!(conn, sql, 0, nil, nil, nil, nil, 0)
        }
        guard sent == 1 else { return try check(nil) }
        pending.append(entry)
    }

    /// Reads back what `send` (and a pipelined `query`) sent, in one round trip; throws the first error
    /// among them. - Returns: the result of the query that ended the pipeline, for the caller to free.
    @discardableResult
    func flush() throws -> OpaquePointer? {
        try release()
        guard !pending.isEmpty else { return nil }
        roundTrips += 1
        let sent = pending
        pending = []
        var first: (any Error)?
        var read: OpaquePointer?
        if Self.pq.pipelineSync!(conn) != 1 { first = OrderCoreError(.io, "lost the connection to PostgreSQL") }
        for entry in sent where first == nil || !isLost {
            var result = Self.pq.getResult!(conn)
            do {
                try check(result)
                switch entry {
                case .read: swap(&read, &result)
                case .prefetch(let read):
                    prefetched.append((read, result))
                    result = nil
                case .commit where result.flatMap({ Self.pq.cmdStatus!($0) }).map({ String(cString: $0) }) != "COMMIT":
                    throw OrderCoreError(
                        .internal, "PostgreSQL rolled the transaction back at COMMIT: a statement of it had failed")
                case .prepare, .execute, .commit: break
                }
            } catch {
                switch entry {
                case .prepare(let key): prepared[key] = nil
                case .execute(let guardFailure?) where PostgresConnection.state(of: result) == "22012":
                    first =
                        first
                        ?? guardFailure(
                            PostgresConnection.field(of: result, "M") ?? "", PostgresConnection.field(of: result, "D"))
                case .execute, .read, .prefetch, .commit: break
                }
                first = first ?? error
            }
            Self.pq.clear!(result)
            while let rest = Self.pq.getResult!(conn) { Self.pq.clear!(rest) }  // each ends with NULL
        }
        if !isLost {
            let sync = Self.pq.getResult!(conn)  // PGRES_PIPELINE_SYNC
            Self.pq.clear!(sync)
            // Results left unread mean the connection broke on the way: the next transaction replaces it.
            if Self.pq.exitPipelineMode!(conn) != 1 {
                stuckInPipeline = true
                first = first ?? OrderCoreError(.io, "lost the connection to PostgreSQL at \(target) mid-pipeline")
            }
        }
        if let first {
            Self.pq.clear!(read)
            throw first
        }
        return read
    }

    /// Rows a statement changed (or returned, for `RETURNING`).
    static func changes(_ result: OpaquePointer) -> Int {
        Self.pq.cmdTuples!(result).flatMap { Int(String(cString: $0)) } ?? 0
    }

    static func rowCount(_ result: OpaquePointer) -> Int32 { Self.pq.ntuples!(result) }

    var inTransaction: Bool { Self.pq.transactionStatus!(conn) != PQTRANS_IDLE }

    /// SQLite's `?` and `?N` as PostgreSQL's `$N` (a bare `?` takes the largest number so far plus one),
    /// outside string literals and quoted names; each number moved up by `offset` (`merge`).
    static func numbered(_ sql: String, offset: Int = 0) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count + 16)
        let bytes = Array(sql.utf8)
        var i = 0, largest = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                var end = i + 1
                while end < bytes.count {
                    if bytes[end] == c {
                        if end + 1 < bytes.count, bytes[end + 1] == c {
                            end += 2
                            continue
                        }
                        break
                    }
                    end += 1
                }
                out.append(contentsOf: bytes[i..<min(end + 1, bytes.count)])
                i = end + 1
            } else if c == UInt8(ascii: "?") {
                var j = i + 1, number = 0
                while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") {
                    number = number * 10 + Int(bytes[j] - UInt8(ascii: "0"))
                    j += 1
                }
                if j == i + 1 { number = largest + 1 }
                largest = max(largest, number)
                out.append(contentsOf: Array("$\(number + offset)".utf8))
                i = j
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Values

    static func isNull(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> Bool {
        Self.pq.getisnull!(result, row, column) != 0
    }

    static func text(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> String? {
        guard !isNull(result, row, column), let value = Self.pq.getvalue!(result, row, column) else { return nil }
        return String(cString: value)
    }

    /// An integer column: digits, a numeric (`SUM` of integers; a division of one) whose fraction is
    /// dropped as SQLite's integer division drops it, or a boolean.
    static func int(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> Int64 {
        guard let text = text(result, row, column) else { return 0 }
        if let value = Int64(text) { return value }
        if text == "t" { return 1 }
        if text == "f" { return 0 }
        return Int64(text.prefix { $0 != "." }) ?? 0
    }

    // MARK: - Errors

    private func check(_ result: OpaquePointer?) throws {
        let status = result.map { Self.pq.resultStatus!($0) } ?? PGRES_FATAL_ERROR
        guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK else { return }
        if status == PGRES_PIPELINE_ABORTED {
            throw OrderCoreError(.internal, "a statement was skipped after an earlier one failed in the pipeline")
        }
        let state = PostgresConnection.state(of: result)
        let message =
            (PostgresConnection.field(of: result, "M") ?? Self.pq.errorMessage!(conn).map { String(cString: $0) })?
            .trimmed ?? "unknown error"
        let error = PostgresConnection.error(state: state ?? "", message, target: target)
        if PostgresConnection.retried.contains(state ?? "") || (concurrent && state == "23505") {
            throw Database.Contention(error: error)
        }
        throw error
    }

    /// The SQLSTATE of a failed result.
    private static func state(of result: OpaquePointer?) -> String? { field(of: result, "C") }

    /// A field of a failed result's error (`C` its SQLSTATE, `M` its message, `D` its detail).
    private static func field(of result: OpaquePointer?, _ code: Unicode.Scalar) -> String? {
        result.flatMap { Self.pq.resultErrorField!($0, Int32(code.value)) }.map { String(cString: $0) }
    }

    /// Serialization failures, deadlocks and locks not available: running the command again resolves them.
    private static let retried: Set<String> = ["40001", "40P01", "55P03"]

    /// Maps a SQLSTATE to the engine's stable codes.
    static func error(state: String, _ message: String, target: String) -> OrderCoreError {
        switch state {
        case "40001", "40P01", "55P03", "57014":
            OrderCoreError(.busy, "database is busy (a lock or serialization conflict): \(message)")
        case "53100": OrderCoreError(.full, "the PostgreSQL server's disk is full: \(message)")
        case "22003":
            OrderCoreError(
                .invalidInput, "a total is larger than 64 bits can hold; ask for a shorter period or one channel")
        case _ where state.hasPrefix("23"): OrderCoreError(.conflict, "constraint violated: \(message)")
        case _ where state.hasPrefix("08") || state.isEmpty:
            OrderCoreError(.io, "connection to PostgreSQL at \(target) failed: \(message)")
        default: OrderCoreError(.internal, "PostgreSQL error \(state): \(message)")
        }
    }
}

/// libpq's functions, or why they could not be loaded (once, on first use; Swift initialises globals lazily
/// and thread-safely).
private let loadedLibPQ: (api: ordercore_libpq?, problem: String?) = {
    var api = ordercore_libpq()
    if let problem = ordercore_libpq_load(&api) { return (nil, String(cString: problem)) }
    return (api, nil)
}()
