extension Store {
    /// How far the orders placed in `from..<to` got (`report.funnel`): each count is of orders that ever
    /// reached the stage (from their timeline), so an order cancelled after shipping still counts as shipped.
    struct Funnel {
        var placed: Int64 = 0
        var paid: Int64 = 0
        var shipped: Int64 = 0
        var delivered: Int64 = 0
        var cancelled: Int64 = 0
        var expired: Int64 = 0
        var returned: Int64 = 0
    }

    /// The states that mean an order got at least as far as each stage (a pickup at the counter is both
    /// shipped and delivered: the goods were handed over).
    static let funnelStates: [(column: String, states: [OrderState])] = [
        ("paid", [.paid, .allocated, .picking, .packed, .partiallyShipped, .shipped, .delivered, .completed]),
        ("shipped", [.partiallyShipped, .shipped, .delivered, .completed]),
        ("delivered", [.delivered, .completed]),
    ]

    func funnel(from: Int64, to: Int64, channel: String?) throws -> Funnel {
        var filter = Conditions()
        filter.add("o.placed_at >= ?", from)
        filter.add("o.placed_at < ?", to)
        filter.add("o.channel = ?", channel)
        let reached = Store.funnelStates.map { stage in
            let states = stage.states.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            return "SUM(CASE WHEN EXISTS (SELECT 1 FROM order_events e WHERE e.order_rowid = o.id AND e.to_state IN "
                + "(\(states))) THEN 1 ELSE 0 END)"
        }
        var n = Funnel()
        try db.rows(
            """
            SELECT COUNT(*), \(reached.joined(separator: ", ")),
                SUM(CASE WHEN o.state = 'cancelled' AND COALESCE(o.cancel_reason, '') <> 'unpaid_timeout'
                    THEN 1 ELSE 0 END),
                SUM(CASE WHEN o.state = 'cancelled' AND o.cancel_reason = 'unpaid_timeout' THEN 1 ELSE 0 END),
                SUM(CASE WHEN EXISTS (SELECT 1 FROM returns r WHERE r.order_rowid = o.id AND r.state <> 'rejected')
                    THEN 1 ELSE 0 END)
            FROM orders o WHERE \(filter.sql)
            """, arguments: filter.arguments
        ) {
            n = Funnel(
                placed: $0.int(0), paid: $0.int(1), shipped: $0.int(2), delivered: $0.int(3), cancelled: $0.int(4),
                expired: $0.int(5), returned: $0.int(6))
        }
        return n
    }

    /// One ship-to area of `report.regions`, money in minor units of `currency`.
    struct RegionRow {
        var currency: String
        var region: String?
        var orders: Int64
        var gmv: Int64
        var units: Int64
        /// Payment to first parcel out, summed over the `shippedOrders` that shipped.
        /// (From its placement for an order paid on delivery.)
        var paidToShippedMillis: Int64
        var shippedOrders: Int64
    }

    enum RegionLevel: String, CaseIterable { case country, region, city }

    /// Orders fully paid in `from..<to` (the sales definition) by their ship-to country, region or city.
    func regions(from: Int64, to: Int64, level: RegionLevel, channel: String?) throws -> [RegionRow] {
        var filter = Conditions()
        filter.add("o.paid_at >= ?", from)
        filter.add("o.paid_at < ?", to)
        filter.add("o.channel = ?", channel)
        var result: [RegionRow] = []
        try db.rows(
            """
            SELECT currency, area, COUNT(*), SUM(gmv), SUM(units), SUM(first_out - ready_at), COUNT(first_out)
            FROM (
                SELECT o.currency, o.ship_\(level.rawValue) AS area, o.grand_total - o.written_off AS gmv,
                    CASE WHEN \(Store.paysLater) THEN o.placed_at ELSE o.paid_at END AS ready_at,
                    (SELECT SUM(l.qty) FROM order_lines l WHERE l.order_rowid = o.id) AS units,
                    (SELECT MIN(s.shipped_at) FROM shipments s WHERE s.order_rowid = o.id) AS first_out
                FROM orders o WHERE \(filter.sql)
            ) paid_orders
            GROUP BY currency, area ORDER BY currency, COUNT(*) DESC, area
            """, arguments: filter.arguments
        ) {
            result.append(
                RegionRow(
                    currency: $0.text(0), region: $0.optText(1), orders: $0.int(2), gmv: $0.int(3), units: $0.int(4),
                    paidToShippedMillis: $0.int(5), shippedOrders: $0.int(6)))
        }
        return result
    }
}

extension Store {
    /// One person's picking and packing in a period (`report.pickers`).
    struct PickerRow {
        var actor: String
        var ordersPicked: Int64 = 0
        var ordersPacked: Int64 = 0
        /// Pack commands that made a parcel, and refused ones whose check failed.
        var packs: Int64 = 0
        var packFailures: Int64 = 0
        var units: Int64 = 0
        /// Distinct orders picked or packed, and the clock hours in which any of it happened.
        var orders: Int64 = 0
        var activeHours: Int64 = 0
    }

    /// People (never the host, `system`) who picked or packed in `from..<to`.
    func pickers(from: Int64, to: Int64) throws -> [PickerRow] {
        var rows: [String: PickerRow] = [:]
        let period: [SQLValue] = [.int(from), .int(to)]
        let work = "actor <> 'system' AND at >= ? AND at < ? AND command IN ('order.pick', 'order.pack')"
        try db.rows(
            """
            SELECT actor, command, COUNT(DISTINCT order_rowid), COUNT(*) FROM order_events WHERE \(work)
                GROUP BY actor, command
            """, arguments: period
        ) {
            var row = rows[$0.text(0)] ?? PickerRow(actor: $0.text(0))
            if $0.text(1) == "order.pick" {
                row.ordersPicked = $0.int(2)
            } else {
                row.ordersPacked = $0.int(2)
                row.packs = $0.int(3)
            }
            rows[row.actor] = row
        }
        try db.rows(
            """
            SELECT actor, COUNT(DISTINCT order_rowid), COUNT(DISTINCT at / 3600000) FROM order_events WHERE \(work)
                GROUP BY actor
            """, arguments: period
        ) {
            rows[$0.text(0)]?.orders = $0.int(1)
            rows[$0.text(0)]?.activeHours = $0.int(2)
        }
        try db.rows(
            """
            SELECT p.packed_by, SUM(l.qty) FROM parcels p JOIN parcel_lines l ON l.parcel_rowid = p.id
                WHERE p.packed_at >= ? AND p.packed_at < ? AND p.packed_by <> 'system' GROUP BY p.packed_by
            """, arguments: period
        ) { rows[$0.text(0)]?.units = $0.int(1) }
        try db.rows(
            """
            SELECT actor, COUNT(*) FROM command_failures
                WHERE op = 'order.pack' AND at >= ? AND at < ? AND actor <> 'system' GROUP BY actor
            """, arguments: period
        ) {
            var row = rows[$0.text(0)] ?? PickerRow(actor: $0.text(0))
            row.packFailures = $0.int(1)
            rows[row.actor] = row
        }
        return Array(rows.values)
    }
}

extension Store {
    /// Two SKUs bought in the same orders (`report.basket`): `a` sorts before `b`.
    struct BasketPair {
        var a: String
        var b: String
        var orders: Int64
        var ordersWithA: Int64 = 0
        var ordersWithB: Int64 = 0
    }

    /// SKU pairs in at least `minOrders` of the orders paid in `from..<to`, most frequent first, and the
    /// number of those orders. SQLite aggregates the pairs in its own temporary b-tree (spilled to disk,
    /// not held in memory); only the `limit` pairs returned are kept.
    func basket(from: Int64, to: Int64, minOrders: Int64, limit: Int64) throws -> (orders: Int64, pairs: [BasketPair]) {
        let paid = "o.paid_at >= ? AND o.paid_at < ?"
        let period: [SQLValue] = [.int(from), .int(to)]
        let orders =
            try db.first("SELECT COUNT(*) FROM orders o WHERE \(paid)", .int(from), .int(to)) { $0.int(0) } ?? 0
        var pairs: [BasketPair] = []
        try db.rows(
            """
            SELECT x.sku, y.sku, COUNT(DISTINCT o.id) AS n
            FROM orders o
                JOIN order_lines x ON x.order_rowid = o.id
                JOIN order_lines y ON y.order_rowid = o.id AND x.sku < y.sku
            WHERE \(paid) GROUP BY x.sku, y.sku HAVING COUNT(DISTINCT o.id) >= ?
            ORDER BY n DESC, x.sku, y.sku LIMIT ?
            """, arguments: period + [.int(minOrders), .int(limit)]
        ) { pairs.append(BasketPair(a: $0.text(0), b: $0.text(1), orders: $0.int(2))) }
        var counts: [String: Int64] = [:]
        let skus = Array(Set(pairs.flatMap { [$0.a, $0.b] })).sorted()
        for chunk in stride(from: 0, to: skus.count, by: 500).map({ Array(skus[$0..<min($0 + 500, skus.count)]) }) {
            try db.rows(
                """
                SELECT l.sku, COUNT(DISTINCT o.id) FROM orders o JOIN order_lines l ON l.order_rowid = o.id
                WHERE \(paid) AND l.sku IN (\(Database.placeholders(chunk.count))) GROUP BY l.sku
                """, arguments: period + chunk.map { .text($0) }
            ) { counts[$0.text(0)] = $0.int(1) }
        }
        for i in pairs.indices {
            pairs[i].ordersWithA = counts[pairs[i].a] ?? 0
            pairs[i].ordersWithB = counts[pairs[i].b] ?? 0
        }
        return (orders, pairs)
    }
}

extension Store {
    /// One channel's intake in a period (`report.intake`).
    struct IntakeTally {
        var events: Int64 = 0
        var deadLetters: Int64 = 0
        /// Payload sizes in bytes: median, 95th percentile (nearest rank) and largest.
        var bytesP50: Int64 = 0
        var bytesP95: Int64 = 0
        var bytesMax: Int64 = 0
        var lastEventAt: Int64 = 0
        /// The payloads' field paths (`order.line_items[].sku`), at most `IntakeTally.maxPaths`.
        var fields: Set<String> = []

        static let maxPaths = 2_000
    }

    /// The channel events received in `from..<to`, per channel, read one at a time; the sizes'
    /// percentiles come from a second pass that SQLite sorts (spilled to disk, not held in memory).
    func intakeTallies(from: Int64, to: Int64, channel: String?) throws -> [String: IntakeTally] {
        var filter = Conditions()
        filter.add("received_at >= ?", from)
        filter.add("received_at < ?", to)
        filter.add("channel = ?", channel)
        var tallies: [String: IntakeTally] = [:]
        try db.rows(
            "SELECT channel, state, received_at, payload FROM inbox WHERE \(filter.sql) ORDER BY id",
            arguments: filter.arguments
        ) {
            var t = tallies[$0.text(0)] ?? IntakeTally()
            t.events += 1
            if $0.text(1) == "dead" { t.deadLetters += 1 }
            t.lastEventAt = max(t.lastEventAt, $0.int(2))
            if t.fields.count < IntakeTally.maxPaths, let json = try? JSONParser.parse($0.text(3)) {
                Store.collectPaths(json, prefix: "", into: &t.fields)
            }
            tallies[$0.text(0)] = t
        }
        var rank: Int64 = 0, current = ""
        try db.rows(
            """
            SELECT channel, \(db.dialect.byteLength("payload")) AS bytes FROM inbox WHERE \(filter.sql)
            ORDER BY channel, bytes
            """, arguments: filter.arguments
        ) {
            let name = $0.text(0), bytes = $0.int(1)
            if name != current { (current, rank) = (name, 0) }
            rank += 1
            guard var t = tallies[name] else { return }
            if rank == (t.events * 50 + 99) / 100 { t.bytesP50 = bytes }  // nearest rank: ceil(n p / 100)
            if rank == (t.events * 95 + 99) / 100 { t.bytesP95 = bytes }
            t.bytesMax = bytes
            tallies[name] = t
        }
        return tallies
    }

    /// Every member path of a payload: `a.b` for objects, `a[]` for the elements of arrays.
    static func collectPaths(_ value: JSON, prefix: String, into paths: inout Set<String>, depth: Int = 0) {
        guard depth < 16, paths.count < IntakeTally.maxPaths else { return }
        switch value {
        case .object(let object):
            for (key, member) in object.pairs {
                let path = prefix.isEmpty ? key : prefix + "." + key
                paths.insert(path)
                collectPaths(member, prefix: path, into: &paths, depth: depth + 1)
            }
        case .array(let items):
            for item in items { collectPaths(item, prefix: prefix + "[]", into: &paths, depth: depth + 1) }
        default: break
        }
    }
}
