"""Hostile input, as bytes straight into oc_exec: each request gets its error code and the database is
unchanged (compared by a full SQL dump before and after). docs/reliability.md lists the table."""
import ctypes
import hashlib
import json
import sqlite3

import pytest

import ordercore

BIG = "x" * (20 << 20)
SQL = "Robert'); DROP TABLE orders;--"

# (what, request bytes, expected error code)
HOSTILE = [
    ("empty request", b"", "invalid_input"),
    ("not JSON", b"op=stock.get", "invalid_input"),
    ("truncated JSON", b'{"op":"stock.get","sku":"A1"', "invalid_input"),
    ("trailing garbage", b'{"op":"stock.get","sku":"A1"} extra', "invalid_input"),
    ("an array, not an object", b'[{"op":"stock.get"}]', "invalid_input"),
    ("a bare number", b"42", "invalid_input"),
    ("no op", b'{"sku":"A1"}', "invalid_input"),
    ("unknown op", b'{"op":"order.teleport"}', "invalid_input"),
    ("op of the wrong type", b'{"op":17}', "invalid_input"),
    ("an op 10 kB long", b'{"op":"' + b"o" * 10_000 + b'"}', "invalid_input"),
    ("invalid UTF-8 in a value", b'{"op":"sku.upsert","sku":"A\xff\xfe","name":"x"}', "invalid_input"),
    ("invalid UTF-8 in a key", b'{"op":"sku.upsert","s\xc3ku":"A2","name":"x"}', "invalid_input"),
    ("overlong UTF-8 encoding", b'{"op":"sku.upsert","sku":"\xc0\xaf","name":"x"}', "invalid_input"),
    ("a lone surrogate escape", b'{"op":"sku.upsert","sku":"\\ud800","name":"x"}', "invalid_input"),
    ("nested 100,000 deep", b'{"op":"order.create","lines":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "invalid_input"),
    ("quantity beyond 64 bits", b'{"op":"stock.receive","sku":"A1","warehouse":"SH","qty":123456789012345678901234567890}', "invalid_input"),
    ("quantity 1e400", b'{"op":"stock.receive","sku":"A1","warehouse":"SH","qty":1e400}', "invalid_input"),
    ("fractional quantity", b'{"op":"stock.receive","sku":"A1","warehouse":"SH","qty":1.5}', "invalid_input"),
    ("quantity as text", b'{"op":"stock.receive","sku":"A1","warehouse":"SH","qty":"3"}', "invalid_input"),
    ("negative quantity", b'{"op":"stock.receive","sku":"A1","warehouse":"SH","qty":-3}', "invalid_input"),
    ("negative money", b'{"op":"order.create","lines":[{"sku":"A1","qty":1,"unit_price":"-5.00"}]}', "invalid_input"),
    ("money with three decimals", b'{"op":"order.create","lines":[{"sku":"A1","qty":1,"unit_price":"5.001"}]}', "invalid_input"),
    ("money beyond 64 bits", b'{"op":"order.create","lines":[{"sku":"A1","qty":1,"unit_price":"99999999999999999999.00"}]}', "invalid_input"),
    ("money as a float of three decimals", b'{"op":"order.create","lines":[{"sku":"A1","qty":1,"unit_price":5.555}]}', "invalid_input"),
    ("NaN", b'{"op":"stock.receive","sku":"A1","warehouse":"SH","qty":NaN}', "invalid_input"),
    ("a control character in a SKU", b'{"op":"sku.upsert","sku":"A\\u0001B","name":"x"}', "invalid_input"),
    ("a newline in a SKU", b'{"op":"sku.upsert","sku":"A\\nB","name":"x"}', "invalid_input"),
    ("a NUL in a SKU", b'{"op":"sku.upsert","sku":"A\\u0000B","name":"x"}', "invalid_input"),
    ("a 20 MB name", b'{"op":"sku.upsert","sku":"A3","name":"' + BIG.encode() + b'"}', "invalid_input"),
    ("a 20 MB order note", b'{"op":"order.create","lines":[{"sku":"A1","qty":1,"unit_price":"1.00"}],"note":"' + BIG.encode() + b'"}',
     "invalid_input"),
    ("an unknown field", b'{"op":"stock.get","sku":"A1","skew":1}', "invalid_input"),
    ("an unknown nested field", b'{"op":"order.create","lines":[{"sku":"A1","qty":1,"unit_price":"1.00","colour":"red"}]}', "invalid_input"),
    ("an unknown SKU", b'{"op":"order.create","lines":[{"sku":"NOPE","qty":1,"unit_price":"1.00"}]}', "not_found"),
    ("more than there is", b'{"op":"order.create","lines":[{"sku":"A1","qty":1000,"unit_price":"1.00"}]}', "insufficient_stock"),
    ("an illegal transition", b'{"op":"order.ship","order_id":"SO-000001","carrier":"SF","tracking_no":"T1"}', "conflict"),
    ("an unknown order", b'{"op":"order.pay","order_id":"SO-999999"}', "not_found"),
    ("cancelling units of a SKU the order lacks",
     b'{"op":"order.cancel","order_id":"SO-000001","units":[{"sku":"NOPE","qty":1}]}', "not_found"),
    ("cancelling more units than the order has",
     b'{"op":"order.cancel","order_id":"SO-000001","units":[{"sku":"A1","qty":2}]}', "conflict"),
    ("SQL in a SKU code", b'{"op":"stock.get","sku":"A1\' OR \'1\'=\'1"}', "not_found"),
    ("a batch element that is not an object", None, "invalid_input"),
]


def _dump(path):
    with sqlite3.connect(path) as raw:
        return hashlib.sha256("\n".join(raw.iterdump()).encode()).hexdigest()


@pytest.fixture
def shop(tmp_path):
    path = tmp_path / "hostile.db"
    with ordercore.open(str(path)) as db:
        db.skus.upsert("A1", name="Mug")
        db.warehouses.upsert("SH", priority=1)
        db.stock.receive("A1", "SH", 10)
        db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "1.00"}])
    return path


def _raw(db, request):
    out = ctypes.c_void_p()
    rc = db._lib.oc_exec(db._handle, ctypes.c_char_p(request), ctypes.byref(out))
    try:
        return rc, json.loads(ctypes.string_at(out.value).decode("utf-8"))
    finally:
        db._lib.oc_free(out)


@pytest.mark.parametrize("what,request_bytes,code", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_gets_its_error_and_changes_nothing(shop, what, request_bytes, code):
    before = _dump(shop)
    with ordercore.open(str(shop)) as db:
        if request_bytes is None:
            with pytest.raises(ordercore.OrderCoreError) as error:
                db._envelope(db._lib.oc_exec_batch, b'[{"op":"stock.receive","sku":"A1","warehouse":"SH","qty":1},7]', 0)
            assert error.value.code == code
        else:
            rc, envelope = _raw(db, request_bytes)
            assert rc != 0 and envelope["ok"] is False, envelope
            assert envelope["error"]["code"] == code, envelope
            assert envelope["error"]["message"]
        assert db.stock.get("A1")["on_hand"] == 10
    assert _dump(shop) == before


def test_sql_looking_text_is_stored_literally(shop):
    with ordercore.open(str(shop)) as db:
        db.skus.upsert("A9", name=SQL)
        order = db.orders.create(lines=[{"sku": "A1", "qty": 1, "unit_price": "1.00"}], note=SQL, customer={"name": SQL})
        assert db.orders.get(order["order_id"])["note"] == SQL
        assert db.check()["ok"] and len(db.exec("order.list")["orders"]) == 2
    with sqlite3.connect(shop) as raw:
        assert raw.execute("SELECT name FROM skus WHERE sku = 'A9'").fetchone()[0] == SQL


def test_none_where_text_is_needed_is_refused_by_the_binding(shop):
    with ordercore.open(str(shop)) as db:
        with pytest.raises(ordercore.OrderCoreError) as error:
            db.exec_json(None)
        assert error.value.code in ("invalid_input", "misuse")
        assert db.stock.get("A1")["on_hand"] == 10
