/// Money is an `Int64` count of minor units (cents, fen) in the order's currency; JSON carries it as a
/// decimal string ("19.90"). No binary floating point is ever involved.
public enum Money {
    /// Minor-unit exponents of ISO 4217 currencies that do not use two decimals.
    private static let exponents: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
        "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3, "CLF": 4, "UYW": 4,
    ]

    /// Number of decimals of a currency (2 unless ISO 4217 says otherwise).
    public static func exponent(of currency: String) -> Int { exponents[currency] ?? 2 }

    /// Parses a decimal amount ("19.9", "19.90", "-3", "1e2" is refused) into minor units.
    /// - Returns: nil when the text is not a plain decimal, has more decimals than the currency allows,
    ///   or does not fit in Int64.
    public static func parse(_ text: String, exponent: Int) -> Int64? {
        var utf8 = Substring(text).utf8[...]
        var negative = false
        if utf8.first == UInt8(ascii: "-") { negative = true; utf8 = utf8.dropFirst() }
        var integer: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenDigit = false
        var inFraction = false
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                guard !inFraction, seenDigit else { return nil }
                inFraction = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            seenDigit = true
            if inFraction {
                fractionDigits += 1
                if fractionDigits > exponent {
                    guard digit == 0 else { return nil }  // "19.900" is fine, "19.901" is not
                    continue
                }
                fraction = fraction * 10 + digit
            } else {
                let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(digit)
                guard !o1, !o2 else { return nil }
                integer = sum
            }
        }
        guard seenDigit, !(inFraction && fractionDigits == 0) else { return nil }
        for _ in min(fractionDigits, exponent)..<exponent { fraction *= 10 }
        let (scaled, o1) = integer.multipliedReportingOverflow(by: pow10(exponent))
        let (total, o2) = scaled.addingReportingOverflow(fraction)
        guard !o1, !o2 else { return nil }
        return negative ? -total : total
    }

    /// Formats minor units as a decimal string with exactly `exponent` decimals.
    public static func format(_ minor: Int64, exponent: Int) -> String {
        let magnitude = minor.magnitude
        let scale = UInt64(pow10(exponent))
        let sign = minor < 0 ? "-" : ""
        guard exponent > 0 else { return sign + String(magnitude) }
        let fraction = String(magnitude % scale)
        return sign + String(magnitude / scale) + "." + String(repeating: "0", count: exponent - fraction.count)
            + fraction
    }

    private static func pow10(_ n: Int) -> Int64 { (0..<n).reduce(1) { r, _ in r * 10 } }

    /// Minor units in one whole unit of a currency with this exponent (100 for CNY, 1 for JPY): settings
    /// that are amounts in whole units are compared in minor units.
    static func unit(exponent: Int) -> Int64 { pow10(exponent) }
}
