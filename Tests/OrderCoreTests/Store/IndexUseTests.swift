@testable import OrderCore
import Testing

/// "Work grows with the work, not the database": the everyday operations must be served by indexes.
/// SQLite counts the rows a statement visits in full table scans; on a catalog of 3,000 SKUs in two
/// warehouses with a long ledger, these operations may scan only the tiny tables (warehouses, config).
struct IndexUseTests {
    @Test func everydayOperationsDoNotScanBigTables() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let path = dir + "/big.db"
        let store = try Store(path: path, options: StoreOptions(synchronous: .normal))
        try store.transaction(.write) {
            try store.db.run("INSERT INTO warehouses(warehouse, name, priority, created_at, updated_at) VALUES ('SH','SH',1,0,0), ('BJ','BJ',2,0,0)")
            for i in 0..<3_000 {
                let sku = "S\(i)"
                try store.db.run("INSERT INTO skus(sku, name, created_at, updated_at) VALUES (?, ?, 0, 0)", .text(sku), .text(sku))
                for warehouse in ["SH", "BJ"] {
                    try store.db.run("INSERT INTO stock(sku, warehouse, on_hand) VALUES (?, ?, 10)", .text(sku), .text(warehouse))
                    try store.db.run("INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason) VALUES (0, ?, ?, 'on_hand', 10, 'receive')",
                                     .text(sku), .text(warehouse))
                }
            }
        }
        let engine = try Engine(path: path, options: StoreOptions(synchronous: .normal))
        // Customers' orders: the risk rules' counts and customer service's searches must find theirs by index.
        for i in 0..<150 {
            let customer: JSONObject = [
                "email": .string("buyer\(i)@example.com"), "phone": .string("1390000\(1000 + i)"),
                "device_id": .string("device-\(i)"), "ip": .string("10.0.0.\(i)"),
            ]
            let order = try engine.ok("order.create", orderArgs([("S\(i)", 1, "1.00")], ["customer": .object(customer)]))
            try engine.ok("order.pay", ["order_id": order["order_id"] ?? .null, "at": "2026-01-01T00:00:00Z"])
        }
        // Warm up once (first runs prepare statements), then count only what the operations themselves do.
        func run() throws {
            let order = try engine.ok("order.create", orderArgs([("S17", 2, "1.00"), ("S2999", 1, "1.00")]))["order_id"] ?? nil
            try engine.ok("order.pay", ["order_id": order])
            try engine.ok("order.allocate", ["order_id": order])
            try engine.ok("order.cancel", ["order_id": order])
            try engine.ok("stock.get", ["sku": "S1234"])
            try engine.ok("stock.receive", ["sku": "S1234", "warehouse": "SH", "qty": 1])
            try engine.ok("stock.ledger", ["sku": "S1234", "limit": 5])
            try engine.ok("order.list", ["state": "cancelled", "limit": 5])
            try engine.ok("order.get", ["order_id": order])
            let customer: JSONObject = [
                "email": "Buyer7@Example.com", "phone": "13900001007", "device_id": "device-7", "ip": "10.0.0.7",
            ]
            try engine.ok("order.create", orderArgs([("S7", 1, "1.00")], ["customer": .object(customer)]))
            try engine.ok("order.find", ["email": "BUYER7@example.com"])
            // A day's gateway file, and the day's sales with their refunds.
            try engine.ok(
                "reconcile.payments",
                ["csv": "reference,amount\nPAY-1,1.00", "from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z"])
            try engine.ok("report.sales", ["from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z"])
        }
        try run()
        _ = engine.fullScanSteps()
        try run()
        let scanned = engine.fullScanSteps()
        #expect(scanned < 100, "the everyday operations visited \(scanned) rows in full scans")
    }

    /// The sweep's look for cash-on-delivery money not collected reads the orders that owe now, not every
    /// cash-on-delivery order ever shipped (`orders_owing_on_delivery`).
    @Test func uncollectedCashOnDeliveryIsFoundWithoutReadingTheHistory() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let path = dir + "/cod.db"
        let store = try Store(path: path, options: StoreOptions(synchronous: .normal))
        try store.transaction(.write) {
            for i in 0..<3_000 {
                let owing = i % 1_000 == 0
                try store.db.run(
                    """
                    INSERT INTO orders(order_id, channel, state, currency, placed_at, created_at, updated_at, subtotal,
                        line_discount_total, discount_total, shipping_fee, shipping_tax, tax_total, taxes_included,
                        grand_total, paid_total, cash_on_delivery)
                    VALUES (?, 'web', ?, 'CNY', 0, 0, 0, 100, 0, 0, 0, 0, 0, 1, 100, ?, 1)
                    """, .text("SO-\(i)"), .text(i % 2 == 0 ? "completed" : "delivered"), .int(owing ? 0 : 100))
            }
        }
        // By state, the planner's other choice, it would read every order ever delivered or completed.
        var plan: [String] = []
        try store.db.rows("EXPLAIN QUERY PLAN " + Store.codOrdersOwingSQL) { plan.append($0.text(3)) }
        #expect(plan.first?.contains("USING INDEX orders_owing_on_delivery") == true, "\(plan)")
        let engine = try Engine(path: path, options: StoreOptions(synchronous: .normal))
        #expect(try engine.ok("sweep")["cod_uncollected"] == 0, "nothing of them shipped")
    }

    /// The sweep's look for payments overdue on their terms reads the orders on terms that owe now, not every
    /// order ever sold on terms and paid, nor those cancelled (`orders_owing_on_terms`).
    @Test func paymentsOverdueAreFoundWithoutReadingTheHistory() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let store = try Store(path: dir + "/terms.db", options: StoreOptions(synchronous: .normal))
        try store.transaction(.write) {
            for i in 0..<3_000 {
                try store.db.run(
                    """
                    INSERT INTO orders(order_id, channel, state, currency, placed_at, created_at, updated_at, subtotal,
                        line_discount_total, discount_total, shipping_fee, shipping_tax, tax_total, taxes_included,
                        grand_total, paid_total, payment_terms, payment_due_at)
                    VALUES (?, 'web', ?, 'USD', 0, 0, 0, 100, 0, 0, 0, 0, 0, 1, 100, ?, 'Net 30', 0)
                    """, .text("SO-\(i)"), .text(i % 3 == 0 ? "cancelled" : "completed"), .int(i % 1_000 == 1 ? 0 : 100))
            }
        }
        var plan: [String] = []
        try store.db.rows("EXPLAIN QUERY PLAN " + Store.ordersOwingOnTermsSQL) { plan.append($0.text(3)) }
        #expect(plan.first?.contains("USING INDEX orders_owing_on_terms") == true, "\(plan)")
        #expect(try Set(store.ordersOwingOnTerms().map(\.orderID)) == ["SO-1", "SO-1001"], "SO-2001 was cancelled")
    }

    /// The refunds to make (`order.list refund_due=true`) are read from the orders that owe one, newest first
    /// (`orders_owing_refunds`), not by walking every order ever placed to find the few.
    @Test func refundsOwedAreListedWithoutReadingTheHistory() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let path = dir + "/owed.db"
        let store = try Store(path: path, options: StoreOptions(synchronous: .normal))
        try store.transaction(.write) {
            for i in 0..<3_000 {
                try store.db.run(
                    """
                    INSERT INTO orders(order_id, channel, state, currency, placed_at, created_at, updated_at, subtotal,
                        line_discount_total, discount_total, shipping_fee, shipping_tax, tax_total, taxes_included,
                        grand_total, paid_total, refund_due)
                    VALUES (?, 'web', ?, 'CNY', 0, 0, 0, 100, 0, 0, 0, 0, 0, 1, 100, 100, ?)
                    """, .text("SO-\(i)"), .text(i % 1_000 == 7 ? "cancelled" : "completed"), .int(i % 1_000 == 7 ? 100 : 0))
            }
        }
        let engine = try Engine(path: path, options: StoreOptions(synchronous: .normal))
        let owed = try engine.ok("order.list", ["refund_due": true])["orders"]?.arrayValue?.map { $0["order_id"] }
        #expect(owed == ["SO-2007", "SO-1007", "SO-7"])
        let listing = engine.preparedSQL().filter { $0.contains("refund_due > 0") }
        #expect(listing.count == 1, "\(listing)")
        var plan: [String] = []
        try store.db.rows("EXPLAIN QUERY PLAN " + (listing.first ?? "")) { plan.append($0.text(3)) }
        #expect(plan.first?.contains("USING INDEX orders_owing_refunds") == true, "\(plan)")
        // So is the sweep's look for refunds owed too long.
        plan = []
        try store.db.rows("EXPLAIN QUERY PLAN " + Store.ordersOwingRefundsSQL) { plan.append($0.text(3)) }
        #expect(plan.first?.contains("USING INDEX orders_owing_refunds") == true, "\(plan)")
    }

    /// An order's balances are read with a point lookup per SKU on SQLite: an `IN` list there builds a
    /// temporary b-tree for each query, many times a lookup's cost. A long list (a batch publishing
    /// sellable quantities) still goes in one query.
    @Test func anOrdersBalancesAreReadByPointLookups() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Engine(path: dir + "/orders.db")
        try engine.seedCatalog(a1: ["SH": 2, "BJ": 5], b2: ["SH": 5])
        try engine.ok("order.create", orderArgs([("A1", 1, "1.00"), ("B2", 1, "1.00")]))
        let balanceReads = engine.preparedSQL().filter { $0.hasPrefix("SELECT s.sku, s.warehouse, w.priority") }
        #expect(!balanceReads.isEmpty)
        #expect(balanceReads.allSatisfy { $0.contains("s.sku IN (?)") })
    }
}
