extension Store {
    /// Balances of a SKU in every warehouse that holds a row for it, in reservation preference order.
    func balances(sku: String, warehouse: String? = nil, activeOnly: Bool = false) throws -> [StockBalance] {
        var result: [StockBalance] = []
        try db.rows("""
            SELECT s.warehouse, w.priority, s.on_hand, s.reserved, s.quarantine, s.safety
            FROM stock s JOIN warehouses w ON w.warehouse = s.warehouse
            WHERE s.sku = ?1 AND (?2 IS NULL OR s.warehouse = ?2) AND (?3 = 0 OR w.active = 1)
            ORDER BY w.priority, s.warehouse
            """, .text(sku), .opt(warehouse), .bool(activeOnly)) {
            result.append(StockBalance(sku: sku, warehouse: $0.text(0), priority: $0.int(1), onHand: $0.int(2),
                                       reserved: $0.int(3), quarantine: $0.int(4), safety: $0.int(5)))
        }
        return result
    }

    /// Adds to (or, negative, takes from) `on_hand`, creating the balance row on first receipt.
    func addOnHand(sku: String, warehouse: String, qty: Int64) throws {
        try db.run("""
            INSERT INTO stock(sku, warehouse, on_hand) VALUES (?1, ?2, ?3)
            ON CONFLICT(sku, warehouse) DO UPDATE SET on_hand = on_hand + ?3
            """, .text(sku), .text(warehouse), .int(qty))
    }

    /// The atomic check-and-reserve: one conditional UPDATE that only matches while `qty` units are
    /// still available. - Returns: false (and changes nothing) when they are not.
    func reserve(sku: String, warehouse: String, qty: Int64) throws -> Bool {
        try db.run("""
            UPDATE stock SET reserved = reserved + ?3
            WHERE sku = ?1 AND warehouse = ?2 AND on_hand - reserved - safety >= ?3
            """, .text(sku), .text(warehouse), .int(qty)) == 1
    }

    /// Gives back reserved units. Taking back more than is reserved is an internal invariant breach.
    func unreserve(sku: String, warehouse: String, qty: Int64) throws {
        let changed = try db.run("UPDATE stock SET reserved = reserved - ?3 WHERE sku = ?1 AND warehouse = ?2 AND reserved >= ?3",
                                 .text(sku), .text(warehouse), .int(qty))
        guard changed == 1 else {
            throw OrderCoreError(.internal, "reservation of \(qty) \(sku) in \(warehouse) is not on the balance")
        }
    }

    func append(_ e: LedgerEntry, at: Int64, actor: String) throws {
        try db.run("""
            INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason, ref_type, ref_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, .int(at), .text(e.sku), .text(e.warehouse), .text(e.bucket.rawValue), .int(e.delta), .text(e.reason.rawValue),
            .opt(e.refType), .opt(e.refID), .text(actor))
    }

    /// Unpaid orders holding a reservation of `sku` that expired at or before `at`.
    func ordersWithExpiredReservations(sku: String, at: Int64) throws -> [Int64] {
        var result: [Int64] = []
        try db.rows("""
            SELECT DISTINCT order_rowid FROM reservations
            WHERE sku = ? AND state = 'active' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY order_rowid
            """, .text(sku), .int(at)) { result.append($0.int(0)) }
        return result
    }

    /// Active reservations of an order.
    func activeReservations(orderRowID: Int64) throws -> [(id: Int64, lineNo: Int64, sku: String, warehouse: String, qty: Int64)] {
        var result: [(Int64, Int64, String, String, Int64)] = []
        try db.rows("SELECT id, line_no, sku, warehouse, qty FROM reservations WHERE order_rowid = ? AND state = 'active' ORDER BY id",
                    .int(orderRowID)) { result.append(($0.int(0), $0.int(1), $0.text(2), $0.text(3), $0.int(4))) }
        return result
    }

    func insertReservation(orderRowID: Int64, lineNo: Int64, sku: String, warehouse: String, qty: Int64, expiresAt: Int64?) throws {
        try db.run("INSERT INTO reservations(order_rowid, line_no, sku, warehouse, qty, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                   .int(orderRowID), .int(lineNo), .text(sku), .text(warehouse), .int(qty), .opt(expiresAt))
    }

    func closeReservation(id: Int64, state: String) throws {
        try db.run("UPDATE reservations SET state = ? WHERE id = ?", .text(state), .int(id))
    }

    /// Payment turns an expiring hold into a firm one.
    func clearReservationExpiry(orderRowID: Int64) throws {
        try db.run("UPDATE reservations SET expires_at = NULL WHERE order_rowid = ? AND state = 'active'", .int(orderRowID))
    }
}
