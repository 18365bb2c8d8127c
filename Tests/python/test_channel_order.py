"""Webhooks arrive late, twice and out of order. Whatever order a Shopify order's versions arrive in, with
copies among them, the order lands where the versions in order leave it: the same state, the same units
shipped, cancelled and refunded on each line, the same money and the same stock — a refund made before the
channel's fulfilment never ships its units, one made after counts against units that left."""
import json
import random

import pytest

import ordercore

FULFIL_A1 = {"id": 71, "status": "success", "tracking_company": "SF", "tracking_number": "T1",
             "created_at": "2026-01-18T13:00:00+08:00", "line_items": [{"id": 1, "sku": "A1", "quantity": 2}]}
FULFIL_B2 = {"id": 72, "status": "success", "tracking_company": "SF", "tracking_number": "T2",
             "created_at": "2026-01-18T15:00:00+08:00", "line_items": [{"id": 2, "sku": "B2", "quantity": 1}]}


def refund(refund_id, at, line_id, sku, qty, amount):
    return {"id": refund_id, "created_at": at, "transactions": [{"amount": amount, "kind": "refund", "status": "success"}],
            "refund_line_items": [{"quantity": qty, "line_item": {"id": line_id, "sku": sku}}]}


def version(hour, financial, fulfillment=None, refunds=(), fulfillments=()):
    """The order as Shopify sends it at 10+hour o'clock, its lines' counts as Shopify computes them."""
    lines = []
    for line_id, sku, qty in ((1, "A1", 2), (2, "B2", 1)):
        refunded = sum(r["quantity"] for x in refunds for r in x["refund_line_items"] if r["line_item"]["id"] == line_id)
        fulfilled = sum(f["quantity"] for x in fulfillments for f in x["line_items"] if f["id"] == line_id)
        lines.append({"id": line_id, "sku": sku, "quantity": qty, "price": "50.00", "current_quantity": qty - refunded,
                      "fulfillable_quantity": qty - max(refunded, fulfilled),
                      "fulfillment_status": "fulfilled" if fulfilled >= qty else "partial" if fulfilled else None})
    return {"order": {"id": 5, "created_at": "2026-01-18T10:00:00+08:00", "updated_at": f"2026-01-18T{10 + hour:02d}:00:00+08:00",
                      "currency": "CNY", "financial_status": financial, "fulfillment_status": fulfillment,
                      "total_price": "150.00", "line_items": lines, "refunds": list(refunds),
                      "fulfillments": list(fulfillments)}}


B2_BEFORE = refund(83, "2026-01-18T12:00:00+08:00", 2, "B2", 1, "50.00")
B2_BETWEEN = refund(84, "2026-01-18T14:00:00+08:00", 2, "B2", 1, "50.00")
A1_AFTER = refund(81, "2026-01-18T16:00:00+08:00", 1, "A1", 1, "50.00")
B2_AFTER = refund(86, "2026-01-18T16:30:00+08:00", 2, "B2", 1, "50.00")
SCENARIOS = {
    "a unit refunded after it shipped": [
        version(0, "pending"), version(1, "paid"), version(3, "paid", "partial", fulfillments=[FULFIL_A1]),
        version(5, "paid", "fulfilled", fulfillments=[FULFIL_A1, FULFIL_B2]),
        version(6, "partially_refunded", "fulfilled", refunds=[A1_AFTER], fulfillments=[FULFIL_A1, FULFIL_B2])],
    "a line refunded before anything shipped": [
        version(1, "paid"), version(2, "partially_refunded", refunds=[B2_BEFORE]),
        version(4, "partially_refunded", "fulfilled", refunds=[B2_BEFORE], fulfillments=[FULFIL_A1])],
    "a line refunded between two fulfilments": [
        version(1, "paid"), version(3, "paid", "partial", fulfillments=[FULFIL_A1]),
        version(4, "partially_refunded", "partial", refunds=[B2_BETWEEN], fulfillments=[FULFIL_A1]),
        version(5, "partially_refunded", "fulfilled", refunds=[B2_BETWEEN], fulfillments=[FULFIL_A1])],
    "a whole line refunded after it shipped": [
        version(1, "paid"), version(5, "paid", "fulfilled", fulfillments=[FULFIL_A1, FULFIL_B2]),
        version(7, "partially_refunded", "fulfilled", refunds=[B2_AFTER], fulfillments=[FULFIL_A1, FULFIL_B2])],
}


def landing(path, versions):
    with ordercore.open(str(path)) as db:
        db.warehouses.upsert("SH")
        for sku in ("A1", "B2"):
            db.skus.upsert(sku, weight_g=0)
            db.stock.receive(sku, "SH", 10)
        db.channels.upsert("shopify", profile="shopify")
        for payload in versions:
            assert db.intake.ingest("shopify", json.dumps(payload))["state"] == "applied"
        order = db.orders.get(db.exec("order.list")["orders"][0]["order_id"])
        assert db.exec("stock.verify")["ok"]
        return (order["state"], order["paid_total"], order["refunded_total"],
                [(l["sku"], l["shipped"], l["cancelled"], l["refunded"]) for l in order["lines"]],
                [(db.stock.get(sku)["on_hand"], db.stock.get(sku)["reserved"]) for sku in ("A1", "B2")])


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_an_order_lands_where_its_versions_in_order_leave_it(tmp_path, scenario):
    versions = SCENARIOS[scenario]
    expected = landing(tmp_path / "in-order.db", versions)
    for seed in range(6):
        rnd = random.Random(seed)
        arrived = versions + [rnd.choice(versions) for _ in range(2)]
        rnd.shuffle(arrived)
        assert landing(tmp_path / f"shuffled-{seed}.db", arrived) == expected, (scenario, seed)
