/// Someone who acts on orders: a person at the shell or in the ERP, named by the requests' `actor`.
/// The role decides what they may do (docs/roles.md). OrderCore is embedded: the host program
/// authenticates people and passes who they are; requests that name no actor come from the host
/// itself (`system`) and are trusted. The shell is a front for people: its actor is the OS user's.
/// Commands about actors name them with `actor_id`, because `actor` is always who is asking.
public struct Actor {
    public enum Role: String, CaseIterable, Comparable, Sendable {
        case `operator`, supervisor, admin

        private var rank: Int { Role.allCases.firstIndex(of: self) ?? 0 }
        /// "an admin", "a supervisor".
        var withArticle: String { (self == .operator || self == .admin ? "an " : "a ") + rawValue }
        public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
    }

    var actor: String
    var name: String?
    var role: Role
    var active: Bool
    var createdAt: Int64
    var updatedAt: Int64

    var json: JSON {
        [
            "actor": .string(actor), "name": .optional(name), "role": .string(role.rawValue), "active": .bool(active),
            "created_at": .string(Timestamp.format(createdAt)), "updated_at": .string(Timestamp.format(updatedAt)),
        ]
    }

    /// The actor of requests that name none: the host program.
    public static let system = "system"
}

extension CommandContext {
    /// Makes sure the command's actor may do `what`: the host itself (`system`), or a registered,
    /// active actor with at least `role`. Until a database has had its first admin nobody has been
    /// given a role yet, and unregistered actors may do an operator's work (the audit trail still
    /// names them); from then on an unregistered actor may only read.
    /// - Throws: `forbidden` naming the actor, its role and the role needed.
    func requireRole(_ role: Actor.Role, to what: String) throws {
        guard actor != Actor.system else { return }
        let registered = try registration ?? store.actor(actor)
        registration = registered
        if let registered, registered.active, registered.role >= role { return }
        if registered == nil, role == .operator, try !store.adminEverExisted() { return }
        let has =
            registered.map { $0.active ? "is \($0.role.withArticle)" : "is inactive" } ?? "is not a registered actor"
        throw OrderCoreError(
            .forbidden, "\(actor) \(has); \(what) needs \(role.withArticle) (actor.upsert)",
            details: [
                "actor": .string(actor), "role": .optional(registered?.role.rawValue),
                "required": .string(role.rawValue),
            ])
    }
}

enum ActorCommands {
    static let all = [upsert, get, list]

    static let upsert = Command(
        "actor.upsert", .write,
        "Register or change an actor and its role (actor_id, name, role = operator|supervisor|admin, active); an "
            + "admin's decision",
        role: .admin, roleRule: "the first admin of a database that never had one: anyone", checksRole: true,
        arguments: [
            Argument("actor_id", .code, required: true, positional: true),
            Argument("name", .text),
            Argument("role", .code, "operator, supervisor or admin", choices: ["operator", "supervisor", "admin"]),
            Argument("active", .boolean),
        ],
        result: ["actor", "name", "role", "active", "created_at", "updated_at"]
    ) { ctx, f in
        let code = try f.requiredCode("actor_id")
        let name = try f.text("name", maxLength: 200)
        let role = try f.choice("role", of: Actor.Role.self)
        let active = try f.bool("active")
        try f.finish()
        guard code != Actor.system else {
            throw OrderCoreError.invalid(
                "'system' is the host program itself and has no role to set", field: "actor_id")
        }
        let existing = try ctx.store.actor(code)
        // The one exception to "an admin's decision": registering the database's very first admin.
        let firstAdmin = try existing == nil && role == .admin && active != false && !ctx.store.adminEverExisted()
        if !firstAdmin { try ctx.requireRole(.admin, to: "actor.upsert") }
        guard existing != nil || role != nil else {
            throw OrderCoreError.invalid("role is required for a new actor", field: "role")
        }
        var actor =
            existing
            ?? Actor(
                actor: code, name: nil, role: role ?? .operator, active: true, createdAt: ctx.at, updatedAt: ctx.at)
        if let name { actor.name = name }
        if let role { actor.role = role }
        if let active { actor.active = active }
        // A person may not leave the database without an active admin; the host program still can.
        if ctx.actor != Actor.system, existing?.role == .admin, existing?.active == true,
            actor.role != .admin || !actor.active,
            try ctx.store.otherActiveAdmins(than: code) == 0
        {
            throw OrderCoreError(
                .conflict, "\(code) is the last active admin; register another admin first",
                details: ["actor": .string(code)])
        }
        actor.updatedAt = ctx.at
        try ctx.store.save(actor)
        return actor.json
    }

    static let get = Command(
        "actor.get", .read, "Show an actor and its role (actor_id)",
        arguments: [
            Argument("actor_id", .code, required: true, positional: true)
        ],
        result: ["actor", "name", "role", "active", "created_at", "updated_at"]
    ) { ctx, f in
        let code = try f.requiredCode("actor_id")
        try f.finish()
        guard let actor = try ctx.store.actor(code) else {
            throw OrderCoreError(
                .notFound, "actor '\(code)' is not registered (actor.upsert)", details: ["actor": .string(code)])
        }
        return actor.json
    }

    static let list = Command(
        "actor.list", .read, "List registered actors with their roles",
        arguments: [],
        result: ["actors"]
    ) { ctx, f in
        try f.finish()
        return ["actors": .array(try ctx.store.actors().map(\.json))]
    }
}

/// The role table: what each command and each setting needs (docs/roles.md is generated from it).
enum PermissionCommands {
    static let all = [permissions]

    static let permissions = Command(
        "actor.permissions", .read,
        "The role table: the role each command and each setting needs, and the rules that ask for more",
        arguments: [],
        result: ["roles", "ops", "settings"]
    ) { _, f in
        try f.finish()
        return table
    }

    static var table: JSON {
        [
            "roles": .array(Actor.Role.allCases.map { .string($0.rawValue) }),
            "ops": .array(
                Command.all.map { c in
                    ["op": .string(c.name), "role": .optional(c.role?.rawValue), "rule": .optional(c.roleRule)]
                }),
            "settings": .array(Setting.all.map { ["key": .string($0.key), "role": .string($0.role.rawValue)] }),
        ]
    }

    /// The role table as Markdown, for docs/roles.md.
    static func markdown() -> String {
        var lines = ["| op | needs | and |", "| --- | --- | --- |"]
        for c in Command.all {
            lines.append("| `\(c.name)` | \(c.role?.rawValue ?? "anyone") | \(c.roleRule ?? "") |")
        }
        lines += ["", "| setting | `config.set` needs |", "| --- | --- |"]
        for s in Setting.all { lines.append("| `\(s.key)` | \(s.role.rawValue) |") }
        return lines.joined(separator: "\n") + "\n"
    }
}
