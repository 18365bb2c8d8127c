extension Store {
    private static let returnColumns = """
        id, return_id, order_rowid, state, reason, seller_fault, customer, owner, note, flags, replacement_order_id,
        price_difference, created_at, updated_at, state_since
        """

    private static func readReturn(_ r: Row) throws -> ReturnRecord {
        ReturnRecord(
            rowID: r.int(0), returnID: r.text(1), orderRowID: r.int(2),
            state: ReturnRecord.State(rawValue: r.text(3)) ?? .requested,
            reason: r.text(4), sellerFault: r.bool(5), customer: r.optText(6), owner: r.optText(7), note: r.optText(8),
            flags: (try JSONParser.parse(r.text(9)).arrayValue ?? []).compactMap(\.stringValue),
            replacementOrderID: r.optText(10), priceDifference: r.optInt(11), createdAt: r.int(12),
            updatedAt: r.int(13),
            stateSince: r.int(14))
    }

    /// - Parameter buyer: the order's customer, whose identifiers the return keeps (`returnerSignals`).
    func insert(_ r: ReturnRecord, buyer: [String: String]) throws {
        try db.run(
            """
            INSERT INTO returns(id, return_id, order_rowid, state, reason, seller_fault, customer, owner, note, flags,
                created_at, updated_at, state_since, customer_id, customer_phone, customer_phone_key, customer_email)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, .int(r.rowID), .text(r.returnID), .int(r.orderRowID), .text(r.state.rawValue), .text(r.reason),
            .bool(r.sellerFault),
            .opt(r.customer), .opt(r.owner), .opt(r.note), .text(JSON.array(r.flags.map(JSON.string)).serialized),
            .int(r.createdAt), .int(r.updatedAt), .int(r.stateSince), .opt(buyer["id"]), .opt(buyer["phone"]),
            .opt(buyer["phone"].flatMap(Phone.key)), .opt(buyer["email"].flatMap(Email.key)))
    }

    /// Writes a return, only while it is still in `from`, the state the command read.
    /// - Throws: `Stale` when it is not (another writer moved it first).
    func update(_ r: ReturnRecord, from: ReturnRecord.State) throws {
        let changed = try db.run(
            """
            UPDATE returns SET state = ?, owner = ?, flags = ?, replacement_order_id = ?, price_difference = ?,
                updated_at = ?, state_since = ?
            WHERE id = ? AND state = ?
            """, .text(r.state.rawValue), .opt(r.owner), .text(JSON.array(r.flags.map(JSON.string)).serialized),
            .opt(r.replacementOrderID), .opt(r.priceDifference), .int(r.updatedAt), .int(r.stateSince), .int(r.rowID),
            .text(from.rawValue))
        guard changed == 1 else { throw Stale(what: "return \(r.returnID)") }
    }

    /// The return. When the transaction writes beside others on PostgreSQL (`Database.locksRowsRead`), the
    /// return and then its order are locked until the transaction ends, the order every return command
    /// takes them in (an exchange's replacement comes after both): two hosts acting on one return, or on
    /// two returns of one order, follow each other, and what they read of the order's refunds and claimed
    /// units stays as read.
    func returnRecord(id: String) throws -> ReturnRecord? {
        let r = try db.first(
            "SELECT \(Store.returnColumns) FROM returns WHERE return_id = ?" + db.forUpdate, .text(id),
            map: Store.readReturn)
        if let r, db.locksRowsRead { _ = try order(rowID: r.orderRowID) }
        return r
    }

    func returns(orderRowID: Int64) throws -> [ReturnRecord] {
        var result: [ReturnRecord] = []
        try db.rows("SELECT \(Store.returnColumns) FROM returns WHERE order_rowid = ? ORDER BY id", .int(orderRowID)) {
            result.append(try Store.readReturn($0))
        }
        return result
    }

    /// Returns filtered by state and by when they last moved, oldest first.
    func listReturns(
        states: [ReturnRecord.State]?, movedBefore: Int64?, orderRowID: Int64?, afterRowID: Int64?, limit: Int
    ) throws -> [ReturnRecord] {
        var filter = Conditions()
        if let states {
            filter.add(
                "state IN (\(Database.placeholders(states.count)))", arguments: states.map { .text($0.rawValue) })
        }
        filter.add("state_since <= ?", movedBefore)
        filter.add("order_rowid = ?", orderRowID)
        filter.add("id > ?", afterRowID)
        var result: [ReturnRecord] = []
        try db.rows(
            "SELECT \(Store.returnColumns) FROM returns WHERE \(filter.sql) ORDER BY id LIMIT ?",
            arguments: filter.arguments + [.int(Int64(limit))]
        ) { result.append(try Store.readReturn($0)) }
        return result
    }

    func insert(_ l: ReturnRecord.Line, returnRowID: Int64) throws {
        try db.run(
            "INSERT INTO return_lines(return_rowid, line_no, sku, requested) VALUES (?, ?, ?, ?)",
            .int(returnRowID), .int(l.lineNo), .text(l.sku), .int(l.requested))
    }

    func returnLines(returnRowID: Int64) throws -> [ReturnRecord.Line] {
        var result: [ReturnRecord.Line] = []
        try db.rows(
            """
            SELECT line_no, sku, requested, resellable, damaged, wrong_item, empty, refunded FROM return_lines
                WHERE return_rowid = ? ORDER BY line_no
            """, .int(returnRowID)
        ) {
            result.append(
                ReturnRecord.Line(
                    lineNo: $0.int(0), sku: $0.text(1), requested: $0.int(2), resellable: $0.int(3), damaged: $0.int(4),
                    wrongItem: $0.int(5), empty: $0.int(6), refunded: $0.int(7)))
        }
        return result
    }

    func update(_ l: ReturnRecord.Line, returnRowID: Int64) throws {
        try db.run(
            """
            UPDATE return_lines SET resellable = ?, damaged = ?, wrong_item = ?, empty = ?, refunded = ?
                WHERE return_rowid = ? AND line_no = ?
            """, .int(l.resellable), .int(l.damaged), .int(l.wrongItem), .int(l.empty), .int(l.refunded),
            .int(returnRowID), .int(l.lineNo))
    }

    /// Units of each order line claimed by live returns (requested, or received when more arrived).
    /// The shipping every refund of the order's returns has paid back.
    /// The shipping an order's returns refunded, and the points that paid for it they gave back.
    func refundedShipping(orderRowID: Int64) throws -> (cash: Int64, points: Int64) {
        try db.first(
            """
            SELECT COALESCE(SUM(f.shipping), 0), COALESCE(SUM(f.shipping_points), 0)
                FROM return_refunds f JOIN returns r ON r.id = f.return_rowid WHERE r.order_rowid = ?
            """, .int(orderRowID)
        ) { ($0.int(0), $0.int(1)) } ?? (0, 0)
    }

    func claimedUnits(orderRowID: Int64) throws -> [Int64: Int64] {
        var result: [Int64: Int64] = [:]
        try db.rows(
            """
            SELECT l.line_no,
                SUM(\(db.dialect.greatest("l.requested", "l.resellable + l.damaged + l.wrong_item + l.empty")))
            FROM return_lines l JOIN returns r ON r.id = l.return_rowid
            WHERE r.order_rowid = ? AND r.state <> 'rejected' GROUP BY l.line_no
            """, .int(orderRowID)
        ) { result[$0.int(0)] = $0.int(1) }
        return result
    }

    func insertRefund(
        returnRowID: Int64, ref: String, refund: RefundAllocation.Refund, writtenOff: Int64, units: JSON,
        beforeReceipt: String?, at: Int64, actor: String
    ) throws {
        try db.run(
            """
            INSERT INTO return_refunds(return_rowid, refund_ref, cash, points, shipping, shipping_points, coupon,
                written_off, units, before_receipt, at, actor)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, .int(returnRowID), .text(ref), .int(refund.cash), .int(refund.points), .int(refund.shipping),
            .int(refund.shippingPoints), .int(refund.coupon), .int(writtenOff),
            .text(units.serialized), .opt(beforeReceipt), .int(at), .text(actor))
    }

    func returnRefunds(returnRowID: Int64) throws -> [JSONObject] {
        var result: [JSONObject] = []
        try db.rows(
            """
            SELECT refund_ref, cash, points, shipping, coupon, units, before_receipt, at, actor, written_off
                FROM return_refunds WHERE return_rowid = ? ORDER BY id
            """, .int(returnRowID)
        ) {
            result.append([
                "refund_ref": .string($0.text(0)), "cash": .int($0.int(1)), "points": .int($0.int(2)),
                "shipping": .int($0.int(3)),
                "coupon": .int($0.int(4)), "units": (try? JSONParser.parse($0.text(5))) ?? .null,
                "before_receipt": .optional($0.optText(6)),
                "at": .string(Timestamp.format($0.int(7))), "actor": .optional($0.optText(8)),
                "written_off": .int($0.int(9)),
            ])
        }
        return result
    }

    func returnRefund(ref: String) throws -> (returnRowID: Int64, units: String)? {
        try db.first("SELECT return_rowid, units FROM return_refunds WHERE refund_ref = ?", .text(ref)) {
            ($0.int(0), $0.text(1))
        }
    }

    func appendReturnEvent(
        returnRowID: Int64, at: Int64, actor: String, from: ReturnRecord.State?, to: ReturnRecord.State,
        command: String,
        details: JSON
    ) throws {
        try db.run(
            """
            INSERT INTO return_events(return_rowid, at, actor, from_state, to_state, command, details) VALUES (?, ?, ?,
                ?, ?, ?, ?)
            """, .int(returnRowID), .int(at), .text(actor), .opt(from?.rawValue), .text(to.rawValue), .text(command),
            .text(details.serialized))
    }

    func returnEvents(returnRowID: Int64) throws -> [JSON] {
        var result: [JSON] = []
        try db.rows(
            "SELECT at, actor, from_state, to_state, command, details FROM return_events WHERE return_rowid = ? ORDER "
                + "BY id",
            .int(returnRowID)
        ) {
            result.append([
                "at": .string(Timestamp.format($0.int(0))), "actor": .optional($0.optText(1)),
                "from": .optional($0.optText(2)),
                "to": .string($0.text(3)), "command": .string($0.text(4)),
                "details": (try? JSONParser.parse($0.text(5))) ?? .null,
            ])
        }
        return result
    }

    /// What a buyer's earlier returns say, found by any of the identifiers the buyer carries (`buyerKeys`: id,
    /// phone, email): whether one came back empty or with the wrong item, and how many were parcels refused
    /// at the door. A buyer does not shed them by checking out as a guest, or under a new account, with the
    /// same phone or email.
    func returnerSignals(keys: [SQLValue]) throws -> (flagged: Bool, refusals: Int64) {
        try db.first(
            """
            SELECT COALESCE(MAX(CASE WHEN r.flags LIKE '%empty_box%' OR EXISTS (SELECT 1 FROM return_lines l
                       WHERE l.return_rowid = r.id AND (l.wrong_item > 0 OR l.empty > 0)) THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(\(SQLDialect.count("r.reason = 'refused_delivery'"))), 0)
            FROM returns r WHERE r.id IN (\(Store.buyerReturnIDs))
            """, arguments: keys
        ) { ($0.int(0) == 1, $0.int(1)) } ?? (false, 0)
    }

    /// The id, phone and email (their keys: `Phone.key`, `Email.key`) of `customer` as the arguments ?1-?3 of
    /// `buyerReturnIDs` and `anyBuyerReturn` (one it lacks matches nothing); nil when it carries none.
    static func buyerKeys(_ customer: CustomerKeys) -> [SQLValue]? {
        let keys = [customer.id, customer.phone, customer.email]
        return keys.allSatisfy { $0 == nil } ? nil : keys.map { SQLValue.opt($0) }
    }

    /// The returns of a buyer known by any of the identifiers `buyerKeys` gives, one index each: their ids,
    /// and whether there is any (the first row answers).
    static let buyerReturnIDs = buyerReturns(select: "id", union: "UNION")
    static let anyBuyerReturn = buyerReturns(select: "1", union: "UNION ALL") + " LIMIT 1"

    private static func buyerReturns(select: String, union: String) -> String {
        ["customer_id", "customer_phone_key", "customer_email"].enumerated().map {
            "SELECT \(select) FROM returns WHERE \($1) = ?\($0 + 1)"
        }.joined(separator: " \(union) ")
    }

    /// `customer` (an id, a phone or an email, however written) as the arguments ?1-?3 of `buyerReturnIDs`.
    static func buyerKeys(naming customer: String) -> [SQLValue] {
        [.text(customer), .opt(Phone.key(customer)), .opt(Email.key(customer))]
    }

    /// A customer's returns record (`customer.returns`, the risk rule `returns_abuse`): the orders, and the
    /// returns of any order, whose buyer's id, phone or email (however written) is `customer`.
    func returnerStats(customer: String) throws -> JSONObject {
        func theirs(_ r: String) -> String {
            "(\(r).customer_id = ?1 OR \(r).customer_phone_key = ?2 OR \(r).customer_email = ?3)"
        }
        let keys = Store.buyerKeys(naming: customer)
        let orders =
            try db.first(
                """
                SELECT COUNT(*) FROM orders WHERE customer_id = ?1 OR customer_phone_key = ?2
                    OR customer_email_key = ?3
                """, arguments: keys
            ) { $0.int(0) } ?? 0
        var stats: JSONObject = ["customer": .string(customer), "orders": .int(orders)]
        try db.rows(
            """
            SELECT COUNT(DISTINCT r.id), COALESCE(SUM(l.wrong_item), 0), COALESCE(SUM(l.empty), 0),
                   (SELECT COUNT(*) FROM returns x WHERE \(theirs("x")) AND x.flags LIKE '%empty_box%'),
                   (SELECT COUNT(*) FROM returns x WHERE \(theirs("x")) AND x.reason = 'refused_delivery')
            FROM returns r LEFT JOIN return_lines l ON l.return_rowid = r.id WHERE \(theirs("r"))
            """, arguments: keys
        ) {
            stats["returns"] = .int($0.int(0))
            stats["wrong_item_units"] = .int($0.int(1))
            stats["empty_units"] = .int($0.int(2))
            stats["empty_box_returns"] = .int($0.int(3))
            stats["refused_deliveries"] = .int($0.int(4))
        }
        return stats
    }

    /// The cash the returns of `customer` (as `returnerStats` finds them) gave back, per currency: money of
    /// different currencies does not add up.
    func refundedCash(customer: String) throws -> JSONObject {
        var refunded = JSONObject()
        try db.rows(
            """
            SELECT o.currency, SUM(\(db.dialect.greatest("0", "f.cash - f.written_off")))
            FROM return_refunds f JOIN returns x ON x.id = f.return_rowid JOIN orders o ON o.id = x.order_rowid
            WHERE x.id IN (\(Store.buyerReturnIDs)) GROUP BY o.currency ORDER BY o.currency
            """, arguments: Store.buyerKeys(naming: customer)
        ) { refunded[$0.text(0)] = .string(Money.format($0.int(1), exponent: Money.exponent(of: $0.text(0)))) }
        return refunded
    }
}
