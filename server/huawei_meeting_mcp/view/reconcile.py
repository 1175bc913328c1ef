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
from collections import defaultdict
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


def name_key(value: str | None) -> str | None:
    """A display name folded for comparison (NFKC, no case, one space between words); None when blank."""
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", value or "")).strip().casefold()
    return folded or None


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
    by_number: dict[str, list[int]] = defaultdict(list)
    by_name: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(participants):
        for number in {number_key(entry.participant_id), number_key(entry.subscriber_id)} - {None}:
            by_number[str(number)].append(index)
        name = name_key(entry.name)
        if name:
            by_name[name].append(index)

    matched: set[int] = set()
    by_name_only = 0
    uninvited: list[PersonAttendance] = []
    unmatched: list[PersonAttendance] = []
    for person in people:
        number = number_key(person.call_number)
        free = [i for i in by_number[number] if i not in matched] if number in by_number else []
        if free:
            matched.add(free[0])
        else:
            unmatched.append(person)
    for person in unmatched:
        name = name_key(person.name)
        candidates = by_name.get(name, []) if name else []
        free = [i for i in candidates if i not in matched]
        if free:
            matched.add(free[0])
            by_name_only += 1
        elif not candidates:
            uninvited.append(person)
    absent = [entry for index, entry in enumerate(participants) if index not in matched]
    return Reconciliation(absent=absent, uninvited=uninvited, matched_by_name_only=by_name_only)
