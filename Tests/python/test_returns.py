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


def test_thresholds_per_currency_and_back_to_the_default(sold):
    db, _ = sold
    db.config.set("returns.supervisor_above", {"CNY": 500, "USD": 50})
    order = db.orders.create(lines=[{"sku": "A1", "qty": 2, "unit_price": "50.00"}], currency="USD")
    db.orders.pay(order["order_id"])
    db.orders.pickup(order["order_id"])
    rt = db.returns.request(order["order_id"], [{"sku": "A1", "qty": 2}], "changed_mind")
    with pytest.raises(ordercore.Forbidden):  # 100.00 USD is above 50 USD
        db.returns.approve(rt["return_id"], actor="ops")
    assert db.config.reset("returns.supervisor_above")["value"] == 500
    db.returns.approve(rt["return_id"], actor="ops")
    with pytest.raises(ordercore.InvalidInput):
        db.config.set("returns.supervisor_above", {"RMB": 500})


def test_bad_returns_are_refused(sold):
    db, order_id = sold
    with pytest.raises(ordercore.Conflict):
        db.returns.request(order_id, [{"sku": "A1", "qty": 5}], "changed_mind")
    with pytest.raises(ordercore.InvalidInput):
        db.returns.request(order_id, [{"sku": "A1", "qty": 1}], "bored")
    assert db.returns.list()["returns"] == []


@pytest.mark.parametrize("seed", range(25))
def test_returns_after_refunds_of_no_units_pay_what_they_quote_and_all_of_what_is_left(tmp_path, seed):
    """Random orders (discounts, shipping), random refunds of money only (goodwill), then every unit
    returned in random parts: each refund pays its quote, nothing beyond what was paid, and the last one
    leaves nothing (a return that was refused here stalled with the goods back)."""
    import random
    from decimal import Decimal
    rnd = random.Random(seed)
    with ordercore.open(str(tmp_path / "p.db")) as db:
        db.warehouses.upsert("SH", priority=1)
        for sku in ("A1", "B2", "C3"):
            db.skus.upsert(sku, weight_g=100)
            db.stock.receive(sku, "SH", 100)
        lines = [{"sku": s, "qty": rnd.randint(1, 4), "unit_price": f"{rnd.randint(1, 80)}.{rnd.randint(0, 99):02d}"}
                 for s in rnd.sample(["A1", "B2", "C3"], rnd.randint(1, 3))]
        extra = {"discounts": [{"kind": "coupon", "amount": f"{rnd.randint(1, 5)}.00"}]} if rnd.random() < 0.5 else {}
        order_id = db.orders.create(lines=lines, shipping_fee=f"{rnd.choice([0, 5, 10])}.00", **extra)["order_id"]
        db.orders.pay(order_id)
        db.orders.pickup(order_id)
        order = db.orders.get(order_id)
        paid = Decimal(order["paid_total"])
        for _ in range(rnd.randint(1, 2)):
            left = paid - Decimal(db.orders.get(order_id)["refunded_total"])
            amount = (left * rnd.randint(1, 60) / 100).quantize(Decimal("0.01"))
            if amount > 0:
                db.orders.refund(order_id, str(amount), reason="goodwill")
        remaining = {line["line_no"]: line["qty"] for line in order["lines"]}
        while any(remaining.values()):
            line_no = rnd.choice([k for k, v in remaining.items() if v > 0])
            qty = rnd.randint(1, remaining[line_no])
            remaining[line_no] -= qty
            rt = db.returns.request(order_id, [{"line_no": line_no, "qty": qty}],
                                    rnd.choice(["changed_mind", "defective"]))
            db.returns.approve(rt["return_id"])
            db.returns.receive(rt["return_id"], "SH", [{"line_no": line_no, "qty": qty}], grade="resellable")
            done = db.returns.refund(rt["return_id"])
            assert done["refunds"][-1]["cash"] == rt["quote"]["cash"]
            assert Decimal(db.orders.get(order_id)["refunded_total"]) <= paid
        assert Decimal(db.orders.get(order_id)["refunded_total"]) == paid
