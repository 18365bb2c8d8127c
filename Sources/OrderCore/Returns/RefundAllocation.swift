/// How an order's money is spread over its lines, so that any return — of any units, in any number
/// of parts — is refunded exactly what those units cost the buyer. Pure arithmetic.
///
/// Order-level discounts (per kind: coupon, promotion, points, other) and the shipping fee are
/// allocated to lines in proportion to each line's value after its own discount (the shipping of goods all
/// given for nothing by their units), by largest remainder, so every allocation sums exactly to the
/// order's amount. A `shipping` discount (a
/// free-shipping code) comes off the shipping first (`OrderTotals.offShipping`): the goods cost what
/// they cost. A line's **cash** is what the buyer paid for it in money (its value less every discount
/// share, plus its tax when prices exclude tax); its **points** share was paid in points. Discounts beyond
/// the goods' value come off the shipping; points among them paid for shipping (`shippingPoints`), and come
/// back with it, spread over the lines as the shipping is. Units are
/// refunded cumulatively — the refund of units `r+1...r+k` of a line is `floor(x·(r+k)/qty) −
/// floor(x·r/qty)` — so all the line's units together refund exactly `x`, never a cent more, whatever
/// the order of partial returns.
struct RefundAllocation {
    struct Line: Equatable {
        var lineNo: Int64
        var sku: String
        var qty: Int64
        var gross: Int64
        var lineDiscount: Int64
        /// Shares of the order-level discounts, by kind.
        var discountShares: [String: Int64]
        var shipping: Int64
        /// Its share of the points that paid for shipping.
        var shippingPoints: Int64
        var tax: Int64
        /// Paid in money for the whole line (the refundable value).
        var cash: Int64
        /// Paid in points for the whole line.
        var points: Int64
        /// A coupon's share (restored only when `returns.restore_coupons` says so).
        var coupon: Int64 { discountShares["coupon"] ?? 0 }
    }

    struct Refund: Equatable {
        var cash: Int64 = 0
        /// Points given back, those that paid for shipping included.
        var points: Int64 = 0
        var shipping: Int64 = 0
        /// Of `points`, those that paid for shipping.
        var shippingPoints: Int64 = 0
        var coupon: Int64 = 0
        var tax: Int64 = 0

        /// Adds `other` to this refund.
        static func += (refund: inout Self, other: Self) {
            refund.cash += other.cash; refund.points += other.points; refund.shipping += other.shipping
            refund.shippingPoints += other.shippingPoints; refund.coupon += other.coupon; refund.tax += other.tax
        }
    }

    var lines: [Line]
    var shipping: Int64
    /// Points that paid for shipping: the part of the points discount beyond the goods' value.
    var shippingPoints: Int64

    /// - Parameters:
    ///   - discounts: order-level discounts as (kind, amount).
    ///   - shipping: the shipping fee plus, when prices exclude tax, its tax.
    init(lines: [OrderLine], discounts: [(kind: String, amount: Int64)], shipping: Int64, taxesIncluded: Bool) {
        let values = lines.map { $0.qty &* $0.unitPrice &- $0.lineDiscount }
        var byKind: [String: Int64] = [:]
        for d in discounts { byKind[d.kind, default: 0] &+= d.amount }
        let offShipping = OrderTotals.offShipping(byKind["shipping"] ?? 0, shipping: shipping)
        byKind["shipping"] = (byKind["shipping"] ?? 0) - offShipping
        if byKind["shipping"] == 0 { byKind["shipping"] = nil }
        // Discounts beyond the goods' value come off the shipping, so no line refunds less than nothing.
        let kinds = byKind.keys.sorted()
        let amounts = kinds.map { byKind[$0] ?? 0 }
        let onGoods = OrderTotals.onGoods(amounts, goods: values.reduce(0, &+))
        var shares: [String: [Int64]] = [:]
        for (kind, amount) in zip(kinds, onGoods) { shares[kind] = OrderTotals.allocate(amount, by: values) }
        let shipping = shipping - offShipping - (amounts.reduce(0, &+) - onGoods.reduce(0, &+))
        // Goods given for nothing (free samples) still carry their shipping, by the unit.
        let weights = values.contains { $0 > 0 } ? values : lines.map(\.qty)
        let shippingShares = OrderTotals.allocate(shipping, by: weights)
        let shippingPoints = kinds.firstIndex(of: "points").map { amounts[$0] - onGoods[$0] } ?? 0
        let shippingPointsShares = OrderTotals.allocate(shippingPoints, by: weights)
        self.shipping = shipping
        self.shippingPoints = shippingPoints
        self.lines = lines.enumerated().map { i, l in
            var lineShares: [String: Int64] = [:]
            for (kind, s) in shares where s[i] != 0 { lineShares[kind] = s[i] }
            let points = lineShares["points"] ?? 0
            let discounted = lineShares.values.reduce(Int64(0), &+)
            return Line(
                lineNo: l.lineNo, sku: l.sku, qty: l.qty, gross: l.qty &* l.unitPrice, lineDiscount: l.lineDiscount,
                discountShares: lineShares, shipping: shippingShares[i], shippingPoints: shippingPointsShares[i],
                tax: l.tax,
                cash: values[i] &- discounted &+ (taxesIncluded ? 0 : l.tax), points: points)
        }
    }

    /// The refund of `units` more units of a line of which `already` were refunded before.
    /// - Parameter withShipping: also its share of the shipping fee (seller-fault reasons), and of the points
    ///   that paid for it.
    static func refund(_ line: Line, units: Int64, already: Int64, withShipping: Bool) -> Refund {
        func part(_ x: Int64) -> Int64 { cumulative(x, line.qty, already + units) - cumulative(x, line.qty, already) }
        let shippingPoints = withShipping ? part(line.shippingPoints) : 0
        return Refund(
            cash: part(line.cash), points: part(line.points) + shippingPoints,
            shipping: withShipping ? part(line.shipping) : 0, shippingPoints: shippingPoints,
            coupon: part(line.coupon), tax: part(line.tax))
    }

    /// floor(x · n / qty) without overflow (x and n·x may exceed 64 bits only in the product).
    private static func cumulative(_ x: Int64, _ qty: Int64, _ n: Int64) -> Int64 {
        guard qty > 0 else { return 0 }
        let (high, low) = x.multipliedFullWidth(by: min(max(n, 0), qty))
        return qty.dividingFullWidth((high, low)).quotient
    }
}

extension RefundAllocation.Line {
    /// The explanation `return.get` shows for the line.
    func json(_ money: (Int64) -> JSON) -> JSON {
        var shares = JSONObject()
        for kind in discountShares.keys.sorted() { shares[kind] = money(discountShares[kind] ?? 0) }
        return [
            "line_no": .int(lineNo), "sku": .string(sku), "qty": .int(qty), "gross": money(gross),
            "line_discount": money(lineDiscount),
            "discount_shares": .object(shares), "shipping_share": money(shipping),
            "shipping_points_share": money(shippingPoints), "tax": money(tax),
            "net_cash": money(cash), "net_points": money(points),
            // The first unit's refund; the cumulative rounding gives the cents left over to later units.
            "unit_net_cash": money(RefundAllocation.refund(self, units: 1, already: 0, withShipping: false).cash),
        ]
    }
}
