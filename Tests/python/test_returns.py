"""Returns and refunds through the Python binding."""
import pytest

import ordercore


@pytest.fixture
def sold(db):
    """A1 x2 at 50.00 and B2 x1 at 20.00, coupon 12.00, points 6.00, shipping 10.00, handed over."""
    db.skus.upsert("A1", weight_g=400)
    db.skus.upsert("B2", weight_g=100)
    db.stock.receive("A1", "SH", 5)
    db.stock.receive("B2", "SH", 5)
    order = db.orders.create(lines=[{"sku": "A1", "qty": 2, "unit_price": "50.00"}, {"sku": "B2", "qty": 1, "unit_price": "20.00"}],
                             shipping_fee="10.00", customer={"id": "c-9"},
                             discounts=[{"kind": "coupon", "amount": "12.00"}, {"kind": "points", "amount": "6.00"}])
    db.orders.pay(order["order_id"])
    db.orders.pickup(order["order_id"])
    db.actors.upsert("ops", role="operator")
    db.actors.upsert("lead", role="supervisor")
    return db, order["order_id"]


def test_a_return_is_quoted_approved_by_tier_received_and_refunded_once(sold):
    db, order_id = sold
    db.config.set("returns.supervisor_above", 50)
    rt = db.returns.request(order_id, [{"sku": "A1", "qty": 2}], "changed_mind")
    assert (rt["quote"]["cash"], rt["quote"]["points"]) == ("85.00", "5.00")
    with pytest.raises(ordercore.Forbidden) as refused:
        db.returns.approve(rt["return_id"], actor="ops")
    assert refused.value.details["required"] == "supervisor"
    db.returns.approve(rt["return_id"], actor="lead")
    db.returns.receive(rt["return_id"], "SH", [{"sku": "A1", "qty": 1}], weight_g=410)
    first = db.returns.refund(rt["return_id"], refund_ref="R-1")
    assert first["refunds"][0]["cash"] == "42.50" and first["payment_status"] == "partially_refunded"
    assert db.returns.refund(rt["return_id"], refund_ref="R-1")["duplicate"] is True
    db.returns.receive(rt["return_id"], "SH", [{"line_no": 1, "damaged": 1}])
    done = db.returns.refund(rt["return_id"])
    assert done["state"] == "refunded"
    assert db.orders.get(order_id)["refunded_total"] == "85.00"
    assert db.stock.get("A1")["quarantine"] == 1
    assert [r["return_id"] for r in db.returns.list(state="refunded")["returns"]] == [rt["return_id"]]
    assert db.returns.customer("c-9")["returns"] == 1
    assert db.stock.verify()["ok"]


def test_bad_returns_are_refused(sold):
    db, order_id = sold
    with pytest.raises(ordercore.Conflict):
        db.returns.request(order_id, [{"sku": "A1", "qty": 5}], "changed_mind")
    with pytest.raises(ordercore.InvalidInput):
        db.returns.request(order_id, [{"sku": "A1", "qty": 1}], "bored")
    assert db.returns.list()["returns"] == []
