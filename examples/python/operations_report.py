"""The morning operations report from a script: the health score, what needs a person, yesterday's sales,
the dashboard as one HTML file, and the paid orders still waiting for allocation as CSV.

    make build
    PYTHONPATH=bindings/python ORDERCORE_LIBRARY=dist/lib/libordercore.so.0 \\
        python3 examples/python/operations_report.py ordercore.db reports/

Run on an existing database it reports on what is there; on a new one it first records a few orders.
"""
import os
import sys

import ordercore

path = sys.argv[1] if len(sys.argv) > 1 else "operations.db"
out = sys.argv[2] if len(sys.argv) > 2 else "."
os.makedirs(out, exist_ok=True)

with ordercore.open(path) as db:
    if not db.exec("order.list", limit=1)["orders"]:
        db.skus.upsert("MUG-1", name="Mug")
        db.warehouses.upsert("SH", name="Shanghai", priority=1)
        db.stock.receive("MUG-1", "SH", 50)
        for n in range(6):
            order = db.orders.create(channel="web" if n % 2 else "app", lines=[{"sku": "MUG-1", "qty": 1, "unit_price": "19.90"}])
            db.orders.pay(order["order_id"], payment_ref=f"PAY-{n}")
            if n < 4:
                db.orders.allocate(order["order_id"])
                db.exec("order.pack", order_id=order["order_id"], scans=[order["order_id"], "MUG-1"], weight_g=0)
                db.exec("order.ship", order_id=order["order_id"], carrier="SF", tracking_no=f"SF{n}")

    health = db.reports.health(verify=True)
    print(f"health {health['score']} ({health['grade']})")
    for c in health["components"]:
        print(f"  {c['component']:<14} {str(c['value']):>8} {c['unit']:<13} score {str(c['score']):>4}  {c['grade'] or '-'}")

    items = db.reports.alerts(limit=5)["items"]
    print(f"{len(items)} things need a person" + (":" if items else ""))
    for item in items:
        print(f"  [{item['severity']}] {item['kind']}: {item['resolve']}")

    for total in db.reports.sales(by="total")["totals"]:
        print(f"sales, last 7 days: {total['orders']} orders, GMV {total['gmv']} {total['currency']}, net {total['net']}")

    page = db.reports.html(os.path.join(out, "dashboard.html"))
    print(f"dashboard: {page['path']} ({page['bytes']} bytes)")
    waiting = db.reports.export({"op": "order.list", "state": "paid"}, os.path.join(out, "waiting-for-allocation.csv"))
    print(f"paid, waiting for allocation: {waiting['rows']} orders in {waiting['path']}")
    cod = db.reports.export({"op": "order.list", "state": "pending_payment", "cash_on_delivery": True},
                            os.path.join(out, "cash-on-delivery-waiting-for-allocation.csv"))
    print(f"cash on delivery, waiting for allocation: {cod['rows']} orders in {cod['path']}")
