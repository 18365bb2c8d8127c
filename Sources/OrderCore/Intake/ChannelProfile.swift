/// How one channel's payloads become canonical commands: data, not code (docs/channels.md).
/// A profile lists event rules; the first rule whose `root` exists in the payload and whose `when`
/// holds maps it. Builtin profiles (`BuiltinProfiles`) and profiles stored with
/// `intake.profile_set` are read by the same parser. Immutable, and a class: a handle keeps each profile
/// it parsed, and every event's mapper shares it where a copy retained and released each of its parts.
final class ChannelProfile {
    enum Format: String { case json, csv }
    enum EventType: String, CaseIterable { case order, cancel, refund, dispute, risk, tracking, skip }

    struct Condition {
        enum Test {
            case present, absent, equals([JSON]), equalsNone([JSON]), prefix(String), below(Int64), above(Int64)
        }
        var value: ValueSpec
        var test: Test
    }

    /// Lines that are not stock: skipped with a reason, added to the shipping fee (postage codes), or charged
    /// as an order fee (`fee`: its name, amount and tax, read from the line: a gift card, a tip).
    struct LineRule {
        var when: [Condition]
        var reason: String
        var addToShipping: ValueSpec?
        var fee: [(String, ValueSpec)]
    }

    struct ListRule {
        var path: PayloadPath
        /// Only the items for which every condition holds are mapped (a Taobao sub-order whose refund succeeded).
        var when: [Condition] = []
        var fields: [(String, ValueSpec)]
        var rules: [LineRule] = []
        /// Lines only: the line has left at the channel when these hold (a partly shipped order).
        var shippedWhen: [Condition] = []
    }

    struct EventRule {
        var type: EventType
        var when: [Condition]
        /// Candidate paths of the object(s) mapped; the first present wins, an array maps each element.
        var roots: [PayloadPath]
        var fields: [(String, ValueSpec)]
        var lines: ListRule?
        var discounts: [ListRule]
        /// Refunds the order payload carries (Shopify and WooCommerce `refunds[]`).
        var refunds: ListRule?
        /// Disputes of its payment the order payload carries (Shopify GraphQL `disputes`).
        var disputes: ListRule?
        /// Fraud verdicts the order payload carries (Shopify GraphQL `risk.assessments`): `risk.report`'s.
        var risks: ListRule?
        /// The parcels the channel shipped the order in, each with its own tracking number (Amazon v2026
        /// `packages`, Shopify's fulfillments; Pinduoduo's first and its `extra_delivery_list`): one list or several,
        /// of `ChannelShipment.parcelFields`.
        var parcels: [ListRule]
        /// Fees besides goods and shipping (WooCommerce `fee_lines`).
        var fees: [ListRule]
        var status: ValueSpec?
        var statusMapping: StatusMapping?
        /// Channel statuses of an unpaid order for which the channel holds no stock (WooCommerce `failed`: a
        /// payment that failed, which the buyer may retry): such an order holds none here either.
        var holdsNothing: Set<String> = []
        /// Channel statuses of a cancelled order whose money has not gone back (Shopify `paid`: cancelled
        /// without a refund): the cancellation leaves it owed until the channel reports the refund.
        var cancelledUnrefunded: Set<String> = []
        /// Channel statuses of a cancelled order that say the channel took its money (Shopify `paid`,
        /// `refunded`; `partially_paid`: a part of it): an order first seen cancelled so records it paid.
        var cancelledPaid: Set<String> = []
        /// Channel statuses that close a pre-sale whose balance was not paid, keeping its deposit (Taobao
        /// `TRADE_CLOSED_BY_TAOBAO`: closed before the trade was paid in full): no refund is owed.
        var depositForfeited: Set<String> = []
        /// Channel statuses of an order not paid, whatever its fulfilment says (Shopify `pending`: fulfilled
        /// before the money came, cash on delivery): its shipment records no payment.
        var unpaid: Set<String> = []
        /// Channel statuses that say the payment it reported before was never taken (Shopify `voided`, `expired`:
        /// an authorization voided, or not captured in time): the payment recorded on its word is voided.
        var paymentVoided: Set<String> = []
        /// Channel statuses that say the money of the order is authorized, not captured yet (Shopify `authorized`):
        /// units the channel takes off it are not owed back — it captures less.
        var paymentAuthorized: Set<String> = []
        /// Facts of a report that say the order is paid in part whatever its status name says (Shopify
        /// `partially_refunded` with `total_outstanding` above 0: a deposit, part of it refunded; `refunded` with
        /// refunds: what they gave back may be a part): sets of tests, any one holding — unless the profile's
        /// `deposit` is read and comes to the channel's total (`checks.grand_total`): then it was paid in full.
        /// A `paid` state is then `deposit_paid` (the profile's `deposit` the part paid), any other is reached
        /// unpaid.
        var paidInPart: [[StatusMapping.Test]] = []
        var checks: [(String, ValueSpec)]
        var reason: String?
    }

    let name: String
    let description: String
    let format: Format
    let timeOffsetMinutes: Int
    let timeFormat: String?
    /// CSV: the column (path) whose value groups rows into one order.
    let groupBy: ValueSpec?
    let events: [EventRule]
    let definition: JSON

    static let orderFields =
        [
            "external_id", "placed_at", "updated_at", "currency", "shipping_fee", "shipping_tax", "taxes_included",
            "note", "tags", "carrier", "test",
            "fulfilled_by", "cash_on_delivery", "prepaid", "deposit", "payment_terms.name", "payment_terms.due_at",
        ]
        + Order.customerFields.map { "customer." + $0 } + ["customer.account_created_at"]
        + Order.addressFields.map { "ship_to." + $0 }
        + ChannelShipment.fields.map { "shipment." + $0 }
    static let lineFields = [
        "sku", "sku_fallback", "name", "qty", "unit_price", "line_total", "line_discount", "tax", "line_ref",
    ]
    static let lineChecks = ["net"]
    /// Read for a partly shipped order: the units of the line the channel has shipped so far; and, for
    /// an order already here, the units still on the line at the channel (less those removed by an edit
    /// or a refund: Shopify `current_quantity`).
    static let lineShipped = ["shipped_qty", "current_qty"]
    static let discountFields = ["kind", "code", "amount"]
    /// `units.path`: where a refund's units are (Shopify `refund_line_items`); `units.sku` and `units.qty` are then
    /// read within each, so a unit without a SKU of its own cannot shift the others' quantities onto the wrong SKU.
    /// `units.line_ref`: the channel's id of their line (the lines' `line_ref`): the units are that line's, exact
    /// where a SKU is on several lines; without it, or naming no line of the order, they are matched by SKU.
    /// `cancel_units` (true or false): the units no longer ship, whatever the amount (`order.refund`'s).
    static let refundFields = [
        "refund_ref", "amount", "reason", "cancel_units", "units.path", "units.sku", "units.qty", "units.line_ref",
    ]
    /// A refund inside an order payload may say when it was made (`at`), or whether its units had shipped
    /// (`before_shipment`: Shopify's restock type `cancel` against `return`): one made before the channel's
    /// shipment (`shipment.shipped_at`) is recorded before it, so the units it took off the order are not shipped.
    /// A refund event may say `before_shipment` too: of a partly shipped order, its units are then those still
    /// to ship, not counted against those that left.
    static let orderRefundFields = refundFields + ["at", "before_shipment"]
    static let feeFields = ["name", "amount", "tax", "returns_refund"]
    /// A dispute's fields, in a dispute event or an order payload's `disputes` (`order.dispute`'s arguments).
    static let disputeFields = ["dispute_ref", "kind", "status", "amount", "reason"]
    /// A fraud verdict's fields, in a risk event or an order payload's `risks` (`risk.report`'s arguments).
    static let riskFields = ["source", "level", "message"]
    /// Where a parcel of an order is, in a tracking event (a Shopify fulfillment event): the parcel by the channel's
    /// id of it (`parcel_ref`) or its number (`tracking_no`), its `status` and `subtag` (a `tracking.event` status,
    /// AfterShip's subtag) and when the channel saw it (`time`).
    static let trackingFields = ["parcel_ref", "tracking_no", "status", "subtag", "time"]
    static let eventFields: [EventType: [String]] = [
        .order: orderFields, .cancel: ["external_id", "reason", "payment_voided", "requested"],
        .refund: ["external_id", "before_shipment"] + refundFields,
        .dispute: ["external_id", "currency"] + disputeFields,
        .risk: ["external_id"] + riskFields,
        .tracking: ["external_id"] + trackingFields,
        .skip: ["external_id"],
    ]
    static let orderChecks = ["grand_total", "discount_total", "tax_total", "shipping_fee"]

    init(_ definition: JSON) throws(OrderCoreError) {
        self.definition = definition
        guard case .object(let o) = definition else {
            throw .invalid("a profile must be a JSON object", field: "profile")
        }
        let f = Fields(o, path: "profile")
        name = try f.requiredCode("profile")
        description = try f.text("description", maxLength: 2_000) ?? ""
        let formatName = try f.code("format") ?? "json"
        guard let format = Format(rawValue: formatName) else {
            throw .invalid("profile.format must be json or csv", field: "profile.format")
        }
        self.format = format
        timeOffsetMinutes = Int(try f.int("time_offset_minutes", min: -1_440, max: 1_440) ?? 0)
        timeFormat = try f.text("time_format", maxLength: 40)
        groupBy = try f.value("group_by").map { v throws(OrderCoreError) in try ValueSpec(v, field: "profile.group_by")
        }
        if format == .csv && groupBy == nil {
            throw .invalid(
                "profile.group_by is required for csv: the column that names the order", field: "profile.group_by")
        }
        guard let rules = try f.objects("events", maxCount: 50), !rules.isEmpty else {
            throw .invalid("profile.events is required: at least one event rule", field: "profile.events")
        }
        events = try rules.map { r throws(OrderCoreError) in try ChannelProfile.eventRule(r) }
        try f.finish()
    }

    private static func eventRule(_ r: Fields) throws(OrderCoreError) -> EventRule {
        let typeName = try r.requiredCode("type")
        guard let type = EventType(rawValue: typeName) else {
            throw .invalid(
                "\(r.name("type")) must be one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))",
                field: r.name("type"))
        }
        var roots: [PayloadPath] = []
        switch r.value("root") {
        case nil: roots = [try PayloadPath("")]
        case .array(let items)?:
            for (i, item) in items.enumerated() {
                guard case .string(let p) = item else {
                    throw .invalid("\(r.name("root"))[\(i)] must be a path string", field: r.name("root"))
                }
                roots.append(try PayloadPath(p))
            }
        case let other?:
            throw .invalid("\(r.name("root")) must be a list of paths, not \(other.typeName)", field: r.name("root"))
        }
        var rule = EventRule(
            type: type, when: try conditions(r, "when"), roots: roots,
            fields: try specs(r, "fields", allowed: eventFields[type] ?? []),
            lines: nil, discounts: [], refunds: nil, disputes: nil, risks: nil, parcels: [], fees: [], status: nil,
            statusMapping: nil,
            checks: [],
            reason: try r.text("reason", maxLength: 500))
        if type == .order {
            guard let lines = try r.object("lines") else {
                throw .invalid("\(r.name("lines")) is required for order events", field: r.name("lines"))
            }
            rule.lines = try listRule(lines, allowed: lineFields + lineChecks + lineShipped, shippedWhen: true)
            rule.discounts = try (r.objects("discounts", maxCount: 10) ?? []).map { d throws(OrderCoreError) in
                try listRule(d, allowed: discountFields)
            }
            rule.refunds = try r.object("refunds").map { l throws(OrderCoreError) in
                let refunds = try listRule(l, allowed: orderRefundFields)
                if let spec = refunds.fields.first(where: { $0.0 == "units.path" })?.1 {
                    guard case .path = spec else {
                        throw .invalid("refunds.fields.units.path must be a path", field: "refunds.fields.units.path")
                    }
                }
                return refunds
            }
            rule.disputes = try r.object("disputes").map { l throws(OrderCoreError) in
                try listRule(l, allowed: disputeFields)
            }
            rule.risks = try r.object("risks").map { l throws(OrderCoreError) in try listRule(l, allowed: riskFields) }
            rule.parcels = try (r.objectOrList("parcels", maxCount: 10) ?? []).map { l throws(OrderCoreError) in
                try listRule(l, allowed: ChannelShipment.parcelFields)
            }
            // One list or several (Amazon's item charges and the order's own, a delivery tip).
            rule.fees = try (r.objectOrList("fees", maxCount: 10) ?? []).map { l throws(OrderCoreError) in
                try listRule(l, allowed: feeFields)
            }
            rule.checks = try specs(r, "checks", allowed: orderChecks)
            if let status = try r.object("status") {
                guard let v = status.value("value") else {
                    throw .invalid("\(status.name("value")) is required", field: status.name("value"))
                }
                rule.status = try ValueSpec(v, field: status.name("value"))
                rule.holdsNothing = Set(try status.strings("holds_nothing", maxLength: 200) ?? [])
                rule.cancelledUnrefunded = Set(try status.strings("cancelled_unrefunded", maxLength: 200) ?? [])
                rule.cancelledPaid = Set(try status.strings("cancelled_paid", maxLength: 200) ?? [])
                rule.depositForfeited = Set(try status.strings("deposit_forfeited", maxLength: 200) ?? [])
                rule.unpaid = Set(try status.strings("unpaid", maxLength: 200) ?? [])
                rule.paymentVoided = Set(try status.strings("payment_voided", maxLength: 200) ?? [])
                rule.paymentAuthorized = Set(try status.strings("payment_authorized", maxLength: 200) ?? [])
                do {
                    rule.paidInPart = try (status.objectOrList("paid_in_part", maxCount: 10) ?? []).map(
                        StatusMapping.tests)
                    rule.statusMapping = try StatusMapping(status)
                } catch { throw Engine.wrap(error) }
                try status.finish()
            }
        }
        try r.finish()
        return rule
    }

    private static func listRule(
        _ l: Fields, allowed: [String], shippedWhen: Bool = false
    ) throws(OrderCoreError) -> ListRule {
        let path = try PayloadPath(try l.text("path", maxLength: 200) ?? "")
        var rule = ListRule(
            path: path, when: try conditions(l, "when"), fields: try specs(l, "fields", allowed: allowed))
        if shippedWhen { rule.shippedWhen = try conditions(l, "shipped_when") }
        for s in try l.objects("not_stock", maxCount: 20) ?? [] {
            rule.rules.append(
                LineRule(
                    when: try conditions(s, "when"), reason: try s.text("reason", maxLength: 200) ?? "not stock",
                    addToShipping: try s.value("add_to_shipping").map { v throws(OrderCoreError) in
                        try ValueSpec(v, field: s.name("add_to_shipping"))
                    }, fee: try specs(s, "fee", allowed: feeFields)))
            try s.finish()
        }
        try l.finish()
        return rule
    }

    private static func specs(
        _ f: Fields, _ key: String, allowed: [String]
    ) throws(OrderCoreError) -> [(String, ValueSpec)] {
        guard let o = try f.object(key) else { return [] }
        var result: [(String, ValueSpec)] = []
        for name in o.keys {
            guard allowed.contains(name) else {
                throw .invalid(
                    "\(o.name(name)) is not a canonical field here; allowed: \(allowed.joined(separator: ", "))",
                    field: o.name(name))
            }
            result.append((name, try ValueSpec(o.value(name) ?? .null, field: o.name(name))))
        }
        try o.finish()
        return result
    }

    /// `when`: an object of `path: test`, every test must hold. A test is `true` (present), `false`
    /// (absent), a value or array of values (equals one), `{"not": [values]}` (absent, or equals none of them),
    /// `{"prefix": "C"}`, `{"below": 1}` or `{"above": 0}`.
    static func conditions(_ f: Fields, _ key: String) throws(OrderCoreError) -> [Condition] {
        guard let o = try f.object(key) else { return [] }
        var result: [Condition] = []
        for path in o.keys {
            let value = ValueSpec.path(try PayloadPath(path))
            let test: Condition.Test
            switch o.value(path) ?? .null {
            case .bool(true): test = .present
            case .bool(false): test = .absent
            case .array(let options): test = .equals(options)
            case .object(let t):
                let tf = Fields(t, path: o.name(path))
                if let prefix = try tf.text("prefix", maxLength: 100) {
                    test = .prefix(prefix)
                } else if let not = tf.value("not") {
                    let values = not.arrayValue ?? [not]
                    guard !values.isEmpty, values.allSatisfy({ Evaluator.text(of: $0) != nil }) else {
                        throw .invalid("\(tf.name("not")) must be a value or a list of values", field: tf.name("not"))
                    }
                    test = .equalsNone(values)
                } else if let below = try tf.int("below") {
                    test = .below(below)
                } else if let above = try tf.int("above") {
                    test = .above(above)
                } else {
                    throw .invalid(
                        "\(o.name(path)) must be true, false, a value, a list, {\"not\"}, {\"prefix\"}, "
                            + "{\"below\"} or {\"above\"}",
                        field: o.name(path))
                }
                try tf.finish()
            case let v: test = .equals([v])
            }
            result.append(Condition(value: value, test: test))
        }
        try o.finish()
        return result
    }
}

extension ChannelProfile.Condition {
    /// Whether the test holds of the value, or of any of the values a path through a list reaches (a Taobao
    /// trade with a sub-order whose refund is asked for, whichever sub-order it is); `false` when none is there.
    func holds(_ e: Evaluator) -> Bool {
        // An empty text is no value: platforms that send every field send "" for one not yet set (JD's `waybill`
        // before the order leaves).
        let values = ((try? e.values(self.value, field: "when")) ?? []).filter { $0 != "" }
        let texts = values.compactMap(Evaluator.text(of:))
        switch test {
        case .present: return !values.isEmpty
        case .absent: return values.isEmpty
        case .equals(let options):
            let wanted = Set(options.compactMap(Evaluator.text(of:)))
            return texts.contains(where: wanted.contains)
        case .equalsNone(let options):
            let unwanted = Set(options.compactMap(Evaluator.text(of:)))
            return texts.isEmpty || texts.contains { !unwanted.contains($0) }
        case .prefix(let prefix): return texts.contains { $0.hasPrefix(prefix) }
        case .below(let limit): return texts.contains { Double($0).map { $0 < Double(limit) } ?? false }
        case .above(let limit): return texts.contains { Double($0).map { $0 > Double(limit) } ?? false }
        }
    }
}
