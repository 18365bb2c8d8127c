"""Concurrency soak: N processes x M threads run a fixed number of mixed commands each on one database
file (create orders for scarce SKUs, pay, cancel, allocate, pack, ship, refund, return a unit and refund
it, transfer a unit to the second warehouse and receive it, read stock), then the invariants are checked
(docs/reliability.md):

- no oversell: units shipped and not returned + on hand, quarantined and in transit = units received,
  per SKU, and no balance below zero;
- the ledger equals the balances (db.check: integrity and ledger);
- refunds never exceed payments, on any order;
- every order's state is the end of its timeline, and the timeline is a chain.

It prints throughput, p50 and p99 latency per command, and how many times a caller saw `busy` or a
command lost every run to other writers (the engine waits for them and runs again itself: it should be
none).

    python3 Tests/python/soak.py [PROCESSES] [THREADS] [OPERATIONS_PER_THREAD]    (make soak: 4 4 2000)

With ORDERCORE_TEST_POSTGRESQL set (a server URI with {db}, as Tests/sql/with_postgresql.py sets it), the
processes share a fresh PostgreSQL database `soak` on that server instead of a file, as hosts would.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python"))
os.environ.setdefault("ORDERCORE_LIBRARY", str(ROOT / "dist" / "lib" / "libordercore.so.0"))
import ordercore  # noqa: E402

SKUS = {"S1": 60, "S2": 60, "S3": 400, "S4": 5_000}   # S1 and S2 run out: threads race for them

WORKER = """
import json, random, sys, threading, time
sys.path.insert(0, sys.argv[1])
import ordercore
path, proc, threads, ops = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
db = ordercore.open(path)          # one handle shared by the threads, as an ERP would
lock = threading.Lock()
latencies, errors = {}, {}

def worker(t):
    rng = random.Random(proc * 1000 + t)
    mine, shipped = [], []
    for i in range(ops):
        roll = rng.random()
        try:
            started = time.perf_counter()
            if roll < 0.40 or not mine:
                op = "order.create"
                lines = [{"sku": rng.choice(["S1", "S2", "S3", "S4"]), "qty": rng.randint(1, 3), "unit_price": "5.00"}]
                mine.append(db.orders.create(lines=lines, channel="soak")["order_id"])
            elif roll < 0.60:
                op = "order.pay"
                db.orders.pay(rng.choice(mine))
            elif roll < 0.68:
                op = "order.cancel"
                db.orders.cancel(rng.choice(mine), "soak")
            elif roll < 0.80:
                op = "order.allocate+pack+ship"
                oid = rng.choice(mine)
                order = db.orders.get(oid)
                db.orders.allocate(oid)
                scans = [oid] + [l["sku"] for l in order["lines"] for _ in range(l["qty"])]
                db.exec("order.pack", order_id=oid, scans=scans, weight_g=0)
                db.exec("order.ship", order_id=oid, carrier="SF", tracking_no=f"T{proc}-{t}-{i}")
                shipped.append(oid)
            elif roll < 0.83:
                op = "order.refund"
                db.exec("order.refund", order_id=rng.choice(mine), amount="1.00", refund_ref=f"R{proc}-{t}-{i}")
            elif roll < 0.87:
                op = "return (request+approve+receive+refund)"
                r = db.exec("return.request", order_id=rng.choice(shipped or mine), reason="changed_mind",
                            lines=[{"line_no": 1, "qty": 1}])
                if r["state"] == "requested":
                    db.exec("return.approve", return_id=r["return_id"])
                db.exec("return.receive", return_id=r["return_id"], warehouse="SH", lines=[{"line_no": 1, "resellable": 1}])
                db.exec("return.refund", return_id=r["return_id"])
            elif roll < 0.90:
                op = "stock.transfer+receive"
                sent = db.exec("stock.transfer", **{"from": "SH", "to": "BJ", "lines": [{"sku": rng.choice(["S3", "S4"]), "qty": 1}]})
                db.exec("stock.transfer_receive", transfer_id=sent["transfer_id"])
            else:
                op = "stock.get"
                db.stock.get(rng.choice(["S1", "S2", "S3", "S4"]))
            elapsed = time.perf_counter() - started
            with lock:
                latencies.setdefault(op, []).append(elapsed)
        except ordercore.OrderCoreError as e:
            # A command that lost every run to other writers is no refusal of the work: counted apart.
            code = "lost to other writers" if "changed by another writer" in e.message else e.code
            with lock:
                errors[code] = errors.get(code, 0) + 1

started = time.perf_counter()
pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
for th in pool: th.start()
for th in pool: th.join()
print(json.dumps({"seconds": time.perf_counter() - started, "latencies": latencies, "errors": errors}))
"""


def setup(path):
    with ordercore.open(str(path)) as db:
        db.warehouses.upsert("SH", priority=1)
        db.warehouses.upsert("BJ", priority=2)
        for sku, units in SKUS.items():
            db.skus.upsert(sku, name=sku)
            db.stock.receive(sku, "SH", units)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def postgresql_database(template, name):
    """A fresh database `name` on the server of a URI template with {db}; its URI."""
    sys.path.insert(0, str(ROOT / "Tests" / "sql"))
    import pgcluster
    admin = pgcluster.Connection(template.format(db="postgres"))
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        if admin.run(sql):
            raise RuntimeError(f"{sql}: {admin.run(sql)}")
    admin.close()
    return template.format(db=name)


def check(path, directory):
    failures = []
    with ordercore.open(str(path)) as db:
        result = db.check()
        if not result["ok"]:
            failures.append(f"db.check: {json.dumps(result)[:500]}")
        export = directory / "orders.jsonl"
        orders = db.reports.export({"op": "order.list", "channel": "soak"}, str(export), format="jsonl")
        sold = {sku: 0 for sku in SKUS}
        for line in export.read_text().splitlines():
            oid = json.loads(line)["order_id"]
            order = db.orders.get(oid)
            for l in order["lines"]:
                sold[l["sku"]] += l.get("shipped", 0) - l.get("returned", 0)
            events = db.exec("order.timeline", order_id=oid)["events"]
            if events[-1]["to"] != order["state"] or any(a["to"] != b["from"] for a, b in zip(events, events[1:])):
                failures.append(f"{oid}: state {order['state']}, timeline {[e['to'] for e in events]}")
            if float(order.get("refunded_total") or 0) > float(order.get("paid_total") or 0):
                failures.append(f"{oid}: refunded {order['refunded_total']} of {order['paid_total']} paid")
        for sku, received in SKUS.items():
            stock = db.stock.get(sku)
            if stock["on_hand"] < 0 or stock["reserved"] < 0 or stock["available"] < 0:
                failures.append(f"{sku}: negative balance {stock}")
            kept = stock["on_hand"] + stock["quarantine"] + stock["in_transit"]
            if sold[sku] + kept != received:
                failures.append(f"{sku}: shipped and not returned {sold[sku]} + kept {kept} (on hand, quarantined, "
                                f"in transit) != received {received}")
        return failures, orders["rows"], sold


def run(processes=2, threads=4, ops=150, directory=None, database=None):
    """The soak on `database` (a PostgreSQL URI), or on a file in `directory`."""
    directory = Path(directory or tempfile.mkdtemp(prefix="ordercore-soak-"))
    path = database or str(directory / "soak.db")
    setup(path)
    started = time.perf_counter()
    children = [subprocess.Popen([sys.executable, "-c", WORKER, str(ROOT / "bindings" / "python"), str(path), str(p), str(threads), str(ops)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in range(processes)]
    reports = []
    for child in children:
        out, err = child.communicate(timeout=3600)
        if child.returncode != 0:
            raise RuntimeError(f"worker failed ({child.returncode}): {err[-2000:]}")
        reports.append(json.loads(out))
    wall = time.perf_counter() - started
    latencies, errors = {}, {}
    for r in reports:
        for op, values in r["latencies"].items():
            latencies.setdefault(op, []).extend(values)
        for code, n in r["errors"].items():
            errors[code] = errors.get(code, 0) + n
    failures, orders, sold = check(path, directory)
    done = sum(len(v) for v in latencies.values())
    stats = {"processes": processes, "threads": threads, "operations": processes * threads * ops, "succeeded": done,
             "seconds": wall, "per_second": done / wall, "errors": errors,
             "busy": errors.get("busy", 0) + errors.get("lost to other writers", 0), "orders": orders, "shipped": sold,
             "latency_ms": {op: (percentile(v, 50) * 1e3, percentile(v, 99) * 1e3, len(v)) for op, v in sorted(latencies.items())}}
    return failures, stats


def describe(stats):
    lines = [f"soak: {stats['processes']} processes x {stats['threads']} threads, {stats['operations']} commands "
             f"({stats['succeeded']} succeeded) in {stats['seconds']:.1f} s: {stats['per_second']:.0f} commands/s; "
             f"{stats['orders']} orders, units shipped and not returned {stats['shipped']}",
             f"  refused (expected, e.g. insufficient_stock, conflict): {stats['errors']}; busy or lost to other "
             f"writers, seen by callers: {stats['busy']}"]
    for op, (p50, p99, n) in stats["latency_ms"].items():
        lines.append(f"  {op:<26} n={n:<6} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
    return "\n".join(lines)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:4]]
    template = os.environ.get("ORDERCORE_TEST_POSTGRESQL")
    failures, stats = run(*args, database=template and postgresql_database(template, "soak"))
    print(describe(stats))
    for failure in failures:
        print("FAIL", failure)
    print("all invariants hold" if not failures and stats["busy"] == 0 else "BROKEN")
    sys.exit(1 if failures or stats["busy"] else 0)
