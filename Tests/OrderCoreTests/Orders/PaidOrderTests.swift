@testable import OrderCore
import Testing

/// `order.create` with `payment`: an order that arrives paid (channel, POS) is created and paid in one
/// transaction, and lands exactly where `order.create` then `order.pay` would have put it.
struct PaidOrderTests {
    let t0 = "2026-01-18T10:00:00Z"

    func engine() throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 2, "BJ": 5], b2: ["SH": 5])
        return engine
    }

    func args(
        _ extra: JSONObject = [:], lines: [(String, Int64, String)] = [("A1", 3, "19.90"), ("B2", 1, "5.00")]
    ) -> JSONObject {
        var args = orderArgs(lines, extra)
        args["at"] = .string(t0)
        args["discounts"] = [["kind": "coupon", "code": "NEW10", "amount": "10.00"]]
        return args
    }

    /// Everything a paid order leaves behind: its document, timeline, stock, sales and feed.
    func outcome(_ engine: Engine, _ id: JSON?) throws -> [JSON] {
        let at: JSON = .string(t0)
        return [
            try engine.ok("order.get", ["order_id": id ?? nil, "at": at]),
            try engine.ok("order.timeline", ["order_id": id ?? nil, "at": at]),
            try engine.ok("stock.get", ["sku": "A1", "at": at]), try engine.ok("stock.get", ["sku": "B2", "at": at]),
            try engine.ok("report.sales", ["from": "2026-01-18T00:00:00Z", "to": "2026-01-19T00:00:00Z", "by": "sku"]),
            // Yesterday's and average daily sales, kept per business day as orders are paid.
            try engine.ok("stock.board", ["at": "2026-01-19T10:00:00Z", "sort": "sku"]),
            try engine.ok("stock.ledger", ["ref_type": "order", "ref_id": id ?? nil]),
            try engine.ok("stock.alerts", ["open_only": false]),
            try engine.ok("report.alerts", ["at": at]),
            .array(
                try engine.ok("events.read", ["limit": 1_000])["events"]?.arrayValue?.map { $0["kind"] ?? nil } ?? []),
        ]
    }

    /// Two lines of one SKU among them: one balance, one row of sales.
    @Test func aPaidOrderLandsWhereCreateThenPayPutsIt() throws {
        let twoSteps = try engine(), oneStep = try engine()
        let lines = [("A1", Int64(3), "19.90"), ("B2", 1, "5.00"), ("A1", 1, "19.90")]
        let created = try twoSteps.ok("order.create", args(lines: lines))
        try twoSteps.ok("order.pay", ["order_id": created["order_id"] ?? nil, "payment_ref": "PAY-1", "at": .string(t0)])
        let paid = try oneStep.ok(
            "order.create", args(["payment": ["payment_ref": "PAY-1", "amount": "74.60"]], lines: lines))
        #expect(paid["state"] == "paid" && paid["paid_total"] == "74.60" && paid["payment_status"] == "paid")
        #expect(paid["payments"]?.arrayValue?.first?["payment_ref"] == "PAY-1")
        #expect(paid == (try oneStep.ok("order.get", ["order_id": paid["order_id"] ?? nil, "at": .string(t0)])))
        #expect(try outcome(oneStep, paid["order_id"]) == outcome(twoSteps, created["order_id"]))
    }

    @Test func aPreSaleArrivingWithItsDepositHoldsItsStockUntilTheBalanceIsDue() throws {
        let engine = try engine()
        let order = try engine.ok(
            "order.create",
            args(["deposit": "20.00", "balance_due_at": "2026-02-01T00:00:00Z", "payment": .object([:])]))
        #expect(order["state"] == "deposit_paid" && order["paid_total"] == "20.00")
        let holds = order["lines"]?.arrayValue?.first?["reservations"]?.arrayValue ?? []
        #expect(holds.allSatisfy { $0["expires_at"] == "2026-02-01T00:00:00Z" } && !holds.isEmpty)
    }

    @Test func anOrderThatReservesAtPaymentReservesAtOnceWhenItArrivesPaid() throws {
        let engine = try engine()
        let order = try engine.ok("order.create", args(["reserve_at": "payment", "payment": .object([:])]))
        #expect(order["state"] == "paid")
        #expect(try engine.ok("stock.get", ["sku": "A1", "at": .string(t0)])["reserved"] == 3)
    }

    @Test func aBadPaymentCreatesNothing() throws {
        let engine = try engine()
        try engine.ok("order.create", args(["payment": ["payment_ref": "PAY-1"]]))
        let before = try outcome(engine, "SO-000001")
        #expect(engine.fails("order.create", args(["payment": ["amount": "1.00"]])) == .invalidInput)
        #expect(engine.fails("order.create", args(["payment": ["payment_ref": "PAY-1"]])) == .conflict)
        #expect(engine.fails("order.create", args(["payment": ["amount": "one"]])) == .invalidInput)
        #expect(engine.fails("order.create", args(["payment": ["ref": "PAY-2"]])) == .invalidInput)
        #expect(engine.fails("order.create", args(["payment": "yes"])) == .invalidInput)
        #expect(try outcome(engine, "SO-000001") == before)
        #expect(try engine.ok("order.list")["orders"]?.arrayValue?.count == 1)
    }
}
