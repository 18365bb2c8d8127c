/// A JSON value. Numbers keep their source text so that money and large integers are read exactly,
/// never through a binary floating point value.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public static func int(_ value: Int64) -> JSON { .number(String(value)) }
    public static func int(_ value: Int) -> JSON { .number(String(value)) }

    /// `.string` for a present value, `.null` for nil.
    public static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    public var arrayValue: [JSON]? { if case .array(let a) = self { a } else { nil } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var intValue: Int64? { if case .number(let n) = self { Int64(n) } else { nil } }

    public subscript(key: String) -> JSON? { objectValue?[key] }

    /// A short name of the value's type for error messages ("a string", "an object").
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object that keeps its keys in insertion order, so responses read in a stable, designed order.
/// Small objects (most of them) are searched linearly; a hash index is built once an object grows past
/// `indexThreshold` keys, so a hostile payload with many keys cannot make parsing quadratic.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var keys: [String] = []
    private(set) var values: [JSON] = []
    private var index: [String: Int]?
    private static let indexThreshold = 16
    private static let initialCapacity = 8

    public init() {}
    public init(dictionaryLiteral elements: (String, JSON)...) {
        keys.reserveCapacity(elements.count)
        values.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool { a.keys == b.keys && a.values == b.values }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    public subscript(key: String) -> JSON? {
        get { position(of: key).map { values[$0] } }
        set {
            if let i = position(of: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                    if index != nil { index = Dictionary(uniqueKeysWithValues: zip(keys, keys.indices)) }
                }
            } else if let newValue {
                append(key, newValue)
            }
        }
    }

    public var pairs: [(key: String, value: JSON)] { zip(keys, values).map { ($0, $1) } }

    /// This object followed by the members of `other` (which win on equal keys).
    public func merging(_ other: JSONObject) -> JSONObject {
        var result = self
        for i in other.keys.indices { result[other.keys[i]] = other.values[i] }
        return result
    }

    /// Inserts a key read by the parser; returns false when the key was already there.
    mutating func insertNew(_ key: String, _ value: JSON) -> Bool {
        guard position(of: key) == nil else { return false }
        append(key, value)
        return true
    }

    private mutating func append(_ key: String, _ value: JSON) {
        // Room for a typical object at once: growing 1, 2, 4, 8 reallocated both arrays at each step.
        if keys.capacity == 0 {
            keys.reserveCapacity(JSONObject.initialCapacity)
            values.reserveCapacity(JSONObject.initialCapacity)
        }
        keys.append(key)
        values.append(value)
        if index != nil {
            index?[key] = keys.count - 1
        } else if keys.count > JSONObject.indexThreshold {
            index = Dictionary(uniqueKeysWithValues: zip(keys, keys.indices))
        }
    }
}

extension JSON: ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral
{
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(nilLiteral: ()) { self = .null }
}
