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

    /// The text as keywords are looked for in it, so that a way of typing it does not hide a word: fullwidth
    /// forms as ASCII (`ＨＯＴＥＬ`, as Chinese input methods type Latin letters), Latin letters without their
    /// accents (`hôtel`, `cafe\u{301}`), without invisible characters (a zero-width space inside `酒店`), and
    /// without the spaces between two East Asian characters (`酒 店`). ASCII text is itself.
    var searchForm: String {
        guard !utf8.allSatisfy({ $0 < 0x80 }) else { return self }
        var folded = String.UnicodeScalarView()
        var wideBefore = false  // the last character kept is East Asian (CJK, kana, Hangul...)
        var spaceAfterWide = false  // and white space followed it
        for var scalar in unicodeScalars {
            if (0x3400..<0xFE00).contains(scalar.value) {  // ideographs, Hangul...: wide letters, nothing to fold
                folded.append(scalar)
                (wideBefore, spaceAfterWide) = (true, false)
                continue
            }
            if (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
                scalar = ascii
            }
            let visibleASCII = (0x21...0x7E).contains(scalar.value)
            if !visibleASCII {  // visible ASCII is neither invisible, a mark nor white space
                let properties = scalar.properties
                if properties.generalCategory == .format || properties.generalCategory == .nonspacingMark { continue }
                if properties.isWhitespace {
                    if wideBefore { spaceAfterWide = true } else { folded.append(" ") }
                    continue
                }
            }
            let wide = scalar.value >= 0x2E80
            if spaceAfterWide, !wide { folded.append(" ") }
            spaceAfterWide = false
            wideBefore = wide
            folded.append(scalar.value >= 0xC0 && scalar.value < 0x250 ? String.latinBase(scalar) : scalar)
        }
        if spaceAfterWide { folded.append(" ") }
        return String(folded)
    }

    /// A Latin letter's base letter (`ô` → `o`, `Ę` → `E`), read from its Unicode name; else the letter.
    private static func latinBase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard let name = scalar.properties.name, let with = name.firstRange(of: " WITH ") else { return scalar }
        for (prefix, lower) in [("LATIN SMALL LETTER ", true), ("LATIN CAPITAL LETTER ", false)]
        where name.hasPrefix(prefix) {
            let base = name[name.index(name.startIndex, offsetBy: prefix.count)..<with.lowerBound]
            guard base.count == 1, let letter = base.unicodeScalars.first, letter.isASCII else { return scalar }
            return lower ? Unicode.Scalar(letter.value | 0x20) ?? scalar : letter
        }
        return scalar
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

extension Unicode.Scalar {
    /// A control character (general category Cc: U+0000–U+001F, U+007F–U+009F, a set Unicode never
    /// changes), told without a property lookup.
    var isControl: Bool { value < 0x20 || (0x7F...0x9F).contains(value) }
}
