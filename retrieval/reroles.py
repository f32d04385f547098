"""Carrying stored roles forward: an archive whose participants were derived by older rules gets them again.

Roles are derived at ingest from each record's title and summary (`PeopleDirectory.participants`). When the
rules change (version 2: people only named in a summary or a title's subject are `mentioned`, no longer
participants), an archive made before holds the old roles. The version its roles were derived by is kept in
the store's state; opening an older archive derives every record's roles again, in one transaction (all or
nothing), the name matching in a worker thread.
"""
from __future__ import annotations

import asyncio
import logging

from .people import PeopleDirectory
from .records import Participant
from .store import ArchiveStore

log = logging.getLogger(__name__)

ROLES_VERSION = 3  # 1: everyone a summary named was a participant; 2: `Role.MENTIONED`; 3: relayed letters
ROLES_KEY = "roles_version"


async def roles_current(store: ArchiveStore) -> bool:
    return await store.get_state(ROLES_KEY) == str(ROLES_VERSION)


async def carry_roles_forward(store: ArchiveStore, people: PeopleDirectory) -> int:
    """Derive every record's roles again when the archive's are older than ROLES_VERSION; returns how many
    records were done (0 when they were current). An empty archive is simply marked current."""
    if await roles_current(store):
        return 0
    async with store.transaction():
        if await roles_current(store):  # another process did it while this one waited
            return 0
        texts = await store.record_texts()
        derived = await asyncio.to_thread(_derive, people, texts, await store.record_authors())
        await store.replace_participants(derived)
        await store.put_state(ROLES_KEY, str(ROLES_VERSION))
    if texts:
        log.info("%s: derived the roles of %d records again (roles version %d)", store.where, len(texts),
                 ROLES_VERSION)
    return len(texts)


def _derive(people: PeopleDirectory, texts: list[tuple[int, str, str]],
            authors: dict[int, tuple[str, ...]]) -> dict[int, list[Participant]]:
    return {rid: people.participants_with_authors(title, summary, authors.get(rid, ()))
            for rid, title, summary in texts}
