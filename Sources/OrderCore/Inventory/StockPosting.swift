extension CommandContext {
    /// The one way a balance bucket changes outside reservations: checks that the bucket stays within
    /// 0...Int64.max, updates the balance and appends its ledger row, so balances always equal the
    /// ledger. - Returns: the balance after the change.
    /// - Throws: `conflict` when the bucket would go below zero; `invalid_input` on overflow.
    @discardableResult
    func post(_ entry: LedgerEntry) throws -> StockBalance {
        let before =
            try store.balances(sku: entry.sku, warehouse: entry.warehouse).first
            ?? StockBalance(sku: entry.sku, warehouse: entry.warehouse)
        let current = before[entry.bucket]
        // Every bucket stays within StockBalance.maxUnits, so sums across warehouses, the ledger and
        // reports can never overflow 64 bits (SQLite would turn such a sum into a REAL or an error).
        let (after, overflow) = current.addingReportingOverflow(entry.delta)
        guard !overflow, after <= StockBalance.maxUnits else {
            throw OrderCoreError(
                .invalidInput,
                "changing \(entry.bucket.rawValue) of \(entry.sku) in \(entry.warehouse) by \(entry.delta) would pass "
                    + "\(StockBalance.maxUnits) units, the most one balance holds",
                details: [
                    "field": "qty", "sku": .string(entry.sku), "warehouse": .string(entry.warehouse),
                    "current": .int(current),
                ])
        }
        guard after >= 0 else {
            throw OrderCoreError(
                .conflict,
                "\(entry.bucket.rawValue) of \(entry.sku) in \(entry.warehouse) is \(current); it cannot go below zero "
                    + "(change \(entry.delta))",
                details: [
                    "sku": .string(entry.sku), "warehouse": .string(entry.warehouse),
                    "bucket": .string(entry.bucket.rawValue),
                    "current": .int(current), "change": .int(entry.delta),
                ])
        }
        try store.add(entry.delta, to: entry.bucket, sku: entry.sku, warehouse: entry.warehouse)
        try store.append(entry, at: at, actor: actor)
        if entry.delta > 0 || entry.bucket == .safety { replenished.insert(entry.sku) }
        var balance = before
        switch entry.bucket {
        case .onHand: balance.onHand = after
        case .reserved: balance.reserved = after
        case .quarantine: balance.quarantine = after
        case .safety: balance.safety = after
        }
        return balance
    }
}

extension CommandContext {
    /// A hand correction of more than `inventory.adjust_limit` units (an adjustment, a count
    /// variance) is a supervisor's decision: an operator cannot write off a shelf by counting it empty,
    /// nor ten units at a time — the actor's own corrections of the SKU in the warehouse over the last
    /// 24 hours count with this one.
    func requireAdjustRole(sku: String, warehouse: String, delta: Int64, what: String) throws {
        guard actor != Actor.system else { return }
        let limit = UInt64(max(0, try intSetting(.adjustLimit)))
        if delta.magnitude > limit { return try requireRole(.supervisor, to: what) }
        try store.lockBalances(skus: [sku], warehouse: warehouse)  // two of the actor's at once follow each other
        let earlier = try store.handCorrections(actor: actor, sku: sku, warehouse: warehouse, since: at - 86_400_000)
        let (net, overflow) = earlier.addingReportingOverflow(delta)
        if overflow || net.magnitude > limit {
            try requireRole(
                .supervisor, to: "\(what) (\(overflow ? "too many" : "\(net)") units with yours of the last 24 hours)")
        }
    }
}
