@testable import OrderCore
import Testing

/// Every command from every state: allowed exactly where `OrderState.transitions` says, a `conflict`
/// naming the state everywhere else; and after each allowed step, the stock still equals its ledger.
struct TransitionTableTests {
    static let states: [OrderState] = [.pendingPayment, .depositPaid, .paid, .allocated, .picking, .packed, .partiallyShipped,
                                       .shipped, .delivered, .completed, .onHold, .cancelled]
    static let commands = ["order.pay", "order.allocate", "order.pick", "order.pack", "order.ship", "order.deliver", "order.complete",
                           "order.pickup", "order.hold", "order.release", "order.cancel", "order.unpack"]

    /// A1 (barcode 690001) and B2 (690002), 50 of each.
    func engine() throws -> Engine {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 50], b2: ["SH": 50])
        try engine.ok("sku.upsert", ["sku": "A1", "barcode": "690001"])
        try engine.ok("sku.upsert", ["sku": "B2", "barcode": "690002"])
        return engine
    }

    /// An order of 2 A1 and 1 B2 in `state`, set up so that every command allowed from it can succeed.
    func reach(_ engine: Engine, _ state: OrderState) throws -> JSON {
        var args = orderArgs([("A1", 2, "10.00"), ("B2", 1, "10.00")])
        if state == .depositPaid { args["deposit"] = "5.00" }
        let id = try engine.ok("order.create", args)["order_id"] ?? nil
        func run(_ op: String, _ extra: JSONObject = [:]) throws {
            var a = extra
            a["order_id"] = id
            try engine.ok(op, a)
        }
        let pack: (JSONObject) throws -> Void = { extra in try run("order.pack", extra) }
        switch state {
        case .pendingPayment: break
        case .depositPaid: try run("order.pay")
        case .cancelled: try run("order.cancel")
        case .onHold: try run("order.hold", ["reason": "check"])
        default:
            try run("order.pay")
            if state == .paid { break }
            try run("order.allocate")
            if state == .allocated { break }
            if state == .picking { try pack(["scans": [id, "690001"], "weight_g": 0, "partial": true]); break }
            if state == .packed { try pack(["scans": [id, "690001", "690001", "690002"], "weight_g": 0]); break }
            try pack(["scans": [id, "690001"], "weight_g": 0, "partial": true])
            try run("order.ship", ["carrier": "SF", "tracking_no": .string("A-\(id.stringValue ?? "")")])
            if state == .partiallyShipped {
                try pack(["scans": [id, "690001"], "weight_g": 0, "partial": true])  // a second parcel, B2 still to pack
                break
            }
            try pack(["scans": [id, "690001", "690002"], "weight_g": 0])
            try run("order.ship", ["carrier": "SF", "tracking_no": .string("B-\(id.stringValue ?? "")")])
            if state == .shipped { break }
            try run("order.deliver")
            if state == .delivered { break }
            try run("order.complete")
        }
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == .string(state.rawValue), "reached \(state)")
        return id
    }

    func arguments(_ command: String, _ id: JSON) -> JSONObject {
        switch command {
        case "order.pack": ["order_id": id, "scans": [id, "690002"], "weight_g": 0, "partial": true]
        case "order.ship": ["order_id": id, "carrier": "SF", "tracking_no": .string("C-\(id.stringValue ?? "")")]
        case "order.hold", "order.unpack": ["order_id": id, "reason": "check"]
        default: ["order_id": id]
        }
    }

    /// ... and each refusal's `allowed` names exactly the commands that succeed from there.
    @Test(arguments: states)
    func everyCommandFrom(state: OrderState) throws {
        var succeeded: Set<String> = [], named: [Set<String>] = []
        for command in Self.commands {
            let engine = try engine()
            let id = try reach(engine, state)
            let allowed = OrderState.transitions.contains { $0.command == command && $0.from.contains(state) }
            let result = engine.run(command, arguments(command, id))
            switch result {
            case .success:
                succeeded.insert(command)
                #expect(allowed, "\(command) succeeded from \(state.rawValue) but the table forbids it")
            case .failure(let e):
                #expect(!allowed, "\(command) from \(state.rawValue) is allowed but failed: \(e.code.rawValue) \(e.message)")
                if !allowed { #expect(e.code == .conflict && e.details?["state"] == .string(state.rawValue), "\(command) from \(state.rawValue)") }
                named.append(Set(e.details?["allowed"]?.arrayValue?.compactMap(\.stringValue) ?? []))
            }
            #expect(try engine.ok("stock.verify")["ok"] == true, "ledger after \(command) from \(state.rawValue)")
        }
        for allowed in named { #expect(allowed == succeeded, "from \(state.rawValue)") }
    }

    /// A refusal names what this order allows, not only its state: a held order already paid has nothing to
    /// pay; a cash-on-delivery order waiting for its money may be allocated; one shipped unpaid may be paid.
    @Test func aRefusalNamesWhatTheOrderAllows() throws {
        let engine = try engine()
        func allowed(_ id: JSON, _ command: String) -> [String] {
            guard case .failure(let e) = engine.run(command, arguments(command, id)) else { return ["(succeeded)"] }
            return e.details?["allowed"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        let held = try reach(engine, .paid)
        try engine.ok("order.hold", ["order_id": held, "reason": "check"])
        #expect(allowed(held, "order.pay") == ["order.release", "order.cancel"])
        #expect(allowed(held, "order.ship") == ["order.release", "order.cancel"])
        var args = orderArgs([("A1", 1, "10.00")])
        args["cash_on_delivery"] = true
        let cod = try engine.ok("order.create", args)["order_id"] ?? .null
        #expect(allowed(cod, "order.ship") == ["order.pay", "order.allocate", "order.hold", "order.cancel"])
        try engine.ok("order.allocate", ["order_id": cod])
        try engine.ok("order.pack", ["order_id": cod, "scans": [cod, "690001"], "weight_g": 0])
        try engine.ok("order.ship", ["order_id": cod, "carrier": "SF", "tracking_no": "COD-1"])
        #expect(allowed(cod, "order.cancel") == ["order.pay", "order.deliver"])
        // Nor only what its state allows: picked with nothing packed, it has no parcel to ship or take apart;
        // packed whole, nothing left to pack; a parcel held by the weight check does not ship.
        let picking = try reach(engine, .paid)
        try engine.ok("order.allocate", ["order_id": picking])
        try engine.ok("order.pick", ["order_id": picking])
        #expect(allowed(picking, "order.complete") == ["order.pick", "order.pack", "order.hold", "order.cancel"])
        try engine.ok("order.pack", ["order_id": picking, "scans": [picking, "690002"], "weight_g": 0, "partial": true])
        #expect(allowed(picking, "order.complete") == ["order.pick", "order.pack", "order.unpack", "order.ship", "order.hold", "order.cancel"])
        try engine.ok("sku.upsert", ["sku": "A1", "weight_g": 100])
        try engine.ok("order.pack", ["order_id": picking, "scans": [picking, "690001", "690001"], "weight_g": 5_000])
        #expect(allowed(picking, "order.complete") == ["order.unpack", "order.ship", "order.hold", "order.cancel"])
        try engine.ok("order.unpack", ["order_id": picking, "reason": "repack"])
        try engine.ok("sku.upsert", ["sku": "B2", "weight_g": 100])
        try engine.ok("order.pack", ["order_id": picking, "scans": [picking, "690001", "690001", "690002"], "weight_g": 5_000])
        #expect(allowed(picking, "order.complete") == ["order.unpack", "order.hold", "order.cancel"])
    }
}
