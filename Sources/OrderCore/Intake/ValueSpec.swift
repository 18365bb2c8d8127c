/// How a profile says where a canonical field's value comes from (docs/channels.md, "Values"):
/// a path string, or an object with one operator.
indirect enum ValueSpec {
    case path(PayloadPath)
    case constant(JSON)
    /// The first operand that yields a non-empty value.
    case first([ValueSpec])
    /// The non-empty text of every operand, joined.
    case join([ValueSpec], separator: String)
    /// Text with `{path}` placeholders; nothing when a placeholder has no value (or is `0`: an id of none, such
    /// as WooCommerce's `variation_id` of a product without variations).
    case template([(literal: String, path: PayloadPath?)])
    /// Money: every value the operand reaches, added (`shipping_lines[].price`).
    case sum(ValueSpec)
    /// Money: the operands added (absent ones count as zero).
    case add([ValueSpec])
    /// Money: the first less the second.
    case subtract(ValueSpec, ValueSpec)
    case negate(ValueSpec)
    /// Money: the first times the second, a whole number (a unit price times its quantity).
    case multiply(ValueSpec, ValueSpec)
    /// The operand's text looked up in a table (a null entry means absent); anything else is
    /// `default`, or passes unchanged when there is no default. Of a list, the first value the table has.
    case lookup(ValueSpec, [String: JSON], default: JSON?)
    /// Text split into trimmed, non-empty parts (tags "a, b").
    case split(ValueSpec, separator: String)
    /// Money given in minor units (fen, cents: Douyin, JD's and Kuaishou's APIs): a whole number.
    case minor(ValueSpec)
    /// A time given in seconds (or, above 10^11, milliseconds) since 1970; 0 means none.
    case epoch(ValueSpec)
    /// Text without a prefix (`gid://shopify/Order/`), when it has it.
    case stripPrefix(ValueSpec, prefix: String)
    /// The text after the last `separator` (a WooCommerce refund's order, the end of its `_links.up` address);
    /// nothing when it has none.
    case afterLast(ValueSpec, separator: String)
    /// `then` when every condition holds (as a rule's `when`), else `else`; nothing where that branch is left out.
    case choose([ChannelProfile.Condition], then: ValueSpec?, else: ValueSpec?)

    static let operators = [
        "path", "const", "first", "join", "template", "sum", "add", "subtract", "multiply", "negate", "map", "split",
        "minor", "epoch", "strip_prefix", "after_last", "if",
    ]

    init(_ json: JSON, field: String) throws(OrderCoreError) {
        switch json {
        case .string(let path):
            self = .path(try PayloadPath(path))
        case .object(let o):
            let f = Fields(o, path: field)
            guard let op = ValueSpec.operators.first(where: { f.has($0) }) else {
                throw .invalid(
                    "\(field) must be a path or an object with one of \(ValueSpec.operators.joined(separator: ", "))",
                    field: field)
            }
            func optionalOperand(_ key: String) throws(OrderCoreError) -> ValueSpec? {
                guard let v = f.value(key) else { return nil }
                return try ValueSpec(v, field: f.name(key))
            }
            func operand(_ key: String) throws(OrderCoreError) -> ValueSpec {
                guard let spec = try optionalOperand(key) else {
                    throw .invalid("\(f.name(key)) is required", field: f.name(key))
                }
                return spec
            }
            func operands(_ key: String) throws(OrderCoreError) -> [ValueSpec] {
                guard case .array(let items)? = f.value(key), !items.isEmpty else {
                    throw .invalid("\(f.name(key)) must be a non-empty array", field: f.name(key))
                }
                var specs: [ValueSpec] = []
                for (i, item) in items.enumerated() { specs.append(try ValueSpec(item, field: "\(f.name(key))[\(i)]")) }
                return specs
            }
            switch op {
            case "path": self = .path(try PayloadPath(try f.text("path", maxLength: 500) ?? ""))
            case "const": self = .constant(f.value("const") ?? .null)
            case "first": self = .first(try operands("first"))
            case "join": self = .join(try operands("join"), separator: try f.text("sep", maxLength: 20) ?? " ")
            case "template":
                self = .template(
                    try ValueSpec.template(try f.text("template", maxLength: 500) ?? "", field: f.name("template")))
            case "sum": self = .sum(try operand("sum"))
            case "add": self = .add(try operands("add"))
            case "subtract", "multiply":
                let parts = try operands(op)
                guard parts.count == 2 else {
                    throw .invalid("\(f.name(op)) must have two operands", field: f.name(op))
                }
                self = op == "subtract" ? .subtract(parts[0], parts[1]) : .multiply(parts[0], parts[1])
            case "negate": self = .negate(try operand("negate"))
            case "map":
                guard let table = try f.object("values") else {
                    throw .invalid("\(f.name("values")) is required", field: f.name("values"))
                }
                var values: [String: JSON] = [:]
                for key in table.keys { values[key] = table.value(key) ?? .null }
                try table.finish()
                // `"default": null`, as a null in `values`: a value the table lacks is no value.
                let fallback = f.value("default") ?? (f.has("default") ? .null : JSON?.none)
                self = .lookup(try operand("map"), values, default: fallback)
            case "minor": self = .minor(try operand("minor"))
            case "epoch": self = .epoch(try operand("epoch"))
            case "strip_prefix":
                guard let prefix = try f.text("prefix", maxLength: 200), !prefix.isEmpty else {
                    throw .invalid("\(f.name("prefix")) is required: the text to remove", field: f.name("prefix"))
                }
                self = .stripPrefix(try operand("strip_prefix"), prefix: prefix)
            case "after_last":
                guard let separator = try f.text("sep", maxLength: 200), !separator.isEmpty else {
                    throw .invalid("\(f.name("sep")) is required: the text to look for", field: f.name("sep"))
                }
                self = .afterLast(try operand("after_last"), separator: separator)
            case "if":
                self = .choose(
                    try ChannelProfile.conditions(f, "if"), then: try optionalOperand("then"),
                    else: try optionalOperand("else"))
            default: self = .split(try operand("split"), separator: try f.text("sep", maxLength: 20) ?? ",")
            }
            try f.finish()
        default:
            throw .invalid("\(field) must be a path string or an operator object, not \(json.typeName)", field: field)
        }
    }

    private static func template(
        _ text: String, field: String
    ) throws(OrderCoreError) -> [(literal: String, path: PayloadPath?)] {
        var parts: [(String, PayloadPath?)] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw .invalid("\(field): '{' without '}'", field: field)
            }
            parts.append((String(rest[..<open]), try PayloadPath(String(rest[rest.index(after: open)..<close]))))
            rest = rest[rest.index(after: close)...]
        }
        parts.append((String(rest), nil))
        return parts
    }
}

/// Evaluates value specs against one object of a payload. Money is read in the minor units of the
/// order's currency; text is trimmed; an empty string counts as absent.
struct Evaluator {
    var current: JSON
    let payload: JSON
    let arguments: JSON
    /// The element the event rule took (`^` paths: the order of the line or list item being read).
    var element: JSON = .null
    var exponent: Int = 2
    /// Where times without a zone are: minutes east of UTC, and an optional `strptime`-like pattern.
    var timeOffsetMinutes: Int = 0
    var timeFormat: String?

    func within(_ object: JSON) -> Evaluator {
        var e = self
        e.current = object
        return e
    }

    /// Within the element an event rule takes, which `^` paths read from its lines and list items.
    func taking(_ element: JSON) -> Evaluator {
        var e = within(element)
        e.element = element
        return e
    }

    /// The items a list rule maps (the elements its path reaches, a list's each, for which its `when` holds),
    /// each to be read within.
    func items(_ list: ChannelProfile.ListRule) -> [Evaluator] {
        list.path.values(in: self).flatMap { $0.arrayValue ?? [$0] }
            .map(within).filter { item in list.when.allSatisfy { $0.holds(item) } }
    }

    /// An item's fields (a discount's, a dispute's): `amount` as money in the order's currency, the rest as text.
    func amountAndText(_ fields: [(String, ValueSpec)], list: String) throws(OrderCoreError) -> JSONObject {
        var object = JSONObject()
        for (key, spec) in fields {
            object[key] =
                key == "amount"
                ? try money(spec, field: "\(list).amount").map { .string(Money.format($0, exponent: exponent)) }
                : try text(spec, field: "\(list).\(key)").map(JSON.string)
        }
        return object
    }

    /// Every value the spec yields, absent and empty ones left out.
    func values(_ spec: ValueSpec, field: String) throws(OrderCoreError) -> [JSON] {
        switch spec {
        case .path(let p):
            return p.values(in: self).filter { Evaluator.text(of: $0) != "" }
        case .constant(let v): return v == .null ? [] : [v]
        case .first(let specs):
            for s in specs { let v = try values(s, field: field); if !v.isEmpty { return v } }
            return []
        case .join(let specs, let separator):
            var parts: [String] = []
            for s in specs { if let t = try text(s, field: field) { parts.append(t) } }
            return parts.isEmpty ? [] : [.string(parts.joined(separator: separator))]
        case .template(let parts):
            var out = ""
            for part in parts {
                out += part.literal
                if let path = part.path {
                    guard let v = path.values(in: self).first,
                        let t = Evaluator.text(of: v), !t.isEmpty, t != "0"
                    else { return [] }
                    out += t
                }
            }
            return [.string(out)]
        case .lookup(let inner, let table, let fallback):
            let keys: [String]
            if case .path(let path) = inner, path.reachesMany {
                // A list (`payment_gateway_names[]`): the first of its values the table has.
                keys = try values(inner, field: field).compactMap(Evaluator.text(of:)).filter { !$0.isEmpty }
            } else {
                keys = try text(inner, field: field).map { [$0] } ?? []
            }
            let key = keys.first(where: { table[$0] != nil }) ?? keys.first
            guard let v = key.flatMap({ table[$0] }) ?? fallback else { return key.map { [.string($0)] } ?? [] }
            return v == .null ? [] : [v]
        case .split(let inner, let separator):
            guard let t = try text(inner, field: field) else { return [] }
            return t.split(separator: separator.isEmpty ? "," : separator).map { String($0).trimmed }.filter {
                !$0.isEmpty
            }.map(JSON.string)
        case .sum, .add, .subtract, .multiply, .negate, .minor:
            return try money(spec, field: field).map { [.string(Money.format($0, exponent: exponent))] } ?? []
        case .choose:
            return try branch(spec).map { s throws(OrderCoreError) in try values(s, field: field) } ?? []
        case .epoch(let inner):
            guard let t = try text(inner, field: field) else { return [] }
            guard let n = Int64(t), n >= 0, n < 10_000_000_000_000 else {
                throw .invalid("\(field): \"\(t.prefix(40))\" is not a Unix time", field: field)
            }
            return n == 0 ? [] : [.string(Timestamp.format(n >= 100_000_000_000 ? n : n * 1_000))]
        case .stripPrefix(let inner, let prefix):
            guard let t = try text(inner, field: field) else { return [] }
            return [.string(t.hasPrefix(prefix) ? String(t.dropFirst(prefix.count)) : t)]
        case .afterLast(let inner, let separator):
            guard let t = try text(inner, field: field), let r = t.ranges(of: separator).last,
                case let rest = String(t[r.upperBound...]).trimmed, !rest.isEmpty
            else { return [] }
            return [.string(rest)]
        }
    }

    /// The first value the spec yields (`values(spec).first`); a path to one value is read without
    /// building arrays (most fields of most profiles).
    private func firstValue(_ spec: ValueSpec, field: String) throws(OrderCoreError) -> JSON? {
        guard case .path(let p) = spec, !p.reachesMany else { return try values(spec, field: field).first }
        guard let v = p.single(in: self) else { return nil }
        if Evaluator.text(of: v) == "" { return nil }
        return v
    }

    func text(_ spec: ValueSpec, field: String) throws(OrderCoreError) -> String? {
        guard let v = try firstValue(spec, field: field) else { return nil }
        guard let t = Evaluator.text(of: v) else {
            throw .invalid("\(field): expected text, found \(v.typeName)", field: field)
        }
        return t
    }

    static func text(of value: JSON) -> String? {
        switch value {
        case .string(let s): s.trimmed
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    /// `a + b`, or an error naming the field when it does not fit in 64 bits.
    static func sum(_ a: Int64, _ b: Int64, field: String) throws(OrderCoreError) -> Int64 {
        let (result, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw .invalid("\(field): amount does not fit in 64 bits", field: field) }
        return result
    }

    func money(_ spec: ValueSpec, field: String) throws(OrderCoreError) -> Int64? {
        func checked(_ r: (partialValue: Int64, overflow: Bool)) throws(OrderCoreError) -> Int64 {
            guard !r.overflow else { throw .invalid("\(field): amount does not fit in 64 bits", field: field) }
            return r.partialValue
        }
        switch spec {
        case .sum(let inner):
            let all = try values(inner, field: field)
            guard !all.isEmpty else { return nil }
            var total: Int64 = 0
            for v in all { total = try checked(total.addingReportingOverflow(try parseMoney(v, field: field))) }
            return total
        case .add(let specs):
            var total: Int64?
            for s in specs {
                if let m = try money(s, field: field) { total = try checked((total ?? 0).addingReportingOverflow(m)) }
            }
            return total
        case .subtract(let a, let b):
            guard let m = try money(a, field: field) else { return nil }
            return try checked(m.subtractingReportingOverflow(try money(b, field: field) ?? 0))
        case .multiply(let a, let b):
            guard let m = try money(a, field: field), let t = try text(b, field: field) else { return nil }
            guard let n = Int64(t) else {
                throw .invalid("\(field): \"\(t.prefix(40))\" is not a whole number to multiply by", field: field)
            }
            return try checked(m.multipliedReportingOverflow(by: n))
        case .negate(let inner):
            return try money(inner, field: field).map { m throws(OrderCoreError) in
                try checked(Int64(0).subtractingReportingOverflow(m))
            }
        case .choose:
            return try branch(spec).map { s throws(OrderCoreError) in try money(s, field: field) } ?? nil
        case .minor(let inner):
            return try text(inner, field: field).map { t throws(OrderCoreError) in
                guard let n = Int64(t.hasSuffix(".0") ? String(t.dropLast(2)) : t) else {
                    throw .invalid("\(field): \"\(t.prefix(40))\" is not a whole number of minor units", field: field)
                }
                return n
            }
        default:
            guard let v = try firstValue(spec, field: field) else { return nil }
            return try parseMoney(v, field: field)
        }
    }

    /// The branch of an `if` that applies here: `then` when its conditions hold, else `else` (nil: none).
    private func branch(_ spec: ValueSpec) -> ValueSpec? {
        guard case .choose(let conditions, let then, let otherwise) = spec else { return nil }
        return conditions.allSatisfy { $0.holds(self) } ? then : otherwise
    }

    private func parseMoney(_ v: JSON, field: String) throws(OrderCoreError) -> Int64 {
        guard let t = Evaluator.text(of: v), let minor = Money.parse(t, exponent: exponent) else {
            throw .invalid(
                "\(field): \(Evaluator.text(of: v).map { "\"\($0.prefix(40))\"" } ?? v.typeName) is not an amount with "
                    + "at most \(exponent) decimals",
                field: field)
        }
        return minor
    }

    func int(_ spec: ValueSpec, field: String) throws(OrderCoreError) -> Int64? {
        guard let t = try text(spec, field: field) else { return nil }
        return try Self.whole(t, field: field)
    }

    /// Channels send quantities as numbers ("2"), strings or "2.0"; a fraction is an error.
    static func whole(_ t: String, field: String) throws(OrderCoreError) -> Int64 {
        let whole = t.hasSuffix(".0") ? String(t.dropLast(2)) : t
        guard let n = Int64(whole) else {
            throw .invalid("\(field): \"\(t.prefix(40))\" is not a whole number", field: field)
        }
        return n
    }

    /// A count of units: a whole number, or the `subtract` of two counts — nothing when either is absent
    /// (a count read against a missing one would be a guess).
    func units(_ spec: ValueSpec, field: String) throws(OrderCoreError) -> Int64? {
        guard case .subtract(let a, let b) = spec else { return try int(spec, field: field) }
        guard let x = try units(a, field: field), let y = try units(b, field: field) else { return nil }
        let (difference, overflow) = x.subtractingReportingOverflow(y)
        guard !overflow else { throw .invalid("\(field): the count does not fit in 64 bits", field: field) }
        return difference
    }

    func bool(_ spec: ValueSpec, field: String) throws(OrderCoreError) -> Bool? {
        guard let t = try text(spec, field: field)?.lowercased() else { return nil }
        switch t {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw .invalid("\(field): \"\(t.prefix(40))\" is not true or false", field: field)
        }
    }

    /// A time: ISO 8601 with a zone, or without one in the profile's offset, or in its `time_format`.
    func time(_ spec: ValueSpec, field: String) throws(OrderCoreError) -> Int64? {
        guard let t = try text(spec, field: field) else { return nil }
        if let parsed = Timestamp.parse(t) { return parsed }
        let offset = timeOffsetMinutes
        let local: Int64?
        if let timeFormat {
            local = TimePattern.parse(t, pattern: timeFormat)
        } else {
            local = Timestamp.parse(t + "Z")
        }
        guard let local else {
            throw .invalid(
                "\(field): \"\(t.prefix(40))\" is not a "
                    + "time\(timeFormat.map { " in the format \($0)" } ?? " (ISO 8601)")",
                field: field)
        }
        return local - Int64(offset) * 60_000
    }
}

/// Times written the way a spreadsheet or an old system writes them: `%Y %y %m %d %H %M %S` stand for
/// numbers of one or more digits (`12/1/10 8:26` is `%m/%d/%y %H:%M`), anything else must match.
enum TimePattern {
    /// - Returns: milliseconds since the epoch as if the text were UTC, or nil when it does not match.
    static func parse(_ text: String, pattern: String) -> Int64? {
        let t = Array(text.utf8), p = Array(pattern.utf8)
        var i = 0, j = 0
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0
        while j < p.count {
            if p[j] == UInt8(ascii: "%"), j + 1 < p.count {
                var n = 0, digits = 0
                while i < t.count, t[i] >= 48, t[i] <= 57, digits < 4 {
                    n = n * 10 + Int(t[i] - 48); i += 1; digits += 1
                }
                guard digits > 0 else { return nil }
                switch p[j + 1] {
                case UInt8(ascii: "Y"): year = n
                case UInt8(ascii: "y"): year = n < 70 ? 2000 + n : 1900 + n
                case UInt8(ascii: "m"): month = n
                case UInt8(ascii: "d"): day = n
                case UInt8(ascii: "H"): hour = n
                case UInt8(ascii: "M"): minute = n
                case UInt8(ascii: "S"): second = n
                default: return nil
                }
                j += 2
            } else {
                guard i < t.count, t[i] == p[j] else { return nil }
                i += 1; j += 1
            }
        }
        guard i == t.count else { return nil }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let iso = "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))Z"
        return year >= 1000 && year <= 9999 ? Timestamp.parse(iso) : nil
    }
}
