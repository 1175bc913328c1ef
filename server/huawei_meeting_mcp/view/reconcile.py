"""Who missed the meeting and who came uninvited: attendance reconciled with the participant list.

An attendee (one person of the attendance view) matches an entry of the participant list by
number first (the attendance `callNumber` against the entry's `participantID` or `subscriberID`,
compared on their last 11 digits, so `+8613800138000` matches `13800138000`), then by display
name (compared after Unicode NFKC folding, without case, with runs of spaces made one). A second
attendee with the name of an entry already matched (the same person joining from a second number)
counts as present, not as uninvited. Matching by name alone is an approximation, and the answer
says how many were matched that way.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..wire import ParticipantInfo

if TYPE_CHECKING:
    from ..attendance_fold import PersonAttendance

_NOT_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")
MIN_DIGITS = 5
"""Shorter numbers (extensions, placeholders) are too ambiguous to match on."""


def number_key(value: str | None) -> str | None:
    """The last 11 digits of a phone or SIP number, or None when it has too few digits to compare."""
    digits = _NOT_DIGITS.sub("", value or "")
    return digits[-11:] if len(digits) >= MIN_DIGITS else None


MAX_NAME_COMPARED = 256
"""Characters of a display name compared: past this, a name is no longer a name (and folding costs grow)."""


def name_key(value: str | None) -> str | None:
    """A display name folded for comparison (NFKC, no case, one space between words); None when blank."""
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", (value or "")[:MAX_NAME_COMPARED])).strip().casefold()
    return folded or None


class _Unmatched:
    """Participant-list indices by key, each handed out once: the first unmatched index for a key.

    An index may stand under several keys (two numbers and a name); one matched under any key is
    skipped under the others when its turn comes. Each index is skipped at most once per key, so
    matching everyone takes time in proportion to the list, however many share a number or a name.
    """

    def __init__(self, matched: set[int]) -> None:
        self._matched = matched
        self._free: dict[str, deque[int]] = defaultdict(deque)

    def add(self, key: str, index: int) -> None:
        """`index` stands under `key`."""
        self._free[key].append(index)

    def known(self, key: str | None) -> bool:
        """Whether any entry stands under `key` (matched or not)."""
        return key is not None and key in self._free

    def take(self, key: str | None) -> bool:
        """Match the first unmatched entry under `key`; False when there is none."""
        free = self._free.get(key) if key is not None else None
        while free:
            index = free.popleft()
            if index not in self._matched:
                self._matched.add(index)
                return True
        return False


@dataclass(frozen=True)
class Reconciliation:
    """The participant list's entries nobody matched, the attendees nobody expected, and how they matched."""

    absent: list[ParticipantInfo]
    """In list order."""
    uninvited: list[PersonAttendance]
    """In the attendees' order (first join)."""
    matched_by_name_only: int


def reconcile(people: list[PersonAttendance], participants: list[ParticipantInfo]) -> Reconciliation:
    """Match attendees to participant-list entries by number, then by name (see the module docstring)."""
    matched: set[int] = set()
    by_number, by_name = _Unmatched(matched), _Unmatched(matched)
    for index, entry in enumerate(participants):
        for number in {number_key(entry.participant_id), number_key(entry.subscriber_id)} - {None}:
            by_number.add(str(number), index)
        name = name_key(entry.name)
        if name:
            by_name.add(name, index)

    by_name_only = 0
    uninvited: list[PersonAttendance] = []
    unmatched = [person for person in people if not by_number.take(number_key(person.call_number))]
    for person in unmatched:
        name = name_key(person.name)
        if by_name.take(name):
            by_name_only += 1
        elif not by_name.known(name):
            uninvited.append(person)
    absent = [entry for index, entry in enumerate(participants) if index not in matched]
    return Reconciliation(absent=absent, uninvited=uninvited, matched_by_name_only=by_name_only)
