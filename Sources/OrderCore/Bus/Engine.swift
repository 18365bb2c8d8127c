import Synchronization

/// An open OrderCore database: the command bus. One instance may be shared by many threads (each
/// command holds the instance's mutex); several instances and processes may open the same file.
public final class Engine: Sendable {
    /// Requests larger than this are refused with `invalid_input` before they are parsed. Room for
    /// the largest channel payload (`intake.max_payload_bytes`, at most 48 MiB) with its escaping.
    public static let maxRequestBytes = 64 << 20
    /// The most lines an order may have (for the typed C functions, which check before reading them).
    public static let maxOrderLines = OrderDraft.maxLines

    private let store: Mutex<Store?>
    /// How many times the handle has waited for the PostgreSQL server (0 on SQLite): tests count them.
    var roundTrips: Int { store.withLock { $0?.db.roundTrips ?? 0 } }
    public let path: String
    private let files: DatabaseFiles?

    /// Opens (creating and migrating when needed) the database at `path`; ":memory:" is allowed.
    /// - Throws: `OrderCoreError` with `io` (missing directory, permissions), `corrupt` (not a
    ///   database), `incompatible` (written by a newer OrderCore or by another program), `busy`.
    public init(path: String, options: StoreOptions = StoreOptions()) throws(OrderCoreError) {
        self.path = path
        do {
            let opened = try Store(path: path, options: options)
            files = opened.db.files
            store = Mutex(opened)
        } catch {
            throw Engine.wrap(error)
        }
    }

    /// Whether writing to `path` would write over this database or one of its `-wal`, `-shm`,
    /// `-journal` files (by name or by device and inode): fronts check their own outputs with it.
    public func isDatabaseFile(_ path: String) -> Bool { files?.contains(path) ?? false }

    /// Closes the database; later commands fail with `misuse`. Safe to call more than once.
    public func close() { store.withLock { $0 = nil } }

    // MARK: - Entry points

    /// Runs one JSON request and returns the JSON response envelope.
    /// - Returns: the error code (nil on success) and `{"ok":true,"result":...}` or `{"ok":false,"error":...}`.
    /// - Parameter brief: nobody reads the response (`oc_exec` with NULL for it): commands skip building
    ///   large documents, as for `run(_:_:brief:)`.
    public func execute(
        _ request: UnsafeBufferPointer<UInt8>, brief: Bool = false
    ) -> (code: ErrorCode?, response: String) {
        envelope(handle(request, brief: brief))
    }

    public func execute(_ request: String) -> (code: ErrorCode?, response: String) {
        var request = request
        return request.withUTF8 { execute($0) }
    }

    /// Runs one command with already-built arguments (the typed C functions and the shell use this).
    /// - Parameter brief: the caller only needs the outcome (the typed C functions): commands then skip
    ///   building large documents and answer with their key fields (`order_id`, `state`).
    public func run(_ op: String, _ args: JSONObject = [:], brief: Bool = false) -> Result<JSON, OrderCoreError> {
        var object = args
        object["op"] = .string(op)
        return handle(object, brief: brief).map(\.result)
    }

    /// Codes that start with `prefix`, for interactive completion; empty on any error.
    public func complete(_ kind: CodeKind, prefix: String, limit: Int = 50) -> [String] {
        store.withLock { store in
            (try? store?.transaction(.read) { try store?.codes(kind, prefix: prefix, limit: limit) }) ?? nil
        } ?? []
    }

    /// Rows visited by full table scans since the last call (tests prove index use with it).
    func fullScanSteps() -> Int { store.withLock { $0?.db.takeFullScanSteps() ?? 0 } }
    func preparedSQL() -> [String] { store.withLock { $0?.db.preparedSQL ?? [] } }

    // MARK: - Handling

    struct Outcome { var result: JSON; var replayed: Bool }

    private func envelope(_ outcome: Result<Outcome, OrderCoreError>) -> (ErrorCode?, String) {
        (outcome.failure?.code, Engine.envelopeJSON(outcome).serialized)
    }

    /// `{"ok":true,"result":...}` (with `"replayed":true` for a replay) or `{"ok":false,"error":...}`.
    private static func envelopeJSON(_ outcome: Result<Outcome, OrderCoreError>) -> JSON {
        switch outcome {
        case .success(let o):
            var object: JSONObject = ["ok": true, "result": o.result]
            if o.replayed { object["replayed"] = true }
            return .object(object)
        case .failure(let e):
            return ["ok": false, "error": e.json]
        }
    }

    private func handle(_ request: UnsafeBufferPointer<UInt8>, brief: Bool) -> Result<Outcome, OrderCoreError> {
        guard request.count <= Engine.maxRequestBytes else {
            return .failure(
                OrderCoreError(
                    .invalidInput, "request is \(request.count) bytes; the limit is \(Engine.maxRequestBytes)"))
        }
        do {
            guard case .object(let object) = try JSONParser.parse(request) else {
                throw OrderCoreError(
                    .invalidInput, "request must be a JSON object such as {\"op\":\"stock.get\",\"sku\":\"A1\"}")
            }
            return handle(object, brief: brief)
        } catch {
            return .failure(Engine.wrap(error))
        }
    }

    private func handle(_ object: JSONObject, brief: Bool = false) -> Result<Outcome, OrderCoreError> {
        do {
            let fields = Fields(object)
            let e = try Envelope(fields)
            return .success(
                try store.withLock { store in
                    guard let store else { throw OrderCoreError(.misuse, "the database is closed") }
                    return try perform(
                        e.command, fields, object, store: store, at: e.at, actor: e.actor, key: e.key, brief: brief)
                })
        } catch {
            return .failure(Engine.wrap(error))
        }
    }

    private func perform(
        _ command: Command, _ fields: Fields, _ request: JSONObject, store: Store,
        at: Int64, actor: String, key: String?, brief: Bool
    ) throws -> Outcome {
        var access = key == nil ? command.access : .write
        var staleRuns = 0
        while true {
            do {
                return try store.transaction(access == .write ? .write : .read, command.sharing) {
                    let outcome = try run(
                        command, fields, request, store: store, at: at, actor: actor, key: key, access: access,
                        brief: brief)
                    try Engine.publish(store, at: at)
                    return outcome
                }
            } catch is CommandContext.NeedsWrite {
                access = .write
            } catch let error where Engine.runsAgain(error) && staleRuns < Engine.staleRetries {
                // Another writer changed what this run read, or PostgreSQL refused this run beside
                // another one (never on one SQLite file: its writes hold the lock from the first
                // read): run again on fresh reads, a bounded number of times.
                staleRuns += 1
            } catch {
                // Kept in a transaction of its own: the command's rolled back. Best effort: the
                // command's own error is the answer either way.
                if Engine.recorded(command, error) {
                    try? store.transaction(.write) { try Engine.record(request, error, store: store) }
                }
                throw error
            }
        }
    }

    /// Whether a refusal is kept for the reports that count it (see `Command.recordsFailures`): a
    /// refusal of the work itself, which names its `reason` (a pack check that failed), not a malformed
    /// request or a failure of the machine (busy, I/O).
    private static func recorded(_ command: Command, _ error: any Error) -> Bool {
        let e = wrap(error)
        return command.recordsFailures && !fatalCodes.contains(e.code) && e.details?["reason"] != nil
    }

    private static func record(_ request: JSONObject, _ error: any Error, store: Store) throws {
        let fields = Fields(request)
        try store.recordFailure(
            op: request["op"]?.stringValue ?? "", orderID: request["order_id"]?.stringValue,
            actor: (try? fields.code("actor")) ?? "system", error: wrap(error),
            at: (try? fields.time("at")) ?? Timestamp.now())
    }

    /// Runs one command inside the caller's transaction.
    private func run(
        _ command: Command, _ fields: Fields, _ request: JSONObject, store: Store, at: Int64, actor: String,
        key: String?,
        access: Command.Access, brief: Bool
    ) throws -> Outcome {
        defer { store.db.forgetPrefetched() }
        let context = CommandContext(store: store, at: at, actor: actor, access: access, brief: brief && key == nil)
        if let role = command.role, !command.checksRole { try context.requireRole(role, to: command.name) }
        try command.check(request)
        let hash = key.map { _ in Engine.requestHash(request) } ?? 0
        // The key is claimed first: a retry arriving while the first request still runs (on another
        // host) waits for it and is answered with its reply, instead of running beside it.
        if let key, let replay = try store.claimIdempotencyKey(key, op: command.name, hash: hash, at: at) {
            return Outcome(result: replay, replayed: true)
        }
        let result = try command.run(context, fields)
        try fields.finish()
        try context.finish()
        if let key {
            try store.saveIdempotentResponse(key: key, response: result)
        }
        return Outcome(result: result, replayed: false)
    }

    // MARK: - Batches

    /// The most commands one batch may hold.
    public static let maxBatchCommands = 100_000

    /// Runs an array of requests in one write transaction: one commit (one disk sync) for all of them.
    /// - Parameter atomic: all or nothing — the first failure rolls back the whole batch and is the
    ///   answer (`{"ok":false,"error":...,"index":i}`). Otherwise each command runs in its own
    ///   savepoint: a failing one changes nothing and the others commit; the answer lists every
    ///   command's envelope (`{"ok":...,"results":[...]}`). Failures of the machine (busy, I/O,
    ///   corruption) roll back the whole batch in both modes.
    public func executeBatch(
        _ request: UnsafeBufferPointer<UInt8>, atomic: Bool
    ) -> (code: ErrorCode?, response: String) {
        let items: [JSON]
        do {
            guard request.count <= Engine.maxRequestBytes else {
                throw OrderCoreError(
                    .invalidInput, "batch is \(request.count) bytes; the limit is \(Engine.maxRequestBytes)")
            }
            guard case .array(let array) = try JSONParser.parse(request) else {
                throw OrderCoreError(.invalidInput, "a batch must be a JSON array of requests")
            }
            items = array
        } catch {
            return (Engine.wrap(error).code, JSON.object(["ok": false, "error": Engine.wrap(error).json]).serialized)
        }
        switch batch(items, atomic: atomic) {
        case .success(let results):
            let allOK = results.allSatisfy { $0.failure == nil }
            return (
                nil, JSON.object(["ok": .bool(allOK), "results": .array(results.map(Engine.envelopeJSON))]).serialized
            )
        case .failure(let failure):
            var object: JSONObject = ["ok": false, "error": failure.error.json]
            if let index = failure.index { object["index"] = .int(index) }
            return (failure.error.code, JSON.object(object).serialized)
        }
    }

    /// Runs requests in one transaction, each on its own (see `executeBatch(_:atomic:)`, mode each):
    /// the shell's `.import` sends its events this way.
    public func runBatch(_ requests: [JSONObject]) -> Result<[Result<JSON, OrderCoreError>], OrderCoreError> {
        batch(requests.map(JSON.object), atomic: false).map { $0.map { $0.map(\.result) } }.mapError(\.error)
    }

    struct BatchFailure: Error { var error: OrderCoreError; var index: Int? }

    private func batch(_ items: [JSON], atomic: Bool) -> Result<[Result<Outcome, OrderCoreError>], BatchFailure> {
        guard items.count <= Engine.maxBatchCommands else {
            return .failure(
                BatchFailure(
                    error: OrderCoreError(
                        .invalidInput, "a batch holds at most \(Engine.maxBatchCommands) requests, not \(items.count)"))
            )
        }
        var failedAt: Int?
        do {
            return .success(
                try store.withLock { store in
                    guard let store else { throw OrderCoreError(.misuse, "the database is closed") }
                    return try store.transaction(.write) {
                        var results: [Result<Outcome, OrderCoreError>] = []
                        results.reserveCapacity(items.count)
                        for (i, item) in items.enumerated() {
                            do {
                                results.append(
                                    .success(
                                        try atomic
                                            ? runInBatch(item, store: store)
                                            : store.savepoint { try runInBatch(item, store: store) }))
                            } catch {
                                let e = Engine.wrap(error)
                                if atomic || Engine.fatalCodes.contains(e.code) {
                                    failedAt = i
                                    throw e
                                }
                                if case .object(let request) = item, let op = request["op"]?.stringValue,
                                    let command = Command.byName[op], Engine.recorded(command, e)
                                {
                                    try Engine.record(request, e, store: store)
                                }
                                results.append(.failure(e))
                            }
                        }
                        try Engine.publish(store, at: Timestamp.now())
                        return results
                    }
                })
        } catch {
            return .failure(BatchFailure(error: Engine.wrap(error), index: failedAt))
        }
    }

    /// Publishes the sellable quantities the transaction changed, once, just before it commits (a
    /// batch of a thousand orders of one SKU publishes it once, not a thousand times).
    private static func publish(_ store: Store, at: Int64) throws {
        guard !store.touchedSKUs.isEmpty else { return }
        try CommandContext(store: store, at: at, actor: "system", access: .write).publishSellable()
    }

    /// Codes that are not the command's fault: they abort a whole batch.
    static let fatalCodes: Set<ErrorCode> = [.busy, .io, .corrupt, .internal, .misuse, .full, .incompatible]

    private func runInBatch(_ item: JSON, store: Store) throws -> Outcome {
        guard case .object(let object) = item else {
            throw OrderCoreError(
                .invalidInput,
                "each batch element must be a request object such as {\"op\":\"stock.get\",\"sku\":\"A1\"}")
        }
        let fields = Fields(object)
        let e = try Envelope(fields)
        return try run(
            e.command, fields, object, store: store, at: e.at, actor: e.actor, key: e.key, access: .write, brief: false)
    }

    /// The members every request may have besides its arguments.
    private struct Envelope {
        var command: Command
        var at: Int64
        var actor: String
        var key: String?

        init(_ fields: Fields) throws {
            guard let op = try fields.text("op", maxLength: 64) else {
                throw OrderCoreError(.invalidInput, "request has no \"op\"", details: ["field": "op"])
            }
            guard let command = Command.byName[op] else {
                throw OrderCoreError(
                    .invalidInput, "unknown op '\(op)'; docs/commands.md lists every op", details: ["op": .string(op)])
            }
            self.command = command
            at = try fields.time("at") ?? Timestamp.now()
            actor = try fields.code("actor") ?? "system"
            key = try fields.text("idempotency_key", maxLength: 200)
        }
    }

    /// Whether `text` is a valid code (SKU, actor, ...) exactly as written: already in its one spelling.
    public static func isValidCode(_ text: String) -> Bool {
        // By bytes: Swift's == would call a decomposed spelling equal to its NFC form.
        (try? Fields.normalizedCode(text, field: "code"))?.utf8.elementsEqual(text.utf8) ?? false
    }

    /// FNV-1a over the request without its envelope members, to tell a retry from a reused key.
    static func requestHash(_ request: JSONObject) -> Int64 {
        var body = request
        for key in ["at", "actor", "idempotency_key"] { body[key] = nil }
        return hash(JSON.object(body).serialized)
    }

    /// FNV-1a, 64 bits: cheap, stable across processes and versions (unlike `Hasher`).
    /// It reads the text's bytes in place: iterating `utf8` costs some 30 instructions a byte, and a
    /// channel event's whole payload is hashed.
    public static func hash(_ text: String) -> Int64 {
        var text = text
        return text.withUTF8 { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return Int64(bitPattern: hash)
        }
    }

    /// How many times a command is run again when another writer changed what it read.
    static let staleRetries = 3

    /// Whether running the command again on fresh reads resolves `error`: another writer changed what it
    /// read (`Store.Stale`), or PostgreSQL refused it beside another transaction (`Database.Contention`).
    static func runsAgain(_ error: any Error) -> Bool { error is Store.Stale || error is Database.Contention }

    static func wrap(_ error: any Error) -> OrderCoreError {
        if let error = error as? OrderCoreError { return error }
        if let contention = error as? Database.Contention { return contention.error }
        // Lost to other writers every time it ran: nothing changed and nothing refuses it, so `busy` (retry),
        // not `conflict` (a webhook handler answers that as final, and the channel would not send it again).
        if let stale = error as? Store.Stale {
            return OrderCoreError(
                .busy,
                "\(stale.what) was changed by another writer while this command ran (\(staleRetries + 1) tries); "
                    + "nothing changed: run it again")
        }
        return OrderCoreError(.internal, "unexpected error: \(error)")
    }
}

extension Result {
    var failure: Failure? { if case .failure(let e) = self { e } else { nil } }
}
