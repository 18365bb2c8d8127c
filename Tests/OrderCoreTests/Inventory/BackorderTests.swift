@testable import OrderCore
import Testing

/// Orders a channel sold short of stock (`backordered` lines) take units first as they become available —
/// received, or given back by another order — oldest first, from the warehouses serving their channel:
/// the rest of the world (a new order, the sellable quantity published to the channels) sees only what is
/// left, so the units the channels sold once are not sold again.
struct BackorderTests {
    let dir = temporaryDirectory()
    let engine: Engine

    init() throws {
        engine = try Engine(test: dir + "/backorders.db")
        try engine.seedCatalog(a1: ["SH": 2])
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "shopify", "warehouses": ["SH"]])
    }

    /// A paid Shopify order of `qty` units of A1.
    @discardableResult
    func channelOrder(_ id: Int64, qty: Int64) throws -> JSON {
        let payload: JSON = ["order": ["id": .int(id), "currency": "USD", "financial_status": "paid",
                                       "created_at": "2026-01-18T10:00:00Z",
                                       "line_items": [["id": 1, "sku": "A1", "quantity": .int(qty), "price": "10.00"]]]]
        let outcome = try engine.ok("intake.ingest", ["channel": "shop", "payload": payload])
        return outcome["events"]?.arrayValue?.first ?? .null
    }

    func line(_ event: JSON) throws -> JSON {
        try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])["lines"]?.arrayValue?.first ?? .null
    }

    func alerted(_ event: JSON) throws -> Bool { try alert(event).map { _ in true } ?? false }

    /// The order's open `backorder` alert.
    func alert(_ event: JSON) throws -> JSON? {
        try engine.ok("report.alerts")["alerts"]?.arrayValue?.first {
            $0["kind"] == "backorder" && $0["order_id"] == event["order_id"]
        }
    }

    /// The units the order's `backorder` alert says are short.
    func shortUnits(_ event: JSON) throws -> [JSON]? { try alert(event)?["details"]?["short"]?.arrayValue?.map { $0["qty"] ?? .null } }

    /// Sold short of a SKU on two lines (a free A1 first, then one at 10.00), the units there are go to the dearest
    /// line first, and so do the units that arrive: what waits is the gift, never what was paid for. The free line
    /// used to take them, and the paid unit waited — cancelled for want of stock, its 10.00 went back while the
    /// buyer kept the gift.
    @Test func unitsShortGoToTheDearestLineFirst() throws {
        func lines(_ event: JSON) throws -> [[JSON]] {
            try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])["lines"]?.arrayValue?.map {
                [$0["reserved"] ?? .null, $0["backordered"] ?? .null]
            } ?? []
        }
        func order(_ id: Int64) throws -> JSON {
            let payload: JSON = ["order": ["id": .int(id), "currency": "USD", "financial_status": "paid",
                                           "created_at": "2026-01-18T10:00:00Z",
                                           "line_items": [["id": 1, "sku": "A1", "quantity": 2, "price": "0.00"],
                                                          ["id": 2, "sku": "A1", "quantity": 2, "price": "10.00"]]]]
            return try engine.ok("intake.ingest", ["channel": "shop", "payload": payload])["events"]?.arrayValue?.first ?? .null
        }
        let first = try order(1)
        #expect(try lines(first) == [[0, 2], [2, 0]])
        let second = try order(2)
        #expect(try lines(second) == [[0, 2], [0, 2]])
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 3])
        // Oldest first: the first order's gift, then the second order's paid line.
        #expect(try lines(first) == [[2, 0], [2, 0]] && lines(second) == [[0, 2], [1, 1]])
    }

    /// Units the channel ships that the order never held are units it is no longer owed; what it is still
    /// owed after a partial shipment is filled as for any order sold short, and shipped from here.
    @Test func whatTheChannelShipsIsOwedNoMoreAndTheRestIsFilled() throws {
        func update(_ id: Int64, fulfillable: Int64, at time: String) throws -> JSON {
            let status: JSON = fulfillable == 0 ? "fulfilled" : "partial"
            let payload: JSON = ["order": ["id": .int(id), "currency": "USD", "financial_status": "paid",
                                           "created_at": "2026-01-18T10:00:00Z", "updated_at": .string(time),
                                           "fulfillment_status": status,
                                           "line_items": [["id": 1, "sku": "A1", "quantity": 6, "price": "10.00",
                                                           "current_quantity": 6, "fulfillable_quantity": .int(fulfillable)]]]]
            return try engine.ok("intake.ingest", ["channel": "shop", "payload": payload])["events"]?.arrayValue?.first ?? .null
        }
        let order = try channelOrder(1, qty: 6)
        #expect(try line(order)["reserved"] == 2 && line(order)["backordered"] == 4 && shortUnits(order) == [4])
        // Three leave at the channel: the two held and one it was short of.
        let partly = try update(1, fulfillable: 3, at: "2026-01-19T10:00:00Z")
        #expect(partly["state"] == "partially_shipped" && partly["shipment"]?["units_from_stock"] == 2, "\(partly.serialized)")
        #expect(try line(order)["backordered"] == 3 && line(order)["reserved"] == 0)
        #expect(try shortUnits(order) == [3], "three units are still owed, and the alert says so")
        let owed = try engine.ok("stock.replenishment", ["sku": "A1"])["rows"]?.arrayValue?.first
        #expect(owed?["backordered"] == 3, "\(owed?.serialized ?? "")")
        // Units received go to it, and the warehouse ships them.
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 1])
        #expect(try line(order)["backordered"] == 2 && shortUnits(order) == [2])
        let received = try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 4])
        #expect(received["backorders_filled"]?.arrayValue?.count == 1 && received["available"] == 2, "\(received.serialized)")
        #expect(try line(order)["backordered"] == 0 && line(order)["reserved"] == 3 && !alerted(order))
        let id = order["order_id"] ?? .null
        #expect(try engine.ok("order.allocate", ["order_id": id])["state"] == "partially_shipped")
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1", "A1", "A1"], "weight_g": 0])
        #expect(try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": "SF1"])["state"] == "shipped")
        #expect(try line(order)["shipped"] == 6 && engine.available("A1") == 2)

        // Shipped whole by the channel while short: nothing is owed, nothing is filled later.
        let short = try channelOrder(2, qty: 5)
        #expect(try line(short)["backordered"] == 3)
        let gone = try update(2, fulfillable: 0, at: "2026-01-19T11:00:00Z")
        #expect(gone["state"] == "shipped" && gone["shipment"]?["units_from_stock"] == 2, "\(gone.serialized)")
        #expect(try line(short)["backordered"] == 0 && !alerted(short))
        #expect(try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 1])["backorders_filled"] == nil)
        #expect(try engine.available("A1") == 1)
    }

    /// Short units cancelled (the buyer drops some) are short no more: the `backorder` alert names those left,
    /// and clears when none is.
    @Test func theBackorderAlertNamesTheUnitsStillShort() throws {
        let order = try channelOrder(3, qty: 6)
        let id = order["order_id"] ?? .null
        #expect(try shortUnits(order) == [4])
        try engine.ok("order.cancel", ["order_id": id, "units": [["sku": "A1", "qty": 3]]])
        #expect(try line(order)["backordered"] == 1 && shortUnits(order) == [1])
        try engine.ok("order.cancel", ["order_id": id, "units": [["sku": "A1", "qty": 1]]])
        #expect(try line(order)["backordered"] == 0 && line(order)["reserved"] == 2 && !alerted(order))
    }

    /// A file from before shipments took units off `backordered` owes, once migrated, at most what is left to ship.
    @Test func aFileThatOwedShippedUnitsOwesWhatIsLeftOnceMigrated() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Engine(path: dir + "/old.db")
        try engine.seedCatalog(a1: [:])
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "shopify"])
        let payload: JSON = ["order": ["id": 1, "currency": "USD", "financial_status": "paid", "fulfillment_status": "partial",
                                       "line_items": [["id": 1, "sku": "A1", "quantity": 5, "price": "10.00", "current_quantity": 5,
                                                       "fulfillable_quantity": 3]]]]
        let event = try engine.ok("intake.ingest", ["channel": "shop", "payload": payload])["events"]?.arrayValue?.first
        let id = event?["order_id"] ?? .null
        let old = try Store(path: dir + "/old.db", options: StoreOptions())
        try old.db.run("UPDATE order_lines SET qty_backordered = 5")  // as files before 0042 kept it
        try rerun(migration: "0042_owed_left", on: old)
        let migrated = try Engine(path: dir + "/old.db")
        let line = try migrated.ok("order.get", ["order_id": id])["lines"]?.arrayValue?.first
        #expect(line?["shipped"] == 2 && line?["backordered"] == 3, "\(line?.serialized ?? "")")
    }

    /// Units an unpaid order's lapsed holds give back as another order reads them (lazy expiry) go first to
    /// an order sold short of them, not to the order that found them.
    @Test func unitsOfLapsedHoldsGoToOrdersSoldShortFirst() throws {
        try engine.ok("order.create", orderArgs([("A1", 2, "10.00")], ["at": "2026-01-18T10:00:00Z"]))
        let payload: JSON = ["order": ["id": 9, "currency": "USD", "financial_status": "paid", "created_at": "2026-01-18T10:05:00Z",
                                       "line_items": [["id": 1, "sku": "A1", "quantity": 1, "price": "10.00"]]]]
        let short = try engine.ok("intake.ingest", ["channel": "shop", "payload": payload, "at": "2026-01-18T10:05:00Z"])
        let owed = short["events"]?.arrayValue?.first ?? .null
        #expect(owed["backordered"] == [["line_no": 1, "sku": "A1", "qty": 1]], "\(owed.serialized)")
        // Twenty minutes on, the first order's holds have lapsed: one of its two units is owed to the channel's.
        let both = orderArgs([("A1", 2, "10.00")], ["at": "2026-01-18T10:20:00Z", "payment": [:]])
        #expect(engine.fails("order.create", both) == .insufficientStock)
        let one = try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], ["at": "2026-01-18T10:21:00Z", "payment": [:]]))
        #expect(one["state"] == "paid")
        #expect(try line(owed)["backordered"] == 0 && line(owed)["reserved"] == 1 && !alerted(owed))
        #expect(try engine.available("A1") == 0)
    }

    @Test func receivedUnitsGoToOrdersSoldShortOldestFirst() throws {
        let first = try channelOrder(1, qty: 5)
        #expect(first["backordered"] == [["line_no": 1, "sku": "A1", "qty": 3]], "\(first.serialized)")
        let second = try channelOrder(2, qty: 4)
        #expect(try alerted(first) && alerted(second))
        // Five arrive: three to the first order, two to the second; nothing left for anyone else.
        let received = try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 5])
        #expect(received["available"] == 0 && received["reserved"] == 7, "\(received.serialized)")
        #expect(received["backorders_filled"]?.arrayValue?.map { $0["order_id"] ?? .null } == [
            first["order_id"] ?? .null, second["order_id"] ?? .null,
        ])
        #expect(try line(first)["backordered"] == 0 && line(first)["reserved"] == 5)
        #expect(try line(second)["backordered"] == 2 && line(second)["reserved"] == 2)
        #expect(try !alerted(first) && alerted(second), "the alert stays while units are missing")
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "1.00")])) == .insufficientStock)
        let timeline = try engine.ok("order.timeline", ["order_id": first["order_id"] ?? .null])["events"]?.arrayValue
        let filled = timeline?.first { $0["command"] == "order.backorder_filled" }
        #expect(filled?["details"]?["units"] == [["line_no": 1, "sku": "A1", "warehouse": "SH", "qty": 3]])
        // Units another order gives back go to the one still short, not back on sale.
        let other = try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 1])
        #expect(other["available"] == 0 && other["backorders_filled"] != nil)
        try engine.ok("order.cancel", ["order_id": first["order_id"] ?? .null, "reason": "buyer changed their mind"])
        #expect(try line(second)["backordered"] == 0 && !alerted(second))
        #expect(try engine.available("A1") == 4, "eight on hand, four held by the second order")
        // Every unit an order holds counts as sold, as if stock had covered it when it was paid: the second
        // order's four today, the first's five taken back with it.
        let tomorrow = Timestamp.format(Timestamp.now() + 86_400_000)
        let board = try engine.ok("stock.board", ["at": .string(tomorrow)])["rows"]?.arrayValue?.first
        #expect(board?["yesterday_sales"] == 4, "\(board?.serialized ?? "")")
        #expect(try engine.ok("stock.verify")["ok"] == true)
        #expect(try engine.ok("order.allocate", ["order_id": second["order_id"] ?? .null])["state"] == "allocated")
    }

    @Test func theChannelsAreToldOnlyWhatIsLeft() throws {
        try channelOrder(3, qty: 5)
        let head = try engine.ok("events.read", ["after": 0, "limit": 1])["head"] ?? .null
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 10])
        let published = try engine.ok("events.read", ["after": head, "limit": 100, "kinds": ["sellable"]])["events"]?
            .arrayValue?.filter { $0["channel"] == "shop" }.compactMap { $0["sellable"]?.intValue }
        #expect(published == [7], "ten received, three of them owed to the order sold short")
    }

    /// What to buy counts the units owed to orders sold short, at the warehouse that would ship them (the first
    /// by priority serving the order's channel); a SKU never stocked there gets a row of its own.
    @Test func whatToBuyIncludesWhatIsOwed() throws {
        try channelOrder(5, qty: 5)
        let payload: JSON = ["order": ["id": 6, "currency": "USD", "financial_status": "paid",
                                       "line_items": [["id": 1, "sku": "B2", "quantity": 4, "price": "10.00"]]]]
        try engine.ok("intake.ingest", ["channel": "shop", "payload": payload])
        let rows = try engine.ok("stock.replenishment")["rows"]?.arrayValue ?? []
        func row(_ sku: String) -> JSON? { rows.first { $0["sku"] == .string(sku) && $0["warehouse"] == "SH" } }
        #expect(row("A1")?["backordered"] == 3 && row("A1")?["suggested_qty"] == 3, "\(rows)")
        #expect(row("B2")?["backordered"] == 4 && row("B2")?["reason"] == "out_of_stock", "\(rows)")
        #expect(rows.allSatisfy { $0["warehouse"] == "SH" }, "Beijing serves no channel order: nothing is owed there")
        let board = try engine.ok("stock.board")["rows"]?.arrayValue?.first { $0["sku"] == "B2" }
        #expect(board?["backordered"] == 4 && board?["status"] == "warning")
        // Received, the units are no longer owed: nothing more to buy for them.
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 3])
        let after = try engine.ok("stock.replenishment", ["sku": "A1", "all": true])["rows"]?.arrayValue?.first
        #expect(after?["backordered"] == 0 && after?["suggested_qty"] == 0, "\(after?.serialized ?? "")")
    }

    @Test func onlyTheWarehousesServingTheOrdersChannelFillIt() throws {
        let short = try channelOrder(4, qty: 3)
        let elsewhere = try engine.ok("stock.receive", ["sku": "A1", "warehouse": "BJ", "qty": 5])
        #expect(elsewhere["backorders_filled"] == nil && elsewhere["available"] == 5)
        #expect(try line(short)["backordered"] == 1)
        // Serving it now, Beijing's units go to it at the next sweep (or the next change that frees some).
        try engine.ok("channel.upsert", ["channel": "shop", "profile": "shopify", "warehouses": ["SH", "BJ"]])
        #expect(try engine.ok("sweep")["backorders_filled"] == 1)
        #expect(try line(short)["backordered"] == 0 && engine.available("A1") == 4)
        #expect(try engine.ok("sweep")["backorders_filled"] == 0)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }
}
