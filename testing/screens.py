"""Pictures of the bot's main replies for the README, drawn from the payloads the Discord stand-in receives.

    pip install -e '.[screens]'
    python -m testing.screens docs/screens

The real bot answers real slash commands on the local stand-in (127.0.0.1, nothing leaves the machine); each
reply's embed and buttons, as the bot sent them, are drawn in Discord's dark theme. The drawing is plain (one
font, no markdown rendering beyond bold markers dropped, two emoji it lacks drawn as shapes it has): it shows
what the payload holds, not Discord's pixels.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

BACKGROUND, EMBED, TEXT, MUTED, BUTTON = "#313338", "#2b2d31", "#dbdee1", "#949ba4", "#4e5058"
WIDTH, MARGIN, WRAP = 880, 24, 92
FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans.ttf")
# Emoji the one font lacks, drawn as the nearest shapes it has (Discord shows the emoji themselves).
_STAND_INS = str.maketrans({"⏮": "|◀", "⏭": "▶|"})
_MARKUP = re.compile(r"\*\*|__|\\(?=[\\*_~`|>#\[\]()<@:-])|<t:(\d+):[a-zA-Z]>")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def plain(text: str) -> str:
    """Discord's markup as a reader sees it: bold markers and escapes gone, timestamps as their number."""
    return _MARKUP.sub(lambda m: m.group(1) or "", text).translate(_STAND_INS)


def _lines(text: str, width: int = WRAP) -> list[str]:
    out: list[str] = []
    for paragraph in plain(text).splitlines() or [""]:
        out += textwrap.wrap(paragraph, width) or [""]
    return out


def render(message: dict[str, Any], command: str) -> Image.Image:
    """One reply: the command typed, then each embed (colour bar, title, text, fields, footer), then buttons."""
    body, small, bold = _font(15), _font(13), _font(16)
    rows: list[tuple[str, Any, str]] = [(f"/{command}", small, MUTED)]
    for embed in message.get("embeds") or []:
        rows.append(("", small, TEXT))
        rows += [(line, bold, TEXT) for line in _lines(embed.get("title", ""), 80)]
        rows += [(line, body, TEXT) for line in _lines(embed.get("description", ""))]
        for field in embed.get("fields") or []:
            rows += [(line, bold, TEXT) for line in _lines(field["name"], 80)]
            rows += [(line, body, TEXT) for line in _lines(field["value"])]
        if embed.get("footer", {}).get("text"):
            rows += [(line, small, MUTED) for line in _lines(embed["footer"]["text"], 100)]
    buttons = [(c.get("label") or c.get("placeholder") or "").translate(_STAND_INS)
               for row in message.get("components") or [] for c in row.get("components", [])]
    height = MARGIN * 2 + sum(22 if font is not small else 18 for _, font, _ in rows) + (40 if buttons else 0)
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    colour = next((f"#{e['color']:06x}" for e in message.get("embeds") or [] if "color" in e), MUTED)
    y = MARGIN
    draw.rectangle((MARGIN, MARGIN + 22, WIDTH - MARGIN, height - MARGIN - (40 if buttons else 0)), fill=EMBED)
    draw.rectangle((MARGIN, MARGIN + 22, MARGIN + 4, height - MARGIN - (40 if buttons else 0)), fill=colour)
    for text, font, fill in rows:
        draw.text((MARGIN + 16, y), text, font=font, fill=fill)
        y += 22 if font is not small else 18
    x = MARGIN
    for label in buttons:
        w = int(draw.textlength(label, font=small)) + 20
        if x + w > WIDTH - MARGIN:
            break
        draw.rounded_rectangle((x, y + 8, x + w, y + 34), radius=4, fill=BUTTON)
        draw.text((x + 10, y + 13), label, font=small, fill=TEXT)
        x += w + 8
    return image


SHOTS: list[tuple[str, str, dict[str, Any]]] = [
    ("ask", "ask", {"question": "why did the soviets halt nuclear assistance to china"}),
    ("search", "search", {"query": "zhou enlai nehru 1959"}),
    ("browse", "search", {"from": 1958, "to": 1958}),
    ("person", "person", {"name": "Filippov"}),
    ("doc", "doc", {"id": "3"}),
    ("help", "help", {}),
]


async def capture(folder: Path, seeds: Path, pages: list[Path]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each shot's command line and the message the bot sent for it."""
    from bot.app import ArchiveBot
    from bot.config import Settings
    from retrieval.ingest import Ingester
    from retrieval.people import PeopleDirectory
    from retrieval.search import Archive
    from retrieval.store import SqliteArchiveStore
    from testing.fakediscord import FakeDiscord

    db = folder / "archive.db"
    people = PeopleDirectory.load()
    async with await SqliteArchiveStore.open(db) as store:
        await Ingester(store, people).ingest([seeds, *pages])
    archive = await Archive.open(db, people)
    bot = ArchiveBot(archive, Settings(archive_db=db), run_scheduler=False)
    shots: dict[str, tuple[str, dict[str, Any]]] = {}
    try:
        async with FakeDiscord() as fake, fake.running(bot):
            for name, command, options in SHOTS:
                payload = await fake.send_slash(command, options or None)
                response = await fake.wait_for_response(payload["id"], timeout=30)
                message = response.message or (response.json or {}).get("data") or {}
                typed = " ".join(f"{k}:{v}" for k, v in options.items())
                shots[name] = (f"{command} {typed}".strip(), message)
    finally:
        await archive.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder for the PNG files (e.g. docs/screens)")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    docpages = root.parent / "shared" / "realpages" / "docpages"
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pages = []
        if docpages.is_dir():  # a real document page, so /doc shows what a page adds
            pages.append(Path(shutil.copy(docpages / "cable-filippov-stalin-cde-mao-zedong.html", tmp)))
        shots = asyncio.run(capture(Path(tmp), root / "seeds", pages))
    for name, (typed, message) in shots.items():
        render(message, typed).save(args.out / f"{name}.png")
        print(args.out / f"{name}.png")


if __name__ == "__main__":
    main()
