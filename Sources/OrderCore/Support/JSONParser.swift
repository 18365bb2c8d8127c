/// A strict RFC 8259 parser. Strict because its input comes from other programs: duplicate keys,
/// raw control characters, lone surrogates, invalid UTF-8 and nesting deeper than `maxDepth` are all
/// `invalid_input` errors that say where the problem is.
public struct JSONParser {
    public static let maxDepth = 64

    /// Parses one JSON document.
    /// - Throws: `OrderCoreError(.invalidInput)` naming the byte offset of the first problem.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(OrderCoreError) -> JSON {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .invalid("request is not valid UTF-8")
        }
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected data after the JSON value") }
        return value
    }

    public static func parse(_ text: String) throws(OrderCoreError) -> JSON {
        var text = text
        let result = text.withUTF8 { buffer in
            Result<JSON, OrderCoreError> { () throws(OrderCoreError) -> JSON in try parse(buffer) }
        }
        return try result.get()
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func failure(_ message: String) -> OrderCoreError {
        OrderCoreError(
            .invalidInput, "malformed JSON at byte \(index): \(message)",
            details: ["offset": .int(index)])
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { index += 1 }
    }

    private mutating func expect(_ literal: StaticString, _ value: JSON) throws(OrderCoreError) -> JSON {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("unexpected end of input") }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw failure("invalid literal")
        }
        index += count
        return value
    }

    private mutating func parseValue(depth: Int) throws(OrderCoreError) -> JSON {
        guard let c = current else { throw failure("unexpected end of input") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(OrderCoreError) -> JSON {
        guard depth <= JSONParser.maxDepth else { throw failure("nesting deeper than \(JSONParser.maxDepth)") }
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(object) }
        while true {
            guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw failure("expected ':' after key") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            guard object.insertNew(key, value) else { throw failure("duplicate key '\(key)'") }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1; skipWhitespace()
            case UInt8(ascii: "}"): index += 1; return .object(object)
            default: throw failure("expected ',' or '}' in object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(OrderCoreError) -> JSON {
        guard depth <= JSONParser.maxDepth else { throw failure("nesting deeper than \(JSONParser.maxDepth)") }
        index += 1
        var array: [JSON] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .array(array) }
        while true {
            array.append(try parseValue(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1; skipWhitespace()
            case UInt8(ascii: "]"): index += 1; return .array(array)
            default: throw failure("expected ',' or ']' in array")
            }
        }
    }

    private mutating func parseNumber() throws(OrderCoreError) -> JSON {
        let start = index
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.index
            while let c = p.current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { p.index += 1 }
            return p.index - s
        }
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else if digits(&self) == 0 {
            throw failure("invalid number")
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw failure("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw failure("invalid number") }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private mutating func parseHex4() throws(OrderCoreError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func parseString() throws(OrderCoreError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes, the bytes are already valid UTF-8 (checked up front).
        while let c = current, c != UInt8(ascii: "\""), c != UInt8(ascii: "\\") {
            guard c >= 0x20 else { throw failure("control character in string") }
            index += 1
        }
        guard let stop = current else { throw failure("unterminated string") }
        var text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if stop == UInt8(ascii: "\"") { index += 1; return text }
        var utf8: [UInt8] = []
        while true {
            guard let c = current else { throw failure("unterminated string") }
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                text += String(decoding: utf8, as: UTF8.self)
                return text
            case UInt8(ascii: "\\"):
                guard let e = current else { throw failure("unterminated escape") }
                index += 1
                switch e {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw failure("lone surrogate in \\u escape") }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw failure("lone surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw failure("lone surrogate in \\u escape")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
                    utf8.append(contentsOf: String(Character(scalar)).utf8)
                default: throw failure("invalid escape")
                }
            default:
                guard c >= 0x20 else { throw failure("control character in string") }
                utf8.append(c)
            }
        }
    }
}
