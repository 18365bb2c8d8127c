"""Alerts that reach people: follows OrderCore's change feed and posts every alert that opens to a group
chat robot — WeCom (企业微信) or DingTalk (钉钉) — as a markdown message with what to do.

    PYTHONPATH=bindings/python ORDERCORE_LIBRARY=dist/lib/libordercore.so.0 \\
        python3 examples/python/notify.py shop.db wecom https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY

Run it from cron (or in a loop): it reads as consumer `notify`, so each alert is posted once; an alert
whose post fails is posted again on the next run (the feed is acknowledged only after a post succeeds).
Exit status 1 when a post failed.
"""
from __future__ import annotations

import json
import sys
import urllib.request
from typing import Any, Dict

import ordercore

#: The change-feed consumer this script reads as.
CONSUMER = "notify"


def message(alert: Dict[str, Any], resolve: str) -> str:
    """The markdown text of one alert."""
    about = alert.get("order_id") or alert.get("sku") or alert.get("ref") or ""
    return f"**OrderCore: {alert['alert']}** {about}\n\n> {resolve}"


def body(robot: str, text: str) -> Dict[str, Any]:
    """The robot's request body: WeCom's and DingTalk's markdown messages."""
    if robot == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    if robot == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": text.split("\n", 1)[0].strip("*"), "text": text}}
    raise ValueError(f"robot must be wecom or dingtalk, not {robot!r}")


def post(url: str, payload: Dict[str, Any]) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read() or b"{}")
    # Both robots answer 200 with {"errcode": 0} on success and a non-zero errcode otherwise.
    if answer.get("errcode", 0) != 0:
        raise RuntimeError(f"the robot refused the message: {answer}")


def main(path: str, robot: str, url: str) -> int:
    with ordercore.open(path) as db:
        guidance = {item["kind"]: item["resolve"] for item in db.report_alerts(limit=1000)["items"]}
        posted = 0
        while True:
            events, _ = db.events.read(consumer=CONSUMER, limit=100)
            if not events:
                break
            for event in events:
                if event["kind"] == "alert" and event.get("state") == "opened":
                    resolve = guidance.get(event["alert"], "see report alerts")
                    try:
                        post(url, body(robot, message(event, resolve)))
                    except Exception as error:  # noqa: BLE001 - report and retry on the next run
                        print(f"could not post alert {event.get('alert_id')}: {error}", file=sys.stderr)
                        return 1
                    posted += 1
                db.events.ack(CONSUMER, event["seq"])
        print(f"posted {posted} alerts")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: notify.py DATABASE wecom|dingtalk WEBHOOK_URL")
    sys.exit(main(*sys.argv[1:]))
