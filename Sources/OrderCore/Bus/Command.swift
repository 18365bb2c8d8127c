/// One operation of the command vocabulary. The C ABI, the shell and Python all reach the engine
/// through these, so adding an operation means adding one `Command` to a module's `commands` list.
public struct Command: Sendable {
    public enum Access: Sendable { case read, write }

    public let name: String
    /// `.read` commands run in a deferred transaction (a consistent snapshot, no write lock) and may
    /// ask to be restarted as a write with `CommandContext.requireWrite()`.
    public let access: Access
    public let summary: String
    /// The least role an actor needs to run it (docs/roles.md), checked by the engine before the
    /// command reads its arguments; nil: anyone, unregistered actors included. Requests that name no
    /// actor come from the host program (`system`) and are trusted.
    public let role: Actor.Role?
    /// When the command asks for more than `role` depending on its arguments (a setting's own role,
    /// a write-off's size), what it asks, for the role table.
    public let roleRule: String?
    /// The command checks `role` itself, because of an exception the engine cannot see (the first admin).
    let checksRole: Bool
    /// Its refusals that name a `reason` are kept (`command_failures`, with the request's `order_id`)
    /// after the rollback, for the reports that count them: a failed pack check is a pack verification
    /// failure, a pack request without a weight is not.
    let recordsFailures: Bool
    /// How it shares a PostgreSQL database with other transactions: the everyday commands, whose every
    /// read-then-write is guarded, beside each other; the rest alone (docs/postgresql.md).
    let sharing: Database.Sharing
    /// What the command takes: the engine refuses a request naming anything else, or missing a required
    /// argument, before the command runs; the shell, Python and docs/commands.md are generated from it.
    public let arguments: [Argument]
    /// The main members of its result, in order.
    public let result: [String]
    /// Other shell names for it, besides its op with spaces (`transfer create` for `stock.transfer`).
    public let aliases: [String]
    /// Shorter shell option names: `ref=` for `payment_ref`, `customer=` for `customer.name`.
    public let shellNames: [String: String]
    /// The one member the shell's table shows, when the rest repeats it (`report.alerts`: `items`).
    public let shows: String?
    let run: @Sendable (CommandContext, Fields) throws -> JSON

    /// - Parameter role: unless given, none for read commands and `.operator` for write commands (every
    ///   change needs at least an operator).
    init(
        _ name: String, _ access: Access, _ summary: String, role: Actor.Role? = nil, roleRule: String? = nil,
        checksRole: Bool = false, recordsFailures: Bool = false, sharing: Database.Sharing = .alone,
        arguments: [Argument], result: [String] = [],
        aliases: [String] = [], shellNames: [String: String] = [:], shows: String? = nil,
        run: @escaping @Sendable (CommandContext, Fields) throws -> JSON
    ) {
        self.name = name
        self.access = access
        self.summary = summary
        self.role = role ?? (access == .write ? .operator : nil)
        self.roleRule = roleRule
        self.checksRole = checksRole
        self.recordsFailures = recordsFailures
        self.sharing = sharing
        self.arguments = arguments
        self.result = result
        self.aliases = aliases
        self.shellNames = shellNames
        self.shows = shows
        self.run = run
    }

    /// The shell's name for it: the op with spaces, underscores as hyphens (`order override-weight`).
    public var shellName: String {
        String(name.map { $0 == "." ? " " : $0 == "_" ? "-" : $0 })
    }

    /// Refuses a request that names an argument the command does not declare or lacks a required one,
    /// the same way for every command.
    func check(_ request: JSONObject) throws(OrderCoreError) {
        for key in request.keys where !Argument.envelope.contains(key) && !arguments.contains(where: { $0.name == key })
        {
            let accepted = arguments.map(\.name).joined(separator: ", ")
            throw OrderCoreError(
                .invalidInput,
                "unknown field '\(key)'; \(accepted.isEmpty ? "\(name) takes no arguments" : "accepted: \(accepted)")",
                details: ["field": .string(key)])
        }
        for argument in arguments where argument.required {
            if request[argument.name] == nil || request[argument.name] == .null {
                throw .invalid("\(argument.name) is required: \(argument.doc)", field: argument.name)
            }
        }
    }

    /// The command as `ops` lists it.
    public var json: JSON {
        var object: JSONObject = [
            "name": .string(name), "summary": .string(summary), "access": .string(access == .read ? "read" : "write"),
            "role": .optional(role?.rawValue), "arguments": .array(arguments.map(\.json)),
            "result": .array(result.map { .string($0) }), "shell": .string(shellName),
        ]
        if !aliases.isEmpty { object["aliases"] = .array(aliases.map { .string($0) }) }
        return .object(object)
    }

    /// Every command, one area per line (the order of `ops`, `help` and docs/commands.md).
    public static let all: [Command] = [
        ConfigCommands.all,
        CatalogCommands.all,
        ActorCommands.all,
        PermissionCommands.all,
        ChannelCommands.all,
        StockCommands.all,
        CountCommands.all,
        TransferCommands.all,
        StockWatchCommands.all,
        OrderCommands.all,
        CustomerServiceCommands.all,
        RefundCommands.all,
        DisputeCommands.all,
        AllocationCommands.all,
        WaveCommands.all,
        FulfillmentCommands.all,
        TrackingCommands.all,
        StatusCommands.all,
        SweepCommand.all,
        FeedCommands.all,
        IntakeCommands.all,
        ReturnCommands.all,
        RiskCommands.all,
        AlertCommands.all,
        InsightCommands.all,
        SalesCommands.all,
        ReconcileCommands.all,
        HealthCommands.all,
        ExportCommands.all,
        DashboardCommands.all,
        DatabaseCommands.all,
        VocabularyCommands.all,
    ].flatMap { $0 }

    static let byName: [String: Command] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
}

/// What a running command sees: the store, its logical time and its actor.
final class CommandContext {
    let store: Store
    /// The command's time: the request's `at`, or the wall clock.
    let at: Int64
    /// Who asked, recorded in the audit trail ("system" when the request names nobody).
    let actor: String
    let access: Command.Access
    /// The caller discards the result: answer with key fields only (see `Engine.run(_:_:brief:)`).
    /// Intake sets it while it runs the commands an event maps to, whose documents nobody reads.
    var brief: Bool
    /// SKUs whose stock grew or whose safety changed in this command: their low-stock alerts are
    /// re-evaluated before it commits (replenishment reopens channels at once). Stock taken by orders
    /// is looked at by the next `sweep`.
    var replenished: Set<String> = []
    /// Set while `risk.review` lifts a hold the risk rules placed (`order.release` refuses those otherwise).
    var releasingRiskHold = false
    /// Set while intake records the payment a channel took: an order that reserves at payment then holds
    /// the stock there is and backorders the rest, as a channel's order created paid does.
    var payingForChannel = false
    /// The stored settings, loaded when the command first asks for one (see `value(of:)`).
    var settings: [String: JSON]?
    /// The actor's registration, read when a role is first checked (`requireRole`): a command that
    /// checks twice (its own role, then a setting's) reads it once.
    var registration: Actor??

    init(store: Store, at: Int64, actor: String, access: Command.Access, brief: Bool = false) {
        self.store = store
        self.at = at
        self.actor = actor
        self.access = access
        self.brief = brief
    }

    /// Thrown by a read command that found it must write (e.g. release expired reservations).
    struct NeedsWrite: Error {}

    /// Makes sure the command runs in a write transaction; a read-only run is restarted as a write.
    func requireWrite() throws { if access == .read { throw NeedsWrite() } }

    /// Work every write command ends with, inside its transaction: units it made available go to the orders
    /// sold short of them first (`fillBackorders`), then low stock is looked at.
    func finish() throws {
        try fillBackorders()
        if !replenished.isEmpty { try evaluateLowStock(replenished.sorted()) }
    }
}
