@testable import OrderCore
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
                try store.db.run("INSERT INTO config(key, value) VALUES ('lost', '1')")
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
        // The next command connects again; the row never committed.
        let count = try store.transaction(.read) {
            try store.db.first("SELECT COUNT(*) FROM config WHERE key = 'lost'") { $0.int(0) }
        }
        #expect(count == 0)
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

