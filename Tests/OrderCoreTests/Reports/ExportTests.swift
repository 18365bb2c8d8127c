@testable import OrderCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

struct ExportTests {
    func read(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func pagedListsAreExportedWholeInEitherFormat() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Engine(test: dir + "/export.db")
        try engine.seedCatalog(a1: ["SH": 5_000])
        var batch = "[" + (0..<2_500).map { i in
            #"{"op":"order.create","lines":[{"sku":"A1","qty":1,"unit_price":"1.00"}],"note":"n,\#(i)"}"#
        }.joined(separator: ",") + "]"
        #expect(batch.withUTF8 { engine.executeBatch($0, atomic: true).code } == nil)
        // 2,500 orders: three pages of order.list, written as they are read.
        let csv = try engine.ok("export", ["request": ["op": "order.list"], "path": .string(dir + "/orders.csv")])
        #expect(csv["rows"] == 2_500 && csv["format"] == "csv")
        let lines = read(dir + "/orders.csv").split(separator: "\r\n")
        #expect(lines.count == 2_501)
        #expect(lines.first == "order_id,channel,external_id,state,currency,grand_total,placed_at,updated_at,state_since,cash_on_delivery,payment_terms,refund_due")
        #expect(Set(lines.dropFirst().map { $0.split(separator: ",").first ?? "" }).count == 2_500)
        // The ledger as JSON lines, filtered like stock.ledger: one receipt and 2,500 reservations.
        let jsonl = try engine.ok("export", ["request": ["op": "stock.ledger", "sku": "A1"], "path": .string(dir + "/ledger.jsonl"), "format": "jsonl"])
        #expect(jsonl["rows"] == 2_501)
        let first = read(dir + "/ledger.jsonl").split(separator: "\n").first.map(String.init) ?? ""
        #expect(try JSONParser.parse(first)["reason"] == "receive")
        // The change feed pages too, and its cursor stays put at the end: the export stops there.
        let feed = try engine.ok("export", ["request": ["op": "events.read", "kinds": ["order"]], "path": .string(dir + "/feed.jsonl"), "format": "jsonl"])
        #expect(feed["rows"] == 2_500)
    }

    /// Text anybody can write (a note, a channel's order number, a customer's name) could run as a formula
    /// in the spreadsheet that opens the file: such a cell is written after an apostrophe; numbers are not.
    @Test func aCellThatASpreadsheetWouldRunIsWrittenAsText() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try Engine(test: dir + "/export.db")
        try engine.seedCatalog(a1: ["SH": 50])
        for note in [#"=HYPERLINK("http://x","y")"#, "@SUM(A1)", "-2+3", "plain"] {
            try engine.ok("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": -1, "reason": .string(note)])
        }
        try engine.ok("export", ["request": ["op": "stock.ledger", "sku": "A1"], "path": .string(dir + "/ledger.csv")])
        let rows = try CSV.records(read(dir + "/ledger.csv"))
        #expect(rows.compactMap { $0["note"]?.stringValue }.filter { !$0.isEmpty } == [#"'=HYPERLINK("http://x","y")"#, "'@SUM(A1)", "'-2+3", "plain"])
        #expect(rows.last?["delta"] == "-1")
        let cells: [(JSON, String)] = [("-5.00", "-5.00"), ("+3", "+3"), (.int(-7), "-7"), ("+86 138 0000", "'+86 138 0000"),
                                       ("\tx", "'\tx"), ("-", "'-"), ("1-2", "1-2"), (.null, "")]
        for (value, written) in cells { #expect(RowWriter.spreadsheetCell(value) == written) }
    }

    @Test func reportsAndTheirPartsAndRefusals() throws {
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        let engine = try SalesReportTests().history()
        let period: JSONObject = ["op": "report.sales", "from": "2026-05-01T00:00:00Z", "to": "2026-05-04T00:00:00Z"]
        try engine.ok("export", ["request": .object(period), "path": .string(dir + "/sales.csv")])
        #expect(read(dir + "/sales.csv").hasPrefix("day,currency,orders,units,gross,discounts,shipping,gmv,refunds,net,average_order_value\r\n2026-05-01,CNY,3,4,135.00"))
        var totals = period
        totals["by"] = "total"
        let t = try engine.ok("export", ["request": .object(totals), "rows": "totals", "path": .string(dir + "/totals.jsonl"), "format": "jsonl"])
        #expect(t["rows"] == 1 && read(dir + "/totals.jsonl").contains(#""gmv":"158.00""#))
        // Refused: writes, unknown commands, formats, a missing array; a failed export leaves no file.
        #expect(engine.fails("export", ["request": ["op": "order.cancel", "order_id": "SO-000001"], "path": .string(dir + "/x.csv")]) == .invalidInput)
        #expect(engine.fails("export", ["request": ["op": "nope"], "path": .string(dir + "/x.csv")]) == .invalidInput)
        #expect(engine.fails("export", ["request": .object(period), "path": .string(dir + "/x.csv"), "format": "xml"]) == .invalidInput)
        #expect(engine.fails("export", ["request": .object(period), "path": .string(dir + "/x.csv"), "rows": "nothing"]) == .invalidInput)
        #expect(engine.fails("export", ["request": ["op": "order.list", "state": "lost"], "path": .string(dir + "/x.csv")]) == .invalidInput)
        #expect(access(dir + "/x.csv", F_OK) != 0)
        #expect(engine.fails("export", ["request": .object(period), "path": "/nonexistent-dir/x.csv"]) == .io)
        #expect(engine.fails("export", ["path": .string(dir + "/x.csv")]) == .invalidInput)
    }
}
