/// Stock against what sells: days of cover and the board status. Pure arithmetic on integers.
struct CoverReport {
    enum Status: String, CaseIterable { case warning, normal, sufficient }

    var sku: String
    var warehouse: String?
    var name: String
    var category: String?
    var onHand: Int64
    var reserved: Int64
    var safety: Int64
    var available: Int64
    var yesterdaySales: Int64
    var windowSales: Int64
    var windowDays: Int64
    /// Units on their way here by transfer.
    var inTransit: Int64 = 0
    /// Units open orders were sold short of, that this warehouse would ship (`CommandContext.coverReports`).
    var backordered: Int64 = 0

    /// Units held against demand: on hand less what is promised (held, or owed to orders sold short), plus
    /// what is on its way.
    var position: Int64 { onHand - reserved - backordered + inTransit }

    /// Within `marginPercent` above safety stock (on hand less reserved): time to act before the safety
    /// stock is touched.
    func nearSafety(marginPercent: Int64) -> Bool {
        safety > 0 && onHand - reserved <= safety + (safety * marginPercent + 99) / 100
    }

    /// Units sold in `days` at the window's average, rounded up.
    func demand(days: Int64) -> Int64 {
        guard windowSales > 0, days > 0 else { return 0 }
        let (scaled, overflow) = windowSales.multipliedReportingOverflow(by: days)
        return overflow ? .max / 4 : (scaled + windowDays - 1) / max(1, windowDays)
    }

    /// What to buy (`stock.replenishment`): the reorder point is safety stock plus the sales of the lead
    /// time; the early warning is `marginPercent` of safety above it; a purchase brings the position up
    /// to safety plus the sales of the lead time and `targetDays` more.
    func replenishment(
        leadTimeDays: Int64, targetDays: Int64, marginPercent: Int64
    )
        -> (reorderPoint: Int64, suggested: Int64, reason: String?)
    {
        let reorderPoint = safety + demand(days: leadTimeDays)
        let warningPoint = reorderPoint + (safety * marginPercent + 99) / 100
        let suggested = max(0, safety + demand(days: leadTimeDays + targetDays) - position)
        let reason: String? =
            if position <= 0 { "out_of_stock" } else if position <= reorderPoint {
                "below_reorder_point"
            } else if position <= warningPoint { "early_warning" } else { nil }
        return (reorderPoint, suggested, reason)
    }

    /// Average daily sales over the window, in hundredths of a unit.
    var averageDailySalesHundredths: Int64 {
        windowSales.multipliedReportingOverflow(by: 100).partialValue / max(1, windowDays)
    }

    /// Days the available stock lasts at the average daily sales, in tenths of a day; nil without sales.
    var coverTenths: Int64? {
        guard windowSales > 0 else { return nil }
        let (scaled, overflow) = available.multipliedReportingOverflow(by: windowDays * 10)
        return overflow ? .max : scaled / windowSales
    }

    /// Low (warning): nothing left to sell, stock within `marginPercent` above safety, or less than
    /// `warningDays` of cover. Sufficient: at least `sufficientDays` of cover, or stock that is not selling.
    /// Otherwise normal.
    func status(warningDays: Int64, sufficientDays: Int64, marginPercent: Int64) -> Status {
        if available == 0 || nearSafety(marginPercent: marginPercent) { return .warning }
        guard let cover = coverTenths else { return .sufficient }
        if cover < warningDays * 10 { return .warning }
        return cover >= sufficientDays * 10 ? .sufficient : .normal
    }

    /// Why a low SKU is low.
    func lowReason(marginPercent: Int64) -> String {
        if available > 0 { return nearSafety(marginPercent: marginPercent) ? "near_safety" : "low_cover" }
        return onHand - reserved > 0 && safety > 0 ? "below_safety" : "out_of_stock"
    }

    func json(status: Status) -> JSONObject {
        var row: JSONObject = ["sku": .string(sku), "name": .string(name), "category": .optional(category)]
        if let warehouse { row["warehouse"] = .string(warehouse) }
        row["on_hand"] = .int(onHand)
        row["reserved"] = .int(reserved)
        row["safety"] = .int(safety)
        row["available"] = .int(available)
        row["backordered"] = .int(backordered)
        row["yesterday_sales"] = .int(yesterdaySales)
        row["avg_daily_sales"] = .string(Money.format(averageDailySalesHundredths, exponent: 2))
        row["days_of_cover"] = coverTenths.map { .string(Money.format($0, exponent: 1)) } ?? .null
        row["status"] = .string(status.rawValue)
        return row
    }
}

extension CommandContext {
    /// Where the business is in time: `business.time_zone`, else `business.utc_offset_minutes`. A zone the
    /// system's time zone database no longer has counts as that fixed offset: no payment waits for a report's
    /// setting.
    func businessTime() throws -> BusinessTime {
        let zone = try stringSetting(.timeZone)
        if !zone.isEmpty, let time = try? BusinessTime.zone(zone) { return time }
        return .fixed(minutes: try intSetting(.utcOffsetMinutes))
    }

    /// The business day of a time (days since the epoch where the business is).
    func businessDay(_ time: Int64) throws -> Int64 { try businessTime().day(of: time) }

    /// The cover window: the complete business days before today.
    func coverWindow() throws -> (firstDay: Int64, yesterday: Int64) {
        let yesterday = try businessDay(at) - 1
        return (yesterday - (try intSetting(.salesWindowDays)) + 1, yesterday)
    }

    func coverReports(_ query: Store.CoverQuery) throws -> [CoverReport] {
        let (first, yesterday) = try coverWindow()
        var reports = try store.coverRows(query, sellPercent: try sellPercent(), firstDay: first, yesterday: yesterday)
        try addBackorders(&reports, query, windowDays: yesterday - first + 1)
        return reports
    }

    /// Units owed to orders sold short count against the warehouse that would ship them — the order's pinned
    /// one, else the first by priority of those serving its channel — so what to buy includes them. A SKU
    /// with none of its stock there (never received) gets a row of its own.
    private func addBackorders(_ reports: inout [CoverReport], _ q: Store.CoverQuery, windowDays: Int64) throws {
        let owed = try store.backorderedUnits(sku: q.sku)
        guard !owed.isEmpty else { return }
        let active = try store.activeWarehouses()
        // At most as many as a balance holds, so the position cannot overflow.
        func total(_ units: some Sequence<Int64>) -> Int64 {
            units.reduce(0) { sum, n in min(StockBalance.maxUnits, sum + min(n, StockBalance.maxUnits)) }
        }
        var due: [String: [String: Int64]] = [:]  // by SKU, then warehouse
        for o in owed {
            let serving = try store.channel(o.channel)?.warehouses ?? []
            guard
                let warehouse = o.warehouse
                    ?? active.first(where: { serving.isEmpty || serving.contains($0.warehouse) })?.warehouse,
                q.warehouses?.contains(warehouse) ?? true
            else { continue }
            due[o.sku, default: [:]][warehouse] = total([due[o.sku]?[warehouse] ?? 0, o.units])
        }
        for i in reports.indices {
            guard var byWarehouse = due[reports[i].sku] else { continue }
            if q.perWarehouse, let warehouse = reports[i].warehouse {
                reports[i].backordered = byWarehouse.removeValue(forKey: warehouse) ?? 0
            } else {
                reports[i].backordered = total(byWarehouse.values)
                byWarehouse = [:]
            }
            due[reports[i].sku] = byWarehouse
        }
        let missing = due.filter { !$0.value.isEmpty }
        guard !missing.isEmpty else { return }
        let skus = try store.skus(Array(missing.keys))
        for (code, byWarehouse) in missing {
            guard let sku = skus[code], q.category == nil || sku.category == q.category else { continue }
            let rows: [(String?, Int64)] =
                q.perWarehouse
                ? byWarehouse.map { ($0.key, $0.value) }
                : [(q.warehouses?.count == 1 ? q.warehouses?[0] : nil, total(byWarehouse.values))]
            for (warehouse, units) in rows {
                reports.append(
                    CoverReport(
                        sku: code, warehouse: warehouse, name: sku.name, category: sku.category, onHand: 0, reserved: 0,
                        safety: 0, available: 0, yesterdaySales: 0, windowSales: 0, windowDays: windowDays,
                        backordered: units))
            }
        }
        reports.sort { ($0.sku, $0.warehouse ?? "") < ($1.sku, $1.warehouse ?? "") }
    }

    func coverStatus(_ report: CoverReport) throws -> CoverReport.Status {
        report.status(
            warningDays: try intSetting(.coverWarningDays), sufficientDays: try intSetting(.coverSufficientDays),
            marginPercent: try intSetting(.earlyWarningPercent))
    }
}
