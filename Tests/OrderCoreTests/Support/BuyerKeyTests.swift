@testable import OrderCore
import Testing

struct PhoneTests {
    /// One phone however a channel or a person writes it: E.164 (Shopify), national (Taobao), dialled from
    /// abroad, spaced, with its `(0)`, in fullwidth digits, with its country code and no `+`.
    @Test(arguments: ["+8613312343069", "13312343069", "+86 133-1234-3069", "0086 133 1234 3069", "(+86) 133 1234 3069",
                      "8613312343069", "＋８６ １３３１２３４３０６９", "+86 (0) 133 1234 3069"])
    func aChineseMobileIsOnePhone(written: String) {
        #expect(Phone.key(written) == "13312343069")
    }

    @Test func trunkPrefixesAndCallingCodesOfOtherCountriesGo() {
        #expect(Phone.key("+44 7911 123456") == "7911123456")
        #expect(Phone.key("07911 123456") == "7911123456")
        #expect(Phone.key("447911123456") == "7911123456")
        #expect(Phone.key("+49 (0)30 1234567") == "301234567")
        #expect(Phone.key("030 1234567") == "301234567")
        #expect(Phone.key("+1 (415) 555-2671") == "4155552671")
        #expect(Phone.key("415.555.2671") == "4155552671")
        #expect(Phone.key("+852 9123 4567") == "91234567")  // a three-digit code
        #expect(Phone.key("+7 912 345-67-89") == "9123456789")
        #expect(Phone.key("010-12345678") == "1012345678")  // a Beijing landline
    }

    @Test func aMaskOrTooFewDigitsAreNoPhone() {
        #expect(Phone.key("138****1234") == nil)  // thousands of buyers share a mask: no one's identifier
        #expect(Phone.key("+86 138****1234") == nil)
        #expect(Phone.key("1234") == nil)
        #expect(Phone.key("+86 1234") == "861234")  // too short to lose a calling code
        #expect(Phone.key("-") == nil)
        #expect(Phone.key("") == nil)
    }

    /// A channel's encrypted phone is an identifier of its own, compared as sent.
    @Test func anEncryptedPhoneIsItsOwnKey() {
        #expect(Phone.key("#Zm9vYmFy1234==") == "#Zm9vYmFy1234==")
        #expect(Phone.key(" $A1B2$c3D4e5==$1$ ") == "$A1B2$c3D4e5==$1$")
        #expect(Phone.key("ext") == nil)
    }
}

struct EmailTests {
    @Test func oneMailboxHoweverWritten() {
        #expect(Email.key(" Bob@Example.COM ") == "bob@example.com")
        #expect(Email.key("bob+shop7@example.com") == "bob@example.com")
        #expect(Email.key("B.o.b+x@GoogleMail.com") == "bob@gmail.com")
        #expect(Email.key("b.o.b@example.com") == "b.o.b@example.com")  // dots matter elsewhere
        #expect(Email.key("+tag@example.com") == "+tag@example.com")
        #expect(Email.key("not an address") == "not an address")
        #expect(Email.key("a@") == "a@")
        #expect(Email.key("  ") == nil)
    }
}

struct IPAddressTests {
    @Test func anIPv6AddressIsItsNetworkAndIPv4IsItself() {
        #expect(IPAddress.key("203.0.113.7") == "203.0.113.7")
        #expect(IPAddress.key(" ::ffff:203.0.113.7 ") == "203.0.113.7")
        #expect(IPAddress.key("::FFFF:cb00:7107") == "203.0.113.7")
        #expect(IPAddress.key("2001:db8:1:2::a") == "2001:db8:1:2::/64")
        #expect(IPAddress.key("2001:0DB8:0001:0002:8f3e:0:0:9") == "2001:db8:1:2::/64")
        #expect(IPAddress.key("[2001:db8:1:2::a]:443") == "2001:db8:1:2::/64")
        #expect(IPAddress.key("fe80::1%eth0") == "fe80:0:0:0::/64")
        #expect(IPAddress.key("2001:db8:1:3::a") == "2001:db8:1:3::/64")
        #expect(IPAddress.key("1::2::3") == "1::2::3")
        #expect(IPAddress.key("not-an-ip") == "not-an-ip")
        #expect(IPAddress.key(" ") == nil)
    }
}
