"""OrderCore quickstart in Python: receive stock, create orders, pay one and ship it to the door (AfterShip's
webhook), cancel another, print a timeline.

    make build
    PYTHONPATH=bindings/python ORDERCORE_LIBRARY=dist/lib/libordercore.so.0 python3 examples/python/quickstart.py
"""
import sys

import ordercore

path = sys.argv[1] if len(sys.argv) > 1 else "quickstart.db"
with ordercore.open(path) as db:
    print(f"OrderCore {ordercore.version()}, database {path}")
    db.skus.upsert("MUG-1", name="Mug", barcode="690123", weight_g=350)
    db.warehouses.upsert("SH", name="Shanghai", priority=1)
    db.stock.receive("MUG-1", "SH", 10)

    line = {"sku": "MUG-1", "qty": 3, "unit_price": "19.90"}
    paid = db.orders.create(channel="web", currency="CNY", lines=[line])
    cancelled = db.orders.create(channel="web", currency="CNY", lines=[line])
    print(f"created {paid['order_id']} and {cancelled['order_id']}; available: {db.stock.available('MUG-1')}")

    db.orders.pay(paid["order_id"], "59.70", payment_ref="PAY-1")
    db.orders.cancel(cancelled["order_id"], "buyer changed their mind")
    print(f"{paid['order_id']} is {db.orders.state(paid['order_id'])}; available: {db.stock.available('MUG-1')}")

    # Allocated, packed (the order code, then each unit's barcode; the parcel weighed) and shipped; the carrier's
    # news comes as AfterShip's webhook sends it, taken whole: a redelivery applies nothing twice.
    order_id = paid["order_id"]
    db.orders.allocate(order_id)
    db.orders.pack(order_id, [order_id, "690123", "690123", "690123"], weight_g=1050)
    db.orders.ship(order_id, "sf-express", "SF1001")
    webhook = {"event": "tracking_update", "msg": {
        "slug": "sf-express", "tracking_number": "SF1001", "tag": "Delivered",
        "checkpoints": [{"tag": "InTransit", "checkpoint_time": "2026-01-19T08:00:00", "city": "Shanghai"},
                        {"tag": "Delivered", "checkpoint_time": "2026-01-20T15:30:00", "city": "Beijing"}]}}
    for delivery in (1, 2):
        taken = db.tracking.ingest(webhook)["trackings"][0]
        print(f"AfterShip webhook, delivery {delivery}: {taken['applied']} checkpoints applied, "
              f"{taken['duplicates']} repeated; {order_id} is {db.orders.state(order_id)}")

    try:
        db.orders.create(lines=[{"sku": "MUG-1", "qty": 99, "unit_price": "19.90"}])
    except ordercore.InsufficientStock as error:
        print(f"refused: {error} (sku {error.details['sku']})")

    for event in db.orders.timeline(cancelled["order_id"]):
        print(f"  {event['at']}  {event['from'] or '-':>15} -> {event['to']:<15} {event['command']} by {event['actor']}")
