/// Someone who acts on orders: a person at the shell or in the ERP, named by the requests' `actor`.
/// The role decides what they may decide alone (a weight override needs a supervisor). OrderCore is
/// embedded: the host program authenticates people and passes who they are; requests that name no
/// actor come from the host itself (`system`) and are trusted. Commands about actors name them with
/// `actor_id`, because `actor` is always who is asking.
struct Actor {
    enum Role: String, CaseIterable, Comparable {
        case `operator`, supervisor, admin

        private var rank: Int { Role.allCases.firstIndex(of: self) ?? 0 }
        /// "an admin", "a supervisor".
        var withArticle: String { (self == .operator || self == .admin ? "an " : "a ") + rawValue }
        static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
    }

    var actor: String
    var name: String?
    var role: Role
    var active: Bool
    var createdAt: Int64
    var updatedAt: Int64

    var json: JSON {
        ["actor": .string(actor), "name": .optional(name), "role": .string(role.rawValue), "active": .bool(active),
         "created_at": .string(Timestamp.format(createdAt)), "updated_at": .string(Timestamp.format(updatedAt))]
    }

    /// The actor of requests that name none: the host program.
    static let system = "system"
}

extension CommandContext {
    /// Makes sure the command's actor may do `what`: the host itself (`system`), or a registered,
    /// active actor with at least `role`.
    /// - Throws: `forbidden` naming the actor, its role and the role needed.
    func requireRole(_ role: Actor.Role, to what: String) throws {
        guard actor != Actor.system else { return }
        let registered = try store.actor(actor)
        guard let registered, registered.active, registered.role >= role else {
            let has = registered.map { $0.active ? "is \($0.role.withArticle)" : "is inactive" } ?? "is not a registered actor"
            throw OrderCoreError(.forbidden, "\(actor) \(has); \(what) needs \(role.withArticle) (actor.upsert)",
                                 details: ["actor": .string(actor), "role": .optional(registered?.role.rawValue), "required": .string(role.rawValue)])
        }
    }
}

enum ActorCommands {
    static let all = [upsert, get, list]

    static let upsert = Command("actor.upsert", .write,
        "Register or change an actor and its role (actor_id, name, role = operator|supervisor|admin, active); once an admin exists only an admin may") { ctx, f in
        let code = try f.requiredCode("actor_id")
        let name = try f.text("name", maxLength: 200)
        let roleName = try f.code("role")
        let active = try f.bool("active")
        try f.finish()
        let role = try roleName.map { name throws(OrderCoreError) -> Actor.Role in
            guard let role = Actor.Role(rawValue: name) else {
                throw .invalid("role must be one of \(Actor.Role.allCases.map(\.rawValue).joined(separator: ", ")), not '\(name)'", field: "role")
            }
            return role
        }
        guard code != Actor.system else { throw OrderCoreError.invalid("'system' is the host program itself and has no role to set", field: "actor_id") }
        if try ctx.store.hasAdmin() { try ctx.requireRole(.admin, to: "actor.upsert") }
        let existing = try ctx.store.actor(code)
        guard existing != nil || role != nil else { throw OrderCoreError.invalid("role is required for a new actor", field: "role") }
        var actor = existing ?? Actor(actor: code, name: nil, role: role ?? .operator, active: true, createdAt: ctx.at, updatedAt: ctx.at)
        if let name { actor.name = name }
        if let role { actor.role = role }
        if let active { actor.active = active }
        actor.updatedAt = ctx.at
        try ctx.store.save(actor)
        return actor.json
    }

    static let get = Command("actor.get", .read, "Show an actor and its role (actor_id)") { ctx, f in
        let code = try f.requiredCode("actor_id")
        try f.finish()
        guard let actor = try ctx.store.actor(code) else {
            throw OrderCoreError(.notFound, "actor '\(code)' is not registered (actor.upsert)", details: ["actor": .string(code)])
        }
        return actor.json
    }

    static let list = Command("actor.list", .read, "List registered actors with their roles") { ctx, f in
        try f.finish()
        return ["actors": .array(try ctx.store.actors().map(\.json))]
    }
}
