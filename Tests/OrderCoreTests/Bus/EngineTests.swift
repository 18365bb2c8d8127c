@testable import OrderCore
import Testing

struct EngineTests {
    @Test func responsesUseTheEnvelopeAndCodesMatch() throws {
        let engine = try Engine(test: ":memory:")
        let (okCode, ok) = engine.execute(#"{"op":"sku.upsert","sku":"A1"}"#)
        #expect(okCode == nil)
        #expect(try JSONParser.parse(ok)["ok"] == true)
        let (code, failed) = engine.execute(#"{"op":"stock.get","sku":"NOPE"}"#)
        #expect(code == .notFound)
        let error = try JSONParser.parse(failed)["error"]
        #expect(error?["code"] == "not_found")
        #expect(error?["details"]?["sku"] == "NOPE")
    }

    @Test(arguments: [
        (#"{"sku":"A1"}"#, "op"), (#"{"op":"order.teleport"}"#, "unknown op"), (#"{"op":5}"#, "op must be a string"),
        (#"{"op":"sku.upsert","sku":"A1","colour":"red"}"#, "colour"), (#"{"op":"sku.upsert","sku":""}"#, "sku"),
        (#"{"op":"sku.upsert","sku":"A\u0001"}"#, "control"), (#"{"op":"sku.upsert","sku":" A1"}"#, "whitespace"),
        (#"{"op":"sku.upsert","sku":"A1","at":"yesterday"}"#, "at"), (#"{"op":"sku.upsert","sku":"A1","weight_g":1.5}"#, "weight_g"),
        ("[]", "JSON object"),
    ])
    func invalidRequestsNameTheProblem(request: String, mentions: String) throws {
        let engine = try Engine(test: ":memory:")
        let (code, response) = engine.execute(request)
        #expect(code == .invalidInput)
        #expect(try JSONParser.parse(response)["error"]?["message"]?.stringValue?.contains(mentions) == true, "\(response)")
    }

    /// The stored hashes (payload hashes, `.import`'s event ids) stay what earlier versions wrote: FNV-1a
    /// of the UTF-8 bytes, whatever way the text was made.
    @Test func theHashIsFNV1aOfTheUTF8Bytes() {
        #expect(Engine.hash("") == Int64(bitPattern: 0xcbf2_9ce4_8422_2325))
        #expect(Engine.hash("a") == Int64(bitPattern: 0xaf63_dc4c_8601_ec8c))
        #expect(Engine.hash("foobar") == Int64(bitPattern: 0x8594_4171_f739_67e8))
        let decoded = String(decoding: Array("Grüße, 订单".utf8), as: UTF8.self)
        #expect(Engine.hash(decoded) == Engine.hash("Grüße, 订单"))
        #expect(Engine.hash(String("Grüße, 订单 x".dropLast(2))) == Engine.hash("Grüße, 订单"))
    }

    @Test func oversizedRequestsAreRefusedBeforeParsing() throws {
        let engine = try Engine(test: ":memory:")
        let big = #"{"op":"sku.upsert","sku":"A1","name":""# + String(repeating: "x", count: Engine.maxRequestBytes) + #""}"#
        #expect(engine.execute(big).code == .invalidInput)
    }

    @Test func sqlLookingTextIsStoredLiterally() throws {
        let engine = try Engine(test: ":memory:")
        let name = "Robert'); DROP TABLE orders;--"
        try engine.ok("sku.upsert", ["sku": "A1", "name": .string(name)])
        try engine.ok("sku.upsert", ["sku": "A2"])
        #expect(try engine.ok("sku.upsert", ["sku": "A1"])["name"] == .string(name))
    }

    @Test func repeatedIdempotencyKeyReturnsTheFirstResultAndAppliesOnce() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 10])
        let request = #"{"op":"order.create","idempotency_key":"k1","lines":[{"sku":"A1","qty":2,"unit_price":"1.00"}]}"#
        let first = try JSONParser.parse(engine.execute(request).response)
        let second = try JSONParser.parse(engine.execute(request).response)
        #expect(second["replayed"] == true)
        #expect(second["result"]?["order_id"] == first["result"]?["order_id"])
        #expect(try engine.available("A1") == 8)
        let other = #"{"op":"order.create","idempotency_key":"k1","lines":[{"sku":"A1","qty":1,"unit_price":"1.00"}]}"#
        #expect(engine.execute(other).code == .conflict)
    }

    @Test func failedCommandWithAnIdempotencyKeyCanBeRetried() throws {
        let engine = try Engine(test: ":memory:")
        try engine.seedCatalog(a1: ["SH": 1])
        let request = #"{"op":"order.create","idempotency_key":"k2","lines":[{"sku":"A1","qty":2,"unit_price":"1.00"}]}"#
        #expect(engine.execute(request).code == .insufficientStock)
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 1])
        #expect(engine.execute(request).code == nil)
    }

    @Test func aClosedEngineRefusesWithMisuse() throws {
        let engine = try Engine(test: ":memory:")
        engine.close()
        #expect(engine.fails("sweep") == .misuse)
    }

    @Test func everyCommandHasAUniqueName() {
        #expect(Set(Command.all.map(\.name)).count == Command.all.count)
    }

    @Test func openingAMissingDirectoryIsAnIOError() {
        #expect { try Engine(path: "/nonexistent/dir/x.db") } throws: { ($0 as? OrderCoreError)?.code == .io }
    }
}
