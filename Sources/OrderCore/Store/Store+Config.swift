extension Store {
    func configValue(_ key: String) throws -> JSON? {
        try db.first("SELECT value FROM config WHERE key = ?", .text(key)) { try JSONParser.parse($0.text(0)) }
    }

    /// Every stored setting (unset ones keep their defaults), read once while they stay unchanged.
    func allConfig() throws -> [String: JSON] {
        try checkCaches()
        if let configCache { return configCache }
        var result: [String: JSON] = [:]
        try db.rows("SELECT key, value FROM config") { result[$0.text(0)] = try JSONParser.parse($0.text(1)) }
        configCache = result
        return result
    }

    /// Stores a setting's value; nil removes it, so it reads as its default (today's, whatever a later version
    /// makes it).
    func setConfigValue(_ key: String, _ value: JSON?) throws {
        configCache = nil
        cachedTableChanged()
        if let value {
            try db.run(
                "INSERT INTO config(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                .text(key), .text(value.serialized))
        } else {
            try db.run("DELETE FROM config WHERE key = ?", .text(key))
        }
    }
}
