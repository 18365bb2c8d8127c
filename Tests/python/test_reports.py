"""Sales, payment reconciliation, health and exports through the Python binding."""
import json
import os
import sqlite3
import subprocess
import sys

import pytest

import ordercore
from conftest import ROOT


def test_sales_and_reconciliation(db):
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[{"sku": "A1", "qty": 2, "unit_price": "12.50"}], at="2026-05-01T08:55:00Z")
    db.orders.pay(order["order_id"], payment_ref="GW-1", at="2026-05-01T09:00:00Z")
    sales = db.reports.sales(from_="2026-05-01T00:00:00Z", to="2026-05-02T00:00:00Z", by="total")
    assert sales["totals"][0]["gmv"] == "25.00" and sales["totals"][0]["units"] == 2
    result = db.reports.reconcile_payments("reference,amount,time\nGW-1,25.00,2026-05-01T09:00:05Z\nGW-2,3.00,2026-05-01T10:00:00Z\n")
    assert result["matched"]["count"] == 1 and result["missing_in_ordercore"]["count"] == 1


@pytest.mark.skipif(not os.path.exists("/usr/share/zoneinfo/America/New_York") and not os.environ.get("TZDIR"),
                    reason="needs tzdata (/usr/share/zoneinfo)")
def test_sales_days_follow_the_business_time_zone(db):
    """00:30 on 1 July in New York (EDT, UTC-4) is 1 July's; a fixed UTC-5 would say 30 June."""
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "3.00"}], at="2026-07-01T04:25:00Z")
    db.orders.pay(order["order_id"], at="2026-07-01T04:30:00Z")
    def days():
        sales = db.reports.sales(from_="2026-06-29T00:00:00Z", to="2026-07-03T00:00:00Z")
        return [row["day"] for row in sales["rows"]]
    db.config_set("business.utc_offset_minutes", -300)
    assert days() == ["2026-06-30"]
    db.config_set("business.time_zone", "America/New_York")
    assert days() == ["2026-07-01"]
    with pytest.raises(ordercore.InvalidInput):
        db.config_set("business.time_zone", "../../etc/passwd")


def test_health_and_export(db, tmp_path):
    db.stock.receive("A1", "SH", 5)
    order = db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "3.00"}], at="2026-05-01T08:55:00Z")
    db.orders.pay(order["order_id"], at="2026-05-01T09:00:00Z")
    health = db.reports.health(from_="2026-05-01T00:00:00Z", to="2026-05-02T00:00:00Z")
    backlog = next(c for c in health["components"] if c["component"] == "backlog")
    assert backlog["details"]["unprocessed"] == 1 and backlog["score"] == 0
    assert [c["channel"] for c in health["channels"]] == ["direct"] and health["channels"][0]["backlog_days"] is None
    result = db.reports.export({"op": "stock.ledger", "sku": "A1"}, str(tmp_path / "ledger.jsonl"), format="jsonl")
    lines = (tmp_path / "ledger.jsonl").read_text().splitlines()
    assert result["rows"] == 2 and json.loads(lines[0])["reason"] == "receive"
    with pytest.raises(ordercore.OrderCoreError) as error:
        db.reports.export({"op": "order.cancel", "order_id": order["order_id"]}, str(tmp_path / "x.csv"))
    assert error.value.code == "invalid_input" and not (tmp_path / "x.csv").exists()


EXPORT_CHILD = """
import resource, sys
sys.path.insert(0, sys.argv[1])
import ordercore
with ordercore.open(sys.argv[2]) as db:
    result = db.reports.export({"op": "stock.ledger"}, sys.argv[3], format=sys.argv[4])
print(result["rows"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _export_in_child(path, target, fmt):
    out = subprocess.run([sys.executable, "-c", EXPORT_CHILD, str(ROOT / "bindings" / "python"), str(path), str(target), fmt],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[0]), int(out[1]) // 1024


def test_a_million_row_export_streams_in_bounded_memory(tmp_path):
    """1,000,000 ledger rows exported as CSV and as JSON lines by a child process; its peak memory is
    reported and compared with exporting 10,000 rows (no time is asserted)."""
    path = tmp_path / "big.db"
    with ordercore.open(str(path)) as database:
        database.skus.upsert("A1", name="Mug")
        database.warehouses.upsert("SH", priority=1)
    with sqlite3.connect(path) as raw:   # rows written directly: the test is about reading them
        raw.execute("""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
                       INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason, ref_type, ref_id, actor)
                       SELECT 1777600000000 + i, 'A1', 'SH', 'on_hand', 1, 'receive', 'receipt', 'R-' || i, 'system' FROM n""")
    small_rows, small_mb = _export_in_child(path, tmp_path / "small.csv", "csv")
    with sqlite3.connect(path) as raw:
        raw.execute("""WITH RECURSIVE n(i) AS (SELECT 10001 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
                       INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason, ref_type, ref_id, actor)
                       SELECT 1777600000000 + i, 'A1', 'SH', 'on_hand', 1, 'receive', 'receipt', 'R-' || i, 'system' FROM n""")
    big_rows, big_mb = _export_in_child(path, tmp_path / "big.csv", "csv")
    jsonl_rows, jsonl_mb = _export_in_child(path, tmp_path / "big.jsonl", "jsonl")
    size_mb = (tmp_path / "big.csv").stat().st_size // (1 << 20)
    print(f"\nexport peak RSS: 10,000 rows {small_mb} MB; 1,000,000 rows CSV {big_mb} MB ({size_mb} MB file), JSON lines {jsonl_mb} MB")
    assert (small_rows, big_rows, jsonl_rows) == (10_000, 1_000_000, 1_000_000)
    with open(tmp_path / "big.csv") as f:
        assert sum(1 for _ in f) == 1_000_001
    # Streaming: a hundred times the rows does not take a hundred times the memory (nor the file's size).
    assert big_mb < small_mb + 64 and jsonl_mb < small_mb + 64
