/// What the risk rules decide for an order (thresholds in `RiskRules`).
/// Decisions from the mildest to the gravest.
enum RiskDecision: String, CaseIterable, Comparable {
    case allow, review, hold, reject

    static func < (a: Self, b: Self) -> Bool { (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0) }
}

/// A person's decision on an order the rules queued (`risk.review`).
enum ReviewDecision: String {
    case approve, reject
}

/// An order's score: each rule that fired adds its points and a readable reason; the total (at most
/// 100) maps to a decision.
struct RiskAssessment {
    struct Reason { var rule: String; var points: Int64; var reason: String }

    var score: Int64 = 0
    var decision = RiskDecision.allow
    var reasons: [Reason] = []
    var version: Int64 = 0

    /// The decision when it puts the order in the review queue (anything but allow).
    var queued: RiskDecision? { decision == .allow ? nil : decision }

    func json(at: Int64) -> JSON {
        [
            "score": .int(score), "decision": .string(decision.rawValue), "rules_version": .int(version),
            "assessed_at": .string(Timestamp.format(at)),
            "reasons": .array(
                reasons.map { ["rule": .string($0.rule), "points": .int($0.points), "reason": .string($0.reason)] }),
        ]
    }

    /// `json(at:).serialized`, written straight out (a new order's row keeps it): no tree built for it.
    func text(at: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(128 + reasons.count * 128)
        func append(_ text: String) { out.append(contentsOf: text.utf8) }
        append(#"{"score":\#(score),"decision":"\#(decision.rawValue)","rules_version":\#(version),"assessed_at":""#)
        append(Timestamp.format(at))
        append(#"","reasons":["#)
        for (i, reason) in reasons.enumerated() {
            append(i == 0 ? #"{"rule":"# : #",{"rule":"#)
            JSON.writeString(reason.rule, to: &out)
            append(#","points":\#(reason.points),"reason":"#)
            JSON.writeString(reason.reason, to: &out)
            append("}")
        }
        append("]}")
        return String(decoding: out, as: UTF8.self)
    }
}

/// Everything the rules look at beyond the order itself, gathered from the store before they run
/// (`Store.riskFacts`), so that scoring is a pure function (`RiskRules.assess`). Counts include the
/// order being scored.
struct RiskFacts {
    /// The first of the order's identifiers on the allow or block list.
    var listed: (kind: String, value: String, list: String)?
    var lines: [OrderLine] = []
    var discounts: [OrderDiscount] = []
    var warnings: [JSON] = []
    /// Per identifier the order carries (phone, email, device, IP): its orders within the velocity
    /// window and, once they reach the limit, the distinct addresses they go to.
    var velocity: [(kind: String, value: String, orders: Int64, addresses: Int64?)] = []
    /// Per device and IP: the customers who used it within the window.
    var sharedBy: [(kind: String, value: String, customers: Int64)] = []
    /// The customer's returns record, when they have returned anything: `refusals` are parcels refused at
    /// the door (returns for `refused_delivery`).
    var returns: (orders: Int64, returns: Int64, flagged: Bool, refusals: Int64)?
    /// The buyer's chargebacks that take money back (open or lost), by any of the buyer's identifiers.
    var chargebacks: Int64 = 0
    /// The gravest fraud verdict on the order from outside OrderCore (`risk.report`), high or medium.
    var reported: RiskReport?
}

extension RiskRules {
    /// Scores an order from its facts; pure.
    func assess(_ o: Order, _ facts: RiskFacts, version: Int64) -> RiskAssessment {
        var a = RiskAssessment(version: version)
        let on = self.on
        if let (kind, value, list) = facts.listed {
            a.reasons = [
                .init(
                    rule: "\(list)_list", points: list == "block" ? 100 : 0,
                    reason: "\(kind) \(value) is on the \(list) list")
            ]
            a.score = a.reasons[0].points
            a.decision = decision(a.score)
            return a
        }
        let unit = Double(Money.unit(exponent: o.exponent))
        let total = o.totals.grandTotal
        func money(_ m: Int64) -> String { Money.format(m, exponent: o.exponent) }

        if let r = on.addressKeywords, Double(total) >= r.amount("min_amount", currency: o.currency) * unit {
            let address = Order.addressFields.compactMap { o.shipTo[$0] }.joined(separator: " ")
            if let word = r.firstWord(in: address) {
                let from = RiskRules.text(r.amount("min_amount", currency: o.currency))
                a.reasons.append(
                    .init(
                        rule: "address_keywords", points: r.points,
                        reason: "ship-to mentions '\(word)' on an order of \(money(total)) (from \(from))"))
            }
        }
        if let r = on.velocity,
            let worst = facts.velocity.filter({ $0.orders >= r.maxOrders }).max(by: { $0.orders < $1.orders })
        {
            let minutes = RiskRules.text(r.values["window_minutes"] ?? 60)
            a.reasons.append(
                .init(
                    rule: "velocity", points: r.points,
                    reason:
                        "\(worst.kind) \(worst.value) placed \(worst.orders) orders within \(minutes) minutes (from "
                        + "\(r.maxOrders))"
                ))
            if let addresses = worst.addresses, addresses >= Int64(r.values["scattered_addresses"] ?? 3) {
                a.reasons.append(
                    .init(
                        rule: "velocity_scattered", points: Int64(r.values["scattered_points"] ?? 0),
                        reason: "to \(addresses) different addresses"))
            }
        }
        if let r = on.priceAnomaly {
            let promoted = facts.discounts.contains { $0.kind == "promotion" }
            let explained = promoted || o.tags.contains { r.words.contains($0.lowercased()) }
            let limit = r.values["discount_percent"] ?? 85
            if !explained,
                let line = facts.lines.first(where: { l in
                    let gross = Double(l.qty) * Double(l.unitPrice)
                    return gross > 0 && Double(l.lineDiscount) * 100 >= limit * gross
                })
            {
                let percent = Int(
                    (Double(line.lineDiscount) * 100 / (Double(line.qty) * Double(line.unitPrice))).rounded())
                a.reasons.append(
                    .init(
                        rule: "price_anomaly", points: r.points,
                        reason: "line \(line.lineNo) (\(line.sku)) is \(percent)% off with no promotion or tag "
                            + "explaining it (from \(RiskRules.text(limit))%)"))
            }
        }
        if let r = on.newAccount, let created = o.accountCreatedAt {
            let minutes = r.values["within_minutes"] ?? 10
            let age = o.placedAt - created
            if age >= 0, Double(age) <= minutes * 60_000 {
                a.reasons.append(
                    .init(
                        rule: "new_account", points: r.points,
                        reason:
                            "the account was created \(age / 1_000) s before the order (within "
                            + "\(RiskRules.text(minutes)) minutes)"
                    ))
                let highValue = r.amount("high_value", currency: o.currency)
                if Double(total) >= highValue * unit {
                    a.reasons.append(
                        .init(
                            rule: "new_account_high_value", points: Int64(r.values["high_value_points"] ?? 0),
                            reason: "and it buys \(money(total)) at once (from \(RiskRules.text(highValue)))"
                        ))
                }
            }
        }
        if let r = on.sharedDevice,
            let shared = facts.sharedBy.first(where: { $0.customers >= r.sharedCustomers })
        {
            let days = RiskRules.text(r.values["window_days"] ?? 30)
            a.reasons.append(
                .init(
                    rule: "shared_device", points: r.points,
                    reason:
                        "\(shared.kind) \(shared.value) is used by \(shared.customers) customers within \(days) days "
                        + "(from \(r.sharedCustomers))"))
        }
        if let r = on.duplicateOrder, facts.warnings.contains(where: { $0["code"] == "possible_duplicate" }) {
            a.reasons.append(
                .init(
                    rule: "duplicate_order", points: r.points,
                    reason: "same phone and SKUs as another order minutes apart"))
        }
        if let r = on.returnsAbuse, let record = facts.returns {
            if record.orders >= Int64(r.values["min_orders"] ?? 3),
                Double(record.returns) >= (r.values["return_rate"] ?? 0.5) * Double(record.orders)
            {
                a.reasons.append(
                    .init(
                        rule: "returns_abuse", points: r.points,
                        reason: "\(record.returns) returns on \(record.orders) orders"))
            }
            if record.flagged {
                a.reasons.append(
                    .init(
                        rule: "returns_abuse_flags", points: Int64(r.values["flag_points"] ?? 0),
                        reason: "earlier returns came back empty or with the wrong item"))
            }
        }
        if let r = on.codRefusals, o.cashOnDelivery, let refusals = facts.returns?.refusals,
            refusals >= Int64(r.values["min_refusals"] ?? 1)
        {
            a.reasons.append(
                .init(
                    rule: "cod_refusals", points: r.points,
                    reason: "paid on delivery; \(refusals) earlier parcel\(refusals == 1 ? " was" : "s were") refused "
                        + "at the door"))
        }
        if let r = on.chargebacks, facts.chargebacks >= Int64(r.values["min_chargebacks"] ?? 1) {
            a.reasons.append(
                .init(
                    rule: "chargebacks", points: r.points,
                    reason: "the buyer's bank took back \(facts.chargebacks) earlier payment"
                        + "\(facts.chargebacks == 1 ? "" : "s") (chargebacks)"))
        }
        if let r = on.channelRisk, let report = facts.reported {
            a.reasons.append(
                .init(
                    rule: "channel_risk",
                    points: report.level == .high ? r.points : Int64(r.values["medium_points"] ?? 0),
                    reason: "\(report.source) rates it \(report.level.rawValue) risk"
                        + (report.message.map { ": \($0)" } ?? "")))
        }
        a.score = min(100, a.reasons.reduce(0) { $0 + $1.points })
        a.decision = decision(a.score)
        return a
    }
}

extension RiskRules.Rule {
    /// `velocity`: this many orders from one identifier within the window fire it.
    var maxOrders: Int64 { Int64(values["max_orders"] ?? 5) }
    /// `shared_device`: this many customers on one device or IP fire it.
    var sharedCustomers: Int64 { Int64(values["customers"] ?? 3) }
}

extension CommandContext {
    static let riskHoldPrefix = "risk score"
    /// The reason a risk hold carries: its score and the reasons of the rules that fired.
    static func riskHoldReason(score: Int64, reasons: [String]) -> String {
        "\(riskHoldPrefix) \(score): \(reasons.joined(separator: "; "))"
    }

    /// Scores an order with `rules` (the current set unless given): gathers its facts from the store,
    /// then applies the rules. `known`: the lines, discounts and warnings of an order not written yet, and its
    /// buyer's keys.
    func assessRisk(
        _ o: Order, rules given: (version: Int64, rules: RiskRules)? = nil,
        known: (lines: [OrderLine], discounts: [OrderDiscount], warnings: [JSON], keys: CustomerKeys)? = nil
    ) throws -> RiskAssessment {
        let (version, rules) = try given ?? store.riskRules()
        let facts = try store.riskFacts(
            o, keys: known?.keys, rules: rules, known: known.map { ($0.lines, $0.discounts, $0.warnings) })
        return rules.assess(o, facts, version: version)
    }

    /// Acts on a decision: `hold` puts the order on hold before any stock leaves, `reject` cancels it
    /// and releases its stock; `review` only queues it.
    func act(on a: RiskAssessment, _ order: inout Order) throws {
        let summary = a.reasons.map(\.reason).joined(separator: "; ")
        switch a.decision {
        case .hold:
            guard OrderState.holdable.contains(order.state) else { return }
            try hold(
                &order, reason: CommandContext.riskHoldReason(score: a.score, reasons: a.reasons.map(\.reason)),
                command: "risk.hold", details: ["score": .int(a.score), "reasons": .string(summary)])
        case .reject:
            let reason = "rejected by risk rules (score \(a.score)): \(summary)"
            _ = try OrderCommands.cancel.run(
                self, Fields(["order_id": .string(order.orderID), "reason": .string(reason)]))
            order = try requireOrder(order.orderID)
        case .allow, .review: break
        }
    }
}

extension CommandContext {
    /// Scores an order again when where it goes changed (the decision it had, a person's review too, was
    /// about the old address), its buyer's bank took back another of their payments (`order.dispute`), or a
    /// verdict on it came from outside (`risk.report`).
    /// One that now queues or holds it, and is graver than the one before or replaces a review, is recorded
    /// and acted on — a rejection holds the order for a person to decide, since it may be paid and picked.
    /// An order already held for a review keeps its place; one only queued for one is held when it now must be.
    func reassessRisk(_ order: inout Order) throws {
        guard try boolSetting(.riskEnabled) else { return }
        let stored = try store.risk(orderRowID: order.rowID)
        if stored?["decision"] == .string(RiskDecision.hold.rawValue), stored?["review"] == nil { return }
        var a = try assessRisk(order)
        let before = stored?["decision"]?.stringValue.flatMap(RiskDecision.init(rawValue:)) ?? .allow
        guard a.decision != .allow, a.decision > before || stored?["review"] != nil else { return }
        if a.decision == .reject { a.decision = .hold }
        try store.setRisk(orderRowID: order.rowID, a.json(at: at), queue: a.queued?.rawValue)
        try act(on: a, &order)
    }
}
