enum StockCommands {
    static let all = [receive, adjust, safety, quarantine, scrap, get, ledger, valuation, verify]

    static let receive = Command(
        "stock.receive", .write, "Add received units to on-hand stock (sku, warehouse, qty, reference)",
        sharing: .concurrent,
        arguments: [
            .key("sku"),
            .key("warehouse"),
            Argument("qty", .integer, required: true, positional: true),
            Argument("reference", .code),
        ],
        result: [
            "sku", "received", "warehouse", "on_hand", "reserved", "available", "quarantine", "safety",
            "backorders_filled",
        ]
    ) { ctx, f in
        let (sku, warehouse) = try skuAndWarehouse(ctx, f)
        let qty = try f.quantity("qty")
        let reference = try f.code("reference")
        try f.finish()
        var balance = try ctx.post(
            LedgerEntry(
                sku: sku, warehouse: warehouse, bucket: .onHand, delta: qty, reason: .receive,
                refType: reference == nil ? nil : "receipt", refID: reference))
        // Orders sold short take their units first: the balance shown is what is left for everyone else.
        var head: JSONObject = ["sku": .string(sku), "received": .int(qty)]
        let filled = try ctx.fillBackorders()
        if !filled.isEmpty {
            balance = try ctx.store.balances(sku: sku, warehouse: warehouse).first ?? balance
            head["backorders_filled"] = .array(filled)
        }
        return .object(head.merging(balance.json))
    }

    static let adjust = Command(
        "stock.adjust", .write,
        "Correct a balance by a signed quantity with a reason (sku, warehouse, qty, reason, bucket = on_hand | "
            + "quarantine, reference)",
        roleRule:
            "a supervisor for the quarantine bucket, or more than inventory.adjust_limit units (net, with the "
            + "actor's own of the last 24 hours)",
        sharing: .concurrent,
        arguments: [
            .key("sku"),
            .key("warehouse"),
            Argument("qty", .integer, "The signed change (+3, -2)", required: true, positional: true),
            Argument("reason", .text, required: true, positional: true),
            Argument("bucket", .code, "Which balance (default on_hand)", choices: ["on_hand", "quarantine"]),
            Argument("reference", .code),
        ],
        result: ["sku", "adjusted", "bucket", "warehouse", "on_hand", "reserved", "available", "quarantine"]
    ) { ctx, f in
        let (sku, warehouse) = try skuAndWarehouse(ctx, f)
        let qty = try f.requiredInt("qty")
        guard qty != 0 else { throw OrderCoreError.invalid("qty must not be zero", field: "qty") }
        let reason = try f.requiredReason("the stock changed")
        let bucketName = try f.code("bucket") ?? "on_hand"
        guard let bucket = LedgerEntry.Bucket(rawValue: bucketName), bucket == .onHand || bucket == .quarantine else {
            throw OrderCoreError.invalid(
                "bucket must be on_hand or quarantine (reserved changes through orders, safety through stock.safety)",
                field: "bucket")
        }
        let reference = try f.code("reference")
        try f.finish()
        // Quarantined units are damaged or under QC: changing them by hand is a write-off (or puts them
        // back on sale through on-hand), and so is any large correction.
        if bucket == .quarantine { try ctx.requireRole(.supervisor, to: "adjusting quarantined stock") }
        if bucket == .onHand {
            try ctx.requireAdjustRole(sku: sku, warehouse: warehouse, delta: qty, what: "adjusting \(qty) units")
        }
        let balance = try ctx.post(
            LedgerEntry(
                sku: sku, warehouse: warehouse, bucket: bucket, delta: qty, reason: .adjust,
                refType: reference == nil ? nil : "adjustment", refID: reference, note: reason))
        let head: JSONObject = ["sku": .string(sku), "adjusted": .int(qty), "bucket": .string(bucket.rawValue)]
        var result = head.merging(balance.json)
        // Fewer units on hand than promised: the shortfall must be resolved (recount, cancel or transfer).
        if balance.reserved > balance.onHand { result["short"] = .int(balance.reserved - balance.onHand) }
        return .object(result)
    }

    static let safety = Command(
        "stock.safety", .write, "Set the safety stock held back from sale (sku, warehouse, qty)",
        sharing: .concurrent,
        arguments: [
            .key("sku"),
            .key("warehouse"),
            Argument("qty", .integer, "The units held back from sale (0 clears it)", required: true, positional: true),
        ],
        result: ["sku", "warehouse", "on_hand", "reserved", "available", "quarantine", "safety"]
    ) { ctx, f in
        let (sku, warehouse) = try skuAndWarehouse(ctx, f)
        let qty = try f.requiredInt("qty", min: 0)
        try f.finish()
        var balance =
            try ctx.store.balances(sku: sku, warehouse: warehouse).first ?? StockBalance(sku: sku, warehouse: warehouse)
        if qty != balance.safety {
            balance = try ctx.post(
                LedgerEntry(
                    sku: sku, warehouse: warehouse, bucket: .safety, delta: qty - balance.safety, reason: .safety))
        }
        let head: JSONObject = ["sku": .string(sku)]
        return .object(head.merging(balance.json))
    }

    static let quarantine = Command(
        "stock.quarantine", .write,
        "Move units out of sale into quarantine (damaged, QC), or back with a negative qty — a supervisor's decision "
            + "(sku, warehouse, qty, note)",
        roleRule: "a supervisor to release units to sale (qty < 0)",
        sharing: .concurrent,
        arguments: [
            .key("sku"),
            .key("warehouse"),
            Argument("qty", .integer, "Units moved into quarantine (negative: back)", required: true, positional: true),
            Argument("note", .text, positional: true),
        ],
        result: ["sku", "quarantined", "warehouse", "on_hand", "reserved", "available", "quarantine", "safety"]
    ) { ctx, f in
        let (sku, warehouse) = try skuAndWarehouse(ctx, f)
        let qty = try f.requiredInt("qty", min: -1_000_000_000_000, max: 1_000_000_000_000)
        guard qty != 0 else { throw OrderCoreError.invalid("qty must not be zero", field: "qty") }
        let note = try f.text("note", maxLength: 500)
        try f.finish()
        // Putting units back on sale (damaged returns among them) is a supervisor's decision.
        if qty < 0 { try ctx.requireRole(.supervisor, to: "releasing quarantined stock to sale") }
        // Out of on-hand first, then into quarantine (or the reverse): each step keeps its bucket >= 0.
        let (from, to): (LedgerEntry.Bucket, LedgerEntry.Bucket) =
            qty > 0 ? (.onHand, .quarantine) : (.quarantine, .onHand)
        try ctx.post(
            LedgerEntry(sku: sku, warehouse: warehouse, bucket: from, delta: -abs(qty), reason: .quarantine, note: note)
        )
        let balance = try ctx.post(
            LedgerEntry(sku: sku, warehouse: warehouse, bucket: to, delta: abs(qty), reason: .quarantine, note: note))
        let head: JSONObject = ["sku": .string(sku), "quarantined": .int(qty)]
        return .object(head.merging(balance.json))
    }

    static let scrap = Command(
        "stock.scrap", .write,
        "Write units off as scrap, from quarantine (default) or on hand — a supervisor's decision (sku, warehouse, "
            + "qty, bucket, note)",
        role: .supervisor,
        sharing: .concurrent,
        arguments: [
            .key("sku"),
            .key("warehouse"),
            Argument("qty", .integer, required: true, positional: true),
            Argument("note", .text, positional: true),
            Argument("bucket", .code, "Which balance (default quarantine)", choices: ["quarantine", "on_hand"]),
        ],
        result: ["sku", "scrapped", "bucket", "warehouse", "on_hand", "reserved", "available", "quarantine"]
    ) { ctx, f in
        let (sku, warehouse) = try skuAndWarehouse(ctx, f)
        let qty = try f.quantity("qty")
        let bucketName = try f.code("bucket") ?? "quarantine"
        guard let bucket = LedgerEntry.Bucket(rawValue: bucketName), bucket == .onHand || bucket == .quarantine else {
            throw OrderCoreError.invalid("bucket must be quarantine or on_hand", field: "bucket")
        }
        let note = try f.text("note", maxLength: 500)
        try f.finish()
        let balance = try ctx.post(
            LedgerEntry(sku: sku, warehouse: warehouse, bucket: bucket, delta: -qty, reason: .scrap, note: note))
        let head: JSONObject = ["sku": .string(sku), "scrapped": .int(qty), "bucket": .string(bucket.rawValue)]
        return .object(head.merging(balance.json))
    }

    /// Reads and checks the `sku` and `warehouse` arguments every stock operation takes, and locks their
    /// balance on PostgreSQL: the figures the command reads, checks and answers with are the ones it changes.
    private static func skuAndWarehouse(_ ctx: CommandContext, _ f: Fields) throws -> (String, String) {
        let sku = try f.requiredCode("sku")
        let warehouse = try f.requiredCode("warehouse")
        _ = try ctx.requireSKU(sku)
        _ = try ctx.requireWarehouse(warehouse)
        try ctx.store.lockBalances(skus: [sku], warehouse: warehouse)
        return (sku, warehouse)
    }

    static let get = Command(
        "stock.get", .read,
        "Show on-hand, reserved and available units of a SKU, per warehouse and in total, and what a channel may sell "
            + "(sku, warehouse, channel)",
        arguments: [
            .key("sku"),
            Argument("warehouse", .code, "One warehouse (default: all)", positional: true),
            Argument("channel", .code, "Also what this channel may sell"),
        ],
        result: ["sku", "on_hand", "reserved", "available", "quarantine", "safety", "in_transit", "warehouses"],
        aliases: ["stock show"]
    ) { ctx, f in
        let sku = try f.requiredCode("sku")
        let warehouse = try f.code("warehouse")
        let channel = try f.code("channel")
        try f.finish()
        _ = try ctx.requireSKU(sku)
        if let warehouse { _ = try ctx.requireWarehouse(warehouse) }
        try ctx.expireStaleReservations(skus: [sku])
        var balances = try ctx.salesBalances(sku: sku, warehouse: warehouse)
        let inTransit = try ctx.store.inTransit(sku: sku).filter { warehouse == nil || $0.key == warehouse }
        for (destination, _) in inTransit.sorted(by: { $0.key < $1.key })
        where !balances.contains(where: { $0.warehouse == destination }) {
            balances.append(StockBalance(sku: sku, warehouse: destination))
        }
        func total(_ value: (StockBalance) -> Int64) -> JSON {
            .int(
                balances.reduce(Int64(0)) { sum, b in
                    sum.addingReportingOverflow(value(b)).overflow ? .max : sum + value(b)
                })
        }
        var result: JSONObject = [
            "sku": .string(sku), "on_hand": total(\.onHand), "reserved": total(\.reserved),
            "available": total(\.available),
            "quarantine": total(\.quarantine), "safety": total(\.safety),
            "in_transit": total { inTransit[$0.warehouse] ?? 0 },
            "warehouses": .array(
                balances.map { b in
                    var json = b.json
                    json["in_transit"] = .int(inTransit[b.warehouse] ?? 0)
                    return .object(json)
                }),
        ]
        if let channel { result["channel"] = .object(try ctx.sellable(sku: sku, channel: channel)) }
        return .object(result)
    }

    static let valuation = Command(
        "stock.valuation", .read,
        "What the stock held (on hand and quarantine) is worth at moving average cost, per SKU and warehouse, "
            + "with totals per currency (sku, warehouse, category, limit)",
        arguments: [
            Argument("sku", .code, "Only this SKU", positional: true),
            Argument("warehouse", .code, "Only this warehouse"),
            Argument("category", .text, "Only SKUs of this category"),
            Argument("limit", .integer, "Rows listed, most valuable first (default 1000; the totals count every row)"),
        ],
        result: ["rows", "totals"]
    ) { ctx, f in
        let filter = Store.ValuationFilter(
            sku: try f.code("sku"), warehouse: try f.code("warehouse"), category: try f.text("category"))
        let limit = try f.int("limit", min: 1, max: 100_000) ?? 1_000
        try f.finish()
        func money(_ value: Int64, _ currency: String) -> JSON {
            .string(Money.format(value, exponent: Money.exponent(of: currency)))
        }
        let (rows, totals) = try ctx.store.valuation(filter, limit: limit)
        return [
            "rows": .array(
                rows.map { r in
                    [
                        "sku": .string(r.sku), "warehouse": .string(r.warehouse), "units": .int(r.units),
                        "value": money(r.value, r.currency),
                        "average_cost": r.units > 0 ? money(r.value / r.units, r.currency) : .null,
                        "currency": .string(r.currency),
                    ]
                }),
            "totals": .array(
                totals.map { t in
                    ["currency": .string(t.currency), "units": .int(t.units), "value": money(t.value, t.currency)]
                }),
        ]
    }

    static let ledger = Command(
        "stock.ledger", .read,
        "List ledger rows oldest first (sku, warehouse, ref_type, ref_id, reason, from, to, limit, after)",
        arguments: [
            Argument("sku", .code, "Only this SKU", positional: true),
            Argument("warehouse", .code, "Only this warehouse", positional: true),
            Argument("ref_type", .code, "Only rows of this document type (order, transfer, count, return...)"),
            Argument("ref_id", .code, "Only rows of this document (order id, transfer id...)", completes: .order),
            Argument("reason", .code, "Only rows of this reason (receive, reserve, ship...)"),
            Argument("from", .time),
            Argument("to", .time),
            Argument("after", .integer),
            .limit,
        ],
        result: ["entries", "next"]
    ) { ctx, f in
        var query = Store.LedgerQuery(
            sku: try f.code("sku"), warehouse: try f.code("warehouse"), refType: try f.code("ref_type"),
            refID: try f.code("ref_id"), reason: try f.code("reason"), from: try f.time("from"),
            to: try f.time("to"), afterID: try f.int("after", min: 0), limit: 0)
        let limit = Int(try f.int("limit", min: 1, max: 1_000) ?? 100)
        try f.finish()
        query.limit = limit + 1
        let rows = try ctx.store.ledger(query)
        let shown = rows.prefix(limit)
        return [
            "entries": .array(shown.map(\.json)),
            "next": rows.count > limit ? shown.last.map { .int($0.id) } ?? .null : .null,
        ]
    }

    static let verify = Command(
        "stock.verify", .read,
        "Recompute every balance from the ledger and list any difference (there should be none)",
        arguments: [],
        result: ["ok", "checked", "differences"]
    ) { ctx, f in
        try f.finish()
        let (checked, differences) = try ctx.stockDifferences()
        return ["ok": .bool(differences.isEmpty), "checked": .int(Int64(checked)), "differences": .array(differences)]
    }
}

extension CommandContext {
    /// Balances recomputed from the ledger, transfers and published channel quantities: every
    /// difference (there should be none).
    func stockDifferences() throws -> (checked: Int, differences: [JSON]) {
        let (checked, balanceDifferences) = try store.ledgerDifferences()
        return (checked, balanceDifferences + (try store.transferDifferences()) + (try store.channelDifferences()))
    }
}
