/// `report.sales`: the one definition of sales (docs/reports.md). An order is sold on the business day it
/// is **fully paid**, once, whatever happens to it later; GMV is the grand total of those orders (goods
/// less every discount, plus shipping, plus tax where prices exclude it); refunds are the money given
/// back in the period, on the day it was given back; net = GMV − refunds. Money never mixes currencies.
enum SalesCommands {
    static let all = [sales]

    static let sales = Command(
        "report.sales", .read,
        "Sales of orders paid in a period: GMV, discounts, shipping, refunds, net, orders, units, average order value "
            + "(from, to, by = day|channel|sku|total, channel)",
        arguments: Argument.period("orders were paid in") + [
            Argument(
                "by", .code, "Rows per day, channel, sku or one total", choices: ["day", "channel", "sku", "total"]),
            Argument("channel", .code),
        ],
        result: ["from", "to", "by", "channel", "rows", "totals"]
    ) { ctx, f in
        let (from, to) = try f.period(at: ctx.at)
        let by = try f.choice("by", of: Store.SalesGrouping.self) ?? .day
        let channel = try f.code("channel")
        try f.finish()
        let rows = try ctx.store.sales(from: from, to: to, by: by, channel: channel, time: try ctx.businessTime())
        var totals: [String: Store.SalesRow] = [:]
        for r in rows {
            var t = totals[r.currency] ?? Store.SalesRow(currency: r.currency, key: "total")
            for member in [\Store.SalesRow.orders, \.units, \.gross, \.discounts, \.shipping, \.gmv, \.refunds] {
                let (sum, overflow) = t[keyPath: member].addingReportingOverflow(r[keyPath: member])
                guard !overflow else {
                    throw OrderCoreError.invalid(
                        "the \(r.currency) totals are larger than 64 bits can hold; ask for a shorter period or one "
                            + "channel"
                    )
                }
                t[keyPath: member] = sum
            }
            totals[r.currency] = t
        }
        return [
            "from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to)), "by": .string(by.rawValue),
            "channel": .optional(channel),
            "rows": .array(by == .total ? [] : rows.map { json($0, key: by.rawValue) }),
            "totals": .array(totals.keys.sorted().compactMap { totals[$0].map { json($0, key: nil) } }),
        ]
    }

    private static func json(_ r: Store.SalesRow, key: String?) -> JSON {
        let e = Money.exponent(of: r.currency)
        func money(_ m: Int64) -> JSON { .string(Money.format(m, exponent: e)) }
        var out: JSONObject = [:]
        if let key { out[key] = .string(r.key) }
        out["currency"] = .string(r.currency)
        out["orders"] = .int(r.orders)
        out["units"] = .int(r.units)
        out["gross"] = money(r.gross)
        if key == "sku" {
            // Per SKU only what its lines carry: order-level discounts and shipping belong to orders.
            out["line_discounts"] = money(r.discounts)
            out["value"] = money(r.gmv)
            return .object(out)
        }
        out["discounts"] = money(r.discounts)
        out["shipping"] = money(r.shipping)
        out["gmv"] = money(r.gmv)
        out["refunds"] = money(r.refunds)
        out["net"] = money(r.gmv - r.refunds)  // both are sums of non-negative amounts: no overflow
        // Average order value, rounded half up to the currency's minor unit (no product that can overflow).
        out["average_order_value"] = money(
            r.orders > 0 ? r.gmv / r.orders + (r.gmv % r.orders >= r.orders - r.gmv % r.orders ? 1 : 0) : 0)
        return .object(out)
    }
}
