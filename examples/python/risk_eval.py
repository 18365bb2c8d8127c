"""Replays a labelled purchase dataset as orders through the real engine and measures the risk rules.

    python3 examples/python/risk_eval.py ../shared/fixtures/datasets/fraud_labelled/fraud_data_subset30k.csv [--limit N] [--db PATH]

Every purchase becomes an order (signup_time -> customer.account_created_at, purchase_time -> placed_at,
purchase_value -> one line's price, device_id, ip_address, user_id -> customer id), created in time order
so the velocity and shared-device rules see the history they would have seen. Purchases are split 70/30
by a hash of the user id (fixed): the score threshold that maximises F1 is chosen on the 70 % and every
figure is reported on the other 30 %, with the configured thresholds (review = flagged for a person) and
the tuned one, plus the precision-recall curve over thresholds.
"""
import argparse
import csv
import datetime
import hashlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bindings", "python"))
import ordercore  # noqa: E402


def iso(text):
    return datetime.datetime.strptime(text, "%m/%d/%Y %H:%M").strftime("%Y-%m-%dT%H:%M:00Z")


def in_tuning_split(user_id):
    return int(hashlib.sha256(user_id.encode()).hexdigest()[:8], 16) % 100 < 70


def measure(rows, threshold):
    tp = sum(1 for score, fraud in rows if score >= threshold and fraud)
    fp = sum(1 for score, fraud in rows if score >= threshold and not fraud)
    fn = sum(1 for score, fraud in rows if score < threshold and fraud)
    tn = len(rows) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall, "f1": f1}


def evaluate(path, db_path, limit=None, out=print):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    # The file has one truncated row (a user id and a signup time only): it is not a purchase.
    purchases = [p for p in rows if p["purchase_time"] and p["class"] in ("0", "1")]
    skipped = len(rows) - len(purchases)
    purchases.sort(key=lambda p: datetime.datetime.strptime(p["purchase_time"], "%m/%d/%Y %H:%M"))
    if limit:
        purchases = purchases[:limit]
    scored = []  # (score, fraud, tuning)
    with ordercore.open(db_path, synchronous="normal") as db:
        db.warehouses.upsert("W1")
        db.skus.upsert("ITEM")
        db.stock.receive("ITEM", "W1", 10_000_000)
        rules = db.exec("risk.rules_get")
        for start in range(0, len(purchases), 1000):
            chunk = purchases[start:start + 1000]
            requests = [{"op": "order.create", "channel": "web", "currency": "USD", "placed_at": iso(p["purchase_time"]),
                         "customer": {"id": p["user_id"], "device_id": p["device_id"], "ip": str(int(float(p["ip_address"]))),
                                      "account_created_at": iso(p["signup_time"])},
                         "lines": [{"sku": "ITEM", "qty": 1, "unit_price": str(int(p["purchase_value"]))}]} for p in chunk]
            for p, result in zip(chunk, db.exec_batch(requests, atomic=False)):
                if not result["ok"]:
                    raise SystemExit(f"order for user {p['user_id']} failed: {result['error']}")
                scored.append((result["result"]["risk"]["score"], p["class"] == "1", in_tuning_split(p["user_id"])))
    tuning = [(s, f) for s, f, t in scored if t]
    test = [(s, f) for s, f, t in scored if not t]
    thresholds = sorted({s for s, _, _ in scored} | {rules["rules"]["thresholds"]["review"]})
    best = max(thresholds, key=lambda t: (measure(tuning, t)["f1"], -t))

    out(f"{len(scored)} purchases ({sum(f for _, f, _ in scored)} fraud; {skipped} incomplete rows skipped), rules version {rules['version']}; "
        f"tuning split {len(tuning)}, test split {len(test)}")
    report = {}
    for name, threshold in [("configured review threshold", rules["rules"]["thresholds"]["review"]),
                            ("configured hold threshold", rules["rules"]["thresholds"]["hold"]),
                            ("threshold tuned on the 70 %", best)]:
        m = measure(test, threshold)
        report[name] = (threshold, m)
        out(f"{name} (score >= {threshold}), on the 30 %: precision {m['precision']:.3f}, recall {m['recall']:.3f}, F1 {m['f1']:.3f}")
        out(f"    confusion: TP {m['tp']}  FP {m['fp']}  FN {m['fn']}  TN {m['tn']}")
    out("precision-recall curve on the 30 % (threshold: precision recall):")
    for t in thresholds:
        m = measure(test, t)
        out(f"    {t:3d}: {m['precision']:.3f} {m['recall']:.3f}")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.db:
        evaluate(args.dataset, args.db, args.limit)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            evaluate(args.dataset, os.path.join(tmp, "risk-eval.db"), args.limit)


if __name__ == "__main__":
    main()
