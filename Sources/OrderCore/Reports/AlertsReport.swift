/// `report.alerts`: everything that needs a person, most urgent first, with what to do.
enum AlertCommands {
    static let all = [alerts, resolve]

    /// How urgent each kind of alert is and the command that resolves it (`{…}` names a field of the alert).
    static let guidance: [String: (severity: String, resolve: String)] = [
        "dead_letter": ("high", "intake.get / intake.retry inbox_id after fixing the profile or the catalog ({ref})"),
        "backorder": (
            "high",
            "stock.receive the short SKUs (orders sold short take them first, oldest first), then order.allocate "
                + "{order_id}"
        ),
        "carrier_exception": ("high", "tracking.get the parcel of {order_id} and call the carrier"),
        "delivery_refused": (
            "high",
            "the buyer refused the parcel of {order_id}: when it is back, return.request {order_id} "
                + "reason=refused_delivery (a cash-on-delivery order is then owed nothing)"
        ),
        "returning_to_sender": (
            "high",
            "the carrier is sending the parcel of {order_id} back (undeliverable): contact the buyer; when it is "
                + "back, return.request {order_id} (a cash-on-delivery order is then owed nothing)"
        ),
        "parcel_lost": (
            "high",
            "the carrier lost the parcel of {order_id}: claim with the carrier, then send the goods again or "
                + "order.refund {order_id}"
        ),
        "delivery_failed": ("high", "contact the buyer of {order_id}; tracking.get for the attempts"),
        "no_pickup": ("high", "call the carrier: the parcel of {order_id} was never scanned"),
        "cod_uncollected": (
            "high",
            "ask the carrier for the cash collected for {order_id} and record it with order.pay {order_id} amount=...; "
                + "a refused parcel comes back as return.request {order_id} reason=refused_delivery"
        ),
        "payment_overdue": (
            "high",
            "ask the buyer of {order_id} for the payment due on its terms; record it with order.pay {order_id} "
                + "(its channel's order: paid when the channel says so); goods sent back come off what is due "
                + "(return.request {order_id})"
        ),
        "refund_overdue": (
            "high",
            "give the buyer of {order_id} the money owed back (details.amount_due) at the gateway or channel and "
                + "record it with order.refund {order_id} amount=..."
        ),
        "risk_hold": ("high", "risk.review {order_id} approve|reject"),
        "unpaid_expired": ("warning", "sweep (closes {order_id} and releases its stock)"),
        "stuck_order": ("warning", "move {order_id} on: order.view it and run its next step"),
        "low_stock": ("warning", "stock.receive or stock.transfer {sku}"),
        "channel_drift": (
            "warning",
            "report.intake channel={ref}: check the new or missing fields against its profile (intake.profile_get)"
        ),
        "health_degraded": (
            "warning",
            "report.health: {ref} has stayed below grade C for health.degraded_days business days (docs/reports.md "
                + "says what moves each component)"
        ),
        "replenish": (
            "warning", "buy the suggested quantity of {sku} (stock.replenishment sku={sku}), then stock.receive"
        ),
        "possible_duplicate": ("warning", "order.cancel {order_id} if it is the same purchase"),
        "return_overdue": ("warning", "return.get {ref} and move it on (approve, receive, refund)"),
        "transfer_overdue": (
            "warning",
            "stock.transfer_get {ref}: receive what arrived (stock.transfer_receive); if the rest never will, close "
                + "it short (stock.transfer_close {ref} reason=..., a supervisor's)"
        ),
        "return_empty_box": ("warning", "customer.returns for the customer of return {ref}"),
        "return_wrong_item": ("warning", "customer.returns for the customer of return {ref}"),
        "risk_review": ("warning", "risk.review {order_id} approve|reject"),
        "unknown_tracking": ("info", "tracking.get {ref}: no shipment has this tracking number"),
        "feed_lag": (
            "warning", "start or fix consumer {ref}: it reads with events.read and acknowledges with events.ack"
        ),
        "off_hours_bulk": (
            "warning", "check what {ref} changed (order.timeline, stock.ledger) and whether it was meant"
        ),
        "channel_shipped": (
            "high",
            "the channel shipped {order_id} itself: put back what was picked or packed for it (order.show {order_id})"
        ),
        "channel_lines_changed": (
            "high",
            "the channel's lines of {order_id} are not OrderCore's (edited there): cancel it and enter it again, "
                + "or ship it as it is if the channel's are wrong (order.show {order_id})"
        ),
        "channel_paid_cancelled": (
            "high",
            "the channel reports {order_id} paid or shipped, but it is cancelled here: refund the buyer at the "
                + "channel, or enter the order again (order.show {order_id})"
        ),
        "channel_payment_voided": (
            "high",
            "the channel voided the payment of {order_id} it had reported (an authorization voided, or not captured "
                + "in time): no money was taken, but it is recorded paid here and in the warehouse or gone: stop it, "
                + "or have the buyer pay at the channel: it clears when the channel reports it paid (order.show "
                + "{order_id})"
        ),
        "channel_cancelled_shipped": (
            "high",
            "the channel cancelled {order_id} after its goods left (refused at the door, lost, refunded there, or a "
                + "buyer's cancel request too late): answer the buyer, and return.request {order_id} for what comes "
                + "back (reason refused_delivery for a refused parcel); money the channel gave back that the order "
                + "does not show refunded is recorded by the return's refund, or by order.refund when nothing comes "
                + "back"
        ),
        "channel_parcel_cancelled": (
            "high",
            "the channel cancelled the parcel {ref} of {order_id} (a fulfillment cancelled, a label voided), which is "
                + "recorded shipped: if the goods are still here, have the channel fulfil it again (its new parcel "
                + "takes this one's place and clears this alert) or put them back with stock.adjust; if they left, "
                + "track them (tracking.get)"
        ),
        "channel_cancelled_picked": (
            "high",
            "the channel cancelled {order_id} while it was being picked or packed here: put its units back on the "
                + "shelf (order.show {order_id})"
        ),
        "channel_refund_exceeds": (
            "warning",
            "the channel refunded more for {order_id} than OrderCore had paid (recorded up to what was paid): "
                + "compare its payments with the channel's (order.show {order_id})"
        ),
        "channel_refund_unmatched": (
            "warning",
            "the channel reported a refund for {order_id} that matches no refund of its returns by amount: if it "
                + "is the same money (the channel also gave back shipping), it is counted twice; compare its "
                + "payments with the channel's (order.show {order_id})"
        ),
        "chargeback": (
            "high",
            "a chargeback ({ref}) is taking the money of {order_id} back: answer the bank with your evidence; ship "
                + "nothing more of it until it is won (order.dispute {order_id} {ref} status=won) unless a supervisor "
                + "decides to; once lost, cancel what has not left (order.show {order_id})"
        ),
        "refunded_unshipped": (
            "high",
            "{order_id} was refunded (in full, or the units the alert names), or those units cancelled, while "
                + "being picked, packed or shipped: put those units back, and order.cancel {order_id} if nothing is "
                + "left to ship"
        ),
    ]
    static let severityRank = ["high": 0, "warning": 1, "info": 2]

    /// Alerts that clear themselves when their cause goes, and what makes it go: resolving one by hand would
    /// hide a cause that is still there (an order still short, a SKU still low).
    static let clearedByTheirCause: [String: String] = [
        "backorder": "clears when the order is no longer short (stock.receive, order.allocate, or cancel the units)",
        "low_stock": "clears when the SKU's stock is no longer low (stock.receive, stock.transfer)",
        "replenish": "clears when the SKU's stock is no longer low (stock.receive)",
        "transfer_overdue": "clears when the transfer is received (stock.transfer_receive) or closed short",
        "return_overdue": "clears when the return moves on (approve, receive, refund)",
        "health_degraded": "clears when the component is back to grade C or better (sweep's daily checks)",
        "channel_drift": "clears when the channel's payloads match its profile again (report.intake)",
        "cod_uncollected": "clears when the cash is recorded (order.pay) or the parcel comes back (return.request)",
        "payment_overdue": "clears when the payment is recorded (order.pay) or what is owed comes back (return.refund)",
        "refund_overdue": "clears when the refund owed is recorded (order.refund)",
    ]

    /// Alerts about money or possible fraud, or about an event not taken in: a supervisor closes them. The rest
    /// (units to put back, a parcel the carrier has not scanned) the person who did the work closes.
    static let resolvedBySupervisor: Set<String> = [
        "dead_letter", "chargeback", "channel_refund_exceeds", "channel_refund_unmatched", "channel_paid_cancelled",
        "channel_payment_voided", "channel_lines_changed", "possible_duplicate", "return_empty_box",
        "return_wrong_item", "parcel_lost",
    ]

    static let resolve = Command(
        "alert.resolve", .write,
        "Close an open alert a person has dealt with, saying what was done (alert_id, note): units put back, the "
            + "buyer answered; it leaves report.alerts and the feed says it cleared",
        roleRule: "a supervisor for " + resolvedBySupervisor.sorted().joined(separator: ", "),
        sharing: .concurrent,
        arguments: [
            Argument("alert_id", .integer, "The alert (report.alerts' alert_id)", required: true, positional: true),
            Argument("note", .text, "What was done", required: true, positional: true),
        ],
        result: ["id", "kind", "sku", "order_id", "ref", "opened_at", "cleared_at", "details"]
    ) { ctx, f in
        let id = try f.requiredInt("alert_id", min: 1)
        guard let note = try f.text("note", maxLength: 500), !note.isEmpty else {
            throw OrderCoreError.invalid("note is required: say what was done", field: "note")
        }
        try f.finish()
        guard var alert = try ctx.store.alert(id: id)?.objectValue, let kind = alert["kind"]?.stringValue else {
            throw OrderCoreError(.notFound, "no alert \(id)", details: ["alert_id": .int(id)])
        }
        if let cleared = alert["cleared_at"]?.stringValue {
            throw OrderCoreError(
                .conflict, "alert \(id) (\(kind)) was cleared at \(cleared)",
                details: ["alert_id": .int(id), "cleared_at": .string(cleared)])
        }
        if let cause = clearedByTheirCause[kind] {
            throw OrderCoreError(
                .conflict, "a \(kind) alert is not closed by hand: it \(cause)",
                details: ["alert_id": .int(id), "kind": .string(kind)])
        }
        if resolvedBySupervisor.contains(kind) { try ctx.requireRole(.supervisor, to: "resolving a \(kind) alert") }
        var details = alert["details"]?.objectValue ?? [:]
        details["resolved_by"] = .string(ctx.actor)
        details["resolution"] = .string(note)
        try ctx.store.resolveAlert(id: id, at: ctx.at, details: .object(details))
        alert["cleared_at"] = .string(Timestamp.format(ctx.at))
        alert["details"] = .object(details)
        return .object(alert)
    }

    static let alerts = Command(
        "report.alerts", .read,
        "Everything that needs a person, most urgent first: alerts, stuck and expired orders, risk reviews — each with "
            + "severity, age and the command that resolves it (limit)",
        arguments: [
            .limit
        ],
        result: ["items", "stuck_orders", "alerts"],
        shows: "items"
    ) { ctx, f in
        let limit = Int(try f.int("limit", min: 1, max: 1_000) ?? 100)
        try f.finish()
        let limits = try ctx.value(of: .stateLimitHours).objectValue ?? JSONObject()
        let stuck = try ctx.store.listOrders(
            Store.OrderFilter(stuck: try ctx.stuckCutoffs(), longestInState: true), limit: limit
        )
        .map { o -> JSON in
            let since = o.stateSince ?? o.updatedAt
            return [
                "kind": "stuck_order", "order_id": .string(o.orderID), "state": .string(o.state.rawValue),
                "since": .string(Timestamp.format(since)),
                "hours": .string(Money.format((ctx.at - since) / 360_000, exponent: 1)),
                "limit_hours": limits[o.state.rawValue] ?? .null, "channel": .string(o.channel),
            ]
        }
        let open = try ctx.store.alerts(openOnly: true, limit: limit)
        // One list: every source, with severity, age and what to do. Alerts clear themselves when their
        // cause is gone (stock arrives, the return moves, the retry succeeds); derived items vanish with it.
        var items: [(rank: Int, since: String, item: JSON)] = []
        func add(_ kind: String, since: String, fields: JSONObject) {
            let g = guidance[kind] ?? ("info", "look at it")
            var item: JSONObject = ["kind": .string(kind), "severity": .string(g.severity)]
            for (k, v) in fields.pairs { item[k] = v }
            let sinceTime = Timestamp.parse(since) ?? ctx.at
            item["since"] = .string(since)
            item["age_hours"] = .string(Money.format(max(0, ctx.at - sinceTime) / 360_000, exponent: 1))
            var resolve = g.resolve
            // An alert nothing clears by itself is closed by the person who dealt with it.
            if fields["alert_id"] != nil, clearedByTheirCause[kind] == nil {
                resolve += "; when dealt with: alert.resolve {alert_id} \"what was done\""
            }
            for key in ["order_id", "sku", "ref", "alert_id"] {
                let value = fields[key].map { $0.stringValue ?? $0.serialized } ?? "?"
                resolve = resolve.replacingAll("{\(key)}", with: value)
            }
            item["resolve"] = .string(resolve)
            items.append((severityRank[g.severity] ?? 3, since, .object(item)))
        }
        for a in open {
            var fields = JSONObject()
            for key in ["id", "sku", "order_id", "ref", "details"] {
                if let v = a[key], v != .null { fields[key == "id" ? "alert_id" : key] = v }
            }
            add(a["kind"]?.stringValue ?? "alert", since: a["opened_at"]?.stringValue ?? "", fields: fields)
        }
        for s in stuck {
            add(
                "stuck_order", since: s["since"]?.stringValue ?? "",
                fields: ["order_id": s["order_id"] ?? .null, "state": s["state"] ?? .null])
        }
        for o in try ctx.store.riskQueue(limit: limit) {
            add(
                o.risk["decision"] == "hold" ? "risk_hold" : "risk_review",
                since: o.risk["assessed_at"]?.stringValue ?? "",
                fields: ["order_id": .string(o.orderID), "score": o.risk["score"] ?? .null])
        }
        for rowID in try ctx.store.expiredUnpaidOrders(at: ctx.at).prefix(limit) {
            guard let o = try ctx.store.order(rowID: rowID) else { continue }
            add(
                "unpaid_expired", since: Timestamp.format(o.expiresAt ?? o.updatedAt),
                fields: ["order_id": .string(o.orderID)])
        }
        // From the health report's measures: a change-feed consumer an hour or more behind, and bulk
        // changes outside working hours in the last day.
        for c in try ctx.store.consumers() {
            guard let oldest = try ctx.store.oldestUnread(after: c.cursor), ctx.at - oldest >= 3_600_000 else {
                continue
            }
            add("feed_lag", since: Timestamp.format(oldest), fields: ["ref": .string(c.consumer)])
        }
        let time = try ctx.businessTime(), endHour = try ctx.intSetting(.workEndsHour)
        let offHours = try ctx.store.offHoursChanges(
            from: ctx.at - 86_400_000, to: ctx.at, time: time,
            startHour: try ctx.intSetting(.workStartsHour), endHour: endHour)
        for burst in offHours where burst.changes >= (try ctx.intSetting(.offHoursChanges)) {
            let nightStarts = time.instant(day: burst.night, millis: endHour * 3_600_000)
            add(
                "off_hours_bulk", since: Timestamp.format(nightStarts),
                fields: ["ref": .string(burst.actor), "changes": .int(burst.changes)])
        }
        // Who owns each order's item, and which have waited too long: those go to a supervisor.
        let escalateAfter = try ctx.intSetting(.escalateAfterHours) * 3_600_000
        var sorted = items.sorted { ($0.rank, $0.since) < ($1.rank, $1.since) }.prefix(limit).map(\.item)
        let owners = try ctx.store.owners(orderIDs: Array(Set(sorted.compactMap { $0["order_id"]?.stringValue })))
        for i in sorted.indices {
            guard case .object(var item) = sorted[i] else { continue }
            item["owner"] = .optional(item["order_id"]?.stringValue.flatMap { owners[$0] })
            let since = item["since"]?.stringValue.flatMap(Timestamp.parse) ?? ctx.at
            item["escalated"] = .bool(ctx.at - since >= escalateAfter)
            sorted[i] = .object(item)
        }
        return ["items": .array(Array(sorted)), "stuck_orders": .array(stuck), "alerts": .array(open)]
    }
}
