@testable import OrderCore
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on a thread of its own (a second host, a reader beside the writer); wait for it with
/// `pthread_join`.
func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
    var thread = pthread_t()
    pthread_create(
        &thread, nil,
        { context in
            Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(Body(body)).toOpaque())
    return thread
}

/// A fresh directory for database files, removed when the test process exits (or earlier, by the
/// caller's `removeDirectory`).
func temporaryDirectory() -> String {
    var template = Array("/tmp/ordercore-test-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return "/tmp" }
        return String(cString: base)
    }
    temporaryDirectories.withLock { directories in
        if directories.isEmpty { atexit { temporaryDirectories.withLock { $0.forEach(removeDirectory) } } }
        directories.append(path)
    }
    return path
}

private let temporaryDirectories = Mutex<[String]>([])

func removeDirectory(_ path: String) {
    guard path != "/tmp" else { return }
    _ = path.withCString { p in system("rm -rf '\(String(cString: p))'") }
}

nonisolated(unsafe) private var testDatabases = 0
private let testDatabasesLock = Mutex(())

/// An SQLite file as an older OrderCore left it: the migrations before `migration` applied and recorded.
func databaseBefore(migration: String, at path: String) throws -> Database {
    let old = try Database(path: path, options: StoreOptions())
    try old.execute(
        "CREATE TABLE schema_migrations(seq INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at INTEGER NOT NULL)")
    for (i, m) in Migration.all.prefix(while: { $0.name != migration }).enumerated() {
        try old.execute(m.sql)
        try old.run("INSERT INTO schema_migrations VALUES (?, ?, 0)", .int(Int64(i + 1)), .text(m.name))
    }
    return old
}

/// Runs the migration named `name` again on `store`, whose rows a test has put back as files from before it
/// kept them.
func rerun(migration name: String, on store: Store) throws {
    let migration = try #require(Migration.all.first { $0.name == name })
    try store.transaction(.write) { try migration.apply(store.db) }
}

/// With `ORDERCORE_TEST_POSTGRESQL` set to a server URI with `{db}` for the database name
/// (`make test-postgresql`), tests run on that server; else nil.
let testPostgreSQL = getenv("ORDERCORE_TEST_POSTGRESQL").map { String(cString: $0) }

/// Where a test's database lives: `path` (a file or ":memory:"), or on the test server a database of its
/// own — one per file path (a test that reopens its file reopens its database), a new one for each
/// in-memory database.
func testDatabase(_ path: String) throws -> String {
    guard let template = testPostgreSQL else { return path }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    let name =
        path == ":memory:"
        ? testDatabasesLock.withLock { _ -> String in
            testDatabases += 1
            return "m\(getpid())_\(testDatabases)"
        } : "f\(String(hash, radix: 16))"
    let admin = try PostgresConnection(uri: template.replacingAll("{db}", with: "postgres"))
    let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = ?", [.text(name)]) {
        PostgresConnection.rowCount($0) > 0
    }
    if !exists { try admin.execute("CREATE DATABASE \(name)") }
    return template.replacingAll("{db}", with: name)
}

extension Engine {
    /// The engine a test runs on (`testDatabase`). Tests of what only an SQLite file has (backups, pages,
    /// two handles on one file) use `Engine(path:)`.
    convenience init(test path: String) throws {
        try self.init(path: try testDatabase(path))
    }

    /// Runs a command and returns its result, failing the test on error.
    @discardableResult
    func ok(_ op: String, _ args: JSONObject = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
        switch run(op, args) {
        case .success(let value): return value
        case .failure(let error):
            Issue.record("\(op) failed: \(error.code.rawValue): \(error.message)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Runs a command that must fail and returns its error code.
    func fails(_ op: String, _ args: JSONObject = [:]) -> ErrorCode? {
        if case .failure(let error) = run(op, args) { return error.code }
        return nil
    }

    /// A catalog with SKU A1 (and B2) and warehouses SH (priority 1) and BJ (priority 2).
    func seedCatalog(a1: [String: Int64] = ["SH": 10], b2: [String: Int64] = [:]) throws {
        try ok("sku.upsert", ["sku": "A1", "name": "Mug"])
        try ok("sku.upsert", ["sku": "B2", "name": "Tea"])
        try ok("warehouse.upsert", ["warehouse": "SH", "priority": 1])
        try ok("warehouse.upsert", ["warehouse": "BJ", "priority": 2])
        for (warehouse, qty) in a1 where qty > 0 { try ok("stock.receive", ["sku": "A1", "warehouse": .string(warehouse), "qty": .int(qty)]) }
        for (warehouse, qty) in b2 where qty > 0 { try ok("stock.receive", ["sku": "B2", "warehouse": .string(warehouse), "qty": .int(qty)]) }
    }

    func available(_ sku: String) throws -> Int64 { try ok("stock.get", ["sku": .string(sku)])["available"]?.intValue ?? -1 }

    /// Units of `sku` counted sold today, as tomorrow's stock board shows them.
    func soldToday(_ sku: String) throws -> Int64 {
        let tomorrow = JSON.string(Timestamp.format(Timestamp.now() + 86_400_000))
        let rows = try ok("stock.board", ["at": tomorrow])["rows"]?.arrayValue ?? []
        return rows.first { $0["sku"] == .string(sku) }?["yesterday_sales"]?.intValue ?? -1
    }
}

/// `{"lines":[{"sku":..,"qty":..,"unit_price":..}]}` plus extra fields.
func orderArgs(_ lines: [(String, Int64, String)], _ extra: JSONObject = [:]) -> JSONObject {
    var args = extra
    args["lines"] = .array(lines.map { ["sku": .string($0.0), "qty": .int($0.1), "unit_price": .string($0.2)] })
    return args
}

/// Deterministic random numbers (SplitMix64) so a failing property test can be replayed by its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Fixtures

/// Where the shared fixtures are: `$ORDERCORE_FIXTURES`, else `../shared/fixtures` beside the package.
let fixturesDirectory: String = {
    if let explicit = getenv("ORDERCORE_FIXTURES") { return String(cString: explicit) }
    return "../shared/fixtures"
}()

let fixturesAvailable = access(fixturesDirectory + "/logistics", R_OK) == 0

/// A fixture file's text, or nil when it cannot be read.
func readFixture(_ relativePath: String) -> String? {
    guard let file = fopen(fixturesDirectory + "/" + relativePath, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
