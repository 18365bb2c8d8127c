@testable import OrderCore
import Testing

struct FieldsTests {
    @Test func codesAreKeptInNFCSoOneSpellingNamesOneThing() throws {
        #expect(try Fields.normalizedCode("CAFE\u{301}", field: "sku") == "CAF\u{C9}")
        #expect(Array(try Fields.normalizedCode("CAFE\u{301}", field: "sku").utf8) == Array("CAF\u{C9}".utf8))
        #expect(try Fields.normalizedCode("酒店-A 1", field: "sku") == "酒店-A 1")
        #expect(Engine.isValidCode("A1") && !Engine.isValidCode("CAFE\u{301}") && !Engine.isValidCode(" A1"))
    }

    @Test func invisibleLookAlikeAndOversizedCodesAreRefused() {
        let refused = ["", " A", "A ", "A\u{200B}1", "A\u{202E}1", "\u{FEFF}A", "A\u{00AD}1", "A\u{00A0}1", "A\u{3000}1",
                       "A\u{2028}1", "A\u{E000}", "A\u{7}", "\u{301}A", "A" + String(repeating: "\u{301}", count: 524_287),
                       String(repeating: "A", count: 65), String(repeating: "酒", count: 65), String(repeating: "😀", count: 65)]
        for code in refused {
            #expect(throws: OrderCoreError.self, "\(code.unicodeScalars.prefix(4).map { String($0.value, radix: 16) })") {
                try Fields.normalizedCode(code, field: "sku")
            }
        }
        #expect((try? Fields.normalizedCode(String(repeating: "😀", count: 64), field: "sku")) != nil)  // 256 bytes
    }

    @Test func freeTextIsBoundedInBytesAsWellAsCharacters() {
        let flood = Fields(["name": .string("a" + String(repeating: "\u{301}", count: 10_000))])
        #expect(throws: OrderCoreError.self) { try flood.text("name", maxLength: 200) }
        let ok = Fields(["name": .string(String(repeating: "酒", count: 200))])
        #expect((try? ok.text("name", maxLength: 200)) != nil)
    }
}
