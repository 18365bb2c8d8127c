import OrderCore

#if canImport(Glibc)
import Glibc
#endif

/// `.import FILE --channel X`: streams a file of channel events into `intake.ingest`, a batch of
/// events per transaction, in bounded memory. A CSV file (the channel's profile reads CSV) is split
/// into orders — consecutive rows with the same value in the profile's `group_by` column — sent
/// `ordersPerEvent` to an event (the engine applies each order on its own: a bad one becomes a dead
/// letter of its own); a `.json` file is one event; any other file is JSON lines, one event per line.
/// Every event gets an id from its content, so running the same import again skips what is already in
/// (resumable after an interruption). The summary counts orders, not the events that carried them.
struct Importer {
    let engine: Engine
    let actor: String
    let file: String
    let channel: String
    /// Orders (or events, for other files) per transaction.
    var batchSize = 500
    /// Orders of a CSV file per event: each event costs its own inbox row, lookups and outcome, which
    /// twenty orders share (a fifth to a third more orders a second than one event each; benchmarks.md §5).
    var ordersPerEvent = 20
    /// An event's CSV text stops growing past this (or the channel's payload limit, if lower).
    var eventBytes = 64 << 10
    /// Progress on standard error while importing (a terminal only).
    var progress: Bool

    struct Summary {
        var events = 0, applied = 0, duplicates = 0, deadLetters = 0, skippedEvents = 0
        var ordersCreated = 0, linesImported = 0, linesNotStock = 0
        var reasons: [String: Int] = [:]
        var firstDeadLetter: JSON?

        var json: JSON {
            var reasons = JSONObject()
            for key in self.reasons.keys.sorted() { reasons[key] = .int(self.reasons[key] ?? 0) }
            return [
                "events": .int(events), "applied": .int(applied), "already_in": .int(duplicates),
                "dead_letters": .int(deadLetters),
                "skipped_events": .int(skippedEvents), "orders_created": .int(ordersCreated),
                "lines_imported": .int(linesImported),
                "lines_not_stock": .int(linesNotStock), "skipped_why": .object(reasons),
                "first_dead_letter": firstDeadLetter ?? .null,
            ]
        }
    }

    func run() throws -> JSON {
        let profileName =
            try engine.run("channel.get", ["channel": .string(channel)]).get()["profile"]?.stringValue ?? channel
        let profile = try engine.run("intake.profile_get", ["profile": .string(profileName)]).get()
        let reader = try LineReader(path: file)
        let handle = reader.handle
        fseek(handle, 0, SEEK_END)
        let size = max(1, ftell(handle))
        rewind(handle)

        var summary = Summary()
        var pending: [(request: JSONObject, orders: Int)] = []
        var pendingOrders = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            let results = try engine.runBatch(pending.map(\.request)).get()
            for (result, sent) in zip(results, pending) { tally(result, orders: sent.orders, into: &summary) }
            pending.removeAll(keepingCapacity: true)
            pendingOrders = 0
            if progress { report(summary, done: ftell(handle), of: size) }
        }
        func send(_ payload: String, orders: Int = 1) throws {
            pending.append(
                (
                    [
                        "op": "intake.ingest", "channel": .string(channel), "payload": .string(payload),
                        "event_type": "import",
                        "event_id": .string("import:" + String(UInt64(bitPattern: Engine.hash(payload)), radix: 16)),
                        "actor": .string(actor),
                    ], orders
                ))
            pendingOrders += orders
            if pendingOrders >= batchSize { try flush() }
        }

        if profile["format"]?.stringValue == "csv" {
            guard case .string(let column)? = profile["group_by"] else {
                throw ShellError(
                    ".import streams CSV by a group_by column name; profile \(profileName) groups by an expression")
            }
            guard let header = try reader.record() else { throw ShellError("'\(file)' is empty") }
            let columns = fields(header) ?? []
            guard let keyIndex = columns.firstIndex(where: { $0.trimmed == column }) else {
                throw ShellError("'\(file)' has no column \(column) (the profile's group_by)")
            }
            let limit = min(eventBytes, try payloadLimit())
            var event = header
            var eventKeys: Set<String> = []
            func sendEvent() throws {
                guard !eventKeys.isEmpty else { return }
                try send(event, orders: eventKeys.count)
                event = header
                eventKeys.removeAll(keepingCapacity: true)
            }
            // The order being read: its rows, its number, whether a record of it could not be read whole.
            var group: [String] = []
            var key: String?
            var odd = false
            // An order whose rows the engine could not tell from others' (no key, a record it cannot read)
            // goes in an event of its own, so that it fails alone; so does an order whose number comes
            // again later in the file (the engine would take the two as one order).
            func endGroup() throws {
                guard let number = key?.trimmed, !group.isEmpty else { return }
                let alone = odd || number.isEmpty
                let text = group.joined(separator: "\n")
                if alone || eventKeys.count == ordersPerEvent || eventKeys.contains(number)
                    || event.utf8.count + 1 + text.utf8.count > limit
                {
                    try sendEvent()
                }
                event += "\n" + text
                eventKeys.insert(number)
                if alone { try sendEvent() }
                group.removeAll(keepingCapacity: true)
                odd = false
            }
            while let record = try reader.record() {
                if record.isEmpty { continue }
                let values = fields(record)
                let k = values.map { keyIndex < $0.count ? $0[keyIndex] : "" } ?? ""
                if k != key { try endGroup() }
                key = k
                group.append(record)
                odd = odd || (values?.count ?? .max) > columns.count
            }
            try endGroup()
            try sendEvent()
        } else if file.hasSuffix(".json") {
            try send(try reader.rest())
        } else {
            while let line = try reader.line() {
                if !line.trimmed.isEmpty { try send(line) }
            }
        }
        try flush()
        if progress { Shell.standardError("") }
        return summary.json
    }

    /// The channel's payload limit (`intake.max_payload_bytes`).
    private func payloadLimit() throws -> Int {
        let settings = try engine.run("config.get", ["key": "intake.max_payload_bytes"]).get()
        return Int(settings["settings"]?.arrayValue?.first?["value"]?.intValue ?? Int64(eventBytes))
    }

    /// The fields of one CSV record (the engine parses the rest): enough to find the grouping column;
    /// nil when it cannot be read.
    private func fields(_ record: String) -> [String]? { (try? CSV.parse(record))?.first }

    /// Counts an event's outcome as `orders` orders (a CSV event's orders are its elements, each applied or
    /// a dead letter of its own).
    private func tally(_ result: Result<JSON, OrderCoreError>, orders: Int, into s: inout Summary) {
        s.events += orders
        guard case .success(let outcome) = result else {
            s.deadLetters += orders
            if case .failure(let e) = result, s.firstDeadLetter == nil { s.firstDeadLetter = e.json }
            return
        }
        if outcome["duplicate"] == .bool(true) {
            s.duplicates += orders
            return
        }
        guard outcome["state"]?.stringValue == "applied" else {
            s.deadLetters += orders
            if s.firstDeadLetter == nil { s.firstDeadLetter = outcome }
            return
        }
        var appliedElements = 0
        for event in outcome["events"]?.arrayValue ?? [] {
            if event["state"] == "dead_letter" {
                s.deadLetters += 1
                if s.firstDeadLetter == nil { s.firstDeadLetter = event }
                continue
            }
            appliedElements += 1
            if event["type"]?.stringValue == "skip" {
                s.skippedEvents += 1
                s.reasons[event["reason"]?.stringValue ?? "skipped", default: 0] += 1
            }
            if event["action"]?.stringValue?.hasPrefix("created") == true { s.ordersCreated += 1 }
            s.linesImported += Int(event["lines"]?.intValue ?? 0)
            for note in event["not_stock"]?.arrayValue ?? [] {
                s.linesNotStock += 1
                s.reasons[note["reason"]?.stringValue ?? "not stock", default: 0] += 1
            }
        }
        // A CSV event's applied orders are its elements not dead; any other event counts once, applied.
        s.applied += orders > 1 ? appliedElements : 1
    }

    private func report(_ s: Summary, done: Int, of size: Int) {
        let percent = min(100, done * 100 / size)
        let bar = String(repeating: "#", count: percent / 4) + String(repeating: ".", count: 25 - percent / 4)
        let text =
            "\r[\(bar)] \(percent)%  \(s.events) events, \(s.ordersCreated) orders, \(s.deadLetters) dead letters"
        fflush(nil)
        _ = text.withCString { Glibc.write(2, $0, strlen($0)) }
    }
}

/// Reads a file line by line (any length), or CSV record by record (a quoted field may span lines).
/// Owns the open file and getline's buffer, and releases both. Reads regular files only — a FIFO
/// would hang the shell and a device such as /dev/zero never ends — and standard input as `-`.
final class LineReader {
    let handle: UnsafeMutablePointer<FILE>
    /// The file as errors name it.
    private let name: String
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    /// Lines read so far.
    private var lineNumber = 0

    init(path: String) throws {
        name = path == "-" ? "standard input" : "'\(path)'"
        if path == "-" {
            guard let input = fdopen(dup(STDIN_FILENO), "r") else { throw ShellError("cannot read standard input") }
            handle = input
            return
        }
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat can refuse it.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw ShellError("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        var s = stat()
        guard fstat(fd, &s) == 0, s.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            let what = s.st_mode & S_IFMT == S_IFDIR ? "a directory" : "not a regular file (a FIFO, device or socket)"
            throw ShellError("'\(path)' is \(what); name a file, or - for standard input")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        guard let handle = fdopen(fd, "r") else {
            close(fd)
            throw ShellError("cannot open '\(path)'")
        }
        self.handle = handle
    }

    deinit {
        free(buffer)
        fclose(handle)
    }

    /// The next line without its line ending, nil at the end of the file.
    /// - Throws: when the line is not UTF-8 text. Read as text anyway, the bytes of another encoding (a
    ///   GBK or Latin-1 export) would become U+FFFD, which can make two order numbers one, and a NUL
    ///   byte would cut the line short, both without a word.
    func line() throws -> String? { try next()?.text }

    /// One CSV record: lines are joined while a quote is open.
    func record() throws -> String? {
        guard var (record, quotes) = try next() else { return nil }
        while quotes % 2 == 1, let (more, moreQuotes) = try next() {
            record += "\n" + more
            quotes += moreQuotes
        }
        return record
    }

    /// The next line (`line()`) and how many double quotes it has, both read from its bytes.
    private func next() throws -> (text: String, quotes: Int)? {
        var count = getline(&buffer, &capacity, handle)
        guard count >= 0, let buffer else { return nil }
        lineNumber += 1
        let start = UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self)
        while count > 0, start[count - 1] == UInt8(ascii: "\n") || start[count - 1] == UInt8(ascii: "\r") { count -= 1 }
        let bytes = UnsafeBufferPointer(start: start, count: count)
        if let nul = bytes.firstIndex(of: 0) {
            throw ShellError(
                "line \(lineNumber) of \(name) has a NUL byte (byte \(nul + 1)), so it is not text; nothing from "
                    + "this line on was read")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ShellError(
                "line \(lineNumber) of \(name) is not UTF-8 text (convert the file, for a GBK export with "
                    + "iconv -f GBK -t UTF-8); nothing from this line on was read")
        }
        return (text, bytes.reduce(0) { $1 == UInt8(ascii: "\"") ? $0 + 1 : $0 })
    }

    /// The rest of the file, lines joined with newlines.
    func rest() throws -> String {
        var lines: [String] = []
        while let line = try line() { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}
