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

    /// The text's bytes as keywords are looked for in them, so that a way of typing it does not hide a word:
    /// in lower case, fullwidth forms as ASCII (`ＨＯＴＥＬ`, as Chinese input methods type Latin letters),
    /// Latin letters without their accents (`hôtel`, `cafe\u{301}`), without invisible characters (a
    /// zero-width space inside `酒店`), and without the spaces between two East Asian characters (`酒 店`).
    var searchBytes: [UInt8] {
        if utf8.allSatisfy({ $0 < 0x80 }) { return utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 } }
        var folded: [UInt8] = []
        folded.reserveCapacity(utf8.count)
        var wideBefore = false  // the last character kept is East Asian (CJK, kana, Hangul...)
        var spaceAfterWide = false  // and white space followed it
        for var scalar in unicodeScalars {
            if (0x3400..<0xFE00).contains(scalar.value) {  // ideographs, Hangul...: wide letters, nothing to fold
                UTF8.encode(scalar) { folded.append($0) }
                (wideBefore, spaceAfterWide) = (true, false)
                continue
            }
            if (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
                scalar = ascii
            }
            if (0x21...0x7E).contains(scalar.value) {  // visible ASCII: neither invisible, a mark nor white space
                if spaceAfterWide { folded.append(0x20) }
                (wideBefore, spaceAfterWide) = (false, false)
                let byte = UInt8(scalar.value)
                folded.append((0x41...0x5A).contains(byte) ? byte | 0x20 : byte)
                continue
            }
            let properties = scalar.properties
            if properties.generalCategory == .format || properties.generalCategory == .nonspacingMark { continue }
            if properties.isWhitespace {
                if wideBefore { spaceAfterWide = true } else { folded.append(0x20) }
                continue
            }
            let wide = scalar.value >= 0x2E80
            if spaceAfterWide, !wide { folded.append(0x20) }
            (wideBefore, spaceAfterWide) = (wide, false)
            let lowered = properties.changesWhenLowercased ? properties.lowercaseMapping : String(scalar)
            for letter in lowered.unicodeScalars {
                UTF8.encode(letter.value >= 0xC0 && letter.value < 0x250 ? String.latinBase(letter) : letter) {
                    folded.append($0)
                }
            }
        }
        if spaceAfterWide { folded.append(0x20) }
        return folded
    }

    /// A Latin letter's base letter in lower case (`ô` → `o`, `Ę` → `e`), read from its Unicode name; else
    /// the letter.
    private static func latinBase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard let name = scalar.properties.name, let with = name.firstRange(of: " WITH ") else { return scalar }
        for prefix in ["LATIN SMALL LETTER ", "LATIN CAPITAL LETTER "] where name.hasPrefix(prefix) {
            let base = name[name.index(name.startIndex, offsetBy: prefix.count)..<with.lowerBound]
            guard base.count == 1, let letter = base.unicodeScalars.first, letter.isASCII else { return scalar }
            return Unicode.Scalar(letter.value | 0x20) ?? scalar
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
