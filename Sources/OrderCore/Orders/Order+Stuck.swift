extension CommandContext {
    /// Per state with a limit: an order entered before the cutoff has stayed too long.
    func stuckCutoffs() throws -> [(state: OrderState, cutoff: Int64)] {
        let limits = try value(of: .stateLimitHours).objectValue ?? JSONObject()
        return limits.pairs.compactMap { key, hours in
            guard let state = OrderState(rawValue: key), let hours = hours.intValue else { return nil }
            return (state, at - hours * 3_600_000)
        }.sorted { $0.state.rawValue < $1.state.rawValue }
    }
}

enum ReportCommands {
    static let all = [alerts]

    static let alerts = Command("report.alerts", .read,
        "Everything that needs a person: open alerts and stuck orders with how long and since when (limit)") { ctx, f in
        let limit = Int(try f.int("limit", min: 1, max: 1_000) ?? 100)
        try f.finish()
        let limits = try ctx.value(of: .stateLimitHours).objectValue ?? JSONObject()
        let stuck = try ctx.store.listOrders(Store.OrderFilter(stuck: try ctx.stuckCutoffs(), longestInState: true), limit: limit)
            .map { o -> JSON in
                let since = o.stateSince ?? o.updatedAt
                return ["kind": "stuck_order", "order_id": .string(o.orderID), "state": .string(o.state.rawValue),
                        "since": .string(Timestamp.format(since)), "hours": .string(Money.format((ctx.at - since) / 360_000, exponent: 1)),
                        "limit_hours": limits[o.state.rawValue] ?? .null, "channel": .string(o.channel)]
            }
        return ["stuck_orders": .array(stuck), "alerts": .array(try ctx.store.alerts(openOnly: true, limit: limit))]
    }
}
