"""What was read of ended meetings, kept a short while so that paging an answer does not read it again.

Ended meetings do not change, so the attendance records and the meeting pages read for one call can
answer the next call that asks for the same thing: paging through 10,000 attendees 50 at a time then
costs the 20 upstream pages once, not 200 times. The cache is

- bounded in time: entries live `HUAWEI_MEETING_CACHE_TTL` seconds (0 turns the cache off);
- bounded in memory: at most `MAX_CACHED_BYTES` over every entry, the least recently used leaving
  first (cachetools' `TTLCache` with a size function). Each entry weighs what `estimated_size` says its
  value takes in memory (the parsed models, not the JSON they came from); an entry heavier than
  `MAX_ENTRY_BYTES` is not kept;
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
import sys
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, TypeVar, cast

import anyio
from cachetools import TTLCache
from pydantic import BaseModel

from . import metrics

MAX_CACHED_BYTES = 64 * 1024 * 1024
"""The bound on what every entry together holds: about three 10,000-record webinars with their fold."""
MAX_ENTRY_BYTES = 32 * 1024 * 1024
"""An entry estimated heavier than this is returned but not kept."""
SAMPLED_ITEMS = 32
"""A longer list is weighed from this many of its items, evenly spread, and scaled up."""
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
        max_bytes: int = MAX_CACHED_BYTES,
        max_entry_bytes: int = MAX_ENTRY_BYTES,
        timer: Callable[[], float] = time.monotonic,
        size_of: Callable[[Any], int] | None = None,
    ) -> None:
        self._identity = identity
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._size_of = size_of or estimated_size
        self._store: TTLCache[Key, _Entry] | None = (
            TTLCache(maxsize=max_bytes, ttl=ttl, timer=timer, getsizeof=_weight) if ttl > 0 else None
        )
        self._flights: dict[Key, _Flight] = {}
        self.reads = 0
        """Reads that went upstream (misses), for tests and the bench."""

    def for_identity(self, identity: str) -> ReadCache:
        """The cache as another reader sees it: the same store, bound and flights, every key carrying `identity`."""
        view = type(self).__new__(type(self))
        view.__dict__.update(self.__dict__)
        view._identity = identity
        return view

    @property
    def held_bytes(self) -> int:
        """What the entries held now weigh, in bytes (expired entries are dropped as the cache is used)."""
        return int(self._store.currsize) if self._store is not None else 0

    def __len__(self) -> int:
        return len(self._store) if self._store is not None else 0

    async def get(self, key: Key, read: Callable[[], Awaitable[Value]]) -> Value:
        """The value for `key`: kept, being read by another caller, or read now by `read` (and kept if it fits).

        The value's estimated size counts against the bound. A failed read is not kept; callers waiting
        on it get its error. If the read is cancelled, a waiter reads itself.
        """
        if self._store is None:
            self.reads += 1
            metrics.cache_lookup(hit=False)
            return await read()
        full_key = (self._identity, *key)
        while True:
            kept = self._store.get(full_key)
            if kept is not None:
                metrics.cache_lookup(hit=True)
                return cast(Value, kept.value)
            flight = self._flights.get(full_key)
            if flight is None:
                break
            await flight.done.wait()
            if flight.ok:
                metrics.cache_lookup(hit=True)
                return cast(Value, flight.value)
            if flight.error is not None:
                raise flight.error
            # the reader was cancelled: read again (or join whoever does)
        flight = _Flight()
        self._flights[full_key] = flight
        try:
            self.reads += 1
            metrics.cache_lookup(hit=False)
            value = await read()
        except Exception as exc:
            flight.error = exc
            raise
        else:
            flight.value, flight.ok = value, True
            size = max(1, self._size_of(value))
            if size <= self.max_entry_bytes:
                self._store[full_key] = _Entry(value, size)
            return value
        finally:
            del self._flights[full_key]
            flight.done.set()


def _weight(entry: _Entry) -> int:
    return entry.weight


def estimated_size(value: object) -> int:
    """Roughly the bytes `value` takes in memory: its objects, counted once each, through models and containers.

    A list longer than `SAMPLED_ITEMS` is weighed from that many items and scaled up, so that weighing
    10,000 attendance records visits a few hundred objects, not a hundred thousand.
    """
    return _size(value, set())


def _size(value: object, seen: set[int]) -> int:
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return size
    if isinstance(value, dict):
        return size + sum(_size(key, seen) + _size(item, seen) for key, item in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value) if not isinstance(value, (list, tuple)) else value
        if len(items) <= SAMPLED_ITEMS:
            return size + sum(_size(item, seen) for item in items)
        step = len(items) / SAMPLED_ITEMS
        sampled = sum(_size(items[int(i * step)], seen) for i in range(SAMPLED_ITEMS))
        return size + sampled * len(items) // SAMPLED_ITEMS
    if isinstance(value, BaseModel):
        return size + _size(value.__dict__, seen) + _size(value.__pydantic_fields_set__, seen)
    if is_dataclass(value) and not isinstance(value, type):
        attributes = getattr(value, "__dict__", None)
        if isinstance(attributes, dict):
            return size + _size(attributes, seen)
        return size + sum(_size(getattr(value, item.name), seen) for item in fields(value))
    return size
