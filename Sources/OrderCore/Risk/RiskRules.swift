/// The fraud rules as data: which rules run, their points and thresholds, and the score thresholds of
/// the decision (docs/risk.md). A rule set is JSON; `risk.rules_set` validates and versions it, and each
/// decision records the version it used.
struct RiskRules: Equatable {
    /// The same thresholds and rules (`on` is made from them).
    static func == (a: RiskRules, b: RiskRules) -> Bool {
        (a.review, a.hold, a.reject) == (b.review, b.hold, b.reject) && a.rules == b.rules
    }

    struct Rule: Equatable {
        var enabled = true
        var points: Int64
        /// Rule-specific numbers and lists, validated by `RiskRules.init`.
        var values: [String: Double] = [:]
        /// Amounts given per currency (`RiskRules.amountKeys`), in place of their one figure in `values`.
        var perCurrency: [String: [String: Double]] = [:]
        /// Words, each looked for as its `searchBytes` (`forms`: the Kelvin sign's lower case is "k").
        var words: [String] = [] { didSet { forms = words.map(\.searchBytes) } }
        private(set) var forms: [[UInt8]] = []

        init(points: Int64, values: [String: Double] = [:], words: [String] = []) {
            (self.points, self.values, self.words) = (points, values, words)
            forms = words.map(\.searchBytes)
        }

        /// An amount in whole units of `currency`: its figure for that currency (else `"other"`, else 0) when
        /// given per currency, as the returns thresholds are (`Setting.money`), else its one figure.
        func amount(_ key: String, currency: String) -> Double {
            guard let figures = perCurrency[key] else { return values[key] ?? 0 }
            return figures[currency] ?? figures["other"] ?? 0
        }

        /// The first of the words that `text` contains, both in their `searchBytes` (`ＨＯＴＥＬ`, `Hôtel` and
        /// `酒 店` contain `hotel` and `酒店`), searched for byte by byte: UTF-8 lets a whole character's bytes
        /// match only at a character's start, and the form has no combining marks left to split one.
        func firstWord(in text: String) -> String? {
            let bytes = text.searchBytes
            return zip(words, forms).first { Rule.find($1, in: bytes) }?.0
        }

        private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
            guard !needle.isEmpty else { return true }
            guard needle.count <= haystack.count else { return false }
            return (0...haystack.count - needle.count).contains { i in
                haystack[i] == needle[0] && haystack[i..<i + needle.count].elementsEqual(needle)
            }
        }
    }

    var review: Int64 = 50
    var hold: Int64 = 85
    var reject: Int64 = 101  // above 100: never, unless configured
    var rules: [String: Rule] { didSet { on = Enabled(rules) } }
    /// The rules that run, each found without hashing its name for every order scored (one reference: a rule set
    /// is copied as cheaply as before).
    private(set) var on: Enabled

    final class Enabled: Sendable {
        let addressKeywords, velocity, priceAnomaly, newAccount, sharedDevice, duplicateOrder, returnsAbuse,
            codRefusals, chargebacks, channelRisk: Rule?

        init(_ rules: [String: Rule]) {
            func on(_ name: String) -> Rule? { rules[name].flatMap { $0.enabled ? $0 : nil } }
            (addressKeywords, velocity, priceAnomaly, newAccount, sharedDevice) = (
                on("address_keywords"), on("velocity"), on("price_anomaly"), on("new_account"), on("shared_device")
            )
            (duplicateOrder, returnsAbuse, codRefusals, chargebacks, channelRisk) = (
                on("duplicate_order"), on("returns_abuse"), on("cod_refusals"), on("chargebacks"), on("channel_risk")
            )
        }
    }

    /// Every rule with its default points and settings.
    static let defaults = RiskRules(rules: [
        // Alone, each of the three field scenarios acts: a risky address on an order of 500 or more
        // is reviewed (50); many orders from one phone or device to scattered addresses (50 + 35) and a
        // line 85 % off with nothing explaining it (85) are held.
        "address_keywords": Rule(
            points: 50, values: ["min_amount": 500],
            words: [
                "hotel", "motel", "hostel", "internet cafe", "cyber cafe", "parcel locker", "p.o. box", "po box",
                "酒店", "宾馆", "旅馆", "网吧", "网咖", "快递柜", "丰巢", "驿站",
                "賓館", "旅館", "網吧", "網咖", "快遞櫃", "豐巢", "驛站",  // as Hong Kong and Taiwan write them
            ]),
        "velocity": Rule(
            points: 50,
            values: ["window_minutes": 60, "max_orders": 5, "scattered_addresses": 3, "scattered_points": 35]),
        "price_anomaly": Rule(
            points: 85, values: ["discount_percent": 85], words: ["clearance", "promotion", "employee", "gift"]),
        "new_account": Rule(points: 25, values: ["within_minutes": 10, "high_value": 300, "high_value_points": 20]),
        "shared_device": Rule(points: 25, values: ["customers": 3, "window_days": 30]),
        "duplicate_order": Rule(points: 20),
        "returns_abuse": Rule(points: 30, values: ["return_rate": 0.5, "min_orders": 3, "flag_points": 40]),
        // Refused at the door, a cash-on-delivery parcel costs its shipping both ways and sells nothing.
        "cod_refusals": Rule(points: 50, values: ["min_refusals": 1]),
        // A buyer whose bank took back an earlier payment (a chargeback open or lost) may do it again.
        "chargebacks": Rule(points: 50, values: ["min_chargebacks": 1]),
        // The channel's own fraud analysis (Shopify's), or a payment gateway's, says so (`risk.report`): high is
        // held, medium reviewed.
        "channel_risk": Rule(points: 85, values: ["medium_points": 50]),
    ])

    /// The numbers each rule accepts (anything else is refused), with their allowed range.
    static let ranges: [String: [String: ClosedRange<Double>]] = [
        "address_keywords": ["min_amount": 0...1e12],
        "velocity": [
            "window_minutes": 1...10_080, "max_orders": 1...10_000, "scattered_addresses": 2...1_000,
            "scattered_points": 0...100,
        ],
        "price_anomaly": ["discount_percent": 1...100],
        "new_account": ["within_minutes": 0...525_600, "high_value": 0...1e12, "high_value_points": 0...100],
        "shared_device": ["customers": 2...10_000, "window_days": 1...3_650],
        "duplicate_order": [:],
        "returns_abuse": ["return_rate": 0...100, "min_orders": 1...10_000, "flag_points": 0...100],
        "cod_refusals": ["min_refusals": 1...10_000],
        "chargebacks": ["min_chargebacks": 1...10_000],
        "channel_risk": ["medium_points": 0...100],
    ]

    /// The numbers that are amounts of money: one figure for every currency, or an object per currency.
    static let amountKeys: Set<String> = ["min_amount", "high_value"]

    /// Reads a rule set: every member optional (defaults fill the rest), unknown names refused.
    init(_ f: Fields) throws(OrderCoreError) {
        self = RiskRules.defaults
        if let t = try f.object("thresholds") {
            review = try t.int("review", min: 1, max: 101) ?? review
            hold = try t.int("hold", min: 1, max: 101) ?? hold
            reject = try t.int("reject", min: 1, max: 101) ?? reject
            try t.finish()
            guard review <= hold, hold <= reject else {
                throw .invalid("thresholds must satisfy review <= hold <= reject", field: "rules.thresholds")
            }
        }
        if let r = try f.object("rules") {
            for name in r.keys {
                guard var rule = rules[name], let ranges = RiskRules.ranges[name] else {
                    throw .invalid(
                        "\(r.name(name)) is not a rule; rules: \(rules.keys.sorted().joined(separator: ", "))",
                        field: r.name(name))
                }
                guard let spec = try r.object(name) else { continue }
                rule.enabled = try spec.bool("enabled") ?? rule.enabled
                rule.points = try spec.int("points", min: 0, max: 100) ?? rule.points
                for (key, range) in ranges {
                    guard let v = spec.value(key) else { continue }
                    func number(_ v: JSON, _ field: String) throws(OrderCoreError) -> Double {
                        guard case .number(let text) = v, let number = Double(text), range.contains(number) else {
                            throw .invalid(
                                "\(field) must be a number in \(RiskRules.text(range.lowerBound))..."
                                    + "\(RiskRules.text(range.upperBound))"
                                    + (RiskRules.amountKeys.contains(key) ? ", or an object of currency: number" : ""),
                                field: field)
                        }
                        return number
                    }
                    if RiskRules.amountKeys.contains(key), case .object(let figures) = v, !figures.isEmpty {
                        var parsed: [String: Double] = [:]
                        for (currency, figure) in figures.pairs {
                            let field = "\(spec.name(key)).\(currency)"
                            parsed[currency == "other" ? currency : try Currency.check(currency, field: field)] =
                                try number(figure, field)
                        }
                        rule.perCurrency[key] = parsed
                        rule.values[key] = nil
                    } else {
                        rule.values[key] = try number(v, spec.name(key))
                        rule.perCurrency[key] = nil
                    }
                }
                for key in ["keywords", "explained_by_tags"] {
                    guard let v = spec.value(key) else { continue }
                    guard case .array(let items) = v, items.count <= 200 else {
                        throw .invalid(
                            "\(spec.name(key)) must be an array of at most 200 strings", field: spec.name(key))
                    }
                    rule.words = try items.enumerated().map { i, item throws(OrderCoreError) in
                        guard case .string(let word) = item, !word.isEmpty, word.count <= 100,
                            word.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
                        else {
                            throw .invalid(
                                "\(spec.name(key))[\(i)] must be a short text", field: "\(spec.name(key))[\(i)]")
                        }
                        return word.lowercased()
                    }
                }
                try spec.finish()
                rules[name] = rule
            }
            try r.finish()
        }
        try f.finish()
        on = Enabled(rules)
    }

    private init(rules: [String: Rule]) { (self.rules, on) = (rules, Enabled(rules)) }

    var json: JSON {
        var out = JSONObject()
        for name in rules.keys.sorted() {
            guard let rule = rules[name] else { continue }
            var spec: JSONObject = ["enabled": .bool(rule.enabled), "points": .int(rule.points)]
            for key in Set(rule.values.keys).union(rule.perCurrency.keys).sorted() {
                if let figures = rule.perCurrency[key] {
                    var object = JSONObject()
                    for currency in figures.keys.sorted() {
                        object[currency] = .number(RiskRules.text(figures[currency] ?? 0))
                    }
                    spec[key] = .object(object)
                } else {
                    spec[key] = .number(RiskRules.text(rule.values[key] ?? 0))
                }
            }
            if !rule.words.isEmpty {
                spec[name == "price_anomaly" ? "explained_by_tags" : "keywords"] = .array(rule.words.map(JSON.string))
            }
            out[name] = .object(spec)
        }
        return [
            "thresholds": ["review": .int(review), "hold": .int(hold), "reject": .int(reject)], "rules": .object(out),
        ]
    }

    static func text(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }

    func decision(_ score: Int64) -> RiskDecision {
        score >= reject ? .reject : score >= hold ? .hold : score >= review ? .review : .allow
    }
}
