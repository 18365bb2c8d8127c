/// The money of an order, in minor units. Pure arithmetic with overflow checks: inputs come from
/// other programs, and a trap would kill the host.
struct OrderTotals: Equatable {
    var subtotal: Int64 = 0            // sum of qty x unit_price
    var lineDiscountTotal: Int64 = 0   // sum of line discounts
    var discountTotal: Int64 = 0       // order-level discounts (coupons, promotions, points)
    var shippingFee: Int64 = 0
    var shippingTax: Int64 = 0
    var taxTotal: Int64 = 0            // line taxes + shipping tax
    var taxesIncluded = true
    var grandTotal: Int64 = 0          // what the buyer pays

    struct Line { var qty: Int64; var unitPrice: Int64; var lineDiscount: Int64; var tax: Int64 }

    /// grand_total = subtotal - line discounts - order discounts + shipping (+ taxes when prices exclude them).
    /// - Throws: `invalid_input` when a line discount exceeds its line, discounts exceed what they
    ///   discount, or any sum overflows.
    static func compute(lines: [Line], discounts: [Int64], shippingFee: Int64, shippingTax: Int64,
                        taxesIncluded: Bool) throws(OrderCoreError) -> OrderTotals {
        var t = OrderTotals(shippingFee: shippingFee, shippingTax: shippingTax, taxesIncluded: taxesIncluded)
        t.taxTotal = shippingTax
        for (i, line) in lines.enumerated() {
            let gross = try mul(line.qty, line.unitPrice)
            guard line.lineDiscount <= gross else {
                throw .invalid("lines[\(i)].line_discount is larger than the line's value", field: "lines[\(i)].line_discount")
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
        t.grandTotal = try add(merchandise - t.discountTotal, shippingFee)
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
}
