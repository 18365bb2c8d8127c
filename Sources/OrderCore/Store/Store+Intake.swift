/// One stored channel event.
struct InboxEntry {
    var id: Int64
    var channel: String
    var eventType: String
    var eventID: String?
    var payload: String
    var receivedAt: Int64
    var state: String
    var outcome: JSON
    var attempts: Int64
    var updatedAt: Int64

    /// What the sender gave besides the payload (`external_id`), kept in the outcome's `arguments`.
    var given: JSONObject { outcome.objectValue?["arguments"]?.objectValue ?? [:] }

    /// The entry without its payload (lists), with the payload's size.
    var summary: JSONObject {
        [
            "inbox_id": .int(id), "channel": .string(channel), "event_type": .string(eventType),
            "event_id": .optional(eventID),
            "state": .string(state == "dead" ? "dead_letter" : state),
            "received_at": .string(Timestamp.format(receivedAt)),
            "updated_at": .string(Timestamp.format(updatedAt)), "attempts": .int(attempts),
            "bytes": .int(payload.utf8.count),
            "error": outcome.objectValue?["error"] ?? .null,
        ]
    }
}

extension Store {
    /// Holds, until the transaction ends, the lock of one channel order (a PostgreSQL advisory lock, once a
    /// transaction): hosts applying events of the same channel order follow each other, so an event
    /// finds the order another host is creating (its creation commits first) instead of missing it. A
    /// no-op on SQLite (one writer at a time).
    func lockChannelOrder(channel: String, externalID: String) throws {
        guard db.dialect == .postgresql else { return }
        let key = Engine.hash("order:" + channel + "\u{0}" + externalID)
        guard lockedChannelOrders.insert(key).inserted else { return }
        try db.write("SELECT pg_advisory_xact_lock(?)", .int(key))
    }

    private static let inboxColumns =
        "id, channel, event_type, event_id, payload, received_at, state, outcome, attempts, updated_at"

    private static func readInbox(_ r: Row) throws -> InboxEntry {
        InboxEntry(
            id: r.int(0), channel: r.text(1), eventType: r.text(2), eventID: r.optText(3), payload: r.text(4),
            receivedAt: r.int(5),
            state: r.text(6), outcome: try JSONParser.parse(r.text(7)), attempts: r.int(8), updatedAt: r.int(9))
    }

    /// Stores a received event (`id` from `nextRowID("inbox")`) with its state (`applied` or `dead`) and outcome.
    /// - Parameter awaits: the channel's order number a dead letter waits for (its order has not arrived).
    func insertInbox(
        id: Int64, channel: String, eventType: String, eventID: String?, hash: Int64, payload: String, at: Int64,
        state: String, outcome: JSON, awaits: String? = nil
    ) throws {
        try db.write(
            """
            INSERT INTO inbox(id, channel, event_type, event_id, payload_hash, payload, received_at, state, outcome,
                updated_at, awaits)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, .int(id), .text(channel), .text(eventType), .opt(eventID), .int(hash), .text(payload), .int(at),
            .text(state), .text(outcome.serialized), .int(at), .opt(awaits))
    }

    func setInboxOutcome(id: Int64, state: String, outcome: JSON, at: Int64, retried: Bool, awaits: String?) throws {
        try db.write(
            "UPDATE inbox SET state = ?, outcome = ?, updated_at = ?, attempts = attempts + ?, awaits = ? WHERE id = ?",
            .text(state), .text(outcome.serialized), .int(at), .bool(retried), .opt(awaits), .int(id))
    }

    /// The dead letters of a channel that wait for one of its orders, oldest first (locked as `inbox(id:)`).
    func inboxAwaiting(channel: String, externalID: String) throws -> [InboxEntry] {
        var result: [InboxEntry] = []
        try db.rows(
            "SELECT \(Store.inboxColumns) FROM inbox WHERE channel = ? AND awaits = ? ORDER BY id" + db.forUpdate,
            .text(channel), .text(externalID)
        ) { result.append(try Store.readInbox($0)) }
        return result
    }

    /// The inbox entry, locked until the transaction ends when the transaction writes beside others on
    /// PostgreSQL (`Database.locksRowsRead`): two hosts retrying one dead letter follow each other.
    func inbox(id: Int64) throws -> InboxEntry? {
        try db.first(
            "SELECT \(Store.inboxColumns) FROM inbox WHERE id = ?" + db.forUpdate, .int(id), map: Store.readInbox)
    }

    func inbox(channel: String, eventType: String, eventID: String) throws -> InboxEntry? {
        try db.first(
            "SELECT \(Store.inboxColumns) FROM inbox WHERE channel = ? AND event_type = ? AND event_id = ?",
            .text(channel), .text(eventType), .text(eventID), map: Store.readInbox)
    }

    /// The latest event of the channel with the same payload received since `since` (hash, then text;
    /// the latest by `MAX`, as an `ORDER BY` over the hash index's range would sort in a temporary b-tree).
    func inbox(channel: String, hash: Int64, payload: String, since: Int64) throws -> InboxEntry? {
        try db.first(
            """
            SELECT \(Store.inboxColumns) FROM inbox WHERE id = (
                SELECT MAX(id) FROM inbox WHERE channel = ? AND payload_hash = ? AND received_at >= ? AND payload = ?)
            """, .text(channel), .int(hash), .int(since), .text(payload), map: Store.readInbox)
    }

    func deadLetters(channel: String?, afterID: Int64?, limit: Int) throws -> [InboxEntry] {
        var filter = Conditions("state = 'dead'")
        filter.add("channel = ?", channel)
        filter.add("id > ?", afterID)
        var result: [InboxEntry] = []
        try db.rows(
            "SELECT \(Store.inboxColumns) FROM inbox WHERE \(filter.sql) ORDER BY id LIMIT ?",
            arguments: filter.arguments + [.int(Int64(limit))]
        ) { result.append(try Store.readInbox($0)) }
        return result
    }

    func deadLetterCount() throws -> Int64 {
        try db.first("SELECT COUNT(*) FROM inbox WHERE state = 'dead'") { $0.int(0) } ?? 0
    }

    // MARK: - Profiles

    func saveProfile(_ name: String, definition: JSON, at: Int64) throws {
        storedProfiles = [:]
        cachedTableChanged()
        try db.run(
            """
            INSERT INTO channel_profiles(profile, definition, updated_at) VALUES (?1, ?2, ?3)
            ON CONFLICT(profile) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
            """, .text(name), .text(definition.serialized), .int(at))
    }

    /// A stored profile's definition (nil: none by that name), read once while the cache epoch holds.
    func storedProfile(_ name: String) throws -> String? {
        try checkCaches()
        if let known = storedProfiles[name] { return known }
        let definition = try db.first("SELECT definition FROM channel_profiles WHERE profile = ?", .text(name)) {
            $0.text(0)
        }
        storedProfiles[name] = .some(definition)
        return definition
    }

    func storedProfileNames() throws -> [String] {
        var result: [String] = []
        try db.rows("SELECT profile FROM channel_profiles ORDER BY profile") { result.append($0.text(0)) }
        return result
    }
}
