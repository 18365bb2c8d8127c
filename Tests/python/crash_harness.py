"""Crash safety: a real workload (channel intake, create, pay, allocate, pack, ship, return, refund) runs in
a child process that is killed with SIGKILL at a random moment, again and again. After every kill the
database is reopened and checked (docs/reliability.md):

- every command the child saw succeed is there (its order is at least in the state it reached);
- nothing is half-applied: SQLite's integrity check, every balance against the ledger, every order's
  state equal to the end of its timeline and its timeline a chain, refunds never above payments;
- the change feed agrees: the last order event of every order names its current state;
- the event in flight when the child died, delivered again, is applied once (a second delivery is a
  duplicate with the same order).

    python3 Tests/python/crash_harness.py [KILLS] [SEED] [DIRECTORY]    (make soak runs 200 kills)
"""
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python"))
os.environ.setdefault("ORDERCORE_LIBRARY", str(ROOT / "dist" / "lib" / "libordercore.so.0"))
import ordercore  # noqa: E402

CSV = "order_id,placed_at,currency,status,sku,qty,unit_price\n{id},2026-01-18T10:00:00Z,CNY,paid,A1,{qty},2.50"

WORKLOAD = """
import sys
sys.path.insert(0, sys.argv[1])
import ordercore
CSV = sys.argv[4]
db = ordercore.open(sys.argv[2])
run = sys.argv[3]
say = lambda *words: print(*words, flush=True)
n = 0
while True:
    n += 1
    event, qty = f"e-{run}-{n}", 1 + n % 3
    say("begin", event)
    oid = db.intake.ingest("shop", CSV.format(id=f"o-{run}-{n}", qty=qty), event_id=event)["events"][0]["order_id"]
    say("ok", "ingest", oid, event)
    db.orders.allocate(oid); say("ok", "allocate", oid)
    db.exec("order.pack", order_id=oid, scans=[oid] + ["A1"] * qty, weight_g=0); say("ok", "pack", oid)
    db.exec("order.ship", order_id=oid, carrier="SF", tracking_no=f"T-{run}-{n}"); say("ok", "ship", oid)
    direct = db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "3.00"}])["order_id"]; say("ok", "create", direct)
    db.orders.pay(direct, payment_ref=f"P-{run}-{n}"); say("ok", "pay", direct)
    if n % 3 == 0:
        ret = db.returns.request(oid, [{"sku": "A1", "qty": 1}], "changed_mind")
        rid = ret["return_id"]
        if ret["state"] == "requested":
            db.returns.approve(rid)
        db.returns.receive(rid, "SH", [{"sku": "A1", "qty": 1}], grade="resellable")
        db.returns.refund(rid, refund_ref=f"R-{run}-{n}"); say("ok", "refund", oid)
"""

AT_LEAST = {
    "ingest": {"paid", "allocated", "picking", "packed", "shipped", "delivered", "completed"},
    "pay": {"paid", "allocated", "picking", "packed", "shipped", "delivered", "completed"},
    "allocate": {"allocated", "picking", "packed", "shipped", "delivered", "completed"},
    "pack": {"packed", "shipped", "delivered", "completed"},
    "ship": {"shipped", "delivered", "completed"},
}


def setup(path):
    with ordercore.open(str(path)) as db:
        db.skus.upsert("A1", name="Mug")
        db.warehouses.upsert("SH", priority=1)
        db.stock.receive("A1", "SH", 10_000_000)
        db.channels.upsert("shop", profile="csv")
        db.exec("config.set", key="returns.auto_approve_below", value=1000)


class Checker:
    """Follows the change feed between kills (consumer "harness") and remembers every order's last state in it."""

    def __init__(self):
        self.feed_state = {}

    def check(self, db, lines, run):
        failures = []
        check = db.check()
        if not check["ok"]:
            failures.append(f"db.check: {json.dumps(check)[:500]}")
        for events in iter(lambda: db.events.read(consumer="harness", limit=1000)[0], []):
            for e in events:
                data = e.get("data", e)
                if e["kind"] == "order":
                    self.feed_state[data["order_id"]] = data["to"]
            db.events.ack("harness", events[-1]["seq"])
        touched, in_flight = set(), None
        for words in (line.split() for line in lines):
            if words[0] == "begin":
                in_flight = words[1]
            elif words[0] == "ok":
                op, oid = words[1], words[2]
                touched.add(oid)
                if op == "ingest" and words[3] == in_flight:
                    in_flight = None
                order = db.orders.get(oid)
                if op in AT_LEAST and order["state"] not in AT_LEAST[op]:
                    failures.append(f"{oid}: {op} returned OK but the order is {order['state']}")
                if op == "refund" and order["refunded_total"] in ("0.00", None):
                    failures.append(f"{oid}: return.refund returned OK but nothing is refunded")
        for oid in touched:
            order = db.orders.get(oid)
            events = db.exec("order.timeline", order_id=oid)["events"]
            chain = all(a["to"] == b["from"] for a, b in zip(events, events[1:]))
            if not events or events[-1]["to"] != order["state"] or not chain:
                failures.append(f"{oid}: state {order['state']} but timeline {[e['to'] for e in events]}")
            if self.feed_state.get(oid) != order["state"]:
                failures.append(f"{oid}: state {order['state']} but the feed last said {self.feed_state.get(oid)}")
            paid, refunded = float(order.get("paid_total") or 0), float(order.get("refunded_total") or 0)
            if refunded > paid:
                failures.append(f"{oid}: refunded {refunded} of {paid} paid")
        redelivered = None
        if in_flight:
            n = in_flight.rsplit("-", 1)[1]
            payload = CSV.format(id=f"o-{run}-{n}", qty=1 + int(n) % 3)
            first = db.intake.ingest("shop", payload, event_id=in_flight)
            second = db.intake.ingest("shop", payload, event_id=in_flight)
            if not second.get("duplicate") or second["events"] != first["events"]:
                failures.append(f"{in_flight}: redelivered twice, not applied once: {first} / {second}")
            redelivered = "duplicate" if first.get("duplicate") else "applied"
        return failures, len(touched), redelivered


def run(kills=10, seed=1, directory=None, min_delay=0.05, max_delay=0.8):
    rng = random.Random(seed)
    directory = Path(directory or tempfile.mkdtemp(prefix="ordercore-crash-"))
    path = directory / "crash.db"
    setup(path)
    checker, failures, stats = Checker(), [], {"kills": 0, "ok_commands": 0, "redelivered": {"applied": 0, "duplicate": 0}}
    for k in range(kills):
        child = subprocess.Popen([sys.executable, "-c", WORKLOAD, str(ROOT / "bindings" / "python"), str(path), str(k), CSV],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(min_delay, max_delay))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate()
        if child.returncode != -signal.SIGKILL:
            failures.append(f"run {k}: the workload stopped by itself ({child.returncode}): {err[-500:]}")
        lines = [line for line in out.split("\n")[:-1] if line]   # the last piece may be a line cut by the kill
        with ordercore.open(str(path)) as db:
            found, _, redelivered = checker.check(db, lines, k)
        failures += [f"run {k}: {f}" for f in found]
        stats["kills"] += 1
        stats["ok_commands"] += sum(1 for line in lines if line.startswith("ok "))
        if redelivered:
            stats["redelivered"][redelivered] += 1
    with ordercore.open(str(path)) as db:
        stats["orders"] = db.reports.export({"op": "order.list"}, str(directory / "orders.jsonl"), format="jsonl")["rows"]
    return failures, stats


if __name__ == "__main__":
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else int(time.time())
    failures, stats = run(kills, seed, sys.argv[3] if len(sys.argv) > 3 else None)
    print(f"crash harness (seed {seed}): {stats['kills']} SIGKILLs, {stats['ok_commands']} commands returned OK, "
          f"{stats['orders']} orders; in-flight events redelivered: {stats['redelivered']['applied']} applied now, "
          f"{stats['redelivered']['duplicate']} already in (duplicate)")
    for failure in failures:
        print("FAIL", failure)
    print("all promises kept" if not failures else f"{len(failures)} broken promises")
    sys.exit(1 if failures else 0)
