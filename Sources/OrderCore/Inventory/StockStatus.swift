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

    /// Units held against demand: on hand less what is promised, plus what is on its way.
    var position: Int64 { onHand - reserved + inTransit }

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
        row["yesterday_sales"] = .int(yesterdaySales)
        row["avg_daily_sales"] = .string(Money.format(averageDailySalesHundredths, exponent: 2))
        row["days_of_cover"] = coverTenths.map { .string(Money.format($0, exponent: 1)) } ?? .null
        row["status"] = .string(status.rawValue)
        return row
    }
}

extension CommandContext {
    /// The business day of a time (days since the epoch, shifted by `business.utc_offset_minutes`).
    func businessDay(_ time: Int64) throws -> Int64 {
        let shifted = time + (try intSetting(.utcOffsetMinutes)) * 60_000
        return shifted >= 0 ? shifted / 86_400_000 : (shifted - 86_399_999) / 86_400_000
    }

    /// The cover window: the complete business days before today.
    func coverWindow() throws -> (firstDay: Int64, yesterday: Int64) {
        let yesterday = try businessDay(at) - 1
        return (yesterday - (try intSetting(.salesWindowDays)) + 1, yesterday)
    }

    func coverReports(_ query: Store.CoverQuery) throws -> [CoverReport] {
        let (first, yesterday) = try coverWindow()
        return try store.coverRows(query, sellPercent: try sellPercent(), firstDay: first, yesterday: yesterday)
    }

    func coverStatus(_ report: CoverReport) throws -> CoverReport.Status {
        report.status(
            warningDays: try intSetting(.coverWarningDays), sufficientDays: try intSetting(.coverSufficientDays),
            marginPercent: try intSetting(.earlyWarningPercent))
    }
}
