/// Waves: allocated orders of one warehouse picked together, with one pick list walked by location.
enum WaveCommands {
    static let all = [locate, wave, waveGet]

    static let locate = Command(
        "stock.locate", .write, "Set where a SKU lies in a warehouse, for pick lists (sku, warehouse, location)",
        sharing: .concurrent,
        arguments: [
            .key("sku"),
            .key("warehouse"),
            Argument(
                "location", .code, "The bin (pick lists walk by location; null clears it)", required: true,
                positional: true),
        ],
        result: ["sku", "warehouse", "location"]
    ) { ctx, f in
        let sku = try f.requiredCode("sku")
        let warehouse = try f.requiredCode("warehouse")
        let location = try f.code("location")
        try f.finish()
        _ = try ctx.requireSKU(sku)
        _ = try ctx.requireWarehouse(warehouse)
        try ctx.store.setLocation(sku: sku, warehouse: warehouse, location: location)
        return ["sku": .string(sku), "warehouse": .string(warehouse), "location": .optional(location)]
    }

    static let wave = Command(
        "pick.wave", .write,
        "Start a pick wave: allocated orders of a warehouse by priority and age (warehouse, carrier, cutoff, limit)",
        sharing: .concurrent,
        arguments: [
            .key("warehouse"),
            Argument("carrier", .code, "Only orders for this carrier"),
            Argument("cutoff", .time, "Only orders placed before this time"),
            Argument("limit", .integer, "At most this many orders"),
        ],
        result: ["wave_id", "warehouse", "carrier", "created_at", "orders", "units", "pick_list"]
    ) { ctx, f in
        let warehouse = try f.requiredCode("warehouse")
        let carrier = try f.code("carrier")
        let cutoff = try f.time("cutoff")
        let limit = Int(try f.int("limit", min: 1, max: 1_000) ?? 50)
        try f.finish()
        _ = try ctx.requireWarehouse(warehouse)
        let orders = try ctx.store.waveCandidates(warehouse: warehouse, carrier: carrier, cutoff: cutoff, limit: limit)
        guard !orders.isEmpty else {
            throw OrderCoreError(
                .conflict, "no allocated order in \(warehouse) is waiting for a wave",
                details: ["warehouse": .string(warehouse)])
        }
        let waveID = try ctx.store.insertWave(
            warehouse: warehouse, carrier: carrier, cutoff: cutoff, orders: orders, at: ctx.at, actor: ctx.actor)
        return try document(ctx, waveID)
    }

    static let waveGet = Command(
        "pick.wave_get", .read, "Show a wave's pick list, sorted by location (wave_id)",
        arguments: [
            Argument("wave_id", .code, required: true, positional: true)
        ],
        result: ["wave_id", "warehouse", "carrier", "created_at", "orders", "units", "pick_list"],
        aliases: ["pick list"]
    ) { ctx, f in
        let waveID = try f.requiredCode("wave_id")
        try f.finish()
        return try document(ctx, waveID)
    }

    private static func document(_ ctx: CommandContext, _ waveID: String) throws -> JSON {
        guard let wave = try ctx.store.wave(id: waveID) else {
            throw OrderCoreError(.notFound, "wave '\(waveID)' does not exist", details: ["wave_id": .string(waveID)])
        }
        let list = try ctx.store.pickList(waveID: waveID)
        let orders = Set(list.flatMap { $0.orders.map(\.orderID) })
        return [
            "wave_id": .string(waveID), "warehouse": .string(wave.warehouse), "carrier": .optional(wave.carrier),
            "created_at": .string(Timestamp.format(wave.createdAt)), "orders": .int(orders.count),
            "units": .int(list.reduce(0) { $0 + $1.qty }),
            "pick_list": .array(
                list.map { item in
                    [
                        "location": .optional(item.location), "sku": .string(item.sku), "qty": .int(item.qty),
                        "orders": .array(
                            item.orders.map {
                                ["order_id": .string($0.orderID), "line_no": .int($0.lineNo), "qty": .int($0.qty)]
                            }),
                    ]
                }),
        ]
    }
}
