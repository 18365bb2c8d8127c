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
    case inDoubt = "in_doubt"

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
        case .inDoubt: 13
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
        case .inDoubt: "OC_IN_DOUBT"
        }
    }

    /// When a command answers with the code (docs/commands.md's table is generated from it).
    public var when: String {
        switch self {
        case .invalidInput:
            "malformed JSON, invalid UTF-8, unknown op or field, missing argument, wrong type, bad value, overflow, "
                + "request over 64 MiB, channel payload over `intake.max_payload_bytes`"
        case .notFound: "unknown order, SKU or warehouse (`details` names it)"
        case .conflict:
            "illegal state transition (`details.state`, `details.allowed`), duplicate channel order, reused "
                + "idempotency "
                + "key or payment reference"
        case .insufficientStock: "`details.sku`, `requested`, `available`; nothing was reserved"
        case .busy:
            "another writer held the file past the busy timeout (10 s), or changed what the command read each "
                + "time it ran; nothing changed: retry"
        case .forbidden: "the actor's role may not do this (`details.actor`, `role`, `required`); nothing changed"
        case .io: "cannot open/read/write the file (missing directory, permissions)"
        case .corrupt: "the file is damaged or not a database"
        case .misuse: "NULL handle or argument from C, closed handle"
        case .internal: "a bug; please report it with the message"
        case .full: "disk or database full; nothing was changed"
        case .incompatible: "file written by a newer OrderCore, or another program's SQLite file"
        case .inDoubt:
            "the connection to PostgreSQL was lost while the command committed: it may or may not have been "
                + "applied; run it again with the same idempotency key"
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
        case .inDoubt: "the command may or may not have been applied"
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
