"""The admin shell as people and scripts use it: scripted standard input, -c, and a real terminal."""
import json
import os
import pwd
import subprocess

import pexpect

import ordercore

# The shell acts as the OS user running it (by uid); the first admin of a new database may be anyone.
ME = pwd.getpwuid(os.getuid()).pw_name

SETUP = f"""
actor upsert {ME} role=admin
sku upsert A1 name=Mug barcode=690123
warehouse upsert SH name=Shanghai priority=1
stock receive A1 SH 10
"""


def run(shell, db, script, *args):
    return subprocess.run([shell, str(db), *args], input=script, capture_output=True, text=True, timeout=60)


def paid_on_may_day(shell, db, unit_price, qty=1, **payment):
    """SETUP, then an order placed and paid on 1 May 2026, which only the host may date (the shell acts now)."""
    subprocess.run([shell, str(db)], input=SETUP, capture_output=True, text=True, check=True)
    with ordercore.open(str(db)) as host:
        host.exec("order.create", lines=[{"sku": "A1", "qty": qty, "unit_price": unit_price}], at="2026-05-01T08:55:00Z")
        host.exec("order.pay", order_id="SO-000001", at="2026-05-01T09:00:00Z", **payment)


def test_script_receives_creates_pays_cancels_and_shows_a_timeline(shell, tmp_path):
    db = tmp_path / "shop.db"
    script = SETUP + """
order create A1:2@19.90 channel=web customer=Wang
order create A1:3@19.90
order pay SO-000001 39.80 ref=PAY-1
order cancel SO-000002 buyer changed their mind
.mode json
order timeline SO-000002
stock get A1
"""
    result = run(shell, db, script)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    timeline, stock = json.loads(lines[-2]), json.loads(lines[-1])
    assert [e["to"] for e in timeline["events"]] == ["pending_payment", "cancelled"]
    assert timeline["events"][1]["actor"] == ME  # the OS user, by uid
    assert stock["available"] == 8 and stock["reserved"] == 2


def test_some_units_of_an_order_are_cancelled_by_sku_and_quantity(shell, tmp_path):
    script = SETUP + """
order create A1:3@10.00
order pay SO-000001
order cancel SO-000001 A1:1 buyer called at 10:30
order create A1:1@10.00
order cancel SO-000002 buyer called at 10:45
.mode json
order get SO-000001
order get SO-000002
"""
    result = run(shell, tmp_path / "u.db", script)
    assert result.returncode == 0, result.stderr
    order, whole = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert order["state"] == "paid" and order["refund_due"] == "10.00"
    assert order["lines"][0]["cancelled"] == 1 and order["lines"][0]["reserved"] == 2
    # A time in the reason is part of it, not a line.
    assert whole["state"] == "cancelled" and whole["cancel_reason"] == "buyer called at 10:45"


def test_a_line_is_named_by_its_number(shell, tmp_path):
    # A1 on two lines (10.00 and 8.00): `#2:1` is the second line's unit, `A1:1` the cheapest.
    script = SETUP + """
order create A1:1@10.00 A1:1@8.00
order pay SO-000001
order cancel SO-000001 #1:1 the dearer one
.mode json
order get SO-000001
order cancel SO-000001 #3:1 no such line
"""
    result = run(shell, tmp_path / "n.db", script)
    order = json.loads(result.stdout.strip().splitlines()[-1])
    assert [line["cancelled"] for line in order["lines"]] == [1, 0] and order["refund_due"] == "10.00"
    assert result.returncode != 0 and "has no line 3" in result.stderr


def test_a_chargeback_holds_an_order_until_it_is_won(shell, tmp_path):
    script = SETUP + """
order create A1:2@10.00
order pay SO-000001
order dispute SO-000001 CB-2231 reason=fraudulent
.mode json
order get SO-000001
order refund SO-000001 amount=5.00
order dispute SO-000001 CB-2231 status=won
"""
    result = run(shell, tmp_path / "d.db", script)
    held, won = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert held["state"] == "on_hold" and held["charged_back"] == "20.00"
    assert held["disputes"][0]["reason"] == "fraudulent"
    assert "chargebacks take 20.00 of it back" in result.stderr
    assert won["state"] == "paid" and won["charged_back"] == "0.00"


def test_a_channels_fraud_verdict_holds_an_order_until_reviewed(shell, tmp_path):
    script = SETUP + """
order create A1:1@10.00
order pay SO-000001
risk report SO-000001 stripe-radar high message="card reported stolen"
.mode json
risk get SO-000001
"""
    result = run(shell, tmp_path / "v.db", script)
    risk = json.loads(result.stdout.strip().splitlines()[-1])
    assert risk["state"] == "on_hold" and risk["decision"] == "hold", result.stdout + result.stderr
    assert risk["reports"][0]["source"] == "stripe-radar"
    assert risk["reasons"][0]["reason"] == "stripe-radar rates it high risk: card reported stolen"


def test_an_alert_to_put_units_back_is_closed_and_the_buyers_call_noted(shell, tmp_path):
    script = SETUP + """
order create A1:2@10.00
order pay SO-000001
order allocate SO-000001
order pick SO-000001
order cancel SO-000001 A1:1 buyer dropped one
alert resolve 1 put back on shelf A-01
order note SO-000001 buyer told: one unit cancelled, refund by Friday
.mode json
report alerts
order timeline SO-000001
"""
    result = run(shell, tmp_path / "a.db", script)
    assert result.returncode == 0, result.stderr
    report, timeline = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert timeline["events"][-1]["details"]["note"] == "buyer told: one unit cancelled, refund by Friday"
    assert not [i for i in report["items"] if i["kind"] == "refunded_unshipped"], report
    again = run(shell, tmp_path / "a.db", "alert resolve 1 again\n")
    assert again.returncode != 0 and "was cleared" in again.stderr


def test_stock_adjust_safety_ledger_and_verify(shell, tmp_path):
    script = SETUP + """
stock adjust A1 SH -2 dropped by the forklift
stock safety A1 SH 3
.mode json
stock ledger A1
stock verify
"""
    result = run(shell, tmp_path / "l.db", script)
    assert result.returncode == 0, result.stderr
    ledger, verify = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert [(e["reason"], e["delta"]) for e in ledger["entries"]] == [("receive", 10), ("adjust", -2), ("safety", 3)]
    assert ledger["entries"][1]["note"] == "dropped by the forklift"
    assert verify["ok"] is True


def test_count_and_transfer(shell, tmp_path):
    script = SETUP + """
warehouse upsert BJ name=Beijing
sku upsert A1 unit_cost=2.50
stock count SH A1:9 reference=CC-1
transfer create SH BJ A1:4
transfer receive TR-000001 A1:1
.mode json
transfer get TR-000001
stock get A1
transfer close TR-000001 reason="lost on the way"
stock get A1
"""
    result = run(shell, tmp_path / "t.db", script)
    assert result.returncode == 0, result.stderr
    assert "variance" in result.stdout and "-2.50" in result.stdout
    transfer, stock, closed, after = (json.loads(line) for line in result.stdout.strip().splitlines()[-4:])
    assert transfer["state"] == "partially_received" and transfer["lines"][0]["in_transit"] == 3
    assert stock["on_hand"] == 6 and stock["in_transit"] == 3
    assert closed["state"] == "closed" and closed["lines"][0]["lost"] == 3 and closed["close_reason"] == "lost on the way"
    assert after["on_hand"] == 6 and after["in_transit"] == 0


def test_stock_valuation_at_moving_average_cost(shell, tmp_path):
    # The 10 units of SETUP arrived without a cost: 0.00; 10 more at 3.00 make 30.00, 1.50 on average.
    script = SETUP + """
sku upsert A1 unit_cost=3.00
stock receive A1 SH 10
stock valuation A1
"""
    result = run(shell, tmp_path / "v.db", script)
    assert result.returncode == 0, result.stderr
    row = result.stdout.strip().splitlines()
    assert any(line.split()[:5] == ["A1", "SH", "20", "30.00", "1.50"] for line in row), result.stdout


def test_channel_caps(shell, tmp_path):
    script = SETUP + """
channel upsert web warehouses=SH
channel sku web A1 cap=3
order create A1:2@1 channel=web
.mode json
stock get A1 channel=web
"""
    result = run(shell, tmp_path / "ch.db", script)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["channel"]["sellable"] == 1
    refused = run(shell, tmp_path / "ch.db", "order create A1:2@1 channel=web\n")
    assert refused.returncode == 1 and "channel web may sell 1 more A1" in refused.stderr


def test_presale_and_pickup(shell, tmp_path):
    script = SETUP + """
order create A1:2@50 deposit=20 balance_due_at=2099-01-01T00:00:00Z
order pay SO-000001
order pay SO-000001 80.00
order pickup SO-000001
.mode json
order timeline SO-000001
"""
    result = run(shell, tmp_path / "p.db", script)
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout.strip().splitlines()[-1])["events"]
    assert [e["to"] for e in events] == ["pending_payment", "deposit_paid", "paid", "completed"]


def test_a_cash_on_delivery_order_paid_in_parts(shell, tmp_path):
    script = SETUP + """order create A1:2@50 cash_on_delivery=true paid=30.00 payment_ref=GC-1
order pay SO-000001 50.00 ref=ADV-2
.mode json
order get SO-000001
"""
    result = run(shell, tmp_path / "cod.db", script)
    assert result.returncode == 0, result.stderr
    order = json.loads(result.stdout.strip().splitlines()[-1])
    assert order["state"] == "pending_payment" and order["paid_total"] == "80.00" and order["balance_due"] == "20.00"


def test_an_order_on_payment_terms(shell, tmp_path):
    script = SETUP + """order create A1:2@50 terms="Net 30" due_at=2026-03-01T00:00:00Z
order allocate SO-000001
.mode json
order get SO-000001
order pack SO-000001 0 scans=SO-000001,690123,690123
order ship SO-000001 SF SF7
order write-off SO-000001 "the buyer went bankrupt" amount=60.00
"""
    result = run(shell, tmp_path / "terms.db", script)
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.strip().splitlines() if line.startswith("{")]
    order = next(o for o in outputs if o.get("state") == "allocated")
    assert order["balance_due"] == "100.00"
    assert order["payment_terms"] == {"name": "Net 30", "due_at": "2026-03-01T00:00:00Z"}
    assert outputs[-1]["state"] == "shipped" and outputs[-1]["balance_due"] == "40.00"


def test_an_order_arriving_paid(shell, tmp_path):
    script = SETUP + "order create A1:2@50 paid=100.00 payment_ref=POS-7\n.mode json\norder timeline SO-000001\n"
    result = run(shell, tmp_path / "pos.db", script)
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout.strip().splitlines()[-1])["events"]
    assert [e["to"] for e in events] == ["pending_payment", "paid"]
    assert events[1]["details"]["payment_ref"] == "POS-7"


def test_stock_board_table(shell, tmp_path):
    result = run(shell, tmp_path / "b.db", SETUP + "sku upsert B2\nstock receive B2 SH 1\norder create B2:1@1\nsweep\nstock board\nstock alerts\n")
    assert result.returncode == 0, result.stderr
    assert ("sku  name  category  on_hand  reserved  safety  available  backordered  yesterday_sales  avg_daily_sales"
            "  days_of_cover  status") in result.stdout
    assert ("B2   B2              1        1         0       0          0            0                0.00"
            "                            warning") in result.stdout
    assert "low_stock" in result.stdout


def test_allocation(shell, tmp_path):
    script = SETUP + """
warehouse upsert BJ serves=Beijing distances=Shanghai:1200
stock receive A1 BJ 5
order create A1:2@1 region=Beijing
order pay SO-000001
.mode json
order allocate SO-000001
"""
    result = run(shell, tmp_path / "a.db", script)
    assert result.returncode == 0, result.stderr
    allocated = json.loads(result.stdout.strip().splitlines()[-1])
    assert allocated["state"] == "allocated" and allocated["allocation"]["allocations"][0]["warehouse"] == "BJ"


def test_fulfillment_from_the_shell(shell, tmp_path):
    script = SETUP + """
sku upsert A1 weight_g=350
order create A1:2@19.90
order pay SO-000001
order allocate SO-000001
order pick SO-000001
order pack SO-000001 350 scans=SO-000001,690123 partial=true
order unpack SO-000001 "wrong box"
order pack SO-000001 700 scans=SO-000001,690123,690123
order ship SO-000001 SF SF900
tracking event SF SF900 InTransit time=2026-01-18T10:00:00 location=Xian
tracking ingest '{"msg": {"slug": "SF", "tracking_number": "SF900", "checkpoints": [{"tag": "Delivered", "city": "Xian"}]}}'
.mode json
order get SO-000001
"""
    result = run(shell, tmp_path / "f.db", script)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout.strip().splitlines()[-1])
    assert doc["state"] == "delivered" and doc["shipments"][0]["tracking_no"] == "SF900"
    bad = run(shell, tmp_path / "f.db", "order create A1:1@1\norder pay SO-000002\norder allocate SO-000002\norder pack SO-000002 350 scans=SO-000002,999\n")
    assert bad.returncode == 1 and "pack check failed: wrong item 999" in bad.stderr


def test_order_show_has_lines_shipments_and_timeline(shell, tmp_path):
    script = SETUP + "order create A1:1@5\norder pay SO-000001\norder allocate SO-000001\n" \
        "order pack SO-000001 0 scans=SO-000001,690123\norder ship SO-000001 SF SF1\norder show SO-000001\nreport alerts\n"
    result = run(shell, tmp_path / "s.db", script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "shipments:" in out and "SF1" in out and "timeline:" in out
    timeline = out[out.index("timeline:"):]
    assert all(step in timeline for step in ["order.create", "order.pay", "order.allocate", "order.pack", "order.ship"])
    assert out.rstrip().endswith("items")  # report alerts ran: its one list, empty (nothing is stuck yet)


def test_pick_wave_prints_a_pick_list(shell, tmp_path):
    script = SETUP + "stock locate A1 SH A-01-02\norder create A1:2@1 priority=2 carrier=SF\norder pay SO-000001\n" \
        "order allocate SO-000001\npick wave SH carrier=SF\n"
    result = run(shell, tmp_path / "w.db", script)
    assert result.returncode == 0, result.stderr
    assert "WV-000001" in result.stdout and "A-01-02" in result.stdout and "SO-000001" in result.stdout


def test_status_anchor_from_the_shell(shell, tmp_path):
    script = SETUP + """
exec {"op":"status.mapping","source":"shopify","outbound":{"pending_payment":"pending"}}
order create A1:1@1
.mode json
order status SO-000001 shopify
status report taobao SO-000001 WAIT_SELLER_SEND_GOODS
status drift
"""
    result = run(shell, tmp_path / "st.db", script)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert json.loads(lines[-3])["status"] == "pending"
    assert json.loads(lines[-1])["drift"][0]["reason"] == "unmapped"


def test_table_mode_shows_aligned_columns(shell, tmp_path):
    result = run(shell, tmp_path / "t.db", SETUP + "stock get A1\n")
    assert "warehouse  on_hand  reserved  available" in result.stdout
    assert "SH         10       0         10" in result.stdout


def test_csv_mode(shell, tmp_path):
    result = run(shell, tmp_path / "c.db", SETUP + "order create A1:1@5\n.mode csv\norder list\n")
    assert "order_id,channel,external_id,state,currency,grand_total" in result.stdout
    assert "SO-000001,direct,,pending_payment,CNY,5.00" in result.stdout


def test_errors_go_to_stderr_and_make_the_exit_status_non_zero(shell, tmp_path):
    result = run(shell, tmp_path / "e.db", SETUP + "order create A1:11@1\nstock get A1\n")
    assert result.returncode == 1
    assert "error (insufficient_stock): insufficient stock for A1: requested 11, available 10" in result.stderr
    assert "available" in result.stdout  # without .bail the script went on


def test_bail_stops_at_the_first_error(shell, tmp_path):
    result = run(shell, tmp_path / "b.db", ".bail on\norder frobnicate\nsku upsert B2\n")
    assert result.returncode == 1
    assert "unknown command 'order frobnicate'" in result.stderr and "help" in result.stderr
    assert "B2" not in result.stdout


def test_dash_c_runs_commands_and_exec_takes_json(shell, tmp_path):
    db = tmp_path / "c.db"
    result = subprocess.run([shell, str(db), "--json", "-c", f"actor upsert {ME} role=admin", "-c", "sku upsert A1", "-c",
                             'exec {"op":"warehouse.upsert","warehouse":"SH"}'], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[2])["warehouse"] == "SH"
    bad = subprocess.run([shell, str(db), "-c", "exec {not json"], capture_output=True, text=True)
    assert bad.returncode == 1 and "invalid_input" in bad.stderr


def test_read_show_timer_and_help(shell, tmp_path):
    script = tmp_path / "setup.oc"
    script.write_text(SETUP)
    result = run(shell, tmp_path / "r.db", f".read {script}\n.timer on\nstock get A1\n.timer off\n.show\nhelp order pay\n")
    assert result.returncode == 0, result.stderr
    assert "Run Time:" in result.stdout
    assert "mode: table" in result.stdout and "bail: off" in result.stdout
    assert "order pay ORDER [AMOUNT] [options]" in result.stdout and "options: ref=REF" in result.stdout


def test_unopenable_database_exits_2(shell, tmp_path):
    result = subprocess.run([shell, str(tmp_path / "no" / "such" / "dir.db"), "-c", "sweep"], capture_output=True, text=True)
    assert result.returncode == 2 and "cannot open" in result.stderr


def spawn(shell, db, home):
    env = {**os.environ, "HOME": str(home), "TERM": "xterm"}
    env.pop("ORDERCORE_HISTORY", None)
    child = pexpect.spawn(shell, [str(db)], env=env, encoding="utf-8", timeout=20, dimensions=(40, 200))
    child.expect("ordercore> ")
    return child


def leave_with_ctrl_d(child):
    """Ctrl-D at the prompt ends the session. Typed as libedit switches the terminal's mode for the prompt (a loaded
    machine draws the prompt first), the terminal can swallow it: a person presses it again, and so does this."""
    child.sendeof()
    if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=5) == 1:
        child.sendeof()
        child.expect(pexpect.EOF)


def test_terminal_session_completes_commands_skus_and_orders(shell, tmp_path):
    # The terminal only redraws the completed suffix, so each check runs the completed line and looks
    # at its effect: the command could only have worked if every word was completed correctly.
    db = tmp_path / "pty.db"
    subprocess.run([shell, str(db)], input=SETUP + "order create A1:1@5\n", capture_output=True, text=True, check=True)
    child = spawn(shell, db, tmp_path)
    child.send("sto\trec\tA\tS\t5\r")   # stock receive A1 SH 5: command words, SKU, warehouse
    child.expect("received +5")
    child.expect("on_hand +15")
    child.expect("ordercore> ")
    child.send("order get SO-0\t\r")      # the order id from the database
    child.expect("order_id +SO-000001")
    child.expect("ordercore> ")
    child.send("config get returns.adm\t\r")  # a setting's key
    child.expect("returns.admin_above +5000")
    child.expect("ordercore> ")
    child.send("stock \t\t")              # two tabs list the choices
    child.expect(r"adjust[\s\S]+ordercore> stock ")
    listed = child.after.split()
    for word in ["adjust", "alerts", "board", "count", "get", "ledger", "locate", "quarantine", "receive", "replenishment", "safety",
                 "scrap", "show", "transfer", "transfer-get", "transfer-receive", "verify"]:
        assert word in listed, (word, listed)
    child.send("\x15")                     # Ctrl-U clears the line
    child.sendline(".quit")
    child.expect(pexpect.EOF)


def test_terminal_history_is_kept_across_sessions(shell, tmp_path):
    db = tmp_path / "hist.db"
    child = spawn(shell, db, tmp_path)
    child.sendline("sku upsert HIST-1 name=Remembered")
    child.expect("Remembered")
    child.expect("ordercore> ")
    leave_with_ctrl_d(child)      # Ctrl-D leaves without adding to the history
    assert "HIST-1" in (tmp_path / ".ordercore_history").read_text()

    child = spawn(shell, db, tmp_path)
    child.send("\x1b[A")          # up arrow recalls the last session's command
    child.expect("sku upsert HIST-1 name=Remembered")
    child.sendline("")
    child.expect("created +false")
    child.expect("ordercore> ")
    child.sendline("help")
    child.expect("order timeline ORDER")
    child.expect("ordercore> ")
    leave_with_ctrl_d(child)


FIXTURES = os.environ.get("ORDERCORE_FIXTURES", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "fixtures"))
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def import_twice(shell, tmp_path, rows, after=""):
    """Imports the CSV rows into a new shop, lists the dead letters, imports them again (everything is in
    by then), then runs `after`. Returns the run, its output lines and the two imports' summaries."""
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(rows) + "\n")
    script = SETUP + f"""
channel upsert shop profile=csv
.mode json
.import {orders} --channel shop
intake dead
.import {orders} --channel shop
{after}"""
    result = run(shell, tmp_path / "i.db", script)
    lines = result.stdout.strip().splitlines()
    first, second = (json.loads(line) for line in lines if line.startswith('{"events"'))
    return result, lines, first, second


def test_import_csv_dead_letters_retry_and_events_tail(shell, tmp_path):
    result, lines, first, second = import_twice(shell, tmp_path, [
        "order_id,placed_at,currency,status,sku,qty,unit_price",
        "o-1,2026-01-18T10:00:00Z,CNY,paid,A1,2,19.90",
        "o-2,2026-01-18T10:01:00Z,CNY,paid,B9,1,5.00"], after="events tail erp\nevents tail erp\n")
    assert result.returncode == 1  # the dead letter is reported as a failure of the script
    assert (first["orders_created"], first["dead_letters"]) == (1, 1)
    dead = json.loads([line for line in lines if line.startswith('{"dead_letters"')][0])
    assert "B9" in dead["dead_letters"][0]["error"]["message"]
    assert second["already_in"] == 2 and second["orders_created"] == 0
    tail = [json.loads(line) for line in lines if line.startswith('{"seq"')]
    assert [e["seq"] for e in tail] == sorted({e["seq"] for e in tail}), "the second tail prints nothing again"
    assert {"order", "sellable", "alert"} <= {e["kind"] for e in tail}


def test_import_sends_orders_twenty_to_an_event_and_each_fails_alone(shell, tmp_path):
    rows = ["order_id,placed_at,currency,status,sku,qty,unit_price"]
    for i in range(45):
        sku = "B9" if i == 7 else "A1"  # an SKU the shop does not have
        extra = ",?" if i == 40 else ""  # a record with more fields than the header
        rows.append(f"o-{i},2026-01-18T10:00:00Z,CNY,paid,{sku},1,1.00{extra}")
    result, lines, first, second = import_twice(shell, tmp_path, rows)
    assert result.returncode == 1, "two dead letters"
    assert (first["events"], first["applied"], first["orders_created"], first["dead_letters"]) == (45, 43, 43, 2)
    assert (second["already_in"], second["orders_created"]) == (45, 0)
    listed = json.loads([line for line in lines if line.startswith('{"dead_letters"')][0])["dead_letters"]
    db = ordercore.open(str(tmp_path / "i.db"))
    dead = [db.exec("intake.get", inbox_id=d["inbox_id"]) for d in listed]
    # Each bad order is a dead letter of its own holding its rows only; o-7 is an element of a shared event.
    assert [d["payload"].splitlines()[1].split(",")[0] for d in dead] == ["o-7", "o-40"]
    assert all(len(d["payload"].splitlines()) == 2 for d in dead)
    assert "B9" in dead[0]["outcome"]["error"]["message"]
    shared = db.exec("intake.get", inbox_id=dead[0]["outcome"]["part_of"])
    assert len(shared["payload"].splitlines()) == 21, "o-7 came with the first twenty orders"
    assert "8 fields" in dead[1]["outcome"]["error"]["message"]


def test_import_stops_at_a_line_that_is_not_utf8_text(shell, tmp_path):
    """Read as text, a GBK export's bytes would become U+FFFD (o-\\xb6\\xa91 and o-\\xb6\\xaa1 one order) and
    a NUL would cut its line short: the import stops at the line and says which (these files are smaller than
    a batch, so nothing is in); once the file is fixed the same command imports it."""
    db = tmp_path / "enc.db"
    assert run(shell, db, SETUP + "channel upsert shop profile=csv\n").returncode == 0
    header = b"order_id,placed_at,currency,status,sku,qty,unit_price\n"
    row = b"%s,2026-01-18T10:00:00Z,CNY,paid,A1,1,1.00%s\n"
    for name, body, complaint in (
        ("gbk.csv", row % (b"o-\xb6\xa91", b"") + row % (b"o-\xb6\xaa1", b""), "line 2 of '%s' is not UTF-8 text"),
        ("nul.csv", row % (b"o-1", b"") + row % (b"o-2", b"\x00,9"), "line 3 of '%s' has a NUL byte (byte 44)"),
    ):
        path = tmp_path / name
        path.write_bytes(header + body)
        result = run(shell, db, f".import {path} --channel shop\n")
        assert result.returncode == 1
        assert (complaint % path) in result.stderr and "nothing from this line on was read" in result.stderr
        assert ordercore.open(str(db)).exec("order.list")["orders"] == []
    path.write_bytes((header + row % (b"o-1", b"") + row % (b"o-2", b"")).replace(b"\n", b"\r\n"))
    result = run(shell, db, f".mode json\n.import {path} --channel shop\n")
    assert result.returncode == 0 and json.loads(result.stdout)["orders_created"] == 2


def test_import_replays_the_uci_online_retail_subset(shell, tmp_path):
    data = os.path.join(FIXTURES, "datasets", "uci_online_retail", "online_retail_2010-12-01_to_12-13_subset.csv")
    if not os.path.exists(data):
        import pytest
        pytest.skip(f"fixtures not found at {FIXTURES} (set ORDERCORE_FIXTURES)")
    import csv
    codes = sorted({row["StockCode"] for row in csv.DictReader(open(data))})
    profile = json.load(open(os.path.join(ROOT, "examples", "profiles", "uci_online_retail.json")))
    setup = f"actor upsert {ME} role=admin\nwarehouse upsert UK\n" + "".join(f'exec {json.dumps({"op": "sku.upsert", "sku": c})}\n' for c in codes if " " not in c)
    setup += "exec " + json.dumps({"op": "intake.profile_set", "profile": profile}) + "\n"
    script = setup + f"channel upsert uci profile=uci_online_retail\n.mode json\n.import {data} --channel uci\n"
    result = run(shell, tmp_path / "uci.db", script)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    # 1,275 invoices: 156 credit notes and 71 invoices of fees or adjustments only are skipped with their reason.
    assert summary["events"] == 1275 and summary["dead_letters"] == 0
    assert summary["orders_created"] == 1048
    assert summary["skipped_why"]["credit note (C invoice): it names no original invoice, so there is no order to cancel or return against"] == 156
    assert summary["lines_imported"] + summary["lines_not_stock"] == 28074


def test_import_on_a_terminal_shows_a_progress_bar(shell, tmp_path):
    db = tmp_path / "progress.db"
    rows = "".join(f"p-{i},2026-01-18T10:00:00Z,CNY,paid,A1,1,1.00\n" for i in range(1200))
    orders = tmp_path / "many.csv"
    orders.write_text("order_id,placed_at,currency,status,sku,qty,unit_price\n" + rows)
    subprocess.run([shell, str(db)], input=SETUP + "channel upsert shop profile=csv\n", capture_output=True, text=True, check=True)
    child = spawn(shell, db, tmp_path)
    child.sendline(f".import {orders} --channel shop")
    child.expect(r"\[#+\.*\] +\d+%  500 events")   # after the first batch of 500
    child.expect(r"100%  1200 events, 1200 orders, 0 dead letters")
    child.expect("orders_created +1200")
    child.expect("ordercore> ")
    child.sendline(".quit")
    child.expect(pexpect.EOF)


def register(db, **roles):
    """Registers actors as the host program does (trusted, no actor of its own)."""
    with ordercore.open(str(db)) as host:
        for actor, role in roles.items():
            host.actors.upsert(actor, role=role)


def staffed(db, **roles):
    """SETUP's catalog and stock, made by the host, and the actors given."""
    with ordercore.open(str(db)) as host:
        host.skus.upsert("A1", name="Mug", barcode="690123", weight_g=300)
        host.warehouses.upsert("SH", name="Shanghai", priority=1)
        host.stock.receive("A1", "SH", 10)
    register(db, **roles)


def test_only_a_registered_supervisor_overrides_the_weight_check(shell, tmp_path):
    db = tmp_path / "roles.db"
    staffed(db, boss="admin", **{ME: "operator"})
    script = """
order create A1:1@5
order pay SO-000001
order allocate SO-000001
order pick SO-000001
order pack SO-000001 2000 scans=SO-000001,690123
order override-weight SO-000001 1 scale is fine
"""
    result = run(shell, db, script)
    assert "error (forbidden)" in result.stderr and "needs a supervisor" in result.stderr
    register(db, **{ME: "supervisor"})
    result = run(shell, db, "order override-weight SO-000001 1 scale is fine\n.mode json\norder get SO-000001\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["parcels"][0]["override_by"] == ME


def test_a_return_from_request_to_refund(shell, tmp_path):
    db = tmp_path / "r.db"
    staffed(db, boss="admin", **{ME: "supervisor"})
    script = """
order create A1:2@30
order pay SO-000001
order pickup SO-000001
return request SO-000001 defective A1:2 note="cracked handle"
return approve RT-000001
return receive RT-000001 SH A1:1 grade=damaged
return refund RT-000001 ref=RF-1
.mode json
return get RT-000001
return list state=receiving
"""
    result = run(shell, db, script)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    rt, listed = json.loads(lines[-2]), json.loads(lines[-1])
    assert rt["refunds"][0]["cash"] == "30.00" and rt["state"] == "receiving"
    assert [r["return_id"] for r in listed["returns"]] == ["RT-000001"]


def test_risk_queue_show_and_review(shell, tmp_path):
    db = tmp_path / "risk.db"
    staffed(db, boss="admin", **{ME: "supervisor"})
    script = """
risk list device DEV-9 block note=chargebacks
exec {"op":"order.create","lines":[{"sku":"A1","qty":1,"unit_price":"5.00"}],"customer":{"device_id":"DEV-9"}}
risk queue
risk show SO-000001
risk review SO-000001 approve called the buyer, all good
.mode json
order get SO-000001
"""
    result = run(shell, db, script)
    assert result.returncode == 0, result.stderr
    assert "block_list" in result.stdout and "device DEV-9 is on the block list" in result.stdout
    order = json.loads(result.stdout.strip().splitlines()[-1])
    assert order["state"] == "pending_payment" and order["risk"]["review"]["reason"] == "called the buyer, all good"


def test_report_sales_and_reconcile_payments(shell, tmp_path):
    settlement = tmp_path / "gw.csv"
    settlement.write_text("ref,gross\nPAY-1,39.80\nPAY-9,1.00\n")
    paid_on_may_day(shell, tmp_path / "s.db", "19.90", qty=2, payment_ref="PAY-1")
    script = f"""
report sales from=2026-05-01T00:00:00Z to=2026-05-02T00:00:00Z
.mode json
reconcile payments {settlement} reference=ref amount=gross from=2026-05-01T00:00:00Z to=2026-05-02T00:00:00Z
"""
    result = run(shell, tmp_path / "s.db", script)
    assert result.returncode == 0, result.stderr
    assert "2026-05-01" in result.stdout and "39.80" in result.stdout
    reconciled = json.loads(result.stdout.strip().splitlines()[-1])
    assert reconciled["matched"]["count"] == 1 and reconciled["missing_in_ordercore"]["count"] == 1


def test_report_health_table_exports_and_the_dashboard(shell, tmp_path):
    paid_on_may_day(shell, tmp_path / "h.db", "5.00")
    script = f"""
report health from=2026-05-01T00:00:00Z to=2026-05-02T00:00:00Z
export {tmp_path / "orders.csv"} order list
export {tmp_path / "ledger.jsonl"} stock ledger A1
export {tmp_path / "channels.csv"} rows=channels report health from=2026-05-01T00:00:00Z to=2026-05-02T00:00:00Z
report html {tmp_path / "dashboard.html"}
db check
db backup {tmp_path / "copy.db"}
"""
    result = run(shell, tmp_path / "h.db", script)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("component "))
    assert lines[header].split() == ["component", "value", "unit", "score", "grade", "weight", "details"]
    # One paid order waiting and nothing shipped: no days figure, score 0, grade F, weight 20.
    assert lines[header + 2].split()[:5] == ["backlog", "days", "0", "F", "20"]
    assert "unprocessed=1 shipped=0" in lines[header + 2]
    assert (tmp_path / "orders.csv").read_text().startswith("order_id,channel,external_id,state")
    assert [json.loads(line)["reason"] for line in (tmp_path / "ledger.jsonl").read_text().splitlines()] == ["receive", "reserve"]
    assert (tmp_path / "channels.csv").read_text().splitlines()[1].startswith("direct,0,F,")
    assert (tmp_path / "dashboard.html").read_text().startswith("<!DOCTYPE html>")
    assert "integrity" in result.stdout and (tmp_path / "copy.db").stat().st_size > 0
    bad = run(shell, tmp_path / "h.db", "export only-a-file.csv\nexport x.csv order cancel SO-000001\nstock ledger sku=A1\n")
    assert bad.returncode != 0 and "usage: export FILE" in bad.stderr and "only read commands" in bad.stderr
    assert "unknown option 'sku'; options: ref_type=REF_TYPE" in bad.stderr   # not a SKU named "sku=A1"


def test_watch_refreshes_report_alerts_until_a_key(shell, tmp_path):
    db = tmp_path / "watch.db"
    paid_on_may_day(shell, db, "5.00")
    child = spawn(shell, db, tmp_path)
    child.sendline("watch 0.3 report alerts")
    for _ in range(3):                        # it redraws: the title, with the stuck order under it, again and again
        child.expect(r"Every 0\.3 s: report alerts")
        child.expect("stuck_order +warning")
    child.send("q")                           # any key stops it and gives the prompt back
    child.expect("ordercore> ")
    child.sendline("stock get A1")            # the terminal is usable again: keys echo, lines run
    child.expect("on_hand +10")
    child.sendline(".quit")
    child.expect(pexpect.EOF)
    scripted = run(shell, db, "watch report alerts\n")   # not a terminal: shown once
    assert scripted.returncode == 0 and "stuck_order" in scripted.stdout and "Every" not in scripted.stdout


def test_hostile_input_in_the_shell_gets_an_error_and_changes_nothing(shell, tmp_path):
    db = tmp_path / "hostile.db"
    subprocess.run([shell, str(db)], input=SETUP, capture_output=True, text=True, check=True)
    before = run(shell, db, ".mode json\nstock ledger A1\n").stdout
    hostile = "\n".join([
        'exec {"op":"stock.receive","sku":"A1","warehouse":"SH","qty":1e400}',
        'exec [' * 50_000,
        "stock receive A1 SH -5",
        "stock receive A1 SH 99999999999999999999999",
        "order create A1:1@-1.00",
        "order create A1:1@1.005",
        "sku upsert 'A\x01B' name=x",
        'exec {"op":"stock.get","sku":"A1","bogus":true}',
        "order ship SO-000404 SF T1",
        "stock receive A1 SH 1 'unterminated",
    ]) + "\n"
    result = subprocess.run([shell, str(db)], input=hostile.encode() + b"sku upsert \xff\xfe name=x\n", capture_output=True, timeout=60)
    assert result.returncode != 0
    errors = result.stderr.decode("utf-8", "replace").splitlines()
    assert len(errors) == 11 and all(line.startswith("error") for line in errors), errors
    assert run(shell, db, ".mode json\nstock ledger A1\n").stdout == before


def test_a_light_return_waits_for_a_supervisors_inspection_and_map_settings_merge(shell, tmp_path):
    db = tmp_path / "inspect.db"
    staffed(db, boss="admin", **{ME: "supervisor"})
    with ordercore.open(str(db)) as host:
        host.skus.upsert("A1", weight_g=900)
    script = """
order create A1:1@30
order pay SO-000001
order pickup SO-000001
return request SO-000001 changed_mind A1:1
return approve RT-000001
return receive RT-000001 SH A1:1 weight_g=40
return inspect RT-000001 SH A1:1 note="wrapped in foam"
return refund RT-000001
config set fulfillment.state_limit_hours '{"paid":"10m"}'
channel upsert web shipped_orders_move_stock=false
.mode json
return get RT-000001
config get fulfillment.state_limit_hours
"""
    result = run(shell, db, script)
    assert result.returncode == 1 and "forbidden" in result.stderr  # channel.upsert is an admin's
    lines = result.stdout.strip().splitlines()
    rt, limits = json.loads(lines[-2]), json.loads(lines[-1])["settings"][0]["value"]
    assert rt["flags"] == ["empty_box"] and rt["refunds"][0]["cash"] == "30.00"
    assert [e["command"] for e in rt["timeline"]][-2:] == ["return.inspect", "return.refund"]
    assert limits["paid"] == "10m" and limits["packed"] == 24


def test_the_readme_session_runs_as_written_on_a_new_database(shell, tmp_path):
    # The README's session, line by line; "alice" stands for the reader's login name, as it says.
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    session = readme.split("## The admin shell", 1)[1].split("```", 2)[1]
    lines = [line.split("ordercore> ", 1)[1].split("  #", 1)[0].strip()
             for line in session.splitlines() if line.startswith("ordercore> ")]
    assert len(lines) >= 8 and lines[1].startswith("actor upsert alice")
    me = pwd.getpwuid(os.getuid()).pw_name
    script = "\n".join(line.replace("alice", me) for line in lines) + "\n"
    result = subprocess.run([shell, str(tmp_path / "readme.db")], input=script, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"actor: {me}" in result.stdout
    assert "buyer changed their mind" in result.stdout


def test_config_set_takes_json_values(shell, tmp_path):
    script = SETUP + """
config set health.weights '{"on_time":40}'
config set health.weights '{"stuck": 5, "returns": 0}'
config set health.weights '{"consistency": 25}'
config set order.unpaid_timeout_minutes 30
config set inventory.reserve_at payment
config set returns.admin_above '{"CNY": 5000, "USD": 700}'
config set fulfillment.packaging_g 40
config reset fulfillment.packaging_g
.mode json
config get health.weights
config get order.unpaid_timeout_minutes
config get inventory.reserve_at
config get returns.admin_above
config get fulfillment.packaging_g
"""
    result = run(shell, tmp_path / "config.db", script)
    assert result.returncode == 0, result.stderr
    got = [json.loads(line)["settings"][0]["value"] for line in result.stdout.strip().splitlines()[-5:]]
    weights, timeout, reserve, admin_above, packaging = got
    assert weights["on_time"] == 40 and weights["stuck"] == 5 and weights["returns"] == 0 and weights["consistency"] == 25
    assert timeout == 30 and reserve == "payment"
    assert admin_above == {"CNY": 5000, "USD": 700} and packaging == 0


def test_customer_service_finds_an_order_and_shows_it(shell, tmp_path):
    script = SETUP + """
order create A1:1@5 external_id=TB-77 phone=+8613312345678 email=Wang@Example.com
order create A1:1@5 external_id=TB-78
.mode json
order find phone=+8613312345678
order find email=wang@example.com
order find external_id=TB-78
order show SO-000001
"""
    result = run(shell, tmp_path / "cs.db", script)
    assert result.returncode == 0, result.stderr
    *found, shown = [json.loads(line) for line in result.stdout.strip().splitlines()[-4:]]
    assert [[o["order_id"] for o in f["orders"]] for f in found] == [["SO-000001"], ["SO-000001"], ["SO-000002"]]
    assert shown["order_id"] == "SO-000001" and shown["tracking"] == [] and shown["returns"] == []
    assert [e["to"] for e in shown["timeline"]] == ["pending_payment"]
    assert run(shell, tmp_path / "cs.db", "order find\n").returncode == 1
