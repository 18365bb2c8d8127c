extension Store {
    func sku(_ code: String) throws -> SKU? {
        try db.first("""
            SELECT sku, name, barcode, weight_g, active, created_at, updated_at, unit_cost, cost_currency FROM skus WHERE sku = ?
            """, .text(code)) {
            SKU(sku: $0.text(0), name: $0.text(1), barcode: $0.optText(2), weightGrams: $0.optInt(3), unitCost: $0.optInt(7),
                costCurrency: $0.optText(8), active: $0.bool(4), createdAt: $0.int(5), updatedAt: $0.int(6))
        }
    }

    func skuCode(barcode: String) throws -> String? {
        try db.first("SELECT sku FROM skus WHERE barcode = ?", .text(barcode)) { $0.text(0) }
    }

    func save(_ s: SKU) throws {
        try db.run("""
            INSERT INTO skus(sku, name, barcode, weight_g, unit_cost, cost_currency, active, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(sku) DO UPDATE SET name = excluded.name, barcode = excluded.barcode, weight_g = excluded.weight_g,
                unit_cost = excluded.unit_cost, cost_currency = excluded.cost_currency, active = excluded.active,
                updated_at = excluded.updated_at
            """, .text(s.sku), .text(s.name), .opt(s.barcode), .opt(s.weightGrams), .opt(s.unitCost), .opt(s.costCurrency),
            .bool(s.active), .int(s.createdAt), .int(s.updatedAt))
    }

    func warehouse(_ code: String) throws -> Warehouse? {
        try db.first("SELECT warehouse, name, region, priority, active, created_at, updated_at FROM warehouses WHERE warehouse = ?", .text(code)) {
            Warehouse(warehouse: $0.text(0), name: $0.text(1), region: $0.optText(2), priority: $0.int(3),
                      active: $0.bool(4), createdAt: $0.int(5), updatedAt: $0.int(6))
        }
    }

    func save(_ w: Warehouse) throws {
        try db.run("""
            INSERT INTO warehouses(warehouse, name, region, priority, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(warehouse) DO UPDATE SET name = excluded.name, region = excluded.region, priority = excluded.priority,
                active = excluded.active, updated_at = excluded.updated_at
            """, .text(w.warehouse), .text(w.name), .opt(w.region), .int(w.priority), .bool(w.active), .int(w.createdAt), .int(w.updatedAt))
    }

    /// Codes for shell completion, in order, starting with `prefix`.
    func codes(_ kind: CodeKind, prefix: String, limit: Int) throws -> [String] {
        var result: [String] = []
        let (table, column) = switch kind {
        case .sku: ("skus", "sku")
        case .warehouse: ("warehouses", "warehouse")
        case .order: ("orders", "order_id")
        case .transfer: ("transfers", "transfer_id")
        case .channel: ("channels", "channel")
        }
        // Range scan on the primary/unique key: prefix <= code < prefix + U+10FFFF.
        try db.rows("SELECT \(column) FROM \(table) WHERE \(column) >= ? AND \(column) < ? ORDER BY \(column) LIMIT ?",
                    .text(prefix), .text(prefix + "\u{10FFFF}"), .int(Int64(limit))) { result.append($0.text(0)) }
        return result
    }
}

/// What `Engine.complete` can complete.
public enum CodeKind: Sendable { case sku, warehouse, order, transfer, channel }
