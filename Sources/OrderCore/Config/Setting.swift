/// A configuration key: its default and how a new value is checked. Settings are data in the
/// database (`config.set`), so every process sharing the file sees the same policy.
struct Setting: Sendable {
    let key: String
    let summary: String
    let defaultValue: JSON
    let validate: @Sendable (Fields) throws -> JSON

    static let unpaidTimeoutMinutes = Setting(
        key: "order.unpaid_timeout_minutes",
        summary: "Minutes an unpaid order keeps its reservation before it expires (sweep or lazy release)",
        defaultValue: 15
    ) { .int(try $0.requiredInt("value", min: 1, max: 525_600)) }

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
        guard value == "order" || value == "payment" else { throw OrderCoreError.invalid("value must be \"order\" or \"payment\"", field: "value") }
        return .string(value)
    }

    static let sellPercent = Setting(
        key: "inventory.sell_percent",
        summary: "Reservation buffer: sell at most this percent of on-hand stock (1-100)",
        defaultValue: 100
    ) { .int(try $0.requiredInt("value", min: 1, max: 100)) }

    static let all: [Setting] = [unpaidTimeoutMinutes, defaultCurrency, reserveAt, sellPercent]
}

enum Currency {
    /// An ISO 4217 code: three upper-case ASCII letters.
    static func check(_ code: String, field: String) throws(OrderCoreError) -> String {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw .invalid("\(field) must be an ISO 4217 currency code such as CNY or USD, not '\(code)'", field: field)
        }
        return code
    }
}

extension CommandContext {
    func value(of setting: Setting) throws -> JSON { try store.configValue(setting.key) ?? setting.defaultValue }

    func intSetting(_ setting: Setting) throws -> Int64 {
        try value(of: setting).intValue ?? setting.defaultValue.intValue ?? 0
    }

    func stringSetting(_ setting: Setting) throws -> String {
        try value(of: setting).stringValue ?? setting.defaultValue.stringValue ?? ""
    }
}

enum ConfigCommands {
    static let all = [get, set]

    static let get = Command("config.get", .read, "Show one setting (key) or all settings with their defaults") { ctx, f in
        let key = try f.code("key")
        try f.finish()
        let settings = try key.map { key in
            guard let s = Setting.all.first(where: { $0.key == key }) else { throw unknown(key) }
            return [s]
        } ?? Setting.all
        return .object(["settings": .array(try settings.map { s in
            ["key": .string(s.key), "value": try ctx.value(of: s), "default": s.defaultValue, "summary": .string(s.summary)]
        })])
    }

    static let set = Command("config.set", .write, "Change a setting (key, value)") { ctx, f in
        let key = try f.requiredCode("key")
        guard let setting = Setting.all.first(where: { $0.key == key }) else { throw unknown(key) }
        let value = try setting.validate(f)
        try f.finish()
        try ctx.store.setConfigValue(key, value)
        return ["key": .string(key), "value": value]
    }

    private static func unknown(_ key: String) -> OrderCoreError {
        OrderCoreError(.invalidInput, "unknown setting '\(key)'; known: \(Setting.all.map(\.key).joined(separator: ", "))",
                       details: ["field": "key"])
    }
}
