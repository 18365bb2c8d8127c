"""OrderCore for Python: the order-management engine's command bus over ctypes.

    import ordercore
    with ordercore.open("shop.db") as db:
        db.skus.upsert("MUG-1", name="Mug")
        db.warehouses.upsert("SH", priority=1)
        db.stock.receive("MUG-1", "SH", 10)
        order = db.orders.create(lines=[{"sku": "MUG-1", "qty": 2, "unit_price": "19.90"}])
        db.orders.pay(order["order_id"])

Every method returns the command's result as plain dicts and lists (money as decimal strings) and
raises an ``OrderCoreError`` subclass with ``.code`` on failure. ``db.exec(op, **args)`` runs any op.
"""
from __future__ import annotations

import ctypes
import datetime
import json
import threading
from decimal import Decimal
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import _lib
from ._ops import Ops
from .errors import (Busy, Conflict, Corrupt, DiskFull, Forbidden, Incompatible, InDoubt, InsufficientStock,
                     InternalError, InvalidInput, Misuse, NotFound, OrderCoreError, StorageError,
                     from_code, from_rc)

__all__ = [
    "open", "Database", "version", "OrderCoreError", "InvalidInput", "NotFound", "Conflict",
    "InsufficientStock", "Busy", "Forbidden", "StorageError", "Corrupt", "Misuse", "InternalError",
    "DiskFull", "Incompatible", "InDoubt",
]

Money = Union[str, Decimal, int]
JSONDict = Dict[str, Any]

_OPEN_SYNCHRONOUS_NORMAL = 0x1


def version() -> str:
    """The loaded library's version ("0.1.0")."""
    return _lib.lib().oc_version().decode()


def _c_string(value: Optional[str], name: str) -> Optional[bytes]:
    """UTF-8 bytes for a C argument; refuses what C cannot carry (NUL, lone surrogates)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string, not {type(value).__name__}", {"field": name})
    if "\0" in value:
        raise InvalidInput(f"{name} contains a NUL character", {"field": name})
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidInput(f"{name} is not valid Unicode text: {error}", {"field": name}) from None


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # money stays exact
    if isinstance(value, datetime.datetime):  # a time: ISO 8601 in UTC, to the millisecond the engine keeps
        if value.utcoffset() is None:
            raise TypeError(f"datetime {value.isoformat()} has no time zone: which moment it is is unknown "
                            "(give it tzinfo, e.g. datetime.timezone.utc)")
        utc = value.astimezone(datetime.timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (utc.microsecond // 1000)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def open(path: str, *, synchronous: str = "full") -> "Database":  # noqa: A001 - mirrors builtins.open
    """Opens (creating and migrating when needed) an OrderCore database; use it as a context manager.

    Args:
        path: database file, ":memory:", or a "postgresql://" URI (docs/postgresql.md).
        synchronous: "full" (default: a paid order survives power loss) or "normal" (faster).
    """
    return Database(path, synchronous=synchronous)


class Database(Ops):
    """An open database. Safe to share between threads; several processes may open the same file.

    Every op is a method named after it (``db.order_pay(order_id)`` runs ``order.pay``; see ``Ops``);
    the areas (``db.orders``, ``db.stock``, ...) group the common ones with friendlier signatures."""

    def __init__(self, path: str, *, synchronous: str = "full") -> None:
        if synchronous not in ("full", "normal"):
            raise InvalidInput("synchronous must be 'full' or 'normal'", {"field": "synchronous"})
        self._lib = _lib.lib()
        self._lock = threading.Lock()
        self._handle: Optional[int] = None
        handle = ctypes.c_void_p()
        flags = _OPEN_SYNCHRONOUS_NORMAL if synchronous == "normal" else 0
        rc = self._lib.oc_open_v2(_c_string(path, "path"), ctypes.byref(handle), flags)
        if rc != 0:
            message = (self._lib.oc_errmsg(handle) or b"").decode("utf-8", "replace")
            self._lib.oc_close(handle)
            raise from_rc(rc, message)
        self._handle = handle.value
        self.path = path
        self.skus = _Skus(self)
        self.warehouses = _Warehouses(self)
        self.channels = _Channels(self)
        self.stock = _Stock(self)
        self.orders = _Orders(self)
        self.tracking = _Tracking(self)
        self.reports = _Reports(self)
        self.picking = _Picking(self)
        self.status = _Status(self)
        self.config = _Config(self)
        self.actors = _Actors(self)
        self.returns = _Returns(self)
        self.risk = _Risk(self)
        self.intake = _Intake(self)
        self.events = _Events(self)

    # -- lifecycle --------------------------------------------------------------------------------

    def close(self) -> None:
        """Closes the database; calling it again does nothing."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            self._lib.oc_close(handle)

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def _require(self) -> int:
        handle = self._handle
        if handle is None:
            raise Misuse("the database is closed")
        return handle

    # -- the command bus --------------------------------------------------------------------------

    def exec(self, op: str, **args: Any) -> JSONDict:
        """Runs any op with keyword arguments (``at``, ``actor`` and ``idempotency_key`` included)
        and returns its result. Arguments that are None are left out.

        Raises:
            OrderCoreError: the subclass matching the error code.
        """
        request = {"op": op, **{k: v for k, v in args.items() if v is not None}}
        return self.exec_json(json.dumps(request, default=_json_default, ensure_ascii=False))["result"]

    def exec_json(self, request: str) -> JSONDict:
        """Runs a raw JSON request and returns the whole response envelope ({"ok": true, "result": ...,
        "replayed": ...}); raises on errors like ``exec``."""
        return self._envelope(self._lib.oc_exec, _c_string(request, "request"))

    def exec_batch(self, requests: Iterable[Mapping[str, Any]], *, atomic: bool = True) -> List[JSONDict]:
        """Runs many requests in one transaction (typed C call oc_exec_batch).

        ``atomic=True``: all or nothing; the first failure raises (its ``details`` gain ``index``) and
        nothing is changed. ``atomic=False``: each command on its own; returns every command's envelope
        (``{"ok": ..., "result"|"error": ...}``) and commits the ones that succeeded.
        """
        text = json.dumps([dict(r) for r in requests], default=_json_default, ensure_ascii=False)
        return self._envelope(self._lib.oc_exec_batch, _c_string(text, "requests"), 0 if atomic else 1)["results"]

    def _envelope(self, function: Any, *args: Any) -> JSONDict:
        """Calls a JSON-in, envelope-out C function; raises the envelope's error (with a batch's ``index``)."""
        response = ctypes.c_void_p()
        rc = function(self._require(), *args, ctypes.byref(response))
        if not response.value:
            raise from_rc(rc, (self._lib.oc_errmsg(self._handle) or b"").decode("utf-8", "replace"))
        try:
            envelope = json.loads(ctypes.string_at(response.value).decode("utf-8"))
        finally:
            self._lib.oc_free(response)
        if "error" in envelope:
            error = envelope["error"]
            details = dict(error.get("details") or {})
            if "index" in envelope:
                details["index"] = envelope["index"]
            raise from_code(error.get("code", "internal"), error.get("message", ""), details or error.get("details"))
        return envelope

    def _call(self, function: Any, *args: Any) -> None:
        rc = function(self._require(), *args)
        if rc != 0:
            raise from_rc(rc, (self._lib.oc_errmsg(self._handle) or b"").decode("utf-8", "replace"))

    def sweep(self, *, at: Optional[str] = None) -> JSONDict:
        """Closes unpaid orders past their timeout and releases their stock."""
        return self.exec("sweep", at=at)

    def backup(self, path: str) -> JSONDict:
        """Copies the whole database, online, to ``path``: one consistent snapshot, checked before it is
        put in place (op db.backup)."""
        return self.exec("db.backup", path=path)

    def check(self, *, quick: Optional[bool] = None, limit: Optional[int] = None) -> JSONDict:
        """SQLite's integrity check, foreign keys and every balance against the ledger; ``ok`` is true when
        all are sound (op db.check)."""
        return self.exec("db.check", quick=quick, limit=limit)


class _Area:
    def __init__(self, db: Database) -> None:
        self._db = db


class _Skus(_Area):
    def upsert(self, sku: str, *, name: Optional[str] = None, barcode: Optional[str] = None,
               weight_g: Optional[int] = None, unit_cost: Optional[Money] = None, cost_currency: Optional[str] = None,
               active: Optional[bool] = None, **extra: Any) -> JSONDict:
        """Creates or updates a SKU (op sku.upsert)."""
        return self._db.exec("sku.upsert", sku=sku, name=name, barcode=barcode, weight_g=weight_g, unit_cost=unit_cost,
                             cost_currency=cost_currency, active=active, **extra)


class _Warehouses(_Area):
    def upsert(self, warehouse: str, *, name: Optional[str] = None, region: Optional[str] = None,
               priority: Optional[int] = None, active: Optional[bool] = None, serves: Optional[Iterable[str]] = None,
               distances: Optional[Mapping[str, int]] = None, **extra: Any) -> JSONDict:
        """Creates or updates a warehouse (op warehouse.upsert); lower priority numbers are preferred,
        ``serves`` lists the ship-to regions it serves, ``distances`` maps regions to distances."""
        return self._db.exec("warehouse.upsert", warehouse=warehouse, name=name, region=region, priority=priority,
                             active=active, serves=None if serves is None else list(serves),
                             distances=None if distances is None else dict(distances), **extra)


class _Stock(_Area):
    def receive(self, sku: str, warehouse: str, qty: int, *, reference: Optional[str] = None, **extra: Any) -> JSONDict:
        """Adds received units to on-hand stock (op stock.receive) and returns the new balance, after
        orders sold short of the SKU took theirs (``backorders_filled``)."""
        return self._db.exec("stock.receive", sku=sku, warehouse=warehouse, qty=qty, reference=reference, **extra)

    def adjust(self, sku: str, warehouse: str, qty: int, reason: str, *, bucket: Optional[str] = None,
               reference: Optional[str] = None, **extra: Any) -> JSONDict:
        """Corrects a balance by a signed quantity with a reason (op stock.adjust); ``bucket`` is
        "on_hand" (default) or "quarantine". Returns the balance, with ``short`` when fewer units are on
        hand than are promised."""
        return self._db.exec("stock.adjust", sku=sku, warehouse=warehouse, qty=qty, reason=reason, bucket=bucket,
                             reference=reference, **extra)

    def quarantine(self, sku: str, warehouse: str, qty: int, note: Optional[str] = None, **extra: Any) -> JSONDict:
        """Moves units out of sale into quarantine, or back with a negative ``qty`` (op stock.quarantine)."""
        return self._db.exec("stock.quarantine", sku=sku, warehouse=warehouse, qty=qty, note=note, **extra)

    def scrap(self, sku: str, warehouse: str, qty: int, note: Optional[str] = None, *, bucket: Optional[str] = None,
              **extra: Any) -> JSONDict:
        """Writes units off, from quarantine (default) or on hand (op stock.scrap)."""
        return self._db.exec("stock.scrap", sku=sku, warehouse=warehouse, qty=qty, note=note, bucket=bucket, **extra)

    def locate(self, sku: str, warehouse: str, location: Optional[str]) -> JSONDict:
        """Sets where a SKU lies in a warehouse (op stock.locate); pick lists walk by location."""
        request = {"op": "stock.locate", "sku": sku, "warehouse": warehouse, "location": location}
        return self._db.exec_json(json.dumps(request, ensure_ascii=False))["result"]

    def set_safety(self, sku: str, warehouse: str, qty: int, **extra: Any) -> JSONDict:
        """Sets the safety stock held back from sale (op stock.safety)."""
        return self._db.exec("stock.safety", sku=sku, warehouse=warehouse, qty=qty, **extra)

    def get(self, sku: str, warehouse: Optional[str] = None, *, channel: Optional[str] = None) -> JSONDict:
        """Balances of a SKU, in total and per warehouse, and with ``channel`` what it may sell (op stock.get)."""
        return self._db.exec("stock.get", sku=sku, warehouse=warehouse, channel=channel)

    def ledger(self, sku: Optional[str] = None, warehouse: Optional[str] = None, *, ref_type: Optional[str] = None,
               ref_id: Optional[str] = None, reason: Optional[str] = None, from_: Optional[str] = None,
               to: Optional[str] = None, limit: Optional[int] = None, after: Optional[int] = None) -> JSONDict:
        """Ledger rows oldest first (op stock.ledger); ``result["next"]`` continues (pass as ``after``)."""
        return self._db.exec("stock.ledger", sku=sku, warehouse=warehouse, ref_type=ref_type, ref_id=ref_id, reason=reason,
                             **{"from": from_}, to=to, limit=limit, after=after)

    def count(self, warehouse: str, counts: Mapping[str, int], *, reference: Optional[str] = None, **extra: Any) -> JSONDict:
        """Records a cycle count (op stock.count): ``counts`` maps SKU to the units counted. Variances are
        booked on the ledger and valued at the SKUs' unit costs."""
        return self._db.exec("stock.count", warehouse=warehouse, counts=[{"sku": k, "qty": v} for k, v in counts.items()],
                             reference=reference, **extra)

    def transfer(self, from_: str, to: str, lines: Mapping[str, int], *, reference: Optional[str] = None,
                 **extra: Any) -> JSONDict:
        """Sends available units to another warehouse (op stock.transfer); ``lines`` maps SKU to units.
        They are in transit until ``receive_transfer``."""
        return self._db.exec("stock.transfer", **{"from": from_}, to=to,
                             lines=[{"sku": k, "qty": v} for k, v in lines.items()], reference=reference, **extra)

    def receive_transfer(self, transfer_id: str, lines: Optional[Mapping[str, int]] = None, **extra: Any) -> JSONDict:
        """Receives a transfer at its destination: everything in transit, or the units in ``lines``
        (op stock.transfer_receive)."""
        items = None if lines is None else [{"sku": k, "qty": v} for k, v in lines.items()]
        return self._db.exec("stock.transfer_receive", transfer_id=transfer_id, lines=items, **extra)

    def close_transfer(self, transfer_id: str, reason: str, **extra: Any) -> JSONDict:
        """Closes a transfer short: the units that have not arrived are lost on the way, in transit no more
        (op stock.transfer_close; a supervisor's)."""
        return self._db.exec("stock.transfer_close", transfer_id=transfer_id, reason=reason, **extra)

    def get_transfer(self, transfer_id: str) -> JSONDict:
        """A transfer with what is still in transit (op stock.transfer_get)."""
        return self._db.exec("stock.transfer_get", transfer_id=transfer_id)

    # The op's own names (stock.safety, stock.transfer_receive, stock.transfer_close, stock.transfer_get).
    safety = set_safety
    transfer_receive = receive_transfer
    transfer_close = close_transfer
    transfer_get = get_transfer

    def board(self, *, warehouse: Optional[str] = None, status: Optional[str] = None, sort: Optional[str] = None,
              limit: Optional[int] = None, offset: Optional[int] = None) -> JSONDict:
        """Per SKU: on hand, safety, yesterday's and average daily sales, days of cover and status
        (op stock.board); ``result["rows"]``."""
        return self._db.exec("stock.board", warehouse=warehouse, status=status, sort=sort, limit=limit, offset=offset)

    def alerts(self, *, open_only: Optional[bool] = None, limit: Optional[int] = None) -> List[JSONDict]:
        """Low-stock alerts, newest first (op stock.alerts)."""
        return self._db.exec("stock.alerts", open_only=open_only, limit=limit)["alerts"]

    def verify(self) -> JSONDict:
        """Recomputes every balance from the ledger (op stock.verify): ``{"ok": True, "differences": []}``."""
        return self._db.exec("stock.verify")

    def available(self, sku: str, warehouse: Optional[str] = None) -> int:
        """Units that can still be promised (typed C call oc_stock_available)."""
        if isinstance(sku, str) and not sku:
            raise InvalidInput("sku must not be empty", {"field": "sku"})
        out = ctypes.c_int64()
        self._db._call(self._db._lib.oc_stock_available, _c_string(sku, "sku"), _c_string(warehouse, "warehouse"),
                       ctypes.byref(out))
        return out.value


    def sellable(self, sku: str, channel: str) -> int:
        """Units a channel may still sell: min(available in its warehouses, its remaining cap); typed C call
        oc_stock_sellable."""
        out = ctypes.c_int64()
        self._db._call(self._db._lib.oc_stock_sellable, _c_string(sku, "sku"), _c_string(channel, "channel"), ctypes.byref(out))
        return out.value


class _Channels(_Area):
    def upsert(self, channel: str, *, name: Optional[str] = None, warehouses: Optional[Iterable[str]] = None,
               active: Optional[bool] = None, profile: Optional[str] = None, shipped_orders_move_stock: Optional[bool] = None,
               **extra: Any) -> JSONDict:
        """Creates or updates a sales channel, the warehouses that serve it, the profile its payloads
        are mapped with, and whether orders it reports already shipped take their units from stock
        (op channel.upsert)."""
        return self._db.exec("channel.upsert", channel=channel, name=name,
                             warehouses=None if warehouses is None else list(warehouses), active=active, profile=profile,
                             shipped_orders_move_stock=shipped_orders_move_stock, **extra)

    def set_sku(self, channel: str, sku: str, *, cap: Optional[int] = None, clear_cap: bool = False,
                open: Optional[bool] = None, reason: Optional[str] = None) -> JSONDict:
        """Sets a channel's cap (units it may sell; ``clear_cap=True`` removes it) and on/off switch for a
        SKU (op channel.sku). Returns what the channel may now sell."""
        request: Dict[str, Any] = {"op": "channel.sku", "channel": channel, "sku": sku}
        if cap is not None or clear_cap:
            request["cap"] = None if clear_cap else cap
        if open is not None:
            request["open"] = open
        if reason is not None:
            request["reason"] = reason
        return self._db.exec_json(json.dumps(request, ensure_ascii=False))["result"]

    def get(self, channel: str) -> JSONDict:
        """A channel with its warehouses and per-SKU limits (op channel.get)."""
        return self._db.exec("channel.get", channel=channel)


class _Picking(_Area):
    def wave(self, warehouse: str, *, carrier: Optional[str] = None, cutoff: Optional[str] = None,
             limit: Optional[int] = None) -> JSONDict:
        """Starts a pick wave of allocated orders (highest priority, then oldest) and returns its pick list
        sorted by location (op pick.wave)."""
        return self._db.exec("pick.wave", warehouse=warehouse, carrier=carrier, cutoff=cutoff, limit=limit)

    def get(self, wave_id: str) -> JSONDict:
        """A wave's pick list: what is still to pick (op pick.wave_get)."""
        return self._db.exec("pick.wave_get", wave_id=wave_id)


class _Status(_Area):
    def mapping(self, source: str, *, outbound: Optional[Mapping[str, str]] = None, inbound: Optional[Mapping[str, str]] = None,
                rules: Optional[Iterable[Mapping[str, Any]]] = None) -> JSONDict:
        """Sets how a source names order states (op status.mapping): ``outbound`` {state: name},
        ``inbound`` {name: state}, ``rules`` [{"when": {field: "present"|"absent"|value}, "state": state}]."""
        return self._db.exec("status.mapping", source=source, outbound=None if outbound is None else dict(outbound),
                             inbound=None if inbound is None else dict(inbound), rules=None if rules is None else list(rules))

    def report(self, source: str, order_id: str, *, status: Optional[str] = None,
               fields: Optional[Mapping[str, Any]] = None) -> JSONDict:
        """Records what a source says an order's status is (op status.report); ``agrees`` compares it
        with the anchor."""
        return self._db.exec("status.report", source=source, order_id=order_id, status=status,
                             fields=None if fields is None else dict(fields))

    def status_for(self, order_id: str, source: str) -> str:
        """The order's status in a source's words (op order.status_for)."""
        return self._db.exec("order.status_for", order_id=order_id, source=source)["status"]

    def drift(self, *, source: Optional[str] = None, limit: Optional[int] = None) -> List[JSONDict]:
        """Orders whose reported status disagrees with the anchor, or could not be mapped (op status.drift)."""
        return self._db.exec("status.drift", source=source, limit=limit)["drift"]


class _Reports(_Area):
    def sales(self, *, from_: Optional[str] = None, to: Optional[str] = None, by: Optional[str] = None,
              channel: Optional[str] = None) -> JSONDict:
        """Sales of orders paid in a period, by day, channel, sku or in total (op report.sales)."""
        return self._db.exec("report.sales", **{"from": from_}, to=to, by=by, channel=channel)

    def reconcile_payments(self, csv_text: str, *, columns: Optional[Mapping[str, str]] = None, from_: Optional[str] = None,
                           to: Optional[str] = None, limit: Optional[int] = None) -> JSONDict:
        """Compares a payment gateway's CSV with the payments and refunds recorded (op reconcile.payments)."""
        return self._db.exec("reconcile.payments", csv=csv_text, columns=None if columns is None else dict(columns),
                             **{"from": from_}, to=to, limit=limit)

    def alerts(self, *, limit: Optional[int] = None) -> JSONDict:
        """Everything that needs a person, most urgent first, with severity, age and the resolving command
        (op report.alerts)."""
        return self._db.exec("report.alerts", limit=limit)

    def resolve_alert(self, alert_id: int, note: str, **extra: Any) -> JSONDict:
        """Closes an open alert nothing clears by itself, saying what was done (op alert.resolve): units put
        back, the buyer answered. Alerts about money, possible fraud or a dead letter are a supervisor's."""
        return self._db.exec("alert.resolve", alert_id=alert_id, note=note, **extra)

    def health(self, *, from_: Optional[str] = None, to: Optional[str] = None, verify: Optional[bool] = None) -> JSONDict:
        """Order health for a period: each component with its score and grade, the weighted score, per channel
        and warehouse, and the daily paid -> shipped trend (op report.health). ``verify=False`` skips the
        full ledger check."""
        return self._db.exec("report.health", **{"from": from_}, to=to, verify=verify)

    def html(self, path: str, *, from_: Optional[str] = None, to: Optional[str] = None, verify: Optional[bool] = None,
             **extra: Any) -> JSONDict:
        """Writes the operations dashboard to ``path``: one self-contained HTML file (op report.html)."""
        return self._db.exec("report.html", path=path, **{"from": from_}, to=to, verify=verify, **extra)

    def export(self, request: Mapping[str, Any], path: str, *, format: str = "csv", rows: Optional[str] = None) -> JSONDict:  # noqa: A002
        """Writes a read command's rows to ``path`` as CSV or JSON lines (``format="jsonl"``), streaming every
        page (op export). ``request`` is the command, e.g. ``{"op": "order.list", "state": "paid"}``; ``rows``
        names the array to write when the answer has several (``"channels"`` of report.health)."""
        return self._db.exec("export", request=dict(request), path=path, format=format, rows=rows)


class _Tracking(_Area):
    def event(self, carrier: str, tracking_no: str, status: str, *, time: Optional[str] = None, message: Optional[str] = None,
              location: Optional[str] = None, subtag: Optional[str] = None, **extra: Any) -> JSONDict:
        """Applies a carrier tracking event (op tracking.event); ``status`` is canonical (``in_transit``) or an
        AfterShip tag (``InTransit``), ``subtag`` AfterShip's (``Exception_003``: the buyer refused the parcel).
        Repeats apply once; unknown parcels are kept and reported."""
        return self._db.exec("tracking.event", carrier=carrier, tracking_no=tracking_no, status=status, time=time,
                             message=message, location=location, subtag=subtag, **extra)

    def ingest(self, payload: Union[str, Mapping[str, Any]]) -> JSONDict:
        """Applies AfterShip's JSON as it comes — a webhook body, a GET or list response, a tracking — checkpoint
        by checkpoint as ``event`` does (op tracking.ingest); ``trackings`` says what each applied."""
        return self._db.exec("tracking.ingest", payload=payload if isinstance(payload, str) else dict(payload))

    def get(self, carrier: str, tracking_no: str) -> JSONDict:
        """A parcel's tracking events (op tracking.get)."""
        return self._db.exec("tracking.get", carrier=carrier, tracking_no=tracking_no)


class _Orders(_Area):
    def create(self, *, lines: Iterable[Mapping[str, Any]], **document: Any) -> JSONDict:
        """Creates an order from the canonical document (op order.create) and reserves its stock. An order
        that arrives paid passes ``payment={"amount": ..., "payment_ref": ...}`` (both optional): created and
        paid in one transaction. One paid when it arrives passes ``cash_on_delivery=True``: it is fulfilled
        unpaid, and ``pay`` records the money when it comes. One sold on credit passes
        ``payment_terms={"name": "Net 30", "due_in_days": 30}`` (or ``"due_at"``; neither: due once it ships;
        a supervisor's): fulfilled unpaid too, with a ``payment_overdue`` alert from the sweep once it is due.

        Raises:
            InsufficientStock: with ``details["sku"]``; nothing was changed.
        """
        return self._db.exec("order.create", lines=list(lines), **document)

    def pay(self, order_id: str, amount: Optional[Money] = None, *, payment_ref: Optional[str] = None,
            **extra: Any) -> JSONDict:
        """Records payment of the amount due (op order.pay) and returns the order. A cash-on-delivery order
        is paid where it is, in parts if need be: ``amount`` may be less than due (an advance, what the carrier
        remitted); so may any order's once it has left unpaid."""
        return self._db.exec("order.pay", order_id=order_id, amount=amount, payment_ref=payment_ref, **extra)

    def refund(self, order_id: str, amount: Money, *, refund_ref: Optional[str] = None, reason: Optional[str] = None,
               units: Optional[Iterable[Mapping[str, Any]]] = None, cancel_units: Optional[bool] = None,
               **extra: Any) -> JSONDict:
        """Records a refund made at the channel or gateway, with the units it was for ({"sku" or "line_no", "qty"}); a
        full refund stops an order that has not shipped, and so do its units refunded in full, or whatever
        the amount with ``cancel_units`` (op order.refund; a supervisor's, an admin's once the order's
        refunds pass ``returns.admin_above``)."""
        return self._db.exec("order.refund", order_id=order_id, amount=amount, refund_ref=refund_ref, reason=reason,
                             units=None if units is None else [dict(u) for u in units], cancel_units=cancel_units,
                             **extra)

    def dispute(self, order_id: str, dispute_ref: str, *, status: Optional[str] = None, kind: Optional[str] = None,
                amount: Optional[Money] = None, reason: Optional[str] = None, **extra: Any) -> JSONDict:
        """Records a dispute of the order's payment, or how it ended (op order.dispute; a supervisor's): a
        ``chargeback`` (the default) ``open`` or ``lost`` holds what has not shipped and caps refunds at what
        the bank did not take back; ``won`` or ``closed`` lets it go. ``kind="inquiry"`` takes nothing."""
        return self._db.exec("order.dispute", order_id=order_id, dispute_ref=dispute_ref, status=status, kind=kind,
                             amount=amount, reason=reason, **extra)

    def update_address(self, order_id: str, ship_to: Mapping[str, Any], **extra: Any) -> JSONDict:
        """Changes where an order that has not shipped goes: ``ship_to`` holds the fields that change
        (op order.update_address)."""
        return self._db.exec("order.update_address", order_id=order_id, ship_to=dict(ship_to), **extra)

    def allocate(self, order_id: str, **extra: Any) -> JSONDict:
        """Chooses the warehouses that ship a paid order (op order.allocate); the decision and its reason
        are in ``result["allocation"]``."""
        return self._db.exec("order.allocate", order_id=order_id, **extra)

    def hold(self, order_id: str, reason: str, **extra: Any) -> JSONDict:
        """Puts an order on hold before anything ships; it remembers the state it left (op order.hold)."""
        return self._db.exec("order.hold", order_id=order_id, reason=reason, **extra)

    def release(self, order_id: str, reason: Optional[str] = None, **extra: Any) -> JSONDict:
        """Releases a held order back to the state it was held in (op order.release)."""
        return self._db.exec("order.release", order_id=order_id, reason=reason, **extra)

    def pick(self, order_id: str, lines: Optional[Mapping[int, int]] = None, **extra: Any) -> JSONDict:
        """Records picked units: ``lines`` maps line numbers to units (default: everything allocated)."""
        items = None if lines is None else [{"line_no": k, "qty": v} for k, v in lines.items()]
        return self._db.exec("order.pick", order_id=order_id, lines=items, **extra)

    def pack(self, order_id: str, scans: Iterable[str], weight_g: int, *, packaging_g: Optional[int] = None,
             partial: Optional[bool] = None, **extra: Any) -> JSONDict:
        """Packs a parcel, verified: ``scans`` is the order code then each item's barcode; the measured
        weight is checked against the expected one (op order.pack). ``result["parcel"]`` has the check."""
        return self._db.exec("order.pack", order_id=order_id, scans=list(scans), weight_g=weight_g, packaging_g=packaging_g,
                             partial=partial, **extra)

    def unpack(self, order_id: str, reason: str, **extra: Any) -> JSONDict:
        """Takes apart the order's parcels not yet shipped, to be packed again (op order.unpack)."""
        return self._db.exec("order.unpack", order_id=order_id, reason=reason, **extra)

    def override_weight(self, order_id: str, parcel: int, reason: str, **extra: Any) -> JSONDict:
        """Lets a parcel held by the weight check ship, recording who and why (op order.override_weight)."""
        return self._db.exec("order.override_weight", order_id=order_id, parcel=parcel, reason=reason, **extra)

    def ship(self, order_id: str, carrier: str, tracking_no: str, *, parcels: Optional[Iterable[int]] = None,
             **extra: Any) -> JSONDict:
        """Ships packed parcels (default: all) with a carrier and tracking number (op order.ship)."""
        return self._db.exec("order.ship", order_id=order_id, carrier=carrier, tracking_no=tracking_no,
                             parcels=None if parcels is None else list(parcels), **extra)

    def packing_slip(self, order_id: str, parcel: Optional[int] = None) -> str:
        """The packing slip as text: order number, ship-to and lines (op order.packing_slip)."""
        return self._db.exec("order.packing_slip", order_id=order_id, parcel=parcel)["text"]

    def deliver(self, order_id: str, tracking_no: Optional[str] = None, **extra: Any) -> JSONDict:
        """Records delivery of a shipment, or of all (op order.deliver)."""
        return self._db.exec("order.deliver", order_id=order_id, tracking_no=tracking_no, **extra)

    def complete(self, order_id: str, **extra: Any) -> JSONDict:
        """Completes a delivered order (op order.complete)."""
        return self._db.exec("order.complete", order_id=order_id, **extra)

    def pickup(self, order_id: str, **extra: Any) -> JSONDict:
        """Hands a paid order to the buyer at the counter (op order.pickup): its units leave the stock and
        the order completes."""
        return self._db.exec("order.pickup", order_id=order_id, **extra)

    def cancel(self, order_id: str, reason: Optional[str] = None, *,
               units: Optional[Iterable[Mapping[str, Any]]] = None, **extra: Any) -> JSONDict:
        """Cancels an order that has not shipped (partly shipped: its rest), or only its ``units`` ({"sku" or
        "line_no", "qty"}: the rest still ships; picked or packed, they come out of their parcel and a person is told to
        put them back) (op order.cancel); their stock is released and what they were paid is owed back, less
        their share of refunds of money alone (a price match)."""
        return self._db.exec("order.cancel", order_id=order_id, reason=reason,
                             units=None if units is None else [dict(u) for u in units], **extra)

    def get(self, order_id: str) -> JSONDict:
        """The full order document (op order.get)."""
        return self._db.exec("order.get", order_id=order_id)

    def state(self, order_id: str) -> str:
        """The order's lifecycle state (typed C call oc_order_state)."""
        out = ctypes.c_void_p()
        self._db._call(self._db._lib.oc_order_state, _c_string(order_id, "order_id"), ctypes.byref(out))
        try:
            return ctypes.string_at(out.value).decode("utf-8") if out.value else ""
        finally:
            self._db._lib.oc_free(out)

    def list(self, *, state: Optional[str] = None, channel: Optional[str] = None, warehouse: Optional[str] = None,
             placed_before: Optional[str] = None, stuck: Optional[bool] = None, limit: Optional[int] = None,
             after: Optional[str] = None, cash_on_delivery: Optional[bool] = None,
             payment_terms: Optional[bool] = None, refund_due: Optional[bool] = None) -> JSONDict:
        """Orders newest first, filtered (``stuck=True``: past their state's time limit; ``refund_due=True``:
        owing the buyer a refund, the refunds to make); ``result["next"]`` continues the listing (op order.list)."""
        return self._db.exec("order.list", state=state, channel=channel, warehouse=warehouse, placed_before=placed_before,
                             stuck=stuck, limit=limit, after=after, cash_on_delivery=cash_on_delivery,
                             payment_terms=payment_terms, refund_due=refund_due)

    def timeline(self, order_id: str) -> List[JSONDict]:
        """Every transition of an order: time, actor, from, to, command, details (op order.timeline)."""
        return self._db.exec("order.timeline", order_id=order_id)["events"]

    def write_off(self, order_id: str, reason: str, amount: Optional[Money] = None, **extra: Any) -> JSONDict:
        """Gives up money an order whose goods left still owes and will not be paid: all of it, or ``amount``
        (op order.write_off; a supervisor's, an admin's above returns.admin_above). Its cod_uncollected or
        payment_overdue alert clears once nothing is owed."""
        return self._db.exec("order.write_off", order_id=order_id, reason=reason, amount=amount, **extra)

    def note(self, order_id: str, note: str, **extra: Any) -> JSONDict:
        """Keeps a note in the order's timeline, by whom and when; nothing else changes (op order.note)."""
        return self._db.exec("order.note", order_id=order_id, note=note, **extra)


class _Actors(_Area):
    def upsert(self, actor_id: str, *, role: Optional[str] = None, name: Optional[str] = None, active: Optional[bool] = None,
               **extra: Any) -> JSONDict:
        """Registers or changes an actor and its role: operator, supervisor or admin (op actor.upsert).
        Pass ``actor=`` (who is asking): only an admin may change actors, except that anyone may register
        the first admin of a database that never had one."""
        return self._db.exec("actor.upsert", actor_id=actor_id, role=role, name=name, active=active, **extra)

    def get(self, actor_id: str) -> JSONDict:
        """An actor and its role (op actor.get)."""
        return self._db.exec("actor.get", actor_id=actor_id)

    def list(self) -> List[JSONDict]:
        """Every registered actor (op actor.list)."""
        return self._db.exec("actor.list")["actors"]

    def permissions(self) -> JSONDict:
        """The role table: the role each op and each setting needs, and the rules that ask for more
        (op actor.permissions; docs/roles.md)."""
        return self._db.exec("actor.permissions")


class _Returns(_Area):
    def request(self, order_id: str, lines: Iterable[Mapping[str, Any]], reason: str, *, note: Optional[str] = None,
                exchange: Optional[Iterable[Mapping[str, Any]]] = None, **extra: Any) -> JSONDict:
        """Opens a return for shipped units ({"line_no"|"sku", "qty"}) and answers with the refund quote (op return.request).
        ``exchange``: replacement lines ({"sku", "qty", "unit_price"}; the price is required)."""
        return self._db.exec("return.request", order_id=order_id, lines=[dict(l) for l in lines], reason=reason, note=note,
                             exchange=None if exchange is None else [dict(e) for e in exchange], **extra)

    def approve(self, return_id: str, note: Optional[str] = None, **extra: Any) -> JSONDict:
        """Approves a requested return; pass ``actor=`` — its role must match the amount's tier, counted with the order's
        approved returns, and be a supervisor's past ``returns.window_days`` (op return.approve)."""
        return self._db.exec("return.approve", return_id=return_id, note=note, **extra)

    def reject(self, return_id: str, reason: str, **extra: Any) -> JSONDict:
        """Rejects a requested return (op return.reject)."""
        return self._db.exec("return.reject", return_id=return_id, reason=reason, **extra)

    def receive(self, return_id: str, warehouse: str, lines: Iterable[Mapping[str, Any]], *, grade: Optional[str] = None,
                weight_g: Optional[int] = None, **extra: Any) -> JSONDict:
        """Records what arrived, graded per unit (op return.receive)."""
        return self._db.exec("return.receive", return_id=return_id, warehouse=warehouse, lines=[dict(l) for l in lines], grade=grade,
                             weight_g=weight_g, **extra)

    def inspect(self, return_id: str, warehouse: str, lines: Iterable[Mapping[str, Any]], *, grade: Optional[str] = None,
                note: Optional[str] = None, **extra: Any) -> JSONDict:
        """A supervisor's decision on units received empty or as the wrong item: regrades them
        ({"line_no"|"sku", "resellable", "damaged"} or {"sku", "qty"} with ``grade``); they go to stock and
        become refundable (op return.inspect)."""
        return self._db.exec("return.inspect", return_id=return_id, warehouse=warehouse, lines=[dict(l) for l in lines], grade=grade,
                             note=note, **extra)

    def refund(self, return_id: str, *, refund_ref: Optional[str] = None, before_receipt: Optional[str] = None, **extra: Any) -> JSONDict:
        """Refunds what arrived and was not refunded yet, per tender; the same refund_ref twice pays once (op return.refund)."""
        return self._db.exec("return.refund", return_id=return_id, refund_ref=refund_ref, before_receipt=before_receipt, **extra)

    def get(self, return_id: str) -> JSONDict:
        """A return with each line's allocation, the quote, refunds and timeline (op return.get)."""
        return self._db.exec("return.get", return_id=return_id)

    def list(self, *, state: Optional[str] = None, order_id: Optional[str] = None, overdue: Optional[bool] = None,
             older_than_hours: Optional[int] = None, after: Optional[str] = None, limit: Optional[int] = None) -> JSONDict:
        """Returns oldest first, filtered (op return.list)."""
        return self._db.exec("return.list", state=state, order_id=order_id, overdue=overdue, older_than_hours=older_than_hours,
                             after=after, limit=limit)

    def customer(self, customer: str) -> JSONDict:
        """A customer's returns record for risk checks (op customer.returns)."""
        return self._db.exec("customer.returns", customer=customer)


class _Risk(_Area):
    def assess(self, order_id: str, *, dry_run: bool = False) -> JSONDict:
        """Scores an order with the current rules; stores the decision unless ``dry_run`` (op risk.assess)."""
        return self._db.exec("risk.assess", order_id=order_id, dry_run=dry_run)

    def get(self, order_id: str) -> JSONDict:
        """An order's risk decision with its reasons (op risk.get)."""
        return self._db.exec("risk.get", order_id=order_id)

    def queue(self, *, limit: Optional[int] = None) -> JSONDict:
        """Orders waiting for a review, held first, oldest first (op risk.queue)."""
        return self._db.exec("risk.queue", limit=limit)

    def review(self, order_id: str, decision: str, reason: str, **extra: Any) -> JSONDict:
        """A supervisor's decision, ``approve`` or ``reject``; pass ``actor=`` (op risk.review)."""
        return self._db.exec("risk.review", order_id=order_id, decision=decision, reason=reason, **extra)

    def report(self, order_id: str, source: str, level: str, *, message: Optional[str] = None, **extra: Any) -> JSONDict:
        """A fraud verdict from outside OrderCore (a channel's, a gateway's): ``high`` holds an order that has not
        shipped, ``medium`` queues it for review, a lower one lifts nothing (op risk.report)."""
        return self._db.exec("risk.report", order_id=order_id, source=source, level=level, message=message, **extra)

    def set_list(self, kind: str, value: str, list: Optional[str], *, note: Optional[str] = None, **extra: Any) -> JSONDict:
        """Puts an identifier on the ``allow`` or ``block`` list, or off both with None (op risk.list_set)."""
        return self._db.exec("risk.list_set", kind=kind, value=value, list=list or "none", note=note, **extra)

    def lists(self) -> List[JSONDict]:
        """The allow and block lists (op risk.lists)."""
        return self._db.exec("risk.lists")["entries"]

    def rules(self) -> JSONDict:
        """The current rule set and its version (op risk.rules_get)."""
        return self._db.exec("risk.rules_get")

    def set_rules(self, rules: Mapping[str, Any], **extra: Any) -> JSONDict:
        """Stores a new version of the rules (op risk.rules_set; admins only)."""
        return self._db.exec("risk.rules_set", rules=dict(rules), **extra)

    def shadow(self, rules: Mapping[str, Any], *, limit: Optional[int] = None) -> JSONDict:
        """How a candidate rule set would decide recent orders, acting on nothing (op risk.shadow)."""
        return self._db.exec("risk.shadow", rules=dict(rules), limit=limit)


class _Intake(_Area):
    def ingest(self, channel: str, payload: Any, *, event_type: Optional[str] = None, event_id: Optional[str] = None,
               external_id: Optional[str] = None, **extra: Any) -> JSONDict:
        """Stores a channel event (payload: the raw text, or parsed JSON) and applies it once (op
        intake.ingest). ``result["state"]`` is "applied" or "dead_letter" (kept with the reason);
        ``result["duplicate"]`` is true when the event was seen before and this is its first answer."""
        return self._db.exec("intake.ingest", channel=channel, payload=payload, event_type=event_type, event_id=event_id,
                             external_id=external_id, **extra)

    def dead_letters(self, *, channel: Optional[str] = None, after: Optional[int] = None, limit: Optional[int] = None) -> List[JSONDict]:
        """Events that could not be applied, oldest first, with the reason (op intake.dead_letters)."""
        return self._db.exec("intake.dead_letters", channel=channel, after=after, limit=limit)["dead_letters"]

    def retry(self, inbox_id: int, **extra: Any) -> JSONDict:
        """Applies a dead letter again after its profile or data was fixed (op intake.retry)."""
        return self._db.exec("intake.retry", inbox_id=inbox_id, **extra)

    def get(self, inbox_id: int) -> JSONDict:
        """One inbox entry with its raw payload and outcome (op intake.get)."""
        return self._db.exec("intake.get", inbox_id=inbox_id)

    def map(self, payload: Any, *, channel: Optional[str] = None, profile: Optional[str] = None) -> JSONDict:
        """The canonical events a payload maps to, applying nothing (op intake.map)."""
        return self._db.exec("intake.map", payload=payload, channel=channel, profile=profile)

    def set_profile(self, definition: Mapping[str, Any]) -> JSONDict:
        """Stores a channel profile (op intake.profile_set; docs/channels.md)."""
        return self._db.exec("intake.profile_set", profile=dict(definition))

    def profile(self, name: str) -> JSONDict:
        """A profile's definition, builtin or stored (op intake.profile_get)."""
        return self._db.exec("intake.profile_get", profile=name)

    def profiles(self) -> List[JSONDict]:
        """Every profile, builtin and stored (op intake.profiles)."""
        return self._db.exec("intake.profiles")["profiles"]


class _Events(_Area):
    def read(self, *, consumer: Optional[str] = None, after: Optional[int] = None, limit: int = 100) -> Tuple[List[JSONDict], int]:
        """Events after ``after`` (or after the consumer's acknowledged cursor), oldest first, and the
        cursor to acknowledge once they are handled (typed C call oc_events_read)."""
        if consumer is None and after is None:
            after = 0
        out, next_ = ctypes.c_void_p(), ctypes.c_int64()
        self._db._call(self._db._lib.oc_events_read, _c_string(consumer, "consumer"), -1 if after is None else after, limit,
                       ctypes.byref(out), ctypes.byref(next_))
        try:
            events = json.loads(ctypes.string_at(out.value).decode("utf-8")) if out.value else []
        finally:
            self._db._lib.oc_free(out)
        return events, next_.value

    def ack(self, consumer: str, cursor: int) -> None:
        """Records that ``consumer`` has handled every event up to ``cursor`` (typed C call oc_events_ack)."""
        self._db._call(self._db._lib.oc_events_ack, _c_string(consumer, "consumer"), cursor)

    def follow(self, consumer: str, *, batch: int = 100) -> Iterator[JSONDict]:
        """Yields the consumer's unacknowledged events in order until the feed is drained. An event is
        acknowledged when the loop asks for the next one, so a consumer that stops and restarts gets
        every later event exactly once; after a crash, the event it was handling comes again."""
        while True:
            events, _ = self.read(consumer=consumer, limit=batch)
            if not events:
                return
            for event in events:
                yield event
                self.ack(consumer, event["seq"])

    def consumers(self) -> JSONDict:
        """Consumers with their cursor and lag (op events.consumers)."""
        return self._db.exec("events.consumers")


class _Config(_Area):
    def get(self, key: Optional[str] = None) -> List[JSONDict]:
        """Settings with their values and defaults (op config.get)."""
        return self._db.exec("config.get", key=key)["settings"]

    def set(self, key: str, value: Any) -> JSONDict:
        """Changes a setting (op config.set)."""
        return self._db.exec("config.set", key=key, value=value)

    def reset(self, key: str) -> JSONDict:
        """Puts a setting back to its default (op config.reset)."""
        return self._db.exec("config.reset", key=key)
