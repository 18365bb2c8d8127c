"""Faithful to real channel traffic, through the binding: orders arrive in the channel's state, payload
refunds apply once, bad list elements dead-letter alone, and no money leaves without goods back."""
import json

import pytest

import ordercore


@pytest.fixture
def shop(tmp_path):
    with ordercore.open(str(tmp_path / "channel.db")) as db:
        db.skus.upsert("A1", weight_g=900)
        db.warehouses.upsert("SH")
        db.stock.receive("A1", "SH", 20)
        db.channels.upsert("shopify", profile="shopify")
        db.channels.upsert("woo", profile="woocommerce")
        yield db


def shopify(order_id, **fields):
    order = {"id": order_id, "currency": "CNY", "financial_status": "paid", "cancelled_at": None, "fulfillment_status": None,
             "line_items": [{"id": 1, "sku": "A1", "quantity": 2, "price": "50.00"}]}
    order.update(fields)
    return json.dumps({"order": order})


def event(db, channel, payload):
    outcome = db.intake.ingest(channel, payload)
    assert outcome["state"] == "applied", outcome
    return outcome["events"][0]


def test_cancelled_and_fulfilled_orders_arrive_as_the_channel_says(shop):
    cancelled = event(shop, "shopify", shopify(1, financial_status="refunded", cancelled_at="2026-01-18T12:00:00+08:00"))
    assert cancelled["state"] == "cancelled" and shop.stock.get("A1")["reserved"] == 0
    money = shop.orders.get(cancelled["order_id"])
    assert (money["paid_total"], money["refunded_total"], money["refund_due"]) == ("100.00", "100.00", "0.00")
    owed = event(shop, "shopify", shopify(4, financial_status="paid", cancelled_at="2026-01-18T12:00:00+08:00"))
    assert shop.orders.get(owed["order_id"])["refund_due"] == "100.00"
    shipped = event(shop, "shopify", shopify(2, fulfillment_status="fulfilled",
                                             fulfillments=[{"tracking_company": "SF", "tracking_number": "SF9", "created_at": "2026-01-19T10:00:00Z"}]))
    assert shipped["state"] == "shipped" and shipped["shipment"]["tracking_no"] == "SF9"
    assert shop.stock.get("A1")["on_hand"] == 18
    with pytest.raises(ordercore.Conflict):
        shop.orders.allocate(shipped["order_id"])


def test_an_order_the_channel_shipped_in_two_boxes_is_delivered_when_both_are(shop):
    boxes = {"status": "success", "tracking_company": "SF", "tracking_number": "SF10", "tracking_numbers": ["SF10", "SF11"],
             "created_at": "2026-01-19T10:00:00Z"}
    # The second box's delivery scan comes before the channel's word: kept, and applied when the box is known.
    assert not shop.tracking.event("SF", "SF11", "delivered", time="2026-01-20T09:00:00Z")["matched"]
    shipped = event(shop, "shopify", shopify(5, fulfillment_status="fulfilled", fulfillments=[boxes]))
    assert [s["tracking_no"] for s in shipped["shipment"]["shipments"]] == ["SF10", "SF11"]
    assert [s["state"] for s in shop.orders.get(shipped["order_id"])["shipments"]] == ["shipped", "delivered"]
    assert shop.orders.get(shipped["order_id"])["state"] == "shipped"
    assert shop.tracking.event("SF", "SF10", "delivered")["matched"]
    assert shop.orders.get(shipped["order_id"])["state"] == "delivered"


def test_a_box_shopify_says_failed_raises_an_alert_and_the_order_waits_for_the_other(shop):
    def boxes(first, second, updated):
        return shopify(6, fulfillment_status="fulfilled", updated_at=updated, fulfillments=[
            {"id": 1, "status": "success", "tracking_company": "SF", "tracking_number": "SF60", "shipment_status": first},
            {"id": 2, "status": "success", "tracking_company": "SF", "tracking_number": "SF61", "shipment_status": second}])
    shipped = event(shop, "shopify", boxes("in_transit", "failure", "2026-01-20T09:00:00Z"))
    assert shipped["state"] == "shipped"
    assert any(a["kind"] == "carrier_exception" and a["order_id"] == shipped["order_id"]
               for a in shop.reports.alerts()["alerts"])
    delivered = event(shop, "shopify", boxes("delivered", "failure", "2026-01-21T09:00:00Z"))
    assert delivered["action"] == "parcel_status" and delivered["state"] == "shipped"
    assert [s["state"] for s in shop.orders.get(shipped["order_id"])["shipments"]] == ["delivered", "exception"]
    both = event(shop, "shopify", boxes("delivered", "delivered", "2026-01-22T09:00:00Z"))
    assert both["action"] == "delivered" and both["state"] == "delivered"
    assert shop.orders.get(shipped["order_id"])["delivered_at"] == "2026-01-22T09:00:00Z"


def test_shopify_fulfillment_events_move_the_parcels_between_the_orders_events(shop):
    boxes = {"id": 90, "status": "success", "tracking_company": "SF", "tracking_numbers": ["SF90", "SF91"]}
    shipped = event(shop, "shopify", shopify(9, fulfillment_status="fulfilled", fulfillments=[boxes]))

    def scan(number, status, at):  # fulfillment_events/create
        return json.dumps({"id": number, "fulfillment_id": 90, "order_id": 9, "status": status, "happened_at": at})

    moving = event(shop, "shopify", scan(1, "out_for_delivery", "2026-01-20T09:00:00Z"))
    assert moving["type"] == "tracking" and moving["action"] == "parcel_status", moving
    assert [s["state"] for s in shop.orders.get(shipped["order_id"])["shipments"]] == ["out_for_delivery"] * 2
    delivered = event(shop, "shopify", scan(2, "delivered", "2026-01-20T15:00:00Z"))
    assert delivered["action"] == "delivered" and delivered["state"] == "delivered", delivered
    assert shop.orders.get(shipped["order_id"])["delivered_at"] == "2026-01-20T15:00:00Z"
    late = event(shop, "shopify", scan(3, "in_transit", "2026-01-20T08:00:00Z"))
    assert late["action"] == "unchanged" and late["state"] == "delivered", late
    elsewhere = event(shop, "shopify", json.dumps({"id": 4, "fulfillment_id": 1, "order_id": 404, "status": "delivered"}))
    assert elsewhere["action"] == "unchanged" and "not here" in elsewhere["reason"], elsewhere
    assert shop.intake.dead_letters() == []


def test_a_fulfillment_shopify_cancels_afterwards_is_flagged_and_its_replacement_tracked(shop):
    def fulfilled(updated, *boxes):
        return shopify(12, fulfillment_status="fulfilled" if any(b["status"] == "success" for b in boxes) else None,
                       updated_at=updated, fulfillments=list(boxes))

    first = {"id": 120, "status": "success", "tracking_company": "SF", "tracking_number": "SF120"}
    shipped = event(shop, "shopify", fulfilled("2026-01-20T10:00:00Z", first))
    cancelled = event(shop, "shopify", fulfilled("2026-01-20T11:00:00Z", dict(first, status="cancelled")))
    assert cancelled["alert"] == "channel_parcel_cancelled" and cancelled["state"] == "shipped", cancelled
    assert [a["ref"] for a in shop.reports.alerts()["alerts"] if a["kind"] == "channel_parcel_cancelled"] == ["SF:SF120"]
    second = {"id": 121, "status": "success", "tracking_company": "SF", "tracking_number": "SF121"}
    replaced = event(shop, "shopify", fulfilled("2026-01-21T10:00:00Z", dict(first, status="cancelled"), second))
    assert replaced["tracking_added"][0]["was"] == "SF120", replaced
    assert [s["tracking_no"] for s in shop.orders.get(shipped["order_id"])["shipments"]] == ["SF121"]
    assert not [a for a in shop.reports.alerts()["alerts"] if a["kind"] == "channel_parcel_cancelled"]


def test_a_shopify_test_order_is_held_unpaid_whatever_shopify_says_of_it(shop):
    held = event(shop, "shopify", shopify(7, test=True))
    order = shop.orders.get(held["order_id"])
    assert (held["action"], order["state"], order["paid_total"]) == ("created_held", "on_hold", "0.00")
    assert order["hold_reason"] == "held by the channel: a test order on shopify: no money moved; do not ship"
    again = event(shop, "shopify", shopify(7, test=True, updated_at="2026-01-20T09:00:00Z"))
    assert again["state"] == "on_hold" and shop.stock.get("A1")["reserved"] == 0
    assert shop.orders.release(held["order_id"], reason="a test of our own pipeline")["state"] == "pending_payment"


def test_a_shopify_authorization_voided_or_expired_took_no_money(shop):
    event(shop, "shopify", shopify(8, financial_status="authorized"))
    voided = event(shop, "shopify", shopify(8, financial_status="voided", cancelled_at="2026-01-20T09:00:00Z",
                                            updated_at="2026-01-20T09:00:00Z"))
    order = shop.orders.get(voided["order_id"])
    assert (voided["payment_voided"], order["state"], order["paid_total"]) == ("100.00", "cancelled", "0.00")
    assert order["refunded_total"] == "0.00" and order["refund_due"] == "0.00"
    held = event(shop, "shopify", shopify(9, financial_status="authorized"))
    event(shop, "shopify", shopify(9, financial_status="expired", updated_at="2026-01-20T09:00:00Z"))
    shop.actors.upsert("lead", role="supervisor")
    assert shop.orders.cancel(held["order_id"], "the buyer never paid")["refund_due"] == "0.00"
    # Once the warehouse has it, the payment stays and a person is told.
    picked = event(shop, "shopify", shopify(10, financial_status="authorized"))
    shop.orders.allocate(picked["order_id"])
    expired = event(shop, "shopify", shopify(10, financial_status="expired", updated_at="2026-01-20T09:00:00Z"))
    assert (expired["alert"], expired["state"]) == ("channel_payment_voided", "on_hold")
    assert shop.orders.get(picked["order_id"])["paid_total"] == "100.00"
    # An item taken off before capture (an edit: a refund of no money) is not owed back: Shopify captures less.
    edited = event(shop, "shopify", shopify(11, financial_status="authorized"))
    removal = {"id": 81, "order_id": 11, "transactions": [],
               "refund_line_items": [{"quantity": 1, "restock_type": "cancel", "line_item": {"sku": "A1"}}]}
    assert event(shop, "shopify", json.dumps({"refund": removal}))["action"] == "units_cancelled"
    order = shop.orders.get(edited["order_id"])
    assert (order["paid_total"], order["refund_due"], order["balance_due"]) == ("50.00", "0.00", "0.00")


def test_an_amazon_order_cancelled_before_it_shipped_was_never_charged(shop):
    shop.channels.upsert("amazon", profile="amazon")

    def amazon(status):
        return json.dumps({"order": {"AmazonOrderId": "113-7", "OrderStatus": status, "FulfillmentChannel": "MFN",
                                     "PurchaseDate": "2026-01-18T10:00:00Z"},
                           "items": {"payload": {"OrderItems": [{"SellerSKU": "A1", "QuantityOrdered": 1,
                                                                 "ItemPrice": {"CurrencyCode": "USD", "Amount": "30.00"}}]}}})
    placed = event(shop, "amazon", amazon("Unshipped"))
    cancelled = event(shop, "amazon", amazon("Canceled"))
    order = shop.orders.get(placed["order_id"])
    assert (cancelled["state"], cancelled["payment_voided"]) == ("cancelled", "30.00")
    assert (order["paid_total"], order["refunded_total"], order["refund_due"]) == ("0.00", "0.00", "0.00")


def test_refunds_in_an_order_payload_apply_once_with_their_units(shop):
    refunds = [{"id": 77, "note": "one was cracked", "transactions": [{"amount": "50.00", "kind": "refund"}],
                "refund_line_items": [{"quantity": 1, "line_item": {"sku": "A1"}}]}]
    first = event(shop, "shopify", shopify(3, financial_status="partially_refunded", refunds=refunds))
    assert first["state"] == "paid" and first["refunds"] == [{"refund_ref": "shopify-refund-77", "outcome": "recorded", "amount": "50.00"}]
    again = event(shop, "shopify", shopify(3, financial_status="partially_refunded", refunds=refunds, note="redelivered"))
    assert again["refunds"][0]["outcome"] == "already_recorded"
    order = shop.orders.get(first["order_id"])
    assert order["refunded_total"] == "50.00" and order["lines"][0]["refunded"] == 1
    # The standalone refund webhook for the same refund is the same refund.
    dup = shop.intake.ingest("shopify", json.dumps({"refund": {"id": 77, "order_id": 3, "transactions": [{"amount": "50.00"}]}}))
    assert dup["events"][0]["action"] == "unchanged"


def test_units_a_shopify_refund_names_do_not_ship_whatever_it_gave_back(shop):
    placed = event(shop, "shopify", shopify(4))
    refund = {"id": 78, "order_id": 4, "transactions": [{"amount": "20.00", "kind": "refund", "status": "success"}],
              "refund_line_items": [{"quantity": 1, "restock_type": "cancel", "line_item": {"sku": "A1"}}]}
    assert event(shop, "shopify", json.dumps({"refund": refund}))["action"] == "refunded"
    line = shop.orders.get(placed["order_id"])["lines"][0]
    assert line["refunded"] == 1 and line["cancelled"] == 1 and line["reserved"] == 1
    # By hand: a price adjustment naming a unit leaves it to ship; cancel_units stops it.
    shop.actors.upsert("lead", role="supervisor")
    order = shop.orders.create(lines=[{"sku": "A1", "qty": 2, "unit_price": "30.00"}])
    shop.orders.pay(order["order_id"])
    kept = shop.orders.refund(order["order_id"], "5.00", refund_ref="ADJ-1", units=[{"sku": "A1", "qty": 1}])
    assert kept["lines"][0]["cancelled"] == 0
    stopped = shop.orders.refund(order["order_id"], "5.00", refund_ref="ADJ-2", units=[{"sku": "A1", "qty": 1}],
                                 cancel_units=True)
    assert stopped["lines"][0]["cancelled"] == 1 and stopped["state"] == "paid"


def test_a_shopify_refund_is_for_the_line_it_names(shop):
    # A1 twice: 10.00, and 8.00 after a line discount. The refund of the 8.00 line stops that line, not the dearest.
    items = [{"id": 901, "sku": "A1", "quantity": 1, "price": "10.00"},
             {"id": 902, "sku": "A1", "quantity": 1, "price": "10.00", "total_discount": "2.00"}]
    placed = event(shop, "shopify", shopify(5, line_items=items))
    assert [line["line_ref"] for line in shop.orders.get(placed["order_id"])["lines"]] == ["901", "902"]
    refund = {"id": 79, "order_id": 5, "transactions": [{"amount": "8.00", "kind": "refund", "status": "success"}],
              "refund_line_items": [{"quantity": 1, "line_item_id": 902, "restock_type": "cancel",
                                     "line_item": {"id": 902, "sku": "A1"}}]}
    assert event(shop, "shopify", json.dumps({"refund": refund}))["action"] == "refunded"
    lines = shop.orders.get(placed["order_id"])["lines"]
    assert [(line["refunded"], line["cancelled"]) for line in lines] == [(0, 0), (1, 1)]
    # By hand, a line is named by its number.
    order = shop.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "10.00"},
                                      {"sku": "A1", "qty": 1, "unit_price": "8.00"}], payment={})
    dropped = shop.orders.cancel(order["order_id"], "not that one", units=[{"line_no": 1, "qty": 1}])
    assert dropped["refund_due"] == "10.00" and [line["cancelled"] for line in dropped["lines"]] == [1, 0]
    with pytest.raises(ordercore.NotFound):
        shop.orders.cancel(order["order_id"], units=[{"line_no": 3, "qty": 1}])


def test_a_shopify_chargeback_holds_the_order_and_no_refund_pays_it_twice(shop):
    placed = event(shop, "shopify", shopify(6))
    dispute = {"id": 4401, "order_id": 6, "type": "chargeback", "amount": "100.00", "currency": "CNY",
               "reason": "fraudulent", "status": "needs_response"}
    assert event(shop, "shopify", json.dumps(dispute))["state"] == "on_hold"
    order = shop.orders.get(placed["order_id"])
    assert order["charged_back"] == "100.00" and order["disputes"][0]["dispute_ref"] == "shopify-dispute-4401"
    with pytest.raises(ordercore.Conflict) as refused:
        shop.orders.refund(placed["order_id"], "10.00")
    assert refused.value.details["reason"] == "charged_back"
    # Won at the bank: the money is the merchant's again, and the order ships.
    assert event(shop, "shopify", json.dumps({"dispute": {**dispute, "status": "won"}}))["state"] == "paid"
    # By hand (finance): an inquiry takes nothing.
    assert shop.orders.dispute(placed["order_id"], "INQ-7", kind="inquiry")["charged_back"] == "0.00"


def test_a_buyer_drops_an_item_and_the_rest_still_ships(shop):
    order = shop.orders.create(lines=[{"sku": "A1", "qty": 3, "unit_price": "10.00"}], payment={})
    dropped = shop.orders.cancel(order["order_id"], "buyer dropped one", units=[{"sku": "A1", "qty": 1}])
    assert dropped["state"] == "paid" and dropped["refund_due"] == "10.00"
    assert dropped["lines"][0]["cancelled"] == 1 and dropped["lines"][0]["reserved"] == 2
    with pytest.raises(ordercore.Conflict):
        shop.orders.cancel(order["order_id"], units=[{"sku": "A1", "qty": 3}])


def test_one_bad_order_in_a_list_does_not_stop_the_others(shop):
    payload = [{"id": 10, "status": "processing", "currency": "CNY", "line_items": [{"sku": "A1", "quantity": 1, "subtotal": "9.00", "total": "9.00", "total_tax": "0"}]},
               {"id": 11, "status": "processing", "currency": "CNY", "line_items": [{"sku": "GHOST", "quantity": 1, "subtotal": "9.00", "total": "9.00", "total_tax": "0"}]}]
    outcome = shop.intake.ingest("woo", json.dumps(payload))
    assert [e["state"] for e in outcome["events"]] == ["paid", "dead_letter"]
    assert [d["inbox_id"] for d in shop.intake.dead_letters()] == [outcome["events"][1]["inbox_id"]]


def test_woocommerce_lines_are_before_tax_whatever_the_store_displays(shop):
    payload = {"id": 20, "status": "processing", "currency": "CNY", "prices_include_tax": True, "total": "113.00", "total_tax": "13.00",
               "line_items": [{"sku": "A1", "quantity": 1, "subtotal": "100.00", "total": "100.00", "total_tax": "13.00"}]}
    e = event(shop, "woo", json.dumps(payload))
    order = shop.orders.get(e["order_id"])
    assert order["grand_total"] == "113.00" and not e.get("warnings")


def test_a_full_refund_before_shipping_cancels_and_a_light_return_pays_nothing(shop):
    shop.actors.upsert("lead", role="supervisor")
    order = shop.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "30.00"}])
    shop.orders.pay(order["order_id"])
    refunded = shop.orders.refund(order["order_id"], "30.00", refund_ref="GW-1", units=[{"sku": "A1", "qty": 1}])
    assert refunded["state"] == "cancelled" and shop.stock.get("A1")["reserved"] == 0

    sold = shop.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "30.00"}])
    shop.orders.pay(sold["order_id"])
    shop.orders.pickup(sold["order_id"])
    rt = shop.returns.request(sold["order_id"], [{"line_no": 1, "qty": 1}], "changed_mind")
    shop.returns.approve(rt["return_id"])
    on_hand = shop.stock.get("A1")["on_hand"]
    got = shop.returns.receive(rt["return_id"], "SH", [{"line_no": 1, "resellable": 1}], weight_g=50)
    assert got["flags"] == ["empty_box"] and shop.stock.get("A1")["on_hand"] == on_hand
    with pytest.raises(ordercore.Conflict):
        shop.returns.refund(rt["return_id"])
    with pytest.raises(ordercore.Forbidden):
        shop.returns.inspect(rt["return_id"], "SH", [{"sku": "A1", "qty": 1}], actor="nobody")
    shop.returns.inspect(rt["return_id"], "SH", [{"sku": "A1", "qty": 1}], note="found it", actor="lead")
    assert shop.returns.refund(rt["return_id"])["refunds"][0]["cash"] == "30.00"


def test_a_taobao_pre_sale_locks_its_stock_on_the_deposit_and_forfeits_it_unpaid(shop):
    shop.channels.upsert("taobao", profile="taobao")

    def trade(tid, status, step, paid, minute):
        return json.dumps({"trade": {
            "tid": tid, "status": status, "type": "step", "step_trade_status": step, "step_paid_fee": paid,
            "created": "2026-01-18 18:00:00", "modified": f"2026-01-18 20:{minute:02d}:00", "payment": "100.00",
            "post_fee": "0.00", "receiver_name": "王五", "receiver_address": "西湖区文三路1号",
            "orders": {"order": [{"oid": tid * 10, "outer_sku_id": "A1", "title": "杯", "num": 2, "price": "50.00",
                                  "total_fee": "100.00", "status": status}]}}})

    placed = event(shop, "taobao", trade(61, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", "30.00", 1))
    assert placed["state"] == "deposit_paid" and shop.stock.get("A1")["reserved"] == 2
    assert shop.orders.get(placed["order_id"])["paid_total"] == "30.00"
    closed = event(shop, "taobao", trade(61, "TRADE_CLOSED_BY_TAOBAO", "FRONT_PAID_FINAL_NOPAID", "30.00", 2))
    order = shop.orders.get(closed["order_id"])
    assert order["state"] == "cancelled" and order["refund_due"] == "0.00" and order["refunded_total"] == "0.00"
    assert shop.stock.get("A1")["reserved"] == 0

    paid = event(shop, "taobao", trade(62, "WAIT_BUYER_PAY", "FRONT_PAID_FINAL_NOPAID", "30.00", 1))
    done = event(shop, "taobao", trade(62, "WAIT_SELLER_SEND_GOODS", "FRONT_PAID_FINAL_PAID", "100.00", 2))
    assert done["state"] == "paid" and shop.orders.get(paid["order_id"])["paid_total"] == "100.00"


def test_a_taobao_trade_closed_after_it_shipped_takes_its_stock_and_asks_a_person(shop):
    shop.channels.upsert("taobao", profile="taobao")
    line = {"oid": 630, "outer_sku_id": "A1", "title": "杯", "num": 2, "price": "50.00", "total_fee": "100.00",
            "status": "TRADE_CLOSED", "refund_status": "SUCCESS", "refund_id": 6300, "refund_fee": "100.00",
            "logistics_company": "顺丰速运", "invoice_no": "SF63"}
    closed = event(shop, "taobao", json.dumps({"trade": {
        "tid": 63, "status": "TRADE_CLOSED", "type": "fixed", "created": "2026-01-18 18:00:00",
        "consign_time": "2026-01-19 10:00:00", "modified": "2026-01-25 20:00:00", "payment": "100.00",
        "post_fee": "0.00", "receiver_name": "王五", "receiver_address": "西湖区文三路1号", "orders": {"order": [line]}}}))
    assert closed["action"] == "created_shipped" and closed["alert"] == "channel_cancelled_shipped"
    order = shop.orders.get(closed["order_id"])
    assert (order["state"], order["paid_total"], order["refunded_total"]) == ("shipped", "100.00", "100.00")
    assert shop.stock.get("A1")["on_hand"] == 18, "the goods left; what comes back is a return"
    alerts = shop.exec("report.alerts")["alerts"]
    assert [a["kind"] for a in alerts if a.get("order_id") == closed["order_id"]] == ["channel_cancelled_shipped"]


def test_a_shopify_order_paid_in_part_records_the_part_and_owes_it_back_when_cancelled(shop):
    part = {"total_price": "100.00", "total_outstanding": "60.00", "updated_at": "2026-01-18T10:00:00Z"}
    placed = event(shop, "shopify", shopify(71, financial_status="partially_paid", **part))
    order = shop.orders.get(placed["order_id"])
    assert placed["state"] == "deposit_paid" and order["paid_total"] == "40.00" and order["balance_due"] == "60.00"
    assert shop.stock.get("A1")["reserved"] == 2
    part["updated_at"] = "2026-01-18T11:00:00Z"
    event(shop, "shopify", shopify(71, financial_status="partially_paid", cancelled_at="2026-01-18T11:00:00Z", **part))
    order = shop.orders.get(placed["order_id"])
    assert order["state"] == "cancelled" and order["refund_due"] == "40.00"
    assert shop.stock.get("A1")["reserved"] == 0


def test_units_received_go_first_to_the_orders_sold_short_of_them(shop):
    short = event(shop, "shopify", shopify(81, line_items=[{"id": 1, "sku": "A1", "quantity": 25, "price": "5.00"}]))
    assert short["backordered"] == [{"line_no": 1, "sku": "A1", "qty": 5}]
    received = shop.stock.receive("A1", "SH", 8)
    assert received["backorders_filled"] == [{"order_id": short["order_id"],
                                              "units": [{"line_no": 1, "sku": "A1", "warehouse": "SH", "qty": 5}]}]
    assert received["available"] == 3 and shop.stock.get("A1")["reserved"] == 25
    assert shop.orders.get(short["order_id"])["lines"][0]["backordered"] == 0
    assert not [a for a in shop.exec("report.alerts")["alerts"] if a["kind"] == "backorder"]


def test_what_the_channel_left_of_an_order_is_shipped_from_here_and_what_it_shipped_is_owed_no_more(shop):
    line = {"id": 1, "sku": "A1", "quantity": 24, "price": "5.00", "current_quantity": 24}
    short = event(shop, "shopify", shopify(82, line_items=[dict(line, fulfillable_quantity=24)]))
    assert short["backordered"] == [{"line_no": 1, "sku": "A1", "qty": 4}]
    # The channel ships 22: the 20 held and two it was short of; two are still owed.
    partly = event(shop, "shopify", shopify(82, fulfillment_status="partial", updated_at="2026-01-19T10:00:00Z",
                                            line_items=[dict(line, fulfillable_quantity=2)]))
    assert partly["state"] == "partially_shipped" and partly["shipment"]["units_from_stock"] == 20
    assert shop.orders.get(short["order_id"])["lines"][0]["backordered"] == 2
    received = shop.stock.receive("A1", "SH", 3)
    assert received["available"] == 1 and len(received["backorders_filled"]) == 1
    # The warehouse ships those two.
    assert shop.orders.allocate(short["order_id"])["state"] == "partially_shipped"
    shop.orders.pack(short["order_id"], [short["order_id"], "A1", "A1"], weight_g=1800)
    shipped = shop.exec("order.ship", order_id=short["order_id"], carrier="SF", tracking_no="SF82")
    assert shipped["state"] == "shipped" and shipped["lines"][0]["shipped"] == 24
    assert shop.stock.get("A1")["on_hand"] == 1
    assert not [a for a in shop.exec("report.alerts")["alerts"] if a["kind"] == "backorder"]


def test_the_rest_of_a_partly_shipped_order_moves_only_while_none_of_it_is_picked(tmp_path):
    def partly_shipped(name):
        db = ordercore.open(str(tmp_path / name))
        db.skus.upsert("A1", weight_g=0)
        db.warehouses.upsert("SH", priority=1)
        db.warehouses.upsert("BJ", priority=2)
        db.stock.receive("A1", "BJ", 3)
        db.channels.upsert("shopify", profile="shopify")
        line = {"id": 1, "sku": "A1", "quantity": 3, "price": "10.00", "current_quantity": 3}
        placed = event(db, "shopify", shopify(90, line_items=[dict(line, fulfillable_quantity=3)]))
        event(db, "shopify", shopify(90, fulfillment_status="partial", updated_at="2026-01-19T10:00:00Z",
                                     line_items=[dict(line, fulfillable_quantity=2)]))
        return db, placed["order_id"]

    db, order_id = partly_shipped("moves.db")
    db.stock.receive("A1", "SH", 5)  # the first warehouse can ship the rest now
    allocated = db.orders.allocate(order_id)
    assert allocated["state"] == "partially_shipped" and allocated["allocation"]["decision"] == "single"
    assert [r["warehouse"] for r in allocated["lines"][0]["reservations"] if r["state"] == "active"] == ["SH"]
    db.orders.pack(order_id, [order_id, "A1", "A1"], weight_g=0)
    assert db.exec("order.ship", order_id=order_id, carrier="SF", tracking_no="SF90")["state"] == "shipped"
    assert db.stock.available("A1", "SH") == 3 and db.stock.available("A1", "BJ") == 2
    db.close()

    db, order_id = partly_shipped("picked.db")
    db.orders.allocate(order_id)
    db.orders.pick(order_id)  # picked in BJ
    db.stock.receive("A1", "SH", 5)
    with pytest.raises(ordercore.errors.Conflict, match="picked or packed"):
        db.orders.allocate(order_id)
    assert db.stock.get("A1", "BJ")["reserved"] == 2
    db.close()
