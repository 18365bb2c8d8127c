/// Returns and refunds (docs/returns.md): a return links to its order's lines, is approved by the
/// role its amount and the customer's history require, is received unit by unit with a grade, and is
/// refunded for what arrived — the allocated value of those units, per tender, never more than paid.
extension CommandContext {
    func requireReturn(_ id: String) throws -> ReturnRecord {
        guard let r = try store.returnRecord(id: id) else {
            throw OrderCoreError(.notFound, "return '\(id)' does not exist", details: ["return_id": .string(id)])
        }
        return r
    }

    /// How the order's money is spread over its lines (the basis of every quote and refund). Fees are
    /// refunded with shipping, by the same policy.
    func refundAllocation(_ order: Order, lines: [OrderLine]) throws -> RefundAllocation {
        let t = order.totals
        // A fee that bought something of its own (a gift card, a tip) goes with no return of goods.
        let fees = order.fees.filter(\.returnsRefund)
        let feeTotal = fees.reduce(Int64(0)) { $0 &+ $1.amount }
        let feeTax = t.taxesIncluded ? 0 : fees.reduce(Int64(0)) { $0 &+ $1.tax }
        let shipping = t.shippingFee &+ (t.taxesIncluded ? 0 : t.shippingTax) &+ feeTotal &+ feeTax
        return RefundAllocation(
            lines: lines, discounts: try store.discounts(orderRowID: order.rowID).map { ($0.kind, $0.amount) },
            shipping: shipping, taxesIncluded: t.taxesIncluded)
    }

    /// Whether a return refunds shipping: by the setting, for seller-fault reasons, or because with it
    /// the whole order comes back (units cancelled before they shipped count: the buyer keeps nothing).
    /// Returned in parts, an order that comes back whole refunds exactly what one whole-order return would:
    /// the part that completes it pays the shipping the earlier parts and the cancellations did not.
    struct ShippingRefund { var refunded: Bool; var wholeOrder: Bool }

    func shippingRefund(sellerFault: Bool, order: Order, lines: [OrderLine]) throws -> ShippingRefund {
        let claimed = try store.claimedUnits(orderRowID: order.rowID)
        let whole = lines.allSatisfy { (claimed[$0.lineNo] ?? 0) + $0.quantity(.cancelled) >= $0.qty }
        switch try stringSetting(.refundShipping) {
        case "always": return ShippingRefund(refunded: true, wholeOrder: whole)
        case "never": return ShippingRefund(refunded: false, wholeOrder: false)
        default: return ShippingRefund(refunded: sellerFault || whole, wholeOrder: whole)
        }
    }

    /// The shipping a refund of these units pays, and the points that paid for it: their shares (in `refund`
    /// already when `policy` refunds shipping); when the order comes back whole, also the shares of units
    /// settled earlier without theirs (refunded, or cancelled: `OrderLine.settled`; each unit's share is paid
    /// once, so parts in any order and any overlap add up to the whole order's shipping, never more).
    func addShippingDue(
        _ policy: ShippingRefund, to refund: inout RefundAllocation.Refund, allocation: RefundAllocation,
        orderLines: [OrderLine], order: Order
    ) throws {
        guard policy.refunded, policy.wholeOrder else { return }
        var earlier = RefundAllocation.Refund()
        for a in allocation.lines {
            let settled = orderLines.first { $0.lineNo == a.lineNo }?.settled ?? 0
            earlier += RefundAllocation.refund(a, units: settled, already: 0, withShipping: true)
        }
        let refunded = try store.refundedShipping(orderRowID: order.rowID)
        refund.shipping += max(0, earlier.shipping - refunded.cash)
        let points = max(0, earlier.shippingPoints - refunded.points)
        refund.points += points
        refund.shippingPoints += points
    }

    /// The lines of `sku` (indices of `orderLines`) in the order its units come back when a return names the
    /// SKU: lines with units refunded before they came back first (a channel's refund naming them: what arrives
    /// is what was refunded for, and pays nothing more, as on one line — `refundedAhead`), then the cheapest first
    /// (`OrderCommands.linesOf`: the buyer keeps what they paid for).
    func returnOrder(of sku: String, _ order: Order, _ orderLines: [OrderLine]) throws -> [Int] {
        let allocation = try refundAllocation(order, lines: orderLines)
        let ahead = try refundedAhead(orderRowID: order.rowID, lines: orderLines)
        let ranked = OrderCommands.linesOf(sku, orderLines, by: allocation, cheapestFirst: true)
        let refunded = { (i: Int) in (ahead[orderLines[i].lineNo] ?? 0) > 0 }
        return ranked.filter(refunded) + ranked.filter { !refunded($0) }
    }

    /// `candidates` (indices of a return's `lines` of one SKU) in the order they come back (`returnOrder`): the
    /// best grades go to the first. One line, or none, costs no read.
    func inReturnOrder(_ candidates: [Int], of lines: [ReturnRecord.Line], orderRowID: Int64) throws -> [Int] {
        guard candidates.count > 1, let order = try store.order(rowID: orderRowID) else { return candidates }
        let orderLines = try store.lines(orderRowID: order.rowID)
        let ranked = try returnOrder(of: lines[candidates[0]].sku, order, orderLines).map { orderLines[$0].lineNo }
        return candidates.sorted {
            (ranked.firstIndex(of: lines[$0].lineNo) ?? 0) < (ranked.firstIndex(of: lines[$1].lineNo) ?? 0)
        }
    }

    /// Moves a return to `state`, stamps it, records the step in its timeline, and clears its overdue alert.
    func transition(
        _ r: inout ReturnRecord, to state: ReturnRecord.State, command: String, details: JSON = .object([:])
    ) throws {
        let from = r.state
        r.state = state
        r.updatedAt = at
        if from != state { r.stateSince = at }
        try store.update(r, from: from)
        try store.appendReturnEvent(
            returnRowID: r.rowID, at: at, actor: actor, from: from, to: state, command: command, details: details)
        try store.clearRefAlerts(kind: "return_overdue", ref: r.returnID, at: at)
        if [.rejected, .refunded, .closed].contains(state) { try endReplacementWait(r) }
    }

    /// An exchange's replacement waits, unexpiring, while its return is open; once the return is over and
    /// the replacement is still unpaid, it is an ordinary unpaid order: its hold lapses after the unpaid
    /// timeout like any other.
    private func endReplacementWait(_ r: ReturnRecord) throws {
        guard let id = r.replacementOrderID, var replacement = try store.order(id: id), replacement.expiresAt == nil,
            OrderState.unpaid.contains(replacement.stage)
        else { return }
        let timeout = try intSetting(.unpaidTimeoutMinutes) * 60_000
        replacement.expiresAt = at.addingReportingOverflow(timeout).overflow ? Int64.max : at + timeout
        replacement.updatedAt = at
        try store.update(replacement, from: replacement.state)
        try store.setReservationExpiry(orderRowID: replacement.rowID, replacement.expiresAt)
    }

    /// What a return would still refund if every requested unit not yet refunded (and not graded
    /// wrong or empty) came back resellable, line by line and in total.
    struct ReturnQuote {
        struct Line {
            var line: ReturnRecord.Line; var allocation: RefundAllocation.Line; var units: Int64;
            var refund: RefundAllocation.Refund
        }
        var order: Order
        /// How the order's money is spread over its lines, and its units refunded ahead of any return.
        var allocation: RefundAllocation
        var ahead: [Int64: Int64]
        var lines: [Line] = []
        var total = RefundAllocation.Refund()
        var withShipping: Bool
        /// What the units are worth: cash and shipping.
        var value: Int64 { total.cash + total.shipping }
        /// Of `value`, what is taken off what the order still owes (goods back before they were paid for).
        var writtenOff: Int64 { Order.settlement(value, due: order.amountDue).writtenOff }
        /// Of `value`, the money paid back.
        var money: Int64 { value - writtenOff }
        /// What refunds that named no units took of these units' worth already (`RefundsWithoutUnits`).
        var refundedEarlier: Int64 = 0
    }

    /// Refunds that named no units (a price match, goodwill, a shipping refund) leave less of an order's
    /// payments than the goods and shipping not refunded yet are worth. What they took is counted off the
    /// shipping not refunded first, then off the goods not refunded, in proportion to their worth: a return
    /// pays its units' share of what is left, the order's last return exactly the rest, and no refund more
    /// than is left of the payments. Units cancelled and not refunded were settled when they were cancelled
    /// (what they were worth owed back, `refund_due`, or no longer due): neither they nor what is owed back
    /// count, so a refund paying what is owed takes nothing of the other goods.
    struct RefundsWithoutUnits {
        /// What is left of the order's payments, less what is owed back (`refund_due`).
        var left: Int64
        /// Of what the goods not refunded yet are worth (`goods`), the part those refunds took.
        var goodsTaken: Int64
        var goods: Int64

        /// Takes from `refund` its goods' share of `goodsTaken`, then what would pay more than is left once
        /// `due` is written off. - Returns: what it took.
        func apply(_ refund: inout RefundAllocation.Refund, due: Int64) -> Int64 {
            var taken: Int64 = 0
            if goodsTaken > 0, refund.cash > 0 {
                if refund.cash >= goods {
                    taken = min(refund.cash, goodsTaken)
                } else {  // its share, rounded up so the money paid rounds down
                    let (quotient, remainder) = goods.dividingFullWidth(refund.cash.multipliedFullWidth(by: goodsTaken))
                    taken = min(refund.cash, quotient + (remainder > 0 ? 1 : 0))
                }
                refund.cash -= taken
            }
            let beyond = max(0, Order.settlement(refund.cash + refund.shipping, due: due).paidBack - max(0, left))
            let fromCash = min(beyond, refund.cash)
            refund.cash -= fromCash
            refund.shipping -= beyond - fromCash
            return taken + beyond
        }
    }

    func refundsWithoutUnits(
        _ order: Order, lines: [OrderLine], allocation: RefundAllocation
    ) throws -> RefundsWithoutUnits {
        let left = order.paidTotal - Payment.refunded(try store.payments(orderRowID: order.rowID)) - order.refundDue
        var goods: Int64 = 0
        for a in allocation.lines {
            let settled = lines.first { $0.lineNo == a.lineNo }?.settled ?? 0
            goods &+= RefundAllocation.refund(a, units: a.qty - settled, already: settled, withShipping: false).cash
        }
        let shipping = max(0, allocation.shipping - (try store.refundedShipping(orderRowID: order.rowID)).cash)
        let taken = goods &+ shipping &- order.amountDue &- left
        return RefundsWithoutUnits(left: left, goodsTaken: min(goods, max(0, taken - shipping)), goods: goods)
    }

    /// Per order line, the units refunded before they came back (a channel's refund naming them, or
    /// `order.refund` with `units`) that no return has taken in yet: a return of such units is their refund
    /// already, and pays nothing more for them. Every unit a return handled counts, paid or not; refunded
    /// units that were cancelled (`refunded_cancelled`) never come back, and do not count.
    func refundedAhead(orderRowID: Int64, lines: [OrderLine]) throws -> [Int64: Int64] {
        var handled: [Int64: Int64] = [:]
        for r in try store.returns(orderRowID: orderRowID) {
            for line in try store.returnLines(returnRowID: r.rowID) {
                handled[line.lineNo, default: 0] += line.refunded
            }
        }
        var ahead: [Int64: Int64] = [:]
        for line in lines {
            let units = line.quantity(.refunded) - line.quantity(.refundedCancelled) - (handled[line.lineNo] ?? 0)
            if units > 0 { ahead[line.lineNo] = units }
        }
        return ahead
    }

    func returnQuote(_ r: ReturnRecord) throws -> ReturnQuote {
        guard let order = try store.order(rowID: r.orderRowID) else {
            throw OrderCoreError(.internal, "return \(r.returnID) has no order")
        }
        let orderLines = try store.lines(orderRowID: order.rowID)
        let ahead = try refundedAhead(orderRowID: order.rowID, lines: orderLines)
        let allocation = try refundAllocation(order, lines: orderLines)
        let policy = try shippingRefund(sellerFault: r.sellerFault, order: order, lines: orderLines)
        var quote = ReturnQuote(order: order, allocation: allocation, ahead: ahead, withShipping: policy.refunded)
        for line in try store.returnLines(returnRowID: r.rowID) {
            guard let a = allocation.lines.first(where: { $0.lineNo == line.lineNo }),
                let ol = orderLines.first(where: { $0.lineNo == line.lineNo })
            else { continue }
            let units = max(0, line.requested - line.wrongItem - line.empty - line.refunded)
            let q = RefundAllocation.refund(
                a, units: units - min(units, ahead[line.lineNo] ?? 0), already: ol.settled,
                withShipping: quote.withShipping)
            quote.total += q
            quote.lines.append(.init(line: line, allocation: a, units: units, refund: q))
        }
        if quote.lines.contains(where: { $0.units > 0 }) {
            try addShippingDue(policy, to: &quote.total, allocation: allocation, orderLines: orderLines, order: order)
        }
        quote.refundedEarlier = try refundsWithoutUnits(order, lines: orderLines, allocation: allocation).apply(
            &quote.total, due: order.amountDue)
        return quote
    }

    /// The return with its lines, the allocation of each line, the quote for what is still to refund,
    /// the refunds made, and its timeline.
    /// A return's refunds as the quote reads: `cash` is the money paid back, shipping included.
    func refunds(of r: ReturnRecord, in order: Order) throws -> JSON {
        .array(
            try store.returnRefunds(returnRowID: r.rowID).map { f in
                var f = f
                let shipping = f["shipping"]?.intValue ?? 0
                let writtenOff = f["written_off"]?.intValue ?? 0
                f["cash"] = order.money((f["cash"]?.intValue ?? 0) + shipping - writtenOff)
                f["of_which_shipping"] = order.money(shipping)
                f["shipping"] = nil
                for key in ["points", "coupon", "written_off"] { f[key] = order.money(f[key]?.intValue ?? 0) }
                return .object(f)
            })
    }

    func returnDocument(_ r: ReturnRecord, extra: JSONObject = [:]) throws -> JSON {
        let q = try returnQuote(r)
        let order = q.order
        let money = { (m: Int64) in order.money(m) }
        let explained: [JSON] = q.lines.map { l in
            var entry = l.line.json.objectValue ?? [:]
            entry["allocation"] = l.allocation.json(money)
            entry["quote"] = [
                "units": .int(l.units), "cash": money(l.refund.cash), "points": money(l.refund.points),
                "shipping": money(l.refund.shipping), "coupon": money(l.refund.coupon),
                "tax_included": money(l.refund.tax),
            ]
            return .object(entry)
        }
        let quote = q.total
        let withShipping = q.withShipping
        let restore = try boolSetting(.restoreCoupons)
        var doc: JSONObject = [
            "return_id": .string(r.returnID), "order_id": .string(order.orderID), "state": .string(r.state.rawValue),
            "reason": .string(r.reason), "seller_fault": .bool(r.sellerFault), "customer": .optional(r.customer),
            "owner": .optional(r.owner),
            "note": .optional(r.note), "flags": .array(r.flags.map(JSON.string)), "currency": .string(order.currency),
            "created_at": .string(Timestamp.format(r.createdAt)),
            "state_since": .string(Timestamp.format(r.stateSince)),
            "lines": .array(explained),
            "quote": [
                "cash": money(q.money), "of_which_shipping": money(quote.shipping),
                "written_off": money(q.writtenOff),
                "points": money(quote.points),
                "coupon_credit": money(restore ? quote.coupon : 0), "shipping_refunded": .bool(withShipping),
                "refunded_earlier": money(q.refundedEarlier),
            ],
            "refunds": try refunds(of: r, in: order),
            "replacement_order_id": .optional(r.replacementOrderID),
            "price_difference": r.priceDifference.map(money) ?? .null,
            "timeline": .array(try store.returnEvents(returnRowID: r.rowID)),
        ]
        for (key, value) in extra.pairs { doc[key] = value }
        return .object(doc)
    }

    /// The amount an approval of `r` decides: its quote's value, or, with the order's returns approved
    /// before it, what all their units are worth (less units refunded ahead of them). A claim split into
    /// returns each below a limit needs the role, or misses the automatic approval, of the whole.
    func approvalAmount(_ r: ReturnRecord, quote: ReturnQuote) throws -> Int64 {
        let order = quote.order
        var units: [Int64: Int64] = [:]
        for other in try store.returns(orderRowID: order.rowID)
        where other.rowID == r.rowID || (other.state != .requested && other.state != .rejected) {
            for line in try store.returnLines(returnRowID: other.rowID) {
                units[line.lineNo, default: 0] += line.requested
            }
        }
        let whole = quote.allocation.lines.reduce(Int64(0)) { sum, a in
            let n = max(0, (units[a.lineNo] ?? 0) - (quote.ahead[a.lineNo] ?? 0))
            let refund = RefundAllocation.refund(a, units: n, already: 0, withShipping: quote.withShipping)
            return sum &+ refund.cash &+ refund.shipping
        }
        return max(quote.value, whole)
    }

    /// The role an approval needs: by the refund's amount, at least `returns.flagged_customer_role` for a
    /// customer whose earlier returns came back empty or wrong, and at least a supervisor for a return
    /// requested after `returns.window_days`.
    func approvalRole(amount: Int64, order: Order, late: Bool) throws -> Actor.Role {
        let admin = try moneySettingMinor(.adminAbove, of: order)
        let supervisor = try moneySettingMinor(.supervisorAbove, of: order)
        var role: Actor.Role = amount > admin ? .admin : amount > supervisor ? .supervisor : .operator
        if try isFlaggedReturner(order), let risky = Actor.Role(rawValue: try stringSetting(.flaggedReturnerRole)) {
            role = max(role, risky)
        }
        return late ? max(role, .supervisor) : role
    }

    /// The whole days from the goods reaching the buyer (the latest delivery, or shipment where no delivery
    /// is known; a pickup's handing over) to `requested`, when more than `returns.window_days` passed; nil
    /// within the window or without one.
    func daysSinceDeliveryPastWindow(_ order: Order, requested: Int64) throws -> Int64? {
        let window = try intSetting(.returnWindowDays)
        guard window > 0 else { return nil }
        var handed = try store.shipments(orderRowID: order.rowID).map { $0.deliveredAt ?? $0.shippedAt }
        if let delivered = order.deliveredAt {
            handed.append(delivered)
        } else if handed.isEmpty, order.state == .completed, let since = order.stateSince {
            handed.append(since)  // picked up by the buyer: completed when handed over
        }
        guard let since = handed.max(), requested - since > window * 86_400_000 else { return nil }
        return (requested - since) / 86_400_000
    }

    /// Whether the order's buyer had a return come back empty or with the wrong item, found by whichever of
    /// customer id, phone or email an earlier order shares: checking out as a guest sheds no flag.
    func isFlaggedReturner(_ order: Order) throws -> Bool {
        try Store.buyerKeys(CustomerKeys(order.customer)).map { try store.returnerSignals(keys: $0).flagged } ?? false
    }

    /// Returner statistics that show an earlier return came back empty or with the wrong item.
    static func isFlagged(_ stats: JSONObject) -> Bool {
        (stats["empty_box_returns"]?.intValue ?? 0) > 0 || (stats["wrong_item_units"]?.intValue ?? 0) > 0
            || (stats["empty_units"]?.intValue ?? 0) > 0
    }
}

enum ReturnCommands {
    static let all = [request, approve, reject, receive, inspect, refund, get, list, customerStats]

    static let request = Command(
        "return.request", .write,
        "Open a return for shipped units of an order (order_id, lines [{line_no or sku, qty}], reason, note, exchange "
            + "[{sku, qty, unit_price}]); answers with a refund quote",
        roleRule: "a supervisor for an exchange's replacement priced at nothing, below its SKUs' unit costs, or in a "
            + "currency their costs are not in",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument(
                "reason", .code,
                "Why the buyer returns it: one of returns.reasons (changed_mind, defective, wrong_item_sent, "
                    + "not_as_described... by default)",
                required: true, positional: true),
            Argument("note", .text),
            Argument(
                "lines", .lines, "The units returned: [{\"line_no\" or \"sku\", \"qty\"}]", required: true),
            Argument(
                "exchange", .lines, "Replacement lines for an exchange: [{\"sku\",\"qty\",\"unit_price\"}]"),
        ],
        result: ReturnRecord.members
    ) { ctx, f in
        let orderID = try f.requiredCode("order_id")
        let reason = try f.requiredCode("reason")
        let note = try f.text("note", maxLength: 2_000)
        guard let wanted = try f.objects("lines", maxCount: OrderDraft.maxLines), !wanted.isEmpty else {
            throw OrderCoreError.invalid("lines is required: [{\"line_no\": 1, \"qty\": 1}]", field: "lines")
        }
        let exchange = try f.objects("exchange", maxCount: 100)
        guard exchange?.isEmpty != true else {
            throw OrderCoreError.invalid(
                "exchange names no replacement: name at least one, or leave exchange out for a refund",
                field: "exchange")
        }
        let order = try ctx.requireOrder(orderID)
        let reasons = try ctx.value(of: .returnReasons).objectValue ?? [:]
        guard case .bool(let sellerFault)? = reasons[reason] else {
            throw OrderCoreError.invalid(
                "reason must be one of \(reasons.keys.joined(separator: ", ")) (config returns.reasons), not "
                    + "'\(reason)'",
                field: "reason")
        }
        let orderLines = try ctx.store.lines(orderRowID: order.rowID)
        var claimed = try ctx.store.claimedUnits(orderRowID: order.rowID)
        var lines: [ReturnRecord.Line] = []
        func returnable(_ line: OrderLine) -> Int64 { line.quantity(.shipped) - (claimed[line.lineNo] ?? 0) }
        for w in Self.numberedFirst(wanted) {
            let lineNo = try w.int("line_no", min: 1)
            let sku = try w.code("sku")
            let qty = try w.quantity("qty")
            try w.finish()
            var candidates = orderLines.indices.filter { i in
                lineNo.map { orderLines[i].lineNo == $0 } ?? (orderLines[i].sku == sku)
            }
            guard !candidates.isEmpty else {
                throw OrderCoreError(
                    .notFound, "order \(orderID) has no line \(lineNo.map(String.init) ?? sku ?? "?")",
                    details: ["field": .string(w.name("line_no")), "order_id": .string(orderID)])
            }
            // A SKU on several lines (a free gift of the item bought) comes back as `returnOrder` says: units
            // refunded before first, then the cheapest.
            if candidates.count > 1, lineNo == nil, let sku {
                candidates = try ctx.returnOrder(of: sku, order, orderLines)
                let total = candidates.reduce(Int64(0)) { $0 + max(0, returnable(orderLines[$1])) }
                guard qty <= total else {
                    throw OrderCoreError(
                        .conflict, "\(sku): \(qty) requested, \(total) returnable over its lines",
                        details: ["sku": .string(sku), "returnable": .int(total), "requested": .int(qty)])
                }
            }
            var left = qty
            for (k, i) in candidates.enumerated() where left > 0 {
                let line = orderLines[i]
                let take = k == candidates.count - 1 ? left : min(left, max(0, returnable(line)))
                guard take > 0 else { continue }
                let listed = lines.firstIndex { $0.lineNo == line.lineNo }
                guard listed == nil || lineNo == nil else {
                    throw OrderCoreError.invalid("line \(line.lineNo) is listed twice", field: w.name("line_no"))
                }
                let can = max(0, returnable(line))
                guard take <= can else {
                    throw OrderCoreError(
                        .conflict,
                        "line \(line.lineNo) (\(line.sku)): \(take) requested, \(can) returnable (shipped "
                            + "\(line.quantity(.shipped)), already claimed by returns \(claimed[line.lineNo] ?? 0))",
                        details: ["line_no": .int(line.lineNo), "returnable": .int(can), "requested": .int(take)])
                }
                claimed[line.lineNo, default: 0] += take
                if let listed {  // named by SKU again: the units add up
                    lines[listed].requested += take
                } else {
                    lines.append(ReturnRecord.Line(lineNo: line.lineNo, sku: line.sku, requested: take))
                }
                left -= take
            }
        }
        try f.finish()
        let (rowID, returnID) = try ctx.store.nextID("returns", prefix: "RT-")
        let customer = order.customer["id"] ?? order.customer["phone"]
        var record = ReturnRecord(
            rowID: rowID, returnID: returnID, orderRowID: order.rowID, state: .requested, reason: reason,
            sellerFault: sellerFault, customer: customer, owner: ctx.actor, note: note, flags: [],
            createdAt: ctx.at, updatedAt: ctx.at, stateSince: ctx.at)
        try ctx.store.insert(record, buyer: order.customer)
        let late = try ctx.daysSinceDeliveryPastWindow(order, requested: ctx.at)
        for line in lines { try ctx.store.insert(line, returnRowID: rowID) }
        try ctx.store.appendReturnEvent(
            returnRowID: rowID, at: ctx.at, actor: ctx.actor, from: nil, to: .requested, command: "return.request",
            details: [
                "reason": .string(reason), "lines": .int(lines.count),
                "days_since_delivery": late.map(JSON.int) ?? .null,
            ])
        if let exchange { try createReplacement(ctx, &record, order: order, exchange: exchange) }
        // The channel cancelled the order after its goods left, or the parcel is on its way back (refused,
        // undeliverable): what comes back is now this return's.
        for kind in ["channel_cancelled_shipped", "delivery_refused", "returning_to_sender"] {
            try ctx.store.clearOrderAlerts(kind: kind, orderID: order.orderID, at: ctx.at)
        }
        // Small refunds from customers without flags need nobody's approval.
        let auto = try ctx.moneySetting(.autoApproveBelow, of: order)
        let below = try ctx.moneySettingMinor(.autoApproveBelow, of: order)
        if auto > 0, try ctx.approvalAmount(record, quote: ctx.returnQuote(record)) < below,
            late == nil, try !ctx.isFlaggedReturner(order)
        {
            try ctx.transition(
                &record, to: .approved, command: "return.approve", details: ["auto": true, "below": .int(auto)])
        }
        return try ctx.returnDocument(record)
    }

    /// A replacement order for an exchange: the customer and address of the original, the goods asked
    /// for, reserved now and held (it does not expire) while the return is open. The buyer pays only the
    /// price difference (replacement less the return's refund): a positive difference is the
    /// replacement's deposit; the rest is paid by the return's refund when the goods are back
    /// (`return.refund`), and a negative difference is refunded then.
    private static func createReplacement(
        _ ctx: CommandContext, _ record: inout ReturnRecord, order: Order, exchange: [Fields]
    ) throws {
        var lines: [JSON] = []
        for e in exchange {
            var line: JSONObject = ["sku": .string(try e.requiredCode("sku")), "qty": .int(try e.quantity("qty"))]
            // No catalog price to fall back on: a replacement left unpriced would go out free.
            guard let price = try e.money("unit_price", exponent: order.exponent) else {
                throw OrderCoreError.invalid(
                    "unit_price is required: what the replacement costs the buyer", field: e.name("unit_price"))
            }
            line["unit_price"] = .string(Money.format(price, exponent: order.exponent))
            try e.finish()
            lines.append(.object(line))
        }
        var customer = JSONObject(), shipTo = JSONObject()
        for (k, v) in order.customer { customer[k] = .string(v) }
        for (k, v) in order.shipTo { shipTo[k] = .string(v) }
        var draft = try OrderDraft(
            Fields([
                "channel": .string(order.channel), "external_id": .string(record.returnID),
                "currency": .string(order.currency),
                "customer": .object(customer), "ship_to": .object(shipTo), "lines": .array(lines),
                "tags": ["exchange"], "note": .string("exchange for \(record.returnID) of \(order.orderID)"),
            ]),
            at: ctx.at, defaultCurrency: order.currency)
        let difference = draft.totals.grandTotal - (try ctx.returnQuote(record).money)
        if difference > 0, difference < draft.totals.grandTotal { draft.deposit = difference }
        let replacement = try ctx.createOrder(draft, expiring: false).order
        record.replacementOrderID = replacement.orderID
        record.priceDifference = difference
        try ctx.store.update(record, from: record.state)
        try ctx.store.appendReturnEvent(
            returnRowID: record.rowID, at: ctx.at, actor: ctx.actor, from: record.state, to: record.state,
            command: "return.exchange",
            details: [
                "replacement_order_id": .string(replacement.orderID),
                "price_difference": order.money(record.priceDifference ?? 0),
            ])
    }

    static let approve = Command(
        "return.approve", .write,
        "Approve a requested return; its amount and the customer's history decide the role needed (return_id, note)",
        roleRule:
            "a supervisor above returns.supervisor_above (with the order's approved returns) or past "
            + "returns.window_days, an admin above returns.admin_above; a flagged customer's: "
            + "returns.flagged_customer_role",
        sharing: .concurrent,
        arguments: [
            .returnID,
            Argument("note", .text, positional: true),
        ],
        result: ReturnRecord.members
    ) { ctx, f in
        let id = try f.requiredCode("return_id")
        let note = try f.text("note", maxLength: 1_000)
        try f.finish()
        var r = try ctx.requireReturn(id)
        guard r.state == .requested else {
            throw OrderCoreError(
                .conflict, "return \(id) is \(r.state.rawValue); only a requested return can be approved",
                details: ["return_id": .string(id), "state": .string(r.state.rawValue)])
        }
        // By what the goods are worth: money paid back, or a claim written off (goods not yet paid for).
        let quote = try ctx.returnQuote(r)
        let order = quote.order, amount = try ctx.approvalAmount(r, quote: quote)
        let late = try ctx.daysSinceDeliveryPastWindow(order, requested: r.createdAt)
        let role = try ctx.approvalRole(amount: amount, order: order, late: late != nil)
        var worth = "\(Money.format(amount, exponent: order.exponent)) \(order.currency)"
        if amount > quote.value { worth += " with the order's approved returns" }
        if let late { worth += "; requested \(late) days after delivery, past returns.window_days" }
        try ctx.requireRole(role, to: "approving return \(id) (\(worth))")
        r.owner = ctx.actor
        try ctx.transition(
            &r, to: .approved, command: "return.approve",
            details: ["role_needed": .string(role.rawValue), "note": .optional(note)])
        return try ctx.returnDocument(r)
    }

    static let reject = Command(
        "return.reject", .write, "Reject a requested return (return_id, reason)",
        sharing: .concurrent,
        arguments: [
            .returnID,
            Argument("reason", .text, required: true, positional: true),
        ],
        result: ReturnRecord.members
    ) { ctx, f in
        let id = try f.requiredCode("return_id")
        let reason = try f.requiredReason("the return is rejected", maxLength: 1_000)
        try f.finish()
        var r = try ctx.requireReturn(id)
        guard r.state == .requested else {
            throw OrderCoreError(
                .conflict, "return \(id) is \(r.state.rawValue); only a requested return can be rejected",
                details: ["return_id": .string(id), "state": .string(r.state.rawValue)])
        }
        r.owner = ctx.actor
        try ctx.transition(&r, to: .rejected, command: "return.reject", details: ["reason": .string(reason)])
        return try ctx.returnDocument(r)
    }

    static let receive = Command(
        "return.receive", .write,
        "Record what arrived (return_id, warehouse, lines [{line_no or sku, resellable, damaged, wrong_item, empty}] "
            + "or [{line_no or sku, qty}] with grade, weight_g of the parcel)",
        sharing: .concurrent,
        arguments: [
            .returnID,
            Argument("warehouse", .code, "Where it arrived", required: true, positional: true),
            Argument("weight_g", .integer, "The parcel's weight (an empty box is found by weight)"),
            Argument(
                "grade", .code, "The grade of every line that names none",
                choices: ["resellable", "damaged", "wrong_item", "empty"]),
            Argument(
                "lines", .lines,
                "The units that arrived: [{\"line_no\" or \"sku\", \"qty\" (of grade) or units by grade: "
                    + "\"resellable\",\"damaged\",\"wrong_item\",\"empty\"}]",
                required: true),
        ],
        result: ReturnRecord.members
    ) { ctx, f in
        let id = try f.requiredCode("return_id")
        let warehouse = try f.requiredCode("warehouse")
        let weight = try f.int("weight_g", min: 0, max: 10_000_000)
        let grade = try f.code("grade")
        let gradeNames = ["resellable", "damaged", "wrong_item", "empty"]
        if let grade, !gradeNames.contains(grade) {
            throw OrderCoreError.invalid(
                "grade must be one of \(gradeNames.joined(separator: ", ")), not '\(grade)'", field: "grade")
        }
        guard let arrived = try f.objects("lines", maxCount: OrderDraft.maxLines), !arrived.isEmpty else {
            throw OrderCoreError.invalid("lines is required: [{\"line_no\": 1, \"resellable\": 1}]", field: "lines")
        }
        var r = try ctx.requireReturn(id)
        guard r.state == .approved || r.state == .receiving else {
            throw OrderCoreError(
                .conflict, "return \(id) is \(r.state.rawValue); goods are received for approved returns",
                details: ["return_id": .string(id), "state": .string(r.state.rawValue)])
        }
        _ = try ctx.requireWarehouse(warehouse)
        var lines = try ctx.store.returnLines(returnRowID: r.rowID)
        var expectedGrams: Int64 = 0
        var weighed = true
        var counted: Int64 = 0
        var receipt: [(index: Int, grades: [Int64])] = []
        var arriving: [Int: Int64] = [:]  // units of this receipt per return line, not yet booked
        for a in Self.numberedFirst(arrived) {
            let givenLine = try a.int("line_no", min: 1)
            let givenSKU = try a.code("sku")
            var grades = try gradeNames.map { name throws(OrderCoreError) in try a.int(name, min: 0) ?? 0 }
            if let qty = try a.int("qty", min: 1) {
                grades[gradeNames.firstIndex(of: grade ?? "resellable") ?? 0] += qty
            }
            try a.finish()
            let candidates = try ctx.inReturnOrder(
                Self.matching(lines, lineNo: givenLine, sku: givenSKU), of: lines, orderRowID: r.orderRowID)
            guard !candidates.isEmpty else {
                throw OrderCoreError(
                    .notFound,
                    "return \(id) has no line \(givenLine.map(String.init) ?? givenSKU ?? "(give line_no or sku)")",
                    details: ["field": .string(a.name("line_no"))])
            }
            func expected(_ i: Int) -> Int64 { lines[i].requested - lines[i].received - arriving[i, default: 0] }
            for (i, grades) in Self.spread(grades, over: candidates, room: expected) {
                let lineNo = lines[i].lineNo
                let units = grades.reduce(0, +)
                guard units > 0, units <= expected(i) else {
                    throw OrderCoreError(
                        .conflict, "line \(lineNo): \(units) units graded, \(expected(i)) still expected",
                        details: ["line_no": .int(lineNo), "expected": .int(expected(i))])
                }
                counted += units
                receipt.append((i, grades))
                arriving[i, default: 0] += units
                if let grams = try ctx.store.sku(lines[i].sku)?.weightGrams {
                    expectedGrams += grams * units
                } else {
                    weighed = false
                }
            }
        }
        try f.finish()
        // A parcel far lighter than what it should hold is an empty-box return, whatever was graded: the
        // scale outranks the grade. Its units add no stock and are not refunded until a supervisor
        // inspects them (return.inspect).
        let emptyPercent = try ctx.intSetting(.emptyBoxPercent)
        let light = weight.map { w in weighed && expectedGrams > 0 && w * 100 < expectedGrams * emptyPercent } ?? false
        try ctx.store.lockBalances(skus: receipt.map { lines[$0.index].sku }, warehouse: warehouse)
        for (i, graded) in receipt {
            let grades = light ? [0, 0, 0, graded.reduce(0, +)] : graded
            lines[i].resellable += grades[0]; lines[i].damaged += grades[1]; lines[i].wrongItem += grades[2];
            lines[i].empty += grades[3]
            try ctx.postReturned(
                sku: lines[i].sku, warehouse: warehouse, resellable: grades[0], damaged: grades[1], returnID: id,
                unitCost: try ctx.store.shippedUnitCost(orderRowID: r.orderRowID, lineNo: lines[i].lineNo))
            try ctx.store.update(lines[i], returnRowID: r.rowID)
            try ctx.store.addLineQuantity(
                .returned, orderRowID: r.orderRowID, lineNo: lines[i].lineNo, qty: graded.reduce(0, +))
        }
        var signals: [String] = []
        if lines.contains(where: { $0.empty > 0 }) { signals.append("empty_box") }
        if lines.contains(where: { $0.wrongItem > 0 }) { signals.append("wrong_item") }
        for signal in Set(signals).sorted() where !r.flags.contains(signal) {
            r.flags.append(signal)
            try ctx.store.openAlert(
                kind: "return_\(signal)", ref: id, at: ctx.at,
                details: [
                    "return_id": .string(id), "customer": .optional(r.customer),
                    "weight_g": weight.map(JSON.int) ?? .null,
                    "expected_g": weighed ? .int(expectedGrams) : .null,
                ])
        }
        let next = ReturnRecord.state(after: lines)
        var details: JSONObject = [
            "warehouse": .string(warehouse), "units": .int(counted), "weight_g": weight.map(JSON.int) ?? .null,
            "flags": .array(r.flags.map(JSON.string)),
        ]
        if light {
            details["weight_check"] =
                "empty_box: every unit of this parcel counts as empty until a supervisor inspects it"
            details["graded"] = .array(
                receipt.map { i, g in
                    [
                        "line_no": .int(lines[i].lineNo), "resellable": .int(g[0]), "damaged": .int(g[1]),
                        "wrong_item": .int(g[2]), "empty": .int(g[3]),
                    ]
                })
        }
        try ctx.transition(&r, to: next, command: "return.receive", details: .object(details))
        return try ctx.returnDocument(r)
    }

    static let inspect = Command(
        "return.inspect", .write,
        "A supervisor's decision on units received empty or as the wrong item: regrade them (return_id, warehouse, "
            + "lines [{line_no or sku, resellable, damaged}] or [{line_no or sku, qty}] with grade, note); regraded "
            + "units go back to stock and become refundable",
        role: .supervisor,
        sharing: .concurrent,
        arguments: [
            .returnID,
            .key("warehouse"),
            Argument("note", .text),
            Argument("grade", .code, choices: ["resellable", "damaged"]),
            Argument("lines", .lines, "The units regraded: [{\"sku\",\"qty\"}]", required: true),
        ],
        result: ReturnRecord.members
    ) { ctx, f in
        let id = try f.requiredCode("return_id")
        let warehouse = try f.requiredCode("warehouse")
        let note = try f.text("note", maxLength: 1_000)
        let grade = try f.code("grade") ?? "resellable"
        guard grade == "resellable" || grade == "damaged" else {
            throw OrderCoreError.invalid("grade must be resellable or damaged, not '\(grade)'", field: "grade")
        }
        guard let given = try f.objects("lines", maxCount: OrderDraft.maxLines), !given.isEmpty else {
            throw OrderCoreError.invalid("lines is required: [{\"line_no\": 1, \"resellable\": 1}]", field: "lines")
        }
        var r = try ctx.requireReturn(id)
        guard [.receiving, .received, .closed].contains(r.state) else {
            throw OrderCoreError(
                .conflict, "return \(id) is \(r.state.rawValue); only received units can be inspected",
                details: ["return_id": .string(id), "state": .string(r.state.rawValue)])
        }
        _ = try ctx.requireWarehouse(warehouse)
        var lines = try ctx.store.returnLines(returnRowID: r.rowID)
        try ctx.store.lockBalances(skus: lines.map(\.sku), warehouse: warehouse)
        var regraded: [JSON] = []
        for g in Self.numberedFirst(given) {
            let lineNo = try g.int("line_no", min: 1)
            let sku = try g.code("sku")
            var resellable = try g.int("resellable", min: 0) ?? 0
            var damaged = try g.int("damaged", min: 0) ?? 0
            if let qty = try g.int("qty", min: 1) {
                if grade == "damaged" { damaged += qty } else { resellable += qty }
            }
            try g.finish()
            let candidates = try ctx.inReturnOrder(
                Self.matching(lines, lineNo: lineNo, sku: sku), of: lines, orderRowID: r.orderRowID)
            guard !candidates.isEmpty else {
                throw OrderCoreError(
                    .notFound, "return \(id) has no line \(lineNo.map(String.init) ?? sku ?? "(give line_no or sku)")",
                    details: ["field": .string(g.name("line_no"))])
            }
            let wrong = { (i: Int) in lines[i].empty + lines[i].wrongItem }
            for (i, grades) in Self.spread([resellable, damaged], over: candidates, room: wrong) {
                let (resellable, damaged) = (grades[0], grades[1])
                let units = resellable + damaged
                guard units > 0, units <= wrong(i) else {
                    throw OrderCoreError(
                        .conflict,
                        "line \(lines[i].lineNo): \(units) units regraded, \(wrong(i)) were received empty or wrong",
                        details: ["line_no": .int(lines[i].lineNo)])
                }
                let fromEmpty = min(units, lines[i].empty)
                lines[i].empty -= fromEmpty
                lines[i].wrongItem -= units - fromEmpty
                lines[i].resellable += resellable
                lines[i].damaged += damaged
                try ctx.postReturned(
                    sku: lines[i].sku, warehouse: warehouse, resellable: resellable, damaged: damaged, returnID: id,
                    unitCost: try ctx.store.shippedUnitCost(orderRowID: r.orderRowID, lineNo: lines[i].lineNo))
                try ctx.store.update(lines[i], returnRowID: r.rowID)
                regraded.append([
                    "line_no": .int(lines[i].lineNo), "resellable": .int(resellable), "damaged": .int(damaged),
                ])
            }
        }
        try f.finish()
        let next = ReturnRecord.state(after: lines)
        try ctx.transition(
            &r, to: next, command: "return.inspect",
            details: ["warehouse": .string(warehouse), "regraded": .array(regraded), "note": .optional(note)])
        return try ctx.returnDocument(r)
    }

    /// A request's entries with those naming a line by number first: units named by SKU then spread over
    /// what those leave.
    static func numberedFirst(_ entries: [Fields]) -> [Fields] {
        entries.filter { $0.value("line_no") != nil } + entries.filter { $0.value("line_no") == nil }
    }

    /// The indices of a return's lines a request names: the line numbered `lineNo`, else every line of `sku`.
    static func matching(_ lines: [ReturnRecord.Line], lineNo: Int64?, sku: String?) -> [Int] {
        lines.indices.filter { i in lineNo.map { lines[i].lineNo == $0 } ?? (lines[i].sku == sku) }
    }

    /// Units given by grade for a SKU on several of a return's lines (`candidates`, a free gift of the item bought
    /// among them, in return order: `CommandContext.inReturnOrder`), spread over them: each line takes what it
    /// has `room` for, grade by grade — the best grades to the first lines (units refunded before, the cheapest),
    /// so an empty box is not taken for the gift, nor for what was refunded already —, the last one the rest (for
    /// its caller to refuse what it has no room for). One line takes all.
    static func spread(_ grades: [Int64], over candidates: [Int], room: (Int) -> Int64) -> [(Int, [Int64])] {
        var left = grades
        var parts: [(Int, [Int64])] = []
        for (k, i) in candidates.enumerated() {
            var part = left
            if k < candidates.count - 1 {
                var space = max(0, room(i))
                for g in part.indices {
                    part[g] = min(space, left[g])
                    space -= part[g]
                }
            }
            for g in left.indices { left[g] -= part[g] }
            if part.contains(where: { $0 > 0 }) { parts.append((i, part)) }
        }
        return parts.isEmpty ? candidates.prefix(1).map { ($0, grades) } : parts
    }

    static let refund = Command(
        "return.refund", .write,
        "Refund what arrived and was not refunded yet, per tender; what the order still owes is written off first "
            + "(return_id, refund_ref, payment_ref of the refund, before_receipt = why, when policy allows paying "
            + "before goods arrive)",
        roleRule: "a supervisor to refund before the goods arrive (before_receipt)",
        sharing: .concurrent,
        arguments: [
            .returnID,
            Argument("refund_ref", .code, "The gateway's refund reference (a repeat is answered once)"),
            Argument("before_receipt", .text, "Refund before the goods arrive, with the reason (a supervisor's call)"),
        ],
        result: ReturnRecord.members,
        shellNames: ["ref": "refund_ref"]
    ) { ctx, f in
        let id = try f.requiredCode("return_id")
        let ref = try f.code("refund_ref")
        let beforeReceipt = try f.text("before_receipt", maxLength: 500)
        try f.finish()
        var r = try ctx.requireReturn(id)
        if let ref, let prior = try ctx.store.returnRefund(ref: ref) {
            guard prior.returnRowID == r.rowID else {
                throw OrderCoreError(
                    .conflict, "refund_ref '\(ref)' belongs to another return", details: ["refund_ref": .string(ref)])
            }
            return try ctx.returnDocument(r, extra: ["duplicate": true])  // a retried refund pays nothing twice
        }
        guard [.approved, .receiving, .received].contains(r.state) else {
            throw OrderCoreError(
                .conflict, "return \(id) is \(r.state.rawValue); refunds are for approved returns",
                details: ["return_id": .string(id), "state": .string(r.state.rawValue)])
        }
        if beforeReceipt != nil, try !ctx.boolSetting(.refundBeforeReceipt) {
            throw OrderCoreError(
                .forbidden, "refunding before the goods arrive is not allowed (config returns.refund_before_receipt)",
                details: ["return_id": .string(id)])
        }
        if beforeReceipt != nil {
            try ctx.requireRole(.supervisor, to: "refunding return \(id) before the goods arrive")
        }
        guard var order = try ctx.store.order(rowID: r.orderRowID) else {
            throw OrderCoreError(.internal, "return \(id) has no order")
        }
        let orderLines = try ctx.store.lines(orderRowID: order.rowID)
        let allocation = try ctx.refundAllocation(order, lines: orderLines)
        let policy = try ctx.shippingRefund(sellerFault: r.sellerFault, order: order, lines: orderLines)
        let withShipping = policy.refunded
        var lines = try ctx.store.returnLines(returnRowID: r.rowID)
        let ahead = try ctx.refundedAhead(orderRowID: order.rowID, lines: orderLines)
        var total = RefundAllocation.Refund()
        var units = JSONObject()
        for i in lines.indices {
            let payable =
                (beforeReceipt != nil ? lines[i].requested - lines[i].wrongItem - lines[i].empty : lines[i].refundable)
                - lines[i].refunded
            guard payable > 0, let a = allocation.lines.first(where: { $0.lineNo == lines[i].lineNo }),
                let ol = orderLines.first(where: { $0.lineNo == lines[i].lineNo })
            else { continue }
            // Units refunded before they came back are paid for already, and counted refunded on the line.
            let unpaid = payable - min(payable, ahead[lines[i].lineNo] ?? 0)
            let part = RefundAllocation.refund(
                a, units: unpaid, already: ol.settled, withShipping: withShipping)
            total += part
            lines[i].refunded += payable
            units[String(lines[i].lineNo)] = .int(payable)
            try ctx.store.update(lines[i], returnRowID: r.rowID)
            if unpaid > 0 {
                try ctx.store.addLineQuantity(.refunded, orderRowID: order.rowID, lineNo: lines[i].lineNo, qty: unpaid)
            }
        }
        guard !units.isEmpty else {
            throw OrderCoreError(
                .conflict, "return \(id) has nothing to refund: no unit arrived that was not refunded already",
                details: ["return_id": .string(id), "state": .string(r.state.rawValue)])
        }
        try ctx.addShippingDue(policy, to: &total, allocation: allocation, orderLines: orderLines, order: order)
        let sequence = try ctx.store.returnRefunds(returnRowID: r.rowID).count + 1
        let refundRef = ref ?? "\(id)-\(sequence)"
        // Goods back before they were paid for (a cash-on-delivery parcel refused at the door) are no longer
        // owed: their value comes off what is due first, and only what was paid beyond it goes back.
        let earlier = try ctx.refundsWithoutUnits(order, lines: orderLines, allocation: allocation).apply(
            &total, due: order.amountDue)
        let (writtenOff, money) = Order.settlement(total.cash + total.shipping, due: order.amountDue)
        try ctx.store.insertRefund(
            returnRowID: r.rowID, ref: refundRef, refund: total, writtenOff: writtenOff, units: .object(units),
            beforeReceipt: beforeReceipt, at: ctx.at, actor: ctx.actor)
        if writtenOff > 0 {
            try ctx.transition(
                &order, to: order.state, command: "return.refund",
                details: [
                    "return_id": .string(id), "refund_ref": .string(refundRef),
                    "written_off": order.money(writtenOff), "balance_due": order.money(order.amountDue - writtenOff),
                ]
            ) { $0.writeOff(writtenOff, at: ctx.at) }
            try ctx.clearUncollected(order)
        }
        // An exchange: the refund pays what the replacement still owes, once the buyer paid the difference.
        let credit = try ctx.creditReplacement(of: r, from: money, refundRef: refundRef)
        if money > 0 {
            // The money goes back as an order refund: payment status, the never-more-than-paid check and the
            // chargebacks' are the order's.
            _ = try RefundCommands.refund(
                ctx,
                Fields([
                    "order_id": .string(order.orderID), "amount": order.money(money),
                    "refund_ref": .string(refundRef),
                    "reason": .string(
                        "return \(id): \(r.reason)"
                            + (credit > 0
                                ? "; \(order.money(credit).stringValue ?? "") paid for exchange "
                                    + "\(r.replacementOrderID ?? "")"
                                : "")),
                ]), asked: false, paysOwed: false)
            order = try ctx.requireOrder(order.orderID)
        }
        let done = lines.allSatisfy { $0.received >= $0.requested && $0.refunded >= $0.refundable }
        try ctx.transition(
            &r, to: done ? .refunded : r.state, command: "return.refund",
            details: [
                "refund_ref": .string(refundRef), "cash": order.money(money), "points": order.money(total.points),
                "written_off": order.money(writtenOff), "before_receipt": .optional(beforeReceipt),
                "refunded_earlier": earlier > 0 ? order.money(earlier) : .null,
            ])
        return try ctx.returnDocument(r, extra: ["payment_status": try ctx.document(order)["payment_status"] ?? .null])
    }

    static let get = Command(
        "return.get", .read,
        "Show a return: lines, each line's allocation (gross, discount shares, net per tender), the quote, refunds and "
            + "timeline (return_id)",
        arguments: [
            .returnID
        ],
        result: ReturnRecord.members
    ) { ctx, f in
        let id = try f.requiredCode("return_id")
        try f.finish()
        return try ctx.returnDocument(try ctx.requireReturn(id))
    }

    static let list = Command(
        "return.list", .read,
        "List returns oldest first (state, order_id, overdue = not moved within returns.sla_hours, older_than_hours, "
            + "after, limit)",
        arguments: [
            Argument("state", .code, "Only returns in this state"),
            Argument("order_id", .code, "Only this order's returns"),
            Argument("overdue", .boolean, "Only returns past their deadline"),
            Argument("older_than_hours", .integer, "Only returns open longer than this"),
            Argument("after", .code, completes: .returnID),
            .limit,
        ],
        result: ["returns", "next"],
        shellNames: ["order": "order_id"]
    ) { ctx, f in
        let state = try f.choice("state", of: ReturnRecord.State.self)
        let orderID = try f.code("order_id")
        let overdue = try f.bool("overdue") ?? false
        let olderThan = try f.int("older_than_hours", min: 0, max: 87_600)
        let after = try f.code("after")
        let limit = try f.int("limit", min: 1, max: 1_000) ?? 50
        try f.finish()
        var states = state.map { [$0] }
        var movedBefore = olderThan.map { ctx.at - $0 * 3_600_000 }
        if overdue {
            states = states ?? ReturnRecord.open
            movedBefore = min(movedBefore ?? .max, ctx.at - (try ctx.intSetting(.returnSLAHours)) * 3_600_000)
        }
        let orderRowID = try orderID.map { try ctx.requireOrder($0).rowID }
        let afterRowID = try after.map { try ctx.requireReturn($0).rowID }
        let rows = try ctx.store.listReturns(
            states: states, movedBefore: movedBefore, orderRowID: orderRowID, afterRowID: afterRowID,
            limit: Int(limit) + 1)
        let shown = rows.prefix(Int(limit))
        return [
            "returns": .array(
                shown.map { r in
                    [
                        "return_id": .string(r.returnID), "state": .string(r.state.rawValue),
                        "reason": .string(r.reason), "owner": .optional(r.owner),
                        "customer": .optional(r.customer), "state_since": .string(Timestamp.format(r.stateSince)),
                        "hours_in_state": .int((ctx.at - r.stateSince) / 3_600_000),
                        "flags": .array(r.flags.map(JSON.string)),
                    ]
                }), "next": rows.count > Int(limit) ? .optional(shown.last?.returnID) : .null,
        ]
    }

    static let customerStats = Command(
        "customer.returns", .read,
        "A customer's returns record for risk checks: orders, returns, refunded cash, wrong-item and empty-box "
            + "signals, parcels refused at the door, chargebacks (customer = id, phone or email)",
        arguments: [
            Argument("customer", .code, required: true, positional: true)
        ],
        result: [
            "customer", "orders", "returns", "wrong_item_units", "empty_units", "refunded_cash",
            "empty_box_returns", "refused_deliveries", "return_rate", "chargebacks",
        ]
    ) { ctx, f in
        let customer = try f.requiredCode("customer")
        try f.finish()
        var stats = try ctx.store.returnerStats(customer: customer)
        stats["refunded_cash"] = .object(try ctx.store.refundedCash(customer: customer))
        let orders = stats["orders"]?.intValue ?? 0
        let returns = stats["returns"]?.intValue ?? 0
        stats["return_rate"] = .number(orders > 0 ? String(Double(returns) / Double(orders)) : "0")
        stats["flagged"] = .bool(CommandContext.isFlagged(stats))
        stats["chargebacks"] = .int(try ctx.store.chargebacks(customer: customer))
        return .object(stats)
    }
}

extension ReturnCommands {
    /// Returns that have not moved within `returns.sla_hours` get a `return_overdue` alert naming the
    /// return and its owner (run by `sweep`). Returns how many are overdue.
    static func escalateOverdue(_ ctx: CommandContext) throws -> Int {
        let cutoff = try ctx.at - ctx.intSetting(.returnSLAHours) * 3_600_000
        var overdue = 0
        var after: Int64?
        while true {
            let page = try ctx.store.listReturns(
                states: ReturnRecord.open, movedBefore: cutoff, orderRowID: nil, afterRowID: after, limit: 500)
            for r in page {
                try ctx.store.openAlert(
                    kind: "return_overdue", ref: r.returnID, at: ctx.at,
                    details: [
                        "return_id": .string(r.returnID), "owner": .optional(r.owner),
                        "state": .string(r.state.rawValue),
                        "since": .string(Timestamp.format(r.stateSince)),
                    ])
            }
            overdue += page.count
            guard page.count == 500 else { return overdue }
            after = page.last?.rowID
        }
    }
}

extension CommandContext {
    /// Returned units into stock by grade: resellable to on hand (to quarantine until a QC pass with
    /// `returns.inspect_before_resale`), damaged to quarantine.
    /// The units come back at what they cost when they left (`unitCost`), reversing that cost.
    func postReturned(
        sku: String, warehouse: String, resellable: Int64, damaged: Int64, returnID: String, unitCost: Int64?
    ) throws {
        if resellable > 0 {
            let inspect = try boolSetting(.inspectBeforeResale)
            _ = try post(
                LedgerEntry(
                    sku: sku, warehouse: warehouse, bucket: inspect ? .quarantine : .onHand, delta: resellable,
                    reason: .returned, refType: "return", refID: returnID,
                    note: inspect ? "resellable: waiting for a QC pass before resale" : nil, unitCost: unitCost))
        }
        if damaged > 0 {
            _ = try post(
                LedgerEntry(
                    sku: sku, warehouse: warehouse, bucket: .quarantine, delta: damaged, reason: .returned,
                    refType: "return", refID: returnID, note: "damaged on return", unitCost: unitCost))
        }
    }
}

extension CommandContext {
    /// Pays an exchange's replacement with the return's refund: when what it still owes is covered (the
    /// buyer paid the price difference, its deposit), it is paid with the refund (`payment_ref`
    /// `<refund_ref>-exchange`) and goes on to be shipped. - Returns: the amount applied (0 when there is
    /// no replacement waiting, or the refund does not cover it: the buyer then pays it in full).
    func creditReplacement(of r: ReturnRecord, from money: Int64, refundRef: String) throws -> Int64 {
        guard let id = r.replacementOrderID, let replacement = try store.order(id: id),
            OrderState.unpaid.contains(replacement.stage)
        else { return 0 }
        let due = replacement.amountDue - (replacement.stage == .pendingPayment ? (replacement.deposit ?? 0) : 0)
        guard due > 0, due <= money, replacement.stage == .depositPaid || replacement.deposit == nil else { return 0 }
        _ = try OrderCommands.pay.run(
            self,
            Fields([
                "order_id": .string(id), "amount": replacement.money(due),
                "payment_ref": .string("\(refundRef)-exchange"),
            ]))
        return due
    }
}
