"""What the bot tests share: a seeded archive copied per test, and the bot running against the stand-in."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Awaitable, Callable

import pytest

from bot.app import ArchiveBot
from bot.config import Settings
from retrieval.ingest import Ingester
from retrieval.people import PeopleDirectory
from retrieval.search import Archive
from retrieval.store import ArchiveStore
from tests.fakediscord import FakeDiscord

from ..conftest import SEEDS

PEOPLE = PeopleDirectory.load()
EPHEMERAL = 64


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("bot") / "seed.db"

    async def build() -> None:
        async with await ArchiveStore.open(db) as store:
            await Ingester(store, PEOPLE).ingest([SEEDS])
    asyncio.run(build())
    return db


@pytest.fixture
def db(seeded_db, tmp_path) -> Path:
    copy = tmp_path / "archive.db"
    copy.write_bytes(seeded_db.read_bytes())
    return copy


def run(body: Callable[[], Awaitable[None]], timeout: float = 60.0) -> None:
    asyncio.run(asyncio.wait_for(body(), timeout))


async def start_bot(db: Path, **kwargs) -> ArchiveBot:
    archive = await Archive.open(db, PEOPLE)
    return ArchiveBot(archive, Settings(archive_db=db), run_scheduler=False, **kwargs)


def with_bot(db: Path, test: Callable[[FakeDiscord, ArchiveBot], Awaitable[None]], **kwargs) -> None:
    async def body() -> None:
        async with FakeDiscord() as fake:
            bot = await start_bot(db, **kwargs)
            try:
                async with fake.running(bot):
                    await test(fake, bot)
            finally:
                await bot.archive.close()
    run(body)


def embed_text(request) -> str:
    return "\n".join(f"{e.get('title', '')}\n{e.get('description', '')}\n" +
                     "\n".join(f"{f['name']}: {f['value']}" for f in e.get("fields", []))
                     + "\n" + e.get("footer", {}).get("text", "")
                     for e in request.embeds or [])


async def answer(fake: FakeDiscord, name: str, options=None, **kwargs):
    payload = await fake.send_slash(name, options, **kwargs)
    response = await fake.wait_for_response(payload["id"])
    return payload, response
