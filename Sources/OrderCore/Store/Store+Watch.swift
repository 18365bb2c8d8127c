/// SQL of what sells, low-stock alerts and the stock board.
extension Store {
    // MARK: - Sales

    /// Adds (sign 1) or takes back (-1) the units an order holds as sold on a business day, per SKU and
    /// warehouse, in one statement (summed first: two lines of one SKU are one row to upsert; in SKU
    /// order, the order every writer locks rows in).
    func addSales(orderRowID: Int64, day: Int64, sign: Int64) throws {
        try db.write(
            """
            INSERT INTO sales_daily(sku, warehouse, day, units)
            SELECT sku, warehouse, ?2, ?3 * SUM(qty) FROM reservations WHERE order_rowid = ?1 AND state = 'active'
            GROUP BY sku, warehouse ORDER BY sku, warehouse
            ON CONFLICT(sku, warehouse, day) DO UPDATE SET units = sales_daily.units + excluded.units
            """, .int(orderRowID), .int(day), .int(sign))
    }

    /// Adds units sold on a business day, per SKU and warehouse: on SQLite when the transaction commits
    /// (`flushSales`). On PostgreSQL now, in SKU order, before the balance rows: every writer locks a
    /// SKU's sales rows before its balance rows (`addSales(orderRowID:)` too), or two hosts deadlock.
    func addSales(_ units: [(sku: String, warehouse: String, qty: Int64)], day: Int64) throws {
        for unit in units { pendingSales.append((unit.sku, unit.warehouse, day, unit.qty)) }
        if db.dialect == .postgresql { try flushSales() }
    }

    /// Writes the units the transaction's orders sold (`addSales`), summed per row, in the order of the
    /// table's key (the order every writer locks rows in): before `sales_daily` is read, and before COMMIT.
    func flushSales() throws {
        guard salesWritten < pendingSales.count else { return }
        var sums: [SalesKey: Int64] = [:]
        for sale in pendingSales[salesWritten...] {
            let key = SalesKey(sku: sale.sku, warehouse: sale.warehouse, day: sale.day)
            let (sum, overflow) = sums[key, default: 0].addingReportingOverflow(sale.units)
            guard !overflow else {
                throw OrderCoreError(.invalidInput, "the units of \(sale.sku) sold on one day pass the largest count")
            }
            sums[key] = sum
        }
        try db.writeRows(
            "INSERT INTO sales_daily(sku, warehouse, day, units)",
            sums.sorted { $0.key < $1.key }.map {
                [.text($0.key.sku), .text($0.key.warehouse), .int($0.key.day), .int($0.value)]
            },
            then: "ON CONFLICT(sku, warehouse, day) DO UPDATE SET units = sales_daily.units + excluded.units")
        salesWritten = pendingSales.count
    }

    private struct SalesKey: Hashable, Comparable {
        var sku: String, warehouse: String, day: Int64

        static func < (a: SalesKey, b: SalesKey) -> Bool { (a.sku, a.warehouse, a.day) < (b.sku, b.warehouse, b.day) }
    }

    // MARK: - Watching

    /// SKUs whose status may have changed: with ledger rows since the last look (every balance change
    /// is one), sold within the window (their cover moves as days pass), or with an open low-stock alert.
    /// Moves the watermark past the rows looked at.
    func takeWatchedSKUs(sinceDay: Int64) throws -> [String] {
        try flushSales()
        let mark = try db.first("SELECT value FROM watermarks WHERE name = 'sweep.ledger'") { $0.int(0) } ?? 0
        var result: [String] = []
        try db.rows(
            """
            SELECT DISTINCT sku FROM ledger WHERE id > ?1
            UNION SELECT DISTINCT sku FROM sales_daily WHERE day >= ?2
            UNION SELECT sku FROM alerts WHERE kind = 'low_stock' AND cleared_at IS NULL
            ORDER BY 1
            """, .int(mark), .int(sinceDay)
        ) { result.append($0.text(0)) }
        try db.run(
            """
            INSERT INTO watermarks(name, value) VALUES ('sweep.ledger', (SELECT COALESCE(MAX(id), 0) FROM ledger))
            ON CONFLICT(name) DO UPDATE SET value = excluded.value
            """)
        return result
    }

    /// Which balances a cover report reads.
    struct CoverQuery {
        var sku: String?
        /// Only these warehouses (one: the board's `warehouse`; a channel's serving warehouses).
        var warehouses: [String]?
        var category: String?
        /// A row per SKU and warehouse instead of per SKU.
        var perWarehouse = false
    }

    /// Stock and sales of SKUs in active warehouses, per SKU (summed over the warehouses read) or per SKU and
    /// warehouse: on hand, reserved, safety, available under the sell percent, units on the way by transfer,
    /// units sold on `yesterday` and over the window days `[firstDay, yesterday]`, with the SKU's name and
    /// category. Only SKUs with a balance row appear.
    func coverRows(_ q: CoverQuery, sellPercent: Int64, firstDay: Int64, yesterday: Int64) throws -> [CoverReport] {
        try flushSales()
        var result: [CoverReport] = []
        if q.warehouses?.isEmpty == true { return result }
        let listed = q.warehouses.map { "IN (\(Database.placeholders($0.count)))" }
        let warehouses = q.warehouses?.map(SQLValue.text) ?? []
        var balances = Conditions("w.active = 1")
        balances.add("s.sku = ?", q.sku)
        if let listed { balances.add("s.warehouse \(listed)", arguments: warehouses) }
        balances.add("s.sku IN (SELECT sku FROM skus WHERE category = ?)", q.category)
        var sales = Conditions("day BETWEEN ? AND ?")
        sales.add("sku = ?", q.sku)
        if let listed { sales.add("warehouse \(listed)", arguments: warehouses) }
        var moving = Conditions("l.received + l.lost < l.qty")
        moving.add("l.sku = ?", q.sku)
        if let listed { moving.add("t.to_warehouse \(listed)", arguments: warehouses) }
        let (wh, salesWh, movingWh) =
            q.perWarehouse ? ("s.warehouse", "warehouse", "t.to_warehouse") : ("''", "''", "''")
        // Grouped by warehouse too, or by SKU alone (PostgreSQL refuses a constant in GROUP BY).
        func grouped(_ sku: String, _ warehouse: String) -> String { q.perWarehouse ? "\(sku), \(warehouse)" : sku }
        try db.rows(
            """
            WITH b AS (
                SELECT s.sku, \(wh) AS wh, SUM(s.on_hand) AS on_hand, SUM(s.reserved) AS reserved,
                       SUM(s.safety) AS safety,
                       SUM(\(db.dialect.greatest("0", Store.availableSQL(row: "s.", percent: "?")))) AS available
                FROM stock s JOIN warehouses w ON w.warehouse = s.warehouse
                WHERE \(balances.sql) GROUP BY \(grouped("s.sku", wh))),
            d AS (
                SELECT sku, \(salesWh) AS wh, SUM(CASE WHEN day = ? THEN units ELSE 0 END) AS yesterday,
                       SUM(units) AS window
                FROM sales_daily WHERE \(sales.sql) GROUP BY \(grouped("sku", salesWh))),
            m AS (
                SELECT l.sku, \(movingWh) AS wh, SUM(l.qty - l.received - l.lost) AS qty
                FROM transfer_lines l JOIN transfers t ON t.id = l.transfer_rowid
                WHERE \(moving.sql) GROUP BY \(grouped("l.sku", movingWh)))
            SELECT b.sku, b.wh, k.name, k.category, b.on_hand, b.reserved, b.safety, b.available,
                   COALESCE(d.yesterday, 0), COALESCE(d.window, 0), COALESCE(m.qty, 0)
            FROM b JOIN skus k ON k.sku = b.sku
                LEFT JOIN d ON d.sku = b.sku AND d.wh = b.wh LEFT JOIN m ON m.sku = b.sku AND m.wh = b.wh
            ORDER BY b.sku, b.wh
            """,
            arguments: [.int(sellPercent), .int(sellPercent)] + balances.arguments + [.int(yesterday)]
                + [.int(firstDay), .int(yesterday)] + sales.arguments + moving.arguments
        ) {
            result.append(
                CoverReport(
                    sku: $0.text(0),
                    warehouse: q.perWarehouse ? $0.text(1) : q.warehouses?.count == 1 ? q.warehouses?[0] : nil,
                    name: $0.text(2), category: $0.optText(3), onHand: $0.int(4), reserved: $0.int(5),
                    safety: $0.int(6), available: $0.int(7), yesterdaySales: $0.int(8), windowSales: $0.int(9),
                    windowDays: yesterday - firstDay + 1, inTransit: $0.int(10)))
        }
        return result
    }

    // MARK: - Alerts

    func openAlertID(kind: String, sku: String) throws -> Int64? {
        try db.first("SELECT id FROM alerts WHERE kind = ? AND sku = ? AND cleared_at IS NULL", .text(kind), .text(sku))
        { $0.int(0) }
    }

    func hasOpenRefAlert(kind: String, ref: String) throws -> Bool {
        try db.first(
            "SELECT 1 FROM alerts WHERE kind = ? AND ref = ? AND cleared_at IS NULL", .text(kind), .text(ref),
            map: { _ in true }) ?? false
    }

    /// Whether the order's alert of a kind opened at `at` (by the command under way) and is open.
    func alertOpened(kind: String, orderID: String, at: Int64) throws -> Bool {
        try db.first(
            "SELECT 1 FROM alerts WHERE kind = ? AND order_id = ? AND opened_at = ? AND cleared_at IS NULL",
            .text(kind), .text(orderID), .int(at), map: { _ in true }) ?? false
    }

    /// The orders with an open alert of a kind.
    func openAlertOrderIDs(kind: String) throws -> [String] {
        var ids: [String] = []
        try db.rows(
            "SELECT order_id FROM alerts WHERE kind = ? AND cleared_at IS NULL AND order_id IS NOT NULL", .text(kind)
        ) { ids.append($0.text(0)) }
        return ids
    }

    /// The refs of the open alerts of a kind.
    func openAlertRefs(kind: String) throws -> [String] {
        var refs: [String] = []
        try db.rows("SELECT ref FROM alerts WHERE kind = ? AND cleared_at IS NULL AND ref IS NOT NULL", .text(kind)) {
            refs.append($0.text(0))
        }
        return refs
    }

    /// Sets one detail of the order's open alert of a kind (one that says what is still the matter).
    func setOpenAlertDetail(kind: String, orderID: String, _ key: String, _ value: JSON) throws {
        guard
            let (id, details) = try db.first(
                "SELECT id, details FROM alerts WHERE kind = ? AND order_id = ? AND cleared_at IS NULL", .text(kind),
                .text(orderID), map: { ($0.int(0), try JSONParser.parse($0.text(1))) })
        else { return }
        var object = details.objectValue ?? [:]
        guard object[key] != value else { return }
        object[key] = value
        try db.run("UPDATE alerts SET details = ? WHERE id = ?", .text(JSON.object(object).serialized), .int(id))
    }

    func clearOrderAlerts(kind: String, orderID: String, at: Int64) throws {
        try feedAlertsCleared(
            at: at, "UPDATE alerts SET cleared_at = ?1 WHERE kind = ?2 AND order_id = ?3 AND cleared_at IS NULL",
            .int(at), .text(kind), .text(orderID))
    }

    func clearRefAlerts(kind: String, ref: String, at: Int64) throws {
        try feedAlertsCleared(
            at: at, "UPDATE alerts SET cleared_at = ?1 WHERE kind = ?2 AND ref = ?3 AND cleared_at IS NULL",
            .int(at), .text(kind), .text(ref))
    }

    func clearAlert(id: Int64, at: Int64) throws {
        try feedAlertsCleared(
            at: at, "UPDATE alerts SET cleared_at = ?1 WHERE id = ?2 AND cleared_at IS NULL", .int(at), .int(id))
    }

    /// Opens an alert about a SKU, an order or something else (`ref`, e.g. a tracking number) unless one
    /// of the kind is open for it already (the `alerts_open` index decides). Every alert that opens or
    /// clears is also a change-feed event, so the host learns of it.
    /// - Returns: whether it opened (false: it was open already).
    @discardableResult
    func openAlert(
        kind: String, sku: String? = nil, orderID: String? = nil, ref: String? = nil, at: Int64, details: JSON
    ) throws -> Bool {
        var opened: JSONObject?
        try db.rows(
            """
            INSERT INTO alerts(kind, sku, order_id, ref, opened_at, details) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING RETURNING id, kind, sku, order_id, ref, details
            """, .text(kind), .opt(sku), .opt(orderID), .opt(ref), .int(at), .text(details.serialized)
        ) { opened = Store.alertEvent($0, state: "opened") }
        guard let opened else { return false }
        appendFeed(kind: "alert", at: at, data: opened)
        return true
    }

    private func feedAlertsCleared(at: Int64, _ update: String, _ args: SQLValue...) throws {
        var cleared: [JSONObject] = []
        try db.rows(update + " RETURNING id, kind, sku, order_id, ref, details", arguments: args) {
            cleared.append(Store.alertEvent($0, state: "cleared"))
        }
        for event in cleared { appendFeed(kind: "alert", at: at, data: event) }
    }

    private static func alertEvent(_ r: Row, state: String) -> JSONObject {
        [
            "alert_id": .int(r.int(0)), "alert": .string(r.text(1)), "state": .string(state),
            "sku": .optional(r.optText(2)),
            "order_id": .optional(r.optText(3)), "ref": .optional(r.optText(4)),
            "details": (try? JSONParser.parse(r.text(5))) ?? .null,
        ]
    }

    func alerts(openOnly: Bool, limit: Int) throws -> [JSON] {
        var result: [JSON] = []
        try db.rows(
            """
            SELECT \(Self.alertColumns) FROM alerts
            WHERE (?1 = 0 OR cleared_at IS NULL) ORDER BY id DESC LIMIT ?2
            """, .bool(openOnly), .int(Int64(limit))
        ) { result.append(Self.alert($0)) }
        return result
    }

    /// One alert, open or cleared, as `alerts` lists it.
    func alert(id: Int64) throws -> JSON? {
        try db.first("SELECT \(Self.alertColumns) FROM alerts WHERE id = ?", .int(id)) { Self.alert($0) }
    }

    /// Clears an open alert a person resolved, keeping who and why in its details (`resolved_by`,
    /// `resolution`). - Throws: `Stale` when it is no longer open (another writer cleared it first).
    func resolveAlert(id: Int64, at: Int64, details: JSON) throws {
        var cleared = false
        try db.rows(
            """
            UPDATE alerts SET cleared_at = ?, details = ? WHERE id = ? AND cleared_at IS NULL
            RETURNING id, kind, sku, order_id, ref, details
            """, .int(at), .text(details.serialized), .int(id)
        ) {
            appendFeed(kind: "alert", at: at, data: Store.alertEvent($0, state: "cleared"))
            cleared = true
        }
        guard cleared else { throw Stale(what: "alert \(id)") }
    }

    private static let alertColumns = "id, kind, sku, opened_at, cleared_at, details, order_id, ref"

    private static func alert(_ r: Row) -> JSON {
        [
            "id": .int(r.int(0)), "kind": .string(r.text(1)), "sku": .optional(r.optText(2)),
            "order_id": .optional(r.optText(6)), "ref": .optional(r.optText(7)),
            "opened_at": .string(Timestamp.format(r.int(3))),
            "cleared_at": r.optInt(4).map { .string(Timestamp.format($0)) } ?? .null,
            "details": (try? JSONParser.parse(r.text(5))) ?? .null,
        ]
    }

    /// Active registered channels (the ones low stock may close).
    func activeChannels() throws -> [String] {
        var result: [String] = []
        try db.rows("SELECT channel FROM channels WHERE active = 1 ORDER BY channel") { result.append($0.text(0)) }
        return result
    }
}
