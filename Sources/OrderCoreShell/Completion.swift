import OrderCore

/// What the tab key offers, from the command table and the open database. Pure apart from the
/// `codes` lookup, so it is tested without a terminal.
public enum Completion {
    /// - Parameters:
    ///   - before: the line up to the word being completed.
    ///   - word: the partial word under the cursor.
    ///   - codes: SKUs, warehouses or order ids starting with a prefix.
    public static func candidates(before: String, word: String, codes: (CodeKind, String) -> [String]) -> [String] {
        let done = (try? Tokenizer.split(Substring(before))) ?? []
        let matching = { (options: [String]) in Set(options.filter { $0.hasPrefix(word) }).sorted() }
        guard let first = done.first else { return matching(ShellCommand.all.map { $0.words[0] }) }
        if first.hasPrefix(".") {
            return done.count == 1 ? matching(ShellCommand.all.first { $0.name == first }?.completesWith ?? []) : []
        }
        let words = first == "help" ? Array(done.dropFirst()) : done
        // Next word of a multi-word command ("stock" -> receive, get).
        let next = ShellCommand.all.compactMap { c -> String? in
            c.words.count > words.count && Array(c.words.prefix(words.count)) == words ? c.words[words.count] : nil
        }
        if !next.isEmpty || first == "help" { return matching(next) }
        guard let (command, args) = ShellCommand.match(words) else { return [] }
        let keys = command.options.map { $0.key + "=" }
        if let eq = word.firstIndex(of: "="), let option = command.options.first(where: { $0.key == word[..<eq] }) {
            let head = String(word[...eq]), prefix = String(word[word.index(after: eq)...])
            if case .code(let kind?) = option.kind { return codes(kind, prefix).map { head + $0 } }
            return option.choices.filter { $0.hasPrefix(prefix) }.map { head + $0 }
        }
        let positionals = args.filter { arg in
            !command.options.contains { arg.hasPrefix($0.key + "=") } && !arg.contains(":")
        }
        if command.lines != nil, positionals.count >= command.params.filter({ !$0.optional }).count {
            return codes(.sku, word).map { $0 + ":" } + matching(keys)  // SKU:QTY lines, then options
        }
        if positionals.count < command.params.count {
            let param = command.params[positionals.count]
            let offered = if case .code(let kind?) = param.kind { codes(kind, word) } else { matching(param.choices) }
            return offered + (word.isEmpty ? [] : matching(keys))
        }
        return matching(keys)
    }
}
