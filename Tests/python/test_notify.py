"""examples/python/notify.py posts each alert that opens, once, in WeCom's and DingTalk's robot formats —
checked against a local HTTP server standing in for the robot."""
import http.server
import json
import os
import subprocess
import sys
import threading

import ordercore

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SCRIPT = os.path.join(ROOT, "examples", "python", "notify.py")


class Robot(http.server.BaseHTTPRequestHandler):
    received: list = []
    answer = {"errcode": 0, "errmsg": "ok"}

    def do_POST(self):  # noqa: N802 - the handler's API
        length = int(self.headers["Content-Length"])
        Robot.received.append((self.path, json.loads(self.rfile.read(length))))
        data = json.dumps(Robot.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def serve():
    server = http.server.HTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(db_path, robot, url):
    return subprocess.run([sys.executable, SCRIPT, str(db_path), robot, url], capture_output=True, text=True, timeout=60)


def test_alerts_are_posted_once_in_each_robots_format(tmp_path):
    path = tmp_path / "n.db"
    with ordercore.open(str(path)) as db:
        db.sku_upsert("A1")
        db.warehouse_upsert("SH")
        db.stock_receive("A1", "SH", 1)
        order = db.order_create(lines=[{"sku": "A1", "qty": 1, "unit_price": "5.00"}])
        db.order_pay(order["order_id"])
        db.sweep()  # A1 is out: a low-stock alert and a replenish work order open
    server = serve()
    url = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=K"
    Robot.received = []
    try:
        first = run(path, "wecom", url)
        assert first.returncode == 0, first.stderr
        assert "posted 2 alerts" in first.stdout
        kinds = sorted(b["markdown"]["content"].split("**")[1] for _, b in Robot.received)
        assert kinds == ["OrderCore: low_stock", "OrderCore: replenish"]
        assert all(b["msgtype"] == "markdown" and path_.endswith("key=K") for path_, b in Robot.received)
        assert any("stock.replenishment sku=A1" in b["markdown"]["content"] for _, b in Robot.received)

        again = run(path, "wecom", url)  # nothing new: nothing posted twice
        assert again.returncode == 0 and "posted 0 alerts" in again.stdout and len(Robot.received) == 2

        with ordercore.open(str(path)) as db:
            db.stock_receive("A1", "SH", 5)  # the alerts clear (not posted)...
            order = db.order_create(lines=[{"sku": "A1", "qty": 5, "unit_price": "5.00"}])
            db.order_pay(order["order_id"])
            db.sweep()  # ...and open again
        Robot.received = []
        Robot.answer = {"errcode": 310000, "errmsg": "keywords not in content"}
        refused = run(path, "dingtalk", url)
        assert refused.returncode == 1 and "refused" in refused.stderr
        Robot.answer = {"errcode": 0, "errmsg": "ok"}
        Robot.received = []
        retried = run(path, "dingtalk", url)  # what failed is posted on the next run
        assert retried.returncode == 0, retried.stderr
        assert all(set(b["markdown"]) == {"title", "text"} and b["markdown"]["title"].startswith("OrderCore:")
                   for _, b in Robot.received)
        assert len(Robot.received) == 2
    finally:
        server.shutdown()
