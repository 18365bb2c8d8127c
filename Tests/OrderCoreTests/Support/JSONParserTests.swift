@testable import OrderCore
import Testing

struct JSONParserTests {
    @Test func parsesNestedDocumentsKeepingKeyOrderAndExactNumbers() throws {
        let json = try JSONParser.parse(#"{"b":1,"a":[true,null,"x\u00e9\ud83d\ude00"],"n":12345678901234567890.10}"#)
        #expect(json.objectValue?.keys == ["b", "a", "n"])
        #expect(json["a"] == [true, nil, "xé😀"])
        #expect(json["n"] == .number("12345678901234567890.10"))
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "[1,]", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\u{01}\"", "{\"a\":1}x",
        "\"\\ud800\"", "\"\\udc00x\"", "\"\\x\"", "{\"a\":1,\"a\":2}", "{1:2}",
    ])
    func refusesMalformedInput(text: String) {
        #expect(throws: OrderCoreError.self) { try JSONParser.parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = Array(#"{"sku":"A"#.utf8) + [0xFF] + Array(#""}"#.utf8)
        let error = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(OrderCoreError) in try JSONParser.parse(buffer) }
        }
        guard case .failure(let e) = error else { Issue.record("accepted invalid UTF-8"); return }
        #expect(e.code == .invalidInput)
        #expect(e.message.contains("UTF-8"))
    }

    @Test func limitsNestingDepthWithoutRecursingForever() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: OrderCoreError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func serializedOutputParsesBackToTheSameValue() throws {
        let value: JSON = ["text": "quote \" backslash \\ newline \n tab \t bell \u{07} 酒店", "list": [1, "2", false, nil]]
        #expect(try JSONParser.parse(value.serialized) == value)
    }
}
