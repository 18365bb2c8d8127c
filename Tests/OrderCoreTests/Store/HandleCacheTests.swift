@testable import OrderCore
import Testing

/// A handle keeps settings, channels, the risk rules and lists, the SKUs it looked up and the stored channel
/// profiles it read in memory across transactions
/// (`Store.checkCaches`): a change made through another handle — another process or host — is used by
/// the very next command, and a change a failed command took back is never used.
struct HandleCacheTests {
    let t0 = "2026-01-18T10:00:00Z"

    /// Two handles on one database (one SQLite file, or one PostgreSQL database).
    func handles() throws -> (Engine, Engine, String) {
        let dir = temporaryDirectory()
        let first = try Engine(test: dir + "/shared.db")
        try first.seedCatalog(a1: ["SH": 100])
        return (first, try Engine(test: dir + "/shared.db"), dir)
    }

    func create(_ engine: Engine, _ extra: JSONObject = [:]) throws -> JSON {
        var args = orderArgs([("A1", 1, "10.00")], extra)
        args["at"] = .string(t0)
        return try engine.ok("order.create", args)
    }

    @Test func anotherHandlesChangesAreUsedByTheNextCommand() throws {
        let (cached, other, dir) = try handles()
        defer { removeDirectory(dir) }
        try other.ok("channel.upsert", ["channel": "web"])
        #expect(try create(cached, ["channel": "web"])["expires_at"] == "2026-01-18T10:15:00Z")  // cached now

        try other.ok("config.set", ["key": "order.unpaid_timeout_minutes", "value": 30])
        #expect(try create(cached, ["channel": "web"])["expires_at"] == "2026-01-18T10:30:00Z")
        try other.ok("channel.upsert", ["channel": "web", "active": false])
        #expect(cached.fails("order.create", orderArgs([("A1", 1, "10.00")], ["channel": "web"])) == .conflict)
        try other.ok("risk.list_set", ["kind": "phone", "value": "13700000000", "list": "block"])
        #expect(try create(cached, ["customer": ["phone": "13700000000"]])["state"] == "on_hold")
        // Only phones were listed when the lists were read: a device listed since is looked up too.
        #expect(try create(cached, ["customer": ["device_id": "DEV-9"]])["state"] == "pending_payment")
        try other.ok("risk.list_set", ["kind": "device", "value": "DEV-9", "list": "block"])
        #expect(try create(cached, ["customer": ["device_id": "DEV-9"]])["state"] == "on_hold")
        try other.ok("config.set", ["key": "risk.rules", "value": ["thresholds": ["review": 1, "hold": 2, "reject": 3]]])
        #expect(try create(cached, ["ship_to": ["line1": "Hotel Nine"]])["risk"]?["rules_version"] == 1)
        try other.ok("sku.upsert", ["sku": "A1", "active": false])
        #expect(cached.fails("order.create", orderArgs([("A1", 1, "10.00")])) == .invalidInput)
    }

    @Test func aProfileAnotherHandleChangedMapsTheNextEvent() throws {
        let (cached, other, dir) = try handles()
        defer { removeDirectory(dir) }
        func profile(currency: String) -> JSONObject {
            [
                "profile": "mini",
                "events": [
                    [
                        "type": "order", "fields": ["external_id": "no", "currency": ["const": .string(currency)]],
                        "lines": ["path": "items", "fields": ["sku": "code", "qty": "n", "unit_price": "price"]],
                    ]
                ],
            ]
        }
        func ingest(_ no: String) throws -> JSON {
            let payload: JSONObject = ["no": .string(no), "items": [["code": "A1", "n": 1, "price": "2.50"]]]
            let outcome = try cached.ok("intake.ingest", ["channel": "mini", "payload": .object(payload)])
            let id = outcome["events"]?.arrayValue?.first?["order_id"] ?? .null
            return try cached.ok("order.get", ["order_id": id])["currency"] ?? .null
        }
        try other.ok("intake.profile_set", ["profile": .object(profile(currency: "EUR"))])
        try other.ok("channel.upsert", ["channel": "mini", "profile": "mini"])
        #expect(try ingest("M-1") == "EUR")
        #expect(try ingest("M-2") == "EUR")  // the profile as kept by the handle
        try other.ok("intake.profile_set", ["profile": .object(profile(currency: "USD"))])
        #expect(try ingest("M-3") == "USD")
    }

    @Test func aChangeTakenBackIsNeverUsed() throws {
        let (cached, other, dir) = try handles()
        defer { removeDirectory(dir) }
        // In one atomic batch: the setting changes, an order reads it, then a command fails: all rolled back.
        var batch = """
            [{"op":"config.set","key":"order.unpaid_timeout_minutes","value":45},
             {"op":"order.create","at":"\(t0)","lines":[{"sku":"A1","qty":1,"unit_price":"1.00"}]},
             {"op":"order.pay","order_id":"SO-999999"}]
            """
        #expect(batch.withUTF8 { cached.executeBatch($0, atomic: true).code } == .notFound)
        #expect(try create(cached)["expires_at"] == "2026-01-18T10:15:00Z")
        #expect(try create(other)["expires_at"] == "2026-01-18T10:15:00Z")
    }
}
