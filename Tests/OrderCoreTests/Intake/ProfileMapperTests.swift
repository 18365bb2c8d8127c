@testable import OrderCore
import Testing

/// The profile language on small payloads: paths, operators, conversions and the rounding rule.
struct ProfileMapperTests {
    func map(_ profile: String, _ payload: JSON, currency: String = "CNY") throws -> [MappedEvent] {
        try ProfileMapper(profile: try ChannelProfile(try JSONParser.parse(profile)), defaultCurrency: currency).map(payload, arguments: ["external_id": "X-9"])
    }

    static let items = #"""
    {"profile": "t", "events": [{"type": "order", "root": ["o"],
      "fields": {"external_id": {"first": ["id", "@external_id"]}, "currency": "cur",
                 "customer.name": {"join": ["first", "last"]}, "tags": {"split": "tags", "sep": " | "},
                 "shipping_fee": {"sum": "ship[].fee"}, "note": {"map": "kind", "values": {"gift": "wrap it"}}},
      "lines": {"path": "items", "fields": {"sku": "sku", "sku_fallback": {"template": "p-{pid}"}, "qty": "n",
                                           "line_total": "total", "line_discount": {"subtract": ["list", "total"]}}}}]}
    """#

    @Test func pathsOperatorsAndTheLineTotalRoundingRule() throws {
        let payload: JSON = ["o": ["cur": "USD", "first": "Ann", "last": " Lee ", "tags": "a | b |  | c", "kind": "other",
                                   "ship": [["fee": "1.50"], ["fee": 2]],
                                   "items": [["sku": "A1", "n": 2, "total": "17.95", "list": "17.95"], ["sku": "", "pid": 7, "n": "1", "total": 3]]]]
        let event = try #require(try map(ProfileMapperTests.items, payload).first)
        #expect(event.externalID == "X-9")  // from the ingest argument
        #expect(event.fields["customer"]?["name"] == "Ann Lee")
        #expect(event.fields["tags"] == ["a", "b", "c"])
        #expect(event.fields["shipping_fee"] == "3.50")
        #expect(event.fields["note"] == "other")  // not in the table: passes unchanged
        // 17.95 for 2 units: 8.98 each, 0.01 back as a line discount; the net stays 17.95.
        #expect(event.fields["lines"]?.arrayValue?.first == ["sku": "A1", "qty": 2, "line_discount": "0.01", "unit_price": "8.98"])
        #expect(event.fields["lines"]?.arrayValue?.last?["sku"] == "p-7")
        #expect(event.warnings.first?["code"] == "sku_fallback")
    }

    /// `[key=value]` reaches the elements of a list that have that value (Amazon's proceeds, a list of
    /// `{"type": ..., "subtotal": ...}`); several `fees` lists each add their fees.
    @Test func elementsAreChosenByAValueAndFeesComeFromSeveralLists() throws {
        let profile = #"""
            {"profile": "k", "events": [{"type": "order", "fields": {"external_id": "id",
              "shipping_fee": {"sum": "items[].money[type=SHIPPING].amount"}},
              "lines": {"path": "items", "fields": {"sku": "sku", "qty": "n", "unit_price": "price",
                "tax": {"sum": "money[type=TAX].parts[of=2].amount"}}},
              "fees": [{"path": "items[].money", "when": {"type": "WRAP"}, "fields": {"name": {"const": "wrap"}, "amount": "amount"}},
                       {"path": "money", "when": {"type": "TIP"}, "fields": {"name": {"const": "tip"}, "amount": "amount"}}]}]}
            """#
        let payload: JSON = ["id": "K1", "money": [["type": "TIP", "amount": "2.00"], ["type": "WRAP", "amount": "9.00"]],
                             "items": [["sku": "A", "n": 1, "price": "5.00",
                                        "money": [["type": "SHIPPING", "amount": "1.00"], ["type": "WRAP", "amount": "0.50"],
                                                  ["type": "TAX", "parts": [["of": 2, "amount": "0.30"], ["of": "2", "amount": "0.02"],
                                                                            ["of": 3, "amount": "9.00"]]]]],
                                       ["sku": "B", "n": 1, "price": "4.00", "money": [["type": "SHIPPING", "amount": "2.00"], "text", 7]]]]
        let event = try #require(try map(profile, payload).first)
        #expect(event.fields["shipping_fee"] == "3.00")
        #expect(event.fields["lines"]?.arrayValue?.map { $0["tax"] } == ["0.32", nil])  // 2 and "2" alike
        #expect(event.fields["fees"] == [["name": "wrap", "amount": "0.50"], ["name": "tip", "amount": "2.00"]])
        #expect(throws: OrderCoreError.self) { try PayloadPath("items[=x]") }
        #expect(throws: OrderCoreError.self) { try PayloadPath("items[type]") }
        #expect(throws: OrderCoreError.self) { try PayloadPath("items[price=1.5].x") }
        #expect(throws: OrderCoreError.self) { try PayloadPath("items]") }
    }

    /// `if` reads `then` where its conditions hold and `else` where they do not (nothing for a branch left out),
    /// and `^` reads the order a line belongs to, each order of a page its own: a line of an order flagged free
    /// (by any of its flags, not only the first) costs nothing, a line of another its price. A `map` whose
    /// default is null yields nothing, so `first` goes on.
    @Test func ifChoosesAValueByTheOrderALineBelongsTo() throws {
        let profile = #"""
            {"profile": "t", "events": [{"type": "order", "root": ["orders"], "fields": {"external_id": "id", "currency": "cur"},
              "lines": {"path": "items", "fields": {"sku": "sku", "qty": "n",
                "unit_price": {"if": {"^flags[]": "free"}, "then": {"const": "0"},
                  "else": {"first": [{"map": "band", "values": {"x": "1"}, "default": null}, "price"]}}}}}]}
            """#
        let payload: JSON = ["orders": [["id": "1", "cur": "USD", "flags": ["gift", "free"], "items": [["sku": "A1", "n": 1, "price": "5.00"]]],
                                        ["id": "2", "cur": "USD", "flags": ["gift"], "items": [["sku": "A1", "n": 1, "price": "5.00"]]]]]
        let prices = try map(profile, payload).map { $0.fields["lines"]?.arrayValue?.first?["unit_price"] }
        #expect(prices == ["0.00", "5.00"])
        #expect(throws: OrderCoreError.self) {
            try map(#"{"profile": "t", "events": [{"type": "order", "fields": {"external_id": {"if": {"a": 1}, "than": "b"}}}]}"#, payload)
        }
    }

    /// `parcels`: one for each tracking number, once each (a parcel may name several: its boxes), with its carrier
    /// and ship time; `{"not": [values]}` keeps those whose status is absent or none of the values.
    @Test func parcelsAreOnePerTrackingNumberAndNotSkipsTheValuesItNames() throws {
        let profile = #"""
            {"profile": "t", "events": [{"type": "order", "fields": {"external_id": "id", "shipment.carrier": "via"},
              "lines": {"path": "items", "fields": {"sku": "sku", "qty": "n", "unit_price": "p"}},
              "parcels": {"path": "boxes", "when": {"status": {"not": ["cancelled", "error"]}},
                "fields": {"carrier": "co", "tracking_no": {"first": ["numbers[]", "number"]}, "shipped_at": "at"}}}]}
            """#
        let payload: JSON = ["id": "1", "via": "SF", "items": [["sku": "A1", "n": 1, "p": "5.00"]],
                             "boxes": [["status": "cancelled", "number": "X0"],
                                       ["status": "success", "co": "UPS", "numbers": ["1Z1", "1Z2"], "at": "2026-01-19T08:00:00Z"],
                                       ["number": "1Z2"], ["number": "YT3", "at": "soon"], ["status": "error", "number": "X4"]]]
        let shipment = try map(profile, payload).first?.fields["shipment"]
        #expect(shipment?["carrier"] == "SF")
        let parcels = shipment?["parcels"]?.arrayValue ?? []
        #expect(parcels.map { $0["tracking_no"] } == ["1Z1", "1Z2", "YT3"])
        #expect(parcels.map { $0["carrier"] } == ["UPS", "UPS", nil])
        #expect(parcels[0]["shipped_at"] == "2026-01-19T08:00:00Z" && parcels[2]["shipped_at"] == nil, "a time it cannot read is unsaid")
        var many = payload.objectValue ?? [:]
        many["boxes"] = .array((1...101).map { ["number": .string("N\($0)")] })
        let cut = try map(profile, .object(many)).first
        #expect(cut?.fields["shipment"]?["parcels"]?.arrayValue?.count == 100)
        #expect(cut?.warnings.contains { $0["code"] == "parcels_cut" } == true, "an order is never lost for its parcels")
        let refused = #"{"profile": "x", "events": [{"type": "skip", "when": {"status": {"not": []}}}]}"#
        #expect(throws: OrderCoreError.self) { try ChannelProfile(try JSONParser.parse(refused)) }
    }

    /// A parcel's `status` and `subtag`: a number two parcels name (two fulfillments of one box) is where the less
    /// advanced of them says, and nowhere said when one says nothing.
    @Test func aNumberNamedTwiceIsWhereTheLessAdvancedOfItsStatusesSays() throws {
        let profile = #"""
            {"profile": "t", "events": [{"type": "order", "fields": {"external_id": "id"},
              "lines": {"path": "items", "fields": {"sku": "sku", "qty": "n", "unit_price": "p"}},
              "parcels": {"path": "boxes", "fields": {"tracking_no": "number", "status": "where", "subtag": "why"}}}]}
            """#
        let payload: JSON = ["id": "1", "items": [["sku": "A1", "n": 1, "p": "5.00"]],
                             "boxes": [["number": "A", "where": "delivered"], ["number": "A", "where": "exception", "why": "Exception_003"],
                                       ["number": "B", "where": "delivered"], ["number": "B"],
                                       ["number": "C", "where": "in_transit"], ["number": "C", "where": "delivered"]]]
        let parcels = try map(profile, payload).first?.fields["shipment"]?["parcels"]?.arrayValue ?? []
        #expect(parcels.map { $0["status"] } == ["exception", nil, "in_transit"], "\(parcels)")
        #expect(parcels.map { $0["subtag"] } == ["Exception_003", nil, nil])
    }

    /// `[key=value]` after an object keeps the object when its key has the value: GraphQL's `edges[].node`.
    @Test func aMatchAfterAnObjectKeepsItWhenItsKeyHasTheValue() throws {
        let payload: JSON = ["edges": [["node": ["restockType": "CANCEL", "qty": 1]], ["node": ["restockType": "RETURN", "qty": 2]]],
                             "items": [["type": "return", "qty": 3], ["type": "cancel", "qty": 4]]]
        func values(_ path: String) throws -> [JSON] {
            try PayloadPath(path).values(in: Evaluator(current: payload, payload: payload, arguments: .null))
        }
        #expect(try values("edges[].node[restockType=RETURN].qty") == [2])
        #expect(try values("edges[].node[restockType=NO_RESTOCK].qty") == [])
        #expect(try values("items[][type=cancel].qty") == [4])
        #expect(try values("items[type=cancel].qty") == [4])
    }

    /// A WooCommerce line without a SKU falls back to its variation's id when it is one (each size a SKU of its
    /// own: the product's id would ship any size), else to its product's; a template's `0` is no value.
    @Test func wooCommerceVariationsWithoutSKUsFallBackToTheVariation() throws {
        let payload: JSON = ["id": 7, "status": "processing", "currency": "USD",
                             "line_items": [["sku": "", "product_id": 93, "variation_id": 0, "quantity": 1, "subtotal": "3.00", "total": "3.00"],
                                            ["sku": "", "product_id": 22, "variation_id": 345, "quantity": 1, "subtotal": "9.00", "total": "9.00"]]]
        let profile = try #require(BuiltinProfiles.all["woocommerce"])
        let event = try #require(try map(profile, payload).first)
        #expect(event.fields["lines"]?.arrayValue?.map { $0["sku"] ?? .null } == ["woo-93", "woo-345"])
    }

    /// A Taobao sub-order without its SKU code: Taobao's SKU when the item has SKUs (sizes), the item's code only
    /// when it has none — `outer_iid` names every size of an item alike.
    @Test func taobaoSubOrdersWithoutSKUCodesNeverFallBackToTheItemForOneSize() throws {
        func line(_ fields: JSONObject) -> JSON {
            var order: JSONObject = ["num": 1, "price": "10.00", "total_fee": "10.00", "payment": "10.00", "num_iid": 77]
            for pair in fields.pairs { order[pair.key] = pair.value }
            return .object(order)
        }
        let payload: JSON = ["trade": ["tid": 9, "status": "WAIT_SELLER_SEND_GOODS", "created": "2026-01-18 10:00:00", "payment": "40.00",
                                       "orders": ["order": [line(["outer_sku_id": "T-RED-M", "outer_iid": "T", "sku_id": "501"]),
                                                            line(["outer_iid": "T", "sku_id": "502"]), line(["outer_iid": "MUG"]), line([:])]]]]
        let profile = try #require(BuiltinProfiles.all["taobao"])
        let event = try #require(try map(profile, payload).first)
        #expect(event.fields["lines"]?.arrayValue?.map { $0["sku"] ?? .null } == ["T-RED-M", "taobao-502", "MUG", "taobao-item-77"])
    }

    /// A line that is not stock can be charged as a fee read from the line (`multiply`: its price times its
    /// quantity); one of zero charges nothing, and `multiply` takes whole numbers only, within 64 bits.
    @Test func linesThatAreNotStockBecomeFeesPricedByMultiplying() throws {
        let profile = #"""
            {"profile": "g", "events": [{"type": "order", "fields": {"external_id": "id"},
              "lines": {"path": "items", "fields": {"sku": "sku", "qty": "n", "unit_price": "price"},
                "not_stock": [{"when": {"card": [true]}, "reason": "a gift card",
                  "fee": {"name": "title", "amount": {"subtract": [{"multiply": ["price", "n"]}, "off"]}, "tax": "tax"}}]}}]}
            """#
        func items(_ n: JSON, price: String = "25.00") -> JSON {
            ["id": "G1", "items": [["sku": "A", "n": 1, "price": "5.00", "card": false],
                                   ["title": "Card", "n": n, "price": .string(price), "off": "1.00", "tax": "0.10", "card": true]]]
        }
        let event = try #require(try map(profile, items(2)).first)
        #expect(event.fields["lines"]?.arrayValue?.count == 1)
        #expect(event.fields["fees"] == [["name": "Card", "amount": "49.00", "tax": "0.10"]])
        #expect(event.notStock.first?["fee"] == "49.00")
        #expect(try map(profile, items(1, price: "1.00")).first?.fields["fees"] == nil)
        #expect(throws: OrderCoreError.self) { try map(profile, items("1.5")) }
        #expect(throws: OrderCoreError.self) { try map(profile, items(.int(Int64.max))) }
    }

    /// The orders of one CSV payload, or of a channel's list, are mapped each on its own; one that no rule
    /// takes fails by itself (a dead letter of its own), where it used to go unnoticed beside the others.
    @Test func everyOrderOfACSVPayloadOrAListIsMappedOrFails() throws {
        let profile = #"""
            {"profile": "c", "format": "csv", "group_by": "order_id",
             "events": [{"type": "order", "when": {"status": "paid"}, "fields": {"external_id": "order_id"},
                         "lines": {"path": "rows", "fields": {"sku": "sku", "qty": "qty", "unit_price": "price"}}}]}
            """#
        let mapper = ProfileMapper(profile: try ChannelProfile(try JSONParser.parse(profile)), defaultCurrency: "CNY")
        let csv = "order_id,status,sku,qty,price\no-1,paid,A1,1,1.00\no-2,draft,A1,1,1.00\no-3,paid,A1,2,1.00"
        let elements = try mapper.elements(.string(csv), arguments: [:])
        #expect(elements.map { (try? $0.result.get())?.externalID } == ["o-1", "o-3", nil])
        #expect(elements.last?.key == "#2")
        #expect(mapper.payload(of: try #require(elements.last).element).contains("o-2,draft"))
        #expect(throws: OrderCoreError.self) { try elements.last?.result.get() }
        // A payload none of whose orders a rule takes is refused whole, as before.
        #expect(throws: OrderCoreError.self) { try mapper.elements(.string("order_id,status\no-2,draft"), arguments: [:]) }
        // The same for a channel's list: a Shopify order without line items is a failed element of its own.
        let shopify = ProfileMapper(
            profile: try ChannelProfile(try JSONParser.parse(try #require(BuiltinProfiles.all["shopify"]))), defaultCurrency: "USD")
        let list: JSON = ["orders": [["id": 1, "line_items": [["sku": "A1", "quantity": 1, "price": "1.00"]]], ["id": 2]]]
        let mapped = try shopify.elements(list, arguments: [:])
        #expect(mapped.map(\.key) == ["orders#1", "orders#2"])
        #expect((try? mapped[0].result.get())?.externalID == "1")
        #expect(throws: OrderCoreError.self) { try mapped[1].result.get() }
    }

    /// A CSV order's currency is its first row's; a row in another currency fails the order (its prices
    /// would be read in the wrong one), while a row that leaves it blank or repeats it does not.
    @Test func csvRowsOfOneOrderInTwoCurrenciesFailTheOrder() throws {
        let mapper = ProfileMapper(
            profile: try ChannelProfile(try JSONParser.parse(try #require(BuiltinProfiles.all["csv"]))), defaultCurrency: "CNY")
        let csv = """
            order_id,placed_at,currency,status,sku,qty,unit_price
            o-1,2026-01-18T10:00:00Z,CNY,paid,A1,1,10.00
            o-1,2026-01-18T10:00:00Z,USD,paid,B2,1,10.00
            o-2,2026-01-18T10:00:00Z,USD,paid,A1,1,10.00
            o-2,2026-01-18T10:00:00Z,,paid,B2,1,10.00
            o-2,2026-01-18T10:00:00Z,usd,paid,C3,1,10.00
            o-3,2026-01-18T10:00:00Z,,paid,A1,1,10.00
            o-3,2026-01-18T10:00:00Z,JPY,paid,B2,1,10
            """
        let elements = try mapper.elements(.string(csv), arguments: [:])
        #expect(elements.map { (try? $0.result.get())?.externalID } == [nil, "o-2", nil])
        #expect(elements.first?.result.failure?.message.contains("CNY on its first row, USD on row 2") == true)
        #expect(elements.last?.result.failure?.message.contains("none on its first row, JPY") == true)
        #expect((try? elements[1].result.get())?.fields["lines"]?.arrayValue?.count == 3)
    }

    @Test func moneyWithMoreDecimalsThanTheCurrencyIsAnErrorNeverRounded() throws {
        let payload: JSON = ["o": ["cur": "JPY", "items": [["sku": "A1", "n": 1, "total": "25.99", "list": "25.99"]]]]
        #expect(throws: OrderCoreError.self) { try map(ProfileMapperTests.items, payload) }
    }

    @Test func badProfilesAreRefusedWithTheField() throws {
        for bad in [#"{"profile": "x", "events": []}"#, #"{"profile": "x", "events": [{"type": "nope"}]}"#,
                    #"{"profile": "x", "events": [{"type": "order", "lines": {"fields": {"colour": "c"}}}]}"#,
                    #"{"profile": "x", "events": [{"type": "cancel", "fields": {"external_id": {"frobnicate": 1}}}]}"#,
                    #"{"profile": "x", "format": "csv", "events": [{"type": "skip"}]}"#,
                    #"{"profile": "x", "events": [{"type": "order", "refunds": {"path": "r", "fields": {"units.path": {"const": "u"}}}}]}"#] {
            #expect(throws: OrderCoreError.self) { try ChannelProfile(try JSONParser.parse(bad)) }
        }
    }

    /// `after_last`: the text after the last separator (a WooCommerce refund's order, the end of its link); nothing
    /// without one. It needs its `sep`.
    @Test func afterLastReadsTheEndOfAnAddress() throws {
        let profile = #"""
        {"profile": "t", "events": [{"type": "cancel",
          "fields": {"external_id": {"first": [{"after_last": "up", "sep": "/orders/"}, {"const": "none"}]}}}]}
        """#
        for (up, id) in [("https://x/wp-json/wc/v3/orders/723", "723"), ("https://x/orders/1/orders/88 ", "88"),
                         ("https://x/orders/", "none"), ("https://x/refunds/5", "none")] {
            #expect(try map(profile, ["up": .string(up)]).first?.externalID == id, "\(up)")
        }
        let noSeparator = #"{"profile": "x", "events": [{"type": "cancel", "fields": {"external_id": {"after_last": "up"}}}]}"#
        #expect(throws: OrderCoreError.self) { try ChannelProfile(try JSONParser.parse(noSeparator)) }
    }

    @Test func csvHandlesQuotesCommasNewlinesAndABom() throws {
        let rows = try CSV.records("\u{FEFF}id,name,qty\r\n1,\"Mug, blue\",2\n2,\"say \"\"hi\"\"\nthere\",1\n")
        #expect(rows.count == 2)
        #expect(rows[0]["name"] == "Mug, blue")
        #expect(rows[1]["name"] == "say \"hi\"\nthere")
        #expect(throws: OrderCoreError.self) { try CSV.records("id\n\"open") }
        #expect(throws: OrderCoreError.self) { try CSV.records("a\n1,2") }
    }

    /// The parser reads whole fields from the text's bytes; it gives what a byte-at-a-time reading of RFC 4180
    /// (the one it replaced) gives, on random texts of the characters that matter.
    @Test func csvAgreesWithAByteAtATimeReadingOnRandomTexts() throws {
        var random = SystemRandomNumberGenerator()
        let alphabet: [String] = ["a", "\"", ",", "\n", "\r", "\r\n", "é", "\u{FEFF}", " ", "\"\""]
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...14, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
            let expected = Result { () throws(OrderCoreError) in try Self.byteAtATime(text) }
            let found = Result { () throws(OrderCoreError) in try CSV.parse(text) }
            switch (expected, found) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(text.debugDescription)")
            case (.failure, .failure): break
            default: Issue.record("\(text.debugDescription): \(expected) but \(found)")
            }
        }
    }

    private static func byteAtATime(_ text: String) throws(OrderCoreError) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field: [UInt8] = []
        var quoted = false
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var i = 0
        func endField() { row.append(String(decoding: field, as: UTF8.self)); field.removeAll() }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") { field.append(b); i += 1 } else { quoted = false }
                } else {
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if b == UInt8(ascii: ",") {
                endField()
            } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                if b == UInt8(ascii: "\r"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                endField()
                rows.append(row)
                row.removeAll()
            } else {
                field.append(b)
            }
            i += 1
        }
        guard !quoted else { throw .invalid("the CSV payload ends inside a quoted field", field: "payload") }
        if !field.isEmpty || !row.isEmpty { endField(); rows.append(row) }
        return rows
    }

    @Test func timePatternsAndOffsets() throws {
        #expect(TimePattern.parse("12/1/10 8:26", pattern: "%m/%d/%y %H:%M") == Timestamp.parse("2010-12-01T08:26:00Z"))
        #expect(TimePattern.parse("12/1/10", pattern: "%m/%d/%y %H:%M") == nil)
        #expect(TimePattern.parse("13/45/10 8:26", pattern: "%m/%d/%y %H:%M") == nil)
        let e = Evaluator(current: ["t": "2017-07-28 14:18:32"], payload: .null, arguments: .null, timeOffsetMinutes: 480)
        #expect(try e.time(.path(try PayloadPath("t")), field: "t") == Timestamp.parse("2017-07-28T06:18:32Z"))
    }
}

extension ProfileMapperTests {
    @Test func hugeAmountsAreErrorsNotTraps() throws {
        let max = "92233720368547758.07"
        let lineTotal: JSON = ["o": ["cur": "USD", "items": [["sku": "A1", "n": 2, "total": .string(max), "list": .string(max)]]]]
        let shipping: JSON = ["o": ["cur": "USD", "items": [["sku": "A1", "n": 1, "total": "1.00", "list": "1.00"]],
                                    "ship": [["fee": .string(max)], ["fee": "1.00"]]]]
        for payload in [lineTotal, shipping] {
            #expect(throws: OrderCoreError.self) { try map(ProfileMapperTests.items, payload) }
        }
    }
}
