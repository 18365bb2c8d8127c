extension CommandContext {
    /// Gives the units that became available in this command (`Store.freedSKUs`: received, counted up,
    /// released by another order, out of safety stock) to the orders sold short of them, oldest first,
    /// before anyone else may take them: the channels sold those units already, so a new order, or the
    /// sellable quantity published to the channels, must not count them again. Each order's short units are
    /// held as its others are (the warehouses serving its channel, its pinned one), counted sold when it is,
    /// written in its timeline (`order.backorder_filled`), and its `backorder` alert clears when none is
    /// short. Every write command ends with it (`finish`), and one that shows balances runs it first
    /// (`stock.receive`).
    /// - Returns: the units given, per order and line.
    @discardableResult
    func fillBackorders() throws -> [JSON] {
        let freed = store.freedSKUs
        store.freedSKUs = []
        guard !freed.isEmpty else { return [] }
        var filled: [JSON] = []
        var left = freed  // the SKUs with units still available somewhere
        let percent = try sellPercent()
        for id in try store.backorderedOrders(skus: freed.sorted()) {
            // An order that cannot take its units now (its pinned warehouse no longer serves its channel) waits
            // for `order.allocate`, as before: it never fails the command that freed them.
            do {
                guard let outcome = try store.savepoint({ try fill(id, freed: left) }) else { continue }
                if !outcome.units.isEmpty { filled.append(["order_id": .string(id), "units": .array(outcome.units)]) }
                // Given all it asked for: units may be left for the next order.
                if outcome.all { continue }
            } catch let error where !Engine.runsAgain(error) && !Engine.fatalCodes.contains(Engine.wrap(error).code) {
            }
            // A thousand orders sold short of a SKU are not each looked at once its units are gone.
            let balances = try store.balances(skus: left.sorted(), activeOnly: true)
            left = left.filter { sku in
                (balances[sku] ?? []).contains { b in
                    var balance = b
                    balance.sellPercent = percent
                    return balance.available > 0
                }
            }
            if left.isEmpty { break }
        }
        return filled
    }

    /// Holds for order `id` what it is short of among the `freed` SKUs, as far as they go.
    /// - Returns: the units held per line and warehouse, and whether they are all it asked for; nil when it is
    ///   short of none of them.
    private func fill(_ id: String, freed: Set<String>) throws -> (units: [JSON], all: Bool)? {
        var order = try requireOrder(id)
        let lines = try store.lines(orderRowID: order.rowID)
        // The short units of each line, as lines of their own: what the plan must find (the rest of the line
        // counted out, its price and discount kept: a SKU's units go to its dearest lines first).
        let short: [OrderLine] = lines.compactMap { line in
            // Never more than is left to ship and not held.
            let left = line.notCancelled - line.quantity(.shipped) - line.quantity(.reserved)
            let missing = min(line.quantity(.backordered), left)
            guard missing > 0, freed.contains(line.sku) else { return nil }
            var wanted = line
            wanted.quantities = [.cancelled: line.qty - missing]
            return wanted
        }
        guard !short.isEmpty else { return nil }
        let planned = try planReservation(
            channel: order.channel, lines: short, warehouse: order.pinnedWarehouse, backorder: true)
        guard !planned.takes.isEmpty else { return ([], false) }
        try recordSales(of: order, planned.takes)
        let takes = try makeHolds(order, planned, expiresAt: order.expiresAt)
        var units: [JSON] = []
        var taken: [Int64: Int64] = [:]  // by line
        for take in takes {
            try store.addLineQuantity(.backordered, orderRowID: order.rowID, lineNo: take.lineNo, qty: -take.qty)
            taken[take.lineNo, default: 0] += take.qty
            units.append([
                "line_no": .int(take.lineNo), "sku": .string(take.sku), "warehouse": .string(take.warehouse),
                "qty": .int(take.qty),
            ])
        }
        let stillMissing = lines.compactMap { line -> JSON? in
            let missing = line.quantity(.backordered) - (taken[line.lineNo] ?? 0)
            guard missing > 0 else { return nil }
            return Self.shortEntry(line, missing)
        }
        try settleBackorder(orderID: id, short: stillMissing)
        try transition(
            &order, to: order.state, command: "order.backorder_filled",
            details: ["units": .array(units), "short": .bool(!stillMissing.isEmpty)])
        return (units, short.allSatisfy { $0.qty == taken[$0.lineNo] })
    }
}
