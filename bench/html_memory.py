"""Peak memory and time of parsing hostile saved HTML pages, each just under the 32 MB file cap.

    python bench/html_memory.py [--only NAME] [--limit-gb 6]

Pages: 100,000 records in a list; 620,000 table rows; markup nested 1,000,000 deep; one record whose
summary is 10 MB. Each page is parsed in a child process (so one page's peak is not another's) and the
child's own peak resident set (VmHWM, `testing/memory.py`) is printed with the time and what
parsing said: records found, or the one-line error a user would see.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

MB = 1 << 20
HEAD = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Search | Wilson Center Digital Archive</title>' \
       '</head><body><main>'
TAIL = "</main></body></html>"


def list_page(path: Path) -> None:
    """100,000 records, the 2013 `ul.search-res` list layout: date, linked title, summary."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD + '<ul class="search-res">')
        for n in range(100_000):
            out.write(f'<li><span class="date">March {n % 28 + 1}, 1958</span><h3><a href="/document/{n}">'
                      f'Telegram {n} from Zhou Enlai to Mao Zedong</a></h3><p>On the talks with the '
                      f'Soviet Ambassador about the Chinese Eastern Railway, item {n}.</p></li>\n')
        out.write("</ul>" + TAIL)


def table_page(path: Path) -> None:
    """620,000 table rows, each a bare linked title (unquoted attributes, to stay under the cap)."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD + "<table><tbody>")
        for n in range(620_000):
            out.write(f"<tr><td><a href=/document/{n}>R{n}</a></tr>")  # </tr> closes the cell too
        out.write("</tbody></table>" + TAIL)


def nested_page(path: Path) -> None:
    """One record at the bottom of 1,000,000 nested `<div>`s."""
    depth = 1_000_000
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD + "<div>" * depth)
        out.write('<a href="/document/1">The deepest document</a><p>Its summary.</p>')
        out.write("</div>" * depth + TAIL)


def long_summary_page(path: Path) -> None:
    """Two records, the first with a 10 MB summary."""
    sentence = "The ambassador reported on the talks at length. "
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD + "<ul>")
        out.write('<li><h3><a href="/document/1">A very long record</a></h3><p>')
        out.write(sentence * (10 * MB // len(sentence)))
        out.write('</p></li><li><h3><a href="/document/2">A short record</a></h3><p>Short.</p></li></ul>' + TAIL)


PAGES: dict[str, Callable[[Path], None]] = {
    "100k-records": list_page,
    "620k-rows": table_page,
    "nested-1M": nested_page,
    "10MB-summary": long_summary_page,
}

CHILD = """
import json, resource, sys, time
from retrieval.parse import open_page
from retrieval.records import PageError
from testing.memory import peak_rss_kib
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
start = time.perf_counter()
try:
    records = open_page(sys.argv[1]).records()
    count = 0
    longest = 0
    for record in records:
        count += 1
        longest = max(longest, len(record.summary))
    outcome = f"{count} records, longest summary {longest:,} characters"
except PageError as exc:
    outcome = f"error: {exc}"
except MemoryError:
    outcome = "MemoryError (over the address-space limit)"
except RecursionError:
    outcome = "RecursionError"
print(json.dumps({"seconds": time.perf_counter() - start,
                  "peak_mb": peak_rss_kib() / 1024, "outcome": outcome}))
"""


def measure(page: Path, limit_gb: float) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(page), str(int(limit_gb * (1 << 30)))],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": float("nan"), "peak_mb": float("nan"), "outcome": f"crashed: {last}"}
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(PAGES), action="append")
    parser.add_argument("--limit-gb", type=float, default=6.0, help="address-space limit of each child")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or PAGES:
            page = Path(tmp) / f"{name}.html"
            PAGES[name](page)
            figures = measure(page, args.limit_gb)
            print(f"{name:>13}: {page.stat().st_size / MB:5.1f} MB page, peak {figures['peak_mb']:7.0f} MB, "
                  f"{figures['seconds']:6.1f} s, {figures['outcome']}", flush=True)
            page.unlink()


if __name__ == "__main__":
    main()
