/// State changes shared by several commands: reserving, releasing, expiring, and the audit trail.
extension CommandContext {
    /// Records a transition in the order's timeline.
    func record(_ order: Order, from: OrderState?, command: String, details: JSON = .object([:])) throws {
        try store.appendEvent(
            orderRowID: order.rowID, at: at, actor: actor, from: from, to: order.state, command: command,
            details: details)
        if from != order.state || ChangeFeed.moneyCommands.contains(command) {
            feedOrder(order, from: from, command: command)
        }
    }

    /// The state `command` moves `order` to (from `stage`, when it is not the order's state: a held order's
    /// payment); a refusal names what the order allows now (`allowed`).
    func next(_ order: Order, _ command: String, from stage: OrderState? = nil) throws -> OrderState {
        do throws(OrderCoreError) {
            if let stage { return try stage.next(command, orderID: order.orderID, allowed: []) }
            return try order.next(command)
        } catch {
            guard error.code == .conflict else { throw error }
            throw (stage ?? order.state).refusal(command, orderID: order.orderID, allowed: try allowed(order))
        }
    }

    /// What may move `order` on now: its state's commands (`Order.nextCommands`) less those its units and
    /// parcels leave nothing to do for — packing with every unit packed, unpacking with no parcel waiting,
    /// shipping with none waiting that the weight check has not held, delivering with every shipment
    /// delivered. Read for a refusal only.
    func allowed(_ order: Order) throws -> [String] {
        let commands = order.nextCommands
        guard commands.contains(where: ["order.pack", "order.unpack", "order.ship", "order.deliver"].contains) else {
            return commands
        }
        let lines = try store.lines(orderRowID: order.rowID)
        let waiting = try store.parcels(orderRowID: order.rowID).filter { $0.shipment == nil }
        let shipments = try store.shipments(orderRowID: order.rowID)
        let possible = [
            "order.pack": lines.contains { $0.quantity(.allocated) > $0.quantity(.packed) },
            "order.unpack": !waiting.isEmpty,
            "order.ship": waiting.contains { $0.state == .packed },
            "order.deliver": shipments.contains { $0.state != "delivered" },
        ]
        return commands.filter { possible[$0] ?? true }
    }

    /// Moves an order to `state`: applies `change`, stamps and stores the order, and records the
    /// transition in its timeline.
    func transition(
        _ order: inout Order, to state: OrderState, command: String, details: JSON = .object([:]),
        change: (inout Order) -> Void = { _ in }
    ) throws {
        let from = order.state
        order = moved(order, to: state, change: change)
        try store.update(order, from: from)
        try record(order, from: from, command: command, details: details)
    }

    /// The order moved to `state` with `change` applied, stamped, not stored.
    func moved(_ order: Order, to state: OrderState, change: (inout Order) -> Void = { _ in }) -> Order {
        var next = order
        if next.state != state { next.stateSince = at }
        next.state = state
        change(&next)
        next.updatedAt = at
        return next
    }

    /// A reservation planned and checked, not yet made (`makeHolds`).
    struct PlannedReservation {
        var takes: [ReservationPlanner.Take]
        /// The SKUs whose units count against the channel's cap.
        var counted: Set<String>
        var sellPercent: Int64
        /// The balances are taken already (`takeFromTheOneWarehouse`): the holds are only recorded.
        var taken = false
        /// A channel's order, planned to take what is available and leave the rest short: a balance that
        /// refuses its hold (another host took the units since the plan's read) runs the command again on
        /// fresh reads, where an order that may be refused is refused (`insufficient_stock`).
        var backorder = false
    }

    /// On PostgreSQL, sends the reads `planReservation` makes first, to come back with the next read (a
    /// read already sent is not sent again). Limits exist only for registered channels (a foreign key),
    /// and most channels have none: asked with the balances. Nothing on SQLite.
    func sendPlanReads(channel code: String, skus: [String], warehouse: String?, backorder: Bool) throws {
        guard store.db.dialect == .postgresql else { return }
        if !backorder, try store.channel(code) != nil { try store.prefetchHasChannelLimits(channel: code) }
        try store.prefetch([Store.reservableBalancesRead(skus: skus, warehouse: warehouse, at: at)])
    }

    /// The SKUs of an order's lines, each once, in the order of the lines.
    static func distinctSKUs(_ skus: [String]) -> [String] {
        var seen = Set<String>()
        return skus.filter { seen.insert($0).inserted }
    }

    /// Plans reserving every line of an order, all or nothing, from the warehouses serving its channel
    /// and within the channel's caps; reads and checks, writes nothing.
    /// - Throws: `insufficient_stock` naming the SKU (with `reason` `channel_closed` or `channel_cap` when
    ///   the channel's limits refuse it); `conflict` for an inactive channel.
    /// - Parameter backorder: the channel has already sold the order: plan what is available and leave
    ///   the rest short instead of failing; the channel's switch and caps do not refuse it.
    func planReservation(
        channel code: String, lines: [OrderLine], warehouse: String?, backorder: Bool = false
    ) throws -> PlannedReservation {
        let channel = try store.channel(code)
        if let channel, !channel.active, !backorder {
            throw OrderCoreError(
                .conflict, "channel \(channel.channel) is inactive", details: ["channel": .string(channel.channel)])
        }
        let serving = Set(channel?.warehouses ?? [])
        if let warehouse, !serving.isEmpty, !serving.contains(warehouse) {
            throw OrderCoreError.invalid(
                "warehouse \(warehouse) does not serve channel \(code)", field: "warehouse")
        }
        let mayBeLimited = channel != nil && !backorder
        let skus = Self.distinctSKUs(lines.map(\.sku))
        try sendPlanReads(channel: code, skus: skus, warehouse: warehouse, backorder: backorder)
        let percent = try sellPercent()
        // Holds that lapsed on these balances are released first (lazy expiry), found by the same read.
        var (balances, lapsed) = try store.reservableBalances(skus: skus, warehouse: warehouse, at: at)
        let limited = try mayBeLimited && store.hasChannelLimits(channel: code)
        if lapsed {
            try expireStaleReservations(skus: skus)
            // What they gave back goes first to orders sold short of it, as units freed by any command do (a
            // fill's own plan, or a channel's order, which is sold already, takes what is there).
            if !backorder { try fillBackorders() }
            balances = try store.balances(skus: skus, warehouse: warehouse, activeOnly: true)
        }
        // The order's SKUs' caps in one query on PostgreSQL (a round trip), point lookups on SQLite.
        let limits = limited ? try store.channelSKUs(channels: [code], skus: skus)[code] ?? [:] : [:]
        var sources: [String: [ReservationPlanner.Source]] = [:]
        for sku in skus {
            sources[sku] = (balances[sku] ?? [])
                .filter { serving.isEmpty || serving.contains($0.warehouse) }
                .map { b in
                    var balance = b
                    balance.sellPercent = percent
                    return ReservationPlanner.Source(warehouse: b.warehouse, available: balance.available)
                }
        }
        try checkChannelLimits(limits, lines: lines, channel: code)
        // Sold short, a SKU's units go to its lines in the planner's order: the dearest first, so what waits is
        // what cost least (a free gift of the item bought), never the units paid for.
        let plan = try ReservationPlanner.plan(
            (backorder ? Self.dearestFirst(lines) : lines).filter { $0.notCancelled > 0 }.map {
                .init(lineNo: $0.lineNo, sku: $0.sku, qty: $0.notCancelled)
            },
            sources: sources,
            allowShort: backorder)
        return PlannedReservation(takes: plan, counted: Set(limits.keys), sellPercent: percent, backorder: backorder)
    }

    /// `lines` with those of each SKU on several lines reordered among their places, the dearest unit first (its
    /// price less its share of the line's discount; the order's discounts spread over lines by value do not
    /// change the order), in line order when equal.
    static func dearestFirst(_ lines: [OrderLine]) -> [OrderLine] {
        let shared = Dictionary(grouping: lines.indices, by: { lines[$0].sku }).values.filter { $0.count > 1 }
        guard !shared.isEmpty else { return lines }
        let nets = OrderTotals.lineNets(lines, orderDiscount: 0, taxesIncluded: true)
        var ordered = lines
        for places in shared {
            let ranked = places.sorted { a, b in
                let (left, right) = (
                    nets[a].multipliedFullWidth(by: max(lines[b].qty, 1)),
                    nets[b].multipliedFullWidth(by: max(lines[a].qty, 1))
                )
                return left != right ? left > right : a < b
            }
            for (place, i) in zip(places.sorted(), ranked) { ordered[place] = lines[i] }
        }
        return ordered
    }

    /// On SQLite, the holds of an order that one warehouse serves, taken by the guarded writes alone when
    /// its stock covers every line and no hold on those balances has lapsed. `planReservation` would then
    /// take each line from that warehouse, so its read of the balances is not needed. Nil, with nothing
    /// taken, when another warehouse could serve, the channel has limits or is inactive, or a balance is
    /// short or has lapsed holds: the caller plans as usual (which also sweeps the lapsed holds).
    func takeFromTheOneWarehouse(
        channel code: String, lines: [OrderLine], warehouse pinned: String?, backorder: Bool
    ) throws -> PlannedReservation? {
        guard store.db.dialect == .sqlite, !lines.isEmpty else { return nil }
        let channel = try store.channel(code)
        if let channel, !channel.active, !backorder { return nil }
        let serving = channel?.warehouses ?? []
        let candidates = try pinned.map { [$0] } ?? (serving.count == 1 ? serving : store.activeWarehouses(limit: 2))
        guard candidates.count == 1, let warehouse = candidates.first, serving.isEmpty || serving.contains(warehouse)
        else { return nil }
        if channel != nil, !backorder, try store.hasChannelLimits(channel: code) { return nil }
        // The units of each SKU (one balance each), in SKU order, as `takeStock` takes them.
        var demand: [String: Int64] = [:]
        for line in lines {
            let (sum, overflow) = demand[line.sku, default: 0].addingReportingOverflow(line.qty)
            guard !overflow else { return nil }  // planReservation says so
            demand[line.sku] = sum
        }
        let percent = try sellPercent()
        var taken: [(sku: String, qty: Int64)] = []
        for (sku, qty) in demand.sorted(by: { $0.key < $1.key }) {
            guard try store.reserveIfClear(sku: sku, warehouse: warehouse, qty: qty, sellPercent: percent, at: at)
            else {
                for unit in taken { try store.add(-unit.qty, to: .reserved, sku: unit.sku, warehouse: warehouse) }
                return nil
            }
            taken.append((sku, qty))
        }
        let takes = lines.map {
            ReservationPlanner.Take(lineNo: $0.lineNo, sku: $0.sku, warehouse: warehouse, qty: $0.qty)
        }
        return PlannedReservation(takes: takes, counted: [], sellPercent: percent, taken: true)
    }

    /// Makes the holds of a planned reservation. The conditional writes are the real guard: they cannot
    /// reserve what is not available, or count past a channel cap, whatever was planned.
    /// - Parameter linesStored: false when the caller stores the lines afterwards with their reserved units.
    /// - Returns: the holds made.
    @discardableResult
    func makeHolds(
        _ order: Order, _ planned: PlannedReservation, expiresAt: Int64?, linesStored: Bool = true
    ) throws -> [ReservationPlanner.Take] {
        // The holds are recorded in the plan's order (a split line lists its preferred warehouse first);
        // then the balance and cap rows, the ones other orders wait for, are taken last, in one order
        // (SKU, then warehouse) by every writer, so two orders sharing SKUs wait for each other instead
        // of deadlocking on PostgreSQL.
        try recordHolds(
            order, planned.takes, expiresAt: expiresAt, counted: planned.counted, linesStored: linesStored)
        try takeStock(order, planned)
        return planned.takes
    }

    /// Takes the balance (and cap) rows of recorded holds, in SKU, then warehouse order: the balances
    /// all at once (one statement on PostgreSQL) when no SKU counts against a cap.
    func takeStock(_ order: Order, _ planned: PlannedReservation) throws {
        guard planned.counted.isEmpty else {
            for take in planned.takes.sorted(by: { ($0.sku, $0.warehouse) < ($1.sku, $1.warehouse) }) {
                try takeStock(
                    order, sku: take.sku, warehouse: take.warehouse, qty: take.qty,
                    counted: planned.counted.contains(take.sku), sellPercent: planned.sellPercent)
            }
            return
        }
        try store.reserve(Self.units(planned.takes), sellPercent: planned.sellPercent) { sku, warehouse -> any Error in
            guard planned.backorder else { return OrderCoreError.shortOf(sku: sku, warehouse: warehouse) }
            return Store.Stale(what: "the stock of \(sku) in \(warehouse)")
        }
    }

    /// The units of `takes` per balance, in SKU, then warehouse order: two lines of one SKU from one
    /// warehouse take from one balance.
    private static func units(_ takes: [ReservationPlanner.Take]) -> [(sku: String, warehouse: String, qty: Int64)] {
        var units: [(sku: String, warehouse: String, qty: Int64)] = []
        for take in takes.sorted(by: { ($0.sku, $0.warehouse) < ($1.sku, $1.warehouse) }) {
            if let last = units.last, last.sku == take.sku, last.warehouse == take.warehouse {
                units[units.count - 1].qty += take.qty
            } else {
                units.append((take.sku, take.warehouse, take.qty))
            }
        }
        return units
    }

    /// Reserves units of one order line in one warehouse. The conditional writes are the real guard:
    /// they cannot reserve what is not available, or count past a channel cap, whatever the caller planned.
    func hold(
        _ order: Order, lineNo: Int64, sku: String, warehouse: String, qty: Int64, expiresAt: Int64?, counted: Bool,
        sellPercent: Int64
    ) throws {
        try takeStock(order, sku: sku, warehouse: warehouse, qty: qty, counted: counted, sellPercent: sellPercent)
        try recordHolds(
            order, [.init(lineNo: lineNo, sku: sku, warehouse: warehouse, qty: qty)], expiresAt: expiresAt,
            counted: counted ? [sku] : [])
    }

    /// Moves `qty` units of a balance from available to reserved, and counts them against the channel's
    /// cap when `counted`, or refuses when they are not available.
    private func takeStock(
        _ order: Order, sku: String, warehouse: String, qty: Int64, counted: Bool, sellPercent: Int64
    ) throws {
        try store.reserve(
            sku: sku, warehouse: warehouse, qty: qty, sellPercent: sellPercent,
            else: OrderCoreError.shortOf(sku: sku, warehouse: warehouse))
        if counted {
            try store.countAgainstCap(
                channel: order.channel, sku: sku, qty: qty,
                else: OrderCoreError(
                    .insufficientStock, "channel \(order.channel) may not sell more \(sku)",
                    details: ["sku": .string(sku), "channel": .string(order.channel), "reason": "channel_cap"]))
        }
    }

    /// Records units `takeStock` moves as holds of order lines: the reservations, the lines' reserved
    /// units (`linesStored`), the ledger rows (`counted`: the SKUs whose units count against the cap).
    func recordHolds(
        _ order: Order, _ takes: [ReservationPlanner.Take], expiresAt: Int64?, counted: Set<String>,
        linesStored: Bool = true
    ) throws {
        try store.insertReservations(
            orderRowID: order.rowID,
            takes.map { ($0.lineNo, $0.sku, $0.warehouse, $0.qty, counted.contains($0.sku)) }, expiresAt: expiresAt)
        if linesStored {
            for take in takes { try store.addReserved(orderRowID: order.rowID, lineNo: take.lineNo, qty: take.qty) }
        }
        try store.appendUnvalued(
            takes.map {
                LedgerEntry(
                    sku: $0.sku, warehouse: $0.warehouse, bucket: .reserved, delta: $0.qty, reason: .reserve,
                    refType: "order", refID: order.orderID)
            }, at: at, actor: actor)
    }

    /// Refuses, before anything is reserved, SKUs the channel is closed for or whose demand exceeds
    /// the channel's remaining cap, naming the first such line.
    private func checkChannelLimits(_ limits: [String: ChannelSKU], lines: [OrderLine], channel: String) throws {
        var demand: [String: Int64] = [:]
        // At most OrderDraft.maxLines lines of at most 10^9 units each: the sums cannot overflow.
        for line in lines { demand[line.sku, default: 0] += line.qty }
        for line in lines {
            guard let limit = limits[line.sku] else { continue }
            if !limit.open {
                throw OrderCoreError(
                    .insufficientStock,
                    "channel \(channel) is closed for \(line.sku)\(limit.closedReason.map { " (\($0))" } ?? "")",
                    details: [
                        "sku": .string(line.sku), "channel": .string(channel), "reason": "channel_closed",
                        "requested": .int(demand[line.sku] ?? 0), "available": 0,
                    ])
            }
            if let remaining = limit.remaining, (demand[line.sku] ?? 0) > remaining {
                throw OrderCoreError(
                    .insufficientStock,
                    "channel \(channel) may sell \(remaining) more \(line.sku) (cap \(limit.cap ?? 0)); requested "
                        + "\(demand[line.sku] ?? 0)",
                    details: [
                        "sku": .string(line.sku), "channel": .string(channel), "reason": "channel_cap",
                        "requested": .int(demand[line.sku] ?? 0), "available": .int(remaining),
                    ])
            }
        }
    }

    /// An order's active holds in SKU, then warehouse order: the order every writer locks balance rows in
    /// (`reserve`).
    private func activeHolds(of order: Order) throws -> [Hold] {
        try store.activeReservations(orderRowID: order.rowID).sorted {
            ($0.sku, $0.warehouse, $0.id) < ($1.sku, $1.warehouse, $1.id)
        }
    }

    typealias Hold = (id: Int64, lineNo: Int64, sku: String, warehouse: String, qty: Int64, channelCounted: Bool)

    /// Gives back `qty` units of an active hold (all of them closes it): its balance, its channel cap, its
    /// line's reserved units and a ledger row. The hold is changed first, and only while still active:
    /// units another writer released in between are not given back twice.
    private func giveBack(_ hold: Hold, qty: Int64, of order: Order, reason: LedgerEntry.Reason) throws {
        if qty == hold.qty {
            try store.closeReservation(id: hold.id, state: reason == .expire ? "expired" : "released")
        } else {
            try store.shrinkReservation(id: hold.id, by: qty)
        }
        try store.unreserve(sku: hold.sku, warehouse: hold.warehouse, qty: qty)
        if hold.channelCounted { try store.uncount(channel: order.channel, sku: hold.sku, qty: qty) }
        try store.addReserved(orderRowID: order.rowID, lineNo: hold.lineNo, qty: -qty)
        try store.append(
            LedgerEntry(
                sku: hold.sku, warehouse: hold.warehouse, bucket: .reserved, delta: -qty, reason: reason,
                refType: "order", refID: order.orderID), at: at, actor: actor)
        replenished.insert(hold.sku)
    }

    /// Gives back every active reservation of an order. - Returns: the number of units released.
    @discardableResult
    func releaseReservations(of order: Order, reason: LedgerEntry.Reason) throws -> Int64 {
        var released: Int64 = 0
        for hold in try activeHolds(of: order) {
            try giveBack(hold, qty: hold.qty, of: order, reason: reason)
            released += hold.qty
        }
        return released
    }

    /// Gives back up to `qty` units one line holds (refunded or cancelled before they left): what they sold
    /// comes off the sales of the day they counted as sold (`Order.soldAt`: placed, for cash on delivery),
    /// then the holds go.
    func releaseUnits(of order: Order, lineNo: Int64, qty: Int64) throws {
        var left = qty
        var taken: [(hold: Hold, qty: Int64)] = []
        for hold in try activeHolds(of: order) where hold.lineNo == lineNo && left > 0 {
            let take = min(hold.qty, left)
            taken.append((hold, take))
            left -= take
        }
        if let soldAt = order.soldAt {
            try store.addSales(taken.map { ($0.hold.sku, $0.hold.warehouse, -$0.qty) }, day: try businessDay(soldAt))
        }
        for (hold, units) in taken { try giveBack(hold, qty: units, of: order, reason: .release) }
    }

    /// Closes an order whose hold lapsed: unpaid past its timeout, or a pre-sale whose balance was not
    /// paid by `balance_due_at` (its deposit is forfeited: no refund is owed).
    /// - Returns: units released (0 if there was nothing to do).
    func expire(orderRowID: Int64, trigger: String) throws -> Int64 {
        guard var order = try store.order(rowID: orderRowID),
            order.state == .pendingPayment || order.state == .depositPaid,
            let expiresAt = order.expiresAt, expiresAt <= at
        else { return 0 }
        return try closeUnpaid(
            &order, reason: order.state == .depositPaid ? "balance_unpaid" : "unpaid_timeout", command: "expire",
            ledger: .expire,
            details: ["expired_at": .string(Timestamp.format(expiresAt)), "trigger": .string(trigger)])
    }

    /// Cancels an unpaid order, or a pre-sale whose balance is unpaid — its deposit forfeited, no refund
    /// owed (the timeline's `forfeited_deposit`) —, releasing its stock. - Returns: the units released.
    func closeUnpaid(
        _ order: inout Order, reason: String, command: String, ledger: LedgerEntry.Reason, details: JSONObject
    ) throws -> Int64 {
        let points = try pointsBack(order)
        let released = try releaseReservations(of: order, reason: ledger)
        try store.cancelLines(orderRowID: order.rowID)
        var details = details
        details["reason"] = .string(reason)
        details["released_units"] = .int(released)
        if order.stage == .depositPaid { details["forfeited_deposit"] = order.money(order.paidTotal) }
        try transition(
            &order, to: .cancelled, command: command, details: order.cancelled(details, pointsBack: points)
        ) {
            $0.cancelReason = reason
            $0.expiresAt = nil
        }
        return released
    }

    /// Hands every reserved unit of an order to the buyer at the counter. - Returns: the units.
    func handOverAll(_ order: Order) throws -> Int64 {
        var units: Int64 = 0
        for line in try store.lines(orderRowID: order.rowID) where line.quantity(.reserved) > 0 {
            try handOver(order, lineNo: line.lineNo, qty: line.quantity(.reserved), reason: .pickup)
            try store.addLineQuantity(
                .delivered, orderRowID: order.rowID, lineNo: line.lineNo, qty: line.quantity(.reserved))
            units += line.quantity(.reserved)
        }
        return units
    }

    /// Units of a line leave the stock (shipped, or handed over at the counter): taken from the line's
    /// holds in order, on hand and reserved go down together (ledger rows on both), the line counts them
    /// as shipped. - Parameter reference: what the ledger rows name (default: the order).
    /// - Parameter pastTheShelf: they have left, whatever the shelf says (its channel shipped them): units of
    ///   a hold that are not on hand (a count took them since) leave the hold without the shelf.
    /// - Returns: the units that were not on hand (0 unless `pastTheShelf`).
    /// - Throws: `conflict` when the holds or the units on hand fall short.
    @discardableResult
    func handOver(
        _ order: Order, lineNo: Int64, qty: Int64, reason: LedgerEntry.Reason,
        reference: (type: String, id: String)? = nil, pastTheShelf: Bool = false
    ) throws -> Int64 {
        var needed = qty
        var missing: Int64 = 0
        for r in try store.activeReservations(orderRowID: order.rowID) where r.lineNo == lineNo && needed > 0 {
            let take = min(needed, r.qty)
            try store.consumeReservation(id: r.id, qty: take, remaining: r.qty - take)
            var present = take
            if try !store.deduct(sku: r.sku, warehouse: r.warehouse, qty: take) {
                guard pastTheShelf, let balance = try store.balances(sku: r.sku, warehouse: r.warehouse).first,
                    balance.reserved >= take
                else {
                    throw OrderCoreError(
                        .conflict,
                        "fewer than \(take) \(r.sku) are on hand in \(r.warehouse); count or adjust the stock first",
                        details: ["sku": .string(r.sku), "warehouse": .string(r.warehouse), "qty": .int(take)])
                }
                present = max(0, min(take, balance.onHand))
                try store.deduct(sku: r.sku, warehouse: r.warehouse, onHand: present, reserved: take)
                missing += take - present
            }
            for (bucket, delta) in [(LedgerEntry.Bucket.onHand, -present), (.reserved, -take)] where delta != 0 {
                let value = try store.append(
                    LedgerEntry(
                        sku: r.sku, warehouse: r.warehouse, bucket: bucket, delta: delta, reason: reason,
                        refType: reference?.type ?? "order", refID: reference?.id ?? order.orderID), at: at,
                    actor: actor)
                // What the units cost: a return brings them back at it.
                if let value { try store.addShippedCost(orderRowID: order.rowID, lineNo: lineNo, cost: -value) }
            }
            needed -= take
        }
        guard needed == 0 else {
            throw OrderCoreError(
                .conflict, "line \(lineNo) of \(order.orderID) holds \(qty - needed) units, not \(qty)",
                details: ["line_no": .int(lineNo), "qty": .int(qty)])
        }
        try store.addReserved(orderRowID: order.rowID, lineNo: lineNo, qty: -qty)
        try store.addLineQuantity(.shipped, orderRowID: order.rowID, lineNo: lineNo, qty: qty)
        return missing
    }

    /// Lazy expiry: before stock of these SKUs is read or reserved, lapsed reservations on them are
    /// released, so an abandoned checkout never blocks stock until the next sweep. A read command
    /// that finds some is restarted as a write.
    func expireStaleReservations(skus: [String]) throws {
        let stale = try store.ordersWithExpiredReservations(skus: Array(Set(skus)), at: at)
        guard !stale.isEmpty else { return }
        try requireWrite()
        for rowID in stale { _ = try expire(orderRowID: rowID, trigger: "lazy") }
    }

    /// Counts (or, with `sign` -1, takes back) the order's reserved units as sold on the business day it
    /// was sold (`Order.soldAt`): `sales_daily` feeds average daily sales and days of cover.
    func recordSales(of order: Order, sign: Int64) throws {
        guard let soldAt = order.soldAt else { return }
        try store.addSales(orderRowID: order.rowID, day: try businessDay(soldAt), sign: sign)
    }

    /// Counts as sold the units of the holds an order makes (`takes`), as they are rather than read back:
    /// an order created paid or cash on delivery, or one that reserves at payment when it is paid.
    func recordSales(of order: Order, _ takes: [ReservationPlanner.Take]) throws {
        guard let soldAt = order.soldAt else { return }
        try store.addSales(Self.units(takes), day: try businessDay(soldAt))
    }

    func requireOrder(_ id: String) throws -> Order {
        guard let order = try store.order(id: id) else {
            throw OrderCoreError(.notFound, "order '\(id)' does not exist", details: ["order_id": .string(id)])
        }
        return order
    }
}

extension OrderCoreError {
    /// A balance refused a hold: fewer units are available than the order takes from it.
    static func shortOf(sku: String, warehouse: String) -> OrderCoreError {
        OrderCoreError(
            .insufficientStock, "insufficient stock for \(sku) in \(warehouse)",
            details: ["sku": .string(sku), "warehouse": .string(warehouse)])
    }
}
