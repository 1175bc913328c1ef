"""Oauth mode's people: a Huawei sign-in, a meeting service and a share of the read cache per person.

Each person the identity provider vouches for gets their own App ID sign-in, `userId` = their
token's user claim, so Huawei shows them what that user may see and nothing more. Their seat (the
sign-in, one token renewed with single flight, exactly as the operator's token is in token mode, and
the meeting service with its recorded-meeting hints) is made on their first call and kept for the
`MAX_PEOPLE` most recent people; one who comes back after that signs in again. Every seat shares the
one HTTP client and the one read cache, whose keys carry the person's identity, so one person's
answer is never served to another and the cache's bound holds for everyone together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from cachetools import LRUCache

from .auth import TokenProvider
from .oauth import OAuthConfig, Person
from .service import MeetingService

logger = logging.getLogger(__name__)

MAX_PEOPLE = 1000
"""Seats kept at once: each holds one Huawei token (of the 64 a user may hold) and a few small objects."""

SignIn = Callable[[str], TokenProvider]
"""Makes the sign-in (token provider) of one Huawei user ID."""
Serve = Callable[[str, TokenProvider, bool], MeetingService]
"""Makes the meeting service of one user ID, over their sign-in, allowed queryAll or not."""


@dataclass
class _Seat:
    tokens: TokenProvider
    services: dict[bool, MeetingService] = field(default_factory=dict)


class People:
    """The seats of the people served, made on demand and bounded (least recently seen leaves first)."""

    def __init__(self, config: OAuthConfig, sign_in: SignIn, serve: Serve, *, max_people: int = MAX_PEOPLE) -> None:
        self.config = config
        self._sign_in = sign_in
        self._serve = serve
        self._seats: LRUCache[str, _Seat] = LRUCache(maxsize=max_people)

    def __len__(self) -> int:
        return len(self._seats)

    def service(self, person: Person) -> MeetingService:
        """The meeting service that acts as `person` (made on their first call; no await, so no race)."""
        seat = self._seats.get(person.user_id)
        if seat is None:
            logger.info("First call from person %s: they get a Huawei sign-in of their own", person.tag)
            seat = self._seats[person.user_id] = _Seat(self._sign_in(person.user_id))
        service = seat.services.get(person.admin)
        if service is None:
            service = seat.services[person.admin] = self._serve(person.user_id, seat.tokens, person.admin)
        return service
