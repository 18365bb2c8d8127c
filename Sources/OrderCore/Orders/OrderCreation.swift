extension CommandContext {
    /// The units of each line (by index) that the holds do not cover.
    static func uncovered(_ lines: [OrderLine], by holds: [ReservationPlanner.Take]) -> [(Int, Int64)] {
        var held: [Int64: Int64] = [:]
        for take in holds { held[take.lineNo, default: 0] += take.qty }
        return lines.indices.compactMap { i in
            let missing = lines[i].notCancelled - (held[lines[i].lineNo] ?? 0)
            return missing > 0 ? (i, missing) : nil
        }
    }

    /// A line's units no stock covers, as `backordered` and the `backorder` alert list them.
    static func shortEntry(_ line: OrderLine, _ missing: Int64) -> JSON {
        ["line_no": .int(line.lineNo), "sku": .string(line.sku), "qty": .int(missing)]
    }

    /// After some of an order's short units were filled, shipped or cancelled: its `backorder` alert clears
    /// when none is short (`short`: the `shortEntry` of each line still short), else names those still short.
    func settleBackorder(orderID: String, short: [JSON]) throws {
        if short.isEmpty {
            try store.clearOrderAlerts(kind: "backorder", orderID: orderID, at: at)
        } else {
            try store.setOpenAlertDetail(kind: "backorder", orderID: orderID, "short", .array(short))
        }
    }

    /// Sold by the channel, not covered by stock: a person must find the units (allocate retries).
    func openBackorder(orderID: String, short: [JSON]) throws {
        guard !short.isEmpty else { return }
        try store.openAlert(
            kind: "backorder", orderID: orderID, at: at, details: ["short": .array(short), "source": "intake"])
    }

    /// Creates an order from a validated draft and reserves its stock.
    /// - Parameters:
    ///   - backorder: the channel has already sold it (intake): lines stock cannot cover are accepted
    ///     short (`backordered`) with a `backorder` alert instead of failing with `insufficient_stock`,
    ///     and the stock is reserved at once whatever `inventory.reserve_at` says (unless the draft says:
    ///     an unpaid order its channel holds nothing for reserves at payment).
    ///   - warnings: what intake noticed about the payload, kept on the order.
    ///   - actOnRisk: act on the risk decision (hold, reject) now; intake acts once it has brought the
    ///     order up to the channel's state, so a held channel order keeps its payment.
    ///   - reserving: false for an order that arrives cancelled, or that its channel fulfils from its
    ///     own stock: it takes nothing from the warehouses.
    ///   - expiring: false for an exchange's replacement: it is paid by the return's refund, so it waits
    ///     unpaid, holding its stock, as long as the return is open; and for a channel's order, which its
    ///     channel pays or cancels.
    ///   - externalIDFree: the caller has just found no order of the draft's channel with its external id,
    ///     in this transaction: it is not looked up again. (On PostgreSQL a host that creates that order
    ///     meanwhile makes the unique key refuse this one's row, and the command runs again.)
    /// - Returns: the order, its document, its backordered lines (line_no, sku, qty), and its risk assessment.
    func createOrder(
        _ draft: OrderDraft, backorder: Bool = false, warnings: [JSON] = [], actOnRisk: Bool = true,
        reserving: Bool = true, expiring: Bool = true, externalIDFree: Bool = false
    ) throws
        -> (order: Order, document: JSON, short: [JSON], risk: RiskAssessment?)
    {
        let known = try store.skus(Array(Set(draft.lines.map(\.sku))))
        for (i, line) in draft.lines.enumerated() {
            guard let sku = known[line.sku] else {
                throw OrderCoreError(
                    .notFound, "SKU '\(line.sku)' does not exist (create it with sku.upsert)",
                    details: ["sku": .string(line.sku), "field": .string("lines[\(i)].sku")])
            }
            guard sku.active else {
                throw OrderCoreError(
                    .invalidInput, "SKU '\(sku.sku)' is not active",
                    details: ["sku": .string(sku.sku), "field": .string("lines[\(i)].sku")])
            }
        }
        if actor != Actor.system {
            try requireRoleBelowCost(draft, known)
            if let terms = draft.paymentTerms { try requireRole(.supervisor, to: "selling on credit (\(terms.name))") }
        }
        if let warehouse = draft.warehouse { _ = try requireWarehouse(warehouse) }
        let external = externalIDFree ? nil : draft.externalID
        let keys = CustomerKeys(draft.customer)
        try prefetchCreationReads(draft, keys: keys, externalID: external, reserving: reserving, backorder: backorder)
        // Sent ahead and not asked for (a rule stopped at an allow list): must not answer a later order's read.
        defer { store.db.forgetPrefetched() }
        if let external,
            let existing = try store.orderID(channel: draft.channel, externalID: external)
        {
            throw OrderCoreError(
                .conflict, "order \(external) of channel \(draft.channel) already exists as \(existing)",
                details: [
                    "order_id": .string(existing), "channel": .string(draft.channel), "external_id": .string(external),
                ])
        }
        if let ref = draft.payment?.ref, let owner = try store.orderID(paymentRef: ref) {
            // The caller found no order of this channel and number, but its payment is there: another host
            // created that very order since the look (its reference is the channel order's own). Intake
            // holds the channel order's lock, so this is the guard behind it: run again, and the look finds
            // the order. Anything else is a reference paying two orders.
            if externalIDFree, let external = draft.externalID,
                try store.orderID(channel: draft.channel, externalID: external) == owner
            {
                throw Store.Stale(what: "order \(external) of channel \(draft.channel)")
            }
            throw Self.paymentRefTaken(ref, owner: owner)
        }

        let lines = draft.lines.enumerated().map { i, l in
            OrderLine(
                lineNo: Int64(i + 1), sku: l.sku, name: l.name, qty: l.qty, unitPrice: l.unitPrice,
                lineDiscount: l.lineDiscount, tax: l.tax, lineRef: l.lineRef)
        }
        let reserveAt =
            try draft.reserveAt
            ?? (backorder || draft.paysLater
                ? .order
                : try store.reservePolicy(channel: draft.channel)
                    ?? ReservePolicy(rawValue: try stringSetting(.reserveAt)) ?? .order)
        // Orders that reserve at payment are still checked now, so a checkout learns at once that it cannot
        // sell. The holds are made last (below); where one warehouse serves, they may be taken here.
        let holdsNow = reserveAt != .payment || draft.payment != nil
        let planned =
            reserving
            ? try
                (holdsNow
                ? takeFromTheOneWarehouse(
                    channel: draft.channel, lines: lines, warehouse: draft.warehouse, backorder: backorder) : nil)
                ?? planReservation(
                    channel: draft.channel, lines: lines, warehouse: draft.warehouse, backorder: backorder)
            : nil
        let (rowID, orderID) = try store.nextID("orders", prefix: "SO-")
        let timeout = try intSetting(.unpaidTimeoutMinutes)
        let expiresAt: Int64? =
            !expiring || draft.paysLater
            ? nil : at.addingReportingOverflow(timeout * 60_000).overflow ? Int64.max : at + timeout * 60_000
        var order = Order(
            rowID: rowID, orderID: orderID, channel: draft.channel, externalID: draft.externalID,
            state: .pendingPayment, currency: draft.currency, placedAt: draft.placedAt, createdAt: at,
            updatedAt: at, expiresAt: expiresAt, totals: draft.totals, customer: draft.customer,
            accountCreatedAt: draft.accountCreatedAt, shipTo: draft.shipTo, tags: draft.tags, note: draft.note)
        order.stateSince = at
        order.reserveAt = reserveAt
        order.pinnedWarehouse = draft.warehouse
        order.deposit = draft.deposit
        order.balanceDueAt = draft.balanceDueAt
        order.carrier = draft.carrier
        order.priority = draft.priority
        order.fees = draft.fees
        order.cashOnDelivery = draft.cashOnDelivery
        order.paymentTerms = draft.paymentTerms
        // An order that arrives paid is paid in this transaction, its stock held as the payment says from the start.
        let plan = try draft.payment.map { try planPayment(order, amount: $0.amount) }
        let holdUntil = plan.map(\.holdUntil) ?? expiresAt
        // Everything the order row carries is decided before it is written: one INSERT, no updates.
        let duplicates = try possibleDuplicates(order, phone: keys.phone, skus: draft.lines.map(\.sku))
        let notes = warnings + (duplicates.warning.map { [$0] } ?? [])
        var extra = Store.OrderExtras(
            fingerprint: duplicates.fingerprint, warnings: notes.isEmpty ? nil : .array(notes), keys: keys)
        let risk =
            try boolSetting(.riskEnabled) ? try assessRisk(order, known: (lines, draft.discounts, notes, keys)) : nil
        if let risk {
            extra.risk = risk.text(at: at)
            extra.riskDecision = risk.queued?.rawValue
        }
        // An order that arrives paid is written once, as paid; its timeline still records both steps.
        try store.insert(plan.map { paying(order, $0) } ?? order, extra: extra)
        for (i, d) in draft.discounts.enumerated() { try store.insert(d, seq: Int64(i + 1), orderRowID: rowID) }
        let holds = holdsNow ? planned?.takes ?? [] : []
        var created = lines
        for take in holds { created[Int(take.lineNo) - 1].quantities[.reserved, default: 0] += take.qty }
        var short: [JSON] = []
        if backorder && reserving {
            for (i, missing) in Self.uncovered(created, by: holds) {
                created[i].quantities[.backordered] = missing
                short.append(Self.shortEntry(created[i], missing))
            }
        }
        try store.insert(created, orderRowID: rowID)
        try record(
            order, from: nil, command: "order.create",
            details: [
                "lines": .int(lines.count), "grand_total": order.money(order.totals.grandTotal),
                "expires_at": expiresAt.map { .string(Timestamp.format($0)) } ?? .null,
            ])
        if let warning = duplicates.warning {
            try store.openAlert(kind: "possible_duplicate", orderID: orderID, at: at, details: warning)
        }
        try openBackorder(orderID: orderID, short: short)
        if let plan {
            try applyPayment(&order, plan, paymentRef: draft.payment?.ref, rowWritten: true, holdsAfter: true)
        }
        if let planned, !holds.isEmpty {
            try recordHolds(
                order, holds, expiresAt: holdUntil, counted: planned.counted, linesStored: false)
        }
        // Sold once its holds are recorded (what it counts), before the balance rows, as a payment counts them;
        // paid later (cash on delivery, payment terms), sold when placed.
        if plan?.next == .paid || order.paysLater { try recordSales(of: order, holds) }
        // The balance rows other orders wait for are locked last, until the commit that follows (unless
        // taken at the start: SQLite, one writer at a time).
        if let planned, !holds.isEmpty, !planned.taken { try takeStock(order, planned) }
        if let risk, actOnRisk { try act(on: risk, &order) }
        // A rejected order was cancelled: its lines and holds are read back; otherwise they are as made.
        let document = try document(
            order,
            detail: order.state == .cancelled
                ? nil
                : OrderDetail(
                    lines: created, discounts: draft.discounts,
                    payments: plan.map { [Payment(paymentRef: draft.payment?.ref, amount: $0.charged, at: at)] } ?? [],
                    reservations: holds.map { ($0.lineNo, $0.warehouse, $0.qty, holdUntil, "active") },
                    // The answer's risk, built only when an answer is asked for (the row has its text).
                    warnings: notes, risk: brief ? nil : risk?.json(at: at)))
        return (order, document, short, risk)
    }

    /// The duplicate-order fingerprint: the same customer phone (`Phone.key`) and the same set of
    /// SKUs placed within `intake.duplicate_order_seconds` of another live order, on any channel, is
    /// probably the same purchase twice. Nothing is merged or cancelled: the order carries a warning
    /// and a `possible_duplicate` alert suggests which one to cancel.
    /// - Returns: the order's fingerprint (nil without a phone) and the warning, if it has twins.
    func possibleDuplicates(
        _ order: Order, phone: String?, skus: [String]
    ) throws -> (fingerprint: String?, warning: JSON?) {
        guard let (fingerprint, read) = try fingerprint(phone: phone, skus: skus, placedAt: order.placedAt) else {
            return (nil, nil)
        }
        let twins = try read.map(store.orderIDs) ?? []
        guard let keep = twins.first else { return (fingerprint, nil) }
        let window = try intSetting(.duplicateWindowSeconds) * 1_000
        let warning: JSON = [
            "code": "possible_duplicate",
            "message": .string(
                "same phone and SKUs as \(twins.joined(separator: ", ")) within \(window / 1_000) s; if it is the same "
                    + "purchase, cancel \(order.orderID) and keep \(keep)"
            ),
            "orders": .array(twins.map(JSON.string)),
            "suggestion": [
                "keep": .string(keep), "cancel": .string(order.orderID),
                "command": .string("order.cancel \(order.orderID)"),
            ],
        ]
        return (fingerprint, warning)
    }

    /// An order's fingerprint (nil without a phone of at least five digits), and the read of its live
    /// twins within the window (nil when the window is 0).
    private func fingerprint(phone: String?, skus: [String], placedAt: Int64) throws -> (String, Store.Read?)? {
        guard let phone else { return nil }
        let fingerprint = phone + "|" + Set(skus).sorted().joined(separator: ",")
        let window = try intSetting(.duplicateWindowSeconds) * 1_000
        return (
            fingerprint,
            window > 0 ? Store.fingerprintRead(fingerprint, from: placedAt - window, to: placedAt + window) : nil
        )
    }

    /// On PostgreSQL, sends the reads creating an order makes: whether its external id (when given) or
    /// payment reference is taken, its possible twins, what its risk rules count, its number, and what
    /// planning its stock reads. They come back with the first of them, in one round trip instead of
    /// one each. Nothing on SQLite.
    private func prefetchCreationReads(
        _ draft: OrderDraft, keys: CustomerKeys, externalID: String?, reserving: Bool, backorder: Bool
    ) throws {
        guard store.db.dialect == .postgresql else { return }
        try store.prefetchNextID("orders")
        if reserving {
            try sendPlanReads(
                channel: draft.channel, skus: Self.distinctSKUs(draft.lines.map(\.sku)), warehouse: draft.warehouse,
                backorder: backorder)
        }
        var reads: [Store.Read] = []
        if let externalID { reads.append(Store.orderIDRead(channel: draft.channel, externalID: externalID)) }
        if let ref = draft.payment?.ref { reads.append(Store.orderIDRead(paymentRef: ref)) }
        if let twins = try fingerprint(phone: keys.phone, skus: draft.lines.map(\.sku), placedAt: draft.placedAt)?.1 {
            reads.append(twins)
        }
        if try boolSetting(.riskEnabled) {
            reads += try store.riskReads(
                customer: draft.customer, keys: keys, line1: draft.shipTo["line1"], placedAt: draft.placedAt,
                cashOnDelivery: draft.cashOnDelivery, rules: try store.riskRules().rules, adding: true
            ).all
        }
        try store.prefetch(reads)
    }
}

extension CommandContext {
    /// Goods a person lets go for nothing, or for less than their SKUs' unit costs, after discounts: a loss
    /// written into the order, so a supervisor's, as write-offs are (docs/roles.md). A `shipping` discount takes
    /// off the shipping first. Goods whose unit cost is in another currency than the order's cannot be weighed
    /// against it (the engine keeps no exchange rates): a supervisor's too, or a currency would let anything
    /// through. The host's orders and channels' are not checked (intake is a supervisor's).
    func requireRoleBelowCost(_ draft: OrderDraft, _ skus: [String: SKU]) throws {
        let t = draft.totals
        let offShipping = min(
            t.shippingFee, draft.discounts.reduce(Int64(0)) { $0 + ($1.kind == "shipping" ? $1.amount : 0) })
        let goods = t.subtotal - t.lineDiscountTotal - (t.discountTotal - offShipping)
        var cost: Int64 = 0
        for line in draft.lines {
            guard let sku = skus[line.sku], let unit = sku.unitCost, let costCurrency = sku.costCurrency else {
                continue
            }
            guard costCurrency == draft.currency else {
                let what = "pricing \(sku.sku) in \(draft.currency) (its unit cost is in \(costCurrency))"
                return try requireRole(.supervisor, to: what)
            }
            let (units, over) = unit.multipliedReportingOverflow(by: line.qty)
            cost = over ? .max : cost.addingReportingOverflow(units).overflow ? .max : cost + units
        }
        guard goods <= 0 || goods < cost else { return }
        let exponent = Money.exponent(of: draft.currency)
        try requireRole(
            .supervisor,
            to: "entering goods for \(Money.format(max(goods, 0), exponent: exponent)) \(draft.currency)"
                + (cost > 0 ? " (their unit costs come to \(Money.format(cost, exponent: exponent)))" : ""))
    }
}
