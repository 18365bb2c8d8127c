#if canImport(Glibc)
import Glibc
#endif

/// Times are Int64 milliseconds since the Unix epoch, UTC; JSON carries ISO 8601 strings.
public enum Timestamp {
    /// The wall clock, in milliseconds.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM|+HHMM]` (a space may replace the `T`).
    /// A zone is required: a time without one is ambiguous in an order system spanning time zones.
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, let year = num(0, 4), b[4] == 45, let month = num(5, 2), b[7] == 45,
            let day = num(8, 2), b[10] == 84 || b[10] == 32 || b[10] == 116,
            let hour = num(11, 2), b[13] == 58, let minute = num(14, 2), b[16] == 58, let second = num(17, 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var millis = 0
        if b[i] == 46 {  // fraction: keep milliseconds, ignore finer digits
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 3)..<3 { millis *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetMinutes = 0
        if b[i] == 90 || b[i] == 122 {  // Z
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            let sign = b[i] == 45 ? -1 : 1
            guard let oh = num(i + 1, 2), oh < 24 else { return nil }
            var j = i + 3
            if j < b.count, b[j] == 58 { j += 1 }
            guard let om = num(j, 2), om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
            i = j + 2
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds =
            Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` only when the milliseconds are not zero.
    public static func format(_ millis: Int64) -> String {
        var (seconds, ms) = millis.quotientAndRemainder(dividingBy: 1000)
        if ms < 0 { seconds -= 1; ms += 1000 }
        var (days, secs) = seconds.quotientAndRemainder(dividingBy: 86_400)
        if secs < 0 { secs += 86_400; days -= 1 }
        let (y, m, d) = civilFromDays(Int(days))
        var out: [UInt8] = []
        out.reserveCapacity(24)
        /// Appends `value` in decimal, zero-padded to `width` digits.
        func digits(_ value: Int, _ width: Int) {
            if value < 0 { out.append(45) }
            var rest = Int(value.magnitude)
            var divisor = 1
            var count = 1
            while divisor <= rest / 10 { divisor *= 10; count += 1 }
            for _ in count..<max(width, count) { out.append(48) }
            while divisor > 0 { out.append(48 + UInt8(rest / divisor)); rest %= divisor; divisor /= 10 }
        }
        digits(y, 4); out.append(45); digits(m, 2); out.append(45); digits(d, 2); out.append(84)
        digits(Int(secs / 3600), 2); out.append(58); digits(Int(secs % 3600 / 60), 2); out.append(58);
        digits(Int(secs % 60), 2)
        if ms != 0 { out.append(46); digits(Int(ms), 3) }
        out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
