"""Random sequences of what operators and channels do to orders — paid, cash on delivery, a part prepaid,
on payment terms, unpaid, a pre-sale's deposit; allocated, picked, packed (and taken apart) and shipped in
parts; held and released; refunded with and without units; units and whole orders cancelled; returns taken
in and refunded; paid, written off and delivered — with the ledger and every order checked after each step:
no unit both shipped and cancelled, nothing refunded beyond what was paid or owed beyond what is left, no hold for a
unit that will not ship, no unit counted picked or allocated that the order does not hold, and the stock
agreeing with its ledger."""

import random

import pytest

import ordercore

SKUS = {"A1": "690001", "B2": "690002", "C3": "690003"}
OPERATIONS = {
    "create": 3, "allocate": 4, "pick": 1, "pack": 4, "ship": 4, "refund": 1, "cancel_units": 2,
    "cancel": 0.3, "refund_units": 2, "return": 3, "pay": 1, "deliver": 1, "hold": 0.5, "release": 0.5,
    "unpack": 0.5, "write_off": 0.5,
}


def check(db, order_id):
    order = db.orders.get(order_id)
    paid, refunded = float(order["paid_total"]), float(order["refunded_total"])
    assert paid <= float(order["grand_total"]), order
    assert refunded <= paid, order
    assert float(order["refund_due"]) <= paid - refunded + 1e-9, order
    for line in order["lines"]:
        left = line["qty"] - line["cancelled"] - line["shipped"]
        assert left >= 0, (order_id, line)
        assert 0 <= line["refunded_cancelled"] <= min(line["refunded"], line["cancelled"]), (order_id, line)
        assert line["reserved"] >= 0 and line["backordered"] >= 0, (order_id, line)
        assert line["reserved"] + line["backordered"] <= left, (order_id, order["state"], line)
        assert line["packed"] <= line["picked"] <= max(line["allocated"], line["packed"]), (order_id, line)
        assert line["allocated"] - line["packed"] <= line["reserved"], (order_id, order["state"], line)
        if order["state"] in ("shipped", "delivered", "completed", "cancelled"):
            assert left == 0, (order_id, order["state"], line)


def step(db, rnd, orders, n):
    operation = rnd.choices(list(OPERATIONS), list(OPERATIONS.values()))[0]
    if operation == "create" or not orders:
        lines = [{"sku": sku, "qty": rnd.randint(1, 3), "unit_price": "10.00"}
                 for sku in rnd.sample(sorted(SKUS), rnd.randint(1, 3))]
        twice = random.Random(n)  # a SKU on a second line of its own (a free gift, a second price) in some orders
        if twice.random() < 0.3:
            lines.append({"sku": lines[0]["sku"], "qty": twice.randint(1, 2), "unit_price": twice.choice(["0.00", "4.00"])})
        kind = rnd.choice(["paid", "paid", "cod", "cod_prepaid", "terms", "unpaid", "deposit"])
        if kind == "paid":
            order = db.exec("order.create", lines=lines, payment={})
        elif kind in ("unpaid", "deposit"):  # paid later (`pay`), a pre-sale's deposit first
            order = db.exec("order.create", lines=lines, **({"deposit": "5.00"} if kind == "deposit" else {}))
        elif kind == "cod":
            order = db.exec("order.create", lines=lines, cash_on_delivery=True)
        elif kind == "terms":
            order = db.exec("order.create", lines=lines, payment_terms={"name": "Net 30", "due_in_days": 30})
        else:
            order = db.exec("order.create", lines=lines, cash_on_delivery=True, payment={"amount": "5.00"})
        orders.append(order["order_id"])
        return
    order_id = rnd.choice(orders)
    order = db.orders.get(order_id)
    line = rnd.choice(order["lines"])
    # Units named by SKU, or by their line's number.
    named = {"sku": line["sku"]} if random.Random(n).random() < 0.5 else {"line_no": line["line_no"]}
    if operation == "allocate":
        db.exec("order.allocate", order_id=order_id)
    elif operation == "pick":
        db.exec("order.pick", order_id=order_id)
    elif operation == "pack":
        scans = [SKUS[l["sku"]] for l in order["lines"]
                 for _ in range(rnd.randint(0, max(0, l["qty"] - l["cancelled"] - l["packed"])))]
        if scans:
            db.exec("order.pack", order_id=order_id, scans=[order_id] + scans, weight_g=0, partial=True)
    elif operation == "ship":
        db.exec("order.ship", order_id=order_id, carrier="SF", tracking_no=f"T{n}")
    elif operation == "refund":
        db.exec("order.refund", order_id=order_id, amount=f"{rnd.choice([5, 10, 20])}.00")
    elif operation == "refund_units":
        qty = rnd.randint(1, max(1, line["qty"] - 1))
        db.exec("order.refund", order_id=order_id, amount=f"{10 * qty}.00", units=[{**named, "qty": qty}],
                cancel_units=rnd.random() < 0.3)
    elif operation == "cancel_units":
        db.orders.cancel(order_id, "dropped", units=[{**named, "qty": 1}])
    elif operation == "cancel":
        db.orders.cancel(order_id, "cancelled")
    elif operation == "pay":
        db.exec("order.pay", order_id=order_id)
    elif operation == "deliver":
        db.exec("order.deliver", order_id=order_id)
    elif operation == "write_off":  # what is owed of goods gone, given up
        db.exec("order.write_off", order_id=order_id, reason="the carrier lost the cash")
    elif operation == "hold":
        db.exec("order.hold", order_id=order_id, reason="address check")
    elif operation == "release":
        db.exec("order.release", order_id=order_id)
    elif operation == "unpack":
        db.exec("order.unpack", order_id=order_id, reason="wrong box")
    elif operation == "return" and line["shipped"] > 0:
        returned = db.exec("return.request", order_id=order_id, reason="defective",
                           lines=[{**named, "qty": 1}])
        return_id = returned["return_id"]
        if returned["state"] == "requested":
            db.exec("return.approve", return_id=return_id)
        db.exec("return.receive", return_id=return_id, warehouse="SH",
                lines=[{**named, "resellable": 1}], weight_g=0)
        db.exec("return.refund", return_id=return_id, refund_ref=f"RR{n}")


@pytest.mark.parametrize("seed", range(8))
def test_random_lifecycles_keep_orders_money_and_stock_consistent(tmp_path, seed):
    rnd = random.Random(seed)
    with ordercore.open(str(tmp_path / "random.db")) as db:
        db.warehouses.upsert("SH", priority=1)
        for sku, barcode in SKUS.items():
            db.skus.upsert(sku, weight_g=0, barcode=barcode)
            db.stock.receive(sku, "SH", rnd.randint(3, 12))
        orders, refused = [], 0
        for n in range(120):
            try:
                step(db, rnd, orders, n)
            except (ordercore.errors.Conflict, ordercore.errors.InsufficientStock, ordercore.errors.InvalidInput):
                refused += 1  # an illegal step for the order's state: refused whole, nothing changed
            for order_id in orders:
                check(db, order_id)
        verified = db.exec("stock.verify")
        assert verified["ok"], verified
        assert refused < 100, "most steps must do something"
