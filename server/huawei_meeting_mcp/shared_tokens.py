"""One Huawei token per identity for a whole fleet, and a ledger that keeps each user far below Huawei's 64.

With `clientType` 72 one Huawei user ID holds at most 64 live tokens and the 65th sign-in evicts the
oldest (API doc §4.1), so replicas that each signed in for the same user would, past 64, invalidate
each other's tokens: every eviction a 401, a sign-in and another eviction. Here the fleet shares:

- **the token** (`SharedTokens`, the `auth.TokenShare` of one identity): sealed in Redis under the
  identity's digest, expiring when the token is due for renewal. A replica that needs a token takes
  the fleet's; if there is none it takes the identity's Redis lock, looks again (another replica may
  have signed in while it waited) and only then signs in, so N replicas x M concurrent calls make one
  sign-in. A 401 on the shared token is renewed once for the fleet: the replica that saw it signs in
  under the lock, and every other replica that saw the same 401 finds the new token there.
- **the ledger** (`TokenLedger`): the live tokens of each user ID, as fingerprints (an HMAC, never the
  token) scored by expiry, in one sorted set. A sign-in that would hold more than
  `HUAWEI_MEETING_TOKENS_PER_USER` (default 8) is refused with an error that says why, instead of
  pushing out tokens other replicas still use; a rejected token leaves the ledger.

With Redis down a replica keeps the token it holds; it may sign in on its own within its local share
of the cap (a quarter of it, at least 1 per user), and those tokens join the ledger when Redis returns.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection

from .auth import Clock, IssuedToken
from .errors import SignInError
from .redaction import REDACTOR
from .shared_state import SealedStore, StoreUnavailable

logger = logging.getLogger(__name__)

LOCK_TIMEOUT = 60.0
"""Seconds a sign-in lock lives if its holder dies: far longer than a sign-in (HUAWEI_MEETING_TIMEOUT, 10 s)."""
LOCK_WAIT = 30.0
"""Seconds a replica waits for another's sign-in before signing in on its own (within its local share)."""
LOCAL_SHARE = 4
"""With Redis down, a replica may hold cap // LOCAL_SHARE (at least 1) tokens per user that it signed in alone."""


class TokenCapError(SignInError):
    """Signing in would give one user more live tokens than the fleet's cap."""

    advice = (
        "Try again once one of them expires, or raise HUAWEI_MEETING_TOKENS_PER_USER (Huawei evicts the oldest "
        "token past 64 per user, which is what the cap keeps the fleet far from)."
    )


class TokenLedger:
    """The live tokens of each Huawei user, fleet-wide (in Redis) and those this process signed in alone."""

    def __init__(self, store: SealedStore, cap: int, *, clock: Clock = time.time) -> None:
        self._store = store
        self.cap = cap
        self.local_cap = max(1, cap // LOCAL_SHARE)
        self._clock = clock
        self._unrecorded: dict[str, dict[str, float]] = {}
        """Per ledger key: fingerprints (with their expiry) of tokens Redis has not counted yet (it was down)."""
        store.when_back(self.catch_up)

    async def catch_up(self) -> None:
        """Count in Redis the tokens signed in while it was down."""
        for name in list(self._unrecorded):
            await self._record_unrecorded(name)

    def key(self, user: str) -> str:
        """The ledger's key for a user (already a digest of where and who)."""
        return self._store.name("ledger", user)

    async def admit(self, user: str) -> None:
        """Check there is room for one more token of `user` fleet-wide; TokenCapError if not."""
        name = self.key(user)
        await self._record_unrecorded(name)
        now = self._clock()

        async def count() -> int:
            async with self._store.redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(name, "-inf", now)
                pipe.zcard(name)
                _, live = await pipe.execute()
            return int(live)

        live = await self._store.run(count)
        if live >= self.cap:
            raise _refusal(live, self.cap, "for the fleet")

    def admit_alone(self, user: str) -> None:
        """Check this process may sign in `user` on its own (Redis down); TokenCapError if its share is spent."""
        tokens = self._unrecorded.setdefault(self.key(user), {})
        now = self._clock()
        for fingerprint in [f for f, expires in tokens.items() if expires <= now]:
            del tokens[fingerprint]
        if len(tokens) >= self.local_cap:
            raise _refusal(len(tokens), self.local_cap, "for this replica while Redis is unreachable")

    async def record(self, user: str, token: str, expires_at: float) -> None:
        """Count `token` as live until `expires_at`; kept locally until Redis can take it."""
        name = self.key(user)
        self._unrecorded.setdefault(name, {})[self._store.fingerprint(token)] = expires_at
        try:
            await self._record_unrecorded(name)
        except StoreUnavailable:
            logger.info("The token ledger is recorded when Redis is back")

    async def forget(self, user: str, token: str) -> None:
        """`token` was refused by the API: it no longer counts."""
        name = self.key(user)
        fingerprint = self._store.fingerprint(token)
        self._unrecorded.get(name, {}).pop(fingerprint, None)
        with contextlib.suppress(StoreUnavailable):
            await self._store.run(lambda: self._store.redis.zrem(name, fingerprint))

    async def _record_unrecorded(self, name: str) -> None:
        tokens = self._unrecorded.get(name)
        if not tokens:
            return
        pending = dict(tokens)
        last = max(pending.values())

        async def add() -> None:
            async with self._store.redis.pipeline(transaction=True) as pipe:
                pipe.zadd(name, pending)
                pipe.expireat(name, int(last) + 1, nx=True)
                pipe.expireat(name, int(last) + 1, gt=True)
                await pipe.execute()

        await self._store.run(add)
        for fingerprint in pending:
            tokens.pop(fingerprint, None)


def _refusal(live: int, cap: int, where: str) -> TokenCapError:
    return TokenCapError(
        request_id="none",
        detail=f"This user already holds {live} live tokens, the cap of {cap} {where}; "
        "another sign-in would push out tokens other replicas still use.",
    )


class SharedTokens:
    """The fleet's token of one identity (an `auth.TokenShare`): taken from Redis, or signed in once under a lock."""

    def __init__(
        self, store: SealedStore, ledger: TokenLedger, identity: str, user: str, *, clock: Clock = time.time
    ) -> None:
        self._store = store
        self._ledger = ledger
        self._user = user
        self._name = store.name("token", identity)
        self._lock_name = store.name("signin", identity)
        self._clock = clock
        self.sign_ins = 0
        """Sign-ins this process made for the identity (for tests and the bench)."""

    async def issued(self, avoid: Collection[str], sign_in: Callable[[], Awaitable[IssuedToken]]) -> IssuedToken:
        """The fleet's token unless it is in `avoid`; else one sign-in under the identity's lock, shared at once."""
        try:
            held = await self._held(avoid)
            if held is not None:
                return held
            lock = self._store.lock(self._lock_name, timeout=LOCK_TIMEOUT, wait=LOCK_WAIT)
            taken = await self._store.holding(lock)
        except StoreUnavailable:
            return await self._alone(sign_in)
        if not taken:
            logger.warning("Another replica's sign-in took longer than %.0f s; signing in alone", LOCK_WAIT)
            return await self._alone(sign_in)
        try:
            try:
                held = await self._held(avoid)  # another replica may have signed in while this one waited
                if held is None:
                    await self._ledger.admit(self._user)
            except StoreUnavailable:
                return await self._alone(sign_in)
            if held is not None:
                return held
            fresh = await self._sign_in(sign_in)
            await self._publish(fresh)
            return fresh
        finally:
            await self._store.release(lock)

    async def rejected(self, token: str) -> None:
        """The API refused `token`: it leaves the ledger (the next `issued` avoids it and signs in once)."""
        await self._ledger.forget(self._user, token)

    async def _held(self, avoid: Collection[str]) -> IssuedToken | None:
        data = await self._store.get(self._name)
        if data is None:
            return None
        fields = json.loads(data)
        token = IssuedToken(str(fields["value"]), float(fields["expires_at"]), float(fields["renew_at"]))
        now = self._clock()
        if token.value in avoid or now >= token.renew_at:
            return None
        REDACTOR.add_short_lived(token.value, until=token.expires_at, now=now)
        return token

    async def _sign_in(self, sign_in: Callable[[], Awaitable[IssuedToken]]) -> IssuedToken:
        fresh = await sign_in()
        self.sign_ins += 1
        await self._ledger.record(self._user, fresh.value, fresh.expires_at)
        return fresh

    async def _alone(self, sign_in: Callable[[], Awaitable[IssuedToken]]) -> IssuedToken:
        self._ledger.admit_alone(self._user)
        return await self._sign_in(sign_in)

    async def _publish(self, token: IssuedToken) -> None:
        data = json.dumps({"value": token.value, "expires_at": token.expires_at, "renew_at": token.renew_at})
        try:
            await self._store.put(self._name, data.encode(), token.renew_at - self._clock())
        except StoreUnavailable:
            logger.info("The new token stays in this replica until Redis is back")
