@testable import OrderCore
import Testing

struct TimestampTests {
    @Test func parsesUTCAndOffsetsToTheSameInstant() {
        let utc = Timestamp.parse("2026-01-18T10:00:00Z")
        #expect(utc == 1_768_730_400_000)
        #expect(Timestamp.parse("2026-01-18T18:00:00+08:00") == utc)
        #expect(Timestamp.parse("2026-01-18 18:00:00+0800") == utc)
        #expect(Timestamp.parse("2026-01-18T10:00:00.250Z") == 1_768_730_400_250)
        #expect(Timestamp.parse("2024-02-29T00:00:00Z") != nil)
    }

    @Test(arguments: ["2026-01-18T10:00:00", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                      "2026-01-18T24:00:00Z", "yesterday", "2026-01-18T10:00:00Zjunk", "2026-01-18T10:00:00.Z"])
    func refusesTimesWithoutZoneOrOutOfRange(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func formatsBackToISO8601() {
        #expect(Timestamp.format(1_768_730_400_000) == "2026-01-18T10:00:00Z")
        #expect(Timestamp.format(1_768_730_400_250) == "2026-01-18T10:00:00.250Z")
        #expect(Timestamp.format(-1) == "1969-12-31T23:59:59.999Z")
        for millis: Int64 in [0, 951_782_400_000, 4_102_444_800_123] {
            #expect(Timestamp.parse(Timestamp.format(millis)) == millis)
        }
    }
}
