@testable import OrderCore
import Testing

/// The risk rules as a pure function of an order and its facts: no database.
struct RiskRulesTests {
    let rules = RiskRules.defaults

    func order(
        total: Int64 = 10_000, shipTo: [String: String] = [:], tags: [String] = [], currency: String = "CNY"
    ) -> Order {
        Order(rowID: 1, orderID: "SO-1", channel: "web", externalID: nil, state: .pendingPayment, currency: currency,
              placedAt: 1_000_000_000, createdAt: 1_000_000_000, updatedAt: 1_000_000_000, expiresAt: nil,
              totals: OrderTotals(subtotal: total, grandTotal: total), shipTo: shipTo, tags: tags)
    }

    @Test func aQuietOrderIsAllowed() {
        let a = rules.assess(order(), RiskFacts(), version: 3)
        #expect(a.decision == .allow && a.score == 0 && a.reasons.isEmpty && a.version == 3)
    }

    /// The decision an order's row keeps is written as text straight out: the same text as its JSON, reasons with
    /// quotes, backslashes, control characters and other scripts included.
    @Test func theDecisionsTextIsItsJSON() {
        var a = rules.assess(order(), RiskFacts(), version: 3)
        #expect(a.text(at: 1_768_730_400_250) == a.json(at: 1_768_730_400_250).serialized)
        a = rules.assess(order(), RiskFacts(velocity: [("device", "D\"1\\\n", 6, 4)]), version: 12)
        a.reasons.append(.init(rule: "channel_risk", points: 50, reason: "店铺 says \u{7}\"risky\""))
        #expect(a.reasons.count == 3)
        #expect(a.text(at: -1) == a.json(at: -1).serialized, "\(a.text(at: -1))")
    }

    @Test func listsDecideBeforeAnyRule() {
        var facts = RiskFacts(velocity: [("phone", "+86", 50, 9)])
        facts.listed = ("phone", "+86", "block")
        let blocked = rules.assess(order(), facts, version: 1)
        #expect(blocked.score == 100 && blocked.decision == .hold && blocked.reasons.map(\.rule) == ["block_list"])
        facts.listed = ("phone", "+86", "allow")
        #expect(rules.assess(order(), facts, version: 1).decision == .allow)
    }

    @Test func velocityToScatteredAddressesIsHeld() {
        let facts = RiskFacts(velocity: [("phone", "+86", 2, nil), ("device", "D1", 6, 4)])
        let a = rules.assess(order(), facts, version: 1)
        #expect(a.reasons.map(\.rule) == ["velocity", "velocity_scattered"] && a.score == 85 && a.decision == .hold)
        #expect(a.reasons[0].reason.contains("device D1 placed 6 orders"))
        let few = RiskFacts(velocity: [("phone", "+86", 4, nil)])
        #expect(rules.assess(order(), few, version: 1).decision == .allow)
    }

    @Test func aRiskyAddressCountsFromItsAmount() {
        let hotel = ["line1": "Grand Hotel, room 12"]
        #expect(rules.assess(order(total: 60_000, shipTo: hotel), RiskFacts(), version: 1).decision == .review)
        #expect(rules.assess(order(total: 10_000, shipTo: hotel), RiskFacts(), version: 1).decision == .allow)
    }

    /// A shop selling in currencies far apart in value gives amounts per currency, as the returns thresholds:
    /// 500 is 70 dollars of a CNY order, and 500 of a USD one. A currency not named is 0.
    @Test func amountsMayBeGivenPerCurrency() throws {
        let document: JSON = ["rules": ["address_keywords": ["min_amount": ["CNY": 500, "USD": 70]]]]
        let perCurrency = try RiskRules(Fields(["rules": document]).object("rules")!)
        let hotel = ["line1": "Grand Hotel, room 12"]
        func decision(_ total: Int64, _ currency: String) -> RiskDecision {
            perCurrency.assess(order(total: total, shipTo: hotel, currency: currency), RiskFacts(), version: 1).decision
        }
        #expect(decision(8_000, "USD") == .review && decision(6_000, "USD") == .allow)
        #expect(decision(8_000, "CNY") == .allow && decision(60_000, "CNY") == .review)
        #expect(decision(1, "EUR") == .review)  // not named: from 0
        #expect(perCurrency.json["rules"]?["address_keywords"]?["min_amount"] == ["CNY": 500, "USD": 70])
        // Stored and read back, it is the same rule set.
        #expect(try RiskRules(Fields(["rules": perCurrency.json]).object("rules")!) == perCurrency)
        let bad: [JSON] = [["RMB": 5], ["USD": -1], ["USD": "70"], "500"]
        for value in bad {
            let document: JSON = ["rules": ["new_account": ["high_value": value]]]
            #expect(throws: OrderCoreError.self) { try RiskRules(Fields(["rules": document]).object("rules")!) }
        }
        // Only amounts take currencies.
        let window: JSON = ["rules": ["velocity": ["window_minutes": ["CNY": 5]]]]
        #expect(throws: OrderCoreError.self) { try RiskRules(Fields(["rules": window]).object("rules")!) }
    }

    /// Keywords match as characters whatever the address is written in; an address all in ASCII is searched
    /// byte by byte, which must find the same words.
    @Test func addressKeywordsMatchAsCharacters() throws {
        let keywords = try #require(rules.rules["address_keywords"])
        #expect(keywords.firstWord(in: "grand hotel, room 12") == "hotel")
        #expect(keywords.firstWord(in: "上海市浦东新区某某酒店1208室") == "酒店")
        #expect(keywords.firstWord(in: "the internet cafe\u{301} on 5th") == "internet cafe")
        #expect(keywords.firstWord(in: "hotelier street 5") == "hotel")
        #expect(keywords.firstWord(in: "12 high street") == nil)
        #expect(keywords.firstWord(in: "café du coin") == nil)
        // A word matches where its characters are equal, though its bytes differ: the Kelvin sign is "K".
        var custom = keywords
        custom.words = ["\u{212A}iosk", "b\u{0065}\u{0301}b\u{00E9}"]
        #expect(custom.firstWord(in: "the Kiosk by the station") == "\u{212A}iosk")
        #expect(custom.firstWord(in: "bébé corner") == "b\u{0065}\u{0301}b\u{00E9}")
        // Accents, fullwidth forms, invisible characters and spaces between East Asian characters hide nothing.
        custom.words = ["cafe", "酒店"]
        #expect(custom.firstWord(in: "internet cafe\u{301}") == "cafe")
        #expect(custom.firstWord(in: "internet caf\u{E9}") == "cafe")
        #expect(custom.firstWord(in: "ｉｎｔｅｒｎｅｔ ｃａｆｅ") == "cafe")
        #expect(custom.firstWord(in: "如家 酒　店 305") == "酒店")
        #expect(custom.firstWord(in: "如家酒\u{200B}店") == "酒店")
        #expect(custom.firstWord(in: "酒 and 店") == nil)
        custom.words = ["café"]
        #expect(custom.firstWord(in: "internet cafe") == "café")
        #expect(keywords.firstWord(in: "台北市 網吧 2樓") == "網吧")
        #expect(keywords.firstWord(in: "Shot El Street 5") == nil)
    }

    @Test func aDeepDiscountNeedsAPromotionOrATag() {
        let line = OrderLine(lineNo: 1, sku: "A1", qty: 1, unitPrice: 10_000, lineDiscount: 9_000, tax: 0)
        let facts = RiskFacts(lines: [line])
        #expect(rules.assess(order(), facts, version: 1).decision == .hold)
        #expect(rules.assess(order(tags: ["Clearance"]), facts, version: 1).decision == .allow)
        var promoted = facts
        promoted.discounts = [OrderDiscount(kind: "promotion", code: "618", amount: 0)]
        #expect(rules.assess(order(), promoted, version: 1).decision == .allow)
    }

    @Test func sharedDevicesDuplicatesAndReturnsAddUp() {
        let facts = RiskFacts(warnings: [["code": "possible_duplicate"]], sharedBy: [("device", "D1", 3)],
                              returns: (orders: 4, returns: 3, flagged: true, refusals: 1))
        let a = rules.assess(order(), facts, version: 1)
        #expect(a.reasons.map(\.rule) == ["shared_device", "duplicate_order", "returns_abuse", "returns_abuse_flags"])
        #expect(a.score == 100 && a.decision == .hold)
        // A refused parcel counts against an order paid on delivery only.
        var cod = order()
        cod.cashOnDelivery = true
        let refusals = RiskFacts(returns: (orders: 4, returns: 1, flagged: false, refusals: 1))
        #expect(rules.assess(cod, refusals, version: 1).reasons.map(\.rule) == ["cod_refusals"])
        #expect(rules.assess(order(), refusals, version: 1).reasons.isEmpty)
    }
}
