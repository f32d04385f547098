"""50 people asking at once: acknowledgement times and event-loop stalls on a 17,000-record archive.

    python bench/concurrency.py [--users 50] [--rounds 4] [--records 17000]

The real bot (discord.py's HTTP client, gateway and command tree) runs against the local Discord stand-in
from testing/fakediscord on 127.0.0.1, in the same process and event loop, so the stall figure is an upper
bound: the stand-in's own work counts too. Each round dispatches one /ask per user at the same moment and
times, for each, the moment Discord would see the acknowledgement (the interaction callback).
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import ArchiveBot
from bot.config import Settings
from bot.cooldown import Cooldown
from retrieval.search import Archive
from testing.fakediscord import FakeDiscord
from testing.listing_gen import percentile
from testing.quality import REALPAGES, build_generated_archive, load_questions


async def watch_loop(stalls: list[float], stop: asyncio.Event, every: float = 0.005) -> None:
    """How late the loop wakes a 5 ms sleeper: the longest any task held the loop."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(every)
        stalls.append(time.perf_counter() - started - every)


async def measure(db: Path, users: int, rounds: int) -> tuple[list[float], list[float], int]:
    questions = [q["q"] for q in load_questions(with_realpages=(REALPAGES / "da").is_dir())]
    async with FakeDiscord() as fake:
        for n in range(users):
            fake.add_user(5000 + n, f"user{n}")
        archive = await Archive.open(db)
        bot = ArchiveBot(archive, Settings(archive_db=db), cooldown=Cooldown(rate=10**6), run_scheduler=False)
        acks: list[float] = []
        stalls: list[float] = []
        try:
            async with fake.running(bot, ready_timeout=30):
                stop = asyncio.Event()
                watcher = asyncio.create_task(watch_loop(stalls, stop))
                for round_number in range(rounds):
                    payloads = [fake.slash("ask", {"question": questions[(round_number * users + n) % len(questions)]},
                                           user_id=5000 + n) for n in range(users)]
                    started = time.perf_counter()
                    await asyncio.gather(*(fake.dispatch("INTERACTION_CREATE", p) for p in payloads))
                    responses = await asyncio.gather(*(fake.wait_for_response(p["id"], timeout=30) for p in payloads))
                    acks += [r.at - started for r in responses]
                    await asyncio.sleep(0.2)
                stop.set()
                await watcher
        finally:
            await archive.close()
        failures = sum(1 for r in fake.requests if r.kind == "callback" and not r.ok)
    return acks, stalls, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--records", type=int, default=17_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = asyncio.run(build_generated_archive(Path(tmp), args.records))
        acks, stalls, failures = asyncio.run(measure(db, args.users, args.rounds))
    ms = [a * 1000 for a in acks]
    print(f"{len(ms)} /ask interactions ({args.users} at once x {args.rounds} rounds), {args.records:,} records")
    print(f"  acknowledged: p50 {statistics.median(ms):.0f} ms, p99 {percentile(ms, 99):.0f} ms, "
          f"max {max(ms):.0f} ms; within 3 s: {sum(1 for m in ms if m < 3000)}/{len(ms)}; failed callbacks: {failures}")
    print(f"  event loop: longest stall {max(stalls) * 1000:.1f} ms, p99 {percentile(stalls, 99) * 1000:.1f} ms "
          f"over {len(stalls)} samples")


if __name__ == "__main__":
    main()
