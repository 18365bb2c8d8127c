/// The stable error codes of the command bus. The raw value is the JSON `error.code`; `number` is the
/// C return code (`OC_*` in `Include/ordercore.h`). Never renumber; add new codes at the end.
public enum ErrorCode: String, Sendable, CaseIterable {
    case invalidInput = "invalid_input"
    case notFound = "not_found"
    case conflict
    case insufficientStock = "insufficient_stock"
    case busy
    case forbidden
    case io
    case corrupt
    case misuse
    case `internal`
    case full
    case incompatible

    public var number: Int32 {
        switch self {
        case .invalidInput: 1
        case .notFound: 2
        case .conflict: 3
        case .insufficientStock: 4
        case .busy: 5
        case .forbidden: 6
        case .io: 7
        case .corrupt: 8
        case .misuse: 9
        case .internal: 10
        case .full: 11
        case .incompatible: 12
        }
    }

    /// The C name of `number` in `Include/ordercore.h`.
    public var cName: String {
        switch self {
        case .invalidInput: "OC_INVALID"
        case .notFound: "OC_NOT_FOUND"
        case .conflict: "OC_CONFLICT"
        case .insufficientStock: "OC_INSUFFICIENT_STOCK"
        case .busy: "OC_BUSY"
        case .forbidden: "OC_FORBIDDEN"
        case .io: "OC_IO"
        case .corrupt: "OC_CORRUPT"
        case .misuse: "OC_MISUSE"
        case .internal: "OC_INTERNAL"
        case .full: "OC_FULL"
        case .incompatible: "OC_INCOMPATIBLE"
        }
    }

    public init?(number: Int32) {
        guard let code = ErrorCode.allCases.first(where: { $0.number == number }) else { return nil }
        self = code
    }

    /// Static English text for the code, as `oc_errstr` returns it.
    public var summary: String {
        switch self {
        case .invalidInput: "invalid input"
        case .notFound: "not found"
        case .conflict: "conflict with the current state"
        case .insufficientStock: "insufficient stock"
        case .busy: "database is busy"
        case .forbidden: "forbidden"
        case .io: "I/O error"
        case .corrupt: "database file is corrupt or not an OrderCore database"
        case .misuse: "library used incorrectly"
        case .internal: "internal error"
        case .full: "database or disk is full"
        case .incompatible: "database was written by a newer OrderCore"
        }
    }
}

/// An expected failure: a value with a stable code, a readable message and structured details.
/// Tests and callers branch on `code`, never on `message`.
public struct OrderCoreError: Error, Sendable, Equatable {
    public var code: ErrorCode
    public var message: String
    public var details: JSON?

    public init(_ code: ErrorCode, _ message: String, details: JSON? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    static func invalid(_ message: String, field: String? = nil) -> OrderCoreError {
        OrderCoreError(.invalidInput, message, details: field.map { ["field": .string($0)] })
    }

    /// The `error` member of a response envelope.
    public var json: JSON {
        var object: JSONObject = ["code": .string(code.rawValue), "message": .string(message)]
        if let details { object["details"] = details }
        return .object(object)
    }
}
