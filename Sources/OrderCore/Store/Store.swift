/// The narrow persistence interface the domain modules use. All SQL of the engine lives in this
/// folder (`Store+<Area>.swift`), so another backend can be added without touching the domain.
/// `@unchecked Sendable`: an instance is only ever reached through `Engine`'s mutex.
final class Store: @unchecked Sendable {
    let db: Database

    init(path: String, options: StoreOptions) throws {
        db = try Database(path: path, options: options)
        try Migration.migrate(db)
    }

    func transaction<T>(_ access: Database.Access, _ body: () throws -> T) throws -> T {
        try db.transaction(access, body)
    }
}
