"""Builds the binding's wheel with the C library inside, so ``pip install ordercore-*.whl`` works with no
environment variable (the binding loads ``libordercore.so.0`` from its own directory first).

    python3 bindings/python/build_wheel.py dist/lib/libordercore.so.0 dist/

Standard library only (no setuptools or wheel needed): a wheel is a zip with a dist-info directory.
The tag is ``py3-none-<platform>``: any Python 3 (the binding is ctypes), this machine's platform (the
library is native code).
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
import sysconfig
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def project() -> dict:
    """Name, version, description and Python requirement from pyproject.toml."""
    with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    fields = dict(re.findall(r'^(name|version|description|requires-python) = "([^"]*)"', text, re.M))
    return fields


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main(library: str, out_dir: str) -> str:
    meta = project()
    name, version = meta["name"], meta["version"]
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    tag = f"py3-none-{platform}"
    info = f"{name}-{version}.dist-info"
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    files = {}
    package = os.path.join(HERE, "ordercore")
    for entry in sorted(os.listdir(package)):
        if entry.endswith(".py") or entry == "py.typed":
            with open(os.path.join(package, entry), "rb") as f:
                files[f"ordercore/{entry}"] = f.read()
    with open(library, "rb") as f:
        files["ordercore/libordercore.so.0"] = f.read()
    files[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {meta['description']}\n"
        f"Requires-Python: {meta['requires-python']}\nDescription-Content-Type: text/markdown\n\n{readme}"
    ).encode()
    files[f"{info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: ordercore build_wheel.py\nRoot-Is-Purelib: false\nTag: {tag}\n"
    ).encode()
    records = [record_line(path, data) for path, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(records) + "\n").encode()
    os.makedirs(out_dir, exist_ok=True)
    wheel = os.path.join(out_dir, f"{name}-{version}-{tag}.whl")
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            entry = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
            entry.external_attr = (0o755 if path.endswith(".so.0") else 0o644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(entry, data)
    return wheel


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: build_wheel.py LIBRARY OUT_DIR")
    print(main(sys.argv[1], sys.argv[2]))
