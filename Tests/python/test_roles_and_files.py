"""Roles and files through the Python binding: the role table as a table test (every op and setting x
every kind of actor, the database unchanged after each refusal), hostile output targets, codes in one
spelling, and sums that never overflow. docs/roles.md and docs/reliability.md describe the rules."""
import hashlib
import os
import socket
import sqlite3
import unicodedata

import pytest

import ordercore

ASKERS = {None: 3, "ghost": 0, "gone": 0, "op": 1, "lead": 2, "boss": 3}  # None: the host (system)
RANK = {None: 0, "operator": 1, "supervisor": 2, "admin": 3}


def fingerprint(path):
    with sqlite3.connect(path) as c:
        return hashlib.sha256("\n".join(c.iterdump()).encode()).hexdigest()


@pytest.fixture
def staffed(tmp_path):
    path = str(tmp_path / "roles.db")
    with ordercore.open(path) as db:
        db.skus.upsert("A1", name="Mug", weight_g=500)
        db.warehouses.upsert("SH")
        db.stock.receive("A1", "SH", 100)
        for actor, role in [("boss", "admin"), ("lead", "supervisor"), ("op", "operator"), ("gone", "supervisor")]:
            db.actors.upsert(actor, role=role)
        db.actors.upsert("gone", active=False)
        yield db, path


def test_every_op_is_refused_below_its_role_and_the_database_is_unchanged(staffed):
    db, path = staffed
    table = db.actors.permissions()
    assert table["roles"] == ["operator", "supervisor", "admin"]
    for entry in table["ops"]:
        if entry["op"] == "actor.upsert":
            continue  # its first-admin exception: test_the_first_admin_window_never_reopens
        for actor, rank in ASKERS.items():
            request = {"op": entry["op"]} | ({"actor": actor} if actor else {})
            before = fingerprint(path)
            code, _ = _raw(db, request)
            if rank < RANK[entry["role"]]:
                assert code == "forbidden", (entry, actor)
                assert fingerprint(path) == before, (entry, actor)
            else:
                assert code != "forbidden", (entry, actor)


def _raw(db, request):
    """(error code or "ok", result) of a request, without raising."""
    try:
        return "ok", db.exec(request.pop("op"), **request)
    except ordercore.OrderCoreError as e:
        return e.code, e


def test_every_setting_is_changed_only_by_its_role(staffed):
    db, path = staffed
    for entry in db.actors.permissions()["settings"]:
        value = db.exec("config.get", key=entry["key"])["settings"][0]["value"]
        for actor, rank in ASKERS.items():
            before = fingerprint(path)
            code, _ = _raw(db, {"op": "config.set", "key": entry["key"], "value": value} | ({"actor": actor} if actor else {}))
            if rank < RANK[entry["role"]]:
                assert code == "forbidden" and fingerprint(path) == before, (entry, actor)
            else:
                assert code == "ok", (entry, actor, code)


def test_the_issue_examples_are_refused(staffed):
    db, path = staffed
    before = fingerprint(path)
    for request in [
        {"op": "config.set", "key": "returns.admin_above", "value": 1_000_000_000, "actor": "op"},
        {"op": "config.set", "key": "returns.admin_above", "value": 1_000_000_000, "actor": "stranger"},
        {"op": "config.set", "key": "risk.enabled", "value": False, "actor": "lead"},
        {"op": "config.set", "key": "fulfillment.weight_tolerance_percent", "value": 100, "actor": "op"},
        {"op": "config.set", "key": "returns.refund_before_receipt", "value": True, "actor": "op"},
        {"op": "config.set", "key": "inventory.sell_percent", "value": 50, "actor": "op"},
        {"op": "intake.profile_set", "profile": {"name": "shopify"}, "actor": "lead"},
        {"op": "stock.adjust", "sku": "A1", "warehouse": "SH", "qty": 4, "bucket": "quarantine", "reason": "x", "actor": "op"},
        {"op": "actor.upsert", "actor_id": "op", "role": "admin", "actor": "op"},
        {"op": "sku.upsert", "sku": "A1", "weight_g": 1500, "actor": "op"},
        {"op": "order.create", "lines": [{"sku": "A1", "qty": 5, "unit_price": "0.00"}], "actor": "op"},
    ]:
        assert _raw(db, dict(request))[0] == "forbidden", request
    assert fingerprint(path) == before


def test_refunds_recorded_by_hand_above_returns_admin_above_are_an_admins(staffed):
    db, path = staffed
    order_id = db.orders.create(lines=[{"sku": "A1", "qty": 2, "unit_price": "3000.00"}])["order_id"]
    db.orders.pay(order_id)
    db.orders.refund(order_id, "3000.00", refund_ref="GW-1", actor="lead")
    before = fingerprint(path)
    # 3,000.00 and 2,000.01 more: above the 5,000 a supervisor may approve as a return, split or not.
    with pytest.raises(ordercore.Forbidden) as refused:
        db.orders.refund(order_id, "2000.01", refund_ref="GW-2", actor="lead")
    assert refused.value.details["required"] == "admin"
    assert fingerprint(path) == before
    assert db.orders.refund(order_id, "2000.01", refund_ref="GW-2", actor="boss")["refunded_total"] == "5000.01"

def test_the_first_admin_window_never_reopens(tmp_path):
    with ordercore.open(str(tmp_path / "first.db")) as db:
        db.actors.upsert("boss", role="admin", actor="anyone")   # the very first admin: anyone may
        db.actors.upsert("op", role="operator", actor="boss")
        db.actors.upsert("boss", active=False)                     # the host deactivates the only admin
        for actor in ["op", "stranger", "boss"]:
            with pytest.raises(ordercore.Forbidden):
                db.actors.upsert("mallory", role="admin", actor=actor)
        assert [a["actor"] for a in db.actors.list()] == ["boss", "op"]


# ---- files ---------------------------------------------------------------------------------------

def _order_db(tmp_path):
    path = str(tmp_path / "shop.db")
    db = ordercore.open(path)
    db.skus.upsert("A1")
    db.warehouses.upsert("SH")
    db.stock.receive("A1", "SH", 10)
    ids = [db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "5.00"}])["order_id"] for _ in range(3)]
    return db, path, ids


def _intact(db, ids):
    assert db.check()["ok"]
    assert db.stock.verify()["ok"]
    assert [db.orders.get(i)["order_id"] for i in ids] == ids


def test_no_output_can_hit_the_open_database_or_its_files(tmp_path):
    db, path, ids = _order_db(tmp_path)
    os.symlink(path, tmp_path / "alias.db")
    os.link(path, tmp_path / "hard.db")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    targets = [path, path + "-wal", path + "-shm", path + "-journal", str(tmp_path / "alias.db"), str(tmp_path / "hard.db"),
               str(tmp_path / "sub" / ".." / "shop.db"), f"{tmp_path}/./shop.db-wal", str(tmp_path), str(fifo),
               str(tmp_path / "sock"), "/dev/null", ""]
    (tmp_path / "sub").mkdir()
    for target in targets:
        for op, args in [("export", {"request": {"op": "order.list"}}), ("report.html", {}), ("db.backup", {})]:
            with pytest.raises(ordercore.InvalidInput):
                db.exec(op, path=target, **args)
    sock.close()
    _intact(db, ids)
    db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "5.00"}])  # the handle still writes
    db.close()
    with ordercore.open(path) as again:
        _intact(again, ids)


def test_a_link_is_never_written_through_and_temporary_names_are_unpredictable(tmp_path):
    db, path, ids = _order_db(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    # The target itself a link: refused. A link planted at the old predictable temporary name: ignored.
    os.symlink(victim, tmp_path / "out.csv")
    with pytest.raises(ordercore.InvalidInput):
        db.exec("export", request={"op": "order.list"}, path=str(tmp_path / "out.csv"))
    os.unlink(tmp_path / "out.csv")
    os.symlink(victim, tmp_path / f"out.csv.partial-{os.getpid()}")
    result = db.exec("export", request={"op": "order.list"}, path=str(tmp_path / "out.csv"))
    assert result["rows"] == 3 and victim.read_text() == "precious"
    assert not (tmp_path / "out.csv").is_symlink()
    db.backup(str(tmp_path / "copy.db"))
    db.exec("report.html", path=str(tmp_path / "dash.html"))
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert leftovers == [] and victim.read_text() == "precious"
    _intact(db, ids)
    db.close()


def test_a_database_is_replaced_only_by_a_backup_a_supervisor_makes(staffed, tmp_path):
    """Another database (last night's backup, another shop's) is never overwritten by an export or a
    dashboard, and a backup replaces it only when a supervisor (or the host) asks."""
    db, path = staffed
    other = tmp_path / "other-shop.db"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE t(x)")
    before = fingerprint(other)
    for op, args in [("export", {"request": {"op": "order.list"}}), ("report.html", {})]:
        with pytest.raises(ordercore.InvalidInput):
            db.exec(op, path=str(other), actor="boss", **args)
    with pytest.raises(ordercore.Forbidden):
        db.exec("db.backup", path=str(other), actor="op")
    assert fingerprint(other) == before
    db.exec("db.backup", path=str(tmp_path / "new.db"), actor="op")  # a new file: an operator's
    db.exec("db.backup", path=str(other), actor="lead")
    assert fingerprint(other) == fingerprint(path)
    db.exec("db.backup", path=str(other))  # the host
    csv = tmp_path / "orders.csv"
    for _ in range(2):  # an export replaces its own last copy
        db.exec("export", request={"op": "order.list"}, path=str(csv), actor="op")


# ---- codes ---------------------------------------------------------------------------------------

def test_codes_have_one_spelling(db):
    composed, decomposed = "CAF\u00c9-1", "CAFE\u0301-1"
    assert unicodedata.normalize("NFC", decomposed) == composed
    db.skus.upsert(decomposed, name="Coffee", barcode="B\u0301ARCODE")
    db.stock.receive(composed, "SH", 3)
    assert db.stock.get(decomposed)["available"] == 3 and db.stock.get(composed)["sku"] == composed
    # An order for one spelling takes the stock the other spelling received.
    order = db.orders.create(lines=[{"sku": decomposed, "qty": 3, "unit_price": "1.00"}])
    assert order["lines"][0]["sku"] == composed
    assert [s["sku"] for s in db.exec("stock.board")["rows"] if s["sku"].startswith("CAF")] == [composed]


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
                                  "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u00ad", "\u00a0", "\u2028",
                                  "\u2029", "\u3000", "\ue000", "\u0007", "\u0085", "\U000e0001"])
def test_invisible_and_control_characters_are_refused_in_codes(db, char):
    for code in [f"A{char}1", f"{char}A1", f"A1{char}"]:
        with pytest.raises(ordercore.InvalidInput):
            db.skus.upsert(code)
    with pytest.raises(ordercore.InvalidInput):
        db.warehouses.upsert(f"S{char}H")


def test_code_limits_are_in_bytes_as_well_as_characters(db):
    with pytest.raises(ordercore.InvalidInput):
        db.skus.upsert("A" + "\u0301" * 524_287)   # one "character", a megabyte
    with pytest.raises(ordercore.InvalidInput):
        db.skus.upsert("\u0301A")                  # starts with a combining mark
    with pytest.raises(ordercore.InvalidInput):
        db.skus.upsert("A" * 65)
    with pytest.raises(ordercore.InvalidInput):
        db.skus.upsert("e\u0301" * 20 + "\U0001F600" * 45)  # 65 characters
    assert db.skus.upsert("\u9152\u5e97" * 32)["sku"] == "\u9152\u5e97" * 32  # 64 characters, 192 bytes


# ---- sums ----------------------------------------------------------------------------------------

def test_no_sum_overflows_or_answers_internal(tmp_path):
    path = str(tmp_path / "big.db")
    with ordercore.open(path) as db:
        db.skus.upsert("A1")
        for w in ["W1", "W2", "W3"]:
            db.warehouses.upsert(w)
        db.stock.receive("A1", "W1", 10**12)
        with pytest.raises(ordercore.InvalidInput):
            db.stock.receive("A1", "W1", 1)          # beyond the most one balance holds
        with pytest.raises(ordercore.InvalidInput):
            db.stock.receive("A1", "W2", 9_223_372_036_854_775_000)
        db.stock.receive("A1", "W2", 10**12)
        assert db.stock.get("A1")["on_hand"] == 2 * 10**12
        # Orders whose totals fit 64 bits one by one but not together.
        price = "46116860184273879.03"  # 2^62 - 1 minor units: three of them pass 2^63
        for _ in range(3):
            o = db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": price}])
            db.orders.pay(o["order_id"], amount=price)
        with pytest.raises(ordercore.InvalidInput):
            db.exec("report.sales", by="total", **{"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"})
        with pytest.raises(ordercore.InvalidInput):
            db.orders.create(lines=[{"sku": "A1", "qty": 3, "unit_price": price}])
        csv = "ref,gross\n" + "".join(f"P{i},{price}\n" for i in range(3))
        with pytest.raises(ordercore.InvalidInput):
            db.exec("reconcile.payments", csv=csv, columns={"reference": "ref", "amount": "gross"})
        assert db.check()["ok"]
