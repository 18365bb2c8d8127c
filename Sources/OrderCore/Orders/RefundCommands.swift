/// Money given back, given up and addresses changed outside the order's own flow: what channels report
/// (a refund made on Shopify, a buyer's new address) and what an operator records.
enum RefundCommands {
    static let all = [record, writeOff, updateAddress]

    static let writeOff = Command(
        "order.write_off", .write,
        "Give up money an order whose goods left still owes and will not be paid (order_id, reason, amount): cash "
            + "the carrier never passed on, an invoice on payment terms the buyer will not pay",
        role: .supervisor,
        roleRule: "an admin when it, with what the order had written off before, comes to more than "
            + "returns.admin_above",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument(
                "reason", .text, "Why it will not be paid (up to 500 characters)", required: true, positional: true),
            Argument("amount", .money, "How much (default: all it still owes)"),
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        guard let reason = try f.text("reason", maxLength: 500), !reason.isEmpty else {
            throw OrderCoreError.invalid("reason is required: say why it will not be paid", field: "reason")
        }
        var order = try ctx.requireOrder(id)
        let amount = try f.money("amount", exponent: order.exponent)
        try f.finish()
        let due = order.amountDue
        guard due > 0, OrderState.leftTheWarehouse.contains(order.stage) else {
            throw OrderCoreError(
                .conflict,
                due == 0
                    ? "order \(id) owes nothing"
                    : "order \(id) is \(order.state.rawValue): its goods have not left; cancel what will not be paid "
                        + "for (order.cancel) instead",
                details: [
                    "order_id": .string(id), "state": .string(order.state.rawValue), "balance_due": order.money(due),
                ])
        }
        let off = amount ?? due
        guard 0 < off, off <= due else {
            throw OrderCoreError(
                .invalidInput,
                "amount must be more than zero and at most what it owes ("
                    + "\(Money.format(due, exponent: order.exponent)))",
                details: ["field": "amount", "balance_due": order.money(due)])
        }
        // Together with what was written off before, so a large debt cannot pass as several small ones.
        if order.writtenOff + off > (try ctx.moneySettingMinor(.adminAbove, of: order)) {
            let total = Money.format(order.writtenOff + off, exponent: order.exponent)
            try ctx.requireRole(
                .admin, to: "writing off \(total) \(order.currency) of \(id) (above returns.admin_above)")
        }
        try ctx.transition(
            &order, to: order.state, command: "order.write_off",
            details: ["amount": order.money(off), "reason": .string(reason), "balance_due": order.money(due - off)]
        ) { $0.writeOff(off, at: ctx.at) }
        try ctx.clearUncollected(order)
        return try ctx.document(order)
    }

    static let record = Command(
        "order.refund", .write,
        "Record a refund made at the channel or gateway (order_id, amount, refund_ref, reason, units [{line_no or "
            + "sku, qty}] "
            + "refunded, cancel_units); never more than was paid; a full refund stops an unshipped order, and units "
            + "refunded in full (or with cancel_units, whatever the amount) do not ship",
        role: .supervisor,
        roleRule:
            "an admin when the order's refunds, this one with those before it, come to more than returns.admin_above",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("amount", .money, "The amount refunded", required: true),
            Argument("refund_ref", .code, "The gateway's refund reference (a repeat is answered once)"),
            Argument("reason", .text, "Why"),
            Argument(
                "units", .lines,
                "Which units are refunded: [{\"line_no\" or \"sku\", \"qty\"}] (a SKU on several lines: units that "
                    + "left first, the dearest first)"),
            Argument(
                "cancel_units", .boolean,
                "The units no longer ship, whatever the amount (the channel took them off the order)"),
        ],
        result: OrderDetail.members
    ) { ctx, f in try refund(ctx, f, asked: true) }

    /// Records a refund (`order.refund`'s arguments). `asked`: a person asked for it with `order.refund`,
    /// and a large one is an admin's, as a large return's approval is. The engine's own refunds (a
    /// return's, a channel's) were decided where they came from and are not checked again.
    /// - Parameters:
    ///   - unshipped: the refund's units had not shipped when it was made (the channel says so: Shopify's
    ///     restock type `cancel`), rather than counted against those that left first.
    ///   - paysOwed: the refund pays what is owed for units cancelled before (`refund_due`) first; not a
    ///     return's, which pays for the goods that came back.
    ///   - byChannel: the channel made it (its word is recorded as it comes); any other is the merchant's,
    ///     never of money a chargeback takes back (`refuseRefundTakenBack`).
    static func refund(
        _ ctx: CommandContext, _ f: Fields, asked: Bool, unshipped: Bool = false, paysOwed: Bool = true,
        byChannel: Bool = false
    ) throws -> JSON {
        let id = try f.requiredCode("order_id")
        var order = try ctx.requireOrder(id)
        guard let amount = try f.money("amount", exponent: order.exponent), amount > 0 else {
            throw OrderCoreError.invalid("amount is required and must be more than zero", field: "amount")
        }
        let ref = try f.code("refund_ref")
        let reason = try f.text("reason", maxLength: 500)
        let given = try OrderUnits.parse(f) ?? []
        let cancelUnits = try f.bool("cancel_units") ?? false
        try f.finish()
        let before = try ctx.store.lines(orderRowID: order.rowID)
        let units = try OrderUnits.resolved(given, before, orderID: id)
        let payments = try ctx.store.payments(orderRowID: order.rowID)
        if let ref, let owner = try ctx.store.orderID(paymentRef: ref) {
            guard owner == id,
                payments.contains(where: { $0.paymentRef == ref && $0.kind == "refund" && $0.amount == amount })
            else {
                throw OrderCoreError(
                    .conflict,
                    "refund_ref '\(ref)' is already recorded (on \(owner)) for another amount or as a payment",
                    details: ["refund_ref": .string(ref), "order_id": .string(owner)])
            }
            return try ctx.document(order, extra: ["duplicate": true])  // a redelivered refund
        }
        let refunded = Payment.refunded(payments)
        guard amount <= order.paidTotal - refunded else {
            throw OrderCoreError(
                .conflict,
                "refund \(Money.format(amount, exponent: order.exponent)) exceeds what is left of the payments "
                    + "(\(Money.format(order.paidTotal - refunded, exponent: order.exponent)))",
                details: [
                    "order_id": .string(id), "paid_total": order.money(order.paidTotal),
                    "refunded_total": order.money(refunded),
                ])
        }
        if !byChannel { try ctx.refuseRefundTakenBack(order, amount: amount, refunded: refunded) }
        // Together with the refunds before it, as a return's approval counts the order's approved returns.
        if asked, refunded + amount > (try ctx.moneySettingMinor(.adminAbove, of: order)) {
            let total = Money.format(refunded + amount, exponent: order.exponent)
            try ctx.requireRole(
                .admin,
                to: "recording refunds of \(total) \(order.currency) on \(id) (above returns.admin_above)")
        }
        try ctx.store.insert(
            Payment(paymentRef: ref, amount: amount, at: ctx.at, kind: "refund", reason: reason),
            orderRowID: order.rowID, actor: ctx.actor)
        // Money owed for units cancelled before: a refund naming units pays for those first.
        let owed = paysOwed ? min(amount, order.refundDue) : 0
        let (lines, refundedUnits) = try countRefunded(
            ctx, order, before, units, owed: owed > 0, asked: asked, unshipped: unshipped)
        var details: JSONObject = [
            "amount": order.money(amount), "refund_ref": .optional(ref), "reason": .optional(reason),
            "units": .array(units.map(\.json)),
        ]
        if owed > 0 { details["refund_due_paid"] = order.money(owed) }
        if cancelUnits { details["cancel_units"] = true }
        try ctx.transition(&order, to: order.state, command: "order.refund", details: .object(details)) {
            $0.refundDue -= owed
        }
        if owed > 0, order.refundDue == 0 {
            try ctx.store.clearOrderAlerts(kind: "refund_overdue", orderID: order.orderID, at: ctx.at)
        }
        // All the money is back before the goods left: they must not leave. Untouched by the warehouse,
        // the order is cancelled and its stock released; being picked or packed, it is held for a
        // person to put the units back; partly shipped, its rest is cancelled (the order is shipped); held, it
        // is cancelled. A person is told to put back what was picked of it. Not so an order still to be paid
        // later (on delivery, on its terms): what it had paid came back, and the rest of it is still to ship and
        // be paid.
        if refunded + amount >= order.paidTotal, !(order.paysLater && order.amountDue > 0) {
            let why =
                "fully refunded (\(Money.format(refunded + amount, exponent: order.exponent)) \(order.currency)) "
                + "before shipping"
            func cancel() throws {
                _ = try OrderCommands.cancel.run(ctx, Fields(["order_id": .string(id), "reason": .string(why)]))
                // The refund's units are among those cancelled now (those beyond the units that left).
                var cancelled = try ctx.store.lines(orderRowID: order.rowID)
                for (i, qty) in refundedUnits {
                    let line = cancelled[i]
                    let uncounted = line.quantity(.refunded) - line.quantity(.refundedCancelled)
                    let units = min(
                        qty, line.quantity(.cancelled) - line.quantity(.refundedCancelled),
                        uncounted - line.quantity(.shipped))
                    guard units > 0 else { continue }
                    try ctx.store.addLineQuantity(
                        .refundedCancelled, orderRowID: order.rowID, lineNo: cancelled[i].lineNo, qty: units)
                    cancelled[i].quantities[.refundedCancelled, default: 0] += units
                }
            }
            // What was picked for it and has not left (a held order's too): a person puts it back.
            let picked: [JSON] = lines.compactMap {
                let units = $0.quantity(.picked) - $0.quantity(.shipped)
                return units > 0 ? ["sku": .string($0.sku), "qty": .int(units)] : nil
            }
            switch order.state {
            case .depositPaid, .paid, .allocated, .onHold, .partiallyShipped:
                try cancel()
                if !picked.isEmpty { try ctx.alertPutBack(order, reason: why, units: .array(picked)) }
            case .picking, .packed:
                _ = try FulfillmentCommands.hold.run(ctx, Fields(["order_id": .string(id), "reason": .string(why)]))
                try ctx.alertPutBack(order, reason: why, units: .array(picked))
            default: break
            }
            order = try ctx.requireOrder(id)
        } else {
            try stopIfPaidFor(
                ctx, &order, lines: lines, refundedUnits, amount: cancelUnits ? nil : amount, reason: reason,
                unshipped: unshipped)
        }
        return try ctx.document(order)
    }

    /// The units a refund was for count as refunded on their lines (a later return refunds no more for them).
    /// A refund that pays money owed for cancelled units (`owed`) is for those first: they are counted
    /// refunded and cancelled (`refunded_cancelled`), and only the units beyond them are for the rest.
    /// Units named by SKU on several lines are counted where they are, as on one line (`stopUnits`): on lines
    /// with units that left and were not refunded first (a refund after a partial shipment is most often for goods
    /// that came back), or, for a refund of units that had not shipped (`unshipped`), on lines with units still to
    /// ship; among those, the dearest first.
    /// - Parameters:
    ///   - lines: the order's lines before; `units`, resolved on them (`OrderUnits.resolved`).
    ///   - asked: a person named the units (`order.refund`): a SKU the order has no line of is `not_found`, more
    ///     units than it has not refunded yet `conflict`. A channel's refund naming what the order lacks (a fee's
    ///     item, units its payload counted otherwise) counts what matches.
    /// - Returns: the lines as they are now, and each line's units counted that were not cancelled.
    private static func countRefunded(
        _ ctx: CommandContext, _ order: Order, _ lines: [OrderLine], _ units: [OrderUnits], owed: Bool,
        asked: Bool = false, unshipped: Bool = false
    ) throws -> (lines: [OrderLine], refunded: [(line: Int, qty: Int64)]) {
        var lines = lines
        var refundedUnits: [(line: Int, qty: Int64)] = []
        let worth = try ctx.allocationIfShared(units, order, lines)
        for unit in units {
            var left = unit.qty
            var candidates = unit.candidates(lines, by: worth, cheapestFirst: false)
            if candidates.count > 1 {
                let there = { (i: Int) in
                    let (line, shipped) = (lines[i], lines[i].quantity(.shipped))
                    return unshipped
                        ? line.notCancelled > shipped
                        : shipped > line.quantity(.refunded) - line.quantity(.refundedCancelled)
                }
                candidates = candidates.filter(there) + candidates.filter { !there($0) }
            }
            if owed {  // money owed for cancelled units pays for them first, on whichever line they are
                let waiting = { (i: Int) in lines[i].quantity(.cancelled) > lines[i].quantity(.refundedCancelled) }
                candidates = candidates.filter(waiting) + candidates.filter { !waiting($0) }
            }
            for i in candidates where left > 0 {
                let take = min(lines[i].qty - lines[i].quantity(.refunded), left)
                guard take > 0 else { continue }
                let lineNo = lines[i].lineNo
                try ctx.store.addLineQuantity(.refunded, orderRowID: order.rowID, lineNo: lineNo, qty: take)
                lines[i].quantities[.refunded, default: 0] += take
                let cancelled =
                    owed ? min(take, lines[i].quantity(.cancelled) - lines[i].quantity(.refundedCancelled)) : 0
                if cancelled > 0 {
                    try ctx.store.addLineQuantity(
                        .refundedCancelled, orderRowID: order.rowID, lineNo: lineNo, qty: cancelled)
                    lines[i].quantities[.refundedCancelled, default: 0] += cancelled
                }
                if take > cancelled { refundedUnits.append((i, take - cancelled)) }
                left -= take
            }
            if asked, left > 0 {
                try unit.refuse(left: unit.qty - left, of: order.orderID, lines, verb: "refund")
            }
        }
        return (lines, refundedUnits)
    }

    /// Units refunded for at least what they are worth do not ship (`stopUnits`); nor do those a
    /// refund cancels whatever its amount (`amount` nil: `cancel_units`).
    private static func stopIfPaidFor(
        _ ctx: CommandContext, _ order: inout Order, lines: [OrderLine], _ refunded: [(line: Int, qty: Int64)],
        amount: Int64?, reason: String?, unshipped: Bool
    ) throws {
        guard !refunded.isEmpty else { return }
        if let amount, amount < value(of: refunded, lines, nets: try ctx.lineNets(order, lines)) { return }
        let why = "units refunded before shipping" + (reason.map { ": \($0)" } ?? "")
        try stopUnits(ctx, &order, lines: lines, refunded, why: why, refunded: true, unshipped: unshipped)
    }

    /// The units of a refund recorded before without them (a WooCommerce order payload names only its refunds'
    /// money; the refund itself, arriving later, names its units): counted, and stopped as the refund's own
    /// would have been. Only a refund whose latest timeline entry lists no units: one that lists some, or one
    /// recorded before entries listed them, is left as it is, so that no unit is counted twice; so is one whose
    /// units were cancelled when it gave nothing back (an `order.cancel` entry naming it).
    /// - Parameters:
    ///   - cancel: the refund's units no longer ship, whatever its amount (`cancel_units`).
    ///   - unshipped: they had not shipped when it was made (`refund`).
    /// - Returns: whether the units were recorded now.
    static func recordUnits(
        _ ctx: CommandContext, _ order: inout Order, refundRef: String, _ units: [OrderUnits], cancel: Bool,
        unshipped: Bool
    ) throws -> Bool {
        guard !units.isEmpty, case let events = try ctx.store.events(orderRowID: order.rowID),
            let entry = events.last(where: {
                $0.command == "order.refund" && $0.details["refund_ref"] == .string(refundRef)
            }),
            entry.details["units"] == .array([]),
            !unitsCancelled(by: .string(refundRef), events),
            let amount = entry.details["amount"]?.stringValue.flatMap({ Money.parse($0, exponent: order.exponent) })
        else { return false }
        let before = try ctx.store.lines(orderRowID: order.rowID)
        let units = try OrderUnits.resolved(units, before, orderID: order.orderID)
        let (lines, refundedUnits) = try countRefunded(
            ctx, order, before, units, owed: entry.details["refund_due_paid"] != nil, unshipped: unshipped)
        var details: JSONObject = [
            "refund_ref": .string(refundRef), "units": .array(units.map(\.json)), "units_only": true,
        ]
        if cancel { details["cancel_units"] = true }
        try ctx.transition(&order, to: order.state, command: "order.refund", details: .object(details))
        try stopIfPaidFor(
            ctx, &order, lines: lines, refundedUnits, amount: cancel ? nil : amount, reason: nil, unshipped: unshipped)
        return true
    }

    /// Whether a refund's units were cancelled when it gave nothing back (`order.cancel` with `units` naming its
    /// `refund_ref`: a channel's refund of no money that took them off).
    static func unitsCancelled(by refundRef: JSON, _ events: [OrderEvent]) -> Bool {
        events.contains { $0.command == "order.cancel" && $0.details["refund_ref"] == refundRef }
    }

    /// What units are worth to the buyer: their share of their lines' nets (after discounts, with tax).
    static func value(of units: [(line: Int, qty: Int64)], _ lines: [OrderLine], nets: [Int64]) -> Int64 {
        units.reduce(Int64(0)) { sum, unit in
            let (net, qty) = (nets[unit.line], lines[unit.line].qty)
            let (high, low) = net.multipliedFullWidth(by: unit.qty)
            return sum &+ qty.dividingFullWidth((high, low)).quotient
        }
    }

    /// Units refunded in full before they left (Taobao refunds a sub-order, Shopify a line) must not leave (a
    /// refund of less than they are worth, a price adjustment, leaves them to ship), whether or not the rest is
    /// paid yet (cash on delivery, a prepaid part refunded).
    /// They are cancelled and their holds released: the order is cancelled when nothing is left to ship,
    /// and a person puts back those already picked (`refunded_unshipped`). A packed order's parcels are taken
    /// apart, to be packed again without them. Partly shipped, the same: all that was left cancelled makes the
    /// order shipped (a parcel waiting with some of them is taken apart, the order stays partly shipped).
    /// - Parameters:
    ///   - why: what the timeline and the alert say (refunded, or cancelled by a person).
    ///   - refunded: the units were refunded (they count `refunded_cancelled` once cancelled).
    ///   - unshipped: the refund was for units that had not shipped, not counted against those that left.
    static func stopUnits(
        _ ctx: CommandContext, _ order: inout Order, lines: [OrderLine], _ units: [(line: Int, qty: Int64)],
        why: String, refunded: Bool, unshipped refundedUnshipped: Bool = false
    ) throws {
        var stage = order.stage
        // Only units still to ship: a line's refunded units count against its shipped ones first (a refund
        // after a partial shipment is most often for goods that came back, and Shopify fulfils a line's
        // quantity less the larger of its refunded and fulfilled units) — unless the channel says they had not.
        let units = units.compactMap { i, qty -> (line: Int, qty: Int64)? in
            let line = lines[i]
            var unshipped = min(qty, line.notCancelled - line.quantity(.shipped))
            if refunded, !refundedUnshipped {
                let refundedLeft = line.quantity(.refunded) - line.quantity(.refundedCancelled)
                unshipped = min(unshipped, refundedLeft - line.quantity(.shipped))
            }
            return unshipped > 0 ? (i, unshipped) : nil
        }
        // A parcel waiting to leave with some of them (the order packed, packed in part, or the rest of a partly
        // shipped one) is taken apart.
        if [.packed, .picking, .partiallyShipped].contains(stage),
            try ctx.unpack(&order, reason: why, holding: Set(units.map { lines[$0.line].lineNo })), stage == .packed
        {
            stage = .picking
        }
        var remaining = lines
        /// Cancels the units: units no stock covers go first (the line's holds stay with the units still to
        /// ship), then their holds are released; what an allocated order picks and packs follows.
        /// - Returns: the units picked beyond what the order still holds: no longer the order's, a person puts
        ///   them back.
        func cancel(_ units: [(line: Int, qty: Int64)]) throws -> [(line: Int, qty: Int64)] {
            var putBack: [(line: Int, qty: Int64)] = []
            for (i, qty) in units {
                let line = remaining[i]
                let stopped = min(qty, line.notCancelled - line.quantity(.shipped))
                guard stopped > 0 else { continue }
                let short = min(line.quantity(.backordered), stopped)
                var changes: [(LineQuantity, Int64)] = [(.backordered, -short), (.cancelled, stopped)]
                if refunded { changes.append((.refundedCancelled, stopped)) }
                if line.quantity(.allocated) > 0 {
                    let allocated = max(0, line.quantity(.allocated) + short - stopped)
                    let unpicked = min(0, allocated - line.quantity(.picked))
                    changes += [(.allocated, allocated - line.quantity(.allocated)), (.picked, unpicked)]
                    if unpicked < 0 { putBack.append((i, -unpicked)) }
                }
                try ctx.releaseUnits(of: order, lineNo: line.lineNo, qty: stopped - short)
                for (kind, qty) in changes where qty != 0 {
                    try ctx.store.addLineQuantity(kind, orderRowID: order.rowID, lineNo: line.lineNo, qty: qty)
                    remaining[i].quantities[kind, default: 0] += qty
                }
            }
            if lines.contains(where: { $0.quantity(.backordered) > 0 }) {
                try ctx.settleBackorder(
                    orderID: order.orderID,
                    short: remaining.filter { $0.quantity(.backordered) > 0 }.map {
                        CommandContext.shortEntry($0, $0.quantity(.backordered))
                    })
            }
            return putBack
        }
        var nothingLeft: Bool { remaining.allSatisfy { $0.quantity(.cancelled) + $0.quantity(.shipped) >= $0.qty } }
        guard [.pendingPayment, .depositPaid, .paid, .allocated, .picking, .partiallyShipped].contains(stage),
            !units.isEmpty
        else {
            order = try ctx.requireOrder(order.orderID)
            return
        }
        let putBack = try cancel(units)
        let args = Fields(["order_id": .string(order.orderID), "reason": .string(why)])
        if nothingLeft {
            // Nothing left to ship: the order is cancelled (partly shipped: it is shipped) — or, with units picked
            // for it to put back before it left the warehouse, held meanwhile.
            if putBack.isEmpty || stage == .partiallyShipped {
                _ = try OrderCommands.cancel.run(ctx, args)
            } else if order.state != .onHold {
                _ = try FulfillmentCommands.hold.run(ctx, args)
            }
        }
        if !putBack.isEmpty {
            try ctx.alertPutBack(
                order, reason: why,
                units: .array(putBack.map { ["sku": .string(lines[$0.line].sku), "qty": .int($0.qty)] }))
        }
        order = try ctx.requireOrder(order.orderID)
    }

    static let updateAddress = Command(
        "order.update_address", .write,
        "Change where an order that has not shipped goes (order_id, ship_to with the fields that change)",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument(
                "ship_to", .object,
                "The fields that change: " + Argument.members(Order.addressFields),
                required: true),
        ]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        guard let shipTo = try f.object("ship_to") else {
            throw OrderCoreError.invalid("ship_to is required", field: "ship_to")
        }
        var order = try ctx.requireOrder(id)
        _ = try ctx.updateAddress(&order, shipTo, source: nil)
        try f.finish()
        return try ctx.document(order)
    }
}

extension CommandContext {
    /// The order's ship-to with the fields given, when that changes it.
    func changedAddress(_ order: Order, _ f: Fields) throws -> [String: String]? {
        var next = order.shipTo
        for key in Order.addressFields { if let v = try f.text(key, maxLength: 500), !v.isEmpty { next[key] = v } }
        try f.finish()
        return next == order.shipTo ? nil : next
    }

    /// Applies the ship-to fields given; records the change in the timeline; scores the order's risk again.
    /// - Parameter source: the channel the change came from (intake), nil for a person.
    /// - Returns: whether anything changed.
    /// - Throws: `conflict` once the order has shipped (the parcel is on its way).
    func updateAddress(_ order: inout Order, _ f: Fields, source: String?) throws -> Bool {
        guard let next = try changedAddress(order, f) else { return false }
        guard OrderState.beforeShipment.contains(order.state) else {
            throw OrderCoreError(
                .conflict, "order \(order.orderID) is \(order.state.rawValue): its address can no longer change",
                details: ["order_id": .string(order.orderID), "state": .string(order.state.rawValue)])
        }
        let before = order.shipTo
        try store.setShipTo(orderRowID: order.rowID, next)
        order.shipTo = next
        var changed = JSONObject()
        for key in Order.addressFields where before[key] != next[key] {
            changed[key] = ["from": .optional(before[key]), "to": .optional(next[key])]
        }
        try transition(
            &order, to: order.state, command: "order.update_address",
            details: ["changed": .object(changed), "source": .optional(source)])
        try reassessRisk(&order)
        return true
    }
}

extension Payment {
    /// What the refunds among `payments` gave back.
    static func refunded(_ payments: [Payment]) -> Int64 {
        payments.filter { $0.kind == "refund" }.reduce(Int64(0)) { $0 + $1.amount }
    }
}

extension CommandContext {
    /// Tells a person to put back units picked for `order` that no longer ship (`refunded_unshipped`); `ref`, the
    /// channel's refund whose units are not known to be still here, raises it once per refund.
    func alertPutBack(_ order: Order, reason: String, units: JSON, ref: String? = nil) throws {
        try store.openAlert(
            kind: "refunded_unshipped", orderID: order.orderID, ref: ref, at: at,
            details: ["state": .string(order.state.rawValue), "reason": .string(reason), "units": units])
    }
}
