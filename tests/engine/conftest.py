"""Engine tests: pure Python, no Flask, no database, no network."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the project is not installed into the virtualenv
    sys.path.insert(0, str(ROOT))

SHIPPED = ROOT / "framework" / "blanket-restrictions-1.3.0"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shipped():
    from app.engine import load

    return load(SHIPPED)
