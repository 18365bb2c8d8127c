@testable import OrderCore
import Testing

/// No money out without goods back, and every quote is what is paid: empty parcels pay nothing until a
/// supervisor decides; an order returned in any number of parts refunds exactly what one whole-order
/// return would.
struct ReturnMoneyTests {
    let dir = temporaryDirectory()
    let engine: Engine

    init() throws {
        engine = try Engine(test: dir + "/money.db")
        try engine.seedCatalog(a1: ["SH": 10_000], b2: ["SH": 10_000])
        try engine.ok("sku.upsert", ["sku": "A1", "weight_g": 9_000])
        try engine.ok("sku.upsert", ["sku": "B2", "weight_g": 100])
        try engine.ok("actor.upsert", ["actor_id": "ops", "role": "operator"])
        try engine.ok("actor.upsert", ["actor_id": "lead", "role": "supervisor"])
    }

    func handedOver(_ lines: [(String, Int64, String)], _ extra: JSONObject = [:]) throws -> JSON {
        let id = try engine.ok("order.create", orderArgs(lines, extra))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": id])
        try engine.ok("order.pickup", ["order_id": id])
        return id
    }

    /// One unit of line 1 of `order` returned for `reason`, received resellable and refunded: the refund.
    func returnOne(_ order: JSON, _ reason: String) throws -> JSON? {
        let rt = try engine.ok("return.request", ["order_id": order, "reason": .string(reason), "lines": [["line_no": 1, "qty": 1]]])
        let id = rt["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": id])
        try engine.ok("return.receive", ["return_id": id, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 1]]])
        return try engine.ok("return.refund", ["return_id": id])["refunds"]?.arrayValue?.last
    }

    /// A fee refunded like shipping (gift wrap) goes with the goods; one that bought something of its own (a gift
    /// card, a tip: `returns_refund` false) does not — the buyer keeps the card. Even the whole order returned
    /// refunds it no card.
    @Test func aReturnRefundsGiftWrapButNoGiftCard() throws {
        let order = try handedOver([("B2", 2, "50.00")], [
            "shipping_fee": "10.00",
            "fees": [["name": "Gift card", "amount": "25.00", "returns_refund": false], ["name": "Gift wrap", "amount": "4.00"]],
        ])
        let fees = try engine.ok("order.get", ["order_id": order])["fees"]?.arrayValue ?? []
        #expect(fees.map { $0["returns_refund"] ?? .null } == [false, .null], "\(fees)")
        let rt = try engine.ok("return.request", ["order_id": order, "reason": "defective", "lines": [["line_no": 1, "qty": 2]]])
        let quote = rt["quote"] ?? .null
        #expect(quote["cash"] == "114.00" && quote["of_which_shipping"] == "14.00", "\(quote.serialized)")  // goods, shipping, wrap
    }

    @Test func aLightParcelAddsNoStockAndPaysNothingUntilASupervisorInspectsIt() throws {
        let order = try handedOver([("A1", 1, "2999.00")])
        let rt = try engine.ok("return.request", ["order_id": order, "reason": "changed_mind", "lines": [["line_no": 1, "qty": 1]]])
        let id = rt["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": id])
        let onHand = try engine.ok("stock.get", ["sku": "A1"])["on_hand"]
        // Graded resellable, but 500 g of the 9,000 g expected: the scale outranks the grade.
        let received = try engine.ok("return.receive", ["return_id": id, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 1]], "weight_g": 500])
        #expect(received["flags"] == ["empty_box"] && received["state"] == "closed")
        #expect(received["lines"]?.arrayValue?.first?["empty"] == 1)
        #expect(try engine.ok("stock.get", ["sku": "A1"])["on_hand"] == onHand)
        #expect(engine.fails("return.refund", ["return_id": id]) == .conflict)
        #expect(try engine.ok("order.get", ["order_id": order])["refunded_total"] == "0.00")
        // The supervisor opens it, finds the item after all: back to stock, refundable.
        #expect(engine.fails("return.inspect", ["return_id": id, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 1]], "actor": "ops"]) == .forbidden)
        let inspected = try engine.ok("return.inspect", ["return_id": id, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 1]],
                                                         "note": "item was wrapped in foam", "actor": "lead"])
        #expect(inspected["state"] == "received")
        #expect(try engine.ok("stock.get", ["sku": "A1"])["on_hand"]?.intValue == (onHand?.intValue ?? 0) + 1)
        #expect(try engine.ok("return.refund", ["return_id": id])["refunds"]?.arrayValue?.first?["cash"] == "2999.00")
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    /// With `returns.inspect_before_resale`, a resellable return waits in quarantine: not on sale until a
    /// supervisor's QC pass moves it back (stock.quarantine with a negative quantity).
    @Test func resellableReturnsWaitForAQCPassWhenInspectionIsOn() throws {
        try engine.ok("config.set", ["key": "returns.inspect_before_resale", "value": true])
        let order = try handedOver([("B2", 2, "10.00")])
        let before = try engine.ok("stock.get", ["sku": "B2"])
        let id = try engine.ok("return.request", ["order_id": order, "reason": "changed_mind", "lines": [["line_no": 1, "qty": 2]]])["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": id])
        try engine.ok("return.receive", ["return_id": id, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 2]], "weight_g": 200])
        var after = try engine.ok("stock.get", ["sku": "B2"])
        #expect(after["on_hand"] == before["on_hand"] && after["available"] == before["available"])
        #expect(after["quarantine"]?.intValue == (before["quarantine"]?.intValue ?? 0) + 2)
        let row = try engine.ok("stock.ledger", ["sku": "B2", "reason": "return"])["entries"]?.arrayValue?.last
        #expect(row?["bucket"] == "quarantine" && row?["note"] == "resellable: waiting for a QC pass before resale")
        #expect(try engine.ok("return.refund", ["return_id": id])["refunds"]?.arrayValue?.first?["cash"] == "20.00")

        let pass: JSONObject = ["sku": "B2", "warehouse": "SH", "qty": -2, "note": "QC passed"]
        var byOperator = pass
        byOperator["actor"] = "ops"
        #expect(engine.fails("stock.quarantine", byOperator) == .forbidden)
        var bySupervisor = pass
        bySupervisor["actor"] = "lead"
        try engine.ok("stock.quarantine", bySupervisor)
        after = try engine.ok("stock.get", ["sku": "B2"])
        #expect(after["on_hand"]?.intValue == (before["on_hand"]?.intValue ?? 0) + 2)
        #expect(after["quarantine"] == before["quarantine"])
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    @Test func wrongAndEmptyGradesPayNothingEither() throws {
        let order = try handedOver([("B2", 2, "10.00")])
        let id = try engine.ok("return.request", ["order_id": order, "reason": "defective", "lines": [["line_no": 1, "qty": 2]]])["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": id])
        try engine.ok("return.receive", ["return_id": id, "warehouse": "SH", "lines": [["line_no": 1, "wrong_item": 1, "empty": 1]]])
        #expect(engine.fails("return.refund", ["return_id": id]) == .conflict)
    }

    @Test func aQuoteIsWhatTheRefundPays() throws {
        // Whole order, the buyer's reason: shipping comes back because the whole order does.
        let whole = try handedOver([("B2", 2, "80.00")], ["shipping_fee": "8.00"])
        let rt = try engine.ok("return.request", ["order_id": whole, "reason": "changed_mind", "lines": [["line_no": 1, "qty": 2]]])
        #expect(rt["quote"]?["cash"] == "168.00")
        let id = rt["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": id, "actor": "lead"])
        try engine.ok("return.receive", ["return_id": id, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 2]]])
        let paid = try engine.ok("return.refund", ["return_id": id])
        #expect(paid["refunds"]?.arrayValue?.first?["cash"] == "168.00" && paid["refunds"]?.arrayValue?.first?["of_which_shipping"] == "8.00")
        #expect(try engine.ok("order.get", ["order_id": whole])["refunded_total"] == "168.00")
        // Part of an order, the seller's fault: the units' share of shipping.
        let part = try handedOver([("B2", 2, "80.00")], ["shipping_fee": "8.00"])
        let rt2 = try engine.ok("return.request", ["order_id": part, "reason": "defective", "lines": [["line_no": 1, "qty": 1]]])
        #expect(rt2["quote"]?["cash"] == "84.00")
        let id2 = rt2["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": id2])
        try engine.ok("return.receive", ["return_id": id2, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 1]]])
        #expect(try engine.ok("return.refund", ["return_id": id2])["refunds"]?.arrayValue?.first?["cash"] == "84.00")
    }

    /// A coupon worth more than the goods discounts the shipping too: no unit refunds less than nothing,
    /// and two parts refund what was paid (a part quoted -0.17 once, and the last then asked for more
    /// than was left).
    /// A refund that named no units (a price match, goodwill, the shipping given back) left less of the
    /// payments than the goods are worth. A return of all of them pays what is left (it was refused, and the
    /// return stalled with the goods back); a return of some pays their share of it (it paid their whole
    /// worth: one unit back of two, and the buyer had the other for nothing). What such a refund took comes
    /// off the shipping not refunded first.
    @Test func aReturnAfterARefundOfNoUnitsPaysItsShareOfWhatIsLeft() throws {
        func refund(_ order: JSON, _ qty: Int64) throws -> (quote: JSON, paid: JSON, earlier: JSON) {
            let rt = try engine.ok("return.request", ["order_id": order, "reason": "changed_mind", "lines": [["line_no": 1, "qty": .int(qty)]]])
            let id = rt["return_id"] ?? .null
            try engine.ok("return.approve", ["return_id": id])
            try engine.ok("return.receive", ["return_id": id, "warehouse": "SH", "lines": [["line_no": 1, "resellable": .int(qty)]]])
            let done = try engine.ok("return.refund", ["return_id": id])
            #expect(done["state"] == "refunded")
            return (rt["quote"]?["cash"] ?? .null, done["refunds"]?.arrayValue?.last?["cash"] ?? .null,
                    done["timeline"]?.arrayValue?.last?["details"]?["refunded_earlier"] ?? .null)
        }
        let whole = try handedOver([("B2", 2, "50.00")])
        try engine.ok("order.refund", ["order_id": whole, "amount": "60.00", "reason": "price match"])
        #expect(try refund(whole, 2) == ("40.00", "40.00", "60.00"))
        #expect(try engine.ok("order.get", ["order_id": whole])["payment_status"] == "refunded")

        let parts = try handedOver([("B2", 2, "50.00")])
        try engine.ok("order.refund", ["order_id": parts, "amount": "60.00", "reason": "goodwill"])
        #expect(try refund(parts, 1) == ("20.00", "20.00", "30.00"))
        #expect(try refund(parts, 1) == ("20.00", "20.00", "30.00"))

        // The shipping (10.00) given back: the goods are worth what they were.
        let shipped = try handedOver([("B2", 2, "50.00")], ["shipping_fee": "10.00"])
        try engine.ok("order.refund", ["order_id": shipped, "amount": "10.00", "reason": "late delivery: shipping back"])
        #expect(try refund(shipped, 1) == ("50.00", "50.00", .null))
        #expect(try refund(shipped, 1) == ("50.00", "50.00", "10.00"))  // the whole order back, shipping paid already
        let after = try engine.ok("order.get", ["order_id": shipped])
        #expect(after["refunded_total"] == "110.00" && after["paid_total"] == "110.00")
    }

    @Test func aDiscountBeyondTheGoodsComesOffTheShipping() throws {
        let order = try handedOver([("A1", 2, "1.83")], ["shipping_fee": "29.00", "fees": [["name": "gift wrap", "amount": "8.50"]],
                                                        "discounts": [["kind": "coupon", "amount": "4.00"]]])
        let refunded = try (0..<2).map { _ in try returnOne(order, "changed_mind")?["cash"]?.stringValue ?? "" }
        #expect(refunded == ["0.00", "37.16"])
        #expect(try engine.ok("order.get", ["order_id": order])["refunded_total"] == "37.16")
    }

    /// Goods given for nothing (free samples, 5.00 of shipping paid) still carry their shipping: a defective one
    /// returned refunds its unit's share, the other the rest.
    @Test func freeGoodsCarryTheShippingPaidForThem() throws {
        let order = try handedOver([("B2", 2, "0.00")], ["shipping_fee": "5.00"])
        let refunded = try (0..<2).map { _ in try returnOne(order, "defective")?["cash"]?.stringValue ?? "" }
        #expect(refunded == ["2.50", "2.50"])
    }

    /// A SKU on several lines (A1 at 10.00 and A1 free) named by SKU comes back cheapest first, as it is
    /// cancelled — the buyer who returns one A1 keeps the one paid for, and is refunded nothing — and what
    /// arrives for it, received and inspected by SKU, is spread over its lines.
    @Test func aSkuOnSeveralLinesComesBackCheapestFirst() throws {
        let order = try handedOver([("B2", 1, "10.00"), ("B2", 1, "0.00")])
        func lines(_ r: JSON) -> [[JSON?]] { r["lines"]?.arrayValue?.map { [$0["line_no"], $0["requested"]] } ?? [] }
        let one = try engine.ok("return.request", ["order_id": order, "reason": "changed_mind", "lines": [["sku": "B2", "qty": 1]]])
        #expect(lines(one) == [[2, 1]], "\(one.serialized)")
        #expect(one["quote"]?["cash"] == "0.00")
        try engine.ok("return.reject", ["return_id": one["return_id"] ?? .null, "reason": "changed"])
        // A line named by number is taken first, whatever the order: the SKU's units go to what it leaves.
        let named = try engine.ok("return.request", ["order_id": order, "reason": "changed_mind", "lines": [["sku": "B2", "qty": 1], ["line_no": 2, "qty": 1]]])
        #expect(lines(named) == [[1, 1], [2, 1]], "\(named.serialized)")
        try engine.ok("return.reject", ["return_id": named["return_id"] ?? .null, "reason": "changed"])
        let both = try engine.ok("return.request", ["order_id": order, "reason": "changed_mind", "lines": [["sku": "B2", "qty": 1], ["sku": "B2", "qty": 1]]])
        #expect(lines(both) == [[1, 1], [2, 1]], "\(both.serialized)")
        let id = both["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": id])
        let received = try engine.ok("return.receive", ["return_id": id, "warehouse": "SH", "lines": [["sku": "B2", "resellable": 1, "empty": 1]]])
        #expect(received["lines"]?.arrayValue?.map { [$0["resellable"], $0["empty"]] } == [[0, 1], [1, 0]], "\(received.serialized)")
        try engine.ok("return.inspect", ["return_id": id, "warehouse": "SH", "lines": [["sku": "B2", "resellable": 1]], "actor": "lead"])
        #expect(try engine.ok("return.refund", ["return_id": id])["refunds"]?.arrayValue?.last?["cash"] == "10.00")
        #expect(engine.fails("return.request", ["order_id": order, "reason": "changed_mind", "lines": [["sku": "B2", "qty": 1]]]) == .conflict)
    }

    /// A unit refunded before it came back (a refund naming its line: a channel's after-sale) is what comes back
    /// first when the SKU is named, as on one line: B2 at 10.00 refunded, then one B2 returned by SKU is that one,
    /// and pays nothing more — not the 8.00 B2 as well (the buyer was refunded once).
    @Test func aUnitRefundedBeforeItCameBackIsWhatComesBackFirst() throws {
        let order = try handedOver([("B2", 1, "10.00"), ("B2", 1, "8.00")])
        try engine.ok("order.refund", ["order_id": order, "amount": "10.00", "units": [["line_no": 1, "qty": 1]]])
        let back = try engine.ok("return.request", ["order_id": order, "reason": "defective", "lines": [["sku": "B2", "qty": 1]]])
        #expect(back["lines"]?.arrayValue?.map { $0["line_no"] } == [1] && back["quote"]?["cash"] == "0.00", "\(back.serialized)")
        try engine.ok("return.reject", ["return_id": back["return_id"] ?? .null, "reason": "wrong one"])
        // The other is its own when named by line.
        let other = try engine.ok("return.request", ["order_id": order, "reason": "defective", "lines": [["line_no": 2, "qty": 1]]])
        #expect(other["quote"]?["cash"] == "8.00", "\(other.serialized)")
        try engine.ok("return.reject", ["return_id": other["return_id"] ?? .null, "reason": "both come"])
        // Both come back by SKU, one box empty: the real unit is the one refunded already, the empty box pays nothing.
        let both = try engine.ok("return.request", ["order_id": order, "reason": "defective", "lines": [["sku": "B2", "qty": 2]]])
        let id = both["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": id])
        let received = try engine.ok("return.receive", ["return_id": id, "warehouse": "SH", "lines": [["sku": "B2", "resellable": 1, "empty": 1]]])
        #expect(received["lines"]?.arrayValue?.map { [$0["line_no"], $0["resellable"], $0["empty"]] } == [[1, 1, 0], [2, 0, 1]],
                "\(received.serialized)")
        let refunded = try engine.ok("return.refund", ["return_id": id])
        #expect(refunded["refunds"]?.arrayValue?.last?["cash"] == "0.00", "\(refunded.serialized)")
    }

    /// Points beyond the goods' value paid for shipping: they come back with it — in shares with a seller's
    /// fault, whole with the return that completes the order, and all of them when the order is cancelled.
    /// 20.00 of goods and 10.00 of shipping, 25.00 of it in points: 5.00 of the points paid for shipping.
    @Test func pointsThatPaidForShippingComeBackWithIt() throws {
        let args: JSONObject = ["shipping_fee": "10.00", "discounts": [["kind": "points", "amount": "25.00"]]]
        func returned(_ order: JSON, _ reason: String) throws -> (cash: String, points: String) {
            let refund = try returnOne(order, reason)
            return (refund?["cash"]?.stringValue ?? "", refund?["points"]?.stringValue ?? "")
        }
        // A buyer's mind changed: the goods' points, then the shipping's with the last unit.
        let kept = try handedOver([("B2", 2, "10.00")], args)
        #expect(try returned(kept, "changed_mind") == ("0.00", "10.00"))
        #expect(try returned(kept, "changed_mind") == ("5.00", "15.00"))
        // The seller's fault: each unit's share of the shipping, money and points.
        let faulty = try handedOver([("B2", 2, "10.00")], args)
        #expect(try returned(faulty, "defective") == ("2.50", "12.50"))
        #expect(try returned(faulty, "defective") == ("2.50", "12.50"))
        // Cancelled before it shipped: every point.
        let cancelled = try engine.ok("order.create", orderArgs([("B2", 2, "10.00")], args))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": cancelled])
        try engine.ok("order.cancel", ["order_id": cancelled])
        let entry = try engine.ok("order.timeline", ["order_id": cancelled])["events"]?.arrayValue?.last
        #expect(entry?["details"]?["points"] == "25.00")
        #expect(entry?["details"]?["refund_due"] == "5.00")
    }

    /// Property: over random orders, an order returned in random parts refunds in total exactly what one
    /// whole-order return refunds, never more than was paid, and every part's quote is what it pays.
    @Test func returnsInAnySplitAddUpToTheWholeOrderRefund() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var rng = SeededRandom(state: seed)
        for round in 0..<25 {
            var lines: [(String, Int64, String)] = []
            for sku in ["A1", "B2"] where Bool.random(using: &rng) || lines.isEmpty {
                lines.append((sku, Int64.random(in: 1...4, using: &rng), "\(Int.random(in: 1...300, using: &rng)).\(Int.random(in: 10...99, using: &rng))"))
            }
            let goods = lines.reduce(0) { sum, l in sum + Int(l.1) * (Int(Money.parse(l.2, exponent: 2) ?? 0)) }
            let extra: JSONObject = ["shipping_fee": .string("\(Int.random(in: 0...30, using: &rng)).00"),
                                     "fees": [["name": "gift wrap", "amount": .string("\(Int.random(in: 0...9, using: &rng)).50")]],
                                     // A coupon never worth more than the goods (an order refuses that).
                                     "discounts": [["kind": "coupon", "amount": .string("\(min(Int.random(in: 0...5, using: &rng), goods / 100)).00")]]]
            func returnAll(_ order: JSON, parts: [[(Int64, Int64)]]) throws -> Int64 {
                var total: Int64 = 0
                for part in parts {
                    let rt = try engine.ok("return.request", ["order_id": order, "reason": "changed_mind",
                                                              "lines": .array(part.map { ["line_no": .int($0.0), "qty": .int($0.1)] })])
                    let id = rt["return_id"] ?? .null
                    let quote = rt["quote"]?["cash"]
                    try engine.ok("return.approve", ["return_id": id])
                    try engine.ok("return.receive", ["return_id": id, "warehouse": "SH",
                                                     "lines": .array(part.map { ["line_no": .int($0.0), "resellable": .int($0.1)] })])
                    let refund = try engine.ok("return.refund", ["return_id": id])["refunds"]?.arrayValue?.last?["cash"]
                    #expect(refund == quote, "seed \(seed) round \(round): quote \(quote?.serialized ?? "") paid \(refund?.serialized ?? "")")
                    total += Money.parse(refund?.stringValue ?? "0", exponent: 2) ?? 0
                }
                return total
            }
            let whole = try handedOver(lines, extra)
            let wholeRefund = try returnAll(whole, parts: [lines.enumerated().map { (Int64($0.offset + 1), $0.element.1) }])
            // The same order, returned unit by unit in a random order of lines.
            let split = try handedOver(lines, extra)
            var units: [(Int64, Int64)] = lines.enumerated().flatMap { i, l in Array(repeating: (Int64(i + 1), Int64(1)), count: Int(l.1)) }
            units.shuffle(using: &rng)
            var parts: [[(Int64, Int64)]] = []
            while !units.isEmpty {
                let n = Int.random(in: 1...units.count, using: &rng)
                let taken = Dictionary(units.prefix(n).map { ($0.0, $0.1) }, uniquingKeysWith: +)
                parts.append(taken.keys.sorted().map { ($0, taken[$0] ?? 0) })
                units.removeFirst(n)
            }
            let splitRefund = try returnAll(split, parts: parts)
            let paid = Money.parse(try engine.ok("order.get", ["order_id": split])["paid_total"]?.stringValue ?? "0", exponent: 2) ?? 0
            #expect(splitRefund == wholeRefund, "seed \(seed) round \(round): \(parts.count) parts refund \(splitRefund), whole \(wholeRefund)")
            #expect(splitRefund <= paid && wholeRefund == paid, "seed \(seed) round \(round)")
        }
    }

    @Test func anExchangeIsPaidWithThePriceDifferenceAndWaitsForTheReturn() throws {
        // Dearer: the buyer pays 30.00, the returned goods pay the rest when they are back.
        let order = try handedOver([("B2", 1, "50.00")])
        // An exchange naming no replacement is refused, as the exchange (the replacement order's missing lines
        // were named before).
        let empty = engine.run("return.request", ["order_id": order, "reason": "does_not_fit", "lines": [["line_no": 1, "qty": 1]],
                                                  "exchange": []])
        #expect(empty.failure?.code == .invalidInput && empty.failure?.details?["field"] == "exchange")
        let rt = try engine.ok("return.request", ["order_id": order, "reason": "does_not_fit", "lines": [["line_no": 1, "qty": 1]],
                                                  "exchange": [["sku": "B2", "qty": 1, "unit_price": "80.00"]], "at": "2026-01-01T00:00:00Z"])
        let id = rt["return_id"] ?? .null
        let replacement = rt["replacement_order_id"] ?? .null
        #expect(rt["price_difference"] == "30.00")
        #expect(try engine.ok("order.get", ["order_id": replacement])["deposit"] == "30.00")
        // It does not expire while the return is open.
        try engine.ok("sweep", ["at": "2026-01-03T00:00:00Z"])
        #expect(try engine.ok("order.get", ["order_id": replacement])["state"] == "pending_payment")
        try engine.ok("order.pay", ["order_id": replacement, "amount": "30.00", "payment_ref": "PAY-DIFF"])
        try engine.ok("return.approve", ["return_id": id])
        try engine.ok("return.receive", ["return_id": id, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 1]]])
        try engine.ok("return.refund", ["return_id": id])
        let paid = try engine.ok("order.get", ["order_id": replacement])
        #expect(paid["state"] == "paid" && paid["paid_total"] == "80.00")

        // Cheaper: nothing to pay; the difference comes back with the refund.
        let order2 = try handedOver([("B2", 1, "50.00")])
        let rt2 = try engine.ok("return.request", ["order_id": order2, "reason": "does_not_fit", "lines": [["line_no": 1, "qty": 1]],
                                                   "exchange": [["sku": "B2", "qty": 1, "unit_price": "20.00"]]])
        #expect(rt2["price_difference"] == "-30.00")
        let id2 = rt2["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": id2])
        try engine.ok("return.receive", ["return_id": id2, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 1]]])
        try engine.ok("return.refund", ["return_id": id2])
        #expect(try engine.ok("order.get", ["order_id": rt2["replacement_order_id"] ?? .null])["state"] == "paid")

        // A replacement held meanwhile (a person checks its address) is paid with the refund all the same, and stays
        // held, to be released paid.
        let order4 = try handedOver([("B2", 1, "50.00")])
        let rt4 = try engine.ok("return.request", ["order_id": order4, "reason": "does_not_fit", "lines": [["line_no": 1, "qty": 1]],
                                                   "exchange": [["sku": "B2", "qty": 1, "unit_price": "20.00"]]])
        let heldReplacement = rt4["replacement_order_id"] ?? .null
        try engine.ok("order.hold", ["order_id": heldReplacement, "reason": "address check"])
        try engine.ok("return.approve", ["return_id": rt4["return_id"] ?? .null])
        try engine.ok("return.receive", ["return_id": rt4["return_id"] ?? .null, "warehouse": "SH", "lines": [["line_no": 1, "resellable": 1]]])
        try engine.ok("return.refund", ["return_id": rt4["return_id"] ?? .null])
        let credited = try engine.ok("order.get", ["order_id": heldReplacement])
        #expect(credited["state"] == "on_hold" && credited["held_from"] == "paid" && credited["paid_total"] == "20.00",
                "\(credited.serialized)")

        // A rejected return: its replacement is an ordinary unpaid order from then on and lapses.
        let order3 = try handedOver([("B2", 1, "50.00")])
        let rt3 = try engine.ok("return.request", ["order_id": order3, "reason": "does_not_fit", "lines": [["line_no": 1, "qty": 1]],
                                                   "exchange": [["sku": "B2", "qty": 1, "unit_price": "80.00"]], "at": "2026-01-05T00:00:00Z"])
        try engine.ok("return.reject", ["return_id": rt3["return_id"] ?? .null, "reason": "outside the window", "at": "2026-01-06T00:00:00Z"])
        try engine.ok("sweep", ["at": "2026-01-06T01:00:00Z"])
        #expect(try engine.ok("order.get", ["order_id": rt3["replacement_order_id"] ?? .null])["state"] == "cancelled")
    }
}
