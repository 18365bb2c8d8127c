extension Store {
    /// Claims `key` for this request: nil when the key is new (the reply is saved with
    /// `saveIdempotentResponse` before the transaction commits), else the stored first reply. A key
    /// another transaction has claimed but not yet committed waits for it (PostgreSQL; on SQLite
    /// writers are one at a time).
    /// - Throws: `conflict` when the key was used for a different request (another op or other arguments).
    func claimIdempotencyKey(_ key: String, op: String, hash: Int64, at: Int64) throws -> JSON? {
        let claimed = try db.run(
            """
            INSERT INTO idempotency(key, op, request_hash, response, at) VALUES (?, ?, ?, '', ?)
            ON CONFLICT(key) DO NOTHING
            """, .text(key), .text(op), .int(hash), .int(at))
        if claimed == 1 { return nil }
        let stored = try db.first("SELECT op, request_hash, response FROM idempotency WHERE key = ?", .text(key)) {
            (op: $0.text(0), hash: $0.int(1), response: $0.text(2))
        }
        guard let stored else { throw Stale(what: "idempotency_key '\(key)'") }
        guard stored.op == op, stored.hash == hash else {
            throw OrderCoreError(
                .conflict, "idempotency_key '\(key)' was already used for a different request (\(stored.op))",
                details: ["idempotency_key": .string(key), "op": .string(stored.op)])
        }
        return try JSONParser.parse(stored.response)
    }

    func saveIdempotentResponse(key: String, response: JSON) throws {
        try db.write("UPDATE idempotency SET response = ? WHERE key = ?", .text(response.serialized), .text(key))
    }
}
