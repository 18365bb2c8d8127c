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
    /// customers of its device and IP (shared-device), whether its buyer has returned anything. Worked out
    /// once, so `riskFacts` makes exactly the reads an order's creation sends ahead (`Store.prefetch`).
    struct RiskReads {
        var listed: [(kind: String, value: String, read: Read)] = []
        /// The identifiers velocity counts the orders of, placed from `velocityFrom` to `to`.
        var velocity: [(id: RiskIdentifier, value: String)] = []
        var velocityFrom: Int64 = 0
        /// The device and IP shared-device counts the customers of, from `sharedFrom` to `to`; `added`:
        /// the customer of an order not written yet, whom the count adds.
        var sharedBy: [(id: RiskIdentifier, value: String)] = []
        var sharedFrom: Int64 = 0
        var added: String?
        var to: Int64 = 0
        /// The buyer whose earlier returns a rule asks about, and the arguments of `anyBuyerReturn`.
        var returns: (customer: [String: String], keys: [SQLValue])?
        /// The buyer's keys, when the rule `chargebacks` asks about the buyer's earlier chargebacks, and how many
        /// the handle knows of (nil: too many chargebacks to keep, `chargebackRead` counts them).
        var chargebacks: (keys: [SQLValue], known: Int64?)?

        func velocityRead(_ i: Int) -> Read {
            Read(velocity[i].id.velocity, .text(velocity[i].value), .int(velocityFrom), .int(to))
        }
        /// The customers and times of up to `sharedRowsRead` orders of a device or IP.
        func customersRead(_ i: Int) -> Read {
            Read(sharedBy[i].id.customers, .text(sharedBy[i].value), .int(sharedFrom), .int(to))
        }
        /// All of their customers counted (with `added`).
        func customersCount(_ i: Int) -> Read {
            let arguments: [SQLValue] = [.text(sharedBy[i].value), .int(sharedFrom), .int(to)]
            return added.map { Read(sharedBy[i].id.countAdding, arguments: arguments + [.text($0)]) }
                ?? Read(sharedBy[i].id.count, arguments: arguments)
        }
        var returnRead: Read? { returns.map { Read(Store.anyBuyerReturn, arguments: $0.keys) } }
        var chargebackRead: Read? {
            chargebacks.flatMap { $0.known == nil ? Read(Store.buyerChargebacks, arguments: $0.keys) : nil }
        }
        /// Velocity of a device or IP whose orders shared-device reads over a window covering velocity's:
        /// counted from those rows, unless there were too many to read (then `velocityRead`).
        func velocityFromShared(_ i: Int) -> Bool {
            sharedFrom <= velocityFrom && sharedBy.contains { $0.id === velocity[i].id }
        }

        /// What an order's creation sends ahead: all but the velocity counts the shared rows should answer.
        var all: [Read] {
            listed.map(\.read) + velocity.indices.filter { !velocityFromShared($0) }.map(velocityRead)
                + sharedBy.indices.map(customersRead) + [returnRead, chargebackRead].compactMap { $0 }
        }
    }

    /// The reads of `RiskReads` for an order of `customer` (its identifiers' `keys`) with ship-to `line1`, placed at
    /// `placedAt`.
    /// - Parameter adding: the order is not written yet: the customer counts add it.
    func riskReads(
        customer: [String: String], keys: CustomerKeys, line1: String?, placedAt: Int64, cashOnDelivery: Bool,
        rules: RiskRules, adding: Bool
    ) throws -> RiskReads {
        var reads = RiskReads(to: placedAt)
        let listed = try riskListKinds()
        if !listed.isEmpty {
            let identifiers: [(kind: String, value: String?)] = [
                ("phone", customer["phone"]), ("email", customer["email"]), ("device", customer["device_id"]),
                ("ip", customer["ip"]), ("customer", customer["id"]), ("address", line1),
            ]
            for case let (kind, given?) in identifiers where listed.contains(kind) {
                guard let value = Identifier.key(kind, given) else { continue }
                reads.listed.append(
                    (
                        kind, value,
                        Read("SELECT list FROM risk_lists WHERE kind = ? AND value = ?", .text(kind), .text(value))
                    ))
            }
        }
        let (velocity, shared) = (rules.on.velocity, rules.on.sharedDevice)
        if let velocity { reads.velocityFrom = placedAt - Int64((velocity.values["window_minutes"] ?? 60) * 60_000) }
        if let shared { reads.sharedFrom = placedAt - Int64((shared.values["window_days"] ?? 30) * 86_400_000) }
        let given = Store.riskIdentifiers.compactMap { id in id.value(keys).map { (id: id, value: $0) } }
        if velocity != nil { reads.velocity = given }
        if shared != nil { reads.sharedBy = given.filter { $0.id.sharesCustomers } }
        if shared != nil, adding { reads.added = customer["id"] }
        let returnsRead =
            rules.on.returnsAbuse != nil || (cashOnDelivery && rules.on.codRefusals != nil)
        let chargebacksRead = rules.on.chargebacks != nil
        if returnsRead || chargebacksRead, let keys = Store.buyerKeys(keys) {
            if returnsRead { reads.returns = (customer, keys) }
            if chargebacksRead { reads.chargebacks = (keys, Store.chargebacks(of: keys, in: try chargebackBuyers())) }
        }
        return reads
    }

    /// An identifier velocity counts orders by (device and IP: shared-device counts customers by), with
    /// the SQL of its counts, built once.
    final class RiskIdentifier: Sendable {
        let column: String, kind: String
        let sharesCustomers: Bool
        let velocity: String
        let customers: String, count: String, countAdding: String

        /// The identifier of a buyer as its column holds it (`Identifier.key`).
        let value: @Sendable (CustomerKeys) -> String?

        init(column: String, kind: String, sharesCustomers: Bool, value: @escaping @Sendable (CustomerKeys) -> String?)
        {
            (self.column, self.kind, self.sharesCustomers, self.value) = (column, kind, sharesCustomers, value)
            velocity = "SELECT COUNT(*) FROM orders WHERE \(Store.placedWith(column))"
            let from = "FROM orders WHERE \(column) = ?1 AND placed_at BETWEEN ?2 AND ?3"
            customers = "SELECT customer_id, placed_at \(from) LIMIT \(Store.sharedRowsRead)"
            count = "SELECT COUNT(DISTINCT customer_id) \(from)"
            // An order not written yet adds its customer when none of the orders counted is theirs.
            countAdding =
                "SELECT COUNT(DISTINCT customer_id) + "
                + SQLDialect.count("NOT EXISTS (SELECT 1 \(from) AND customer_id = ?4)") + " \(from)"
        }
    }

    /// A device or IP is seen on few orders: their customers are told apart from the orders' rows (a
    /// distinct count costs a temporary b-tree), up to this many; more are counted by the database.
    private static let sharedRowsRead = 64

    private static let riskIdentifiers = [
        RiskIdentifier(column: "customer_phone_key", kind: "phone", sharesCustomers: false) { $0.phone },
        RiskIdentifier(column: "customer_email_key", kind: "email", sharesCustomers: false) { $0.email },
        RiskIdentifier(column: "device_id", kind: "device", sharesCustomers: true) { $0.device },
        RiskIdentifier(column: "ip_key", kind: "IP", sharesCustomers: true) { $0.ip },
    ]

    /// The facts the risk rules look at for an order (`RiskFacts`) of a buyer with `keys` (worked out from the order
    /// when not given). `known`: the lines, discounts and warnings of an order not written yet, whose own row the
    /// counts then add.
    func riskFacts(
        _ o: Order, keys: CustomerKeys?, rules: RiskRules,
        known: (lines: [OrderLine], discounts: [OrderDiscount], warnings: [JSON])?
    ) throws -> RiskFacts {
        var facts = RiskFacts()
        let reads = try riskReads(
            customer: o.customer, keys: keys ?? CustomerKeys(o.customer), line1: o.shipTo["line1"],
            placedAt: o.placedAt, cashOnDelivery: o.cashOnDelivery, rules: rules, adding: known != nil)
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
        // The times of the orders of a device or IP read in full for shared-device.
        var placed: [(column: String, at: [Int64])] = []
        for i in reads.sharedBy.indices {
            var customers: [String] = [], at: [Int64] = []  // few: searched in turn
            let rows = reads.customersRead(i)
            try db.rows(rows.sql, arguments: rows.arguments) {
                if let customer = $0.optText(0), !customers.contains(customer) { customers.append(customer) }
                at.append($0.int(1))
            }
            let count: Int64
            if at.count < Store.sharedRowsRead {
                count = Int64(customers.count) + (reads.added.map { customers.contains($0) ? 0 : 1 } ?? 0)
                placed.append((reads.sharedBy[i].id.column, at))
            } else {
                count = try first(reads.customersCount(i)) { $0.int(0) } ?? 0
            }
            facts.sharedBy.append((reads.sharedBy[i].id.kind, reads.sharedBy[i].value, count))
        }
        let maxOrders = rules.on.velocity?.maxOrders ?? Int64.max
        for i in reads.velocity.indices {
            let (id, value) = reads.velocity[i]
            // Those orders count for velocity too when their window covers its window.
            let counted =
                reads.velocityFromShared(i)
                ? placed.first { $0.column == id.column }.map {
                    Int64($0.at.count { $0 >= reads.velocityFrom })
                } : nil
            let orders = (try counted ?? first(reads.velocityRead(i)) { $0.int(0) } ?? 0) + itself
            let addresses =
                orders >= maxOrders
                ? try addressesWith(
                    column: id.column, value: value, from: reads.velocityFrom, to: o.placedAt,
                    adding: known == nil ? nil : o.shipTo)
                : nil
            facts.velocity.append((id.kind, value, orders, addresses))
        }
        if let (customer, keys) = reads.returns, let read = reads.returnRead,
            try first(read, map: { _ in true }) ?? false
        {
            // The return rate by the customer's key (id, else phone); what came back empty or was refused at
            // the door by any of the buyer's identifiers.
            let stats = try (customer["id"] ?? customer["phone"]).map { try returnerStats(customer: $0) } ?? [:]
            let signals = try returnerSignals(keys: keys)
            facts.returns = (
                (stats["orders"]?.intValue ?? 0) + itself, stats["returns"]?.intValue ?? 0, signals.flagged,
                signals.refusals
            )
        }
        if let (_, known) = reads.chargebacks {
            facts.chargebacks = try known ?? reads.chargebackRead.flatMap { try first($0) { $0.int(0) } } ?? 0
        }
        // An order not written yet has no verdicts: they are recorded on orders (`risk.report`).
        if known == nil, rules.on.channelRisk != nil {
            facts.reported = try riskReports(orderRowID: o.rowID).filter { $0.level >= .medium }.max {
                $0.level < $1.level
            }
        }
        return facts
    }

    /// The orders whose identifier `column` is `?1`, placed in `?2...?3`: the leading columns of the
    /// column's index.
    private static func placedWith(_ column: String) -> String {
        "\(column) = ?1 AND placed_at BETWEEN ?2 AND ?3"
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

    /// The kinds of identifier the allow and block lists name (an order's other identifiers are not
    /// looked up), read once while the lists stay unchanged.
    func riskListKinds() throws -> [String] {
        try checkCaches()
        if let riskListsCache { return riskListsCache }
        let kinds = try Identifier.kinds.filter { kind in
            try db.first("SELECT 1 FROM risk_lists WHERE kind = ? LIMIT 1", .text(kind)) { _ in true } ?? false
        }
        riskListsCache = kinds
        return kinds
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
