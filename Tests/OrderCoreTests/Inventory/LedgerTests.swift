@testable import OrderCore
import Testing

struct LedgerTests {
    func engine() throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 10])
        return engine
    }

    @Test func adjustCorrectsOnHandAndQuarantineWithAReason() throws {
        let engine = try engine()
        let down = try engine.ok("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": -3, "reason": "damaged in storage"])
        #expect(down["on_hand"] == 7 && down["available"] == 7)
        let quarantined = try engine.ok("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": 2, "reason": "returned damaged",
                                                         "bucket": "quarantine", "reference": "QC-7"])
        #expect(quarantined["quarantine"] == 2 && quarantined["available"] == 7)
        let rows = try engine.ok("stock.ledger", ["sku": "A1", "reason": "adjust"])["entries"]?.arrayValue ?? []
        #expect(rows.map { $0["delta"] } == [-3, 2])
        #expect(rows.map { $0["note"] } == ["damaged in storage", "returned damaged"])
        #expect(rows.last?["ref_type"] == "adjustment" && rows.last?["ref_id"] == "QC-7")
    }

    @Test func adjustRefusesWhatWouldBreakTheBooksAndChangesNothing() throws {
        let engine = try engine()
        #expect(engine.fails("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": -11, "reason": "x"]) == .conflict)
        #expect(engine.fails("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": -1, "reason": "x", "bucket": "quarantine"]) == .conflict)
        #expect(engine.fails("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": 0, "reason": "x"]) == .invalidInput)
        #expect(engine.fails("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": 1]) == .invalidInput)
        #expect(engine.fails("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": 1, "reason": "x", "bucket": "reserved"]) == .invalidInput)
        #expect(engine.fails("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": .int(Int64.max), "reason": "x"]) == .invalidInput)
        #expect(engine.fails("stock.adjust", ["sku": "A1", "warehouse": "XX", "qty": 1, "reason": "x"]) == .notFound)
        #expect(try engine.ok("stock.get", ["sku": "A1"])["on_hand"] == 10)
        #expect(try engine.ok("stock.ledger", ["sku": "A1"])["entries"]?.arrayValue?.count == 1)
    }

    @Test func adjustingAwayPromisedUnitsShowsTheShortfall() throws {
        let engine = try engine()
        try engine.ok("order.create", orderArgs([("A1", 8, "1.00")]))
        let result = try engine.ok("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": -5, "reason": "theft"])
        #expect(result["on_hand"] == 5 && result["reserved"] == 8 && result["available"] == 0 && result["short"] == 3)
    }

    @Test func quarantineAndScrapMoveUnitsOutOfSaleAndOffTheBooks() throws {
        let engine = try engine()
        let q = try engine.ok("stock.quarantine", ["sku": "A1", "warehouse": "SH", "qty": 3, "note": "dented boxes"])
        #expect(q["on_hand"] == 7 && q["quarantine"] == 3 && q["available"] == 7)
        #expect(try engine.ok("stock.quarantine", ["sku": "A1", "warehouse": "SH", "qty": -1])["quarantine"] == 2)  // one was fine
        let s = try engine.ok("stock.scrap", ["sku": "A1", "warehouse": "SH", "qty": 2, "note": "crushed"])
        #expect(s["quarantine"] == 0 && s["on_hand"] == 8)
        #expect(engine.fails("stock.scrap", ["sku": "A1", "warehouse": "SH", "qty": 1]) == .conflict)  // nothing left in quarantine
        #expect(engine.fails("stock.quarantine", ["sku": "A1", "warehouse": "SH", "qty": 9]) == .conflict)
        #expect(engine.fails("stock.quarantine", ["sku": "A1", "warehouse": "SH", "qty": -1]) == .conflict)
        try engine.ok("stock.scrap", ["sku": "A1", "warehouse": "SH", "qty": 1, "bucket": "on_hand"])
        let reasons = try engine.ok("stock.ledger", ["sku": "A1"])["entries"]?.arrayValue?.map { $0["reason"] } ?? []
        #expect(reasons == ["receive", "quarantine", "quarantine", "quarantine", "quarantine", "scrap", "scrap"])
        #expect(try engine.ok("stock.get", ["sku": "A1"])["on_hand"] == 7)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func safetyStockIsHeldBackFromSale() throws {
        let engine = try engine()
        #expect(try engine.ok("stock.safety", ["sku": "A1", "warehouse": "SH", "qty": 4])["available"] == 6)
        #expect(engine.fails("order.create", orderArgs([("A1", 7, "1.00")])) == .insufficientStock)
        try engine.ok("order.create", orderArgs([("A1", 6, "1.00")]))
        #expect(try engine.ok("stock.safety", ["sku": "A1", "warehouse": "SH", "qty": 1])["safety"] == 1)
        #expect(try engine.available("A1") == 3)
        #expect(engine.fails("stock.safety", ["sku": "A1", "warehouse": "SH", "qty": -1]) == .invalidInput)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func ledgerPagesAndFiltersByReference() throws {
        let engine = try engine()
        for _ in 0..<3 { try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 1]) }
        let order = try engine.ok("order.create", orderArgs([("A1", 2, "1.00")]))["order_id"] ?? nil
        try engine.ok("order.cancel", ["order_id": order])
        let first = try engine.ok("stock.ledger", ["sku": "A1", "limit": 2])
        #expect(first["entries"]?.arrayValue?.count == 2 && first["next"] == 2)
        let rest = try engine.ok("stock.ledger", ["sku": "A1", "after": 2])
        #expect(rest["entries"]?.arrayValue?.map { $0["reason"] } == ["receive", "receive", "reserve", "release"] && rest["next"] == .null)
        let byOrder = try engine.ok("stock.ledger", ["ref_type": "order", "ref_id": order])["entries"]?.arrayValue ?? []
        #expect(byOrder.map { $0["delta"] } == [2, -2])
        #expect(try engine.ok("stock.ledger", ["from": "2000-01-01T00:00:00Z", "to": "2000-01-02T00:00:00Z"])["entries"] == [])
    }

    @Test func verifyFindsABalanceThatDisagreesWithTheLedger() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Engine(path: dir + "/v.db")
        try engine.seedCatalog(a1: ["SH": 10])
        try engine.ok("order.create", orderArgs([("A1", 2, "1.00")]))
        #expect(try engine.ok("stock.verify") == ["ok": true, "checked": 1, "differences": []])
        let tamper = try Store(path: dir + "/v.db", options: StoreOptions())
        try tamper.db.run("UPDATE stock SET on_hand = 11, reserved = 3")
        let report = try engine.ok("stock.verify")
        #expect(report["ok"] == false)
        let buckets = report["differences"]?.arrayValue?.compactMap { $0["bucket"]?.stringValue }
        #expect(buckets == ["on_hand", "reserved", "reserved"])  // ledger sum, and active reservations
    }
}
