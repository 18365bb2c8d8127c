@testable import OrderCore
import Glibc
import Testing

/// The business's days and hours in its own time zone, daylight-saving time included, read from the system's
/// time zone database (tzdata); the suite says so when it is not installed.
struct BusinessTimeTests {
    static let hour: Int64 = 3_600_000
    static func at(_ text: String) -> Int64 { Timestamp.parse(text)! }
    static let database = (try? BusinessTime.zone("America/New_York")) != nil

    @Test(.enabled(if: database, "needs tzdata (/usr/share/zoneinfo)"))
    func offsetsFollowDaylightSavingTimeNorthAndSouthAndPastTheFilesLastTransition() throws {
        let cases: [(String, String, Int64)] = [
            ("America/New_York", "2026-03-08T06:59:59Z", -5), ("America/New_York", "2026-03-08T07:00:00Z", -4),
            ("America/New_York", "2026-11-01T05:59:59Z", -4), ("America/New_York", "2026-11-01T06:00:00Z", -5),
            ("America/New_York", "2090-07-01T12:00:00Z", -4), ("America/New_York", "2090-12-01T12:00:00Z", -5),
            ("Australia/Sydney", "2026-01-15T00:00:00Z", 11), ("Australia/Sydney", "2026-07-15T00:00:00Z", 10),
            ("Australia/Sydney", "2095-01-15T00:00:00Z", 11), ("Asia/Shanghai", "2026-07-01T00:00:00Z", 8),
            ("Europe/Berlin", "2026-03-29T00:59:59Z", 1), ("Europe/Berlin", "2026-03-29T01:00:00Z", 2),
        ]
        for (zone, time, hours) in cases {
            #expect(try BusinessTime.zone(zone).offset(at: Self.at(time)) == hours * Self.hour, "\(zone) \(time)")
        }
        // Chatham: +12:45, +13:45 in (southern) summer.
        #expect(try BusinessTime.zone("Pacific/Chatham").offset(at: Self.at("2026-01-01T00:00:00Z")) == 13 * Self.hour + 2_700_000)
    }

    /// In New York the day the clocks go forward has 23 hours and the day they go back 25; an instant is on the
    /// business day of its wall clock there.
    @Test(.enabled(if: database, "needs tzdata (/usr/share/zoneinfo)"))
    func daysAreTheZonesDays() throws {
        let ny = try BusinessTime.zone("America/New_York")
        let march8 = ny.day(of: Self.at("2026-03-08T12:00:00Z"))
        #expect(ny.instant(day: march8) == Self.at("2026-03-08T05:00:00Z"))
        #expect(ny.instant(day: march8 + 1) - ny.instant(day: march8) == 23 * Self.hour)
        let november1 = ny.day(of: Self.at("2026-11-01T12:00:00Z"))
        #expect(ny.instant(day: november1 + 1) - ny.instant(day: november1) == 25 * Self.hour)
        // 00:30 on 1 July in New York (EDT) is 04:30 UTC: 1 July there, 30 June at a fixed UTC-5.
        let july = Self.at("2026-07-01T04:30:00Z")
        #expect(ny.day(of: july) == BusinessTime.fixed(minutes: 0).day(of: july))
        #expect(BusinessTime.fixed(minutes: -300).day(of: july) == ny.day(of: july) - 1)
        #expect(ny.instant(day: ny.day(of: july), millis: 20 * Self.hour) == Self.at("2026-07-02T00:00:00Z"))
    }

    /// Every day from 1970 to 2098 starts where the day before ends, in zones whose clocks change at midnight
    /// (Buenos Aires went from 00:00 to 01:00 on 1 December 1988: that day started at 01:00) or not at all.
    @Test(.enabled(if: database, "needs tzdata (/usr/share/zoneinfo)"))
    func everyDayStartsWhereTheOneBeforeEnds() throws {
        for name in ["America/New_York", "America/Argentina/Buenos_Aires", "America/Santiago", "Australia/Lord_Howe"] {
            let zone = try BusinessTime.zone(name)
            for day in Int64(0)..<47_000 {
                let start = zone.instant(day: day)
                #expect(zone.day(of: start) == day && zone.day(of: start - 1) == day - 1, "\(name) \(day)")
            }
        }
    }

    /// The rule a zone file ends with (its POSIX TZ string) gives the same changes as the transitions the file
    /// lists, so a "slim" file (the rule alone) reads as the full one.
    @Test(.enabled(if: database, "needs tzdata (/usr/share/zoneinfo)"))
    func aZonesRuleAgreesWithItsListedTransitions() throws {
        let listed = try BusinessTime.zone("America/New_York")
        let rule = try #require(PosixTZ("EST5EDT,M3.2.0,M11.1.0"))
        for change in rule.changes(throughYear: 2037) where change.at >= Self.at("2007-01-01T00:00:00Z") {
            #expect(listed.offset(at: change.at) == change.offset && listed.offset(at: change.at - 1) != change.offset)
        }
        // A version 2 file with no transitions, only its rule: "slim".
        var slim = Array("TZif2".utf8) + [UInt8](repeating: 0, count: 15) + [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        slim += [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4] + [0xFF, 0xFF, 0xB9, 0xB0, 0, 0] + Array("EST\0".utf8)
        slim += slim  // the version 1 block, then the 64-bit one (no times, so the same bytes)
        slim += Array("\nEST5EDT,M3.2.0,M11.1.0\n".utf8)
        let parsed = try #require(BusinessTime.parseTZif(slim))
        for time in ["2026-01-15T12:00:00Z", "2026-07-15T12:00:00Z", "2060-07-15T12:00:00Z", "2060-11-20T12:00:00Z"] {
            #expect(parsed.offset(at: Self.at(time)) == listed.offset(at: Self.at(time)), "\(time)")
        }
        #expect(PosixTZ("<+08>-8")?.standard == 8 * Self.hour && PosixTZ("<+08>-8")?.daylight == nil)
        for bad in ["", "E5", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "EST"] { #expect(PosixTZ(bad) == nil, "\(bad)") }
    }

    /// A damaged zone file, or a rule with absurd numbers, is no zone: read, never a trap.
    @Test(.enabled(if: database, "needs tzdata (/usr/share/zoneinfo)"))
    func aDamagedZoneFileIsRefusedNotATrap() throws {
        var rng = SeededRandom(state: 42)
        let dir = getenv("TZDIR").map { String(cString: $0) } ?? "/usr/share/zoneinfo"
        let fd = open(dir + "/America/New_York", O_RDONLY)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let original = Array(buffer[0..<max(0, read(fd, &buffer, buffer.count))])
        close(fd)
        for _ in 0..<3_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = .random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
            if let zone = BusinessTime.parseTZif(bytes) { _ = zone.instant(day: zone.day(of: 1_700_000_000_000)) }
        }
        for rule in ["AAA99999999999999999", "AAA-1BBB,M3.2.0/99999999999,M11.1.0", "AAA5BBB,M3.9.0,M11.1.0"] {
            #expect(PosixTZ(rule) == nil, "\(rule)")
        }
    }

    /// `business.time_zone` takes names of the database only — never a path out of it — and moves the sales
    /// report's days with the zone's clock: a payment at 00:30 on 1 July in New York is 1 July's.
    @Test(.enabled(if: database, "needs tzdata (/usr/share/zoneinfo)"))
    func theSettingMovesTheBusinessDays() throws {
        let engine = try Engine(test: temporaryDirectory() + "/zone.db")
        try engine.seedCatalog(a1: ["SH": 10], b2: [:])
        for bad in ["Nowhere/Land", "../../etc/passwd", "/etc/localtime", "America/../Europe/Berlin", "America//New_York"] {
            #expect(engine.fails("config.set", ["key": "business.time_zone", "value": .string(bad)]) == .invalidInput, "\(bad)")
        }
        // Paid at 00:30 in New York: on 9 March, the day after the clocks went forward, and on 1 July.
        for paid in ["2026-03-09T04:30:00Z", "2026-07-01T04:30:00Z"] {
            let placed = JSON.string(String(Timestamp.format(Self.at(paid) - 60_000)))
            let id = try engine.ok("order.create", orderArgs([("A1", 1, "10.00")], ["at": placed]))["order_id"] ?? .null
            try engine.ok("order.pay", ["order_id": id, "at": .string(paid)])
        }
        func days() throws -> [JSON?] {  // a period with a change of the clocks inside it
            let report = try engine.ok("report.sales", ["from": "2026-03-01T00:00:00Z", "to": "2026-07-03T00:00:00Z"])
            return report["rows"]?.arrayValue?.map { $0["day"] } ?? []
        }
        try engine.ok("config.set", ["key": "business.utc_offset_minutes", "value": -300])
        #expect(try days() == ["2026-03-08", "2026-06-30"])
        try engine.ok("config.set", ["key": "business.time_zone", "value": "America/New_York"])
        #expect(try days() == ["2026-03-09", "2026-07-01"])
        // Working hours over that period are the zone's too (the off-hours count reads the clock changes).
        try engine.ok("report.health", ["from": "2026-03-01T00:00:00Z", "to": "2026-07-03T00:00:00Z"])
        try engine.ok("config.set", ["key": "business.time_zone", "value": ""])
        #expect(try days() == ["2026-03-08", "2026-06-30"])
    }
}
