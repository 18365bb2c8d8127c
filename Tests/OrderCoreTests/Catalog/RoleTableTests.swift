@testable import OrderCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The role table (docs/roles.md) as a table test: every command and every setting, asked by every
/// kind of actor, is refused exactly when the actor's role is below what it declares.
struct RoleTableTests {
    /// Who asks: nobody (the host), an unregistered name, a deactivated supervisor, and each role.
    static let askers: [(actor: String?, role: Actor.Role?)] =
        [(nil, .admin), ("ghost", nil), ("gone", nil), ("op", .operator), ("lead", .supervisor), ("boss", .admin)]

    /// A database with an admin (so unregistered actors only read) and the actors above.
    static func staffed(_ dir: String) throws -> Engine {
        let engine = try Engine(test: dir + "/roles.db")
        try engine.ok("actor.upsert", ["actor_id": "boss", "role": "admin"])
        try engine.ok("actor.upsert", ["actor_id": "lead", "role": "supervisor"])
        try engine.ok("actor.upsert", ["actor_id": "op", "role": "operator"])
        try engine.ok("actor.upsert", ["actor_id": "gone", "role": "supervisor", "active": false])
        return engine
    }

    static func request(_ actor: String?, _ args: JSONObject = [:]) -> JSONObject {
        var args = args
        if let actor { args["actor"] = .string(actor) }
        return args
    }

    @Test func everyCommandIsRefusedBelowItsDeclaredRoleAndOnlyThen() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Self.staffed(dir)
        for command in Command.all where !command.checksRole {  // actor.upsert: theFirstAdminWindowNeverReopens
            for asker in Self.askers {
                // No arguments: the role is checked before the arguments are read.
                let code = engine.fails(command.name, Self.request(asker.actor))
                let allowed = command.role.map { needed in asker.role.map { $0 >= needed } ?? false } ?? true
                #expect((code == .forbidden) == !allowed, "\(command.name) by \(asker.actor ?? "system"): \(code?.rawValue ?? "ok")")
            }
        }
    }

    @Test func everySettingIsChangedOnlyByItsRole() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Self.staffed(dir)
        for setting in Setting.all {
            let current = try engine.ok("config.get", ["key": .string(setting.key)])["settings"]?.arrayValue?.first?["value"] ?? .null
            for asker in Self.askers {
                let allowed = asker.role.map { $0 >= setting.role } ?? false
                let key: JSONObject = ["key": .string(setting.key)]
                for (op, args) in [("config.set", key.merging(["value": current])), ("config.reset", key)] {
                    let result = engine.run(op, Self.request(asker.actor, args))
                    #expect(result.failure?.code == (allowed ? nil : .forbidden), "\(op) \(setting.key) by \(asker.actor ?? "system")")
                }
            }
        }
        #expect(try engine.ok("config.get", ["key": "returns.admin_above"])["settings"]?.arrayValue?.first?["role"] == "admin")
    }

    @Test func quarantineLargeCorrectionsAndStatedPackagingNeedASupervisor() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Self.staffed(dir)
        try engine.seedCatalog(a1: ["SH": 100])
        try engine.ok("stock.quarantine", ["sku": "A1", "warehouse": "SH", "qty": 4, "actor": "op"])
        // A quarantine write-off, or a hand correction beyond inventory.adjust_limit (10), is refused to an operator.
        let quarantine: JSONObject = ["sku": "A1", "warehouse": "SH", "qty": -4, "bucket": "quarantine", "reason": "gone"]
        #expect(engine.fails("stock.adjust", quarantine.merging(["actor": "op"])) == .forbidden)
        #expect(engine.fails("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": 11, "reason": "found", "actor": "op"]) == .forbidden)
        #expect(engine.fails("stock.count", ["warehouse": "SH", "counts": [["sku": "A1", "qty": 0]], "actor": "op"]) == .forbidden)
        #expect(try engine.ok("stock.get", ["sku": "A1"])["quarantine"] == 4)
        #expect(try engine.ok("stock.get", ["sku": "A1"])["on_hand"] == 96)
        try engine.ok("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": -10, "reason": "broken", "actor": "op"])
        try engine.ok("stock.adjust", quarantine.merging(["actor": "lead"]))
        try engine.ok("stock.count", ["warehouse": "SH", "counts": [["sku": "A1", "qty": 0]], "actor": "lead"])

        // A parcel of 1,500 g for a 500 g item cannot pass by stating 1,000 g of packaging.
        try engine.ok("sku.upsert", ["sku": "B2", "weight_g": 500])
        try engine.ok("stock.receive", ["sku": "B2", "warehouse": "SH", "qty": 5])
        let id = try engine.ok("order.create", orderArgs([("B2", 1, "10.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": id, "amount": "10.00"])
        try engine.ok("order.allocate", ["order_id": id])
        let pack: JSONObject = ["order_id": id, "scans": [id, "B2"], "weight_g": 1_500, "packaging_g": 1_000]
        #expect(engine.fails("order.pack", pack.merging(["actor": "op"])) == .forbidden)
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "allocated")
        let packed = try engine.ok("order.pack", pack.merging(["actor": "lead"]))
        #expect(packed["parcel"]?["weight_check"] == "passed")
        #expect(packed["parcel"]?["packaging_g"] == 1_000)
    }

    @Test func handCorrectionsSplitIntoSmallOnesAddUpForADay() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Self.staffed(dir)
        try engine.seedCatalog(a1: ["SH": 100])
        let adjust = { (qty: Int64, actor: String, at: String) in
            engine.run("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": .int(qty), "reason": "broken", "actor": .string(actor), "at": .string(at)]).failure?.code
        }
        #expect(adjust(-6, "op", "2030-01-01T08:00:00Z") == nil)
        #expect(adjust(-6, "op", "2030-01-01T09:00:00Z") == .forbidden)  // -12 in a day
        #expect(adjust(6, "op", "2030-01-01T10:00:00Z") == nil)  // a correction taken back: 0 in a day
        #expect(adjust(-6, "op", "2030-01-01T11:00:00Z") == nil)
        // A count's variance adds to the counter's own corrections the same way.
        let count: JSONObject = ["warehouse": "SH", "counts": [["sku": "A1", "qty": 88]], "actor": "op", "at": "2030-01-01T12:00:00Z"]
        #expect(engine.fails("stock.count", count) == .forbidden)
        #expect(adjust(-6, "lead", "2030-01-01T13:00:00Z") == nil)  // a supervisor's own are not the operator's
        #expect(try engine.ok("stock.get", ["sku": "A1"])["on_hand"] == 88)
        #expect(adjust(-6, "op", "2030-01-02T11:00:01Z") == nil)  // a day after the last
        #expect(adjust(-6, "op", "2030-01-02T11:00:02Z") == .forbidden)
    }

    /// Goods a person enters for nothing, or below what they cost, are a loss written into the order: a supervisor's,
    /// as write-offs are. An exchange's replacement is such an order: no operator ships it free.
    /// Of A1 on two lines (10.00, and free: a gift of the item bought), an operator cancels the free one by SKU
    /// or by number; cancelling the paid one by number while the gift still ships (the buyer keeps it and is owed
    /// 10.00) is a discount given, a supervisor's — and an operator's once the gift is cancelled too.
    @Test func cancellingTheDearerLineWhileACheaperOneShipsNeedsASupervisor() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Self.staffed(dir)
        try engine.seedCatalog(a1: ["SH": 100])
        func paid() throws -> JSON {
            try engine.ok("order.create", orderArgs([("A1", 1, "10.00"), ("A1", 1, "0.00")], ["payment": [:], "actor": "lead"]))["order_id"] ?? .null
        }
        let id = try paid()
        let dearer: JSONObject = ["order_id": id, "units": [["line_no": 1, "qty": 1]], "actor": "op"]
        #expect(engine.fails("order.cancel", dearer) == .forbidden)
        #expect(try engine.ok("order.get", ["order_id": id])["refund_due"] == "0.00")
        try engine.ok("order.cancel", dearer.merging(["actor": "lead"]))
        for units: JSON in [[["line_no": 2, "qty": 1]], [["sku": "A1", "qty": 1]], [["line_no": 1, "qty": 1], ["line_no": 2, "qty": 1]]] {
            let order = try engine.ok("order.cancel", ["order_id": try paid(), "units": units, "actor": "op"])
            #expect(order["lines"]?.arrayValue?[1]["cancelled"] == 1, "\(units)")
        }
    }

    @Test func goodsEnteredForNothingOrBelowCostNeedASupervisor() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Self.staffed(dir)
        try engine.seedCatalog(a1: ["SH": 100], b2: ["SH": 100])
        try engine.ok("sku.upsert", ["sku": "A1", "unit_cost": "30.00", "cost_currency": "CNY"])
        let orders = { try engine.ok("order.list", [:])["orders"]?.arrayValue?.count ?? -1 }
        let before = try orders()
        for (lines, extra) in [([("B2", 1, "0.00")], [:]), ([("A1", 2, "25.00")], [:]),
                               ([("A1", 1, "40.00")], ["discounts": [["kind": "coupon", "amount": "15.00"]]])] as [([(String, Int64, String)], JSONObject)] {
            let args = orderArgs(lines, extra.merging(["currency": "CNY", "actor": "op"]))
            #expect(engine.fails("order.create", args) == .forbidden, "\(lines)")
            try engine.ok("order.create", args.merging(["actor": "lead"]))
        }
        #expect(try orders() == before + 3)
        // At cost or above, or a SKU without a cost at a price: an operator's; the host's free order too.
        try engine.ok("order.create", orderArgs([("A1", 2, "30.00"), ("B2", 1, "0.00")], ["currency": "CNY", "actor": "op"]))
        try engine.ok("order.create", orderArgs([("B2", 1, "0.01")], ["currency": "CNY", "actor": "op"]))
        try engine.ok("order.create", orderArgs([("B2", 1, "0.00")], ["currency": "CNY"]))
        // Free shipping is not goods given away: a shipping discount takes off the shipping first.
        let freeShipping: JSONObject = ["currency": "CNY", "actor": "op", "shipping_fee": "8.00",
                                        "discounts": [["kind": "shipping", "amount": "8.00"]]]
        try engine.ok("order.create", orderArgs([("A1", 1, "30.00")], freeShipping))
        #expect(engine.fails("order.create", orderArgs([("A1", 1, "30.00")], freeShipping.merging(
            ["discounts": [["kind": "coupon", "amount": "8.00"]]]))) == .forbidden)
        // A cost in another currency cannot be compared (no exchange rates): the order is a supervisor's, or a
        // currency of little worth would let goods go for nothing.
        let inUSD = orderArgs([("A1", 1, "1.00")], ["currency": "USD", "actor": "op"])
        #expect(engine.fails("order.create", inUSD) == .forbidden)
        try engine.ok("order.create", inUSD.merging(["actor": "lead"]))
        try engine.ok("order.create", orderArgs([("B2", 1, "1.00")], ["currency": "USD", "actor": "op"]))
        // Nor may an operator lower the cost first (or move it to another currency); giving a SKU its first cost is
        // an operator's.
        #expect(engine.fails("sku.upsert", ["sku": "A1", "unit_cost": "0.01", "actor": "op"]) == .forbidden)
        #expect(engine.fails("sku.upsert", ["sku": "A1", "cost_currency": "USD", "actor": "op"]) == .forbidden)
        #expect(try engine.ok("sku.upsert", ["sku": "A1", "name": "Mug", "actor": "op"])["unit_cost"] == "30.00")
        try engine.ok("sku.upsert", ["sku": "B2", "unit_cost": "2.00", "cost_currency": "CNY", "actor": "op"])
        try engine.ok("sku.upsert", ["sku": "A1", "unit_cost": "28.00", "actor": "lead"])

        // An exchange whose replacement is free, asked for by an operator.
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "50.00")], ["currency": "CNY"]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": id])
        try engine.ok("order.pickup", ["order_id": id])
        let exchange: JSONObject = ["order_id": id, "reason": "changed_mind", "lines": [["line_no": 1, "qty": 1]], "actor": "op",
                                    "exchange": [["sku": "A1", "qty": 3, "unit_price": "0.00"]]]
        #expect(engine.fails("return.request", exchange) == .forbidden)
        #expect(try engine.ok("return.list", ["order_id": id])["returns"]?.arrayValue?.isEmpty == true)
        try engine.ok("return.request", exchange.merging(["exchange": [["sku": "A1", "qty": 1, "unit_price": "50.00"]]]))
    }

    @Test func theFirstAdminWindowNeverReopens() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Engine(test: dir + "/first.db")
        // Before any admin, unregistered actors do an operator's work, but not a supervisor's.
        try engine.ok("sku.upsert", ["sku": "A1"])
        try engine.ok("warehouse.upsert", ["warehouse": "SH"])
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 5, "actor": "clerk"])
        #expect(engine.fails("stock.scrap", ["sku": "A1", "warehouse": "SH", "qty": 1, "bucket": "on_hand", "actor": "clerk"]) == .forbidden)
        #expect(engine.fails("actor.upsert", ["actor_id": "clerk", "role": "supervisor", "actor": "clerk"]) == .forbidden)
        try engine.ok("actor.upsert", ["actor_id": "boss", "role": "admin", "actor": "clerk"])
        // From now on an unregistered actor only reads.
        #expect(engine.fails("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 5, "actor": "clerk"]) == .forbidden)
        try engine.ok("stock.get", ["sku": "A1", "actor": "clerk"])
        // The last active admin cannot step down at the shell; the host can deactivate it.
        #expect(engine.fails("actor.upsert", ["actor_id": "boss", "active": false, "actor": "boss"]) == .conflict)
        try engine.ok("actor.upsert", ["actor_id": "op", "role": "operator", "actor": "boss"])
        try engine.ok("actor.upsert", ["actor_id": "boss", "active": false])
        #expect(engine.fails("actor.upsert", ["actor_id": "op2", "role": "admin", "actor": "op"]) == .forbidden)
        #expect(engine.fails("actor.upsert", ["actor_id": "new-boss", "role": "admin", "actor": "new-boss"]) == .forbidden)
        try engine.ok("actor.upsert", ["actor_id": "boss", "active": true])
    }

    /// docs/roles.md carries the table generated from the declarations; ORDERCORE_WRITE_DOCS=1 rewrites it.
    @Test func theDocumentedRoleTableIsTheDeclaredOne() throws {
        let path = String(#filePath.prefix(upTo: #filePath.firstRange(of: "/Tests/")!.lowerBound)) + "/docs/roles.md"
        let begin = "<!-- role table: generated from the declarations (RoleTableTests) -->\n", end = "<!-- end of role table -->"
        guard let handle = fopen(path, "r") else { Issue.record("docs/roles.md is missing"); return }
        var text = ""
        var buffer = [CChar](repeating: 0, count: 65_536)
        while fgets(&buffer, Int32(buffer.count), handle) != nil { text += buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
        fclose(handle)
        guard let start = text.firstRange(of: begin), let stop = text.firstRange(of: end) else { Issue.record("docs/roles.md has no role table markers"); return }
        let table = PermissionCommands.markdown()
        if getenv("ORDERCORE_WRITE_DOCS") != nil, String(text[start.upperBound..<stop.lowerBound]) != table {
            let updated = String(text[..<start.upperBound]) + table + String(text[stop.lowerBound...])
            let out = fopen(path, "w")
            fputs(updated, out)
            fclose(out)
            return
        }
        #expect(String(text[start.upperBound..<stop.lowerBound]) == table, "run ORDERCORE_WRITE_DOCS=1 swift test --filter RoleTableTests")
    }
}
