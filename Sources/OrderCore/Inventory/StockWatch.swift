extension CommandContext {
    /// Opens a low-stock alert for each SKU that has become low and clears it for each that no longer
    /// is; with `inventory.low_stock_closes_channels`, closes every active registered channel for a low
    /// SKU and reopens the channels it closed once the SKU is replenished. Manual closes are never undone.
    /// Also opens a `replenish` alert (the purchasing work order) for each SKU with a warehouse at or
    /// below its reorder point, listing those warehouses, and clears it once none is.
    /// - Returns: alerts opened and cleared.
    @discardableResult
    func evaluateLowStock(_ skus: [String]) throws -> (opened: Int, cleared: Int) {
        var opened = 0
        var cleared = 0
        let closesChannels = try boolSetting(.lowStockClosesChannels)
        let margin = try intSetting(.earlyWarningPercent)
        for sku in skus {
            try evaluateReplenishment(sku)
            guard let report = try coverReports(Store.CoverQuery(sku: sku)).first else { continue }
            let status = try coverStatus(report)
            let open = try store.openAlertID(kind: "low_stock", sku: sku)
            if status == .warning, open == nil {
                var details = report.json(status: status)
                details["reason"] = .string(report.lowReason(marginPercent: margin))
                try store.openAlert(kind: "low_stock", sku: sku, at: at, details: .object(details))
                if closesChannels { try setChannels(open: false, sku: sku) }
                opened += 1
            } else if status != .warning, let open {
                try store.clearAlert(id: open, at: at)
                try setChannels(open: true, sku: sku)
                cleared += 1
            }
        }
        return (opened, cleared)
    }

    /// The rows of `stock.replenishment`: per SKU and warehouse, with what to buy and why (nil: nothing).
    func replenishmentRows(_ query: Store.CoverQuery) throws -> [(CoverReport, JSONObject, needed: Bool)] {
        let lead = try intSetting(.leadTimeDays)
        let target = try intSetting(.coverSufficientDays)
        let margin = try intSetting(.earlyWarningPercent)
        var perWarehouse = query
        perWarehouse.perWarehouse = true
        return try coverReports(perWarehouse).map { r in
            let plan = r.replenishment(leadTimeDays: lead, targetDays: target, marginPercent: margin)
            let daily = r.averageDailySalesHundredths
            let row: JSONObject = [
                "sku": .string(r.sku), "name": .string(r.name), "category": .optional(r.category),
                "warehouse": .optional(r.warehouse), "available": .int(r.available), "safety": .int(r.safety),
                "in_transit": .int(r.inTransit), "backordered": .int(r.backordered),
                "daily_sales": .string(Money.format(daily, exponent: 2)),
                "days_of_cover": r.coverTenths.map { .string(Money.format($0, exponent: 1)) } ?? .null,
                "reorder_point": .int(plan.reorderPoint), "suggested_qty": .int(plan.suggested),
                "reason": .optional(plan.reason),
            ]
            return (r, row, plan.reason.map { $0 != "early_warning" } ?? false)
        }
    }

    /// Opens or clears the SKU's `replenish` alert from its warehouses' reorder points.
    private func evaluateReplenishment(_ sku: String) throws {
        let below = try replenishmentRows(Store.CoverQuery(sku: sku)).filter(\.needed).map { JSON.object($0.1) }
        let open = try store.openAlertID(kind: "replenish", sku: sku)
        if !below.isEmpty, open == nil {
            try store.openAlert(kind: "replenish", sku: sku, at: at, details: ["warehouses": .array(below)])
        } else if below.isEmpty, let open {
            try store.clearAlert(id: open, at: at)
        }
    }

    /// Closes every open channel for the SKU as `low_stock`, or reopens those closed that way.
    private func setChannels(open: Bool, sku: String) throws {
        for channel in try store.activeChannels() {
            var limits = try store.channelSKU(channel: channel, sku: sku) ?? ChannelSKU(channel: channel, sku: sku)
            if open, !limits.open, limits.closedReason == "low_stock" {
                limits.open = true
                limits.closedReason = nil
                try store.save(limits)
            } else if !open, limits.open {
                limits.open = false
                limits.closedReason = "low_stock"
                try store.save(limits)
            }
        }
    }
}

enum StockWatchCommands {
    static let all = [alerts, board, replenishment]

    /// The stock a board or replenishment reads (`CommandContext.coverQuery`).
    static let coverFilters = [
        Argument("warehouse", .code, "One warehouse (default: all)"),
        Argument("channel", .code, "Only the warehouses that serve this channel"),
        Argument("category", .code, "Only SKUs of this category"),
    ]

    static let alerts = Command(
        "stock.alerts", .read, "List low-stock alerts, newest first (open_only = true, limit)",
        arguments: [
            Argument("open_only", .boolean, "Only open alerts (default true)"),
            .limit,
        ],
        result: ["alerts"]
    ) { ctx, f in
        let openOnly = try f.bool("open_only") ?? true
        let limit = try f.int("limit", min: 1, max: 1_000) ?? 100
        try f.finish()
        return ["alerts": .array(try ctx.store.alerts(openOnly: openOnly, limit: Int(limit)))]
    }

    static let board = Command(
        "stock.board", .read,
        "Per SKU: on hand, safety, yesterday's and average daily sales, days of cover, status (warehouse, status, "
            + "sort, limit, offset)",
        arguments: coverFilters + [
            Argument("status", .code, "Only rows of this status", choices: ["warning", "normal", "sufficient"]),
            Argument(
                "sort", .code, "Row order (default days_of_cover)",
                choices: ["days_of_cover", "sku", "available", "on_hand", "yesterday_sales", "avg_daily_sales"]),
            .limit,
            Argument("offset", .integer, "Skip this many rows"),
        ],
        result: ["window", "total", "rows"]
    ) { ctx, f in
        let warehouse = try f.code("warehouse")
        let channel = try f.code("channel")
        let category = try f.code("category")
        let statusName = try f.code("status")
        let sort = try f.code("sort") ?? "days_of_cover"
        let limit = Int(try f.int("limit", min: 1, max: 1_000) ?? 100)
        let offset = Int(try f.int("offset", min: 0, max: 10_000_000) ?? 0)
        try f.finish()
        let query = try ctx.coverQuery(warehouse: warehouse, channel: channel, category: category)
        let status = try statusName.map { name throws(OrderCoreError) -> CoverReport.Status in
            guard let s = CoverReport.Status(rawValue: name) else {
                throw .invalid("status must be warning, normal or sufficient, not '\(name)'", field: "status")
            }
            return s
        }
        let orders: [String: (CoverReport, CoverReport) -> Bool] = [
            "sku": { $0.sku < $1.sku },
            "days_of_cover": { ($0.coverTenths ?? .max, $0.sku) < ($1.coverTenths ?? .max, $1.sku) },
            "available": { ($0.available, $0.sku) < ($1.available, $1.sku) },
            "on_hand": { ($0.onHand, $0.sku) < ($1.onHand, $1.sku) },
            "yesterday_sales": { ($1.yesterdaySales, $0.sku) < ($0.yesterdaySales, $1.sku) },
            "avg_daily_sales": { ($1.windowSales, $0.sku) < ($0.windowSales, $1.sku) },
        ]
        guard let order = orders[sort] else {
            throw OrderCoreError.invalid(
                "sort must be one of \(orders.keys.sorted().joined(separator: ", ")), not '\(sort)'", field: "sort")
        }
        let warningDays = try ctx.intSetting(.coverWarningDays)
        let sufficientDays = try ctx.intSetting(.coverSufficientDays)
        let margin = try ctx.intSetting(.earlyWarningPercent)
        let rows = try ctx.coverReports(query)
            .map { ($0, $0.status(warningDays: warningDays, sufficientDays: sufficientDays, marginPercent: margin)) }
            .filter { status == nil || $0.1 == status }
            .sorted { order($0.0, $1.0) }
        let (first, yesterday) = try ctx.coverWindow()
        return [
            "window": [
                "from_day": .string(Timestamp.format(first * 86_400_000).prefix(10).description),
                "to_day": .string(Timestamp.format(yesterday * 86_400_000).prefix(10).description),
            ],
            "total": .int(rows.count),
            "rows": .array(rows.dropFirst(offset).prefix(limit).map { .object($0.0.json(status: $0.1)) }),
        ]
    }

    static let replenishment = Command(
        "stock.replenishment", .read,
        "What to buy, per SKU and warehouse: reorder point (safety plus the lead time's sales), suggested quantity "
            + "and why (warehouse, channel, category, sku, all)",
        arguments: coverFilters + [
            Argument("sku", .code, "One SKU"),
            Argument("all", .boolean, "Every row, not only those at or near their reorder point"),
            .limit,
        ],
        result: ["lead_time_days", "rows"]
    ) { ctx, f in
        let query = try ctx.coverQuery(
            warehouse: try f.code("warehouse"), channel: try f.code("channel"), category: try f.code("category"),
            sku: try f.code("sku"))
        let all = try f.bool("all") ?? false
        let limit = Int(try f.int("limit", min: 1, max: 10_000) ?? 1_000)
        try f.finish()
        let rows = try ctx.replenishmentRows(query).filter { all || $0.1["reason"] != .null }
        return [
            "lead_time_days": .int(try ctx.intSetting(.leadTimeDays)),
            "rows": .array(rows.prefix(limit).map { .object($0.1) }),
        ]
    }
}

extension CommandContext {
    /// The balances a board or replenishment reads: one warehouse, or a channel's serving warehouses (all
    /// when it names none), of one category or SKU.
    func coverQuery(
        warehouse: String?, channel: String?, category: String?, sku: String? = nil
    ) throws -> Store.CoverQuery {
        if let warehouse { _ = try requireWarehouse(warehouse) }
        var warehouses = warehouse.map { [$0] }
        if let channel {
            let serving = try requireChannel(channel).warehouses
            if !serving.isEmpty { warehouses = serving.filter { warehouse == nil || $0 == warehouse } }
        }
        return Store.CoverQuery(sku: sku, warehouses: warehouses, category: category)
    }
}
