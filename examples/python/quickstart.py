"""OrderCore quickstart in Python: receive stock, create orders, pay one, cancel another, print a timeline.

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

    try:
        db.orders.create(lines=[{"sku": "MUG-1", "qty": 99, "unit_price": "19.90"}])
    except ordercore.InsufficientStock as error:
        print(f"refused: {error} (sku {error.details['sku']})")

    for event in db.orders.timeline(cancelled["order_id"]):
        print(f"  {event['at']}  {event['from'] or '-':>15} -> {event['to']:<15} {event['command']} by {event['actor']}")
