"""CI's lint and type checks can fail: each catches a known-bad snippet under the project's own configuration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each runs mypy or ruff as a process

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"

GOOD = '''"""A module both checks accept."""

import json


def dump(value: dict[str, int]) -> str:
    return json.dumps(value)
'''

# The error sits in an unannotated function, which mypy reports only with the project's check_untyped_defs.
TYPE_ERROR = """def add():
    total: int = "one"
    return total
"""

UNUSED_IMPORT = """import os


def name() -> str:
    return "x"
"""

# Import order is checked only because the project selects ruff's isort rules (I).
UNSORTED_IMPORTS = """import sys
import json

print(json, sys)
"""


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *map(str, args)], cwd=ROOT, capture_output=True, text=True)


def mypy(path: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return _run("mypy", "--config-file", CONFIG, "--cache-dir", cache, path)


def ruff(path: Path) -> subprocess.CompletedProcess[str]:
    return _run("ruff", "check", "--no-cache", "--config", CONFIG, path)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_mypy_rejects_a_type_error_in_an_unannotated_function(tmp_path: Path) -> None:
    result = mypy(_write(tmp_path, "bad_types.py", TYPE_ERROR), tmp_path / "cache")
    assert result.returncode == 1, result.stdout + result.stderr
    expected = 'Incompatible types in assignment (expression has type "str", variable has type "int")'
    assert f"bad_types.py:2: error: {expected}" in result.stdout


def test_ruff_rejects_an_unused_import(tmp_path: Path) -> None:
    result = ruff(_write(tmp_path, "bad_lint.py", UNUSED_IMPORT))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "F401" in result.stdout and "`os` imported but unused" in result.stdout


def test_ruff_applies_the_project_rule_selection(tmp_path: Path) -> None:
    result = ruff(_write(tmp_path, "bad_order.py", UNSORTED_IMPORTS))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "I001" in result.stdout


def test_both_checks_accept_a_good_snippet(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.py", GOOD)
    for result in (mypy(good, tmp_path / "cache"), ruff(good)):
        assert result.returncode == 0, result.stdout + result.stderr
