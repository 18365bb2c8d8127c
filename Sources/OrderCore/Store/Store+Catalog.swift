extension Store {
    private static let skuColumns =
        "sku, name, barcode, weight_g, active, created_at, updated_at, unit_cost, cost_currency, category"

    private static func readSKU(_ r: Row) -> SKU {
        SKU(
            sku: r.text(0), name: r.text(1), barcode: r.optText(2), weightGrams: r.optInt(3), unitCost: r.optInt(7),
            costCurrency: r.optText(8), category: r.optText(9), active: r.bool(4), createdAt: r.int(5),
            updatedAt: r.int(6))
    }

    func sku(_ code: String) throws -> SKU? {
        try db.first("SELECT \(Store.skuColumns) FROM skus WHERE sku = ?", .text(code), map: Store.readSKU)
    }

    /// The SKUs of these codes that exist, from the handle's cache (`checkCaches`) when it has them.
    func skus(_ codes: [String]) throws -> [String: SKU] {
        try checkCaches()
        var result: [String: SKU] = [:]
        var missing: [String] = []
        for code in codes {
            if let known = skuCache[code] { result[code] = known } else { missing.append(code) }
        }
        guard !missing.isEmpty else { return result }
        if skuCache.count + missing.count > Store.skuCacheLimit { skuCache = [:] }
        try db.rows(
            "SELECT \(Store.skuColumns) FROM skus WHERE sku IN (\(Database.placeholders(missing.count)))",
            arguments: missing.map(SQLValue.text)
        ) {
            let sku = Store.readSKU($0)
            result[sku.sku] = sku
            skuCache[sku.sku] = sku
        }
        return result
    }

    func skuCode(barcode: String) throws -> String? {
        try db.first("SELECT sku FROM skus WHERE barcode = ?", .text(barcode)) { $0.text(0) }
    }

    func save(_ s: SKU) throws {
        skuCache[s.sku] = nil
        cachedTableChanged()
        try db.run(
            """
            INSERT INTO skus(sku, name, barcode, weight_g, unit_cost, cost_currency, category, active, created_at,
                updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(sku) DO UPDATE SET name = excluded.name, barcode = excluded.barcode,
                weight_g = excluded.weight_g,
                unit_cost = excluded.unit_cost, cost_currency = excluded.cost_currency, category = excluded.category,
                active = excluded.active, updated_at = excluded.updated_at
            """, .text(s.sku), .text(s.name), .opt(s.barcode), .opt(s.weightGrams), .opt(s.unitCost),
            .opt(s.costCurrency), .opt(s.category), .bool(s.active), .int(s.createdAt), .int(s.updatedAt))
    }

    func warehouse(_ code: String) throws -> Warehouse? {
        try db.first(
            "SELECT warehouse, name, region, priority, active, created_at, updated_at FROM warehouses WHERE warehouse "
                + "= ?",
            .text(code)
        ) {
            Warehouse(
                warehouse: $0.text(0), name: $0.text(1), region: $0.optText(2), priority: $0.int(3),
                active: $0.bool(4), createdAt: $0.int(5), updatedAt: $0.int(6))
        }
    }

    func save(_ w: Warehouse) throws {
        try db.run(
            """
            INSERT INTO warehouses(warehouse, name, region, priority, active, created_at, updated_at) VALUES (?, ?, ?,
                ?, ?, ?, ?)
            ON CONFLICT(warehouse) DO UPDATE SET name = excluded.name, region = excluded.region,
                priority = excluded.priority,
                active = excluded.active, updated_at = excluded.updated_at
            """, .text(w.warehouse), .text(w.name), .opt(w.region), .int(w.priority), .bool(w.active),
            .int(w.createdAt), .int(w.updatedAt))
    }

    /// Sets (or with nil clears) where a warehouse is, in microdegrees.
    func setLocation(warehouse: String, _ location: Allocator.Location?) throws {
        try db.run(
            "UPDATE warehouses SET latitude_micro = ?, longitude_micro = ? WHERE warehouse = ?",
            .opt(location?.latitude), .opt(location?.longitude), .text(warehouse))
    }

    /// Where the warehouses with coordinates are.
    func locations() throws -> [String: Allocator.Location] {
        var result: [String: Allocator.Location] = [:]
        try db.rows(
            """
            SELECT warehouse, latitude_micro, longitude_micro FROM warehouses
                WHERE latitude_micro IS NOT NULL AND longitude_micro IS NOT NULL
            """
        ) { result[$0.text(0)] = Allocator.Location(latitude: $0.int(1), longitude: $0.int(2)) }
        return result
    }

    /// Active warehouses in preference order.
    func activeWarehouses() throws -> [(warehouse: String, priority: Int64)] {
        var result: [(String, Int64)] = []
        try db.rows("SELECT warehouse, priority FROM warehouses WHERE active = 1 ORDER BY priority, warehouse") {
            result.append(($0.text(0), $0.int(1)))
        }
        return result
    }

    /// Replaces the regions a warehouse serves and/or its distances to regions (nil leaves that part as it is).
    func setRegions(warehouse: String, serves: [String]?, distances: [String: Int64]?) throws {
        if let serves {
            try db.run("UPDATE warehouse_regions SET serves = 0 WHERE warehouse = ?", .text(warehouse))
            for region in serves {
                try db.run(
                    """
                    INSERT INTO warehouse_regions(warehouse, region, serves) VALUES (?, ?, 1)
                    ON CONFLICT(warehouse, region) DO UPDATE SET serves = 1
                    """, .text(warehouse), .text(region))
            }
        }
        if let distances {
            try db.run("UPDATE warehouse_regions SET distance = NULL WHERE warehouse = ?", .text(warehouse))
            for (region, distance) in distances {
                try db.run(
                    """
                    INSERT INTO warehouse_regions(warehouse, region, distance) VALUES (?, ?, ?)
                    ON CONFLICT(warehouse, region) DO UPDATE SET distance = excluded.distance
                    """, .text(warehouse), .text(region), .int(distance))
            }
        }
        try db.run(
            "DELETE FROM warehouse_regions WHERE warehouse = ? AND serves = 0 AND distance IS NULL", .text(warehouse))
    }

    /// Per region: whether the warehouse serves it and how far it is.
    func regions(warehouse: String) throws -> [(region: String, serves: Bool, distance: Int64?)] {
        var result: [(String, Bool, Int64?)] = []
        try db.rows(
            "SELECT region, serves, distance FROM warehouse_regions WHERE warehouse = ? ORDER BY region",
            .text(warehouse)
        ) {
            result.append(($0.text(0), $0.bool(1), $0.optInt(2)))
        }
        return result
    }

    /// Per warehouse: whether it serves `region` and how far it is from it.
    func warehousesFor(region: String) throws -> [String: (serves: Bool, distance: Int64?)] {
        var result: [String: (Bool, Int64?)] = [:]
        try db.rows("SELECT warehouse, serves, distance FROM warehouse_regions WHERE region = ?", .text(region)) {
            result[$0.text(0)] = ($0.bool(1), $0.optInt(2))
        }
        return result
    }

    /// Codes for shell completion, in order, starting with `prefix`: rows of the database, or the settings' keys.
    func codes(_ kind: CodeKind, prefix: String, limit: Int) throws -> [String] {
        var result: [String] = []
        let table: String, column: String
        switch kind {
        case .sku: (table, column) = ("skus", "sku")
        case .warehouse: (table, column) = ("warehouses", "warehouse")
        case .order: (table, column) = ("orders", "order_id")
        case .transfer: (table, column) = ("transfers", "transfer_id")
        case .channel: (table, column) = ("channels", "channel")
        case .returnID: (table, column) = ("returns", "return_id")
        case .setting: return Array(Setting.all.map(\.key).filter { $0.hasPrefix(prefix) }.sorted().prefix(limit))
        }
        // Range scan on the primary/unique key: prefix <= code < prefix + U+10FFFF.
        try db.rows(
            "SELECT \(column) FROM \(table) WHERE \(column) >= ? AND \(column) < ? ORDER BY \(column) LIMIT ?",
            .text(prefix), .text(prefix + "\u{10FFFF}"), .int(Int64(limit))
        ) { result.append($0.text(0)) }
        return result
    }
}

/// What `Engine.complete` can complete: codes in the database, and the settings' keys.
public enum CodeKind: Sendable { case sku, warehouse, order, transfer, channel, returnID, setting }

extension Store {
    // MARK: - Actors

    private static func readActor(_ r: Row) -> Actor? {
        guard let role = Actor.Role(rawValue: r.text(2)) else { return nil }
        return Actor(
            actor: r.text(0), name: r.optText(1), role: role, active: r.bool(3), createdAt: r.int(4),
            updatedAt: r.int(5))
    }

    func actor(_ code: String) throws -> Actor? {
        try db.first(
            "SELECT actor, name, role, active, created_at, updated_at FROM actors WHERE actor = ?", .text(code),
            map: Store.readActor) ?? nil
    }

    func actors() throws -> [Actor] {
        var result: [Actor] = []
        try db.rows("SELECT actor, name, role, active, created_at, updated_at FROM actors ORDER BY actor") {
            if let actor = Store.readActor($0) { result.append(actor) }
        }
        return result
    }

    /// Whether any actor is, or ever was, an admin.
    func adminEverExisted() throws -> Bool {
        try db.first("SELECT 1 FROM actors WHERE was_admin = 1 LIMIT 1") { _ in true } ?? false
    }

    /// Active admins other than `actor`.
    func otherActiveAdmins(than actor: String) throws -> Int64 {
        try db.first("SELECT COUNT(*) FROM actors WHERE role = 'admin' AND active = 1 AND actor <> ?", .text(actor)) {
            $0.int(0)
        } ?? 0
    }

    func save(_ a: Actor) throws {
        try db.run(
            """
            INSERT INTO actors(actor, name, role, active, created_at, updated_at, was_admin) VALUES (?, ?, ?, ?, ?, ?,
                ?)
            ON CONFLICT(actor) DO UPDATE SET name = excluded.name, role = excluded.role, active = excluded.active,
                updated_at = excluded.updated_at, was_admin = CASE WHEN excluded.was_admin = 1
                    THEN 1 ELSE actors.was_admin END
            """, .text(a.actor), .opt(a.name), .text(a.role.rawValue), .bool(a.active), .int(a.createdAt),
            .int(a.updatedAt),
            .bool(a.role == .admin))
    }
}
