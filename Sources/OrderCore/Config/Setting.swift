/// A configuration key: its default, the role that may change it and how a new value is checked.
/// Settings are data in the database (`config.set`), so every process sharing the file sees the same
/// policy.
struct Setting: Sendable {
    let key: String
    let summary: String
    let defaultValue: JSON
    /// Policy (money, stock, checks, limits) is an admin's; thresholds that only decide when a report
    /// or an alert speaks are a supervisor's.
    var role: Actor.Role = .admin
    let validate: @Sendable (Fields) throws -> JSON

    static let unpaidTimeoutMinutes = Setting.number(
        key: "order.unpaid_timeout_minutes",
        summary:
            "Minutes an unpaid order keeps its reservation before it expires (sweep or lazy release); a channel's "
            + "order waits for its channel",
        defaultValue: 15, range: 1...525_600)

    static let defaultCurrency = Setting(
        key: "order.default_currency",
        summary: "Currency of orders that do not name one (ISO 4217 code)",
        defaultValue: "CNY"
    ) { .string(try Currency.check(try $0.requiredCode("value"), field: "value")) }

    static let reserveAt = Setting(
        key: "inventory.reserve_at",
        summary: "When new orders reserve stock: \"order\" (at creation, until the unpaid timeout) or \"payment\"",
        defaultValue: "order"
    ) { f in
        let value = try f.requiredCode("value")
        guard value == "order" || value == "payment" else {
            throw OrderCoreError.invalid("value must be \"order\" or \"payment\"", field: "value")
        }
        return .string(value)
    }

    static let sellPercent = Setting.number(
        key: "inventory.sell_percent",
        summary: "Reservation buffer: sell at most this percent of on-hand stock (1-100)",
        defaultValue: 100, range: 1...100)

    static let salesWindowDays = Setting.number(
        key: "inventory.sales_window_days",
        summary: "Days of sales (complete business days before today) that the average daily sales are taken over",
        defaultValue: 7, range: 1...365, role: .supervisor)

    static let coverWarningDays = Setting.number(
        key: "inventory.cover_warning_days",
        summary: "Stock lasting fewer days than this at the average daily sales is low (status warning, alert)",
        defaultValue: 3, range: 0...3650, role: .supervisor)

    static let coverSufficientDays = Setting.number(
        key: "inventory.cover_sufficient_days",
        summary: "Stock lasting at least this many days is sufficient",
        defaultValue: 30, range: 1...3650, role: .supervisor)

    static let leadTimeDays = Setting.number(
        key: "inventory.lead_time_days",
        summary: "Days a purchase takes to arrive: the reorder point is safety stock plus this many days of sales",
        defaultValue: 7, range: 0...365, role: .supervisor)

    static let earlyWarningPercent = Setting.number(
        key: "inventory.early_warning_percent",
        summary: "Stock within this percent above safety stock is a warning (board, low-stock alert); the same "
            + "margin above the reorder point is replenishment's early warning",
        defaultValue: 30, range: 0...1000, role: .supervisor)

    static let adjustLimit = Setting.number(
        key: "inventory.adjust_limit",
        summary:
            "Units an operator may add or remove by hand (stock.adjust, count variances), net over 24 hours per SKU "
            + "and warehouse; more needs a supervisor",
        defaultValue: 10, range: 0...1_000_000_000_000)

    static let lowStockClosesChannels = Setting.flag(
        key: "inventory.low_stock_closes_channels",
        summary: "Close every registered channel for a SKU while it is low, and reopen it on replenishment")

    static let utcOffsetMinutes = Setting.number(
        key: "business.utc_offset_minutes",
        summary: "The business day's offset from UTC in minutes (480 for China): when \"yesterday\" starts",
        defaultValue: 0, range: -720...840)

    static let timeZone = Setting(
        key: "business.time_zone",
        summary:
            "The business's time zone, an IANA name (\"America/New_York\"): its days and working hours follow the "
            + "zone's daylight-saving time; \"\" (default): business.utc_offset_minutes",
        defaultValue: ""
    ) { f in
        guard let name = try f.text("value", maxLength: 64) else {
            throw OrderCoreError.invalid(
                "value is required: a time zone such as \"Europe/Berlin\", or \"\"", field: "value")
        }
        if !name.isEmpty { _ = try BusinessTime.zone(name) }
        return .string(name)
    }

    static let weightTolerancePercent = Setting.number(
        key: "fulfillment.weight_tolerance_percent",
        summary:
            "A parcel weighing more than this percent off its expected weight is held until a supervisor overrides",
        defaultValue: 10, range: 0...1_000)

    static let packagingGrams = Setting.number(
        key: "fulfillment.packaging_g",
        summary: "Grams of packaging added to the items' weights when a pack names none",
        defaultValue: 0, range: 0...1_000_000)

    static let packagingAllowanceGrams = Setting.number(
        key: "fulfillment.packaging_allowance_g",
        summary:
            "Grams of packaging a pack may state beyond fulfillment.packaging_g; more is a weight override, a "
            + "supervisor's",
        defaultValue: 200, range: 0...1_000_000)

    static let completeAfterDays = Setting.number(
        key: "fulfillment.complete_after_days",
        summary: "Days after delivery when the sweep completes an order (0: only order.complete does)",
        defaultValue: 7, range: 0...3650)

    static let escalateAfterHours = Setting.number(
        key: "alerts.escalate_after_hours",
        summary: "An item of report.alerts open this many hours is escalated to a supervisor",
        defaultValue: 4, range: 1...8760, role: .supervisor)

    static let pickupAlertHours = Setting.number(
        key: "fulfillment.pickup_alert_hours",
        summary: "Hours after shipping without a carrier pickup scan before the sweep raises a no_pickup alert",
        defaultValue: 48, range: 1...8760, role: .supervisor)

    static let codCollectDays = Setting.number(
        key: "fulfillment.cod_collect_days",
        summary:
            "Days after its goods left that a cash-on-delivery order may still owe money before the sweep raises a "
            + "cod_uncollected alert (0: never)",
        defaultValue: 14, range: 0...365, role: .supervisor)

    static let stateLimitHours = Setting(
        key: "fulfillment.state_limit_hours",
        summary:
            "How long an order may stay in a state before it is stuck, per state: hours, or \"10m\" / \"2h\" "
            + "({\"paid\": 24, \"pending_payment\": \"10m\"})",
        defaultValue: [
            "deposit_paid": 720, "paid": 24, "allocated": 24, "picking": 12, "packed": 24, "partially_shipped": 72,
            "on_hold": 48,
        ],
        role: .supervisor
    ) { f in
        guard let map = try f.object("value") else {
            throw OrderCoreError.invalid("value is required: {\"state\": hours, ...}", field: "value")
        }
        var result = JSONObject()
        for key in map.keys {
            guard OrderState(rawValue: key) != nil else {
                throw OrderCoreError.invalid("\(key) is not an order state", field: map.name(key))
            }
            guard let value = map.value(key), Setting.stateLimitMillis(value) != nil else {
                throw OrderCoreError.invalid(
                    "\(map.name(key)) must be hours (1-87600) or a duration such as \"10m\" or \"36h\"",
                    field: map.name(key))
            }
            result[key] = value
        }
        try map.finish()
        return .object(result)
    }

    static let transferRadiusKm = Setting.number(
        key: "transfers.radius_km",
        summary: "A transfer proposal takes units only from warehouses within this many km (by their coordinates)",
        defaultValue: 200, range: 1...40_000, role: .supervisor)

    static let transferOverdueDays = Setting.number(
        key: "transfers.overdue_days",
        summary:
            "A transfer with units still in transit this many days after it left raises a transfer_overdue alert "
            + "(sweep)",
        defaultValue: 7, range: 1...365, role: .supervisor)

    static let transferLeadDays = Setting(
        key: "transfers.lead_days",
        summary: "Days a transfer takes per warehouse pair ({\"SH>BJ\": 2}); pairs not named take 1 (T+1)",
        defaultValue: [:],
        role: .supervisor
    ) { f in
        guard let map = try f.object("value") else {
            throw OrderCoreError.invalid("value is required: {\"FROM>TO\": days, ...}", field: "value")
        }
        var result = JSONObject()
        for key in map.keys {
            let pair = key.split(separator: ">", omittingEmptySubsequences: false)
            guard pair.count == 2, !pair[0].isEmpty, !pair[1].isEmpty else {
                throw OrderCoreError.invalid("\(map.name(key)) must name a pair as FROM>TO", field: map.name(key))
            }
            result[key] = .int(try map.int(key, min: 0, max: 365) ?? 1)
        }
        try map.finish()
        return .object(result)
    }

    static let maxPayloadBytes = Setting.number(
        key: "intake.max_payload_bytes",
        summary: "Largest channel payload intake.ingest accepts, in bytes (default 16 MiB, at most 48 MiB)",
        defaultValue: 16 << 20, range: 1_024...48 << 20)

    static let dedupeWindowMinutes = Setting.number(
        key: "intake.dedupe_window_minutes",
        summary:
            "An event without an event id whose payload equals one received this many minutes before is a duplicate",
        defaultValue: 1_440, range: 0...525_600)

    static let duplicateWindowSeconds = Setting.number(
        key: "intake.duplicate_order_seconds",
        summary:
            "Orders with the same customer phone and the same SKUs placed within this many seconds are possible "
            + "duplicates",
        defaultValue: 180, range: 0...86_400)

    static let returnReasons = Setting(
        key: "returns.reasons",
        summary:
            "Return reasons a request may give, each with whether the seller is at fault (seller-fault returns refund "
            + "shipping)",
        defaultValue: [
            "changed_mind": false, "does_not_fit": false, "no_longer_needed": false, "refused_delivery": false,
            "defective": true,
            "damaged_in_transit": true, "wrong_item_sent": true, "not_as_described": true,
        ]
    ) { f in
        guard let map = try f.object("value"), !map.keys.isEmpty else {
            throw OrderCoreError.invalid("value must be an object of reason: true|false", field: "value")
        }
        var result = JSONObject()
        for key in map.keys {
            let reason = try Fields.normalizedCode(key, field: map.name(key))
            guard let fault = try map.bool(key) else {
                throw OrderCoreError.invalid("\(map.name(key)) must be true or false", field: map.name(key))
            }
            result[reason] = .bool(fault)
        }
        try map.finish()
        return .object(result)
    }

    static let autoApproveBelow = Setting.money(
        key: "returns.auto_approve_below",
        summary:
            "Requests refunding less than this (with the order's approved returns) from customers without flags are "
            + "approved at once; 0 turns it off",
        defaultValue: 0)

    static let supervisorAbove = Setting.money(
        key: "returns.supervisor_above",
        summary: "Returns refunding more than this (with the order's approved returns) need a supervisor to approve",
        defaultValue: 500)

    static let adminAbove = Setting.money(
        key: "returns.admin_above",
        summary:
            "Returns refunding more than this (with the order's approved returns) need an admin to approve; so does a "
            + "refund recorded by hand (order.refund) that takes the order's refunds above it, and a write-off of more "
            + "(order.write_off)",
        defaultValue: 5_000)

    static let flaggedReturnerRole = Setting(
        key: "returns.flagged_customer_role",
        summary:
            "The role that approves returns of a customer whose earlier returns came back empty or wrong: operator, "
            + "supervisor or admin",
        defaultValue: "supervisor"
    ) { f in
        let value = try f.requiredCode("value")
        guard Actor.Role(rawValue: value) != nil else {
            throw OrderCoreError.invalid("value must be operator, supervisor or admin", field: "value")
        }
        return .string(value)
    }

    static let restoreCoupons = Setting.flag(
        key: "returns.restore_coupons",
        summary: "Give back the coupon share of returned units (as a coupon credit) instead of keeping it")

    static let inspectBeforeResale = Setting.flag(
        key: "returns.inspect_before_resale",
        summary: "Returned resellable units wait in quarantine for a QC pass (stock.quarantine with a negative "
            + "quantity, a supervisor's) instead of going straight back on sale")

    static let refundShipping = Setting(
        key: "returns.refund_shipping",
        summary:
            "When shipping is refunded: \"seller_fault\" (seller-fault reasons and returns of the whole order), "
            + "\"always\" or \"never\"",
        defaultValue: "seller_fault"
    ) { f in
        let value = try f.requiredCode("value")
        guard ["seller_fault", "always", "never"].contains(value) else {
            throw OrderCoreError.invalid("value must be seller_fault, always or never", field: "value")
        }
        return .string(value)
    }

    static let refundDueHours = Setting.number(
        key: "returns.refund_due_hours",
        summary:
            "Hours an order may owe the buyer a refund (cancelled, or units of it cancelled, after it was paid) "
            + "before the sweep raises a refund_overdue alert (0: never)",
        defaultValue: 48, range: 0...8_760, role: .supervisor)

    static let refundBeforeReceipt = Setting.flag(
        key: "returns.refund_before_receipt",
        summary: "Allow refunding approved units before they arrive (each such refund records why)")

    static let returnWindowDays = Setting.number(
        key: "returns.window_days",
        summary:
            "Days after delivery (or shipment, when no delivery is known) a return may be requested on an operator's "
            + "approval; later ones need a supervisor and are never approved by themselves; 0: no window",
        defaultValue: 30, range: 0...3_650)

    static let returnSLAHours = Setting.number(
        key: "returns.sla_hours",
        summary: "A return that has not moved for this many hours escalates to an alert (sweep)",
        defaultValue: 72, range: 1...87_600, role: .supervisor)

    static let emptyBoxPercent = Setting.number(
        key: "returns.empty_box_percent",
        summary:
            "A returned parcel weighing less than this percent of what the returned units weigh is an empty-box signal",
        defaultValue: 30, range: 1...100)

    /// Kept in its own versioned table (`risk_rulesets`), not in `config`: every decision records the
    /// version it used. `config.set` and `risk.rules_set` both store a new version.
    static let riskRules = Setting(
        key: "risk.rules",
        summary:
            "The risk rules and decision thresholds ({thresholds, rules}; docs/risk.md); each change is a new version",
        defaultValue: RiskRules.defaults.json
    ) { f in
        guard let spec = try f.object("value") else {
            throw OrderCoreError.invalid("value must be a rule set object", field: "value")
        }
        return try RiskRules(spec).json
    }

    static let feedRetentionDays = Setting.number(
        key: "feed.retention_days",
        summary:
            "Days the sweep keeps change-feed events every consumer has acknowledged (unacknowledged ones are always "
            + "kept)",
        defaultValue: 30, range: 1...3_650)

    static let shipWithinHours = Setting.number(
        key: "fulfillment.ship_within_hours",
        summary: "Hours from payment to the first parcel leaving that count as on time (report.health)",
        defaultValue: 48, range: 1...8_760, role: .supervisor)

    static let workStartsHour = Setting.number(
        key: "business.work_starts_hour",
        summary: "Hour (business time, 0-23) working hours start; changes outside them are off-hours (report.health)",
        defaultValue: 8, range: 0...23, role: .supervisor)

    static let workEndsHour = Setting.number(
        key: "business.work_ends_hour",
        summary: "Hour (business time, 1-24) working hours end",
        defaultValue: 20, range: 1...24, role: .supervisor)

    static let offHoursChanges = Setting.number(
        key: "health.off_hours_changes",
        summary:
            "Changes one person makes in one night, outside working hours, that count as a bulk modification "
            + "(report.health)",
        defaultValue: 50, range: 1...1_000_000)

    static let healthDegradedDays = Setting.number(
        key: "health.degraded_days",
        summary:
            "Business days a health component must stay below grade C, overall or for a channel, warehouse or "
            + "region, before the sweep raises a health_degraded alert",
        defaultValue: 3, range: 1...90, role: .supervisor)

    static let healthWeights = Setting(
        key: "health.weights",
        summary: "Weight of each component in the health score ({\"backlog\": 20, ...}; docs/reports.md)",
        defaultValue: HealthComponent.defaultWeights,
        role: .supervisor
    ) { f in
        guard let map = try f.object("value") else {
            throw OrderCoreError.invalid("value is required: {\"component\": weight, ...}", field: "value")
        }
        var result = JSONObject()
        for component in HealthComponent.allCases {
            result[component.rawValue] = .int(
                try map.int(component.rawValue, min: 0, max: 1_000) ?? component.defaultWeight)
        }
        try map.finish()
        guard result.pairs.contains(where: { ($0.value.intValue ?? 0) > 0 }) else {
            throw OrderCoreError.invalid("at least one weight must be above 0", field: "value")
        }
        return .object(result)
    }

    static let riskEnabled = Setting.flag(
        key: "risk.enabled", summary: "Score every new order with the risk rules and act on the decision", on: true)

    /// A stuck-order limit: whole hours, or "<N>m" / "<N>h" (1 minute to 10 years). - Returns: milliseconds.
    static func stateLimitMillis(_ value: JSON) -> Int64? {
        var text = value.stringValue ?? ""
        var unit: Int64 = 3_600_000
        if case .number(let n) = value {
            text = n
        } else if text.hasSuffix("m") || text.hasSuffix("h") {
            unit = text.hasSuffix("m") ? 60_000 : 3_600_000
            text.removeLast()
        } else {
            return nil
        }
        // Bounded first: no product that can overflow.
        guard let n = Int64(text), n >= 1, n <= 87_600 * 3_600_000 / unit else { return nil }
        return n * unit
    }

    /// A whole number within `range`.
    static func number(
        key: String, summary: String, defaultValue: Int64, range: ClosedRange<Int64>, role: Actor.Role = .admin
    ) -> Setting {
        Setting(key: key, summary: summary, defaultValue: .int(defaultValue), role: role) {
            .int(try $0.requiredInt("value", min: range.lowerBound, max: range.upperBound))
        }
    }

    /// An amount of money in whole units: one figure for every currency, or one per currency
    /// (`{"CNY": 500, "USD": 70}`, `"other"` for the rest) when a shop sells in currencies far apart in
    /// value. A currency the object does not name, with no `"other"`, is 0 (`moneySetting`).
    static func money(key: String, summary: String, defaultValue: Int64) -> Setting {
        let range: ClosedRange<Int64> = 0...1_000_000_000
        return Setting(
            key: key,
            summary: summary + " (whole units of the order's currency: a number for every currency, or "
                + "{\"CNY\": 500, \"USD\": 70, \"other\": ...} per currency; one not named is 0)",
            defaultValue: .int(defaultValue)
        ) { f in
            guard case .object? = f.value("value"), let map = try f.object("value") else {
                return .int(try f.requiredInt("value", min: range.lowerBound, max: range.upperBound))
            }
            guard !map.keys.isEmpty else {
                throw OrderCoreError.invalid(
                    "value must be a number or an object of currency: amount naming at least one", field: "value")
            }
            var result = JSONObject()
            for key in map.keys {
                let currency = key == "other" ? key : try Currency.check(key, field: map.name(key))
                result[currency] = .int(try map.requiredInt(key, min: range.lowerBound, max: range.upperBound))
            }
            return .object(result)
        }
    }

    /// An on/off setting, off by default.
    static func flag(key: String, summary: String, on: Bool = false) -> Setting {
        Setting(key: key, summary: summary, defaultValue: .bool(on)) { f in
            guard let value = try f.bool("value") else {
                throw OrderCoreError.invalid("value is required: true or false", field: "value")
            }
            return .bool(value)
        }
    }

    static let all: [Setting] = [
        unpaidTimeoutMinutes, defaultCurrency, reserveAt, sellPercent, salesWindowDays, coverWarningDays,
        coverSufficientDays, leadTimeDays, earlyWarningPercent, adjustLimit, lowStockClosesChannels, utcOffsetMinutes,
        timeZone, weightTolerancePercent,
        packagingGrams, packagingAllowanceGrams,
        completeAfterDays, escalateAfterHours, transferRadiusKm, transferLeadDays, transferOverdueDays,
        pickupAlertHours, codCollectDays,
        stateLimitHours,
        maxPayloadBytes, dedupeWindowMinutes,
        duplicateWindowSeconds, returnReasons, autoApproveBelow, supervisorAbove, adminAbove, flaggedReturnerRole,
        returnWindowDays,
        restoreCoupons, inspectBeforeResale, riskEnabled, riskRules,
        refundShipping, refundDueHours, refundBeforeReceipt, returnSLAHours, emptyBoxPercent,
        shipWithinHours, workStartsHour, workEndsHour, offHoursChanges, healthWeights, healthDegradedDays,
        feedRetentionDays,
    ]
}

enum Currency {
    /// An ISO 4217 code (List One, 2025, with the codes withdrawn since 2020 that old orders carry): a typo or
    /// a local name (`RMB`, `UDS`) would otherwise make a currency of its own in every total and report.
    /// The codes the list gives no minor unit ("N.A.") are not money anything is priced in, and are refused
    /// too: precious metals (`XAU`, `XAG`, `XPD`, `XPT`), bond-market units (`XBA`–`XBD`), `XDR`, `XSU`,
    /// `XUA`, the testing code `XTS` and "no currency" `XXX`.
    static func check(_ code: String, field: String) throws(OrderCoreError) -> String {
        guard codes.contains(code) else {
            throw .invalid("\(field) must be an ISO 4217 currency code such as CNY or USD, not '\(code)'", field: field)
        }
        return code
    }

    static let codes: Set<String> = [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
        "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF",
        "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
        "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD",
        "HNL", "HRK", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS",
        "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL",
        "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
        "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
        "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN",
        "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD",
        "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF",
        "YER", "ZAR", "ZMW", "ZWG", "ZWL",
    ]
}

extension CommandContext {
    /// A setting's value. All settings are read with the first one a command asks for (one query),
    /// and kept for the rest of the command (they change only through `config.set`).
    func value(of setting: Setting) throws -> JSON {
        if settings == nil { settings = try store.allConfig() }
        return settings?[setting.key] ?? setting.defaultValue
    }

    func intSetting(_ setting: Setting) throws -> Int64 {
        try value(of: setting).intValue ?? setting.defaultValue.intValue ?? 0
    }

    /// A money setting (`Setting.money`) for `order`'s currency, in whole units: its figure for that
    /// currency, else for `"other"`, else 0.
    func moneySetting(_ setting: Setting, of order: Order) throws -> Int64 {
        let value = try value(of: setting)
        guard let map = value.objectValue else { return value.intValue ?? 0 }
        return (map[order.currency] ?? map["other"])?.intValue ?? 0
    }

    /// `moneySetting` in the minor units of `order`'s currency.
    func moneySettingMinor(_ setting: Setting, of order: Order) throws -> Int64 {
        try moneySetting(setting, of: order).multipliedReportingOverflow(by: Money.unit(exponent: order.exponent))
            .partialValue
    }

    func boolSetting(_ setting: Setting) throws -> Bool {
        if case .bool(let b) = try value(of: setting) { return b }
        return false
    }

    func stringSetting(_ setting: Setting) throws -> String {
        try value(of: setting).stringValue ?? setting.defaultValue.stringValue ?? ""
    }
}

enum ConfigCommands {
    static let all = [get, set, reset]

    static let get = Command(
        "config.get", .read, "Show one setting (key) or all settings with their defaults",
        arguments: [
            Argument("key", .code, "One setting (default: all)", positional: true)
        ],
        result: ["settings"]
    ) { ctx, f in
        let key = try f.code("key")
        try f.finish()
        let settings =
            try key.map { key in
                guard let s = Setting.all.first(where: { $0.key == key }) else { throw unknown(key) }
                return [s]
            } ?? Setting.all
        return .object([
            "settings": .array(
                try settings.map { s in
                    let value =
                        s.key == Setting.riskRules.key ? try ctx.store.riskRules().rules.json : try ctx.value(of: s)
                    return [
                        "key": .string(s.key), "value": value, "default": s.defaultValue,
                        "role": .string(s.role.rawValue), "summary": .string(s.summary),
                    ]
                })
        ])
    }

    static let set = Command(
        "config.set", .write, "Change a setting (key, value); each setting names the role it needs",
        role: .supervisor, roleRule: "the setting's role (below)",
        arguments: [
            Argument("key", .code, required: true, positional: true),
            Argument(
                "value", .json,
                "The new value (JSON: numbers, true/false, objects; in a map setting, a member set to null is its "
                    + "default again)",
                required: true, positional: true),
        ],
        result: ["key", "value"]
    ) { ctx, f in
        let key = try f.requiredCode("key")
        guard let setting = Setting.all.first(where: { $0.key == key }) else { throw unknown(key) }
        // A map setting keeps the members a change does not name (null removes one); risk.rules is a
        // versioned rule set whose members left out take their defaults (risk.rules_set).
        let value: JSON
        if setting.defaultValue.objectValue != nil, key != Setting.riskRules.key,
            case .object(let given)? = f.value("value")
        {
            var merged = try ctx.value(of: setting).objectValue ?? [:]
            for (member, v) in given.pairs { merged[member] = v == .null ? JSON?.none : v }
            value = try setting.validate(Fields(["value": .object(merged)]))
        } else {
            value = try setting.validate(f)
        }
        try f.finish()
        return try change(ctx, setting, to: value)
    }

    static let reset = Command(
        "config.reset", .write, "Put a setting back to its default (key); each setting names the role it needs",
        role: .supervisor, roleRule: "the setting's role (config.set)",
        arguments: [
            Argument("key", .code, required: true, positional: true)
        ],
        result: ["key", "value"]
    ) { ctx, f in
        let key = try f.requiredCode("key")
        guard let setting = Setting.all.first(where: { $0.key == key }) else { throw unknown(key) }
        try f.finish()
        return try change(ctx, setting, to: nil)
    }

    /// Stores `value` for `setting` (nil: none, so it reads as its default) once the actor's role allows it.
    private static func change(_ ctx: CommandContext, _ setting: Setting, to value: JSON?) throws -> JSON {
        let key = setting.key
        try ctx.requireRole(setting.role, to: "changing \(key)")
        if key == Setting.riskRules.key {
            return try RiskCommands.rulesSet.run(ctx, Fields(["rules": value ?? setting.defaultValue]))
        }
        try ctx.store.setConfigValue(key, value)
        ctx.settings?[key] = value ?? setting.defaultValue
        // The reservation buffer changes what every channel may sell.
        if key == Setting.sellPercent.key { ctx.store.touchedSKUs.formUnion(try ctx.store.publishedSKUs(channel: nil)) }
        return ["key": .string(key), "value": value ?? setting.defaultValue]
    }

    private static func unknown(_ key: String) -> OrderCoreError {
        OrderCoreError(
            .invalidInput, "unknown setting '\(key)'; known: \(Setting.all.map(\.key).joined(separator: ", "))",
            details: ["field": "key"])
    }
}
