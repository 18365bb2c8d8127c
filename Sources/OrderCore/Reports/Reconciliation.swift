/// `reconcile.payments`: a payment gateway's settlement file against what OrderCore recorded. Each
/// gateway row is matched by its reference to a payment or refund; the result lists rows the gateway
/// has and OrderCore has not, payments OrderCore has in the period and the gateway has not, and amount
/// or type mismatches — with counts and totals per currency (docs/reports.md).
enum ReconcileCommands {
    static let all = [payments]

    static let defaultColumns = [
        "reference": "reference", "order": "order", "amount": "amount", "type": "type", "time": "time",
    ]

    static let payments = Command(
        "reconcile.payments", .read,
        "Compare a gateway CSV with recorded payments and refunds (csv, columns = {reference, order, amount, type, "
            + "time}, from, to, limit)",
        arguments: [
            Argument(
                "csv", .file, "The gateway's settlement file (CSV text); the shell reads it from the file named",
                required: true, positional: true),
            Argument(
                "columns", .object,
                "Which gateway columns hold reference, order, amount, type, time ({\"reference\":\"Ref\",...})"),
            Argument("from", .time),
            Argument("to", .time),
            .limit,
        ],
        result: ["rows", "period", "matched", "missing_in_ordercore", "missing_at_gateway", "mismatches", "details"],
        shellNames: [
            "reference": "columns.reference", "order": "columns.order", "amount": "columns.amount",
            "type": "columns.type",
            "time": "columns.time",
        ]
    ) { ctx, f in
        guard case .string(let text)? = f.value("csv") else {
            throw OrderCoreError.invalid("csv is required: the gateway file's text", field: "csv")
        }
        var columns = defaultColumns
        if let c = try f.object("columns") {
            for key in c.keys {
                guard columns[key] != nil else {
                    throw OrderCoreError.invalid(
                        "\(c.name(key)) is not a column role; roles: "
                            + "\(defaultColumns.keys.sorted().joined(separator: ", "))",
                        field: c.name(key))
                }
                columns[key] = try c.text(key, maxLength: 100)
            }
            try c.finish()
        }
        let givenFrom = try f.time("from")
        let givenTo = try f.time("to")
        let limit = Int(try f.int("limit", min: 1, max: 100_000) ?? 1_000)
        try f.finish()
        let rows = try CSV.records(text)
        guard let header = rows.first?.keys, let refColumn = columns["reference"], header.contains(refColumn),
            let amountColumn = columns["amount"], header.contains(amountColumn)
        else {
            throw OrderCoreError.invalid(
                "the file needs the columns \(columns["reference"] ?? "") and \(columns["amount"] ?? "") (map others "
                    + "with columns)",
                field: "csv")
        }

        var matched = Tally(), missingHere = Tally(), missingThere = Tally(), mismatched = Tally()
        var listed: [String: [JSON]] = ["missing_in_ordercore": [], "missing_at_gateway": [], "mismatches": []]
        func list(_ key: String, _ item: JSON) {
            if (listed[key]?.count ?? 0) < limit { listed[key, default: []].append(item) }
        }
        var seen = Set<String>()
        var earliest = Int64.max, latest = Int64.min
        for (i, row) in rows.enumerated() {
            let line = i + 2
            guard let ref = row[refColumn]?.stringValue?.trimmed, !ref.isEmpty else {
                throw OrderCoreError.invalid("row \(line) has no \(refColumn)", field: "csv")
            }
            guard seen.insert(ref).inserted else {
                throw OrderCoreError.invalid("row \(line): reference \(ref) appears twice", field: "csv")
            }
            let type =
                (columns["type"].flatMap { row[$0]?.stringValue } ?? "payment").lowercased().hasPrefix("refund")
                ? "refund" : "payment"
            if let t = columns["time"].flatMap({ row[$0]?.stringValue }).flatMap({
                Timestamp.parse($0) ?? Timestamp.parse($0 + "Z")
            }) {
                earliest = min(earliest, t); latest = max(latest, t)
            }
            let recorded = try ctx.store.payment(ref: ref)
            let currency = try recorded?.currency ?? ctx.stringSetting(.defaultCurrency)
            let amountText = row[amountColumn]?.stringValue?.trimmed ?? ""
            guard let signed = Money.parse(amountText, exponent: Money.exponent(of: currency)) else {
                throw OrderCoreError.invalid(
                    "row \(line): amount \"\(amountText.prefix(40))\" is not an amount in \(currency)", field: "csv")
            }
            let amount = abs(signed)  // gateways write refunds as negative amounts or as a type; both mean money back
            let order = columns["order"].flatMap { row[$0]?.stringValue }
            guard let recorded else {
                try missingHere.add(currency, amount)
                list(
                    "missing_in_ordercore",
                    [
                        "reference": .string(ref), "order": .optional(order), "type": .string(type),
                        "amount": .string(Money.format(amount, exponent: Money.exponent(of: currency))),
                        "row": .int(line),
                    ])
                continue
            }
            let e = Money.exponent(of: recorded.currency)
            if recorded.amount != amount || recorded.kind != type {
                try mismatched.add(recorded.currency, try Tally.difference(amount, recorded.amount))
                list(
                    "mismatches",
                    [
                        "reference": .string(ref), "order_id": .string(recorded.orderID), "row": .int(line),
                        "gateway": ["type": .string(type), "amount": .string(Money.format(amount, exponent: e))],
                        "ordercore": [
                            "type": .string(recorded.kind),
                            "amount": .string(Money.format(recorded.amount, exponent: e)),
                        ],
                    ])
            } else {
                try matched.add(recorded.currency, amount)
            }
        }
        // What OrderCore recorded in the period that the gateway does not list. Without from/to the period
        // is the business days the file covers (a gateway stamps a payment a little after it happened).
        let time = try ctx.businessTime()
        let from = givenFrom ?? (earliest == .max ? .min : time.instant(day: time.day(of: earliest)))
        let to = givenTo ?? (latest == .min ? .max : time.instant(day: time.day(of: latest) + 1) - 1)
        try ctx.store.eachPayment(from: from, to: to) { p in
            guard !(p.ref.map(seen.contains) ?? false) else { return }
            try missingThere.add(p.currency, p.amount)
            list(
                "missing_at_gateway",
                [
                    "reference": .optional(p.ref), "order_id": .string(p.orderID), "type": .string(p.kind),
                    "amount": .string(Money.format(p.amount, exponent: Money.exponent(of: p.currency))),
                    "at": .string(Timestamp.format(p.at)),
                ])
        }
        return [
            "rows": .int(rows.count),
            "period": [
                "from": from == .min ? .null : .string(Timestamp.format(from)),
                "to": to == .max ? .null : .string(Timestamp.format(to)),
            ],
            "matched": matched.json, "missing_in_ordercore": missingHere.json, "missing_at_gateway": missingThere.json,
            "mismatches": mismatched.json,
            "details": [
                "missing_in_ordercore": .array(listed["missing_in_ordercore"] ?? []),
                "missing_at_gateway": .array(listed["missing_at_gateway"] ?? []),
                "mismatches": .array(listed["mismatches"] ?? []),
            ],
        ]
    }

    /// A count and money totals per currency.
    struct Tally {
        var count: Int64 = 0
        var totals: [String: Int64] = [:]
        /// - Throws: `invalid_input` when a total leaves 64-bit money (a gateway file with absurd amounts).
        mutating func add(_ currency: String, _ amount: Int64) throws(OrderCoreError) {
            let (total, overflow) = totals[currency, default: 0].addingReportingOverflow(amount)
            guard !overflow else {
                throw .invalid("the \(currency) total of the gateway file overflows 64-bit money", field: "csv")
            }
            count += 1
            totals[currency] = total
        }
        static func difference(_ a: Int64, _ b: Int64) throws(OrderCoreError) -> Int64 {
            let (d, overflow) = a.subtractingReportingOverflow(b)
            guard !overflow else {
                throw .invalid(
                    "an amount of the gateway file is too far from the recorded one for 64-bit money", field: "csv")
            }
            return d
        }

        var json: JSON {
            var money = JSONObject()
            for c in totals.keys.sorted() {
                money[c] = .string(Money.format(totals[c] ?? 0, exponent: Money.exponent(of: c)))
            }
            return ["count": .int(count), "amounts": .object(money)]
        }
    }
}
