/// A fraud verdict on an order from outside OrderCore: a channel's own fraud analysis (Shopify's risk
/// assessments), a payment gateway's (Stripe Radar), a fraud service's. One per source; a newer one replaces it.
/// The gravest counts in the order's score (rule `channel_risk`): high is held, medium reviewed.
struct RiskReport {
    enum Level: String, CaseIterable, Comparable {
        case none, low, medium, high

        private var rank: Int {
            switch self {
            case .none: 0
            case .low: 1
            case .medium: 2
            case .high: 3
            }
        }
        static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }

    var source: String
    var level: Level
    var message: String?
    var reportedAt: Int64

    var json: JSON {
        [
            "source": .string(source), "level": .string(level.rawValue), "message": .optional(message),
            "reported_at": .string(Timestamp.format(reportedAt)),
        ]
    }
}

extension RiskCommands {
    static let report = Command(
        "risk.report", .write,
        "Record a fraud verdict on an order from outside OrderCore — a channel's fraud analysis, a payment "
            + "gateway's (order_id, source, level = high|medium|low|none, message): high holds an order that has not "
            + "shipped, medium queues it for review",
        role: .supervisor,
        arguments: [
            .orderID,
            Argument(
                "source", .code, "Who says so (shopify, stripe-radar): one verdict each, a newer one replaces it",
                required: true, positional: true),
            Argument(
                "level", .code, "high, medium, low or none", required: true, positional: true,
                choices: RiskReport.Level.allCases.map(\.rawValue)),
            Argument("message", .text, "Why, in the source's words (placed from an anonymous proxy)"),
        ],
        result: OrderDetail.members
    ) { ctx, f in try ctx.reportRisk(f) }
}

extension CommandContext {
    /// `risk.report`: records the verdict (the timeline names it) and scores an order that has not shipped again
    /// with it. A lower verdict lifts nothing: a hold stands until a person reviews the order (`risk.review`).
    func reportRisk(_ f: Fields) throws -> JSON {
        let id = try f.requiredCode("order_id")
        let source = try f.requiredCode("source")
        guard let level = try f.choice("level", of: RiskReport.Level.self) else {
            throw OrderCoreError.invalid("level is required: high, medium, low or none", field: "level")
        }
        let message = try f.text("message", maxLength: 500)
        try f.finish()
        var order = try requireOrder(id)
        let before = try store.riskReports(orderRowID: order.rowID).first { $0.source == source }
        if let before, before.level == level, before.message == message {
            return try document(order, extra: ["duplicate": true])  // a redelivered report
        }
        let report = RiskReport(source: source, level: level, message: message, reportedAt: at)
        try store.save(report, orderRowID: order.rowID)
        var details = report.json.objectValue ?? [:]
        details["reported_at"] = nil
        if let before { details["was"] = .string(before.level.rawValue) }
        try transition(&order, to: order.state, command: "risk.report", details: .object(details)) { _ in }
        if OrderState.beforeShipment.contains(order.state) { try reassessRisk(&order) }
        return try document(order)
    }
}

extension Store {
    /// Records a verdict on an order, replacing that source's earlier one.
    func save(_ r: RiskReport, orderRowID: Int64) throws {
        try db.run(
            """
            INSERT INTO risk_reports(order_rowid, source, level, message, reported_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(order_rowid, source) DO UPDATE SET level = excluded.level, message = excluded.message,
                reported_at = excluded.reported_at
            """, .int(orderRowID), .text(r.source), .text(r.level.rawValue), .opt(r.message), .int(r.reportedAt))
    }

    /// The verdicts on an order, by source.
    func riskReports(orderRowID: Int64) throws -> [RiskReport] {
        var reports: [RiskReport] = []
        try db.rows(
            "SELECT source, level, message, reported_at FROM risk_reports WHERE order_rowid = ? ORDER BY source",
            .int(orderRowID)
        ) {
            reports.append(
                RiskReport(
                    source: $0.text(0), level: RiskReport.Level(rawValue: $0.text(1)) ?? .none,
                    message: $0.optText(2), reportedAt: $0.int(3)))
        }
        return reports
    }
}
