extension CommandContext {
    /// Balances as sales see them: `available` under the reservation buffer (`inventory.sell_percent`).
    /// Movements of physical stock (transfers) use `store.balances`, where every unit counts.
    func salesBalances(sku: String, warehouse: String? = nil, activeOnly: Bool = false) throws -> [StockBalance] {
        let percent = try sellPercent()
        return try store.balances(sku: sku, warehouse: warehouse, activeOnly: activeOnly).map { b in
            var balance = b
            balance.sellPercent = percent
            return balance
        }
    }

    func sellPercent() throws -> Int64 { try intSetting(.sellPercent) }
}
