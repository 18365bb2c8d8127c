extension CommandContext {
    /// Opens a low-stock alert for each SKU that has become low and clears it for each that no longer
    /// is; with `inventory.low_stock_closes_channels`, closes every active registered channel for a low
    /// SKU and reopens the channels it closed once the SKU is replenished. Manual closes are never undone.
    /// - Returns: alerts opened and cleared.
    @discardableResult
    func evaluateLowStock(_ skus: [String]) throws -> (opened: Int, cleared: Int) {
        var opened = 0
        var cleared = 0
        let closesChannels = try boolSetting(.lowStockClosesChannels)
        for sku in skus {
            guard let report = try coverReports(sku: sku).first else { continue }
            let status = try coverStatus(report)
            let open = try store.openAlertID(kind: "low_stock", sku: sku)
            if status == .warning, open == nil {
                var details = report.json(status: status)
                details["reason"] = .string(report.lowReason)
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
    static let all = [alerts, board]

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
        arguments: [
            Argument("warehouse", .code, "One warehouse (default: all)"),
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
        let statusName = try f.code("status")
        let sort = try f.code("sort") ?? "days_of_cover"
        let limit = Int(try f.int("limit", min: 1, max: 1_000) ?? 100)
        let offset = Int(try f.int("offset", min: 0, max: 10_000_000) ?? 0)
        try f.finish()
        if let warehouse { _ = try ctx.requireWarehouse(warehouse) }
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
        let rows = try ctx.coverReports(warehouse: warehouse)
            .map { ($0, $0.status(warningDays: warningDays, sufficientDays: sufficientDays)) }
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
}
