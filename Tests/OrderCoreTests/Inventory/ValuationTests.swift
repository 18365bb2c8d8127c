@testable import OrderCore
import Testing

/// The stock's value at moving average cost: units arrive at the SKU's unit cost, leave at the average
/// held, and come back from a return at what they left at — the return reverses their cost.
struct ValuationTests {
    func value(_ engine: Engine, _ warehouse: String) throws -> JSON? {
        try engine.ok("stock.valuation", ["sku": "A1", "warehouse": .string(warehouse)])["rows"]?.arrayValue?.first?["value"]
    }

    @Test func receiptsShipmentsReturnsTransfersAndScrapKeepTheValue() throws {
        let engine = try Engine(test: temporaryDirectory() + "/value.db")
        try engine.seedCatalog(a1: [:])
        try engine.ok("actor.upsert", ["actor_id": "lead", "role": "supervisor"])
        try engine.ok("sku.upsert", ["sku": "A1", "unit_cost": "5.00", "cost_currency": "CNY"])
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 10])
        try engine.ok("sku.upsert", ["sku": "A1", "unit_cost": "8.00"])
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 10])
        // 10 · 5.00 + 10 · 8.00 = 130.00 for 20 units: 6.50 each.
        let row = try engine.ok("stock.valuation", ["sku": "A1"])["rows"]?.arrayValue?.first
        #expect(row == ["sku": "A1", "warehouse": "SH", "units": 20, "value": "130.00", "average_cost": "6.50", "currency": "CNY"])
        // Four units ship at the average: 26.00 leaves the stock, and the order line remembers it.
        let order = try engine.ok("order.create", orderArgs([("A1", 4, "30.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": order])
        try engine.ok("order.allocate", ["order_id": order])
        try engine.ok("order.pack", ["order_id": order, "scans": [order, "A1", "A1", "A1", "A1"], "weight_g": 0])
        try engine.ok("order.ship", ["order_id": order, "carrier": "SF", "tracking_no": "SF-V1"])
        #expect(try value(engine, "SH") == "104.00")
        let out = try engine.ok("stock.ledger", ["ref_id": order, "reason": "ship"])["entries"]?.arrayValue ?? []
        #expect(out.map { [$0["bucket"], $0["value"]] } == [["on_hand", "-26.00"], ["reserved", .null]])
        // The cost goes up to 20.00; the two units that come back (one resellable, one damaged) still
        // come back at the 6.50 they left at.
        try engine.ok("sku.upsert", ["sku": "A1", "unit_cost": "20.00"])
        let rt = try engine.ok("return.request", ["order_id": order, "reason": "changed_mind", "lines": [["line_no": 1, "qty": 2]]])["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": rt])
        try engine.ok("return.receive", ["return_id": rt, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 1, "damaged": 1]]])
        #expect(try value(engine, "SH") == "117.00")
        let back = try engine.ok("stock.ledger", ["ref_id": rt])["entries"]?.arrayValue ?? []
        #expect(back.map { [$0["bucket"], $0["value"]] } == [["on_hand", "6.50"], ["quarantine", "6.50"]])
        // Moving units into quarantine keeps their value; three units transferred leave SH at 6.50 and
        // arrive in BJ at what they left at, whatever the SKU's cost is now.
        try engine.ok("stock.quarantine", ["sku": "A1", "warehouse": "SH", "qty": 2])
        #expect(try value(engine, "SH") == "117.00")
        let transfer = try engine.ok("stock.transfer", ["from": "SH", "to": "BJ", "lines": [["sku": "A1", "qty": 3]]])["transfer_id"] ?? .null
        #expect(try value(engine, "SH") == "97.50")
        try engine.ok("stock.transfer_receive", ["transfer_id": transfer])
        #expect(try value(engine, "BJ") == "19.50")
        // Scrapping one of the 15 units in SH writes off the average, 6.50; the last units take what is left.
        try engine.ok("stock.scrap", ["sku": "A1", "warehouse": "SH", "qty": 1, "actor": "lead"])
        #expect(try value(engine, "SH") == "91.00")
        let totals = try engine.ok("stock.valuation")["totals"]
        #expect(totals == [["currency": "CNY", "units": 17, "value": "110.50"]])
        try engine.ok("stock.scrap", ["sku": "A1", "warehouse": "BJ", "qty": 3, "bucket": "on_hand", "actor": "lead"])
        #expect(try engine.ok("stock.valuation", ["warehouse": "BJ"])["rows"] == [])
        // The ledger sums to every balance's value, as it does to every balance.
        #expect(try engine.ok("stock.verify")["ok"] == true)
        try engine.ok("sku.upsert", ["sku": "B2", "category": "tea"])
        #expect(try engine.ok("stock.valuation", ["category": "tea"])["totals"] == [])
        #expect(engine.fails("stock.valuation", ["limit": 0]) == .invalidInput)
    }

    /// Stock held before valuation existed opens at the SKU's unit cost, with a ledger row for it.
    @Test func aFileFromBeforeValuationOpensAtTheUnitCost() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let path = dir + "/before.db"
        let old = try databaseBefore(migration: "0022_valuation", at: path)
        try old.run("INSERT INTO skus(sku, name, unit_cost, cost_currency, active, created_at, updated_at) VALUES ('A1', 'Mug', 250, 'CNY', 1, 0, 0)")
        try old.run("INSERT INTO warehouses(warehouse, name, priority, created_at, updated_at) VALUES ('SH', 'Shanghai', 1, 0, 0)")
        try old.run("INSERT INTO stock(sku, warehouse, on_hand, quarantine) VALUES ('A1', 'SH', 4, 1)")
        try old.run("INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason) VALUES (0, 'A1', 'SH', 'on_hand', 5, 'receive')")
        try old.run("INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason) VALUES (0, 'A1', 'SH', 'on_hand', -1, 'quarantine')")
        try old.run("INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason) VALUES (0, 'A1', 'SH', 'quarantine', 1, 'quarantine')")
        let engine = try Engine(path: path)
        #expect(try engine.ok("stock.valuation")["totals"] == [["currency": "CNY", "units": 5, "value": "12.50"]])
        #expect(try engine.ok("stock.ledger", ["reason": "opening_value"])["entries"]?.arrayValue?.first?["value"] == "12.50")
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }
}
