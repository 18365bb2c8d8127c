/// `export`: any read command's rows to a CSV or JSON-lines file, streamed. A command that pages
/// (its answer has `next`: `order.list`, `stock.ledger`, `return.list`, `events.read`) is asked for
/// page after page (`after` = `next`, 1,000 rows a page), each written before the next is read, so a
/// million rows take the memory of one page. Everything is read in one transaction: a consistent
/// snapshot. The file appears complete or not at all (written beside it, then renamed).
enum ExportCommands {
    static let all = [export]

    static let pageSize: Int64 = 1_000

    static let export = Command(
        "export", .read,
        "Write a read command's rows to a file as CSV or JSON lines, streaming every page (request = {op, ...}, path, "
            + "format = csv|jsonl, rows = which array)",
        role: .operator,
        arguments: [
            Argument(
                "request", .object, "The listing command to export, such as {\"op\":\"order.list\",\"state\":\"paid\"}",
                required: true),
            Argument("path", .text, required: true, positional: true),
            Argument("format", .code, "csv or jsonl", choices: ["csv", "jsonl"]),
            Argument("rows", .code, "Which array member of the answer holds the rows (default: the first)"),
        ],
        result: ["path", "format", "op", "rows", "bytes"]
    ) { ctx, f in
        guard case .object(let object)? = f.value("request") else {
            throw OrderCoreError.invalid(
                "request is required: the command to export, such as {\"op\":\"order.list\",\"state\":\"paid\"}",
                field: "request")
        }
        guard let path = try f.text("path", maxLength: 4_096), !path.isEmpty else {
            throw OrderCoreError.invalid("path is required: the file to write", field: "path")
        }
        let formatName = try f.code("format") ?? "csv"
        let member = try f.code("rows")
        try f.finish()
        guard let format = Format(rawValue: formatName) else {
            throw OrderCoreError.invalid("format must be csv or jsonl, not '\(formatName)'", field: "format")
        }
        guard let op = object["op"]?.stringValue, let command = Command.byName[op] else {
            throw OrderCoreError.invalid("request.op must name a command (docs/commands.md)", field: "request.op")
        }
        guard command.access == .read, command.name != "export" else {
            throw OrderCoreError.invalid(
                "only read commands (reports, lists) can be exported; \(op) changes the database", field: "request.op")
        }
        var writer = try RowWriter(path: path, format: format, protecting: ctx.store.db.files)
        do {
            var args = object
            args["op"] = nil
            while true {
                let page = try command.run(ctx, Fields(args, path: "request"))
                guard let rows = try rows(of: page, member: member) else {
                    throw OrderCoreError.invalid(
                        "\(op) answered without \(member.map { "'\($0)'" } ?? "an array of rows") to export",
                        field: "rows")
                }
                for row in rows { try writer.write(row) }
                // The end: no cursor, an empty page, or a cursor that did not move (the feed's `next`).
                guard let next = page["next"], next != .null, !rows.isEmpty, next != args["after"] else { break }
                args["after"] = next
                if object["limit"] == nil { args["limit"] = .int(pageSize) }
            }
            try writer.output.finish()
            return [
                "path": .string(path), "format": .string(format.rawValue), "op": .string(op), "rows": .int(writer.rows),
                "bytes": .int(writer.output.bytes),
            ]
        } catch {
            writer.output.abandon()
            throw error
        }
    }

    /// The array to export: the named member (`a.b` reaches into an object), or the first array in the
    /// answer; an answer without one is a single row.
    static func rows(of page: JSON, member: String?) throws -> [JSON]? {
        if let member {
            var value: JSON? = page
            for key in member.split(separator: ".") { value = value?[String(key)] }
            return value?.arrayValue
        }
        guard let object = page.objectValue else { return [page] }
        return object.pairs.lazy.compactMap { $0.value.arrayValue }.first ?? [page]
    }

    enum Format: String { case csv, jsonl }
}

/// Rows as CSV or JSON lines. CSV columns are the first row's members (every row of one command has
/// the same ones); nested values are written as JSON text.
struct RowWriter {
    let format: ExportCommands.Format
    var output: OutputFile
    private var columns: [String]?
    private(set) var rows: Int64 = 0

    init(path: String, format: ExportCommands.Format, protecting database: DatabaseFiles?) throws {
        self.format = format
        output = try OutputFile(path: path, protecting: database)
    }

    mutating func write(_ row: JSON) throws {
        switch format {
        case .jsonl:
            try output.write(row.serialized + "\n")
        case .csv:
            let object = row.objectValue ?? ["value": row]
            var text = ""
            if columns == nil {
                columns = object.keys
                text = object.keys.map(CSV.field).joined(separator: ",") + "\r\n"
            }
            text +=
                (columns ?? []).map { key in CSV.field(RowWriter.spreadsheetCell(object[key] ?? .null)) }.joined(
                    separator: ",")
                + "\r\n"
            try output.write(text)
        }
        rows += 1
    }

    /// `cell`, for a file people open in a spreadsheet: a text that the spreadsheet would run as a formula
    /// (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return and is not a number) is written after
    /// an apostrophe, since channel and customer text is anybody's (OWASP's advice on CSV injection).
    /// Numbers, and amounts written as text (`-5.00`), are written as they are.
    static func spreadsheetCell(_ value: JSON) -> String {
        let text = cell(value)
        guard case .string = value, let first = text.utf8.first, "=+-@\t\r".utf8.contains(first),
            !isDecimal(text)
        else { return text }
        return "'" + text
    }

    /// `-5.00`, `+3`, `12`: a sign, digits, and decimals after a point.
    private static func isDecimal(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }
    }

    static func cell(_ value: JSON) -> String {
        switch value {
        case .null: ""
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .array, .object: value.serialized
        }
    }
}
