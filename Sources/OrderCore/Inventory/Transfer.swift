/// Stock moving between two warehouses: out of the source when created, into the destination as it
/// is received (in part or in full).
struct Transfer {
    /// The members of the transfer document, as the commands that answer with it declare.
    static let members = [
        "transfer_id", "from", "to", "state", "reference", "created_at", "updated_at", "closed_by", "close_reason",
        "lines",
    ]

    /// `closed`: closed short, what had not arrived lost on the way.
    enum State: String { case inTransit = "in_transit", partiallyReceived = "partially_received", received, closed }

    struct Line {
        var sku: String
        var qty: Int64
        var received: Int64
        var lost: Int64
        var inTransit: Int64 { qty - received - lost }
    }

    var rowID: Int64
    var transferID: String
    var from: String
    var to: String
    var state: State
    var reference: String?
    var createdAt: Int64
    var updatedAt: Int64
    var closedBy: String?
    var closeReason: String?

    func json(lines: [Line]) -> JSON {
        [
            "transfer_id": .string(transferID), "from": .string(from), "to": .string(to),
            "state": .string(state.rawValue),
            "reference": .optional(reference), "created_at": .string(Timestamp.format(createdAt)),
            "updated_at": .string(Timestamp.format(updatedAt)), "closed_by": .optional(closedBy),
            "close_reason": .optional(closeReason),
            "lines": .array(
                lines.map {
                    [
                        "sku": .string($0.sku), "qty": .int($0.qty), "received": .int($0.received),
                        "lost": .int($0.lost), "in_transit": .int($0.inTransit),
                    ]
                }),
        ]
    }
}

/// `[{"sku": .., "qty": ..}]` arguments (counts, transfers): each SKU once, quantities checked.
struct SKUQuantities {
    var items: [(sku: String, qty: Int64)] = []

    init(_ f: Fields, key: String, allowZero: Bool) throws {
        guard let entries = try f.objects(key, maxCount: 10_000), !entries.isEmpty else {
            throw OrderCoreError.invalid("\(key) is required: a list of {\"sku\": ..., \"qty\": ...}", field: key)
        }
        var seen = Set<String>()
        for entry in entries {
            let sku = try entry.requiredCode("sku")
            let qty = allowZero ? try entry.requiredInt("qty", min: 0) : try entry.quantity("qty")
            try entry.finish()
            guard seen.insert(sku).inserted else {
                throw OrderCoreError.invalid(
                    "\(sku) appears twice in \(key); list each SKU once", field: entry.name("sku"))
            }
            items.append((sku, qty))
        }
    }
}

enum TransferCommands {
    static let all = [create, receive, close, get]

    static let create = Command(
        "stock.transfer", .write,
        "Send available units from one warehouse to another (from, to, lines [{sku, qty}], reference); they are in "
            + "transit until received",
        sharing: .concurrent,
        arguments: [
            Argument("from", .code, "The sending warehouse", required: true, positional: true, completes: .warehouse),
            Argument("to", .code, "The receiving warehouse", required: true, positional: true, completes: .warehouse),
            Argument("lines", .lines, "The units sent: [{\"sku\",\"qty\"}]", required: true),
            Argument("reference", .code),
        ],
        result: Transfer.members,
        aliases: ["transfer create"]
    ) { ctx, f in
        let from = try f.requiredCode("from")
        let to = try f.requiredCode("to")
        let lines = try SKUQuantities(f, key: "lines", allowZero: false)
        let reference = try f.code("reference")
        try f.finish()
        guard from != to else {
            throw OrderCoreError.invalid("from and to are the same warehouse (\(from))", field: "to")
        }
        _ = try ctx.requireWarehouse(from, field: "from")
        _ = try ctx.requireWarehouse(to, field: "to")
        for (sku, _) in lines.items { _ = try ctx.requireSKU(sku) }
        try ctx.expireStaleReservations(skus: lines.items.map(\.sku))
        try ctx.store.lockBalances(skus: lines.items.map(\.sku), warehouse: from)

        let transfer = try ctx.store.insertTransfer(from: from, to: to, reference: reference, at: ctx.at)
        for (sku, qty) in lines.items {
            // A transfer is a decision, not a discovery: it may only move units nobody was promised.
            let available = try ctx.store.balances(sku: sku, warehouse: from).first?.available ?? 0
            guard qty <= available else {
                throw OrderCoreError(
                    .insufficientStock,
                    "insufficient stock for \(sku) in \(from): transferring \(qty), available \(available)",
                    details: [
                        "sku": .string(sku), "warehouse": .string(from), "requested": .int(qty),
                        "available": .int(available),
                    ])
            }
            try ctx.store.insertTransferLine(transferRowID: transfer.rowID, sku: sku, qty: qty)
            try ctx.post(
                LedgerEntry(
                    sku: sku, warehouse: from, bucket: .onHand, delta: -qty, reason: .transferOut,
                    refType: "transfer", refID: transfer.transferID))
        }
        return transfer.json(lines: try ctx.store.transferLines(transferRowID: transfer.rowID))
    }

    static let receive = Command(
        "stock.transfer_receive", .write,
        "Receive a transfer at its destination, in full or in part (transfer_id, lines [{sku, qty}] = everything "
            + "outstanding)",
        sharing: .concurrent,
        arguments: [
            Argument("transfer_id", .code, required: true, positional: true),
            Argument("lines", .lines, "The units that arrived (default: all in transit)"),
        ],
        result: Transfer.members,
        aliases: ["transfer receive"]
    ) { ctx, f in
        let id = try f.requiredCode("transfer_id")
        let partial = f.has("lines") ? try SKUQuantities(f, key: "lines", allowZero: false) : nil
        try f.finish()
        var transfer = try requireOpenTransfer(ctx, id)
        let lines = try ctx.store.transferLines(transferRowID: transfer.rowID)
        let outstanding: [(sku: String, qty: Int64)] = lines.map { ($0.sku, $0.inTransit) }.filter { $0.qty > 0 }
        let arriving = partial?.items ?? outstanding
        try ctx.store.lockBalances(skus: arriving.map(\.sku), warehouse: transfer.to)
        for (sku, qty) in arriving {
            guard let line = lines.first(where: { $0.sku == sku }) else {
                throw OrderCoreError.invalid("\(sku) is not on transfer \(id)", field: "lines")
            }
            guard qty <= line.inTransit else {
                throw OrderCoreError.invalid(
                    "receiving \(qty) \(sku) but only \(line.inTransit) are in transit on \(id)", field: "lines")
            }
            try ctx.store.addReceived(transferRowID: transfer.rowID, sku: sku, qty: qty)
            try ctx.post(
                LedgerEntry(
                    sku: sku, warehouse: transfer.to, bucket: .onHand, delta: qty, reason: .transferIn,
                    refType: "transfer", refID: id, unitCost: try ctx.store.transferUnitCost(transferID: id, sku: sku)))
        }
        let after = try ctx.store.transferLines(transferRowID: transfer.rowID)
        transfer.state = after.allSatisfy { $0.received == $0.qty } ? .received : .partiallyReceived
        transfer.updatedAt = ctx.at
        try ctx.store.setTransferState(rowID: transfer.rowID, state: transfer.state, at: ctx.at)
        if transfer.state == .received { try ctx.store.clearRefAlerts(kind: "transfer_overdue", ref: id, at: ctx.at) }
        return transfer.json(lines: after)
    }

    static let close = Command(
        "stock.transfer_close", .write,
        "Close a transfer short: the units that have not arrived are lost on the way, in transit no more "
            + "(transfer_id, reason); a write-off",
        role: .supervisor,
        sharing: .concurrent,
        arguments: [
            Argument("transfer_id", .code, required: true, positional: true),
            Argument("reason", .text, "What happened to them (lost, stolen, damaged on the way)", required: true),
        ],
        result: Transfer.members,
        aliases: ["transfer close"]
    ) { ctx, f in
        let id = try f.requiredCode("transfer_id")
        let reason = try f.requiredReason("the units never arrived")
        try f.finish()
        var transfer = try requireOpenTransfer(ctx, id)
        // They left the sending warehouse's stock when the transfer was made and never reached the other's: no
        // balance moves, and the transfer keeps what was lost, by whom and why.
        try ctx.store.closeTransfer(rowID: transfer.rowID, by: ctx.actor, reason: reason, at: ctx.at)
        try ctx.store.clearRefAlerts(kind: "transfer_overdue", ref: id, at: ctx.at)
        transfer.state = .closed
        transfer.closedBy = ctx.actor
        transfer.closeReason = reason
        transfer.updatedAt = ctx.at
        return transfer.json(lines: try ctx.store.transferLines(transferRowID: transfer.rowID))
    }

    /// Transfers with units still in transit `transfers.overdue_days` after they left get a
    /// `transfer_overdue` alert (run by `sweep`): units lost on the way are in neither warehouse, and nothing
    /// else would show them. Returns how many are overdue.
    static func flagOverdue(_ ctx: CommandContext) throws -> Int {
        let days = try ctx.intSetting(.transferOverdueDays)
        let overdue = try ctx.store.overdueTransfers(before: ctx.at - days * 86_400_000)
        for (transfer, units) in overdue {
            try ctx.store.openAlert(
                kind: "transfer_overdue", ref: transfer.transferID, at: ctx.at,
                details: [
                    "transfer_id": .string(transfer.transferID), "from": .string(transfer.from),
                    "to": .string(transfer.to), "in_transit": .int(units),
                    "sent_at": .string(Timestamp.format(transfer.createdAt)), "days": .int(days),
                ])
        }
        return overdue.count
    }

    static let get = Command(
        "stock.transfer_get", .read, "Show a transfer with what is still in transit (transfer_id)",
        arguments: [
            Argument("transfer_id", .code, required: true, positional: true)
        ],
        result: Transfer.members,
        aliases: ["transfer get"]
    ) { ctx, f in
        let id = try f.requiredCode("transfer_id")
        try f.finish()
        let transfer = try requireTransfer(ctx, id)
        return transfer.json(lines: try ctx.store.transferLines(transferRowID: transfer.rowID))
    }

    private static func requireTransfer(_ ctx: CommandContext, _ id: String) throws -> Transfer {
        guard let transfer = try ctx.store.transfer(id: id) else {
            throw OrderCoreError(.notFound, "transfer '\(id)' does not exist", details: ["transfer_id": .string(id)])
        }
        return transfer
    }

    /// A transfer with units still in transit: one received in full, or closed, is `conflict`.
    private static func requireOpenTransfer(_ ctx: CommandContext, _ id: String) throws -> Transfer {
        let transfer = try requireTransfer(ctx, id)
        guard transfer.state == .inTransit || transfer.state == .partiallyReceived else {
            throw OrderCoreError(
                .conflict,
                "transfer \(id) has been "
                    + (transfer.state == .received ? "received in full" : "closed, what had not arrived lost"),
                details: ["transfer_id": .string(id), "state": .string(transfer.state.rawValue)])
        }
        return transfer
    }
}
