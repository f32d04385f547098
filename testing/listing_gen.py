"""Generate large, realistic listing pages (the archive's blank-line layout) for scale tests and benchmarks.

Records are recombined from the bundled seed pages: real title shapes, real names, real summary sentences,
with dates of every precision, so parsing, name resolution and ranking work as hard as on the real archive.
Deterministic for a seed, and streamed to disk so 100,000 records never sit in memory.

    python -m testing.listing_gen OUT.txt [--records 17000] [--seed 7]
"""
from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

from retrieval.parse.text import TextListing

ROOT = Path(__file__).resolve().parent.parent

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
PEOPLE = ["Mao Zedong", "Joseph Stalin", "Zhou Enlai", "Nikita Khrushchev", "Andrei Gromyko", "Kim Il Sung",
          "Ho Chi Minh", "Liu Shaoqi", "Deng Xiaoping", "Vyacheslav Molotov", "Anastas Mikoyan", "Fidel Castro",
          "Leonid Brezhnev", "Erich Honecker", "Walter Ulbricht", "Janos Kadar", "Wladyslaw Gomulka",
          "Enver Hoxha", "Josip Broz Tito", "Pham Van Dong", "Le Duan", "Peng Dehuai", "Zhu De", "Chen Yi",
          "N.V. Roshchin", "S.F. Antonov", "Pavel Yudin", "Jawaharlal Nehru", "Sukarno", "Kim Jong Il"]
FORMS = ["Letter from {a} to {b}", "Cable, {a} to {b}", "Record of Conversation between {a} and {b}",
         "Memorandum of Conversation with {a}", "Telegram from {a} to {b}, {d}", "Report, {a} to {b}",
         "Minutes of Conversation between {a} and {b} on the {t}", "Speech by {a} on the {t}",
         "Notes on the Meeting of {a} and {b} regarding the {t}"]
TOPICS = ["Taiwan Strait Crisis", "Korean War armistice", "Sino-Soviet treaty", "nuclear test ban",
          "Hungarian events", "Berlin question", "Vietnam negotiations", "Geneva Conference", "border conflict",
          "economic assistance", "atomic energy cooperation", "Cuban Missile Crisis", "Polish crisis"]


def _seed_sentences() -> list[str]:
    sentences: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        with path.open(encoding="utf-8") as fh:
            for record in TextListing(fh).records():
                sentences.extend(s.strip() + "." for s in record.summary.split(". ") if len(s) > 30)
    return sentences or ["The two sides discuss relations between their countries."]


def generate_records(count: int, seed: int = 7) -> Iterator[tuple[str, str, str]]:
    """(date line, title, summary) triples; dates have day, month, year and no precision."""
    rng = random.Random(seed)
    sentences = _seed_sentences()
    for number in range(count):
        year = rng.randint(1945, 1991)
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        roll = rng.random()
        if roll < 0.85:
            day_text = f"{day:02d}" if rng.random() < 0.3 else str(day)
            date = f"{MONTHS[month - 1]} {day_text}, {year}"
        elif roll < 0.93:
            date = f"{MONTHS[month - 1]} {year}"
        elif roll < 0.98:
            date = str(year)
        else:
            date = ""
        a, b = rng.sample(PEOPLE, 2)
        title = rng.choice(FORMS).format(a=a, b=b, t=rng.choice(TOPICS), d=f"{day} {MONTHS[month - 1]} {year}")
        title = f"{title} (No. {number + 1})"  # distinct titles: every generated record is its own document
        summary = " ".join(rng.sample(sentences, k=min(len(sentences), rng.randint(1, 3))))
        yield date, title, summary


def write_listing(path: Path, count: int, seed: int = 7) -> Path:
    """A blank-line layout page with `count` records, header and footer included."""
    with path.open("w", encoding="utf-8") as out:
        out.write(f"Skip to content\n\nResults:\n\n1 - {count} of {count}\n\nDocuments\n\n")
        for date, title, summary in generate_records(count, seed):
            out.write(f"{date}\n\n{title}\n\n{summary}\n\n" if date else f"\n\n{title}\n\n{summary}\n\n")
        out.write("Pagination\n")
    return path


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile by nearest rank, for the benchmarks' latency figures."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--records", type=int, default=17_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_listing(args.output, args.records, args.seed)
    print(f"wrote {args.records} records to {args.output} ({args.output.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
