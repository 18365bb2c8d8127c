"""The HTML dashboard: written by the engine, validated for structure, rendered by headless Chromium."""
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser

import pytest

import ordercore

VOID = {"meta", "br", "hr", "img", "input", "link", "circle", "rect", "line", "polyline", "path"}
SECTIONS = {"health", "orders", "funnel", "trend", "regions", "stock", "replenishment", "alerts", "returns", "risk"}


def _history(db):
    """Two SKUs in stock, one running low (a warning on the board); orders paid over three days, most
    shipped, one left allocated long enough to be stuck."""
    db.skus.upsert("B2", name="Tea <green> & \"fresh\"")
    db.stock.receive("A1", "SH", 500)
    db.stock.receive("B2", "SH", 4)
    for day in range(1, 4):
        for n in range(4):
            sku = "B2" if n == 0 else "A1"
            order = db.orders.create(lines=[{"sku": sku, "qty": 1, "unit_price": "9.90"}], channel="web" if n % 2 else "app",
                                     at=f"2026-05-0{day}T08:55:00Z")
            oid = order["order_id"]
            db.orders.pay(oid, at=f"2026-05-0{day}T09:00:00Z")
            db.orders.allocate(oid, at=f"2026-05-0{day}T09:30:00Z")
            if n < 3:
                db.exec("order.pack", order_id=oid, scans=[oid, sku], weight_g=0, at=f"2026-05-0{day}T10:00:00Z")
                db.exec("order.ship", order_id=oid, carrier="SF", tracking_no=f"SF{day}{n}",
                        at=f"2026-05-0{day + (n % 2)}T{12 + 3 * n}:00:00Z")
    db.sweep(at="2026-05-04T00:00:00Z")


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.ids, self.tags, self.external = [], [], set(), {}, []

    def handle_starttag(self, tag, attrs):
        name = "head>title" if tag == "title" and self.stack[-1:] == ["head"] else tag
        self.tags[name] = self.tags.get(name, 0) + 1
        for name, value in attrs:
            if name == "id":
                self.ids.add(value)
            if name in ("src", "href", "xlink:href") or (value and ("http:" in value or "https:" in value)):
                self.external.append((tag, name, value))
        if tag in ("script", "link", "img", "iframe", "object"):
            self.external.append((tag, "", ""))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def _png_pixels(path):
    """Decodes an 8-bit RGB or RGBA PNG (what Chromium writes) into rows of pixel tuples."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows, previous = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return rows


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.fail("headless Chromium is not installed: `make test-deps` installs it (apt-get install -y chromium)")


def test_dashboard_is_self_contained_valid_and_renders(db, tmp_path):
    _history(db)
    page = tmp_path / "dashboard.html"
    result = db.reports.html(str(page), from_="2026-05-01T00:00:00Z", to="2026-05-04T00:00:00Z", at="2026-05-04T00:00:00Z")
    assert result["bytes"] == page.stat().st_size and result["grade"] in ("A", "B", "C", "D", "F")
    text = page.read_text()
    parser = _Structure()
    parser.feed(text)
    assert text.startswith("<!DOCTYPE html>") and parser.errors == [] and parser.stack == []
    assert parser.tags.get("html") == parser.tags.get("head") == parser.tags.get("body") == parser.tags.get("head>title") == 1
    assert SECTIONS <= parser.ids and parser.tags.get("svg", 0) >= 3
    assert parser.external == [], "the page must need nothing from the network"
    assert 'class="stock-warning"' in text and "<td>B2</td>" in text
    assert "<h3>By channel</h3>" in text and "<td>web</td>" in text and "<h3>By warehouse</h3>" in text
    assert "<td>placed</td>" in text and "<td>delivered</td>" in text and 'aria-label="average hours' in text

    shot = tmp_path / "dashboard.png"
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={shot}",
                    "--window-size=1280,1400", page.as_uri()], check=True, capture_output=True, timeout=120)
    pixels = _png_pixels(shot)
    flat = [p for row in pixels[::4] for p in row[::4]]
    colours = set(flat)
    non_white = sum(1 for p in flat if p != (255, 255, 255)) / len(flat)
    print(f"\nscreenshot {len(pixels[0])}x{len(pixels)}: {len(colours)} colours sampled, {non_white:.0%} not white")
    assert len(colours) > 30 and non_white > 0.2
    assert (253, 230, 138) in colours, "the low-stock row is drawn in the warning colour"
    assert (17, 24, 39) in colours, "the header bar is drawn"


def test_dashboard_refuses_a_missing_path(db, tmp_path):
    with pytest.raises(ordercore.OrderCoreError) as error:
        db.reports.html(str(tmp_path / "no-such-dir" / "x.html"))
    assert error.value.code == "io"
