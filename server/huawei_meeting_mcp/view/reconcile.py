"""Who missed the meeting and who came uninvited: attendance reconciled with the participant list.

An attendee (one person of the attendance view) matches an entry of the participant list by
number first (the attendance `callNumber` against the entry's `participantID` or `subscriberID`,
compared on their last 11 digits, so `+8613800138000` matches `13800138000`), then by display
name (compared after Unicode NFKC folding, without case, with runs of spaces made one). A second
attendee with the name of an entry already matched (the same person joining from a second number)
counts as present, not as uninvited. Matching by name alone is an approximation, and the answer
says how many were matched that way.

Every attendee ends in exactly one group, so the counts add up: attendees = matched (by number or by
name) + same name as a matched entry + uninvited; and the participant list = matched + absent.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

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
        self._first: dict[str, int] = {}

    def add(self, key: str, index: int) -> None:
        """`index` stands under `key`."""
        self._free[key].append(index)
        self._first.setdefault(key, index)

    def known(self, key: str | None) -> bool:
        """Whether any entry stands under `key` (matched or not)."""
        return key is not None and key in self._free

    def first(self, key: str | None) -> int | None:
        """The first entry ever put under `key` (matched or not), or None."""
        return self._first.get(key) if key is not None else None

    def take(self, key: str | None) -> int | None:
        """Match the first unmatched entry under `key`: its index, or None when there is none."""
        free = self._free.get(key) if key is not None else None
        while free:
            index = free.popleft()
            if index not in self._matched:
                self._matched.add(index)
                return index
        return None


MatchedBy = Literal["number", "name", "same name"]
"""How an attendee matched its entry: by number, by display name, or by the name of an entry already matched."""


@dataclass(frozen=True)
class Match:
    """The participant-list entry an attendee stands for, and how they were matched."""

    entry: ParticipantInfo
    by: MatchedBy


@dataclass(frozen=True)
class Reconciliation:
    """The participant list's entries nobody matched, the attendees nobody expected, and how they matched."""

    absent: list[ParticipantInfo]
    """In list order."""
    uninvited: list[PersonAttendance]
    """In the attendees' order (first join)."""
    matched_by_name_only: int
    matches: list[Match | None]
    """Per attendee, in the attendees' order: the entry they matched (None: uninvited)."""

    @property
    def matched(self) -> int:
        """Attendees matched to an entry of their own (by number or name): as many entries are present."""
        return sum(1 for match in self.matches if match is not None and match.by != "same name")

    @property
    def same_name(self) -> int:
        """Attendees with the name of an entry already matched (counted present, not uninvited)."""
        return sum(1 for match in self.matches if match is not None and match.by == "same name")


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
    matches: list[Match | None] = [None] * len(people)
    unmatched: list[int] = []
    for position, person in enumerate(people):
        numbered = by_number.take(number_key(person.call_number))
        if numbered is None:
            unmatched.append(position)
        else:
            matches[position] = Match(participants[numbered], "number")
    for position in unmatched:
        person = people[position]
        name = name_key(person.name)
        named = by_name.take(name)
        if named is not None:
            by_name_only += 1
            matches[position] = Match(participants[named], "name")
        elif by_name.known(name):
            matches[position] = Match(participants[by_name.first(name) or 0], "same name")
        else:
            uninvited.append(person)
    absent = [entry for index, entry in enumerate(participants) if index not in matched]
    return Reconciliation(absent=absent, uninvited=uninvited, matched_by_name_only=by_name_only, matches=matches)
