@testable import OrderCore
import Testing

/// Orders arrive in the state their channel reports, per each platform's documented semantics
/// (Shopify Admin REST `financial_status`, `fulfillment_status`, `cancelled_at`; WooCommerce v3 `status`;
/// Amazon SP-API `OrderStatus` and `FulfillmentChannel`; Taobao `status`), and later events move them the
/// same way. Expected values are written by hand from each payload.
struct ChannelStateTests {
    let dir = temporaryDirectory()
    let engine: Engine

    init() throws {
        engine = try Engine(test: dir + "/state.db")
        try engine.seedCatalog(a1: ["SH": 10], b2: ["SH": 10])
        for (channel, profile) in [("shopify", "shopify"), ("woo", "woocommerce"), ("amazon", "amazon"), ("taobao", "taobao")] {
            try engine.ok("channel.upsert", ["channel": .string(channel), "profile": .string(profile)])
        }
    }

    func shopify(_ id: Int, financial: String, fulfillment: JSON = .null, cancelledAt: JSON = .null, extra: JSONObject = [:]) -> JSON {
        var order: JSONObject = ["id": .int(Int64(id)), "created_at": "2026-01-18T10:00:00+08:00", "currency": "CNY",
                                 "financial_status": .string(financial), "fulfillment_status": fulfillment, "cancelled_at": cancelledAt,
                                 "line_items": [["sku": "A1", "quantity": 2, "price": "50.00"]]]
        for pair in extra.pairs { order[pair.key] = pair.value }
        return ["order": .object(order)]
    }

    @discardableResult
    func ingest(_ channel: String, _ payload: JSON) throws -> JSON {
        let outcome = try engine.ok("intake.ingest", ["channel": .string(channel), "payload": payload])
        #expect(outcome["state"] == "applied", "\(outcome.serialized)")
        return outcome["events"]?.arrayValue?.first ?? .null
    }

    func stock(_ sku: String = "A1") throws -> (onHand: Int64, reserved: Int64) {
        let s = try engine.ok("stock.get", ["sku": .string(sku)])
        return (s["on_hand"]?.intValue ?? -1, s["reserved"]?.intValue ?? -1)
    }

    @Test func shopifyOrdersLandInTheirStateAndOnlyLiveOnesReserve() throws {
        #expect(try ingest("shopify", shopify(1, financial: "pending"))["state"] == "pending_payment")
        #expect(try ingest("shopify", shopify(2, financial: "paid"))["state"] == "paid")
        #expect(try stock() == (10, 4))
        // A cancellation time beats a financial status (orders/cancelled carries "paid" or "refunded").
        for (id, financial) in [(3, "paid"), (4, "refunded"), (5, "partially_refunded"), (6, "voided")] {
            let e = try ingest("shopify", shopify(id, financial: financial, cancelledAt: "2026-01-18T12:00:00+08:00"))
            #expect(e["state"] == "cancelled" && e["action"] == "created_cancelled", "\(financial): \(e.serialized)")
        }
        // Refunded without a cancellation is cancelled too: nothing is left to ship for.
        #expect(try ingest("shopify", shopify(7, financial: "refunded"))["state"] == "cancelled")
        #expect(try stock() == (10, 4), "cancelled arrivals reserve nothing")
        let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []
        #expect(!alerts.contains { $0["kind"] == "backorder" })
    }

    @Test func aShopifyOrderFulfilledAtTheChannelLandsShippedWithItsShipmentAndLeavesStock() throws {
        let fulfilled = shopify(10, financial: "paid", fulfillment: "fulfilled", extra: [
            "fulfillments": [["created_at": "2026-01-19T09:30:00+08:00", "tracking_company": "SF", "tracking_number": "SF1001"]]])
        let e = try ingest("shopify", fulfilled)
        #expect(e["state"] == "shipped" && e["action"] == "created_shipped")
        #expect(e["shipment"]?["tracking_no"] == "SF1001" && e["shipment"]?["carrier"] == "SF")
        #expect(e["shipment"]?["shipped_at"] == "2026-01-19T01:30:00Z")
        #expect(try stock() == (8, 0), "the merchant's backfill took its 2 units from stock")
        let id = e["order_id"] ?? .null
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["lines"]?.arrayValue?.first?["shipped"] == 2)
        #expect(order["paid_total"] == "100.00")
        // It never joins the queue: nothing to allocate, pick or pack, and no second shipment.
        #expect(engine.fails("order.allocate", ["order_id": id]) == .conflict)
        #expect(engine.fails("order.pack", ["order_id": id, "scans": [id, "A1"], "weight_g": 1]) == .conflict)
        let ledger = try engine.ok("stock.ledger", ["sku": "A1"])["entries"]?.arrayValue ?? []
        #expect(ledger.contains { $0["reason"] == "ship" && $0["ref_type"] == "channel_event" })
        // Delivered again: nothing changes.
        #expect(try ingest("shopify", fulfilled)["state"] == "shipped")
        #expect(try stock() == (8, 0))
    }

    @Test func aChannelThatKeepsNoStockHereRecordsBackfillsWithoutMovingAny() throws {
        try engine.ok("channel.upsert", ["channel": "shopify", "shipped_orders_move_stock": false])
        let e = try ingest("shopify", shopify(11, financial: "paid", fulfillment: "fulfilled"))
        #expect(e["state"] == "shipped" && e["shipment"]?["units_from_stock"] == 0)
        #expect(try stock() == (10, 0))
    }

    @Test func laterEventsCancelWithTheRefundOrRecordTheChannelsShipmentWithAnAlert() throws {
        let paid = try ingest("shopify", shopify(20, financial: "paid"))
        let id = paid["order_id"] ?? .null
        #expect(try stock() == (10, 2))
        let cancelled = try ingest("shopify", shopify(20, financial: "refunded", cancelledAt: "2026-01-18T11:00:00+08:00"))
        #expect(cancelled["action"] == "cancelled" && cancelled["state"] == "cancelled")
        #expect(try stock() == (10, 0))
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["refunded_total"] == "100.00" && order["refund_due"] == "0.00" && order["payment_status"] == "refunded")

        // Cancelled on Shopify without a refund (`financial_status` still `paid`): the money is owed, not
        // booked as given back, until Shopify reports the refund.
        let kept = try ingest("shopify", shopify(22, financial: "paid"))
        let unrefunded = try ingest("shopify", shopify(22, financial: "paid", cancelledAt: "2026-01-18T11:00:00+08:00"))
        #expect(unrefunded["state"] == "cancelled")
        let owed = try engine.ok("order.get", ["order_id": kept["order_id"] ?? .null])
        #expect(owed["refunded_total"] == "0.00" && owed["refund_due"] == "100.00", "\(owed.serialized)")
        let refundedLater = try ingest(
            "shopify",
            shopify(22, financial: "refunded", cancelledAt: "2026-01-18T11:00:00+08:00", extra: [
                "refunds": [["id": 7, "transactions": [["amount": "100.00", "kind": "refund"]]]]]))
        #expect(refundedLater["refunds"]?.arrayValue?.first?["outcome"] == "recorded")
        let settled = try engine.ok("order.get", ["order_id": kept["order_id"] ?? .null])
        #expect(settled["refunded_total"] == "100.00" && settled["refund_due"] == "0.00")

        // Paid here and allocated, then the channel says it shipped: recorded once, a person is told.
        let second = try ingest("shopify", shopify(21, financial: "paid"))
        let id2 = second["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": id2])
        let shipped = try ingest("shopify", shopify(21, financial: "paid", fulfillment: "fulfilled"))
        #expect(shipped["action"] == "shipped" && shipped["state"] == "shipped")
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "channel_shipped" && $0["order_id"] == id2 } == true)
        #expect(try engine.ok("order.get", ["order_id": id2])["shipments"]?.arrayValue?.count == 1)
        #expect(try stock() == (8, 0))
        // Paid and never allocated here: nothing of it can be on a pick list, and nobody is told.
        let waiting = try ingest("shopify", shopify(23, financial: "paid"))["order_id"] ?? .null
        #expect(try ingest("shopify", shopify(23, financial: "paid", fulfillment: "fulfilled"))["state"] == "shipped")
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "channel_shipped" && $0["order_id"] == waiting } == false)
    }

    @Test func wooCommerceCompletedAndRefundedOrders() throws {
        func woo(_ id: Int, _ status: String) -> JSON {
            ["id": .int(Int64(id)), "status": .string(status), "currency": "CNY", "date_created_gmt": "2026-01-18T10:00:00",
             "prices_include_tax": false, "line_items": [["sku": "B2", "quantity": 1, "subtotal": "30.00", "total": "30.00", "total_tax": "0.00"]]]
        }
        #expect(try ingest("woo", woo(1, "processing"))["state"] == "paid")
        #expect(try ingest("woo", woo(2, "on-hold"))["state"] == "pending_payment")
        let completed = try ingest("woo", woo(3, "completed"))
        #expect(completed["state"] == "completed" && completed["action"] == "created_completed")
        // Completed with the numbers of WooCommerce Shipment Tracking (`_wc_shipment_tracking_items`): each is tracked.
        var tracked = woo(6, "completed").objectValue ?? [:]
        tracked["date_completed_gmt"] = "2026-01-19T08:00:00"
        tracked["meta_data"] = [["id": 9, "key": "_wc_shipment_tracking_items", "value": [
            ["tracking_provider": "usps", "custom_tracking_provider": "", "tracking_number": "9400111", "date_shipped": "1768780800"],
            ["tracking_provider": "", "custom_tracking_provider": "Local Courier", "tracking_number": "LC-2", "date_shipped": ""]]]]
        let parcels = try ingest("woo", .object(tracked))
        #expect(parcels["shipment"]?["shipped_at"] == "2026-01-19T08:00:00Z", "\(parcels.serialized)")
        let shipments = try engine.ok("order.get", ["order_id": parcels["order_id"] ?? .null])["shipments"]?.arrayValue ?? []
        #expect(shipments.map { "\($0["carrier"]?.stringValue ?? ""):\($0["tracking_no"]?.stringValue ?? "")" } == ["usps:9400111", "Local Courier:LC-2"])
        let refunded = try ingest("woo", woo(4, "refunded"))
        #expect(refunded["state"] == "cancelled")
        // Refunded is reached only from a paid order: first seen so, it was paid and refunded. Cancelled may never
        // have been paid (an unpaid order WooCommerce closed): it records no money.
        var doc = try engine.ok("order.get", ["order_id": refunded["order_id"] ?? .null])
        #expect(doc["paid_total"] == "30.00" && doc["refunded_total"] == "30.00" && doc["refund_due"] == "0.00", "\(doc.serialized)")
        let cancelled = try ingest("woo", woo(5, "cancelled"))
        doc = try engine.ok("order.get", ["order_id": cancelled["order_id"] ?? .null])
        #expect(cancelled["state"] == "cancelled" && doc["paid_total"] == "0.00", "\(doc.serialized)")
        #expect(try stock("B2") == (8, 2), "processing and on-hold (awaiting payment) reserve 1 each; completed took 1 each; the rest nothing")
        // Refunded after it was completed (`date_completed`): its goods left, whether or not its completion was seen.
        var returned = woo(1, "refunded").objectValue ?? [:]
        returned["date_completed_gmt"] = "2026-01-20T10:00:00"
        returned["date_completed"] = "2026-01-20T18:00:00"
        returned["refunds"] = [["id": 71, "total": "-30.00", "reason": "returned"]]
        let late = try ingest("woo", .object(returned))
        #expect(late["state"] == "shipped" && late["alert"] == "channel_cancelled_shipped", "\(late.serialized)")
        doc = try engine.ok("order.get", ["order_id": late["order_id"] ?? .null])
        #expect(doc["paid_total"] == "30.00" && doc["refunded_total"] == "30.00", "\(doc.serialized)")
        #expect(try stock("B2") == (7, 1), "the unit processing held left")
    }

    @Test func amazonFBAOrdersMoveNoneOfTheMerchantsStock() throws {
        func amazon(_ id: String, _ status: String, channel: String) -> JSON {
            ["order": ["AmazonOrderId": .string(id), "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": .string(status),
                       "FulfillmentChannel": .string(channel), "OrderTotal": ["CurrencyCode": "USD", "Amount": "20.00"]],
             "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "ASIN": "B0", "QuantityOrdered": 2,
                                                   "ItemPrice": ["CurrencyCode": "USD", "Amount": "20.00"]]]]]]
        }
        let fba = try ingest("amazon", amazon("111-1", "Shipped", channel: "AFN"))
        #expect(fba["state"] == "shipped" && fba["shipment"]?["fulfilled_by"] == "channel")
        #expect(try stock() == (10, 0))
        let waiting = try ingest("amazon", amazon("111-2", "Unshipped", channel: "AFN"))
        #expect(waiting["state"] == "on_hold" && waiting["action"] == "created_held")
        #expect(try stock() == (10, 0), "an FBA order waiting for Amazon reserves nothing")
        #expect(try ingest("amazon", amazon("111-2", "Shipped", channel: "AFN"))["state"] == "shipped")
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "channel_shipped" } == false,
                "nobody here prepared an order Amazon fulfils")
        let mfn = try ingest("amazon", amazon("111-3", "Shipped", channel: "MFN"))
        #expect(mfn["state"] == "shipped" && mfn["shipment"]?["units_from_stock"] == 2)
        #expect(try stock() == (8, 0))
    }

    /// An Amazon replacement order (`IsReplacementOrder`: a unit sent again, free) has no `OrderTotal` and no
    /// `ItemPrice`: it ships at no charge in its marketplace's currency. Another order without prices is
    /// refused (a dead letter), never taken as free.
    @Test func anAmazonReplacementOrderShipsFreeOfCharge() throws {
        func order(_ id: String, replacement: Bool) -> JSON {
            ["order": ["payload": ["AmazonOrderId": .string(id), "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": "Unshipped",
                                   "FulfillmentChannel": "MFN", "MarketplaceId": "A1PA6795UKMFR9", "PaymentMethod": "Other",
                                   "IsReplacementOrder": .bool(replacement), "ReplacedOrderId": "302-1234567-1234567"]],
             "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "ASIN": "B0", "QuantityOrdered": 1, "QuantityShipped": 0]]]]]
        }
        let free = try ingest("amazon", order("302-7654321-7654321", replacement: true))
        #expect(free["state"] == "paid", "\(free.serialized)")
        let doc = try engine.ok("order.get", ["order_id": free["order_id"] ?? .null])
        #expect(doc["currency"] == "EUR" && doc["grand_total"] == "0.00" && doc["balance_due"] == "0.00", "\(doc.serialized)")
        #expect(try stock() == (10, 1))
        let unpriced = try engine.ok("intake.ingest", ["channel": "amazon", "payload": order("302-1111111-1111111", replacement: false)])
        #expect(unpriced["state"] == "dead_letter" && unpriced["error"]?["details"]?["field"] == "lines[0].unit_price",
                "\(unpriced.serialized)")
    }

    /// A replacement is not paid at the price Amazon shows for its items: the buyer paid on the order it replaces,
    /// and paid again here a return's refund would give that money back twice. v2026-01-01 names it by
    /// `associatedOrders` (`REPLACEMENT_ORIGINAL_ID`, `EXCHANGE_ORIGINAL_ID`), read for each order of a
    /// `searchOrders` page (`^`: the order a line belongs to), not for the page, and it costs what its `ITEM`
    /// proceeds say the buyer paid, nothing without them; v0 by `IsReplacementOrder`, and it costs nothing.
    @Test func anAmazonReplacementIsNotPaidAtThePriceItsItemsShow() throws {
        func v2026(_ id: String, replaces: String?, proceeds: String? = nil) -> JSON {
            var item: JSONObject = ["quantityOrdered": 1, "product": ["sellerSku": "A1", "price": ["unitPrice": ["amount": "25.00", "currencyCode": "USD"]]]]
            if let proceeds { item["proceeds"] = ["breakdowns": [["type": "ITEM", "subtotal": ["amount": .string(proceeds), "currencyCode": "USD"]]]] }
            var order: JSONObject = [
                "orderId": .string(id), "createdTime": "2026-01-18T10:00:00Z",
                "fulfillment": ["fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT"], "orderItems": [.object(item)]]
            if let replaces { order["associatedOrders"] = [["orderId": "111-0", "associationType": .string(replaces)]] }
            return .object(order)
        }
        let page: JSON = ["orders": [v2026("116-1", replaces: "REPLACEMENT_ORIGINAL_ID"), v2026("116-2", replaces: nil),
                                     v2026("116-3", replaces: "EXCHANGE_ORIGINAL_ID", proceeds: "0.00")]]
        let outcome = try engine.ok("intake.ingest", ["channel": "amazon", "payload": page])
        let ids = outcome["events"]?.arrayValue?.map { $0["order_id"] ?? .null } ?? []
        let paid = try ids.map { try engine.ok("order.get", ["order_id": $0])["paid_total"]?.stringValue }
        #expect(paid == ["0.00", "25.00", "0.00"], "\(outcome.serialized)")
        let v0: JSON = ["order": ["payload": ["AmazonOrderId": "116-4", "PurchaseDate": "2026-01-18T10:00:00Z",
                                              "OrderStatus": "Unshipped", "FulfillmentChannel": "MFN", "IsReplacementOrder": "true",
                                              "ReplacedOrderId": "111-0"]],
                        "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "ASIN": "B0", "QuantityOrdered": 1,
                                                              "ItemPrice": ["Amount": "25.00", "CurrencyCode": "USD"]]]]]]
        let replacement = try ingest("amazon", v0)
        #expect(try engine.ok("order.get", ["order_id": replacement["order_id"] ?? .null])["paid_total"] == "0.00")
    }

    /// A buyer who asked Amazon to cancel (v2026-01-01: an item's `cancellation.cancellationRequest` by `BUYER`, not
    /// yet executed) holds the order not to ship, paid (cash on delivery: unpaid); Amazon's cancellation cancels
    /// it. A request Amazon executed (`cancellationExecution`) holds nothing: that item has no units left there,
    /// and the `channel_lines_changed` alert says so.
    @Test func anAmazonBuyersCancellationRequestHoldsTheOrder() throws {
        func v2026(_ id: String, _ status: String, cod: Bool = false, executed: Bool = false) -> JSON {
            var cancellation: JSONObject = ["cancellationRequest": ["requester": "BUYER", "cancelReason": "Found cheaper"]]
            if executed { cancellation["cancellationExecution"] = ["cancelledBy": "MERCHANT"] }
            var item: JSONObject = ["quantityOrdered": 1, "cancellation": .object(cancellation),
                                    "product": ["sellerSku": "A1", "price": ["unitPrice": ["amount": "9.00", "currencyCode": "USD"]]]]
            if cod { item["fulfillment"] = ["shipping": ["shippingConstraints": ["cashOnDelivery": "MANDATORY"]]] }
            return ["order": ["orderId": .string(id), "createdTime": "2026-01-18T10:00:00Z",
                              "fulfillment": ["fulfillmentStatus": .string(status), "fulfilledBy": "MERCHANT"],
                              "orderItems": [["quantityOrdered": 1, "product": ["sellerSku": "B2", "price": ["unitPrice": ["amount": "5.00", "currencyCode": "USD"]]]],
                                             .object(item)]]]
        }
        let held = try ingest("amazon", v2026("117-1", "UNSHIPPED"))
        #expect(held["action"] == "created_held" && held["state"] == "on_hold", "\(held.serialized)")
        #expect(try engine.ok("order.get", ["order_id": held["order_id"] ?? .null])["paid_total"] == "14.00")
        #expect(try ingest("amazon", v2026("117-1", "CANCELLED"))["state"] == "cancelled")
        let cod = try ingest("amazon", v2026("117-2", "UNSHIPPED", cod: true))
        #expect(cod["state"] == "on_hold", "\(cod.serialized)")
        #expect(try engine.ok("order.get", ["order_id": cod["order_id"] ?? .null])["paid_total"] == "0.00")
        // Executed: that item has no units left at Amazon, and a person is told before it ships.
        let executed = try ingest("amazon", v2026("117-3", "UNSHIPPED", executed: true))
        #expect(executed["state"] == "paid" && executed["alert"] == "channel_lines_changed", "\(executed.serialized)")
    }

    /// An order the channel shipped in several parcels has each one's tracking number (Amazon v2026 `packages`,
    /// Shopify's fulfillments and their boxes): it is delivered when the last one is, not the first, and a later
    /// part's parcel is its own (it was named after the first part's). A cancelled fulfillment ships nothing, and
    /// a carrier a merchant typed at length loses no order.
    @Test func everyParcelTheChannelShippedAnOrderInIsTracked() throws {
        func package(_ carrier: String, _ number: String, _ itemID: String) -> JSON {
            ["carrier": .string(carrier), "trackingNumber": .string(number), "shipTime": "2026-01-19T08:00:00Z",
             "packageItems": [["orderItemId": .string(itemID), "quantity": 1]]]
        }
        func item(_ id: String, _ sku: String) -> JSON {
            ["orderItemId": .string(id), "quantityOrdered": 1,
             "product": ["sellerSku": .string(sku), "price": ["unitPrice": ["amount": "9.00", "currencyCode": "USD"]]]]
        }
        let amazon: JSON = ["order": ["orderId": "118-1", "createdTime": "2026-01-18T10:00:00Z",
                                      "fulfillment": ["fulfillmentStatus": "SHIPPED", "fulfilledBy": "MERCHANT"],
                                      "orderItems": [item("1", "A1"), item("2", "B2")],
                                      "packages": [package("UPS", "1ZP1", "1"), package("Royal Mail", "RRP2", "2")]]]
        let shipped = try ingest("amazon", amazon)
        #expect(shipped["state"] == "shipped" && shipped["shipment"]?["shipments"]?.arrayValue?.count == 2, "\(shipped.serialized)")
        let id = shipped["order_id"] ?? .null
        func tracked() throws -> [String] {
            try engine.ok("order.get", ["order_id": id])["shipments"]?.arrayValue?.map {
                "\($0["carrier"]?.stringValue ?? ""):\($0["tracking_no"]?.stringValue ?? "")"
            } ?? []
        }
        #expect(try tracked() == ["UPS:1ZP1", "Royal Mail:RRP2"])
        // The carrier as AfterShip names it (`ups`, `royal-mail`): the number finds the parcel.
        try engine.ok("tracking.event", ["carrier": "ups", "tracking_no": "1ZP1", "status": "delivered"])
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "shipped", "one parcel of two has arrived")
        let last = try engine.ok("tracking.event", ["carrier": "royal-mail", "tracking_no": "RRP2", "status": "delivered"])
        #expect(last["matched"] == true)
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "delivered")

        // Shopify: the first part leaves in one box, the rest in two; a fulfillment cancelled there names no parcel.
        func shopifyPart(_ fulfillment: String, _ fulfillments: [JSON], shippedB2: Bool, hour: Int) -> JSON {
            shopify(41, financial: "paid", fulfillment: .string(fulfillment), extra: [
                "updated_at": .string("2026-01-19T1\(hour):00:00+08:00"),
                "line_items": [["id": 1, "sku": "A1", "quantity": 1, "price": "50.00", "fulfillment_status": "fulfilled"],
                               ["id": 2, "sku": "B2", "quantity": 1, "price": "30.00",
                                "fulfillment_status": shippedB2 ? "fulfilled" : .null]],
                "fulfillments": .array(fulfillments)])
        }
        let cancelled: JSON = ["status": "cancelled", "tracking_company": "SF", "tracking_number": "SF0",
                               "created_at": "2026-01-19T09:00:00+08:00"]
        let first: JSON = ["status": "success", "tracking_company": "SF", "tracking_number": "SF1", "tracking_numbers": ["SF1"],
                           "created_at": "2026-01-19T10:00:00+08:00"]
        let part = try ingest("shopify", shopifyPart("partial", [cancelled, first], shippedB2: false, hour: 0))
        #expect(part["state"] == "partially_shipped" && part["shipment"]?["tracking_no"] == "SF1", "\(part.serialized)")
        let boxes: JSON = ["status": "success", "tracking_company": "SF", "tracking_number": "SF2", "tracking_numbers": ["SF2", "SF3"],
                           "created_at": "2026-01-19T11:00:00+08:00"]
        let rest = try ingest("shopify", shopifyPart("fulfilled", [cancelled, first, boxes], shippedB2: true, hour: 1))
        #expect(rest["state"] == "shipped", "\(rest.serialized)")
        let order = try engine.ok("order.get", ["order_id": rest["order_id"] ?? .null])
        #expect(order["shipments"]?.arrayValue?.map { $0["tracking_no"] } == ["SF1", "SF2", "SF3"])

        let typed = String(repeating: "Express ", count: 12)
        let long = try ingest("shopify", shopify(42, financial: "paid", fulfillment: "fulfilled", extra: [
            "fulfillments": [["status": "success", "tracking_company": .string(typed), "tracking_number": "SF42"]]]))
        #expect(long["state"] == "shipped" && long["shipment"]?["tracking_no"] == "SF42", "\(long.serialized)")
        #expect(long["warnings"]?.arrayValue?.contains { $0["code"] == "shipment_code_cleaned" } == true)
    }

    /// Where the channel says each parcel is (Amazon v2026's `packageStatus`, Shopify's fulfillments' shipment status)
    /// moves that parcel's shipment: delivered when the channel says that one is, the order when every one is, at
    /// the channel's time; a parcel refused at the door raises `delivery_refused`; the same status in every later
    /// event is told once; a cancelled label is no parcel. A Shopify fulfillment that says nothing (no tracking yet)
    /// keeps the order shipped however many others are delivered; one that says so says it of each of its boxes, and
    /// one with no tracking number (a local delivery) of itself.
    @Test func whereTheChannelSaysEachParcelIsMovesItsShipment() throws {
        func package(_ ref: String, _ number: String, _ status: String, _ detailed: String? = nil) -> JSON {
            var packageStatus: JSONObject = ["status": .string(status)]
            if let detailed { packageStatus["detailedStatus"] = .string(detailed) }
            return ["packageReferenceId": .string(ref), "carrier": "UPS", "trackingNumber": .string(number),
                    "shipTime": "2026-01-19T08:00:00Z", "packageStatus": .object(packageStatus)]
        }
        func amazon(_ packages: [JSON], updated: String) -> JSON {
            ["order": ["orderId": "118-7", "createdTime": "2026-01-18T10:00:00Z", "lastUpdatedTime": .string(updated),
                       "fulfillment": ["fulfillmentStatus": "SHIPPED", "fulfilledBy": "MERCHANT"],
                       "orderItems": [["orderItemId": "1", "quantityOrdered": 2,
                                       "product": ["sellerSku": "A1", "price": ["unitPrice": ["amount": "9.00", "currencyCode": "USD"]]]]],
                       "packages": .array(packages)]]
        }
        let voided = package("9", "1ZVOID", "CANCELLED", "LABEL_CANCELLED")
        let shipped = try ingest("amazon", amazon([voided, package("1", "1ZA", "SHIPPED", "PICKED_UP"),
                                                   package("2", "1ZB", "IN_TRANSIT")], updated: "2026-01-19T09:00:00Z"))
        let id = shipped["order_id"] ?? .null
        #expect(shipped["state"] == "shipped", "\(shipped.serialized)")
        func shipments() throws -> [String] {
            try engine.ok("order.get", ["order_id": id])["shipments"]?.arrayValue?.map {
                "\($0["tracking_no"]?.stringValue ?? ""):\($0["state"]?.stringValue ?? "")"
            } ?? []
        }
        #expect(try shipments() == ["1ZA:picked_up", "1ZB:in_transit"])
        let one = try ingest("amazon", amazon([voided, package("1", "1ZA", "DELIVERED", "DELIVERED"),
                                               package("2", "1ZB", "UNDELIVERABLE", "REJECTED_BY_BUYER")],
                                              updated: "2026-01-21T09:00:00Z"))
        #expect(one["state"] == "shipped" && one["action"] == "parcel_status", "\(one.serialized)")
        #expect(try shipments() == ["1ZA:delivered", "1ZB:in_transit"])
        let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []
        #expect(alerts.contains { $0["kind"] == "delivery_refused" && $0["order_id"] == id }, "\(alerts)")
        // Said again in the next event: told once.
        let again = try ingest("amazon", amazon([voided, package("1", "1ZA", "DELIVERED", "DELIVERED"),
                                                 package("2", "1ZB", "UNDELIVERABLE", "REJECTED_BY_BUYER")],
                                                updated: "2026-01-21T10:00:00Z"))
        #expect(again["parcels"] == nil && again["action"] == "unchanged", "\(again.serialized)")
        let events = try engine.ok("tracking.get", ["carrier": "UPS", "tracking_no": "1ZB"])["events"]?.arrayValue ?? []
        #expect(events.map { $0["status"] } == ["in_transit", "exception"], "\(events)")
        // Delivered after all (the buyer took it on a second try): the order is, at Amazon's time.
        let all = try ingest("amazon", amazon([voided, package("1", "1ZA", "DELIVERED", "DELIVERED"),
                                               package("2", "1ZB", "DELIVERED", "DELIVERED")], updated: "2026-01-22T09:00:00Z"))
        #expect(all["state"] == "delivered" && all["action"] == "delivered", "\(all.serialized)")
        #expect(try engine.ok("order.get", ["order_id": id])["delivered_at"] == "2026-01-22T09:00:00Z")

        // Shopify: two fulfillments, one delivered (both its boxes), one with no tracking yet: shipped until both say
        // delivered.
        func fulfilled(_ second: JSON, updated: String) -> JSON {
            shopify(73, financial: "paid", fulfillment: "fulfilled", extra: [
                "updated_at": .string(updated),
                "fulfillments": [["id": 1, "status": "success", "shipment_status": "delivered", "tracking_company": "UPS",
                                  "tracking_number": "1Z731", "tracking_numbers": ["1Z731", "1Z733"]],
                                 ["id": 2, "status": "success", "shipment_status": second, "tracking_company": "UPS",
                                  "tracking_number": "1Z732"]]])
        }
        let quiet = try ingest("shopify", fulfilled(.null, updated: "2026-01-20T10:00:00+08:00"))
        #expect(quiet["state"] == "shipped", "\(quiet.serialized)")
        let both = try ingest("shopify", fulfilled("delivered", updated: "2026-01-21T10:00:00+08:00"))
        #expect(both["state"] == "delivered" && both["action"] == "delivered", "\(both.serialized)")
        #expect(both["parcels"]?.arrayValue?.map { $0["tracking_no"] } == ["1Z732"], "the first two were told before")

        // Delivered locally, by the shop's own van: fulfillments with no tracking number, each a parcel by its id.
        func local(_ first: JSON, _ second: JSON, updated: String) -> JSON {
            shopify(74, financial: "paid", fulfillment: "fulfilled", extra: [
                "updated_at": .string(updated),
                "fulfillments": [["id": 741, "status": "success", "shipment_status": first],
                                 ["id": 742, "status": "success", "shipment_status": second]]])
        }
        let van = try ingest("shopify", local("delivered", .null, updated: "2026-01-20T10:00:00+08:00"))
        #expect(van["state"] == "shipped" && van["shipment"]?["shipments"]?.arrayValue?.count == 2, "\(van.serialized)")
        let unloaded = try ingest("shopify", local("delivered", "delivered", updated: "2026-01-21T10:00:00+08:00"))
        #expect(unloaded["state"] == "delivered", "\(unloaded.serialized)")

        // Collected in store by the buyer (`picked_up`): delivered; picked up by the carrier: on its way.
        func collected(_ id: Int, _ status: JSON) throws -> JSON {
            try ingest("shopify", shopify(id, financial: "paid", fulfillment: "fulfilled", extra: [
                "updated_at": "2026-01-20T10:00:00+08:00",
                "fulfillments": [["id": .number("\(id * 10)"), "status": "success", "shipment_status": status]]]))
        }
        #expect(try collected(75, "picked_up")["state"] == "delivered")
        let carried = try collected(76, "carrier_picked_up")
        #expect(carried["state"] == "shipped" && carried["parcels"]?.arrayValue?.first?["status"] == "picked_up", "\(carried.serialized)")
        // On its way back to the shop: an exception whose alert says so.
        let back = try collected(77, "returning_to_sender")
        let raised = try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []
        #expect(raised.contains { $0["kind"] == "returning_to_sender" && $0["order_id"] == back["order_id"] }, "\(raised)")
    }

    /// Shopify's word on a parcel between the order's own events: a fulfillment event (`fulfillment_events/create`, or
    /// a list of them) names the order and the fulfillment (all its boxes) and where it is; a fulfillment
    /// (`fulfillments/update`) says it as its `shipment_status`. Each moves that parcel's shipments forward as the
    /// order's own events do, once; a failed attempt raises `delivery_failed`; delivered delivers the order at
    /// Shopify's time. One of an order not here, or of a fulfillment the order has no shipment of, changes nothing
    /// and waits for nothing (the order's event says it too); a deleted one (`fulfillment_events/delete`) is skipped.
    /// A parcel the warehouse shipped here and the host told Shopify of takes the fulfillment's id from the order's
    /// event naming its number: its events find it after.
    @Test func aShopifyFulfillmentEventMovesItsParcels() throws {
        func event(_ id: Int, order: Int, fulfillment: Int, _ status: String, at: String) -> JSON {
            ["id": .int(Int64(id)), "fulfillment_id": .int(Int64(fulfillment)), "order_id": .int(Int64(order)),
             "status": .string(status), "happened_at": .string(at), "created_at": .string(at),
             "admin_graphql_api_id": .string("gid://shopify/FulfillmentEvent/\(id)")]
        }
        func shipments(_ id: JSON) throws -> [String] {
            try engine.ok("order.get", ["order_id": id])["shipments"]?.arrayValue?.map {
                "\($0["tracking_no"]?.stringValue ?? ""):\($0["state"]?.stringValue ?? "")"
            } ?? []
        }
        let shipped = try ingest("shopify", shopify(80, financial: "paid", fulfillment: "fulfilled", extra: [
            "fulfillments": [["id": 801, "status": "success", "tracking_company": "UPS", "tracking_numbers": ["1Z801", "1Z802"]]]]))
        let id = shipped["order_id"] ?? .null
        let moving = try ingest("shopify", event(1, order: 80, fulfillment: 801, "in_transit", at: "2026-01-20T10:00:00Z"))
        #expect(moving["type"] == "tracking" && moving["action"] == "parcel_status", "\(moving.serialized)")
        #expect(try shipments(id) == ["1Z801:in_transit", "1Z802:in_transit"])
        let missed = try ingest("shopify", ["fulfillment_event": event(2, order: 80, fulfillment: 801, "attempted_delivery",
                                                                        at: "2026-01-21T10:00:00Z")])
        #expect(missed["action"] == "parcel_status", "\(missed.serialized)")
        let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []
        #expect(alerts.contains { $0["kind"] == "delivery_failed" && $0["order_id"] == id }, "\(alerts)")
        let delivered = try ingest("shopify", ["fulfillment_events": [event(3, order: 80, fulfillment: 801, "delivered",
                                                                            at: "2026-01-22T10:00:00Z")]])
        #expect(delivered["action"] == "delivered" && delivered["state"] == "delivered", "\(delivered.serialized)")
        #expect(try engine.ok("order.get", ["order_id": id])["delivered_at"] == "2026-01-22T10:00:00Z")
        // Late, or of a parcel it never shipped: nothing moves back, nothing is waited for (a time it cannot read loses
        // no event).
        let late = try ingest("shopify", event(4, order: 80, fulfillment: 801, "in_transit", at: "2026-01-20T12:00:00Z"))
        #expect(late["action"] == "unchanged" && late["state"] == "delivered", "\(late.serialized)")
        let other = try ingest("shopify", event(5, order: 80, fulfillment: 999, "delivered", at: "the 22nd"))  // no time read
        #expect(other["action"] == "unchanged" && other["reason"] != nil, "\(other.serialized)")
        let unknown = try ingest("shopify", event(6, order: 89, fulfillment: 891, "delivered", at: "2026-01-22T10:00:00Z"))
        #expect(unknown["action"] == "unchanged" && unknown["order_id"] == nil, "\(unknown.serialized)")
        #expect(try engine.ok("intake.dead_letters")["total"] == 0)
        // A scan deleted at Shopify (`fulfillment_events/delete`, the event as it was) moves nothing.
        let deleted = try engine.ok("intake.ingest", [
            "channel": "shopify", "event_type": "fulfillment_events/delete",
            "payload": event(9, order: 80, fulfillment: 801, "failure", at: "2026-01-22T11:00:00Z")])
        #expect(deleted["events"]?.arrayValue?.first?["type"] == "skip", "\(deleted.serialized)")
        #expect(try shipments(id) == ["1Z801:delivered", "1Z802:delivered"])

        // Shipped here, told to Shopify (fulfillment 811 with the warehouse's number), then tracked there.
        let mine = try ingest("shopify", shopify(81, financial: "paid"))["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": mine])
        try engine.ok("order.pack", ["order_id": mine, "scans": [mine, "A1", "A1"], "weight_g": 0])
        try engine.ok("order.ship", ["order_id": mine, "carrier": "SF", "tracking_no": "SF811"])
        let before = try ingest("shopify", event(7, order: 81, fulfillment: 811, "in_transit", at: "2026-01-20T10:00:00Z"))
        #expect(before["action"] == "unchanged", "no shipment here is known by 811 yet: \(before.serialized)")
        let told = try ingest("shopify", shopify(81, financial: "paid", fulfillment: "fulfilled", extra: [
            "updated_at": "2026-01-20T11:00:00Z",
            "fulfillments": [["id": 811, "status": "success", "tracking_company": "SF", "tracking_number": "SF811",
                              "shipment_status": "in_transit"]]]))
        #expect(told["action"] == "parcel_status", "\(told.serialized)")
        let arrived = try ingest("shopify", event(8, order: 81, fulfillment: 811, "delivered", at: "2026-01-21T10:00:00Z"))
        #expect(arrived["action"] == "delivered" && arrived["state"] == "delivered", "\(arrived.serialized)")

        // A fulfillment's own webhook (fulfillments/update) with its shipment status; one saying none is skipped.
        func fulfillment(_ status: JSON) -> JSON {
            ["fulfillment": ["id": 821, "order_id": 82, "status": "success", "tracking_numbers": ["1Z821"],
                             "shipment_status": status, "updated_at": "2026-01-23T10:00:00Z",
                             "line_items": [["id": 1, "sku": "A1", "quantity": 2]]]]
        }
        let second = try ingest("shopify", shopify(82, financial: "paid", fulfillment: "fulfilled", extra: [
            "fulfillments": [["id": 821, "status": "success", "tracking_company": "UPS", "tracking_number": "1Z821"]]]))
        let out = try ingest("shopify", fulfillment("out_for_delivery"))
        #expect(out["type"] == "tracking" && out["action"] == "parcel_status", "\(out.serialized)")
        #expect(try shipments(second["order_id"] ?? .null) == ["1Z821:out_for_delivery"])
        #expect(try ingest("shopify", fulfillment(.null))["type"] == "skip")
    }

    /// A parcel the channel cancels after the order was recorded shipped by it (a Shopify fulfillment cancelled, an
    /// Amazon label voided) may never have left: the order stays shipped (nothing moves back on the channel's word),
    /// and one `channel_parcel_cancelled` alert asks a person, however many events repeat it. The parcel the channel
    /// ships instead takes its place (the carrier's events for it find the order) and clears the alert, as a carrier's
    /// scan of the parcel does (it left). A parcel cancelled before the order arrived is no shipment at all.
    @Test func aParcelTheChannelCancelsAfterwardsIsFlaggedAndItsReplacementTakesItsPlace() throws {
        func fulfilled(_ fulfillments: [JSON], updated: String, status: JSON = "fulfilled") -> JSON {
            shopify(90, financial: "paid", fulfillment: status, extra: [
                "updated_at": .string(updated), "fulfillments": .array(fulfillments)])
        }
        func box(_ id: Int, _ number: String, _ status: String = "success") -> JSON {
            ["id": .int(Int64(id)), "status": .string(status), "tracking_company": "UPS", "tracking_number": .string(number)]
        }
        func open() throws -> [JSON] {
            (try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []).filter { $0["kind"] == "channel_parcel_cancelled" }
        }
        let shipped = try ingest("shopify", fulfilled([box(901, "1Z901")], updated: "2026-01-20T10:00:00Z"))
        let id = shipped["order_id"] ?? .null
        #expect(try stock() == (8, 0))
        let voided = try ingest("shopify", fulfilled([box(901, "1Z901", "cancelled")], updated: "2026-01-20T11:00:00Z",
                                                     status: .null))
        #expect(voided["state"] == "shipped" && voided["alert"] == "channel_parcel_cancelled", "\(voided.serialized)")
        #expect(voided["parcels_cancelled"]?.arrayValue?.first?["tracking_no"] == "1Z901")
        #expect(try stock() == (8, 0), "nothing moves back on the channel's word")
        _ = try ingest("shopify", fulfilled([box(901, "1Z901", "cancelled")], updated: "2026-01-20T12:00:00Z", status: .null))
        let flagged = try open()
        #expect(flagged.count == 1 && flagged.first?["ref"] == "UPS:1Z901", "\(flagged)")
        let again = try ingest("shopify", fulfilled([box(901, "1Z901", "cancelled"), box(902, "1Z902")],
                                                    updated: "2026-01-21T10:00:00Z"))
        #expect(again["tracking_added"]?.arrayValue?.first?["was"] == "1Z901", "\(again.serialized)")
        #expect(try engine.ok("order.get", ["order_id": id])["shipments"]?.arrayValue?.map { $0["tracking_no"] } == ["1Z902"])
        #expect(try open().isEmpty)
        #expect(try engine.ok("tracking.event", ["carrier": "UPS", "tracking_no": "1Z902", "status": "delivered"])["order_id"] == id)

        // Cancelled, but the carrier scans the parcel: it left, and the alert clears.
        func scanned(_ updated: String, _ status: String) -> JSON {
            shopify(92, financial: "paid", fulfillment: status == "success" ? "fulfilled" : .null, extra: [
                "updated_at": .string(updated), "fulfillments": [box(921, "1Z921", status)]])
        }
        _ = try ingest("shopify", scanned("2026-01-20T10:00:00Z", "success"))
        #expect(try ingest("shopify", scanned("2026-01-20T11:00:00Z", "cancelled"))["alert"] == "channel_parcel_cancelled")
        try engine.ok("tracking.event", ["carrier": "UPS", "tracking_no": "1Z921", "status": "in_transit"])
        #expect(try open().isEmpty)

        // Cancelled before the order arrived: no shipment, no alert.
        let first = try ingest("shopify", shopify(91, financial: "paid", fulfillment: "fulfilled", extra: [
            "fulfillments": [box(911, "1Z911", "cancelled"), box(912, "1Z912")]]))
        #expect(first["state"] == "shipped" && first["alert"] == nil, "\(first.serialized)")
        #expect(try engine.ok("order.get", ["order_id": first["order_id"] ?? .null])["shipments"]?.arrayValue?
            .map { $0["tracking_no"] } == ["1Z912"])
        #expect(try open().isEmpty)
    }

    /// The sweep chases a pickup scan (`no_pickup`) of a parcel a channel shipped only when one can come: not of one
    /// the channel fulfilled from its own stock (FBA), nor of one with no number (until the channel names it), nor of
    /// a backfill of parcels long gone — each was a "call the carrier" alert, on every order of a backfill.
    @Test func onlyParcelsACarrierWillScanAreChasedForTheirPickup() throws {
        let recorded = "2026-01-19T11:00:00Z"
        func arrive(_ channel: String, _ payload: JSON) throws {
            let outcome = try engine.ok("intake.ingest", ["channel": .string(channel), "payload": payload, "at": .string(recorded)])
            #expect(outcome["events"]?.arrayValue?.first?["state"] == "shipped", "\(outcome.serialized)")
        }
        func fulfilled(_ id: Int, _ number: JSON, at: String, updated: String = "2026-01-19T10:30:00Z") -> JSON {
            shopify(id, financial: "paid", fulfillment: "fulfilled", extra: [
                "updated_at": .string(updated),
                "fulfillments": [["status": "success", "tracking_company": "UPS", "tracking_number": number, "created_at": .string(at)]]])
        }
        try arrive("shopify", fulfilled(60, "1Z60", at: "2026-01-19T10:00:00Z"))  // chased
        try arrive("shopify", fulfilled(61, "1Z61", at: "2025-06-01T10:00:00Z"))  // a backfill
        try arrive("shopify", fulfilled(62, .null, at: "2026-01-19T10:00:00Z"))  // no number yet
        try arrive("amazon", ["order": ["AmazonOrderId": "111-60", "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": "Shipped",
                                        "FulfillmentChannel": "AFN", "LastUpdateDate": "2026-01-19T10:00:00Z",
                                        "OrderTotal": ["CurrencyCode": "USD", "Amount": "20.00"]],
                              "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "QuantityOrdered": 1,
                                                                    "ItemPrice": ["CurrencyCode": "USD", "Amount": "20.00"]]]]]])
        func chased() throws -> [String] {
            try engine.ok("sweep", ["at": "2026-01-21T12:00:00Z"])
            let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []
            return alerts.filter { $0["kind"] == "no_pickup" }.compactMap { alert in
                try? engine.ok("order.get", ["order_id": alert["order_id"] ?? .null])["external_id"]?.stringValue
            }
        }
        #expect(try chased() == ["60"])
        // The number named later, the parcel is chased like any other.
        let named = try engine.ok("intake.ingest", ["channel": "shopify", "at": .string(recorded),
                                                    "payload": fulfilled(62, "1Z62", at: "2026-01-19T10:00:00Z", updated: "2026-01-19T12:00:00Z")])
        #expect(named["events"]?.arrayValue?.first?["action"] == "tracking_added", "\(named.serialized)")
        #expect(try chased().sorted() == ["60", "62"])
    }

    /// A Shopify fulfillment made without a tracking number, the number added there later: the shipment recorded
    /// under none takes it, so the carrier's events find the order (they were `unknown_tracking` alerts, and the
    /// order never delivered by its carrier). A number recorded otherwise is never replaced.
    @Test func aTrackingNumberTheChannelAddsLaterFindsTheOrder() throws {
        func fulfilled(_ id: Int, _ number: JSON, hour: Int) -> JSON {
            shopify(id, financial: "paid", fulfillment: "fulfilled", extra: [
                "updated_at": .string("2026-01-19T1\(hour):00:00+08:00"),
                "fulfillments": [["status": "success", "tracking_company": "SF", "tracking_number": number,
                                  "created_at": "2026-01-19T09:00:00+08:00"]]])
        }
        let shipped = try ingest("shopify", fulfilled(43, .null, hour: 0))
        #expect(shipped["shipment"]?["tracking_no"] == "shopify-43", "\(shipped.serialized)")
        // The carrier's first scan comes before the number does: kept, and applied once the number is known.
        try engine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF43", "status": "in_transit",
                                         "time": "2026-01-19T02:00:00Z"])
        let named = try ingest("shopify", fulfilled(43, "SF43", hour: 1))
        #expect(named["action"] == "tracking_added" && named["tracking_added"]?.arrayValue?.first?["tracking_no"] == "SF43", "\(named.serialized)")
        #expect(try ingest("shopify", fulfilled(43, "SF43", hour: 2))["action"] == "unchanged")
        #expect(try engine.ok("order.get", ["order_id": shipped["order_id"] ?? .null])["shipments"]?.arrayValue?.first?["state"] == "in_transit")
        #expect(try engine.ok("tracking.event", ["carrier": "SF", "tracking_no": "SF43", "status": "delivered"])["matched"] == true)
        let order = try engine.ok("order.get", ["order_id": shipped["order_id"] ?? .null])
        #expect(order["state"] == "delivered" && order["shipments"]?.arrayValue?.count == 1)
        let timeline = try engine.ok("order.timeline", ["order_id": shipped["order_id"] ?? .null])
        #expect(timeline["events"]?.arrayValue?.contains { $0["command"] == "channel.tracking" } == true, "\(timeline.serialized)")
        // Shipped with its number: another number later that the payload does not tie to the same parcel changes
        // nothing.
        #expect(try ingest("shopify", fulfilled(44, "SF44", hour: 0))["state"] == "shipped")
        #expect(try ingest("shopify", fulfilled(44, "SF44B", hour: 1))["action"] == "unchanged")
        // Corrected by the channel on the same fulfillment (its `id`): a label printed again, one box of two replaced.
        func boxes(_ numbers: [String], hour: Int) -> JSON {
            shopify(45, financial: "paid", fulfillment: "fulfilled", extra: [
                "updated_at": .string("2026-01-19T1\(hour):00:00+08:00"),
                "fulfillments": [["id": 845, "status": "success", "tracking_company": "SF", "tracking_number": .string(numbers[0]),
                                  "tracking_numbers": .array(numbers.map(JSON.string)), "created_at": "2026-01-19T09:00:00+08:00"]]])
        }
        let two = try ingest("shopify", boxes(["SF45A", "SF45B"], hour: 0))
        let corrected = try ingest("shopify", boxes(["SF45A", "SF45C"], hour: 1))
        #expect(corrected["action"] == "tracking_added", "\(corrected.serialized)")
        #expect(corrected["tracking_added"]?.arrayValue?.first?["was"] == "SF45B")
        let tracked = try engine.ok("order.get", ["order_id": two["order_id"] ?? .null])["shipments"]?.arrayValue ?? []
        #expect(tracked.map { $0["tracking_no"] } == ["SF45A", "SF45C"])
        // Corrected in the event that ships the rest: the first part's parcel renamed, the rest's recorded.
        func part(_ fulfillments: [JSON], lines: [JSON], status: String, hour: Int) -> JSON {
            shopify(46, financial: "paid", fulfillment: .string(status), extra: [
                "updated_at": .string("2026-01-19T1\(hour):00:00+08:00"), "line_items": .array(lines),
                "fulfillments": .array(fulfillments)])
        }
        func fulfillment(_ id: Int, _ number: String) -> JSON {
            ["id": .int(Int64(id)), "status": "success", "tracking_company": "SF", "tracking_number": .string(number),
             "created_at": "2026-01-19T09:00:00+08:00"]
        }
        func line(_ id: Int, _ sku: String, shipped: Bool) -> JSON {
            ["id": .int(Int64(id)), "sku": .string(sku), "quantity": 1, "price": "10.00", "fulfillment_status": shipped ? "fulfilled" : .null]
        }
        let first = try ingest("shopify", part([fulfillment(461, "SF46A")], lines: [line(1, "A1", shipped: true), line(2, "B2", shipped: false)],
                                               status: "partial", hour: 0))
        let rest = try ingest("shopify", part([fulfillment(461, "SF46A2"), fulfillment(462, "SF46B")],
                                              lines: [line(1, "A1", shipped: true), line(2, "B2", shipped: true)], status: "fulfilled", hour: 1))
        #expect(rest["state"] == "shipped" && rest["tracking_added"]?.arrayValue?.first?["was"] == "SF46A", "\(rest.serialized)")
        let both = try engine.ok("order.get", ["order_id": first["order_id"] ?? .null])["shipments"]?.arrayValue ?? []
        #expect(both.map { $0["tracking_no"] } == ["SF46A2", "SF46B"])
        // A box added to a fulfillment recorded by its id is not taken for another part that has no number yet.
        func unnumbered(_ id: Int) -> JSON {
            ["id": .int(Int64(id)), "status": "success", "tracking_company": "SF", "tracking_number": .null,
             "created_at": "2026-01-19T09:00:00+08:00"]
        }
        func boxes48(_ numbers: [String]) -> JSON {
            ["id": 482, "status": "success", "tracking_company": "SF", "tracking_number": .string(numbers[0]),
             "tracking_numbers": .array(numbers.map(JSON.string)), "created_at": "2026-01-19T10:00:00+08:00"]
        }
        func order48(_ fulfillments: [JSON], shippedB2: Bool, hour: Int) -> JSON {
            shopify(48, financial: "paid", fulfillment: shippedB2 ? "fulfilled" : "partial", extra: [
                "updated_at": .string("2026-01-19T1\(hour):00:00+08:00"), "fulfillments": .array(fulfillments),
                "line_items": [line(1, "A1", shipped: true), line(2, "B2", shipped: shippedB2)]])
        }
        let placeholder = try ingest("shopify", order48([unnumbered(481)], shippedB2: false, hour: 0))
        try ingest("shopify", order48([unnumbered(481), boxes48(["SF48B"])], shippedB2: true, hour: 1))
        #expect(try ingest("shopify", order48([unnumbered(481), boxes48(["SF48B", "SF48C"])], shippedB2: true, hour: 2))["action"] == "unchanged")
        let kept = try engine.ok("order.get", ["order_id": placeholder["order_id"] ?? .null])["shipments"]?.arrayValue ?? []
        #expect(kept.map { $0["tracking_no"] } == ["shopify-48", "SF48B"])
    }

    /// An order first seen after an edit at the channel took an item off (Shopify keeps it in `line_items` with
    /// `current_quantity` 0) is compared as a later event is: the `channel_lines_changed` alert tells a person
    /// before the item ships (it once shipped unnoticed). A currency written in lower case is the same currency.
    @Test func aNewOrderWithAnItemEditedOutAlertsAndItsCurrencyIsReadInAnyCase() throws {
        let edited = shopify(21, financial: "paid", extra: [
            "currency": "cny",
            "line_items": [["id": 1, "sku": "A1", "quantity": 1, "current_quantity": 1, "fulfillable_quantity": 1, "price": "50.00"],
                           ["id": 2, "sku": "B2", "quantity": 1, "current_quantity": 0, "fulfillable_quantity": 0, "price": "30.00"]]])
        let event = try ingest("shopify", edited)
        #expect(event["state"] == "paid" && event["alert"] == "channel_lines_changed", "\(event.serialized)")
        #expect(try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])["currency"] == "CNY")
        #expect(try ingest("shopify", shopify(22, financial: "paid"))["alert"] == nil, "an order as placed alerts nothing")
    }

    /// Part of an order held for a chargeback shipped by the channel all the same: what left has left, and the
    /// rest stays held (it once went back to partly shipped, free to ship); the chargeback won, it is partly
    /// shipped again. A channel's own hold on what is left of an order it shipped part of is lifted by its word.
    @Test func theRestOfAHeldOrderTheChannelShippedPartOfStaysHeld() throws {
        let paid = try ingest("shopify", shopify(31, financial: "paid"))
        let id = paid["order_id"] ?? .null
        try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-31"])
        let part = try ingest("shopify", shopify(31, financial: "paid", fulfillment: "partial", extra: [
            "updated_at": "2026-01-19T10:00:00+08:00",
            "line_items": [["id": 1, "sku": "A1", "quantity": 2, "current_quantity": 2, "fulfillable_quantity": 1, "price": "50.00"]]]))
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(part["state"] == "on_hold" && order["held_from"] == "partially_shipped", "\(part.serialized)")
        #expect(order["lines"]?.arrayValue?.first?["shipped"] == 1)
        #expect(try engine.ok("order.dispute", ["order_id": id, "dispute_ref": "CB-31", "status": "won"])["state"] == "partially_shipped")

        // Taobao holds a trade whose buyer asked for a refund, then the seller consigns one sub-order there: the rest
        // waits held; Taobao's next word (the refund refused, the trade partly consigned) lifts its hold.
        func trade(_ refund: String, _ first: String, status: String, modified: String) -> JSON {
            ["trade": ["tid": "5031", "created": "2026-01-18 18:00:00", "status": .string(status), "post_fee": "0.00",
                       "payment": "50.00", "modified": .string(modified),
                       "orders": ["order": [["oid": "1", "outer_sku_id": "A1", "num": 1, "price": "20.00", "total_fee": "20.00",
                                             "payment": "20.00", "status": .string(first), "refund_status": "NO_REFUND"],
                                            ["oid": "2", "outer_sku_id": "B2", "num": 1, "price": "30.00", "total_fee": "30.00",
                                             "payment": "30.00", "status": "WAIT_SELLER_SEND_GOODS", "refund_status": .string(refund)]]]]]
        }
        #expect(try ingest("taobao", trade("WAIT_SELLER_AGREE", "WAIT_SELLER_SEND_GOODS", status: "WAIT_SELLER_SEND_GOODS",
                                           modified: "1"))["state"] == "on_hold")
        let consigned = try ingest("taobao", trade("WAIT_SELLER_AGREE", "WAIT_BUYER_CONFIRM_GOODS", status: "WAIT_SELLER_SEND_GOODS",
                                                   modified: "2"))
        #expect(consigned["state"] == "on_hold", "\(consigned.serialized)")
        let lifted = try ingest("taobao", trade("SELLER_REFUSE_BUYER", "WAIT_BUYER_CONFIRM_GOODS", status: "SELLER_CONSIGNED_PART",
                                                modified: "3"))
        #expect(lifted["state"] == "partially_shipped" && lifted["action"] == "released", "\(lifted.serialized)")
    }

    /// A line of no units (Amazon lists an item cancelled at the channel with `QuantityOrdered` 0) is set aside,
    /// not a dead letter that loses the order (it once was: "qty must be a positive integer"); an order whose every
    /// line has none, and that the channel reports cancelled, cancels the order here; one of no stock is skipped.
    @Test func aLineOfNoUnitsIsSetAsideAndAnOrderOfNoneCancels() throws {
        func order(_ status: String, a1: Int64, b2: Int64) -> JSON {
            ["order": ["payload": ["AmazonOrderId": "118-1", "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": .string(status),
                                   "LastUpdateDate": .string("2026-01-18T1\(a1 + b2):00:00Z"), "FulfillmentChannel": "MFN",
                                   "OrderTotal": ["CurrencyCode": "USD", "Amount": "20.00"]]],
             "items": ["payload": ["OrderItems": [
                ["SellerSKU": "A1", "QuantityOrdered": .int(a1), "ItemPrice": ["CurrencyCode": "USD", "Amount": a1 == 0 ? "0.00" : "20.00"]],
                ["SellerSKU": "B2", "QuantityOrdered": .int(b2), "ItemPrice": ["CurrencyCode": "USD", "Amount": "0.00"]]]]]]
        }
        let placed = try ingest("amazon", order("Unshipped", a1: 1, b2: 0))
        #expect(placed["state"] == "paid" && placed["not_stock"]?.arrayValue?.first?["sku"] == "B2", "\(placed.serialized)")
        #expect(try stock() == (10, 1))
        let cancelled = try ingest("amazon", order("Canceled", a1: 0, b2: 0))
        #expect(cancelled["type"] == "cancel" && cancelled["state"] == "cancelled", "\(cancelled.serialized)")
        #expect(try stock() == (10, 0))
        // An order with no stock at all (a gift card sent by e-mail) is skipped, cancelled or not: nothing waits.
        let card = try ingest("shopify", shopify(41, financial: "refunded", cancelledAt: "2026-01-18T11:00:00+08:00", extra: [
            "line_items": [["id": 1, "title": "Gift card", "quantity": 1, "price": "25.00", "gift_card": true,
                            "requires_shipping": false]]]))
        #expect(card["type"] == "skip", "\(card.serialized)")
    }

    /// Amazon's Orders API says nothing of refunds; its Finances API does (`listFinancialEventsByOrderId`,
    /// `RefundEventList`): what the buyer got back is the charges and promotions reversed (the seller's fees
    /// are not the buyer's money), for the units adjusted, once per event.
    @Test func amazonRefundsComeFromItsFinancialEvents() throws {
        let order: JSON = [
            "order": ["AmazonOrderId": "111-9", "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": "Shipped",
                      "FulfillmentChannel": "MFN", "OrderTotal": ["CurrencyCode": "USD", "Amount": "40.00"]],
            "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "ASIN": "B0", "QuantityOrdered": 2,
                                                 "ItemPrice": ["CurrencyCode": "USD", "Amount": "40.00"]]]]]]
        let shipped = try ingest("amazon", order)
        func money(_ v: String) -> JSON { ["CurrencyCode": "USD", "CurrencyAmount": .number(v)] }
        let events: JSON = ["payload": ["FinancialEvents": [
            "ShipmentEventList": [["AmazonOrderId": "111-9", "PostedDate": "2026-01-19T01:00:00Z", "ShipmentItemList": []]],
            "RefundEventList": [["AmazonOrderId": "111-9", "PostedDate": "2026-01-25T22:56:41Z",
                                 "OrderChargeAdjustmentList": [["ChargeType": "ShippingCharge", "ChargeAmount": money("-0.50")]],
                                 "ShipmentItemAdjustmentList": [[
                "SellerSKU": "A1", "QuantityShipped": -1,
                "ItemChargeAdjustmentList": [["ChargeType": "Principal", "ChargeAmount": money("-20.00")],
                                             ["ChargeType": "Tax", "ChargeAmount": money("-1.60")]],
                "ItemFeeAdjustmentList": [["FeeType": "Commission", "FeeAmount": money("3.00")]],
                "PromotionAdjustmentList": [["PromotionAmount": money("1.50")]]]]]],
            "ServiceFeeEventList": []]]]
        let outcome = try engine.ok("intake.ingest", ["channel": "amazon", "payload": events])
        #expect(outcome["events"]?.arrayValue?.map { $0["action"] ?? $0["type"] ?? .null } == ["refunded", "skip"], "\(outcome.serialized)")
        let doc = try engine.ok("order.get", ["order_id": shipped["order_id"] ?? .null])
        #expect(doc["refunded_total"] == "20.60" && doc["lines"]?.arrayValue?.first?["refunded"] == 1, "\(doc.serialized)")
        // The same events again, fetched later with more in them: the refund once.
        var later = events.objectValue ?? [:]
        later["pagination"] = ["NextToken": "x"]
        #expect(try engine.ok("intake.ingest", ["channel": "amazon", "payload": .object(later)])["events"]?.arrayValue?.first?["action"] == "unchanged")
        #expect(try engine.ok("order.get", ["order_id": shipped["order_id"] ?? .null])["refunded_total"] == "20.60")
    }

    /// A Shopify GraphQL order carries its disputes (id, `initiatedAs`, `status`, no amount): named as REST names
    /// them, recorded as the order stands (a stale payload's are the past), and one that cannot be recorded (the
    /// order not paid) loses nothing of the order.
    @Test func aShopifyGraphQLOrderCarriesItsDisputes() throws {
        try engine.ok("channel.upsert", ["channel": "gql", "profile": "shopify_graphql"])
        func order(_ id: Int, _ status: String, _ financial: String = "PAID", updated: String) -> JSON {
            ["data": ["order": [
                "id": .string("gid://shopify/Order/\(id)"), "createdAt": "2026-10-31T00:00:00Z", "updatedAt": .string(updated),
                "displayFinancialStatus": .string(financial), "displayFulfillmentStatus": "UNFULFILLED",
                "totalPriceSet": ["shopMoney": ["amount": "20.00", "currencyCode": "USD"]],
                "lineItems": ["edges": [["node": ["id": "gid://shopify/LineItem/1", "sku": "A1", "quantity": 2,
                                                   "originalUnitPriceSet": ["shopMoney": ["amount": "10.00"]]]]]],
                "disputes": [["id": .string("gid://shopify/ShopifyPaymentsDispute/\(id)"), "initiatedAs": "CHARGEBACK",
                              "status": .string(status)]]]]]
        }
        func get(_ event: JSON) throws -> JSON { try engine.ok("order.get", ["order_id": event["order_id"] ?? .null]) }
        let held = try get(try ingest("gql", order(77, "NEEDS_RESPONSE", updated: "2026-11-01T00:00:00Z")))
        #expect(held["state"] == "on_hold" && held["charged_back"] == "20.00", "a new one is of what was paid")
        #expect(held["disputes"]?.arrayValue?.first?["dispute_ref"] == "shopify-dispute-77", "named as REST names it")
        let won = try get(try ingest("gql", order(77, "WON", updated: "2026-11-02T00:00:00Z")))
        #expect(won["state"] == "paid" && won["charged_back"] == "0.00")
        let stale = try get(try ingest("gql", order(77, "LOST", updated: "2026-11-01T12:00:00Z")))
        #expect(stale["state"] == "paid" && stale["disputes"]?.arrayValue?.first?["status"] == "won")
        let outcome = try engine.ok("intake.ingest", ["channel": "gql", "payload": order(78, "NEEDS_RESPONSE", "PENDING", updated: "2026-11-01T00:00:00Z")])
        let event = outcome["events"]?.arrayValue?.first
        #expect(event?["state"] == "pending_payment" && event?["disputes"]?.arrayValue?.first?["outcome"] == "not_recorded",
                "\(outcome.serialized)")
    }

    /// A Shopify GraphQL order carries its fraud analysis (`risk.assessments`): a high verdict holds it before it
    /// ships, named by its provider as the `orders/risk_assessment_changed` webhook names it (Shopify's own when it
    /// names no app); a pending one says nothing, and the same verdict again changes nothing.
    @Test func aShopifyGraphQLOrderCarriesItsFraudAnalysis() throws {
        try engine.ok("channel.upsert", ["channel": "gql", "profile": "shopify_graphql"])
        func order(_ level: String, updated: String) -> JSON {
            ["data": ["order": [
                "id": "gid://shopify/Order/81", "createdAt": "2026-10-31T00:00:00Z", "updatedAt": .string(updated),
                "displayFinancialStatus": "PAID", "displayFulfillmentStatus": "UNFULFILLED",
                "totalPriceSet": ["shopMoney": ["amount": "10.00", "currencyCode": "USD"]],
                "lineItems": ["edges": [["node": ["id": "gid://shopify/LineItem/1", "sku": "A1", "quantity": 1,
                                                   "originalUnitPriceSet": ["shopMoney": ["amount": "10.00"]]]]]],
                "risk": ["recommendation": "CANCEL", "assessments": [
                    ["riskLevel": .string(level), "provider": .null],
                    ["riskLevel": "PENDING", "provider": ["id": "gid://shopify/App/5", "title": "Signifyd"]]]]]]]
        }
        let first = try ingest("gql", order("HIGH", updated: "2026-11-01T00:00:00Z"))
        #expect(first["state"] == "on_hold" && first["risks"]?.arrayValue?.map { $0["outcome"] } == ["recorded"], "\(first.serialized)")
        let reports = try engine.ok("risk.get", ["order_id": first["order_id"] ?? .null])["reports"]?.arrayValue
        #expect(reports?.map { $0["source"] } == ["shopify-risk-provider-shopify"])
        let again = try ingest("gql", order("HIGH", updated: "2026-11-02T00:00:00Z"))
        #expect(again["risks"]?.arrayValue?.map { $0["outcome"] } == ["unchanged"])
    }

    /// Amazon's finances list A-to-z guarantee claims it granted (`GuaranteeClaimEventList`: the buyer refunded,
    /// as a refund is) and chargebacks the buyer's bank won (`ChargebackEventList`: a lost chargeback, which holds
    /// what has not shipped and caps refunds), in the same shape as its refunds.
    @Test func amazonClaimsAreRefundsAndItsChargebacksAreLost() throws {
        let order: JSON = [
            "order": ["AmazonOrderId": "111-7", "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": "Unshipped",
                      "FulfillmentChannel": "MFN", "OrderTotal": ["CurrencyCode": "USD", "Amount": "40.00"]],
            "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "OrderItemId": "71", "QuantityOrdered": 2,
                                                 "ItemPrice": ["CurrencyCode": "USD", "Amount": "40.00"]]]]]]
        let paid = try ingest("amazon", order)
        func money(_ v: String) -> JSON { ["CurrencyCode": "USD", "CurrencyAmount": .number(v)] }
        func event(_ at: String, _ amount: String, qty: Int64) -> JSON {
            ["AmazonOrderId": "111-7", "PostedDate": .string(at), "ShipmentItemAdjustmentList": [[
                "SellerSKU": "A1", "OrderItemId": "71", "QuantityShipped": .int(qty),
                "ItemChargeAdjustmentList": [["ChargeType": "Principal", "ChargeAmount": money(amount)]],
                "ItemFeeAdjustmentList": [["FeeType": "Commission", "FeeAmount": money("3.00")]]]]]
        }
        let events: JSON = ["payload": ["FinancialEvents": [
            "GuaranteeClaimEventList": [event("2026-01-25T10:00:00Z", "-20.00", qty: -1)],
            "ChargebackEventList": [event("2026-01-26T10:00:00Z", "-20.00", qty: 1)]]]]
        let outcome = try engine.ok("intake.ingest", ["channel": "amazon", "payload": events])
        #expect(outcome["events"]?.arrayValue?.compactMap { $0["action"]?.stringValue }.sorted() == ["disputed", "refunded"],
                "\(outcome.serialized)")
        let doc = try engine.ok("order.get", ["order_id": paid["order_id"] ?? .null])
        #expect(doc["refunded_total"] == "20.00" && doc["charged_back"] == "20.00" && doc["state"] == "on_hold",
                "the buyer has all of it back: the unit left waits for a person \(doc.serialized)")
        #expect(doc["lines"]?.arrayValue?.first?["cancelled"] == 1, "the claim's unit does not ship")
        #expect(doc["disputes"]?.arrayValue?.first?["status"] == "lost")
        #expect(engine.fails("order.refund", ["order_id": paid["order_id"] ?? .null, "amount": "0.01"]) == .conflict)
    }

    /// A seller-fulfilled Amazon order paid at the door (v0 `PaymentMethod` `COD`) has not been paid when Amazon
    /// says `Unshipped`: the seller's carrier collects the cash. Amazon-fulfilled, Amazon collects: paid.
    @Test func amazonSellerFulfilledCashOnDeliveryOrdersAreUnpaidUntilCollected() throws {
        func amazon(_ id: String, _ status: String, channel: String = "MFN", method: JSON = "COD") -> JSON {
            ["order": ["AmazonOrderId": .string(id), "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": .string(status),
                       "FulfillmentChannel": .string(channel), "PaymentMethod": method,
                       "PaymentMethodDetails": method == .null ? .null : [method],
                       "OrderTotal": ["CurrencyCode": "JPY", "Amount": "2000"]],
             "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "ASIN": "B0", "QuantityOrdered": 2, "QuantityShipped": 0,
                                                   "ItemPrice": ["CurrencyCode": "JPY", "Amount": "2000"]]]]]]
        }
        let placed = try ingest("amazon", amazon("249-1", "Unshipped"))
        let id = placed["order_id"] ?? .null
        var doc = try engine.ok("order.get", ["order_id": id])
        #expect(placed["state"] == "pending_payment" && doc["cash_on_delivery"] == true && doc["paid_total"] == "0", "\(doc.serialized)")
        #expect(try stock() == (10, 2), "its stock is held for good")
        try engine.ok("order.allocate", ["order_id": id])
        let shipped = try ingest("amazon", amazon("249-1", "Shipped"))
        doc = try engine.ok("order.get", ["order_id": id])
        #expect(shipped["state"] == "shipped" && doc["payment_status"] == "unpaid", "\(doc.serialized)")
        try engine.ok("order.pay", ["order_id": id, "payment_ref": "yamato-remit-0118"])
        #expect(try engine.ok("order.get", ["order_id": id])["paid_total"] == "2000")
        // Shipped before OrderCore saw it: shipped, still unpaid.
        let late = try ingest("amazon", amazon("249-2", "Shipped"))
        #expect(try late["state"] == "shipped" && engine.ok("order.get", ["order_id": late["order_id"] ?? .null])["paid_total"] == "0")
        // Amazon fulfils it, Amazon collects; and an order paid online is paid.
        let afn = try ingest("amazon", amazon("249-3", "Unshipped", channel: "AFN"))
        #expect(try afn["state"] == "on_hold" && engine.ok("order.get", ["order_id": afn["order_id"] ?? .null])["paid_total"] == "2000")
        #expect(try ingest("amazon", amazon("249-4", "Unshipped", method: "Other"))["state"] == "paid")
        #expect(try ingest("amazon", amazon("249-5", "Unshipped", method: .null))["state"] == "paid")
    }

    /// Amazon v0 lists the parts of a cash-on-delivery order paid otherwise (`PaymentExecutionDetail`: a gift card,
    /// Amazon Points): Amazon collected them, so only the `COD` part is owed at the door. Before, the whole total
    /// stayed owed: the carrier's remittance left the order unpaid, and chased, for what Amazon had collected.
    @Test func amazonCashOnDeliveryPaidInPartByGiftCardOrPointsOwesOnlyTheRest() throws {
        func amazon(_ id: String, _ parts: [(String, String)]?) -> JSON {
            var order: JSONObject = ["AmazonOrderId": .string(id), "PurchaseDate": "2026-01-18T10:00:00Z",
                                     "OrderStatus": "Unshipped", "FulfillmentChannel": "MFN", "PaymentMethod": "COD",
                                     "OrderTotal": ["CurrencyCode": "JPY", "Amount": "2000"]]
            if let parts {
                order["PaymentExecutionDetail"] = .array(parts.map {
                    ["Payment": ["CurrencyCode": "JPY", "Amount": .string($0.1)], "PaymentMethod": .string($0.0)]
                })
            }
            return ["order": .object(order),
                    "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "ASIN": "B0", "QuantityOrdered": 2,
                                                          "ItemPrice": ["CurrencyCode": "JPY", "Amount": "2000"]]]]]]
        }
        let placed = try ingest("amazon", amazon("251-1", [("COD", "1200"), ("GC", "500"), ("PointsAccount", "300")]))
        let id = placed["order_id"] ?? .null
        var doc = try engine.ok("order.get", ["order_id": id])
        #expect(placed["action"] == "created" && placed["state"] == "pending_payment")
        #expect(doc["paid_total"] == "800" && doc["balance_due"] == "1200"
                && doc["payment_status"] == "partially_paid", "\(doc.serialized)")
        #expect(doc["payments"]?.arrayValue?.first?["payment_ref"] == "amazon:251-1:prepaid")
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pay", ["order_id": id, "amount": "1200", "payment_ref": "yamato-remit-0120"])
        doc = try engine.ok("order.get", ["order_id": id])
        #expect(doc["payment_status"] == "paid" && doc["balance_due"] == "0", "\(doc.serialized)")
        // All at the door, or no breakdown: the whole total is owed; cancelled, what was paid ahead is owed back.
        for (n, parts) in [("2", [("COD", "2000")]), ("3", nil)] as [(String, [(String, String)]?)] {
            let other = try ingest("amazon", amazon("251-" + n, parts))
            #expect(try engine.ok("order.get", ["order_id": other["order_id"] ?? .null])["paid_total"] == "0")
        }
        let gift = try ingest("amazon", amazon("251-4", [("COD", "1500"), ("GC", "500")]))
        doc = try engine.ok("order.cancel", ["order_id": gift["order_id"] ?? .null])
        #expect(doc["refund_due"] == "500", "\(doc.serialized)")
        // Said to be paid ahead beyond its total: a warning, and the whole total is owed.
        let over = try ingest("amazon", amazon("251-5", [("GC", "2500")]))
        #expect(over["warnings"]?.arrayValue?.first?["code"] == "prepaid_mismatch", "\(over.serialized)")
        #expect(try engine.ok("order.get", ["order_id": over["order_id"] ?? .null])["paid_total"] == "0")
    }

    /// A Shopify cash-on-delivery order paid in part online (a gift card) is `partially_paid` with the rest in
    /// `total_outstanding` (GraphQL `totalOutstandingSet`): the part paid is recorded, the rest paid when Shopify
    /// reports it paid.
    @Test func aShopifyCashOnDeliveryOrderPaidInPartOwesTheOutstandingRest() throws {
        let cod: JSONObject = ["payment_gateway_names": ["gift_card", "Cash on Delivery (COD)"], "total_price": "100.00",
                               "total_outstanding": "60.00", "updated_at": "2026-01-18T10:00:00+08:00"]
        let placed = try ingest("shopify", shopify(7101, financial: "partially_paid", extra: cod))
        let id = placed["order_id"] ?? .null
        var doc = try engine.ok("order.get", ["order_id": id])
        #expect(doc["cash_on_delivery"] == true && doc["paid_total"] == "40.00" && doc["balance_due"] == "60.00",
                "\(doc.serialized)")
        var paid = cod
        paid["total_outstanding"] = "0.00"
        paid["updated_at"] = "2026-01-19T10:00:00+08:00"
        try ingest("shopify", shopify(7101, financial: "paid", extra: paid))
        doc = try engine.ok("order.get", ["order_id": id])
        #expect(doc["paid_total"] == "100.00" && doc["payment_status"] == "paid", "\(doc.serialized)")
        // Without `total_outstanding` nothing is taken as paid ahead.
        var bare = cod
        bare["total_outstanding"] = nil
        let older = try ingest("shopify", shopify(7102, financial: "pending", extra: bare))
        #expect(try engine.ok("order.get", ["order_id": older["order_id"] ?? .null])["paid_total"] == "0.00")
        #expect(placed["state"] == "pending_payment" && placed["warnings"] == nil, "\(placed.serialized)")
    }

    /// An order first seen cancelled (a sync that was down, an import of history) after the channel took its money:
    /// what it paid is recorded, and owed back until the channel reports the refund — as for an order seen before.
    /// Voided (never captured) records nothing; none of them takes or sells stock.
    @Test func anOrderFirstSeenCancelledRecordsTheMoneyTheChannelTook() throws {
        let before = try stock()
        let refund: JSON = [["id": 9, "created_at": "2026-01-18T11:00:00+08:00", "refund_line_items": [],
                             "transactions": [["amount": "30.00", "kind": "refund", "status": "success"]]]]
        for (id, financial, extra, paid, refunded, due) in [
            (7301, "paid", [:], "100.00", "0.00", "100.00"),
            (7302, "refunded", [:], "100.00", "100.00", "0.00"),
            (7303, "voided", [:], "0.00", "0.00", "0.00"),
            (7304, "partially_refunded", ["refunds": refund], "100.00", "30.00", "70.00"),
            (7305, "partially_paid", ["total_price": "100.00", "total_outstanding": "60.00"], "40.00", "0.00", "40.00"),
            (7306, "pending", [:], "0.00", "0.00", "0.00"),
        ] as [(Int, String, JSONObject, String, String, String)] {
            let event = try ingest("shopify", shopify(id, financial: financial, cancelledAt: "2026-01-18T12:00:00+08:00", extra: extra))
            #expect(event["state"] == "cancelled", "\(event.serialized)")
            let doc = try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])
            #expect(doc["paid_total"] == .string(paid) && doc["refunded_total"] == .string(refunded)
                    && doc["refund_due"] == .string(due), "\(financial): \(doc.serialized)")
        }
        #expect(try stock() == before)
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    /// Shopify `partially_paid` without cash on delivery (a deposit, payment terms, a split payment): what was
    /// paid (`current_total_price` less `total_outstanding`) is recorded as the order's deposit, its stock held;
    /// the rest is paid when Shopify says `paid`, owed when it ships first, and what was paid is owed back when it
    /// is cancelled.
    @Test func aShopifyOrderPaidInPartRecordsThePartPaid() throws {
        let part: JSONObject = ["total_price": "100.00", "current_total_price": "100.00", "total_outstanding": "60.00",
                                "updated_at": "2026-01-18T10:00:00+08:00"]
        func later(_ fields: JSONObject, _ hour: Int) -> JSONObject {
            fields.merging(["updated_at": .string("2026-01-18T1\(hour):00:00+08:00")])
        }
        let before = try stock()
        let placed = try ingest("shopify", shopify(7201, financial: "partially_paid", extra: part))
        #expect(placed["action"] == "created_deposit_paid" && placed["state"] == "deposit_paid", "\(placed.serialized)")
        let id = placed["order_id"] ?? .null
        var doc = try engine.ok("order.get", ["order_id": id])
        #expect(doc["paid_total"] == "40.00" && doc["deposit"] == "40.00" && doc["balance_due"] == "60.00", "\(doc.serialized)")
        #expect(try stock().reserved == before.reserved + 2)
        #expect(try ingest("shopify", shopify(7201, financial: "partially_paid", extra: later(part, 1)))["action"] == "unchanged")
        let paid = try ingest("shopify", shopify(7201, financial: "paid", extra: later(part, 2).merging(["total_outstanding": "0.00"])))
        #expect(paid["action"] == "paid" && paid["state"] == "paid", "\(paid.serialized)")
        #expect(try engine.ok("order.get", ["order_id": id])["paid_total"] == "100.00")

        // Seen unpaid first, then paid in part.
        let pending = try ingest("shopify", shopify(7202, financial: "pending", extra: part))
        let partly = try ingest("shopify", shopify(7202, financial: "partially_paid", extra: later(part, 1)))
        #expect(partly["action"] == "deposit_paid" && partly["order_id"] == pending["order_id"], "\(partly.serialized)")
        // Cancelled there with the money it took not yet given back: owed.
        let cancelled = try ingest("shopify", shopify(7202, financial: "partially_paid", cancelledAt: "2026-01-18T13:00:00+08:00",
                                                      extra: later(part, 2)))
        doc = try engine.ok("order.get", ["order_id": cancelled["order_id"] ?? .null])
        #expect(doc["state"] == "cancelled" && doc["refund_due"] == "40.00", "\(doc.serialized)")

        // Fulfilled before the rest is paid: shipped, the rest owed.
        _ = try ingest("shopify", shopify(7203, financial: "partially_paid", extra: part))
        let shipped = try ingest("shopify", shopify(7203, financial: "partially_paid", fulfillment: "fulfilled", extra: later(part, 1)))
        doc = try engine.ok("order.get", ["order_id": shipped["order_id"] ?? .null])
        #expect(doc["state"] == "shipped" && doc["paid_total"] == "40.00" && doc["balance_due"] == "60.00", "\(doc.serialized)")
        // First seen so, or fulfilled while it waited unpaid: the part is recorded all the same, once.
        for (id, first) in [(7205, nil), (7206, "pending")] as [(Int, String?)] {
            if let first { _ = try ingest("shopify", shopify(id, financial: first, extra: part)) }
            let gone = try ingest("shopify", shopify(id, financial: "partially_paid", fulfillment: "fulfilled", extra: later(part, 1)))
            #expect(gone["state"] == "shipped", "\(gone.serialized)")
            _ = try ingest("shopify", shopify(id, financial: "partially_paid", fulfillment: "fulfilled", extra: later(part, 2)))
            doc = try engine.ok("order.get", ["order_id": gone["order_id"] ?? .null])
            #expect(doc["paid_total"] == "40.00" && doc["balance_due"] == "60.00", "\(doc.serialized)")
            let paid = try ingest("shopify", shopify(id, financial: "paid", fulfillment: "fulfilled",
                                                    extra: later(part, 3).merging(["total_outstanding": "0.00"])))
            doc = try engine.ok("order.get", ["order_id": paid["order_id"] ?? .null])
            #expect(doc["paid_total"] == "100.00" && doc["payment_status"] == "paid", "\(doc.serialized)")
        }

        // Without what is outstanding the part paid is unknown: unpaid, and said so.
        var bare = part
        bare["total_outstanding"] = nil
        let unknown = try ingest("shopify", shopify(7204, financial: "partially_paid", extra: bare))
        #expect(unknown["state"] == "pending_payment", "\(unknown.serialized)")
        #expect(unknown["warnings"]?.arrayValue?.first?["code"] == "deposit_not_recorded", "\(unknown.serialized)")
    }

    /// Shopify says `partially_refunded` when less than was paid went back, whether or not the order was paid in
    /// full: with `total_outstanding` above 0 it is still paid in part (the profile's `paid_in_part`). What was
    /// paid (`current_total_price` less `total_outstanding`, plus what was refunded) is its deposit, the refunds
    /// come off it, and the rest is owed; shipped first, the part is recorded before the refunds the payload
    /// carries (units refunded before it shipped do not ship). A paid order refunded in part is paid in full.
    @Test func aShopifyOrderPaidInPartAndRefundedInPartIsStillPaidInPart() throws {
        func refund(_ id: Int, _ amount: String, units: Int = 0) -> JSON {
            ["id": .int(Int64(id)), "created_at": "2026-01-18T11:00:00+08:00",
             "transactions": [["amount": .string(amount), "kind": "refund", "status": "success"]],
             "refund_line_items": units == 0 ? [] : [["quantity": .int(Int64(units)), "restock_type": "cancel",
                                                      "line_item": ["sku": "A1"]]]]
        }
        func order(_ id: Int, _ financial: String, current: String, outstanding: String, refunds: [JSON], hour: Int = 2,
                   fulfillment: JSON = .null, cancelledAt: JSON = .null) -> JSON {
            shopify(id, financial: financial, fulfillment: fulfillment, cancelledAt: cancelledAt, extra: [
                "total_price": "100.00", "current_total_price": .string(current), "total_outstanding": .string(outstanding),
                "updated_at": .string("2026-01-18T1\(hour):00:00+08:00"), "refunds": .array(refunds),
                "fulfillments": fulfillment == .null ? [] : [["status": "success", "tracking_company": "SF",
                                                              "tracking_number": .string("SF\(id)"),
                                                              "created_at": "2026-01-18T12:00:00+08:00"]]])
        }
        func money(_ event: JSON) throws -> [JSON?] {
            let doc = try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])
            return [doc["state"], doc["paid_total"], doc["refunded_total"], doc["balance_due"], doc["refund_due"]]
        }
        // 40.00 paid of 100.00, then 10.00 of it given back: 30.00 kept, 60.00 still to pay.
        let placed = try ingest("shopify", order(7401, "partially_paid", current: "100.00", outstanding: "60.00", refunds: [],
                                                 hour: 0))
        let refunded = try ingest("shopify", order(7401, "partially_refunded", current: "90.00", outstanding: "60.00",
                                                   refunds: [refund(7401, "10.00")], hour: 1))
        #expect(refunded["order_id"] == placed["order_id"])
        #expect(try money(refunded) == ["deposit_paid", "40.00", "10.00", "60.00", "0.00"], "\(refunded.serialized)")
        // The rest paid: paid in full, the refund still given back.
        let paid = try ingest("shopify", order(7401, "partially_refunded", current: "90.00", outstanding: "0.00",
                                               refunds: [refund(7401, "10.00")]))
        #expect(try money(paid) == ["paid", "100.00", "10.00", "0.00", "0.00"], "\(paid.serialized)")
        // First seen so: the same.
        let first = try ingest("shopify", order(7402, "partially_refunded", current: "90.00", outstanding: "60.00",
                                                refunds: [refund(7402, "10.00")]))
        #expect(try money(first) == ["deposit_paid", "40.00", "10.00", "60.00", "0.00"], "\(first.serialized)")
        // Cancelled: what was kept is owed back.
        let cancelled = try ingest("shopify", order(7403, "partially_refunded", current: "90.00", outstanding: "60.00",
                                                    refunds: [refund(7403, "10.00")], cancelledAt: "2026-01-18T13:00:00+08:00"))
        #expect(try money(cancelled) == ["cancelled", "40.00", "10.00", "0.00", "30.00"], "\(cancelled.serialized)")
        // 90.00 paid, one unit (50.00) refunded before the rest shipped: that unit does not leave; 10.00 still owed.
        let before = try stock()
        let shipped = try ingest("shopify", order(7404, "partially_refunded", current: "50.00", outstanding: "10.00",
                                                  refunds: [refund(7404, "50.00", units: 1)], fulfillment: "fulfilled"))
        #expect(try money(shipped) == ["shipped", "90.00", "50.00", "10.00", "0.00"], "\(shipped.serialized)")
        #expect(try stock() == (before.onHand - 1, before.reserved), "one unit left, one never did")
        // Paid in full and refunded in part: paid, nothing owed.
        let goodwill = try ingest("shopify", order(7405, "partially_refunded", current: "90.00", outstanding: "0.00",
                                                   refunds: [refund(7405, "10.00")]))
        #expect(try money(goodwill) == ["paid", "100.00", "10.00", "0.00", "0.00"], "\(goodwill.serialized)")
        // Cancelled and `refunded`: all it was paid went back, and its refunds say how much that was (40.00 of
        // 100.00), first seen so or not; nothing is owed back. Refunded whole, it was paid in full.
        let whole = "2026-01-18T13:00:00+08:00"
        let partRefunded = try ingest("shopify", order(7406, "refunded", current: "0.00", outstanding: "0.00",
                                                       refunds: [refund(7406, "40.00", units: 2)], cancelledAt: .string(whole)))
        #expect(partRefunded["action"] == "created_cancelled")
        #expect(try money(partRefunded) == ["cancelled", "40.00", "40.00", "0.00", "0.00"], "\(partRefunded.serialized)")
        _ = try ingest("shopify", order(7407, "pending", current: "100.00", outstanding: "100.00", refunds: [], hour: 1))
        let missed = try ingest("shopify", order(7407, "refunded", current: "0.00", outstanding: "0.00",
                                                 refunds: [refund(7407, "40.00", units: 2)], cancelledAt: .string(whole)))
        #expect(missed["action"] == "cancelled")
        #expect(try money(missed) == ["cancelled", "40.00", "40.00", "0.00", "0.00"], "\(missed.serialized)")
        let full = try ingest("shopify", order(7408, "refunded", current: "0.00", outstanding: "0.00",
                                               refunds: [refund(7408, "100.00", units: 2)], cancelledAt: .string(whole)))
        #expect(try money(full) == ["cancelled", "100.00", "100.00", "0.00", "0.00"], "\(full.serialized)")
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    /// A channel's payment of an order held here before it was paid (a person's check, a risk review) is recorded
    /// where it is: the order stays held, and is released paid. It was dropped (the event said `unchanged`), and the
    /// order was released unpaid though the channel had the money.
    @Test func aChannelsPaymentOfAHeldOrderIsRecordedAndTheHoldStays() throws {
        let pending = try ingest("shopify", shopify(7601, financial: "pending", extra: ["updated_at": "2026-01-18T10:00:00+08:00"]))
        let id = pending["order_id"] ?? .null
        try engine.ok("order.hold", ["order_id": id, "reason": "address check"])
        let paid = try ingest("shopify", shopify(7601, financial: "paid", extra: ["updated_at": "2026-01-18T11:00:00+08:00"]))
        #expect(paid["action"] == "paid" && paid["state"] == "on_hold", "\(paid.serialized)")
        let doc = try engine.ok("order.get", ["order_id": id])
        #expect(doc["paid_total"] == "100.00" && doc["held_from"] == "paid", "\(doc.serialized)")
        #expect(try engine.ok("order.release", ["order_id": id])["state"] == "paid")
        #expect(try stock() == (10, 2))
    }

    /// An order seen unpaid whose payment event was missed, then cancelled in a status that says the channel took
    /// the money, records that payment before it cancels — as when it is first seen so: owed back while the
    /// channel has not refunded it, recorded refunded when it has. It recorded no money, and nothing owed.
    @Test func anOrderSeenUnpaidThenCancelledAfterItWasPaidRecordsThePayment() throws {
        func money(_ event: JSON) throws -> [JSON?] {
            let doc = try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])
            return [doc["state"], doc["paid_total"], doc["refunded_total"], doc["refund_due"]]
        }
        let cancelledAt: JSON = "2026-01-18T13:00:00+08:00"
        let part: JSONObject = ["total_price": "100.00", "current_total_price": "100.00", "total_outstanding": "60.00",
                                "updated_at": "2026-01-18T12:00:00+08:00"]
        for (id, financial, expected) in [(7501, "paid", ["cancelled", "100.00", "0.00", "100.00"]),
                                          (7502, "partially_paid", ["cancelled", "40.00", "0.00", "40.00"])] as [(Int, String, [JSON?])] {
            let pending = try ingest("shopify", shopify(id, financial: "pending", extra: ["updated_at": "2026-01-18T11:00:00+08:00"]))
            let cancelled = try ingest("shopify", shopify(id, financial: financial, cancelledAt: cancelledAt, extra: part))
            #expect(cancelled["order_id"] == pending["order_id"] && cancelled["action"] == "cancelled", "\(cancelled.serialized)")
            #expect(try money(cancelled) == expected, "\(financial): \(cancelled.serialized)")
        }
        // Taobao closes a trade after its refund (`TRADE_CLOSED`): paid and refunded.
        func trade(_ status: String, _ modified: String) -> JSON {
            ["trade": ["tid": 7503, "status": .string(status), "created": "2026-01-18 10:00:00", "modified": .string(modified),
                       "payment": "100.00", "post_fee": "0.00",
                       "orders": ["order": [["oid": 1, "outer_sku_id": "A1", "num": 2, "price": "50.00", "total_fee": "100.00",
                                             "status": .string(status)]]]]]
        }
        _ = try ingest("taobao", trade("WAIT_BUYER_PAY", "2026-01-18 10:00:00"))
        let closed = try ingest("taobao", trade("TRADE_CLOSED", "2026-01-18 12:00:00"))
        #expect(closed["action"] == "cancelled")
        #expect(try money(closed) == ["cancelled", "100.00", "100.00", "0.00"], "\(closed.serialized)")
        #expect(try stock() == (10, 0))
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    /// Amazon's `OrderTotal` holds an item's gift wrap (v0 `BuyerInfo.GiftWrapPrice`, with its tax) and its cash on
    /// delivery fee (`CODFee` less `CODFeeDiscount`): they are the order's fees, charged and collected with it. Its
    /// `ShippingDiscount` is a discount of the shipping.
    @Test func amazonGiftWrapAndCashOnDeliveryFeesAreCharged() throws {
        let order: JSON = [
            "order": ["AmazonOrderId": "250-1", "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": "Unshipped",
                      "FulfillmentChannel": "MFN", "PaymentMethod": "COD", "OrderTotal": ["CurrencyCode": "JPY", "Amount": "2650"]],
            "items": ["payload": ["OrderItems": [
                ["SellerSKU": "A1", "ASIN": "B0", "QuantityOrdered": 1, "ItemPrice": ["CurrencyCode": "JPY", "Amount": "2000"],
                 "CODFee": ["CurrencyCode": "JPY", "Amount": "330"], "CODFeeDiscount": ["CurrencyCode": "JPY", "Amount": "30"],
                 "ShippingPrice": ["CurrencyCode": "JPY", "Amount": "500"], "ShippingDiscount": ["CurrencyCode": "JPY", "Amount": "500"],
                 "BuyerInfo": ["GiftWrapPrice": ["CurrencyCode": "JPY", "Amount": "320"], "GiftWrapTax": ["CurrencyCode": "JPY", "Amount": "30"],
                               "GiftWrapLevel": "Classic"]]]]],
        ]
        let e = try ingest("amazon", order)
        #expect(e["warnings"] == nil, "\(e.serialized)")
        let id = e["order_id"] ?? .null
        let doc = try engine.ok("order.get", ["order_id": id])
        #expect(doc["fee_total"] == "620" && doc["grand_total"] == "2650", "\(doc.serialized)")
        // Free shipping is a discount of the shipping (a return refunds the goods whole).
        #expect(doc["discounts"]?.arrayValue?.map { $0["kind"] ?? .null } == ["shipping"] && doc["shipping_fee"] == "500")
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pay", ["order_id": id, "payment_ref": "yamato-remit-0119"])
        #expect(try engine.ok("order.get", ["order_id": id])["paid_total"] == "2650")
    }

    /// Amazon gives a pending order no prices (v0 `ItemPrice`, v2026-01-01 `unitPrice`): it is skipped until
    /// Amazon reports it Unshipped, where it used to be a dead letter with an alert for every Amazon order.
    /// A cancellation without prices still cancels the order here, or waits for it.
    @Test func amazonPendingOrdersWithoutPricesWaitForTheirPrices() throws {
        let v0Pending: JSON = ["order": ["payload": ["AmazonOrderId": "115-1", "PurchaseDate": "2026-01-18T10:00:00Z",
                                                      "OrderStatus": "Pending", "FulfillmentChannel": "MFN"]],
                               "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "ASIN": "B0", "QuantityOrdered": 1]]]]]
        let skipped = try ingest("amazon", v0Pending)
        #expect(skipped["type"] == "skip" && skipped["order_id"] == nil, "\(skipped.serialized)")
        func v2026(_ id: String, _ status: String, price: JSON = .null) -> JSON {
            ["order": ["orderId": .string(id), "createdTime": "2026-01-18T10:00:00Z",
                       "fulfillment": ["fulfillmentStatus": .string(status), "fulfilledBy": "MERCHANT"],
                       "orderItems": [["quantityOrdered": 1,
                                       "product": ["sellerSku": "A1", "price": price == .null ? .null : ["unitPrice": ["amount": price, "currencyCode": "USD"]]]]]]]
        }
        #expect(try ingest("amazon", v2026("115-2", "PENDING"))["type"] == "skip")
        #expect(try stock() == (10, 0))
        #expect(try ingest("amazon", v2026("115-2", "UNSHIPPED", price: "9.00"))["state"] == "paid")
        #expect(try stock() == (10, 1))
        let cancelled = try ingest("amazon", v2026("115-2", "CANCELLED"))
        #expect(cancelled["type"] == "cancel" && cancelled["state"] == "cancelled")
        #expect(try stock() == (10, 0))
        let unknown = try engine.ok("intake.ingest", ["channel": "amazon", "payload": v2026("115-3", "CANCELLED")])
        #expect(unknown["error"]?["details"]?["awaits"] == "order")
    }

    /// Orders API v2026-01-01: a promotion's `DISCOUNT` proceeds come off the order whichever sign Amazon
    /// gives them, the order lands in its fulfilment status, and a later `CANCELLED` releases its stock
    /// and voids its payment: Amazon charges the buyer as the order ships, so nothing was taken nor refunded.
    @Test func amazonOrdersAPI20260101DiscountsAndCancellation() throws {
        func order(_ id: String, _ status: String, discount: String) -> JSON {
            let money: (String) -> JSON = { ["amount": .string($0), "currencyCode": "USD"] }
            return ["order": ["orderId": .string(id), "createdTime": "2026-01-18T10:00:00Z",
                              "fulfillment": ["fulfillmentStatus": .string(status), "fulfilledBy": "MERCHANT"],
                              "proceeds": ["grandTotal": money("17.00")],
                              "orderItems": [["quantityOrdered": 2, "product": ["sellerSku": "A1", "price": ["unitPrice": money("10.00")]],
                                              "proceeds": ["breakdowns": [["type": "ITEM", "subtotal": money("20.00")],
                                                                          ["type": "DISCOUNT", "subtotal": money(discount)],
                                                                          ["type": "SHIPPING", "subtotal": money("2.00")]]]]]]]
        }
        let paid = try ingest("amazon", order("114-1", "UNSHIPPED", discount: "-5.00"))
        #expect(paid["state"] == "paid")
        let document = try engine.ok("order.get", ["order_id": paid["order_id"] ?? .null])
        #expect(document["grand_total"] == "17.00" && document["paid_total"] == "17.00")
        #expect((document["warnings"]?.arrayValue ?? []).isEmpty)
        #expect(try stock() == (10, 2))
        let positive = try ingest("amazon", order("114-2", "PENDING", discount: "5.00"))
        #expect(positive["state"] == "pending_payment")
        #expect(try engine.ok("order.get", ["order_id": positive["order_id"] ?? .null])["grand_total"] == "17.00")
        let cancelled = try ingest("amazon", order("114-1", "CANCELLED", discount: "-5.00"))
        #expect(cancelled["action"] == "cancelled" && cancelled["payment_voided"] == "17.00", "\(cancelled.serialized)")
        let none = try engine.ok("order.get", ["order_id": paid["order_id"] ?? .null])
        #expect(none["paid_total"] == "0.00" && none["refunded_total"] == "0.00" && none["refund_due"] == "0.00")
        #expect(try stock() == (10, 2), "only the pending order holds stock")
        #expect(try ingest("amazon", order("114-3", "INVOICE_UNCONFIRMED", discount: "-5.00"))["state"] == "shipped")
    }

    /// Orders API v2026-01-01: the part of a `DISCOUNT` that Amazon details as `SHIPPING` (a free-shipping
    /// promotion) is a `shipping` discount, not the goods'; an item that must be paid at the door
    /// (`shippingConstraints.cashOnDelivery` `MANDATORY`) of a merchant-fulfilled order is cash on delivery:
    /// unpaid while Amazon says `UNSHIPPED`, shipped unpaid when it says `SHIPPED`. Both were taken as paid goods.
    @Test func amazonOrdersAPI20260101ShippingPromotionsAndCashOnDelivery() throws {
        let money: (String) -> JSON = { ["amount": .string($0), "currencyCode": "JPY"] }
        func order(_ id: String, _ status: String, cod: Bool) -> JSON {
            var item: JSONObject = [
                "quantityOrdered": 1, "product": ["sellerSku": "A1", "price": ["unitPrice": money("2000")]],
                "proceeds": ["breakdowns": [
                    ["type": "ITEM", "subtotal": money("2000")], ["type": "SHIPPING", "subtotal": money("500")],
                    ["type": "DISCOUNT", "subtotal": money("-700"),
                     "detailedBreakdowns": [["subtype": "ITEM", "value": money("-200")],
                                            ["subtype": "SHIPPING", "value": money("-500")]]]]]]
            if cod { item["fulfillment"] = ["shipping": ["shippingConstraints": ["cashOnDelivery": "MANDATORY"]]] }
            return ["order": ["orderId": .string(id), "createdTime": "2026-01-18T10:00:00Z",
                              "fulfillment": ["fulfillmentStatus": .string(status), "fulfilledBy": "MERCHANT"],
                              "proceeds": ["grandTotal": money("1800")], "orderItems": [.object(item)]]]
        }
        let paid = try ingest("amazon", order("503-1", "UNSHIPPED", cod: false))
        let doc = try engine.ok("order.get", ["order_id": paid["order_id"] ?? .null])
        #expect(paid["state"] == "paid" && paid["warnings"] == nil && doc["grand_total"] == "1800", "\(paid.serialized)")
        let kinds = doc["discounts"]?.arrayValue?.map { "\($0["kind"]?.stringValue ?? "") \($0["amount"]?.stringValue ?? "")" }
        #expect(kinds == ["promotion 200", "shipping 500"], "\(doc.serialized)")
        let cod = try ingest("amazon", order("503-2", "UNSHIPPED", cod: true))
        let codDoc = try engine.ok("order.get", ["order_id": cod["order_id"] ?? .null])
        #expect(cod["state"] == "pending_payment" && codDoc["cash_on_delivery"] == true && codDoc["paid_total"] == "0", "\(codDoc.serialized)")
        let shipped = try ingest("amazon", order("503-2", "SHIPPED", cod: true))
        #expect(shipped["state"] == "shipped")
        #expect(try engine.ok("order.get", ["order_id": cod["order_id"] ?? .null])["paid_total"] == "0")
    }

    @Test func aTaobaoTradeAwaitingTheBuyersConfirmationIsShippedWithItsWaybill() throws {
        let trade: JSON = ["trade": ["tid": "2001", "created": "2026-01-18 18:00:00", "status": "WAIT_BUYER_CONFIRM_GOODS",
                                     "consign_time": "2026-01-19 09:00:00", "post_fee": "0.00", "payment": "10.00",
                                     "orders": ["order": [["outer_sku_id": "A1", "num": 1, "price": "10.00", "total_fee": "10.00",
                                                           "logistics_company": "ZTO", "invoice_no": "ZT778"]]]]]
        let e = try ingest("taobao", trade)
        #expect(e["state"] == "shipped" && e["shipment"]?["carrier"] == "ZTO" && e["shipment"]?["tracking_no"] == "ZT778")
        #expect(e["shipment"]?["shipped_at"] == "2026-01-19T01:00:00Z")
    }

    @Test func aFullRefundBeforeShippingStopsTheGoods() throws {
        func paidOrder(_ qty: Int64) throws -> JSON {
            let id = try engine.ok("order.create", orderArgs([("A1", qty, "10.00")]))["order_id"] ?? .null
            try engine.ok("order.pay", ["order_id": id])
            return id
        }
        let id = try paidOrder(1)
        try engine.ok("order.refund", ["order_id": id, "amount": "4.00", "refund_ref": "R-1"])
        #expect(try engine.ok("order.get", ["order_id": id])["state"] == "paid")
        let refunded = try engine.ok("order.refund", ["order_id": id, "amount": "6.00", "refund_ref": "R-2"])
        #expect(refunded["state"] == "cancelled" && refunded["refund_due"] == "0.00")
        #expect(try stock() == (10, 0))
        // Being picked: held for a person, with an alert.
        let picking = try paidOrder(1)
        try engine.ok("order.allocate", ["order_id": picking])
        try engine.ok("order.pick", ["order_id": picking])
        #expect(try engine.ok("order.refund", ["order_id": picking, "amount": "10.00", "refund_ref": "R-3"])["state"] == "on_hold")
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "refunded_unshipped" } == true)
    }

    /// A channel that changes an order's lines before it ships (a Shopify order edited: an item added) does
    /// not change what OrderCore ships on its word: a `channel_lines_changed` alert lists both for a person.
    /// Refunded units (same quantities) and a shipped order's later reports raise nothing.
    @Test func linesChangedAtTheChannelRaiseAnAlert() throws {
        let first = try ingest("shopify", shopify(70, financial: "paid"))
        #expect(first["alert"] == nil)
        let edited = try ingest(
            "shopify",
            shopify(70, financial: "paid", extra: ["line_items": [["sku": "A1", "quantity": 2, "price": "50.00"],
                                                                  ["sku": "B2", "quantity": 1, "price": "5.00"]]]))
        #expect(edited["alert"] == "channel_lines_changed" && edited["state"] == "paid")
        let alert = try engine.ok("report.alerts")["alerts"]?.arrayValue?.first { $0["kind"] == "channel_lines_changed" }
        #expect(alert?["details"]?["channel_units"] == [["sku": "A1", "qty": 2], ["sku": "B2", "qty": 1]])
        #expect(alert?["details"]?["units"] == [["sku": "A1", "qty": 2]])
        #expect(try stock() == (10, 2), "OrderCore holds what it had")
        #expect(try ingest("shopify", shopify(71, financial: "paid"))["state"] == "paid")
        let refunded = try ingest(
            "shopify",
            shopify(71, financial: "partially_refunded", extra: [
                "refunds": [["id": 9, "transactions": [["amount": "50.00", "kind": "refund"]],
                             "refund_line_items": [["quantity": 1, "line_item": ["sku": "A1"]]]]]]))
        #expect(refunded["alert"] == nil)

        // Shopify keeps an edited-out unit on its line (`quantity`); `current_quantity` drops.
        func line(current: Int64) -> JSONObject {
            ["line_items": [["sku": "A1", "quantity": 2, "current_quantity": .int(current), "price": "50.00"]]]
        }
        #expect(try ingest("shopify", shopify(72, financial: "paid", extra: line(current: 2)))["alert"] == nil)
        let removed = try ingest("shopify", shopify(72, financial: "paid", extra: line(current: 1)))
        #expect(removed["alert"] == "channel_lines_changed")
        // A unit refunded (and so cancelled here) is gone from both: nothing to say.
        #expect(try ingest("shopify", shopify(73, financial: "paid", extra: line(current: 2)))["alert"] == nil)
        var refund = line(current: 1)
        refund["refunds"] = [["id": 10, "transactions": [["amount": "50.00", "kind": "refund"]],
                              "refund_line_items": [["quantity": 1, "line_item": ["sku": "A1"]]]]]
        let refundedUnit = try ingest("shopify", shopify(73, financial: "partially_refunded", extra: refund))
        #expect(refundedUnit["alert"] == nil, "\(refundedUnit.serialized)")
    }

    /// Shopify takes the units a refund names off what it fulfils, whatever the refund gave back (a line's
    /// `fulfillable_quantity` is its quantity less its refunded units): a refund of 30.00 for a 50.00 unit,
    /// in the order's payload or in `refunds/create`, stops that unit here too, and the line's
    /// `current_quantity` then agrees with OrderCore's (no `channel_lines_changed`).
    @Test func aShopifyRefundsUnitsDoNotShipWhateverItGaveBack() throws {
        func refund(_ id: Int64, order: Int64? = nil) -> JSON {
            var r: JSONObject = ["id": .int(id), "transactions": [["amount": "30.00", "kind": "refund", "status": "success"]],
                                 "refund_line_items": [["quantity": 1, "restock_type": "cancel", "line_item": ["sku": "A1"]]]]
            if let order { r["order_id"] = .int(order) }
            return .object(r)
        }
        let line: JSONObject = ["line_items": [["sku": "A1", "quantity": 2, "current_quantity": 1, "price": "50.00"]]]
        try ingest("shopify", shopify(74, financial: "paid"))
        var extra = line
        extra["refunds"] = [refund(11)]
        let inPayload = try ingest("shopify", shopify(74, financial: "partially_refunded", extra: extra))
        #expect(inPayload["alert"] == nil && inPayload["state"] == "paid", "\(inPayload.serialized)")
        var a1 = try engine.ok("order.get", ["order_id": inPayload["order_id"] ?? .null])["lines"]?.arrayValue?.first
        #expect(a1?["refunded"] == 1 && a1?["cancelled"] == 1 && a1?["reserved"] == 1, "\(a1?.serialized ?? "")")

        let placed = try ingest("shopify", shopify(75, financial: "paid"))
        #expect(try ingest("shopify", ["refund": refund(12, order: 75)])["action"] == "refunded")
        a1 = try engine.ok("order.get", ["order_id": placed["order_id"] ?? .null])["lines"]?.arrayValue?.first
        #expect(a1?["refunded"] == 1 && a1?["cancelled"] == 1, "\(a1?.serialized ?? "")")
        #expect(try stock() == (10, 2), "each order holds the one unit left to ship")
        let entry = try engine.ok("order.timeline", ["order_id": placed["order_id"] ?? .null])["events"]?.arrayValue?
            .last { $0["command"] == "order.refund" }
        #expect(entry?["details"]?["cancel_units"] == true, "\(entry?.serialized ?? "")")
    }

    /// A unit's worth is what the buyer paid for it: a free-shipping code took nothing off the goods. A refund of
    /// less (45.00 of a 50.00 unit, as if the code were the goods') leaves it to ship; of all of it, stops it.
    @Test func aShippingDiscountIsNotPartOfAUnitsWorth() throws {
        func order() throws -> JSON {
            let args = orderArgs([("A1", 1, "50.00"), ("B2", 1, "50.00")],
                                 ["shipping_fee": "10.00", "discounts": [["kind": "shipping", "amount": "10.00"]]])
            let id = try engine.ok("order.create", args)["order_id"] ?? .null
            try engine.ok("order.pay", ["order_id": id])
            return id
        }
        let less = try engine.ok("order.refund", ["order_id": try order(), "amount": "45.00", "units": [["sku": "B2", "qty": 1]]])
        #expect(less["lines"]?.arrayValue?.last?["cancelled"] == 0, "\(less.serialized)")
        let whole = try engine.ok("order.refund", ["order_id": try order(), "amount": "50.00", "units": [["sku": "B2", "qty": 1]]])
        #expect(whole["lines"]?.arrayValue?.last?["cancelled"] == 1, "\(whole.serialized)")
        // `cancel_units`: the units do not ship, whatever the amount.
        let cancelled = try engine.ok("order.refund", ["order_id": try order(), "amount": "5.00", "units": [["sku": "B2", "qty": 1]],
                                                       "cancel_units": true])
        #expect(cancelled["lines"]?.arrayValue?.last?["cancelled"] == 1 && cancelled["state"] == "paid", "\(cancelled.serialized)")
    }

    /// Units refunded before anything left must not leave: untouched, they are cancelled and their stock
    /// released (the rest still ships); being picked or packed, they are cancelled too, with a
    /// `refunded_unshipped` alert to put them back (a packed parcel is taken apart). They used to ship.
    @Test func unitsRefundedBeforeShippingDoNotShip() throws {
        let created = try engine.ok("order.create", orderArgs([("A1", 3, "10.00"), ("B2", 1, "20.00")]))
        let id = created["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": id])
        #expect(try stock() == (10, 3))
        let refunded = try engine.ok(
            "order.refund", ["order_id": id, "amount": "20.00", "refund_ref": "R-1", "units": [["sku": "A1", "qty": 2]]])
        #expect(refunded["state"] == "paid")
        #expect(try stock() == (10, 1))
        let a1 = try #require(refunded["lines"]?.arrayValue?.first)
        #expect(a1["reserved"] == 1 && a1["cancelled"] == 2 && a1["refunded"] == 2, "\(a1.serialized)")
        // Allocation holds only the units still to ship: the cancelled ones are held nowhere, and cannot be packed.
        let held = try #require(try engine.ok("order.allocate", ["order_id": id])["lines"]?.arrayValue?.first)
        #expect(held["reserved"] == 1 && held["allocated"] == 1, "\(held.serialized)")
        #expect(try stock() == (10, 1))
        let slip = try engine.ok("order.packing_slip", ["order_id": id])["text"]?.stringValue ?? ""
        #expect(slip.contains("A1") && !slip.contains("3"), "\(slip)")
        #expect(try engine.ok("stock.verify")["differences"] == [])
        // The last unit of A1 and all of B2 refunded (shipping not): nothing is left to ship, so it is cancelled.
        let rest = try engine.ok(
            "order.refund",
            ["order_id": id, "amount": "30.00", "refund_ref": "R-2", "units": [["sku": "A1", "qty": 1], ["sku": "B2", "qty": 1]]])
        #expect(rest["state"] == "cancelled")
        #expect(try stock() == (10, 0))

        // Allocated, then held: what it picks follows its holds once released.
        let allocated = try engine.ok("order.create", orderArgs([("A1", 3, "10.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": allocated])
        try engine.ok("order.allocate", ["order_id": allocated])
        try engine.ok("order.hold", ["order_id": allocated, "reason": "check"])
        try engine.ok("order.refund", ["order_id": allocated, "amount": "10.00", "units": [["sku": "A1", "qty": 1]]])
        let released = try engine.ok("order.release", ["order_id": allocated])
        #expect(try engine.ok("order.get", ["order_id": allocated])["lines"]?.arrayValue?.first?["allocated"] == 2,
                "\(released.serialized)")
        #expect(try stock() == (10, 2))

        // Being picked: the unit is cancelled and what is packed follows, and a person puts back the picked
        // one (the alert names it).
        let picking = try engine.ok("order.create", orderArgs([("A1", 2, "10.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": picking])
        try engine.ok("order.allocate", ["order_id": picking])
        try engine.ok("order.pick", ["order_id": picking])
        let picked = try engine.ok(
            "order.refund", ["order_id": picking, "amount": "10.00", "refund_ref": "R-3", "units": [["sku": "A1", "qty": 1]]])
        #expect(picked["state"] == "picking")
        let pickedLine = try #require(picked["lines"]?.arrayValue?.first)
        #expect(pickedLine["allocated"] == 1 && pickedLine["picked"] == 1 && pickedLine["cancelled"] == 1,
                "\(pickedLine.serialized)")
        let alert = try engine.ok("report.alerts")["alerts"]?.arrayValue?.first { $0["kind"] == "refunded_unshipped" }
        #expect(alert?["details"]?["units"] == [["sku": "A1", "qty": 1]], "\(alert?.serialized ?? "")")
        #expect(try engine.ok("stock.verify")["differences"] == [])
        // One unit of three picked, two refunded: the picked one still ships, and nothing is to put back.
        let some = try engine.ok("order.create", orderArgs([("A1", 3, "10.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": some])
        try engine.ok("order.allocate", ["order_id": some])
        try engine.ok("order.pick", ["order_id": some, "lines": [["line_no": 1, "qty": 1]]])
        let kept = try engine.ok(
            "order.refund", ["order_id": some, "amount": "20.00", "refund_ref": "R-SOME", "units": [["sku": "A1", "qty": 2]]])
        #expect(kept["state"] == "picking" && kept["lines"]?.arrayValue?.first.map { [$0["allocated"], $0["picked"]] } == [1, 1],
                "\(kept.serialized)")
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains {
            $0["kind"] == "refunded_unshipped" && $0["order_id"] == some
        } == false)

        // Packed: the parcel is taken apart, the unit cancelled, and the rest packed again and shipped alone.
        // It used to wait on hold for a person who could only cancel the whole order.
        let packed = try engine.ok("order.create", orderArgs([("A1", 2, "10.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": packed])
        try engine.ok("order.allocate", ["order_id": packed])
        try engine.ok("order.pack", ["order_id": packed, "scans": [packed, "A1", "A1"], "weight_g": 0])
        let unpacked = try engine.ok(
            "order.refund", ["order_id": packed, "amount": "10.00", "refund_ref": "R-4", "units": [["sku": "A1", "qty": 1]]])
        #expect(unpacked["state"] == "picking" && unpacked["parcels"]?.arrayValue?.isEmpty == true, "\(unpacked.serialized)")
        let packedLine = try #require(unpacked["lines"]?.arrayValue?.first)
        #expect(packedLine["allocated"] == 1 && packedLine["cancelled"] == 1 && packedLine["packed"] == 0, "\(packedLine.serialized)")
        #expect(engine.fails("order.pack", ["order_id": packed, "scans": [packed, "A1", "A1"], "weight_g": 0]) == .conflict)
        try engine.ok("order.pack", ["order_id": packed, "scans": [packed, "A1"], "weight_g": 0])
        let shipped = try engine.ok("order.ship", ["order_id": packed, "carrier": "SF", "tracking_no": "R4"])
        #expect(shipped["state"] == "shipped" && shipped["lines"]?.arrayValue?.first?["shipped"] == 1)
        #expect(try engine.ok("stock.verify")["differences"] == [])

        // Packed in part: the parcel with the refunded units is taken apart too (it could not ship, and the order
        // could not ship without it), and the rest ships alone.
        let part = try engine.ok("order.create", orderArgs([("A1", 2, "10.00"), ("B2", 1, "20.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": part])
        try engine.ok("order.allocate", ["order_id": part])
        try engine.ok("order.pack", ["order_id": part, "scans": [part, "A1", "A1"], "weight_g": 0, "partial": true])
        let opened = try engine.ok(
            "order.refund", ["order_id": part, "amount": "20.00", "refund_ref": "R-PART", "units": [["sku": "A1", "qty": 2]]])
        #expect(opened["state"] == "picking" && opened["parcels"]?.arrayValue?.isEmpty == true, "\(opened.serialized)")
        #expect(opened["lines"]?.arrayValue?.first.map { [$0["allocated"], $0["picked"], $0["packed"]] } == [0, 0, 0],
                "\(opened.serialized)")
        try engine.ok("order.pack", ["order_id": part, "scans": [part, "B2"], "weight_g": 0])
        let alone = try engine.ok("order.ship", ["order_id": part, "carrier": "SF", "tracking_no": "R-PART"])
        #expect(alone["state"] == "shipped" && alone["lines"]?.arrayValue?.map { $0["shipped"] } == [0, 1], "\(alone.serialized)")
        #expect(try engine.ok("stock.verify")["differences"] == [])

        // Partly shipped: a refund of a unit that left (it came back) changes nothing here; one of a unit still
        // to ship cancels it (Shopify fulfils a line's quantity less the larger of its refunded and fulfilled
        // units), and picked, a person is told to put it back. All the money back cancels the rest (the order is
        // shipped), and tells a person to put back what was picked of it.
        func partlyShipped(_ tracking: JSON, pickAll: Bool = false) throws -> JSON {
            let id = try engine.ok("order.create", orderArgs([("A1", 3, "10.00")]))["order_id"] ?? .null
            try engine.ok("order.pay", ["order_id": id])
            try engine.ok("order.allocate", ["order_id": id])
            if pickAll { try engine.ok("order.pick", ["order_id": id]) }
            try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1"], "weight_g": 0, "partial": true])
            #expect(try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": tracking])["state"] == "partially_shipped")
            return id
        }
        func unshipped(_ id: JSON) throws -> [JSON] {
            try engine.ok("report.alerts")["alerts"]?.arrayValue?.filter {
                $0["kind"] == "refunded_unshipped" && $0["order_id"] == id
            } ?? []
        }
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 20])
        let split = try partlyShipped("R5")
        let came = try engine.ok("order.refund", ["order_id": split, "amount": "10.00", "refund_ref": "R-5", "units": [["sku": "A1", "qty": 1]]])
        #expect(came["lines"]?.arrayValue?.first?["cancelled"] == 0)
        #expect(try unshipped(split).isEmpty)
        let stopped = try engine.ok("order.refund", ["order_id": split, "amount": "10.00", "refund_ref": "R-6", "units": [["sku": "A1", "qty": 1]]])
        let stoppedLine = try #require(stopped["lines"]?.arrayValue?.first)
        #expect(stopped["state"] == "partially_shipped" && stoppedLine["cancelled"] == 1 && stoppedLine["reserved"] == 1,
                "\(stopped.serialized)")
        #expect(try unshipped(split).isEmpty)
        #expect(engine.fails("order.pack", ["order_id": split, "scans": [split, "A1", "A1"], "weight_g": 0]) == .conflict)
        try engine.ok("order.pack", ["order_id": split, "scans": [split, "A1"], "weight_g": 0])
        #expect(try engine.ok("order.ship", ["order_id": split, "carrier": "SF", "tracking_no": "R6"])["state"] == "shipped")
        let last = try partlyShipped("R9")
        try engine.ok("order.refund", ["order_id": last, "amount": "20.00", "refund_ref": "R-9", "units": [["sku": "A1", "qty": 3]],
                                       "cancel_units": true])
        let done = try engine.ok("order.get", ["order_id": last])
        #expect(done["state"] == "shipped" && done["lines"]?.arrayValue?.first?["cancelled"] == 2, "\(done.serialized)")
        let pickedRest = try partlyShipped("R10", pickAll: true)
        try engine.ok("order.refund", ["order_id": pickedRest, "amount": "20.00", "refund_ref": "R-10", "units": [["sku": "A1", "qty": 2]]])
        #expect(try unshipped(pickedRest).first?["details"]?["units"] == [["sku": "A1", "qty": 1]])
        let onePutBack = try engine.ok("order.get", ["order_id": pickedRest])["lines"]?.arrayValue?.first
        #expect(onePutBack?["cancelled"] == 1 && onePutBack?["picked"] == 2, "\(onePutBack?.serialized ?? "")")
        // The rest picked when the channel takes all three off: the one that left is not counted again, the two
        // picked are cancelled (the order is shipped) and put back.
        let repicked = try partlyShipped("R11")
        try engine.ok("order.pick", ["order_id": repicked])
        try engine.ok("order.refund", ["order_id": repicked, "amount": "10.00", "refund_ref": "R-11", "units": [["sku": "A1", "qty": 3]],
                                       "cancel_units": true])
        let heldRest = try engine.ok("order.get", ["order_id": repicked])
        #expect(heldRest["state"] == "shipped" && heldRest["lines"]?.arrayValue?.first?["cancelled"] == 2, "\(heldRest.serialized)")
        #expect(try unshipped(repicked).first?["details"]?["units"] == [["sku": "A1", "qty": 2]])
        let whole = try partlyShipped("R7")
        let all = try engine.ok("order.refund", ["order_id": whole, "amount": "30.00", "refund_ref": "R-7"])
        #expect(all["state"] == "shipped" && all["refunded_total"] == "30.00" && all["refund_due"] == "0.00", "\(all.serialized)")
        #expect(try unshipped(whole).isEmpty)
        let pickedAll = try partlyShipped("R8", pickAll: true)
        let told = try engine.ok("order.refund", ["order_id": pickedAll, "amount": "30.00", "refund_ref": "R-8"])
        #expect(told["state"] == "shipped" && told["lines"]?.arrayValue?.first?["cancelled"] == 2, "\(told.serialized)")
        #expect(try unshipped(pickedAll).first?["details"]?["reason"]?.stringValue?.hasPrefix("fully refunded") == true)
        #expect(try unshipped(pickedAll).first?["details"]?["units"] == [["sku": "A1", "qty": 2]])
        // Held while being picked: cancelled, and a person told to put back the units picked.
        let heldPicking = try engine.ok("order.create", orderArgs([("A1", 2, "10.00")]))["order_id"] ?? .null
        try engine.ok("order.pay", ["order_id": heldPicking])
        try engine.ok("order.allocate", ["order_id": heldPicking])
        try engine.ok("order.pick", ["order_id": heldPicking])
        try engine.ok("order.hold", ["order_id": heldPicking, "reason": "address check"])
        #expect(try engine.ok("order.refund", ["order_id": heldPicking, "amount": "20.00", "refund_ref": "R-12"])["state"] == "cancelled")
        #expect(try unshipped(heldPicking).first?["details"]?["units"] == [["sku": "A1", "qty": 2]])
        #expect(try engine.ok("stock.verify")["differences"] == [])
    }

    /// Units a channel sold beyond the stock (backordered) go first when some are cancelled or refunded: the
    /// order keeps the stock it holds for the units still to ship, and the backorder is over when none is short.
    @Test func cancelledUnitsComeOffTheBackorderFirst() throws {
        let sold = try ingest("shopify", shopify(79, financial: "paid", extra: [
            "line_items": [["sku": "A1", "quantity": 12, "price": "5.00"]]]))
        #expect(sold["backordered"] == [["line_no": 1, "sku": "A1", "qty": 2]], "\(sold.serialized)")
        let id = sold["order_id"] ?? .null
        let dropped = try engine.ok("order.cancel", ["order_id": id, "units": [["sku": "A1", "qty": 1]]])
        var line = dropped["lines"]?.arrayValue?.first
        #expect(line?["reserved"] == 10 && line?["backordered"] == 1 && line?["cancelled"] == 1, "\(dropped.serialized)")
        // The refund of what that unit was owed names it: nothing more is cancelled.
        let owed = try engine.ok("order.refund", ["order_id": id, "amount": "5.00", "units": [["sku": "A1", "qty": 1]]])
        line = owed["lines"]?.arrayValue?.first
        #expect(line?["backordered"] == 1 && line?["cancelled"] == 1 && line?["refunded_cancelled"] == 1, "\(owed.serialized)")
        let refunded = try engine.ok("order.refund", ["order_id": id, "amount": "5.00", "units": [["sku": "A1", "qty": 1]]])
        line = refunded["lines"]?.arrayValue?.first
        #expect(line?["reserved"] == 10 && line?["backordered"] == 0 && line?["cancelled"] == 2, "\(refunded.serialized)")
        #expect(line?["refunded"] == 2 && line?["refunded_cancelled"] == 2)
        let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []
        #expect(!alerts.contains { $0["kind"] == "backorder" && $0["order_id"] == id }, "\(alerts)")
        #expect(try engine.ok("order.allocate", ["order_id": id])["state"] == "allocated")
    }

    /// A Taobao sub-order refunded and closed (`status` `TRADE_CLOSED`) does not ship, even when its refund came
    /// to less than its price, nor once other sub-orders left; one refunded in part and still open (a price
    /// difference given back) ships.
    @Test func aClosedTaobaoSubOrderDoesNotShipWhateverItsRefund() throws {
        func trade(_ tid: String, subStatus: String) -> JSON {
            ["trade": ["tid": .string(tid), "created": "2026-01-18 18:00:00", "status": "WAIT_SELLER_SEND_GOODS", "post_fee": "0.00",
                       "payment": "50.00", "modified": "2026-01-18 19:00:00",
                       "orders": ["order": [["outer_sku_id": "A1", "num": 1, "price": "20.00", "total_fee": "20.00", "payment": "20.00",
                                             "status": .string(subStatus), "refund_status": "SUCCESS", "refund_id": .string("R" + tid),
                                             "refund_fee": "15.00"],
                                            ["outer_sku_id": "B2", "num": 1, "price": "30.00", "total_fee": "30.00", "payment": "30.00",
                                             "status": "WAIT_SELLER_SEND_GOODS", "refund_status": "NO_REFUND"]]]]]
        }
        for (tid, subStatus, cancelled) in [("5201", "TRADE_CLOSED", 1), ("5202", "WAIT_SELLER_SEND_GOODS", 0)] {
            let event = try ingest("taobao", trade(tid, subStatus: subStatus))
            let order = try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])
            #expect(order["refunded_total"] == "15.00" && order["lines"]?.arrayValue?.first?["cancelled"] == .int(Int64(cancelled)),
                    "\(subStatus): \(order.serialized)")
        }

        // Partly shipped here (B2 left, 拆单发货), then A1's sub-order refunded and closed: A1 never leaves, and
        // the order is shipped.
        var open = trade("5203", subStatus: "WAIT_SELLER_SEND_GOODS").objectValue?["trade"]?.objectValue ?? [:]
        open["orders"] = ["order": [["outer_sku_id": "A1", "num": 1, "price": "20.00", "total_fee": "20.00", "payment": "20.00",
                                     "status": "WAIT_SELLER_SEND_GOODS", "refund_status": "NO_REFUND"],
                                    ["outer_sku_id": "B2", "num": 1, "price": "30.00", "total_fee": "30.00", "payment": "30.00",
                                     "status": "WAIT_SELLER_SEND_GOODS", "refund_status": "NO_REFUND"]]]
        let id = try ingest("taobao", ["trade": .object(open)])["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "B2"], "weight_g": 0, "partial": true])
        #expect(try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": "SF5203"])["state"] == "partially_shipped")
        var closed = trade("5203", subStatus: "TRADE_CLOSED").objectValue?["trade"]?.objectValue ?? [:]
        closed["status"] = "SELLER_CONSIGNED_PART"
        closed["modified"] = "2026-01-19 10:00:00"
        #expect(try ingest("taobao", ["trade": .object(closed)])["refunds"]?.arrayValue?.first?["outcome"] == "recorded")
        let shipped = try engine.ok("order.get", ["order_id": id])
        #expect(shipped["state"] == "shipped" && shipped["lines"]?.arrayValue?.first?["cancelled"] == 1, "\(shipped.serialized)")
        #expect(try engine.ok("stock.verify")["differences"] == [])
    }

    /// An order first seen shipped by its channel, carrying refunds: one made before the shipment took its units
    /// off (Shopify's refund older than the fulfilment, a Taobao sub-order closed while the others were
    /// consigned, a Douyin sku order refunded before shipping) is applied first, so those units are cancelled, neither shipped nor taken from stock; one made
    /// after (goods that came back) is for units that left.
    @Test func refundsMadeBeforeTheChannelsShipmentTakeTheirUnitsOffFirst() throws {
        func shopify(_ id: Int, refundedAt: String, b2: JSON = .null) -> JSON {
            let refund: JSON = ["id": .int(Int64(id)), "created_at": .string(refundedAt), "note": "out of stock",
                                "transactions": [["amount": "30.00", "kind": "refund", "status": "success"]],
                                "refund_line_items": [["quantity": 1, "line_item": ["id": 2, "sku": "B2"]]]]
            return ["order": ["id": .int(Int64(id)), "created_at": "2026-01-18T10:00:00+08:00", "updated_at": "2026-01-19T10:00:00+08:00",
                              "currency": "CNY", "financial_status": "partially_refunded", "fulfillment_status": "fulfilled",
                              "line_items": [["id": 1, "sku": "A1", "quantity": 1, "price": "50.00", "fulfillment_status": "fulfilled"],
                                             ["id": 2, "sku": "B2", "quantity": 1, "price": "30.00", "fulfillment_status": b2]],
                              "fulfillments": [["status": "success", "tracking_company": "SF", "tracking_number": .string("SF\(id)"),
                                                "created_at": "2026-01-18T15:00:00+08:00"]],
                              "refunds": [refund]]]
        }
        func lines(_ event: JSON) throws -> [String] {
            let order = try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])
            return (order["lines"]?.arrayValue ?? []).map {
                "\($0["sku"]?.stringValue ?? "") shipped \($0["shipped"]?.intValue ?? -1) cancelled \($0["cancelled"]?.intValue ?? -1)"
            }
        }
        let before = try ingest("shopify", shopify(7301, refundedAt: "2026-01-18T12:00:00+08:00"))
        #expect(before["action"] == "created_shipped" && before["state"] == "shipped", "\(before.serialized)")
        #expect(try lines(before) == ["A1 shipped 1 cancelled 0", "B2 shipped 0 cancelled 1"])
        let after = try ingest("shopify", shopify(7302, refundedAt: "2026-01-18T16:00:00+08:00", b2: "fulfilled"))
        #expect(try lines(after) == ["A1 shipped 1 cancelled 0", "B2 shipped 1 cancelled 0"])
        // Refunded after A1's fulfilment, B2 never fulfilled (Shopify's line says so): it did not leave either.
        let between = try ingest("shopify", shopify(7303, refundedAt: "2026-01-18T16:00:00+08:00"))
        #expect(try lines(between) == ["A1 shipped 1 cancelled 0", "B2 shipped 0 cancelled 1"])
        // One of two B2 fulfilled, then the other refunded with Shopify's restock type `cancel` (never fulfilled;
        // `return`: it came back): the line says fulfilled either way (nothing left to fulfil).
        for (id, restock, b2) in [(7304, "cancel", "B2 shipped 1 cancelled 1"), (7305, "return", "B2 shipped 2 cancelled 0")] {
            var order = shopify(id, refundedAt: "2026-01-18T16:00:00+08:00", b2: "fulfilled").objectValue?["order"]?.objectValue ?? [:]
            order["line_items"] = [["id": 1, "sku": "A1", "quantity": 1, "price": "50.00", "fulfillment_status": "fulfilled"],
                                   ["id": 2, "sku": "B2", "quantity": 2, "price": "15.00", "fulfillment_status": "fulfilled"]]
            order["refunds"] = [["id": .int(Int64(id)), "created_at": "2026-01-18T16:00:00+08:00",
                                 "transactions": [["amount": "15.00", "kind": "refund", "status": "success"]],
                                 "refund_line_items": [["quantity": 1, "restock_type": .string(restock), "line_item": ["id": 2, "sku": "B2"]]]]]
            #expect(try lines(try ingest("shopify", ["order": .object(order)])) == ["A1 shipped 1 cancelled 0", b2], "\(restock)")
        }
        // Hints it cannot read (a time in another form, a restock type it does not know) lose nothing.
        var odd = shopify(7306, refundedAt: "yesterday", b2: "fulfilled").objectValue?["order"]?.objectValue ?? [:]
        if var refund = odd["refunds"]?.arrayValue?.first?.objectValue {
            refund["refund_line_items"] = [["quantity": 1, "restock_type": "sideways", "line_item": ["id": 2, "sku": "B2"]]]
            odd["refunds"] = [.object(refund)]
        }
        let recorded = try ingest("shopify", ["order": .object(odd)])
        #expect(recorded["refunds"]?.arrayValue?.first?["outcome"] == "recorded", "\(recorded.serialized)")

        let trade: JSON = ["trade": ["tid": "5301", "created": "2026-01-18 18:00:00", "modified": "2026-01-19 10:00:00",
                                     "status": "WAIT_BUYER_CONFIRM_GOODS", "post_fee": "0.00", "payment": "50.00",
                                     "orders": ["order": [["outer_sku_id": "A1", "num": 1, "price": "20.00", "total_fee": "20.00",
                                                           "payment": "20.00", "status": "WAIT_BUYER_CONFIRM_GOODS"],
                                                          ["outer_sku_id": "B2", "num": 1, "price": "30.00", "total_fee": "30.00",
                                                           "payment": "30.00", "status": "TRADE_CLOSED", "refund_status": "SUCCESS",
                                                           "refund_id": "R5301", "refund_fee": "30.00"]]]]]
        let consigned = try ingest("taobao", trade)
        #expect(consigned["state"] == "shipped", "\(consigned.serialized)")
        #expect(try lines(consigned) == ["A1 shipped 1 cancelled 0", "B2 shipped 0 cancelled 1"])

        try engine.ok("channel.upsert", ["channel": "douyin", "profile": "douyin"])
        let douyin: JSON = ["shop_order_detail": [
            "order_id": "6901", "order_status": 3, "create_time": 1_768_700_000, "update_time": 1_768_790_000, "pay_type": 1,
            "post_amount": 0, "pay_amount": 5000, "logistics_info": [["company_name": "SF", "tracking_no": "SF6901", "ship_time": 1_768_780_000]],
            "sku_order_list": [["order_id": "6901a", "out_sku_id": "A1", "item_num": 1, "goods_price": 2000, "pay_amount": 2000, "order_status": 3],
                               ["order_id": "6901b", "out_sku_id": "B2", "item_num": 1, "goods_price": 3000, "pay_amount": 3000, "order_status": 4,
                                "after_sale_info": ["after_sale_type": 2, "refund_status": 3, "after_sale_status": 12]]]]]
        let shipped = try ingest("douyin", douyin)
        #expect(shipped["state"] == "shipped", "\(shipped.serialized)")
        #expect(try lines(shipped) == ["A1 shipped 1 cancelled 0", "B2 shipped 0 cancelled 1"])
        #expect(try engine.ok("stock.verify")["differences"] == [])
    }

    /// A Taobao sub-order without the merchant's SKU code is the SKU Taobao names (`taobao-{sku_id}`); refunded in
    /// full before the trade ships, those units are cancelled — the refund names the same SKU as the line.
    @Test func aRefundedTaobaoSubOrderWithoutItsSKUCodeDoesNotShip() throws {
        try engine.ok("sku.upsert", ["sku": "taobao-501"])
        try engine.ok("stock.receive", ["sku": "taobao-501", "warehouse": "SH", "qty": 5])
        func trade(_ refund: String, modified: String) -> JSON {
            ["trade": ["tid": "5101", "created": "2026-01-18 18:00:00", "status": "WAIT_SELLER_SEND_GOODS", "post_fee": "0.00",
                       "payment": "50.00", "modified": .string(modified),
                       "orders": ["order": [["outer_iid": "SHIRT", "sku_id": "501", "num": 1, "price": "20.00", "total_fee": "20.00",
                                             "payment": "20.00", "refund_status": .string(refund), "refund_id": "R51", "refund_fee": "20.00"],
                                            ["outer_sku_id": "B2", "num": 1, "price": "30.00", "total_fee": "30.00", "payment": "30.00",
                                             "refund_status": "NO_REFUND"]]]]]
        }
        let placed = try ingest("taobao", trade("NO_REFUND", modified: "2026-01-18 18:00:00"))
        #expect(placed["state"] == "paid", "\(placed.serialized)")
        let refunded = try ingest("taobao", trade("SUCCESS", modified: "2026-01-18 19:00:00"))
        let order = try engine.ok("order.get", ["order_id": refunded["order_id"] ?? .null])
        #expect(order["lines"]?.arrayValue?.map { $0["sku"] ?? .null } == ["taobao-501", "B2"])
        #expect(order["lines"]?.arrayValue?.map { $0["cancelled"] ?? .null } == [1, 0], "\(order.serialized)")
    }

    /// Taobao: a buyer who asks for a refund before the trade ships (`refund_status: WAIT_SELLER_AGREE` on
    /// a sub-order) holds the order; the refund closed, it goes on; the refund paid, that sub-order is
    /// cancelled and the rest ships.
    @Test func aTaobaoRefundRequestBeforeShippingHoldsTheOrder() throws {
        func trade(_ refund: String, modified: String, tid: String = "5001", status: String = "WAIT_SELLER_SEND_GOODS") -> JSON {
            ["trade": ["tid": .string(tid), "created": "2026-01-18 18:00:00", "status": .string(status), "post_fee": "0.00",
                       "payment": "50.00", "modified": .string(modified),
                       "orders": ["order": [["outer_sku_id": "A1", "num": 1, "price": "20.00", "total_fee": "20.00", "payment": "20.00",
                                             "refund_status": .string(refund), "refund_id": "R1", "refund_fee": "20.00"],
                                            ["outer_sku_id": "B2", "num": 1, "price": "30.00", "total_fee": "30.00", "payment": "30.00",
                                             "refund_status": "NO_REFUND"]]]]]
        }
        #expect(try ingest("taobao", trade("NO_REFUND", modified: "1"))["state"] == "paid")
        let asked = try ingest("taobao", trade("WAIT_SELLER_AGREE", modified: "2"))
        #expect(asked["action"] == "held" && asked["state"] == "on_hold")
        #expect(try ingest("taobao", trade("SELLER_REFUSE_BUYER", modified: "3"))["action"] == "released")
        #expect(try ingest("taobao", trade("WAIT_SELLER_AGREE", modified: "4"))["action"] == "held")
        let paidBack = try ingest("taobao", trade("SUCCESS", modified: "5"))
        #expect(paidBack["state"] == "paid", "\(paidBack.serialized)")
        let order = try engine.ok("order.get", ["order_id": paidBack["order_id"] ?? .null])
        #expect(order["lines"]?.arrayValue?.map { $0["cancelled"] } == [1, 0])
        #expect(try stock() == (10, 0))
        #expect(try stock("B2") == (10, 1))
        // Paid, shipping forbidden by Taobao (a group buy not yet formed): held until it may ship.
        let held = try ingest("taobao", trade("NO_REFUND", modified: "1", tid: "5002", status: "PAID_FORBID_CONSIGN"))
        #expect(held["state"] == "on_hold" && held["action"] == "created_held", "\(held.serialized)")
        #expect(try ingest("taobao", trade("NO_REFUND", modified: "2", tid: "5002"))["action"] == "released")
    }

    /// Lifting one hold lifts no other. The risk rules' hold, the channel's (a refund asked for on Taobao) and
    /// a person's each stand until their own is lifted, whichever came first: the order ships only when
    /// none is left. A rejection cancels an order the channel holds.
    @Test func aHoldStandsUntilItsOwnIsLiftedWhicheverCameFirst() throws {
        // A parcel locker on 600.00 scores 50: a hold with these thresholds.
        try engine.ok("config.set", ["key": "risk.rules", "value": ["thresholds": ["review": 30, "hold": 40, "reject": 90]]])
        func trade(_ tid: String, _ refund: String, modified: String) -> JSON {
            ["trade": ["tid": .string(tid), "created": "2026-01-18 18:00:00", "status": "WAIT_SELLER_SEND_GOODS",
                       "post_fee": "0.00", "payment": "600.00", "modified": .string(modified), "receiver_address": "丰巢柜 A12",
                       "orders": ["order": [["outer_sku_id": "A1", "num": 1, "price": "600.00", "total_fee": "600.00",
                                             "payment": "600.00", "refund_status": .string(refund)]]]]]
        }
        func holdReason(_ id: JSON?) throws -> String {
            try engine.ok("order.get", ["order_id": id ?? .null])["hold_reason"]?.stringValue ?? ""
        }
        // The channel's hold first: the rules' hold takes its place when the channel lifts it.
        let held = try ingest("taobao", trade("7001", "WAIT_SELLER_AGREE", modified: "1"))
        #expect(held["state"] == "on_hold" && held["risk"]?["decision"] == "hold", "\(held.serialized)")
        #expect(try holdReason(held["order_id"]).hasPrefix("held by the channel"))
        let lifted = try ingest("taobao", trade("7001", "SELLER_REFUSE_BUYER", modified: "2"))
        #expect(lifted["action"] == "still_held" && lifted["state"] == "on_hold", "\(lifted.serialized)")
        #expect(try holdReason(held["order_id"]).hasPrefix("risk score 50"))
        #expect(engine.fails("order.release", ["order_id": held["order_id"] ?? .null, "reason": "ship it"]) == .conflict)
        let approved = try engine.ok("risk.review", ["order_id": held["order_id"] ?? .null, "decision": "approve", "reason": "known buyer"])
        #expect(approved["state"] == "paid")

        // The rules' hold first: approved while the channel asks not to ship, the channel's hold stays.
        let risky = try ingest("taobao", trade("7002", "NO_REFUND", modified: "1"))
        #expect(risky["state"] == "on_hold")
        #expect(try holdReason(risky["order_id"]).hasPrefix("risk score"))
        #expect(try ingest("taobao", trade("7002", "WAIT_SELLER_AGREE", modified: "2"))["state"] == "on_hold")
        let reviewed = try engine.ok("risk.review", ["order_id": risky["order_id"] ?? .null, "decision": "approve", "reason": "known buyer"])
        #expect(reviewed["state"] == "on_hold" && reviewed["hold_reason"]?.stringValue?.hasPrefix("held by the channel") == true,
                "\(reviewed.serialized)")
        #expect(try ingest("taobao", trade("7002", "SELLER_REFUSE_BUYER", modified: "3"))["state"] == "paid")

        // A person's hold first: released while the channel asks not to ship, the channel's hold stays.
        try engine.ok("config.set", ["key": "risk.rules", "value": ["thresholds": ["review": 60, "hold": 80, "reject": 90]]])
        let plain = try ingest("taobao", trade("7003", "NO_REFUND", modified: "1"))
        try engine.ok("order.hold", ["order_id": plain["order_id"] ?? .null, "reason": "address check"])
        #expect(try ingest("taobao", trade("7003", "WAIT_SELLER_AGREE", modified: "2"))["state"] == "on_hold")
        let personReleased = try engine.ok("order.release", ["order_id": plain["order_id"] ?? .null, "reason": "address fine"])
        #expect(personReleased["state"] == "on_hold", "\(personReleased.serialized)")
        #expect(try holdReason(plain["order_id"]).hasPrefix("held by the channel"))
        #expect(try ingest("taobao", trade("7003", "SELLER_REFUSE_BUYER", modified: "3"))["state"] == "paid")

        // Rejected by the rules while the channel holds it: cancelled, its stock back.
        try engine.ok("risk.list_set", ["kind": "address", "value": "丰巢柜 A12", "list": "block"])
        let before = try stock()
        let rejected = try ingest("taobao", trade("7004", "WAIT_SELLER_AGREE", modified: "1"))
        #expect(rejected["state"] == "cancelled", "\(rejected.serialized)")
        #expect(try stock() == before)
    }

    /// Cancelled at the channel while it was being packed here: its parcel is taken apart and a person is told
    /// to put the units back. It used to be cancelled without a word, its parcel still packed on the bench.
    @Test func aChannelCancellationOfAPackedOrderTellsAPersonToPutItBack() throws {
        let paid = try ingest("shopify", shopify(71, financial: "paid"))
        let id = paid["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1", "A1"], "weight_g": 0])
        let cancelled = try ingest("shopify", shopify(71, financial: "voided", cancelledAt: "2026-01-18T11:00:00+08:00"))
        #expect(cancelled["state"] == "cancelled", "\(cancelled.serialized)")
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["parcels"]?.arrayValue?.isEmpty == true, "\(order.serialized)")
        let alert = try engine.ok("report.alerts")["alerts"]?.arrayValue?.first { $0["kind"] == "channel_cancelled_picked" }
        #expect(alert?["details"]?["state"] == "packed")
        #expect(try stock() == (10, 0))
        #expect(try engine.ok("stock.verify")["differences"] == [])
    }

    /// A channel's refunds beyond what the order paid are recorded up to what it paid, and raise
    /// `channel_refund_exceeds`; a refund the channel's cancellation already stood for is `covered`, quietly.
    /// A WooCommerce refund (`/orders/<id>/refunds`) names the units it was for in its `line_items`, with negative
    /// quantities: refunded before the order ships, they do not ship (they did: only the money was read).
    @Test func aWooCommerceRefundOfUnitsBeforeShippingKeepsThemHere() throws {
        let order: JSON = ["id": 8301, "status": "processing", "currency": "CNY", "date_created_gmt": "2026-01-18T10:00:00",
                           "prices_include_tax": false, "line_items": [
                            ["sku": "A1", "product_id": 70, "quantity": 2, "subtotal": "100.00", "total": "100.00", "total_tax": "0.00"],
                            ["sku": "", "product_id": 71, "variation_id": 0, "quantity": 1, "subtotal": "30.00",
                             "total": "30.00", "total_tax": "0.00"]]]
        try engine.ok("sku.upsert", ["sku": "woo-71", "name": "Tea"])
        try engine.ok("stock.receive", ["sku": "woo-71", "warehouse": "SH", "qty": 5])
        let placed = try ingest("woo", order)
        #expect(try stock() == (10, 2))
        let refund: JSON = ["id": 726, "amount": "80.00", "reason": "out of one", "line_items": [
            ["id": 314, "product_id": 70, "variation_id": 0, "sku": "A1", "quantity": -1, "total": "-50.00"],
            ["id": 315, "product_id": 71, "variation_id": 0, "sku": "", "quantity": -1, "total": "-30.00"]]]
        let outcome = try engine.ok("intake.ingest", ["channel": "woo", "external_id": "8301", "payload": refund])
        let event = outcome["events"]?.arrayValue?.first ?? .null
        #expect(event["action"] == "refunded", "\(outcome.serialized)")
        let doc = try engine.ok("order.get", ["order_id": placed["order_id"] ?? .null])
        let lines = doc["lines"]?.arrayValue ?? []
        #expect(lines.map { $0["refunded"] ?? .null } == [1, 1] && lines.map { $0["cancelled"] ?? .null } == [1, 1],
                "\(doc.serialized)")
        #expect(try stock() == (10, 1) && doc["refunded_total"] == "80.00" && doc["state"] == "paid")
        // The order's update (its refunds' money only) came first: the refund's units are recorded when it comes,
        // once.
        var updated = order.objectValue ?? [:]
        updated["id"] = 8302
        updated["refunds"] = [["id": 727, "reason": "", "total": "-50.00"]]
        let second = try ingest("woo", .object(updated))
        let units: JSON = ["id": 727, "amount": "50.00", "reason": "", "line_items": [
            ["id": 316, "product_id": 70, "variation_id": 0, "sku": "A1", "quantity": -1, "total": "-50.00"]]]
        let actions = try (0..<2).map { i in
            try engine.ok("intake.ingest", ["channel": "woo", "external_id": "8302", "payload": units,
                                            "event_id": .string("late-\(i)")])["events"]?.arrayValue?.first?["action"]
        }
        #expect(actions == ["refunded", "unchanged"])
        let a1 = try engine.ok("order.get", ["order_id": second["order_id"] ?? .null])["lines"]?.arrayValue?.first
        #expect(a1?["refunded"] == 1 && a1?["cancelled"] == 1 && a1?["reserved"] == 1, "\(a1?.serialized ?? "")")
    }

    /// A refund naming only a SKU that is on two lines, one shipped by the channel and one still to ship, is for
    /// the units where they are: a return of a unit that left (restock type `return`) is the shipped line's, and the
    /// other still ships; units taken off before they left (`cancel`) are the line still to ship's, which no
    /// longer ships. Both used to go to the first line, whatever had shipped.
    @Test func aRefundNamingASKUOnTwoLinesIsForTheLineItsUnitsAreOn() throws {
        func order(_ id: Int, shippedFirst: Bool) -> JSON {
            let lines: JSON = [["id": .int(Int64(10 * id + 1)), "sku": "A1", "quantity": 1, "price": "10.00",
                                "fulfillable_quantity": shippedFirst ? 0 : 1, "current_quantity": 1],
                               ["id": .int(Int64(10 * id + 2)), "sku": "A1", "quantity": 1, "price": "10.00",
                                "fulfillable_quantity": shippedFirst ? 1 : 0, "current_quantity": 1]]
            return shopify(id, financial: "paid", fulfillment: "partial", extra: ["line_items": lines])
        }
        func refund(_ id: Int64, order: Int, restock: String) -> JSON {
            ["refund": ["id": .int(id), "order_id": .int(Int64(order)),
                        "transactions": [["amount": "10.00", "kind": "refund", "status": "success"]],
                        "refund_line_items": [["quantity": 1, "restock_type": .string(restock), "line_item": ["sku": "A1"]]]]]
        }
        func lines(_ id: JSON) throws -> [[JSON]] {
            try engine.ok("order.get", ["order_id": id])["lines"]?.arrayValue?.map {
                [$0["shipped"] ?? .null, $0["refunded"] ?? .null, $0["cancelled"] ?? .null]
            } ?? []
        }
        let returned = try ingest("shopify", order(91, shippedFirst: false))["order_id"] ?? .null
        #expect(try lines(returned) == [[0, 0, 0], [1, 0, 0]])
        #expect(try ingest("shopify", refund(41, order: 91, restock: "return"))["action"] == "refunded")
        #expect(try lines(returned) == [[0, 0, 0], [1, 1, 0]], "the unit still to ship ships")
        let dropped = try ingest("shopify", order(92, shippedFirst: true))["order_id"] ?? .null
        #expect(try ingest("shopify", refund(42, order: 92, restock: "cancel"))["action"] == "refunded")
        #expect(try lines(dropped) == [[1, 0, 0], [0, 1, 1]], "the unit taken off does not ship")
    }

    /// A channel's refund names the line it is for (Shopify `line_item_id`, WooCommerce `_refunded_item_id`), and
    /// lines keep the channel's id (`line_ref`): with A1 on two lines (10.00, and 8.00 after a line discount), a
    /// refund of the 8.00 line is that line's in full and it no longer ships, where matched by SKU it was taken
    /// for the dearest as a price adjustment and both A1 shipped. A refund naming a line the order lacks goes by
    /// SKU, and one whose line spells its SKU otherwise (WooCommerce's blank SKU) is still that line's.
    @Test func aChannelRefundIsForTheLineItNames() throws {
        func lines(_ id: JSON) throws -> [JSON] { try engine.ok("order.get", ["order_id": id])["lines"]?.arrayValue ?? [] }
        func column(_ lines: [JSON], _ key: String) -> [JSON] { lines.map { $0[key] ?? .null } }
        let items: JSON = [["id": 901, "sku": "A1", "quantity": 1, "price": "10.00"],
                           ["id": 902, "sku": "A1", "quantity": 1, "price": "10.00", "total_discount": "2.00"]]
        let shopifyLine: JSONObject = ["line_items": items]
        func refund(_ id: Int64, line: Int64, amount: String = "8.00") -> JSON {
            ["id": .int(id), "order_id": 81, "transactions": [["amount": .string(amount), "kind": "refund", "status": "success"]],
             "refund_line_items": [["quantity": 1, "line_item_id": .int(line), "restock_type": "no_restock",
                                    "line_item": ["id": .int(line), "sku": "A1"]]]]
        }
        let placed = try ingest("shopify", shopify(81, financial: "paid", extra: shopifyLine))["order_id"] ?? .null
        #expect(column(try lines(placed), "line_ref") == ["901", "902"])
        #expect(try ingest("shopify", ["refund": refund(31, line: 902)])["action"] == "refunded")
        var now = try lines(placed)
        #expect(column(now, "refunded") == [0, 1] && column(now, "cancelled") == [0, 1], "\(now)")
        // A line the order lacks: by SKU, the dearest first (Shopify's refunded units no longer ship: that one).
        let other = try ingest("shopify", shopify(82, financial: "paid", extra: shopifyLine))["order_id"] ?? .null
        var lacking = refund(32, line: 999).objectValue ?? [:]
        lacking["order_id"] = 82
        #expect(try ingest("shopify", ["refund": .object(lacking)])["action"] == "refunded")
        now = try lines(other)
        #expect(column(now, "refunded") == [1, 0] && column(now, "cancelled") == [1, 0], "\(now)")

        let woo: JSON = ["id": 8401, "status": "processing", "currency": "CNY", "date_created_gmt": "2026-01-18T10:00:00",
                         "line_items": [["id": 311, "sku": "A1", "product_id": 70, "quantity": 1, "subtotal": "10.00", "total": "10.00"],
                                        ["id": 312, "sku": "A1", "product_id": 70, "quantity": 1, "subtotal": "10.00", "total": "8.00"]]]
        let wooOrder = try ingest("woo", woo)["order_id"] ?? .null
        let wooRefund: JSON = ["id": 730, "amount": "8.00", "reason": "", "line_items": [
            ["id": 320, "product_id": 70, "variation_id": 0, "sku": "", "quantity": -1, "total": "-8.00",
             "meta_data": [["id": 2080, "key": "_refunded_item_id", "value": "312"]]]]]
        let outcome = try engine.ok("intake.ingest", ["channel": "woo", "external_id": "8401", "payload": wooRefund])
        #expect(outcome["events"]?.arrayValue?.first?["action"] == "refunded", "\(outcome.serialized)")
        now = try lines(wooOrder)
        #expect(column(now, "line_ref") == ["311", "312"] && column(now, "refunded") == [0, 1] && column(now, "cancelled") == [0, 1],
                "\(now)")

        // A Taobao sub-order (`oid`) refunded and closed inside its trade.
        let trade: JSON = ["trade": ["tid": "5301", "created": "2026-01-18 18:00:00", "status": "WAIT_SELLER_SEND_GOODS",
                                     "post_fee": "0.00", "payment": "35.00", "modified": "2026-01-18 19:00:00", "orders": ["order": [
            ["oid": 70061, "outer_sku_id": "A1", "num": 1, "price": "20.00", "total_fee": "20.00", "payment": "20.00",
             "status": "WAIT_SELLER_SEND_GOODS", "refund_status": "NO_REFUND"],
            ["oid": 70062, "outer_sku_id": "A1", "num": 1, "price": "15.00", "total_fee": "15.00", "payment": "15.00",
             "status": "TRADE_CLOSED", "refund_status": "SUCCESS", "refund_id": "R5301", "refund_fee": "15.00"]]]]]
        now = try lines(try ingest("taobao", trade)["order_id"] ?? .null)
        #expect(column(now, "line_ref") == ["70061", "70062"] && column(now, "cancelled") == [0, 1], "\(now)")
    }

    /// Shopify sends `refunds/create` beside `orders/cancelled`: the refund the cancellation already recorded as
    /// refunded is covered, not a dead letter a person must clear; a refund of its own is recorded once, with
    /// its `refund_line_items`.
    @Test func aShopifyRefundWebhookAfterTheCancellationIsCoveredNotADeadLetter() throws {
        let placed = try ingest("shopify", shopify(7201, financial: "paid", extra: ["updated_at": "2026-01-18T10:00:00+08:00"]))
        let id = placed["order_id"] ?? .null
        try ingest("shopify", shopify(7201, financial: "refunded", cancelledAt: "2026-01-18T11:00:00+08:00",
                                      extra: ["updated_at": "2026-01-18T11:00:00+08:00"]))
        let refund: JSON = ["refund": ["id": 901, "order_id": 7201, "note": "cancelled",
                                       "transactions": [["amount": "100.00", "kind": "refund", "status": "success"]]]]
        let covered = try ingest("shopify", refund)
        #expect(covered["action"] == "unchanged" && covered["refund"]?["outcome"] == "covered", "\(covered.serialized)")
        #expect(try engine.ok("order.get", ["order_id": id])["refunded_total"] == "100.00")
        // On an order not cancelled: recorded, and the same refund again is not recorded twice.
        let other = try ingest("shopify", shopify(7202, financial: "paid"))
        let part: JSON = ["refund": ["id": 902, "order_id": 7202, "transactions": [["amount": "50.00", "kind": "refund",
                                                                                    "status": "success"]],
                                     "refund_line_items": [["quantity": 1, "line_item": ["sku": "A1", "variant_id": 1]]]]]
        #expect(try ingest("shopify", part)["action"] == "refunded")
        let line = try engine.ok("order.get", ["order_id": other["order_id"] ?? .null])["lines"]?.arrayValue?.first
        #expect(line?["refunded"] == 1 && line?["cancelled"] == 1, "a unit refunded before it ships does not ship")
        var again = part.objectValue?["refund"]?.objectValue ?? [:]
        again["note"] = "retried"
        #expect(try ingest("shopify", ["refund": .object(again)])["action"] == "unchanged")
        #expect(try engine.ok("order.get", ["order_id": other["order_id"] ?? .null])["refunded_total"] == "50.00")
    }

    /// A return refunded here (`return.refund`, the gateway's reference) and the same refund reported by the
    /// channel under its own id are one refund: the channel's matches the return's (same amount, not claimed
    /// by another), and the order's refunded total counts it once, however often the channel repeats it. A
    /// channel refund of other money is recorded. Units the channel refunded before they came back are not
    /// paid again by their return.
    @Test func aChannelRefundOfAReturnRefundedHereIsNotCountedTwice() throws {
        let shipped: JSONObject = ["fulfillment_status": "fulfilled", "updated_at": "2026-01-18T10:00:00+08:00",
                                   "fulfillments": [["tracking_company": "SF", "tracking_number": "SF75", "status": "success",
                                                     "created_at": "2026-01-18T11:00:00+08:00"]]]
        let placed = try ingest("shopify", shopify(76, financial: "paid", extra: shipped))
        let id = placed["order_id"] ?? .null
        #expect(placed["state"] == "shipped", "\(placed.serialized)")
        let rid = try engine.ok("return.request", ["order_id": id, "reason": "defective", "lines": [["sku": "A1", "qty": 1]]])["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": rid])
        try engine.ok("return.receive", ["return_id": rid, "warehouse": "SH", "lines": [["sku": "A1", "resellable": 1]]])
        try engine.ok("return.refund", ["return_id": rid, "refund_ref": "GW-76"])
        func refund(_ refundID: Int64, _ amount: String, units: Int64 = 1) -> JSON {
            ["id": .int(refundID), "transactions": [["amount": .string(amount), "kind": "refund", "status": "success"]],
             "refund_line_items": units == 0 ? [] : [["quantity": .int(units), "restock_type": "return", "line_item": ["sku": "A1"]]]]
        }
        func reported(_ refunds: [JSON], at time: String) throws -> [JSON] {
            var extra = shipped
            extra["updated_at"] = .string(time)
            extra["refunds"] = .array(refunds)
            return try ingest("shopify", shopify(76, financial: "partially_refunded", extra: extra))["refunds"]?.arrayValue ?? []
        }
        let echoed = try reported([refund(761, "50.00")], at: "2026-01-19T10:00:00+08:00")
        #expect(echoed.first?["outcome"] == "matches_return" && echoed.first?["return_refund_ref"] == "GW-76", "\(echoed)")
        let again = try reported([refund(761, "50.00"), refund(762, "5.00", units: 0)], at: "2026-01-19T11:00:00+08:00")
        #expect(again.map { $0["outcome"] } == ["already_recorded", "recorded"], "\(again)")
        #expect(again.last?["alert"] == nil, "every refund of the return is matched: nothing to compare")
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["refunded_total"] == "55.00" && order["lines"]?.arrayValue?.first?["refunded"] == 1, "\(order.serialized)")
        // A unit back and refunded here (50.00) that the channel reports as 45.00: recorded, and a person is
        // told the two may be one.
        let third = try ingest("shopify", shopify(78, financial: "paid", extra: shipped))["order_id"] ?? .null
        let rid3 = try engine.ok("return.request", ["order_id": third, "reason": "defective", "lines": [["sku": "A1", "qty": 1]]])["return_id"] ?? .null
        try engine.ok("return.approve", ["return_id": rid3])
        try engine.ok("return.receive", ["return_id": rid3, "warehouse": "SH", "lines": [["sku": "A1", "resellable": 1]]])
        try engine.ok("return.refund", ["return_id": rid3, "refund_ref": "GW-78"])
        var differs = shipped
        differs["updated_at"] = "2026-01-19T12:00:00+08:00"
        differs["refunds"] = [refund(781, "45.00", units: 0)]
        let unmatched = try ingest("shopify", shopify(78, financial: "partially_refunded", extra: differs))["refunds"]?.arrayValue?.first
        #expect(unmatched?["outcome"] == "recorded" && unmatched?["alert"] == "channel_refund_unmatched", "\(unmatched?.serialized ?? "")")

        // The other way round: the channel refunds a unit first, then it comes back here. The return of that
        // unit pays nothing more; a return of the other unit pays for it.
        var first = shipped
        first["refunds"] = [refund(771, "50.00")]
        let other = try ingest("shopify", shopify(77, financial: "partially_refunded", extra: first))["order_id"] ?? .null
        func returned() throws -> JSON {
            let rid = try engine.ok("return.request", ["order_id": other, "reason": "defective", "lines": [["sku": "A1", "qty": 1]]])
            #expect(rid["quote"]?["cash"] != nil)
            try engine.ok("return.approve", ["return_id": rid["return_id"] ?? .null])
            try engine.ok("return.receive", ["return_id": rid["return_id"] ?? .null, "warehouse": "SH", "lines": [["sku": "A1", "resellable": 1]]])
            return try engine.ok("return.refund", ["return_id": rid["return_id"] ?? .null])
        }
        #expect(try returned()["refunds"]?.arrayValue?.first?["cash"] == "0.00")
        #expect(try engine.ok("order.get", ["order_id": other])["refunded_total"] == "50.00")
        #expect(try returned()["refunds"]?.arrayValue?.first?["cash"] == "50.00")
        let both = try engine.ok("order.get", ["order_id": other])
        #expect(both["refunded_total"] == "100.00" && both["lines"]?.arrayValue?.first?["refunded"] == 2, "\(both.serialized)")

        // A unit refunded before it shipped never comes back: the return of the unit that shipped pays for it.
        let kept = try engine.ok("order.create", orderArgs([("A1", 2, "10.00")], ["payment": [:]]))["order_id"] ?? .null
        try engine.ok("order.refund", ["order_id": kept, "amount": "10.00", "units": [["sku": "A1", "qty": 1]]])
        try engine.ok("order.allocate", ["order_id": kept])
        try engine.ok("order.pack", ["order_id": kept, "scans": [kept, "A1"], "weight_g": 0])
        try engine.ok("order.ship", ["order_id": kept, "carrier": "SF", "tracking_no": "SF78"])
        let quote = try engine.ok("return.request", ["order_id": kept, "reason": "defective", "lines": [["sku": "A1", "qty": 1]]])
        #expect(quote["quote"]?["cash"] == "10.00", "\(quote.serialized)")

        // A unit a person cancelled (no refund naming it), then the one that shipped refunded before it came
        // back: its return pays nothing more, though the order has money left to refund (B2's).
        let split = try engine.ok("order.create", orderArgs([("A1", 2, "10.00"), ("B2", 1, "10.00")], ["payment": [:]]))
        let dropped = split["order_id"] ?? .null
        try engine.ok("order.cancel", ["order_id": dropped, "reason": "buyer dropped one", "units": [["sku": "A1", "qty": 1]]])
        try engine.ok("order.refund", ["order_id": dropped, "amount": "10.00"])
        try engine.ok("order.allocate", ["order_id": dropped])
        try engine.ok("order.pack", ["order_id": dropped, "scans": [dropped, "A1", "B2"], "weight_g": 0])
        try engine.ok("order.ship", ["order_id": dropped, "carrier": "SF", "tracking_no": "SF79"])
        try engine.ok("order.refund", ["order_id": dropped, "amount": "10.00", "units": [["sku": "A1", "qty": 1]]])
        let paidOnce = try engine.ok("return.request", ["order_id": dropped, "reason": "defective", "lines": [["sku": "A1", "qty": 1]]])
        #expect(paidOnce["quote"]?["cash"] == "0.00", "\(paidOnce.serialized)")
    }

    @Test func aChannelRefundBeyondWhatWasPaidIsNeverSilent() throws {
        func refund(_ id: Int, _ amount: String) -> JSON { ["id": .int(Int64(id)), "transactions": [["amount": .string(amount)]]] }
        func alerts() throws -> [String] {
            try engine.ok("report.alerts")["alerts"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []
        }
        // Paid 100.00; the channel reports 150.00 refunded.
        let over = try ingest("shopify", shopify(81, financial: "refunded", fulfillment: "fulfilled", extra: ["refunds": [refund(1, "150.00")]]))
        let outcome = over["refunds"]?.arrayValue?.first
        #expect(outcome?["outcome"] == "recorded" && outcome?["amount"] == "100.00" && outcome?["reported"] == "150.00",
                "\(over.serialized)")
        #expect(try alerts() == ["channel_refund_exceeds"])
        // Refunded in full, then a second refund under another id: nothing is left to record, and it is said.
        let twice = try ingest("shopify", shopify(82, financial: "paid", extra: ["refunds": [refund(2, "100.00"), refund(3, "100.00")]]))
        #expect(twice["refunds"]?.arrayValue?.map { $0["outcome"] } == ["recorded", "covered"], "\(twice.serialized)")
        #expect(try alerts() == ["channel_refund_exceeds", "channel_refund_exceeds"])
        // Cancelled (recorded as refunded), then the channel's refund of that money: covered, no alert.
        try ingest("shopify", shopify(83, financial: "paid"))
        try ingest("shopify", shopify(83, financial: "voided", cancelledAt: "2026-01-18T11:00:00+08:00"))
        let covered = try ingest("shopify", shopify(83, financial: "refunded", cancelledAt: "2026-01-18T11:00:00+08:00",
                                                    extra: ["refunds": [refund(4, "100.00")]]))
        #expect(covered["refunds"]?.arrayValue?.first?["outcome"] == "covered" && covered["refunds"]?.arrayValue?.first?["alert"] == nil,
                "\(covered.serialized)")
        #expect(try alerts().count == 2)
        // First seen cancelled and refunded (its payment never reported here): the refund is within what it cost,
        // and nothing disagrees.
        let unseen = try ingest("shopify", shopify(84, financial: "refunded", cancelledAt: "2026-01-18T11:00:00+08:00",
                                                   extra: ["refunds": [refund(5, "100.00")]]))
        #expect(unseen["state"] == "cancelled" && unseen["refunds"]?.arrayValue?.first?["alert"] == nil, "\(unseen.serialized)")
        #expect(try alerts().count == 2)
    }

    @Test func oneBadOrderInAListDeadLettersOnlyItselfAndIsRetriedAlone() throws {
        let list: JSON = ["orders": [
            ["id": 31, "financial_status": "paid", "currency": "CNY", "line_items": [["sku": "A1", "quantity": 1, "price": "5.00"]]],
            ["id": 32, "financial_status": "paid", "currency": "CNY", "line_items": [["sku": "NEW-9", "quantity": 1, "price": "5.00"]]],
            ["id": 33, "financial_status": "paid", "currency": "CNY", "line_items": [["sku": "A1", "quantity": "one", "price": "5.00"]]],
            ["id": 34, "financial_status": "pending", "currency": "CNY", "line_items": [["sku": "B2", "quantity": 1, "price": "5.00"]]]]]
        let outcome = try engine.ok("intake.ingest", ["channel": "shopify", "payload": list, "event_id": "batch-1"])
        #expect(outcome["state"] == "applied")
        let events = outcome["events"]?.arrayValue ?? []
        #expect(events.map { $0["state"] ?? .null } == ["paid", "dead_letter", "dead_letter", "pending_payment"])
        #expect(outcome["dead_letters"]?.arrayValue?.count == 2)
        let letters = try engine.ok("intake.dead_letters")
        #expect(letters["total"] == 2)
        // The unknown SKU's order is retried alone once the SKU exists.
        let child = events[1]["inbox_id"] ?? .null
        #expect(try engine.ok("intake.get", ["inbox_id": child])["payload"]?.stringValue?.contains("NEW-9") == true)
        try engine.ok("sku.upsert", ["sku": "NEW-9"])
        let retried = try engine.ok("intake.retry", ["inbox_id": child])
        #expect(retried["state"] == "applied" && retried["events"]?.arrayValue?.first?["external_id"] == "32")
        #expect(try engine.ok("intake.dead_letters")["total"] == 1)
        // The whole list again is a duplicate: nothing twice.
        #expect(try engine.ok("intake.ingest", ["channel": "shopify", "payload": list, "event_id": "batch-1"])["duplicate"] == true)
        #expect(try engine.ok("order.list")["orders"]?.arrayValue?.count == 3)
    }

    @Test func aChannelOrderIsNeverLostForACosmeticField() throws {
        let note = String(repeating: "deliver to the back door. ", count: 400) + "\u{7}"  // 10,401 characters and a bell
        let e = try ingest("shopify", shopify(40, financial: "paid", extra: [
            "note": .string(note), "tags": .string("vip, \u{200B}, a-very-long-tag-\(String(repeating: "x", count: 80)), gift\u{202E}wrap"),
            "shipping_address": ["name": .string(String(repeating: "王", count: 300)), "city": "Xi'an\r"],
            "discount_codes": [["code": "SAVE\u{200B}10", "amount": "1.00"]]]))
        #expect(e["action"] == "created_paid")
        let order = try engine.ok("order.get", ["order_id": e["order_id"] ?? .null])
        #expect(order["note"]?.stringValue?.count == OrderDraft.noteLimit)
        #expect(order["ship_to"]?["name"]?.stringValue?.count == 300)
        #expect(order["ship_to"]?["city"] == "Xi'an")
        #expect(order["tags"] == JSON.array(["vip", .string("a-very-long-tag-" + String(repeating: "x", count: 48)), "giftwrap"]))
        let codes = order["warnings"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(codes.contains("text_shortened") && codes.contains("tag_dropped"))
        let shortened = order["warnings"]?.arrayValue?.filter { $0["code"] == "text_shortened" }.compactMap { $0["field"]?.stringValue }
        #expect(Set(shortened ?? []) == ["note", "customer.name"])
        #expect(try engine.ok("intake.dead_letters")["total"] == 0)
    }

    /// A WooCommerce payment that failed leaves the order unpaid and holding nothing, as WooCommerce holds
    /// nothing for it; the buyer may pay again (a retry, a subscription's renewal), and then it takes its
    /// stock, backordering what is short. It used to be cancelled here, and stayed cancelled when the
    /// retried payment went through. An order cancelled here that its channel then reports paid raises a
    /// `channel_paid_cancelled` alert instead of answering `unchanged` and nothing else.
    @Test func aFailedWooCommercePaymentHoldsNothingUntilTheBuyerPays() throws {
        func woo(_ id: Int, _ status: String, qty: Int64 = 6) -> JSON {
            ["id": .int(Int64(id)), "status": .string(status), "currency": "CNY", "date_created_gmt": "2026-01-18T10:00:00",
             "line_items": [["sku": "A1", "quantity": .int(qty), "subtotal": "60.00", "total": "60.00", "total_tax": "0.00"]]]
        }
        func alerts(_ kind: String) throws -> [JSON] {
            try engine.ok("report.alerts")["alerts"]?.arrayValue?.filter { $0["kind"] == .string(kind) } ?? []
        }
        let failed = try ingest("woo", woo(1, "failed"))
        #expect(failed["state"] == "pending_payment" && failed["action"] == "created")
        #expect(try stock() == (10, 0))
        let paid = try ingest("woo", woo(1, "processing"))
        #expect(paid["state"] == "paid" && paid["action"] == "paid")
        #expect(try stock() == (10, 6))

        // Placed (4 of its 6 held, 2 backordered), then its payment fails: it gives back what it held.
        #expect(try ingest("woo", woo(2, "pending"))["backordered"] == [["line_no": 1, "sku": "A1", "qty": 2]])
        #expect(try stock() == (10, 10))
        let released = try ingest("woo", woo(2, "failed"))
        #expect(released["action"] == "stock_released" && released["released_units"] == 4)
        #expect(try stock() == (10, 6))
        #expect(try alerts("backorder").isEmpty, "nobody needs to find units for an unpaid order")
        // The buyer pays after all: it holds the 4 there are and backorders 2, the channel having sold them.
        let late = try ingest("woo", woo(2, "processing"))
        #expect(late["state"] == "paid")
        #expect(try stock() == (10, 10))
        let line = try #require(try engine.ok("order.get", ["order_id": late["order_id"] ?? .null])["lines"]?.arrayValue?.first)
        #expect(line["reserved"] == 4 && line["backordered"] == 2, "\(line.serialized)")
        #expect(try alerts("backorder").map { $0["order_id"] } == [late["order_id"]])

        // Cancelled there, then paid there (WooCommerce lets a person move it back): a person decides.
        #expect(try ingest("woo", woo(3, "cancelled", qty: 1))["state"] == "cancelled")
        let conflict = try ingest("woo", woo(3, "processing", qty: 1))
        #expect(conflict["state"] == "cancelled" && conflict["action"] == "unchanged")
        #expect(conflict["alert"] == "channel_paid_cancelled")
        #expect(try alerts("channel_paid_cancelled").map { $0["order_id"] } == [conflict["order_id"]])
        #expect(try engine.ok("stock.verify")["differences"] == [])
    }

    /// A unit cancelled here, its money refunded at WooCommerce: the order payload names only the refund's money,
    /// the refund itself arrives later naming the unit. It is the cancelled unit's refund; the other still ships.
    @Test func aWooCommerceRefundOfAUnitCancelledHereStopsNoOther() throws {
        let placed = try ingest("woo", ["id": 31, "status": "processing", "currency": "CNY", "date_created_gmt": "2026-01-18T10:00:00",
                                        "line_items": [["sku": "A1", "quantity": 2, "subtotal": "60.00", "total": "60.00", "total_tax": "0.00"]]])
        let id = placed["order_id"] ?? .null
        #expect(try engine.ok("order.cancel", ["order_id": id, "units": [["sku": "A1", "qty": 1]]])["refund_due"] == "30.00")
        let refunded = try ingest("woo", ["id": 31, "status": "processing", "currency": "CNY", "date_created_gmt": "2026-01-18T10:00:00",
                                          "date_modified_gmt": "2026-01-18T12:00:00", "refunds": [["id": 88, "total": "-30.00"]],
                                          "line_items": [["sku": "A1", "quantity": 2, "subtotal": "60.00", "total": "60.00", "total_tax": "0.00"]]])
        #expect(refunded["refunds"]?.arrayValue?.first?["outcome"] == "recorded", "\(refunded.serialized)")
        let units = try ingest("woo", ["id": 88, "amount": "30.00", "reason": "", "line_items": [["sku": "A1", "quantity": -1]],
                                       "_links": ["up": [["href": "https://example.com/wp-json/wc/v3/orders/31"]]]])
        #expect(units["order_id"] == id, "\(units.serialized)")
        let order = try engine.ok("order.get", ["order_id": id])
        let line = order["lines"]?.arrayValue?.first
        #expect(line?["cancelled"] == 1 && line?["refunded"] == 1 && line?["refunded_cancelled"] == 1, "\(order.serialized)")
        #expect(order["state"] == "paid" && order["refund_due"] == "0.00" && order["refunded_total"] == "30.00")
    }

    @Test func wooCommerceFeesAreInTheTotalAndDiscountFeesAreDiscounts() throws {
        let payload: JSON = ["id": 60, "status": "processing", "currency": "CNY", "prices_include_tax": true, "total": "121.60",
                             "total_tax": "13.30", "shipping_total": "10.00",
                             "line_items": [["sku": "B2", "quantity": 1, "subtotal": "100.00", "total": "100.00", "total_tax": "13.00"]],
                             "shipping_lines": [["total": "10.00", "total_tax": "0.00"]],
                             "fee_lines": [["name": "Gift wrap", "total": "3.30", "total_tax": "0.30"],
                                           ["name": "Loyalty discount", "total": "-5.00", "total_tax": "0.00"]]]
        let e = try ingest("woo", payload)
        #expect(e["warnings"] == nil, "\(e.serialized)")
        let order = try engine.ok("order.get", ["order_id": e["order_id"] ?? .null])
        #expect(order["grand_total"] == "121.60" && order["fee_total"] == "3.30" && order["discount_total"] == "5.00")
        #expect(order["tax_total"] == "13.30" && order["fees"] == JSON.array([["name": "Gift wrap", "amount": "3.30", "tax": "0.30"]]))
    }

    /// A checkout (`checkouts/create`, an abandoned cart) has an id and line items like an order: it created one,
    /// holding stock for a cart nobody bought. It is skipped.
    @Test func aShopifyCheckoutIsNotAnOrder() throws {
        let checkout: JSON = ["checkout": ["id": 901414060, "token": "b1946ac92492d2347c6235b4d2611184", "currency": "CNY",
                                           "abandoned_checkout_url": "https://shop.example/checkouts/b19", "total_price": "100.00",
                                           "line_items": [["sku": "A1", "quantity": 2, "price": "50.00", "variant_id": 1]]]]
        for payload in [checkout, checkout["checkout"] ?? .null] {  // a webhook sends it bare
            let outcome = try engine.ok("intake.ingest", ["channel": "shopify", "payload": payload])
            #expect(outcome["events"]?.arrayValue?.first?["type"] == "skip", "\(outcome.serialized)")
        }
        #expect(try engine.ok("order.list")["orders"]?.arrayValue?.isEmpty == true && stock() == (10, 0))
    }

    /// A Shopify test order (`test`: the Bogus gateway, or a gateway in test mode) says `paid`, but no money moved: it
    /// was recorded paid and shipped, and cancelled it was owed back. It is held unpaid, REST and GraphQL, whatever
    /// Shopify says of it later; its refunds give nothing back, and cancelled nothing is owed. So is a WooCommerce order
    /// paid through WooPayments in its test mode.
    @Test func aTestOrderIsHeldUnpaid() throws {
        try engine.ok("channel.upsert", ["channel": "gql", "profile": "shopify_graphql"])
        let gid: JSON = ["data": ["order": [
            "id": "gid://shopify/Order/81", "test": true, "displayFinancialStatus": "PAID", "createdAt": "2026-01-18T10:00:00Z",
            "lineItems": ["edges": [["node": ["sku": "A1", "quantity": 1, "originalUnitPriceSet": ["shopMoney": ["amount": "50.00"]]]]]]]]]
        for (channel, payload) in [("shopify", shopify(80, financial: "paid", extra: ["test": true])), ("gql", gid)] {
            let e = try engine.ok("intake.ingest", ["channel": .string(channel), "payload": payload])["events"]?.arrayValue?.first ?? .null
            let order = try engine.ok("order.get", ["order_id": e["order_id"] ?? .null])
            #expect(e["action"] == "created_held" && order["state"] == "on_hold" && order["paid_total"] == "0.00", "\(e.serialized)")
            #expect(order["hold_reason"] == .string("held by the channel: a test order on \(channel): no money moved; do not ship"),
                    "\(order.serialized)")
        }
        let again = try ingest("shopify", shopify(80, financial: "paid", extra: ["test": true, "updated_at": "2026-01-19T10:00:00+08:00"]))
        #expect(again["state"] == "on_hold", "\(again.serialized)")
        #expect(try stock() == (10, 0), "no stock a real order could sell is held for them")
        let refund: JSON = ["refund": ["id": 801, "order_id": 80, "transactions": [["kind": "refund", "status": "success",
                                        "amount": "100.00", "gateway": "bogus", "test": true]], "refund_line_items": []]]
        let refunded = try ingest("shopify", refund)
        #expect(refunded["state"] == "on_hold" && refunded["refund"]?["outcome"] == "covered", "\(refunded.serialized)")
        // Cancelled without a refund (the money was "paid"): nothing is owed back.
        let cancelled = try ingest("shopify", shopify(80, financial: "paid", cancelledAt: "2026-01-20T10:00:00+08:00",
                                                      extra: ["test": true, "updated_at": "2026-01-20T10:00:00+08:00"]))
        let gone = try engine.ok("order.get", ["order_id": cancelled["order_id"] ?? .null])
        #expect(cancelled["state"] == "cancelled" && gone["paid_total"] == "0.00" && gone["refund_due"] == "0.00", "\(gone.serialized)")
        // Nor any part of it: a gift card's part of a cash-on-delivery order.
        let part = try ingest("shopify", shopify(83, financial: "partially_paid", extra: [
            "test": true, "payment_gateway_names": ["gift_card", "Cash on Delivery (COD)"], "total_price": "100.00",
            "total_outstanding": "70.00"]))
        #expect(try engine.ok("order.get", ["order_id": part["order_id"] ?? .null])["paid_total"] == "0.00", "\(part.serialized)")
        let real = try ingest("shopify", shopify(82, financial: "paid", extra: ["test": false]))
        #expect(real["state"] == "paid", "\(real.serialized)")
        // A flag it cannot read says nothing, and loses no order.
        #expect(try ingest("shopify", shopify(84, financial: "paid", extra: ["test": "perhaps"]))["state"] == "paid")
        // WooCommerce: paid through WooPayments in its test mode.
        func woo(_ id: Int, mode: String) -> JSON {
            ["id": .int(Int64(id)), "status": "processing", "currency": "CNY", "total": "50.00",
             "line_items": [["sku": "A1", "quantity": 1, "subtotal": "50.00", "total": "50.00"]],
             "meta_data": [["id": 1, "key": "_wcpay_mode", "value": .string(mode)]]]
        }
        let mapped = try engine.ok("intake.map", ["channel": "woo", "payload": woo(85, mode: "test")])["events"]?.arrayValue
        #expect(mapped?.first?["test"] == true && mapped?.first?["state"] == "on_hold", "\(mapped ?? [])")
        let wooTest = try ingest("woo", woo(85, mode: "test"))
        #expect(wooTest["state"] == "on_hold" && wooTest["action"] == "created_held", "\(wooTest.serialized)")
        #expect(try ingest("woo", woo(86, mode: "prod"))["state"] == "paid")
    }

    /// Shopify's other order webhooks — `orders/edited` (an `order_edit`), `order_transactions/create` (a payment
    /// transaction), `orders/delete` (the id alone), `returns/*` and `reverse_fulfillment_orders/*` — are not orders: each made a dead letter a person had to clear.
    /// They are skipped; the order's own events carry what they changed.
    @Test func shopifyOrderEditsTransactionsAndDeletionsAreSkipped() throws {
        let e = try ingest("shopify", shopify(50, financial: "paid"))
        let edit: JSON = ["order_edit": ["id": 789, "order_id": 50, "committed_at": "2026-01-18T11:00:00+08:00",
                                         "line_items": ["additions": [["id": 1, "delta": 1]], "removals": []]]]
        let transaction: JSON = ["id": 120, "order_id": 50, "kind": "refund", "gateway": "bogus", "status": "success",
                                 "amount": "100.00", "currency": "CNY"]
        // A return (returns/request, returns/approve ...) and its shipment back (reverse_fulfillment_orders/*).
        let returned: JSON = ["id": 610, "admin_graphql_api_id": "gid://shopify/Return/610", "status": "requested",
                              "order": ["id": 50, "admin_graphql_api_id": "gid://shopify/Order/50"],
                              "return_line_items": [["id": 1, "quantity": 1, "return_reason": "size_too_small"]]]
        let reverse: JSON = ["id": 620, "admin_graphql_api_id": "gid://shopify/ReverseFulfillmentOrder/620", "order_id": 50,
                             "status": "open"]
        for payload in [edit, transaction, ["id": 50], returned, reverse] {
            let outcome = try engine.ok("intake.ingest", ["channel": "shopify", "payload": payload])
            let event = outcome["events"]?.arrayValue?.first
            #expect(outcome["state"] == "applied" && event?["type"] == "skip" && event?["external_id"] == "50", "\(outcome.serialized)")
        }
        let order = try engine.ok("order.get", ["order_id": e["order_id"] ?? .null])
        #expect(order["state"] == "paid" && order["refunded_total"] == "0.00", "\(order.serialized)")
    }

    /// A WooCommerce order moved to the trash is not to ship while it is there (it was taken as unpaid and
    /// left to ship): held by the channel, paid or not, and never paid by it. Restored, it goes on — an
    /// unpaid one waits for its payment again, or is paid at once when restored paid. A status no mapping knows warns on an order already here too.
    @Test func aWooCommerceOrderInTheTrashIsHeldUntilRestored() throws {
        var modified = 0
        func woo(_ id: Int, _ status: String) -> JSON {
            modified += 1
            return ["id": .int(Int64(id)), "status": .string(status), "currency": "CNY", "total": "20.00",
                    "date_created_gmt": "2026-01-18T02:00:00", "date_modified_gmt": .string("2026-01-18T03:\(10 + modified):00"),
                    "line_items": [["sku": "B2", "quantity": 2, "subtotal": "20.00", "total": "20.00", "total_tax": "0.00"]]]
        }
        func state(_ event: JSON) throws -> (String?, String?) {
            let order = try engine.ok("order.get", ["order_id": event["order_id"] ?? .null])
            return (order["state"]?.stringValue, order["paid_total"]?.stringValue)
        }
        let paid = try ingest("woo", woo(70, "processing"))
        #expect(try state(ingest("woo", woo(70, "trash"))) == ("on_hold", "20.00"))
        #expect(try ingest("woo", woo(70, "processing"))["action"] == "released")
        #expect(try state(paid) == ("paid", "20.00"))
        try ingest("woo", woo(71, "pending"))
        let trashed = try ingest("woo", woo(71, "trash"))
        #expect(trashed["action"] == "held")
        #expect(try state(trashed) == ("on_hold", "0.00"))
        #expect(try ingest("woo", woo(71, "pending"))["action"] == "released")
        #expect(try state(trashed) == ("pending_payment", "0.00"))
        try ingest("woo", woo(71, "trash"))
        #expect(try state(ingest("woo", woo(71, "processing"))) == ("paid", "20.00"))
        let unknown = try ingest("woo", woo(71, "wc-awaiting-pickup"))
        #expect(unknown["action"] == "unchanged" && unknown["warnings"]?.arrayValue?.first?["code"] == "status_unmapped", "\(unknown.serialized)")
    }

    /// A free-shipping code: Shopify's shipping line keeps its `price` and allocates the discount to it. The
    /// buyer paid the total less that discount, and a full refund gives back no more than that.
    @Test func aShopifyShippingDiscountIsNotChargedNorRefunded() throws {
        let freeShipping: JSONObject = [
            "total_price": "100.00", "total_discounts": "10.00",
            "shipping_lines": [["price": "10.00", "discounted_price": "0.00", "discount_allocations": [["amount": "10.00"]]]],
        ]
        let e = try ingest("shopify", shopify(30, financial: "paid", extra: freeShipping))
        #expect(e["warnings"] == nil, "\(e.serialized)")
        let id = e["order_id"] ?? .null
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["shipping_fee"] == "10.00" && order["discount_total"] == "10.00" && order["grand_total"] == "100.00")
        #expect(order["payments"]?.arrayValue?.map { $0["amount"] ?? .null } == ["100.00"])
        var refunded = freeShipping
        refunded["refunds"] = [["id": 31, "transactions": [["amount": "100.00", "kind": "refund"]]]]
        let cancelled = try ingest("shopify", shopify(30, financial: "refunded", cancelledAt: "2026-01-18T11:00:00+08:00", extra: refunded))
        #expect(cancelled["state"] == "cancelled", "\(cancelled.serialized)")
        let after = try engine.ok("order.get", ["order_id": id])
        #expect(after["refunded_total"] == "100.00" && after["refund_due"] == "0.00" && after["payment_status"] == "refunded")
    }

    /// Shopify has no delivered status of its own: each fulfillment's `shipment_status` tells. Every successful
    /// one delivered: the order is delivered (shipped here or not); one still on its way: shipped.
    @Test func aShopifyOrderIsDeliveredWhenEveryFulfillmentIs() throws {
        func fulfilled(_ id: Int, _ statuses: [(String, String)], updated: String) -> JSON {
            shopify(id, financial: "paid", fulfillment: "fulfilled", extra: [
                "updated_at": .string(updated),
                "fulfillments": .array(statuses.map { ["status": .string($0.0), "shipment_status": .string($0.1),
                                                       "tracking_company": "UPS", "tracking_number": .string("1Z\(id)")] }),
            ])
        }
        let placed = try ingest("shopify", shopify(70, financial: "paid"))
        let id = placed["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pick", ["order_id": id])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1", "A1"], "weight_g": 600])
        try engine.ok("order.ship", ["order_id": id, "carrier": "UPS", "tracking_no": "1Z70"])
        let moving = try ingest("shopify", fulfilled(70, [("success", "delivered"), ("success", "in_transit")], updated: "2026-01-19T10:00:00+08:00"))
        #expect(moving["state"] == "shipped", "\(moving.serialized)")
        let delivered = try ingest("shopify", fulfilled(70, [("success", "delivered"), ("cancelled", "in_transit"), ("success", "delivered")],
                                                        updated: "2026-01-20T10:00:00+08:00"))
        #expect(delivered["state"] == "delivered" && delivered["action"] == "delivered", "\(delivered.serialized)")
        // First seen delivered: its shipment recorded, delivered.
        let late = try ingest("shopify", fulfilled(71, [("success", "delivered")], updated: "2026-01-20T10:00:00+08:00"))
        #expect(late["state"] == "delivered", "\(late.serialized)")
        #expect(try ingest("shopify", fulfilled(72, [("success", "out_for_delivery")], updated: "2026-01-20T10:00:00+08:00"))["state"] == "shipped")
    }

    /// Channels do not deliver webhooks in order, and a retried one can come long after newer ones. An event
    /// older than one already applied (the channel's `updated_at`) moves nothing back: it does not lift a hold
    /// the channel placed since, nor put back an address the buyer changed since; a refund it carries is still
    /// recorded, once. An event whose time cannot be read is applied as before.
    @Test func anEventOlderThanTheLastAppliedMovesNothingBack() throws {
        // WooCommerce: an order moved to the trash there is held here, paid or not.
        func order(_ status: String, updated: String, city: String, refunds: JSON = []) -> JSON {
            ["id": 60, "status": .string(status), "currency": "CNY", "date_created_gmt": "2026-01-18T02:00:00",
             "date_modified_gmt": .string(updated), "prices_include_tax": false, "refunds": refunds,
             "shipping": ["city": .string(city), "address_1": "1 Main St"],
             "line_items": [["sku": "A1", "quantity": 2, "subtotal": "100.00", "total": "100.00", "total_tax": "0.00"]]]
        }
        let first = try ingest("woo", order("processing", updated: "2026-01-18T02:00:00", city: "Hangzhou"))
        let id = first["order_id"] ?? .null
        let held = try ingest("woo", order("trash", updated: "2026-01-18T02:30:00", city: "Shanghai"))
        #expect(held["action"] == "held" && held["state"] == "on_hold", "\(held.serialized)")
        let late = try ingest("woo", order("processing", updated: "2026-01-18T02:10:00", city: "Hangzhou", refunds: [
            ["id": 61, "reason": "", "total": "-10.00"]]))
        #expect(late["action"] == "unchanged" && late["state"] == "on_hold" && late["stale"]?["latest"] == "2026-01-18T02:30:00Z",
                "\(late.serialized)")
        let doc = try engine.ok("order.get", ["order_id": id])
        #expect(doc["ship_to"]?["city"] == "Shanghai" && doc["refunded_total"] == "10.00", "\(doc.serialized)")
        // Newer: applied.
        let released = try ingest("woo", order("processing", updated: "2026-01-18T03:00:00", city: "Shanghai"))
        #expect(released["action"] == "released" && released["state"] == "paid", "\(released.serialized)")
        // A time that cannot be read, or from the far future, orders nothing.
        #expect(try ingest("woo", order("trash", updated: "soon", city: "Shanghai"))["state"] == "on_hold")
        #expect(try ingest("woo", order("processing", updated: "9999-01-01T00:00:00", city: "Shanghai"))["action"] == "released")
        #expect(try ingest("woo", order("trash", updated: "2026-01-18T04:00:00", city: "Shanghai"))["action"] == "held")
    }

    /// A refund's units are read one refund line at a time: a line without a SKU (the variant's fallback SKU) and
    /// a line with one each get their own quantity. Read as two lists, the SKU-less line dropped out of the SKUs
    /// and its quantity went to the other line.
    @Test func aShopifyRefundOfALineWithoutASKUCountsEachLinesOwnUnits() throws {
        try engine.ok("sku.upsert", ["sku": "shopify-variant-9"])
        try engine.ok("stock.receive", ["sku": "shopify-variant-9", "warehouse": "SH", "qty": 5])
        let lines: JSON = [["sku": .null, "variant_id": 9, "quantity": 1, "price": "10.00"],
                           ["sku": "A1", "variant_id": 1, "quantity": 2, "price": "50.00"]]
        let placed = try ingest("shopify", shopify(80, financial: "paid", extra: ["line_items": lines]))
        let refund: JSON = [["id": 81, "transactions": [["amount": "110.00", "kind": "refund", "status": "success"]],
                             "refund_line_items": [["quantity": 1, "line_item": ["sku": .null, "variant_id": 9]],
                                                   ["quantity": 2, "line_item": ["sku": "A1", "variant_id": 1]]]]]
        try ingest("shopify", shopify(80, financial: "refunded", extra: ["line_items": lines, "refunds": refund]))
        let order = try engine.ok("order.get", ["order_id": placed["order_id"] ?? .null])
        #expect(order["lines"]?.arrayValue?.map { $0["refunded"] ?? .null } == [1, 2], "\(order.serialized)")
    }

    /// A Shopify refund is the money its transactions gave back: a transaction that failed gave none, and a
    /// refund that only restocked units gives none. Such a refund cancelled a paid order and booked its money
    /// as given back; a refund without transactions was a dead letter.
    @Test func aShopifyRefundWhoseTransactionsFailedGivesNothingBack() throws {
        let paid = try ingest("shopify", shopify(50, financial: "paid"))
        let id = paid["order_id"] ?? .null
        func refund(_ n: Int, _ transactions: JSON) -> JSON {
            ["refund": ["id": .int(Int64(n)), "order_id": 50, "note": "broken", "transactions": transactions]]
        }
        let failed = try ingest("shopify", refund(501, [["amount": "100.00", "kind": "refund", "status": "failure"]]))
        #expect(failed["action"] == "unchanged" && failed["state"] == "paid", "\(failed.serialized)")
        #expect(try ingest("shopify", refund(502, []))["action"] == "unchanged")
        let part = try ingest("shopify", refund(503, [["amount": "30.00", "kind": "refund", "status": "error"],
                                                      ["amount": "20.00", "kind": "refund", "status": "success"]]))
        #expect(part["action"] == "refunded")
        // The order's own list of refunds: the failed one is not recorded.
        let again = try ingest("shopify", shopify(50, financial: "partially_refunded", extra: [
            "refunds": [["id": 504, "transactions": [["amount": "100.00", "kind": "refund", "status": "failure"]]],
                        ["id": 505, "transactions": []]]]))
        #expect(again["state"] == "paid")
        let order = try engine.ok("order.get", ["order_id": id])
        #expect(order["refunded_total"] == "20.00" && order["state"] == "paid", "\(order.serialized)")
    }

    /// A Shopify refund that gives nothing back but names units (it only restocked them, or its transactions
    /// failed) still takes them off the order — Shopify no longer fulfils them: here they are cancelled once,
    /// their value no longer due (cash on delivery) or owed back (`refund_due`, until the money comes). The
    /// same refund later bringing its money records the money, and cancels nothing more.
    @Test func aShopifyRefundOfNoMoneyStillTakesItsUnitsOff() throws {
        let removed: JSON = ["id": 601, "transactions": [],
                             "refund_line_items": [["quantity": 1, "restock_type": "cancel", "line_item": ["sku": "A1"]]]]
        func cod(_ time: String, refunds: [JSON] = []) -> JSON {
            shopify(60, financial: "pending", extra: [
                "payment_gateway_names": ["Cash on Delivery (COD)"], "updated_at": .string(time), "refunds": .array(refunds),
                "line_items": [["sku": "A1", "quantity": 2, "current_quantity": .int(refunds.isEmpty ? 2 : 1), "price": "50.00"]]])
        }
        let placed = try ingest("shopify", cod("2026-01-18T10:00:00+08:00"))
        #expect(placed["state"] == "pending_payment")
        let edited = try ingest("shopify", cod("2026-01-18T11:00:00+08:00", refunds: [removed]))
        #expect(edited["refunds"]?.arrayValue?.first?["outcome"] == "units_cancelled" && edited["alert"] == nil, "\(edited.serialized)")
        let again = try ingest("shopify", cod("2026-01-18T12:00:00+08:00", refunds: [removed]))
        #expect(again["refunds"]?.arrayValue?.first?["outcome"] == "already_recorded")
        let order = try engine.ok("order.get", ["order_id": placed["order_id"] ?? .null])
        #expect(order["balance_due"] == "50.00" && order["lines"]?.arrayValue?.first?["cancelled"] == 1, "\(order.serialized)")
        #expect(try stock() == (10, 1))

        // Paid: the refund's transaction failed, then went through.
        let paid = try ingest("shopify", shopify(61, financial: "paid"))["order_id"] ?? .null
        func refund(_ status: String, note: String = "") -> JSON {
            ["refund": ["id": 611, "order_id": 61, "note": .string(note),
                        "transactions": [["amount": "50.00", "kind": "refund", "status": .string(status)]],
                        "refund_line_items": [["quantity": 1, "restock_type": "cancel", "line_item": ["sku": "A1"]]]]]
        }
        #expect(try ingest("shopify", refund("failure"))["action"] == "units_cancelled")
        var doc = try engine.ok("order.get", ["order_id": paid])
        #expect(doc["refund_due"] == "50.00" && doc["lines"]?.arrayValue?.first?["cancelled"] == 1, "\(doc.serialized)")
        #expect(try ingest("shopify", refund("success"))["action"] == "refunded")
        doc = try engine.ok("order.get", ["order_id": paid])
        #expect(doc["refund_due"] == "0.00" && doc["refunded_total"] == "50.00", "\(doc.serialized)")
        #expect(doc["lines"]?.arrayValue?.first?["cancelled"] == 1 && doc["state"] == "paid", "\(doc.serialized)")
        // Sent again, it is the same refund: its units are not recorded a second time.
        #expect(try ingest("shopify", refund("success", note: "again"))["action"] == "unchanged")
        doc = try engine.ok("order.get", ["order_id": paid])
        #expect(doc["lines"]?.arrayValue?.first?["cancelled"] == 1 && doc["lines"]?.arrayValue?.first?["refunded"] == 0)

        // Partly shipped: which units it takes off is not known (Shopify counts refunded units against the
        // fulfilled ones first) unless its restock type says they had not shipped; a person is told once, and
        // nothing is cancelled.
        func partlyShipped(_ id: Int) throws -> JSON {
            let split = try ingest("shopify", shopify(id, financial: "paid"))["order_id"] ?? .null
            try engine.ok("order.allocate", ["order_id": split])
            try engine.ok("order.pack", ["order_id": split, "scans": [split, "A1"], "weight_g": 0, "partial": true])
            try engine.ok("order.ship", ["order_id": split, "carrier": "SF", "tracking_no": .string("SF\(id)")])
            return split
        }
        func restocked(_ id: Int, _ type: String) -> JSON {
            ["refund": ["id": .int(Int64(id * 10 + 1)), "order_id": .int(Int64(id)), "transactions": [],
                        "refund_line_items": [["quantity": 1, "restock_type": .string(type), "line_item": ["sku": "A1"]]]]]
        }
        let cancelled = try partlyShipped(63)
        let unfulfilled = try ingest("shopify", restocked(63, "cancel"))
        #expect(unfulfilled["action"] == "units_cancelled", "\(unfulfilled.serialized)")
        let rest = try engine.ok("order.get", ["order_id": cancelled])
        #expect(rest["state"] == "shipped" && rest["lines"]?.arrayValue?.first?["cancelled"] == 1, "\(rest.serialized)")
        let split = try partlyShipped(62)
        let restock = restocked(62, "no_restock")
        let told = try ingest("shopify", restock)
        #expect(told["action"] == "unchanged" && told["refund"]?["alert"] == "refunded_unshipped", "\(told.serialized)")
        var retold = restock.objectValue?["refund"]?.objectValue ?? [:]
        retold["note"] = "again"
        #expect(try ingest("shopify", ["refund": .object(retold)])["action"] == "unchanged")
        let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue?.filter {
            $0["kind"] == "refunded_unshipped" && $0["order_id"] == split
        } ?? []
        #expect(alerts.count == 1 && alerts.first?["details"]?["units"] == [["sku": "A1", "qty": 1]], "\(alerts)")
        #expect(try engine.ok("order.get", ["order_id": split])["lines"]?.arrayValue?.first?["cancelled"] == 0)

        // Being picked: the refunded unit is stopped, and the event says a person puts back the one picked.
        let picking = try ingest("shopify", shopify(64, financial: "paid"))["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": picking])
        try engine.ok("order.pick", ["order_id": picking])
        let refund: JSON = ["refund": ["id": 641, "order_id": 64, "transactions": [["kind": "refund", "status": "success", "amount": "50.00"]],
                                       "refund_line_items": [["quantity": 1, "restock_type": "cancel", "line_item": ["sku": "A1"]]]]]
        let stopped = try ingest("shopify", refund)
        #expect(stopped["refund"]?["alert"] == "refunded_unshipped", "\(stopped.serialized)")
        #expect(try engine.ok("order.get", ["order_id": picking])["lines"]?.arrayValue?.first?["cancelled"] == 1)
    }

    /// Shopify's restock type says which units a refund took off a partly shipped order: `cancel`, units not
    /// fulfilled — they no longer ship, and fulfilling the rest ships only what is left — while a `return`
    /// among them counts its units against those that left.
    @Test func aShopifyRefundOfUnfulfilledUnitsOfAPartlyShippedOrderStopsThem() throws {
        func order(_ fulfillable: Int64, current: Int64, status: String, time: String, refunds: [JSON] = []) -> JSON {
            shopify(87, financial: refunds.isEmpty ? "paid" : "partially_refunded", fulfillment: .string(status), extra: [
                "updated_at": .string(time), "refunds": .array(refunds),
                "line_items": [["id": 1, "sku": "A1", "quantity": 3, "price": "50.00", "current_quantity": .int(current),
                                "fulfillable_quantity": .int(fulfillable)]]])
        }
        func refund(_ id: Int64, _ types: [String]) -> JSON {
            ["id": .int(id), "created_at": "2026-01-19T12:00:00+08:00",
             "transactions": [["amount": .string("\(50 * types.count).00"), "kind": "refund", "status": "success"]],
             "refund_line_items": .array(types.map { ["quantity": 1, "line_item_id": 1, "restock_type": .string($0),
                                                      "line_item": ["sku": "A1"]] })]
        }
        let placed = try ingest("shopify", order(3, current: 3, status: "unfulfilled", time: "2026-01-19T10:00:00+08:00"))
        let id = placed["order_id"] ?? .null
        #expect(try ingest("shopify", order(2, current: 3, status: "partial", time: "2026-01-19T11:00:00+08:00"))["state"]
                == "partially_shipped")
        let cancel = refund(871, ["cancel"])
        try ingest("shopify", order(1, current: 2, status: "partial", time: "2026-01-19T12:00:00+08:00", refunds: [cancel]))
        var line = try engine.ok("order.get", ["order_id": id])["lines"]?.arrayValue?.first
        #expect(line?["cancelled"] == 1 && line?["reserved"] == 1 && line?["refunded"] == 1, "\(line?.serialized ?? "")")
        let done = try ingest("shopify", order(0, current: 2, status: "fulfilled", time: "2026-01-19T13:00:00+08:00",
                                               refunds: [cancel]))
        #expect(done["state"] == "shipped" && done["shipment"]?["units_from_stock"] == 1, "\(done.serialized)")
        line = try engine.ok("order.get", ["order_id": id])["lines"]?.arrayValue?.first
        #expect(line?["shipped"] == 2 && line?["cancelled"] == 1)
        #expect(try stock() == (8, 0), "two units left, not three")
        // A return among a refund's units: they count against those that left, nothing more is stopped.
        let mixed = refund(872, ["cancel", "return"])
        let later = try ingest("shopify", order(0, current: 0, status: "fulfilled", time: "2026-01-19T14:00:00+08:00",
                                                refunds: [cancel, mixed]))
        #expect(later["state"] == "shipped", "\(later.serialized)")
        #expect(try engine.ok("order.get", ["order_id": id])["lines"]?.arrayValue?.first?["cancelled"] == 1)
    }

    /// Units Shopify takes off a partly fulfilled order (restock type `cancel`: they had not shipped) after they
    /// were picked and packed here never leave: the parcel waiting with them is taken apart, a person is told
    /// to put them back, and paid on delivery their value is no longer due (120.00 less 20.00). Fulfilling the
    /// rest ships only it.
    @Test func aShopifyCancellationOfUnitsPackedHereTakesThemOutOfTheParcel() throws {
        func order(_ a1: Int64, _ b2: Int64, status: JSON, time: String, refunds: [JSON] = []) -> JSON {
            shopify(88, financial: "pending", fulfillment: status, extra: [
                "payment_gateway_names": ["Cash on Delivery (COD)"], "updated_at": .string(time), "refunds": .array(refunds),
                "line_items": [["id": 1, "sku": "A1", "quantity": 2, "price": "50.00", "current_quantity": 2,
                                "fulfillable_quantity": .int(a1)],
                               ["id": 2, "sku": "B2", "quantity": 1, "price": "20.00", "fulfillable_quantity": .int(b2),
                                "current_quantity": .int(refunds.isEmpty ? 1 : 0)]]])
        }
        let id = try ingest("shopify", order(2, 1, status: .null, time: "2026-01-19T10:00:00+08:00"))["order_id"] ?? .null
        let part = try ingest("shopify", order(1, 1, status: "partial", time: "2026-01-19T11:00:00+08:00"))
        #expect(part["state"] == "partially_shipped", "\(part.serialized)")
        try engine.ok("order.allocate", ["order_id": id])
        let packed = try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1", "B2"], "weight_g": 0])
        #expect(packed["parcels"]?.arrayValue?.count == 1, "\(packed.serialized)")
        let removed: JSON = ["id": 881, "transactions": [],
                             "refund_line_items": [["quantity": 1, "line_item_id": 2, "restock_type": "cancel",
                                                    "line_item": ["sku": "B2"]]]]
        let taken = try ingest("shopify", order(1, 0, status: "partial", time: "2026-01-19T12:00:00+08:00", refunds: [removed]))
        #expect(taken["refunds"]?.arrayValue?.first?["outcome"] == "units_cancelled", "\(taken.serialized)")
        var doc = try engine.ok("order.get", ["order_id": id])
        #expect(doc["state"] == "partially_shipped" && doc["parcels"]?.arrayValue?.isEmpty == true, "\(doc.serialized)")
        #expect(doc["balance_due"] == "100.00" && doc["lines"]?.arrayValue?.map { $0["cancelled"] } == [0, 1], "\(doc.serialized)")
        let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue?.filter {
            $0["kind"] == "refunded_unshipped" && $0["order_id"] == id
        } ?? []
        #expect(alerts.first?["details"]?["units"] == [["sku": "B2", "qty": 1]], "\(alerts)")
        #expect(engine.fails("order.pack", ["order_id": id, "scans": [id, "A1", "B2"], "weight_g": 0]) == .conflict)
        let done = try ingest("shopify", order(0, 0, status: "fulfilled", time: "2026-01-19T13:00:00+08:00", refunds: [removed]))
        #expect(done["state"] == "shipped", "\(done.serialized)")
        doc = try engine.ok("order.get", ["order_id": id])
        #expect(doc["lines"]?.arrayValue?.map { $0["shipped"] } == [2, 0] && doc["balance_due"] == "100.00", "\(doc.serialized)")
        #expect(try stock() == (8, 0) && stock("B2") == (10, 0), "B2 never left")
        #expect(try engine.ok("stock.verify")["differences"] == [])
    }

    /// A gift card sent by email, a custom item and a tip have no stock to hold: they are charged as fees, the
    /// order lands paid in full, where each made it a dead letter. A gift card that is shipped is a line.
    @Test func shopifyGiftCardsCustomItemsAndTipsAreFees() throws {
        let lines: JSON = [
            ["sku": "A1", "variant_id": 1, "quantity": 1, "price": "50.00", "gift_card": false, "requires_shipping": true],
            ["sku": .null, "variant_id": 9, "quantity": 2, "price": "25.00", "name": "Gift Card - $25", "gift_card": true,
             "requires_shipping": false],
            ["sku": "", "variant_id": .null, "product_id": .null, "quantity": 1, "price": "5.00", "name": "Engraving",
             "gift_card": false, "requires_shipping": false, "discount_allocations": [["amount": "1.00"]], "tax_lines": [["price": "0.40"]]],
            ["sku": .null, "variant_id": .null, "quantity": 1, "price": "3.00", "name": "Tip", "gift_card": false, "requires_shipping": false],
            ["sku": "B2", "variant_id": 10, "quantity": 1, "price": "10.00", "name": "Gift card, printed", "gift_card": true,
             "requires_shipping": true],
        ]
        let e = try ingest("shopify", shopify(40, financial: "paid", extra: ["line_items": lines, "total_price": "117.00"]))
        #expect(e["state"] == "paid" && e["warnings"]?.arrayValue?.allSatisfy { $0["code"] == "not_stock" } == true, "\(e.serialized)")
        let order = try engine.ok("order.get", ["order_id": e["order_id"] ?? .null])
        #expect(order["lines"]?.arrayValue?.map { $0["sku"] ?? .null } == ["A1", "B2"])
        let fees = order["fees"]?.arrayValue?.map { "\($0["name"]?.stringValue ?? "") \($0["amount"]?.stringValue ?? "")" }
        #expect(fees == ["Gift Card - $25 50.00", "Engraving 4.00", "Tip 3.00"], "\(order.serialized)")
        #expect(order["fees"]?.arrayValue?.allSatisfy { $0["returns_refund"] == false } == true, "no return of goods refunds them")
        #expect(order["fee_total"] == "57.00" && order["grand_total"] == "117.00")
        #expect(order["payments"]?.arrayValue?.map { $0["amount"] ?? .null } == ["117.00"])
    }

    /// Duties Shopify charged at checkout (each line's `duties`, with their taxes) are in `total_price`: they are
    /// one `Duties` fee, however many lines carry them (an order takes at most 20 fees), so the payment is whole.
    @Test func shopifyDutiesAreOneFee() throws {
        try engine.ok("stock.receive", ["sku": "A1", "warehouse": "SH", "qty": 30])
        let line: JSON = ["sku": "A1", "quantity": 1, "price": "10.00", "tax_lines": [["price": "1.00"]],
                          "duties": [["shop_money": ["amount": "2.00", "currency_code": "CNY"],
                                      "tax_lines": [["price": "0.20"]]]]]
        let lines = JSON.array(Array(repeating: line, count: 25))
        let e = try ingest("shopify", shopify(41, financial: "paid", extra: [
            "line_items": lines, "total_price": "330.00", "total_tax": "30.00", "taxes_included": false]))
        #expect(e["state"] == "paid" && e["warnings"] == nil, "\(e.serialized)")
        let order = try engine.ok("order.get", ["order_id": e["order_id"] ?? .null])
        #expect(order["fees"] == [["name": "Duties", "amount": "50.00", "tax": "5.00"]], "\(order.serialized)")
        #expect(order["payments"]?.arrayValue?.map { $0["amount"] ?? .null } == ["330.00"])
    }

    /// A channel's unpaid order (WooCommerce `on-hold`: a bank transfer) is the channel's to close: it holds
    /// its stock past this engine's unpaid timeout, and is paid when the channel says so days later.
    @Test func aChannelsUnpaidOrderWaitsForTheChannelNotTheUnpaidTimeout() throws {
        func woo(_ status: String) -> JSON {
            ["id": 501, "status": .string(status), "currency": "CNY", "date_created_gmt": "2026-01-18T02:00:00",
             "line_items": [["sku": "B2", "quantity": 2, "subtotal": "20.00", "total": "20.00", "total_tax": "0.00"]]]
        }
        let before = try stock("B2")
        let e = try ingest("woo", woo("on-hold"))
        #expect(e["state"] == "pending_payment")
        let later = Timestamp.format(Timestamp.now() + 2 * 86_400_000)
        #expect(try engine.ok("sweep", ["at": .string(later)])["expired_orders"] == 0)
        #expect(try stock("B2").reserved == before.reserved + 2)
        let paid = try engine.ok("intake.ingest", ["channel": "woo", "payload": woo("processing"), "at": .string(later)])
        #expect(paid["events"]?.arrayValue?.first?["state"] == "paid", "\(paid.serialized)")
        // Cancelled at the channel, it lets go of its stock here.
        let cancelled = try ingest("woo", woo("cancelled"))
        #expect(cancelled["state"] == "cancelled")
        #expect(try stock("B2") == before)
    }

    /// Shopify `expired`: an authorization not captured in time, so the money cannot be taken. The order is
    /// still open at Shopify (the merchant may collect again, or cancel): held, not shipped, not cancelled. First seen
    /// expired, nothing was paid: held unpaid (it was recorded paid, and owed back in full if cancelled here).
    @Test func aShopifyAuthorizationThatExpiredStopsTheOrder() throws {
        #expect(try ingest("shopify", shopify(95, financial: "authorized"))["state"] == "paid")
        let expired = try ingest("shopify", shopify(95, financial: "expired", extra: ["updated_at": "1"]))
        #expect(expired["action"] == "held" && expired["state"] == "on_hold", "\(expired.serialized)")
        #expect(try stock() == (10, 2))
        // Its authorization lapsed: the payment recorded on Shopify's word is no more, and nothing is owed back.
        let id = expired["order_id"] ?? .null
        var order = try engine.ok("order.get", ["order_id": id])
        #expect(expired["payment_voided"] == "100.00" && order["paid_total"] == "0.00", "\(expired.serialized)")
        #expect(order["held_from"] == "pending_payment" && order["payments"]?.arrayValue?.isEmpty == true)
        #expect(try ingest("shopify", shopify(95, financial: "paid"))["action"] == "released")
        order = try engine.ok("order.get", ["order_id": id])
        #expect(order["state"] == "paid" && order["paid_total"] == "100.00", "\(order.serialized)")

        let unpaid = try ingest("shopify", shopify(96, financial: "expired"))
        #expect(unpaid["action"] == "created_held" && unpaid["state"] == "on_hold", "\(unpaid.serialized)")
        #expect(try engine.ok("order.get", ["order_id": unpaid["order_id"] ?? .null])["paid_total"] == "0.00")
        let paid = try ingest("shopify", shopify(96, financial: "paid", extra: ["updated_at": "2026-01-19T10:00:00+08:00"]))
        #expect(paid["action"] == "released" && paid["state"] == "paid", "\(paid.serialized)")
        #expect(try engine.ok("order.get", ["order_id": unpaid["order_id"] ?? .null])["paid_total"] == "100.00")
    }

    /// Shopify counts an authorized order paid; its authorization voided (cancelled at Shopify before capture)
    /// or lapsed took no money. Cancelled, nothing was refunded nor is owed; held, a person who cancels it here
    /// owes nothing back. Once the warehouse has it, or it left, the payment stays and a person is told, once.
    /// Units Shopify takes off before capture (an edit: a refund of no money) are not owed back: it captures less.
    @Test func aShopifyAuthorizationVoidedTookNoMoney() throws {
        for (financial, key) in [("voided", "payment_voided"), ("authorized", "payment_authorized")] {
            let mapped = try engine.ok("intake.map", ["channel": "shopify", "payload": shopify(200, financial: financial)])
            #expect(mapped["events"]?.arrayValue?.first?[key] == true, "\(mapped.serialized)")
        }

        let voided = "2026-01-18T12:00:00+08:00"
        for id in [201, 202] {
            let placed = try ingest("shopify", shopify(id, financial: "authorized"))
            if id == 202 { try engine.ok("order.allocate", ["order_id": placed["order_id"] ?? .null]) }
            let e = try ingest("shopify", shopify(id, financial: "voided", cancelledAt: .string(voided), extra: ["updated_at": "1"]))
            #expect(e["action"] == "cancelled" && e["payment_voided"] == "100.00", "\(e.serialized)")
            let order = try engine.ok("order.get", ["order_id": e["order_id"] ?? .null])
            #expect(order["paid_total"] == "0.00" && order["refunded_total"] == "0.00" && order["refund_due"] == "0.00",
                    "\(order.serialized)")
        }
        let held = try ingest("shopify", shopify(203, financial: "authorized"))
        #expect(try ingest("shopify", shopify(203, financial: "expired", extra: ["updated_at": "1"]))["state"] == "on_hold")
        let cancelled = try engine.ok("order.cancel", ["order_id": held["order_id"] ?? .null, "reason": "never paid"])
        #expect(cancelled["refund_due"] == "0.00", "\(cancelled.serialized)")
        // Cancelled here while authorized (owed back), then voided at Shopify: nothing is owed any more.
        let early = try ingest("shopify", shopify(207, financial: "authorized"))
        let owed = try engine.ok("order.cancel", ["order_id": early["order_id"] ?? .null, "reason": "the buyer asked"])
        #expect(owed["refund_due"] == "100.00")
        let void = try ingest("shopify", shopify(207, financial: "voided", cancelledAt: .string(voided), extra: ["updated_at": "1"]))
        let settled = try engine.ok("order.get", ["order_id": early["order_id"] ?? .null])
        #expect(void["payment_voided"] == "100.00" && settled["refund_due"] == "0.00" && settled["paid_total"] == "0.00",
                "\(settled.serialized)")
        let sales = try engine.ok("report.sales")["totals"]?.arrayValue?.first
        #expect(sales == nil || sales?["orders"] == 0, "\(sales?.serialized ?? "")")

        let shipped = try ingest("shopify", shopify(204, financial: "authorized", fulfillment: "fulfilled"))
        for updated in ["1", "2"] {
            let e = try ingest("shopify", shopify(204, financial: "expired", fulfillment: "fulfilled", extra: ["updated_at": .string(updated)]))
            #expect(e["alert"] == (updated == "1" ? "channel_payment_voided" : nil), "\(e.serialized)")
        }
        let order = try engine.ok("order.get", ["order_id": shipped["order_id"] ?? .null])
        #expect(order["state"] == "shipped" && order["paid_total"] == "100.00")
        let alerts = try engine.ok("report.alerts")["alerts"]?.arrayValue ?? []
        #expect(alerts.filter { $0["kind"] == "channel_payment_voided" }.map { $0["order_id"] } == [shipped["order_id"]])
        // Charged anew at Shopify: the alert goes.
        try ingest("shopify", shopify(204, financial: "paid", fulfillment: "fulfilled", extra: ["updated_at": "3"]))
        #expect(try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains { $0["kind"] == "channel_payment_voided" } == false)

        let removal: JSON = ["id": 205, "order_id": 205, "transactions": [],
                             "refund_line_items": [["quantity": 1, "restock_type": "cancel", "line_item": ["sku": "A1"]]]]
        let edited = try ingest("shopify", shopify(205, financial: "authorized"))
        #expect(try ingest("shopify", ["refund": removal])["action"] == "units_cancelled")
        var edit = try engine.ok("order.get", ["order_id": edited["order_id"] ?? .null])
        #expect(edit["paid_total"] == "50.00" && edit["refund_due"] == "0.00" && edit["balance_due"] == "0.00",
                "\(edit.serialized)")
        // Cancelled at Shopify with its refund first (refunds/create): the authorization voided, no money back.
        let dropped = try ingest("shopify", shopify(208, financial: "authorized"))
        let voiding: JSON = ["refund": ["id": 208, "order_id": 208,
                                     "transactions": [["kind": "void", "status": "success", "amount": "100.00"]],
                                     "refund_line_items": [["quantity": 2, "restock_type": "cancel", "line_item": ["sku": "A1"]]]]]
        #expect(try ingest("shopify", voiding)["state"] == "cancelled")
        let gone = try engine.ok("order.get", ["order_id": dropped["order_id"] ?? .null])
        #expect(gone["paid_total"] == "0.00" && gone["refunded_total"] == "0.00" && gone["refund_due"] == "0.00",
                "\(gone.serialized)")
        // Captured: paid, as recorded. Taken off once captured, the money is owed back.
        #expect(try ingest("shopify", shopify(205, financial: "paid", extra: ["updated_at": "1"]))["action"] == "unchanged")
        let captured = try ingest("shopify", shopify(206, financial: "paid"))
        var taken = removal.objectValue ?? [:]
        taken["id"] = 206
        taken["order_id"] = 206
        try ingest("shopify", ["refund": .object(taken)])
        edit = try engine.ok("order.get", ["order_id": captured["order_id"] ?? .null])
        #expect(edit["paid_total"] == "100.00" && edit["refund_due"] == "50.00", "\(edit.serialized)")
    }

    /// A status the profile does not map (a new one at the channel) creates the order unpaid, and says so on it.
    @Test func anUnmappedStatusIsAWarningOnTheOrder() throws {
        let e = try ingest("shopify", shopify(91, financial: "in_review"))
        #expect(e["state"] == "pending_payment")
        let order = try engine.ok("order.get", ["order_id": e["order_id"] ?? .null])
        let warning = order["warnings"]?.arrayValue?.first { $0["code"] == "status_unmapped" }
        #expect(warning?["status"] == "in_review", "\(order.serialized)")
        #expect(try ingest("shopify", shopify(92, financial: "paid"))["warnings"] == nil)
    }

    /// A Shopify draft order (a `draft_orders/create` webhook, or the REST resource) is not an order: the
    /// order it becomes once paid arrives under an id of its own. Nothing is created or held for it.
    @Test func aShopifyDraftOrderHoldsNothing() throws {
        let draft: JSON = ["id": 994118539, "name": "#D2", "status": "open", "currency": "CNY", "order_id": .null,
                           "invoice_url": "https://shop.example/1/invoices/abc", "created_at": "2026-01-18T10:00:00+08:00",
                           "line_items": [["sku": "A1", "quantity": 2, "price": "50.00"]]]
        let before = try stock()
        for payload in [draft, ["draft_order": draft]] {
            let e = try ingest("shopify", payload)
            #expect(e["type"] == "skip" && e["order_id"] == nil, "\(e.serialized)")
        }
        #expect(try engine.ok("order.list")["orders"]?.arrayValue?.isEmpty == true)
        #expect(try stock() == before)
        #expect(try ingest("shopify", shopify(450789469, financial: "paid"))["state"] == "paid")
    }

    /// WooCommerce's block checkout saves a `checkout-draft` order as the buyer types, and webhooks deliver
    /// it: nothing is created or held for it; the order is, once placed.
    @Test func aWooCommerceCheckoutDraftHoldsNothingUntilPlaced() throws {
        func woo(_ status: String) -> JSON {
            ["id": 80, "status": .string(status), "currency": "CNY",
             "line_items": [["sku": "B2", "quantity": 3, "subtotal": "30.00", "total": "30.00", "total_tax": "0.00"]]]
        }
        let before = try stock("B2")
        for status in ["checkout-draft", "draft", "auto-draft"] {
            let draft = try ingest("woo", woo(status))
            #expect(draft["type"] == "skip" && draft["order_id"] == nil, "\(draft.serialized)")
        }
        #expect(try engine.ok("order.list")["orders"]?.arrayValue?.isEmpty == true)
        #expect(try stock("B2") == before)
        #expect(try ingest("woo", woo("processing"))["state"] == "paid")
        #expect(try stock("B2").reserved == before.reserved + 3)
    }

    /// WooCommerce's `order.deleted` names an order's id alone (its admin deletes from the trash, which held the
    /// order here), and an `order.updated` of an order deleted meanwhile brings WooCommerce's "Invalid ID":
    /// neither is an order, and neither waits as a dead letter. Another REST error (a webhook user who may not
    /// read orders) does: each such event is an order not received.
    @Test func aWooCommerceDeletionAndItsInvalidIDChangeNothing() throws {
        let placed = try ingest("woo", ["id": 81, "status": "trash", "currency": "CNY",
                                        "line_items": [["sku": "B2", "quantity": 1, "subtotal": "10.00", "total": "10.00"]]])
        #expect(placed["state"] == "on_hold")
        #expect(try ingest("woo", ["id": 81])["type"] == "skip")
        let invalid: JSON = ["code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.", "data": ["status": 404]]
        #expect(try ingest("woo", invalid)["type"] == "skip")
        #expect(try engine.ok("order.get", ["order_id": placed["order_id"] ?? .null])["state"] == "on_hold")
        let denied: JSON = ["code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot view this resource.",
                            "data": ["status": 401]]
        #expect(try engine.ok("intake.ingest", ["channel": "woo", "payload": denied])["state"] == "dead_letter")
    }

    @Test func theRemainingStatesOfWooCommerceAmazonAndTaobao() throws {
        // WooCommerce, partly refunded: still paid, the refund recorded once.
        let woo: JSON = ["id": 70, "status": "processing", "currency": "CNY",
                         "line_items": [["sku": "B2", "quantity": 2, "subtotal": "20.00", "total": "20.00", "total_tax": "0.00"]],
                         "refunds": [["id": 5, "reason": "late", "total": "-4.00"]]]
        let partly = try ingest("woo", woo)
        #expect(partly["state"] == "paid" && partly["refunds"]?.arrayValue?.first?["outcome"] == "recorded")
        #expect(try engine.ok("order.get", ["order_id": partly["order_id"] ?? .null])["refunded_total"] == "4.00")
        // Amazon: pending (not paid) and cancelled.
        func amazon(_ id: String, _ status: String) -> JSON {
            ["order": ["AmazonOrderId": .string(id), "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": .string(status), "FulfillmentChannel": "MFN"],
             "items": ["payload": ["OrderItems": [["SellerSKU": "A1", "QuantityOrdered": 1, "ItemPrice": ["CurrencyCode": "USD", "Amount": "9.00"]]]]]]
        }
        #expect(try ingest("amazon", amazon("112-1", "Pending"))["state"] == "pending_payment")
        #expect(try ingest("amazon", amazon("112-2", "Canceled"))["state"] == "cancelled")
        // Shipped, the invoice not yet confirmed to Amazon (its documented meaning): it left, and must not again.
        let unshipped = try ingest("amazon", amazon("112-3", "Unshipped"))
        #expect(unshipped["state"] == "paid")
        #expect(try ingest("amazon", amazon("112-3", "InvoiceUnconfirmed"))["state"] == "shipped")
        #expect(try ingest("amazon", amazon("112-4", "InvoiceUnconfirmed"))["state"] == "shipped")
        // Taobao: waiting for payment, closed, and a sub-order refunded successfully.
        func trade(_ tid: String, _ status: String, refund: JSON = .null) -> JSON {
            ["trade": ["tid": .string(tid), "created": "2026-01-18 18:00:00", "status": .string(status), "post_fee": "0.00", "payment": "20.00",
                       "orders": ["order": [["outer_sku_id": "A1", "num": 2, "price": "10.00", "total_fee": "20.00", "payment": "20.00",
                                             "refund_status": refund, "refund_id": "R88", "refund_fee": "10.00"]]]]]
        }
        #expect(try ingest("taobao", trade("3001", "WAIT_BUYER_PAY"))["state"] == "pending_payment")
        #expect(try ingest("taobao", trade("3002", "TRADE_CLOSED"))["state"] == "cancelled")
        let refunded = try ingest("taobao", trade("3003", "WAIT_SELLER_SEND_GOODS", refund: "SUCCESS"))
        #expect(refunded["state"] == "paid" && refunded["refunds"]?.arrayValue?.first?["refund_ref"] == "taobao-refund-R88")
        #expect(try engine.ok("order.get", ["order_id": refunded["order_id"] ?? .null])["refunded_total"] == "10.00")
    }

    @Test func aPartlyShippedOrderRecordsTheLinesThatLeftAndLaterTheRest() throws {
        func order(_ fulfillment: JSON, lineA1: JSON, lineB2: JSON, note: String = "") -> JSON {
            shopify(80, financial: "paid", fulfillment: fulfillment, extra: [
                "note": .string(note),
                "line_items": [["sku": "A1", "quantity": 2, "price": "50.00", "fulfillment_status": lineA1],
                               ["sku": "B2", "quantity": 1, "price": "20.00", "fulfillment_status": lineB2]]])
        }
        let partly = try ingest("shopify", order("partial", lineA1: "fulfilled", lineB2: .null))
        #expect(partly["state"] == "partially_shipped" && partly["action"] == "created_partially_shipped", "\(partly.serialized)")
        let doc = try engine.ok("order.get", ["order_id": partly["order_id"] ?? .null])
        #expect(doc["lines"]?.arrayValue?.map { $0["shipped"] ?? .null } == [2, 0])
        #expect(try stock() == (8, 0) && stock("B2") == (10, 1), "A1 left, B2 is still held")
        // The same report again changes nothing; the rest leaving completes it.
        #expect(try ingest("shopify", order("partial", lineA1: "fulfilled", lineB2: .null, note: "updated"))["action"] == "unchanged")
        let rest = try ingest("shopify", order("fulfilled", lineA1: "fulfilled", lineB2: "fulfilled"))
        #expect(rest["state"] == "shipped" && rest["action"] == "shipped")
        #expect(try stock("B2") == (9, 0))
        #expect(try engine.ok("order.get", ["order_id": partly["order_id"] ?? .null])["shipments"]?.arrayValue?.count == 2)
    }

    /// What the channel has not shipped of a partly shipped order is the warehouse's to ship: allocated, packed
    /// (only what is left) and shipped here. Units the channel ships of an order already allocated here are
    /// not picked or packed again.
    @Test func theWarehouseShipsWhatTheChannelLeftOfAPartlyShippedOrder() throws {
        let lines: JSON = [["sku": "A1", "quantity": 2, "price": "50.00", "fulfillment_status": "fulfilled"],
                           ["sku": "B2", "quantity": 1, "price": "20.00", "fulfillment_status": .null]]
        let partly = try ingest("shopify", shopify(83, financial: "paid", fulfillment: "partial", extra: ["line_items": lines]))
        let id = partly["order_id"] ?? .null
        #expect(partly["state"] == "partially_shipped", "\(partly.serialized)")
        let allocated = try engine.ok("order.allocate", ["order_id": id])
        #expect(allocated["state"] == "partially_shipped", "\(allocated.serialized)")
        #expect(allocated["lines"]?.arrayValue?.map { $0["allocated"] ?? .null } == [0, 1])
        #expect(engine.fails("order.pack", ["order_id": id, "scans": [id, "A1", "B2"], "weight_g": 0]) == .conflict,
                "A1 has left: only B2 is to pack")
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "B2"], "weight_g": 0])
        let again = try engine.ok("order.allocate", ["order_id": id])
        #expect(again["lines"]?.arrayValue?.map { $0["allocated"] ?? .null } == [0, 1], "a parcel waits; nothing moves")
        let shipped = try engine.ok("order.ship", ["order_id": id, "carrier": "SF", "tracking_no": "SF8301"])
        #expect(shipped["state"] == "shipped" && shipped["lines"]?.arrayValue?.map { $0["shipped"] ?? .null } == [2, 1])
        #expect(try stock() == (8, 0) && stock("B2") == (9, 0))

        // Allocated here, then the channel ships A1 itself: only B2 is left to pick and pack.
        let paid = try ingest("shopify", shopify(84, financial: "paid", extra: ["line_items": [
            ["sku": "A1", "quantity": 2, "price": "50.00"], ["sku": "B2", "quantity": 1, "price": "20.00"]]]))
        let other = paid["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": other])
        try engine.ok("order.pick", ["order_id": other])
        let left = try ingest("shopify", shopify(84, financial: "paid", fulfillment: "partial", extra: [
            "updated_at": "2026-01-19T10:00:00+08:00", "line_items": lines]))
        #expect(left["state"] == "partially_shipped" && left["shipment"]?["units_from_stock"] == 2, "\(left.serialized)")
        let doc = try engine.ok("order.get", ["order_id": other])
        #expect(doc["lines"]?.arrayValue?.map { $0["allocated"] ?? .null } == [0, 1])
        #expect(doc["lines"]?.arrayValue?.map { $0["picked"] ?? .null } == [0, 1])
        try engine.ok("order.pack", ["order_id": other, "scans": [other, "B2"], "weight_g": 0])
        #expect(try engine.ok("order.ship", ["order_id": other, "carrier": "SF", "tracking_no": "SF8401"])["state"] == "shipped")
        #expect(try stock() == (6, 0) && stock("B2") == (8, 0))
    }

    /// The rest of a partly shipped order picked here, then cancelled at the channel: a person is told to put
    /// the picked units back, as for an order cancelled while being picked.
    @Test func theRestOfAPartlyShippedOrderPickedHereThenCancelledThereIsPutBack() throws {
        func order(_ extra: JSONObject) -> JSON {
            var fields: JSONObject = ["line_items": [["sku": "A1", "quantity": 3, "price": "50.00", "current_quantity": 3,
                                                      "fulfillable_quantity": 2]]]
            for pair in extra.pairs { fields[pair.key] = pair.value }
            return shopify(88, financial: "paid", fulfillment: "partial", extra: fields)
        }
        let id = try ingest("shopify", order(["updated_at": "2026-01-19T10:00:00+08:00"]))["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pick", ["order_id": id])
        let cancelled = try ingest("shopify", order(["updated_at": "2026-01-19T11:00:00+08:00",
                                                     "cancelled_at": "2026-01-19T11:00:00+08:00"]))
        #expect(cancelled["state"] == "shipped" && cancelled["alert"] == "channel_cancelled_shipped", "\(cancelled.serialized)")
        let kinds = try engine.ok("report.alerts")["alerts"]?.arrayValue?.filter { $0["order_id"] == id }.map { $0["kind"] ?? .null }
        #expect(kinds?.contains("channel_cancelled_picked") == true, "\(kinds ?? [])")
        #expect(try stock() == (9, 0), "one unit left; the two picked are back on sale once put back")
    }

    /// A count found fewer units than an order holds, then its channel shipped it: the goods have left all the
    /// same. The order lands shipped, what was on the shelf leaves it, the rest is shipped without stock.
    @Test func aChannelShipmentOfUnitsACountTookOffTheShelfLandsShipped() throws {
        let paid = try ingest("shopify", shopify(85, financial: "paid"))
        let counted = try engine.ok("stock.adjust", ["sku": "A1", "warehouse": "SH", "qty": -9, "reason": "count"])
        #expect(counted["short"] == 1, "\(counted.serialized)")
        let shipped = try ingest("shopify", shopify(85, financial: "paid", fulfillment: "fulfilled", extra: [
            "updated_at": "2026-01-19T10:00:00+08:00"]))
        #expect(shipped["state"] == "shipped" && shipped["order_id"] == paid["order_id"], "\(shipped.serialized)")
        #expect(shipped["shipment"]?["units_from_stock"] == 1)
        #expect(shipped["shipment"]?["shipped_without_stock"] == [["line_no": 1, "sku": "A1", "qty": 1]])
        #expect(try stock() == (0, 0))
        #expect(try engine.ok("stock.verify")["ok"] == true)
    }

    /// A channel that names only its first parcel's tracking number (Taobao's first sub-order's `invoice_no`), or
    /// none, for every part it ships: each part is a shipment of its own, none a dead letter.
    @Test func partsShippedUnderOneTrackingNumberAreShipmentsOfTheirOwn() throws {
        try engine.ok("sku.upsert", ["sku": "C3", "name": "Pot"])
        try engine.ok("stock.receive", ["sku": "C3", "warehouse": "SH", "qty": 10])
        func trade(_ shipped: Int, status: String) -> JSON {
            let subs: [JSON] = ["A1", "B2", "C3"].enumerated().map { i, sku in
                var sub: JSONObject = ["oid": .int(Int64(70 + i)), "outer_sku_id": .string(sku), "num": 1, "price": "10.00",
                                       "total_fee": "10.00", "payment": "10.00",
                                       "status": i < shipped ? "WAIT_BUYER_CONFIRM_GOODS" : "WAIT_SELLER_SEND_GOODS"]
                if shipped > 0 { sub["logistics_company"] = "SF"; sub["invoice_no"] = "SF7000" }
                return .object(sub)
            }
            return ["trade": ["tid": "7000", "created": "2026-01-18 10:00:00", "modified": .string("2026-01-18 1\(shipped):00:00"),
                              "status": .string(status), "post_fee": "0.00", "payment": "30.00", "consign_time": "2026-01-18 11:00:00",
                              "orders": ["order": .array(subs)]]]
        }
        #expect(try ingest("taobao", trade(0, status: "WAIT_SELLER_SEND_GOODS"))["state"] == "paid")
        #expect(try ingest("taobao", trade(1, status: "SELLER_CONSIGNED_PART"))["state"] == "partially_shipped")
        let second = try ingest("taobao", trade(2, status: "SELLER_CONSIGNED_PART"))
        #expect(second["state"] == "partially_shipped" && second["shipment"]?["units_from_stock"] == 1, "\(second.serialized)")
        let last = try ingest("taobao", trade(3, status: "WAIT_BUYER_CONFIRM_GOODS"))
        #expect(last["state"] == "shipped" && last["shipment"]?["units_from_stock"] == 1, "\(last.serialized)")
        let shipments = try engine.ok("order.get", ["order_id": last["order_id"] ?? .null])["shipments"]?.arrayValue ?? []
        #expect(shipments.map { $0["tracking_no"] ?? .null } == ["SF7000", "SF7000/SO-000001", "SF7000/SO-000001/2"])

        // Shopify parts fulfilled with no tracking number at all.
        func part(_ fulfilled: Int64) -> JSON {
            shopify(86, financial: "paid", fulfillment: fulfilled == 3 ? "fulfilled" : "partial", extra: [
                "updated_at": .string("2026-01-19T1\(fulfilled):00:00+08:00"),
                "line_items": [["sku": "A1", "quantity": 3, "price": "50.00", "current_quantity": 3,
                                "fulfillable_quantity": .int(3 - fulfilled)]]])
        }
        for fulfilled in Int64(1)...3 {
            let event = try ingest("shopify", part(fulfilled))
            #expect(event["shipment"]?["units_from_stock"] == 1, "part \(fulfilled): \(event.serialized)")
        }
    }

    /// Shopify REST counts a line's units left to fulfil (`fulfillable_quantity`) against its quantity less
    /// removed units (`current_quantity`); the difference is what has been fulfilled.
    @Test func unitsOfALineShippedInPartAreRecordedAsTheChannelCountsThem() throws {
        func order(_ fulfillment: String, a1Fulfillable: Int64, a1Status: JSON, current: Bool = true, id: Int = 81, note: String = "") -> JSON {
            var a1: JSONObject = ["sku": "A1", "quantity": 3, "price": "50.00", "fulfillable_quantity": .int(a1Fulfillable),
                                  "fulfillment_status": a1Status]
            var b2: JSONObject = ["sku": "B2", "quantity": 1, "price": "20.00", "fulfillable_quantity": 1]
            if current { a1["current_quantity"] = 3; b2["current_quantity"] = 1 }
            return shopify(id, financial: "paid", fulfillment: .string(fulfillment), extra: ["note": .string(note), "line_items": [.object(a1), .object(b2)]])
        }
        let partly = try ingest("shopify", order("partial", a1Fulfillable: 1, a1Status: "partial"))
        #expect(partly["state"] == "partially_shipped" && partly["shipment"]?["units_from_stock"] == 2, "\(partly.serialized)")
        let id = partly["order_id"] ?? .null
        #expect(try engine.ok("order.get", ["order_id": id])["lines"]?.arrayValue?.map { $0["shipped"] ?? .null } == [2, 0])
        #expect(try stock() == (8, 1) && stock("B2") == (10, 1), "two units of A1 left; its third and B2 are still held")
        // The counts are totals: the same report ships nothing more, the next unit of A1 ships one.
        let again = try ingest("shopify", order("partial", a1Fulfillable: 1, a1Status: "partial", note: "updated"))
        #expect(again["action"] == "unchanged")
        let next = try ingest("shopify", order("partial", a1Fulfillable: 0, a1Status: "fulfilled"))
        #expect(next["action"] == "partially_shipped" && next["shipment"]?["units_from_stock"] == 1, "\(next.serialized)")
        #expect(try stock() == (7, 0) && stock("B2") == (10, 1))
        #expect(try engine.ok("order.get", ["order_id": id])["shipments"]?.arrayValue?.count == 2)

        // Without `current_quantity` (older API versions) a line shipped in part counts nothing.
        let paid = try ingest("shopify", order("partial", a1Fulfillable: 1, a1Status: "partial", current: false, id: 82))
        #expect(paid["state"] == "paid" && paid["shipment"] == nil, "\(paid.serialized)")
    }

    @Test func anAmazonOrderPartlyShippedShipsTheUnitsAmazonCounts() throws {
        func amazon(_ status: String, shippedA1: Int64) -> JSON {
            ["order": ["AmazonOrderId": "113-1", "PurchaseDate": "2026-01-18T10:00:00Z", "OrderStatus": .string(status),
                       "FulfillmentChannel": "MFN"],
             "items": ["payload": ["OrderItems": [
                ["SellerSKU": "A1", "QuantityOrdered": 3, "QuantityShipped": .int(shippedA1), "ItemPrice": ["CurrencyCode": "USD", "Amount": "30.00"]],
                ["SellerSKU": "B2", "QuantityOrdered": 1, "QuantityShipped": 0, "ItemPrice": ["CurrencyCode": "USD", "Amount": "5.00"]]]]]]
        }
        #expect(try ingest("amazon", amazon("Unshipped", shippedA1: 0))["state"] == "paid")
        #expect(try stock() == (10, 3))
        let partly = try ingest("amazon", amazon("PartiallyShipped", shippedA1: 1))
        #expect(partly["state"] == "partially_shipped" && partly["shipment"]?["units_from_stock"] == 1, "\(partly.serialized)")
        #expect(try stock() == (9, 2) && stock("B2") == (10, 1))
        let shipped = try ingest("amazon", amazon("Shipped", shippedA1: 3))
        #expect(shipped["state"] == "shipped" && shipped["shipment"]?["units_from_stock"] == 3)
        #expect(try stock() == (7, 0) && stock("B2") == (9, 0))
    }
}
