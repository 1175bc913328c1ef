"""The read cache in two tiers: this process first, then the fleet's Redis.

`SharedReadCache` is a `cache.ReadCache` (same interface, same in-process tier, bound and single
flight) whose misses look in Redis before reading upstream:

- an entry is the value pickled, compressed (zlib) and sealed (AES-GCM, `shared_state.SealedStore`)
  under a key that is a digest of the reader's identity and the exact request, so two identities
  never share an entry (and a value moved under another key does not open); it lives the cache's TTL;
- an entry heavier than `MAX_SHARED_ENTRY_BYTES` compressed is kept in this process only;
- identical reads on several replicas make one upstream read: the first takes a short Redis lock on
  the entry, the others wait for it and then take its value (a waiter that waits `FLIGHT_WAIT` reads
  on its own);
- with Redis down, the in-process tier answers and misses read upstream, as without Redis.

Why pickle: the values are the wire models and read records the service caches, of many types, and
the interface takes no codec. A value is only unpickled after its AES-GCM tag proved it was written
by a holder of the state key (a replica), and the unpickler loads only this package's classes and
plain containers.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import logging
import pickle
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from .cache import DEFAULT_TTL, Key, ReadCache
from .shared_state import SealedStore, StoreUnavailable

logger = logging.getLogger(__name__)

MAX_SHARED_ENTRY_BYTES = 8 * 1024 * 1024
"""A compressed entry heavier than this stays in this process (a 10,000-record webinar with its fold: ~1 MB)."""
FLIGHT_TIMEOUT = 120.0
"""Seconds a read's Redis lock lives if its replica dies mid-read."""
FLIGHT_WAIT = 60.0
"""Seconds a replica waits for another's identical read before reading itself."""

Value = TypeVar("Value")

_SAFE_BUILTINS = frozenset({"set", "frozenset", "list", "dict", "tuple", "object", "int", "float", "str", "bytes"})


class _PackageUnpickler(pickle.Unpickler):
    """Loads only this package's classes, plain containers and dates: never an arbitrary callable."""

    def find_class(self, module: str, name: str) -> Any:
        allowed = (
            module.startswith("huawei_meeting_mcp.")
            or (module == "builtins" and name in _SAFE_BUILTINS)
            or (module == "copyreg" and name == "_reconstructor")
            or (module == "datetime" and hasattr(datetime, name))
        )
        if not allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cached value's type")
        return super().find_class(module, name)


def encode(value: object) -> bytes:
    """`value` as the bytes kept in Redis (before sealing): pickled and compressed."""
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)


def decode(data: bytes) -> object:
    """The value `encode` made `data` from."""
    return _PackageUnpickler(io.BytesIO(zlib.decompress(data))).load()


class SharedReadCache(ReadCache):
    """A `ReadCache` whose misses look in the fleet's Redis, and whose reads are shared there."""

    def __init__(self, identity: str, store: SealedStore, *, ttl: float = DEFAULT_TTL, **options: Any) -> None:
        super().__init__(identity, ttl=ttl, **options)
        self._shared = store
        self.shared_hits = 0
        """Misses of this process answered from Redis (not counted in `reads`)."""

    async def get(self, key: Key, read: Callable[[], Awaitable[Value]]) -> Value:
        """The value for `key`: from this process, from Redis, or read now (once for the fleet) and kept in both."""
        if self.ttl <= 0:
            return await super().get(key, read)
        return await super().get(key, lambda: self._shared_read(key, read))

    async def _shared_read(self, key: Key, read: Callable[[], Awaitable[Value]]) -> Value:
        name = self._shared.name("cache", self._identity, repr(key))
        try:
            kept = await self._kept(name)
            if kept is not None:
                return cast(Value, kept)
            lock = self._shared.lock(name + ":reading", timeout=FLIGHT_TIMEOUT, wait=FLIGHT_WAIT)
            taken = await self._shared.holding(lock)
        except StoreUnavailable:
            return await read()
        if not taken:
            return await read()
        try:
            try:
                kept = await self._kept(name)  # the replica that held the lock may have kept it
            except StoreUnavailable:
                kept = None
            if kept is not None:
                return cast(Value, kept)
            value = await read()
            await self._keep(name, value)
            return value
        finally:
            await self._shared.release(lock)

    async def _kept(self, name: str) -> object | None:
        data = await self._shared.get(name)
        if data is None:
            return None
        try:
            value = decode(data)
        except (pickle.UnpicklingError, zlib.error, EOFError, AttributeError, ImportError, TypeError):
            logger.warning("A shared cache entry could not be read (another version?): read again")
            return None
        self.reads -= 1  # answered from Redis: no upstream read
        self.shared_hits += 1
        return value

    async def _keep(self, name: str, value: object) -> None:
        data = encode(value)
        if len(data) > MAX_SHARED_ENTRY_BYTES:
            return
        with contextlib.suppress(StoreUnavailable):
            await self._shared.put(name, data, self.ttl)
