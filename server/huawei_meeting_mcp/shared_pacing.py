"""One rate-limit budget for a fleet: the pause after a 429, and optionally a request budget a minute per API.

Huawei's rate limit (about 100 calls a minute per API per account) is one budget for every replica.
`SharedPacer` (the client's `Pacer`) makes it one budget here too:

- **the pause**: a 429 with its `Retry-After` (or its back-off) on one replica holds back every
  replica's requests to that API until it ends (a key that expires with the pause);
- **the budget** (`HUAWEI_MEETING_RATE_LIMIT`, requests a minute per API): a counter per API and
  minute; a request over the budget waits for the next minute, or, if that would run past the call's
  time budget, is reported at once as a rate limit, so a fleet stays under the limit instead of
  discovering it.

With Redis down each replica paces itself as without Redis (the answer's own pause, no budget).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import anyio

from .errors import RateLimitError
from .shared_state import SealedStore, StoreUnavailable

logger = logging.getLogger(__name__)

WINDOW = 60.0
"""The budget's window: one minute, as Huawei counts."""


class SharedPacer:
    """The fleet's pause after a 429 and its request budget a minute per API, in Redis."""

    def __init__(
        self,
        store: SealedStore,
        *,
        per_minute: int | None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self._store = store
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep

    async def wait(self, path: str, deadline: float) -> None:
        """Before a request to `path`: wait out the fleet's pause and take a place in the minute's budget.

        `deadline` is the call's budget (anyio clock): a wait that would pass it raises RateLimitError now.
        """
        while True:
            try:
                resume_at, used = await self._look(path)
            except StoreUnavailable:
                return
            now = self._clock()
            if resume_at > now:
                self._within(deadline, resume_at - now, "another replica was told to pause (HTTP 429)")
                await self._sleep(resume_at - now)
                continue
            if self.per_minute is None or used <= self.per_minute:
                return
            wait = WINDOW - now % WINDOW
            self._within(deadline, wait, f"the fleet's budget of {self.per_minute} requests a minute is spent")
            await self._sleep(wait)

    async def pause(self, path: str, seconds: float) -> None:
        """A 429 asked to wait `seconds`: every replica's requests to `path` wait with it."""
        name = self._store.name("pause", path)
        until = self._clock() + seconds
        with contextlib.suppress(StoreUnavailable):
            await self._store.put(name, repr(until).encode(), seconds)

    async def _look(self, path: str) -> tuple[float, int]:
        pause = self._store.name("pause", path)
        window = int(self._clock() // WINDOW)
        counter = self._store.name("budget", path, str(window))
        budgeted = self.per_minute is not None

        async def both() -> tuple[bytes | None, int]:
            async with self._store.redis.pipeline(transaction=False) as pipe:
                pipe.get(pause)
                if budgeted:
                    pipe.incr(counter)
                    pipe.expire(counter, int(2 * WINDOW))
                answers = await pipe.execute()
            return answers[0], int(answers[1]) if budgeted else 0

        blob, used = await self._store.run(both)
        sealed = None if blob is None else self._store.unseal(pause, blob)
        return (float(sealed) if sealed else 0.0), used

    @staticmethod
    def _within(deadline: float, wait: float, why: str) -> None:
        if anyio.current_time() + wait >= deadline:
            raise RateLimitError(
                request_id="none",
                detail=f"Not sent: {why}, for {wait:.0f} s more, past this call's time budget.",
            )
        logger.info("Waiting %.1f s before a request: %s", wait, why)
