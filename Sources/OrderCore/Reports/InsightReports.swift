/// Operations insight: how far orders get (`report.funnel`), where they go (`report.regions`), what is
/// bought together (`report.basket`) and who picks and packs them (`report.pickers`).
/// docs/reports.md defines every figure.
enum InsightCommands {
    static let all = [funnel, regions, basket, pickers, intake]

    static let funnel = Command(
        "report.funnel", .read,
        "How far the orders placed in a period got: placed → paid → shipped → delivered, and how many were "
            + "cancelled, expired unpaid or returned (from, to, channel)",
        arguments: Argument.period("orders were placed in") + [
            Argument("channel", .code, "Only this channel's orders")
        ],
        result: ["from", "to", "channel", "stages"]
    ) { ctx, f in
        let (from, to) = try f.period(at: ctx.at)
        let channel = try f.code("channel")
        try f.finish()
        let n = try ctx.store.funnel(from: from, to: to, channel: channel)
        // Each stage's rate is of the stage before it; each drop-off's of the orders placed.
        let stages: [(String, Int64, Int64, String?)] = [
            ("placed", n.placed, n.placed, nil), ("paid", n.paid, n.placed, "placed"),
            ("shipped", n.shipped, n.paid, "paid"), ("delivered", n.delivered, n.shipped, "shipped"),
            ("cancelled", n.cancelled, n.placed, "placed"), ("expired", n.expired, n.placed, "placed"),
            ("returned", n.returned, n.placed, "placed"),
        ]
        return [
            "from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to)), "channel": .optional(channel),
            "stages": .array(
                stages.map { stage, orders, base, of in
                    [
                        "stage": .string(stage), "orders": .int(orders), "rate": HealthReport.rate(orders, base),
                        "of": .optional(of),
                    ]
                }),
        ]
    }

    static let regions = Command(
        "report.regions", .read,
        "Orders paid in a period by ship-to country, region or city: orders, GMV, units and hours from payment to "
            + "the first parcel out (from, to, level, channel)",
        arguments: Argument.period("orders were paid in") + [
            Argument(
                "level", .code, "Group by country, region (default) or city",
                choices: Store.RegionLevel.allCases.map(\.rawValue)),
            Argument("channel", .code, "Only this channel's orders"),
        ],
        result: ["from", "to", "level", "rows"]
    ) { ctx, f in
        let (from, to) = try f.period(at: ctx.at)
        let levelName = try f.code("level") ?? "region"
        let channel = try f.code("channel")
        try f.finish()
        guard let level = Store.RegionLevel(rawValue: levelName) else {
            throw OrderCoreError.invalid("level must be country, region or city, not '\(levelName)'", field: "level")
        }
        let rows = try ctx.store.regions(from: from, to: to, level: level, channel: channel)
        return [
            "from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to)),
            "level": .string(level.rawValue),
            "channel": .optional(channel),
            "rows": .array(
                rows.map { r in
                    let exponent = Money.exponent(of: r.currency)
                    return [
                        "region": .optional(r.region), "currency": .string(r.currency), "orders": .int(r.orders),
                        "gmv": .string(Money.format(r.gmv, exponent: exponent)), "units": .int(r.units),
                        "shipped_orders": .int(r.shippedOrders),
                        "avg_ship_hours": r.shippedOrders > 0
                            ? HealthReport.hours(r.paidToShippedMillis / r.shippedOrders) : .null,
                    ]
                }),
        ]
    }

    static let basket = Command(
        "report.basket", .read,
        "SKU pairs bought together in the orders paid in a period, most frequent first: orders, support, "
            + "confidence, lift (from, to, min_orders, limit)",
        arguments: Argument.period("orders were paid in") + [
            Argument("min_orders", .integer, "Only pairs in at least this many orders (default 2)"),
            Argument("limit", .integer, "At most this many pairs (default 100)"),
        ],
        result: ["from", "to", "orders", "pairs"]
    ) { ctx, f in
        let (from, to) = try f.period(at: ctx.at)
        let minOrders = try f.int("min_orders", min: 1) ?? 2
        let limit = try f.int("limit", min: 1, max: 10_000) ?? 100
        try f.finish()
        let (orders, pairs) = try ctx.store.basket(from: from, to: to, minOrders: minOrders, limit: limit)
        return [
            "from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to)), "orders": .int(orders),
            "pairs": .array(
                pairs.map { p in
                    // support = P(a and b), confidence = P(b | a), lift = P(a and b) / (P(a) P(b)).
                    let (lift, overflow) = p.orders.multipliedReportingOverflow(by: orders)
                    return [
                        "a": .string(p.a), "b": .string(p.b), "orders": .int(p.orders),
                        "support": HealthReport.rate(p.orders, orders),
                        "confidence": HealthReport.rate(p.orders, p.ordersWithA),
                        "lift": overflow ? .null : HealthReport.rate(lift, p.ordersWithA * p.ordersWithB),
                    ]
                }),
        ]
    }

    static let pickers = Command(
        "report.pickers", .read,
        "Who picked and packed in a period: orders, units, pack failures, error rate and orders per hour, best "
            + "first (from, to)",
        arguments: Argument.period(),
        result: ["from", "to", "rows"]
    ) { ctx, f in
        let (from, to) = try f.period(at: ctx.at)
        try f.finish()
        // Orders per active hour: distinct orders picked or packed, per clock hour with any of it (tenths).
        let ranked = try ctx.store.pickers(from: from, to: to).map { r in
            (r, tenthsPerHour: r.activeHours > 0 ? (r.orders * 10 + r.activeHours / 2) / r.activeHours : 0)
        }.sorted { a, b in
            let (ea, eb) = (
                a.0.packFailures * (b.0.packs + b.0.packFailures), b.0.packFailures * (a.0.packs + a.0.packFailures)
            )
            return (b.tenthsPerHour, ea, a.0.actor) < (a.tenthsPerHour, eb, b.0.actor)
        }
        return [
            "from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to)),
            "rows": .array(
                ranked.map { r, tenthsPerHour in
                    [
                        "actor": .string(r.actor), "orders_picked": .int(r.ordersPicked),
                        "orders_packed": .int(r.ordersPacked), "units": .int(r.units),
                        "pack_failures": .int(r.packFailures),
                        "error_rate": HealthReport.rate(r.packFailures, r.packs + r.packFailures),
                        "active_hours": .int(r.activeHours),
                        "orders_per_hour": .string(Money.format(tenthsPerHour, exponent: 1)),
                    ]
                }),
        ]
    }

    static let intake = Command(
        "report.intake", .read,
        "Per channel, the events received in a period: dead-letter rate, payload sizes, and the payload fields that "
            + "appeared or disappeared since the period before (from, to, channel)",
        arguments: Argument.period("events were received in") + [
            Argument("channel", .code, "One channel")
        ],
        result: ["from", "to", "channels"]
    ) { ctx, f in
        let (from, to) = try f.period(at: ctx.at)
        let channel = try f.code("channel")
        let upToNow = !f.has("to")
        try f.finish()
        let review = try IntakeReview(ctx, from: from, to: to, channel: channel)
        // Up to now, the answer also opens and clears the channels' `channel_drift` alerts (a read
        // restarted as a write only when one changes); the sweep does the same once a day.
        if upToNow { _ = try review.updateAlerts(ctx) }
        return [
            "from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to)),
            "channels": .array(review.rows),
        ]
    }
}

/// Per channel, the events received in a period against the period before (`report.intake`), and the
/// channels drifting: new or missing payload fields, or a spike of dead letters.
struct IntakeReview {
    var rows: [JSON] = []
    var drifting: [String: JSON] = [:]
    /// The channels with events in the period.
    var channels: [String] = []

    init(_ ctx: CommandContext, from: Int64, to: Int64, channel: String?) throws {
        let now = try ctx.store.intakeTallies(from: from, to: to, channel: channel)
        let before = try ctx.store.intakeTallies(from: from - (to - from), to: from, channel: channel)
        let limit = try ctx.intSetting(.maxPayloadBytes)
        channels = now.keys.sorted()
        for name in channels {
            guard let t = now[name] else { continue }
            // Drift needs a period before to compare with: a channel new in this one has none.
            let earlier = before[name]?.fields ?? []
            let added = earlier.isEmpty ? [] : t.fields.subtracting(earlier).sorted()
            let dropped = earlier.isEmpty ? [] : earlier.subtracting(t.fields).sorted()
            // Dead letters spike: at least 10 % of the events and twice the share of the period before.
            let was = before[name].map { ($0.deadLetters, $0.events) } ?? (0, 0)
            let spike =
                t.deadLetters > 0 && t.deadLetters * 10 >= t.events && t.deadLetters * was.1 >= 2 * was.0 * t.events
            if !added.isEmpty || !dropped.isEmpty || spike {
                drifting[name] = [
                    "new_fields": .array(added.prefix(20).map(JSON.string)),
                    "missing_fields": .array(dropped.prefix(20).map(JSON.string)),
                    "dead_letter_spike": .bool(spike),
                ]
            }
            rows.append([
                "channel": .string(name), "events": .int(t.events), "dead_letters": .int(t.deadLetters),
                "dead_letter_rate": HealthReport.rate(t.deadLetters, t.events),
                "payload_bytes": [
                    "p50": .int(t.bytesP50), "p95": .int(t.bytesP95), "max": .int(t.bytesMax), "limit": .int(limit),
                ],
                "new_fields": .array(added.prefix(100).map(JSON.string)),
                "missing_fields": .array(dropped.prefix(100).map(JSON.string)),
                "last_event_at": .string(Timestamp.format(t.lastEventAt)),
            ])
        }
    }

    /// Opens `channel_drift` for each channel that drifts and clears it for each that no longer does.
    func updateAlerts(_ ctx: CommandContext) throws -> (opened: Int, cleared: Int) {
        var opened = 0, cleared = 0
        for name in channels {
            let open = try ctx.store.hasOpenRefAlert(kind: "channel_drift", ref: name)
            if let details = drifting[name], !open {
                try ctx.requireWrite()
                try ctx.store.openAlert(kind: "channel_drift", ref: name, at: ctx.at, details: details)
                opened += 1
            } else if drifting[name] == nil, open {
                try ctx.requireWrite()
                try ctx.store.clearRefAlerts(kind: "channel_drift", ref: name, at: ctx.at)
                cleared += 1
            }
        }
        return (opened, cleared)
    }
}
