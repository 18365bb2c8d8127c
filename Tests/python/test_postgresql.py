"""The same engine on a shared PostgreSQL database (issue 18): a throwaway cluster (Tests/sql/pgcluster.py)
is started for this module. One scenario of every kind of command gives the same answers, byte for byte,
on an SQLite file and on PostgreSQL; processes sharing the PostgreSQL database never oversell."""
import getpass
import json
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

import ordercore

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "sql"))
import pgcluster  # noqa: E402

pytestmark = pytest.mark.skipif(pgcluster.available() is not None, reason=str(pgcluster.available()))


@pytest.fixture(scope="module")
def cluster():
    with pgcluster.Cluster() as c:
        yield c


@pytest.fixture
def pg_uri(cluster, request):
    """A fresh database of its own for each test."""
    name = "t_" + request.node.name.lower().replace("[", "_").replace("]", "")[:50]
    admin = cluster.connect()
    assert admin.run(f"DROP DATABASE IF EXISTS {name}") is None
    assert admin.run(f"CREATE DATABASE {name}") is None
    admin.close()
    return cluster.uri(name)


def database_name(uri):
    """The database a test's URI names."""
    return uri.split("/")[3].split("?")[0]


def assert_no_deadlocks(cluster, uri):
    """PostgreSQL's own count of deadlocks in the test's database is still 0."""
    admin = cluster.connect()
    assert admin.value(f"SELECT deadlocks FROM pg_stat_database WHERE datname = '{database_name(uri)}'") == "0"
    admin.close()


def at(day, hour=10, minute=0):
    return f"2026-06-{day:02d}T{hour:02d}:{minute:02d}:00Z"


SCENARIO = [
    ("actor.upsert", {"actor_id": "lead", "role": "supervisor", "at": at(1)}),
    ("sku.upsert", {"sku": "A1", "name": "Mug", "barcode": "690001", "unit_cost": "4.00", "category": "kitchen",
                    "at": at(1)}),
    ("sku.upsert", {"sku": "B2", "name": "Tea", "barcode": "690002", "weight_g": 100, "at": at(1)}),
    ("warehouse.upsert", {"warehouse": "SH", "priority": 1, "at": at(1)}),
    ("warehouse.upsert", {"warehouse": "BJ", "priority": 2, "at": at(1)}),
    ("channel.upsert", {"channel": "web", "at": at(1)}),
    ("stock.receive", {"sku": "A1", "warehouse": "SH", "qty": 20, "at": at(1)}),
    ("stock.receive", {"sku": "B2", "warehouse": "SH", "qty": 5, "at": at(1)}),
    ("stock.receive", {"sku": "B2", "warehouse": "BJ", "qty": 5, "at": at(1)}),
    ("stock.safety", {"sku": "A1", "warehouse": "SH", "qty": 2, "at": at(1)}),
    ("order.create", {"channel": "web", "lines": [{"sku": "A1", "qty": 2, "unit_price": "19.90"},
                                                  {"sku": "B2", "qty": 1, "unit_price": "5.00"}],
                      "customer": {"id": "c-1", "email": "Wang@Example.com", "phone": "13800000001"},
                      "ship_to": {"country": "CN", "region": "ZJ", "city": "Hangzhou"}, "at": at(2)}),
    ("order.pay", {"order_id": "SO-000001", "payment_ref": "PAY-1", "at": at(2, 10, 5)}),
    ("order.allocate", {"order_id": "SO-000001", "at": at(2, 12)}),
    ("order.pack", {"order_id": "SO-000001", "scans": ["SO-000001", "690001", "690001", "690002"],
                    "weight_g": 0, "at": at(2, 13)}),
    ("order.ship", {"order_id": "SO-000001", "carrier": "SF", "tracking_no": "SF1", "at": at(2, 14)}),
    ("tracking.event", {"carrier": "SF", "tracking_no": "SF1", "status": "delivered", "time": at(3),
                        "at": at(3)}),
    ("order.create", {"channel": "web", "lines": [{"sku": "B2", "qty": 9, "unit_price": "5.00"}], "at": at(3)}),
    ("order.cancel", {"order_id": "SO-000002", "reason": "buyer changed their mind", "at": at(3, 11)}),
    ("order.cancel", {"order_id": "SO-000002", "reason": "again", "at": at(3, 12)}),
    ("order.create", {"channel": "web", "lines": [{"sku": "A1", "qty": 99, "unit_price": "1.00"}], "at": at(3)}),
    ("order.create", {"channel": "web", "lines": [{"sku": "A1", "qty": 1, "unit_price": "19.90"}],
                      "customer": {"id": "c-2"}, "at": at(4)}),
    ("return.request", {"order_id": "SO-000001", "reason": "changed_mind", "lines": [{"line_no": 1, "qty": 1}],
                        "at": at(5)}),
    ("return.approve", {"return_id": "RT-000001", "at": at(5, 11)}),
    ("return.receive", {"return_id": "RT-000001", "warehouse": "SH", "lines": [{"line_no": 1, "resellable": 1}],
                        "at": at(6)}),
    ("return.refund", {"return_id": "RT-000001", "at": at(6, 11)}),
    ("stock.transfer", {"from": "SH", "to": "BJ", "lines": [{"sku": "A1", "qty": 3}], "at": at(6)}),
    ("stock.transfer_receive", {"transfer_id": "TR-000001", "at": at(7)}),
    ("stock.count", {"warehouse": "BJ", "counts": [{"sku": "B2", "qty": 4}], "at": at(7), "actor": "lead"}),
    ("sweep", {"at": at(8, 1)}),
    ("events.read", {"consumer": "erp", "limit": 1000, "at": at(8)}),
    ("events.ack", {"consumer": "erp", "cursor": 5, "at": at(8)}),
    ("order.find", {"email": "wang@example.com", "at": at(8)}),
    ("order.view", {"order_id": "SO-000001", "at": at(8)}),
    ("order.timeline", {"order_id": "SO-000001", "at": at(8)}),
    ("stock.get", {"sku": "A1", "at": at(8)}),
    ("stock.board", {"at": at(8)}),
    ("stock.replenishment", {"all": True, "at": at(8)}),
    ("stock.valuation", {"at": at(8)}),
    ("stock.ledger", {"sku": "A1", "at": at(8)}),
    ("stock.verify", {"at": at(8)}),
    ("report.sales", {"from": at(1), "to": at(9), "by": "sku", "at": at(8)}),
    ("report.health", {"from": at(1), "to": at(9), "at": at(8)}),
    ("report.funnel", {"from": at(1), "to": at(9), "at": at(8)}),
    ("report.regions", {"from": at(1), "to": at(9), "at": at(8)}),
    ("report.basket", {"from": at(1), "to": at(9), "min_orders": 1, "at": at(8)}),
    ("report.pickers", {"from": at(1), "to": at(9), "at": at(8)}),
    ("report.alerts", {"at": at(8)}),
    ("customer.returns", {"customer": "c-1", "at": at(8)}),
    ("order.list", {"at": at(8)}),
]


def play(path):
    """Each command's answer (or error code) in order, as canonical JSON, with order ids numbered in order
    of first appearance: on PostgreSQL an order that failed to be created leaves a gap in the ids."""
    answers, renamed = [], {}
    with ordercore.open(path) as db:
        for op, args in SCENARIO:
            try:
                answers.append(json.dumps(db.exec(op, **args), sort_keys=True))
            except ordercore.OrderCoreError as e:
                answers.append(json.dumps({"error": e.code, "message": e.message}))
    return [re.sub(r"SO-\d{6}", lambda m: renamed.setdefault(m.group(0), f"order#{len(renamed) + 1}"), a)
            for a in answers]


def test_every_kind_of_command_answers_the_same_on_sqlite_and_postgresql(tmp_path, pg_uri):
    sqlite, postgresql = play(str(tmp_path / "parity.db")), play(pg_uri)
    for (op, _), a, b in zip(SCENARIO, sqlite, postgresql):
        assert a == b, f"{op} answers differently on PostgreSQL"
    assert json.loads(postgresql[SCENARIO.index(next(s for s in SCENARIO if s[0] == "stock.verify"))])["ok"]


def paid_mug_order(db, qty=1):
    """A paid order of `qty` units of A1 (`stock_one_sku`) at 1.00 each: its id."""
    return db.exec("order.create", payment={}, lines=[{"sku": "A1", "qty": qty, "unit_price": "1.00"}])["order_id"]


def stock_one_sku(uri, sku, name, qty):
    """A SKU with `qty` units in warehouse SH, the only one."""
    with ordercore.open(uri) as db:
        db.exec("sku.upsert", sku=sku, name=name)
        db.exec("warehouse.upsert", warehouse="SH", priority=1)
        db.exec("stock.receive", sku=sku, warehouse="SH", qty=qty)


def run_all(threads):
    """Starts the threads, then waits for every one."""
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def on_hosts(*work):
    """Runs each `(function, args)` in a process of its own, called as `function(*args, start, results)`:
    each waits on `start` (a barrier) once its handle is open, so their commands overlap, and puts its
    answer on `results`. Returns the answers."""
    context = multiprocessing.get_context("spawn")
    results, start = context.Queue(), context.Barrier(len(work))
    hosts = [context.Process(target=function, args=(*args, start, results)) for function, args in work]
    for h in hosts:
        h.start()
    answers = [results.get(timeout=300) for _ in hosts]
    for h in hosts:
        h.join(60)
    return answers


def sell_one_at_a_time(uri, threads, attempts, results):
    """A host: `threads` threads, each with a handle of its own, each trying `attempts` paid orders of one unit."""
    def sell(counts):
        with ordercore.open(uri) as db:
            for _ in range(attempts):
                try:
                    order = db.exec("order.create", lines=[{"sku": "HOT", "qty": 1, "unit_price": "1.00"}])
                    db.exec("order.pay", order_id=order["order_id"])
                    counts[0] += 1
                except ordercore.InsufficientStock:
                    counts[1] += 1
    counts = [[0, 0] for _ in range(threads)]
    workers = [threading.Thread(target=sell, args=(c,)) for c in counts]
    run_all(workers)
    results.put((sum(c[0] for c in counts), sum(c[1] for c in counts)))


def test_hosts_sharing_the_database_never_oversell_a_hot_sku(pg_uri):
    """3 hosts x 4 threads try 1,200 paid orders of a SKU with 1,000 units: exactly 1,000 are sold."""
    stock_one_sku(pg_uri, "HOT", "Flash sale", 1000)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    hosts = [context.Process(target=sell_one_at_a_time, args=(pg_uri, 4, 100, results)) for _ in range(3)]
    for h in hosts:
        h.start()
    outcomes = [results.get(timeout=300) for _ in hosts]
    for h in hosts:
        h.join(timeout=60)
    assert sum(s for s, _ in outcomes) == 1000 and sum(r for _, r in outcomes) == 200
    with ordercore.open(pg_uri) as db:
        stock = db.exec("stock.get", sku="HOT")
        assert stock["reserved"] == 1000 and stock["available"] == 0
        assert db.exec("stock.verify")["ok"]


def place_paid_orders(uri, seed, count):
    """A host placing paid orders of one to three of five SKUs, from two threads: one shipping from SH,
    the other from BJ (writers of one SKU that lock different balance rows)."""
    def place(rng, warehouse):
        with ordercore.open(uri) as db:
            for _ in range(count):
                skus = rng.sample(["S1", "S2", "S3", "S4", "S5"], rng.randint(1, 3))
                order = db.exec("order.create", warehouse=warehouse,
                                lines=[{"sku": s, "qty": 1, "unit_price": "1.00"} for s in skus])
                db.exec("order.pay", order_id=order["order_id"])
    workers = [threading.Thread(target=place, args=(random.Random(seed * 10 + i), warehouse))
               for i, warehouse in enumerate(["SH", "BJ"])]
    run_all(workers)


def test_the_change_feed_is_read_in_commit_order_while_hosts_write(pg_uri):
    """A consumer reading after its cursor while 3 hosts place orders sees every event exactly once, each
    order's creation before its payment, and the last sellable quantity published is the true one."""
    with ordercore.open(pg_uri) as db:
        db.exec("warehouse.upsert", warehouse="SH", priority=1)
        db.exec("warehouse.upsert", warehouse="BJ", priority=2)
        db.exec("channel.upsert", channel="web", name="Web shop")
        for sku in ["S1", "S2", "S3", "S4", "S5"]:
            db.exec("sku.upsert", sku=sku, name=sku)
            db.exec("stock.receive", sku=sku, warehouse="SH", qty=10000)
            db.exec("stock.receive", sku=sku, warehouse="BJ", qty=10000)
        start = db.exec("events.read", limit=1)["head"]
    context = multiprocessing.get_context("spawn")
    hosts = [context.Process(target=place_paid_orders, args=(pg_uri, seed, 40)) for seed in range(3)]
    for h in hosts:
        h.start()
    seen = []
    with ordercore.open(pg_uri) as db:
        def read():
            page = db.exec("events.read", after=seen[-1]["seq"] if seen else start, limit=50)["events"]
            seen.extend(page)
            return page
        while any(h.is_alive() for h in hosts):
            read()
        for h in hosts:
            h.join(timeout=60)
            assert h.exitcode == 0
        while read():
            pass
        everything = db.exec("events.read", after=start, limit=10000)["events"]
        assert [e["seq"] for e in seen] == [e["seq"] for e in everything]
        orders = [e for e in seen if e["kind"] == "order"]
        assert len(orders) == 3 * 2 * 40 * 2
        for order_id in {e["order_id"] for e in orders}:
            assert [e["to"] for e in orders if e["order_id"] == order_id] == ["pending_payment", "paid"]
        last = {e["sku"]: e["sellable"] for e in seen if e["kind"] == "sellable"}
        for sku, sellable in last.items():
            assert sellable == db.exec("stock.get", sku=sku)["available"]
        assert db.exec("stock.verify")["ok"]


def test_writers_of_one_sku_in_two_warehouses_publish_the_true_sellable_quantity(pg_uri):
    """Two hosts sell the same SKU at the same moment, each from its own warehouse (no balance row in
    common): after every round the last quantity published to the channel is what is really sellable."""
    with ordercore.open(pg_uri) as db:
        db.exec("channel.upsert", channel="web", name="Web shop")
        db.exec("sku.upsert", sku="A1", name="Mug")
        for warehouse in ["SH", "BJ"]:
            db.exec("warehouse.upsert", warehouse=warehouse, priority=1)
            db.exec("stock.receive", sku="A1", warehouse=warehouse, qty=1000)
    rounds, start = 60, threading.Barrier(3, timeout=60)
    def sell(warehouse):
        with ordercore.open(pg_uri) as db:
            for _ in range(rounds):
                start.wait()
                db.exec("order.create", warehouse=warehouse, lines=[{"sku": "A1", "qty": 1, "unit_price": "1.00"}])
                start.wait()
    hosts = [threading.Thread(target=sell, args=(w,)) for w in ["SH", "BJ"]]
    for h in hosts:
        h.start()
    with ordercore.open(pg_uri) as db:
        cursor = 0
        for _ in range(rounds):
            start.wait()
            start.wait()
            events = db.exec("events.read", after=cursor, kinds=["sellable"], limit=1000)["events"]
            cursor = events[-1]["seq"] if events else cursor
            assert events and events[-1]["sellable"] == db.exec("stock.get", sku="A1")["available"]
    for h in hosts:
        h.join()


def place_and_cancel(uri, seed, results):
    """A host whose two threads place orders of two or three of four SKUs and cancel every other one."""
    def work(rng, live, failures):
        with ordercore.open(uri) as db:
            for i in range(30):
                skus = rng.sample(["S1", "S2", "S3", "S4"], rng.randint(2, 3))
                lines = [{"sku": s, "qty": rng.randint(1, 4), "unit_price": "1.00"} for s in skus]
                try:
                    order = db.exec("order.create", lines=lines)
                    if i % 2:
                        db.exec("order.cancel", order_id=order["order_id"], reason="changed their mind")
                    else:
                        live.append(order["order_id"])
                except ordercore.InsufficientStock:
                    pass
                except ordercore.OrderCoreError as e:
                    failures.append(f"{e.code}: {e.message}")
    live, failures = [], []
    workers = [threading.Thread(target=work, args=(random.Random(seed * 10 + i), live, failures)) for i in range(2)]
    run_all(workers)
    results.put((live, failures))


def test_hosts_placing_and_cancelling_orders_of_shared_skus_never_deadlock(pg_uri, cluster):
    """Orders of overlapping SKUs, split over two warehouses, placed and cancelled from 3 hosts at once:
    balance rows are locked in one order by every writer, so PostgreSQL never finds a deadlock, no command
    fails, and every unit held belongs to a live order."""
    with ordercore.open(pg_uri) as db:
        db.exec("warehouse.upsert", warehouse="SH", priority=1)
        db.exec("warehouse.upsert", warehouse="BJ", priority=2)
        for sku in ["S1", "S2", "S3", "S4"]:
            db.exec("sku.upsert", sku=sku, name=sku)
            db.exec("stock.receive", sku=sku, warehouse="SH", qty=3)  # most orders split or go to BJ
            db.exec("stock.receive", sku=sku, warehouse="BJ", qty=1000)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    hosts = [context.Process(target=place_and_cancel, args=(pg_uri, seed, results)) for seed in range(3)]
    for h in hosts:
        h.start()
    outcomes = [results.get(timeout=300) for _ in hosts]
    for h in hosts:
        h.join(60)
    assert [f for _, failures in outcomes for f in failures] == []
    with ordercore.open(pg_uri) as db:
        held = {}
        for order_id in [i for live, _ in outcomes for i in live]:
            for line in db.exec("order.get", order_id=order_id)["lines"]:
                held[line["sku"]] = held.get(line["sku"], 0) + line["reserved"]
        for sku in ["S1", "S2", "S3", "S4"]:
            assert db.exec("stock.get", sku=sku)["reserved"] == held.get(sku, 0)
        assert db.exec("stock.verify")["ok"]


CSV_HEADER = "order_id,placed_at,currency,status,sku,qty,unit_price"
CSV_ROW = "{id},2026-01-18T10:00:00Z,CNY,{status},{sku},1,2.50"
CSV_EVENT = CSV_HEADER + "\n" + CSV_ROW


def channel_events():
    """Per order, the events its channel sends: created (pending), paid, and for every third cancelled."""
    events = []
    for i in range(40):
        statuses = ["pending", "paid"] + (["cancelled"] if i % 3 == 0 else [])
        events += [(f"o-{i}", status, CSV_EVENT.format(id=f"o-{i}", status=status, sku=f"S{i % 4}"))
                   for status in statuses]
    return events


def ingest_all(uri, events, seed, results):
    """A host that receives every event of the channel, in an order of its own, and applies each."""
    random.Random(seed).shuffle(events)
    failures = []
    with ordercore.open(uri) as db:
        for order, status, payload in events:
            try:
                db.exec("intake.ingest", channel="shop", event_id=f"{order}-{status}", payload=payload)
            except ordercore.OrderCoreError as e:
                failures.append(f"{order} {status}: {e.code}: {e.message}")
    results.put(failures)


def ingest_on_three_hosts(uri, events):
    """Three host processes each take in every one of `events` at once; what failed, on any of them."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    hosts = [context.Process(target=ingest_all, args=(uri, list(events), seed, results)) for seed in range(3)]
    for h in hosts:
        h.start()
    failures = [f for _ in hosts for f in results.get(timeout=300)]
    for h in hosts:
        h.join(60)
    return failures


def test_hosts_ingesting_one_channels_events_in_any_order_apply_each_once(pg_uri):
    """Three hosts receive every event of a channel (created, paid, cancelled), each in its own order, at
    the same time: intake runs beside itself, each event is applied once, each order exists once, and it
    ends where its channel's last word puts it (cancelled over paid over pending)."""
    with ordercore.open(pg_uri) as db:
        db.exec("warehouse.upsert", warehouse="SH")
        for sku in ["S0", "S1", "S2", "S3"]:
            db.exec("sku.upsert", sku=sku, name=sku)
            db.exec("stock.receive", sku=sku, warehouse="SH", qty=100)
        db.exec("channel.upsert", channel="shop", profile="csv")
    events = channel_events()
    assert ingest_on_three_hosts(pg_uri, events) == []
    with ordercore.open(pg_uri) as db:
        orders = db.exec("order.list", limit=1000)["orders"]
        assert sorted(o["external_id"] for o in orders) == sorted({order for order, _, _ in events})
        for o in orders:
            statuses = {status for order, status, _ in events if order == o["external_id"]}
            assert o["state"] == ("cancelled" if "cancelled" in statuses else "paid"), o
        assert db.exec("stock.verify")["ok"]
        held = sum(db.exec("stock.get", sku=sku)["reserved"] for sku in ["S0", "S1", "S2", "S3"])
        assert held == sum(1 for o in orders if o["state"] == "paid")
        assert db.exec("intake.dead_letters")["total"] == 0


def test_hosts_selling_their_channels_orders_at_once_keep_orders_and_stock_consistent(pg_uri):
    """Random traffic of four channels, each from a host of its own, over the same SKUs and warehouses
    (test_random_channel_traffic.py): each channel's orders end where it says, and orders and stock add up."""
    from test_random_channel_traffic import traffic_of_four_processes
    traffic_of_four_processes(pg_uri, seed=1)


SHIPPING_CSV = {
    "profile": "csv_shipped", "format": "csv", "group_by": "order_id",
    "events": [{
        "type": "order", "when": {"order_id": True},
        "fields": {"external_id": "order_id", "placed_at": "placed_at", "currency": "currency"},
        "lines": {"path": "rows", "fields": {"sku": "sku", "qty": "qty", "unit_price": "unit_price"}},
        "status": {"value": "status",
                   "inbound": {"pending": "pending_payment", "paid": "paid", "shipped": "shipped"}},
    }],
}


def shipped_events():
    """Per order of two lines, the events its channel sends (created, paid, shipped by the merchant); half
    the orders name their SKUs in the other order, so shipping them line by line would take the same
    balance rows in opposite orders."""
    events = []
    for i in range(30):
        skus = (f"S{i % 3}", f"S{(i + 1) % 3}")[:: 1 if i % 2 else -1]
        for status in ("pending", "paid", "shipped"):
            rows = [CSV_ROW.format(id=f"o-{i}", status=status, sku=sku) for sku in skus]
            events.append((f"o-{i}", status, "\n".join([CSV_HEADER] + rows)))
    return events


def test_hosts_shipping_one_channels_orders_take_balance_rows_in_one_order(cluster, pg_uri):
    """Three hosts apply every event of a channel's two-line orders, shipped by the merchant, each in its
    own order at once: the units leave once, and no two hosts ever deadlock on the balance rows."""
    with ordercore.open(pg_uri) as db:
        db.exec("warehouse.upsert", warehouse="SH")
        for sku in ["S0", "S1", "S2"]:
            db.exec("sku.upsert", sku=sku, name=sku)
            db.exec("stock.receive", sku=sku, warehouse="SH", qty=100)
        db.exec("intake.profile_set", profile=SHIPPING_CSV)
        db.exec("channel.upsert", channel="shop", profile="csv_shipped")
    assert ingest_on_three_hosts(pg_uri, shipped_events()) == []
    with ordercore.open(pg_uri) as db:
        orders = db.exec("order.list", limit=1000)["orders"]
        assert len(orders) == 30 and all(o["state"] == "shipped" for o in orders)
        for sku in ["S0", "S1", "S2"]:
            stock = db.exec("stock.get", sku=sku)
            assert (stock["on_hand"], stock["reserved"]) == (80, 0), stock
        assert db.exec("stock.verify")["ok"]
        assert db.exec("intake.dead_letters")["total"] == 0
    assert_no_deadlocks(cluster, pg_uri)


def send_keyed_orders(uri, answers):
    with ordercore.open(uri) as db:
        answers.put([db.exec("order.create", idempotency_key=f"checkout-{i}",
                             lines=[{"sku": "A1", "qty": 1, "unit_price": "1.00"}]) for i in range(30)])


def test_a_request_retried_on_another_host_while_the_first_runs_is_answered_once(pg_uri):
    stock_one_sku(pg_uri, "A1", "Mug", 30)  # a duplicate run would find none left
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    hosts = [context.Process(target=send_keyed_orders, args=(pg_uri, answers)) for _ in range(3)]
    for h in hosts:
        h.start()
    replies = [answers.get(timeout=120) for _ in hosts]
    for h in hosts:
        h.join(timeout=60)
    assert replies[0] == replies[1] == replies[2]
    with ordercore.open(pg_uri) as db:
        assert len(db.exec("order.list", limit=100)["orders"]) == 30
        assert db.exec("stock.get", sku="A1")["reserved"] == 30


def test_an_sqlite_only_command_says_what_to_use_instead(pg_uri, tmp_path):
    with ordercore.open(pg_uri) as db:
        with pytest.raises(ordercore.InvalidInput) as refused:
            db.exec("db.backup", path=str(tmp_path / "copy.db"))
        assert "pg_dump" in refused.value.message
        assert db.exec("db.check")["ok"]


def test_a_payload_holding_a_nul_character_is_refused_and_stores_nothing(pg_uri):
    """PostgreSQL text cannot hold U+0000: a channel payload with one is refused as invalid input, nothing
    stored, and the handle goes on."""
    with ordercore.open(pg_uri) as db:
        db.exec("channel.upsert", channel="shop", profile="csv")
        with pytest.raises(ordercore.InvalidInput, match="NUL character"):
            db.exec("intake.ingest", channel="shop", event_id="e1", payload=CSV_EVENT.format(
                id="o-\u0000", status="paid", sku="A1"))
        assert db.exec("intake.dead_letters")["total"] == 0
        # Its event id was not taken: the same event, without the NUL, is applied as new.
        db.exec("warehouse.upsert", warehouse="SH")
        db.exec("sku.upsert", sku="A1", name="Mug")
        db.exec("stock.receive", sku="A1", warehouse="SH", qty=1)
        assert db.exec("intake.ingest", channel="shop", event_id="e1", payload=CSV_EVENT.format(
            id="o-1", status="paid", sku="A1"))["state"] == "applied"


def test_libpq_keyword_strings_open_postgresql_too(cluster, pg_uri):
    name = database_name(pg_uri)
    with ordercore.open(f"host={cluster.dir} port={cluster.port} user=ordercore dbname={name}") as db:
        assert db.exec("sku.upsert", sku="K1", name="Keyword")["created"]
    with pytest.raises(ordercore.OrderCoreError) as refused:
        ordercore.open("host=127.0.0.1 port=1 dbname=orders password=secret connect_timeout=2")
    assert refused.value.code == "io" and "secret" not in refused.value.message
    assert "password=***" in refused.value.message


def test_a_wrong_address_is_a_clear_error_without_the_password():
    with pytest.raises(ordercore.OrderCoreError) as refused:
        ordercore.open("postgresql://erp:secret@127.0.0.1:1/orders?connect_timeout=2")
    assert refused.value.code == "io" and "secret" not in refused.value.message
    assert "erp:***@127.0.0.1" in refused.value.message
    with pytest.raises(ordercore.OrderCoreError) as refused:
        ordercore.open("postgresql://erp@127.0.0.1:1/orders?password=secret&connect_timeout=2")
    assert "secret" not in refused.value.message and "?password=***&connect_timeout=2" in refused.value.message


def test_the_shell_opens_a_postgresql_uri(pg_uri):
    script = f"""actor upsert {getpass.getuser()} role=admin
sku upsert A1 name=Mug
warehouse upsert SH priority=1
stock receive A1 SH 5
.mode json
stock get A1
"""
    result = subprocess.run([os.environ["ORDERCORE_SHELL"], pg_uri], input=script, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["available"] == 5


def run_a_long_batch(uri, ready):
    with ordercore.open(uri) as db:
        ready.set()
        db.exec_batch([{"op": "order.create", "lines": [{"sku": "A1", "qty": 1, "unit_price": "1.00"}]}] * 100000)


def test_a_host_killed_mid_transaction_frees_the_lock_and_applies_nothing(pg_uri, cluster):
    stock_one_sku(pg_uri, "A1", "Mug", 1000000)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    host = context.Process(target=run_a_long_batch, args=(pg_uri, ready))
    host.start()
    assert ready.wait(60)
    # Kill the host outright once its batch holds the writer lock and has written for a while.
    admin = cluster.connect()
    deadline = time.time() + 60
    while admin.count("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted") == 0:
        assert time.time() < deadline, "the batch never took the writer lock"
        time.sleep(0.05)
    time.sleep(1)
    os.kill(host.pid, signal.SIGKILL)
    host.join(30)
    admin.close()
    with ordercore.open(pg_uri) as db:
        started = time.time()
        order = db.exec("order.create", lines=[{"sku": "A1", "qty": 2, "unit_price": "1.00"}])
        assert time.time() - started < 10        # the dead host's lock went with its connection
        # None of the killed batch's orders remains (their ids are a gap: sequences do not roll back).
        assert [o["order_id"] for o in db.exec("order.list")["orders"]] == [order["order_id"]]
        stock = db.exec("stock.get", sku="A1")
        assert stock["reserved"] == 2 and db.exec("stock.verify")["ok"]


def test_the_c_quickstart_runs_on_a_postgresql_uri(pg_uri, tmp_path):
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    dist = os.path.join(root, "dist")
    program = tmp_path / "quickstart"
    subprocess.run(["cc", os.path.join(root, "examples", "c", "quickstart.c"), "-I", os.path.join(dist, "include"),
                    "-L", os.path.join(dist, "lib"), "-lordercore", "-o", str(program)], check=True)
    result = subprocess.run([str(program), pg_uri], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, LD_LIBRARY_PATH=os.path.join(dist, "lib")))
    assert result.returncode == 0, result.stderr


ACTIONS = {  # each with the refusal it meets once another host's action has put its order or return out of reach
    "pay": (lambda db, order_id: db.exec("order.pay", order_id=order_id), ordercore.Conflict),
    "ship": (lambda db, order_id: db.exec("order.ship", order_id=order_id, carrier="SF", tracking_no=f"T-{order_id}"),
             ordercore.Conflict),
    "cancel": (lambda db, order_id: db.exec("order.cancel", order_id=order_id, reason="buyer changed their mind"),
               ordercore.Conflict),
    "pick the last unit": (lambda db, order_id: db.exec("order.pick", order_id=order_id,
                                                        lines=[{"line_no": 1, "qty": 1}]), ordercore.InvalidInput),
    "refund 0.60": (lambda db, order_id: db.exec("order.refund", order_id=order_id, amount="0.60",
                                                 reason="damaged in transit"), ordercore.Conflict),
    "charge back": (lambda db, order_id: db.exec("order.dispute", order_id=order_id, dispute_ref=f"CB-{order_id}",
                                                 reason="fraudulent"), ordercore.Conflict),
    "return the unit": (lambda db, order_id: db.exec("return.request", order_id=order_id, reason="changed_mind",
                                                     lines=[{"line_no": 1, "qty": 1}]), ordercore.Conflict),
    "receive a unit": (lambda db, return_id: db.exec("return.receive", return_id=return_id, warehouse="SH",
                                                     lines=[{"line_no": 1, "resellable": 1}]), ordercore.Conflict),
    "refund the return": (lambda db, return_id: db.exec("return.refund", return_id=return_id), ordercore.Conflict),
    "retry the dead letter": (lambda db, inbox_id: db.exec("intake.retry", inbox_id=inbox_id), ordercore.Conflict),
    "receive the transfer": (lambda db, transfer_id: db.exec("stock.transfer_receive", transfer_id=transfer_id),
                             ordercore.Conflict),
}


def act_on(uri, action, ids, start, results):
    """A host doing one of `ACTIONS` to each order, return or transfer of `ids`; one another host's action put
    out of its reach is left. Puts the ids it acted on, with the action, on `results`."""
    act, refusal = ACTIONS[action]
    outcomes = {}
    with ordercore.open(uri) as db:
        start.wait()
        for i in ids:
            try:
                act(db, i)
                outcomes[i] = action
            except refusal:
                pass
    results.put(outcomes)


def test_two_hosts_paying_and_cancelling_the_same_orders_agree_on_each(pg_uri):
    stock_one_sku(pg_uri, "A1", "Mug", 1000)
    with ordercore.open(pg_uri) as db:
        ids = [db.exec("order.create", lines=[{"sku": "A1", "qty": 2, "unit_price": "1.00"}])["order_id"]
               for _ in range(60)]
    outcomes = on_hosts(*[(act_on, (pg_uri, action, ids)) for action in ("pay", "cancel", "cancel")])
    paid = {i for o in outcomes for i, a in o.items() if a == "pay"}
    cancelled = [i for o in outcomes for i, a in o.items() if a == "cancel"]
    # Each order cancelled once (the second cancel refused), none paid after its cancel; a paid order may be
    # cancelled (its payment is then owed back).
    assert len(cancelled) == len(set(cancelled)) and paid | set(cancelled) == set(ids)
    with ordercore.open(pg_uri) as db:
        orders = {i: db.exec("order.get", order_id=i) for i in ids}
        assert {i for i, o in orders.items() if o["state"] == "cancelled"} == set(cancelled)
        assert {i for i, o in orders.items() if o["state"] == "paid"} == paid - set(cancelled)
        assert all(o["paid_total"] == ("2.00" if i in paid else "0.00") for i, o in orders.items())
        assert db.exec("stock.get", sku="A1")["reserved"] == 2 * len(paid - set(cancelled))
        assert db.exec("stock.verify")["ok"]


def packed_in_parcels(uri, count):
    """`count` paid orders of S1, S2 and S3, allocated, picked and packed one SKU a parcel (weights unknown)."""
    skus = ["S1", "S2", "S3"]
    with ordercore.open(uri) as db:
        db.exec("warehouse.upsert", warehouse="SH", priority=1)
        for sku in skus:
            db.exec("sku.upsert", sku=sku, name=sku)
            db.exec("stock.receive", sku=sku, warehouse="SH", qty=1000)
        ids = []
        for _ in range(count):
            order_id = db.exec("order.create", payment={},
                               lines=[{"sku": s, "qty": 1, "unit_price": "1.00"} for s in skus])["order_id"]
            db.exec("order.allocate", order_id=order_id)
            db.exec("order.pick", order_id=order_id)
            for sku in skus:
                db.exec("order.pack", order_id=order_id, scans=[order_id, sku], weight_g=100, partial=sku != "S3")
            ids.append(order_id)
    return ids


def send_all(uri, requests, start, results):
    """A host sending `requests` ((op, arguments) pairs) one by one; puts their answers on `results`, a
    failure as a line of text."""
    answers = []
    with ordercore.open(uri) as db:
        start.wait()
        for op, arguments in requests:
            try:
                answers.append(db.exec(op, **arguments))
            except ordercore.OrderCoreError as e:
                answers.append(f"{op} {arguments}: {e.code}: {e.message}")
    results.put(answers)


def failures(outcomes):
    """The failures among the hosts' answers (`send_all`)."""
    return [a for answers in outcomes for a in answers if isinstance(a, str)]


def test_two_hosts_shipping_the_last_parcels_of_each_order_at_once_leave_it_shipped(pg_uri):
    """Of orders of three parcels, the first shipped, two warehouse hosts ship the other two at the same
    time: each order ends shipped, not partially shipped (a host reads the order after the other's shipment,
    never beside it: the order stays partially shipped either way, so only its row lock orders them), and
    every unit leaves once."""
    ids = packed_in_parcels(pg_uri, 40)
    with ordercore.open(pg_uri) as db:
        for order_id in ids:
            db.exec("order.ship", order_id=order_id, carrier="SF", tracking_no=f"{order_id}-1", parcels=[1])
    outcomes = on_hosts(*[(send_all, (pg_uri, [
        ("order.ship", {"order_id": i, "carrier": "SF", "tracking_no": f"{i}-{parcel}", "parcels": [parcel]})
        for i in ids])) for parcel in (2, 3)])
    assert failures(outcomes) == []
    with ordercore.open(pg_uri) as db:
        assert {db.exec("order.get", order_id=i)["state"] for i in ids} == {"shipped"}
        for sku in ["S1", "S2", "S3"]:
            stock = db.exec("stock.get", sku=sku)
            assert (stock["on_hand"], stock["reserved"]) == (960, 0), stock
        assert db.exec("stock.verify")["ok"]


def test_a_host_shipping_and_one_cancelling_the_same_orders_never_both_succeed(pg_uri):
    """Packed orders shipped from one host and cancelled from another at once: each is either shipped (its
    units left once) or cancelled (its units back), never both."""
    ids = packed_in_parcels(pg_uri, 40)
    outcomes = on_hosts((act_on, (pg_uri, "ship", ids)), (act_on, (pg_uri, "cancel", ids)))
    shipped = {i for o in outcomes for i, a in o.items() if a == "ship"}
    cancelled = {i for o in outcomes for i, a in o.items() if a == "cancel"}
    assert shipped.isdisjoint(cancelled) and shipped | cancelled == set(ids)
    with ordercore.open(pg_uri) as db:
        states = {i: db.exec("order.get", order_id=i)["state"] for i in ids}
        assert {i for i, s in states.items() if s == "shipped"} == shipped
        assert {i for i, s in states.items() if s == "cancelled"} == cancelled
        for sku in ["S1", "S2", "S3"]:
            stock = db.exec("stock.get", sku=sku)
            assert (stock["on_hand"], stock["reserved"]) == (1000 - len(shipped), 0), stock
        assert db.exec("stock.verify")["ok"]


def test_a_warehouse_host_ships_while_another_hosts_checkout_is_in_flight(pg_uri, cluster):
    """The fulfilment commands share the writer lock with checkouts: a shipment goes through while another
    host holds the lock shared (an order being placed), where a command that writes alone would wait."""
    (order_id,) = packed_in_parcels(pg_uri, 1)
    name = database_name(pg_uri)
    checkout = cluster.connect(name)
    checkout.run("BEGIN")
    checkout.count("SELECT pg_advisory_xact_lock_shared(5724748463212818290)")  # the engine's writer lock
    outcome = []
    def ship():  # a host that connects, then ships
        with ordercore.open(pg_uri) as db:
            outcome.append(db.exec("order.ship", order_id=order_id, carrier="SF", tracking_no="T-1")["state"])
    shipper = threading.Thread(target=ship)
    shipper.start()
    shipper.join(20)
    done = not shipper.is_alive()
    checkout.run("ROLLBACK")
    shipper.join()
    checkout.close()
    assert done and outcome == ["shipped"]


def receive_and_sell(uri, start, results):
    """A host receiving stock into SH a unit at a time and placing paid orders, one after the other."""
    failures = []
    with ordercore.open(uri) as db:
        start.wait()
        for i in range(40):
            sku = f"S{i % 3 + 1}"
            try:
                db.exec("stock.receive", sku=sku, warehouse="SH", qty=1)
                db.exec("order.create", payment={}, lines=[{"sku": sku, "qty": 1, "unit_price": "1.00"}])
            except ordercore.InsufficientStock:
                pass
            except ordercore.OrderCoreError as e:
                failures.append(f"{e.code}: {e.message}")
    results.put(failures)


def test_hosts_allocating_receiving_and_selling_the_same_skus_at_once_agree_with_the_ledger(pg_uri, cluster):
    """Two hosts allocate paid orders (moving their holds between warehouses) while a third receives stock
    and sells the same SKUs: no command fails, no deadlock, every unit held belongs to an order, and every
    balance equals its ledger."""
    with ordercore.open(pg_uri) as db:
        db.exec("warehouse.upsert", warehouse="SH", priority=1)
        db.exec("warehouse.upsert", warehouse="BJ", priority=2)
        for sku in ["S1", "S2", "S3"]:
            db.exec("sku.upsert", sku=sku, name=sku)
            db.exec("stock.receive", sku=sku, warehouse="SH", qty=20)
            db.exec("stock.receive", sku=sku, warehouse="BJ", qty=500)
        rng = random.Random(7)
        ids = [db.exec("order.create", payment={}, lines=[
                   {"sku": s, "qty": rng.randint(1, 3), "unit_price": "1.00"}
                   for s in rng.sample(["S1", "S2", "S3"], rng.randint(1, 3))])["order_id"]
               for _ in range(60)]
    outcomes = on_hosts(*[(send_all, (pg_uri, [("order.allocate", {"order_id": i}) for i in half]))
                          for half in (ids[0::2], ids[1::2])], (receive_and_sell, (pg_uri,)))
    assert failures(outcomes) == []
    with ordercore.open(pg_uri) as db:
        orders = db.exec("order.list", limit=1000)["orders"]
        held = {}
        for o in orders:
            for line in db.exec("order.get", order_id=o["order_id"])["lines"]:
                held[line["sku"]] = held.get(line["sku"], 0) + line["reserved"]
        assert all(db.exec("order.get", order_id=i)["state"] == "allocated" for i in ids)
        for sku in ["S1", "S2", "S3"]:
            assert db.exec("stock.get", sku=sku)["reserved"] == held[sku]
        assert db.exec("stock.verify")["ok"]


SET_A_FIGURE = {  # a request setting one balance's figure, and the figure it sets
    "stock.safety": (lambda units: {"sku": "A1", "warehouse": "SH", "qty": units}, "safety"),
    "stock.count": (lambda units: {"warehouse": "SH", "counts": [{"sku": "A1", "qty": units}]}, "on_hand"),
}


@pytest.mark.parametrize("op", SET_A_FIGURE)
def test_hosts_setting_one_balance_figure_at_once_leave_one_of_their_figures(pg_uri, op):
    """Three hosts set one balance's safety stock, or count its units, at 7, 9 and 12, over and over, at the
    same time: it ends at one of the three (each change is booked from the figure it replaces, read locked;
    without the lock the safety stock ended at a sum, and a count drove the balance below zero), and its
    ledger agrees."""
    request, figure = SET_A_FIGURE[op]
    stock_one_sku(pg_uri, "A1", "Mug", 8)
    outcomes = on_hosts(*[(send_all, (pg_uri, [(op, request(units))] * 200)) for units in (7, 9, 12)])
    assert failures(outcomes) == []
    with ordercore.open(pg_uri) as db:
        assert db.exec("stock.get", sku="A1", warehouse="SH")[figure] in (7, 9, 12)
        assert db.exec("stock.verify")["ok"]


def test_two_hosts_picking_the_last_unit_of_a_line_at_once_pick_it_once(pg_uri):
    """Orders of two units, one picked; two hosts pick the other at the same time: one of them does, the
    other is told none is left (the order stays `picking` either way, so only its row lock orders them)."""
    stock_one_sku(pg_uri, "A1", "Mug", 1000)
    with ordercore.open(pg_uri) as db:
        ids = []
        for _ in range(60):
            order_id = paid_mug_order(db, 2)
            db.exec("order.allocate", order_id=order_id)
            db.exec("order.pick", order_id=order_id, lines=[{"line_no": 1, "qty": 1}])
            ids.append(order_id)
    outcomes = on_hosts(*[(act_on, (pg_uri, "pick the last unit", ids))] * 2)
    assert sorted(i for picked in outcomes for i in picked) == sorted(ids)
    with ordercore.open(pg_uri) as db:
        assert {db.exec("order.get", order_id=i)["lines"][0]["picked"] for i in ids} == {2}


def test_two_hosts_refunding_the_same_orders_at_once_never_give_back_more_than_was_paid(pg_uri):
    """Shipped orders paid 1.00; two hosts each refund 0.60 of every one at the same time: one refund per
    order goes through, the other is refused (each reads the payments after the other's refund)."""
    stock_one_sku(pg_uri, "A1", "Mug", 1000)
    with ordercore.open(pg_uri) as db:
        ids = []
        for _ in range(60):
            order_id = paid_mug_order(db)
            db.exec("order.pickup", order_id=order_id)
            ids.append(order_id)
    outcomes = on_hosts(*[(act_on, (pg_uri, "refund 0.60", ids))] * 2)
    assert sorted(i for refunded in outcomes for i in refunded) == sorted(ids)
    with ordercore.open(pg_uri) as db:
        for order_id in ids:
            refunds = [p for p in db.exec("order.get", order_id=order_id)["payments"] if p["kind"] == "refund"]
            assert [p["amount"] for p in refunds] == ["0.60"]


def test_a_chargeback_and_a_refund_of_the_same_orders_at_once_never_give_back_more_than_was_paid(pg_uri):
    """Paid orders of 1.00; one host records each one's chargeback (of what is left of its payment) while
    another refunds 0.60 of it: whichever comes first, the bank and the refund together give back 1.00, never
    1.60, and the order waits on hold."""
    stock_one_sku(pg_uri, "A1", "Mug", 1000)
    with ordercore.open(pg_uri) as db:
        ids = [paid_mug_order(db) for _ in range(60)]
    on_hosts((act_on, (pg_uri, "charge back", ids)), (act_on, (pg_uri, "refund 0.60", ids)))
    with ordercore.open(pg_uri) as db:
        for order_id in ids:
            order = db.exec("order.get", order_id=order_id)
            assert order["state"] == "on_hold" and order["paid_total"] == "1.00", order
            assert float(order["refunded_total"]) + float(order["charged_back"]) == 1.0, order


def returns_one_unit_received(uri, count):
    """`count` paid orders of three units at 1.00 handed over at the counter, each with an approved return of
    the three of which one came back into SH. Returns the return ids."""
    stock_one_sku(uri, "A1", "Mug", 1000)
    with ordercore.open(uri) as db:
        returns = []
        for _ in range(count):
            order_id = paid_mug_order(db, 3)
            db.exec("order.pickup", order_id=order_id)
            return_id = db.exec("return.request", order_id=order_id, reason="changed_mind",
                                lines=[{"line_no": 1, "qty": 3}])["return_id"]
            db.exec("return.approve", return_id=return_id)
            ACTIONS["receive a unit"][0](db, return_id)
            returns.append(return_id)
    return returns


def test_two_hosts_receiving_units_of_the_same_returns_at_once_count_both(pg_uri):
    """Returns of three units, one received; two hosts each record one more unit arriving at the same time:
    both are counted on the return (which is then received in full) and both go back on hand (the return
    stays `receiving` after the first, so only its row lock orders the two)."""
    returns = returns_one_unit_received(pg_uri, 40)
    outcomes = on_hosts(*[(act_on, (pg_uri, "receive a unit", returns))] * 2)
    assert [sorted(received) for received in outcomes] == [sorted(returns)] * 2
    with ordercore.open(pg_uri) as db:
        for return_id in returns:
            r = db.exec("return.get", return_id=return_id)
            assert (r["state"], r["lines"][0]["resellable"]) == ("received", 3), r
        assert db.exec("stock.get", sku="A1", warehouse="SH")["on_hand"] == 1000
        assert db.exec("stock.verify")["ok"]


def test_two_hosts_refunding_the_same_returns_at_once_pay_each_unit_back_once(pg_uri):
    """Returns of three units, one received; two hosts refund them at the same time: one refunds the unit,
    the other is told nothing is left to refund; each order is refunded 1.00, never 2.00. (The return stays
    `receiving`, so its state does not order the two: its row lock does, and behind it the unique reference
    both would give the return's first refund.)"""
    returns = returns_one_unit_received(pg_uri, 40)
    outcomes = on_hosts(*[(act_on, (pg_uri, "refund the return", returns))] * 2)
    assert sorted(i for refunded in outcomes for i in refunded) == sorted(returns)
    with ordercore.open(pg_uri) as db:
        for return_id in returns:
            r = db.exec("return.get", return_id=return_id)
            assert r["state"] == "receiving" and [f["cash"] for f in r["refunds"]] == ["1.00"], r
            order = db.exec("order.get", order_id=r["order_id"])
            assert [p["amount"] for p in order["payments"] if p["kind"] == "refund"] == ["1.00"]


def test_hosts_transferring_and_receiving_the_same_stock_at_once_move_each_unit_once(pg_uri):
    """Two hosts send 60 transfers of one unit each out of 100 available in SH at the same time: exactly 100
    go, the rest are refused; then two hosts receive every transfer at once: each arrives in BJ once."""
    stock_one_sku(pg_uri, "A1", "Mug", 100)
    with ordercore.open(pg_uri) as db:
        db.exec("warehouse.upsert", warehouse="BJ", priority=2)
    send = [("stock.transfer", {"from": "SH", "to": "BJ", "lines": [{"sku": "A1", "qty": 1}]})] * 60
    outcomes = on_hosts(*[(send_all, (pg_uri, send))] * 2)
    refusals = failures(outcomes)
    assert len(refusals) == 20 and all("insufficient_stock" in f for f in refusals), refusals
    transfers = [a["transfer_id"] for answers in outcomes for a in answers if isinstance(a, dict)]
    with ordercore.open(pg_uri) as db:
        assert db.exec("stock.get", sku="A1", warehouse="SH")["on_hand"] == 0
    outcomes = on_hosts(*[(act_on, (pg_uri, "receive the transfer", transfers))] * 2)
    assert sorted(i for received in outcomes for i in received) == sorted(transfers)
    with ordercore.open(pg_uri) as db:
        assert db.exec("stock.get", sku="A1", warehouse="BJ")["on_hand"] == 100
        assert db.exec("stock.verify")["ok"]


def test_hosts_starting_pick_waves_at_once_put_each_order_in_one_wave(pg_uri):
    """Three hosts start waves of up to 5 orders at the same time over 60 allocated orders: every order is in
    exactly one wave."""
    stock_one_sku(pg_uri, "A1", "Mug", 1000)
    with ordercore.open(pg_uri) as db:
        ids = [paid_mug_order(db) for _ in range(60)]
        for order_id in ids:
            db.exec("order.allocate", order_id=order_id)
    outcomes = on_hosts(*[(send_all, (pg_uri, [("pick.wave", {"warehouse": "SH", "limit": 5})] * 8))] * 3)
    refusals = failures(outcomes)
    assert all("no allocated order" in f for f in refusals), refusals
    in_waves = [o["order_id"] for answers in outcomes for wave in answers if isinstance(wave, dict)
                for item in wave["pick_list"] for o in item["orders"]]
    assert sorted(in_waves) == sorted(ids)


def test_two_hosts_retrying_the_same_dead_letters_at_once_apply_each_once(pg_uri):
    """A channel's paid orders of a SKU the catalog did not know became dead letters; once it is added, two
    hosts retry every one at the same time: each is applied once (the inbox entry locked as read), the other
    host is told it was applied already, and each order holds its unit once."""
    stock_one_sku(pg_uri, "A1", "Mug", 10)
    with ordercore.open(pg_uri) as db:
        db.exec("channel.upsert", channel="shop", profile="csv")
        for i in range(30):
            db.exec("intake.ingest", channel="shop", event_id=f"late-{i}",
                    payload=CSV_EVENT.format(id=f"late-{i}", status="paid", sku="NEW"))
        letters = [d["inbox_id"] for d in db.exec("intake.dead_letters", limit=100)["dead_letters"]]
        assert len(letters) == 30
        db.exec("sku.upsert", sku="NEW", name="New mug")
        db.exec("stock.receive", sku="NEW", warehouse="SH", qty=100)
    outcomes = on_hosts(*[(act_on, (pg_uri, "retry the dead letter", letters))] * 2)
    assert sorted(i for retried in outcomes for i in retried) == sorted(letters)
    with ordercore.open(pg_uri) as db:
        assert db.exec("intake.dead_letters")["total"] == 0
        assert len(db.exec("order.list", limit=100)["orders"]) == 30
        assert db.exec("stock.get", sku="NEW")["reserved"] == 30


def test_refunding_exchanges_while_another_host_cancels_their_replacements_keeps_both_sides_whole(pg_uri, cluster):
    """Exchange returns, received back: one host refunds them (each refund pays its replacement order) while
    another cancels the replacements, at the same time. Each return takes its locks in one order (return,
    its order, the replacement): no deadlock; every return is refunded once and every replacement cancelled;
    a replacement is paid by its return only while it is still open, and its held stock goes back."""
    stock_one_sku(pg_uri, "A1", "Mug", 1000)
    with ordercore.open(pg_uri) as db:
        db.exec("sku.upsert", sku="B1", name="Bowl")
        db.exec("stock.receive", sku="B1", warehouse="SH", qty=1000)
        returns, replacements, paid = [], [], []
        for _ in range(40):
            order_id = paid_mug_order(db)
            db.exec("order.pickup", order_id=order_id)
            r = db.exec("return.request", order_id=order_id, reason="changed_mind", lines=[{"line_no": 1, "qty": 1}],
                        exchange=[{"sku": "B1", "qty": 1, "unit_price": "1.00"}])
            if r["state"] == "requested":
                db.exec("return.approve", return_id=r["return_id"])
            ACTIONS["receive a unit"][0](db, r["return_id"])
            returns.append(r["return_id"])
            replacements.append(r["replacement_order_id"])
    # From opposite ends, so they meet: the first replacements are paid by their return before they are
    # cancelled, the last are cancelled before their return is refunded (and it pays the buyer back instead).
    outcomes = on_hosts((act_on, (pg_uri, "refund the return", returns)),
                        (act_on, (pg_uri, "cancel", replacements[::-1])))
    assert sorted(i for done in outcomes for i in done) == sorted(returns + replacements)
    with ordercore.open(pg_uri) as db:
        for return_id, replacement_id in zip(returns, replacements):
            r = db.exec("return.get", return_id=return_id)
            original = db.exec("order.get", order_id=r["order_id"])
            assert r["state"] == "refunded"
            assert [p["amount"] for p in original["payments"] if p["kind"] == "refund"] == ["1.00"]
            replacement = db.exec("order.get", order_id=replacement_id)
            timeline = [e["to"] for e in db.exec("order.timeline", order_id=replacement_id)["events"]]
            assert replacement["state"] == "cancelled" and timeline[-1] == "cancelled", timeline
            paid_by_return = [p for p in replacement["payments"] if (p["payment_ref"] or "").endswith("-exchange")]
            assert len(paid_by_return) <= 1 and (not paid_by_return or "paid" in timeline), (replacement, timeline)
            paid.append(bool(paid_by_return))
        assert paid[0] and not paid[-1]
        assert db.exec("stock.get", sku="B1")["reserved"] == 0
        assert db.exec("stock.verify")["ok"]


def short_orders_and_receipts(uri, role, seed, start, results):
    """A host: `orders` places 40 paid channel orders of 1-3 units of S1 (most sold short), `receive` receives
    79 units one to three at a time, `cancel` cancels the orders it finds still waiting. A command answered
    busy (PostgreSQL broke a deadlock, four times over) is tried again, as a host does."""
    rng = random.Random(seed)
    placed, errors = [], []

    def step(db, i):
        if role == "orders":
            payload = {"order": {"id": seed * 1000 + i, "currency": "CNY", "financial_status": "paid",
                                 "line_items": [{"id": 1, "sku": "S1", "quantity": rng.randint(1, 3), "price": "5.00"}]}}
            outcome = db.intake.ingest("shop", json.dumps(payload))
            if outcome["state"] != "applied":
                raise AssertionError(outcome)
            placed.append(outcome["events"][0]["order_id"])
        elif role == "receive":
            db.stock.receive("S1", "SH", 1 + i % 3)
        elif waiting := db.exec("order.list", state="paid", limit=5)["orders"]:
            db.exec("order.cancel", order_id=rng.choice(waiting)["order_id"], reason="buyer asked")

    with ordercore.open(uri) as db:
        start.wait()
        for i in range(40):
            for _ in range(5):
                try:
                    step(db, i)
                    break
                except ordercore.Busy:
                    continue
                except (ordercore.OrderCoreError, AssertionError) as e:
                    errors.append(f"{role}: {e}")
                    break
    results.put((placed, errors))


def test_hosts_receiving_fill_orders_sold_short_once(cluster, pg_uri):
    """Hosts placing channel orders sold short, receiving units and cancelling orders at once: each unit
    received goes to one order, no line holds more than it was sold, and what is held is what the balances
    say."""
    with ordercore.open(pg_uri) as db:
        db.exec("sku.upsert", sku="S1", name="S1")
        db.exec("warehouse.upsert", warehouse="SH", priority=1)
        db.exec("channel.upsert", channel="shop", profile="shopify")
    roles = ["orders", "orders", "receive", "cancel"]
    answers = on_hosts(*[(short_orders_and_receipts, (pg_uri, role, i + 1)) for i, role in enumerate(roles)])
    assert [e for _, errors in answers for e in errors] == []
    with ordercore.open(pg_uri) as db:
        held = owed = 0
        for order_id in [i for placed, _ in answers for i in placed]:
            order = db.orders.get(order_id)
            for line in order["lines"]:
                assert line["reserved"] + line["backordered"] <= line["qty"] - line["cancelled"], order
                if order["state"] != "cancelled":
                    held, owed = held + line["reserved"], owed + line["backordered"]
        stock = db.exec("stock.get", sku="S1")
        assert stock["reserved"] == held and stock["on_hand"] == 79
        assert owed == 0 or stock["available"] == 0, "no unit waits on a shelf while an order is owed it"
        assert db.exec("stock.verify")["ok"]
