/// Splits a shell line into words: whitespace separates, "double" or 'single' quotes group.
enum Tokenizer {
    struct Unterminated: Error {}

    static func split(_ line: Substring) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else {
                current.append(c)
                inWord = true
            }
        }
        guard quote == nil else { throw Unterminated() }
        if inWord { words.append(current) }
        return words
    }
}
