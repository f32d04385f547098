"""Document pages parsed per second: the real captures, the same pages at their original ~700 KB (inlined CSS
and SVG put back), and a page whose 700 KB are the document's own text; then a mirror of them ingested.

    python bench/docpages.py [--rounds N]

Reads ../shared/realpages/docpages (beside the checkout). Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.ingest import Ingester  # noqa: E402
from retrieval.parse import open_page  # noqa: E402
from retrieval.parse.docpage import read_site_page  # noqa: E402
from retrieval.people import PeopleDirectory  # noqa: E402
from retrieval.store import SqliteArchiveStore  # noqa: E402

DOCPAGES = ROOT.parent / "shared" / "realpages" / "docpages"
CSS = ".card-document .document-frame .tab-content{position:relative;min-height:40rem;color:#1c2b39}\n"
SVG = '<svg viewBox="0 0 24 24"><path d="M12 2L2 7l10 5 10-5-10-5z' + " L1 2" * 40 + '"/></svg>\n'


def original_size(text: str, size: int = 700_000) -> str:
    """A capture with the bulk of an original page put back: inlined CSS in the head, SVG icons in the body."""
    css = CSS * ((size * 4 // 5) // len(CSS))
    svg = SVG * ((size // 5) // len(SVG))
    return text.replace("</head>", f"<style>{css}</style></head>", 1).replace("<main", svg + "<main", 1)


def long_text(text: str, size: int = 700_000) -> str:
    """A page whose bulk is the document's own text (a long translation of Word-export paragraphs)."""
    paragraph = ('<p class="cs366E2583"><span><span class="cs566403DE">The Premier said that now is a good '
                 "opportunity to advance peace, and hopes that India and Asian and African countries will all play "
                 "a part.</span></span></p>")
    at = text.index(">", text.index('id="documentTabs"')) + 1
    body = paragraph * (size // len(paragraph))
    pane = f'<div class="tab-pane fade show active" id="translation-English">{body}</div>'
    return text[:at] + pane + text[at:]


def rate(label: str, pages: list[str], rounds: int) -> None:
    times = []
    for _ in range(rounds):
        for text in pages:
            start = time.perf_counter()
            read_site_page(text)
            times.append(time.perf_counter() - start)
    times.sort()
    size = sum(map(len, pages)) // len(pages)
    print(f"{label:<38} {size / 1000:7.0f} KB  {len(times) / sum(times):7.1f} pages/s  "
          f"p50 {times[len(times) // 2] * 1000:6.1f} ms  max {times[-1] * 1000:6.1f} ms")


async def ingest_mirror(pages: list[str], copies: int) -> None:
    """A mirror folder (one folder per slug holding index.html) of `copies` x the pages, into a new archive."""
    people = PeopleDirectory.load()
    with tempfile.TemporaryDirectory() as folder:
        mirror = Path(folder, "mirror")
        for n in range(copies):
            for i, text in enumerate(pages):
                page = mirror / f"doc-{n}-{i}"
                page.mkdir(parents=True)
                copy = re.sub(r"(Record ID</h3>\s*<div class=\"text\">\s*)(\d+)", rf"\g<1>{n}\2", text)
                (page / "index.html").write_text(copy.replace("/document/", f"/document/c{n}-"), encoding="utf-8")
        start = time.perf_counter()
        async with await SqliteArchiveStore.open(Path(folder, "a.db")) as store:
            report = await Ingester(store, people).ingest([mirror])
        took = time.perf_counter() - start
    files = len(report.files)
    print(f"ingest of a mirror of {files} pages: {took:.1f} s, {files / took:.1f} pages/s ({report.summary_line()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mirror-copies", type=int, default=20)
    args = parser.parse_args()
    captures = [p.read_text(encoding="utf-8") for p in sorted(DOCPAGES.glob("*.html"))]
    if not captures:
        sys.exit(f"no pages in {DOCPAGES}")
    for text in captures:  # warm up (imports, regex compilation)
        read_site_page(text)
    rate("real captures (cut after metadata)", captures, args.rounds)
    rate("original size (CSS and SVG back)", [original_size(t) for t in captures], args.rounds)
    rate("700 KB of document text", [long_text(t) for t in captures[:4]], max(1, args.rounds // 2))
    with tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8") as fh:
        fh.write(original_size(captures[0]))
        fh.flush()
        start = time.perf_counter()
        reader = open_page(fh.name)
        list(reader.records())
        print(f"one original-size page through open_page (decode + read): "
              f"{(time.perf_counter() - start) * 1000:.0f} ms")
    asyncio.run(ingest_mirror(captures, args.mirror_copies))


if __name__ == "__main__":
    main()
