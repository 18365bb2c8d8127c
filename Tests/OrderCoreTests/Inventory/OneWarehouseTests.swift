@testable import OrderCore
import Testing

/// A shop (or channel) one warehouse serves takes an order's holds with the guarded writes alone, without
/// reading the balances first (`CommandContext.takeFromTheOneWarehouse`, SQLite). Every outcome must be
/// the one the planned path gives: the same holds, the same refusals, nothing left reserved by an attempt
/// that fell back, lapsed holds swept first.
struct OneWarehouseTests {
    let t0 = "2026-01-18T10:00:00Z"

    /// A shop with one warehouse (SH), or with a second, empty one (BJ) so orders are planned.
    func shop(a1: Int64, b2: Int64, second: Bool = false, path: String = ":memory:") throws -> Engine {
        let engine = try Engine(test: path)
        try engine.ok("warehouse.upsert", ["warehouse": "SH", "priority": 1])
        if second { try engine.ok("warehouse.upsert", ["warehouse": "BJ", "priority": 2]) }
        for (sku, qty) in [("A1", a1), ("B2", b2)] {
            try engine.ok("sku.upsert", ["sku": .string(sku)])
            if qty > 0 { try engine.ok("stock.receive", ["sku": .string(sku), "warehouse": "SH", "qty": .int(qty)]) }
        }
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "csv"])
        return engine
    }

    /// The reads of reservable balances (with their lapsed holds) a handle has prepared.
    func balanceReads(_ engine: Engine) -> Int {
        engine.preparedSQL().filter { $0.hasPrefix("SELECT s.sku, s.warehouse, w.priority") && $0.contains("r.expires_at <=") }
            .count
    }

    func reserved(_ engine: Engine, _ sku: String) throws -> JSON? {
        try engine.ok("stock.get", ["sku": .string(sku)])["reserved"]
    }

    /// What an order keeps of its holds, for comparing two shops.
    func holds(_ order: JSON) -> [String] {
        (order["lines"]?.arrayValue ?? []).map {
            "\($0["sku"]?.stringValue ?? "") reserved \($0["reserved"]?.intValue ?? -1) short \($0["backordered"]?.intValue ?? -1)"
        } + (order["reservations"]?.arrayValue ?? []).map {
            "line \($0["line_no"]?.intValue ?? 0) \($0["warehouse"]?.stringValue ?? "") \($0["qty"]?.intValue ?? 0)"
        }
    }

    @Test func anOrderIsHeldWithoutReadingTheBalancesAndAsThePlannedPathHoldsIt() throws {
        let args = orderArgs([("A1", 2, "1.00"), ("B2", 1, "1.00"), ("A1", 1, "1.00")], ["payment": [:]])
        // A handle of its own, opened after the set-up: what it prepares, the order needed.
        let dir = temporaryDirectory()
        _ = try shop(a1: 5, b2: 5, path: dir + "/one.db")
        let one = try Engine(test: dir + "/one.db")
        let fast = try one.ok("order.create", args)
        _ = try shop(a1: 5, b2: 5, second: true, path: dir + "/two.db")
        let two = try Engine(test: dir + "/two.db")
        let planned = try two.ok("order.create", args)
        if testPostgreSQL == nil {  // PostgreSQL plans every order (its reads go ahead in one round trip)
            #expect(balanceReads(two) > 0)
            #expect(balanceReads(one) == 0, "one warehouse: the guarded writes alone")
        }
        #expect(holds(fast) == holds(planned) && fast["state"] == "paid")
        #expect(try reserved(one, "A1") == 3 && reserved(one, "B2") == 1)
        #expect(try one.ok("stock.verify")["ok"] == true)
    }

    @Test func aShortOrderIsRefusedAsPlannedAndLeavesNothingReserved() throws {
        let args = orderArgs([("A1", 1, "1.00"), ("B2", 3, "1.00")])
        let one = try shop(a1: 5, b2: 2)
        guard case .failure(let fast) = one.run("order.create", args) else { Issue.record("a short order was taken"); return }
        let two = try shop(a1: 5, b2: 2, second: true)
        guard case .failure(let planned) = two.run("order.create", args) else { Issue.record("planned: taken"); return }
        #expect(fast == planned && fast.code == .insufficientStock)
        #expect(try reserved(one, "A1") == 0 && reserved(one, "B2") == 0)
    }

    /// The first balance is taken, the second is short: the attempt gives the first back, and the channel's
    /// order is planned — what there is reserved, the rest backordered.
    @Test func aChannelOrderPartlyShortGivesBackWhatTheAttemptTookAndIsBackordered() throws {
        let csv = "order_id,placed_at,currency,status,sku,qty,unit_price\nC-1,\(t0),CNY,paid,A1,1,1.00\nC-1,\(t0),CNY,paid,B2,3,1.00"
        func ingest(_ engine: Engine) throws -> JSON {
            let outcome = try engine.ok("intake.ingest", ["channel": "shop", "payload": .string(csv)])
            let id = try #require(outcome["events"]?.arrayValue?.first?["order_id"])
            return try engine.ok("order.get", ["order_id": id])
        }
        let one = try shop(a1: 5, b2: 2)
        let fast = try ingest(one)
        let planned = try ingest(try shop(a1: 5, b2: 2, second: true))
        #expect(holds(fast) == holds(planned))
        #expect(holds(fast).prefix(2) == ["A1 reserved 1 short 0", "B2 reserved 2 short 1"])
        #expect(try reserved(one, "A1") == 1 && reserved(one, "B2") == 2)
        #expect(try one.ok("stock.verify")["ok"] == true)
    }

    @Test func lapsedHoldsOnTheBalanceAreSweptFirst() throws {
        let engine = try shop(a1: 3, b2: 0)
        try engine.ok("order.create", orderArgs([("A1", 3, "1.00")], ["at": .string(t0)]))
        // 20 minutes later the first order's hold has lapsed: the new one gets its units.
        let next = try engine.ok("order.create", orderArgs([("A1", 3, "1.00")], ["at": "2026-01-18T10:20:00Z"]))
        #expect(next["state"] == "pending_payment")
        #expect(try engine.ok("order.get", ["order_id": "SO-000001"])["state"] == "cancelled")
        let stock = try engine.ok("stock.get", ["sku": "A1", "at": "2026-01-18T10:21:00Z"])
        #expect(stock["reserved"] == 3 && stock["available"] == 0, "\(stock)")
    }

    @Test func anInactiveWarehouseACappedChannelAndReservingAtPaymentArePlannedAsBefore() throws {
        let engine = try shop(a1: 5, b2: 5)
        // An order that reserves at payment takes nothing now.
        try engine.ok("channel.upsert", ["channel": "presale", "reserve_at": "payment"])
        let later = try engine.ok("order.create", orderArgs([("A1", 2, "1.00")], ["channel": "presale"]))
        #expect(try reserved(engine, "A1") == 0)
        try engine.ok("order.pay", ["order_id": later["order_id"] ?? .null])
        #expect(try reserved(engine, "A1") == 2)
        // A channel's cap still refuses.
        try engine.ok("channel.upsert", ["channel": "web"])
        try engine.ok("channel.sku", ["channel": "web", "sku": "B2", "cap": 1])
        #expect(engine.fails("order.create", orderArgs([("B2", 2, "1.00")], ["channel": "web"])) == .insufficientStock)
        // The one warehouse closed: nothing to reserve from.
        try engine.ok("warehouse.upsert", ["warehouse": "SH", "active": false])
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")])) == .insufficientStock)
        #expect(try reserved(engine, "A1") == 2 && reserved(engine, "B2") == 0)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }
}
