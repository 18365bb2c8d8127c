@testable import OrderCore
import Testing

struct OrderTotalsTests {
    typealias Line = OrderTotals.Line

    @Test func grandTotalSubtractsDiscountsAndAddsShipping() throws {
        let t = try OrderTotals.compute(lines: [Line(qty: 2, unitPrice: 10_000, lineDiscount: 1_000, tax: 0),
                                               Line(qty: 1, unitPrice: 5_000, lineDiscount: 0, tax: 0)],
                                        discounts: [1_000, 500], shippingFee: 800, shippingTax: 0, taxesIncluded: true)
        #expect(t.subtotal == 25_000 && t.lineDiscountTotal == 1_000 && t.discountTotal == 1_500)
        #expect(t.grandTotal == 25_000 - 1_000 - 1_500 + 800)
    }

    @Test func taxesAreAddedOnlyWhenPricesExcludeThem() throws {
        let lines = [Line(qty: 1, unitPrice: 10_000, lineDiscount: 0, tax: 1_300)]
        let included = try OrderTotals.compute(lines: lines, discounts: [], shippingFee: 1_000, shippingTax: 130, taxesIncluded: true)
        let excluded = try OrderTotals.compute(lines: lines, discounts: [], shippingFee: 1_000, shippingTax: 130, taxesIncluded: false)
        #expect(included.taxTotal == 1_430 && included.grandTotal == 11_000)
        #expect(excluded.grandTotal == 12_430)
    }

    @Test func refusesDiscountsLargerThanWhatTheyDiscount() {
        #expect(throws: OrderCoreError.self) {
            try OrderTotals.compute(lines: [Line(qty: 1, unitPrice: 100, lineDiscount: 101, tax: 0)], discounts: [],
                                    shippingFee: 0, shippingTax: 0, taxesIncluded: true)
        }
        #expect(throws: OrderCoreError.self) {
            try OrderTotals.compute(lines: [Line(qty: 1, unitPrice: 100, lineDiscount: 0, tax: 0)], discounts: [150],
                                    shippingFee: 20, shippingTax: 0, taxesIncluded: true)
        }
    }

    @Test func overflowIsAnErrorNotATrap() {
        #expect(throws: OrderCoreError.self) {
            try OrderTotals.compute(lines: [Line(qty: 1_000_000_000, unitPrice: .max / 2, lineDiscount: 0, tax: 0)], discounts: [],
                                    shippingFee: 0, shippingTax: 0, taxesIncluded: true)
        }
        #expect(throws: OrderCoreError.self) {
            try OrderTotals.compute(lines: [Line(qty: 1, unitPrice: .max, lineDiscount: 0, tax: 0)], discounts: [],
                                    shippingFee: 1, shippingTax: 0, taxesIncluded: true)
        }
    }
}
