@testable import OrderCore
import Testing

struct MoneyTests {
    @Test func parsesDecimalStringsIntoMinorUnits() {
        #expect(Money.parse("19.90", exponent: 2) == 1990)
        #expect(Money.parse("19.9", exponent: 2) == 1990)
        #expect(Money.parse("19", exponent: 2) == 1900)
        #expect(Money.parse("0.01", exponent: 2) == 1)
        #expect(Money.parse("-3.50", exponent: 2) == -350)
        #expect(Money.parse("19.900", exponent: 2) == 1990)
        #expect(Money.parse("1500", exponent: 0) == 1500)
        #expect(Money.parse("1.234", exponent: 3) == 1234)
    }

    @Test(arguments: ["19.901", "1e3", "", ".5", "5.", "1.2.3", "abc", "--1", "92233720368547758.08", "99999999999999999999"])
    func refusesWhatIsNotAnExactAmount(text: String) {
        #expect(Money.parse(text, exponent: 2) == nil)
    }

    @Test func formatsWithTheCurrencyDecimals() {
        #expect(Money.format(1990, exponent: 2) == "19.90")
        #expect(Money.format(5, exponent: 2) == "0.05")
        #expect(Money.format(-350, exponent: 2) == "-3.50")
        #expect(Money.format(1500, exponent: 0) == "1500")
        #expect(Money.format(.min, exponent: 2) == "-92233720368547758.08")
        #expect(Money.exponent(of: "JPY") == 0 && Money.exponent(of: "KWD") == 3 && Money.exponent(of: "CNY") == 2)
        #expect(Money.exponent(of: "CLF") == 4 && Money.exponent(of: "UYW") == 4)
    }
}
