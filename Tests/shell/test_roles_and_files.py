"""The shell as a front for people: it acts as the OS user (by uid), holds each person to the role the
database gives them, reads only regular files and never writes over the database it has open."""
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import tempfile

import pexpect
import pytest

import ordercore

ME = pwd.getpwuid(os.getuid()).pw_name


def run(shell, db, script="", *args, env=None, user=None, timeout=30):
    command = [shell, str(db), *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, input=script, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def dump(db):
    with sqlite3.connect(db) as c:
        return list(c.iterdump())


def shop(db, **roles):
    """A database with a catalog and stock, and the actors given, set up by the host (trusted)."""
    with ordercore.open(str(db)) as host:
        host.skus.upsert("A1", name="Mug", barcode="690123")
        host.warehouses.upsert("SH", name="Shanghai")
        host.stock.receive("A1", "SH", 10)
        host.stock.quarantine("A1", "SH", 4)
        for actor, role in roles.items():
            if role == "inactive":
                host.actors.upsert(actor, role="supervisor", active=False)
            else:
                host.actors.upsert(actor, role=role)


# What a person types, and the least role it needs (None: anyone may).
TABLE = [
    ("stock get A1", None),
    ("stock receive A1 SH 1", "operator"),
    ("config set returns.admin_above 1000000000", "admin"),
    ("config set risk.enabled false", "admin"),
    ("config set fulfillment.weight_tolerance_percent 100", "admin"),
    ("config set fulfillment.pickup_alert_hours 24", "supervisor"),
    ('exec {"op":"stock.adjust","sku":"A1","warehouse":"SH","qty":-4,"bucket":"quarantine","reason":"gone"}', "supervisor"),
    ('exec {"op":"stock.adjust","sku":"A1","warehouse":"SH","qty":-6,"reason":"gone"}', "operator"),
    ('exec {"op":"stock.adjust","sku":"A1","warehouse":"SH","qty":50,"reason":"found"}', "supervisor"),
    ("stock scrap A1 SH 1", "supervisor"),
    ("actor upsert eve role=admin", "admin"),
    ('exec {"op":"intake.profile_set","profile":{"name":"x","format":"json","order":{}}}', "admin"),
]
RANK = {None: 0, "operator": 1, "supervisor": 2, "admin": 3}


@pytest.mark.parametrize("role", ["unregistered", "inactive", "operator", "supervisor", "admin"])
def test_each_person_does_what_their_role_allows_and_nothing_more(shell, tmp_path, role):
    for i, (line, needed) in enumerate(TABLE):
        db = tmp_path / f"{i}.db"
        shop(db, boss="admin", **({} if role == "unregistered" else {ME: role}))
        before = dump(db)
        result = run(shell, db, "", "-c", line)
        mine = RANK.get(role, 0)
        if needed is not None and mine < RANK[needed]:
            assert result.returncode == 1 and "error (forbidden)" in result.stderr, (role, line, result.stderr)
            assert dump(db) == before, (role, line)
        else:
            assert "forbidden" not in result.stderr, (role, line, result.stderr)


def test_the_shell_acts_as_the_os_user_whatever_user_says(shell, tmp_path):
    db = tmp_path / "who.db"
    shop(db, boss="admin", lead="supervisor", **{ME: "operator"})
    result = run(shell, db, ".show\n", env={"USER": "lead", "LOGNAME": "lead"})
    assert f"actor: {ME}" in result.stdout
    before = dump(db)
    # Naming somebody else, the host itself included, is refused before anything runs.
    for actor in ["system", "lead", "boss"]:
        line = 'exec {"op":"stock.scrap","sku":"A1","warehouse":"SH","qty":1,"actor":"%s"}' % actor
        result = run(shell, db, "", "-c", line, env={"USER": "lead"})
        assert result.returncode == 1 and "error (forbidden)" in result.stderr and "cannot name another actor" in result.stderr
    result = run(shell, db, "", "-c", "stock scrap A1 SH 1", env={"USER": "lead"})
    assert "needs a supervisor" in result.stderr
    assert dump(db) == before
    # Naming oneself is fine.
    result = run(shell, db, "", "-c", 'exec {"op":"stock.receive","sku":"A1","warehouse":"SH","qty":1,"actor":"%s"}' % ME)
    assert result.returncode == 0, result.stderr


def test_the_shell_acts_now_whatever_the_request_says(shell, tmp_path):
    """A person cannot date what they do: a sweep "as of" next year would cancel every unpaid order
    placed a minute ago, and a request backdated into a return's window would skip its supervisor."""
    db = tmp_path / "when.db"
    shop(db, boss="admin", **{ME: "admin"})
    with ordercore.open(str(db)) as host:
        order = host.exec("order.create", lines=[{"sku": "A1", "qty": 1, "unit_price": "5.00"}])["order_id"]
    before = dump(db)
    for request in ['{"op":"sweep","at":"2027-06-01T00:00:00Z"}',
                    '{"op":"sweep","at":"2027-06-01T00:00:00Z","actor":"%s"}' % ME,
                    '{"op":"stock.receive","sku":"A1","warehouse":"SH","qty":1,"at":"2020-01-01T00:00:00Z"}']:
        result = run(shell, db, "", "-c", "exec " + request)
        assert result.returncode == 1 and "error (forbidden)" in result.stderr and "cannot name its time" in result.stderr
    assert dump(db) == before
    with ordercore.open(str(db)) as host:
        assert host.orders.get(order)["state"] == "pending_payment"


@pytest.mark.skipif(os.getuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv to run as another OS user")
def test_an_unmapped_os_user_only_reads_once_an_admin_exists(shell):
    home = tempfile.mkdtemp()  # pytest's own directories are closed to other users
    os.chmod(home, 0o777)
    db = os.path.join(home, "nobody.db")
    nobody = pwd.getpwuid(65534).pw_name
    shop(db, boss="admin")
    os.chmod(db, 0o666)
    result = run(shell, db, "", "-c", ".show", "-c", "stock get A1", user=65534)
    assert f"actor: {nobody}" in result.stdout and result.returncode == 0, result.stderr
    result = run(shell, db, "", "-c", "stock receive A1 SH 1", user=65534)
    assert "error (forbidden)" in result.stderr and f"{nobody} is not a registered actor" in result.stderr
    with ordercore.open(str(db)) as host:
        host.actors.upsert(nobody, role="operator")
    assert run(shell, db, "", "-c", "stock receive A1 SH 1", user=65534).returncode == 0
    assert "error (forbidden)" in run(shell, db, "", "-c", "config set risk.enabled false", user=65534).stderr
    shutil.rmtree(home)


def test_reads_regular_files_only_and_standard_input_as_a_dash(shell, tmp_path):
    db = tmp_path / "files.db"
    shop(db)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for line in [f".read {fifo}", f".import {fifo} --channel web", f"reconcile payments {fifo}",
                 ".read /dev/zero", f".read {tmp_path}", ".read /no/such/file"]:
        result = run(shell, db, "", "-c", line, timeout=10)  # a FIFO must not hang the shell
        assert result.returncode == 1 and result.stderr.startswith("error"), (line, result.stderr)
    assert "is not a regular file" in run(shell, db, "", "-c", f".read {fifo}").stderr
    assert "is a directory" in run(shell, db, "", "-c", f".read {tmp_path}").stderr
    result = run(shell, db, "stock get A1\n", "-c", ".read -", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["on_hand"] == 6


def test_no_output_of_the_shell_can_hit_the_open_database(shell, tmp_path):
    db = tmp_path / "shop.db"
    shop(db)
    with ordercore.open(str(db)) as host:
        host.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "5.00"}])
    os.symlink(db, tmp_path / "alias.db")
    os.link(db, tmp_path / "hard.db")
    before = dump(db)
    targets = [db, f"{db}-wal", f"{db}-shm", f"{db}-journal", tmp_path / "alias.db", tmp_path / "hard.db",
               tmp_path / ".." / tmp_path.name / "shop.db", tmp_path]
    for target in targets:
        for line in [f"export {target} order list", f"report html {target}", f"db backup {target}"]:
            result = run(shell, db, "", "-c", line)
            assert result.returncode == 1 and "error (invalid_input)" in result.stderr, (line, result.stderr)
    assert dump(db) == before
    assert run(shell, db, "", "-c", "db check", "--json").returncode == 0
    # The history file is an output too: pointed at the database, the terminal session keeps none.
    env = {**os.environ, "TERM": "xterm", "ORDERCORE_HISTORY": f"{db}-wal"}
    child = pexpect.spawn(shell, [str(db)], env=env, encoding="utf-8", timeout=20)
    child.expect("not keeping history")
    child.expect("ordercore> ")
    child.sendline("stock get A1")
    child.expect("ordercore> ")
    child.sendline(".quit")
    child.expect(pexpect.EOF)
    assert dump(db) == before
