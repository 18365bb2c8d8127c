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
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var i = 0
        func endField() { row.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b); i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if b == UInt8(ascii: ",") {
                endField()
            } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                if b == UInt8(ascii: "\r"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                endField()
                rows.append(row)
                row.removeAll(keepingCapacity: true)
            } else {
                field.append(b)
            }
            i += 1
        }
        guard !quoted else { throw .invalid("the CSV payload ends inside a quoted field", field: "payload") }
        if !field.isEmpty || !row.isEmpty { endField(); rows.append(row) }
        return rows
    }
}
