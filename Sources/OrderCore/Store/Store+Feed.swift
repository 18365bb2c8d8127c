extension Store {
    // MARK: - Change feed

    /// Holds, until the transaction ends, a lock per SKU (PostgreSQL advisory locks, taken in one order):
    /// writers that publish a SKU's quantity follow each other. A no-op on SQLite (one writer at a time).
    func lockSKUs(_ skus: [String]) throws {
        guard db.dialect == .postgresql, !skus.isEmpty else { return }
        let keys = skus.map { Engine.hash("sku:" + $0) }.sorted()
        try db.write(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(?::bigint[]) AS k",
            .text("{" + keys.map(String.init).joined(separator: ",") + "}"))
    }

    /// Events after `cursor`, oldest first.
    func feed(after cursor: Int64, limit: Int, kinds: [String]?) throws -> [JSON] {
        var filter = Conditions("seq > ?")
        if let kinds {
            filter.add("kind IN (\(Database.placeholders(kinds.count)))", arguments: kinds.map(SQLValue.text))
        }
        var result: [JSON] = []
        try db.rows(
            "SELECT seq, at, kind, data FROM feed WHERE \(filter.sql) ORDER BY seq LIMIT ?",
            arguments: [.int(cursor)] + filter.arguments + [.int(Int64(limit))]
        ) {
            var event: JSONObject = [
                "seq": .int($0.int(0)), "at": .string(Timestamp.format($0.int(1))), "kind": .string($0.text(2)),
            ]
            if case .object(let data) = try JSONParser.parse($0.text(3)) {
                for (key, value) in data.pairs { event[key] = value }
            }
            result.append(.object(event))
        }
        return result
    }

    /// The last sequence number of the feed (0 when it is empty).
    /// Deletes events older than `before` that every consumer has acknowledged (all of them when there
    /// are no consumers), except the newest event: it keeps the sequence counting up (a sequence that
    /// started again at 1 would hide new events behind every consumer's cursor). - Returns: how many.
    func pruneFeed(before: Int64) throws -> Int {
        let acknowledged = try db.first("SELECT MIN(cursor) FROM feed_consumers") { $0.optInt(0) } ?? nil
        let upTo = min(acknowledged ?? Int64.max, try feedHead() - 1)
        return try db.run("DELETE FROM feed WHERE seq <= ? AND at < ?", .int(upTo), .int(before))
    }

    func feedHead() throws -> Int64 {
        try db.first("SELECT COALESCE(MAX(seq), 0) FROM feed") { $0.int(0) } ?? 0
    }

    func consumerCursor(_ consumer: String) throws -> Int64? {
        try db.first("SELECT cursor FROM feed_consumers WHERE consumer = ?", .text(consumer)) { $0.int(0) }
    }

    func setConsumerCursor(_ consumer: String, _ cursor: Int64, at: Int64) throws {
        try db.write(
            """
            INSERT INTO feed_consumers(consumer, cursor, updated_at) VALUES (?1, ?2, ?3)
            ON CONFLICT(consumer) DO UPDATE
            SET cursor = \(db.dialect.greatest("feed_consumers.cursor", "excluded.cursor")),
                updated_at = excluded.updated_at
            """, .text(consumer), .int(cursor), .int(at))
    }

    func consumers() throws -> [(consumer: String, cursor: Int64, updatedAt: Int64)] {
        var result: [(String, Int64, Int64)] = []
        try db.rows("SELECT consumer, cursor, updated_at FROM feed_consumers ORDER BY consumer") {
            result.append(($0.text(0), $0.int(1), $0.int(2)))
        }
        return result
    }

    // MARK: - Published sellable quantities

    /// The sellable quantities last published of `skus` on `channels`, by channel and SKU
    /// (`channelSKURows`).
    func publishedSellable(channels: [String], skus: [String]) throws -> [String: [String: Int64]] {
        var result: [String: [String: Int64]] = [:]
        try channelSKURows(Store.publishedSelect, channels: channels, skus: skus) {
            result[$0.text(0), default: [:]][$0.text(1)] = $0.int(2)
        }
        return result
    }

    private static let publishedSelect = "SELECT channel, sku, sellable FROM channel_stock"

    /// On PostgreSQL, sends what `channelSKUs` and `publishedSellable` read for these pairs now: with the
    /// balances read next, the three come back in one round trip. Nothing on SQLite.
    func prefetchChannelSKUsAndPublished(channels: [String], skus: [String]) throws {
        for select in [Store.channelSKUSelect, Store.publishedSelect] {
            try prefetchChannelSKURows(select, channels: channels, skus: skus)
        }
    }

    /// Records the sellable quantities published, each (channel, SKU) at most once: one statement per
    /// 100.
    func setPublishedSellable(_ published: [(channel: String, sku: String, sellable: Int64)]) throws {
        try db.writeRows(
            "INSERT INTO channel_stock(channel, sku, sellable)",
            published.map { [.text($0.channel), .text($0.sku), .int($0.sellable)] },
            then: "ON CONFLICT(channel, sku) DO UPDATE SET sellable = excluded.sellable")
    }

    /// SKUs whose sellable quantity was published for `channel`, or for any channel when nil.
    func publishedSKUs(channel: String?) throws -> [String] {
        var filter = Conditions()
        filter.add("channel = ?", channel)
        var result: [String] = []
        try db.rows("SELECT DISTINCT sku FROM channel_stock WHERE \(filter.sql)", arguments: filter.arguments) {
            result.append($0.text(0))
        }
        return result
    }

    func stockedSKUs() throws -> [String] {
        var result: [String] = []
        try db.rows("SELECT DISTINCT sku FROM stock") { result.append($0.text(0)) }
        return result
    }
}
