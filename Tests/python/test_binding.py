"""The Python binding over the real library, on database files on disk."""
import datetime
import json
import multiprocessing
import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

import ordercore

ROOT = Path(__file__).resolve().parents[2]
LINE = {"sku": "A1", "qty": 1, "unit_price": "19.90"}


def test_everyday_path_receive_create_pay_cancel_and_timeline(db):
    db.stock.receive("A1", "SH", 10)
    first = db.orders.create(channel="web", lines=[{**LINE, "qty": 2}], shipping_fee="8.00")
    second = db.orders.create(lines=[{**LINE, "qty": 3}])
    assert first["state"] == "pending_payment" and first["grand_total"] == "47.80"
    assert db.stock.available("A1") == 5

    paid = db.orders.pay(first["order_id"], Decimal("47.80"), payment_ref="PAY-1")
    assert paid["state"] == "paid" and paid["paid_total"] == "47.80"
    assert db.orders.state(first["order_id"]) == "paid"

    cancelled = db.orders.cancel(second["order_id"], "buyer asked")
    assert cancelled["state"] == "cancelled" and cancelled["cancel_reason"] == "buyer asked"
    assert db.stock.available("A1") == 8
    assert db.stock.get("A1")["reserved"] == 2

    events = db.orders.timeline(second["order_id"])
    assert [(e["from"], e["to"]) for e in events] == [(None, "pending_payment"), ("pending_payment", "cancelled")]
    assert db.orders.list(state="cancelled")["orders"][0]["order_id"] == second["order_id"]


def test_an_order_arriving_paid_is_created_and_paid_in_one_command(db):
    db.stock.receive("A1", "SH", 10)
    paid = db.orders.create(lines=[{**LINE, "qty": 2}], payment={"amount": Decimal("39.80"), "payment_ref": "POS-7"})
    assert paid["state"] == "paid" and paid["payments"][0]["payment_ref"] == "POS-7"
    assert [e["to"] for e in db.orders.timeline(paid["order_id"])] == ["pending_payment", "paid"]
    with pytest.raises(ordercore.Conflict):
        db.orders.create(lines=[LINE], payment={"payment_ref": "POS-7"})
    assert db.stock.available("A1") == 8


def test_units_cancelled_after_a_price_match_owe_back_only_their_share(db):
    db.stock.receive("A1", "SH", 10)
    oid = db.orders.create(lines=[{**LINE, "qty": 4, "unit_price": "25.00"}],
                           payment={"amount": "100.00", "payment_ref": "P-1"})["order_id"]
    db.orders.refund(oid, "60.00", reason="price match")
    # The price match took 60 % of every unit: one cancelled is owed its 10.00, not the 25.00 it cost.
    assert db.orders.cancel(oid, "dropped one", units=[{"sku": "A1", "qty": 1}])["refund_due"] == "10.00"
    assert [o["refund_due"] for o in db.orders.list(refund_due=True)["orders"]] == ["10.00"]  # the refunds to make
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=49)).isoformat()
    assert db.sweep(at=later)["refunds_overdue"] == 1  # owed two days: a refund_overdue alert chases it
    db.orders.refund(oid, "10.00", reason="owed for the unit")  # pays what is owed: no second price match
    assert db.orders.list(refund_due=True)["orders"] == [] and db.sweep(at=later)["refunds_overdue"] == 0
    assert db.orders.cancel(oid, "dropped the rest")["refund_due"] == "30.00"
    order = db.orders.get(oid)
    assert Decimal(order["refunded_total"]) + Decimal(order["refund_due"]) == Decimal(order["paid_total"])


def test_a_free_gift_of_the_item_bought_is_cancelled_first(db):
    db.stock.receive("A1", "SH", 10)
    oid = db.orders.create(lines=[{**LINE, "unit_price": "10.00"}, {**LINE, "unit_price": "0.00"}], payment={})["order_id"]
    order = db.orders.cancel(oid, "one is enough", units=[{"sku": "A1", "qty": 1}])
    assert order["refund_due"] == "0.00" and [line["cancelled"] for line in order["lines"]] == [0, 1]


def test_a_cash_on_delivery_order_ships_unpaid_and_is_paid_as_the_money_comes(db):
    db.skus.upsert("A1", barcode="690001", weight_g=300)
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[{**LINE, "qty": 2}], cash_on_delivery=True,
                             payment={"amount": "5.00", "payment_ref": "GC-1"})  # a gift card at checkout
    oid = order["order_id"]
    assert order["state"] == "pending_payment" and order["cash_on_delivery"] is True
    assert order["payment_status"] == "partially_paid" and order["balance_due"] == "34.80"
    db.orders.allocate(oid)
    db.orders.pick(oid)
    db.orders.pack(oid, [oid, "690001", "690001"], 600)
    shipped = db.orders.ship(oid, "SF", "SF-COD")
    assert shipped["state"] == "shipped" and shipped["payment_status"] == "partially_paid"
    with pytest.raises(ordercore.InvalidInput):
        db.orders.pay(oid, Decimal("34.81"))  # more than is due
    part = db.orders.pay(oid, Decimal("20.00"), payment_ref="SF-REMIT-1")  # what the carrier remitted
    assert part["state"] == "shipped" and part["balance_due"] == "14.80"
    assert db.orders.pay(oid)["payment_status"] == "paid"
    with pytest.raises(ordercore.Conflict):
        db.orders.pay(oid)


def test_an_order_on_payment_terms_ships_unpaid_and_is_chased_once_due(db):
    db.skus.upsert("A1", barcode="690001", weight_g=300)
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[{**LINE, "qty": 2}], placed_at="2026-01-18T10:00:00Z",
                             payment_terms={"name": "Net 30", "due_in_days": 30})
    oid = order["order_id"]
    assert order["state"] == "pending_payment" and order["payment_terms"] == {
        "name": "Net 30", "due_at": "2026-02-17T10:00:00Z"}
    db.orders.allocate(oid)
    db.orders.pick(oid)
    db.orders.pack(oid, [oid, "690001", "690001"], 600)
    assert db.orders.ship(oid, "SF", "SF-NET30")["payment_status"] == "unpaid"
    assert db.exec("sweep")["payment_overdue"] == 1
    alert = next(a for a in db.reports.alerts()["items"] if a["kind"] == "payment_overdue")
    assert alert["order_id"] == oid and alert["details"]["amount_due"] == "39.80"
    with pytest.raises(ordercore.Conflict):
        db.reports.resolve_alert(alert["alert_id"], "called them")  # it clears when the money comes
    assert db.orders.pay(oid, payment_ref="WIRE-1")["payment_status"] == "paid"
    assert not [a for a in db.reports.alerts()["items"] if a["kind"] == "payment_overdue"]
    late = db.orders.create(lines=[LINE], payment_terms={"name": "Net 7", "due_in_days": 7})["order_id"]
    db.orders.allocate(late)
    db.orders.pick(late)
    db.orders.pack(late, [late, "690001"], 300)
    db.orders.ship(late, "SF", "SF-NET7")
    with pytest.raises(ordercore.InvalidInput):
        db.orders.write_off(late, "bankrupt", Decimal("19.91"))  # more than it owes
    assert db.orders.write_off(late, "the buyer went bankrupt")["balance_due"] == "0.00"
    db.actors.upsert("op", role="operator")
    with pytest.raises(ordercore.Forbidden):
        db.exec("order.create", lines=[LINE], payment_terms={"name": "Net 30"}, actor="op")
    with pytest.raises(ordercore.Forbidden):
        db.orders.write_off(oid, "gone", actor="op")


def test_times_may_be_datetimes_with_a_zone(db):
    db.stock.receive("A1", "SH", 10)
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    placed = datetime.datetime(2026, 1, 18, 18, 0, 0, 123456, tzinfo=beijing)
    order = db.orders.create(lines=[LINE], placed_at=placed)
    assert order["placed_at"] == "2026-01-18T10:00:00.123Z"
    paid = db.exec("order.pay", order_id=order["order_id"], at=datetime.datetime(2026, 1, 18, 10, 5,
                                                                                 tzinfo=datetime.timezone.utc))
    assert paid["state"] == "paid" and db.orders.timeline(order["order_id"])[-1]["at"] == "2026-01-18T10:05:00Z"
    with pytest.raises(TypeError, match="no time zone"):
        db.orders.create(lines=[LINE], placed_at=datetime.datetime(2026, 1, 18, 10, 0))
    assert len(db.exec("order.list")["orders"]) == 1


def test_errors_are_exceptions_with_codes(db):
    db.stock.receive("A1", "SH", 1)
    with pytest.raises(ordercore.InsufficientStock) as info:
        db.orders.create(lines=[{**LINE, "qty": 2}])
    assert info.value.code == "insufficient_stock" and info.value.details["sku"] == "A1"
    with pytest.raises(ordercore.NotFound) as missing:
        db.orders.get("SO-404404")
    assert missing.value.code == "not_found"
    with pytest.raises(ordercore.InvalidInput):
        db.exec("order.teleport")
    with pytest.raises(ordercore.InvalidInput) as typed:
        db.stock.receive("A1", "SH", "3")
    assert typed.value.details["field"] == "qty"
    order = db.orders.create(lines=[LINE])
    db.orders.cancel(order["order_id"])
    with pytest.raises(ordercore.Conflict) as conflict:
        db.orders.pay(order["order_id"])
    assert conflict.value.details["state"] == "cancelled"
    assert db.stock.available("A1") == 1


def test_bad_strings_are_refused_before_reaching_c(db):
    with pytest.raises(ordercore.InvalidInput):
        db.stock.available("A1\0B")
    with pytest.raises(ordercore.InvalidInput):
        db.orders.state("\ud800")
    with pytest.raises(ordercore.InvalidInput):
        db.exec("stock.get", sku="A1\x07")  # control character in a SKU


def test_adjust_safety_ledger_and_verify(db):
    db.stock.receive("A1", "SH", 10)
    assert db.stock.adjust("A1", "SH", -3, "water damage")["on_hand"] == 7
    assert db.stock.set_safety("A1", "SH", 2)["available"] == 5
    with pytest.raises(ordercore.Conflict) as below:
        db.stock.adjust("A1", "SH", -8, "miscount")
    assert below.value.details == {"sku": "A1", "warehouse": "SH", "bucket": "on_hand", "current": 7, "change": -8}
    page = db.stock.ledger("A1", limit=2)
    assert [e["reason"] for e in page["entries"]] == ["receive", "adjust"] and page["next"] == 2
    rest = db.stock.ledger("A1", after=page["next"])
    assert [e["bucket"] for e in rest["entries"]] == ["safety"]
    assert db.stock.verify() == {"ok": True, "checked": 1, "differences": []}
    assert db.stock.quarantine("A1", "SH", 2, "dented")["quarantine"] == 2
    assert db.stock.scrap("A1", "SH", 2)["quarantine"] == 0


def test_count_and_transfer(db):
    db.warehouses.upsert("BJ")
    db.skus.upsert("A1", unit_cost=Decimal("12.50"))
    db.stock.receive("A1", "SH", 10)
    count = db.stock.count("SH", {"A1": 7}, reference="CC-9")
    assert count["lines"][0]["variance"] == -3 and count["variance_value"] == [{"currency": "CNY", "value": "-37.50"}]
    sent = db.stock.transfer("SH", "BJ", {"A1": 5})
    assert sent["state"] == "in_transit" and db.stock.get("A1")["in_transit"] == 5
    assert db.stock.receive_transfer(sent["transfer_id"], {"A1": 2})["state"] == "partially_received"
    assert db.stock.receive_transfer(sent["transfer_id"])["state"] == "received"
    assert db.stock.get_transfer(sent["transfer_id"])["lines"][0]["received"] == 5
    lost = db.stock.transfer("SH", "BJ", {"A1": 1})["transfer_id"]
    closed = db.stock.close_transfer(lost, "fell off the truck")
    assert closed["state"] == "closed" and closed["lines"][0]["lost"] == 1 and db.stock.get("A1")["in_transit"] == 0
    with pytest.raises(ordercore.InsufficientStock):
        db.stock.transfer("SH", "BJ", {"A1": 3})
    with pytest.raises(ordercore.InvalidInput):
        db.stock.transfer("SH", "SH", {"A1": 1})
    assert db.stock.available("A1", "BJ") == 5 and db.stock.verify()["ok"]


def test_channels_caps_and_switches(db):
    db.warehouses.upsert("BJ")
    db.stock.receive("A1", "SH", 10)
    db.stock.receive("A1", "BJ", 4)
    db.channels.upsert("web", warehouses=["BJ"])
    assert db.stock.sellable("A1", "web") == 4
    assert db.channels.set_sku("web", "A1", cap=2)["sellable"] == 2
    with pytest.raises(ordercore.InsufficientStock) as capped:
        db.orders.create(channel="web", lines=[{**LINE, "qty": 3}])
    assert capped.value.details["reason"] == "channel_cap"
    assert db.channels.set_sku("web", "A1", clear_cap=True)["cap"] is None
    db.channels.set_sku("web", "A1", open=False, reason="recall")
    assert db.stock.get("A1", channel="web")["channel"]["closed_reason"] == "recall"
    assert db.channels.get("web")["skus"][0]["sellable"] == 0


def test_policies_buffer_reserve_at_payment_presale_and_pickup(db):
    db.stock.receive("A1", "SH", 20)
    db.config.set("inventory.sell_percent", 50)
    assert db.stock.available("A1") == 10
    db.config.set("inventory.sell_percent", 100)
    db.config.set("inventory.reserve_at", "payment")
    later = db.orders.create(lines=[{**LINE, "qty": 5}])
    assert db.stock.available("A1") == 20 and later["reserve_at"] == "payment"
    db.config.set("inventory.reserve_at", "order")
    presale = db.orders.create(lines=[{**LINE, "qty": 2}], deposit="10.00")
    assert db.orders.pay(presale["order_id"])["state"] == "deposit_paid"
    assert db.orders.pay(presale["order_id"], "29.80")["state"] == "paid"
    assert db.orders.pickup(presale["order_id"])["state"] == "completed"
    assert db.stock.get("A1")["on_hand"] == 18 and db.stock.verify()["ok"]


def test_board_and_alerts(db):
    db.stock.receive("A1", "SH", 3)
    order = db.orders.create(lines=[{**LINE, "qty": 3}])
    db.orders.pay(order["order_id"])
    assert db.sweep()["low_stock_alerts_opened"] == 1
    # Out of stock: the low-stock alert, and the purchasing work order (issue: operations insight).
    assert sorted((a["kind"], a["sku"]) for a in db.stock.alerts()) == [("low_stock", "A1"), ("replenish", "A1")]
    row = db.stock.board(status="warning")["rows"][0]
    assert row["sku"] == "A1" and row["available"] == 0 and row["status"] == "warning"
    db.stock.receive("A1", "SH", 10)
    assert db.stock.alerts() == []


def test_allocation_by_region(db):
    db.warehouses.upsert("BJ", serves=["Beijing"], distances={"Shanghai": 1200})
    db.stock.receive("A1", "SH", 5)
    db.stock.receive("A1", "BJ", 5)
    order = db.orders.create(lines=[{**LINE, "qty": 2}], ship_to={"region": "Beijing"})
    db.orders.pay(order["order_id"])
    allocated = db.orders.allocate(order["order_id"])
    assert allocated["state"] == "allocated" and allocated["allocation"]["decision"] == "single"
    assert allocated["allocation"]["allocations"][0]["warehouse"] == "BJ"


def test_fulfillment(db):
    db.skus.upsert("A1", barcode="690001", weight_g=300)
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[{**LINE, "qty": 2}])
    oid = order["order_id"]
    assert db.orders.hold(oid, "address check")["state"] == "on_hold"
    assert db.orders.release(oid)["state"] == "pending_payment"
    db.orders.pay(oid)
    db.orders.allocate(oid)
    db.orders.pick(oid)
    with pytest.raises(ordercore.Conflict) as mismatch:
        db.orders.pack(oid, [oid, "690001"], 300)
    assert mismatch.value.details["missing"] == [{"sku": "A1", "qty": 1}]
    assert db.orders.pack(oid, [oid, "690001", "690001"], 900)["parcel"]["weight_check"] == "held"
    opened = db.orders.unpack(oid, "weigh it again")  # the parcel taken apart, its units picked again
    assert opened["state"] == "picking" and opened["parcels"] == [] and opened["lines"][0]["picked"] == 2
    held = db.orders.pack(oid, [oid, "690001", "690001"], 900)
    assert held["parcel"]["weight_check"] == "held" and held["parcel"]["parcel"] == 1
    db.actors.upsert("lead", role="supervisor")
    db.actors.upsert("packer", role="operator")
    with pytest.raises(ordercore.Forbidden) as refused:
        db.orders.override_weight(oid, 1, "looks fine", actor="packer")
    assert refused.value.details == {"actor": "packer", "role": "operator", "required": "supervisor"}
    db.orders.override_weight(oid, 1, "scale recalibrated", actor="lead")
    assert db.orders.ship(oid, "SF", "SF55")["state"] == "shipped"
    assert db.tracking.event("SF", "SF55", "InTransit", time="2026-01-18T10:00:00")["shipment_state"] == "in_transit"
    db.tracking.event("SF", "SF55", "Exception", subtag="Exception_003", message="refused at the door")
    assert any(a["kind"] == "delivery_refused" for a in db.exec("report.alerts")["alerts"])
    assert db.tracking.event("SF", "SF55", "delivered")["order_state"] == "delivered"
    assert len(db.tracking.get("SF", "SF55")["events"]) == 3
    assert db.orders.complete(oid)["state"] == "completed"
    assert db.stock.verify()["ok"]


def test_stuck_orders_and_report_alerts(db):
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[LINE], at="2026-01-18T10:00:00Z")
    db.orders.pay(order["order_id"], at="2026-01-18T10:00:00Z")
    assert [o["order_id"] for o in db.orders.list(stuck=True)["orders"]] == [order["order_id"]]
    assert db.orders.list(warehouse="SH")["orders"][0]["order_id"] == order["order_id"]
    assert db.reports.alerts()["stuck_orders"][0]["state"] == "paid"


def test_a_person_closes_an_alert_nothing_clears_with_a_note(db):
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[{**LINE, "qty": 2}], payment={})["order_id"]
    db.exec("order.allocate", order_id=order)
    db.exec("order.pick", order_id=order)
    db.orders.cancel(order, "buyer dropped one", units=[{"sku": "A1", "qty": 1}])
    item = next(i for i in db.reports.alerts()["items"] if i["kind"] == "refunded_unshipped")
    assert item["resolve"].endswith(f'when dealt with: alert.resolve {item["alert_id"]} "what was done"')
    closed = db.reports.resolve_alert(item["alert_id"], "put back on A-01")
    assert closed["cleared_at"] and closed["details"]["resolution"] == "put back on A-01"
    assert not any(i["kind"] == "refunded_unshipped" for i in db.reports.alerts()["items"])
    with pytest.raises(ordercore.Conflict):
        db.alert_resolve(item["alert_id"], "again")


def test_a_note_is_kept_in_the_timeline(db):
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[LINE])["order_id"]
    assert db.orders.note(order, "buyer asks for delivery after 18:00")["state"] == "pending_payment"
    last = db.orders.timeline(order)[-1]
    assert last["command"] == "order.note" and last["details"]["note"] == "buyer asks for delivery after 18:00"


def test_pick_waves(db):
    db.stock.receive("A1", "SH", 10)
    db.stock.locate("A1", "SH", "A-01")
    for priority in (0, 3):
        order = db.orders.create(lines=[LINE], priority=priority)
        db.orders.pay(order["order_id"])
        db.orders.allocate(order["order_id"])
    wave = db.picking.wave("SH")
    assert wave["orders"] == 2 and wave["pick_list"][0]["location"] == "A-01" and wave["pick_list"][0]["qty"] == 2
    assert db.picking.get(wave["wave_id"])["units"] == 2


def test_status_anchor(db):
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[LINE], channel="shopify")
    db.status.mapping("shopify", outbound={"pending_payment": "pending", "paid": "paid"})
    assert db.status.status_for(order["order_id"], "shopify") == "pending"
    db.status.mapping("wms", rules=[{"when": {"packaged_time": "present"}, "state": "packed"}])
    assert db.status.report("wms", order["order_id"], fields={"packaged_time": "10:00"})["agrees"] is False
    assert db.status.drift()[0]["reported_state"] == "packed"


def test_idempotency_key_replays_the_first_result(db):
    db.stock.receive("A1", "SH", 5)
    first = db.orders.create(lines=[LINE], idempotency_key="checkout-1")
    again = db.exec_json(json.dumps({"op": "order.create", "lines": [LINE], "idempotency_key": "checkout-1"}))
    assert again["replayed"] is True and again["result"]["order_id"] == first["order_id"]
    assert db.stock.available("A1") == 4


def test_open_errors(tmp_path):
    with pytest.raises(ordercore.StorageError):
        ordercore.open(str(tmp_path / "missing" / "dir" / "x.db"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database " * 100)
    with pytest.raises(ordercore.Corrupt):
        ordercore.open(str(junk))
    with pytest.raises(ordercore.InvalidInput):
        ordercore.open(str(tmp_path / "x.db"), synchronous="sometimes")
    db = ordercore.open(str(tmp_path / "closed.db"), synchronous="normal")
    db.close()
    db.close()
    with pytest.raises(ordercore.Misuse):
        db.stock.get("A1")


def test_loader_names_where_it_looked(tmp_path):
    env = {**os.environ, "ORDERCORE_LIBRARY": str(tmp_path / "nowhere" / "libordercore.so.0")}
    code = "import ordercore\ntry:\n    ordercore.version()\nexcept OSError as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "nowhere/libordercore.so.0" in out and "ORDERCORE_LIBRARY" in out


def test_one_handle_shared_by_threads(tmp_path):
    with ordercore.open(str(tmp_path / "threads.db")) as db:
        db.skus.upsert("A1")
        db.warehouses.upsert("SH")
        db.stock.receive("A1", "SH", 60)
        sold = []

        def buy():
            while True:
                try:
                    db.orders.create(lines=[LINE])
                    sold.append(1)
                except ordercore.InsufficientStock:
                    return

        threads = [threading.Thread(target=buy) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(sold) == 60 and db.stock.available("A1") == 0


def _race(path, start, results):
    """One OS process buying one unit at a time until stock runs out."""
    sold = 0
    with ordercore.open(path) as db:
        start.wait()  # both processes are ready: the race starts now
        while True:
            try:
                db.orders.create(lines=[LINE])
                sold += 1
            except ordercore.InsufficientStock:
                break
    results.put(sold)


def test_two_processes_racing_for_the_last_units_never_oversell(tmp_path):
    path = str(tmp_path / "race.db")
    units = 300
    with ordercore.open(path) as db:
        db.skus.upsert("A1")
        db.warehouses.upsert("SH")
        db.stock.receive("A1", "SH", units)
    ctx = multiprocessing.get_context("spawn")
    results, start = ctx.Queue(), ctx.Barrier(2)
    workers = [ctx.Process(target=_race, args=(path, start, results)) for _ in range(2)]
    for w in workers:
        w.start()
    sold = [results.get(timeout=300) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    assert sum(sold) == units, f"sold {sold} of {units}"
    assert all(n > 0 for n in sold), f"both processes sold: {sold}"
    print(f"split between the processes: {sold}")
    with ordercore.open(path) as db:
        stock = db.stock.get("A1")
        assert stock["reserved"] == units and stock["available"] == 0


def _hot_sku_worker(path, start, results, seed):
    """One OS process with 4 threads sharing a handle, placing random multi-line orders until the hot
    SKU runs out; returns the hot units it sold."""
    import random

    rng = random.Random(seed)
    plans = [[{"sku": "HOT", "qty": rng.randint(1, 3), "unit_price": "9.90"}]
             + [{"sku": f"S{rng.randint(1, 4)}", "qty": 1, "unit_price": "1.00"} for _ in range(rng.randint(0, 2))]
             for _ in range(2000)]
    sold, errors = [], []
    with ordercore.open(path) as db:
        def buyer(k):
            mine = 0
            for lines in plans[k::4]:
                skus = [line["sku"] for line in lines]
                if len(set(skus)) != len(skus):
                    continue
                try:
                    db.orders.create(lines=lines)
                    mine += lines[0]["qty"]
                except ordercore.InsufficientStock as e:
                    if e.details.get("sku") == "HOT" and db.stock.available("HOT") == 0:
                        break
                except ordercore.OrderCoreError as e:  # anything else (busy!) is a failure
                    errors.append(repr(e))
                    break
            sold.append(mine)

        start.wait()
        threads = [threading.Thread(target=buyer, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    results.put((sum(sold), errors))


def test_hot_sku_two_processes_by_four_threads_sell_exactly_what_exists(tmp_path):
    path = str(tmp_path / "hot.db")
    with ordercore.open(path) as db:
        db.warehouses.upsert("SH", priority=1)
        db.warehouses.upsert("BJ", priority=2)
        for sku in ["HOT", "S1", "S2", "S3", "S4"]:
            db.skus.upsert(sku)
        db.stock.receive("HOT", "SH", 600)
        db.stock.receive("HOT", "BJ", 400)
        for sku in ["S1", "S2", "S3", "S4"]:
            db.stock.receive(sku, "SH", 100000)
    ctx = multiprocessing.get_context("spawn")
    results, start = ctx.Queue(), ctx.Barrier(2)
    workers = [ctx.Process(target=_hot_sku_worker, args=(path, start, results, seed)) for seed in (1, 2)]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=600) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    sold = [n for n, _ in outcomes]
    assert [e for _, errs in outcomes for e in errs] == []
    assert sum(sold) == 1000, f"sold {sold}"
    with ordercore.open(path) as db:
        hot = db.stock.get("HOT")
        assert hot["reserved"] == 1000 and hot["available"] == 0
        report = db.stock.verify()
        assert report["ok"], report["differences"]
    print(f"hot SKU split between the processes: {sold}")


def test_package_installs_with_pip(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(ROOT / "bindings" / "python")], check=True)
    assert (target / "ordercore" / "py.typed").exists()
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", "import ordercore; print(ordercore.__file__, ordercore.version())"],
                         env=env, capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    assert str(target) in out and "0.1.0" in out
