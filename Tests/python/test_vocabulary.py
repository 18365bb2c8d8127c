"""One declared vocabulary: every op reaches Python by name and the docs, and the error codes agree
everywhere they are listed (the engine, Include/ordercore.h, errors.py)."""
import inspect
import keyword
import os
import re

import pytest

import ordercore
from ordercore import errors

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.fixture()
def vocabulary(tmp_path):
    with ordercore.open(str(tmp_path / "v.db")) as db:
        yield db.ops()


def test_every_op_is_a_method_named_after_it_taking_its_declared_arguments(vocabulary):
    assert len(vocabulary["ops"]) > 80
    for op in vocabulary["ops"]:
        method = getattr(ordercore.Database, op["name"].replace(".", "_"), None)
        assert method is not None, f"no Python method for {op['name']}"
        parameters = inspect.signature(method).parameters
        for argument in op["arguments"]:
            name = argument["name"] + ("_" if keyword.iskeyword(argument["name"]) else "")
            assert name in parameters, f"{op['name']}: no parameter {name}"
            if argument["required"]:
                assert parameters[name].default is inspect.Parameter.empty, f"{op['name']}.{name} is required"
        assert op["summary"] and all(a["doc"] for a in op["arguments"]), op["name"]


def test_generated_methods_run_their_ops(tmp_path):
    with ordercore.open(str(tmp_path / "m.db")) as db:
        db.sku_upsert("MUG-1", name="Mug", unit_cost="4.00")
        db.warehouse_upsert("SH", priority=1)
        assert db.stock_receive("MUG-1", "SH", 10, reference="PO-1")["on_hand"] == 10
        assert db.stock_valuation()["totals"] == [{"currency": "CNY", "units": 10, "value": "40.00"}]
        assert db.stock_safety("MUG-1", "SH", 2)["available"] == 8
        order = db.order_create(lines=[{"sku": "MUG-1", "qty": 2, "unit_price": "9.50"}])
        assert db.order_pay(order["order_id"], payment_ref="PAY-1")["state"] == "paid"
        assert db.order_update_address(order["order_id"], ship_to={"city": "Hangzhou"})["order_id"] == order["order_id"]
        assert db.order_refund(order["order_id"], amount="1.00", refund_ref="RF-1")["refunded_total"] == "1.00"
        assert db.report_sales(from_="2000-01-01T00:00:00Z", to="2100-01-01T00:00:00Z", by="total")["totals"]
        assert [o["order_id"] for o in db.order_find(customer="c-9")["orders"]] == []
        assert db.order_view(order["order_id"])["timeline"][-1]["to"] == "paid"
        assert [s["orders"] for s in db.report_funnel()["stages"]][:3] == [1, 1, 0]
        assert db.report_regions(level="city")["rows"] == [
            {"region": "Hangzhou", "currency": "CNY", "orders": 1, "gmv": "19.00", "units": 2, "shipped_orders": 0,
             "avg_ship_hours": None}]
        # The area methods keep the op's names too.
        assert db.stock.safety("MUG-1", "SH", 0)["safety"] == 0


def test_undeclared_and_missing_arguments_are_refused_before_the_op_runs(tmp_path):
    with ordercore.open(str(tmp_path / "u.db")) as db:
        with pytest.raises(ordercore.InvalidInput) as unknown:
            db.exec("sku.upsert", sku="A1", colour="red")
        assert unknown.value.details["field"] == "colour" and "accepted: sku, name" in unknown.value.message
        with pytest.raises(ordercore.InvalidInput) as missing:
            db.exec("stock.receive", sku="A1", warehouse="SH")
        assert missing.value.details["field"] == "qty" and "qty is required" in missing.value.message
        assert db.exec("stock.verify")["ok"]


def test_every_op_is_documented_in_the_generated_commands_md(vocabulary):
    with open(os.path.join(ROOT, "docs", "commands.md"), encoding="utf-8") as f:
        text = f.read()
    for op in vocabulary["ops"]:
        assert f"#### `{op['name']}`" in text, op["name"]


def test_error_codes_agree_in_the_engine_the_header_and_the_binding(vocabulary):
    engine = {(e["code"], e["rc"], e["c_name"]) for e in vocabulary["errors"]}
    with open(os.path.join(ROOT, "Include", "ordercore.h"), encoding="utf-8") as f:
        header = {(code, int(rc), name) for name, rc, code in
                  re.findall(r"#define (OC_[A-Z_]+) +(\d+) +/\* \[([a-z_]+)\]", f.read())}
    assert header == engine
    binding = {(cls.code, cls.rc) for cls in errors._BY_CODE.values()}
    assert binding == {(code, rc) for code, rc, _ in engine}
    for code, rc, _ in engine:
        assert type(errors.from_code(code, "m")) is errors.from_rc(rc, "m").__class__
