@testable import OrderCore
import Testing

struct RefundAllocationTests {
    func line(_ no: Int64, _ qty: Int64, _ price: Int64, discount: Int64 = 0, tax: Int64 = 0) -> OrderLine {
        OrderLine(lineNo: no, sku: "S\(no)", name: nil, qty: qty, unitPrice: price, lineDiscount: discount, tax: tax)
    }

    @Test func couponPointsAndShippingSplitByLineValueWithLargestRemainder() {
        // Lines worth 100.00, 50.00, 0.00 (free gift) and 33.33; coupon 10.00, points 5.00, shipping 8.00.
        let lines = [line(1, 2, 5_000), line(2, 1, 5_000), line(3, 1, 0), line(4, 1, 3_333)]
        let a = RefundAllocation(lines: lines, discounts: [("coupon", 1_000), ("points", 500)], shipping: 800, taxesIncluded: true)
        // Of 183.33 of goods: 545.47, 272.73, 0, 181.80 cents of coupon → floors 545, 272, 0, 181 (998), the two
        // largest remainders (.80, .73) get the last cents.
        #expect(a.lines.map(\.coupon) == [545, 273, 0, 182])
        #expect(a.lines.map(\.points) == [273, 136, 0, 91])            // 272.73, 136.37, 90.90 → 500 exactly
        #expect(a.lines.map(\.shipping) == [436, 218, 0, 146])         // 436.37, 218.18, 145.45 → 800 exactly
        let cash: [Int64] = [9_182, 4_591, 0, 3_060]  // value less its coupon and points shares
        #expect(a.lines.map(\.cash) == cash)
        #expect(a.lines.map(\.coupon).reduce(0, +) == 1_000 && a.lines.map(\.points).reduce(0, +) == 500)
    }

    /// A free-shipping code discounts the shipping, not the goods: a returned unit refunds what it cost, and the
    /// shipping refunded with it is what the buyer paid for shipping (nothing). Beyond the shipping, the rest
    /// of such a discount is the goods'.
    @Test func aShippingDiscountComesOffTheShippingNotTheGoods() {
        let free = RefundAllocation(lines: [line(1, 2, 5_000)], discounts: [("shipping", 1_000)], shipping: 1_000, taxesIncluded: true)
        #expect(free.lines[0].cash == 10_000 && free.lines[0].shipping == 0 && free.lines[0].discountShares.isEmpty)
        let one = RefundAllocation.refund(free.lines[0], units: 1, already: 0, withShipping: true)
        #expect(one.cash == 5_000 && one.shipping == 0)
        let part = RefundAllocation(lines: [line(1, 1, 5_000)], discounts: [("shipping", 400), ("coupon", 500)], shipping: 1_000,
                                    taxesIncluded: true)
        #expect(part.lines[0].cash == 4_500 && part.lines[0].shipping == 600)
        let beyond = RefundAllocation(lines: [line(1, 1, 5_000)], discounts: [("shipping", 1_500)], shipping: 1_000, taxesIncluded: true)
        #expect(beyond.lines[0].cash == 4_500 && beyond.lines[0].shipping == 0 && beyond.lines[0].discountShares == ["shipping": 500])
    }

    @Test func aFullyDiscountedLineRefundsNothingAndTaxOnTopIsRefunded() {
        let lines = [line(1, 1, 2_000, discount: 2_000), line(2, 3, 1_000, tax: 300)]
        let a = RefundAllocation(lines: lines, discounts: [], shipping: 0, taxesIncluded: false)
        #expect(a.lines[0].cash == 0)
        #expect(a.lines[1].cash == 3_300)
        #expect(RefundAllocation.refund(a.lines[1], units: 1, already: 0, withShipping: false).cash == 1_100)
    }

    @Test func partialReturnsInAnyOrderNeverRefundMoreThanTheLineAndAddUpExactly() {
        var random = SeededRandom(state: 20_261_121)
        for _ in 0..<500 {
            let count = Int.random(in: 1...5, using: &random)
            let lines = (0..<count).map { i in
                line(Int64(i + 1), Int64.random(in: 1...7, using: &random), Int64.random(in: 0...99_999, using: &random))
            }
            let value = lines.reduce(Int64(0)) { $0 + $1.qty * $1.unitPrice }
            let coupon = value > 0 ? Int64.random(in: 0...value / 3, using: &random) : 0
            let points = value > 0 ? Int64.random(in: 0...value / 3, using: &random) : 0
            let a = RefundAllocation(lines: lines, discounts: [("coupon", coupon), ("points", points)],
                                     shipping: Int64.random(in: 0...2_000, using: &random), taxesIncluded: true)
            #expect(a.lines.map(\.coupon).reduce(0, +) == coupon)
            #expect(a.lines.map(\.points).reduce(0, +) == points)
            #expect(a.lines.map(\.shipping).reduce(0, +) == a.shipping)
            for l in a.lines {
                var refunded: Int64 = 0, cash: Int64 = 0, pts: Int64 = 0
                while refunded < l.qty {
                    let k = Int64.random(in: 1...(l.qty - refunded), using: &random)
                    let r = RefundAllocation.refund(l, units: k, already: refunded, withShipping: true)
                    #expect(r.cash >= 0 && r.points >= 0)
                    cash += r.cash
                    pts += r.points
                    refunded += k
                    #expect(cash <= l.cash, "seed 20261121: a partial return refunded more than the line's cash")
                }
                #expect(cash == l.cash && pts == l.points)
            }
        }
    }
}
