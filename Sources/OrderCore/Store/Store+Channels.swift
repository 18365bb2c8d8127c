extension Store {
    func channel(_ code: String) throws -> Channel? {
        try allChannels().first { $0.channel == code }
    }

    /// When a channel's orders reserve stock, if it says.
    func reservePolicy(channel: String) throws -> ReservePolicy? {
        try self.channel(channel)?.reserveAt
    }

    /// Every registered channel with the warehouses that serve it, by code: one query, read once while
    /// they stay unchanged (an order reads its channel, the change feed every channel).
    func allChannels() throws -> [Channel] {
        try checkCaches()
        if let channelsCache { return channelsCache }
        var result: [Channel] = []
        try db.rows(
            """
            SELECT c.channel, c.name, c.active, c.created_at, c.updated_at, c.profile, c.shipped_orders_move_stock,
                c.reserve_at, w.warehouse
            FROM channels c LEFT JOIN channel_warehouses w ON w.channel = c.channel ORDER BY c.channel, w.warehouse
            """
        ) { r in
            if result.last?.channel != r.text(0) {
                result.append(
                    Channel(
                        channel: r.text(0), name: r.text(1), active: r.bool(2), warehouses: [], createdAt: r.int(3),
                        updatedAt: r.int(4), profile: r.optText(5), shippedOrdersMoveStock: r.bool(6),
                        reserveAt: r.optText(7).flatMap(ReservePolicy.init(rawValue:))))
            }
            if let warehouse = r.optText(8) { result[result.count - 1].warehouses.append(warehouse) }
        }
        channelsCache = result
        return result
    }

    func save(_ c: Channel) throws {
        channelsCache = nil
        cachedTableChanged()
        try db.run(
            """
            INSERT INTO channels(channel, name, active, created_at, updated_at, profile, shipped_orders_move_stock,
                reserve_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(channel) DO UPDATE SET name = excluded.name, active = excluded.active,
                updated_at = excluded.updated_at, profile = excluded.profile,
                shipped_orders_move_stock = excluded.shipped_orders_move_stock, reserve_at = excluded.reserve_at
            """, .text(c.channel), .text(c.name), .bool(c.active), .int(c.createdAt), .int(c.updatedAt),
            .opt(c.profile), .bool(c.shippedOrdersMoveStock), .opt(c.reserveAt?.rawValue))
        try db.run("DELETE FROM channel_warehouses WHERE channel = ?", .text(c.channel))
        for warehouse in c.warehouses {
            try db.run(
                "INSERT INTO channel_warehouses(channel, warehouse) VALUES (?, ?)", .text(c.channel), .text(warehouse))
        }
    }

    func channelSKU(channel: String, sku: String) throws -> ChannelSKU? {
        try db.first(
            "SELECT cap, used, open, closed_reason FROM channel_skus WHERE channel = ? AND sku = ?", .text(channel),
            .text(sku)
        ) {
            ChannelSKU(
                channel: channel, sku: sku, cap: $0.optInt(0), used: $0.int(1), open: $0.bool(2),
                closedReason: $0.optText(3))
        }
    }

    /// The limits of `skus` on `channels`, by channel and SKU (`channelSKURows`).
    func channelSKUs(channels: [String], skus: [String]) throws -> [String: [String: ChannelSKU]] {
        var result: [String: [String: ChannelSKU]] = [:]
        // Most channels have no limits: SQLite, where each lookup is a statement, skips theirs; on
        // PostgreSQL one query covers every channel.
        let limited = db.dialect == .postgresql ? channels : try channels.filter { try hasChannelLimits(channel: $0) }
        try channelSKURows(Store.channelSKUSelect, channels: limited, skus: skus) {
            result[$0.text(0), default: [:]][$0.text(1)] = ChannelSKU(
                channel: $0.text(0), sku: $0.text(1), cap: $0.optInt(2), used: $0.int(3), open: $0.bool(4),
                closedReason: $0.optText(5))
        }
        return result
    }

    /// Calls `body` for the rows of `select` (a query of a table keyed by `channel` and `sku`) for every
    /// pair of `channels` × `skus`: one query with two `IN` lists on PostgreSQL, where each statement is a
    /// round trip, and on SQLite for many pairs (a batch's); one point lookup per pair on SQLite for a
    /// few (an order's), where that costs less than an `IN` list.
    func channelSKURows(_ select: String, channels: [String], skus: [String], body: (Row) throws -> Void) throws {
        guard !channels.isEmpty, !skus.isEmpty else { return }
        guard db.dialect == .postgresql || channels.count * skus.count > Store.pointLookups else {
            for channel in channels {
                for sku in skus {
                    try db.rows(select + " WHERE channel = ? AND sku = ?", .text(channel), .text(sku), body: body)
                }
            }
            return
        }
        let read = Store.pairsRead(select, channels: channels, skus: skus)
        try db.rows(read.sql, arguments: read.arguments, body: body)
    }

    /// On PostgreSQL, sends `channelSKURows`'s query now without waiting (`Database.prefetch`): it comes
    /// back with the next read, and `channelSKURows` of the same pairs takes it from there. Nothing on SQLite.
    func prefetchChannelSKURows(_ select: String, channels: [String], skus: [String]) throws {
        guard db.dialect == .postgresql, !channels.isEmpty, !skus.isEmpty else { return }
        try prefetch([Store.pairsRead(select, channels: channels, skus: skus)])
    }

    private static func pairsRead(_ select: String, channels: [String], skus: [String]) -> Read {
        Read(
            select + " WHERE channel IN (\(Database.placeholders(channels.count))) AND sku IN "
                + "(\(Database.placeholders(skus.count)))", arguments: (channels + skus).map(SQLValue.text))
    }

    static let channelSKUSelect = "SELECT channel, sku, cap, used, open, closed_reason FROM channel_skus"

    /// Up to how many keys (SKUs, (channel, SKU) pairs) SQLite looks up one by one rather than with an
    /// `IN` list, which costs it a temporary b-tree per query.
    static let pointLookups = 32

    func hasChannelLimits(channel: String) throws -> Bool {
        try first(Store.hasLimitsRead(channel)) { _ in true } ?? false
    }

    /// On PostgreSQL, sends `hasChannelLimits`'s read now, to come back with the next one. Nothing on SQLite.
    func prefetchHasChannelLimits(channel: String) throws { try prefetch([Store.hasLimitsRead(channel)]) }

    private static func hasLimitsRead(_ channel: String) -> Read {
        Read("SELECT 1 FROM channel_skus WHERE channel = ? LIMIT 1", .text(channel))
    }

    func channelSKUs(channel: String) throws -> [ChannelSKU] {
        var result: [ChannelSKU] = []
        try db.rows(
            "SELECT sku, cap, used, open, closed_reason FROM channel_skus WHERE channel = ? ORDER BY sku",
            .text(channel)
        ) {
            result.append(
                ChannelSKU(
                    channel: channel, sku: $0.text(0), cap: $0.optInt(1), used: $0.int(2), open: $0.bool(3),
                    closedReason: $0.optText(4)))
        }
        return result
    }

    func save(_ c: ChannelSKU) throws {
        try db.run(
            """
            INSERT INTO channel_skus(channel, sku, cap, used, open, closed_reason) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(channel, sku) DO UPDATE SET cap = excluded.cap, open = excluded.open,
                closed_reason = excluded.closed_reason
            """, .text(c.channel), .text(c.sku), .opt(c.cap), .int(c.used), .bool(c.open), .opt(c.closedReason))
    }

    /// The cap's check-and-count: one conditional UPDATE that only matches while the channel is open
    /// for the SKU and `qty` more units stay within its cap; fails the command with `failure` otherwise.
    func countAgainstCap(
        channel: String, sku: String, qty: Int64, else failure: @escaping @autoclosure () -> OrderCoreError
    ) throws {
        try db.require(
            """
            UPDATE channel_skus SET used = used + ?3
            WHERE channel = ?1 AND sku = ?2 AND open = 1 AND (cap IS NULL OR used + ?3 <= cap)
            """, .text(channel), .text(sku), .int(qty), else: failure())
    }

    func uncount(channel: String, sku: String, qty: Int64) throws {
        try db.require(
            "UPDATE channel_skus SET used = used - ?3 WHERE channel = ?1 AND sku = ?2 AND used >= ?3",
            .text(channel), .text(sku), .int(qty),
            else: OrderCoreError(.internal, "\(qty) \(sku) counted against channel \(channel) are not on its cap"))
    }

    /// Channel caps whose `used` differs from the units of the channel's counted reservations that are
    /// still live (neither released nor expired).
    func channelDifferences() throws -> [JSON] {
        var result: [JSON] = []
        try db.rows(
            """
            SELECT channel, sku, used, live FROM (
                SELECT c.channel, c.sku, c.used,
                       COALESCE((SELECT SUM(r.qty) FROM reservations r JOIN orders o ON o.id = r.order_rowid
                                 WHERE o.channel = c.channel AND r.sku = c.sku AND r.channel_counted = 1
                                   AND r.state NOT IN ('released', 'expired')), 0) AS live
                FROM channel_skus c) caps
            WHERE used <> live ORDER BY channel, sku
            """
        ) {
            result.append([
                "channel": .string($0.text(0)), "sku": .string($0.text(1)), "used": .int($0.int(2)),
                "reservations": .int($0.int(3)),
            ])
        }
        return result
    }
}
