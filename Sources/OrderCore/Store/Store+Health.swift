extension Store {
    /// What an order is grouped by in the health report: its channel, the warehouses holding its
    /// reservations (an order split over two warehouses counts in both) and its ship-to region.
    struct HealthSubject {
        var channel: String
        var warehouses: [String]
        var region: String?
        /// Channel, warehouses and region as read, to tell subjects apart without building them again.
        var key: String
    }

    /// The order columns every health query reads: channel, warehouses (without DISTINCT, which costs
    /// SQLite a temporary table per order; repeats are dropped here) and region.
    private var subjectColumns: String {
        "o.channel, (SELECT \(db.dialect.commaList("r.warehouse")) FROM reservations r WHERE r.order_rowid = o.id), "
            + "o.ship_region"
    }

    private static func subject(_ r: Row, _ column: Int32) -> HealthSubject {
        let channel = r.text(column), listed = r.optText(column + 1) ?? "", region = r.optText(column + 2)
        var warehouses: [String] = []
        for w in listed.split(separator: ",") where !warehouses.contains(where: { $0 == w }) {
            warehouses.append(String(w))
        }
        return HealthSubject(
            channel: channel, warehouses: warehouses, region: region,
            key: channel + "\u{1}" + listed + "\u{1}" + (region.map { "=" + $0 } ?? ""))
    }

    func healthSubject(orderRowID: Int64) throws -> HealthSubject? {
        try db.first("SELECT \(subjectColumns) FROM orders o WHERE o.id = ?", .int(orderRowID)) {
            Store.subject($0, 0)
        }
    }

    /// Orders whose shipping clock started in `from..<to` — paid then, or placed then to be paid later (on
    /// delivery, on its terms: its payment comes after the goods left) — with when it started, when their
    /// first parcel left (nil: not yet) and their state.
    func eachOrderReadyToShip(
        from: Int64, to: Int64,
        _ body: (_ rowID: Int64, HealthSubject, _ readyAt: Int64, _ shippedAt: Int64?, _ state: String) throws -> Void
    ) throws {
        let firstOut = "(SELECT MIN(s.shipped_at) FROM shipments s WHERE s.order_rowid = o.id)"
        try db.rows(
            """
            SELECT o.id, \(subjectColumns), o.paid_at, \(firstOut), o.state
            FROM orders o WHERE o.paid_at >= ?1 AND o.paid_at < ?2 AND NOT \(Store.paysLater)
            UNION ALL
            SELECT o.id, \(subjectColumns), o.placed_at, \(firstOut), o.state
            FROM orders o WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND \(Store.paysLater)
            """, .int(from), .int(to)
        ) { try body($0.int(0), Store.subject($0, 1), $0.int(4), $0.optInt(5), $0.text(6)) }
    }

    /// Orders in any of `states` now, with when they entered it.
    func eachOrder(
        in states: [String],
        _ body: (_ rowID: Int64, HealthSubject, _ state: String, _ since: Int64, _ paysLater: Bool) throws -> Void
    ) throws {
        guard !states.isEmpty else { return }
        try db.rows(
            """
            SELECT o.id, \(subjectColumns), o.state, COALESCE(o.state_since, o.updated_at),
                CASE WHEN \(Store.paysLater) THEN 1 ELSE 0 END
            FROM orders o WHERE o.state IN (\(Array(repeating: "?", count: states.count).joined(separator: ", ")))
            """, arguments: states.map(SQLValue.text)
        ) { try body($0.int(0), Store.subject($0, 1), $0.text(4), $0.int(5), $0.bool(6)) }
    }

    /// The orders whose first parcel left in `from..<to`: the work done in the period.
    func eachFirstShipment(from: Int64, to: Int64, _ body: (_ orderRowID: Int64) throws -> Void) throws {
        try db.rows(
            "SELECT order_rowid FROM shipments WHERE shipped_at >= ? AND shipped_at < ? AND seq = 1",
            .int(from), .int(to)
        ) { try body($0.int(0)) }
    }

    enum PackOutcome { case passed, weightHold, scanFailed }

    /// Every pack attempt in `from..<to`: parcels packed (held by the weight check or not, overridden
    /// later or not) and pack checks that failed (kept in `command_failures`).
    func eachPackAttempt(from: Int64, to: Int64, _ body: (_ orderRowID: Int64, PackOutcome) throws -> Void) throws {
        try db.rows(
            """
            SELECT order_rowid, \(SQLDialect.count("state = 'weight_hold' OR override_by IS NOT NULL"))
            FROM parcels WHERE packed_at >= ?
                AND packed_at < ?
            """, .int(from), .int(to)
        ) { try body($0.int(0), $0.int(1) != 0 ? .weightHold : .passed) }
        try db.rows(
            """
            SELECT o.id FROM command_failures f JOIN orders o ON o.order_id = f.order_id WHERE f.op = 'order.pack'
                AND f.at >= ? AND f.at < ?
            """, .int(from), .int(to)
        ) { try body($0.int(0), .scanFailed) }
    }

    /// The orders of the returns requested in `from..<to`.
    func eachReturn(from: Int64, to: Int64, _ body: (_ orderRowID: Int64) throws -> Void) throws {
        try db.rows("SELECT order_rowid FROM returns WHERE created_at >= ? AND created_at < ?", .int(from), .int(to)) {
            try body($0.int(0))
        }
    }

    /// Changes (order transitions and stock movements) people made outside working hours in
    /// `from..<to`, per actor and night. Local time is where the business is (`time`); working hours are
    /// `startHour..<endHour`; a night is named by the business day it starts after (before `startHour`
    /// belongs to the night before). The host program itself (`system`) is not a person.
    func offHoursChanges(
        from: Int64, to: Int64, time: BusinessTime, startHour: Int64, endHour: Int64
    ) throws -> [(actor: String, night: Int64, changes: Int64)] {
        let start = startHour * 3_600_000, end = endHour * 3_600_000
        let local = "(at + \(time.sqlOffset("at", from: from, to: to)))"
        let offHours = "(\(local) % 86400000 < \(start) OR \(local) % 86400000 >= \(end))"
        var result: [(String, Int64, Int64)] = []
        try db.rows(
            """
            SELECT actor, night, SUM(n) FROM (
                SELECT actor, (\(local) - \(start)) / 86400000 AS night, COUNT(*) AS n FROM order_events
                WHERE actor <> 'system' AND at >= ?1 AND at < ?2 AND \(offHours) GROUP BY actor, night
                UNION ALL
                SELECT actor, (\(local) - \(start)) / 86400000 AS night, COUNT(*) AS n FROM ledger
                WHERE actor <> 'system' AND at >= ?1 AND at < ?2 AND \(offHours) GROUP BY actor, night) changes
            GROUP BY actor, night ORDER BY night, actor
            """, .int(from), .int(to)
        ) { result.append(($0.text(0), $0.int(1), $0.int(2))) }
        return result
    }

    /// When the oldest event a consumer has not acknowledged was written (nil: it is up to date).
    func oldestUnread(after cursor: Int64) throws -> Int64? {
        try db.first("SELECT at FROM feed WHERE seq > ? ORDER BY seq LIMIT 1", .int(cursor)) { $0.int(0) }
    }

    /// Keeps a refused command that a report counts (a failed pack check), outside the transaction
    /// that rolled it back.
    func recordFailure(op: String, orderID: String?, actor: String, error: OrderCoreError, at: Int64) throws {
        try db.run(
            "INSERT INTO command_failures(at, op, order_id, actor, code, reason, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
            .int(at), .text(op), .opt(orderID), .text(actor), .text(error.code.rawValue),
            .opt(error.details?["reason"]?.stringValue), .text(error.message))
    }

    /// How many orders are in each state (the dashboard's bar chart).
    func orderCountsByState() throws -> [(state: String, count: Int64)] {
        try counts("SELECT state, COUNT(*) FROM orders GROUP BY state ORDER BY state")
    }

    func returnCountsByState() throws -> [(state: String, count: Int64)] {
        try counts("SELECT state, COUNT(*) FROM returns GROUP BY state ORDER BY state")
    }

    private func counts(_ sql: String) throws -> [(state: String, count: Int64)] {
        var result: [(String, Int64)] = []
        try db.rows(sql) { result.append(($0.text(0), $0.int(1))) }
        return result
    }

    // MARK: - Daily scores

    /// A component's score for one business day, overall (`scope` "overall", `name` "") or for one
    /// channel, warehouse or region.
    struct HealthScore: Hashable {
        var scope: String
        var name: String
        var component: String
        var score: Int64
    }

    func saveHealthScores(day: Int64, _ scores: [HealthScore]) throws {
        for s in scores {
            try db.run(
                """
                INSERT INTO health_daily(scope, name, component, day, score) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(scope, name, component, day) DO UPDATE SET score = excluded.score
                """, .text(s.scope), .text(s.name), .text(s.component), .int(day), .int(s.score))
        }
    }

    /// The components scored below `below` on each of the `days` business days up to `lastDay`, with
    /// their worst score.
    func degradedHealth(lastDay: Int64, days: Int64, below: Int64) throws -> [HealthScore] {
        var result: [HealthScore] = []
        try db.rows(
            """
            SELECT scope, name, component, MIN(score) FROM health_daily WHERE day > ? AND day <= ?
            GROUP BY scope, name, component HAVING COUNT(*) = ? AND MAX(score) < ? ORDER BY scope, name, component
            """, .int(lastDay - days), .int(lastDay), .int(days), .int(below)
        ) { result.append(HealthScore(scope: $0.text(0), name: $0.text(1), component: $0.text(2), score: $0.int(3))) }
        return result
    }

    /// Scores older than `day`, which nothing reads any more.
    func pruneHealthScores(before day: Int64) throws {
        try db.run("DELETE FROM health_daily WHERE day < ?", .int(day))
    }

    func watermark(_ name: String) throws -> Int64? {
        try db.first("SELECT value FROM watermarks WHERE name = ?", .text(name)) { $0.int(0) }
    }

    func setWatermark(_ name: String, _ value: Int64) throws {
        try db.run(
            "INSERT INTO watermarks(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            .text(name), .int(value))
    }
}
