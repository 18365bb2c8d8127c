import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHELL = os.environ.get("ORDERCORE_SHELL", str(ROOT / "dist" / "bin" / "ordercore"))


@pytest.fixture
def shell():
    if not Path(SHELL).exists():
        pytest.fail(f"shell binary {SHELL} is missing; run `make build` first")
    return SHELL
