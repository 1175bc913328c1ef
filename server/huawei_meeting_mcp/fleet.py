"""What a server shares with the other replicas of its fleet, or keeps to itself without Redis.

`open_fleet(settings)` gives the `Fleet` the shared state (`tool_server.open_state`) is built with:
its read cache, the token share of an identity and the client's pacer. Without
`HUAWEI_MEETING_REDIS_URL` they are what one process had before (an in-process `ReadCache`, no
share, no pacer); with it, the Redis-backed ones of `shared_cache`, `shared_tokens` and
`shared_pacing`, over one `shared_state.SealedStore`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .auth import TokenShare
from .cache import ReadCache, credential_identity
from .client import Pacer
from .settings import Settings, state_key_bytes

if TYPE_CHECKING:
    from .shared_state import SealedStore
    from .shared_tokens import TokenLedger


@dataclass(frozen=True)
class Fleet:
    """The shared parts of a server: in Redis when `store` is set, else in this process."""

    settings: Settings
    store: SealedStore | None = None
    ledger: TokenLedger | None = None
    """The live tokens of each user, one ledger for every identity this replica serves."""

    @property
    def healthy(self) -> bool:
        """False while Redis cannot be reached (answers still come, from this process): readiness says degraded."""
        return self.store is None or self.store.healthy

    async def reachable(self) -> bool:
        """Whether Redis answers now (one GET of a key that never exists); True without Redis."""
        if self.store is None:
            return True
        from .shared_state import StoreUnavailable

        try:
            await self.store.get(self.store.name("probe", "ready"))
        except StoreUnavailable:
            return False
        return True

    def read_cache(self, identity: str) -> ReadCache:
        """The read cache of `identity` (in Redis too, when shared)."""
        if self.store is None:
            return ReadCache(identity, ttl=self.settings.cache_ttl)
        from .shared_cache import SharedReadCache

        return SharedReadCache(identity, self.store, ttl=self.settings.cache_ttl)

    def token_share(self, identity: str, user: str | None) -> TokenShare | None:
        """The fleet's share of `identity`'s token (Huawei user `user`; None: the administrator), if shared."""
        if self.store is None or self.ledger is None:
            return None
        from .shared_tokens import SharedTokens

        user_key = credential_identity(self.settings.base_url, self.settings.corp_id, user)
        return SharedTokens(self.store, self.ledger, identity, user_key)

    def pacer(self) -> Pacer | None:
        """The client's fleet-wide pacing (the 429 pause, the budget a minute), if shared."""
        if self.store is None:
            return None
        from .shared_pacing import SharedPacer

        return SharedPacer(self.store, per_minute=self.settings.rate_limit)


@asynccontextmanager
async def open_fleet(settings: Settings) -> AsyncIterator[Fleet]:
    """The fleet of `settings`: connected to Redis (closed on exit) when a URL is set."""
    if settings.redis_url is None or settings.state_key is None:
        yield Fleet(settings)
        return
    from .shared_state import sealed_store
    from .shared_tokens import TokenLedger

    key = state_key_bytes(settings.state_key)
    async with sealed_store(settings.redis_url.get_secret_value(), key, settings.redis_prefix) as store:
        yield Fleet(settings, store, TokenLedger(store, settings.tokens_per_user))
