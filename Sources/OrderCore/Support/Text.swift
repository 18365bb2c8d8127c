extension String {
    /// The string padded with spaces to `width` characters (never cut): aligned columns in plain text.
    public func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }

    /// Without leading and trailing white space.
    public var trimmed: String {
        // Most text starts and ends with a visible ASCII character (a grapheme of its own): nothing to trim.
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return self
        }
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }

    /// Every occurrence of `target` replaced (Foundation-free).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
