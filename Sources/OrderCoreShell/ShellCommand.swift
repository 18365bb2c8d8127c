import OrderCore

/// One row of the shell's command table (`ShellCommand.all`): a readable command generated from an op's
/// declaration (`Command.arguments`), or one of the shell's own commands (`exec`, `watch`, `.read`...).
/// The table drives parsing, `help`, `help COMMAND` and tab completion, so they can never disagree.
public struct ShellCommand: Sendable {
    /// How a word becomes a JSON argument.
    public enum Kind: Sendable {
        case code(CodeKind?)  // an identifier; completed from the database when a kind is given
        case int  // an integer, or "none" for null
        case money
        case bool
        case auto  // true/false, an integer, a JSON object or array if it is one, else a string
        case list  // comma-separated codes: SH,BJ
        case object  // a JSON object, or KEY:VALUE,KEY:VALUE (integers stay numbers)
        case array  // a JSON array
        case text  // a string; the last positional takes the rest of the line
        case file  // a file name: the file's text is sent

        init(_ kind: Argument.Kind, completes: CodeKind?) {
            switch kind {
            case .code, .time: self = .code(completes)
            case .text: self = .text
            case .integer: self = .int
            case .boolean: self = .bool
            case .money, .decimal: self = .money
            case .codes: self = .list
            case .object: self = .object
            case .array, .lines: self = .array
            case .json: self = .auto
            case .file: self = .file
            }
        }
    }

    public struct Param: Sendable {
        public let name: String
        public let field: String
        public let kind: Kind
        public let optional: Bool
        public var choices: [String] = []
    }

    public struct Option: Sendable {
        public let key: String
        public let field: String
        public let kind: Kind
        public let choices: [String]
    }

    public let words: [String]
    /// The op it runs; nil for the shell's own commands.
    public let op: String?
    public let params: [Param]
    /// `key=value` arguments accepted after the positionals, with the argument name they fill.
    public let options: [Option]
    public let summary: String
    /// `SKU:QTY` (or `SKU:QTY@PRICE`) words after the positionals, collected into a list argument.
    public let lines: Lines?
    /// The one member a table shows, when the rest repeats it for older scripts (`report alerts`).
    public let shows: String?
    /// Another name of an op's command (`transfer create`): matched and completed, listed under its op.
    public let isAlias: Bool
    /// A shell command's own syntax, for its help line.
    private let syntax: String?
    /// What completes each word after an own command's name (`.mode` offers the output modes).
    public let completesWith: [String]

    public struct Lines: Sendable {
        public let field: String
        public let required: Bool
        /// Whether a line carries its price (`SKU:QTY@PRICE`).
        public let priced: Bool
        var syntax: String { (priced ? "SKU:QTY@PRICE..." : "SKU:QTY...").wrapped(if: !required) }
    }

    public var name: String { words.joined(separator: " ") }

    /// The help line: `order pay ORDER [AMOUNT] [options]`; `help COMMAND` lists the options.
    public var usage: String {
        if let syntax { return syntax }
        var parts = [name]
        for p in params { parts.append(p.name.wrapped(if: p.optional)) }
        // Lines come before a reason that takes the rest of the line (`order cancel ORDER [SKU:QTY...] [REASON]`).
        if let lines { parts.insert(lines.syntax, at: restIsText ? parts.count - 1 : parts.count) }
        if !options.isEmpty { parts.append("[options]") }
        return parts.joined(separator: " ")
    }

    /// `key=VALUE` forms of the options, for `help COMMAND`.
    public var optionUsage: [String] {
        options.enumerated().filter { i, o in !options.prefix(i).contains { $0.key == o.key } }.map(\.element).map {
            $0.key + "=" + ($0.choices.isEmpty ? $0.key.uppercased() : $0.choices.joined(separator: "|"))
        }
    }

    /// The rows of an op's command: the op with spaces, then its aliases.
    static func rows(_ command: Command) -> [ShellCommand] {
        let positional = command.arguments.filter(\.positional)
        let listed = command.arguments.first { !$0.positional && $0.kind == .lines }
        // Shorter names first: `customer=Wang` is the customer's name, not the whole customer object.
        var options = command.shellNames.sorted(by: { $0.key < $1.key }).map { key, field in
            let root = command.arguments.first { $0.name == field.prefix { $0 != "." } }
            let kind =
                field.contains(".") ? Kind.code(nil) : root.map { Kind($0.kind, completes: $0.completes) } ?? .code(nil)
            return Option(key: key, field: field, kind: kind, choices: field.contains(".") ? [] : root?.choices ?? [])
        }
        options += command.arguments.filter { !$0.positional && $0.name != listed?.name }.map {
            Option(key: $0.name, field: $0.name, kind: Kind($0.kind, completes: $0.completes), choices: $0.choices)
        }
        let params = positional.map {
            Param(
                name: displayName($0.name), field: $0.name, kind: Kind($0.kind, completes: $0.completes),
                optional: !$0.required,
                choices: $0.choices)
        }
        return ([command.shellName] + command.aliases).enumerated().map { index, words in
            ShellCommand(
                words: words, op: command.name, params: params, options: options, summary: command.summary,
                lines: listed.map {
                    Lines(field: $0.name, required: $0.required, priced: $0.doc.contains("unit_price"))
                }, shows: command.shows,
                isAlias: index > 0)
        }
    }

    /// `ORDER` for order_id, `FILE` for a path.
    static func displayName(_ field: String) -> String {
        switch field {
        case "path", "csv": "FILE"
        case "tracking_no": "TRACKING"
        case "inbox_id": "INBOX_ID"
        default: (field.hasSuffix("_id") ? String(field.dropLast(3)) : field).uppercased()
        }
    }

    init(
        words: String, op: String?, params: [Param] = [], options: [Option] = [], summary: String, lines: Lines? = nil,
        shows: String? = nil, isAlias: Bool = false,
        syntax: String? = nil, completesWith: [String] = []
    ) {
        self.words = words.split(separator: " ").map(String.init)
        self.op = op
        self.params = params
        self.options = options
        self.summary = summary
        self.lines = lines
        self.shows = shows
        self.isAlias = isAlias
        self.syntax = syntax
        self.completesWith = completesWith
    }

    /// Whether the last positional takes the rest of the line: a reason, a note, or a JSON value
    /// (`config set health.weights {"on_time": 40}` needs no quotes).
    private var restIsText: Bool {
        switch params.last?.kind {
        case .text?, .auto?: true
        default: false
        }
    }

    /// Turns the words after the command name into bus arguments.
    func arguments(_ args: [String]) throws(ShellError) -> JSONObject {
        var result = JSONObject()
        var positional: [String] = []
        var lineItems: [JSON] = []
        for arg in args {
            if let eq = arg.firstIndex(of: "="), let option = option(String(arg[..<eq])) {
                ShellCommand.set(
                    &result, option.field,
                    try ShellCommand.value(String(arg[arg.index(after: eq)...]), option.kind, name: option.key))
            } else if let eq = arg.firstIndex(of: "="), !restIsText,
                arg[..<eq].allSatisfy({ $0.isLowercase || $0 == "_" || $0 == "." }), eq != arg.startIndex
            {
                // `stock ledger sku=A1` would otherwise look for a SKU named "sku=A1".
                let accepted =
                    options.isEmpty ? "it takes no options" : "options: " + optionUsage.joined(separator: " ")
                throw ShellError("unknown option '\(arg[..<eq])'; \(accepted); usage: \(usage)")
            } else if let lines, positional.count >= params.filter({ !$0.optional }).count, arg.contains(":"),
                !restIsText || positional.count < params.count
            {
                // Once a reason that takes the rest of the line has begun, "at 10:30" is part of it.
                lineItems.append(try ShellCommand.line(arg, priced: lines.priced, usage: usage))
            } else {
                positional.append(arg)
            }
        }
        if let lines {
            if !lineItems.isEmpty {
                result[lines.field] = .array(lineItems)
            } else if lines.required {
                throw ShellError("give at least one line (\(lines.syntax)); usage: \(usage)")
            }
        }
        for (i, param) in params.enumerated() {
            guard i < positional.count else {
                if param.optional { break }
                throw ShellError("missing \(param.name); usage: \(usage)")
            }
            if i == params.count - 1, restIsText {
                result[param.field] = try ShellCommand.value(
                    positional[i...].joined(separator: " "), param.kind, name: param.name)
                positional = Array(positional.prefix(i + 1))
                break
            }
            result[param.field] = try ShellCommand.value(positional[i], param.kind, name: param.name)
        }
        if positional.count > params.count {
            throw ShellError("unexpected '\(positional[params.count])'; usage: \(usage)")
        }
        return result
    }

    /// The option `key=` names: a shorter name, an argument, or a member of an object argument (`ship_to.city`).
    private func option(_ key: String) -> Option? {
        if let option = options.first(where: { $0.key == key }) { return option }
        guard let dot = key.firstIndex(of: "."),
            options.contains(where: { if case .object = $0.kind { $0.field == key[..<dot] } else { false } })
        else { return nil }
        return Option(key: key, field: key, kind: .auto, choices: [])
    }

    static func value(_ word: String, _ kind: Kind, name: String) throws(ShellError) -> JSON {
        switch kind {
        case .code, .money, .text: return .string(word)
        case .int:
            if word == "none" { return .null }
            guard Int64(word) != nil else { throw ShellError("\(name) must be an integer, not '\(word)'") }
            return .number(word)
        case .bool:
            switch word.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw ShellError("\(name) must be true or false, not '\(word)'")
            }
        case .auto:
            if word == "true" || word == "false" { return .bool(word == "true") }
            if word == "null" { return .null }
            if Int64(word) != nil { return .number(word) }
            if word.hasPrefix("{") || word.hasPrefix("["), let value = try? JSONParser.parse(word) { return value }
            return .string(word)
        case .list: return .array(word.split(separator: ",").map { .string(String($0)) })
        case .array:
            guard case .array(let items)? = try? JSONParser.parse(word) else {
                throw ShellError("\(name) takes a JSON array, not '\(word)'")
            }
            return .array(items)
        case .object:
            if word.hasPrefix("{") {
                guard case .object(let object)? = try? JSONParser.parse(word) else {
                    throw ShellError("\(name) is not a JSON object: '\(word)'")
                }
                return .object(object)
            }
            var map = JSONObject()
            for pair in word.split(separator: ",") {
                let parts = pair.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else {
                    throw ShellError("\(name) takes KEY:VALUE,KEY:VALUE or JSON, not '\(pair)'")
                }
                map[String(parts[0])] = Int64(parts[1]) != nil ? .number(String(parts[1])) : .string(String(parts[1]))
            }
            return .object(map)
        case .file:
            do {
                return .string(try LineReader(path: word).rest())
            } catch let error as ShellError {
                throw error
            } catch {
                throw ShellError("cannot read \(word): \(error)")
            }
        }
    }

    // MARK: - The table

    /// Every op's command, then the shell's own (which take the place of the op of the same name).
    public static let all: [ShellCommand] = {
        let ownNames = Set(own.map(\.name))
        return Command.all.flatMap(rows).filter { !ownNames.contains($0.name) } + own
    }()

    /// The shell's own commands: what is not one op with its arguments.
    static let own: [ShellCommand] = [
        ShellCommand(
            words: "events tail", op: nil,
            summary: "Print the change feed after the consumer's cursor and acknowledge it",
            syntax: "events tail [CONSUMER]"),
        ShellCommand(
            words: "export", op: nil,
            summary: "Write every row a command lists to FILE (.csv, or .jsonl for JSON lines)",
            syntax: "export FILE [rows=NAME] COMMAND ..."),
        ShellCommand(
            words: "watch", op: nil,
            summary: "Refresh a command on the terminal until a key is pressed (default: 2 s, report alerts)",
            syntax: "watch [SECONDS] [COMMAND ...]"),
        ShellCommand(
            words: "exec", op: nil, summary: "Run any bus op as JSON, e.g. exec {\"op\":\"stock.get\",\"sku\":\"A1\"}",
            syntax: "exec JSON"),
        ShellCommand(
            words: "help", op: nil, summary: "Show this list, or one command with its op and options",
            syntax: "help [COMMAND]"),
        ShellCommand(words: "quit", op: nil, summary: "Leave (exit and Ctrl-D work too)", syntax: "quit"),
        ShellCommand(
            words: ".mode", op: nil, summary: "Output format", syntax: ".mode table|json|csv",
            completesWith: OutputMode.allCases.map(\.rawValue)),
        ShellCommand(
            words: ".read", op: nil,
            summary: "Run commands from a file (- reads standard "
                + "input)", syntax: ".read FILE"),
        ShellCommand(
            words: ".import", op: nil,
            summary: "Ingest a file of channel events (CSV, JSON, JSON lines); re-running skips what is in",
            syntax: ".import FILE --channel CHANNEL", completesWith: ["--channel"]),
        ShellCommand(
            words: ".bail", op: nil, summary: "Stop at the first error (scripts exit non-zero)", syntax: ".bail on|off",
            completesWith: ["on", "off"]),
        ShellCommand(
            words: ".timer", op: nil, summary: "Print how long each command took", syntax: ".timer on|off",
            completesWith: ["on", "off"]),
        ShellCommand(words: ".show", op: nil, summary: "Show the current settings", syntax: ".show"),
        ShellCommand(words: ".help", op: nil, summary: "The same as help", syntax: ".help"),
        ShellCommand(words: ".quit", op: nil, summary: "Leave (Ctrl-D works too)", syntax: ".quit"),
    ]

    /// `A1:2@19.90` -> `{"sku":"A1","qty":2,"unit_price":"19.90"}` (`A1:2` without prices); without prices, `#2:1`
    /// is a line by its number (`{"line_no":2,"qty":1}`: the second of two lines of one SKU).
    static func line(_ word: String, priced: Bool, usage: String) throws(ShellError) -> JSON {
        guard let colon = word.lastIndex(of: ":"), colon != word.startIndex else {
            throw ShellError("'\(word)' is not a line (SKU:QTY or SKU:QTY@PRICE); usage: \(usage)")
        }
        let parts = word[word.index(after: colon)...].split(
            separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let qty = parts.first, Int64(qty) != nil else {
            throw ShellError("'\(word)': quantity must be an integer (SKU:QTY or SKU:QTY@PRICE)")
        }
        let name = word[..<colon]
        var line: JSONObject = ["sku": .string(String(name)), "qty": .number(String(qty))]
        if !priced, name.hasPrefix("#"), let number = Int64(name.dropFirst()) {
            line = ["line_no": .int(number), "qty": .number(String(qty))]
        }
        if priced {
            line["unit_price"] = .string(parts.count > 1 ? String(parts[1]) : "0")
        } else if parts.count > 1 {
            throw ShellError("'\(word)': no price here (SKU:QTY)")
        }
        return .object(line)
    }

    /// Sets `field`, where `customer.name` means the member `name` of the object `customer`.
    static func set(_ object: inout JSONObject, _ field: String, _ value: JSON) {
        guard let dot = field.firstIndex(of: ".") else { object[field] = value; return }
        let head = String(field[..<dot])
        var inner = object[head]?.objectValue ?? JSONObject()
        inner[String(field[field.index(after: dot)...])] = value
        object[head] = .object(inner)
    }

    private static let byLength = all.sorted { $0.words.count > $1.words.count }

    /// The command named by the first words of `words`, with the words that follow it.
    public static func match(_ words: [String]) -> (ShellCommand, [String])? {
        for command in byLength
        where command.words.count <= words.count && Array(words.prefix(command.words.count)) == command.words {
            return (command, Array(words.dropFirst(command.words.count)))
        }
        return nil
    }
}

extension String {
    /// `[text]` when `optional`.
    func wrapped(if optional: Bool) -> String { optional ? "[\(self)]" : self }
}

/// A shell usage error (before anything reaches the engine).
public struct ShellError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
