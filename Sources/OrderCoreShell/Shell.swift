import OrderCore

#if canImport(Glibc)
import Glibc
#endif

/// An admin session on one database: runs readable commands, `exec JSON` and dot-commands, and
/// prints results in the chosen mode. Used interactively, as a script (stdin not a terminal), and
/// with `-c`.
public final class Shell {
    let engine: Engine
    public var mode: OutputMode
    public var bail: Bool
    var timer = false
    /// Commands that failed so far; a script exits non-zero when there were any.
    public private(set) var failures = 0
    /// Who the shell acts as: the OS user (see `osActor()`).
    public let actor: String
    private let write: (String) -> Void
    private let writeError: (String) -> Void

    public init(
        engine: Engine, mode: OutputMode = .table, bail: Bool = false, actor: String,
        write: @escaping (String) -> Void = { print($0) },
        writeError: @escaping (String) -> Void = { Shell.standardError($0) }
    ) {
        self.engine = engine
        self.mode = mode
        self.bail = bail
        self.actor = actor
        self.write = write
        self.writeError = writeError
    }

    public enum Outcome { case proceed, quit, bailed }

    /// Runs one input line.
    @discardableResult
    public func execute(_ rawLine: String) -> Outcome {
        let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
        if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("--") { return .proceed }
        // The terminal's and standard input's readers, and the arguments of -c, decode invalid UTF-8 into
        // U+FFFD (a file's lines are refused before: `LineReader`): such a line would name things nobody typed.
        if line.unicodeScalars.contains("\u{FFFD}") {
            fail("error: the line is not valid UTF-8 (it has bytes that are not text); nothing was run")
            return failures > 0 && bail ? .bailed : .proceed
        }
        let started = Shell.monotonicSeconds()
        defer { if timer { write("Run Time: \(Shell.format(seconds: Shell.monotonicSeconds() - started)) s") } }
        do {
            if line.hasPrefix(".") { return try dotCommand(line) }
            let words = try Tokenizer.split(line)
            switch words.first {
            case "help": write(Shell.help(Array(words.dropFirst())))
            case "exec": try exec(String(line.dropFirst(4)))
            case "events" where words.dropFirst().first == "tail": try tail(Array(words.dropFirst(2)))
            case "export": try export(Array(words.dropFirst()))
            case "watch": try watch(Array(words.dropFirst()))
            case "quit", "exit": return .quit
            default: show(try readable(words)())
            }
        } catch let error as ShellError {
            fail("error: \(error.message)")
        } catch {
            fail("error: unterminated quote")
        }
        return failures > 0 && bail ? .bailed : .proceed
    }

    /// A readable command, parsed once, ready to run (again: `watch` repeats it).
    private func readable(_ words: [String]) throws -> () -> Result<JSON, OrderCoreError> {
        let (command, op, arguments) = try request(words)
        return { [engine, actor, mode] in
            var arguments = arguments
            arguments["actor"] = .string(actor)
            var result = engine.run(op, arguments)
            if mode == .table, let member = command.shows, case .success(let value) = result {
                result = .success([member: value[member] ?? .null])
            }
            return result
        }
    }

    /// The op a readable command runs, with its arguments.
    private func request(_ words: [String]) throws -> (ShellCommand, String, JSONObject) {
        guard let (command, args) = ShellCommand.match(words), let op = command.op else {
            throw ShellError(
                "unknown command '\(words.prefix(2).joined(separator: " "))'; type help for the list of commands")
        }
        return (command, op, try command.arguments(args))
    }

    /// `export FILE [rows=NAME] COMMAND ...`: the command's rows to FILE, every page of them: JSON lines
    /// when FILE ends in .jsonl, else CSV.
    private func export(_ words: [String]) throws {
        let usage =
            "usage: export FILE[.csv|.jsonl] [rows=NAME] COMMAND ..., e.g. export paid.csv order list state=paid"
        guard let file = words.first, words.count >= 2 else { throw ShellError(usage) }
        var rest = Array(words.dropFirst())
        var rows: JSON = .null
        if let first = rest.first, first.hasPrefix("rows=") {
            rows = .string(String(first.dropFirst(5)))
            rest.removeFirst()
        }
        guard !rest.isEmpty else { throw ShellError(usage) }
        var (_, op, request) = try request(rest)
        request["op"] = .string(op)
        let format = file.hasSuffix(".jsonl") || file.hasSuffix(".ndjson") ? "jsonl" : "csv"
        show(
            engine.run(
                "export",
                [
                    "request": .object(request), "path": .string(file), "format": .string(format), "rows": rows,
                    "actor": .string(actor),
                ]))
    }

    /// `watch [SECONDS] [COMMAND ...]` (default: every 2 s, report alerts): on a terminal, clears the
    /// screen and shows the command's answer again every SECONDS until a key is pressed; elsewhere
    /// (a script) shows it once.
    private func watch(_ words: [String]) throws {
        var rest = words
        var seconds = 2.0
        if let first = rest.first, let n = Double(first) {
            guard n >= 0.1, n <= 3_600 else { throw ShellError("watch: SECONDS must be between 0.1 and 3600") }
            seconds = n
            rest.removeFirst()
        }
        if rest.isEmpty { rest = ["report", "alerts"] }
        let run = try readable(rest)
        guard isatty(0) == 1, isatty(1) == 1 else { return show(run()) }
        let title = "Every \(seconds) s: \(rest.joined(separator: " "))    (any key stops)"
        Terminal.withKeysUnbuffered {
            repeat {
                var frame = "\u{1B}[H\u{1B}[2J" + title + "    " + Timestamp.format(Timestamp.now()) + "\n\n"
                switch run() {
                case .success(let value): frame += Renderer.render(value, mode: mode)
                case .failure(let error): frame += "error (\(error.code.rawValue)): \(error.message)"
                }
                write(frame)
                fflush(nil)
            } while !Terminal.keyPressed(within: seconds)
        }
    }

    /// Runs a raw JSON request as the shell's actor, now: a request that names anyone else is refused, so
    /// nobody at the shell can act as `system` (the trusted host) or as a colleague; and so is one that
    /// names its time (`at`), so nobody dates what they do (a sweep "as of" next year would cancel every
    /// unpaid order, a return backdated into its window would skip a supervisor, and the audit trail
    /// would say when it suited them).
    private func exec(_ json: String) throws {
        var request = json
        if case .object(var object)? = try? JSONParser.parse(json) {
            if let named = object["actor"], named != .string(actor) {
                return show(
                    .failure(
                        OrderCoreError(
                            .forbidden, "the shell acts as \(actor) (the OS user); a request cannot name another actor",
                            details: ["actor": .string(actor), "named": named])))
            }
            if let named = object["at"] {
                return show(
                    .failure(
                        OrderCoreError(
                            .forbidden, "the shell acts now; a request cannot name its time (at)",
                            details: ["actor": .string(actor), "at": named])))
            }
            object["actor"] = .string(actor)
            request = JSON.object(object).serialized
        }
        let (_, response) = engine.execute(request)
        guard let envelope = try? JSONParser.parse(response), case .bool(let ok)? = envelope["ok"] else {
            throw ShellError("unreadable response: \(response)")
        }
        if ok {
            show(.success(envelope["result"] ?? .null))
        } else {
            let e = envelope["error"]
            show(
                .failure(
                    OrderCoreError(
                        ErrorCode(rawValue: e?["code"]?.stringValue ?? "") ?? .internal,
                        e?["message"]?.stringValue ?? response, details: e?["details"])))
        }
    }

    /// `events tail [CONSUMER]`: prints the change feed after the consumer's acknowledged cursor (all of
    /// it without a consumer) and acknowledges what it printed, so the next tail starts after it.
    private func tail(_ words: [String]) throws {
        guard words.count <= 1 else { throw ShellError("usage: events tail [CONSUMER]") }
        let consumer = words.first
        var cursor: Int64 = 0
        while true {
            var args: JSONObject = ["limit": 1_000]
            if let consumer { args["consumer"] = .string(consumer) } else { args["after"] = .int(cursor) }
            let page = engine.run("events.read", args)
            guard case .success(let result) = page, let events = result["events"]?.arrayValue, !events.isEmpty else {
                if case .failure = page { show(page) }
                return
            }
            for event in events { write(Renderer.render(event, mode: mode == .table ? .json : mode)) }
            cursor = result["next"]?.intValue ?? cursor
            if let consumer {
                if case .failure(let error) = engine.run(
                    "events.ack", ["consumer": .string(consumer), "cursor": .int(cursor), "actor": .string(actor)])
                {
                    return show(.failure(error))
                }
            }
        }
    }

    private func show(_ result: Result<JSON, OrderCoreError>) {
        switch result {
        case .success(let value): write(Renderer.render(value, mode: mode))
        case .failure(let error):
            fail(
                mode == .json
                    ? JSON.object(["ok": false, "error": error.json]).serialized
                    : "error (\(error.code.rawValue)): \(error.message)")
        }
    }

    private func fail(_ message: String) {
        failures += 1
        writeError(message)
    }

    // MARK: - Dot-commands

    private func dotCommand(_ line: Substring) throws -> Outcome {
        let words = try Tokenizer.split(line)
        let argument = words.dropFirst().first
        func onOff() throws -> Bool {
            switch argument {
            case "on": return true
            case "off": return false
            default: throw ShellError("\(words[0]) takes on or off")
            }
        }
        switch words[0] {
        case ".quit", ".exit": return .quit
        case ".help": write(Shell.help(Array(words.dropFirst())))
        case ".mode":
            guard let argument, let mode = OutputMode(rawValue: argument) else {
                throw ShellError(
                    ".mode takes \(OutputMode.allCases.map(\.rawValue).joined(separator: ", ")) (now \(mode.rawValue))")
            }
            self.mode = mode
        case ".bail": bail = try onOff()
        case ".timer": timer = try onOff()
        case ".show":
            write(
                [
                    "database: \(engine.path)", "mode: \(mode.rawValue)", "bail: \(bail ? "on" : "off")",
                    "timer: \(timer ? "on" : "off")", "actor: \(actor)",
                ].joined(separator: "\n"))
        case ".read":
            guard let argument else { throw ShellError(".read takes a file name") }
            return try read(file: argument)
        case ".import":
            let rest = Array(words.dropFirst())
            guard rest.count == 3, rest[1] == "--channel" else {
                throw ShellError(".import takes FILE --channel CHANNEL")
            }
            let importer = Importer(
                engine: engine, actor: actor, file: rest[0], channel: rest[2],
                progress: isatty(2) == 1 && isatty(0) == 1)
            do {
                let summary = try importer.run()
                show(.success(summary))
                if let dead = summary["dead_letters"]?.intValue, dead > 0 {
                    fail("error: \(dead) events could not be applied and are kept as dead letters; see intake dead")
                }
            } catch let error as OrderCoreError {
                show(.failure(error))
            }
        default: throw ShellError("unknown dot-command \(words[0]); type help")
        }
        return .proceed
    }

    /// Runs every line of a file; stops at the first failure when bail is on.
    private func read(file: String) throws -> Outcome {
        let reader = try LineReader(path: file)
        while let line = try reader.line() {
            let outcome = execute(line)
            if outcome != .proceed { return outcome }
        }
        return .proceed
    }

    // MARK: - Help

    /// `help` lists every command; `help order pay` (or `help order`) shows the matching ones in full.
    public static func help(_ words: [String]) -> String {
        let commands =
            ShellCommand.all.filter { !$0.isAlias && (words.isEmpty || Array($0.words.prefix(words.count)) == words) }
            + ShellCommand.all.filter { $0.isAlias && !words.isEmpty && Array($0.words.prefix(words.count)) == words }
        if commands.isEmpty { return "no command '\(words.joined(separator: " "))'; type help for the list" }
        let width = min(commands.map { $0.usage.count }.max() ?? 0, 48)
        var lines: [String] = []
        for command in commands {
            let aliases = ShellCommand.all.filter { $0.isAlias && $0.op == command.op && !command.isAlias }.map(\.name)
            lines.append(
                command.usage.padding(to: width) + "  " + command.summary
                    + (aliases.isEmpty ? "" : " (also: \(aliases.joined(separator: ", ")))"))
            guard !words.isEmpty, words.count >= command.words.count || commands.count == 1 else { continue }
            if !command.optionUsage.isEmpty { lines.append("  options: " + command.optionUsage.joined(separator: " ")) }
            if let op = command.op, let declared = Command.all.first(where: { $0.name == op }) {
                lines.append("  runs op \(op): \(declared.summary)")
                for argument in declared.arguments {
                    lines.append("    \(argument.name)\(argument.required ? " (required)" : ""): \(argument.doc)")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - Utilities

    public static func standardError(_ text: String) {
        fflush(nil)  // keep stdout and stderr in order when both go to one place
        let line = text + "\n"
        _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func format(seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded())
        let frac = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
