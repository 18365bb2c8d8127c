/// A sales channel. `warehouses` are those that serve it (empty: every active warehouse).
struct Channel {
    var channel: String
    var name: String
    var active: Bool
    var warehouses: [String]
    var createdAt: Int64
    var updatedAt: Int64
    /// The profile `intake.ingest` maps this channel's payloads with (nil: the profile named like the channel).
    var profile: String?
    /// An order this channel reports already shipped by the merchant (a backfill, a parcel sent outside
    /// OrderCore) takes its units from the serving warehouse when it arrives; off for channels whose
    /// stock OrderCore does not keep. Orders the channel fulfils itself (Amazon FBA) never move stock.
    var shippedOrdersMoveStock = true
    /// When this channel's orders reserve stock (nil: `inventory.reserve_at`): POS and normal shops at the
    /// order, a pre-sale channel at payment.
    var reserveAt: ReservePolicy?

    var profileName: String { profile ?? channel }

    var json: JSONObject {
        [
            "channel": .string(channel), "name": .string(name), "active": .bool(active),
            "warehouses": .array(warehouses.map(JSON.string)), "profile": .string(profileName),
            "shipped_orders_move_stock": .bool(shippedOrdersMoveStock), "reserve_at": .optional(reserveAt?.rawValue),
            "created_at": .string(Timestamp.format(createdAt)), "updated_at": .string(Timestamp.format(updatedAt)),
        ]
    }
}

/// A channel's limits for one SKU: an optional cap on the units it may sell, and an on/off switch.
struct ChannelSKU {
    var channel: String
    var sku: String
    var cap: Int64?
    /// Units of the channel's live reservations and sales counted against the cap.
    var used: Int64 = 0
    var open = true
    var closedReason: String?

    var remaining: Int64? { cap.map { max(0, $0 - used) } }
}

extension CommandContext {
    /// What a channel may still sell of a SKU: min(available over the warehouses serving it, the
    /// remaining cap); zero when the channel is inactive or closed for the SKU. An unregistered
    /// channel sells from every active warehouse without a cap.
    func sellable(sku: String, channel code: String) throws -> JSONObject {
        let channel = try store.channel(code)
        let serving = Set(channel?.warehouses ?? [])
        let available = try salesBalances(sku: sku, activeOnly: true)
            .filter { serving.isEmpty || serving.contains($0.warehouse) }
            .reduce(Int64(0)) { sum, b in sum.addingReportingOverflow(b.available).overflow ? .max : sum + b.available }
        let limits = try store.channelSKU(channel: code, sku: sku)
        var sellable = available
        if channel?.active == false || limits?.open == false { sellable = 0 }
        if let remaining = limits?.remaining { sellable = min(sellable, remaining) }
        return [
            "channel": .string(code), "sku": .string(sku), "sellable": .int(sellable), "available": .int(available),
            "cap": limits?.cap.map(JSON.int) ?? .null, "used": .int(limits?.used ?? 0),
            "remaining": limits?.remaining.map(JSON.int) ?? .null, "open": .bool(limits?.open ?? true),
            "closed_reason": .optional(limits?.closedReason), "channel_active": .bool(channel?.active ?? true),
        ]
    }

    func requireChannel(_ code: String) throws -> Channel {
        guard let channel = try store.channel(code) else {
            throw OrderCoreError(
                .notFound, "channel '\(code)' does not exist (create it with channel.upsert)",
                details: ["channel": .string(code)])
        }
        return channel
    }
}

enum ChannelCommands {
    static let all = [upsert, sku, get]

    static let upsert = Command(
        "channel.upsert", .write,
        "Create or update a sales channel (channel, name, warehouses that serve it, active, profile its payloads are "
            + "mapped with, shipped_orders_move_stock)",
        role: .admin,
        arguments: [
            .key("channel"),
            Argument("name", .text),
            Argument("warehouses", .codes, "The warehouses that serve it (empty: every active one)"),
            Argument("active", .boolean),
            Argument("profile", .code),
            Argument(
                "reserve_at", .code, "When its orders reserve stock: at the order or at payment (null: the setting)",
                choices: ReservePolicy.allCases.map(\.rawValue)),
            Argument(
                "shipped_orders_move_stock", .boolean,
                "An order the channel reports shipped takes its units from stock (default true)"),
        ],
        result: [
            "channel", "name", "active", "warehouses", "profile", "shipped_orders_move_stock", "created_at",
            "updated_at",
        ]
    ) { ctx, f in
        let code = try f.requiredCode("channel")
        let name = try f.text("name", maxLength: 200)
        let warehouses = try f.strings("warehouses")
        let active = try f.bool("active")
        let profile = try f.code("profile")
        let moveStock = try f.bool("shipped_orders_move_stock")
        let reserveAt = try f.choice("reserve_at", of: ReservePolicy.self)
        try f.finish()
        if let profile { _ = try ctx.requireProfile(profile, field: "profile") }
        for (i, warehouse) in (warehouses ?? []).enumerated() {
            _ = try ctx.requireWarehouse(warehouse, field: "warehouses[\(i)]")
        }
        let existing = try ctx.store.channel(code)
        var channel =
            existing
            ?? Channel(channel: code, name: code, active: true, warehouses: [], createdAt: ctx.at, updatedAt: ctx.at)
        if let name { channel.name = name }
        if let profile { channel.profile = profile }
        if let warehouses { channel.warehouses = Array(Set(warehouses)).sorted() }
        if let active { channel.active = active }
        if let moveStock { channel.shippedOrdersMoveStock = moveStock }
        if f.has("reserve_at") { channel.reserveAt = reserveAt }
        channel.updatedAt = ctx.at
        try ctx.store.save(channel)
        // Serving warehouses or the switch changed what the channel may sell; a new channel learns
        // what it may sell of everything in stock.
        ctx.store.touchedSKUs.formUnion(
            existing == nil ? try ctx.store.stockedSKUs() : try ctx.store.publishedSKUs(channel: code))
        var result = channel.json
        result["created"] = .bool(existing == nil)
        return .object(result)
    }

    static let sku = Command(
        "channel.sku", .write,
        "Set a channel's cap and on/off switch for a SKU (channel, sku, cap = units it may sell or null, open, reason)",
        role: .supervisor,
        arguments: [
            .key("channel"),
            .key("sku"),
            Argument("cap", .integer, "The most units the channel may sell (null: no cap)"),
            Argument("open", .boolean, "false closes the SKU on the channel (sells nothing)"),
            Argument("reason", .text, "Why it is closed"),
        ],
        result: ["channel", "sku", "sellable", "available", "cap", "used", "remaining", "open"]
    ) { ctx, f in
        let channel = try f.requiredCode("channel")
        let code = try f.requiredCode("sku")
        let cap = try f.int("cap", min: 0)
        let open = try f.bool("open")
        let reason = try f.text("reason", maxLength: 500)
        try f.finish()
        _ = try ctx.requireChannel(channel)
        _ = try ctx.requireSKU(code)
        var limits = try ctx.store.channelSKU(channel: channel, sku: code) ?? ChannelSKU(channel: channel, sku: code)
        if f.has("cap") { limits.cap = cap }
        if let open {
            limits.open = open
            limits.closedReason = open ? nil : reason ?? "closed by \(ctx.actor)"
        }
        try ctx.store.save(limits)
        ctx.store.touchedSKUs.insert(code)
        return .object(try ctx.sellable(sku: code, channel: channel))
    }

    static let get = Command(
        "channel.get", .read, "Show a channel with its warehouses and per-SKU caps and switches (channel)",
        arguments: [
            .key("channel")
        ],
        result: [
            "channel", "name", "active", "warehouses", "profile", "shipped_orders_move_stock", "created_at",
            "updated_at",
        ]
    ) { ctx, f in
        let code = try f.requiredCode("channel")
        try f.finish()
        var result = try ctx.requireChannel(code).json
        result["skus"] = .array(
            try ctx.store.channelSKUs(channel: code).map { .object(try ctx.sellable(sku: $0.sku, channel: code)) })
        return .object(result)
    }
}
