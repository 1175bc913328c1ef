"""What was read of ended meetings, kept a short while so that paging an answer does not read it again.

Ended meetings do not change, so the attendance records and the meeting pages read for one call can
answer the next call that asks for the same thing: paging through 10,000 attendees 50 at a time then
costs the 20 upstream pages once, not 200 times. The cache is

- bounded in time: entries live `HUAWEI_MEETING_CACHE_TTL` seconds (0 turns the cache off);
- bounded in size: at most `MAX_CACHED_RECORDS` records (attendance records, participants, meetings)
  over every entry, the least recently used leaving first (cachetools' `TTLCache` with a size function);
  an entry larger than the whole bound is not kept;
- keyed by the credentials' identity (a SHA-256 digest of the base URL and the sign-in identity, never
  a secret in clear) and the exact request, so an answer is only ever given to whoever could read it;
- free of errors: only a successful read is kept;
- single flight: identical requests made while a read is under way wait for that read and share its
  result (or its error) instead of reading again.

The library: cachetools (well kept, typed, no dependencies) gives TTL expiry and a weighted LRU bound;
aiocache's in-memory backend has no size bound, and asyncache/cachetools-async only decorate functions
(no shared single flight across callers, no weights). The single flight is the small part written here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import anyio
from cachetools import TTLCache

MAX_CACHED_RECORDS = 20_000
"""The bound: two full 10,000-record webinars, or 40 pages of 500 invitees (about 2 kB each, ~40 MB)."""
DEFAULT_TTL = 300.0
"""Seconds an entry lives by default (HUAWEI_MEETING_CACHE_TTL)."""

Value = TypeVar("Value")
Key = tuple[Hashable, ...]


def credential_identity(base_url: str, *parts: str | None) -> str:
    """A digest naming who reads (base URL and sign-in identity): equal for the same credentials, never reversible.

    Pass what tells one caller's view of the API from another's: the App ID with its user and corp IDs,
    the account, or a static token. Each part is length-prefixed, so no two different lists collide.
    """
    digest = hashlib.sha256()
    for part in (base_url, *parts):
        data = (part or "").encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


@dataclass
class _Flight:
    """One read under way; callers of the same key wait for `done`."""

    done: anyio.Event = field(default_factory=anyio.Event)
    value: Any = None
    error: Exception | None = None
    ok: bool = False


@dataclass
class _Entry:
    value: Any
    weight: int


class ReadCache:
    """A TTL- and size-bounded cache of upstream reads with single flight, for one set of credentials."""

    def __init__(
        self,
        identity: str,
        *,
        ttl: float = DEFAULT_TTL,
        max_records: int = MAX_CACHED_RECORDS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._identity = identity
        self.ttl = ttl
        self.max_records = max_records
        self._store: TTLCache[Key, _Entry] | None = (
            TTLCache(maxsize=max_records, ttl=ttl, timer=timer, getsizeof=_weight) if ttl > 0 else None
        )
        self._flights: dict[Key, _Flight] = {}
        self.reads = 0
        """Reads that went upstream (misses), for tests and the bench."""

    def for_identity(self, identity: str) -> ReadCache:
        """The cache as another reader sees it: the same store, bound and flights, every key carrying `identity`."""
        view = ReadCache.__new__(ReadCache)
        view.__dict__.update(self.__dict__)
        view._identity = identity
        return view

    @property
    def records(self) -> int:
        """Records held now (expired entries are dropped as the cache is used)."""
        return int(self._store.currsize) if self._store is not None else 0

    def __len__(self) -> int:
        return len(self._store) if self._store is not None else 0

    async def get(self, key: Key, read: Callable[[], Awaitable[Value]], weight: Callable[[Value], int]) -> Value:
        """The value for `key`: kept, being read by another caller, or read now by `read` (and kept if it fits).

        `weight(value)` is how many records the value holds, counted against the bound. A failed read is
        not kept; callers waiting on it get its error. If the read is cancelled, a waiter reads itself.
        """
        if self._store is None:
            self.reads += 1
            return await read()
        full_key = (self._identity, *key)
        while True:
            kept = self._store.get(full_key)
            if kept is not None:
                return cast(Value, kept.value)
            flight = self._flights.get(full_key)
            if flight is None:
                break
            await flight.done.wait()
            if flight.ok:
                return cast(Value, flight.value)
            if flight.error is not None:
                raise flight.error
            # the reader was cancelled: read again (or join whoever does)
        flight = _Flight()
        self._flights[full_key] = flight
        try:
            self.reads += 1
            value = await read()
        except Exception as exc:
            flight.error = exc
            raise
        else:
            flight.value, flight.ok = value, True
            size = max(1, weight(value))
            if size <= self.max_records:
                self._store[full_key] = _Entry(value, size)
            return value
        finally:
            del self._flights[full_key]
            flight.done.set()


def _weight(entry: _Entry) -> int:
    return entry.weight
