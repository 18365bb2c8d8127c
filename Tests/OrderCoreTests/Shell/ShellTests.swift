import OrderCore
@testable import OrderCoreShell
import Testing

struct ShellTests {
    @Test func commandWordsMapToOpsWithTypedArguments() throws {
        let (command, rest) = try #require(ShellCommand.match(["stock", "receive", "A1", "SH", "5", "reference=PO-9"]))
        #expect(command.op == "stock.receive")
        let args = try command.arguments(rest)
        #expect(args["sku"] == "A1" && args["qty"] == 5 && args["reference"] == "PO-9")
        #expect(ShellCommand.match(["order", "show", "SO-1"])?.0.op == "order.view")
        #expect(throws: ShellError.self) { try command.arguments(["A1", "SH", "five"]) }
        #expect(throws: ShellError.self) { try command.arguments(["A1"]) }
    }

    @Test func orderCreateReadsLinesAndOptions() throws {
        let (create, _) = try #require(ShellCommand.match(["order", "create"]))
        let args = try create.arguments(["A1:2@19.90", "B-2:1", "channel=web", "customer=Wang", "phone=+86133"])
        #expect(args["channel"] == "web")
        #expect(args["customer"] == ["name": "Wang", "phone": "+86133"])
        #expect(args["lines"] == [["sku": "A1", "qty": 2, "unit_price": "19.90"], ["sku": "B-2", "qty": 1, "unit_price": "0"]])
        #expect(throws: ShellError.self) { try create.arguments(["channel=web"]) }
        #expect(throws: ShellError.self) { try create.arguments(["A1:two@1"]) }
    }

    @Test func countAndTransferTakePositionalsThenLines() throws {
        let (count, rest) = try #require(ShellCommand.match(["stock", "count", "SH", "A1:8", "B2:0", "reference=CC-1"]))
        let args = try count.arguments(rest)
        #expect(args["warehouse"] == "SH" && args["reference"] == "CC-1")
        #expect(args["counts"] == [["sku": "A1", "qty": 8], ["sku": "B2", "qty": 0]])
        #expect(throws: ShellError.self) { try count.arguments(["SH", "A1:8@2.00"]) }
        #expect(throws: ShellError.self) { try count.arguments(["SH"]) }
        let (receive, more) = try #require(ShellCommand.match(["transfer", "receive", "TR-000001"]))
        #expect(try receive.arguments(more) == ["transfer_id": "TR-000001"])
        #expect(try receive.arguments(["TR-000001", "A1:2"])["lines"] == [["sku": "A1", "qty": 2]])
    }

    @Test func cancelReasonTakesTheRestOfTheLine() throws {
        let (command, rest) = try #require(ShellCommand.match(["order", "cancel", "SO-1", "buyer", "changed", "mind"]))
        #expect(try command.arguments(rest)["reason"] == "buyer changed mind")
    }

    @Test func tokenizerHonoursQuotes() throws {
        #expect(try Tokenizer.split(#"sku upsert A1 name="Tea 500g" note='a b'"#) == ["sku", "upsert", "A1", "name=Tea 500g", "note=a b"])
        #expect(throws: Tokenizer.Unterminated.self) { try Tokenizer.split(#"name="open"#) }
    }

    @Test func completionOffersCommandsThenDatabaseCodes() {
        let codes: (CodeKind, String) -> [String] = { kind, prefix in
            let all: [String] = switch kind {
            case .sku: ["A1", "A2", "B7"]
            case .warehouse: ["SH", "BJ"]
            case .order: ["SO-000001"]
            case .transfer: ["TR-000001"]
            case .channel: ["web", "pos"]
            case .returnID: ["RT-000001"]
            case .setting: ["returns.admin_above", "returns.supervisor_above"]
            }
            return all.filter { $0.hasPrefix(prefix) }
        }
        #expect(Completion.candidates(before: "config reset ", word: "returns.a", codes: codes) == ["returns.admin_above"])
        #expect(Completion.candidates(before: "", word: "st", codes: codes) == ["status", "stock"])
        #expect(Completion.candidates(before: "", word: "sto", codes: codes) == ["stock"])
        #expect(Completion.candidates(before: "stock ", word: "", codes: codes) == ["adjust", "alerts", "board", "count", "get", "ledger", "locate", "quarantine", "receive", "replenishment", "safety", "scrap", "show",
                                                                                         "transfer", "transfer-close", "transfer-get", "transfer-receive", "valuation", "verify"])
        #expect(Completion.candidates(before: "stock receive ", word: "A", codes: codes) == ["A1", "A2"])
        #expect(Completion.candidates(before: "stock receive A1 ", word: "", codes: codes) == ["SH", "BJ"])
        #expect(Completion.candidates(before: "order pay ", word: "SO", codes: codes) == ["SO-000001"])
        #expect(Completion.candidates(before: "order create ", word: "B", codes: codes) == ["B7:"])
        #expect(Completion.candidates(before: "order create A1:1 ", word: "war", codes: codes) == ["warehouse="])
        #expect(Completion.candidates(before: "order list ", word: "after=SO", codes: codes) == ["after=SO-000001"])
        #expect(Completion.candidates(before: "stock count ", word: "S", codes: codes) == ["SH"])
        #expect(Completion.candidates(before: "stock count SH A1:2 ", word: "A", codes: codes) == ["A1:", "A2:"])
        #expect(Completion.candidates(before: "transfer receive ", word: "", codes: codes) == ["TR-000001"])
        #expect(Completion.candidates(before: ".mode ", word: "j", codes: codes) == ["json"])
        #expect(Completion.candidates(before: "help ", word: "or", codes: codes) == ["order"])
    }

    @Test func helpComesFromTheCommandTable() {
        let help = Shell.help([])
        for command in ShellCommand.all where !command.isAlias { #expect(help.contains(command.usage)) }
        for command in ShellCommand.all where command.isAlias { #expect(help.contains(command.name + ")") || help.contains(command.name + ",")) }
        #expect(Shell.help(["order", "pay"]).contains("runs op order.pay"))
        #expect(Shell.help(["frobnicate"]).contains("no command"))
    }

    /// Every op reaches the shell: `help` lists it, `help COMMAND` names the op, tab completes each of its
    /// words, and its words parse to the op.
    @Test func everyOpIsReachableFromTheShell() {
        let help = Shell.help([])
        for command in Command.all {
            let words = command.shellName.split(separator: " ").map(String.init)
            let row = ShellCommand.match(words)?.0
            #expect(row?.op == command.name || (command.name == "export" && row?.name == "export"), "\(command.name)")
            #expect(help.contains(command.shellName), "\(command.name)")
            if row?.op == command.name { #expect(Shell.help(words).contains("runs op \(command.name)")) }
            for (i, word) in words.enumerated() {
                let before = words.prefix(i).map { $0 + " " }.joined()
                #expect(Completion.candidates(before: before, word: String(word.prefix(2)), codes: { _, _ in [] }).contains(word),
                        "\(command.name): \(word)")
            }
            for argument in command.arguments where !argument.positional {
                let key = ShellCommand.match(words)?.0.options.contains { $0.field == argument.name } ?? false
                let listed = ShellCommand.match(words)?.0.lines?.field == argument.name
                #expect(key || listed || command.name == "export", "\(command.name): \(argument.name)")
            }
        }
    }

    @Test func sessionRunsCommandsAndCountsFailures() throws {
        let engine = try Engine(test: ":memory:")
        var out: [String] = []
        var err: [String] = []
        let shell = Shell(engine: engine, mode: .json, actor: "shell:test", write: { out.append($0) }, writeError: { err.append($0) })
        #expect(shell.execute("sku upsert A1 name=Mug") == .proceed)
        #expect(shell.execute("stock get A1") == .proceed)
        #expect(out.last?.contains("\"available\":0") == true)
        shell.execute("order pay SO-404")
        #expect(shell.failures == 1 && err.last?.contains("not_found") == true)
        shell.bail = true
        #expect(shell.execute("bogus command") == .bailed)
        #expect(shell.execute(".quit") == .quit)
    }

    @Test func tablesAlignWideCharacters() {
        let table = Renderer.grid([["name": "酒店"], ["name": "ab"]])
        #expect(table.split(separator: "\n").map { Renderer.displayWidth(String($0)) } == [4, 4, 4, 2])
    }
}
