"""Shared paths and fixtures. Real pages from ../shared/realpages are used when present, skipped when not."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REALPAGES = ROOT.parent / "shared" / "realpages"

sys.path.insert(0, str(ROOT / "bench"))  # the listing generator is shared by tests and benchmarks


@pytest.fixture
def realpages() -> Path:
    if not (REALPAGES / "da").is_dir():
        pytest.skip("../shared/realpages is not beside this checkout")
    return REALPAGES
