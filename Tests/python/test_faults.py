"""Disk and file faults (docs/reliability.md): each gives a clear error or a consistent database, never a
crash and never a half-applied command. Real files, real processes."""
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

import ordercore
from conftest import ROOT

WRITER = """
import sys
sys.path.insert(0, sys.argv[1])
import ordercore
db = ordercore.open(sys.argv[2])
print("ready", flush=True)
n = 0
while True:
    n += 1
    order = db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "1.00"}], external_id=f"W{n}", channel="web")
    db.orders.pay(order["order_id"])
    print(order["order_id"], flush=True)
"""


def _setup(path, units=100_000):
    with ordercore.open(str(path)) as db:
        db.skus.upsert("A1", name="Mug")
        db.warehouses.upsert("SH", priority=1)
        db.stock.receive("A1", "SH", units)


def _writer(path):
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(ROOT / "bindings" / "python"), str(path)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    return child


def _digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_online_backup_while_another_process_writes(tmp_path):
    path = tmp_path / "live.db"
    _setup(path)
    child = _writer(path)
    try:
        time.sleep(0.5)
        with ordercore.open(str(path)) as db:
            result = db.backup(str(tmp_path / "copy.db"))
        written = [child.stdout.readline().strip() for _ in range(5)]
    finally:
        child.kill()
        child.wait()
    assert result["pages"] > 0 and result["bytes"] == (tmp_path / "copy.db").stat().st_size
    assert written[-1].startswith("SO-")   # the writer kept going during the backup
    with ordercore.open(str(tmp_path / "copy.db")) as copy:
        check = copy.check()
        assert check["ok"] and check["integrity"] == [] and check["ledger"]["ok"]
        orders = copy.exec("order.list", limit=1000)["orders"]
        # A consistent snapshot: every order in it is whole (created and paid, or created only).
        assert orders and all(o["state"] in ("pending_payment", "paid") for o in orders)
    with ordercore.open(str(path)) as db:
        with pytest.raises(ordercore.OrderCoreError) as same:
            db.backup(str(path))
        assert same.value.code == "invalid_input"
        with pytest.raises(ordercore.OrderCoreError) as nowhere:
            db.backup(str(tmp_path / "missing-dir" / "x.db"))
        assert nowhere.value.code == "io" and not (tmp_path / "missing-dir").exists()


def test_a_corrupted_page_is_detected_not_crashed_on(tmp_path):
    path = tmp_path / "corrupt.db"
    _setup(path)
    with ordercore.open(str(path)) as db:
        for n in range(300):
            db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "1.00"}], note="x" * 200)
        assert db.check()["ok"]
        db.exec("order.list", limit=1)
    with sqlite3.connect(path) as raw:            # checkpoint everything into the main file
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        root = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'orders'").fetchone()[0]
    raw.close()
    with open(path, "r+b") as f:                    # garbage over the first page of the orders table
        f.seek(page_size * (root - 1))
        f.write(os.urandom(page_size))
    outcomes = set()
    try:
        with ordercore.open(str(path)) as db:
            try:
                check = db.check()
                assert not check["ok"] and check["integrity"], check
                outcomes.add("reported")
            except ordercore.OrderCoreError as error:
                assert error.code == "corrupt" and "corrupt" in str(error)
                outcomes.add("corrupt")
            for _ in range(3):                      # reads over the damage fail cleanly
                try:
                    db.exec("order.list", limit=1000)
                except ordercore.OrderCoreError as error:
                    assert error.code in ("corrupt", "io"), error
    except ordercore.OrderCoreError as error:
        assert error.code == "corrupt"
        outcomes.add("refused at open")
    assert outcomes


def test_a_deleted_wal_loses_only_what_was_in_it_and_the_rest_is_sound(tmp_path):
    path = tmp_path / "wal.db"
    _setup(path)
    with ordercore.open(str(path)) as db:           # closing checkpoints: these are in the main file
        kept = [db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "1.00"}])["order_id"] for _ in range(5)]
    child = _writer(path)
    for _ in range(20):
        child.stdout.readline()
    child.send_signal(signal.SIGKILL)             # killed: its last commits are only in the WAL
    child.wait()
    wal = tmp_path / "wal.db-wal"
    assert wal.exists() and wal.stat().st_size > 0
    wal.unlink()
    (tmp_path / "wal.db-shm").unlink(missing_ok=True)
    with ordercore.open(str(path)) as db:
        check = db.check()
        assert check["ok"], check                 # consistent as of the last checkpoint
        assert all(db.orders.state(order_id) == "pending_payment" for order_id in kept)


def test_a_read_only_file_gives_a_clear_error_and_stays_as_it_was(tmp_path):
    setpriv = shutil.which("setpriv")
    if os.geteuid() == 0 and not setpriv:
        pytest.fail("running as root needs setpriv (util-linux) to test as an unprivileged user")
    shared = tmp_path / "ro"
    shared.mkdir()
    path = shared / "shop.db"
    _setup(path)
    before = _digest(path)
    os.chmod(path, 0o444)
    os.chmod(shared, 0o555)
    os.chmod(tmp_path, 0o755)
    probe = (f"import sys; sys.path.insert(0, {str(ROOT / 'bindings' / 'python')!r}); import ordercore\n"
             f"try:\n    ordercore.open({str(path)!r})\nexcept ordercore.OrderCoreError as e:\n    print(e.code, e)\n")
    command = [sys.executable, "-c", probe]
    if os.geteuid() == 0:
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {**os.environ, "ORDERCORE_LIBRARY": str(ROOT / "dist" / "lib" / "libordercore.so.0")}
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    finally:
        os.chmod(shared, 0o755)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("io ") and "shop.db" in out.stdout, out.stdout
    assert _digest(path) == before


def test_a_database_opens_and_reads_while_another_writer_holds_the_lock(tmp_path):
    """Opening a database whose schema is current takes no write lock (it reads whether migrations are
    due): the shell or a report opens while a long batch writes, instead of waiting it out."""
    path = tmp_path / "locked.db"
    _setup(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with ordercore.open(str(path)) as db:
            assert db.stock.get("A1")["on_hand"] == 100_000
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_long_write_lock_is_waited_out_then_reported_as_busy(tmp_path):
    path = tmp_path / "locked.db"
    _setup(path)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, lambda: holder.execute("COMMIT"))
    release.start()
    with ordercore.open(str(path)) as db:              # opening only reads; writing waits for the other writer
        db.stock.receive("A1", "SH", 1)                 # inside: no error reaches the caller
        assert not release.is_alive()                   # the lock was held until then
        holder.execute("BEGIN IMMEDIATE")              # now held past the 10 s busy timeout
        with pytest.raises(ordercore.OrderCoreError) as error:
            db.stock.receive("A1", "SH", 1)
        assert error.value.code == "busy" and "busy" in str(error.value)
        assert db.stock.get("A1")["on_hand"] == 100_001  # reads go on meanwhile (WAL)
        holder.execute("ROLLBACK")
        assert db.stock.receive("A1", "SH", 1)["on_hand"] == 100_002 and db.check()["ok"]
    holder.close()
