"""Risk through the Python binding, and the evaluation over the labelled dataset."""
import importlib.util
import os
from pathlib import Path

import pytest

import ordercore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("ORDERCORE_FIXTURES", ROOT.parent / "shared" / "fixtures"))
DATASET = FIXTURES / "datasets" / "fraud_labelled" / "fraud_data_subset30k.csv"


def test_block_list_holds_an_order_until_a_supervisor_reviews_it(db):
    db.stock.receive("A1", "SH", 5)
    db.actors.upsert("lead", role="supervisor")
    db.risk.set_list("email", "Fraud@Example.com", "block", note="chargebacks")
    order = db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "9.90"}], customer={"email": "fraud@example.com"})
    assert order["state"] == "on_hold" and order["risk"]["score"] == 100
    assert db.risk.queue()["orders"][0]["reasons"][0]["rule"] == "block_list"
    with pytest.raises(ordercore.Conflict):
        db.orders.allocate(order["order_id"])
    db.risk.review(order["order_id"], "approve", "known customer", actor="lead")
    assert db.orders.get(order["order_id"])["state"] == "pending_payment"
    assert db.risk.get(order["order_id"])["review"]["by"] == "lead"
    db.risk.set_list("email", "fraud@example.com", None)
    assert db.risk.lists() == []


def test_a_channels_high_risk_verdict_holds_a_paid_order_until_reviewed(db):
    db.stock.receive("A1", "SH", 5)
    db.actors.upsert("boss", role="admin")
    db.actors.upsert("op", role="operator")
    order = db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "9.90"}])
    db.orders.pay(order["order_id"])
    with pytest.raises(ordercore.Forbidden):
        db.risk.report(order["order_id"], "shopify", "low", actor="op")
    held = db.risk.report(order["order_id"], "shopify", "high", message="placed from a proxy IP")
    assert held["state"] == "on_hold" and held["risk"]["decision"] == "hold"
    assert db.risk.get(order["order_id"])["reports"][0]["message"] == "placed from a proxy IP"
    db.risk.review(order["order_id"], "approve", "called the buyer", actor="boss")
    assert db.orders.get(order["order_id"])["state"] == "paid"


@pytest.mark.skipif(not DATASET.exists(), reason=f"fixtures not found at {FIXTURES} (set ORDERCORE_FIXTURES)")
def test_the_evaluation_replays_the_labelled_dataset_and_reports_figures(tmp_path):
    spec = importlib.util.spec_from_file_location("risk_eval", ROOT / "examples" / "python" / "risk_eval.py")
    risk_eval = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(risk_eval)
    lines = []
    report = risk_eval.evaluate(str(DATASET), str(tmp_path / "eval.db"), out=lines.append)
    assert lines[0].startswith("30189 purchases (2867 fraud")
    for threshold, m in report.values():
        assert m["tp"] + m["fp"] + m["fn"] + m["tn"] == int(lines[0].split("test split ")[1])
        assert 0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1
    print("\n".join(lines))

