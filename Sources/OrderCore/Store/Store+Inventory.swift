extension Store {
    /// Balances of a SKU in every warehouse that holds a row for it, in reservation preference order.
    func balances(sku: String, warehouse: String? = nil, activeOnly: Bool = false) throws -> [StockBalance] {
        var result: [StockBalance] = []
        var filter = Conditions()
        filter.add("s.sku = ?", sku)
        filter.add("s.warehouse = ?", warehouse)
        if activeOnly { filter.add("w.active = 1", arguments: []) }
        try db.rows(
            """
            SELECT s.warehouse, w.priority, s.on_hand, s.reserved, s.quarantine, s.safety
            FROM stock s JOIN warehouses w ON w.warehouse = s.warehouse
            WHERE \(filter.sql) ORDER BY w.priority, s.warehouse
            """, arguments: filter.arguments
        ) {
            result.append(
                StockBalance(
                    sku: sku, warehouse: $0.text(0), priority: $0.int(1), onHand: $0.int(2),
                    reserved: $0.int(3), quarantine: $0.int(4), safety: $0.int(5)))
        }
        return result
    }

    /// Balances of several SKUs at once, each list in reservation preference order.
    func balances(skus: [String], warehouse: String? = nil, activeOnly: Bool = false) throws -> [String: [StockBalance]]
    {
        try balances(skus: skus, warehouse: warehouse, activeOnly: activeOnly, lapsedAt: nil).balances
    }

    /// The balances an order may reserve from (active warehouses), and whether any of them has holds
    /// lapsed at `at` (`CommandContext.expireStaleReservations`).
    func reservableBalances(
        skus: [String], warehouse: String?, at: Int64
    ) throws -> (balances: [String: [StockBalance]], lapsed: Bool) {
        try balances(skus: skus, warehouse: warehouse, activeOnly: true, lapsedAt: at)
    }

    /// `reservableBalances`'s read, to send it ahead (`prefetch`).
    static func reservableBalancesRead(skus: [String], warehouse: String?, at: Int64) -> Read {
        balancesRead(skus: skus, warehouse: warehouse, activeOnly: true, lapsedAt: at)
    }

    /// On PostgreSQL one query for every SKU (one round trip). On SQLite, for an order's few SKUs, one
    /// point lookup each (`pointLookups`): each is one of eight fixed texts, where the `IN` list cost a
    /// temporary b-tree and its text was built anew.
    private func balances(
        skus: [String], warehouse: String?, activeOnly: Bool, lapsedAt: Int64?
    ) throws -> (balances: [String: [StockBalance]], lapsed: Bool) {
        var result: [String: [StockBalance]] = [:]
        var lapsed = false
        for read in db.dialect == .sqlite && (2...Store.pointLookups).contains(skus.count)
            ? skus.map({
                Store.balancesRead(skus: [$0], warehouse: warehouse, activeOnly: activeOnly, lapsedAt: lapsedAt)
            })
            : [Store.balancesRead(skus: skus, warehouse: warehouse, activeOnly: activeOnly, lapsedAt: lapsedAt)]
        {
            try db.rows(read.sql, arguments: read.arguments) {
                result[$0.text(0), default: []].append(
                    StockBalance(
                        sku: $0.text(0), warehouse: $0.text(1), priority: $0.int(2), onHand: $0.int(3),
                        reserved: $0.int(4), quarantine: $0.int(5), safety: $0.int(6)))
                if $0.int(7) != 0 { lapsed = true }
            }
        }
        // Each SKU's balances by warehouse priority: sorted here, not by a temporary b-tree per query.
        for sku in result.keys { result[sku]?.sort { ($0.priority, $0.warehouse) < ($1.priority, $1.warehouse) } }
        return (result, lapsed)
    }

    private static func balancesRead(skus: [String], warehouse: String?, activeOnly: Bool, lapsedAt: Int64?) -> Read {
        let shape = (warehouse == nil ? 0 : 1) | (activeOnly ? 2 : 0) | (lapsedAt == nil ? 0 : 4)
        var arguments: [SQLValue] = []
        arguments.reserveCapacity(skus.count + 2)
        if let lapsedAt { arguments.append(.int(lapsedAt)) }
        for sku in skus { arguments.append(.text(sku)) }
        if let warehouse { arguments.append(.text(warehouse)) }
        return Read(
            skus.count == 1 ? pointBalancesSQL[shape] : balancesSQL(skus: skus.count, shape), arguments: arguments)
    }

    /// The balances query of one SKU, by shape (bit 0: one warehouse, 1: active only, 2: lapsed holds).
    private static let pointBalancesSQL = (0..<8).map { balancesSQL(skus: 1, $0) }

    private static func balancesSQL(skus count: Int, _ shape: Int) -> String {
        var filter = ["s.sku IN (\(Database.placeholders(count)))"]
        if shape & 1 != 0 { filter.append("s.warehouse = ?") }
        if shape & 2 != 0 { filter.append("w.active = 1") }
        let lapsedSQL = """
            EXISTS (SELECT 1 FROM reservations r WHERE r.sku = s.sku AND r.warehouse = s.warehouse
                AND r.state = 'active' AND r.expires_at IS NOT NULL AND r.expires_at <= ?)
            """
        return """
            SELECT s.sku, s.warehouse, w.priority, s.on_hand, s.reserved, s.quarantine, s.safety,
                \(shape & 4 == 0 ? "0" : SQLDialect.count(lapsedSQL))
            FROM stock s JOIN warehouses w ON w.warehouse = s.warehouse
            WHERE \(filter.joined(separator: " AND "))
            """
    }

    /// Adds `delta` to one bucket, creating the balance row on first use. The caller has checked that
    /// the result stays within 0...Int64.max (`CommandContext.post`). Not an upsert: SQLite checks the
    /// CHECK constraints of the row an upsert would insert before it resolves the conflict, so a
    /// negative delta would fail `on_hand >= 0` even for an existing row.
    func add(_ delta: Int64, to bucket: LedgerEntry.Bucket, sku: String, warehouse: String) throws {
        guard let sql = Store.addSQL[bucket] else {
            throw OrderCoreError(.internal, "no SQL for bucket \(bucket.rawValue)")
        }
        touchedSKUs.insert(sku)
        if bucket == .onHand ? delta > 0 : bucket != .quarantine && delta < 0 { freedSKUs.insert(sku) }
        if try db.run(sql.update, .text(sku), .text(warehouse), .int(delta)) == 0 {
            try db.run(sql.insert, .text(sku), .text(warehouse), .int(delta))
        }
    }

    /// The statements of `add`, per bucket (the column is an enum's fixed spelling, never input); built
    /// once so the statement cache sees the same text every time.
    private static let addSQL: [LedgerEntry.Bucket: (update: String, insert: String)] = Dictionary(
        uniqueKeysWithValues: LedgerEntry.Bucket.allCases.map { bucket in
            let column = bucket.rawValue
            return (
                bucket,
                (
                    "UPDATE stock SET \(column) = \(column) + ?3 WHERE sku = ?1 AND warehouse = ?2",
                    "INSERT INTO stock(sku, warehouse, \(column)) VALUES (?1, ?2, ?3)"
                )
            )
        })

    /// Units of a `stock` row (`row.`: its alias) that may still be promised, as SQL: `StockBalance.available`
    /// before the floor at zero, with the sell percent given by the parameter `percent` (`?4`). The one
    /// definition the reservation, the stock board and the low-stock watch share.
    static func availableSQL(row: String = "", percent: String) -> String {
        "(\(row)on_hand / 100) * \(percent) + ((\(row)on_hand % 100) * \(percent)) / 100 - \(row)reserved - "
            + "\(row)safety"
    }

    /// The atomic check-and-reserve: one conditional UPDATE that only matches while `qty` units are
    /// still available (`StockBalance.available`, with the reservation buffer `sellPercent`); fails the
    /// command with `failure` when they are not.
    func reserve(
        sku: String, warehouse: String, qty: Int64, sellPercent: Int64,
        else failure: @escaping @autoclosure () -> any Error
    ) throws {
        touchedSKUs.insert(sku)
        try db.require(
            Store.reserveOneSQL, .text(sku), .text(warehouse), .int(qty), .int(sellPercent), else: failure())
    }

    /// `reserve` for several balances (each named once), all or nothing, in the order given. On
    /// PostgreSQL in one statement, whose guards run one after the other (a `CASE`), so it locks the
    /// balance rows in that order, and names the first one short of units; a statement each on SQLite.
    func reserve(
        _ units: [(sku: String, warehouse: String, qty: Int64)], sellPercent: Int64,
        else failure: @escaping (_ sku: String, _ warehouse: String) -> any Error
    ) throws {
        guard db.dialect == .postgresql, units.count > 1 else {
            for unit in units {
                try reserve(
                    sku: unit.sku, warehouse: unit.warehouse, qty: unit.qty, sellPercent: sellPercent,
                    else: failure(unit.sku, unit.warehouse))
            }
            return
        }
        touchedSKUs.formUnion(units.map(\.sku))
        var args: [SQLValue] = [.int(sellPercent)]
        for unit in units { args += [.text(unit.sku), .text(unit.warehouse), .int(unit.qty)] }
        let sql = db.generated(Store.reserveOneSQL, units.count) { count in
            let operands = (0..<count).map { i in ("?\(3 * i + 2)", "?\(3 * i + 3)", "?\(3 * i + 4)") }
            let guards = operands.enumerated().map { i, o in
                "g\(i) AS (\(Store.reserveSQL(sku: o.0, warehouse: o.1, qty: o.2, percent: "?1")) RETURNING 1)"
            }
            let refusals = operands.enumerated().map { i, o in
                "WHEN NOT EXISTS (SELECT FROM g\(i)) THEN ordercore_guard_refused(\(o.0), \(o.1))"
            }
            return "WITH \(guards.joined(separator: ", ")) SELECT CASE \(refusals.joined(separator: " ")) END"
        }
        try db.refusing(sql, arguments: args, else: { sku, warehouse in failure(sku, warehouse ?? "") })
    }

    private static let reserveOneSQL = reserveSQL(sku: "?1", warehouse: "?2", qty: "?3", percent: "?4")

    /// On SQLite, `reserve` of a balance whose warehouse is active and on which no hold has lapsed at
    /// `at` — what `reservableBalances` would find: whether it reserved (nothing when it did not).
    func reserveIfClear(sku: String, warehouse: String, qty: Int64, sellPercent: Int64, at: Int64) throws -> Bool {
        touchedSKUs.insert(sku)
        return try db.run(Store.reserveIfClearSQL, .text(sku), .text(warehouse), .int(qty), .int(sellPercent), .int(at))
            == 1
    }

    private static let reserveIfClearSQL =
        reserveOneSQL + """
             AND EXISTS (SELECT 1 FROM warehouses w WHERE w.warehouse = ?2 AND w.active = 1)
             AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.sku = ?1 AND r.warehouse = ?2
                AND r.state = 'active' AND r.expires_at IS NOT NULL AND r.expires_at <= ?5)
            """

    /// Up to `limit` active warehouses.
    func activeWarehouses(limit: Int) throws -> [String] {
        var result: [String] = []
        try db.rows("SELECT warehouse FROM warehouses WHERE active = 1 LIMIT ?", .int(Int64(limit))) {
            result.append($0.text(0))
        }
        return result
    }

    /// The conditional UPDATE of `reserve`, its operands given as SQL.
    private static func reserveSQL(sku: String, warehouse: String, qty: String, percent: String) -> String {
        "UPDATE stock SET reserved = reserved + \(qty) WHERE sku = \(sku) AND warehouse = \(warehouse) AND "
            + "\(availableSQL(percent: percent)) >= \(qty)"
    }

    /// Locks, until the transaction ends, the balance rows an order's active holds are on, in SKU, then
    /// warehouse order, the order every writer takes them in: a command that then moves them line by
    /// line waits for other orders instead of deadlocking with them on PostgreSQL. A no-op unless the
    /// transaction writes beside others (`Database.locksRowsRead`).
    func lockHeldBalances(orderRowID: Int64) throws {
        guard db.locksRowsRead else { return }
        try db.rows(
            """
            SELECT 1 FROM stock WHERE (sku, warehouse) IN (
                SELECT sku, warehouse FROM reservations WHERE order_rowid = ? AND state = 'active')
            ORDER BY sku, warehouse FOR UPDATE
            """, .int(orderRowID)
        ) { _ in }
    }

    /// Locks, until the transaction ends, the balance rows of `skus` (only `warehouse`'s, when given) in SKU,
    /// then warehouse order, the order every writer takes them in, when the transaction writes beside
    /// others (`Database.locksRowsRead`): what the command then reads of them (to plan, check or set a
    /// figure) stays as read until it commits. A no-op otherwise.
    func lockBalances(skus: [String], warehouse: String? = nil) throws {
        guard db.locksRowsRead, !skus.isEmpty else { return }
        var filter = Conditions()
        filter.add("sku IN (\(Database.placeholders(skus.count)))", arguments: skus.map(SQLValue.text))
        filter.add("warehouse = ?", warehouse)
        try db.rows(
            "SELECT 1 FROM stock WHERE \(filter.sql) ORDER BY sku, warehouse FOR UPDATE", arguments: filter.arguments
        ) { _ in }
    }

    /// Hands reserved units over to the buyer: both on hand and reserved go down.
    /// - Returns: false (changing nothing) when fewer units are on hand than are being handed over.
    func deduct(sku: String, warehouse: String, qty: Int64) throws -> Bool {
        touchedSKUs.insert(sku)
        return try db.run(
            """
            UPDATE stock SET on_hand = on_hand - ?3, reserved = reserved - ?3
            WHERE sku = ?1 AND warehouse = ?2 AND reserved >= ?3 AND on_hand >= ?3
            """, .text(sku), .text(warehouse), .int(qty)) == 1
    }

    /// Held units that left when fewer are on hand (a count took them since): on hand falls by `onHand`,
    /// reserved by `reserved`. More than the balance has is an internal invariant breach.
    func deduct(sku: String, warehouse: String, onHand: Int64, reserved: Int64) throws {
        touchedSKUs.insert(sku)
        try db.require(
            """
            UPDATE stock SET on_hand = on_hand - ?3, reserved = reserved - ?4
            WHERE sku = ?1 AND warehouse = ?2 AND on_hand >= ?3 AND reserved >= ?4
            """, .text(sku), .text(warehouse), .int(onHand), .int(reserved),
            else: OrderCoreError(.internal, "\(reserved) \(sku) held in \(warehouse) are not on the balance"))
    }

    /// Gives back reserved units. Taking back more than is reserved is an internal invariant breach.
    func unreserve(sku: String, warehouse: String, qty: Int64) throws {
        touchedSKUs.insert(sku)
        freedSKUs.insert(sku)
        try db.require(
            "UPDATE stock SET reserved = reserved - ?3 WHERE sku = ?1 AND warehouse = ?2 AND reserved >= ?3",
            .text(sku), .text(warehouse), .int(qty),
            else: OrderCoreError(.internal, "reservation of \(qty) \(sku) in \(warehouse) is not on the balance"))
    }

    /// Appends a ledger row for a change the balance already holds, with the change of its value.
    /// - Returns: that change of value (nil: the row moves none).
    @discardableResult
    func append(_ e: LedgerEntry, at: Int64, actor: String) throws -> Int64? {
        let value = try revalue(e)
        try db.writeRows(Store.insertLedgerSQL, [Store.ledgerRow(e, value: value, at: at, actor: actor)])
        return value
    }

    /// Appends rows that change no value (reservations), several in one statement.
    func appendUnvalued(_ entries: [LedgerEntry], at: Int64, actor: String) throws {
        guard entries.allSatisfy({ !Store.carriesValue($0) }) else {
            throw OrderCoreError(.internal, "ledger rows that change a value are appended one by one")
        }
        try db.writeRows(Store.insertLedgerSQL, entries.map { Store.ledgerRow($0, value: nil, at: at, actor: actor) })
    }

    private static let insertLedgerSQL =
        "INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason, ref_type, ref_id, note, actor, value)"

    private static func ledgerRow(_ e: LedgerEntry, value: Int64?, at: Int64, actor: String) -> [SQLValue] {
        [
            .int(at), .text(e.sku), .text(e.warehouse), .text(e.bucket.rawValue), .int(e.delta),
            .text(e.reason.rawValue), .opt(e.refType), .opt(e.refID), .opt(e.note), .text(actor), .opt(value),
        ]
    }

    /// Whether a ledger row changes the value held (`revalue`): units entering or leaving on hand or
    /// quarantine, other than a move between the two.
    private static func carriesValue(_ e: LedgerEntry) -> Bool {
        (e.bucket == .onHand || e.bucket == .quarantine) && e.reason != .quarantine && e.delta != 0
    }

    struct ValuationFilter {
        var sku: String?
        var warehouse: String?
        var category: String?
    }

    /// Held units and their value per SKU and warehouse, most valuable first (at most `limit`), and
    /// the totals per cost currency over every balance the filter selects.
    func valuation(
        _ q: ValuationFilter, limit: Int64
    ) throws -> (
        rows: [(sku: String, warehouse: String, units: Int64, value: Int64, currency: String)],
        totals: [(currency: String, units: Int64, value: Int64)]
    ) {
        var filter = Conditions("(s.on_hand + s.quarantine > 0 OR s.value <> 0)")
        filter.add("s.sku = ?", q.sku)
        filter.add("s.warehouse = ?", q.warehouse)
        filter.add("k.category = ?", q.category)
        let held = """
            SELECT s.sku, s.warehouse, s.on_hand + s.quarantine AS units, s.value,
                COALESCE(k.cost_currency, '') AS currency
            FROM stock s JOIN skus k ON k.sku = s.sku WHERE \(filter.sql)
            """
        var rows: [(String, String, Int64, Int64, String)] = []
        try db.rows(
            held + " ORDER BY s.value DESC, s.sku, s.warehouse LIMIT ?", arguments: filter.arguments + [.int(limit)]
        ) { rows.append(($0.text(0), $0.text(1), $0.int(2), $0.int(3), $0.text(4))) }
        var totals: [(String, Int64, Int64)] = []
        try db.rows(
            "SELECT currency, SUM(units), SUM(value) FROM (\(held)) held GROUP BY currency ORDER BY currency",
            arguments: filter.arguments
        ) { totals.append(($0.text(0), $0.int(1), $0.int(2))) }
        return (rows, totals)
    }

    /// The net of an actor's hand corrections (adjustments, count variances) of a SKU's units on hand
    /// in a warehouse since `since`.
    func handCorrections(actor: String, sku: String, warehouse: String, since: Int64) throws -> Int64 {
        try db.first(
            """
            SELECT COALESCE(SUM(delta), 0) FROM ledger
            WHERE actor = ? AND actor <> 'system' AND at >= ? AND sku = ? AND warehouse = ? AND bucket = 'on_hand'
              AND reason IN ('adjust', 'count')
            """, .text(actor), .int(since), .text(sku), .text(warehouse)
        ) { $0.int(0) } ?? 0
    }

    /// What one unit of a SKU on a transfer was worth when it left (nil: it left without value).
    func transferUnitCost(transferID: String, sku: String) throws -> Int64? {
        try db.first(
            """
            SELECT SUM(-value) / SUM(-delta) FROM ledger
            WHERE ref_type = 'transfer' AND ref_id = ? AND sku = ? AND reason = 'transfer_out' AND value < 0
            """, .text(transferID), .text(sku)
        ) { $0.optInt(0) } ?? nil
    }

    /// Values a change of held units (on hand and quarantine) at moving average cost and keeps the
    /// balance's value: units leave at the average of what the balance holds (the last ones take what
    /// is left), and arrive at `unitCost` when the entry knows it, else at the SKU's unit cost, else at
    /// the average held (0 when nothing is). Moves between on hand and quarantine, reserved and safety
    /// stock move no value. Runs after the units changed. - Returns: the change (nil: none moves).
    private func revalue(_ e: LedgerEntry) throws -> Int64? {
        guard Store.carriesValue(e) else { return nil }
        guard
            let (value, heldAfter, skuCost) = try db.first(
                """
                SELECT s.value, s.on_hand + s.quarantine, (SELECT k.unit_cost FROM skus k WHERE k.sku = s.sku)
                FROM stock s WHERE s.sku = ? AND s.warehouse = ?
                """, .text(e.sku), .text(e.warehouse), map: { ($0.int(0), $0.int(1), $0.optInt(2)) })
        else { return nil }
        let heldBefore = heldAfter - e.delta
        let change: Int64
        if e.delta < 0 {
            // value · leaving / held, in 128 bits: at most the value itself.
            let leaving = -e.delta
            let product = value.multipliedFullWidth(by: leaving)
            change = heldAfter == 0 || heldBefore <= 0 ? -value : -heldBefore.dividingFullWidth(product).quotient
        } else {
            let unit = e.unitCost ?? skuCost ?? (heldBefore > 0 && value > 0 ? value / heldBefore : 0)
            let (cost, overflow) = unit.multipliedReportingOverflow(by: e.delta)
            let (_, sumOverflow) = value.addingReportingOverflow(cost)
            guard !overflow, !sumOverflow else {
                throw OrderCoreError.invalid(
                    "the value of \(e.sku) in \(e.warehouse) would pass what 64 bits hold", field: "qty")
            }
            change = cost
        }
        try db.run(
            "UPDATE stock SET value = value + ? WHERE sku = ? AND warehouse = ?", .int(change), .text(e.sku),
            .text(e.warehouse))
        return change
    }

    /// Orders holding a reservation of any of `skus` that lapsed at or before `at`.
    func ordersWithExpiredReservations(skus: [String], at: Int64) throws -> [Int64] {
        var result: [Int64] = []
        try db.rows(
            """
            SELECT DISTINCT order_rowid FROM reservations
            WHERE sku IN (\(Database.placeholders(skus.count))) AND state = 'active' AND expires_at IS NOT NULL
                AND expires_at <= ?
            ORDER BY order_rowid
            """, arguments: skus.map(SQLValue.text) + [.int(at)]
        ) { result.append($0.int(0)) }
        return result
    }

    /// Active reservations of an order.
    func activeReservations(
        orderRowID: Int64
    )
        throws -> [(id: Int64, lineNo: Int64, sku: String, warehouse: String, qty: Int64, channelCounted: Bool)]
    {
        var result: [(Int64, Int64, String, String, Int64, Bool)] = []
        try db.rows(
            """
            SELECT id, line_no, sku, warehouse, qty, channel_counted FROM reservations WHERE order_rowid = ?
                AND state = 'active' ORDER BY id
            """, .int(orderRowID)
        ) { result.append(($0.int(0), $0.int(1), $0.text(2), $0.text(3), $0.int(4), $0.bool(5))) }
        return result
    }

    /// Records holds of an order: per hold its line, SKU, warehouse, units and whether they count
    /// against the channel's cap.
    func insertReservations(
        orderRowID: Int64, _ holds: [(lineNo: Int64, sku: String, warehouse: String, qty: Int64, counted: Bool)],
        expiresAt: Int64?
    ) throws {
        try db.writeRows(
            "INSERT INTO reservations(order_rowid, line_no, sku, warehouse, qty, expires_at, channel_counted)",
            holds.map {
                [
                    .int(orderRowID), .int($0.lineNo), .text($0.sku), .text($0.warehouse), .int($0.qty),
                    .opt(expiresAt),
                    .bool($0.counted),
                ]
            })
    }

    /// Gives back part of an active hold (the rest stays held). - Throws: `Stale` when it is not active.
    func shrinkReservation(id: Int64, by qty: Int64) throws {
        try db.require(
            "UPDATE reservations SET qty = qty - ? WHERE id = ? AND state = 'active' AND qty > ?", .int(qty), .int(id),
            .int(qty), else: Stale(what: "reservation \(id)"))
    }

    /// Closes a hold that is still active. - Throws: `Stale` when it is not (closed by another writer).
    func closeReservation(id: Int64, state: String) throws {
        try db.require(
            "UPDATE reservations SET state = ? WHERE id = ? AND state = 'active'", .text(state), .int(id),
            else: Stale(what: "reservation \(id)"))
    }

    /// Payment turns an expiring hold into a firm one (nil), or one that lasts until a pre-sale's balance is due.
    func setReservationExpiry(orderRowID: Int64, _ expiresAt: Int64?) throws {
        try db.write(
            "UPDATE reservations SET expires_at = ? WHERE order_rowid = ? AND state = 'active'", .opt(expiresAt),
            .int(orderRowID))
    }
}

// MARK: - The ledger

extension Store {
    struct LedgerQuery {
        var sku: String?
        var warehouse: String?
        var refType: String?
        var refID: String?
        var reason: String?
        var from: Int64?
        var to: Int64?
        var afterID: Int64?
        var limit: Int
    }

    /// Ledger rows in order, filtered; served by the (sku, warehouse, id) and (ref_type, ref_id) indexes.
    func ledger(_ q: LedgerQuery) throws -> [LedgerRow] {
        var result: [LedgerRow] = []
        var filter = Conditions()
        filter.add("sku = ?", q.sku)
        filter.add("warehouse = ?", q.warehouse)
        filter.add("ref_type = ?", q.refType)
        filter.add("ref_id = ?", q.refID)
        filter.add("reason = ?", q.reason)
        filter.add("at >= ?", q.from)
        filter.add("at < ?", q.to)
        filter.add("id > ?", q.afterID)
        try db.rows(
            """
            SELECT id, at, sku, warehouse, bucket, delta, reason, ref_type, ref_id, note, actor, value,
                (SELECT k.cost_currency FROM skus k WHERE k.sku = ledger.sku)
            FROM ledger WHERE \(filter.sql) ORDER BY id LIMIT ?
            """, arguments: filter.arguments + [.int(Int64(q.limit))]
        ) { r in
            result.append(
                LedgerRow(
                    id: r.int(0), at: r.int(1), sku: r.text(2), warehouse: r.text(3), bucket: r.text(4),
                    delta: r.int(5),
                    reason: r.text(6), refType: r.optText(7), refID: r.optText(8), note: r.optText(9),
                    actor: r.optText(10), value: r.optInt(11), currency: r.optText(12) ?? ""))
        }
        return result
    }

    /// Every (SKU, warehouse) whose balances differ from the sums of its ledger rows, or whose reserved
    /// units differ from its active reservations. Empty when the books are right.
    func ledgerDifferences() throws -> (checked: Int, differences: [JSON]) {
        var checked = 0
        var differences: [JSON] = []
        try db.rows(
            """
            WITH l AS (
                SELECT sku, warehouse,
                       SUM(CASE bucket WHEN 'on_hand' THEN delta ELSE 0 END) AS on_hand,
                       SUM(CASE bucket WHEN 'reserved' THEN delta ELSE 0 END) AS reserved,
                       SUM(CASE bucket WHEN 'quarantine' THEN delta ELSE 0 END) AS quarantine,
                       SUM(CASE bucket WHEN 'safety' THEN delta ELSE 0 END) AS safety,
                       SUM(COALESCE(value, 0)) AS value
                FROM ledger GROUP BY sku, warehouse),
            r AS (SELECT sku, warehouse, SUM(qty) AS qty FROM reservations WHERE state = 'active' GROUP BY sku,
                warehouse)
            SELECT COALESCE(s.sku, l.sku), COALESCE(s.warehouse, l.warehouse),
                   COALESCE(s.on_hand, 0), COALESCE(s.reserved, 0), COALESCE(s.quarantine, 0), COALESCE(s.safety, 0),
                   COALESCE(l.on_hand, 0), COALESCE(l.reserved, 0), COALESCE(l.quarantine, 0), COALESCE(l.safety, 0),
                   COALESCE((SELECT qty FROM r WHERE r.sku = COALESCE(s.sku, l.sku)
                       AND r.warehouse = COALESCE(s.warehouse, l.warehouse)), 0),
                   COALESCE(s.value, 0), COALESCE(l.value, 0)
            FROM stock s FULL OUTER JOIN l ON l.sku = s.sku AND l.warehouse = s.warehouse
            ORDER BY 1, 2
            """
        ) { r in
            checked += 1
            /// Balance column `balance` against what `source` (column `recomputed`) says it should be.
            func compare(_ bucket: String, _ balance: Int32, _ source: String, _ recomputed: Int32) {
                guard r.int(balance) != r.int(recomputed) else { return }
                differences.append([
                    "sku": .string(r.text(0)), "warehouse": .string(r.text(1)), "bucket": .string(bucket),
                    "balance": .int(r.int(balance)), source: .int(r.int(recomputed)),
                ])
            }
            for (i, bucket) in LedgerEntry.Bucket.allCases.enumerated() {
                compare(bucket.rawValue, Int32(2 + i), "ledger", Int32(6 + i))
            }
            compare("value", 11, "ledger", 12)
            compare("reserved", 3, "active_reservations", 10)
        }
        return (checked, differences)
    }
}
