/// The narrow persistence interface the domain modules use. All SQL of the engine lives in this
/// folder (`Store+<Area>.swift`), so another backend can be added without touching the domain.
/// `@unchecked Sendable`: an instance is only ever reached through `Engine`'s mutex.
final class Store: @unchecked Sendable {
    /// A row changed between this command's read of it and its write (another handle or host wrote it
    /// first): the write changed nothing and the engine runs the whole command again on fresh reads.
    struct Stale: Error {
        var what: String
    }

    let db: Database
    /// SKUs whose balance rows changed in the current transaction: the change feed publishes their
    /// sellable quantity per channel before it commits (`CommandContext.publishSellable`).
    var touchedSKUs: Set<String> = []
    /// Parsed channel profiles by name, with the definition text they were parsed from.
    var profiles: [String: (definition: String, profile: ChannelProfile)] = [:]
    /// The parsed current risk rule set, by version.
    var riskRulesCache: (version: Int64, rules: RiskRules)?

    init(path: String, options: StoreOptions) throws {
        db = try Database(path: path, options: options)
        try Migration.migrate(db)
    }

    func transaction<T>(_ access: Database.Access, _ body: () throws -> T) throws -> T {
        touchedSKUs = []
        return try db.transaction(access, body)
    }

    /// The row id the next row of `table` will get, and its public id (`SO-000001`, `TR-000001`...).
    /// Only valid inside the write transaction that inserts the row.
    func nextID(_ table: String, prefix: String) throws -> (rowID: Int64, id: String) {
        let rowID = try db.first("SELECT COALESCE(MAX(id), 0) + 1 FROM \(table)") { $0.int(0) } ?? 1
        return (rowID, Store.publicID(prefix: prefix, rowID: rowID))
    }

    /// A public id: the prefix and the row id, zero-padded to six digits.
    static func publicID(prefix: String, rowID: Int64) -> String {
        let digits = String(rowID)
        return prefix + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
