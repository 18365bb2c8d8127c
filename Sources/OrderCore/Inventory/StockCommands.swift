enum StockCommands {
    static let all = [receive, get]

    static let receive = Command("stock.receive", .write, "Add received units to on-hand stock (sku, warehouse, qty, reference)") { ctx, f in
        let sku = try f.requiredCode("sku")
        let warehouse = try f.requiredCode("warehouse")
        let qty = try f.quantity("qty")
        let reference = try f.code("reference")
        try f.finish()
        _ = try ctx.requireSKU(sku)
        _ = try ctx.requireWarehouse(warehouse)
        let before = try ctx.store.balances(sku: sku, warehouse: warehouse).first ?? StockBalance(sku: sku, warehouse: warehouse)
        // SQLite turns an overflowing integer sum into a REAL; refuse before that can happen.
        guard !before.onHand.addingReportingOverflow(qty).overflow else {
            throw OrderCoreError.invalid("receiving \(qty) would overflow the on-hand balance of \(sku) in \(warehouse)", field: "qty")
        }
        try ctx.store.addOnHand(sku: sku, warehouse: warehouse, qty: qty)
        try ctx.store.append(LedgerEntry(sku: sku, warehouse: warehouse, bucket: .onHand, delta: qty, reason: .receive,
                                         refType: reference == nil ? nil : "receipt", refID: reference), at: ctx.at, actor: ctx.actor)
        var result: JSONObject = ["sku": .string(sku), "received": .int(qty)]
        for (key, value) in try ctx.store.balances(sku: sku, warehouse: warehouse).first?.json.pairs ?? [] { result[key] = value }
        return .object(result)
    }

    static let get = Command("stock.get", .read, "Show on-hand, reserved and available units of a SKU, per warehouse and in total (sku, warehouse)") { ctx, f in
        let sku = try f.requiredCode("sku")
        let warehouse = try f.code("warehouse")
        try f.finish()
        _ = try ctx.requireSKU(sku)
        if let warehouse { _ = try ctx.requireWarehouse(warehouse) }
        try ctx.expireStaleReservations(skus: [sku])
        let balances = try ctx.store.balances(sku: sku, warehouse: warehouse)
        func total(_ value: (StockBalance) -> Int64) -> JSON {
            .int(balances.reduce(Int64(0)) { sum, b in sum.addingReportingOverflow(value(b)).overflow ? .max : sum + value(b) })
        }
        return ["sku": .string(sku), "on_hand": total(\.onHand), "reserved": total(\.reserved), "available": total(\.available),
                "quarantine": total(\.quarantine), "safety": total(\.safety),
                "warehouses": .array(balances.map { .object($0.json) })]
    }
}
