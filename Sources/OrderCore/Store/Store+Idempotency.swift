extension Store {
    /// The stored first response for `key`, or nil when the key is new.
    /// - Throws: `conflict` when the key was used for a different request (another op or other arguments).
    func idempotentResponse(key: String, op: String, hash: Int64) throws -> JSON? {
        let stored = try db.first("SELECT op, request_hash, response FROM idempotency WHERE key = ?", .text(key)) {
            (op: $0.text(0), hash: $0.int(1), response: $0.text(2))
        }
        guard let stored else { return nil }
        guard stored.op == op, stored.hash == hash else {
            throw OrderCoreError(
                .conflict, "idempotency_key '\(key)' was already used for a different request (\(stored.op))",
                details: ["idempotency_key": .string(key), "op": .string(stored.op)])
        }
        return try JSONParser.parse(stored.response)
    }

    func saveIdempotentResponse(key: String, op: String, hash: Int64, response: JSON, at: Int64) throws {
        try db.run(
            "INSERT INTO idempotency(key, op, request_hash, response, at) VALUES (?, ?, ?, ?, ?)",
            .text(key), .text(op), .int(hash), .text(response.serialized), .int(at))
    }
}
