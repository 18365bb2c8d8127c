@testable import OrderCore
import Testing

/// The shipped JD, Pinduoduo, Douyin and Shopify GraphQL profiles, each with a payload per state written
/// from the platform's published field list; expected values worked out by hand.
struct PlatformProfileTests {
    let dir = temporaryDirectory()
    let engine: Engine

    init() throws {
        engine = try Engine(test: dir + "/platforms.db")
        try engine.seedCatalog(a1: ["SH": 100], b2: ["SH": 100])
        for profile in ["jd", "pinduoduo", "douyin", "shopify_graphql", "taobao"] {
            try engine.ok("channel.upsert", ["channel": .string(profile), "profile": .string(profile)])
        }
    }

    func ingest(_ channel: String, _ payload: JSON) throws -> JSON {
        let outcome = try engine.ok("intake.ingest", ["channel": .string(channel), "payload": payload])
        #expect(outcome["state"] == "applied", "\(outcome.serialized)")
        return outcome["events"]?.arrayValue?.first ?? .null
    }

    func order(_ event: JSON) throws -> JSON { try engine.ok("order.get", ["order_id": event["order_id"] ?? .null]) }

    @Test func jdOrdersInEveryState() throws {
        func jd(_ id: String, _ state: String, modified: String = "2026-01-18 18:00:00") -> JSON {
            ["orderInfo": ["orderId": .string(id), "orderState": .string(state), "orderStartTime": "2026-01-18 18:00:00",
                           "modified": .string(modified),
                           "orderTotalPrice": "120.00", "sellerDiscount": "10.00", "freightPrice": "6.00", "orderPayment": "116.00",
                           "orderRemark": "请尽快发货", "logisticsId": "2087",
                           "waybill": ["WAIT_GOODS_RECEIVE_CONFIRM", "FINISHED_L"].contains(state) ? "JDV0001" : "",
                           "consigneeInfo": ["fullname": "张三", "mobile": "13800000000", "province": "北京", "city": "北京市", "county": "朝阳区",
                                             "fullAddress": "北京朝阳区建国路1号"],
                           "itemInfoList": [["skuId": "1001", "outerSkuId": "A1", "skuName": "马克杯", "jdPrice": "60.00", "itemTotal": "2"]]]]
        }
        let paid = try ingest("jd", jd("9001", "WAIT_SELLER_STOCK_OUT"))
        #expect(paid["state"] == "paid" && paid["warnings"] == nil)
        let doc = try order(paid)
        #expect(doc["grand_total"] == "116.00" && doc["placed_at"] == "2026-01-18T10:00:00Z" && doc["ship_to"]?["district"] == "朝阳区")
        let shipped = try ingest("jd", jd("9002", "WAIT_GOODS_RECEIVE_CONFIRM"))
        #expect(shipped["state"] == "shipped" && shipped["shipment"]?["tracking_no"] == "JDV0001")
        #expect(try ingest("jd", jd("9003", "FINISHED_L"))["state"] == "completed")
        #expect(try ingest("jd", jd("9004", "TRADE_CANCELED"))["state"] == "cancelled")
        // The paid order, cancelled at JD later: stock released, its payment recorded as refunded.
        let cancelled = try ingest("jd", jd("9001", "TRADE_CANCELED"))
        let refunded = try order(cancelled)["refunded_total"]
        #expect(cancelled["action"] == "cancelled" && refunded == "116.00")
        // LOCKED: paid, but the buyer asked to cancel and JD is deciding — nothing may ship meanwhile.
        let locked = try ingest("jd", jd("9005", "LOCKED"))
        #expect(locked["action"] == "created_held" && locked["state"] == "on_hold", "\(locked.serialized)")
        #expect(try order(locked)["paid_total"] == "116.00")
        #expect(engine.fails("order.allocate", ["order_id": locked["order_id"] ?? .null]) == .conflict)
        // JD turns the cancel down: the hold it asked for is lifted, and the order goes on.
        let resumed = try ingest("jd", jd("9005", "WAIT_SELLER_STOCK_OUT"))
        #expect(resumed["action"] == "released" && resumed["state"] == "paid")
        // A paid order JD locks later is held too; a hold a person placed is the person's to lift.
        #expect(try ingest("jd", jd("9005", "LOCKED", modified: "2026-01-19 09:00:00"))["action"] == "held")
        #expect(try ingest("jd", jd("9005", "WAIT_SELLER_STOCK_OUT", modified: "2026-01-19 10:00:00"))["state"] == "paid")
        try engine.ok("order.hold", ["order_id": locked["order_id"] ?? .null, "reason": "address check"])
        #expect(try ingest("jd", jd("9005", "LOCKED", modified: "2026-01-19 11:00:00"))["action"] == "unchanged")
        #expect(try ingest("jd", jd("9005", "WAIT_SELLER_STOCK_OUT", modified: "2026-01-19 12:00:00"))["state"] == "on_hold")
        // A person who overrules JD is a supervisor: an operator may not lift the hold JD asked for.
        let relocked = try ingest("jd", jd("9006", "LOCKED"))
        for (actor, role) in [("boss", "admin"), ("sue", "supervisor"), ("op", "operator")] {
            try engine.ok("actor.upsert", ["actor_id": .string(actor), "role": .string(role)])
        }
        #expect(engine.fails("order.release", ["order_id": relocked["order_id"] ?? .null, "actor": "op"]) == .forbidden)
        #expect(try engine.ok("order.release", ["order_id": relocked["order_id"] ?? .null, "actor": "sue"])["state"] == "paid")
    }

    /// JD `payType` 1 (货到付款) and Taobao trade `type` `cod`: the buyer pays at the door, so the states that
    /// mean "paid" for other orders — waiting to ship, shipped — record no payment; signed for, it is paid.
    @Test func jdAndTaobaoCashOnDeliveryOrdersArePaidAtTheDoor() throws {
        var minute = 0  // each event a minute after the one before, as the channel changes the order
        func modified() -> JSON {
            minute += 1
            return .string("2026-01-18 19:\(minute < 10 ? "0" : "")\(minute):00")
        }
        func jd(_ id: String, _ state: String, payType: String) -> JSON {
            ["orderInfo": ["orderId": .string(id), "orderState": .string(state), "orderStartTime": "2026-01-18 18:00:00",
                           "modified": modified(), "payType": .string(payType),
                           "orderTotalPrice": "120.00", "sellerDiscount": "10.00", "freightPrice": "6.00", "orderPayment": "116.00",
                           "waybill": "JDV0101", "logisticsId": "2087",
                           "consigneeInfo": ["fullname": "张三", "mobile": "13800000000", "province": "北京", "city": "北京市",
                                             "fullAddress": "北京朝阳区建国路1号"],
                           "itemInfoList": [["skuId": "1001", "outerSkuId": "A1", "skuName": "马克杯", "jdPrice": "60.00", "itemTotal": "2"]]]]
        }
        let placed = try ingest("jd", jd("9101", "WAIT_SELLER_STOCK_OUT", payType: "1-货到付款"))
        let id = placed["order_id"] ?? .null
        #expect(try placed["state"] == "pending_payment")
        #expect(try order(placed)["cash_on_delivery"] == true && order(placed)["paid_total"] == "0.00")
        try engine.ok("order.allocate", ["order_id": id])
        let shipped = try ingest("jd", jd("9101", "WAIT_GOODS_RECEIVE_CONFIRM", payType: "1-货到付款"))
        #expect(try shipped["state"] == "shipped" && order(shipped)["paid_total"] == "0.00", "\(shipped.serialized)")
        let signed = try ingest("jd", jd("9101", "FINISHED_L", payType: "1-货到付款"))
        #expect(try signed["state"] == "completed" && order(signed)["paid_total"] == "116.00", "\(signed.serialized)")
        // First seen shipped, payType as a bare code; an order paid online is paid when it waits to ship.
        let unpaid = try ingest("jd", jd("9102", "WAIT_GOODS_RECEIVE_CONFIRM", payType: "1"))
        #expect(try unpaid["state"] == "shipped" && order(unpaid)["payment_status"] == "unpaid")
        // Held by JD (the buyer asked to cancel): held here, and still not paid.
        let locked = try ingest("jd", jd("9104", "LOCKED", payType: "1-货到付款"))
        #expect(try locked["state"] == "on_hold" && order(locked)["paid_total"] == "0.00", "\(locked.serialized)")
        let unlocked = try ingest("jd", jd("9104", "WAIT_SELLER_STOCK_OUT", payType: "1-货到付款"))
        #expect(unlocked["action"] == "released" && unlocked["state"] == "pending_payment", "\(unlocked.serialized)")
        let online = try ingest("jd", jd("9103", "WAIT_SELLER_STOCK_OUT", payType: "4-在线支付"))
        #expect(try online["state"] == "paid" && order(online)["cash_on_delivery"] == false)

        func taobao(_ tid: Int64, _ status: String, type: String, refund: String = "NO_REFUND") -> JSON {
            ["trade": ["tid": .int(tid), "status": .string(status), "type": .string(type), "created": "2026-01-18 18:00:00",
                       "modified": modified(),
                       "payment": "106.00", "post_fee": "6.00", "receiver_name": "王五", "receiver_mobile": "13700000000",
                       "receiver_state": "浙江省", "receiver_city": "杭州市", "receiver_address": "西湖区文三路1号",
                       "orders": ["order": [["oid": .int(tid * 10), "outer_sku_id": "B2", "title": "茶", "num": 2, "price": "50.00",
                                             "total_fee": "100.00", "status": .string(status), "refund_status": .string(refund)]]]]]
        }
        let trade = try ingest("taobao", taobao(7001, "WAIT_SELLER_SEND_GOODS", type: "cod"))
        #expect(try trade["state"] == "pending_payment" && order(trade)["cash_on_delivery"] == true, "\(trade.serialized)")
        let sent = try ingest("taobao", taobao(7001, "WAIT_BUYER_CONFIRM_GOODS", type: "cod"))
        #expect(try sent["state"] == "shipped" && order(sent)["paid_total"] == "0.00", "\(sent.serialized)")
        // TRADE_BUYER_SIGNED is Taobao's cash-on-delivery state: signed for, and paid to the courier.
        let paidAtDoor = try ingest("taobao", taobao(7001, "TRADE_BUYER_SIGNED", type: "cod"))
        #expect(try paidAtDoor["state"] == "delivered" && order(paidAtDoor)["paid_total"] == "106.00")
        #expect(try ingest("taobao", taobao(7002, "WAIT_SELLER_SEND_GOODS", type: "fixed"))["state"] == "paid")
        let asked = try ingest("taobao", taobao(7004, "WAIT_SELLER_SEND_GOODS", type: "cod", refund: "WAIT_SELLER_AGREE"))
        #expect(try asked["state"] == "on_hold" && order(asked)["paid_total"] == "0.00", "a refund asked for: held, unpaid")
        // Refused at the door, the trade closes: the goods are on their way back, and a person must take them in.
        let refused = try ingest("taobao", taobao(7003, "WAIT_BUYER_CONFIRM_GOODS", type: "cod"))
        let closed = try ingest("taobao", taobao(7003, "TRADE_CLOSED", type: "cod"))
        #expect(closed["alert"] == "channel_cancelled_shipped" && closed["state"] == "shipped", "\(closed.serialized)")
        func alerted() throws -> Bool {
            try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains {
                $0["kind"] == "channel_cancelled_shipped" && $0["order_id"] == refused["order_id"]
            } == true
        }
        #expect(try alerted())
        try engine.ok("return.request", ["order_id": refused["order_id"] ?? .null, "reason": "refused_delivery",
                                         "lines": [["sku": "B2", "qty": 2]]])
        #expect(try !alerted(), "the return takes it from here")
        // Closed while part of it has left: the rest is cancelled and its stock released; the part that left
        // is a person's to take in.
        func split(_ status: String, _ first: String, _ second: String) -> JSON {
            ["trade": ["tid": 7005, "status": .string(status), "type": "fixed", "created": "2026-01-18 18:00:00",
                       "payment": "150.00", "post_fee": "0.00", "receiver_name": "王五", "receiver_state": "浙江省",
                       "receiver_city": "杭州市", "receiver_address": "西湖区文三路1号",
                       "orders": ["order": [
                           ["oid": 70051, "outer_sku_id": "B2", "title": "茶", "num": 2, "price": "50.00", "total_fee": "100.00",
                            "status": .string(first)],
                           ["oid": 70052, "outer_sku_id": "A1", "title": "杯", "num": 1, "price": "50.00", "total_fee": "50.00",
                            "status": .string(second)]]]]]
        }
        let part = try ingest("taobao", split("SELLER_CONSIGNED_PART", "WAIT_BUYER_CONFIRM_GOODS", "WAIT_SELLER_SEND_GOODS"))
        #expect(part["state"] == "partially_shipped", "\(part.serialized)")
        let available = try engine.available("A1")
        let rest = try ingest("taobao", split("TRADE_CLOSED", "TRADE_CLOSED", "TRADE_CLOSED"))
        #expect(rest["action"] == "cancelled" && rest["alert"] == "channel_cancelled_shipped", "\(rest.serialized)")
        let doc = try order(rest)
        #expect(doc["state"] == "shipped" && doc["refunded_total"] == "50.00", "\(doc.serialized)")
        #expect(try engine.available("A1") == available + 1, "the unit that never left is back on sale")
    }

    /// A page of `taobao.trades.sold.get` (or `.increment.get`) is each of its trades; a trade whose sub-orders
    /// left with two waybills has both, each tracked.
    @Test func taobaoTradesOfAListAreEachAnOrderWithEveryWaybill() throws {
        func trade(_ tid: Int64, _ status: String, waybills: [String]) -> JSON {
            let lines: [JSON] = waybills.enumerated().map { i, waybill in
                ["oid": .int(tid * 10 + Int64(i)), "outer_sku_id": i == 0 ? "A1" : "B2", "num": 1, "price": "50.00",
                 "total_fee": "50.00", "status": .string(status), "invoice_no": .string(waybill), "logistics_company": "圆通速递"]
            }
            return ["tid": .int(tid), "status": .string(status), "type": "fixed", "created": "2026-01-18 18:00:00",
                    "consign_time": "2026-01-19 09:00:00", "payment": "100.00", "post_fee": "0.00",
                    "orders": ["order": .array(lines)]]
        }
        for root in ["trades_sold_get_response", "trades_sold_increment_get_response"] {
            let base: Int64 = root.contains("increment") ? 7200 : 7100
            var page = JSONObject()
            page[root] = ["total_results": 2, "trades": ["trade": [
                trade(base + 1, "WAIT_SELLER_SEND_GOODS", waybills: ["", ""]),
                trade(base + 2, "WAIT_BUYER_CONFIRM_GOODS", waybills: ["YT\(base)1", "YT\(base)2"])]]]
            let outcome = try engine.ok("intake.ingest", ["channel": "taobao", "payload": .object(page)])
            let events = outcome["events"]?.arrayValue ?? []
            #expect(events.map { $0["state"] } == ["paid", "shipped"], "\(outcome.serialized)")
            let shipments = try order(events.last ?? .null)["shipments"]?.arrayValue ?? []
            #expect(shipments.map { $0["tracking_no"] } == [.string("YT\(base)1"), .string("YT\(base)2")])
        }
    }

    /// A Taobao trade closed after it shipped (`TRADE_CLOSED` with a `consign_time`: returned and refunded, or
    /// refunded without a return) is shipped first and then cancelled as one whose goods left — whether its
    /// shipment was seen or the trade is first seen closed: its stock leaves, its refund is recorded, and a
    /// `channel_cancelled_shipped` alert asks a person to take in what comes back. Cash on delivery records no
    /// payment (refused at the door). Closed before it shipped, it is cancelled and nothing leaves.
    @Test func taobaoTradesClosedAfterTheyShippedLeaveFirst() throws {
        var minute = 0
        func trade(_ tid: Int64, _ status: String, type: String = "fixed", shipped: Bool) -> JSON {
            minute += 1
            var line: JSONObject = ["oid": .int(tid * 10), "outer_sku_id": "B2", "title": "茶", "num": 2, "price": "50.00",
                                    "total_fee": "100.00", "payment": "100.00", "status": .string(status)]
            var trade: JSONObject = ["tid": .int(tid), "status": .string(status), "type": .string(type),
                                     "created": "2026-01-18 18:00:00", "modified": .string("2026-01-25 20:\(10 + minute):00"),
                                     "payment": "100.00", "post_fee": "0.00", "receiver_name": "王五", "receiver_state": "浙江省",
                                     "receiver_city": "杭州市", "receiver_address": "西湖区文三路1号"]
            if shipped {
                trade["consign_time"] = "2026-01-19 10:00:00"
                line["logistics_company"] = "顺丰速运"
                line["invoice_no"] = .string("SF\(tid)")
            }
            if status == "TRADE_CLOSED", type == "fixed" {
                line["refund_status"] = "SUCCESS"
                line["refund_id"] = .int(tid * 100)
                line["refund_fee"] = "100.00"
            }
            trade["orders"] = ["order": [.object(line)]]
            return ["trade": .object(trade)]
        }
        func alerted(_ event: JSON) throws -> Bool {
            try engine.ok("report.alerts")["alerts"]?.arrayValue?.contains {
                $0["kind"] == "channel_cancelled_shipped" && $0["order_id"] == event["order_id"]
            } == true
        }
        var available = try engine.available("B2")
        // Seen paid; its shipment's event never came.
        let paid = try ingest("taobao", trade(9001, "WAIT_SELLER_SEND_GOODS", shipped: false))
        #expect(try paid["state"] == "paid" && engine.available("B2") == available - 2)
        let closed = try ingest("taobao", trade(9001, "TRADE_CLOSED", shipped: true))
        #expect(closed["state"] == "shipped" && closed["alert"] == "channel_cancelled_shipped", "\(closed.serialized)")
        #expect(closed["shipment"]?["tracking_no"] == "SF9001" && closed["shipment"]?["units_from_stock"] == 2)
        var doc = try order(closed)
        #expect(doc["paid_total"] == "100.00" && doc["refunded_total"] == "100.00" && doc["refund_due"] == "0.00",
                "\(doc.serialized)")
        #expect(try engine.available("B2") == available - 2, "the units left: they are not back on sale")
        // The same report again moves nothing.
        let again = try ingest("taobao", trade(9001, "TRADE_CLOSED", shipped: true))
        #expect(try again["action"] == "unchanged" && order(again)["refunded_total"] == "100.00")
        available = try engine.available("B2")
        // First seen closed after it shipped: the same.
        let first = try ingest("taobao", trade(9002, "TRADE_CLOSED", shipped: true))
        #expect(first["action"] == "created_shipped" && first["alert"] == "channel_cancelled_shipped",
                "\(first.serialized)")
        doc = try order(first)
        #expect(doc["state"] == "shipped" && doc["paid_total"] == "100.00" && doc["refunded_total"] == "100.00")
        #expect(try engine.available("B2") == available - 2 && alerted(first))
        // Cash on delivery, refused at the door: no payment, the goods on their way back.
        let refused = try ingest("taobao", trade(9003, "TRADE_CLOSED", type: "cod", shipped: true))
        doc = try order(refused)
        #expect(refused["action"] == "created_shipped" && doc["paid_total"] == "0.00", "\(doc.serialized)")
        #expect(try engine.available("B2") == available - 4 && alerted(refused))
        try engine.ok("return.request", ["order_id": refused["order_id"] ?? .null, "reason": "refused_delivery",
                                         "lines": [["sku": "B2", "qty": 2]]])
        #expect(try !alerted(refused), "the return takes it from here")
        // Closed before it shipped: cancelled, refunded, nothing leaves.
        let unshipped = try ingest("taobao", trade(9004, "TRADE_CLOSED", shipped: false))
        doc = try order(unshipped)
        #expect(doc["state"] == "cancelled" && doc["refunded_total"] == "100.00" && unshipped["alert"] == nil)
        #expect(unshipped["action"] == "created_cancelled", "\(unshipped.serialized)")
        #expect(try engine.available("B2") == available - 4)
        #expect(try engine.ok("stock.verify")["differences"] == [])
    }

    /// A JD order cancelled after it left (`TRADE_CANCELED` with a `waybill`: JD cancels a cash-on-delivery
    /// order its buyer refused at the door) is shipped first, whether its shipment was seen or not, and a
    /// `channel_cancelled_shipped` alert asks a person to take in what comes back; nothing is paid. Without a
    /// waybill (JD sends `""` until the order leaves) it is cancelled before it shipped: its stock is released.
    @Test func jdOrdersCancelledAfterTheyLeftAreShippedFirst() throws {
        var minute = 0
        func jd(_ id: String, _ state: String, waybill: String) -> JSON {
            minute += 1
            return ["orderInfo": ["orderId": .string(id), "orderState": .string(state), "payType": "1-货到付款",
                                  "orderStartTime": "2026-01-18 18:00:00", "modified": .string("2026-01-20 10:\(10 + minute):00"),
                                  "orderTotalPrice": "120.00", "freightPrice": "0.00", "orderPayment": "120.00",
                                  "waybill": .string(waybill), "logisticsId": "2087",
                                  "itemInfoList": [["skuId": "1001", "outerSkuId": "A1", "jdPrice": "60.00", "itemTotal": "2"]]]]
        }
        let available = try engine.available("A1")
        // Seen waiting to ship; the event of its shipment never came, then JD cancelled it: refused.
        let placed = try ingest("jd", jd("9301", "WAIT_SELLER_STOCK_OUT", waybill: ""))
        #expect(try placed["state"] == "pending_payment" && engine.available("A1") == available - 2)
        let refused = try ingest("jd", jd("9301", "TRADE_CANCELED", waybill: "JDV9301"))
        #expect(refused["state"] == "shipped" && refused["alert"] == "channel_cancelled_shipped", "\(refused.serialized)")
        #expect(refused["shipment"]?["tracking_no"] == "JDV9301")
        var doc = try order(refused)
        #expect(doc["paid_total"] == "0.00" && doc["refund_due"] == "0.00", "\(doc.serialized)")
        #expect(try engine.available("A1") == available - 2, "the units left: they are not back on sale")
        // First seen so: the same.
        let first = try ingest("jd", jd("9302", "TRADE_CANCELED", waybill: "JDV9302"))
        #expect(first["action"] == "created_shipped" && first["alert"] == "channel_cancelled_shipped", "\(first.serialized)")
        #expect(try engine.available("A1") == available - 4)
        // Cancelled before it left: its waybill is empty, and nothing leaves.
        let kept = try ingest("jd", jd("9303", "WAIT_SELLER_STOCK_OUT", waybill: ""))
        let cancelled = try ingest("jd", jd("9303", "TRADE_CANCELED", waybill: ""))
        doc = try order(cancelled)
        #expect(kept["state"] == "pending_payment" && doc["state"] == "cancelled" && cancelled["alert"] == nil,
                "\(cancelled.serialized)")
        #expect(try engine.available("A1") == available - 4)
        #expect(try engine.ok("stock.verify")["differences"] == [])
    }

    /// A Taobao pre-sale (a step trade): its deposit paid there (`FRONT_PAID_FINAL_NOPAID`, the trade still
    /// `WAIT_BUYER_PAY`) is paid here, and the order is `deposit_paid`, its stock held; the balance paid there
    /// pays the rest. Closed by Taobao with the balance unpaid, the deposit is forfeited: nothing is owed back.
    /// Closed after a refund (`TRADE_CLOSED`), what was paid is refunded.
    /// Taobao's refunds (`taobao.refund.get`, `taobao.refunds.receive.get`) bring the money given back once the
    /// refund succeeded, under the id the trade's sub-order names it by: the trade's own copy of it, before or
    /// after, is the same refund (and brings its units).
    @Test func taobaoRefundsAreTheTradesRefundsOnce() throws {
        func trade(_ tid: Int64, status: String, refund: JSONObject = [:], modified: String, shipped: Bool = true) -> JSON {
            var line: JSONObject = ["oid": .int(tid * 10), "outer_sku_id": "B2", "title": "茶", "num": 2, "price": "50.00",
                                    "total_fee": "100.00", "payment": "100.00", "status": .string(status)]
            line = line.merging(refund)
            return ["trade": ["tid": .int(tid), "status": .string(status), "type": "fixed", "created": "2026-01-18 18:00:00",
                              "modified": .string(modified), "payment": "100.00", "post_fee": "0.00",
                              "consign_time": shipped ? "2026-01-19 10:00:00" : .null, "orders": ["order": [.object(line)]]]]
        }
        func refund(_ id: Int64, tid: Int64, status: String = "SUCCESS", fee: String) -> JSON {
            ["refund_id": .string("\(id)"), "tid": .int(tid), "oid": .int(tid * 10), "status": .string(status), "refund_fee": .string(fee),
             "total_fee": "100.00", "num": 2, "reason": "七天无理由", "has_good_return": true, "outer_id": "TEA", "order_status": "TRADE_FINISHED"]
        }
        func outcomes(_ payload: JSON) throws -> [JSON] {
            try engine.ok("intake.ingest", ["channel": "taobao", "payload": payload])["events"]?.arrayValue ?? []
        }
        let shipped = try ingest("taobao", trade(9501, status: "WAIT_BUYER_CONFIRM_GOODS", modified: "2026-01-19 10:00:00"))
        let list: JSON = ["refunds_receive_get_response": ["total_results": 2, "refunds": ["refund": [
            refund(95011, tid: 9501, fee: "50.00"), refund(95012, tid: 9501, status: "WAIT_SELLER_AGREE", fee: "50.00")]]]]
        #expect(try outcomes(list).map { $0["action"] ?? $0["type"] ?? .null } == ["refunded", "skip"])
        #expect(try order(shipped)["refunded_total"] == "50.00")
        // The trade names the same refund on its sub-order: once, with its units now.
        let same = try ingest("taobao", trade(9501, status: "WAIT_BUYER_CONFIRM_GOODS", refund: [
            "refund_status": "SUCCESS", "refund_id": 95011, "refund_fee": "50.00"], modified: "2026-01-20 10:00:00"))
        let doc = try order(same)
        #expect(doc["refunded_total"] == "50.00" && doc["lines"]?.arrayValue?.first?["refunded"] == 2, "\(doc.serialized)")
        // taobao.refund.get of a refund the trade recorded first: nothing more.
        let detail: JSON = ["refund_get_response": ["refund": refund(95011, tid: 9501, fee: "50.00")]]
        #expect(try outcomes(detail).first?["action"] == "unchanged")
        #expect(try order(shipped)["refunded_total"] == "50.00")
        // All of it refunded before it shipped: it does not ship; the trade closing then changes nothing more.
        let paid = try ingest("taobao", trade(9502, status: "WAIT_SELLER_SEND_GOODS", modified: "2026-01-18 19:00:00", shipped: false))
        #expect(try outcomes(["refund": refund(95021, tid: 9502, fee: "100.00")]).first?["action"] == "refunded")
        #expect(try order(paid)["state"] == "cancelled" && order(paid)["refund_due"] == "0.00")
        let tradeClosed = try ingest("taobao", trade(9502, status: "TRADE_CLOSED", refund: [
            "refund_status": "SUCCESS", "refund_id": 95021, "refund_fee": "100.00"], modified: "2026-01-18 20:00:00", shipped: false))
        #expect(tradeClosed["refunds"]?.arrayValue?.first?["outcome"] == "already_recorded")
        let closed = try order(paid)
        #expect(closed["state"] == "cancelled" && closed["refunded_total"] == "100.00" && closed["refund_due"] == "0.00")
    }

    @Test func taobaoPreSalesArePaidByTheirDepositAndForfeitItUnpaid() throws {
        var minute = 0
        func trade(_ tid: Int64, _ status: String, _ step: String, paid: String?) -> JSON {
            minute += 1
            var trade: JSONObject = [
                "tid": .int(tid), "status": .string(status), "type": "step", "step_trade_status": .string(step),
                "created": "2026-01-18 18:00:00", "modified": .string("2026-01-18 20:\(minute < 10 ? "0" : "")\(minute):00"),
                "payment": "106.00", "post_fee": "6.00", "receiver_name": "王五", "receiver_state": "浙江省",
                "receiver_city": "杭州市", "receiver_address": "西湖区文三路1号",
                "orders": ["order": [["oid": .int(tid * 10), "outer_sku_id": "B2", "title": "茶", "num": 2, "price": "50.00",
                                      "total_fee": "100.00", "status": .string(status)]]]]
            if let paid { trade["step_paid_fee"] = .string(paid) }
            return ["trade": .object(trade)]
        }
        let stock = try engine.available("B2")
        let placed = try ingest("taobao", trade(8001, "WAIT_BUYER_PAY", "FRONT_NOPAID_FINAL_NOPAID", paid: "0.00"))
        #expect(try placed["state"] == "pending_payment" && order(placed)["paid_total"] == "0.00", "\(placed.serialized)")
        #expect(try engine.available("B2") == stock - 2, "its stock is held")
        let deposit = try ingest("taobao", trade(8001, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", paid: "20.00"))
        #expect(deposit["action"] == "deposit_paid" && deposit["state"] == "deposit_paid", "\(deposit.serialized)")
        var doc = try order(deposit)
        #expect(doc["paid_total"] == "20.00" && doc["deposit"] == "20.00" && doc["balance_due"] == "86.00", "\(doc.serialized)")
        let again = try ingest("taobao", trade(8001, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", paid: "20.00"))
        #expect(try again["action"] == "unchanged" && order(again)["paid_total"] == "20.00", "\(again.serialized)")
        let balance = try ingest("taobao", trade(8001, "WAIT_SELLER_SEND_GOODS", "FRONT_PAID_FINAL_PAID", paid: "106.00"))
        #expect(balance["action"] == "paid" && balance["state"] == "paid", "\(balance.serialized)")
        #expect(try order(balance)["paid_total"] == "106.00" && engine.available("B2") == stock - 2)

        // First seen with its deposit paid; then closed by Taobao, the balance never paid.
        let first = try ingest("taobao", trade(8002, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", paid: "20.00"))
        #expect(first["action"] == "created_deposit_paid" && first["state"] == "deposit_paid", "\(first.serialized)")
        #expect(try order(first)["paid_total"] == "20.00" && engine.available("B2") == stock - 4)
        let lapsed = try ingest("taobao", trade(8002, "TRADE_CLOSED_BY_TAOBAO", "FRONT_PAID_FINAL_NOPAID", paid: "20.00"))
        #expect(lapsed["action"] == "cancelled" && lapsed["state"] == "cancelled", "\(lapsed.serialized)")
        doc = try order(lapsed)
        #expect(doc["refund_due"] == "0.00" && doc["refunded_total"] == "0.00" && doc["paid_total"] == "20.00", "\(doc.serialized)")
        #expect(try engine.available("B2") == stock - 2, "its stock is back on sale")
        let closing = try engine.ok("order.timeline", ["order_id": lapsed["order_id"] ?? .null])["events"]?.arrayValue?.last
        #expect(closing?["command"] == "channel.closed" && closing?["details"]?["forfeited_deposit"] == "20.00",
                "\(closing?.serialized ?? "")")

        // Held here (a person checks it) when Taobao closes it: the deposit is forfeited all the same, and the balance
        // Taobao then says paid (nothing here says otherwise) is paid on a held pre-sale where it is.
        let held = try ingest("taobao", trade(8008, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", paid: "20.00"))
        try engine.ok("order.hold", ["order_id": held["order_id"] ?? .null, "reason": "address check"])
        let closedHeld = try ingest("taobao", trade(8008, "TRADE_CLOSED_BY_TAOBAO", "FRONT_PAID_FINAL_NOPAID", paid: "20.00"))
        doc = try order(closedHeld)
        #expect(doc["state"] == "cancelled" && doc["refund_due"] == "0.00" && doc["refunded_total"] == "0.00",
                "the deposit is forfeited, not owed back: \(doc.serialized)")
        let heldBalance = try ingest("taobao", trade(8009, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", paid: "20.00"))
        try engine.ok("order.hold", ["order_id": heldBalance["order_id"] ?? .null, "reason": "address check"])
        let paidHeld = try ingest("taobao", trade(8009, "WAIT_SELLER_SEND_GOODS", "FRONT_PAID_FINAL_PAID", paid: "106.00"))
        doc = try order(paidHeld)
        #expect(doc["state"] == "on_hold" && doc["held_from"] == "paid" && doc["paid_total"] == "106.00", "\(doc.serialized)")

        // Closed after its deposit went back: refunded, as any cancellation there.
        _ = try ingest("taobao", trade(8003, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", paid: "20.00"))
        let refunded = try ingest("taobao", trade(8003, "TRADE_CLOSED", "FRONT_PAID_FINAL_NOPAID", paid: "20.00"))
        doc = try order(refunded)
        #expect(doc["state"] == "cancelled" && doc["refunded_total"] == "20.00" && doc["refund_due"] == "0.00",
                "\(doc.serialized)")

        // A deposit that is not one (missing, the whole price, not an amount): the order waits unpaid, and says why;
        // the deposit of a trade paid in full is not read, so no value of it loses the order.
        let whole = try ingest("taobao", trade(8007, "WAIT_SELLER_SEND_GOODS", "FRONT_PAID_FINAL_PAID", paid: "¥106"))
        #expect(whole["action"] == "created_paid", "\(whole.serialized)")
        for (tid, paid) in [(8004, nil), (8005, "106.00"), (8006, "20,00")] as [(Int64, String?)] {
            let odd = try ingest("taobao", trade(tid, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", paid: paid))
            #expect(odd["state"] == "pending_payment", "\(odd.serialized)")
            #expect(odd["warnings"]?.arrayValue?.contains { $0["code"] == "deposit_not_recorded" } == true, "\(odd.serialized)")
        }
        let late = try ingest("taobao", trade(8004, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", paid: "30.00"))
        #expect(try late["state"] == "deposit_paid" && order(late)["paid_total"] == "30.00", "\(late.serialized)")

        // First seen closed: after a refund (`TRADE_CLOSED`) it was paid and refunded — a pre-sale its deposit alone;
        // closed unpaid (`TRADE_CLOSED_BY_TAOBAO`) it records no money.
        for (tid, status, step, paid) in [(8011, "TRADE_CLOSED", "FRONT_PAID_FINAL_PAID", "106.00"),
                                          (8012, "TRADE_CLOSED", "FRONT_PAID_FINAL_NOPAID", "20.00"),
                                          (8013, "TRADE_CLOSED_BY_TAOBAO", "FRONT_NOPAID_FINAL_NOPAID", "0.00")] as [(Int64, String, String, String)] {
            let closed = try ingest("taobao", trade(tid, status, step, paid: "20.00"))
            doc = try order(closed)
            #expect(closed["state"] == "cancelled" && doc["paid_total"] == .string(paid) && doc["refunded_total"] == .string(paid)
                    && doc["refund_due"] == "0.00", "\(status) \(step): \(doc.serialized)")
        }
    }

    /// Shipped here, then signed for or confirmed there: the channel's word delivers the order, and completes it
    /// when the channel says so. A marketplace's buyer confirms receipt, and no carrier's tracking may ever tell.
    @Test func ordersShippedHereAreDeliveredOnTheChannelsWord() throws {
        func jd(_ state: String, minute: Int) -> JSON {
            ["orderInfo": ["orderId": "9201", "orderState": .string(state), "orderStartTime": "2026-01-18 18:00:00",
                           "modified": .string("2026-01-18 18:\(10 + minute):00"),
                           "orderTotalPrice": "120.00", "orderPayment": "120.00", "waybill": "JDV0201", "logisticsId": "2087",
                           "consigneeInfo": ["fullname": "张三", "mobile": "13800000000", "province": "北京", "city": "北京市",
                                             "fullAddress": "北京朝阳区建国路1号"],
                           "itemInfoList": [["skuId": "1001", "outerSkuId": "A1", "skuName": "马克杯", "jdPrice": "60.00", "itemTotal": "2"]]]]
        }
        let placed = try ingest("jd", jd("WAIT_SELLER_STOCK_OUT", minute: 0))
        let id = placed["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": id])
        try engine.ok("order.pack", ["order_id": id, "scans": [id, "A1", "A1"], "weight_g": 600])
        try engine.ok("order.ship", ["order_id": id, "carrier": "JD", "tracking_no": "JD-9201"])
        try engine.ok("tracking.event", ["carrier": "JD", "tracking_no": "JD-9201", "status": "exception",
                                         "time": "2026-01-19T08:00:00Z", "message": "address unclear"])
        func alerts() throws -> [JSON] {
            try engine.ok("report.alerts")["alerts"]?.arrayValue?.filter { $0["order_id"] == id } ?? []
        }
        #expect(try alerts().contains { $0["kind"] == "carrier_exception" })
        // Shipped there too: nothing new.
        #expect(try ingest("jd", jd("WAIT_GOODS_RECEIVE_CONFIRM", minute: 1))["action"] == "unchanged")
        let finished = try ingest("jd", jd("FINISHED_L", minute: 2))
        #expect(finished["action"] == "completed" && finished["state"] == "completed", "\(finished.serialized)")
        let doc = try order(finished)
        #expect(doc["lines"]?.arrayValue?.first?["delivered"] == 2, "\(doc.serialized)")
        #expect(doc["shipments"]?.arrayValue?.first?["state"] == "delivered", "\(doc.serialized)")
        #expect(try alerts().isEmpty, "the buyer has it: the carrier's exception no longer matters")
        let timeline = try engine.ok("order.timeline", ["order_id": id])["events"]?.arrayValue ?? []
        #expect(timeline.suffix(2).map { $0["command"] } == ["channel.delivered", "channel.completed"])
        #expect(try ingest("jd", jd("FINISHED_L", minute: 3))["action"] == "unchanged", "said twice, done once")

        // Taobao: signed for (a cash-on-delivery state) is delivered, not yet completed; finished completes it.
        func taobao(_ status: String, minute: Int) -> JSON {
            ["trade": ["tid": 7101, "status": .string(status), "type": "fixed", "created": "2026-01-18 18:00:00",
                       "modified": .string("2026-01-18 18:\(10 + minute):00"),
                       "payment": "100.00", "post_fee": "0.00", "receiver_name": "王五", "receiver_state": "浙江省",
                       "receiver_city": "杭州市", "receiver_address": "西湖区文三路1号",
                       "orders": ["order": [["oid": 71011, "outer_sku_id": "B2", "title": "茶", "num": 2, "price": "50.00",
                                             "total_fee": "100.00", "status": .string(status)]]]]]
        }
        let trade = try ingest("taobao", taobao("WAIT_SELLER_SEND_GOODS", minute: 0))
        let tid = trade["order_id"] ?? .null
        try engine.ok("order.allocate", ["order_id": tid])
        try engine.ok("order.pack", ["order_id": tid, "scans": [tid, "B2", "B2"], "weight_g": 400])
        try engine.ok("order.ship", ["order_id": tid, "carrier": "YTO", "tracking_no": "YT-7101"])
        let signed = try ingest("taobao", taobao("TRADE_BUYER_SIGNED", minute: 1))
        #expect(signed["action"] == "delivered" && signed["state"] == "delivered", "\(signed.serialized)")
        #expect(try ingest("taobao", taobao("TRADE_FINISHED", minute: 2))["state"] == "completed")
    }

    /// A JD or Pinduoduo line without the merchant's SKU code is the SKU the platform names for that one size
    /// (`jd-{skuId}`, `pdd-{sku_id}`): the product's code (`productNo`, `outer_goods_id`) is shared by every size,
    /// so it would ship one size for another.
    @Test func jdAndPinduoduoLinesWithoutACodeAreThePlatformsSKU() throws {
        for sku in ["jd-1002", "pdd-7"] {
            try engine.ok("sku.upsert", ["sku": .string(sku), "name": "Mug"])
            try engine.ok("stock.receive", ["sku": .string(sku), "warehouse": "SH", "qty": 5])
        }
        let jd: JSON = ["orderInfo": ["orderId": "9101", "orderState": "WAIT_SELLER_STOCK_OUT", "orderStartTime": "2026-01-18 18:00:00",
                                      "orderPayment": "60.00", "itemInfoList": [["skuId": "1002", "productNo": "MUG", "skuName": "马克杯 大号",
                                                                                 "jdPrice": "60.00", "itemTotal": "1"]]]]
        let pdd: JSON = ["order_info": ["order_sn": "260118-91", "order_status": 1, "created_time": "2026-01-18 20:00:00",
                                        "pay_amount": "50.00", "item_list": [["goods_id": 1, "sku_id": 7, "outer_goods_id": "MUG",
                                                                              "goods_name": "杯", "goods_price": "50.00", "goods_count": 1]]]]
        for (channel, payload, sku) in [("jd", jd, "jd-1002"), ("pinduoduo", pdd, "pdd-7")] {
            let lines = try order(try ingest(channel, payload))["lines"]?.arrayValue
            #expect(lines?.map { $0["sku"] ?? .null } == [.string(sku)], "\(channel): \(lines ?? [])")
        }
    }

    @Test func pinduoduoOrdersInEveryState() throws {
        func pdd(_ sn: String, status: Int64, refund: Int64 = 1, confirm: Int64 = 1, group: Int64 = 1, updated: String = "",
                 review: Int64 = 0) -> JSON {
            ["order_info_get_response": ["order_info": [
                "updated_at": .string(updated), "group_status": .int(group), "risk_control_status": .int(review),
                "order_sn": .string(sn), "order_status": .int(status), "refund_status": .int(refund), "confirm_status": .int(confirm),
                "created_time": "2026-01-18 20:00:00", "pay_amount": "95.00", "goods_amount": "100.00", "discount_amount": "10.00",
                "platform_discount": "4.00", "seller_discount": "6.00", "postage": "5.00", "receiver_name": "李四", "receiver_phone": "13900000000",
                "province": "上海", "city": "上海市", "town": "浦东新区", "address": "上海市浦东新区世纪大道2号", "receiver_address": "世纪大道2号",
                "tracking_number": "YT123", "logistics_id": 85, "shipping_time": "2026-01-19 10:00:00",
                "item_list": [["goods_id": 1, "sku_id": 2, "outer_id": "B2", "goods_name": "茶", "goods_price": "50.00", "goods_count": 2]]]]]
        }
        let paid = try ingest("pinduoduo", pdd("260118-01", status: 1))
        #expect(paid["state"] == "paid" && paid["warnings"] == nil, "\(paid.serialized)")
        #expect(try order(paid)["grand_total"] == "95.00")
        let shipped = try ingest("pinduoduo", pdd("260118-02", status: 2))
        #expect(shipped["state"] == "shipped" && shipped["shipment"]?["shipped_at"] == "2026-01-19T02:00:00Z")
        #expect(try ingest("pinduoduo", pdd("260118-03", status: 3))["state"] == "delivered")
        // Shipped in several parcels (`extra_delivery_list`), a gift in one of its own (`gift_delivery_list`).
        var parcels = pdd("260118-20", status: 2)["order_info_get_response"]?["order_info"]?.objectValue ?? [:]
        parcels["tracking_number"] = "YT800"
        parcels["extra_delivery_list"] = [["logistics_id": 85, "tracking_number": "YT801"]]
        parcels["gift_delivery_list"] = [["logistics_id": 44, "tracking_number": "SF802"]]
        let split = try ingest("pinduoduo", ["order_info": .object(parcels)])
        #expect(try order(split)["shipments"]?.arrayValue?.map { $0["tracking_no"] } == ["YT800", "YT801", "SF802"])
        #expect(try ingest("pinduoduo", pdd("260118-04", status: 1, refund: 4))["state"] == "cancelled")
        #expect(try ingest("pinduoduo", pdd("260118-05", status: 1, confirm: 2))["state"] == "cancelled")
        // An after-sale opened before it ships holds it; closed, the order goes on; a refund cancels it.
        #expect(try ingest("pinduoduo", pdd("260118-01", status: 1, refund: 2))["action"] == "held")
        #expect(try ingest("pinduoduo", pdd("260118-01", status: 1, updated: "2026-01-19 08:00:00"))["action"] == "released")
        #expect(try ingest("pinduoduo", pdd("260118-01", status: 1, refund: 3))["state"] == "on_hold")
        #expect(try ingest("pinduoduo", pdd("260118-01", status: 1, refund: 4))["state"] == "cancelled")
        #expect(try ingest("pinduoduo", pdd("260118-06", status: 2, refund: 2))["state"] == "shipped", "shipped is past holding")
        // A group buy still forming (`group_status` 0, or not yet a deal, `confirm_status` 0) is paid and must not ship:
        // held until the group forms; a group that failed is refunded there, cancelled here.
        let forming = try ingest("pinduoduo", pdd("260118-07", status: 1, group: 0))
        #expect(try forming["state"] == "on_hold" && order(forming)["paid_total"] == "95.00", "\(forming.serialized)")
        #expect(try ingest("pinduoduo", pdd("260118-07", status: 1, group: 1))["action"] == "released")
        #expect(try ingest("pinduoduo", pdd("260118-08", status: 1, confirm: 0, group: 0))["state"] == "on_hold")
        #expect(try ingest("pinduoduo", pdd("260118-08", status: 1, confirm: 0, group: 2))["state"] == "cancelled")
        // Under Pinduoduo's own risk review (`risk_control_status` 1): paid, and held until it passes.
        let reviewed = try ingest("pinduoduo", pdd("260118-10", status: 1, review: 1))
        #expect(reviewed["state"] == "on_hold" && reviewed["action"] == "created_held", "\(reviewed.serialized)")
        #expect(try ingest("pinduoduo", pdd("260118-10", status: 1, updated: "2026-01-19 09:00:00"))["action"] == "released")
        // First seen refunded after it shipped (a return, a refund without one): its goods left, so it is created
        // paid and shipped, and a person answers the cancellation (the amount refunded is not in order_info).
        let before = try engine.available("B2")
        let refunded = try ingest("pinduoduo", pdd("260118-09", status: 3, refund: 4))
        #expect(refunded["action"] == "created_shipped" && refunded["alert"] == "channel_cancelled_shipped",
                "\(refunded.serialized)")
        #expect(try order(refunded)["paid_total"] == "95.00" && engine.available("B2") == before - 2)
    }

    /// Pinduoduo's after-sales (`pdd.refund.list.increment.get` in yuan, `pdd.refund.information.get` in fen) bring the
    /// money given back, once a refund succeeded (`after_sales_status` 10), each after-sale once: its order's own
    /// detail names no amount (`refund_status` 4 after shipping).
    @Test func pinduoduoAfterSalesRecordTheMoneyGivenBack() throws {
        func pdd(_ sn: String, status: Int64, refund: Int64 = 1) -> JSON {
            ["order_info": ["order_sn": .string(sn), "order_status": .int(status), "refund_status": .int(refund),
                            "created_time": "2026-01-18 20:00:00", "pay_amount": "95.00", "postage": "5.00",
                            "tracking_number": "YT123", "shipping_time": "2026-01-19 10:00:00",
                            "item_list": [["sku_id": 2, "outer_id": "B2", "goods_name": "茶", "goods_price": "45.00", "goods_count": 2]]]]
        }
        func afterSale(_ id: Int64, _ sn: String, status: Int64, amount: String) -> JSON {
            ["id": .int(id), "order_sn": .string(sn), "after_sales_status": .int(status), "after_sales_type": 3,
             "after_sale_reason": "货物与描述不符", "refund_amount": .string(amount), "goods_number": "1", "outer_id": "B2"]
        }
        func outcomes(_ payload: JSON) throws -> [JSON] {
            try engine.ok("intake.ingest", ["channel": "pinduoduo", "payload": payload])["events"]?.arrayValue ?? []
        }
        let shipped = try ingest("pinduoduo", pdd("260118-20", status: 2))
        let list: JSON = ["refund_increment_get_response": ["total_count": 2, "refund_list": [
            afterSale(901, "260118-20", status: 10, amount: "30.00"), afterSale(902, "260118-20", status: 3, amount: "45.00")]]]
        #expect(try outcomes(list).map { $0["action"] ?? $0["type"] ?? .null } == ["refunded", "skip"])
        #expect(try order(shipped)["refunded_total"] == "30.00" && order(shipped)["state"] == "shipped")
        var later = afterSale(901, "260118-20", status: 10, amount: "30.00").objectValue ?? [:]
        later["updated_time"] = "2026-01-21 09:00:00"
        #expect(try outcomes(["refund_list": [.object(later)]]).first?["action"] == "unchanged", "each after-sale once")
        #expect(try order(shipped)["refunded_total"] == "30.00")
        // Its unit is paid for: the return that brings it back pays nothing more for it.
        let tea = try order(shipped)["lines"]?.arrayValue?.first
        #expect(tea?["refunded"] == 1, "\(tea?.serialized ?? "")")
        let returned = try engine.ok(
            "return.request", ["order_id": shipped["order_id"] ?? .null, "reason": "defective", "lines": [["sku": "B2", "qty": 1]]])
        #expect(returned["quote"]?["cash"] == "0.00", "\(returned.serialized)")
        // The after-sale's detail: at the top, its amounts in fen.
        let detail: JSON = ["id": 903, "order_sn": "260118-20", "after_sales_status": 10, "after_sales_type": 1,
                            "after_sales_reason": "少件", "refund_amount": 1_500, "shipping_status": 1]
        #expect(try outcomes(detail).first?["action"] == "refunded")
        #expect(try order(shipped)["refunded_total"] == "45.00")
        var known = detail.objectValue ?? [:]
        known["id"] = 901
        known["refund_amount"] = 3_000
        #expect(try outcomes(.object(known)).first?["action"] == "unchanged", "the list's after-sale 901, once")
        #expect(try order(shipped)["refunded_total"] == "45.00")
        // Refunded before this engine saw its order: the refund waits for it, and is applied as it is created.
        let early = try engine.ok(
            "intake.ingest", ["channel": "pinduoduo", "payload": ["refund_list": [afterSale(906, "260118-23", status: 10, amount: "20.00")]]])
        #expect(early["state"] == "dead_letter" && early["error"]?["details"]?["awaits"] == "order", "\(early.serialized)")
        let late = try order(ingest("pinduoduo", pdd("260118-23", status: 2)))
        #expect(late["refunded_total"] == "20.00" && late["lines"]?.arrayValue?.first?["refunded"] == 1, "\(late.serialized)")
        // Refunded after it shipped, the order's detail names no amount: the after-sale does.
        let closed = try ingest("pinduoduo", pdd("260118-21", status: 3, refund: 4))
        #expect(try closed["alert"] == "channel_cancelled_shipped" && order(closed)["refunded_total"] == "0.00")
        _ = try outcomes(["refund_list": [afterSale(904, "260118-21", status: 10, amount: "95.00")]])
        #expect(try order(closed)["refunded_total"] == "95.00" && order(closed)["state"] == "shipped")
        // Refunded before it shipped: the order is cancelled, and what was owed back is given back.
        let paid = try ingest("pinduoduo", pdd("260118-22", status: 1))
        let refunded = try outcomes(["refund_list": [afterSale(905, "260118-22", status: 10, amount: "95.00")]])
        #expect(refunded.first?["action"] == "refunded", "\(refunded)")
        let doc = try order(paid)
        #expect(doc["state"] == "cancelled" && doc["refunded_total"] == "95.00" && doc["refund_due"] == "0.00", "\(doc.serialized)")
        #expect(try ingest("pinduoduo", pdd("260118-22", status: 1, refund: 4))["state"] == "cancelled")
        #expect(try order(paid)["refunded_total"] == "95.00" && order(paid)["refund_due"] == "0.00")
        // The other way round: cancelled by its order's detail (refunded there), then its after-sale.
        let first = try ingest("pinduoduo", pdd("260118-24", status: 1, refund: 4))
        let after = try outcomes(["refund_list": [afterSale(907, "260118-24", status: 10, amount: "95.00")]])
        #expect(try after.first?["refund"]?["outcome"] == "covered" && order(first)["refunded_total"] == "0.00")
        let seen = try ingest("pinduoduo", pdd("260118-25", status: 1))
        _ = try ingest("pinduoduo", pdd("260118-25", status: 1, refund: 4))
        let afterCancel = try outcomes(["refund_list": [afterSale(908, "260118-25", status: 10, amount: "95.00")]])
        #expect(try afterCancel.first?["refund"]?["outcome"] == "covered" && order(seen)["refunded_total"] == "95.00")
        // A count of units that is not one is an error: the refund waits for a person, nothing recorded.
        var garbled = afterSale(909, "260118-20", status: 10, amount: "5.00").objectValue ?? [:]
        garbled["goods_number"] = "1 件"
        let refused = try engine.ok("intake.ingest", ["channel": "pinduoduo", "payload": ["refund_list": [.object(garbled)]]])
        #expect(refused["state"] == "dead_letter" && refused["error"]?["details"]?["field"] == "units.qty", "\(refused.serialized)")
        #expect(try order(shipped)["refunded_total"] == "45.00")
    }

    @Test func douyinOrdersInFenAndUnixTime() throws {
        func douyin(_ id: String, status: Int64, shipTime: Int64 = 0, payType: Int64 = 1) -> JSON {
            ["data": ["shop_order_detail": [
                "order_id": .string(id), "order_status": .int(status), "pay_type": .int(payType), "update_time": .int(1_768_730_400 + status),
                "create_time": 1_768_730_400, "pay_amount": 8_990, "post_amount": 1_000,
                "post_receiver": "王五", "post_tel": "13700000000",
                "post_addr": ["province": ["name": "广东省"], "city": ["name": "深圳市"], "town": ["name": "南山区"], "detail": "科技园1号"],
                "logistics_info": [["tracking_no": "SF777", "company_name": "顺丰速运", "ship_time": .int(shipTime)]],
                "sku_order_list": [["sku_id": 55, "out_sku_id": "A1", "product_name": "杯子", "item_num": 1, "goods_price": 8_990,
                                    "promotion_amount": 1_000, "pay_amount": 7_990]]]]]
        }
        #expect(try ingest("douyin", douyin("6900000000001", status: 1))["state"] == "pending_payment")
        let paid = try ingest("douyin", douyin("6900000000002", status: 2))
        let doc = try order(paid)
        #expect(paid["state"] == "paid" && doc["grand_total"] == "89.90" && doc["shipping_fee"] == "10.00")
        #expect(doc["placed_at"] == "2026-01-18T10:00:00Z" && doc["lines"]?.arrayValue?.first?["unit_price"] == "89.90")
        let shipped = try ingest("douyin", douyin("6900000000003", status: 3, shipTime: 1_768_780_800))
        #expect(shipped["state"] == "shipped" && shipped["shipment"]?["shipped_at"] == "2026-01-19T00:00:00Z")
        #expect(try ingest("douyin", douyin("6900000000004", status: 5))["state"] == "completed")
        #expect(try ingest("douyin", douyin("6900000000005", status: 4))["state"] == "cancelled")
        // Closed with a ship time: closed after it shipped (refused, returned and refunded): it left first.
        let closed = try ingest("douyin", douyin("6900000000007", status: 4, shipTime: 1_768_780_800))
        #expect(closed["state"] == "shipped" && closed["alert"] == "channel_cancelled_shipped", "\(closed.serialized)")
        #expect(try order(closed)["paid_total"] == "89.90")
        let refused = try ingest("douyin", douyin("6900000000008", status: 4, shipTime: 1_768_780_800, payType: 0))
        #expect(try refused["state"] == "shipped" && order(refused)["paid_total"] == "0.00", "\(refused.serialized)")
        // pay_type 0, cash on delivery: preparing is not paid, shipped records no payment, completed pays.
        let cod = try ingest("douyin", douyin("6900000000006", status: 2, payType: 0))
        #expect(try cod["state"] == "pending_payment" && order(cod)["cash_on_delivery"] == true)
        let sent = try ingest("douyin", douyin("6900000000006", status: 3, shipTime: 1_768_780_800, payType: 0))
        #expect(try sent["state"] == "shipped" && order(sent)["paid_total"] == "0.00", "\(sent.serialized)")
        #expect(try order(ingest("douyin", douyin("6900000000006", status: 5, payType: 0)))["paid_total"] == "89.90")
    }

    /// A Douyin deposit pre-sale (定金预售) pays in phases: its deposit paid, the balance not, it is
    /// `deposit_paid` with what the paid phases took; paid in full, `paid`; closed with its balance unpaid,
    /// the deposit is kept there (定金不退) and nothing is owed back.
    @Test func aDouyinPreSaleIsDepositPaidUntilItsBalanceIs() throws {
        func presale(_ id: String, status: Int64, balancePaid: Bool, updated: Int64, afterSale: JSON? = nil) -> JSON {
            func phase(_ n: Int64, fen: Int64, paid: Bool) -> JSON {
                ["phase_order_id": .string("\(id)-\(n)"), "total_phase": 2, "current_phase": .int(n), "pay_success": .bool(paid),
                 "phase_payable_price": .int(fen), "phase_pay_amount": .int(paid ? fen : 0)]
            }
            var sku: JSONObject = ["order_id": .string(id + "1"), "sku_id": 55, "out_sku_id": "A1", "product_name": "杯子",
                                   "item_num": 1, "goods_price": 8_990, "pay_amount": 8_990]
            if let afterSale { sku["after_sale_info"] = afterSale }
            return ["data": ["shop_order_detail": [
                "order_id": .string(id), "order_status": .int(status), "pay_type": 1, "update_time": .int(1_768_730_400 + updated),
                "create_time": 1_768_730_400, "pay_amount": 8_990, "post_amount": 0,
                "order_phase_list": [phase(1, fen: 2_000, paid: true), phase(2, fen: 6_990, paid: balancePaid)],
                "sku_order_list": [.object(sku)]]]]
        }
        let stock = try engine.available("A1")
        let deposit = try ingest("douyin", presale("6900000000201", status: 1, balancePaid: false, updated: 0))
        var doc = try order(deposit)
        #expect(deposit["state"] == "deposit_paid" && doc["paid_total"] == "20.00" && doc["balance_due"] == "69.90",
                "\(deposit.serialized) \(doc.serialized)")
        #expect(try engine.available("A1") == stock - 1, "its stock is held")
        let paid = try ingest("douyin", presale("6900000000201", status: 2, balancePaid: true, updated: 1))
        #expect(try paid["state"] == "paid" && order(paid)["paid_total"] == "89.90", "\(paid.serialized)")
        // 103 (部分支付) says the same as a paid phase.
        let partly = try ingest("douyin", presale("6900000000202", status: 103, balancePaid: false, updated: 0))
        #expect(try partly["state"] == "deposit_paid" && order(partly)["paid_total"] == "20.00", "\(partly.serialized)")
        let closed = try ingest("douyin", presale("6900000000202", status: 4, balancePaid: false, updated: 1))
        doc = try order(closed)
        #expect(doc["state"] == "cancelled" && doc["refunded_total"] == "0.00" && doc["refund_due"] == "0.00",
                "the deposit is kept, not owed back: \(doc.serialized)")
        #expect(try engine.available("A1") == stock - 1, "its stock is back on sale")
        // Closed with its deposit refunded (a refund before shipping, succeeded): the deposit goes back, no more.
        _ = try ingest("douyin", presale("6900000000203", status: 1, balancePaid: false, updated: 0))
        let refunded = try ingest("douyin", presale("6900000000203", status: 4, balancePaid: false, updated: 1,
                                                     afterSale: ["after_sale_status": 12, "after_sale_type": 2, "refund_status": 3]))
        doc = try order(refunded)
        #expect(doc["state"] == "cancelled" && doc["refunded_total"] == "20.00" && doc["refund_due"] == "0.00",
                "\(refunded.serialized) \(doc.serialized)")
    }

    /// A Douyin sku order refunded before it shipped (未发货仅退款, refund succeeded) does not ship: its money and
    /// units are a refund; while the refund is asked for, the order is held. An after-sale after shipping refunds
    /// nothing through the order's detail (its money comes with Douyin's after-sale detail).
    @Test func aDouyinSkuOrderRefundedBeforeShippingDoesNotShip() throws {
        func douyin(_ afterSale: JSON, updated: Int64, id: String = "6900000000101", status: Int64 = 2,
                    payType: Int64 = 1) -> JSON {
            ["data": ["shop_order_detail": [
                "order_id": .string(id), "order_status": .int(status), "pay_type": .int(payType),
                "update_time": .int(1_768_730_400 + updated),
                "create_time": 1_768_730_400, "pay_amount": 12_000, "post_amount": 0,
                "sku_order_list": [
                    ["order_id": "6900000000102", "sku_id": 55, "out_sku_id": "A1", "product_name": "杯子", "item_num": 2,
                     "goods_price": 3_000, "pay_amount": 6_000, "order_status": 2],
                    ["order_id": "6900000000103", "sku_id": 56, "out_sku_id": "B2", "product_name": "茶", "item_num": 1,
                     "goods_price": 6_000, "pay_amount": 6_000, "order_status": 2, "after_sale_info": afterSale]]]]]
        }
        let placed = try ingest("douyin", douyin(["after_sale_status": 6, "after_sale_type": 2, "refund_status": 1], updated: 0))
        #expect(try placed["state"] == "on_hold" && order(placed)["refunded_total"] == "0.00", "\(placed.serialized)")
        let refunded = try ingest("douyin", douyin(["after_sale_status": 12, "after_sale_type": 2, "refund_status": 3], updated: 1))
        let doc = try order(refunded)
        #expect(doc["refunded_total"] == "60.00" && doc["state"] == "paid", "\(doc.serialized)")
        let tea = doc["lines"]?.arrayValue?.first { $0["sku"] == "B2" }
        #expect(tea?["reserved"] == 0 && tea?["cancelled"] == 1 && tea?["refunded"] == 1, "\(tea?.serialized ?? "")")
        let again = try ingest("douyin", douyin(["after_sale_status": 12, "after_sale_type": 2, "refund_status": 3], updated: 2))
        #expect(try order(again)["refunded_total"] == "60.00", "the same refund once")
        let kept = try ingest("douyin", douyin(["after_sale_status": 12, "after_sale_type": 1, "refund_status": 3], updated: 3,
                                               id: "6900000000104", status: 3))
        #expect(try order(kept)["refunded_total"] == "0.00" && kept["state"] == "shipped")
        // Paid at the door (`pay_type` 0): the buyer's request to be refunded before it ships is a request to cancel
        // it — held, unpaid — and, granted, its units do not ship and nothing is paid back: nothing was paid.
        let asked = try ingest("douyin", douyin(["after_sale_status": 6, "after_sale_type": 2, "refund_status": 1], updated: 0,
                                                id: "6900000000105", payType: 0))
        #expect(try asked["state"] == "on_hold" && order(asked)["paid_total"] == "0.00", "\(asked.serialized)")
        let granted = try ingest("douyin", douyin(["after_sale_status": 12, "after_sale_type": 2, "refund_status": 3], updated: 1,
                                                  id: "6900000000105", payType: 0))
        let cod = try order(granted)
        #expect(granted["state"] == "pending_payment" && cod["refunded_total"] == "0.00" && cod["paid_total"] == "0.00",
                "\(granted.serialized) \(cod.serialized)")
        #expect(cod["lines"]?.arrayValue?.first { $0["sku"] == "B2" }?["cancelled"] == 1, "\(cod.serialized)")
        // Douyin's after-sale (afterSale.Detail) brings the money given back after shipping, once refunded.
        func afterSale(_ id: Int64, type: Int64, status: Int64, refund: Int64, order: String = "6900000000104",
                       units: Int64? = nil) -> JSON {
            let sku: JSON = ["sku_order_id": 1, "shop_sku_code": "B2", "item_quantity": 1, "after_sale_item_count": units.map(JSON.int) ?? .null]
            return ["data": ["order_info": ["shop_order_id": .string(order), "sku_order_infos": [sku]],
                      "process_info": ["after_sale_info": [
                        "after_sale_id": .int(id), "after_sale_type": .int(type), "after_sale_status": .int(status),
                        "refund_status": .int(refund), "real_refund_amount": 2_500, "reason": "不想要了"]]]]
        }
        func outcome(_ payload: JSON) throws -> JSON {
            try engine.ok("intake.ingest", ["channel": "douyin", "payload": payload])["events"]?.arrayValue?.first ?? .null
        }
        #expect(try outcome(afterSale(146_501, type: 1, status: 6, refund: 1))["type"] == "skip")
        #expect(try outcome(afterSale(146_501, type: 1, status: 12, refund: 3))["action"] == "refunded")
        var retried = afterSale(146_501, type: 1, status: 12, refund: 3).objectValue ?? [:]
        retried["log_id"] = "retry"
        #expect(try outcome(.object(retried))["action"] == "unchanged")
        #expect(try order(kept)["refunded_total"] == "25.00")
        // Refunded before shipping: the order's own detail recorded it with its units; not counted twice.
        #expect(try outcome(afterSale(146_502, type: 2, status: 12, refund: 3, order: "6900000000101"))["type"] == "skip")
        #expect(try order(again)["refunded_total"] == "60.00")
        // A return's units (`after_sale_item_count`) are paid for: bringing them back pays nothing more. A price
        // protection names none.
        func teaRefunded() throws -> JSON? { try order(kept)["lines"]?.arrayValue?.first { $0["sku"] == "B2" }?["refunded"] }
        #expect(try outcome(afterSale(146_504, type: 6, status: 12, refund: 3, units: 1))["action"] == "refunded")
        #expect(try teaRefunded() == 0)
        #expect(try outcome(afterSale(146_503, type: 0, status: 12, refund: 3, units: 1))["action"] == "refunded")
        let units = try order(kept)
        #expect(try units["refunded_total"] == "75.00" && teaRefunded() == 1, "\(units.serialized)")
        // afterSale.List: each item an after-sale, the one above again (once), one refunded only, one asked for.
        func listed(_ id: Int64, type: Int64, refund: Int64, fen: Int64, sku: String) -> JSON {
            ["aftersale_info": ["aftersale_id": .string("\(id)"), "aftersale_type": .int(type), "aftersale_status": 12,
                                "refund_status": .int(refund), "refund_amount": .int(fen), "refund_post_amount": 0],
             "order_info": ["shop_order_id": "6900000000104",
                            "related_order_info": [["shop_sku_code": .string(sku), "item_num": 2, "aftersale_item_num": 1]]],
             "text_part": ["reason_text": "不想要了"]]
        }
        let page: JSON = ["data": ["items": [listed(146_503, type: 0, refund: 3, fen: 2_500, sku: "B2"),
                                             listed(146_505, type: 1, refund: 3, fen: 500, sku: "A1"),
                                             listed(146_506, type: 0, refund: 1, fen: 3_000, sku: "A1")],
                                   "has_more": false, "total": 3]]
        let actions = try engine.ok("intake.ingest", ["channel": "douyin", "payload": page])["events"]?.arrayValue?.map {
            $0["action"] ?? $0["type"] ?? .null
        }
        #expect(actions == ["unchanged", "refunded", "skip"], "\(actions ?? [])")
        let listedDoc = try order(kept)
        #expect(listedDoc["refunded_total"] == "80.00"
                && listedDoc["lines"]?.arrayValue?.first { $0["sku"] == "A1" }?["refunded"] == 1, "\(listedDoc.serialized)")
    }

    @Test func shopifyGraphQLOrdersInEveryState() throws {
        func node(_ n: Int, financial: String, fulfillment: String = "UNFULFILLED", cancelledAt: JSON = .null, refunds: JSON = []) -> JSON {
            ["id": .string("gid://shopify/Order/\(n)"), "createdAt": "2026-01-18T10:00:00Z", "displayFinancialStatus": .string(financial),
             "displayFulfillmentStatus": .string(fulfillment), "cancelledAt": cancelledAt, "taxesIncluded": true, "tags": ["vip", "gift"],
             "totalPriceSet": ["shopMoney": ["amount": "45.00", "currencyCode": "USD"]],
             "totalShippingPriceSet": ["shopMoney": ["amount": "5.00", "currencyCode": "USD"]],
             "customer": ["id": "gid://shopify/Customer/7", "firstName": "Ann", "lastName": "Lee"],
             "shippingAddress": ["name": "Ann Lee", "countryCodeV2": "US", "province": "Oregon", "city": "Portland", "address1": "1 Main St", "zip": "97201"],
             "lineItems": ["edges": [["node": ["sku": "B2", "name": "Tea", "quantity": 2, "originalUnitPriceSet": ["shopMoney": ["amount": "20.00"]]]]]],
             "fulfillments": [["createdAt": "2026-01-19T08:00:00Z", "trackingInfo": [["company": "UPS", "number": "1Z999"]]]],
             "refunds": refunds]
        }
        let list: JSON = ["data": ["orders": ["edges": [["node": node(501, financial: "PENDING")], ["node": node(502, financial: "PAID")]]]]]
        let outcome = try engine.ok("intake.ingest", ["channel": "shopify_graphql", "payload": list])
        #expect(outcome["events"]?.arrayValue?.map { $0["state"] ?? .null } == ["pending_payment", "paid"])
        let paid = try order(outcome["events"]?.arrayValue?.last ?? .null)
        #expect(paid["external_id"] == "502" && paid["grand_total"] == "45.00" && paid["currency"] == "USD" && paid["tags"] == ["vip", "gift"])
        let refunds: JSON = [["legacyResourceId": "88", "note": "broken", "totalRefundedSet": ["shopMoney": ["amount": "20.00"]],
                              "refundLineItems": ["edges": [["node": ["quantity": 1, "lineItem": ["sku": "B2"]]]]]]]
        let partial = try ingest("shopify_graphql", ["data": ["order": node(503, financial: "PARTIALLY_REFUNDED", refunds: refunds)]])
        let partlyRefunded = try order(partial)["refunded_total"]
        #expect(partial["state"] == "paid" && partlyRefunded == "20.00")
        #expect(try ingest("shopify_graphql", ["data": ["order": node(504, financial: "REFUNDED")]])["state"] == "cancelled")
        // An authorization not captured in time: held (the money cannot be taken), not cancelled (the order is open).
        let expired = try ingest("shopify_graphql", ["data": ["order": node(507, financial: "EXPIRED")]])
        let unpaid = try order(expired)
        #expect(expired["state"] == "on_hold" && unpaid["paid_total"] == "0.00", "\(expired.serialized)")
        // Authorized, then voided (cancelled before capture): no money was taken, and none is owed back.
        #expect(try ingest("shopify_graphql", ["data": ["order": node(521, financial: "AUTHORIZED")]])["state"] == "paid")
        let voided = try ingest("shopify_graphql", ["data": ["order": node(521, financial: "VOIDED", cancelledAt: "2026-01-18T11:00:00Z")]])
        let none = try order(voided)
        #expect(voided["state"] == "cancelled" && voided["payment_voided"] == "45.00", "\(voided.serialized)")
        #expect(none["paid_total"] == "0.00" && none["refunded_total"] == "0.00" && none["refund_due"] == "0.00")
        // Fulfillment put on hold at Shopify: not shipped here until Shopify releases it; unpaid, it stays unpaid.
        #expect(try ingest("shopify_graphql", ["data": ["order": node(508, financial: "PAID", fulfillment: "ON_HOLD")]])["state"] == "on_hold")
        #expect(try ingest("shopify_graphql", ["data": ["order": node(508, financial: "PAID")]])["action"] == "released")
        #expect(try ingest("shopify_graphql", ["data": ["order": node(509, financial: "PENDING", fulfillment: "ON_HOLD")]])["state"] == "pending_payment")
        // Scheduled for later (a prepaid subscription's next box): not shipped before Shopify opens it.
        #expect(try ingest("shopify_graphql", ["data": ["order": node(510, financial: "AUTHORIZED", fulfillment: "SCHEDULED")]])["state"] == "on_hold")
        #expect(try ingest("shopify_graphql", ["data": ["order": node(505, financial: "PAID", cancelledAt: "2026-01-18T11:00:00Z")]])["state"] == "cancelled")
        let shipped = try ingest("shopify_graphql", ["data": ["order": node(506, financial: "PAID", fulfillment: "FULFILLED")]])
        #expect(shipped["state"] == "shipped" && shipped["shipment"]?["tracking_no"] == "1Z999")
        var delivered = node(513, financial: "PAID", fulfillment: "FULFILLED").objectValue ?? [:]
        delivered["fulfillments"] = [["status": "SUCCESS", "displayStatus": "DELIVERED", "createdAt": "2026-01-19T08:00:00Z",
                                      "trackingInfo": [["company": "UPS", "number": "1Z513"]]]]
        #expect(try ingest("shopify_graphql", ["data": ["order": .object(delivered)]])["state"] == "delivered")
        // Collected in store by the buyer: delivered too.
        var collected = node(520, financial: "PAID", fulfillment: "FULFILLED").objectValue ?? [:]
        collected["fulfillments"] = [["id": "gid://shopify/Fulfillment/520", "status": "SUCCESS", "displayStatus": "PICKED_UP",
                                      "createdAt": "2026-01-19T08:00:00Z", "trackingInfo": []]]
        #expect(try ingest("shopify_graphql", ["data": ["order": .object(collected)]])["state"] == "delivered")
        // A free-shipping code: the shipping line's original price, its allocation a shipping discount.
        var freeShipping = node(511, financial: "PAID").objectValue ?? [:]
        freeShipping["totalPriceSet"] = ["shopMoney": ["amount": "40.00"]]
        freeShipping["shippingLines"] = ["edges": [["node": ["originalPriceSet": ["shopMoney": ["amount": "5.00"]],
            "discountAllocations": [["allocatedAmountSet": ["shopMoney": ["amount": "5.00"]]]]]]]]
        let free = try order(try ingest("shopify_graphql", ["data": ["order": .object(freeShipping)]]))
        #expect(free["warnings"] == [] && free["discount_total"] == "5.00" && free["grand_total"] == "40.00", "\(free.serialized)")
        #expect(free["payments"]?.arrayValue?.map { $0["amount"] ?? .null } == ["40.00"])
        // A gift card sent by email and a custom item (no variant, no SKU) are fees, not lines.
        var cards = node(512, financial: "PAID").objectValue ?? [:]
        cards["totalPriceSet"] = ["shopMoney": ["amount": "87.00"]]
        cards["lineItems"] = ["edges": [
            ["node": ["sku": "B2", "name": "Tea", "quantity": 2, "originalUnitPriceSet": ["shopMoney": ["amount": "20.00"]]]],
            ["node": ["sku": .null, "name": "Gift card", "quantity": 1, "isGiftCard": true, "requiresShipping": false, "variant": ["legacyResourceId": "9"],
                      "originalUnitPriceSet": ["shopMoney": ["amount": "30.00"]]]],
            ["node": ["sku": .null, "name": "Tip", "quantity": 1, "isGiftCard": false, "requiresShipping": false, "variant": .null,
                      "originalUnitPriceSet": ["shopMoney": ["amount": "12.00"]],
                      "discountAllocations": [["allocatedAmountSet": ["shopMoney": ["amount": "0.00"]]]]]]]]
        let withCards = try order(try ingest("shopify_graphql", ["data": ["order": .object(cards)]]))
        #expect(withCards["lines"]?.arrayValue?.count == 1 && withCards["fee_total"] == "42.00" && withCards["grand_total"] == "87.00",
                "\(withCards.serialized)")
        // Prices before tax: the shipping's tax and each line's duties (one fee, with their taxes) are charged too.
        var duties = node(514, financial: "PAID").objectValue ?? [:]
        duties["taxesIncluded"] = false
        duties["totalPriceSet"] = ["shopMoney": ["amount": "59.10"]]
        duties["lineItems"] = ["edges": [["node": ["sku": "B2", "name": "Tea", "quantity": 2,
            "originalUnitPriceSet": ["shopMoney": ["amount": "20.00"]], "taxLines": [["priceSet": ["shopMoney": ["amount": "3.00"]]]],
            "duties": [["price": ["shopMoney": ["amount": "6.00"]], "taxLines": [["priceSet": ["shopMoney": ["amount": "0.60"]]]]],
                       ["price": ["shopMoney": ["amount": "4.00"]], "taxLines": []]]]]]]
        duties["shippingLines"] = ["edges": [["node": ["originalPriceSet": ["shopMoney": ["amount": "5.00"]],
            "taxLines": [["priceSet": ["shopMoney": ["amount": "0.50"]]]]]]]]
        let withDuties = try order(try ingest("shopify_graphql", ["data": ["order": .object(duties)]]))
        #expect(withDuties["warnings"] == [] && withDuties["fees"] == [["name": "Duties", "amount": "10.00", "tax": "0.60"]],
                "\(withDuties.serialized)")
        #expect(withDuties["payments"]?.arrayValue?.map { $0["amount"] ?? .null } == ["59.10"])
        // IN_PROGRESS: some items fulfilled (they are recorded, and do not ship again from here), or only asked of
        // a fulfillment service (nothing left: it waits).
        var lines = node(515, financial: "PAID", fulfillment: "IN_PROGRESS").objectValue ?? [:]
        lines["totalPriceSet"] = ["shopMoney": ["amount": "60.00"]]
        lines["lineItems"] = ["edges": [
            ["node": ["sku": "B2", "name": "Tea", "quantity": 2, "currentQuantity": 2, "unfulfilledQuantity": 0,
                      "originalUnitPriceSet": ["shopMoney": ["amount": "20.00"]]]],
            ["node": ["sku": "A1", "name": "Cup", "quantity": 1, "currentQuantity": 1, "unfulfilledQuantity": 1,
                      "originalUnitPriceSet": ["shopMoney": ["amount": "15.00"]]]]]]
        let inProgress = try ingest("shopify_graphql", ["data": ["order": .object(lines)]])
        #expect(inProgress["state"] == "partially_shipped" && inProgress["shipment"]?["units_from_stock"] == 2,
                "\(inProgress.serialized)")
        var requested = lines
        requested["id"] = "gid://shopify/Order/516"
        requested["lineItems"] = ["edges": [["node": ["sku": "B2", "name": "Tea", "quantity": 2, "currentQuantity": 2,
            "unfulfilledQuantity": 2, "originalUnitPriceSet": ["shopMoney": ["amount": "20.00"]]]]]]
        requested["totalPriceSet"] = ["shopMoney": ["amount": "45.00"]]
        #expect(try ingest("shopify_graphql", ["data": ["order": .object(requested)]])["state"] == "paid")
        // Cash on delivery with a part paid by gift card: the part is recorded, the outstanding rest is due.
        var cod = node(517, financial: "PARTIALLY_PAID").objectValue ?? [:]
        cod["paymentGatewayNames"] = ["gift_card", "Cash on Delivery (COD)"]
        cod["totalOutstandingSet"] = ["shopMoney": ["amount": "30.00"]]
        let partlyPaid = try order(try ingest("shopify_graphql", ["data": ["order": .object(cod)]]))
        #expect(partlyPaid["paid_total"] == "15.00" && partlyPaid["balance_due"] == "30.00", "\(partlyPaid.serialized)")
        // Paid in part otherwise (a deposit, payment terms): the part is the order's deposit.
        var deposit = node(518, financial: "PARTIALLY_PAID").objectValue ?? [:]
        deposit["totalOutstandingSet"] = ["shopMoney": ["amount": "30.00"]]
        let event = try ingest("shopify_graphql", ["data": ["order": .object(deposit)]])
        #expect(try event["state"] == "deposit_paid" && order(event)["deposit"] == "15.00", "\(event.serialized)")
        // Paid in part and then refunded in part: still paid in part, the refund off the part paid.
        let another: JSON = [["legacyResourceId": "89", "totalRefundedSet": ["shopMoney": ["amount": "20.00"]],
                              "refundLineItems": ["edges": [["node": ["quantity": 1, "lineItem": ["sku": "B2"]]]]]]]
        var stillOwing = node(519, financial: "PARTIALLY_REFUNDED", refunds: another).objectValue ?? [:]
        stillOwing["currentTotalPriceSet"] = ["shopMoney": ["amount": "25.00"]]
        stillOwing["totalOutstandingSet"] = ["shopMoney": ["amount": "10.00"]]
        let owing = try ingest("shopify_graphql", ["data": ["order": .object(stillOwing)]])
        let owingDoc = try order(owing)
        #expect(owing["state"] == "deposit_paid" && owingDoc["paid_total"] == "35.00" && owingDoc["refunded_total"] == "20.00"
                && owingDoc["balance_due"] == "10.00", "\(owingDoc.serialized)")
    }

    @Test func statusRulesTakeNumbersAndRefuseUnknownTests() throws {
        try engine.ok("status.mapping", ["source": "wms", "rules": [["when": ["weight_g": ["above": 0]], "state": "packed"]]])
        #expect(engine.fails("status.mapping", ["source": "wms", "rules": [["when": ["weight_g": ["more_than": 0]], "state": "packed"]]]) == .invalidInput)
        let id = try engine.ok("order.create", orderArgs([("A1", 1, "5.00")]))["order_id"] ?? .null
        #expect(try engine.ok("status.report", ["source": "wms", "order_id": id, "fields": ["weight_g": 350]])["state"] == "packed")
        #expect(try engine.ok("status.report", ["source": "wms", "order_id": id, "fields": ["weight_g": "0"]])["state"] == .null)
        // A list of values: equals one of them (as text). An empty list, or one of objects, is refused.
        try engine.ok("status.mapping", ["source": "pos", "rules": [["when": ["code": [7, "HELD"]], "state": "on_hold"]]])
        #expect(try engine.ok("status.report", ["source": "pos", "order_id": id, "fields": ["code": "7"]])["state"] == "on_hold")
        #expect(try engine.ok("status.report", ["source": "pos", "order_id": id, "fields": ["code": "HELD"]])["state"] == "on_hold")
        #expect(try engine.ok("status.report", ["source": "pos", "order_id": id, "fields": ["code": "8"]])["state"] == .null)
        for bad: JSON in [[], [["above": 1]], ["all": []], ["all": ["above": 1]], ["all": "A", "above": 1]] {
            #expect(engine.fails("status.mapping", ["source": "pos", "rules": [["when": ["code": bad], "state": "paid"]]]) == .invalidInput)
        }
        // `all`: every element of a list is one of the values, and there is one.
        let set = try engine.ok("status.mapping", ["source": "3pl", "rules": [["when": ["boxes[].state": ["all": ["DONE", "GONE"]]], "state": "shipped"]]])
        #expect(set["mapping"]?["rules"]?.arrayValue?.first?["when"] == ["boxes[].state": ["all": ["DONE", "GONE"]]])
        func boxes(_ states: [JSON]) throws -> JSON {
            try engine.ok("status.report", ["source": "3pl", "order_id": id, "fields": ["boxes": .array(states.map { ["state": $0] })]])["state"] ?? .null
        }
        #expect(try boxes(["DONE", "GONE"]) == "shipped" && boxes(["DONE"]) == "shipped")
        #expect(try boxes(["DONE", "OPEN"]) == .null && boxes([]) == .null)
        // `shipped`: cancelled after the goods left; kept, and refused on any other state.
        let shipped = try engine.ok("status.mapping", ["source": "mall", "rules": [
            ["when": ["sent_at": "present", "state": "CLOSED"], "state": "cancelled", "shipped": true]]])
        #expect(shipped["mapping"]?["rules"]?.arrayValue?.first?["shipped"] == true, "\(shipped.serialized)")
        #expect(engine.fails("status.mapping", ["source": "mall", "rules": [
            ["when": ["state": "SENT"], "state": "shipped", "shipped": true]]]) == .invalidInput)
    }
}
