extension CommandContext {
    /// The one way a balance bucket changes outside reservations: checks that the bucket stays within
    /// 0...Int64.max, updates the balance and appends its ledger row, so balances always equal the
    /// ledger. - Returns: the balance after the change.
    /// - Throws: `conflict` when the bucket would go below zero; `invalid_input` on overflow.
    @discardableResult
    func post(_ entry: LedgerEntry) throws -> StockBalance {
        let before = try store.balances(sku: entry.sku, warehouse: entry.warehouse).first
            ?? StockBalance(sku: entry.sku, warehouse: entry.warehouse)
        let current = before[entry.bucket]
        // SQLite would turn an overflowing integer sum into a REAL; refuse before that can happen.
        let (after, overflow) = current.addingReportingOverflow(entry.delta)
        guard !overflow else {
            throw OrderCoreError.invalid("changing \(entry.bucket.rawValue) of \(entry.sku) in \(entry.warehouse) by \(entry.delta) overflows 64 bits",
                                         field: "qty")
        }
        guard after >= 0 else {
            throw OrderCoreError(.conflict,
                "\(entry.bucket.rawValue) of \(entry.sku) in \(entry.warehouse) is \(current); it cannot go below zero (change \(entry.delta))",
                details: ["sku": .string(entry.sku), "warehouse": .string(entry.warehouse), "bucket": .string(entry.bucket.rawValue),
                          "current": .int(current), "change": .int(entry.delta)])
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
