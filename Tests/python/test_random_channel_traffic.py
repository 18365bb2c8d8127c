"""Random Shopify traffic — orders placed paid or unpaid, paid later, units refunded before they ship,
cancelled, shipped whole or in part, events delivered again and late — mixed with stock arriving and
leaving and the warehouse allocating, packing and shipping what is left. After every step each order's
lines add up (no unit owed or held beyond what is left to ship, nothing to pick or pack beyond what is
held), no unit sits on the shelf while an order is owed it, and the stock agrees with its ledger; at the
end every order the warehouse did not touch is in the state its channel last reported."""

import json
import random

import pytest

import ordercore

SKUS = ["A1", "B2", "C3"]
STEPS = {"new": 4, "pay": 2, "refund_units": 2, "cancel": 1, "fulfil": 2, "fulfil_part": 2, "replay": 1,
         "receive": 3, "adjust": 1, "sweep": 1, "ship_here": 2}


class Channel:
    """The channel's side: each order as Shopify would send it now."""

    def __init__(self, rnd):
        self.rnd, self.orders, self.sent, self.clock = rnd, {}, [], 0

    def payload(self, order):
        self.clock += 1
        order["updated_at"] = "2026-11-%02dT%02d:%02d:00Z" % (1 + self.clock // 1440, self.clock // 60 % 24,
                                                              self.clock % 60)
        text = json.dumps({"order": order})
        self.sent.append(text)
        return text

    def new(self):
        number = len(self.orders) + 1
        lines = [{"id": 100 * number + k, "variant_id": 10 + k, "sku": sku, "quantity": q, "price": "10.00",
                  "current_quantity": q, "fulfillable_quantity": q}
                 for k, sku in enumerate(self.rnd.sample(SKUS, self.rnd.randint(1, 3)))
                 for q in [self.rnd.randint(1, 3)]]
        total = "%d.00" % sum(10 * line["quantity"] for line in lines)
        paid = self.rnd.random() < 0.7
        self.orders[number] = order = {
            "id": number, "currency": "USD", "financial_status": "paid" if paid else "pending",
            "fulfillment_status": None, "created_at": "2026-10-31T00:00:00Z", "line_items": lines,
            "total_price": total, "current_total_price": total, "total_outstanding": "0.00" if paid else total,
            "refunds": [], "fulfillments": []}
        return self.payload(order)

    def live(self):
        open_orders = [o for o in self.orders.values() if not o.get("cancelled_at") and
                       any(line["fulfillable_quantity"] for line in o["line_items"])]
        return self.rnd.choice(open_orders) if open_orders else None

    def paid(self, order):
        return order["financial_status"] in ("paid", "partially_refunded")

    def pay(self, order):
        if order["financial_status"] != "pending":
            return None
        order["financial_status"], order["total_outstanding"] = "paid", "0.00"
        return self.payload(order)

    def refund_units(self, order):
        line = self.rnd.choice([line for line in order["line_items"] if line["fulfillable_quantity"]])
        qty = self.rnd.randint(1, line["fulfillable_quantity"])
        line["fulfillable_quantity"] -= qty
        line["current_quantity"] -= qty
        amount = 10 * qty if self.paid(order) else 0
        order["refunds"].append({
            "id": 9000 + len(self.sent), "created_at": order["updated_at"], "note": "dropped",
            "transactions": [{"amount": "%d.00" % amount, "kind": "refund", "status": "success"}] if amount else [],
            "refund_line_items": [{"quantity": qty, "line_item_id": line["id"], "restock_type": "cancel",
                                   "line_item": {"sku": line["sku"], "variant_id": line["variant_id"]}}]})
        if not any(line["current_quantity"] for line in order["line_items"]):
            order["cancelled_at"] = order["updated_at"]
            order["financial_status"] = "refunded" if amount else "voided"
        else:
            if amount:
                order["financial_status"] = "partially_refunded"
            if not any(line["fulfillable_quantity"] for line in order["line_items"]):
                order["fulfillment_status"] = "fulfilled"  # what is left has all been fulfilled
        return self.payload(order)

    def cancel(self, order):
        order["cancelled_at"] = order["updated_at"]
        order["financial_status"] = "refunded" if self.paid(order) else "voided"
        return self.payload(order)

    def fulfil(self, order, whole):
        if order["financial_status"] == "pending":
            return None
        lines = [line for line in order["line_items"] if line["fulfillable_quantity"]]
        for line in lines if whole else [self.rnd.choice(lines)]:
            line["fulfillable_quantity"] -= line["fulfillable_quantity"] if whole else \
                self.rnd.randint(1, line["fulfillable_quantity"])
        left = any(line["fulfillable_quantity"] for line in order["line_items"])
        order["fulfillment_status"] = "partial" if left else "fulfilled"
        order["fulfillments"] = [{"status": "success", "tracking_company": "UPS",
                                  "tracking_number": "1Z%d" % len(self.sent), "created_at": order["updated_at"]}]
        return self.payload(order)

    def expected_state(self, order):
        shipped = any(line["current_quantity"] - line["fulfillable_quantity"] for line in order["line_items"])
        if order.get("cancelled_at"):
            return {"shipped"} if shipped else {"cancelled"}
        if order["fulfillment_status"] == "fulfilled":
            return {"shipped"}
        if shipped:
            return {"partially_shipped"}
        return {"pending_payment"} if order["financial_status"] == "pending" else {"paid", "allocated"}


def check(db):
    assert db.stock.verify()["ok"]
    owed = set()
    for summary in db.exec("order.list", limit=1000)["orders"]:
        order = db.orders.get(summary["order_id"])
        for line in order["lines"]:
            left = line["qty"] - line["cancelled"] - line["shipped"]
            assert left >= 0 and line["reserved"] + line["backordered"] <= left, (order["state"], line)
            assert line["allocated"] - line["packed"] <= line["reserved"], (order["state"], line)
            assert line["picked"] <= max(line["allocated"], line["packed"]), (order["state"], line)
            if order["state"] in ("shipped", "delivered", "completed", "cancelled"):
                assert left == 0 and line["backordered"] == 0, (order["state"], line)
            if line["backordered"] and order["state"] != "cancelled":
                owed.add(line["sku"])
    for sku in owed:
        assert db.stock.available(sku, "SH") <= 0, f"{sku} is on the shelf while an order is owed it"


def ship_here(db, order_id):
    """The warehouse allocates, packs and ships what the order has left to ship."""
    db.orders.allocate(order_id)
    order = db.orders.get(order_id)
    scans = [order_id] + [line["sku"] for line in order["lines"] for _ in range(line["allocated"] - line["packed"])]
    db.orders.pack(order_id, scans, weight_g=0)
    db.exec("order.ship", order_id=order_id, carrier="SF", tracking_no="SF-" + order_id)


@pytest.mark.parametrize("seed", range(8))
def test_random_channel_traffic_keeps_orders_and_stock_consistent(tmp_path, seed):
    rnd = random.Random(seed)
    channel = Channel(rnd)
    touched = set()  # orders the warehouse shipped here: the channel has not heard of it
    ids = {}  # the channel's order number -> the order here
    with ordercore.open(str(tmp_path / "traffic.db")) as db:
        db.warehouses.upsert("SH")
        for sku in SKUS:
            db.skus.upsert(sku, weight_g=0)
            db.stock.receive(sku, "SH", rnd.randint(1, 5))
        db.channels.upsert("shop", profile="shopify", warehouses=["SH"])
        applied = refused = 0
        for _ in range(150):
            step = rnd.choices(list(STEPS), list(STEPS.values()))[0]
            order = channel.live()
            try:
                if step in ("receive", "adjust"):
                    sku = rnd.choice(SKUS)
                    if step == "receive":
                        db.stock.receive(sku, "SH", rnd.randint(1, 4))
                    else:
                        db.stock.adjust(sku, "SH", -1, "damaged")
                elif step == "sweep":
                    db.sweep()
                elif step == "ship_here":
                    orders = db.exec("order.list", limit=1000)["orders"]
                    if orders:
                        order_id = rnd.choice(orders)["order_id"]
                        touched.add(order_id)
                        ship_here(db, order_id)
                else:
                    text = (channel.new() if step == "new" or order is None else
                            rnd.choice(channel.sent) if step == "replay" else
                            channel.pay(order) if step == "pay" else
                            channel.refund_units(order) if step == "refund_units" else
                            channel.cancel(order) if step == "cancel" else
                            channel.fulfil(order, whole=step == "fulfil"))
                    if text:
                        outcome = db.intake.ingest("shop", text)
                        assert outcome["state"] == "applied", outcome
                        for event in outcome["events"]:
                            ids.setdefault(int(event["external_id"]), event["order_id"])
                applied += 1
            except (ordercore.errors.Conflict, ordercore.errors.InsufficientStock):
                refused += 1  # a step the order's state or the shelf does not allow: refused whole
            check(db)
        assert applied > 100, refused
        for number, order in channel.orders.items():
            if ids[number] in touched:
                continue
            state = db.orders.get(ids[number])["state"]
            assert state in channel.expected_state(order), (number, state, order["financial_status"],
                                                           order["fulfillment_status"])
