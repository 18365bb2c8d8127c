/// The parts of the order health score (docs/reports.md): each is measured, scored 0–100 between
/// the value that scores 100 (`good`) and the one that scores 0 (`bad`), and weighted.
enum HealthComponent: String, CaseIterable, Sendable {
    case backlog, stuck, onTime = "on_time", packFailures = "pack_failures", returns, consistency, offHours =
        "off_hours"

    var defaultWeight: Int64 {
        switch self {
        case .backlog, .onTime: 20
        case .stuck, .consistency: 15
        case .packFailures, .returns, .offHours: 10
        }
    }

    /// Backlog in days of work, rates as fractions, consistency as hours of change-feed lag, off-hours
    /// as the number of bulk modifications.
    var scale: (good: Double, bad: Double) {
        switch self {
        case .backlog: (1, 3)
        case .stuck: (0, 0.10)
        case .onTime: (0.95, 0.70)
        case .packFailures: (0.01, 0.10)
        case .returns: (0.05, 0.25)
        case .consistency: (1, 24)
        case .offHours: (0, 2)
        }
    }

    static var defaultWeights: JSON {
        var weights = JSONObject()
        for c in allCases { weights[c.rawValue] = .int(c.defaultWeight) }
        return .object(weights)
    }

    /// 100 at `good` or better, 0 at `bad` or worse, linear between, rounded.
    func score(_ value: Double) -> Int64 {
        let (good, bad) = scale
        return Int64((100 * min(1, max(0, (bad - value) / (bad - good)))).rounded())
    }

    static func grade(_ score: Int64) -> String {
        switch score {
        case 90...: "A"
        case 80..<90: "B"
        case 70..<80: "C"
        case 60..<70: "D"
        default: "F"
        }
    }
}

/// What the health report counts for one group of orders (all, a channel, a warehouse).
struct HealthTally {
    var unprocessed: Int64 = 0
    var open: Int64 = 0
    var stuck: Int64 = 0
    var shipped: Int64 = 0
    var due: Int64 = 0
    var onTime: Int64 = 0
    var paidToShipped: [Int64] = []
    var packAttempts: Int64 = 0
    var weightHolds: Int64 = 0
    var scanFailures: Int64 = 0
    var returns: Int64 = 0
    var ledgerDifferences: Int64 = 0
}

enum HealthCommands {
    static let all = [health]

    /// Paid orders waiting for work: the backlog (and cash-on-delivery orders still `pending_payment`).
    static let unprocessedStates: Set<String> = ["paid", "allocated", "picking", "packed", "partially_shipped"]

    static let health = Command(
        "report.health", .read,
        "Order health for a period, overall and per channel, warehouse and ship-to region: backlog, stuck, "
            + "on-time shipping, pack failures, returns, consistency, off-hours bulk changes, and a weighted score "
            + "(from, to, verify)",
        arguments: Argument.period() + [
            Argument("verify", .boolean)
        ],
        result: ["from", "to", "score", "grade", "components", "channels", "warehouses", "regions", "daily"]
    ) { ctx, f in
        let (from, to) = try f.period(at: ctx.at)
        let verify = try f.bool("verify") ?? true
        try f.finish()
        return try HealthReport(ctx, from: from, to: to, verify: verify).json
    }
}

/// `report.health`: one pass over each source (orders paid, first shipments, open orders, pack
/// attempts, returns in the period), tallied overall, per channel and per warehouse at once.
struct HealthReport {
    let ctx: CommandContext
    let from: Int64, to: Int64
    let limitHours: Int64
    var overall = HealthTally()
    var channels: [String: HealthTally] = [:]
    var warehouses: [String: HealthTally] = [:]
    var regions: [String: HealthTally] = [:]
    /// Per business day of payment: orders paid, of them shipped, and their paid → shipped time.
    var daily: [Int64: (paid: Int64, shipped: Int64, millis: Int64)] = [:]
    /// Each order's subject, read once: the passes over shipments, parcels and returns mostly meet
    /// orders the pass over payments has seen. Subjects are interned (orders share a few dozen).
    var subjectOf: [Int64: Int32] = [:]
    var subjects: [Store.HealthSubject] = []
    var subjectIndex: [String: Int32] = [:]
    var consistency: JSONObject = [:]
    var lagHours: Double = 0
    var offHours: [JSON] = []

    init(_ ctx: CommandContext, from: Int64, to: Int64, verify: Bool) throws {
        self.ctx = ctx
        self.from = from
        self.to = to
        limitHours = try ctx.intSetting(.shipWithinHours)
        let time = try ctx.businessTime()
        let limit = limitHours * 3_600_000
        let now = ctx.at
        try ctx.store.eachOrderReadyToShip(from: from, to: to) { rowID, s, readyAt, shippedAt, state in
            let day = time.day(of: readyAt)
            daily[day, default: (0, 0, 0)].paid += 1
            if let shippedAt { daily[day]?.shipped += 1; daily[day]?.millis += shippedAt - readyAt }
            tally(remember(rowID, s)) { t in
                if let shippedAt {
                    t.paidToShipped.append(shippedAt - readyAt)
                    t.due += 1
                    if shippedAt - readyAt <= limit { t.onTime += 1 }
                } else if state != "cancelled", now - readyAt > limit {
                    t.due += 1  // late and still not shipped
                }
            }
        }
        try ctx.store.eachFirstShipment(from: from, to: to) { rowID in try tally(subject(of: rowID)) { $0.shipped += 1 }
        }
        let cutoffs = Dictionary(
            try ctx.stuckCutoffs().map { ($0.state.rawValue, $0.cutoff) }, uniquingKeysWith: { a, _ in a })
        let states = HealthCommands.unprocessedStates.union(cutoffs.keys).union([OrderState.pendingPayment.rawValue])
        try ctx.store.eachOrder(in: states.sorted()) { rowID, s, state, since, paysLater in
            let unprocessed =
                HealthCommands.unprocessedStates.contains(state)
                || paysLater && state == OrderState.pendingPayment.rawValue
            guard unprocessed || cutoffs[state] != nil else { return }
            tally(remember(rowID, s)) { t in
                if unprocessed { t.unprocessed += 1 }
                guard let cutoff = cutoffs[state] else { return }
                t.open += 1
                if since < cutoff { t.stuck += 1 }
            }
        }
        try ctx.store.eachPackAttempt(from: from, to: to) { rowID, outcome in
            try tally(subject(of: rowID)) { t in
                t.packAttempts += 1
                if outcome == .weightHold { t.weightHolds += 1 }
                if outcome == .scanFailed { t.scanFailures += 1 }
            }
        }
        try ctx.store.eachReturn(from: from, to: to) { rowID in try tally(subject(of: rowID)) { $0.returns += 1 } }
        try measureConsistency(verify: verify)
        try findOffHoursBulk(time)
    }

    /// Interns an order's subject and remembers it for the later passes.
    private mutating func remember(_ rowID: Int64, _ s: Store.HealthSubject) -> Int32 {
        let index: Int32
        if let known = subjectIndex[s.key] {
            index = known
        } else {
            index = Int32(subjects.count)
            subjects.append(s)
            subjectIndex[s.key] = index
        }
        subjectOf[rowID] = index
        return index
    }

    private mutating func subject(of rowID: Int64) throws -> Int32? {
        if let known = subjectOf[rowID] { return known }
        return try ctx.store.healthSubject(orderRowID: rowID).map { remember(rowID, $0) }
    }

    private mutating func tally(_ subject: Int32?, _ body: (inout HealthTally) -> Void) {
        guard let subject else { return }
        let s = subjects[Int(subject)]
        body(&overall)
        body(&channels[s.channel, default: HealthTally()])
        for w in s.warehouses { body(&warehouses[w, default: HealthTally()]) }
        if let r = s.region { body(&regions[r, default: HealthTally()]) }
    }

    /// Ledger against balances (`stock.verify`, unless `verify` is false: it reads the whole ledger)
    /// and how far behind each change-feed consumer is.
    private mutating func measureConsistency(verify: Bool) throws {
        if verify {
            let (checked, differences) = try ctx.stockDifferences()
            for d in differences {
                overall.ledgerDifferences += 1
                if let w = d["warehouse"]?.stringValue { warehouses[w, default: HealthTally()].ledgerDifferences += 1 }
            }
            consistency["checked"] = .int(Int64(checked))
            consistency["differences"] = .int(overall.ledgerDifferences)
        }
        let head = try ctx.store.feedHead()
        var consumers: [JSON] = []
        for c in try ctx.store.consumers() {
            let oldest = try ctx.store.oldestUnread(after: c.cursor)
            let hours = oldest.map { Double(max(0, ctx.at - $0)) / 3_600_000 } ?? 0
            lagHours = max(lagHours, hours)
            consumers.append([
                "consumer": .string(c.consumer), "lag": .int(head - c.cursor),
                "oldest_unread_at": oldest.map { .string(Timestamp.format($0)) } ?? .null,
                "lag_hours": .string(HealthReport.tenths(hours)),
            ])
        }
        consistency["consumers"] = .array(consumers)
        consistency["max_lag_hours"] = .string(HealthReport.tenths(lagHours))
    }

    private mutating func findOffHoursBulk(_ time: BusinessTime) throws {
        let threshold = try ctx.intSetting(.offHoursChanges)
        offHours = try ctx.store.offHoursChanges(
            from: from, to: to, time: time,
            startHour: try ctx.intSetting(.workStartsHour), endHour: try ctx.intSetting(.workEndsHour)
        )
        .filter { $0.changes >= threshold }
        .map {
            [
                "actor": .string($0.actor),
                "night_of": .string(String(Timestamp.format($0.night * 86_400_000).prefix(10))),
                "changes": .int($0.changes),
            ]
        }
    }

    // MARK: - Measures

    /// Days of work waiting: unprocessed orders over the orders shipped per day in the period.
    func backlogDays(_ t: HealthTally) -> Double? {
        if t.unprocessed == 0 { return t.shipped == 0 ? nil : 0 }
        guard t.shipped > 0 else { return .infinity }
        return Double(t.unprocessed) * Double(to - from) / (Double(t.shipped) * 86_400_000)
    }

    static func ratio(_ n: Int64, _ d: Int64) -> Double? { d == 0 ? nil : Double(n) / Double(d) }

    /// A rate to four decimals, rounded half up (the counts it comes from are beside it).
    static func rate(_ n: Int64, _ d: Int64) -> JSON {
        d == 0 ? .null : .string(Money.format((n * 20_000 + d) / (2 * d), exponent: 4))
    }

    static func tenths(_ value: Double) -> String { Money.format(Int64((value * 10).rounded()), exponent: 1) }

    static func hours(_ millis: Int64) -> JSON { .string(Money.format((millis + 180_000) / 360_000, exponent: 1)) }

    /// Mean and 90th percentile (nearest rank) of paid → shipped times.
    static func paidToShipped(_ t: HealthTally) -> (mean: JSON, p90: JSON) {
        guard !t.paidToShipped.isEmpty else { return (.null, .null) }
        let sorted = t.paidToShipped.sorted()
        let rank = (sorted.count * 9 + 9) / 10  // ceil(0.9 n)
        return (hours(sorted.reduce(0, +) / Int64(sorted.count)), hours(sorted[rank - 1]))
    }

    /// Each component's measured value (nil: nothing to judge in the period) for a group.
    func values(_ t: HealthTally, group: Group) -> [HealthComponent: Double] {
        var v: [HealthComponent: Double] = [:]
        v[.backlog] = backlogDays(t)
        v[.stuck] = HealthReport.ratio(t.stuck, t.open)
        v[.onTime] = HealthReport.ratio(t.onTime, t.due)
        v[.packFailures] = HealthReport.ratio(t.weightHolds + t.scanFailures, t.packAttempts)
        v[.returns] = HealthReport.ratio(t.returns, t.shipped)
        switch group {
        case .overall:
            // Nothing to judge without the ledger check and without feed consumers.
            let verified = consistency["differences"] != nil
            if verified || consistency["consumers"]?.arrayValue?.isEmpty == false {
                v[.consistency] = verified && t.ledgerDifferences > 0 ? .infinity : lagHours
            }
            v[.offHours] = Double(offHours.count)
        case .warehouse where consistency["differences"] != nil:
            v[.consistency] = t.ledgerDifferences > 0 ? .infinity : 0
        case .warehouse, .channel, .region: break
        }
        return v
    }

    enum Group: String { case overall, channel, warehouse, region }

    /// The weighted score of the components that have a value.
    func score(_ values: [HealthComponent: Double], weights: JSONObject) -> Int64? {
        var total = 0.0, weight = 0.0
        for (c, value) in values {
            let w = Double(weights[c.rawValue]?.intValue ?? c.defaultWeight)
            total += w * Double(c.score(value))
            weight += w
        }
        return weight > 0 ? Int64((total / weight).rounded()) : nil
    }

    /// Every component's score, overall and per channel, warehouse and region (what the sweep keeps).
    var componentScores: [Store.HealthScore] {
        var scores: [Store.HealthScore] = []
        func add(_ group: Group, _ name: String, _ t: HealthTally) {
            for (c, value) in values(t, group: group) {
                scores.append(
                    Store.HealthScore(scope: group.rawValue, name: name, component: c.rawValue, score: c.score(value)))
            }
        }
        add(.overall, "", overall)
        for (name, t) in channels { add(.channel, name, t) }
        for (name, t) in warehouses { add(.warehouse, name, t) }
        for (name, t) in regions { add(.region, name, t) }
        return scores
    }

    // MARK: - Document

    var json: JSON {
        get throws {
            let weights = try ctx.value(of: .healthWeights).objectValue ?? JSONObject()
            let values = values(overall, group: .overall)
            let score = score(values, weights: weights)
            let (mean, p90) = HealthReport.paidToShipped(overall)
            let t = overall
            let measures: [(HealthComponent, String, JSONObject)] = [
                (
                    .backlog, "days",
                    [
                        "unprocessed": .int(t.unprocessed), "shipped": .int(t.shipped),
                        "shipped_per_day": .string(
                            HealthReport.tenths(Double(t.shipped) * 86_400_000 / Double(to - from))),
                    ]
                ),
                (.stuck, "rate", ["stuck": .int(t.stuck), "open": .int(t.open)]),
                (
                    .onTime, "rate",
                    [
                        "on_time": .int(t.onTime), "due": .int(t.due), "limit_hours": .int(limitHours),
                        "avg_paid_to_shipped_hours": mean, "p90_paid_to_shipped_hours": p90,
                    ]
                ),
                (
                    .packFailures, "rate",
                    [
                        "attempts": .int(t.packAttempts), "scan_failures": .int(t.scanFailures),
                        "weight_holds": .int(t.weightHolds),
                    ]
                ),
                (.returns, "rate", ["returns": .int(t.returns), "shipped": .int(t.shipped)]),
                (.consistency, "lag hours", consistency),
                (
                    .offHours, "bulk changes",
                    ["threshold": .int(try ctx.intSetting(.offHoursChanges)), "bulk": .array(offHours)]
                ),
            ]
            let components: [JSON] = measures.map { c, unit, details in
                let value = values[c]
                let s = value.map(c.score)
                return [
                    "component": .string(c.rawValue),
                    "value": shown(c, value, t), "unit": .string(unit),
                    "score": s.map(JSON.int) ?? .null, "grade": s.map { .string(HealthComponent.grade($0)) } ?? .null,
                    "weight": weights[c.rawValue] ?? .int(c.defaultWeight), "details": .object(details),
                ]
            }
            return [
                "from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to)),
                "score": score.map(JSON.int) ?? .null,
                "grade": score.map { .string(HealthComponent.grade($0)) } ?? .null,
                "components": .array(components),
                "channels": .array(channels.keys.sorted().map { row($0, channels[$0]!, .channel, weights) }),
                "warehouses": .array(
                    warehouses.keys.sorted().map { row($0, warehouses[$0]!, .warehouse, weights) }),
                "regions": .array(regions.keys.sorted().map { row($0, regions[$0]!, .region, weights) }),
                "daily": .array(
                    daily.keys.sorted().map { day in
                        let d = daily[day]!
                        return [
                            "day": .string(String(Timestamp.format(day * 86_400_000).prefix(10))), "paid": .int(d.paid),
                            "shipped": .int(d.shipped),
                            "avg_paid_to_shipped_hours": d.shipped > 0
                                ? HealthReport.hours(d.millis / d.shipped) : .null,
                        ]
                    }),
            ]
        }
    }

    /// A component's value as shown: days and hours to one decimal, rates to four, counts whole.
    func shown(_ c: HealthComponent, _ value: Double?, _ t: HealthTally) -> JSON {
        guard let value else { return .null }
        switch c {
        case .backlog:  // nothing shipped: score 0
            return value.isInfinite ? .null : .string(HealthReport.tenths(value))
        case .consistency: return consistency["max_lag_hours"] ?? .null
        case .stuck: return HealthReport.rate(t.stuck, t.open)
        case .onTime: return HealthReport.rate(t.onTime, t.due)
        case .packFailures: return HealthReport.rate(t.weightHolds + t.scanFailures, t.packAttempts)
        case .returns: return HealthReport.rate(t.returns, t.shipped)
        case .offHours: return .int(Int64(value))
        }
    }

    /// One channel's, warehouse's or region's line: its score and each measure.
    func row(_ name: String, _ t: HealthTally, _ group: Group, _ weights: JSONObject) -> JSON {
        let values = values(t, group: group)
        let score = score(values, weights: weights)
        let (mean, p90) = HealthReport.paidToShipped(t)
        var row: JSONObject = [
            group.rawValue: .string(name), "score": score.map(JSON.int) ?? .null,
            "grade": score.map { .string(HealthComponent.grade($0)) } ?? .null,
            "backlog_days": shown(.backlog, values[.backlog], t),
            "stuck_rate": HealthReport.rate(t.stuck, t.open), "on_time_rate": HealthReport.rate(t.onTime, t.due),
            "avg_paid_to_shipped_hours": mean, "p90_paid_to_shipped_hours": p90,
            "pack_failure_rate": HealthReport.rate(t.weightHolds + t.scanFailures, t.packAttempts),
            "return_rate": HealthReport.rate(t.returns, t.shipped),
        ]
        if group == .warehouse, consistency["differences"] != nil {
            row["ledger_differences"] = .int(t.ledgerDifferences)
        }
        return .object(row)
    }
}
