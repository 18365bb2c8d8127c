/// A path into a channel payload, as profiles write it: keys separated by dots, `[n]` for an array
/// element, `[]` for every element (`line_items[].tax_lines[].price`), `[key=value]` for every element
/// that is an object whose `key` has that value (`breakdowns[type=TAX].subtotal`: text compared with
/// text, so `[status=2]` finds `2` and `"2"`), or after an object, that object if its `key` has it
/// (`edges[].node[restockType=RETURN]`). A leading `/` starts at the
/// whole payload instead of the object being mapped; a leading `^` at the element the event rule took (the
/// order a line or a list item belongs to, one of a page of orders); a leading `@` reads an argument of
/// `intake.ingest` (`@external_id`, `@event_type`); the empty path is the object itself.
struct PayloadPath: Equatable {
    enum Step: Equatable { case key(String), index(Int), each, match(key: String, value: String) }
    enum Base: Equatable { case current, element, payload, arguments }

    var base: Base
    var steps: [Step]
    let text: String

    init(_ text: String) throws(OrderCoreError) {
        self.text = text
        var rest = Substring(text)
        if rest.hasPrefix("/") {
            base = .payload; rest = rest.dropFirst()
        } else if rest.hasPrefix("^") {
            base = .element; rest = rest.dropFirst()
        } else if rest.hasPrefix("@") {
            base = .arguments; rest = rest.dropFirst()
        } else {
            base = .current
        }
        steps = []
        guard !rest.isEmpty else { return }
        for part in rest.split(separator: ".", omittingEmptySubsequences: false) {
            var name = part
            var suffixes: [Step] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                let inside = name[name.index(after: open)..<name.index(before: name.endIndex)]
                if inside.isEmpty {
                    suffixes.insert(.each, at: 0)
                } else if let i = Int(inside), i >= 0 {
                    suffixes.insert(.index(i), at: 0)
                } else if let equals = inside.firstIndex(of: "="), equals != inside.startIndex {
                    let key = String(inside[..<equals]), value = String(inside[inside.index(after: equals)...])
                    suffixes.insert(.match(key: key, value: value), at: 0)
                } else {
                    throw .invalid("path '\(text)': '[\(inside)]' must be an index, [] or [key=value]")
                }
                name = name[..<open]
            }
            if name.contains("[") || name.contains("]") {
                // `a[b.c]` split at its dot, or a bracket out of place: never a key that cannot match.
                throw .invalid("path '\(text)': '\(part)' has a '[' or ']' out of place (a value holds no '.')")
            } else if !name.isEmpty {
                steps.append(.key(String(name)))
            } else if suffixes.isEmpty {
                throw .invalid("path '\(text)' has an empty key")
            }
            steps += suffixes
        }
    }

    /// Walks from the base until the end or the first `[]` or `[key=value]`, without building arrays: the
    /// value reached (nil when a step finds nothing) and where that step is, if the path has one.
    private func walk(in e: Evaluator) -> (value: JSON?, each: Int?) {
        var value =
            switch base {
            case .current: e.current
            case .element: e.element
            case .payload: e.payload
            case .arguments: e.arguments
            }
        for (n, step) in steps.enumerated() {
            switch (step, value) {
            case (.key(let key), .object(let o)):
                guard let v = o[key] else { return (nil, nil) }
                value = v
            case (.index(let i), .array(let a)):
                guard i < a.count else { return (nil, nil) }
                value = a[i]
            case (.each, .array), (.match, .array), (.match, .object): return (value, n)
            default: return (nil, nil)
            }
        }
        return (value, nil)
    }

    /// The one value a path without `[]` reaches (nil for none or null), without building an array;
    /// nil too for a path through `[]` (use `values`).
    func single(in e: Evaluator) -> JSON? {
        let (value, each) = walk(in: e)
        guard each == nil, let value, value != .null else { return nil }
        return value
    }

    /// Whether the path reaches an empty list: the value it ends at, or the list its first `[]` walks, is `[]`.
    func reachesEmptyList(in e: Evaluator) -> Bool {
        walk(in: e).value == .array([])
    }

    /// Whether the path goes through `[]` or `[key=value]` (may reach several values).
    var reachesMany: Bool {
        steps.contains {
            switch $0 {
            case .each, .match: true
            case .key, .index: false
            }
        }
    }

    /// Every value the path reaches (more than one only through `[]`); nulls are left out.
    func values(in e: Evaluator) -> [JSON] {
        switch walk(in: e) {
        case (let many?, let each?): Self.values([many], steps[each...])
        case (let value?, nil) where value != .null: [value]
        default: []
        }
    }

    private static func values(_ start: [JSON], _ steps: ArraySlice<Step>) -> [JSON] {
        var values = start
        for step in steps {
            var next: [JSON] = []
            for value in values {
                switch (step, value) {
                case (.key(let key), .object(let o)): if let v = o[key] { next.append(v) }
                case (.index(let i), .array(let a)): if i < a.count { next.append(a[i]) }
                case (.each, .array(let a)): next += a
                case (.match(let key, let wanted), .array(let a)):
                    next += a.filter { $0.objectValue?[key].flatMap(Evaluator.text(of:)) == wanted }
                case (.match(let key, let wanted), .object(let o)):
                    if o[key].flatMap(Evaluator.text(of:)) == wanted { next.append(value) }
                default: break
                }
            }
            values = next
        }
        return values.filter { $0 != .null }
    }
}
