/// SQL of payment disputes (`order.dispute`).
extension Store {
    /// Records a dispute of `order`, or its new status, amount, reason and cover, with its buyer's keys.
    func save(_ d: Dispute, of order: Order) throws {
        chargebackBuyersCache = nil  // what this transaction writes, its next reads see
        cachedTableChanged()
        let buyer = Store.buyerKeys(CustomerKeys(order.customer)) ?? [.null, .null, .null]
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

    /// The buyers of chargebacks that take money back (open or lost), as a handle keeps them: the chargebacks of
    /// each of their keys (`buyerKeys`: id, phone, email), or `many` when there are too many to keep.
    enum ChargebackBuyers {
        case keys([[String: [Int64]]])
        case many
    }

    /// Chargebacks kept in memory at most; a shop with more looks a buyer's up in the database, order by order.
    static let chargebackBuyersLimit = 20_000

    /// What a handle keeps of the buyers of chargebacks, read once while the disputes stay unchanged.
    func chargebackBuyers() throws -> ChargebackBuyers {
        try checkCaches()
        if let chargebackBuyersCache { return chargebackBuyersCache }
        var keys: [[String: [Int64]]] = [[:], [:], [:]]
        var rows = 0
        try db.rows(
            """
            SELECT id, customer_id, customer_phone_key, customer_email_key FROM disputes
            WHERE kind = 'chargeback' AND status IN ('open', 'lost') LIMIT \(Store.chargebackBuyersLimit + 1)
            """
        ) { r in
            rows += 1
            for i in 0..<3 { if let key = r.optText(Int32(i + 1)) { keys[i][key, default: []].append(r.int(0)) } }
        }
        let buyers = rows > Store.chargebackBuyersLimit ? ChargebackBuyers.many : .keys(keys)
        chargebackBuyersCache = buyers
        return buyers
    }

    /// How many chargebacks take money back (open or lost) from orders of a buyer known by any of the
    /// identifiers `buyerKeys` gives (?1-?3), one index each.
    static let buyerChargebacks = """
        SELECT COUNT(*) FROM disputes WHERE kind = 'chargeback' AND status IN ('open', 'lost') AND id IN (
            SELECT id FROM disputes WHERE customer_id = ?1 UNION SELECT id FROM disputes WHERE customer_phone_key = ?2
            UNION SELECT id FROM disputes WHERE customer_email_key = ?3)
        """

    /// The orders of the buyer of `order` (by any of its keys, `buyerKeys`) whose goods have not left, but that
    /// one: at most 100, newest first.
    func otherOrdersToShip(of order: Order) throws -> [String] {
        guard let keys = Store.buyerKeys(CustomerKeys(order.customer)) else { return [] }
        let states = OrderState.holdable.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
        var ids: [String] = []
        try db.rows(
            """
            SELECT order_id FROM orders WHERE id IN (
                SELECT id FROM orders WHERE customer_id = ?1 UNION SELECT id FROM orders WHERE customer_phone_key = ?2
                UNION SELECT id FROM orders WHERE customer_email_key = ?3)
            AND state IN (\(states)) AND id <> ?4 ORDER BY id DESC LIMIT 100
            """, arguments: keys + [.int(order.rowID)]
        ) { ids.append($0.text(0)) }
        return ids
    }

    /// How many chargebacks take money back from orders of `customer` (an id, a phone or an email, however written).
    func chargebacks(customer: String) throws -> Int64 {
        try first(Read(Store.buyerChargebacks, arguments: Store.buyerKeys(naming: customer))) { $0.int(0) } ?? 0
    }

    /// How many chargebacks that take money back are of a buyer with `keys` (`buyerKeys`), from what the handle
    /// keeps; nil when it keeps too many (`buyerChargebacks` counts them).
    static func chargebacks(of keys: [SQLValue], in buyers: ChargebackBuyers) -> Int64? {
        guard case .keys(let known) = buyers else { return nil }
        if known.allSatisfy({ $0.isEmpty }) { return 0 }
        var ids = Set<Int64>()
        for (i, key) in keys.enumerated() { if case .text(let key) = key { ids.formUnion(known[i][key] ?? []) } }
        return Int64(ids.count)
    }

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
