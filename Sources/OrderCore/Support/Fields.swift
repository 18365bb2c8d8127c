/// Reads a command's arguments from a JSON object. Every getter names the full field path in its
/// error ("lines[2].qty must be a positive integer"), and `finish()` refuses fields nobody read, so a
/// misspelt argument is an error instead of being silently ignored.
public final class Fields {
    public let path: String
    private let object: JSONObject
    /// Which of the object's keys a getter has read (by position: no hashing on the hot path).
    /// A `Fields` is read by one command on one thread, one getter at a time: its two lists go without
    /// Swift's run-time exclusivity checks, which cost a third of a getter (three checks a field).
    @exclusivity(unchecked) private var read: [Bool]
    /// Every name a getter asked for, for the "accepted:" list of the unknown-field error.
    @exclusivity(unchecked) private var asked: [String] = []

    public init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
        read = Array(repeating: false, count: object.count)
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The keys the object has (for maps such as `distances`, whose keys are data).
    var keys: [String] { object.keys }

    /// Marks `key` as known and returns its value; JSON `null` reads as absent.
    func value(_ key: String) -> JSON? {
        if asked.capacity == 0 { asked.reserveCapacity(16) }  // not grown one name at a time
        asked.append(key)
        guard let i = object.keys.firstIndex(of: key) else { return nil }
        read[i] = true
        if case .null = object.values[i] { return nil }
        return object.values[i]
    }

    /// Whether the request names `key` at all; an explicit `null` counts (upserts use it to clear a field).
    func has(_ key: String) -> Bool { object[key] != nil }

    /// Marks keys as read without reading them (envelope members handled elsewhere).
    /// Refuses any field no getter asked for.
    func finish() throws(OrderCoreError) {
        if let i = read.firstIndex(of: false) {
            let unknown = object.keys[i]
            let accepted = Set(asked).sorted().joined(separator: ", ")
            throw OrderCoreError(
                .invalidInput, "unknown field '\(name(unknown))'; accepted: \(accepted)",
                details: ["field": .string(name(unknown))])
        }
    }

    private func wrongType(_ key: String, _ expected: String, _ got: JSON) -> OrderCoreError {
        .invalid("\(name(key)) must be \(expected), not \(got.typeName)", field: name(key))
    }

    private func missing(_ key: String) -> OrderCoreError { .invalid("\(name(key)) is required", field: name(key)) }

    // MARK: - Text

    /// Free text (names, reasons, notes): no control characters but newline and tab, at most
    /// `maxLength` characters and `4 × maxLength` UTF-8 bytes (a "character" may hold any number of
    /// combining marks: the byte limit is what bounds the storage).
    func text(_ key: String, maxLength: Int = 1000) throws(OrderCoreError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, "a string", v) }
        try Fields.checkLength(s, maxLength: maxLength, field: name(key))
        if !Fields.isPrintableASCII(s, allowing: [0x0A, 0x09]),
            s.unicodeScalars.contains(where: { $0.isControl && $0 != "\n" && $0 != "\t" })
        {
            throw .invalid("\(name(key)) contains control characters", field: name(key))
        }
        return s
    }

    /// An identifier (SKU, warehouse, channel, order id, actor, scan): see `normalizedCode(_:field:)`.
    func code(_ key: String) throws(OrderCoreError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, "a string", v) }
        return try Fields.normalizedCode(s, field: name(key))
    }

    /// A code naming one of `T`'s cases (`order`, `payment`...); any other is refused, naming them.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, of: T.Type) throws(OrderCoreError) -> T?
    where T.RawValue == String {
        guard let name = try code(key) else { return nil }
        guard let value = T(rawValue: name) else {
            let names = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid("\(self.name(key)) must be one of \(names), not '\(name)'", field: self.name(key))
        }
        return value
    }

    func requiredCode(_ key: String) throws(OrderCoreError) -> String {
        guard let s = try code(key) else { throw missing(key) }
        return s
    }

    /// The `reason` a person must give, not empty; `why` completes the error's "say why ...".
    func requiredReason(_ why: String, maxLength: Int = 500) throws(OrderCoreError) -> String {
        guard let reason = try text("reason", maxLength: maxLength), !reason.isEmpty else {
            throw .invalid("reason is required: say why\(why.isEmpty ? "" : " " + why)", field: name("reason"))
        }
        return reason
    }

    /// The longest code, in characters and in UTF-8 bytes.
    public static let maxCodeCharacters = 64
    public static let maxCodeBytes = 256

    /// An identifier has one spelling: it is stored and compared in Unicode NFC, so "é" typed as one
    /// code point and as "e" + U+0301 is one SKU (Swift compares strings by canonical equivalence,
    /// SQLite by bytes: without one form they would disagree). It has 1 to 64 characters and at most
    /// 256 bytes, no leading or trailing white space, and none of the characters that make two codes
    /// look alike or reorder text: control and format characters (zero-width spaces and joiners,
    /// bidirectional overrides and isolates, the byte-order mark, soft hyphens), line and paragraph
    /// separators, white space other than the ASCII space, private-use and unassigned code points.
    /// - Returns: the code in NFC.
    static func normalizedCode(_ raw: String, field: String) throws(OrderCoreError) -> String {
        guard !raw.isEmpty else { throw .invalid("\(field) must not be empty", field: field) }
        if isPrintableASCII(raw, allowing: []) {
            guard raw.utf8.count <= maxCodeCharacters else {
                throw .invalid("\(field) is longer than \(maxCodeCharacters) characters", field: field)
            }
            guard raw.utf8.first != 0x20, raw.utf8.last != 0x20 else {
                throw .invalid("\(field) has leading or trailing whitespace", field: field)
            }
            return raw
        }
        // Bound the work before normalising: NFC never makes text more than three times longer.
        guard raw.utf8.count <= 3 * maxCodeBytes else {
            throw .invalid("\(field) is longer than \(maxCodeBytes) bytes", field: field)
        }
        let s = String(decoding: raw._nfcCodeUnits, as: UTF8.self)
        try checkLength(s, maxLength: maxCodeCharacters, maxBytes: maxCodeBytes, field: field)
        for scalar in s.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
                throw .invalid(
                    "\(field) contains an invisible or control character "
                        + "(U+\(String(scalar.value, radix: 16, uppercase: true)))",
                    field: field)
            case .spaceSeparator where scalar != " ":
                throw .invalid(
                    "\(field) contains white space other than a plain space "
                        + "(U+\(String(scalar.value, radix: 16, uppercase: true)))",
                    field: field)
            default: break
            }
        }
        if let first = s.unicodeScalars.first, let last = s.unicodeScalars.last,
            first.properties.isWhitespace || last.properties.isWhitespace
        {
            throw .invalid("\(field) has leading or trailing whitespace", field: field)
        }
        if let first = s.unicodeScalars.first,
            first.properties.canonicalCombiningClass != .notReordered
                || first.properties.generalCategory == .nonspacingMark
        {
            throw .invalid("\(field) starts with a combining mark", field: field)
        }
        return s
    }

    /// At most `maxLength` characters and `maxBytes` (default `4 × maxLength`) UTF-8 bytes.
    static func checkLength(_ s: String, maxLength: Int, maxBytes: Int? = nil, field: String) throws(OrderCoreError) {
        let bytes = s.utf8.count
        guard bytes <= maxLength || s.count <= maxLength else {
            throw .invalid("\(field) is longer than \(maxLength) characters", field: field)
        }
        let byteLimit = maxBytes ?? 4 * maxLength
        guard bytes <= byteLimit else { throw .invalid("\(field) is longer than \(byteLimit) bytes", field: field) }
    }

    /// True when every byte is printable ASCII (or one of `allowing`): the common case, which needs no
    /// Unicode property lookups.
    static func isPrintableASCII(_ s: String, allowing extra: [UInt8]) -> Bool {
        s.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || extra.contains($0) }
    }

    // MARK: - Numbers

    func int(_ key: String, min: Int64 = .min, max: Int64 = .max) throws(OrderCoreError) -> Int64? {
        guard let v = value(key) else { return nil }
        guard case .number(let n) = v else { throw wrongType(key, "an integer", v) }
        guard n.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 48 && $0 <= 57) }) else {
            throw .invalid("\(name(key)) must be an integer, not \(n)", field: name(key))
        }
        guard let i = Int64(n) else {
            throw .invalid("\(name(key)) does not fit in a 64-bit integer", field: name(key))
        }
        guard i >= min, i <= max else {
            let range = max == .max ? "at least \(min)" : "between \(min) and \(max)"
            throw .invalid("\(name(key)) must be \(range), not \(i)", field: name(key))
        }
        return i
    }

    func requiredInt(_ key: String, min: Int64 = .min, max: Int64 = .max) throws(OrderCoreError) -> Int64 {
        guard let i = try int(key, min: min, max: max) else { throw missing(key) }
        return i
    }

    /// A quantity: a positive integer.
    func quantity(_ key: String) throws(OrderCoreError) -> Int64 {
        guard let v = value(key) else { throw missing(key) }
        if case .number(let n) = v, let i = Int64(n), i <= 0 {
            throw .invalid("\(name(key)) must be a positive integer, not \(i)", field: name(key))
        }
        return try requiredInt(key, min: 1)
    }

    func bool(_ key: String) throws(OrderCoreError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw wrongType(key, "true or false", v) }
        return b
    }

    /// Money as a decimal string ("19.90") or a JSON number read exactly; never negative unless allowed.
    func money(_ key: String, exponent: Int, allowNegative: Bool = false) throws(OrderCoreError) -> Int64? {
        guard let v = value(key) else { return nil }
        let text: String
        switch v {
        case .string(let s): text = s
        case .number(let n): text = n
        default: throw wrongType(key, "a decimal string such as \"19.90\"", v)
        }
        guard let minor = Money.parse(text, exponent: exponent) else {
            throw .invalid(
                "\(name(key)) must be a decimal amount with at most \(exponent) decimals that fits in 64 bits, not "
                    + "\"\(text.prefix(40))\"",
                field: name(key))
        }
        guard allowNegative || minor >= 0 else { throw .invalid("\(name(key)) must not be negative", field: name(key)) }
        return minor
    }

    // MARK: - Time

    /// A report's period: `to` (default `at`, the command's time) and `from` (default 7 days before it),
    /// `from` before `to`.
    func period(at: Int64) throws(OrderCoreError) -> (from: Int64, to: Int64) {
        let to = try time("to") ?? at + 1  // what happened at this very millisecond counts
        let from = try time("from") ?? (to - 7 * 86_400_000)
        guard from < to else { throw .invalid("from must be before to", field: "from") }
        return (from, to)
    }

    /// - Parameter assumingUTC: read a time without a zone as UTC (carrier feeds report local times
    ///   without an offset); otherwise a zone is required.
    func time(_ key: String, assumingUTC: Bool = false) throws(OrderCoreError) -> Int64? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, "an ISO 8601 time string", v) }
        guard let t = Timestamp.parse(s) ?? (assumingUTC ? Timestamp.parse(s + "Z") : nil) else {
            throw .invalid(
                "\(name(key)) must be an ISO 8601 time with a zone, such as 2026-01-18T10:00:00Z, not "
                    + "\"\(s.prefix(40))\"",
                field: name(key))
        }
        return t
    }

    // MARK: - Structure

    func object(_ key: String) throws(OrderCoreError) -> Fields? {
        guard let v = value(key) else { return nil }
        guard case .object(let o) = v else { throw wrongType(key, "an object", v) }
        return Fields(o, path: name(key))
    }

    /// One object, or an array of them (at most `maxCount`): a list either way.
    func objectOrList(_ key: String, maxCount: Int) throws(OrderCoreError) -> [Fields]? {
        try value(key)?.arrayValue != nil ? objects(key, maxCount: maxCount) : object(key).map { [$0] }
    }

    /// An array of objects, each read with its own `Fields` (path `key[i]`).
    func objects(_ key: String, maxCount: Int = 10_000) throws(OrderCoreError) -> [Fields]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { throw wrongType(key, "an array", v) }
        guard items.count <= maxCount else {
            throw .invalid("\(name(key)) has more than \(maxCount) entries", field: name(key))
        }
        var result: [Fields] = []
        for (i, item) in items.enumerated() {
            guard case .object(let o) = item else {
                throw .invalid(
                    "\(name(key))[\(i)] must be an object, not \(item.typeName)", field: "\(name(key))[\(i)]")
            }
            result.append(Fields(o, path: "\(name(key))[\(i)]"))
        }
        return result
    }

    /// An array of short strings (tags).
    func strings(_ key: String, maxCount: Int = 100, maxLength: Int = 64) throws(OrderCoreError) -> [String]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { throw wrongType(key, "an array of strings", v) }
        guard items.count <= maxCount else {
            throw .invalid("\(name(key)) has more than \(maxCount) entries", field: name(key))
        }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw .invalid("\(name(key))[\(i)] must be a string, not \(item.typeName)", field: "\(name(key))[\(i)]")
            }
            let code = try Fields.normalizedCode(s, field: "\(name(key))[\(i)]")
            guard code.count <= maxLength else {
                throw .invalid("\(name(key))[\(i)] is too long", field: "\(name(key))[\(i)]")
            }
            result.append(code)
        }
        return result
    }
}
