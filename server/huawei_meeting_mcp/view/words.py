"""One vocabulary for the text of every answer: quoting, identifiers, counts, durations and times.

Every upstream or caller string the text shows goes through `shown` (one quoting a value cannot
close); identifiers go through `shown_id`; times, durations and counts read the same in every tool.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..output import MeetingTime, TimeZoneInfo
from ..text import Sanitiser, quoted

_CONF_UUID = re.compile(r"[0-9A-Fa-f]{32}")
_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


def shown(value: str | None, missing: str = "(none)") -> str:
    """An upstream or caller string as the text shows it: quoted so it cannot forge a field; `missing` if absent."""
    return missing if value is None else quoted(value)


def shown_id(value: str | None, missing: str = "?") -> str:
    """An identifier as the text shows it: bare when it is plain letters, digits, '-' and '_', else quoted."""
    if value is None:
        return missing
    return value if _PLAIN_ID.fullmatch(value) else quoted(value)


def is_conf_uuid(value: str | None) -> bool:
    """True for a well-formed confUUID (32 hex characters): only such a value goes into a suggested call."""
    return value is not None and _CONF_UUID.fullmatch(value) is not None


def words(table: Mapping[Any, str], value: str | int | None) -> str | None:
    """The words for an API code from `table`, 'unknown (<code>)' for a code not in it, None if absent."""
    if value is None:
        return None
    found = table.get(value)
    return found if found is not None else f"unknown ({shown_id(Sanitiser().code(value, 32))})"


def join(parts: list[str | None], sep: str = " · ") -> str:
    """Join the parts that are present."""
    return sep.join(p for p in parts if p)


def plural(n: int | None, noun: str, nouns: str | None = None) -> str:
    """'1 person', '3 people', '? sessions': a count and its noun."""
    many = nouns or noun + "s"
    if n is None:
        return f"? {many}"
    return f"{n} {noun if n == 1 else many}"


def minutes(value: float | None) -> str:
    """A duration in minutes: '62 min', '12.5 min', or 'minutes unknown'."""
    if value is None:
        return "minutes unknown"
    return f"{value:g} min"


def at(point: MeetingTime | None) -> str:
    """An instant as 'UTC (local time local)', the UTC alone when the zone is unknown, or 'unknown'."""
    if point is None or point.utc is None:
        return "unknown"
    return f"{point.utc} ({point.local} local)" if point.local else point.utc


def zone_text(zone: TimeZoneInfo | None) -> str:
    """The meeting's zone in words: Huawei's label, or why it is unknown."""
    if zone is None:
        return "unknown"
    if zone.label:
        return zone.label
    return f"unknown timeZoneID {shown_id(zone.timeZoneID)}" if zone.timeZoneID else "unknown"
