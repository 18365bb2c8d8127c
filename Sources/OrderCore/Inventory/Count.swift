enum CountCommands {
    static let all = [count]

    static let count = Command(
        "stock.count", .write,
        "Record a cycle count in a warehouse (warehouse, counts [{sku, qty}], reference): variances are booked and "
            + "valued",
        roleRule:
            "a supervisor when a variance is more than inventory.adjust_limit units (net, with the actor's own "
            + "corrections of the last 24 hours)",
        sharing: .concurrent,
        arguments: [
            .key("warehouse"),
            Argument("counts", .lines, "The counted units: [{\"sku\",\"qty\"}] (0 allowed)", required: true),
            Argument("reference", .code),
        ],
        result: [
            "count_id", "warehouse", "at", "reference", "lines", "net_variance_units", "variance_value", "uncosted",
        ]
    ) { ctx, f in
        let warehouse = try f.requiredCode("warehouse")
        let counts = try SKUQuantities(f, key: "counts", allowZero: true)
        let reference = try f.code("reference")
        try f.finish()
        _ = try ctx.requireWarehouse(warehouse)
        let skus = try counts.items.map { try ctx.requireSKU($0.sku) }
        try ctx.store.lockBalances(skus: skus.map(\.sku), warehouse: warehouse)

        let (rowID, countID) = try ctx.store.insertCount(
            warehouse: warehouse, at: ctx.at, actor: ctx.actor, reference: reference)
        var lines: [JSON] = []
        var netUnits: Int64 = 0
        var value: [String: Int64] = [:]
        var uncosted: [JSON] = []
        for (sku, (_, counted)) in zip(skus, counts.items) {
            let balance =
                try ctx.store.balances(sku: sku.sku, warehouse: warehouse).first
                ?? StockBalance(sku: sku.sku, warehouse: warehouse)
            let variance = counted - balance.onHand  // both are non-negative: no overflow
            try ctx.requireAdjustRole(
                sku: sku.sku, warehouse: warehouse, delta: variance, what: "a count variance of \(variance) \(sku.sku)")
            try ctx.store.insertCountLine(countRowID: rowID, sku: sku.sku, expected: balance.onHand, counted: counted)
            let after =
                variance == 0
                ? balance
                : try ctx.post(
                    LedgerEntry(
                        sku: sku.sku, warehouse: warehouse, bucket: .onHand, delta: variance,
                        reason: .count, refType: "count", refID: countID))
            netUnits = netUnits.addingReportingOverflow(variance).overflow ? netUnits : netUnits + variance
            var line: JSONObject = [
                "sku": .string(sku.sku), "expected": .int(balance.onHand), "counted": .int(counted),
                "variance": .int(variance),
            ]
            if let cost = sku.unitCost, let currency = sku.costCurrency {
                let exponent = Money.exponent(of: currency)
                let (lineValue, o1) = cost.multipliedReportingOverflow(by: variance)
                let (total, o2) = value[currency, default: 0].addingReportingOverflow(lineValue)
                guard !o1, !o2 else {
                    throw OrderCoreError.invalid("the value of the variance of \(sku.sku) overflows 64-bit money")
                }
                value[currency] = total
                line["value"] = .string(Money.format(lineValue, exponent: exponent))
                line["currency"] = .string(currency)
            } else if variance != 0 {
                uncosted.append(.string(sku.sku))
            }
            if after.reserved > after.onHand { line["short"] = .int(after.reserved - after.onHand) }
            lines.append(.object(line))
        }
        return [
            "count_id": .string(countID), "warehouse": .string(warehouse), "at": .string(Timestamp.format(ctx.at)),
            "reference": .optional(reference), "lines": .array(lines), "net_variance_units": .int(netUnits),
            "variance_value": .array(
                value.keys.sorted().map { currency in
                    [
                        "currency": .string(currency),
                        "value": .string(Money.format(value[currency] ?? 0, exponent: Money.exponent(of: currency))),
                    ]
                }),
            "uncosted": .array(uncosted),
        ]
    }
}
