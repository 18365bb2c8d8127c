/// Comma-separated values as RFC 4180 writes them: a header row, fields optionally in double quotes
/// (a quote inside doubled), CRLF or LF line ends, a UTF-8 byte-order mark ignored.
public enum CSV {
    /// Parses text into one object per row, keyed by the header's names (values are strings).
    /// - Throws: `invalid_input` for an unterminated quote, a row wider than the header, or no header.
    static func records(_ text: String) throws(OrderCoreError) -> [JSONObject] {
        var rows = try parse(text)
        guard !rows.isEmpty else { throw .invalid("the CSV payload is empty: it needs a header row", field: "payload") }
        let header = rows.removeFirst().map(\.trimmed)
        var result: [JSONObject] = []
        result.reserveCapacity(rows.count)
        for (n, row) in rows.enumerated() where !(row.count == 1 && row[0].isEmpty) {
            guard row.count <= header.count else {
                throw .invalid(
                    "CSV row \(n + 2) has \(row.count) fields; the header has \(header.count)", field: "payload")
            }
            var object = JSONObject()
            for (i, value) in row.enumerated() { object[header[i]] = .string(value) }
            result.append(object)
        }
        return result
    }

    /// One field as written (RFC 4180): quoted when it holds a comma, quote or line break.
    public static func field(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingAll("\"", with: "\"\"") + "\"" : s
    }

    /// The fields of every record, unquoted.
    public static func parse(_ text: String) throws(OrderCoreError) -> [[String]] {
        var text = text
        return try text.withUTF8 { all in Result { () throws(OrderCoreError) in try parse(all) } }.get()
    }

    private static func parse(_ all: UnsafeBufferPointer<UInt8>) throws(OrderCoreError) -> [[String]] {
        var bytes = all[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var rows: [[String]] = []
        var row: [String] = []
        var i = bytes.startIndex
        let end = bytes.endIndex
        var quotedField: [UInt8] = []
        // A field ends at a comma, a line break or the end; `i` is at its first byte.
        while i < end {
            if all[i] == UInt8(ascii: "\"") {
                // Quoted: up to the closing quote, a doubled quote standing for one.
                quotedField.removeAll(keepingCapacity: true)
                i += 1
                var closed = false
                while i < end {
                    let b = all[i]
                    i += 1
                    if b == UInt8(ascii: "\"") {
                        if i < end, all[i] == UInt8(ascii: "\"") {
                            quotedField.append(b)
                            i += 1
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        quotedField.append(b)
                    }
                }
                guard closed else { throw .invalid("the CSV payload ends inside a quoted field", field: "payload") }
                // Anything after the closing quote, up to the separator, belongs to the field as written.
                let rest = i
                while i < end, !isSeparator(all[i]) { i += 1 }
                quotedField.append(contentsOf: UnsafeBufferPointer(rebasing: all[rest..<i]))
                row.append(String(decoding: quotedField, as: UTF8.self))
            } else {
                let start = i
                while i < end, !isSeparator(all[i]) { i += 1 }
                row.append(String(decoding: UnsafeBufferPointer(rebasing: all[start..<i]), as: UTF8.self))
            }
            // i is at a separator or the end.
            guard i < end else { break }
            let b = all[i]
            i += 1
            if b == UInt8(ascii: ",") {
                if i == end { row.append("") }  // a trailing comma ends with an empty field
                continue
            }
            if b == UInt8(ascii: "\r"), i < end, all[i] == UInt8(ascii: "\n") { i += 1 }
            rows.append(row)
            row.removeAll(keepingCapacity: true)
        }
        if row.count > 1 || row.first?.isEmpty == false { rows.append(row) }  // not one empty field at the end
        return rows
    }

    private static func isSeparator(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")
    }
}
