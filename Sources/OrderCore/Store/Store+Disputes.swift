/// SQL of payment disputes (`order.dispute`).
extension Store {
    /// Records a dispute of `order`, or its new status, amount, reason and cover, with its buyer's keys.
    func save(_ d: Dispute, of order: Order) throws {
        let buyer = Store.buyerKeys(order.customer) ?? [.null, .null, .null]
        try db.write(
            """
            INSERT INTO disputes(
                order_rowid, dispute_ref, kind, status, amount, reason, opened_at, updated_at, covered_due,
                customer_id, customer_phone_key, customer_email_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(dispute_ref) DO UPDATE SET status = excluded.status, amount = excluded.amount,
                reason = excluded.reason, updated_at = excluded.updated_at, covered_due = excluded.covered_due
            """,
            arguments: [
                .int(order.rowID), .text(d.ref), .text(d.kind.rawValue), .text(d.status.rawValue), .int(d.amount),
                .opt(d.reason), .int(d.openedAt), .int(d.updatedAt), .int(d.coveredDue),
            ] + buyer)
    }

    /// How many chargebacks take money back (open or lost) from orders of a buyer known by any of the
    /// identifiers `buyerKeys` gives (?1-?3), one index each.
    static let buyerChargebacks = """
        SELECT COUNT(*) FROM disputes WHERE kind = 'chargeback' AND status IN ('open', 'lost') AND id IN (
            SELECT id FROM disputes WHERE customer_id = ?1 UNION SELECT id FROM disputes WHERE customer_phone_key = ?2
            UNION SELECT id FROM disputes WHERE customer_email_key = ?3)
        """

    /// The order's disputes, oldest first.
    func disputes(orderRowID: Int64) throws -> [Dispute] {
        var result: [Dispute] = []
        try db.rows(
            """
            SELECT dispute_ref, kind, status, amount, reason, opened_at, updated_at, covered_due FROM disputes
            WHERE order_rowid = ? ORDER BY id
            """, .int(orderRowID)
        ) { result.append(try Self.dispute($0)) }
        return result
    }

    /// A dispute by its reference, with the row id of its order.
    func dispute(ref: String) throws -> (orderRowID: Int64, dispute: Dispute)? {
        try db.first(
            """
            SELECT dispute_ref, kind, status, amount, reason, opened_at, updated_at, covered_due, order_rowid
            FROM disputes
            WHERE dispute_ref = ?
            """, .text(ref)
        ) { ($0.int(8), try Self.dispute($0)) }
    }

    private static func dispute(_ r: Row) throws -> Dispute {
        guard let kind = Dispute.Kind(rawValue: r.text(1)), let status = Dispute.Status(rawValue: r.text(2)) else {
            throw OrderCoreError(.corrupt, "dispute \(r.text(0)) has an unknown kind or status")
        }
        return Dispute(
            ref: r.text(0), kind: kind, status: status, amount: r.int(3), reason: r.optText(4), openedAt: r.int(5),
            updatedAt: r.int(6), coveredDue: r.int(7))
    }
}
