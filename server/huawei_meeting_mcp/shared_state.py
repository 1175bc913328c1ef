"""A fleet's shared state in Redis: the sealed store every other shared part writes through.

With `HUAWEI_MEETING_REDIS_URL` set, the replicas of a fleet share their Huawei tokens
(`shared_tokens.py`), the second tier of the read cache (`shared_cache.py`) and the rate-limit
budget (`shared_pacing.py`) through one Redis. What they keep there goes through `SealedStore`:

- every key starts with `HUAWEI_MEETING_REDIS_PREFIX` and is written with a TTL;
- every value is sealed with AES-256-GCM under `HUAWEI_MEETING_STATE_KEY`, the full key name as
  associated data, so a value copied under another key (another identity's) does not open;
- names that would say something about a meeting or a person are digests, never the text.

Redis being down never fails a call: each operation that cannot reach it raises
`StoreUnavailable`, which the callers turn into in-process behaviour, and after a failure the store
does not try Redis again for `RETRY_AFTER` seconds (so a dead Redis costs no connection attempt per
call). `healthy` says whether the last operation reached it (readiness can report "degraded").
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.lock import Lock
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)

NONCE_BYTES = 12
"""AES-GCM's standard nonce, random per value."""
RETRY_AFTER = 1.0
"""Seconds after a failed operation during which the store does not try Redis (it answers unavailable)."""
SOCKET_TIMEOUT = 2.0
"""Seconds a Redis operation or connection may take before Redis counts as unavailable."""

MAX_CONNECTIONS = 16
"""Connections to Redis per process: a burst of calls shares them instead of opening one each (a handshake each)."""

T = TypeVar("T")


class StoreUnavailable(Exception):
    """Redis could not be reached (or was not tried, shortly after a failure): use in-process state."""


def digest(*parts: str) -> str:
    """A SHA-256 hex digest of `parts`, each length-prefixed: a key name that says nothing of what it names."""
    hashed = hashlib.sha256()
    for part in parts:
        data = part.encode()
        hashed.update(len(data).to_bytes(8, "big") + data)
    return hashed.hexdigest()


class SealedStore:
    """Redis under a prefix, every value sealed with AES-GCM (its key name as associated data), every key with a TTL."""

    def __init__(
        self,
        redis: Redis,
        key: bytes,
        prefix: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self._aead = AESGCM(key)
        self._mac_key = hmac.new(key, b"huawei-meeting-mcp fingerprint", hashlib.sha256).digest()
        self._clock = clock
        self._down_until = 0.0
        self._when_back: list[Callable[[], Awaitable[None]]] = []
        self.healthy = True
        """False from a failed operation until one succeeds again."""

    def when_back(self, catch_up: Callable[[], Awaitable[None]]) -> None:
        """Run `catch_up` when Redis answers again after a failure (what was kept aside meanwhile goes in)."""
        self._when_back.append(catch_up)

    def name(self, kind: str, *parts: str) -> str:
        """The full key name of `kind` (e.g. "token") for `parts`, digested: `<prefix><kind>:<digest>`."""
        return f"{self.prefix}{kind}:{digest(*parts)}"

    def fingerprint(self, secret: str) -> str:
        """An HMAC of `secret` under the state key: recognises a token again without holding it."""
        return hmac.new(self._mac_key, secret.encode(), hashlib.sha256).hexdigest()

    def seal(self, name: str, data: bytes) -> bytes:
        """`data` encrypted for key `name`: nonce + ciphertext with tag."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, name.encode())

    def unseal(self, name: str, blob: bytes) -> bytes | None:
        """The data sealed for `name`; None (logged) when it was sealed for another key or with another key."""
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], name.encode())
        except (InvalidTag, ValueError):
            logger.warning("A value in Redis did not open with the state key (another key, or moved): ignored")
            return None

    async def run(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run one Redis operation; StoreUnavailable if Redis cannot be reached (or failed moments ago)."""
        if self._clock() < self._down_until:
            raise StoreUnavailable
        try:
            result = await operation()
        except LockError:
            raise  # an answer about a lock, not a sign that Redis is down
        except (RedisError, OSError) as exc:
            if self.healthy:
                logger.warning("Redis is unavailable; shared state waits, this process answers alone: %s", exc)
            self.healthy = False
            self._down_until = self._clock() + RETRY_AFTER
            raise StoreUnavailable from None
        if not self.healthy:
            logger.info("Redis is reachable again; shared state resumes")
            self.healthy = True
            for catch_up in self._when_back:
                with contextlib.suppress(StoreUnavailable):
                    await catch_up()
        return result

    async def get(self, name: str) -> bytes | None:
        """The data kept under `name`, or None."""
        blob = await self.run(lambda: self.redis.get(name))
        return self.unseal(name, blob) if isinstance(blob, bytes) else None  # the client never decodes responses

    async def put(self, name: str, data: bytes, ttl: float, *, only_new: bool = False) -> bool:
        """Keep `data` under `name` for `ttl` seconds (`only_new`: unless the key exists); False if it was not set."""
        milliseconds = max(1, int(ttl * 1000))
        sealed = self.seal(name, data)
        done = await self.run(lambda: self.redis.set(name, sealed, px=milliseconds, nx=only_new))
        return bool(done)

    def lock(self, name: str, *, timeout: float, wait: float) -> Lock:
        """A Redis lock on `name` that expires after `timeout` seconds; acquiring it gives up after `wait`."""
        return self.redis.lock(name, timeout=timeout, blocking_timeout=wait, sleep=0.02)

    async def holding(self, lock: Lock) -> bool:
        """Take `lock`, waiting as it says; False if it stayed taken; StoreUnavailable if Redis is down."""
        return bool(await self.run(lock.acquire))

    async def release(self, lock: Lock) -> None:
        """Let go of `lock`; if that fails (Redis down, or the lock expired) its TTL ends it."""
        try:
            await self.run(lock.release)
        except StoreUnavailable:
            pass
        except LockError:
            logger.info("A Redis lock had expired before it was released")


def redis_client(url: str) -> Redis:
    """A Redis client for `url` that fails fast: short timeouts and no retries (the store falls back instead)."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=SOCKET_TIMEOUT,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=SOCKET_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=30,
    )
    return Redis.from_pool(pool)  # the client owns the pool: closing it closes the pool


@asynccontextmanager
async def sealed_store(url: str, key: bytes, prefix: str) -> AsyncIterator[SealedStore]:
    """A `SealedStore` on a fresh client for `url`, closed on exit."""
    client = redis_client(url)
    try:
        yield SealedStore(client, key, prefix)
    finally:
        await client.aclose()
