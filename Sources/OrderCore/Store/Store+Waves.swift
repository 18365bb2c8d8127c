/// SQL of bin locations and pick waves.
extension Store {
    func setLocation(sku: String, warehouse: String, location: String?) throws {
        if try db.run(
            "UPDATE stock SET location = ? WHERE sku = ? AND warehouse = ?", .opt(location), .text(sku),
            .text(warehouse)) == 0
        {
            try db.run(
                "INSERT INTO stock(sku, warehouse, location) VALUES (?, ?, ?)", .text(sku), .text(warehouse),
                .opt(location))
        }
    }

    /// Allocated orders holding stock in `warehouse` and in no wave yet — and partly shipped ones with allocated
    /// units still to pick (the rest of an order its channel shipped in part) —: highest priority, then oldest.
    /// When the transaction writes beside others on PostgreSQL (`Database.locksRowsRead`) they are locked,
    /// passing over orders another transaction holds: two hosts starting waves at once take different
    /// orders. An order joins one wave only (`wave_orders.order_rowid` is unique), so one that a wave
    /// committed while this read ran makes the command run again.
    func waveCandidates(warehouse: String, carrier: String?, cutoff: Int64?, limit: Int) throws -> [Int64] {
        var filter = Conditions(
            """
            (o.state = 'allocated' OR o.state = 'partially_shipped' AND EXISTS (SELECT 1 FROM order_lines l
            WHERE l.order_rowid = o.id AND l.qty_allocated > l.qty_picked))
            """, "NOT EXISTS (SELECT 1 FROM wave_orders w WHERE w.order_rowid = o.id)")
        filter.add(
            "EXISTS (SELECT 1 FROM reservations r WHERE r.order_rowid = o.id AND r.state = 'active' AND r.warehouse = "
                + "?)",
            warehouse)
        filter.add("o.carrier = ?", carrier)
        filter.add("o.placed_at <= ?", cutoff)
        var result: [Int64] = []
        try db.rows(
            "SELECT o.id FROM orders o WHERE \(filter.sql) ORDER BY o.priority DESC, o.placed_at, o.id LIMIT ?"
                + (db.locksRowsRead ? " FOR UPDATE OF o SKIP LOCKED" : ""),
            arguments: filter.arguments + [.int(Int64(limit))]
        ) { result.append($0.int(0)) }
        return result
    }

    func insertWave(
        warehouse: String, carrier: String?, cutoff: Int64?, orders: [Int64], at: Int64, actor: String
    ) throws -> String {
        let (rowID, waveID) = try nextID("waves", prefix: "WV-")
        try db.run(
            "INSERT INTO waves(id, wave_id, warehouse, carrier, cutoff, created_at, actor) VALUES (?, ?, ?, ?, ?, ?, "
                + "?)",
            .int(rowID), .text(waveID), .text(warehouse), .opt(carrier), .opt(cutoff), .int(at), .text(actor))
        for order in orders {
            try db.run("INSERT INTO wave_orders(wave_rowid, order_rowid) VALUES (?, ?)", .int(rowID), .int(order))
        }
        return waveID
    }

    func wave(id: String) throws -> (warehouse: String, carrier: String?, createdAt: Int64)? {
        try db.first("SELECT warehouse, carrier, created_at FROM waves WHERE wave_id = ?", .text(id)) {
            ($0.text(0), $0.optText(1), $0.int(2))
        }
    }

    /// The pick list of a wave: per SKU and location in its warehouse, the units its orders still hold
    /// there and have not picked, with each order's share; by location (unlocated last), then SKU. An order
    /// held since it joined (a person's check, its channel's word) is left off until it is released.
    func pickList(
        waveID: String
    ) throws -> [(sku: String, location: String?, qty: Int64, orders: [(orderID: String, lineNo: Int64, qty: Int64)])] {
        var result: [(String, String?, Int64, [(String, Int64, Int64)])] = []
        try db.rows(
            """
            SELECT r.sku, s.location, o.order_id, r.line_no,
                \(db.dialect.least("SUM(r.qty)", db.dialect.greatest("0", "l.qty_allocated - l.qty_picked")))
            FROM waves v JOIN wave_orders wo ON wo.wave_rowid = v.id JOIN orders o ON o.id = wo.order_rowid
            JOIN reservations r ON r.order_rowid = o.id AND r.state = 'active' AND r.warehouse = v.warehouse
            JOIN order_lines l ON l.order_rowid = o.id AND l.line_no = r.line_no
            LEFT JOIN stock s ON s.sku = r.sku AND s.warehouse = v.warehouse
            WHERE v.wave_id = ? AND o.state <> 'on_hold'
            GROUP BY r.sku, o.id, r.line_no, s.location, o.order_id, o.priority, o.placed_at, l.qty_allocated,
                l.qty_picked
            ORDER BY s.location IS NULL, s.location, r.sku, o.priority DESC, o.placed_at, o.id
            """, .text(waveID)
        ) { r in
            let qty = r.int(4)
            guard qty > 0 else { return }
            if let last = result.indices.last, result[last].0 == r.text(0) {
                result[last].2 += qty
                result[last].3.append((r.text(2), r.int(3), qty))
            } else {
                result.append((r.text(0), r.optText(1), qty, [(r.text(2), r.int(3), qty)]))
            }
        }
        return result
    }
}
