/// What the sweep looks at once per business day, on its first run after the day ends: the day's
/// health scores, kept overall and per channel, warehouse and ship-to region (`health_degraded` when a
/// component stays below grade C for `health.degraded_days` days), and the channels' payloads over the
/// last 7 days (`channel_drift`, as `report.intake` finds it).
struct DailyChecks {
    var healthOpened = 0, healthCleared = 0
    var driftOpened = 0, driftCleared = 0

    /// Grade C starts at 70.
    static let degradedBelow: Int64 = 70
    /// Days of scores kept: enough for any `health.degraded_days`.
    static let keptDays: Int64 = 90

    /// Runs the checks unless they ran for the business day that ended last (nil then).
    static func run(_ ctx: CommandContext) throws -> DailyChecks? {
        let yesterday = try ctx.businessDay(ctx.at) - 1
        if let done = try ctx.store.watermark("sweep.daily"), done >= yesterday { return nil }
        try ctx.store.setWatermark("sweep.daily", yesterday)
        var checks = DailyChecks()
        try checks.scoreHealth(ctx, day: yesterday)
        (checks.driftOpened, checks.driftCleared) = try IntakeReview(
            ctx, from: ctx.at - 7 * 86_400_000, to: ctx.at, channel: nil
        ).updateAlerts(ctx)
        return checks
    }

    /// Keeps the day's scores (backlog and stuck orders as they stand now, just after the day), then
    /// opens `health_degraded` for each component below grade C on each of the last days and clears
    /// it for each that is not.
    private mutating func scoreHealth(_ ctx: CommandContext, day: Int64) throws {
        let time = try ctx.businessTime()
        let report = try HealthReport(ctx, from: time.instant(day: day), to: time.instant(day: day + 1), verify: false)
        try ctx.store.saveHealthScores(day: day, report.componentScores)
        try ctx.store.pruneHealthScores(before: day - DailyChecks.keptDays)
        let days = try ctx.intSetting(.healthDegradedDays)
        var degraded: [String: Store.HealthScore] = [:]
        for s in try ctx.store.degradedHealth(lastDay: day, days: days, below: DailyChecks.degradedBelow) {
            degraded[s.scope == "overall" ? "overall:\(s.component)" : "\(s.scope):\(s.name):\(s.component)"] = s
        }
        for ref in try ctx.store.openAlertRefs(kind: "health_degraded") where degraded[ref] == nil {
            try ctx.store.clearRefAlerts(kind: "health_degraded", ref: ref, at: ctx.at)
            healthCleared += 1
        }
        for (ref, s) in degraded.sorted(by: { $0.key < $1.key }) {
            let opened = try ctx.store.openAlert(
                kind: "health_degraded", ref: ref, at: ctx.at,
                details: [
                    "scope": .string(s.scope), "name": .string(s.name), "component": .string(s.component),
                    "days": .int(days), "worst_score": .int(s.score),
                    "grade": .string(HealthComponent.grade(s.score)),
                ])
            if opened { healthOpened += 1 }
        }
    }
}
