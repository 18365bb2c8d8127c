/// The money of an order, in minor units. Pure arithmetic with overflow checks: inputs come from
/// other programs, and a trap would kill the host.
struct OrderTotals: Equatable {
    var subtotal: Int64 = 0  // sum of qty x unit_price
    var lineDiscountTotal: Int64 = 0  // sum of line discounts
    var discountTotal: Int64 = 0  // order-level discounts (coupons, promotions, points)
    var shippingFee: Int64 = 0
    var shippingTax: Int64 = 0
    var feeTotal: Int64 = 0  // fees (gift wrap, surcharges), refunded like shipping
    var taxTotal: Int64 = 0  // line taxes + shipping tax
    var taxesIncluded = true
    var grandTotal: Int64 = 0  // what the buyer pays

    struct Line { var qty: Int64; var unitPrice: Int64; var lineDiscount: Int64; var tax: Int64 }

    /// grand_total = subtotal - line discounts - order discounts + shipping + fees (+ taxes when prices exclude them).
    /// - Throws: `invalid_input` when a line discount exceeds its line, discounts exceed what they
    ///   discount, or any sum overflows.
    static func compute(
        lines: [Line], discounts: [Int64], shippingFee: Int64, shippingTax: Int64,
        fees: [(amount: Int64, tax: Int64)] = [], taxesIncluded: Bool
    ) throws(OrderCoreError) -> OrderTotals {
        var t = OrderTotals(shippingFee: shippingFee, shippingTax: shippingTax, taxesIncluded: taxesIncluded)
        t.taxTotal = shippingTax
        for fee in fees {
            t.feeTotal = try add(t.feeTotal, fee.amount)
            t.taxTotal = try add(t.taxTotal, fee.tax)
        }
        for (i, line) in lines.enumerated() {
            let gross = try mul(line.qty, line.unitPrice)
            guard line.lineDiscount <= gross else {
                throw .invalid(
                    "lines[\(i)].line_discount is larger than the line's value", field: "lines[\(i)].line_discount")
            }
            t.subtotal = try add(t.subtotal, gross)
            t.lineDiscountTotal = try add(t.lineDiscountTotal, line.lineDiscount)
            t.taxTotal = try add(t.taxTotal, line.tax)
        }
        for d in discounts { t.discountTotal = try add(t.discountTotal, d) }
        let merchandise = t.subtotal - t.lineDiscountTotal
        guard t.discountTotal <= merchandise + min(shippingFee, .max - merchandise) else {
            throw .invalid("discounts exceed the value of the goods and shipping", field: "discounts")
        }
        t.grandTotal = try add(try add(merchandise - t.discountTotal, shippingFee), t.feeTotal)
        if !taxesIncluded { t.grandTotal = try add(t.grandTotal, t.taxTotal) }
        return t
    }

    private static func add(_ a: Int64, _ b: Int64) throws(OrderCoreError) -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        guard !o else { throw .invalid("order amounts overflow 64-bit money") }
        return r
    }

    private static func mul(_ a: Int64, _ b: Int64) throws(OrderCoreError) -> Int64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        guard !o else { throw .invalid("order amounts overflow 64-bit money") }
        return r
    }

    /// Splits `total` over lines in proportion to `weights`, rounding by largest remainder so the
    /// shares sum to `total` exactly (ties go to the earlier line).
    static func allocate(_ total: Int64, by weights: [Int64]) -> [Int64] {
        let sum = weights.reduce(Int64(0)) { $0 &+ $1 }
        guard sum > 0, total != 0 else { return weights.map { _ in 0 } }
        var shares: [Int64] = []
        var remainders: [(index: Int, remainder: Int64)] = []
        for (i, w) in weights.enumerated() {
            // total * w / sum without overflow: both factors fit 64 bits, the product may not.
            let (high, low) = total.multipliedFullWidth(by: w)
            let (q, r) = sum.dividingFullWidth((high, low))
            shares.append(q)
            remainders.append((i, r))
        }
        var left = total - shares.reduce(0, +)
        for entry in remainders.sorted(by: { ($0.remainder, -$0.index) > ($1.remainder, -$1.index) }) where left > 0 {
            shares[entry.index] += 1
            left -= 1
        }
        return shares
    }

    /// The parts of order-level discounts that the goods take: all of them, unless together they exceed
    /// the goods' value (they may reach into the shipping, `init`); then the goods' value, split over the
    /// discounts by their amounts. What is left of each discounts the shipping, never a line below zero.
    static func onGoods(_ discounts: [Int64], goods: Int64) -> [Int64] {
        discounts.reduce(Int64(0), &+) <= goods ? discounts : allocate(goods, by: discounts)
    }

    /// What of a `shipping` discount (a free-shipping code) comes off the shipping it was given for: all of it, up to
    /// the shipping; only the rest is the goods'.
    static func offShipping(_ shippingDiscount: Int64, shipping: Int64) -> Int64 {
        min(max(shippingDiscount, 0), max(shipping, 0))
    }

    /// What each line costs the buyer after its own discount and its share of the order discounts
    /// (and its tax when prices exclude tax): the value a refund of the whole line returns.
    static func lineNets(_ lines: [OrderLine], orderDiscount: Int64, taxesIncluded: Bool) -> [Int64] {
        let values = lines.map { $0.qty &* $0.unitPrice &- $0.lineDiscount }
        let shares = allocate(onGoods([orderDiscount], goods: values.reduce(0, &+))[0], by: values)
        return zip(zip(values, shares), lines).map { pair, line in pair.0 - pair.1 + (taxesIncluded ? 0 : line.tax) }
    }
}
