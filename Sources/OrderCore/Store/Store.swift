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
    /// SKUs some of whose units became available again in the current command (received, counted up,
    /// released from a hold, out of safety stock): orders sold short of them take them first, as the
    /// command ends (`CommandContext.fillBackorders`).
    var freedSKUs: Set<String> = []
    /// The last timeline number of each order the current transaction created (by row id): its next
    /// event is numbered here, not by a look at its timeline (`appendEvent`).
    var createdTimelines: [Int64: Int64] = [:]
    /// The channel orders whose lock the current transaction holds (`lockChannelOrder`).
    var lockedChannelOrders: Set<Int64> = []
    /// Change-feed events of the current transaction, written just before it commits (`flushFeed`).
    private var pendingFeed: [(kind: String, at: Int64, data: String)] = []
    /// Units the current transaction's orders sold, per SKU, warehouse and business day, added to
    /// `sales_daily` (on SQLite) just before it commits or before it is read (`flushSales`): a batch of
    /// orders writes each row once instead of once per order. The first `salesWritten` are written.
    var pendingSales: [(sku: String, warehouse: String, day: Int64, units: Int64)] = []
    var salesWritten = 0
    /// The settings, the channels, the current risk rule set, whether risk lists exist and the SKUs
    /// looked up (at most `skuCacheLimit`), kept across transactions while the cache epoch stays where
    /// it was when they were read (`checkCaches`).
    var configCache: [String: JSON]?
    var channelsCache: [Channel]?
    var riskRulesCache: (version: Int64, rules: RiskRules)?
    var riskListsCache: [String]?
    var chargebackBuyersCache: ChargebackBuyers?
    var skuCache: [String: SKU] = [:]
    static let skuCacheLimit = 10_000
    /// The cache epoch the caches were read at, and whether the current transaction has checked it.
    private var cacheEpoch: Int64?
    private var cachesChecked = false
    /// Parsed channel profiles by name, with the definition text they were parsed from.
    var profiles: [String: (definition: String, profile: ChannelProfile)] = [:]
    /// Stored profiles' definitions by name (nil: no stored profile of that name), kept as the caches are.
    var storedProfiles: [String: String?] = [:]

    init(path: String, options: StoreOptions) throws {
        db = try Database(path: path, options: options)
        try Migration.migrate(db)
        db.prelude = (Store.cacheEpochSQL, "SELECT 1 / CASE n WHEN ? THEN 1 ELSE 0 END FROM cache_epoch")
    }

    /// Runs `body` in one transaction (`Database.transaction`), then writes its change-feed events.
    func transaction<T>(
        _ access: Database.Access, _ sharing: Database.Sharing = .alone, _ body: () throws -> T
    ) throws -> T {
        while true {
            touchedSKUs = []
            freedSKUs = []
            pendingFeed = []
            pendingSales = []
            salesWritten = 0
            createdTimelines = [:]
            lockedChannelOrders = []
            cachesChecked = false
            db.expectedPrelude = cacheEpoch
            do {
                return try db.transaction(access, sharing) {
                    let result = try body()
                    try flushFeed()
                    try flushSales()
                    return result
                }
            } catch is Database.PreludeMoved {
                // Another handle changed a cached table: once more, reading the epoch first (with no
                // epoch expected, BEGIN checks none: this happens once).
                dropCaches()
                cacheEpoch = nil
            } catch {
                dropCaches()  // they may hold what this transaction wrote and took back
                throw error
            }
        }
    }

    /// Makes the caches safe to use in this transaction: once per transaction, a look at the cache
    /// epoch, which triggers move on with every change to the cached tables (migration
    /// `0025_cache_epoch`), by this handle or any other, on this host or another; the caches are dropped
    /// when it moved. On PostgreSQL the epoch goes with BEGIN (`Database.prelude`): checked against the
    /// one the caches were read at without waiting for the answer — a transaction that finds it moved is
    /// rolled back and run again, reading it first — or, with nothing cached at a known epoch, read. A
    /// command that changes a cached table drops that cache itself (`cachedTableChanged`), so it reads
    /// back its own change.
    func checkCaches() throws {
        guard !cachesChecked else { return }
        let epoch = try db.preludeValue ?? db.first(Store.cacheEpochSQL) { $0.int(0) }
        if epoch != cacheEpoch { dropCaches() }
        cacheEpoch = epoch
        cachesChecked = true
    }

    private static let cacheEpochSQL = "SELECT n FROM cache_epoch"

    /// A cached table changes in this transaction, which moves the epoch: the next transaction reads it
    /// rather than checking the one the caches were read at.
    func cachedTableChanged() { cacheEpoch = nil }

    private func dropCaches() {
        configCache = nil
        channelsCache = nil
        riskRulesCache = nil
        riskListsCache = nil
        chargebackBuyersCache = nil
        skuCache = [:]
        storedProfiles = [:]
    }

    /// Runs `body` in a savepoint (`Database.savepoint`): if it throws, its feed events go with its writes.
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        let (events, sales, salesWritten) = (pendingFeed.count, pendingSales.count, salesWritten)
        do {
            return try db.savepoint(body)
        } catch {
            pendingFeed.removeSubrange(events...)
            // Sales written in it were undone with it: written again, without its own.
            pendingSales.removeSubrange(sales...)
            self.salesWritten = salesWritten
            createdTimelines = [:]  // their events may be undone: looked at again
            lockedChannelOrders = []  // locks taken in it went with it: taken again when needed
            dropCaches()
            throw error
        }
    }

    /// Queues a change-feed event of the current transaction.
    func appendFeed(kind: String, at: Int64, data: JSONObject) {
        appendFeed(kind: kind, at: at, text: JSON.object(data).serialized)
    }

    /// Queues a change-feed event whose data is already JSON text.
    func appendFeed(kind: String, at: Int64, text: String) { pendingFeed.append((kind, at, text)) }

    /// Writes the transaction's feed events at its end (only SQLite's sales follow): a feed reader waits
    /// for the transactions writing them (`Database.Sharing.feedReader`), so the shorter that is the better.
    private func flushFeed() throws {
        try db.writeRows(
            "INSERT INTO feed(at, kind, data)", pendingFeed.map { [.int($0.at), .text($0.kind), .text($0.data)] })
        pendingFeed = []
    }

    /// The row id the next row of `table` will get, and its public id (`SO-000001`, `TR-000001`...).
    func nextID(_ table: String, prefix: String) throws -> (rowID: Int64, id: String) {
        let rowID = try nextRowID(table)
        return (rowID, Store.publicID(prefix: prefix, rowID: rowID))
    }

    /// The row id the next row of `table` will get. Only valid inside the write transaction that inserts
    /// the row. On PostgreSQL it comes from the table's sequence (concurrent writers never get the same
    /// one; a rolled-back one leaves a gap).
    func nextRowID(_ table: String) throws -> Int64 { try db.first(db.dialect.nextID(table)) { $0.int(0) } ?? 1 }

    /// Asks for the row id `nextID` will take now: on PostgreSQL it then comes back with the
    /// command's next read instead of a round trip of its own.
    func prefetchNextID(_ table: String) throws { try db.prefetch(db.dialect.nextID(table)) }

    /// A read a command makes, as a value: so it can be sent ahead (`prefetch`) and then made (`first`)
    /// with the very same statement and arguments.
    struct Read {
        let sql: String
        let arguments: [SQLValue]

        init(_ sql: String, _ arguments: SQLValue...) { self.init(sql, arguments: arguments) }
        init(_ sql: String, arguments: [SQLValue]) { (self.sql, self.arguments) = (sql, arguments) }
    }

    func first<T>(_ read: Read, map: (Row) throws -> T) throws -> T? {
        try db.first(read.sql, arguments: read.arguments, map: map)
    }

    /// On PostgreSQL, sends reads a command will make now, without waiting: they come back together with
    /// its next read instead of a round trip each. Nothing on SQLite.
    func prefetch(_ reads: [Read]) throws {
        for read in reads { try db.prefetch(read.sql, arguments: read.arguments) }
    }

    /// A public id: the prefix and the row id, zero-padded to six digits.
    static func publicID(prefix: String, rowID: Int64) -> String {
        let digits = String(rowID)
        return prefix + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
