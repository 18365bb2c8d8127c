/// SQL of the status anchor.
extension Store {
    func saveStatusMapping(source: String, _ mapping: JSON, at: Int64) throws {
        try db.run(
            """
            INSERT INTO status_mappings(source, mapping, updated_at) VALUES (?, ?, ?)
            ON CONFLICT(source) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at
            """, .text(source), .text(mapping.serialized), .int(at))
    }

    func statusMapping(source: String) throws -> JSON? {
        try db.first("SELECT mapping FROM status_mappings WHERE source = ?", .text(source)) {
            try JSONParser.parse($0.text(0))
        }
    }

    /// Records what `source` reports for an order; `updatedAt` is the channel's own time of the change, kept
    /// when a report does not give one.
    func saveSourceStatus(
        orderRowID: Int64, source: String, reported: String, state: OrderState?, at: Int64, updatedAt: Int64?
    ) throws {
        try db.write(
            """
            INSERT INTO source_statuses(order_rowid, source, reported, state, at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(order_rowid, source) DO UPDATE SET reported = excluded.reported, state = excluded.state,
                at = excluded.at, updated_at = COALESCE(excluded.updated_at, source_statuses.updated_at)
            """, .int(orderRowID), .text(source), .text(reported), .opt(state?.rawValue), .int(at),
            .opt(updatedAt))
    }

    /// The channel's time of the latest change `source` reported for an order, if its reports carry one.
    func sourceUpdatedAt(orderRowID: Int64, source: String) throws -> Int64? {
        try db.first(
            "SELECT updated_at FROM source_statuses WHERE order_rowid = ? AND source = ?", .int(orderRowID),
            .text(source)
        ) { $0.optInt(0) } ?? nil
    }

    /// The status `source` last reported for an order, as it named it.
    func sourceStatus(orderRowID: Int64, source: String) throws -> String? {
        try db.first(
            "SELECT reported FROM source_statuses WHERE order_rowid = ? AND source = ?", .int(orderRowID),
            .text(source)
        ) { $0.text(0) }
    }

    /// The state `source` last reported for an order, if it reported one a mapping could read.
    func sourceState(orderRowID: Int64, source: String) throws -> OrderState? {
        try db.first(
            "SELECT state FROM source_statuses WHERE order_rowid = ? AND source = ?", .int(orderRowID), .text(source)
        ) { $0.optText(0).flatMap(OrderState.init(rawValue:)) } ?? nil
    }

    /// Reports that disagree with the order's state, or that no mapping could read, oldest first.
    func statusDrift(source: String?, limit: Int) throws -> [JSON] {
        var filter = Conditions("(s.state IS NULL OR s.state != o.state)")
        filter.add("s.source = ?", source)
        var result: [JSON] = []
        try db.rows(
            """
            SELECT o.order_id, s.source, s.reported, s.state, o.state, s.at FROM source_statuses s
                JOIN orders o ON o.id = s.order_rowid
            WHERE \(filter.sql) ORDER BY s.at, o.id LIMIT ?
            """, arguments: filter.arguments + [.int(Int64(limit))]
        ) {
            result.append([
                "order_id": .string($0.text(0)), "source": .string($0.text(1)), "reported": .string($0.text(2)),
                "reported_state": .optional($0.optText(3)), "anchor": .string($0.text(4)),
                "reason": .string($0.isNull(3) ? "unmapped" : "disagrees"),
                "reported_at": .string(Timestamp.format($0.int(5))),
            ])
        }
        return result
    }
}
