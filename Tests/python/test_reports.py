"""Sales and payment reconciliation through the Python binding."""


def test_sales_and_reconciliation(db):
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[{"sku": "A1", "qty": 2, "unit_price": "12.50"}], at="2026-05-01T08:55:00Z")
    db.orders.pay(order["order_id"], payment_ref="GW-1", at="2026-05-01T09:00:00Z")
    sales = db.reports.sales(from_="2026-05-01T00:00:00Z", to="2026-05-02T00:00:00Z", by="total")
    assert sales["totals"][0]["gmv"] == "25.00" and sales["totals"][0]["units"] == 2
    result = db.reports.reconcile_payments("reference,amount,time\nGW-1,25.00,2026-05-01T09:00:05Z\nGW-2,3.00,2026-05-01T10:00:00Z\n")
    assert result["matched"]["count"] == 1 and result["missing_in_ordercore"]["count"] == 1
