/// How one source system names order states: the names it shows for each canonical state (outbound),
/// and how what it reports maps back — by status name, or by rules on the fields of its events
/// ("packaged_time set and a logistics number means shipped"). Data, not code: `status.mapping`.
struct StatusMapping {
    /// `equals`: one of the values; `all`: through a list, every element one of the values (and at least one).
    enum Condition: Equatable { case present, absent, equals([JSON]), all([JSON]), above(Int64), below(Int64) }
    /// A field of a report (a path into it) and the condition it must meet.
    typealias Test = (path: PayloadPath, condition: Condition)
    /// A rule's fields are paths into the report (`orders.order[].refund_status`): through a list, a test
    /// holds when it holds for any element (`all`: for every one). `unpaid`: the state is reached without the money (a
    /// cash-on-delivery order shipped: the buyer pays the carrier), so it records no payment. `shipped` (state
    /// `cancelled` only): the channel shipped the order before it cancelled it (a Taobao trade closed after its
    /// refund, with a consign time), so its goods left whatever was seen of it before.
    struct Rule {
        var when: [Test]
        var state: OrderState
        var unpaid = false
        var shipped = false
    }

    var outbound: [String: String] = [:]
    var inbound: [String: OrderState] = [:]
    var rules: [Rule] = []

    /// Reads a mapping from `status.mapping` arguments (or a stored mapping).
    init(_ f: Fields) throws {
        if let out = try f.object("outbound") {
            for key in out.keys {
                guard OrderState(rawValue: key) != nil else {
                    throw OrderCoreError.invalid("\(key) is not an order state", field: out.name(key))
                }
                outbound[key] = try out.code(key)
            }
            try out.finish()
        }
        if let inb = try f.object("inbound") {
            for key in inb.keys {
                inbound[key] = try StatusMapping.state(try inb.requiredCode(key), field: inb.name(key))
            }
            try inb.finish()
        }
        for rule in try f.objects("rules", maxCount: 100) ?? [] {
            guard let when = try rule.object("when") else {
                throw OrderCoreError.invalid("\(rule.name("when")) is required", field: rule.name("when"))
            }
            let conditions = try Self.tests(when)
            let state = try StatusMapping.state(try rule.requiredCode("state"), field: rule.name("state"))
            let shipped = try rule.bool("shipped") ?? false
            guard !shipped || state == .cancelled else {
                throw OrderCoreError.invalid(
                    "\(rule.name("shipped")) is for a cancelled state: an order shipped before it was cancelled",
                    field: rule.name("shipped"))
            }
            rules.append(
                Rule(when: conditions, state: state, unpaid: try rule.bool("unpaid") ?? false, shipped: shipped))
            try rule.finish()
        }
    }

    /// The tests of a `when` object: each field's condition.
    static func tests(_ when: Fields) throws -> [Test] {
        var tests: [Test] = []
        for field in when.keys {
            tests.append((try PayloadPath(field), try condition(when.value(field) ?? .null, field: when.name(field))))
        }
        try when.finish()
        return tests
    }

    /// `"present"`, `"absent"`, `{"above": n}`, `{"below": n}`, a value the field must equal (as text:
    /// `2` and `"2"` are the same status), a list of such values (equals one), or `{"all": [values]}` (every
    /// element of a list equals one: each of Shopify's fulfillments delivered). Any other object is refused,
    /// never read as a value.
    private static func condition(_ value: JSON, field: String) throws -> Condition {
        let refused = OrderCoreError.invalid(
            "\(field) must be \"present\", \"absent\", a value, a list of values, {\"above\": n}, {\"below\": n} "
                + "or {\"all\": [values]}",
            field: field)
        switch value {
        case "present": return .present
        case "absent": return .absent
        case .object(let o):
            let f = Fields(o, path: field)
            let above = try f.int("above"), below = try f.int("below"), all = f.value("all")
            try f.finish()
            if let above, below == nil, all == nil { return .above(above) }
            if let below, above == nil, all == nil { return .below(below) }
            if let all, above == nil, below == nil, case .equals(let values) = try condition(all, field: field) {
                return .all(values)
            }
            throw refused
        case .array(let values):
            guard !values.isEmpty, values.allSatisfy({ Evaluator.text(of: $0) != nil }) else { throw refused }
            return .equals(values)
        case .null: throw refused
        default: return .equals([value])
        }
    }

    private static func state(_ name: String, field: String) throws -> OrderState {
        guard let state = OrderState(rawValue: name) else {
            throw OrderCoreError.invalid("\(name) is not an order state", field: field)
        }
        return state
    }

    /// The canonical state a report means: the first rule its fields satisfy — facts such as a
    /// cancellation time or a fulfilment beat a status name (Shopify reports `financial_status: paid`
    /// on an order it cancelled) — else its status name (the mapping's, its outbound names read back,
    /// or a canonical name); nil when nothing maps.
    func state(status: String?, fields: JSONObject?) -> OrderState? {
        decide(status: status, report: fields.map { Self.report($0) }).state
    }

    /// The state a report means (`state(status:fields:)`), and the rule that decided it, if one did (it may
    /// say the state is reached unpaid, or cancelled after the order shipped). A channel's report is read where
    /// its profile maps it: `/` paths reach the whole payload (Amazon v0's items, beside the order).
    func decide(status: String?, report: Evaluator?) -> (state: OrderState?, rule: Rule?) {
        if let report, let rule = rules.first(where: { Self.hold($0.when, in: report) }) { return (rule.state, rule) }
        guard let status else { return (nil, nil) }
        if let state = inbound[status] { return (state, nil) }
        if let back = outbound.first(where: { $0.value == status }), let state = OrderState(rawValue: back.key) {
            return (state, nil)
        }
        return (OrderState(rawValue: status), nil)
    }

    /// A report of its own (`status.report`'s fields): its paths, `/` ones too, read it.
    private static func report(_ fields: JSONObject) -> Evaluator {
        Evaluator(current: .object(fields), payload: .object(fields), arguments: .null)
    }

    /// Whether every test holds in a report (an empty text is no value).
    static func hold(_ tests: [Test], in report: Evaluator) -> Bool {
        tests.allSatisfy { path, condition in
            let values = path.values(in: report).filter { $0 != "" }
            let numbers = values.compactMap { Evaluator.text(of: $0).flatMap { Double($0) } }
            switch condition {
            case .present: return !values.isEmpty
            case .absent: return values.isEmpty
            case .equals(let expected):
                let texts = Set(expected.compactMap(Evaluator.text(of:)))
                return values.contains { Evaluator.text(of: $0).map(texts.contains) ?? false }
            case .all(let expected):
                let texts = Set(expected.compactMap(Evaluator.text(of:)))
                return !values.isEmpty && values.allSatisfy { Evaluator.text(of: $0).map(texts.contains) ?? false }
            case .above(let limit): return numbers.contains { $0 > Double(limit) }
            case .below(let limit): return numbers.contains { $0 < Double(limit) }
            }
        }
    }

    /// The source's name for a canonical state (the canonical name when it has none).
    func name(for state: OrderState) -> String { outbound[state.rawValue] ?? state.rawValue }

    var json: JSON {
        var outJSON = JSONObject()
        for key in outbound.keys.sorted() { outJSON[key] = .string(outbound[key] ?? "") }
        var inJSON = JSONObject()
        for key in inbound.keys.sorted() { inJSON[key] = .string(inbound[key]?.rawValue ?? "") }
        return [
            "outbound": .object(outJSON), "inbound": .object(inJSON),
            "rules": .array(
                rules.map { rule in
                    var when = JSONObject()
                    for (path, condition) in rule.when {
                        let field = path.text
                        switch condition {
                        case .present: when[field] = "present"
                        case .absent: when[field] = "absent"
                        case .equals(let v): when[field] = v.count == 1 ? v[0] : .array(v)
                        case .all(let v): when[field] = ["all": .array(v)]
                        case .above(let n): when[field] = ["above": .int(n)]
                        case .below(let n): when[field] = ["below": .int(n)]
                        }
                    }
                    var json: JSONObject = ["when": .object(when), "state": .string(rule.state.rawValue)]
                    if rule.unpaid { json["unpaid"] = true }
                    if rule.shipped { json["shipped"] = true }
                    return .object(json)
                }),
        ]
    }
}

enum StatusCommands {
    static let all = [mapping, report, statusFor, drift]

    static let mapping = Command(
        "status.mapping", .write,
        "Set how a source (channel, WMS) names order states: outbound {state: name}, inbound {name: state}, rules "
            + "[{when, state}]",
        role: .admin,
        arguments: [
            .key("source"),
            Argument("outbound", .object, "OrderCore states and the status the source uses for each"),
            Argument("inbound", .object, "The source's statuses and the OrderCore state each means"),
            Argument(
                "rules", .array,
                "Rules tried before the maps: [{\"when\": {field: value|[values]|\"present\"|\"absent\""
                    + "|{\"above\"|\"below\"}|{\"all\": [values]}}, \"state\", \"unpaid\", \"shipped\"}]"),
        ],
        result: ["source", "mapping"]
    ) { ctx, f in
        let source = try f.requiredCode("source")
        let mapping = try StatusMapping(f)
        try f.finish()
        try ctx.store.saveStatusMapping(source: source, mapping.json, at: ctx.at)
        return ["source": .string(source), "mapping": mapping.json]
    }

    static let report = Command(
        "status.report", .write,
        "Record what a source says an order's status is (source, order_id, status or fields); compared with the anchor",
        arguments: [
            .key("source"),
            .orderID,
            Argument(
                "status", .code, "The status as the source names it (or fields the mapping rules read)",
                positional: true),
            Argument("fields", .object, "The source's own fields, kept with the report"),
        ],
        result: ["order_id", "source", "reported", "state", "anchor", "agrees"]
    ) { ctx, f in
        let source = try f.requiredCode("source")
        let id = try f.requiredCode("order_id")
        let status = try f.code("status")
        let given = f.value("fields")
        guard given == nil || given?.objectValue != nil else {
            throw OrderCoreError.invalid("fields must be an object", field: "fields")
        }
        let fields = given?.objectValue
        guard status != nil || fields != nil else {
            throw OrderCoreError.invalid("give the source's status or its event fields", field: "status")
        }
        try f.finish()
        let order = try ctx.requireOrder(id)
        let mapping = try ctx.statusMapping(source)
        let state = mapping.state(status: status, fields: fields)
        let reported = status ?? JSON.object(fields ?? [:]).serialized
        try ctx.store.saveSourceStatus(
            orderRowID: order.rowID, source: source, reported: String(reported.prefix(500)), state: state, at: ctx.at,
            updatedAt: nil)
        return [
            "order_id": .string(id), "source": .string(source), "reported": .string(String(reported.prefix(500))),
            "state": .optional(state?.rawValue), "anchor": .string(order.state.rawValue),
            "agrees": .bool(state == order.state),
        ]
    }

    static let statusFor = Command(
        "order.status_for", .read,
        "The order's status as a source names it (order_id, source): one anchor, each system's words",
        arguments: [
            .orderID,
            .key("source"),
        ],
        result: ["order_id", "source", "state", "status"],
        aliases: ["order status"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let source = try f.requiredCode("source")
        try f.finish()
        let order = try ctx.requireOrder(id)
        return [
            "order_id": .string(id), "source": .string(source), "state": .string(order.state.rawValue),
            "status": .string(try ctx.statusMapping(source).name(for: order.state)),
        ]
    }

    static let drift = Command(
        "status.drift", .read,
        "Orders whose last reported status disagrees with the anchor, or could not be mapped (source, limit)",
        arguments: [
            Argument("source", .code),
            .limit,
        ],
        result: ["drift"]
    ) { ctx, f in
        let source = try f.code("source")
        let limit = Int(try f.int("limit", min: 1, max: 1_000) ?? 100)
        try f.finish()
        return ["drift": .array(try ctx.store.statusDrift(source: source, limit: limit))]
    }
}

extension CommandContext {
    /// A source's mapping (an empty one, meaning canonical names, when none is set).
    func statusMapping(_ source: String) throws -> StatusMapping {
        let stored = try store.statusMapping(source: source)?.objectValue ?? [:]
        return try StatusMapping(Fields(stored))
    }
}
