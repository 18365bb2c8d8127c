/// One argument of a command, declared once beside the command: the engine checks requests against
/// it, and the shell, the Python binding and docs/commands.md are generated from it.
public struct Argument: Sendable {
    /// What the argument holds on the wire, and so how each front writes it.
    public enum Kind: String, Sendable, CaseIterable {
        case code  // an identifier (SKU, warehouse, order id...): see docs/commands.md "Values"
        case text  // free text
        case integer
        case boolean
        case money  // a decimal string in the order's currency
        case decimal  // a decimal number, as a string or a JSON number (read exactly)
        case time  // ISO 8601 with a zone
        case codes  // an array of codes; the shell writes A,B,C
        case lines  // an array of {"sku","qty"} objects; the shell writes SKU:QTY (SKU:QTY@PRICE)
        case object  // a JSON object; the shell takes JSON or KEY:VALUE,KEY:VALUE
        case array  // a JSON array; the shell takes JSON
        case json  // any JSON value; the shell reads true/false, integers, objects and arrays, else text
        case file  // text the shell reads from the file a word names (other fronts send the text)
    }

    public let name: String
    public let kind: Kind
    /// A request without it (or with `null`) is refused before the command runs.
    public let required: Bool
    public let doc: String
    /// The shell (and Python) take it as the next bare word, in declaration order.
    public let positional: Bool
    /// What the shell completes it from: codes of this kind in the open database.
    public let completes: CodeKind?
    /// The values it takes, when they are a fixed set (offered by completion, listed in the docs).
    public let choices: [String]

    /// - Parameters:
    ///   - doc: one line; omitted, the common meaning of the name (`Argument.glossary`).
    ///   - completes: omitted, inferred from the name (`sku`, `warehouse`, `order_id`, ...).
    public init(
        _ name: String, _ kind: Kind, _ doc: String? = nil, required: Bool = false, positional: Bool = false,
        completes: CodeKind? = nil, choices: [String] = []
    ) {
        self.name = name
        self.kind = kind
        self.doc = doc ?? Argument.glossary[name] ?? ""
        self.required = required
        self.positional = positional
        self.completes = completes ?? (kind == .code ? Argument.codeKinds[name] : nil)
        self.choices = choices
    }

    /// The request members every op takes besides its arguments (docs/commands.md "The envelope").
    public static let envelope: Set<String> = ["op", "at", "actor", "idempotency_key"]

    static let codeKinds: [String: CodeKind] = [
        "sku": .sku, "warehouse": .warehouse, "order_id": .order, "channel": .channel, "transfer_id": .transfer,
        "return_id": .returnID, "key": .setting,
    ]

    /// An object's member names as a doc writes them: `{"name","phone"}`.
    static func members(_ names: [String]) -> String {
        "{" + names.map { "\"\($0)\"" }.joined(separator: ",") + "}"
    }

    /// What the common argument names mean wherever they appear.
    static let glossary: [String: String] = [
        "order_id": "The order (OrderCore's id, such as SO-000001)",
        "sku": "The SKU code",
        "warehouse": "The warehouse code",
        "channel": "The sales channel code",
        "qty": "Units (a positive integer)",
        "reason": "Why, in words (kept in the audit trail)",
        "note": "A free note kept with the record",
        "reference": "Your document number (purchase order, count sheet...), kept on the ledger rows",
        "limit": "At most this many rows",
        "after": "The cursor of the previous page (its `next`)",
        "from": "The start of the period (ISO 8601; inclusive)",
        "to": "The end of the period (ISO 8601; exclusive)",
        "return_id": "The return (such as RT-000001)",
        "transfer_id": "The transfer (such as TR-000001)",
        "carrier": "The carrier code (sf, ups, ...)",
        "tracking_no": "The carrier's tracking number",
        "name": "A display name",
        "active": "false retires it (kept for history)",
        "lines": "The lines: [{\"sku\",\"qty\"}]",
        "weight_g": "Weight in grams",
        "path": "The file to write (refused if it is the database or not a regular file)",
        "source": "Who reports or reads the status: a channel code or a system such as wms",
        "status": "The status as the source names it",
        "customer": "The customer key (phone, e-mail or the channel's buyer id)",
        "payload": "The channel's payload exactly as it arrived (a JSON value, or text for CSV/XML)",
        "profile": "The channel profile's name",
        "inbox_id": "The stored channel event (its inbox id)",
        "consumer": "The change-feed consumer's name",
        "parcel": "The parcel number within the order (1, 2, ...)",
        "verify": "Also recompute every balance from the ledger (slower)",
        "rules": "The risk rules document (docs/risk.md)",
        "state": "Only records in this state",
        "key": "The setting's key (config.get lists them)",
        "actor_id": "The actor (its login name)",
        "wave_id": "The pick wave (such as WV-000001)",
        "decision": "approve or reject",
        "grade": "What state the units arrived in",
    ]

    /// The argument as `ops` lists it.
    public var json: JSON {
        var object: JSONObject = [
            "name": .string(name), "type": .string(kind.rawValue), "required": .bool(required),
            "doc": .string(doc), "positional": .bool(positional),
        ]
        if let completes { object["completes"] = .string(completes.name) }
        if !choices.isEmpty { object["choices"] = .array(choices.map { .string($0) }) }
        return .object(object)
    }
}

extension Argument {
    /// The order a command acts on, its first word in the shell.
    static let orderID = Argument("order_id", .code, required: true, positional: true)
    static let returnID = Argument("return_id", .code, required: true, positional: true)
    static let limit = Argument("limit", .integer)

    /// `from` and `to` of a report period, as `Fields.period(at:)` reads them; `what` says what falls in
    /// it ("orders were paid in").
    static func period(_ what: String? = nil) -> [Argument] {
        [
            Argument(
                "from", .time, "The start of the period\(what.map { " " + $0 } ?? "") (default: 7 days before to)"),
            Argument("to", .time, "The end of the period (exclusive; default: now, included)"),
        ]
    }

    /// A required code taken as the next word in the shell (`sku`, `warehouse`, `channel`...).
    static func key(_ name: String) -> Argument { Argument(name, .code, required: true, positional: true) }
}

extension CodeKind {
    /// The kind's name in `ops` (what the shell completes the argument from).
    public var name: String {
        switch self {
        case .sku: "sku"
        case .warehouse: "warehouse"
        case .order: "order"
        case .transfer: "transfer"
        case .channel: "channel"
        case .returnID: "return"
        case .setting: "setting"
        }
    }
}
