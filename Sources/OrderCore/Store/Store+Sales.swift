extension Store {
    /// One group of the sales report, money in minor units of `currency`.
    struct SalesRow {
        var currency: String
        var key: String
        var orders: Int64 = 0
        var units: Int64 = 0
        var gross: Int64 = 0
        var discounts: Int64 = 0
        var shipping: Int64 = 0
        var gmv: Int64 = 0
        var refunds: Int64 = 0
    }

    enum SalesGrouping: String, CaseIterable { case day, channel, sku, total }

    /// Orders fully paid in `from..<to` (and refunds made then), grouped by currency and `by`.
    /// `time` says which business day an instant is on. All sums are SQLite integers: exact.
    func sales(from: Int64, to: Int64, by: SalesGrouping, channel: String?, time: BusinessTime) throws -> [SalesRow] {
        var rows: [String: SalesRow] = [:]
        var order: [String] = []
        func row(_ currency: String, _ key: String) -> String {
            let id = currency + "\u{1}" + key
            if rows[id] == nil { rows[id] = SalesRow(currency: currency, key: key); order.append(id) }
            return id
        }
        var filter = Conditions("o.paid_at >= ?", "o.paid_at < ?")
        filter.add("o.channel = ?", channel)
        let base: [SQLValue] = [.int(from), .int(to)] + filter.arguments
        let orderKey =
            switch by {
            case .day: "CAST((o.paid_at + \(time.sqlOffset("o.paid_at", from: from, to: to))) / 86400000 AS INTEGER)"
            case .channel: "o.channel"
            case .sku, .total: "''"
            }
        if by == .sku {
            try db.rows(
                """
                SELECT o.currency, l.sku, COUNT(DISTINCT o.id), SUM(l.qty), SUM(l.qty * l.unit_price),
                    SUM(l.line_discount)
                FROM orders o JOIN order_lines l ON l.order_rowid = o.id WHERE \(filter.sql) GROUP BY o.currency, l.sku
                    ORDER BY o.currency, l.sku
                """, arguments: base
            ) { r in
                let id = row(r.text(0), r.text(1))
                rows[id]?.orders = r.int(2); rows[id]?.units = r.int(3); rows[id]?.gross = r.int(4);
                rows[id]?.discounts = r.int(5)
                rows[id]?.gmv = r.int(4) - r.int(5)
            }
            return order.compactMap { rows[$0] }
        }
        try db.rows(
            """
            SELECT o.currency, \(orderKey) AS k, COUNT(*), SUM(o.subtotal),
                SUM(o.line_discount_total + o.discount_total), SUM(o.shipping_fee),
                   SUM(o.grand_total - o.written_off),
                   SUM((SELECT SUM(l.qty) FROM order_lines l WHERE l.order_rowid = o.id))
            FROM orders o WHERE \(filter.sql) GROUP BY o.currency, k ORDER BY o.currency, k
            """, arguments: base
        ) { r in
            let id = row(r.text(0), Store.salesKey(r, 1, by: by))
            rows[id]?.orders = r.int(2); rows[id]?.gross = r.int(3); rows[id]?.discounts = r.int(4);
            rows[id]?.shipping = r.int(5)
            rows[id]?.gmv = r.int(6); rows[id]?.units = r.int(7)
        }
        let refundKey =
            by == .day ? "CAST((p.at + \(time.sqlOffset("p.at", from: from, to: to))) / 86400000 AS INTEGER)" : orderKey
        var refunds = Conditions("p.kind = 'refund'", "p.at >= ?", "p.at < ?")
        refunds.add("o.channel = ?", channel)
        try db.rows(
            """
            SELECT o.currency, \(refundKey) AS k, SUM(p.amount) FROM payments p JOIN orders o ON o.id = p.order_rowid
            WHERE \(refunds.sql) GROUP BY o.currency, k
            """, arguments: [.int(from), .int(to)] + (channel.map { [SQLValue.text($0)] } ?? [])
        ) { r in
            let id = row(r.text(0), Store.salesKey(r, 1, by: by))
            rows[id]?.refunds = r.int(2)
        }
        return order.compactMap { rows[$0] }.sorted { ($0.currency, $0.key) < ($1.currency, $1.key) }
    }

    private static func salesKey(_ r: Row, _ column: Int32, by: SalesGrouping) -> String {
        by == .day ? String(Timestamp.format(r.int(column) * 86_400_000).prefix(10)) : r.text(column)
    }
}

extension Store {
    struct PaymentRecord {
        var ref: String?
        var orderID: String
        var kind: String
        var amount: Int64
        var currency: String
        var at: Int64
    }

    private static let paymentRecordSQL = """
        SELECT p.payment_ref, o.order_id, p.kind, p.amount, o.currency, p.at FROM payments p
            JOIN orders o ON o.id = p.order_rowid
        """

    private static func readPayment(_ r: Row) -> PaymentRecord {
        PaymentRecord(
            ref: r.optText(0), orderID: r.text(1), kind: r.text(2), amount: r.int(3), currency: r.text(4), at: r.int(5))
    }

    func payment(ref: String) throws -> PaymentRecord? {
        try db.first(Store.paymentRecordSQL + " WHERE p.payment_ref = ?", .text(ref), map: Store.readPayment)
    }

    /// Payments and refunds recorded in `from...to`, oldest first, one at a time (any number of them).
    func eachPayment(from: Int64, to: Int64, _ body: (PaymentRecord) throws -> Void) throws {
        try db.rows(Store.paymentRecordSQL + " WHERE p.at BETWEEN ? AND ? ORDER BY p.at, p.id", .int(from), .int(to)) {
            try body(Store.readPayment($0))
        }
    }
}
