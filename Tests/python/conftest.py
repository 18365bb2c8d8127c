import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python"))
os.environ.setdefault("ORDERCORE_LIBRARY", str(ROOT / "dist" / "lib" / "libordercore.so.0"))

import ordercore  # noqa: E402


@pytest.fixture
def db(tmp_path):
    """A database file on disk with one SKU and one warehouse."""
    with ordercore.open(str(tmp_path / "test.db")) as database:
        database.skus.upsert("A1", name="Mug")
        database.warehouses.upsert("SH", priority=1)
        yield database
