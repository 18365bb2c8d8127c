enum RiskCommands {
    static let all = [assess, get, queue, review, report, listSet, lists, rulesGet, rulesSet, shadow]

    static let get = Command(
        "risk.get", .read,
        "An order's risk decision: score, reasons with points, rule-set version, review, the verdicts reported on it "
            + "(order_id)",
        arguments: [
            .orderID
        ],
        result: [
            "score", "decision", "rules_version", "assessed_at", "reasons", "review", "reports", "order_id", "state",
        ],
        aliases: ["risk show"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        try f.finish()
        let order = try ctx.requireOrder(id)
        var result = (try ctx.store.risk(orderRowID: order.rowID))?.objectValue ?? ["decision": "unscored"]
        result["reports"] = .array(try ctx.store.riskReports(orderRowID: order.rowID).map(\.json))
        result["order_id"] = .string(id)
        result["state"] = .string(order.state.rawValue)
        return .object(result)
    }

    static let assess = Command(
        "risk.assess", .write,
        "Score an order with the current rules and store the decision with its reasons (order_id; dry_run = score "
            + "only)",
        arguments: [
            .orderID,
            Argument("dry_run", .boolean, "Score without recording or holding"),
        ]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let dryRun = try f.bool("dry_run") ?? false
        try f.finish()
        let order = try ctx.requireOrder(id)
        let a = try ctx.assessRisk(order)
        // An order waiting for a person's review leaves the queue by `risk.review` alone: a new score recorded
        // over its decision would take it out unreviewed (and leave a risk hold nobody could lift).
        if !dryRun, let pending = try ctx.store.risk(orderRowID: order.rowID), Self.waitsForReview(pending) {
            throw OrderCoreError(
                .conflict,
                "order \(id) waits for a risk review: risk.review decides it (dry_run scores it again without "
                    + "recording)",
                details: ["order_id": .string(id), "reason": "risk_review_pending"])
        }
        if !dryRun {
            try ctx.store.setRisk(orderRowID: order.rowID, a.json(at: ctx.at), queue: a.queued?.rawValue)
        }
        var result = a.json(at: ctx.at).objectValue ?? [:]
        result["order_id"] = .string(id)
        result["dry_run"] = .bool(dryRun)
        return .object(result)
    }

    static let queue = Command(
        "risk.queue", .read, "Orders waiting for a risk review, oldest first, with their decision and reasons (limit)",
        arguments: [
            .limit
        ],
        result: ["total", "orders"]
    ) { ctx, f in
        let limit = try f.int("limit", min: 1, max: 1_000) ?? 50
        try f.finish()
        return [
            "total": .int(try ctx.store.riskQueueCount()),
            "orders": .array(
                try ctx.store.riskQueue(limit: Int(limit)).map { entry in
                    [
                        "order_id": .string(entry.orderID), "state": .string(entry.state),
                        "score": entry.risk["score"] ?? .null,
                        "decision": entry.risk["decision"] ?? .null, "assessed_at": entry.risk["assessed_at"] ?? .null,
                        "reasons": entry.risk["reasons"] ?? .null,
                    ]
                }),
        ]
    }

    static let review = Command(
        "risk.review", .write,
        "A supervisor's decision on a queued order (order_id, decision = approve|reject, reason): approval releases a "
            + "risk hold, rejection cancels",
        role: .supervisor,
        arguments: [
            .orderID,
            Argument("decision", .code, required: true, positional: true, choices: ["approve", "reject"]),
            Argument("reason", .text, required: true, positional: true),
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let decisionName = try f.requiredCode("decision")
        let reason = try f.requiredReason("", maxLength: 1_000)
        try f.finish()
        guard let decision = ReviewDecision(rawValue: decisionName) else {
            throw OrderCoreError.invalid("decision must be approve or reject", field: "decision")
        }
        var order = try ctx.requireOrder(id)
        guard let stored = try ctx.store.risk(orderRowID: order.rowID), Self.waitsForReview(stored),
            var risk = stored.objectValue
        else {
            throw OrderCoreError(
                .conflict, "order \(id) is not waiting for a risk review", details: ["order_id": .string(id)])
        }
        risk["review"] = [
            "decision": .string(decision.rawValue), "by": .string(ctx.actor), "reason": .string(reason),
            "at": .string(Timestamp.format(ctx.at)),
        ]
        try ctx.store.setRisk(
            orderRowID: order.rowID, .object(risk), queue: decision == .approve ? "approved" : "rejected")
        if decision == .approve {
            if order.state == .onHold, order.holdReason?.hasPrefix(CommandContext.riskHoldPrefix) == true {
                ctx.releasingRiskHold = true
                defer { ctx.releasingRiskHold = false }
                _ = try FulfillmentCommands.release.run(
                    ctx,
                    Fields([
                        "order_id": .string(id), "reason": .string("risk review approved by \(ctx.actor): \(reason)"),
                    ]))
            } else {
                try ctx.record(
                    order, from: order.state, command: "risk.review",
                    details: ["decision": "approve", "reason": .string(reason)])
            }
        } else if order.state != .cancelled {
            _ = try OrderCommands.cancel.run(
                ctx,
                Fields(["order_id": .string(id), "reason": .string("risk review rejected by \(ctx.actor): \(reason)")]))
        }
        return try ctx.document(try ctx.requireOrder(id))
    }

    /// A decision to review or hold that no person has reviewed yet.
    static func waitsForReview(_ risk: JSON) -> Bool {
        let decision = risk["decision"]?.stringValue
        return (decision == RiskDecision.review.rawValue || decision == RiskDecision.hold.rawValue)
            && risk["review"] == nil
    }

    static let listSet = Command(
        "risk.list_set", .write,
        "Put an identifier on the allow or block list, or off both (kind = phone|email|device|ip|customer|address, "
            + "value, list = allow|block|none, note)",
        role: .supervisor,
        arguments: [
            Argument(
                "kind", .code, "What the value is", required: true, positional: true,
                choices: ["phone", "email", "device", "ip", "customer", "address"]),
            Argument(
                "value", .text, "The phone, e-mail, IP (each kept by its key), device id... listed",
                required: true, positional: true),
            Argument(
                "list", .code,
                "allow or block (null: remove the "
                    + "entry)", positional: true, choices: ["allow", "block"]),
            Argument("note", .text),
        ],
        result: ["kind", "value", "list"],
        aliases: ["risk list"]
    ) { ctx, f in
        let kind = try f.requiredCode("kind")
        guard let value = try f.text("value", maxLength: 500), !value.isEmpty else {
            throw OrderCoreError.invalid("value is required", field: "value")
        }
        let given = try f.code("list")
        let list = given == "none" ? nil : given
        let note = try f.text("note", maxLength: 500)
        try f.finish()
        guard Identifier.kinds.contains(kind) else {
            throw OrderCoreError.invalid(
                "kind must be one of \(Identifier.kinds.joined(separator: ", "))", field: "kind")
        }
        if let list, list != "allow", list != "block" {
            throw OrderCoreError.invalid("list must be allow, block or none", field: "list")
        }
        // Listed by its key: it matches however an order writes it.
        guard let normalized = Identifier.key(kind, value) else {
            throw OrderCoreError.invalid(
                "\(kind) '\(value)' names no one (a phone needs five digits, unmasked)", field: "value")
        }
        try ctx.store.setRiskList(kind: kind, value: normalized, list: list, note: note, at: ctx.at)
        return ["kind": .string(kind), "value": .string(normalized), "list": .optional(list)]
    }

    static let lists = Command(
        "risk.lists", .read, "Show the allow and block lists",
        arguments: [],
        result: ["entries"]
    ) { ctx, f in
        try f.finish()
        return ["entries": .array(try ctx.store.riskLists())]
    }

    static let rulesGet = Command(
        "risk.rules_get", .read, "Show the current risk rule set and its version",
        arguments: [],
        result: ["version", "rules"],
        aliases: ["risk rules"]
    ) { ctx, f in
        try f.finish()
        let (version, rules) = try ctx.store.riskRules()
        return ["version": .int(version), "rules": rules.json]
    }

    static let rulesSet = Command(
        "risk.rules_set", .write,
        "Change risk rules and thresholds (rules = {thresholds, rules}; members left out keep their defaults); stores "
            + "a new version",
        role: .admin,
        arguments: [
            Argument("rules", .object, required: true)
        ]
    ) { ctx, f in
        guard let spec = try f.object("rules") else {
            throw OrderCoreError.invalid("rules is required", field: "rules")
        }
        let rules = try RiskRules(spec)
        try f.finish()
        let version = try ctx.store.saveRiskRules(rules, at: ctx.at, actor: ctx.actor)
        return ["version": .int(version), "rules": rules.json]
    }

    static let shadow = Command(
        "risk.shadow", .read,
        "Score recent orders with a candidate rule set without acting: how decisions would change (rules, limit)",
        arguments: [
            Argument("rules", .object, "The candidate rules to compare with the current ones", required: true),
            .limit,
        ],
        result: ["orders", "decisions", "changed"]
    ) { ctx, f in
        guard let spec = try f.object("rules") else {
            throw OrderCoreError.invalid("rules is required", field: "rules")
        }
        let candidate = try RiskRules(spec)
        let limit = try f.int("limit", min: 1, max: 100_000) ?? 1_000
        try f.finish()
        var counts: [RiskDecision: Int64] = [:]
        var changed: [JSON] = []
        for rowID in try ctx.store.recentOrderRowIDs(limit: Int(limit)) {
            guard let order = try ctx.store.order(rowID: rowID) else { continue }
            let a = try ctx.assessRisk(order, rules: (-1, candidate))
            counts[a.decision, default: 0] += 1
            let stored = try ctx.store.risk(orderRowID: rowID)?["decision"]?.stringValue ?? "unscored"
            if stored != a.decision.rawValue, changed.count < 100 {
                changed.append([
                    "order_id": .string(order.orderID), "now": .string(stored),
                    "would_be": .string(a.decision.rawValue),
                    "score": .int(a.score),
                ])
            }
        }
        var byDecision = JSONObject()
        for decision in RiskDecision.allCases { byDecision[decision.rawValue] = .int(counts[decision] ?? 0) }
        return [
            "orders": .int(counts.values.reduce(0, +)), "decisions": .object(byDecision), "changed": .array(changed),
        ]
    }
}
