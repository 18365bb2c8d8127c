"""Channel intake, the change feed and batches through the Python binding."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import ordercore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("ORDERCORE_FIXTURES", ROOT.parent / "shared" / "fixtures"))
needs_fixtures = pytest.mark.skipif(not (FIXTURES / "channels").is_dir(),
                                    reason=f"fixtures not found at {FIXTURES} (set ORDERCORE_FIXTURES)")


@pytest.fixture
def shop(db):
    db.stock.receive("A1", "SH", 5)
    db.channels.upsert("shop", profile="csv")
    return db


CSV = "order_id,placed_at,currency,status,sku,qty,unit_price\n{id},2026-01-18T10:00:00Z,CNY,{status},A1,{qty},2.50"


def test_ingest_applies_once_and_a_redelivery_gets_the_first_answer(shop):
    first = shop.intake.ingest("shop", CSV.format(id="o-1", status="paid", qty=2), event_id="e-1")
    assert first["state"] == "applied"
    again = shop.intake.ingest("shop", CSV.format(id="o-1", status="paid", qty=2), event_id="e-1")
    assert again["duplicate"] is True and again["events"] == first["events"]
    order = shop.orders.get(first["events"][0]["order_id"])
    assert order["state"] == "paid" and order["grand_total"] == "5.00"
    assert shop.stock.available("A1") == 3


def test_dead_letter_then_retry(shop):
    dead = shop.intake.ingest("shop", "order_id,sku,qty,unit_price\nx,NEW,1,1.00")
    assert dead["state"] == "dead_letter" and dead["error"]["code"] == "not_found"
    assert [d["inbox_id"] for d in shop.intake.dead_letters()] == [dead["inbox_id"]]
    assert shop.intake.get(dead["inbox_id"])["payload"] == "order_id,sku,qty,unit_price\nx,NEW,1,1.00"
    shop.skus.upsert("NEW")
    assert shop.intake.retry(dead["inbox_id"])["state"] == "applied"
    assert shop.intake.dead_letters() == []


def test_oversized_payload_is_a_clear_error(shop):
    shop.config.set("intake.max_payload_bytes", 4096)
    with pytest.raises(ordercore.InvalidInput) as error:
        shop.intake.ingest("shop", "x" * 5000)
    assert "5000 bytes" in str(error.value) and error.value.details["limit"] == 4096


CRASHING_CHILD = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
import ordercore
db = ordercore.open(sys.argv[2])
db.intake.ingest("shop", sys.argv[3], event_id="e-crash")
os.kill(os.getpid(), 9)   # killed after the commit, before anyone hears the reply
"""


def test_a_process_killed_between_storing_and_replying_then_redelivery_applies_once(shop, tmp_path):
    payload = CSV.format(id="o-9", status="paid", qty=1)
    child = subprocess.run([sys.executable, "-c", CRASHING_CHILD, str(ROOT / "bindings" / "python"), shop.path, payload],
                           env=os.environ.copy())
    assert child.returncode == -signal.SIGKILL
    redelivered = shop.intake.ingest("shop", payload, event_id="e-crash")
    assert redelivered["duplicate"] is True
    assert len(shop.orders.list()["orders"]) == 1
    assert shop.stock.available("A1") == 4
    assert shop.stock.verify()["ok"] is True


def test_follow_resumes_after_a_restart_with_every_later_event_once(shop):
    for i in range(4):
        shop.intake.ingest("shop", CSV.format(id=f"o-{i}", status="paid", qty=1))
    all_events = shop.events.read(after=0, limit=1000)[0]
    seen = []
    for event in shop.events.follow("erp"):
        seen.append(event["seq"])
        if len(seen) == 5:
            break  # the consumer stops mid-feed
    with ordercore.open(shop.path) as restarted:
        restarted.orders.cancel("SO-000001")
        seen += [e["seq"] for e in restarted.events.follow("erp")]
        everything = restarted.events.read(after=0, limit=1000)[0]
    assert seen[:5] == [e["seq"] for e in all_events[:5]]
    # The fifth event was being handled when the consumer stopped: it comes again, then every later one once.
    assert seen[5:] == [e["seq"] for e in everything[4:]]


def test_exec_batch_modes(shop):
    results = shop.exec_batch([{"op": "stock.receive", "sku": "A1", "warehouse": "SH", "qty": 1},
                               {"op": "stock.receive", "sku": "ZZ", "warehouse": "SH", "qty": 1}], atomic=False)
    assert [r["ok"] for r in results] == [True, False]
    with pytest.raises(ordercore.NotFound) as error:
        shop.exec_batch([{"op": "stock.receive", "sku": "A1", "warehouse": "SH", "qty": 1},
                         {"op": "stock.receive", "sku": "ZZ", "warehouse": "SH", "qty": 1}])
    assert error.value.details["index"] == 1
    assert shop.stock.available("A1") == 6


@needs_fixtures
def test_every_channel_fixture_maps_through_its_builtin_profile(db):
    for sku in ["SKU2006-001", "SKU2006-020", "SKU2006-035", "Bar3", "woo-93", "B-C352-F301-356M", "B-C352-F302-357M"]:
        db.skus.upsert(sku)
        db.stock.receive(sku, "SH", 5)
    for channel in ["shopify", "woocommerce", "taobao"]:
        db.channels.upsert(channel, profile=channel)
    cases = [("shopify", "shopify_webhook_sample/orders_create_official_sample.json", "379.97", "cancelled"),
             ("woocommerce", "woocommerce_rest_v3/orders_create_an_order_response.json", "29.35", "paid"),
             ("taobao", "taobao/trade_fullinfo_get_response_sample.json", "144.00", "paid")]
    for channel, path, total, state in cases:
        payload = (FIXTURES / "channels" / path).read_text()
        result = db.intake.ingest(channel, payload)
        order = db.orders.get(result["events"][0]["order_id"])
        assert (order["grand_total"], order["state"]) == (total, state), channel
    assert {p["profile"] for p in db.intake.profiles()} >= {"shopify", "woocommerce", "amazon", "taobao", "csv"}


@pytest.mark.skipif(not (FIXTURES / "logistics").is_dir(), reason=f"fixtures not found at {FIXTURES} (set ORDERCORE_FIXTURES)")
def test_an_aftership_webhook_delivers_the_order_its_parcel_is_of(db):
    tracking = json.loads((FIXTURES / "logistics/aftership_ollie_after_ship/v4_delivered.json").read_text())["data"]["tracking"]
    db.stock.receive("A1", "SH", 1)
    order = db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "9.90"}])["order_id"]
    db.orders.pay(order)
    db.orders.allocate(order)
    db.orders.pack(order, [order, "A1"], weight_g=0)
    db.orders.ship(order, tracking["slug"], tracking["tracking_number"])
    webhook = {"event": "tracking_update", "msg": tracking}
    first = db.tracking.ingest(webhook)["trackings"][0]
    assert (first["applied"], first["order_state"]) == (len(tracking["checkpoints"]), "delivered")
    assert db.tracking.ingest(json.dumps(webhook))["trackings"][0]["duplicates"] == len(tracking["checkpoints"])
    with pytest.raises(ordercore.InvalidInput):
        db.tracking.ingest({"msg": {"slug": "ups"}})
