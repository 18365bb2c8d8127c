enum AllocationCommands {
    static let all = [allocate]

    static let allocate = Command(
        "order.allocate", .write,
        "Choose the warehouses that ship a paid order, or the rest of one partly shipped (by ship-to region, "
            + "priority and distance); moves its reservations there (order_id)",
        sharing: .concurrent,
        arguments: [
            .orderID
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        try f.finish()
        var order = try ctx.requireOrder(id)
        let next = try ctx.next(order, "order.allocate")
        let lines = try ctx.store.lines(orderRowID: order.rowID)
        let held = try ctx.store.activeReservations(orderRowID: order.rowID)
        let current = held.map {
            Allocator.Take(lineNo: $0.lineNo, sku: $0.sku, warehouse: $0.warehouse, qty: $0.qty)
        }.sorted(by: takeOrder)
        let transfers = Allocator.TransferRules(
            radiusKm: try ctx.intSetting(.transferRadiusKm),
            leadDays: (try ctx.value(of: .transferLeadDays).objectValue?.pairs ?? []).reduce(into: [:]) {
                $0[$1.key] = $1.value.intValue
            })
        func plan() throws -> Allocator.Result {
            // Cancelled units (refunded before they left) are held nowhere, nor are those gone.
            Allocator.plan(
                lines.compactMap {
                    let left = $0.notCancelled - $0.quantity(.shipped)
                    return left > 0 ? ($0.lineNo, $0.sku, left) : nil
                },
                sites: try ctx.allocationSites(order, lines: lines, held: held), transfers: transfers)
        }
        var result = try plan()
        // A plan on a plain read is all it takes while the holds stay where they are. Holds that move take
        // balance rows other hosts' checkouts wait for: on PostgreSQL those rows are then locked (in SKU,
        // then warehouse order) and the plan made again on what they hold now, so its holds are made.
        if result.decision != .backorder, result.takes.sorted(by: takeOrder) != current, ctx.store.db.locksRowsRead {
            try ctx.store.lockBalances(skus: Array(Set(lines.map(\.sku))))
            result = try plan()
        }

        let decision = result.json(region: order.shipTo["region"], at: ctx.at)
        try ctx.store.setAllocation(orderRowID: order.rowID, decision)

        if result.decision == .backorder {
            try ctx.store.openAlert(kind: "backorder", orderID: id, at: ctx.at, details: decision)
        } else {
            if current != result.takes.sorted(by: takeOrder) {
                // A partly shipped order's units picked or packed stay where they are: its holds cannot move.
                if order.state == .partiallyShipped, try ctx.hasUnitsInHand(order, lines: lines) {
                    throw OrderCoreError(
                        .conflict,
                        "order \(id) would ship from elsewhere, but units it picked or packed have not left: pack "
                            + "and ship them first", details: ["order_id": .string(id)])
                }
                // Move the holds: give back what the order holds, then hold where it ships from.
                try ctx.releaseReservations(of: order, reason: .release)
                let percent = try ctx.sellPercent()
                for take in result.takes {
                    try ctx.hold(
                        order, lineNo: take.lineNo, sku: take.sku, warehouse: take.warehouse, qty: take.qty,
                        expiresAt: nil,
                        counted: try ctx.store.channelSKU(channel: order.channel, sku: take.sku) != nil,
                        sellPercent: percent)
                }
            }
            try ctx.store.allocateLines(orderRowID: order.rowID)
            try ctx.store.clearOrderAlerts(kind: "backorder", orderID: id, at: ctx.at)
        }
        // A backorder stays where it is, and so does a partly shipped order; the decision is in its timeline.
        try ctx.transition(
            &order, to: result.decision == .backorder || order.state == .partiallyShipped ? order.state : next,
            command: "order.allocate",
            details: decision)
        return try ctx.document(order)
    }

    private static func takeOrder(_ a: Allocator.Take, _ b: Allocator.Take) -> Bool {
        (a.lineNo, a.warehouse, a.qty) < (b.lineNo, b.warehouse, b.qty)
    }
}

extension CommandContext {
    /// The warehouses that may ship an order (active, serving its channel, the pinned one if any) with
    /// what each can give it: available units plus those the order already holds there.
    func allocationSites(
        _ order: Order, lines: [OrderLine],
        held: [Hold]
    ) throws
        -> [Allocator.Site]
    {
        let serving = Set(try store.channel(order.channel)?.warehouses ?? [])
        let regions = try order.shipTo["region"].map { try store.warehousesFor(region: $0) } ?? [:]
        let locations = try store.locations()
        var balances: [String: [String: StockBalance]] = [:]  // sku -> warehouse -> balance
        for sku in Set(lines.map(\.sku)) {
            balances[sku] = Dictionary(
                uniqueKeysWithValues: try salesBalances(sku: sku, activeOnly: true).map { ($0.warehouse, $0) })
        }
        return try store.activeWarehouses()
            .filter {
                (serving.isEmpty || serving.contains($0.warehouse))
                    && (order.pinnedWarehouse == nil || order.pinnedWarehouse == $0.warehouse)
            }
            .map { site in
                var capacity: [String: Int64] = [:]
                for (sku, bySite) in balances {
                    guard var balance = bySite[site.warehouse] else { continue }
                    balance.reserved -= held.filter { $0.sku == sku && $0.warehouse == site.warehouse }.reduce(0) {
                        $0 + $1.qty
                    }
                    capacity[sku] = balance.available
                }
                let region = regions[site.warehouse]
                return Allocator.Site(
                    warehouse: site.warehouse, priority: site.priority, local: region?.serves ?? false,
                    distance: region?.distance, capacity: capacity, location: locations[site.warehouse])
            }
    }
}
