"""Daily posts from several processes sharing one PostgreSQL, each running a range of shards.

    python bench/shards.py [--subscriptions 1000] [--shards 4] [--processes 2]

A throwaway PostgreSQL (testing/postgres.py) and the Discord stand-in (testing/fakediscord) run here;
`--subscriptions` subscriptions in as many guilds, spread over the shards, all due at one minute. Each child
process runs the daily scheduler (retrieval/daily) for its range of shards, on its own pool to the shared
state, posting over HTTP to the stand-in's REST API. Prints the posts made (each must be made once), and the
time from the scheduled minute to the last post.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp

from retrieval.daily import DailyPost, DailyScheduler, FailureKind, PostError, Shards, Subscription, Target
from retrieval.daily.choice import Documents
from retrieval.records import Record
from retrieval.state.postgres import PostgresState
from testing.fakediscord import GENERAL_ID, FakeDiscord
from testing.postgres import postgres_server

ROOT = Path(__file__).resolve().parent.parent
DUE = datetime(2026, 9, 27, 9, 0, tzinfo=UTC)


class NoDocuments:
    """The benchmark measures posting, not choosing: every day has no document (the post says so)."""

    async def show(self, record_id: int) -> Record | None:
        return None

    def on_this_day(self, month: int, day: int) -> list[Record]:
        return []

    def nearest_dated(self, month: int, day: int) -> list[Record]:
        return []


class HttpPoster:
    """Posts the marker as a message in the stand-in's one channel, over its REST API."""

    def __init__(self, session: aiohttp.ClientSession, api: str) -> None:
        self.session = session
        self.api = api

    async def send(self, sub: Subscription, post: DailyPost) -> int:
        async with self.session.post(f"{self.api}/channels/{GENERAL_ID}/messages",
                                     json={"content": post.marker}) as response:
            if response.status >= 300:
                raise PostError(FailureKind.TRANSIENT, f"HTTP {response.status}")
            return int((await response.json())["id"])

    async def find(self, sub: Subscription, marker: str) -> int | None:
        return None

    async def notify(self, sub: Subscription, error: PostError) -> None:
        pass


async def child(url: str, api: str, ids: str, count: int, start_at: float) -> None:
    state = await PostgresState.open(url)
    shards = Shards(tuple(int(i) for i in ids.split(",")), count)
    async with aiohttp.ClientSession(headers={"Authorization": "Bot bench"}) as session:
        documents: Documents = NoDocuments()
        scheduler = DailyScheduler(documents, state, HttpPoster(session, api), shards=shards,
                                   clock=lambda: DUE + timedelta(seconds=max(0.0, time.time() - start_at)))
        await asyncio.sleep(max(0.0, start_at - time.time()))
        outcomes = await scheduler.tick()
    await state.close()
    print(json.dumps({"sent": sum(o.result == "sent" for o in outcomes), "done": time.time()}))


async def bench(subscriptions: int, shard_count: int, processes: int) -> None:
    with postgres_server() as server:
        state = await PostgresState.open(server.url)
        for n in range(subscriptions):
            await state.subscribe(target=Target.channel(10_000 + n), guild_id=n << 22, created_by=1,
                                  post_time="09:00", zone="UTC", now=datetime(2026, 1, 1, tzinfo=UTC))
        await state.close()
        ranges = [",".join(str(s) for s in range(shard_count) if s * processes // shard_count == p)
                  for p in range(processes)]
        async with FakeDiscord() as fake:
            start_at = time.time() + 3.0  # the scheduled minute: every child is connected by then
            children = [await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--child", server.url, fake.api_base, ids, str(shard_count), str(start_at),
                stdout=subprocess.PIPE, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}) for ids in ranges]
            reports = [json.loads((await c.communicate())[0]) for c in children]
            markers = Counter(r.json.get("content") for r in fake.requests
                              if r.method == "POST" and r.path.endswith("/messages") and r.ok)
    last = max(r["done"] for r in reports)
    day = date(2026, 9, 27).isoformat()
    once = all(markers[f"daily:{sub}:{day}"] == 1 for sub in range(1, subscriptions + 1))
    print(f"{subscriptions} subscriptions, {shard_count} shards in {processes} processes ({' / '.join(ranges)})")
    print(f"posts: {sum(markers.values())} ({', '.join(str(r['sent']) for r in reports)} by process); "
          f"each exactly once: {once}")
    print(f"scheduled minute to last post: {last - start_at:.2f} s")


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        url, api, ids, count, start_at = sys.argv[2:7]
        asyncio.run(child(url, api, ids, int(count), float(start_at)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(bench(args.subscriptions, args.shards, args.processes))


if __name__ == "__main__":
    main()
