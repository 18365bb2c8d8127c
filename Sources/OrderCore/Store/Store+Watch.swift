/// SQL of what sells, low-stock alerts and the stock board.
extension Store {
    // MARK: - Sales

    /// Adds (sign 1) or takes back (-1) the units an order holds as sold on a business day, per SKU and
    /// warehouse, in one statement.
    func addSales(orderRowID: Int64, day: Int64, sign: Int64) throws {
        try db.run(
            """
            INSERT INTO sales_daily(sku, warehouse, day, units)
            SELECT sku, warehouse, ?2, ?3 * qty FROM reservations WHERE order_rowid = ?1 AND state = 'active'
            ON CONFLICT(sku, warehouse, day) DO UPDATE SET units = units + excluded.units
            """, .int(orderRowID), .int(day), .int(sign))
    }

    // MARK: - Watching

    /// SKUs whose status may have changed: with ledger rows since the last look (every balance change
    /// is one), sold within the window (their cover moves as days pass), or with an open low-stock alert.
    /// Moves the watermark past the rows looked at.
    func takeWatchedSKUs(sinceDay: Int64) throws -> [String] {
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

    /// Stock and sales of SKUs, per SKU or (with `warehouse`) in one warehouse: on hand, reserved,
    /// safety, available under the sell percent, units sold on `yesterday` and over the window days
    /// `[firstDay, yesterday]`. Only SKUs with a balance row appear.
    func coverRows(
        sku: String?, warehouse: String?, sellPercent: Int64, firstDay: Int64, yesterday: Int64
    ) throws -> [CoverReport] {
        var result: [CoverReport] = []
        var balances = Conditions("w.active = 1")
        balances.add("s.sku = ?", sku)
        balances.add("s.warehouse = ?", warehouse)
        var sales = Conditions("day BETWEEN ? AND ?")
        sales.add("sku = ?", sku)
        sales.add("warehouse = ?", warehouse)
        try db.rows(
            """
            WITH b AS (
                SELECT s.sku, SUM(s.on_hand) AS on_hand, SUM(s.reserved) AS reserved, SUM(s.safety) AS safety,
                       SUM(MAX(0, \(Store.availableSQL(row: "s.", percent: "?")))) AS available
                FROM stock s JOIN warehouses w ON w.warehouse = s.warehouse
                WHERE \(balances.sql) GROUP BY s.sku),
            d AS (
                SELECT sku, SUM(CASE WHEN day = ? THEN units ELSE 0 END) AS yesterday, SUM(units) AS window
                FROM sales_daily WHERE \(sales.sql) GROUP BY sku)
            SELECT b.sku, b.on_hand, b.reserved, b.safety, b.available, COALESCE(d.yesterday, 0), COALESCE(d.window, 0)
            FROM b LEFT JOIN d ON d.sku = b.sku ORDER BY b.sku
            """,
            arguments: [.int(sellPercent), .int(sellPercent)] + balances.arguments + [
                .int(yesterday), .int(firstDay), .int(yesterday),
            ]
                + sales.arguments
        ) {
            result.append(
                CoverReport(
                    sku: $0.text(0), warehouse: warehouse, onHand: $0.int(1), reserved: $0.int(2), safety: $0.int(3),
                    available: $0.int(4), yesterdaySales: $0.int(5), windowSales: $0.int(6),
                    windowDays: yesterday - firstDay + 1))
        }
        return result
    }

    // MARK: - Alerts

    func openAlertID(kind: String, sku: String) throws -> Int64? {
        try db.first("SELECT id FROM alerts WHERE kind = ? AND sku = ? AND cleared_at IS NULL", .text(kind), .text(sku))
        { $0.int(0) }
    }

    func openAlert(kind: String, sku: String, at: Int64, details: JSON) throws {
        try db.run(
            "INSERT INTO alerts(kind, sku, opened_at, details) VALUES (?, ?, ?, ?)",
            .text(kind), .text(sku), .int(at), .text(details.serialized))
        try feedAlertOpened(at: at)
    }

    /// Opens an alert about an order unless one of the kind is open for it already.
    func openOrderAlert(kind: String, orderID: String, at: Int64, details: JSON) throws {
        guard
            try db.first(
                "SELECT 1 FROM alerts WHERE kind = ? AND order_id = ? AND cleared_at IS NULL", .text(kind),
                .text(orderID), map: { _ in true }) == nil
        else { return }
        try db.run(
            "INSERT INTO alerts(kind, order_id, opened_at, details) VALUES (?, ?, ?, ?)",
            .text(kind), .text(orderID), .int(at), .text(details.serialized))
        try feedAlertOpened(at: at)
    }

    /// Opens an alert about something else (`ref`, e.g. a tracking number) unless one is open for it.
    func openRefAlert(kind: String, ref: String, at: Int64, details: JSON) throws {
        guard
            try db.first(
                "SELECT 1 FROM alerts WHERE kind = ? AND ref = ? AND cleared_at IS NULL", .text(kind), .text(ref),
                map: { _ in true }) == nil
        else { return }
        try db.run(
            "INSERT INTO alerts(kind, ref, opened_at, details) VALUES (?, ?, ?, ?)", .text(kind), .text(ref), .int(at),
            .text(details.serialized))
        try feedAlertOpened(at: at)
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

    /// Every alert that opens or clears is also a change-feed event, so the host learns of it.
    private func feedAlertOpened(at: Int64) throws {
        try db.rows("SELECT id, kind, sku, order_id, ref, details FROM alerts WHERE id = last_insert_rowid()") {
            try appendFeed(kind: "alert", at: at, data: Store.alertEvent($0, state: "opened"))
        }
    }

    private func feedAlertsCleared(at: Int64, _ update: String, _ args: SQLValue...) throws {
        var cleared: [JSONObject] = []
        try db.rows(update + " RETURNING id, kind, sku, order_id, ref, details", arguments: args) {
            cleared.append(Store.alertEvent($0, state: "cleared"))
        }
        for event in cleared { try appendFeed(kind: "alert", at: at, data: event) }
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
            SELECT id, kind, sku, opened_at, cleared_at, details, order_id, ref FROM alerts
            WHERE (?1 = 0 OR cleared_at IS NULL) ORDER BY id DESC LIMIT ?2
            """, .bool(openOnly), .int(Int64(limit))
        ) {
            result.append([
                "id": .int($0.int(0)), "kind": .string($0.text(1)), "sku": .optional($0.optText(2)),
                "order_id": .optional($0.optText(6)), "ref": .optional($0.optText(7)),
                "opened_at": .string(Timestamp.format($0.int(3))),
                "cleared_at": $0.optInt(4).map { .string(Timestamp.format($0)) } ?? .null,
                "details": (try? JSONParser.parse($0.text(5))) ?? .null,
            ])
        }
        return result
    }

    /// Active registered channels (the ones low stock may close).
    func activeChannels() throws -> [String] {
        var result: [String] = []
        try db.rows("SELECT channel FROM channels WHERE active = 1 ORDER BY channel") { result.append($0.text(0)) }
        return result
    }
}
