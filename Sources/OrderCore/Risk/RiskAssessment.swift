/// Scores an order against a rule set. Each rule that fires adds its points and a readable reason;
/// the total (at most 100) maps to allow / review / hold / reject. Runs inside the order's
/// transaction, so the order itself is counted by the velocity rules.
struct RiskAssessment {
    struct Reason { var rule: String; var points: Int64; var reason: String }

    var score: Int64 = 0
    var decision = "allow"
    var reasons: [Reason] = []
    var version: Int64 = 0

    func json(at: Int64) -> JSON {
        ["score": .int(score), "decision": .string(decision), "rules_version": .int(version), "assessed_at": .string(Timestamp.format(at)),
         "reasons": .array(reasons.map { ["rule": .string($0.rule), "points": .int($0.points), "reason": .string($0.reason)] })]
    }
}

extension CommandContext {
    static let riskHoldPrefix = "risk score"

    /// The identifiers allow and block lists can name, with the order's values.
    static let listKinds = ["phone", "email", "device", "ip", "customer", "address"]

    private func identifiers(_ o: Order) -> [(kind: String, value: String)] {
        let values: [(String, String?)] = [("phone", o.customer["phone"]), ("email", o.customer["email"]?.lowercased()),
                                           ("device", o.customer["device_id"]), ("ip", o.customer["ip"]), ("customer", o.customer["id"]),
                                           ("address", o.shipTo["line1"]?.lowercased())]
        return values.compactMap { kind, value in value.map { (kind, $0) } }
    }

    /// What an order consists of, when the caller has it in memory already (a new order).
    /// `stored` false: the order is not written yet, so the counts of its own kind add it.
    struct RiskFacts { var lines: [OrderLine]; var discounts: [OrderDiscount]; var warnings: [JSON]; var stored = true }

    /// Scores an order with `rules` (the current set unless given).
    func assessRisk(_ o: Order, rules given: (version: Int64, rules: RiskRules)? = nil, facts known: RiskFacts? = nil) throws -> RiskAssessment {
        let (version, rules) = try given ?? store.riskRules()
        var a = RiskAssessment(version: version)
        for (kind, value) in try store.hasRiskLists() ? identifiers(o) : [] {
            switch try store.riskList(kind: kind, value: value) {
            case "block":
                a.reasons = [.init(rule: "block_list", points: 100, reason: "\(kind) \(value) is on the block list")]
                a.score = 100
                a.decision = rules.decision(100)
                return a
            case "allow":
                a.reasons = [.init(rule: "allow_list", points: 0, reason: "\(kind) \(value) is on the allow list")]
                return a
            default: continue
            }
        }
        func rule(_ name: String) -> RiskRules.Rule? { rules.rules[name].flatMap { $0.enabled ? $0 : nil } }
        let facts = try known ?? RiskFacts(lines: store.lines(orderRowID: o.rowID), discounts: store.discounts(orderRowID: o.rowID),
                                           warnings: store.warnings(orderRowID: o.rowID))
        let itself: Int64 = facts.stored ? 0 : 1
        let unit = Double(Money.unit(exponent: o.exponent))
        let total = o.totals.grandTotal
        func money(_ m: Int64) -> String { Money.format(m, exponent: o.exponent) }

        if let r = rule("address_keywords"), Double(total) >= (r.values["min_amount"] ?? 0) * unit {
            let address = Order.addressFields.compactMap { o.shipTo[$0] }.joined(separator: " ").lowercased()
            if let word = r.words.first(where: { address.contains($0) }) {
                a.reasons.append(.init(rule: "address_keywords", points: r.points,
                                       reason: "ship-to mentions '\(word)' on an order of \(money(total)) (from \(RiskRules.text(r.values["min_amount"] ?? 0)))"))
            }
        }
        if let r = rule("velocity") {
            let window = Int64((r.values["window_minutes"] ?? 60) * 60_000)
            let limit = Int64(r.values["max_orders"] ?? 5)
            var worst: (who: String, column: String, value: String, count: Int64)?
            for (column, kind, value) in [("customer_phone", "phone", o.customer["phone"]), ("customer_email", "email", o.customer["email"]),
                                          ("device_id", "device", o.customer["device_id"]), ("ip", "IP", o.customer["ip"])] {
                guard let value else { continue }
                let count = try store.ordersWith(column: column, value: value, from: o.placedAt - window, to: o.placedAt) + itself
                if count >= limit, count > (worst?.count ?? 0) { worst = ("\(kind) \(value)", column, value, count) }
            }
            if let (who, column, value, count) = worst {
                let addresses = try store.addressesWith(column: column, value: value, from: o.placedAt - window, to: o.placedAt,
                                                        adding: facts.stored ? nil : o.shipTo)
                a.reasons.append(.init(rule: "velocity", points: r.points,
                                       reason: "\(who) placed \(count) orders within \(RiskRules.text(r.values["window_minutes"] ?? 60)) minutes (from \(limit))"))
                if addresses >= Int64(r.values["scattered_addresses"] ?? 3) {
                    a.reasons.append(.init(rule: "velocity_scattered", points: Int64(r.values["scattered_points"] ?? 0),
                                           reason: "to \(addresses) different addresses"))
                }
            }
        }
        if let r = rule("price_anomaly") {
            let promoted = facts.discounts.contains { $0.kind == "promotion" }
            let explained = promoted || o.tags.contains { r.words.contains($0.lowercased()) }
            let limit = r.values["discount_percent"] ?? 85
            if !explained, let line = facts.lines.first(where: { l in
                let gross = Double(l.qty) * Double(l.unitPrice)
                return gross > 0 && Double(l.lineDiscount) * 100 >= limit * gross
            }) {
                let percent = Int((Double(line.lineDiscount) * 100 / (Double(line.qty) * Double(line.unitPrice))).rounded())
                a.reasons.append(.init(rule: "price_anomaly", points: r.points,
                                       reason: "line \(line.lineNo) (\(line.sku)) is \(percent)% off with no promotion or tag explaining it (from \(RiskRules.text(limit))%)"))
            }
        }
        if let r = rule("new_account"), let created = o.accountCreatedAt {
            let minutes = r.values["within_minutes"] ?? 10
            let age = o.placedAt - created
            if age >= 0, Double(age) <= minutes * 60_000 {
                a.reasons.append(.init(rule: "new_account", points: r.points,
                                       reason: "the account was created \(age / 1_000) s before the order (within \(RiskRules.text(minutes)) minutes)"))
                if Double(total) >= (r.values["high_value"] ?? 0) * unit {
                    a.reasons.append(.init(rule: "new_account_high_value", points: Int64(r.values["high_value_points"] ?? 0),
                                           reason: "and it buys \(money(total)) at once (from \(RiskRules.text(r.values["high_value"] ?? 0)))"))
                }
            }
        }
        if let r = rule("shared_device") {
            let window = Int64((r.values["window_days"] ?? 30) * 86_400_000)
            let limit = Int64(r.values["customers"] ?? 3)
            for (column, kind, value) in [("device_id", "device", o.customer["device_id"]), ("ip", "IP", o.customer["ip"])] {
                guard let value else { continue }
                let customers = try store.customersWith(column: column, value: value, from: o.placedAt - window, to: o.placedAt,
                                                        adding: facts.stored ? nil : o.customer["id"])
                if customers >= limit {
                    a.reasons.append(.init(rule: "shared_device", points: r.points,
                                           reason: "\(kind) \(value) is used by \(customers) customers within \(RiskRules.text(r.values["window_days"] ?? 30)) days (from \(limit))"))
                    break
                }
            }
        }
        if let r = rule("duplicate_order"), facts.warnings.contains(where: { $0["code"] == "possible_duplicate" }) {
            a.reasons.append(.init(rule: "duplicate_order", points: r.points, reason: "same phone and SKUs as another order minutes apart"))
        }
        if let r = rule("returns_abuse"), let customer = o.customer["id"] ?? o.customer["phone"], try store.hasReturns(customer: customer) {
            let stats = try store.returnerStats(customer: customer)
            let orders = (stats["orders"]?.intValue ?? 0) + itself, returns = stats["returns"]?.intValue ?? 0
            if orders >= Int64(r.values["min_orders"] ?? 3), Double(returns) >= (r.values["return_rate"] ?? 0.5) * Double(orders) {
                a.reasons.append(.init(rule: "returns_abuse", points: r.points, reason: "\(returns) returns on \(orders) orders"))
            }
            if CommandContext.isFlagged(stats) {
                a.reasons.append(.init(rule: "returns_abuse_flags", points: Int64(r.values["flag_points"] ?? 0),
                                       reason: "earlier returns came back empty or with the wrong item"))
            }
        }
        a.score = min(100, a.reasons.reduce(0) { $0 + $1.points })
        a.decision = rules.decision(a.score)
        return a
    }

    /// Acts on a decision: `hold` puts the order on hold before any stock leaves, `reject` cancels it
    /// and releases its stock; `review` only queues it.
    func act(on a: RiskAssessment, _ order: inout Order) throws {
        let summary = a.reasons.map(\.reason).joined(separator: "; ")
        switch a.decision {
        case "hold":
            let from = order.state
            guard from.canHold else { return }
            try transition(&order, to: .onHold, command: "risk.hold", details: ["score": .int(a.score), "reasons": .string(summary)]) {
                $0.heldFrom = from
                $0.holdReason = "\(CommandContext.riskHoldPrefix) \(a.score): \(summary)"
            }
        case "reject":
            _ = try OrderCommands.cancel.run(self, Fields(["order_id": .string(order.orderID), "reason": .string("rejected by risk rules (score \(a.score)): \(summary)")]))
            order = try requireOrder(order.orderID)
        default: break
        }
    }
}

extension OrderState {
    /// States `order.hold` accepts.
    var canHold: Bool { (try? next("order.hold", orderID: "")) == .onHold }
}
