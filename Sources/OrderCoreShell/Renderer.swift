import OrderCore

/// Prints command results as aligned tables (people), JSON (scripts) or CSV (spreadsheets).
public enum OutputMode: String, Sendable, CaseIterable { case table, json, csv }

enum Renderer {
    static func render(_ result: JSON, mode: OutputMode) -> String {
        switch mode {
        case .json: return result.serialized
        case .csv: return csv(result)
        case .table: return table(result)
        }
    }

    // MARK: - Table

    /// Scalars (and nested objects, flattened as a.b) as `key  value` lines; each array of objects as
    /// its own titled table.
    static func table(_ result: JSON) -> String {
        guard case .object(let object) = result else { return cell(result) }
        // A document meant for printing (a packing slip) prints as itself.
        if case .string(let text)? = object["text"], text.contains("\n") {
            return String(text.dropLast(text.hasSuffix("\n") ? 1 : 0))
        }
        var pairs: [(String, String)] = []
        var tables: [(String, [JSONObject])] = []
        func walk(_ object: JSONObject, prefix: String) {
            for (key, value) in object.pairs {
                let name = prefix + key
                switch value {
                case .object(let inner): walk(inner, prefix: name + ".")
                case .array(let items) where !items.isEmpty && items.allSatisfy({ $0.objectValue != nil }):
                    tables.append((name, items.compactMap(\.objectValue)))
                default: pairs.append((name, cell(value)))
                }
            }
        }
        walk(object, prefix: "")
        var out: [String] = []
        let width = pairs.map { displayWidth($0.0) }.max() ?? 0
        for (key, value) in pairs { out.append(pad(key, width) + "  " + value) }
        for (title, rows) in tables {
            if !out.isEmpty { out.append("") }
            out.append(title + ":")
            out.append(grid(rows))
        }
        return out.joined(separator: "\n")
    }

    static func grid(_ rows: [JSONObject]) -> String {
        var columns: [String] = []
        for row in rows { for key in row.keys where !columns.contains(key) { columns.append(key) } }
        let cells = rows.map { row in columns.map { cell(row[$0] ?? .null) } }
        let widths = columns.indices.map { c in
            max(displayWidth(columns[c]), cells.map { displayWidth($0[c]) }.max() ?? 0)
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { pad($0, $1) }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return ([line(columns), line(widths.map { String(repeating: "-", count: $0) })] + cells.map(line)).joined(
            separator: "\n")
    }

    static func cell(_ value: JSON) -> String {
        switch value {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return s
        case .array(let items) where items.allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil }):
            return items.map(cell).joined(separator: ",")
        case .array(let items):
            // Nested records (a line's reservations) as their non-null values: "SH 3 active; BJ 1 active".
            return items.map { item in
                guard let o = item.objectValue else { return cell(item) }
                return o.pairs.compactMap { pair -> String? in
                    if case .null = pair.value { return nil }
                    return cell(pair.value)
                }.joined(separator: " ")
            }.joined(separator: "; ")
        case .object(let object):
            // A record inside a cell (a report component's details) as its present members: "open=3 stuck=1".
            return object.pairs.compactMap { pair -> String? in
                switch pair.value {
                case .null: return nil
                case .array(let items) where items.isEmpty: return nil
                default: return pair.key + "=" + cell(pair.value)
                }
            }.joined(separator: " ")
        }
    }

    // MARK: - CSV

    /// The first array of objects as CSV with a header; otherwise `key,value` rows.
    static func csv(_ result: JSON) -> String {
        let field = CSV.field
        if let object = result.objectValue,
            let rows = object.pairs.lazy.compactMap({ $0.value.arrayValue }).first(where: {
                $0.allSatisfy { $0.objectValue != nil } && !$0.isEmpty
            })
        {
            let records = rows.compactMap(\.objectValue)
            var columns: [String] = []
            for r in records { for key in r.keys where !columns.contains(key) { columns.append(key) } }
            return
                ([columns.map(field).joined(separator: ",")]
                + records.map { r in columns.map { field(cell(r[$0] ?? .null)) }.joined(separator: ",") }).joined(
                    separator: "\n")
        }
        guard let object = result.objectValue else { return field(cell(result)) }
        return (["key,value"] + object.pairs.map { field($0.key) + "," + field(cell($0.value)) }).joined(
            separator: "\n")
    }

    // MARK: - Width

    /// Terminal columns: East Asian wide characters take two.
    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { width, scalar in
            let v = scalar.value
            let wide =
                (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v)
            return width + (scalar.properties.generalCategory == .nonspacingMark ? 0 : wide ? 2 : 1)
        }
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s + String(repeating: " ", count: max(0, width - displayWidth(s)))
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
