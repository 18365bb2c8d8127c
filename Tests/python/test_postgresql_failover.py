"""A primary failing over to a synchronous streaming standby while hosts place and pay orders: no order a
host was told was placed and paid is lost, and none is placed twice. docs/postgresql.md, *Replication and
failover*. ORDERCORE_FAILOVER_ORDERS sets how many orders each host places (make soak runs more)."""
import multiprocessing
import os
import sys
import time

import pytest

import ordercore

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "sql"))
import pgcluster  # noqa: E402

pytestmark = pytest.mark.skipif(pgcluster.available() is not None, reason=str(pgcluster.available()))

ORDERS = int(os.environ.get("ORDERCORE_FAILOVER_ORDERS", "60"))


def until_done(step, seconds=90):
    """Runs `step` until it answers: a host's command during the failover fails with io (no primary yet) or
    in_doubt (the primary died during COMMIT); the host retries it with the same idempotency key."""
    deadline = time.time() + seconds
    while True:
        try:
            return step()
        except ordercore.OrderCoreError as e:
            if e.code not in ("io", "in_doubt", "busy") or time.time() > deadline:
                raise
            time.sleep(0.1)


def place_orders(uri, host, acknowledged, halfway):
    try:
        with until_done(lambda: ordercore.open(uri)) as db:
            for i in range(ORDERS):
                key = f"host{host}-order{i}"
                order = until_done(lambda: db.exec("order.create", idempotency_key=key,
                                                   lines=[{"sku": "A1", "qty": 1, "unit_price": "9.90"}]))
                until_done(lambda: db.exec("order.pay", idempotency_key=key + "-pay", order_id=order["order_id"]))
                acknowledged.put((key, order["order_id"]))
                if i == ORDERS // 2:
                    halfway.put(host)
        acknowledged.put(None)
    except Exception as e:  # reported by the test, not lost with the process
        acknowledged.put(("failed", repr(e)))
        halfway.put(host)


def received(standby):
    """How much WAL a standby has received, in bytes."""
    connection = standby.connect()
    try:
        return float(connection.value("SELECT pg_last_wal_receive_lsn() - '0/0'"))
    finally:
        connection.close()


def test_no_acknowledged_order_is_lost_when_the_primary_fails_over(tmp_path):
    sync = {"synchronous_standby_names": "'ANY 1 (s1, s2)'"}
    with pgcluster.Cluster(settings=sync) as primary, \
            pgcluster.Cluster(primary=primary, name="s1") as s1, \
            pgcluster.Cluster(primary=primary, name="s2") as s2:
        admin = primary.connect()
        assert admin.run("CREATE DATABASE orders") is None
        deadline = time.time() + 60
        while admin.count("SELECT 1 FROM pg_stat_replication WHERE sync_state = 'quorum'") < 2:
            assert time.time() < deadline, "the standbys never caught up"
            time.sleep(0.1)
        admin.close()
        servers = [primary, s1, s2]
        uri = ("postgresql://ordercore@/orders?host=" + ",".join(c.dir for c in servers) + "&port="
               + ",".join(str(c.port) for c in servers) + "&target_session_attrs=read-write&connect_timeout=2")
        with ordercore.open(uri) as db:
            db.exec("sku.upsert", sku="A1", name="Mug")
            db.exec("warehouse.upsert", warehouse="SH", priority=1)
            db.exec("stock.receive", sku="A1", warehouse="SH", qty=100000)

        context = multiprocessing.get_context("spawn")
        acknowledged, halfway = context.Queue(), context.Queue()
        hosts = [context.Process(target=place_orders, args=(uri, h, acknowledged, halfway)) for h in range(2)]
        for h in hosts:
            h.start()
        for _ in hosts:
            halfway.get(timeout=120)
        # The primary dies mid-stream; the standby with the most WAL (it holds every commit either standby
        # acknowledged) is promoted and the other follows it, so commits go on needing one standby.
        primary.stop("immediate")
        new, other = sorted((s1, s2), key=received, reverse=True)
        new.promote()
        with open(os.path.join(other.data, "postgresql.auto.conf"), "a") as conf:
            conf.write(f"primary_conninfo = '{new.conninfo()} application_name={other.name}'\n")
        other.stop()
        other.start()
        promoted = new.connect()
        assert promoted.run(f"ALTER SYSTEM SET synchronous_standby_names = {sync['synchronous_standby_names']}") \
            is None
        assert promoted.count("SELECT pg_reload_conf()") == 1
        deadline = time.time() + 60
        while promoted.count("SELECT 1 FROM pg_stat_replication WHERE sync_state = 'quorum'") < 1:
            if time.time() > deadline:
                with open(os.path.join(other.dir, "server.log")) as log:
                    pytest.fail(f"{other.name} does not follow the promoted {new.name}:\n{log.read()[-3000:]}")
            time.sleep(0.1)
        promoted.close()

        done, orders = 0, {}
        while done < len(hosts):
            item = acknowledged.get(timeout=300)
            if item is None:
                done += 1
            else:
                assert item[0] != "failed", item[1]
                orders[item[0]] = item[1]
        for h in hosts:
            h.join(timeout=60)
            assert h.exitcode == 0
        assert len(orders) == 2 * ORDERS

        with ordercore.open(uri) as db:
            listed = {}
            page = db.exec("order.list", limit=500)
            while True:
                listed.update({o["order_id"]: o["state"] for o in page["orders"]})
                if not page.get("next"):
                    break
                page = db.exec("order.list", limit=500, after=page["next"])
            # Every acknowledged order is there, paid, and no other order was made (none twice).
            assert sorted(listed) == sorted(orders.values())
            assert set(listed.values()) == {"paid"}
            assert db.exec("stock.get", sku="A1")["reserved"] == 2 * ORDERS
            assert db.exec("stock.verify")["ok"]
