"""`archive-bot ingest` says, one line per file, what it repaired rather than refused."""
from __future__ import annotations

import pytest

from .test_cli import cli

pytestmark = pytest.mark.slow  # starts an `archive-bot` process


def test_ingest_prints_one_line_per_repaired_file(tmp_path):
    page = ("Documents\n\nFebruary 30, 1952\n\nReport, Zhou Enlai to Chairman Mao on L\u00fcshun\n\n"
            "Zhou reports on the L\u00fcshun Port.\n\nPagination\n").encode()
    (tmp_path / "stray.txt").write_bytes(page.replace(b"Mao on", b"Mao\x92 on"))
    (tmp_path / "clean.txt").write_bytes(page.replace(b"February 30", b"February 3"))
    result = cli("ingest", "stray.txt", "clean.txt", "--db", "a.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "repaired: stray.txt: 1 invalid byte replaced, 1 date with an impossible day kept as its month"]
