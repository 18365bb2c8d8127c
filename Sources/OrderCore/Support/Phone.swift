/// A phone number as the risk rules, the duplicate-order fingerprint, the allow and block lists and the
/// customers' records compare it: one buyer's phone written as Shopify writes it (`+8613312343069`), as
/// Taobao does (`13312343069`), dialled from abroad (`0086 133-1234-3069`) or with a trunk prefix
/// (`+44 7911 123456`, `07911 123456`) is one phone. The order keeps the phone as it was given.
enum Phone {
    /// The number without its country calling code and trunk prefix: its digits (fullwidth ones too); nil
    /// with fewer than five digits, or masked (`138****1234`, as Taobao and others send a buyer's phone: the
    /// buyers who share a mask are thousands, and counting them as one would hold their orders). A number
    /// given with `+` or `00`, or of twelve digits or more not starting with `0` (`8613312343069`: longer
    /// than national numbers are), loses its calling code (ITU's codes are prefix-free: 1 and 7, the
    /// two-digit codes below, else three digits), then any leading `0` (a trunk prefix, or the `(0)`
    /// written after the code). A national number loses its leading `0`s.
    /// A North American number written with its trunk `1` and no `+` keeps it (an 11-digit number starting
    /// with 1 is a Chinese mobile too).
    ///
    /// Text that is not written as a phone number (a channel's encrypted phone, `#Zm9v…==`, `$ABC$…`) is an
    /// identifier of its own: its key is itself, as the channel sent it.
    static func key(_ raw: String) -> String? {
        var digits: [UInt8] = []  // ASCII digits, whatever digits the text was written in
        digits.reserveCapacity(16)
        var international = false
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: digits.append(UInt8(scalar.value))
            case 0x09...0x0D, 0x20, 0x28, 0x29, 0x2D, 0x2E, 0x2F: continue  // white space ( ) - . /
            case 0x2B, 0xFF0B: international = international || digits.isEmpty  // +
            case 0x2A: return nil  // a mask
            case 0x80...:
                if scalar.properties.numericType == .decimal, let digit = scalar.properties.numericValue {
                    digits.append(0x30 + UInt8(digit))
                    continue
                }
                if separators.contains(scalar) || scalar.properties.isWhitespace { continue }
                fallthrough
            default:
                let text = raw.trimmed
                return text.count >= 5 ? text : nil
            }
        }
        var start = 0
        if !international, digits.starts(with: [0x30, 0x30]) {
            start = 2
            international = true
        }
        international = international || digits.count - start >= 12 && digits[start] != 0x30
        if international, let code = callingCodeLength(digits[start...]), digits.count - start > code + 4 {
            start += code
        }
        while start < digits.count, digits[start] == 0x30 { start += 1 }
        return digits.count - start >= 5 ? String(decoding: digits[start...], as: UTF8.self) : nil
    }

    /// What people write between a phone's digits, beyond ASCII.
    private static let separators: Set<Unicode.Scalar> = [
        "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{FF08}", "\u{FF09}", "\u{FF0D}",
    ]

    /// The two-digit country calling codes; every other code not starting with 1 or 7 has three digits.
    private static let twoDigitCodes: Set<UInt8> = [
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60,
        61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ]

    private static func callingCodeLength(_ digits: ArraySlice<UInt8>) -> Int? {
        guard let first = digits.first, first != 0x30 else { return nil }
        if first == 0x31 || first == 0x37 { return 1 }
        guard digits.count >= 2 else { return nil }
        return twoDigitCodes.contains((first - 0x30) * 10 + digits[digits.startIndex + 1] - 0x30) ? 2 : 3
    }
}
