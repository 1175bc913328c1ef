"""Searching as people type: a search key matched loosely against a meeting's subject, organizer and ID.

Huawei's `searchKey` is a literal substring (§3.1): "all hands" does not find "All-hands December" and
"supply chain review" does not find "Q3 supply-chain review". Loosely, both sides are folded the same way
before the substring test: Unicode NFKC (full-width letters and digits become plain ones), no case, and
every run of spaces and punctuation (hyphens, slashes, underscores, dots) one space; a key also matches
a subject written without the spaces ("townhall" finds "Town hall", and the other way round).
"""

from __future__ import annotations

import re
import unicodedata

from .wire import ConferenceInfo

_SEPARATORS = re.compile(r"[\W_]+")
MAX_FOLDED = 256
"""Characters of a value folded: a subject is at most this long (and folding costs grow with length)."""


def loose(value: str | None) -> str:
    """`value` folded for a loose comparison: NFKC, no case, spaces and punctuation as single spaces."""
    folded = unicodedata.normalize("NFKC", (value or "")[:MAX_FOLDED]).casefold()
    return _SEPARATORS.sub(" ", folded).strip()


def loosely_matches(key: str, meeting: ConferenceInfo) -> bool:
    """Whether `key` is in the meeting's subject, organizer or meeting ID, each compared loosely."""
    wanted = loose(key)
    if not wanted:
        return False
    squeezed = wanted.replace(" ", "")
    for value in (meeting.subject, meeting.scheduser_name, meeting.conference_id):
        folded = loose(value)
        if wanted in folded or squeezed in folded.replace(" ", ""):
            return True
    return False
