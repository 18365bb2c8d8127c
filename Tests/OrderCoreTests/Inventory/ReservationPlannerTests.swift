@testable import OrderCore
import Testing

struct ReservationPlannerTests {
    typealias P = ReservationPlanner

    @Test func prefersOneWarehouseThatShipsTheWholeOrder() throws {
        let plan = try P.plan([.init(lineNo: 1, sku: "A", qty: 2), .init(lineNo: 2, sku: "B", qty: 1)], sources: [
            "A": [.init(warehouse: "SH", available: 5), .init(warehouse: "BJ", available: 5)],
            "B": [.init(warehouse: "SH", available: 0), .init(warehouse: "BJ", available: 1)],
        ])
        #expect(plan == [.init(lineNo: 1, sku: "A", warehouse: "BJ", qty: 2), .init(lineNo: 2, sku: "B", warehouse: "BJ", qty: 1)])
    }

    @Test func otherwiseEachLineFromTheFirstWarehouseThatHasAllOfIt() throws {
        let plan = try P.plan([.init(lineNo: 1, sku: "A", qty: 3), .init(lineNo: 2, sku: "B", qty: 1)], sources: [
            "A": [.init(warehouse: "SH", available: 1), .init(warehouse: "BJ", available: 3)],
            "B": [.init(warehouse: "SH", available: 1)],
        ])
        #expect(plan == [.init(lineNo: 1, sku: "A", warehouse: "BJ", qty: 3), .init(lineNo: 2, sku: "B", warehouse: "SH", qty: 1)])
    }

    @Test func splitsALineInPreferenceOrderWhenNoWarehouseHasAllOfIt() throws {
        let plan = try P.plan([.init(lineNo: 1, sku: "A", qty: 5)], sources: [
            "A": [.init(warehouse: "SH", available: 3), .init(warehouse: "BJ", available: 1), .init(warehouse: "GZ", available: 4)],
        ])
        #expect(plan.map(\.qty) == [3, 1, 1])
        #expect(plan.map(\.warehouse) == ["SH", "BJ", "GZ"])
    }

    @Test func demandForTheSameSKUOnSeveralLinesIsAddedUp() {
        #expect { try P.plan([.init(lineNo: 1, sku: "A", qty: 2), .init(lineNo: 2, sku: "A", qty: 2)],
                             sources: ["A": [.init(warehouse: "SH", available: 3)]]) }
        throws: { ($0 as? OrderCoreError)?.code == .insufficientStock && ($0 as? OrderCoreError)?.details?["requested"] == 4 }
    }

    @Test func insufficientStockNamesTheFirstShortSKU() {
        #expect { try P.plan([.init(lineNo: 1, sku: "A", qty: 1), .init(lineNo: 2, sku: "B", qty: 9)],
                             sources: ["A": [.init(warehouse: "SH", available: 1)], "B": [.init(warehouse: "SH", available: 2)]]) }
        throws: { ($0 as? OrderCoreError)?.details?["sku"] == "B" && ($0 as? OrderCoreError)?.details?["available"] == 2 }
    }
}
