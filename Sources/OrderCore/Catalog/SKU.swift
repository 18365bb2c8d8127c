/// A stock-keeping unit. `barcode` is what packers scan; `weight_g` feeds the parcel weight check.
struct SKU {
    var sku: String
    var name: String
    var barcode: String?
    var weightGrams: Int64?
    /// What one unit cost, in minor units of `costCurrency` (values count variances).
    var unitCost: Int64?
    var costCurrency: String?
    /// The merchandise category the stock board and replenishment filter by.
    var category: String?
    var active: Bool
    var createdAt: Int64
    var updatedAt: Int64

    var json: JSONObject {
        [
            "sku": .string(sku), "name": .string(name), "barcode": .optional(barcode),
            "weight_g": weightGrams.map(JSON.int) ?? .null,
            "unit_cost": unitCost.map { .string(Money.format($0, exponent: Money.exponent(of: costCurrency ?? ""))) }
                ?? .null,
            "cost_currency": .optional(costCurrency), "category": .optional(category), "active": .bool(active),
            "created_at": .string(Timestamp.format(createdAt)), "updated_at": .string(Timestamp.format(updatedAt)),
        ]
    }
}

/// A stock location. Lower `priority` numbers are preferred when reserving.
struct Warehouse {
    var warehouse: String
    var name: String
    var region: String?
    var priority: Int64
    var active: Bool
    var createdAt: Int64
    var updatedAt: Int64

    var json: JSONObject {
        [
            "warehouse": .string(warehouse), "name": .string(name), "region": .optional(region),
            "priority": .int(priority), "active": .bool(active),
            "created_at": .string(Timestamp.format(createdAt)), "updated_at": .string(Timestamp.format(updatedAt)),
        ]
    }
}

enum CatalogCommands {
    static let all = [skuUpsert, warehouseUpsert]

    static let skuUpsert = Command(
        "sku.upsert", .write,
        "Create or update a SKU (sku, name, barcode, weight_g, unit_cost, cost_currency, active)",
        roleRule: "a supervisor to change a barcode, weight_g or unit_cost already set",
        arguments: [
            .key("sku"),
            Argument("name", .text),
            Argument("barcode", .code, "The barcode scanned at packing (unique across SKUs)"),
            Argument("weight_g", .integer),
            Argument("active", .boolean),
            Argument("cost_currency", .code, "The currency of unit_cost (default: order.default_currency)"),
            Argument("unit_cost", .money, "Cost of one unit (values stock counts and write-offs)"),
            Argument("category", .code, "The merchandise category (the stock board and replenishment filter by it)"),
        ],
        result: ["sku", "name", "barcode", "weight_g", "unit_cost", "cost_currency", "active", "created_at"]
    ) { ctx, f in
        let code = try f.requiredCode("sku")
        let name = try f.text("name", maxLength: 200)
        let barcode = try f.code("barcode")
        let weight = try f.int("weight_g", min: 0, max: 1_000_000_000)
        let active = try f.bool("active")
        let category = try f.code("category")
        let existing = try ctx.store.sku(code)
        let currency =
            try f.code("cost_currency").map { try Currency.check($0, field: "cost_currency") }
            ?? existing?.costCurrency ?? ctx.stringSetting(.defaultCurrency)
        let unitCost = try f.money("unit_cost", exponent: Money.exponent(of: currency))
        try f.finish()

        var sku = existing ?? SKU(sku: code, name: code, active: true, createdAt: ctx.at, updatedAt: ctx.at)
        if let name { sku.name = name }
        if f.has("barcode") { sku.barcode = barcode }
        if f.has("weight_g") { sku.weightGrams = weight }
        if f.has("unit_cost") { sku.unitCost = unitCost }
        if f.has("category") { sku.category = category }
        if sku.unitCost != nil || f.has("cost_currency") { sku.costCurrency = currency }
        if let active { sku.active = active }
        // The pack check compares scans with the barcode and the scale with the weight: changing either
        // once set can let a wrong or light parcel through. The cost values stock and write-offs, and is
        // what goods may not be entered below by an operator. So each is a supervisor's decision.
        if let existing,
            (existing.barcode != nil && existing.barcode != sku.barcode)
                || (existing.weightGrams != nil && existing.weightGrams != sku.weightGrams)
                || (existing.unitCost != nil
                    && (existing.unitCost != sku.unitCost || existing.costCurrency != sku.costCurrency))
        {
            try ctx.requireRole(.supervisor, to: "changing the barcode, weight or cost of \(code)")
        }
        sku.updatedAt = ctx.at
        if let barcode, let owner = try ctx.store.skuCode(barcode: barcode), owner != code {
            throw OrderCoreError(
                .conflict, "barcode '\(barcode)' already belongs to SKU '\(owner)'",
                details: ["barcode": .string(barcode), "sku": .string(owner)])
        }
        try ctx.store.save(sku)
        var result = sku.json
        result["created"] = .bool(existing == nil)
        return .object(result)
    }

    static let warehouseUpsert = Command(
        "warehouse.upsert", .write,
        "Create or update a warehouse (warehouse, name, region, priority, active, serves [ship-to regions], distances "
            + "{region: km})",
        role: .admin,
        arguments: [
            .key("warehouse"),
            Argument("name", .text),
            Argument("region", .code, "The warehouse's own region"),
            Argument("priority", .integer, "Lower is preferred (warehouses) or picked first (orders)"),
            Argument("active", .boolean),
            Argument("serves", .codes, "The ship-to regions it serves (replaces the list)"),
            Argument(
                "distances", .object, "Its distance to ship-to regions ({\"Beijing\":1200,...}); replaces the map"),
            Argument("latitude", .decimal, "Where it is: degrees north (with longitude; null clears both)"),
            Argument(
                "longitude", .decimal, "Where it is: degrees east (transfers come from within transfers.radius_km)"),
        ],
        result: ["warehouse", "name", "region", "priority", "active", "created_at", "updated_at", "serves"]
    ) { ctx, f in
        let code = try f.requiredCode("warehouse")
        let name = try f.text("name", maxLength: 200)
        let region = try f.text("region", maxLength: 100)
        let priority = try f.int("priority", min: 0, max: 1_000_000)
        let active = try f.bool("active")
        let serves = try f.strings("serves", maxCount: 1_000, maxLength: 100)
        let distances = try f.object("distances").map { d throws(OrderCoreError) -> [String: Int64] in
            var result: [String: Int64] = [:]
            for key in d.keys {
                result[try Fields.normalizedCode(key, field: d.name(key))] = try d.requiredInt(
                    key, min: 0, max: 1_000_000_000)
            }
            try d.finish()
            return result
        }
        let latitude = try f.money("latitude", exponent: 6, allowNegative: true)
        let longitude = try f.money("longitude", exponent: 6, allowNegative: true)
        try f.finish()
        if f.has("latitude") != f.has("longitude") {
            throw OrderCoreError.invalid("give latitude and longitude together", field: "latitude")
        }
        if let latitude, !(-90_000_000...90_000_000).contains(latitude) {
            throw OrderCoreError.invalid("latitude must be between -90 and 90", field: "latitude")
        }
        if let longitude, !(-180_000_000...180_000_000).contains(longitude) {
            throw OrderCoreError.invalid("longitude must be between -180 and 180", field: "longitude")
        }

        let existing = try ctx.store.warehouse(code)
        var warehouse =
            existing
            ?? Warehouse(warehouse: code, name: code, priority: 100, active: true, createdAt: ctx.at, updatedAt: ctx.at)
        if let name { warehouse.name = name }
        if f.has("region") { warehouse.region = region }
        if let priority { warehouse.priority = priority }
        if let active { warehouse.active = active }
        warehouse.updatedAt = ctx.at
        try ctx.store.save(warehouse)
        try ctx.store.setRegions(warehouse: code, serves: serves, distances: distances)
        if f.has("latitude") {
            try ctx.store.setLocation(
                warehouse: code,
                latitude.flatMap { lat in longitude.map { Allocator.Location(latitude: lat, longitude: $0) } })
        }
        var result = warehouse.json
        let location = try ctx.store.locations()[code]
        result["latitude"] = location.map { .number(Money.format($0.latitude, exponent: 6)) } ?? .null
        result["longitude"] = location.map { .number(Money.format($0.longitude, exponent: 6)) } ?? .null
        let regions = try ctx.store.regions(warehouse: code)
        result["serves"] = .array(regions.filter(\.serves).map { .string($0.region) })
        var distanceMap = JSONObject()
        for r in regions { if let d = r.distance { distanceMap[r.region] = .int(d) } }
        result["distances"] = .object(distanceMap)
        result["created"] = .bool(existing == nil)
        return .object(result)
    }
}

extension CommandContext {
    /// The SKU, or `not_found` naming it (and the argument it came from).
    func requireSKU(_ code: String, field: String = "sku") throws -> SKU {
        guard let sku = try store.sku(code) else {
            throw OrderCoreError(
                .notFound, "SKU '\(code)' does not exist (create it with sku.upsert)",
                details: ["sku": .string(code), "field": .string(field)])
        }
        return sku
    }

    func requireWarehouse(_ code: String, field: String = "warehouse") throws -> Warehouse {
        guard let warehouse = try store.warehouse(code) else {
            throw OrderCoreError(
                .notFound, "warehouse '\(code)' does not exist (create it with warehouse.upsert)",
                details: ["warehouse": .string(code), "field": .string(field)])
        }
        return warehouse
    }
}
