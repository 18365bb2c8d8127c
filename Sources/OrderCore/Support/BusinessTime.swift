import Glibc
import Synchronization

/// Where the business is in time: its offset from UTC at each instant, which says when its days start (the
/// sales of "yesterday", the daily checks) and what hour it is there (working hours). Either a fixed offset
/// (`business.utc_offset_minutes`: 480 for China) or an IANA time zone (`business.time_zone`:
/// "America/New_York", "Europe/Berlin"), whose offset follows the zone's daylight-saving time as the system's
/// time zone database (tzdata: `$TZDIR`, else /usr/share/zoneinfo) records it — so a day in New York is 23 hours
/// long in March and 25 in November, and an order paid at 23:30 on 30 June there counts on 30 June.
struct BusinessTime: Sendable {
    /// From each instant (milliseconds since the epoch, ascending) on, the offset in milliseconds.
    private let changes: [(at: Int64, offset: Int64)]
    /// The offset before the first change.
    private let initial: Int64

    private init(initial: Int64, changes: [(at: Int64, offset: Int64)]) {
        self.initial = initial
        self.changes = changes
    }

    static func fixed(minutes: Int64) -> BusinessTime { BusinessTime(initial: minutes * 60_000, changes: []) }

    static let dayMillis: Int64 = 86_400_000

    /// The offset at instant `t`.
    func offset(at t: Int64) -> Int64 {
        let i = firstChange(after: t)
        return i == 0 ? initial : changes[i - 1].offset
    }

    /// The index of the first change after instant `t` (`changes.count`: none).
    private func firstChange(after t: Int64) -> Int {
        var (low, high) = (0, changes.count)
        while low < high {
            let mid = (low + high) / 2
            if changes[mid].at <= t { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The business day of instant `t`: days since 1970-01-01 where the business is.
    func day(of t: Int64) -> Int64 {
        let local = t + offset(at: t)
        return local >= 0 ? local / Self.dayMillis : (local - Self.dayMillis + 1) / Self.dayMillis
    }

    /// The first instant the business's clock reads a time of day (`millis` after midnight) of business day
    /// `day`: the earlier of the two when the clocks go back over it, and when they skip it (a day starting at
    /// 01:00), the instant they jump past it.
    func instant(day: Int64, millis: Int64 = 0) -> Int64 {
        let local = day * Self.dayMillis + millis, days = 2 * Self.dayMillis
        let around = changes[firstChange(after: local - days)..<firstChange(after: local + days)]
        let offsets = [offset(at: local - days)] + around.map(\.offset)
        if let first = offsets.map({ local - $0 }).filter({ $0 + offset(at: $0) == local }).min() { return first }
        return around.first { $0.at + $0.offset > local }?.at ?? local - offsets[0]
    }

    /// SQL for the offset at the instant in `column`, for instants in `from..<to`: a number, or a `CASE` over the
    /// changes in that period.
    func sqlOffset(_ column: String, from: Int64, to: Int64) -> String {
        let inside = changes.filter { $0.at > from && $0.at < to }
        guard !inside.isEmpty else { return "(\(offset(at: from)))" }
        var sql = "(CASE WHEN \(column) < \(inside[0].at) THEN \(offset(at: from))"
        for (i, change) in inside.enumerated().dropLast() {
            sql += " WHEN \(column) < \(inside[i + 1].at) THEN \(change.offset)"
        }
        return sql + " ELSE \(inside[inside.count - 1].offset) END)"
    }
}

// MARK: - Time zones

extension BusinessTime {
    /// The zone named `name`, read once per process from the time zone database.
    /// - Throws: `invalid_input` for a name that is not a zone there.
    static func zone(_ name: String) throws(OrderCoreError) -> BusinessTime {
        if let known = zones.withLock({ $0[name] }) { return known }
        let unknown = OrderCoreError.invalid(
            "'\(name)' is not a time zone of this system's time zone database (an IANA name such as "
                + "America/New_York; install tzdata)", field: "value")
        // Names of files under the database, never a path out of it.
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        let directory = getenv("TZDIR").map { String(cString: $0) } ?? "/usr/share/zoneinfo"
        guard name.utf8.count <= 64,
            parts.allSatisfy({ part in
                part.first != "." && !part.isEmpty
                    && part.utf8.allSatisfy { b in b < 0x80 && (isalnum(Int32(b)) != 0 || "+-_".utf8.contains(b)) }
            }),
            let bytes = readZoneFile(directory + "/" + name), let zone = parseTZif(bytes)
        else { throw unknown }
        zones.withLock { $0[name] = zone }
        return zone
    }

    private static let zones = Mutex<[String: BusinessTime]>([:])

    private static func readZoneFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)  // a FIFO put there does not hold the command
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8_192)
        while bytes.count < 1 << 20 {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 { return nil }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
        }
        return nil  // no zone file is that large
    }

    /// A TZif file (RFC 8536): its 64-bit data where there is some (version 2 on), and beyond its last
    /// transition the rule of its footer (a POSIX TZ string), unrolled to 2100.
    static func parseTZif(_ b: [UInt8]) -> BusinessTime? {
        func int(_ at: Int, _ size: Int) -> Int64? {
            guard at >= 0, at + size <= b.count else { return nil }
            var value: UInt64 = 0
            for byte in b[at..<at + size] { value = value << 8 | UInt64(byte) }
            return size == 4 ? Int64(Int32(truncatingIfNeeded: value)) : Int64(bitPattern: value)
        }
        func header(_ at: Int) -> (counts: [Int], version: UInt8)? {
            guard b.count >= at + 44, b[at..<at + 4].elementsEqual("TZif".utf8) else { return nil }
            var counts: [Int] = []
            for i in 0..<6 {
                guard let n = int(at + 20 + 4 * i, 4), n >= 0, n < 100_000 else { return nil }
                counts.append(Int(n))
            }
            return (counts, b[at + 4])
        }
        guard let first = header(0) else { return nil }
        var (counts, start, timeSize) = (first.counts, 44, 4)
        func blockSize(_ c: [Int], _ t: Int) -> Int { c[3] * t + c[3] + c[4] * 6 + c[5] + c[2] * (t + 4) + c[1] + c[0] }
        if first.version >= UInt8(ascii: "2") {
            start += blockSize(counts, 4)
            guard let second = header(start) else { return nil }
            (counts, start, timeSize) = (second.counts, start + 44, 8)
        }
        let (timeCount, typeCount) = (counts[3], counts[4])
        guard typeCount > 0, start + blockSize(counts, timeSize) <= b.count else { return nil }
        let typesAt = start + timeCount * timeSize + timeCount
        var offsets: [Int64] = []
        for i in 0..<typeCount {
            guard let utoff = int(typesAt + 6 * i, 4) else { return nil }
            offsets.append(utoff * 1_000)
        }
        var changes: [(at: Int64, offset: Int64)] = []
        for i in 0..<timeCount {
            guard let seconds = int(start + i * timeSize, timeSize) else { return nil }
            let type = Int(b[start + timeCount * timeSize + i])
            guard type < typeCount else { return nil }
            let at = max(-1 << 50, min(seconds, 1 << 50)) * 1_000
            if changes.last?.offset != offsets[type] { changes.append((at, offsets[type])) }
        }
        // The footer: "\n<TZ string>\n" after the 64-bit data.
        let footerAt = start + blockSize(counts, timeSize)
        if timeSize == 8, footerAt < b.count, b[footerAt] == 0x0A,
            let end = b[(footerAt + 1)...].firstIndex(of: 0x0A),
            let rule = PosixTZ(String(decoding: b[(footerAt + 1)..<end], as: UTF8.self))
        {
            let after = changes.last?.at ?? Int64.min
            for change in rule.changes(throughYear: 2100) where change.at > after {
                if changes.last?.offset != change.offset { changes.append(change) }
            }
            if changes.isEmpty { return BusinessTime(initial: rule.standard, changes: []) }
        }
        return BusinessTime(initial: offsets[0], changes: changes)
    }
}

/// The rule of a POSIX TZ string ("EST5EDT,M3.2.0,M11.1.0", "<+08>-8"): a standard offset and, where there is
/// daylight-saving time, the offset and the local times it starts and ends each year.
struct PosixTZ {
    /// Offsets east of UTC, in milliseconds.
    var standard: Int64
    var daylight: (offset: Int64, start: Rule, end: Rule)?

    /// When in a year a change comes: a day (`M` month, week 1–5 (5: the last), weekday; `J` day 1–365 never
    /// counting 29 February; a day 0–365) and a local time, seconds after midnight.
    struct Rule {
        enum Day { case monthWeekDay(Int, Int, Int), julian(Int), zeroBased(Int) }
        var day: Day
        var time: Int64 = 7_200
    }

    init?(_ text: String) {
        var s = Substring(text)
        func name() -> Bool {
            if s.first == "<" {
                guard let close = s.firstIndex(of: ">") else { return false }
                s = s[s.index(after: close)...]
                return true
            }
            let letters = s.prefix { $0.isLetter }
            s = s.dropFirst(letters.count)
            return letters.count >= 3
        }
        /// [+-]hh[:mm[:ss]] in seconds.
        func time() -> Int64? {
            var sign: Int64 = 1
            if s.first == "+" || s.first == "-" {
                sign = s.first == "-" ? -1 : 1
                s = s.dropFirst()
            }
            var total: Int64 = 0
            for (i, scale) in [Int64(3_600), 60, 1].enumerated() {
                if i > 0 {
                    guard s.first == ":" else { break }
                    s = s.dropFirst()
                }
                let digits = s.prefix { $0.isASCII && $0.isNumber }
                guard (1...3).contains(digits.count), let n = Int64(digits) else { return nil }  // hours to 167
                s = s.dropFirst(digits.count)
                total += n * scale
            }
            return sign * total
        }
        func number() -> Int? {
            let digits = s.prefix { $0.isASCII && $0.isNumber }
            s = s.dropFirst(digits.count)
            return digits.count <= 3 ? Int(digits) : nil
        }
        func take(_ c: Character) -> Bool {
            guard s.first == c else { return false }
            s = s.dropFirst()
            return true
        }
        func rule() -> Rule? {
            guard take(",") else { return nil }
            var day: Rule.Day
            if take("M") {
                guard let m = number(), take("."), let w = number(), take("."), let d = number(),
                    (1...12).contains(m), (1...5).contains(w), (0...6).contains(d)
                else { return nil }
                day = .monthWeekDay(m, w, d)
            } else if take("J") {
                guard let n = number(), (1...365).contains(n) else { return nil }
                day = .julian(n)
            } else {
                guard let n = number(), (0...365).contains(n) else { return nil }
                day = .zeroBased(n)
            }
            var r = Rule(day: day)
            if take("/") {
                guard let t = time() else { return nil }
                r.time = t
            }
            return r
        }
        guard name(), let std = time() else { return nil }
        standard = -std * 1_000  // POSIX counts west of Greenwich
        if s.isEmpty { return }
        guard name() else { return nil }
        var dst = standard + 3_600_000
        if s.first != ",", !s.isEmpty {
            guard let t = time() else { return nil }
            dst = -t * 1_000
        }
        guard let start = rule(), let end = rule(), s.isEmpty else { return nil }
        daylight = (dst, start, end)
    }

    /// The changes from 1970 through `year`, in order.
    func changes(throughYear last: Int) -> [(at: Int64, offset: Int64)] {
        guard let daylight else { return [] }
        var result: [(at: Int64, offset: Int64)] = []
        for year in 1970...last {
            // A change's local time is on the clock in force before it.
            let on = daylight.start.instant(year) * 1_000 - standard
            let off = daylight.end.instant(year) * 1_000 - daylight.offset
            result += on < off ? [(on, daylight.offset), (off, standard)] : [(off, standard), (on, daylight.offset)]
        }
        return result
    }
}

extension PosixTZ.Rule {
    /// Seconds since the epoch of the rule's local time in `year`, as if UTC.
    func instant(_ year: Int) -> Int64 {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let yearStart = Self.daysBefore(year: year)
        var dayOfYear: Int
        switch day {
        case .julian(let n): dayOfYear = n - 1 + (leap && n >= 60 ? 1 : 0)
        case .zeroBased(let n): dayOfYear = n
        case .monthWeekDay(let month, let week, let weekday):
            let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            let first = monthDays.prefix(month - 1).reduce(0, +)
            let firstWeekday = Int((yearStart + Int64(first) + 4) % 7)  // 1970-01-01 was a Thursday
            var date = (weekday - firstWeekday + 7) % 7 + 7 * (week - 1)
            while date >= monthDays[month - 1] { date -= 7 }
            dayOfYear = first + date
        }
        return (yearStart + Int64(dayOfYear)) * 86_400 + time
    }

    /// Days from 1970-01-01 to 1 January of `year`.
    static func daysBefore(year: Int) -> Int64 {
        let y = Int64(year) - 1
        return 365 * (Int64(year) - 1970) + (y / 4 - y / 100 + y / 400) - (1969 / 4 - 1969 / 100 + 1969 / 400)
    }
}
