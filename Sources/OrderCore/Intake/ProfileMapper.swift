/// One canonical event mapped from a channel payload.
struct MappedEvent {
    var type: ChannelProfile.EventType
    var externalID: String
    /// The canonical order document (`order`) or the event's fields (`cancel`, `refund`).
    var fields: JSONObject
    /// What the channel says the order's status is, and the canonical state that means.
    var reportedStatus: String?
    var state: OrderState?
    /// When the channel last changed the order (the profile's `updated_at`): an event older than the latest
    /// applied one for its order is stale, and moves nothing.
    var updatedAt: Int64?
    /// Unpaid, and the channel holds no stock for it (the profile's `status.holds_nothing`).
    var holdsNothing = false
    /// Cancelled, and its money has not gone back (the profile's `status.cancelled_unrefunded`).
    var unrefunded = false
    /// Cancelled after the channel took its money (the profile's `status.cancelled_paid`).
    var paidBeforeCancel = false
    /// Cancelled with its balance unpaid: a pre-sale's deposit is forfeited (the profile's
    /// `status.deposit_forfeited`).
    var forfeitsDeposit = false
    /// Not paid, whatever its fulfilment (the profile's `status.unpaid`).
    var unpaid = false
    /// The payment the channel reported before was never taken (the profile's `status.payment_voided`).
    var paymentVoided = false
    /// The money is authorized there, not captured yet (the profile's `status.payment_authorized`).
    var paymentAuthorized = false
    /// Cancelled after the channel shipped it (a status rule with `"shipped": true`): its goods left.
    var shippedBeforeCancel = false
    /// A test order (the profile's `test`: Shopify's test mode): no money moved, and no goods may ship for it.
    var test = false
    /// Amounts the channel reports, compared with what the mapped order adds up to.
    var checks: [String: Int64] = [:]
    var lineChecks: [Int: Int64] = [:]
    /// Lines that were not stock (skipped or added to shipping), with the reason.
    var notStock: [JSON] = []
    /// Refunds an order payload carries: `refund_ref`, `amount`, `reason`, `units` [{sku, qty}], `cancel_units`,
    /// `at` (when it was made, Unix milliseconds), `before_shipment`.
    var refunds: [JSONObject] = []
    /// Disputes of its payment an order payload carries: `order.dispute`'s arguments (`dispute_ref`, `kind`,
    /// `status`, `amount`, `reason`).
    var disputes: [JSONObject] = []
    /// Fraud verdicts an order payload carries: `risk.report`'s arguments (`source`, `level`, `message`).
    var risks: [JSONObject] = []
    /// For a partly shipped order: the units of each line (by number, from 1) the channel reports shipped so
    /// far — the lines rule's `shipped_qty`, or `Int64.max` for a line its `shipped_when` marks gone whole.
    var shippedUnits: [Int64: Int64] = [:]
    /// The units still on each line at the channel (by number, from 1), when the profile reads them
    /// (`current_qty`): an edit that removed units shows there.
    var currentUnits: [Int64: Int64] = [:]
    /// What mapping noticed (an SKU taken from a fallback).
    var warnings: [JSON] = []
    var reason: String?
}

/// One object of a payload (an element of a list, or the payload itself) and what it maps to.
struct MappedElement {
    /// Where it is (`orders#2`), for outcomes and for the event id of its own dead letter.
    var key: String
    /// The object itself (for CSV, the order's group of rows).
    var element: JSON
    var result: Result<MappedEvent, OrderCoreError>
}

/// Applies a profile to a payload. Pure: it sees the payload and the default currency, never the
/// database, so a mapping can be tested (and shown by `intake.map`) without applying anything.
struct ProfileMapper {
    let profile: ChannelProfile
    let defaultCurrency: String

    /// - Parameters:
    ///   - payload: the payload as received: text (JSON or CSV) or an already parsed value.
    ///   - arguments: what `@` paths read (`external_id`, `event_type`, `event_id`).
    /// - Throws: `invalid_input` saying what is wrong (the event becomes a dead letter).
    func map(_ payload: JSON, arguments: JSONObject) throws(OrderCoreError) -> [MappedEvent] {
        try elements(payload, arguments: arguments).map { element throws(OrderCoreError) in try element.result.get() }
    }

    /// Each object of the payload (each element of a list) mapped by the first rule that takes it, on
    /// its own: one bad element does not spoil the others.
    /// - Throws: `invalid_input` when the payload as a whole cannot be read or no rule takes any of it.
    func elements(_ payload: JSON, arguments: JSONObject) throws(OrderCoreError) -> [MappedElement] {
        let document = try parse(payload)
        let base = Evaluator(
            current: document, payload: document, arguments: .object(arguments),
            timeOffsetMinutes: profile.timeOffsetMinutes, timeFormat: profile.timeFormat)
        var claimed = Set<String>()
        var elements: [MappedElement] = []
        // Elements of a list (`orders#2`; a CSV payload's orders are `#1`, `#2`...) that a rule's `when`
        // passed over, in the order met.
        var passedOver: [(key: String, element: JSON)] = []
        for rule in profile.events {
            for (key, element) in candidates(rule, in: document, base) where !claimed.contains(key) {
                guard rule.when.allSatisfy({ $0.holds(base.taking(element)) }) else {
                    if !key.hasSuffix("#") { passedOver.append((key, element)) }
                    continue
                }
                claimed.insert(key)
                let result: Result<MappedEvent, OrderCoreError>
                do {
                    result = .success(try map(rule, base.taking(element)))
                } catch {
                    result = .failure(
                        OrderCoreError(
                            .invalidInput, "\(key.hasSuffix("#") ? "" : "element \(key): ")\(error.message)",
                            details: error.details))
                }
                elements.append(MappedElement(key: key, element: element, result: result))
            }
        }
        guard !elements.isEmpty else {
            if isEmptyPage(document, base) { return [] }
            throw noRule("the payload")
        }
        // Every element of a list is accounted for: one that no rule takes fails on its own (its dead letter
        // holds it alone), as a payload of that element alone would, rather than go unnoticed beside the
        // elements that were taken.
        for (key, element) in passedOver where claimed.insert(key).inserted {
            elements.append(MappedElement(key: key, element: element, result: .failure(noRule("element \(key)"))))
        }
        return elements
    }

    /// Whether the payload is an empty page of a list a rule takes (`{"orders": []}`, a GraphQL `edges: []`: a
    /// poll that found nothing new): nothing to apply, and nothing wrong.
    private func isEmptyPage(_ document: JSON, _ e: Evaluator) -> Bool {
        profile.events.contains { rule in
            rule.roots.contains { $0.reachesEmptyList(in: e) }
        }
    }

    private func noRule(_ what: String) -> OrderCoreError {
        .invalid(
            "\(what) matches no event rule of profile '\(profile.name)' (rules: "
                + "\(profile.events.map(\.type.rawValue).joined(separator: ", ")))")
    }

    /// One element as a payload of its own (a dead letter's), in the profile's format: the object as
    /// JSON, or its group of rows as CSV.
    func payload(of element: JSON) -> String {
        guard profile.format == .csv, let rows = element["rows"]?.arrayValue?.compactMap(\.objectValue),
            let first = rows.first
        else {
            return element.serialized
        }
        let columns = first.keys
        let lines =
            [columns.map(CSV.field).joined(separator: ",")]
            + rows.map { row in
                columns.map { CSV.field(row[$0].flatMap(Evaluator.text(of:)) ?? "") }.joined(separator: ",")
            }
        return lines.joined(separator: "\r\n")
    }

    private func parse(_ payload: JSON) throws(OrderCoreError) -> JSON {
        guard case .string(let text) = payload else {
            guard profile.format == .json else {
                throw .invalid("profile '\(profile.name)' reads CSV: the payload must be CSV text", field: "payload")
            }
            return payload
        }
        switch profile.format {
        case .json:
            do {
                return try JSONParser.parse(text)
            } catch {
                throw .invalid("the payload is not valid JSON: \(Engine.wrap(error).message)", field: "payload")
            }
        case .csv:
            let rows = try CSV.records(text)
            guard let groupBy = profile.groupBy else { return .array(rows.map(JSON.object)) }
            // One order per value of the grouping column, in order of first appearance; the group is
            // the first row's columns plus `rows`, every row of the order.
            var order: [String] = []
            var groups: [String: [JSONObject]] = [:]
            for (i, row) in rows.enumerated() {
                let e = Evaluator(current: .object(row), payload: .null, arguments: .null)
                guard let key = try e.text(groupBy, field: "row \(i + 2)") else {
                    throw .invalid("row \(i + 2) has no value in the group_by column", field: "payload")
                }
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(row)
            }
            return .array(
                order.map { key in
                    let rows = groups[key] ?? []
                    var group = rows.first ?? [:]
                    group["rows"] = .array(rows.map(JSON.object))
                    return .object(group)
                })
        }
    }

    /// The objects a rule would map, keyed by where they are (`order#`, `orders#2`) so that a later
    /// rule does not map them again.
    private func candidates(
        _ rule: ChannelProfile.EventRule, in document: JSON, _ e: Evaluator
    ) -> [(key: String, element: JSON)] {
        for root in rule.roots {
            let found = root.values(in: e)
            // A path through a list (`data.orders.edges[].node`) reaches each object it names.
            if found.count > 1 {
                return found.enumerated().filter { $0.element.objectValue != nil }.map {
                    ("\(root.text)#\($0.offset + 1)", $0.element)
                }
            }
            guard let value = found.first else { continue }
            if case .array(let items) = value {
                return items.enumerated().filter { $0.element.objectValue != nil }.map {
                    ("\(root.text)#\($0.offset + 1)", $0.element)
                }
            }
            if value.objectValue != nil { return [("\(root.text)#", value)] }
        }
        return []
    }

    private func map(_ rule: ChannelProfile.EventRule, _ element: Evaluator) throws(OrderCoreError) -> MappedEvent {
        var e = element
        var currency: String?
        if let spec = rule.fields.first(where: { $0.0 == "currency" })?.1 {
            // A currency code has one spelling (a file's `usd` is USD).
            currency = try e.text(spec, field: "currency")?.uppercased()
            // A CSV order's fields are read from its first row: a later row in another currency would have
            // its prices read in the first row's (a USD line booked as CNY). Such an order is refused.
            if profile.format == .csv, case .array(let rows)? = e.current["rows"], rows.count > 1 {
                var row = e
                for i in 1..<rows.count {
                    row.current = rows[i]
                    guard let other = try row.text(spec, field: "currency"), other.uppercased() != currency else {
                        continue
                    }
                    throw .invalid(
                        "the order's rows disagree on its currency: \(currency ?? "none") on its first row, "
                            + "\(other) on row \(i + 1) of the order",
                        field: "currency")
                }
            }
        }
        e.exponent = Money.exponent(of: currency ?? defaultCurrency)
        var fields = JSONObject()
        var customer = JSONObject(), shipTo = JSONObject(), shipment = JSONObject(), terms = JSONObject()
        var updatedAt: Int64?
        var units = RefundUnits()
        var noticed: [JSON] = []
        for (key, spec) in rule.fields where !units.take(key, spec) {
            let value: JSON?
            switch key {
            case "currency": value = currency.map(JSON.string)
            case "updated_at":
                // Only orders events in time: one the engine cannot read is not a reason to lose the order.
                updatedAt = try? e.time(spec, field: key)
                continue
            case "deposit":
                // Used only when the status says the deposit (or a part) is paid, and then checked: one the
                // engine cannot read is not a reason to lose the order; kept as it came, for the warning.
                value =
                    (try? e.money(spec, field: key)).flatMap { $0 }.map {
                        .string(Money.format($0, exponent: e.exponent))
                    }
                    ?? (try? e.text(spec, field: key)).flatMap { $0 }.map(JSON.string)
            case "shipping_fee", "shipping_tax", "amount", "prepaid":
                value = try e.money(spec, field: key).map { .string(Money.format($0, exponent: e.exponent)) }
            case "payment_terms.due_at":
                // A due date it cannot read loses no order: the terms stand, due once the goods leave.
                do throws(OrderCoreError) {
                    value = try e.time(spec, field: key).map { .string(Timestamp.format($0)) }
                } catch {
                    noticed.append([
                        "code": "due_at_unread", "field": .string(key),
                        "message": .string(error.message + "; the payment terms are kept, due once the order ships"),
                    ])
                    value = nil
                }
            case "placed_at", "customer.account_created_at", "shipment.shipped_at":
                value = try e.time(spec, field: key).map { .string(Timestamp.format($0)) }
            case "time":
                // When the channel saw a parcel: one it cannot read is the event's own time, and loses no scan.
                value = (try? e.time(spec, field: key)).flatMap { $0 }.map { .string(Timestamp.format($0)) }
            case "taxes_included", "cash_on_delivery", "cancel_units", "payment_voided", "requested":
                value = try e.bool(spec, field: key).map(JSON.bool)
            case "before_shipment", "test":
                // Hints (a refund event's restock type, an order's test mode): a value it cannot read leaves it
                // unsaid, and loses no order.
                value = (try? e.bool(spec, field: key)).flatMap { $0 }.map(JSON.bool)
            case "tags":
                value = .array(try e.values(spec, field: key).compactMap { Evaluator.text(of: $0).map(JSON.string) })
            default: value = try e.text(spec, field: key).map(JSON.string)
            }
            guard let value else { continue }
            if key.hasPrefix("customer.") {
                customer[String(key.dropFirst(9))] = value
            } else if key.hasPrefix("ship_to.") {
                shipTo[String(key.dropFirst(8))] = value
            } else if key.hasPrefix("shipment.") {
                shipment[String(key.dropFirst(9))] = value
            } else if key.hasPrefix("payment_terms.") {
                terms[String(key.dropFirst(14))] = value
            } else {
                fields[key] = value
            }
        }
        guard case .string(let externalID)? = fields["external_id"] else {
            throw .invalid(
                "the \(rule.type.rawValue) has no external id (profile field external_id)", field: "external_id")
        }
        if case let read = try units.read(e, field: "units"), !read.isEmpty { fields["units"] = .array(read) }
        var event = MappedEvent(type: rule.type, externalID: externalID, fields: fields, reason: rule.reason)
        event.updatedAt = updatedAt
        event.warnings = noticed
        guard rule.type == .order, let lineRule = rule.lines else { return event }

        if !customer.isEmpty { event.fields["customer"] = .object(customer) }
        if !shipTo.isEmpty { event.fields["ship_to"] = .object(shipTo) }
        if case let parcels = try Self.parcels(e, rule.parcels), !parcels.isEmpty {
            shipment["parcels"] = .array(Array(parcels.prefix(ChannelShipment.maxParcels)))
            if parcels.count > ChannelShipment.maxParcels {
                event.warnings.append([
                    "code": "parcels_cut",
                    "message": .string(
                        "the order names \(parcels.count) parcels; the first \(ChannelShipment.maxParcels) are kept"),
                ])
            }
        }
        if !shipment.isEmpty { event.fields["shipment"] = .object(shipment) }
        // Terms with no name are no terms (Shopify's `payment_terms` is null on an order paid at checkout).
        if case .string(let name)? = terms["name"], !name.isEmpty { event.fields["payment_terms"] = .object(terms) }
        var shipping = try e.money(.constant(fields["shipping_fee"] ?? .null), field: "shipping_fee") ?? 0
        var lines: [JSON] = []
        var noUnits = 0  // lines of no units, set aside
        var lineRefs: Set<String> = []
        var fees: [JSON] = []
        let items = lineRule.path.values(in: e)
            .flatMap { $0.arrayValue ?? [$0] }
        for (i, item) in items.enumerated() where lineRule.when.allSatisfy({ $0.holds(e.within(item)) }) {
            let l = e.within(item)
            let name = "lines[\(i)]"
            if let notStock = lineRule.rules.first(where: { $0.when.allSatisfy { $0.holds(l) } }) {
                var note: JSONObject = ["line": .int(i + 1), "reason": .string(notStock.reason)]
                if let spec = lineRule.fields.first(where: { $0.0 == "sku" })?.1 {
                    note["sku"] = .optional(try? l.text(spec, field: name))
                }
                if let add = notStock.addToShipping, let amount = try l.money(add, field: "\(name).add_to_shipping") {
                    shipping = try Evaluator.sum(shipping, amount, field: "shipping_fee")
                    note["added_to_shipping"] = .string(Money.format(amount, exponent: e.exponent))
                }
                if let fee = try l.fee(notStock.fee, field: "\(name).fee") {
                    fees.append(fee)
                    note["fee"] = fee["amount"]
                }
                event.notStock.append(.object(note))
                continue
            }
            var line = JSONObject()
            var lineTotal: Int64?
            var shippedQty: Int64?
            var currentQty: Int64?
            var extraDiscount: Int64 = 0
            for (key, spec) in lineRule.fields {
                switch key {
                case "qty": if let q = try l.int(spec, field: "\(name).qty") { line["qty"] = .int(q) }
                case "unit_price", "line_discount", "tax":
                    if let m = try l.money(spec, field: "\(name).\(key)") {
                        line[key] = .string(Money.format(m, exponent: e.exponent))
                    }
                case "line_total": lineTotal = try l.money(spec, field: "\(name).line_total")
                case "shipped_qty": shippedQty = try l.units(spec, field: "\(name).shipped_qty")
                case "current_qty": currentQty = try l.units(spec, field: "\(name).current_qty")
                case "sku_fallback": break
                case "line_ref":
                    // Matches the channel's refunds to the line: one that is no code, or names another line too,
                    // is left out (its refunds match by SKU), never a reason to lose the order.
                    if let t = (try? l.text(spec, field: "\(name).line_ref")).flatMap({ $0 }),
                        let ref = try? Fields.normalizedCode(t, field: "line_ref"), lineRefs.insert(ref).inserted
                    {
                        line["line_ref"] = .string(ref)
                    }
                case "net": if let m = try l.money(spec, field: "\(name).net") { event.lineChecks[lines.count] = m }
                default: if let t = try l.text(spec, field: "\(name).\(key)") { line[key] = .string(t) }
                }
            }
            // A line of no units (Amazon lists an item cancelled at the channel with QuantityOrdered 0) ships and
            // costs nothing: set aside, never a reason to lose the order.
            if case .number(let q)? = line["qty"], Int64(q) == 0 {
                noUnits += 1
                event.notStock.append([
                    "line": .int(i + 1), "sku": line["sku"] ?? .null,
                    "reason": "it has no units (cancelled at the channel)",
                ])
                continue
            }
            if line["sku"] == nil, let fallback = lineRule.fields.first(where: { $0.0 == "sku_fallback" })?.1,
                let sku = try l.text(fallback, field: "\(name).sku_fallback")
            {
                line["sku"] = .string(sku)
                event.warnings.append([
                    "code": "sku_fallback", "line_no": .int(lines.count + 1), "sku": .string(sku),
                    "message": .string(
                        "line \(lines.count + 1) has no SKU at the channel; it was read as '\(sku)' (the profile's "
                            + "sku_fallback)"
                    ),
                ])
            }
            guard line["sku"] != nil else {
                throw .invalid(
                    "\(name) has no SKU, and the profile's fallbacks found none either", field: "\(name).sku")
            }
            // A channel that reports the line's total (Amazon's ItemPrice) rather than a unit price:
            // the unit price is the total over the quantity rounded up, and the rounding becomes a
            // line discount, so the line's net is exactly what the channel charged.
            if let lineTotal, line["unit_price"] == nil, case .number(let q)? = line["qty"], let qty = Int64(q), qty > 0
            {
                let unit = lineTotal / qty + (lineTotal % qty == 0 ? 0 : 1)
                let (gross, overflow) = unit.multipliedReportingOverflow(by: qty)
                guard !overflow else {
                    throw .invalid("\(name).line_total is too large for its quantity", field: "\(name).line_total")
                }
                line["unit_price"] = .string(Money.format(unit, exponent: e.exponent))
                extraDiscount = gross - lineTotal
            }
            if extraDiscount > 0 {
                let given = try e.money(.constant(line["line_discount"] ?? .null), field: name) ?? 0
                line["line_discount"] = .string(
                    Money.format(
                        try Evaluator.sum(given, extraDiscount, field: "\(name).line_discount"), exponent: e.exponent))
            }
            lines.append(.object(line))
            if let currentQty { event.currentUnits[Int64(lines.count)] = currentQty }
            if !lineRule.shippedWhen.isEmpty, lineRule.shippedWhen.allSatisfy({ $0.holds(l) }) {
                event.shippedUnits[Int64(lines.count)] = .max
            } else if let shippedQty, shippedQty > 0 {
                event.shippedUnits[Int64(lines.count)] = shippedQty
            }
        }
        if lines.isEmpty {
            // Every unit cancelled at the channel: the order is, and one already here is cancelled with it.
            if noUnits > 0, try cancelled(rule, e) {
                event.type = .cancel
                event.fields["reason"] = "cancelled at the channel: no line has units left"
                return event
            }
            event.type = .skip
            event.reason = items.isEmpty ? "the order has no lines" : "no line of the order is stock"
            return event
        }
        event.fields["lines"] = .array(lines)
        if shipping != 0 || fields["shipping_fee"] != nil {
            event.fields["shipping_fee"] = .string(Money.format(shipping, exponent: e.exponent))
        }

        var discounts: [JSON] = []
        for list in rule.discounts {
            for d in e.items(list) {
                let discount = try d.amountAndText(list.fields, list: "discounts")
                // A zero discount (Amazon reports PromotionDiscount 0.00 on every item) is no discount.
                if let amount = discount["amount"], case .string(let text) = amount,
                    Money.parse(text, exponent: e.exponent) != 0
                {
                    discounts.append(.object(discount))
                }
            }
        }
        if !discounts.isEmpty { event.fields["discounts"] = .array(discounts) }
        for list in rule.fees {
            for item in e.items(list) {
                if let fee = try item.fee(list.fields, field: "fees") { fees.append(fee) }
            }
        }
        if !fees.isEmpty { event.fields["fees"] = .array(try e.merged(fees)) }
        if let list = rule.refunds {
            for r in e.items(list) {
                var refund = JSONObject()
                var units = RefundUnits()
                for (key, spec) in list.fields where !units.take(key, spec) {
                    if key == "amount" {
                        refund["amount"] = try r.money(spec, field: "refunds.amount").map {
                            .string(Money.format($0, exponent: e.exponent))
                        }
                    } else if key == "cancel_units" {
                        refund[key] = try r.bool(spec, field: "refunds.\(key)").map(JSON.bool)
                    } else if key == "before_shipment" {
                        // Hints: a value they cannot read (a restock type they do not know, a time in another form)
                        // leaves them unsaid, and the refund is recorded all the same.
                        refund[key] = (try? r.bool(spec, field: "refunds.\(key)")).flatMap { $0 }.map(JSON.bool)
                    } else if key == "at" {
                        refund[key] = (try? r.time(spec, field: "refunds.at")).flatMap { $0 }.map(JSON.int)
                    } else {
                        refund[key] = try r.text(spec, field: "refunds.\(key)").map(JSON.string)
                    }
                }
                if case let read = try units.read(r, field: "refunds"), !read.isEmpty { refund["units"] = .array(read) }
                // A refund of nothing (a restock-only record) moves no money; one that takes units off the order
                // (`cancel_units`) still does that.
                guard case .string(let amount)? = refund["amount"], refund["refund_ref"] != nil,
                    (Money.parse(amount, exponent: e.exponent) ?? 0) > 0
                        || refund["cancel_units"] == true && refund["units"] != nil
                else { continue }
                event.refunds.append(refund)
            }
        }
        if let list = rule.disputes {
            for d in e.items(list) {
                let dispute = try d.amountAndText(list.fields, list: "disputes")
                if dispute["dispute_ref"] != nil { event.disputes.append(dispute) }
            }
        }
        if let list = rule.risks {
            for r in e.items(list) {
                let risk = try r.amountAndText(list.fields, list: "risks")
                if risk["source"] != nil, risk["level"] != nil { event.risks.append(risk) }
            }
        }
        Cosmetic.tidy(&event)
        for (key, spec) in rule.checks {
            if let m = try e.money(spec, field: "checks.\(key)") { event.checks[key] = m }
        }
        if let spec = rule.status, let reported = try e.text(spec, field: "status") {
            event.reportedStatus = reported
            let report = e.current.objectValue == nil ? nil : e
            let decided = rule.statusMapping?.decide(status: reported, report: report)
            let paidInPart =
                report.map { r in rule.paidInPart.contains { StatusMapping.hold($0, in: r) } } == true
                && !event.depositIsTheTotal(exponent: e.exponent)
            event.state = paidInPart && decided?.state == .paid ? .depositPaid : decided?.state
            // An order paid later (on delivery, on its terms) takes no deposit: what the channel was paid of it
            // is its `prepaid` part.
            let paysLater = event.fields["cash_on_delivery"] == true || event.fields["payment_terms"] != nil
            if event.state == .depositPaid, paysLater { event.state = .pendingPayment }
            event.holdsNothing = event.state == .pendingPayment && rule.holdsNothing.contains(reported)
            event.unrefunded = event.state == .cancelled && rule.cancelledUnrefunded.contains(reported)
            event.paidBeforeCancel = event.state == .cancelled && rule.cancelledPaid.contains(reported)
            event.forfeitsDeposit = event.state == .cancelled && rule.depositForfeited.contains(reported)
            event.shippedBeforeCancel = event.state == .cancelled && decided?.rule?.shipped == true
            event.paymentVoided = rule.paymentVoided.contains(reported)
            event.paymentAuthorized = rule.paymentAuthorized.contains(reported)
            // Shipped on delivery and cancelled: refused at the door or sent back, nobody paid the carrier.
            event.unpaid =
                decided?.rule?.unpaid == true || rule.unpaid.contains(reported) || paidInPart
                || event.shippedBeforeCancel && event.fields["cash_on_delivery"] == true
        }
        event.test = event.fields["test"] == true
        event.fields["test"] = nil
        if event.test {
            // Whatever its status says, nothing was paid for it, nor any part; it holds no stock real orders could
            // sell; and unless cancelled, it waits for a person.
            event.fields["deposit"] = nil
            event.fields["prepaid"] = nil
            event.unpaid = true
            event.paidBeforeCancel = false
            event.shippedBeforeCancel = false
            event.holdsNothing = true
            if event.state != .cancelled { event.state = .onHold }
        }
        return event
    }
}

extension ProfileMapper {
    /// The parcels an order left in (the rule's `parcels` lists), one for each tracking number, once each: a
    /// parcel's `tracking_no` may name several (a Shopify fulfillment's boxes). A ship time it cannot read is left
    /// unsaid: the shipment's stands, and the order is not lost for it. A number named twice (two fulfillments of
    /// one box) is where the less advanced of its statuses says, and nowhere said if one says none. A parcel with no
    /// number (yet) is one when the channel names its id (`parcel_ref`). Those the channel cancelled (`cancelled`:
    /// a fulfillment cancelled, a label voided) follow, each once, but for a number a live one names too.
    static func parcels(_ e: Evaluator, _ lists: [ChannelProfile.ListRule]) throws(OrderCoreError) -> [JSON] {
        var parcels: [JSONObject] = []
        var cancelled: [JSONObject] = []
        var named: [String: Int] = [:]
        for list in lists {
            for item in e.items(list) {
                var parcel = JSONObject()
                var numbers: [String] = []
                for (key, spec) in list.fields {
                    switch key {
                    case "tracking_no":
                        numbers = try item.values(spec, field: "parcels.tracking_no").compactMap(Evaluator.text(of:))
                    case "shipped_at":
                        parcel[key] = (try? item.time(spec, field: "parcels.shipped_at")).flatMap { $0 }.map {
                            .string(Timestamp.format($0))
                        }
                    case "cancelled": parcel[key] = try item.bool(spec, field: "parcels.cancelled") == true ? true : nil
                    default: parcel[key] = try item.text(spec, field: "parcels.\(key)").map(JSON.string)
                    }
                }
                if parcel["cancelled"] != nil {
                    if numbers.isEmpty, parcel["parcel_ref"] != nil { cancelled.append(parcel) }
                    cancelled += numbers.map { parcel.merging(["tracking_no": .string($0)]) }
                    continue
                }
                // One with no number yet, known by its id (a Shopify fulfillment made without one: a local delivery),
                // is a parcel all the same; one known by neither cannot be told from another.
                if numbers.isEmpty, parcel["parcel_ref"] != nil { parcels.append(parcel) }
                for number in numbers {
                    if let earlier = named[number] {
                        parcels[earlier] = lessAdvanced(parcels[earlier], parcel)
                        continue
                    }
                    named[number] = parcels.count
                    parcel["tracking_no"] = .string(number)
                    parcels.append(parcel)
                }
            }
        }
        var seen = Set(named.keys)
        for parcel in cancelled {
            guard let number = parcel["tracking_no"]?.stringValue else {
                parcels.append(parcel)
                continue
            }
            if seen.insert(number).inserted { parcels.append(parcel) }
        }
        return parcels.map(JSON.object)
    }

    /// `parcel` with the status (and subtag) of the two that is less far along, none when either has none.
    private static func lessAdvanced(_ parcel: JSONObject, _ other: JSONObject) -> JSONObject {
        func rank(_ p: JSONObject) -> Int? { p["status"]?.stringValue.flatMap(TrackingStatus.init(name:))?.rank }
        var result = parcel
        guard let mine = rank(parcel), let theirs = rank(other) else {
            result["status"] = nil
            result["subtag"] = nil
            return result
        }
        if theirs < mine {
            result["status"] = other["status"]
            result["subtag"] = other["subtag"]
        }
        return result
    }

    /// Whether the channel reports the order (`e`) cancelled, by the rule's status mapping.
    private func cancelled(_ rule: ChannelProfile.EventRule, _ e: Evaluator) throws(OrderCoreError) -> Bool {
        guard let spec = rule.status, let reported = try e.text(spec, field: "status") else { return false }
        return rule.statusMapping?.decide(status: reported, report: e).state == .cancelled
    }
}

extension MappedEvent {
    /// Whether a line has fewer units left at the channel than it was placed with (`currentUnits`: taken off by
    /// an edit or a refund).
    var unitsTakenOff: Bool {
        guard !currentUnits.isEmpty, let lines = fields["lines"]?.arrayValue else { return false }
        return lines.indices.contains { i in
            currentUnits[Int64(i + 1)].map { $0 < lines[i]["qty"]?.intValue ?? 0 } ?? false
        }
    }

    /// Whether the profile's `deposit` (the part paid) is read and comes to the channel's own total
    /// (`checks.grand_total`), or more: then nothing of it is unpaid.
    func depositIsTheTotal(exponent: Int) -> Bool {
        guard let text = fields["deposit"]?.stringValue, let deposit = Money.parse(text, exponent: exponent),
            let total = checks["grand_total"]
        else { return false }
        return deposit >= total
    }
}

extension Evaluator {
    /// An order fee (`name`, `amount`, `tax`) read from this object, or nil without an amount (or of zero: a free
    /// custom item charges nothing).
    func fee(_ fields: [(String, ValueSpec)], field: String) throws(OrderCoreError) -> JSON? {
        guard !fields.isEmpty else { return nil }
        var fee = JSONObject()
        var amount: Int64?
        for (key, spec) in fields {
            if key == "name" {
                fee["name"] = try text(spec, field: "\(field).name").map(JSON.string)
            } else if key == "returns_refund" {
                fee[key] = try bool(spec, field: "\(field).\(key)").map(JSON.bool)
            } else if let m = try money(spec, field: "\(field).\(key)") {
                if key == "amount" { amount = m }
                fee[key] = .string(Money.format(m, exponent: exponent))
            }
        }
        guard let amount, amount != 0 else { return nil }
        if fee["name"] == nil { fee["name"] = "fee" }
        return .object(fee)
    }

    /// The fees of one name and kind added up into one: a channel that charges per line or per item (a
    /// duty on every line, gift wrap on every item) gives the order one fee of each, never more than an
    /// order takes (`OrderFee.maxCount`).
    func merged(_ fees: [JSON]) throws(OrderCoreError) -> [JSON] {
        var result: [JSONObject] = []
        for case .object(let fee) in fees {
            let same = result.firstIndex { $0["name"] == fee["name"] && $0["returns_refund"] == fee["returns_refund"] }
            guard let i = same else {
                result.append(fee)
                continue
            }
            for key in ["amount", "tax"] where fee[key] != nil {
                let sum = try Evaluator.sum(
                    result[i][key]?.stringValue.flatMap { Money.parse($0, exponent: exponent) } ?? 0,
                    fee[key]?.stringValue.flatMap { Money.parse($0, exponent: exponent) } ?? 0, field: "fees.\(key)")
                result[i][key] = .string(Money.format(sum, exponent: exponent))
            }
        }
        return result.map(JSON.object)
    }
}

/// Where a refund's units are in a payload (`units.path`, `units.sku`, `units.qty`, `units.line_ref`), and reading
/// them.
private struct RefundUnits {
    var path: PayloadPath?
    var sku: ValueSpec?
    var qty: ValueSpec?
    /// The channel's id of the line the units are of (`line_ref` of the order's lines).
    var lineRef: ValueSpec?

    /// Takes the spec of a `units.` field; false for any other field.
    mutating func take(_ key: String, _ spec: ValueSpec) -> Bool {
        switch key {
        case "units.path": if case .path(let p) = spec { path = p }
        case "units.sku": sku = spec
        case "units.qty": qty = spec
        case "units.line_ref": lineRef = spec
        default: return false
        }
        return true
    }

    /// Each unit's SKU, quantity and line, read together when the units have a path (one without a SKU or a
    /// quantity is left out alone; a quantity that is not a whole number is an error). A quantity counts by its
    /// size: WooCommerce gives a refund's quantities negative. The line (`line_ref`) is a hint: one that is no
    /// code is left unsaid.
    func read(_ r: Evaluator, field: String) throws(OrderCoreError) -> [JSON] {
        guard let sku, let qty else { return [] }
        var skus: [JSON] = [], quantities: [JSON] = [], refs: [JSON] = []
        if let path {
            for unit in path.values(in: r)
                .flatMap({ $0.arrayValue ?? [$0] })
            {
                let u = r.within(unit)
                skus.append(try u.values(sku, field: "\(field).sku").first ?? .null)
                quantities.append(try u.values(qty, field: "\(field).qty").first ?? .null)
                refs.append(lineRef.flatMap { try? u.values($0, field: "\(field).line_ref").first } ?? .null)
            }
        } else {
            skus = try r.values(sku, field: "\(field).sku")
            quantities = try r.values(qty, field: "\(field).qty")
            refs = lineRef.flatMap { try? r.values($0, field: "\(field).line_ref") } ?? []
        }
        var units: [JSON] = []
        for (i, (sku, qty)) in zip(skus, quantities).enumerated() {
            guard let sku = Evaluator.text(of: sku), let text = Evaluator.text(of: qty) else { continue }
            let n = try Evaluator.whole(text, field: "\(field).qty")
            guard n != 0, n != .min else { continue }
            var unit: JSONObject = ["sku": .string(sku), "qty": .int(abs(n))]
            if i < refs.count,
                let ref = Evaluator.text(of: refs[i]).flatMap({ try? Fields.normalizedCode($0, field: "") })
            {
                unit["line_ref"] = .string(ref)
            }
            units.append(.object(unit))
        }
        return units
    }
}
