extension Store {
    /// The current rule set: the latest stored version, or version 0 (the defaults); read once while it
    /// stays unchanged.
    func riskRules() throws -> (version: Int64, rules: RiskRules) {
        try checkCaches()
        if let riskRulesCache { return riskRulesCache }
        var current = (version: Int64(0), rules: RiskRules.defaults)
        if let (version, text) = try db.first(
            "SELECT version, rules FROM risk_rulesets ORDER BY version DESC LIMIT 1", map: { ($0.int(0), $0.text(1)) })
        {
            guard case .object(let o) = try JSONParser.parse(text) else {
                throw OrderCoreError(.corrupt, "risk rule set \(version) is not an object")
            }
            current = (version, try RiskRules(Fields(o)))
        }
        riskRulesCache = current
        return current
    }

    func saveRiskRules(_ rules: RiskRules, at: Int64, actor: String) throws -> Int64 {
        riskRulesCache = nil
        cachedTableChanged()
        let version = (try db.first("SELECT COALESCE(MAX(version), 0) + 1 FROM risk_rulesets") { $0.int(0) }) ?? 1
        try db.run(
            "INSERT INTO risk_rulesets(version, rules, created_at, actor) VALUES (?, ?, ?, ?)",
            .int(version), .text(rules.json.serialized), .int(at), .text(actor))
        return version
    }

    /// - Parameter queue: where the order stands in the review queue: `review` or `hold` (waiting), `approved`
    ///   or `rejected` (reviewed), nil (allowed: not queued).
    func setRisk(orderRowID: Int64, _ risk: JSON, queue: String?) throws {
        try db.run(
            "UPDATE orders SET risk = ?, risk_decision = ? WHERE id = ?", .text(risk.serialized), .opt(queue),
            .int(orderRowID))
    }

    func risk(orderRowID: Int64) throws -> JSON? {
        try db.first("SELECT risk FROM orders WHERE id = ? AND risk IS NOT NULL", .int(orderRowID)) {
            try JSONParser.parse($0.text(0))
        }
    }

    /// Orders waiting for a person's review (decision review or hold), oldest first.
    func riskQueue(limit: Int) throws -> [(orderID: String, state: String, risk: JSON)] {
        var result: [(String, String, JSON)] = []
        try db.rows(
            """
            SELECT order_id, state, risk FROM orders WHERE risk_decision IN ('review', 'hold') ORDER BY id LIMIT ?
            """, .int(Int64(limit))
        ) { result.append(($0.text(0), $0.text(1), (try? JSONParser.parse($0.text(2))) ?? .null)) }
        return result
    }

    func riskQueueCount() throws -> Int64 {
        try db.first("SELECT COUNT(*) FROM orders WHERE risk_decision IN ('review', 'hold')") { $0.int(0) } ?? 0
    }

    /// The reads the risk rules start from for an order, none depending on another: its identifiers on
    /// the allow and block lists (when there are lists), its identifiers' recent orders (velocity), the
    /// customers of its device and IP, whether its customer has returned anything. Built once, so
    /// `riskFacts` makes exactly the reads an order's creation sends ahead (`Store.prefetch`).
    struct RiskReads {
        var listed: [(kind: String, value: String, read: Read)] = []
        var velocity: [(column: String, kind: String, value: String, from: Int64, read: Read)] = []
        /// `read`: the customers of up to `sharedRowsRead` orders; `count`: all of them counted, when
        /// there are more; `added`: the customer of an order not written yet.
        var sharedBy: [(kind: String, value: String, read: Read, count: Read, added: String?)] = []
        var returns: (customer: [String: String], read: Read)?

        var all: [Read] {
            listed.map(\.read) + velocity.map(\.read) + sharedBy.map(\.read) + (returns.map { [$0.read] } ?? [])
        }
    }

    /// The reads of `RiskReads` for an order of `customer` with ship-to `line1`, placed at `placedAt`.
    /// - Parameter adding: the order is not written yet: the customer counts add it.
    func riskReads(
        customer: [String: String], line1: String?, placedAt: Int64, cashOnDelivery: Bool, rules: RiskRules,
        adding: Bool
    ) throws -> RiskReads {
        var reads = RiskReads()
        if try hasRiskLists() {
            let identifiers: [(kind: String, value: String?)] = [
                ("phone", customer["phone"]), ("email", customer["email"]?.lowercased()),
                ("device", customer["device_id"]), ("ip", customer["ip"]), ("customer", customer["id"]),
                ("address", line1?.lowercased()),
            ]
            for case let (kind, value?) in identifiers {
                reads.listed.append(
                    (
                        kind, value,
                        Read("SELECT list FROM risk_lists WHERE kind = ? AND value = ?", .text(kind), .text(value))
                    ))
            }
        }
        if let r = rules.rules["velocity"], r.enabled {
            let from = placedAt - Int64((r.values["window_minutes"] ?? 60) * 60_000)
            for id in Store.riskIdentifiers {
                guard let value = customer[id.key] else { continue }
                reads.velocity.append(
                    (id.column, id.kind, value, from, Read(id.velocity, .text(value), .int(from), .int(placedAt))))
            }
        }
        if let r = rules.rules["shared_device"], r.enabled {
            let from = placedAt - Int64((r.values["window_days"] ?? 30) * 86_400_000)
            let added = adding ? customer["id"] : nil
            for id in Store.riskIdentifiers {
                guard let shared = id.sharedBy, let value = customer[id.key] else { continue }
                let arguments: [SQLValue] = [.text(value), .int(from), .int(placedAt)]
                let count =
                    added.map { Read(shared.countAdding, arguments: arguments + [.text($0)]) }
                    ?? Read(shared.count, arguments: arguments)
                reads.sharedBy.append((id.kind, value, Read(shared.rows, arguments: arguments), count, added))
            }
        }
        let returnsRead =
            rules.rules["returns_abuse"]?.enabled == true
            || (cashOnDelivery && rules.rules["cod_refusals"]?.enabled == true)
        if returnsRead, let keys = Store.buyerKeys(customer) {
            reads.returns = (customer, Read(Store.anyBuyerReturn, arguments: keys))
        }
        return reads
    }

    /// An identifier velocity counts orders by (device and IP: shared-device counts customers by), with
    /// the SQL of its counts, built once.
    private final class RiskIdentifier: Sendable {
        let column: String, kind: String, key: String
        let velocity: String
        let sharedBy: (rows: String, count: String, countAdding: String)?

        /// - Parameter key: the identifier's key in an order's customer.
        init(column: String, kind: String, key: String, sharedBy: Bool) {
            (self.column, self.kind, self.key) = (column, kind, key)
            velocity = "SELECT COUNT(*) FROM orders WHERE \(Store.placedWith(column))"
            let from = "FROM orders WHERE \(column) = ?1 AND placed_at BETWEEN ?2 AND ?3"
            let count = "SELECT COUNT(DISTINCT customer_id)"
            // An order not written yet adds its customer when none of the orders counted is theirs.
            let adding = SQLDialect.count("NOT EXISTS (SELECT 1 \(from) AND customer_id = ?4)")
            self.sharedBy =
                sharedBy
                ? (
                    "SELECT customer_id \(from) LIMIT \(Store.sharedRowsRead)", "\(count) \(from)",
                    "\(count) + \(adding) \(from)"
                ) : nil
        }
    }

    /// A device or IP is seen on few orders: their customers are told apart from the orders' rows (a
    /// distinct count costs a temporary b-tree), up to this many; more are counted by the database.
    private static let sharedRowsRead = 64

    private static let riskIdentifiers = [
        RiskIdentifier(column: "customer_phone", kind: "phone", key: "phone", sharedBy: false),
        RiskIdentifier(column: "customer_email", kind: "email", key: "email", sharedBy: false),
        RiskIdentifier(column: "device_id", kind: "device", key: "device_id", sharedBy: true),
        RiskIdentifier(column: "ip", kind: "IP", key: "ip", sharedBy: true),
    ]

    /// The facts the risk rules look at for an order (`RiskFacts`). `known`: the lines, discounts and
    /// warnings of an order not written yet, whose own row the counts then add.
    func riskFacts(
        _ o: Order, rules: RiskRules,
        known: (lines: [OrderLine], discounts: [OrderDiscount], warnings: [JSON])?
    ) throws -> RiskFacts {
        var facts = RiskFacts()
        let reads = try riskReads(
            customer: o.customer, line1: o.shipTo["line1"], placedAt: o.placedAt, cashOnDelivery: o.cashOnDelivery,
            rules: rules, adding: known != nil)
        for (kind, value, read) in reads.listed {
            if let list = try first(read, map: { $0.text(0) }) {
                facts.listed = (kind, value, list)
                return facts
            }
        }
        if let known {
            (facts.lines, facts.discounts, facts.warnings) = known
        } else {
            (facts.lines, facts.discounts, facts.warnings) = (
                try lines(orderRowID: o.rowID), try discounts(orderRowID: o.rowID),
                try warnings(orderRowID: o.rowID)
            )
        }
        let itself: Int64 = known == nil ? 0 : 1
        for (column, kind, value, from, read) in reads.velocity {
            let orders = (try first(read, map: { $0.int(0) }) ?? 0) + itself
            let addresses =
                orders >= rules.rules["velocity"]?.maxOrders ?? Int64.max
                ? try addressesWith(
                    column: column, value: value, from: from, to: o.placedAt, adding: known == nil ? nil : o.shipTo)
                : nil
            facts.velocity.append((kind, value, orders, addresses))
        }
        for shared in reads.sharedBy {
            var customers = Set<String>(), orders = 0
            try db.rows(shared.read.sql, arguments: shared.read.arguments) {
                orders += 1
                if let customer = $0.optText(0) { customers.insert(customer) }
            }
            let count =
                orders < Store.sharedRowsRead
                ? Int64(customers.count) + (shared.added.map { customers.contains($0) ? 0 : 1 } ?? 0)
                : try first(shared.count) { $0.int(0) } ?? 0
            facts.sharedBy.append((shared.kind, shared.value, count))
        }
        if let (customer, read) = reads.returns, try first(read, map: { _ in true }) ?? false {
            // The return rate by the customer's key (id, else phone); what came back empty or was refused at
            // the door by any of the buyer's identifiers.
            let stats = try (customer["id"] ?? customer["phone"]).map { try returnerStats(customer: $0) } ?? [:]
            let signals = try returnerSignals(customer)
            facts.returns = (
                (stats["orders"]?.intValue ?? 0) + itself, stats["returns"]?.intValue ?? 0, signals.flagged,
                signals.refusals
            )
        }
        return facts
    }

    /// The orders whose identifier `column` is `?1` (an email whatever its case), placed in `?2...?3`:
    /// the leading columns of the column's index.
    private static func placedWith(_ column: String) -> String {
        (column == "customer_email"
            ? "customer_email IS NOT NULL AND lower(customer_email) = lower(?1)" : "\(column) = ?1")
            + " AND placed_at BETWEEN ?2 AND ?3"
    }

    /// How many distinct ship-to addresses those orders go to (asked only once the count is high),
    /// with `adding` (the address of an order not written yet) counted too.
    private func addressesWith(
        column: String, value: String, from: Int64, to: Int64, adding: [String: String]?
    ) throws -> Int64 {
        let key = "COALESCE(ship_line1, '') || '|' || COALESCE(ship_city, '') || '|' || COALESCE(ship_postal_code, '')"
        let new = adding.map { [$0["line1"] ?? "", $0["city"] ?? "", $0["postal_code"] ?? ""].joined(separator: "|") }
        return try db.first(
            """
            SELECT COUNT(DISTINCT \(key))\(new == nil ? "" : " + " + SQLDialect.count("""
                NOT EXISTS (SELECT 1 FROM orders WHERE \(Store.placedWith(column)) AND \(key) = ?4)
                """))
            FROM orders WHERE \(Store.placedWith(column))
            """, arguments: [.text(value), .int(from), .int(to)] + (new.map { [.text($0)] } ?? [])
        ) { $0.int(0) } ?? 0
    }

    func hasRiskLists() throws -> Bool {
        try checkCaches()
        if let riskListsCache { return riskListsCache }
        let has = try db.first("SELECT 1 FROM risk_lists LIMIT 1") { _ in true } ?? false
        riskListsCache = has
        return has
    }

    func setRiskList(kind: String, value: String, list: String?, note: String?, at: Int64) throws {
        riskListsCache = nil
        cachedTableChanged()
        guard let list else {
            try db.run("DELETE FROM risk_lists WHERE kind = ? AND value = ?", .text(kind), .text(value))
            return
        }
        try db.run(
            """
            INSERT INTO risk_lists(kind, value, list, note, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT(kind, value) DO UPDATE SET list = excluded.list, note = excluded.note,
                updated_at = excluded.updated_at
            """, .text(kind), .text(value), .text(list), .opt(note), .int(at))
    }

    func riskLists() throws -> [JSON] {
        var result: [JSON] = []
        try db.rows("SELECT kind, value, list, note, updated_at FROM risk_lists ORDER BY kind, value") {
            result.append([
                "kind": .string($0.text(0)), "value": .string($0.text(1)), "list": .string($0.text(2)),
                "note": .optional($0.optText(3)),
                "updated_at": .string(Timestamp.format($0.int(4))),
            ])
        }
        return result
    }

    /// Recent orders, newest first, for shadow evaluation of a candidate rule set.
    func recentOrderRowIDs(limit: Int) throws -> [Int64] {
        var result: [Int64] = []
        try db.rows("SELECT id FROM orders ORDER BY id DESC LIMIT ?", .int(Int64(limit))) { result.append($0.int(0)) }
        return result
    }
}
