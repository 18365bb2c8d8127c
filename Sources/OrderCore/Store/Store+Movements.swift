/// SQL of cycle counts and transfers between warehouses.
extension Store {
    // MARK: - Counts

    func insertCount(
        warehouse: String, at: Int64, actor: String, reference: String?
    ) throws -> (rowID: Int64, countID: String) {
        let (rowID, countID) = try nextID("counts", prefix: "CNT-")
        try db.run(
            "INSERT INTO counts(id, count_id, warehouse, at, actor, reference) VALUES (?, ?, ?, ?, ?, ?)",
            .int(rowID), .text(countID), .text(warehouse), .int(at), .text(actor), .opt(reference))
        return (rowID, countID)
    }

    func insertCountLine(countRowID: Int64, sku: String, expected: Int64, counted: Int64) throws {
        try db.run(
            "INSERT INTO count_lines(count_rowid, sku, expected, counted) VALUES (?, ?, ?, ?)",
            .int(countRowID), .text(sku), .int(expected), .int(counted))
    }

    // MARK: - Transfers

    func insertTransfer(from: String, to: String, reference: String?, at: Int64) throws -> Transfer {
        let (rowID, transferID) = try nextID("transfers", prefix: "TR-")
        try db.run(
            """
            INSERT INTO transfers(id, transfer_id, from_warehouse, to_warehouse, state, reference, created_at,
                updated_at)
            VALUES (?, ?, ?, ?, 'in_transit', ?, ?, ?)
            """, .int(rowID), .text(transferID), .text(from), .text(to), .opt(reference), .int(at), .int(at))
        return Transfer(
            rowID: rowID, transferID: transferID, from: from, to: to, state: .inTransit, reference: reference,
            createdAt: at, updatedAt: at)
    }

    func insertTransferLine(transferRowID: Int64, sku: String, qty: Int64) throws {
        try db.run(
            "INSERT INTO transfer_lines(transfer_rowid, sku, qty) VALUES (?, ?, ?)", .int(transferRowID), .text(sku),
            .int(qty))
    }

    /// The transfer, locked until the transaction ends when the transaction writes beside others on
    /// PostgreSQL (`Database.locksRowsRead`): two hosts receiving it follow each other.
    func transfer(id: String) throws -> Transfer? {
        try db.first(
            """
            SELECT id, transfer_id, from_warehouse, to_warehouse, state, reference, created_at, updated_at,
                closed_by, close_reason
                FROM transfers WHERE transfer_id = ?
            """ + db.forUpdate, .text(id)
        ) {
            Transfer(
                rowID: $0.int(0), transferID: $0.text(1), from: $0.text(2), to: $0.text(3),
                state: Transfer.State(rawValue: $0.text(4)) ?? .inTransit, reference: $0.optText(5),
                createdAt: $0.int(6), updatedAt: $0.int(7), closedBy: $0.optText(8), closeReason: $0.optText(9))
        }
    }

    func transferLines(transferRowID: Int64) throws -> [Transfer.Line] {
        var result: [Transfer.Line] = []
        try db.rows(
            "SELECT sku, qty, received, lost FROM transfer_lines WHERE transfer_rowid = ? ORDER BY sku",
            .int(transferRowID)
        ) {
            result.append(Transfer.Line(sku: $0.text(0), qty: $0.int(1), received: $0.int(2), lost: $0.int(3)))
        }
        return result
    }

    /// Closes a transfer short: what has not arrived is lost on the way.
    func closeTransfer(rowID: Int64, by actor: String, reason: String, at: Int64) throws {
        try db.run(
            "UPDATE transfer_lines SET lost = qty - received WHERE transfer_rowid = ? AND received + lost < qty",
            .int(rowID))
        try db.run(
            "UPDATE transfers SET state = 'closed', closed_by = ?, close_reason = ?, updated_at = ? WHERE id = ?",
            .text(actor), .text(reason), .int(at), .int(rowID))
    }

    func addReceived(transferRowID: Int64, sku: String, qty: Int64) throws {
        try db.run(
            "UPDATE transfer_lines SET received = received + ? WHERE transfer_rowid = ? AND sku = ?",
            .int(qty), .int(transferRowID), .text(sku))
    }

    func setTransferState(rowID: Int64, state: Transfer.State, at: Int64) throws {
        try db.run(
            "UPDATE transfers SET state = ?, updated_at = ? WHERE id = ?", .text(state.rawValue), .int(at), .int(rowID))
    }

    /// Transfers sent before `before` with units still in transit, oldest first, with those units.
    func overdueTransfers(before: Int64) throws -> [(transfer: Transfer, inTransit: Int64)] {
        var result: [(Transfer, Int64)] = []
        try db.rows(
            """
            SELECT t.id, t.transfer_id, t.from_warehouse, t.to_warehouse, t.state, t.reference, t.created_at,
                   t.updated_at,
                   (SELECT SUM(l.qty - l.received - l.lost) FROM transfer_lines l WHERE l.transfer_rowid = t.id)
            FROM transfers t WHERE t.state IN ('in_transit', 'partially_received') AND t.created_at < ?
            ORDER BY t.created_at
            """, .int(before)
        ) {
            result.append(
                (
                    Transfer(
                        rowID: $0.int(0), transferID: $0.text(1), from: $0.text(2), to: $0.text(3),
                        state: Transfer.State(rawValue: $0.text(4)) ?? .inTransit, reference: $0.optText(5),
                        createdAt: $0.int(6), updatedAt: $0.int(7)), $0.int(8)
                ))
        }
        return result
    }

    /// Units of a SKU on their way to each warehouse (transfers not yet fully received).
    func inTransit(sku: String) throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        try db.rows(
            """
            SELECT t.to_warehouse, SUM(l.qty - l.received - l.lost) FROM transfer_lines l
                JOIN transfers t ON t.id = l.transfer_rowid
            WHERE l.sku = ? AND l.received + l.lost < l.qty GROUP BY t.to_warehouse
            """, .text(sku)
        ) { result[$0.text(0)] = $0.int(1) }
        return result
    }

    /// Transfers whose lines disagree with their ledger rows (units sent out vs lines, received vs ledger in).
    func transferDifferences() throws -> [JSON] {
        var result: [JSON] = []
        try db.rows(
            """
            WITH g AS (
                SELECT ref_id, sku, SUM(CASE reason WHEN 'transfer_out' THEN -delta ELSE 0 END) AS sent,
                       SUM(CASE reason WHEN 'transfer_in' THEN delta ELSE 0 END) AS arrived
                FROM ledger WHERE ref_type = 'transfer' GROUP BY ref_id, sku)
            SELECT t.transfer_id, l.sku, l.qty, l.received, COALESCE(g.sent, 0), COALESCE(g.arrived, 0)
            FROM transfers t JOIN transfer_lines l ON l.transfer_rowid = t.id
            LEFT JOIN g ON g.ref_id = t.transfer_id AND g.sku = l.sku
            WHERE l.qty != COALESCE(g.sent, 0) OR l.received != COALESCE(g.arrived, 0)
            ORDER BY t.id, l.sku
            """
        ) {
            result.append([
                "transfer_id": .string($0.text(0)), "sku": .string($0.text(1)), "qty": .int($0.int(2)),
                "received": .int($0.int(3)), "ledger_out": .int($0.int(4)), "ledger_in": .int($0.int(5)),
            ])
        }
        return result
    }
}
