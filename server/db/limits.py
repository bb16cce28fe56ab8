"""Rate-limit counts shared by every process and host: a row per limit and client in the database, or a key in
Redis when `LEHOI_REDIS_URL` is set.

A window opens with a client's first request and lasts `window_s`; every request in it adds one to the count, and
the next request after it opens a new window. The count is one atomic statement (an upsert on the database, one
MULTI on Redis), so two workers never both see a budget's last request as free.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from piccolo.engine.base import Engine

from server.clock import wall_seconds
from server.db import kept
from server.settings import Settings

#: one request counted: a new window, or one more hit in the current one; the hits and the window's end come back
_HIT_SQL = """
INSERT INTO rate_limit_window (bucket, ends_ms, hits) VALUES ({bucket}, {ends}, 1)
ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN rate_limit_window.ends_ms <= {now} THEN 1 ELSE rate_limit_window.hits + 1 END,
    ends_ms = CASE WHEN rate_limit_window.ends_ms <= {now} THEN excluded.ends_ms ELSE rate_limit_window.ends_ms END
RETURNING hits, ends_ms
"""
_PRUNE_SQL = "DELETE FROM rate_limit_window WHERE ends_ms <= {now}"
_SQLITE = {"bucket": ":bucket", "ends": ":ends", "now": ":now"}
_POSTGRES = {"bucket": "$1", "ends": "$2", "now": "$3"}
#: seconds between two deletions of ended windows by one process
PRUNE_EVERY_S = 60.0


class DatabaseCounter:
    """Counts in the `rate_limit_window` table: on SQLite through a kept connection, on PostgreSQL the pool."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._kept = kept.kept_connection(engine)
        self._pruned_at = 0.0

    async def hit(self, bucket: str, window_s: float) -> tuple[int, float]:
        """Count one request of `bucket`: (hits in the current window, seconds until the window ends)."""
        now_ms = int(wall_seconds() * 1000)  # real time: windows must end even under a fixed festival clock
        ends_ms = now_ms + int(window_s * 1000)
        prune = time.monotonic() - self._pruned_at > PRUNE_EVERY_S
        if prune:
            self._pruned_at = time.monotonic()
        if self._kept is not None:
            hits, end = await self._kept.run(_sqlite_hit, bucket, ends_ms, now_ms, prune)
        else:
            async with self.engine.pool.acquire() as connection:
                if prune:
                    await connection.execute(_PRUNE_SQL.format(now="$1"), now_ms)
                row = await connection.fetchrow(_HIT_SQL.format(**_POSTGRES), bucket, ends_ms, now_ms)
                hits, end = row["hits"], row["ends_ms"]
        return hits, max(0.0, (end - now_ms) / 1000)

    async def close(self) -> None:
        if self._kept is not None:
            await self._kept.close()


def _sqlite_hit(connection: Any, bucket: str, ends_ms: int, now_ms: int, prune: bool) -> tuple[int, int]:
    if prune:
        connection.execute(_PRUNE_SQL.format(now=":now"), {"now": now_ms})
    row = connection.execute(_HIT_SQL.format(**_SQLITE), {"bucket": bucket, "ends": ends_ms, "now": now_ms}).fetchone()
    return row["hits"], row["ends_ms"]


class RedisCounter:
    """Counts in Redis: a key per limit and client that expires with its window, under the festival's namespace
    (festivals sharing one Redis keep budgets apart)."""

    def __init__(self, url: str, namespace: str) -> None:
        import redis.asyncio

        self.redis = redis.asyncio.from_url(url)
        self.prefix = f"lehoi:{hashlib.sha256(namespace.encode()).hexdigest()[:16]}:rate:"

    async def hit(self, bucket: str, window_s: float) -> tuple[int, float]:
        """Count one request of `bucket`: (hits in the current window, seconds until the window ends)."""
        key = self.prefix + bucket
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, px=int(window_s * 1000), nx=True)
            pipe.incr(key)
            pipe.pttl(key)
            _, hits, ttl_ms = await pipe.execute()
        return int(hits), max(0.0, ttl_ms / 1000)

    async def close(self) -> None:
        await self.redis.aclose()


def make_counter(engine: Engine, settings: Settings) -> DatabaseCounter | RedisCounter:
    """Redis when `LEHOI_REDIS_URL` is set, else the database the server uses."""
    if settings.redis_url:
        return RedisCounter(settings.redis_url, settings.database_url or str(settings.sqlite_path.resolve()))
    return DatabaseCounter(engine)
