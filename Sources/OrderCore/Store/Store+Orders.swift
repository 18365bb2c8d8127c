extension Store {
    private static let customerColumns = [
        "customer_id", "customer_phone", "customer_email", "customer_name", "device_id", "ip",
    ]
    private static let addressColumns = Order.addressFields.map { "ship_" + $0 }

    /// Whether the order `o` is fulfilled before it is paid (`Order.paysLater`).
    static let paysLater = "(o.cash_on_delivery = 1 OR o.payment_terms IS NOT NULL)"

    private static let orderColumns = """
        id, order_id, channel, external_id, state, currency, placed_at, created_at, updated_at, expires_at,
        subtotal, line_discount_total, discount_total, shipping_fee, shipping_tax, tax_total, taxes_included,
            grand_total,
        paid_total, refund_due, cancel_reason, account_created_at, tags, note,
        \((customerColumns + addressColumns).joined(separator: ", ")), reserve_at, deposit, balance_due_at, warehouse,
            paid_at, held_from, hold_reason, delivered_at, state_since, carrier, priority,
        fee_total, fees, cash_on_delivery, written_off, payment_terms, payment_due_at
        """

    // SQL texts that splice in column lists, built once so the statement cache sees the same text.
    private static let insertOrderSQL = """
        INSERT INTO orders(\(orderColumns), fingerprint, warnings, risk, risk_decision, customer_phone_key,
            customer_email_key, ip_key)
        VALUES (\(Array(repeating: "?", count: orderColumnCount + 7).joined(separator: ", ")))
        """
    private static let orderByIDSQL = "SELECT \(orderColumns) FROM orders WHERE order_id = ?"
    private static let orderByRowIDSQL = "SELECT \(orderColumns) FROM orders WHERE id = ?"
    private static let lockOrderByIDSQL = orderByIDSQL + " FOR UPDATE"
    private static let lockOrderByRowIDSQL = orderByRowIDSQL + " FOR UPDATE"
    private static let linesSQL = """
        SELECT line_no, sku, name, qty, unit_price, line_discount, tax, line_ref,
            \(LineQuantity.allCases.map { "qty_" + $0.rawValue }.joined(separator: ", "))
        FROM order_lines WHERE order_rowid = ? ORDER BY line_no
        """
    private static let orderColumnCount = orderColumns.split(separator: ",").count

    /// What a new order's row carries besides the order: decided before it is written, so creating an
    /// order is one INSERT.
    struct OrderExtras {
        var fingerprint: String?
        var warnings: JSON?
        /// The buyer's keys, when worked out already (else from the order's customer).
        var keys: CustomerKeys?
        /// The risk decision's JSON text (`RiskAssessment.text`).
        var risk: String?
        var riskDecision: String?
    }

    func insert(_ o: Order, extra: OrderExtras = OrderExtras()) throws {
        let values: [SQLValue] =
            [
                .int(o.rowID), .text(o.orderID), .text(o.channel), .opt(o.externalID), .text(o.state.rawValue),
                .text(o.currency),
                .int(o.placedAt), .int(o.createdAt), .int(o.updatedAt), .opt(o.expiresAt),
                .int(o.totals.subtotal), .int(o.totals.lineDiscountTotal), .int(o.totals.discountTotal),
                .int(o.totals.shippingFee),
                .int(o.totals.shippingTax), .int(o.totals.taxTotal), .bool(o.totals.taxesIncluded),
                .int(o.totals.grandTotal),
                .int(o.paidTotal), .int(o.refundDue), .opt(o.cancelReason), .opt(o.accountCreatedAt),
                .text(JSON.array(o.tags.map(JSON.string)).serialized), .opt(o.note),
            ] + Order.customerFields.map { .opt(o.customer[$0]) } + Order.addressFields.map { .opt(o.shipTo[$0]) }
            + [
                .text(o.reserveAt.rawValue), .opt(o.deposit), .opt(o.balanceDueAt), .opt(o.pinnedWarehouse),
                .opt(o.paidAt),
                .opt(o.heldFrom?.rawValue), .opt(o.holdReason), .opt(o.deliveredAt), .opt(o.stateSince),
                .opt(o.carrier), .int(o.priority),
                .int(o.totals.feeTotal), .opt(OrderFee.stored(o.fees)), .bool(o.cashOnDelivery), .int(o.writtenOff),
                .opt(o.paymentTerms?.name), .opt(o.paymentTerms?.dueAt),
            ]
        guard values.count == Store.orderColumnCount else {
            throw OrderCoreError(
                .internal, "order insert has \(values.count) values for \(Store.orderColumnCount) columns")
        }
        let keys = extra.keys ?? CustomerKeys(o.customer)
        try db.write(
            Store.insertOrderSQL,
            arguments: values + [
                .opt(extra.fingerprint), .opt(extra.warnings?.serialized), .opt(extra.risk),
                .opt(extra.riskDecision), .opt(keys.phone), .opt(keys.email), .opt(keys.ip),
            ])
        createdTimelines[o.rowID] = 0
    }

    /// Makes an unpaid order a pre-sale: its channel reports its deposit paid.
    func setDeposit(orderRowID: Int64, _ deposit: Int64) throws {
        try db.run("UPDATE orders SET deposit = ? WHERE id = ?", .int(deposit), .int(orderRowID))
    }

    /// When an order takes its stock: at the order, or at payment (then nothing of it is backordered yet).
    func setReserveAt(orderRowID: Int64, _ policy: ReservePolicy) throws {
        try db.run("UPDATE orders SET reserve_at = ? WHERE id = ?", .text(policy.rawValue), .int(orderRowID))
        if policy == .payment {
            try db.run("UPDATE order_lines SET qty_backordered = 0 WHERE order_rowid = ?", .int(orderRowID))
        }
    }

    /// Writes the fields that change over an order's life, only while the order is still in `from`,
    /// the state the command read. - Throws: `Stale` when it is not (another writer moved it first).
    func update(_ o: Order, from: OrderState) throws {
        try db.require(
            """
            UPDATE orders SET state = ?, expires_at = ?, paid_total = ?, refund_due = ?, cancel_reason = ?, paid_at = ?,
                held_from = ?, hold_reason = ?, delivered_at = ?, state_since = ?, updated_at = ?, written_off = ?
            WHERE id = ? AND state = ?
            """, .text(o.state.rawValue), .opt(o.expiresAt), .int(o.paidTotal), .int(o.refundDue), .opt(o.cancelReason),
            .opt(o.paidAt), .opt(o.heldFrom?.rawValue), .opt(o.holdReason), .opt(o.deliveredAt), .opt(o.stateSince),
            .int(o.updatedAt), .int(o.writtenOff), .int(o.rowID), .text(from.rawValue),
            else: Stale(what: "order \(o.orderID)"))
    }

    /// The order, locked until the transaction ends when the transaction writes beside others on
    /// PostgreSQL (`Database.locksRowsRead`): what a command reads of an order then stays as it read it,
    /// so two hosts acting on one order follow each other (docs/postgresql.md).
    func order(id: String) throws -> Order? {
        try db.first(db.locksRowsRead ? Store.lockOrderByIDSQL : Store.orderByIDSQL, .text(id), map: Store.readOrder)
    }

    func order(rowID: Int64) throws -> Order? {
        try db.first(
            db.locksRowsRead ? Store.lockOrderByRowIDSQL : Store.orderByRowIDSQL, .int(rowID), map: Store.readOrder)
    }

    func orderID(channel: String, externalID: String) throws -> String? {
        try first(Store.orderIDRead(channel: channel, externalID: externalID)) { $0.text(0) }
    }

    static func orderIDRead(channel: String, externalID: String) -> Read {
        Read("SELECT order_id FROM orders WHERE channel = ? AND external_id = ?", .text(channel), .text(externalID))
    }

    private static func readOrder(_ r: Row) throws -> Order {
        guard let state = OrderState(rawValue: r.text(4)) else {
            throw OrderCoreError(.corrupt, "order \(r.text(1)) has unknown state '\(r.text(4))'")
        }
        let totals = OrderTotals(
            subtotal: r.int(10), lineDiscountTotal: r.int(11), discountTotal: r.int(12), shippingFee: r.int(13),
            shippingTax: r.int(14), taxTotal: r.int(15), taxesIncluded: r.bool(16), grandTotal: r.int(17))
        var o = Order(
            rowID: r.int(0), orderID: r.text(1), channel: r.text(2), externalID: r.optText(3), state: state,
            currency: r.text(5), placedAt: r.int(6), createdAt: r.int(7), updatedAt: r.int(8), expiresAt: r.optInt(9),
            totals: totals, paidTotal: r.int(18), refundDue: r.int(19), cancelReason: r.optText(20),
            accountCreatedAt: r.optInt(21), note: r.optText(23))
        o.tags = (try? JSONParser.parse(r.text(22)))?.arrayValue?.compactMap(\.stringValue) ?? []
        for (i, key) in Order.customerFields.enumerated() { o.customer[key] = r.optText(Int32(24 + i)) }
        let policy = Int32(24 + customerColumns.count + addressColumns.count)
        for (i, key) in Order.addressFields.enumerated() {
            o.shipTo[key] = r.optText(Int32(24 + customerColumns.count + i))
        }
        o.reserveAt = ReservePolicy(rawValue: r.text(policy)) ?? .order
        o.deposit = r.optInt(policy + 1)
        o.balanceDueAt = r.optInt(policy + 2)
        o.pinnedWarehouse = r.optText(policy + 3)
        o.paidAt = r.optInt(policy + 4)
        o.heldFrom = r.optText(policy + 5).flatMap(OrderState.init(rawValue:))
        o.holdReason = r.optText(policy + 6)
        o.deliveredAt = r.optInt(policy + 7)
        o.stateSince = r.optInt(policy + 8)
        o.carrier = r.optText(policy + 9)
        o.priority = r.int(policy + 10)
        o.totals.feeTotal = r.int(policy + 11)
        o.fees = OrderFee.read(r.optText(policy + 12))
        o.cashOnDelivery = r.bool(policy + 13)
        o.writtenOff = r.int(policy + 14)
        o.paymentTerms = r.optText(policy + 15).map { PaymentTerms(name: $0, dueAt: r.optInt(policy + 16)) }
        return o
    }

    // MARK: - Lines, discounts, payments

    /// Stores a new line, with the units already reserved for it.
    func insert(_ lines: [OrderLine], orderRowID: Int64) throws {
        try db.writeRows(
            """
            INSERT INTO order_lines(order_rowid, line_no, sku, name, qty, unit_price, line_discount, tax, line_ref,
                qty_reserved, qty_backordered)
            """,
            lines.map { line in
                [
                    .int(orderRowID), .int(line.lineNo), .text(line.sku), .opt(line.name), .int(line.qty),
                    .int(line.unitPrice), .int(line.lineDiscount), .int(line.tax), .opt(line.lineRef),
                    .int(line.quantity(.reserved)),
                    .int(line.quantity(.backordered)),
                ]
            })
    }

    func lines(orderRowID: Int64) throws -> [OrderLine] {
        var result: [OrderLine] = []
        try db.rows(Store.linesSQL, .int(orderRowID)) { r in
            var line = OrderLine(
                lineNo: r.int(0), sku: r.text(1), name: r.optText(2), qty: r.int(3), unitPrice: r.int(4),
                lineDiscount: r.int(5), tax: r.int(6), lineRef: r.optText(7))
            for (i, kind) in LineQuantity.allCases.enumerated() { line.quantities[kind] = r.int(Int32(8 + i)) }
            result.append(line)
        }
        return result
    }

    func addReserved(orderRowID: Int64, lineNo: Int64, qty: Int64) throws {
        try db.write(
            "UPDATE order_lines SET qty_reserved = qty_reserved + ? WHERE order_rowid = ? AND line_no = ?",
            .int(qty), .int(orderRowID), .int(lineNo))
    }

    /// Every reserved unit is now allocated to the warehouse that holds it: a line's allocated units are those
    /// packed (left, or in a parcel) and those held outside a parcel — what is left to pick and pack is what
    /// it holds. Units its channel shipped never went through packing and are not counted.
    func allocateLines(orderRowID: Int64) throws {
        try db.run(
            "UPDATE order_lines SET qty_allocated = \(Self.allocatable), qty_backordered = 0 WHERE order_rowid = ?",
            .int(orderRowID))
    }

    /// Units its channel shipped from what an order held leave nothing of theirs to pick or pack: a line's
    /// allocated (and picked) units fall to what it has packed and still holds outside a parcel.
    func trimAllocation(orderRowID: Int64) throws {
        let least = db.dialect.least("qty_allocated", Self.allocatable)
        try db.run(
            """
            UPDATE order_lines SET qty_allocated = \(least), qty_picked = \(db.dialect.least("qty_picked", least))
            WHERE order_rowid = ? AND qty_allocated > 0
            """, .int(orderRowID))
    }

    /// A line's units packed plus those it holds that are not in a parcel waiting to leave.
    private static let allocatable = """
        qty_packed + qty_reserved - COALESCE((SELECT SUM(pl.qty) FROM parcels p
        JOIN parcel_lines pl ON pl.parcel_rowid = p.id
        WHERE p.order_rowid = order_lines.order_rowid AND p.shipment_rowid IS NULL
        AND pl.line_no = order_lines.line_no), 0)
        """

    func setAllocation(orderRowID: Int64, _ decision: JSON) throws {
        try db.run("UPDATE orders SET allocation = ? WHERE id = ?", .text(decision.serialized), .int(orderRowID))
    }

    /// The order's last allocation decision and the person who owns its problems (`order.assign`).
    func allocationAndOwner(orderRowID: Int64) throws -> (allocation: JSON?, owner: String?) {
        try db.first("SELECT allocation, owner FROM orders WHERE id = ?", .int(orderRowID)) {
            (try $0.optText(0).map { try JSONParser.parse($0) }, $0.optText(1))
        } ?? (nil, nil)
    }

    func setOwner(orderRowID: Int64, _ owner: String?) throws {
        try db.run("UPDATE orders SET owner = ? WHERE id = ?", .opt(owner), .int(orderRowID))
    }

    /// The owners of those of `orderIDs` that have one.
    func owners(orderIDs: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        guard !orderIDs.isEmpty else { return result }
        try db.rows(
            """
            SELECT order_id, owner FROM orders
                WHERE order_id IN (\(Database.placeholders(orderIDs.count))) AND owner IS NOT NULL
            """,
            arguments: orderIDs.map(SQLValue.text)
        ) { result[$0.text(0)] = $0.text(1) }
        return result
    }

    /// Marks every unit that has not shipped as cancelled: none is owed any more (`backordered`), nor
    /// allocated or picked (`trimAllocation`: the order's holds are released first, so what stays allocated is
    /// what shipped in its parcels).
    func cancelLines(orderRowID: Int64) throws {
        try db.run(
            "UPDATE order_lines SET qty_cancelled = qty - qty_shipped, qty_backordered = 0 WHERE order_rowid = ?",
            .int(orderRowID))
        try trimAllocation(orderRowID: orderRowID)
    }

    func insert(_ d: OrderDiscount, seq: Int64, orderRowID: Int64) throws {
        try db.write(
            "INSERT INTO order_discounts(order_rowid, seq, kind, code, amount) VALUES (?, ?, ?, ?, ?)",
            .int(orderRowID), .int(seq), .text(d.kind), .opt(d.code), .int(d.amount))
    }

    func discounts(orderRowID: Int64) throws -> [OrderDiscount] {
        var result: [OrderDiscount] = []
        try db.rows(
            "SELECT kind, code, amount FROM order_discounts WHERE order_rowid = ? ORDER BY seq", .int(orderRowID)
        ) {
            result.append(OrderDiscount(kind: $0.text(0), code: $0.optText(1), amount: $0.int(2)))
        }
        return result
    }

    func insert(_ p: Payment, orderRowID: Int64, actor: String) throws {
        try db.write(
            "INSERT INTO payments(order_rowid, payment_ref, amount, at, actor, kind, reason) VALUES (?, ?, ?, ?, ?, ?, "
                + "?)",
            .int(orderRowID), .opt(p.paymentRef), .int(p.amount), .int(p.at), .text(actor), .text(p.kind),
            .opt(p.reason))
    }

    /// Takes `amount` off a payment as if it had never been recorded (a channel's authorization voided, or to be
    /// captured for less): all of it, and the payment is gone.
    func reducePayment(ref: String, by amount: Int64) throws {
        try db.write("UPDATE payments SET amount = amount - ? WHERE payment_ref = ?", .int(amount), .text(ref))
        try db.write("DELETE FROM payments WHERE payment_ref = ? AND amount <= 0", .text(ref))
    }

    func payments(orderRowID: Int64) throws -> [Payment] {
        var result: [Payment] = []
        try db.rows(
            "SELECT payment_ref, amount, at, kind, reason FROM payments WHERE order_rowid = ? ORDER BY id",
            .int(orderRowID)
        ) {
            result.append(
                Payment(
                    paymentRef: $0.optText(0), amount: $0.int(1), at: $0.int(2), kind: $0.text(3), reason: $0.optText(4)
                ))
        }
        return result
    }

    /// The public id of the order a payment reference was recorded on.
    func orderID(paymentRef: String) throws -> String? {
        try first(Store.orderIDRead(paymentRef: paymentRef)) { $0.text(0) }
    }

    static func orderIDRead(paymentRef: String) -> Read {
        Read(
            "SELECT o.order_id FROM payments p JOIN orders o ON o.id = p.order_rowid WHERE p.payment_ref = ?",
            .text(paymentRef))
    }

    /// Reservations of an order (active and closed), for display.
    func reservations(
        orderRowID: Int64
    ) throws -> [(lineNo: Int64, warehouse: String, qty: Int64, expiresAt: Int64?, state: String)] {
        var result: [(Int64, String, Int64, Int64?, String)] = []
        try db.rows(
            "SELECT line_no, warehouse, qty, expires_at, state FROM reservations WHERE order_rowid = ? ORDER BY id",
            .int(orderRowID)
        ) {
            result.append(($0.int(0), $0.text(1), $0.int(2), $0.optInt(3), $0.text(4)))
        }
        return result
    }

    // MARK: - Timeline

    func appendEvent(
        orderRowID: Int64, at: Int64, actor: String, from: OrderState?, to: OrderState, command: String, details: JSON
    ) throws {
        let values: [SQLValue] = [
            .int(orderRowID), .int(at), .text(actor), .opt(from?.rawValue), .text(to.rawValue), .text(command),
            .text(details.serialized),
        ]
        guard let last = createdTimelines[orderRowID] else {
            return try db.write(
                """
                INSERT INTO order_events(order_rowid, seq, at, actor, from_state, to_state, command, details)
                VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM order_events WHERE order_rowid = ?1), ?2, ?3, ?4,
                    ?5, ?6, ?7)
                """, arguments: values)
        }
        // An order this transaction created: its number is known, and the INSERT reads nothing (on
        // PostgreSQL it can go in one statement with the order's other rows, `PostgresConnection.send`).
        createdTimelines[orderRowID] = last + 1
        try db.write(
            """
            INSERT INTO order_events(order_rowid, at, actor, from_state, to_state, command, details, seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: values + [.int(last + 1)])
    }

    func events(orderRowID: Int64) throws -> [OrderEvent] {
        var result: [OrderEvent] = []
        try db.rows(
            "SELECT seq, at, actor, from_state, to_state, command, details FROM order_events WHERE order_rowid = ? "
                + "ORDER BY seq",
            .int(orderRowID)
        ) {
            result.append(
                OrderEvent(
                    seq: $0.int(0), at: $0.int(1), actor: $0.optText(2), from: $0.optText(3), to: $0.text(4),
                    command: $0.text(5), details: (try? JSONParser.parse($0.text(6))) ?? .null))
        }
        return result
    }

    func setShipTo(orderRowID: Int64, _ shipTo: [String: String]) throws {
        try db.run(
            "UPDATE orders SET \(Store.addressColumns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?",
            arguments: Order.addressFields.map { .opt(shipTo[$0]) } + [.int(orderRowID)])
    }

    func setPaymentTerms(orderRowID: Int64, _ terms: PaymentTerms) throws {
        try db.run(
            "UPDATE orders SET payment_terms = ?, payment_due_at = ? WHERE id = ?", .text(terms.name),
            .opt(terms.dueAt), .int(orderRowID))
    }

    // MARK: - Warnings and duplicates

    func setWarnings(orderRowID: Int64, _ warnings: [JSON]) throws {
        try db.run(
            "UPDATE orders SET warnings = ? WHERE id = ?", .text(JSON.array(warnings).serialized), .int(orderRowID))
    }

    func warnings(orderRowID: Int64) throws -> [JSON] {
        try db.first("SELECT warnings FROM orders WHERE id = ? AND warnings IS NOT NULL", .int(orderRowID)) {
            try JSONParser.parse($0.text(0)).arrayValue ?? []
        } ?? []
    }

    /// The public ids of the orders `read` finds (its first column).
    func orderIDs(_ read: Read) throws -> [String] {
        var result: [String] = []
        try db.rows(read.sql, arguments: read.arguments) { result.append($0.text(0)) }
        return result
    }

    /// Live (not cancelled) orders with the fingerprint placed in `from...to`, oldest first.
    static func fingerprintRead(_ fingerprint: String, from: Int64, to: Int64) -> Read {
        Read(
            """
            SELECT order_id FROM orders WHERE fingerprint = ? AND placed_at BETWEEN ? AND ? AND state <> 'cancelled'
            ORDER BY placed_at, id LIMIT 20
            """, .text(fingerprint), .int(from), .int(to))
    }

    // MARK: - Queries

    struct OrderFilter {
        var state: OrderState?
        var channel: String?
        var warehouse: String?
        var placedBefore: Int64?
        var cashOnDelivery: Bool?
        var onPaymentTerms: Bool?
        /// Owing the buyer a refund (`refund_due`), or not.
        var owingRefund: Bool?
        /// Stuck: in one of these states since at or before its cutoff time.
        var stuck: [(state: OrderState, cutoff: Int64)]?
        var beforeRowID: Int64?
        /// Longest in their state first, instead of newest first.
        var longestInState = false
    }

    /// What customer service searches orders by (`order.find`); the members given must all match.
    struct OrderSearch {
        var externalID: String?
        /// The buyer's phone and e-mail by their keys (`Phone.key`, `Email.key`).
        var phone: String?
        var email: String?
        var trackingNo: String?
        var customer: String?

        var isEmpty: Bool { [externalID, phone, email, trackingNo, customer].allSatisfy { $0 == nil } }
    }

    /// Orders matching a search, newest first; each member is an index lookup.
    func findOrders(_ q: OrderSearch, limit: Int) throws -> [Order] {
        var filter = Conditions()
        filter.add("external_id = ?", q.externalID)
        filter.add("customer_phone_key = ?", q.phone)
        filter.add("customer_email_key = ?", q.email)
        filter.add("id IN (SELECT order_rowid FROM shipments WHERE tracking_no = ?)", q.trackingNo)
        filter.add("customer_id = ?", q.customer)
        var result: [Order] = []
        try db.rows(
            "SELECT \(Store.orderColumns) FROM orders WHERE \(filter.sql) ORDER BY id DESC LIMIT ?",
            arguments: filter.arguments + [.int(Int64(limit))]
        ) { result.append(try Store.readOrder($0)) }
        return result
    }

    /// Orders newest first, filtered, continuing below `beforeRowID`.
    func listOrders(_ q: OrderFilter, limit: Int) throws -> [Order] {
        var result: [Order] = []
        var filter = Conditions()
        filter.add("state = ?", q.state?.rawValue)
        filter.add("channel = ?", q.channel)
        filter.add("placed_at <= ?", q.placedBefore)
        filter.add("cash_on_delivery = ?", q.cashOnDelivery.map { $0 ? Int64(1) : 0 })
        filter.add("CASE WHEN payment_terms IS NULL THEN 0 ELSE 1 END = ?", q.onPaymentTerms.map { $0 ? Int64(1) : 0 })
        // As the partial index `orders_owing_refunds` is written, so that the few that owe are read through it.
        if let owing = q.owingRefund { filter.add(owing ? "refund_due > 0" : "refund_due <= 0", arguments: []) }
        filter.add(
            "EXISTS (SELECT 1 FROM reservations r WHERE r.order_rowid = orders.id AND r.warehouse = ?)", q.warehouse)
        filter.add("id < ?", q.beforeRowID)
        if let stuck = q.stuck {
            filter.add(
                stuck.isEmpty
                    ? "0" : "(" + stuck.map { _ in "(state = ? AND state_since <= ?)" }.joined(separator: " OR ") + ")",
                arguments: stuck.flatMap { [SQLValue.text($0.state.rawValue), .int($0.cutoff)] })
        }
        let order = q.longestInState ? "state_since, id" : "id DESC"
        try db.rows(
            "SELECT \(Store.orderColumns) FROM orders WHERE \(filter.sql) ORDER BY \(order) LIMIT ?",
            arguments: filter.arguments + [.int(Int64(limit))]
        ) {
            result.append(try Store.readOrder($0))
        }
        return result
    }

    /// Orders whose hold lapsed at or before `at` (unpaid, or a pre-sale balance not paid in time), oldest first.
    func expiredUnpaidOrders(at: Int64) throws -> [Int64] {
        var result: [Int64] = []
        try db.rows(
            """
            SELECT id FROM orders WHERE expires_at <= ? AND state IN ('pending_payment', 'deposit_paid')
                ORDER BY expires_at, id
            """, .int(at)
        ) {
            result.append($0.int(0))
        }
        return result
    }
}

extension Store {
    /// The open orders (not yet allocated — unpaid, part paid, paid, held — or partly shipped by their channel)
    /// with lines sold short of `skus` (`qty_backordered`), oldest first.
    func backorderedOrders(skus: [String]) throws -> [String] {
        var ids: [String] = []
        try db.rows(
            """
            SELECT o.order_id FROM orders o WHERE o.id IN (
                SELECT l.order_rowid FROM order_lines l
                WHERE l.sku IN (\(Database.placeholders(skus.count))) AND l.qty_backordered > 0)
            AND o.state IN \(Self.owingStates) ORDER BY o.id
            """, arguments: skus.map(SQLValue.text)
        ) { ids.append($0.text(0)) }
        return ids
    }

    /// The states of an order that may still be owed units: not cancelled, and not everything has left (an
    /// allocated order holds every unit; one partly shipped by its channel may have been short of the rest).
    private static let owingStates = "('pending_payment', 'deposit_paid', 'paid', 'on_hold', 'partially_shipped')"

    /// The units open orders were sold short of (`backorderedOrders`), per SKU, channel and pinned warehouse:
    /// of one SKU, or of all.
    func backorderedUnits(sku: String?) throws -> [(sku: String, channel: String, warehouse: String?, units: Int64)] {
        var filter = Conditions("l.qty_backordered > 0")
        filter.add("l.sku = ?", sku)
        var result: [(String, String, String?, Int64)] = []
        try db.rows(
            """
            SELECT l.sku, o.channel, o.warehouse, SUM(l.qty_backordered) FROM order_lines l
            JOIN orders o ON o.id = l.order_rowid
            WHERE \(filter.sql) AND o.state IN \(Self.owingStates)
            GROUP BY l.sku, o.channel, o.warehouse
            """, arguments: filter.arguments
        ) { result.append(($0.text(0), $0.text(1), $0.optText(2), $0.int(3))) }
        return result
    }
}
