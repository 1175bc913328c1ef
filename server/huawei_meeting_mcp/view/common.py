"""What every view shares: operator options, cleaning upstream text, and one vocabulary for the text.

Every string the API sends passes through `Scrub` where wire data enters a view (for the structured
content and the text alike), and every upstream or caller string the text shows passes through
`shown` (one quoting a value cannot close). Times, durations and counts read the same in every tool.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any, Literal

from ..output import MeetingTime, TimeZoneInfo
from ..text import clean_text, mask_contacts, quoted
from ..timezones import iso_local, iso_utc, parse_api_time, zone_for
from ..wire import ConferenceInfo

TEXT_BUDGET = 24_000
"""The text block of any answer stays under this many characters."""

SHORT = 128  # names, departments, accounts
LONG = 256  # subjects
_CONF_UUID = re.compile(r"[0-9A-Fa-f]{32}")
_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


@dataclass(frozen=True)
class ToolNames:
    """The tools' names as the tool table registers them, so views can point at the right next call."""

    list: str
    detail: str
    attendance: str


@dataclass(frozen=True)
class ViewOptions:
    """Operator choices that change what the view shows, and the tool names the hints use."""

    tools: ToolNames
    include_contacts: bool = False
    api_times: Literal["utc", "local"] = "utc"


def text(value: object, limit: int = SHORT) -> str | None:
    """`value` cleaned to one line of at most `limit` characters; None when absent or blank."""
    if value is None:
        return None
    cleaned = clean_text(value, limit)
    return cleaned or None


@dataclass
class Scrub:
    """Cleans upstream text for one answer and, with contacts off, masks phones and e-mails inside it.

    `masked` tells afterwards whether anything was masked, so the answer can say so.
    """

    include_contacts: bool
    masked: bool = False

    def __call__(self, value: object, limit: int = SHORT) -> str | None:
        """`value` cleaned (see `text`), with contact data masked unless contacts are on."""
        cleaned = text(value, limit)
        if cleaned is None or self.include_contacts:
            return cleaned
        masked, changed = mask_contacts(cleaned)
        self.masked = self.masked or changed
        return masked

    def note(self, notes: list[str]) -> None:
        """Append the caveat that values were masked, if any were."""
        if self.masked:
            notes.append(
                "Some values looked like phone numbers or e-mail addresses and were masked "
                "(the operator has not enabled contact data)."
            )


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
    return found if found is not None else f"unknown ({shown_id(clean_text(value, 32))})"


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


def moment(value: datetime | None, zone: tzinfo | None, timespec: str = "minutes") -> MeetingTime:
    """An instant in UTC and, when the zone is known, in the meeting's zone."""
    if value is None:
        return MeetingTime()
    return MeetingTime(
        utc=iso_utc(value, timespec), local=iso_local(value, zone, timespec) if zone is not None else None
    )


@dataclass(frozen=True)
class MeetingTimes:
    """A meeting's zone, start, end and duration, as read from the API's minute-precision strings."""

    zone: TimeZoneInfo
    tz: tzinfo | None
    start: MeetingTime
    end: MeetingTime
    duration_minutes: int | None
    reading: Literal["utc", "local"]


def meeting_times(conf: ConferenceInfo, options: ViewOptions, notes: list[str]) -> MeetingTimes:
    """Read a meeting's times the way the operator configured; caveats are appended to `notes`."""
    zone = zone_for(conf.time_zone_id)
    zone_info = TimeZoneInfo(timeZoneID=text(conf.time_zone_id, 16), label=zone.label if zone else None)
    if zone is None:
        notes.append(
            "The meeting's time zone is unknown"
            + (f" (timeZoneID {shown_id(zone_info.timeZoneID)})" if zone_info.timeZoneID else "")
            + ", so no local times are given."
        )
    reading: Literal["utc", "local"] = options.api_times
    if reading == "local" and zone is None:
        reading = "utc"
        notes.append("API times were read as UTC because the meeting's zone is unknown.")
    source_zone = zone.tz if (reading == "local" and zone) else timezone.utc
    start = parse_api_time(conf.start_time, source_zone)
    end = parse_api_time(conf.end_time, source_zone)
    duration = None
    if start and end and end >= start:
        duration = int((end - start).total_seconds() // 60)
    tz = zone.tz if zone else None
    return MeetingTimes(zone_info, tz, moment(start, tz), moment(end, tz), duration, reading)


def zone_text(zone: TimeZoneInfo | None) -> str:
    """The meeting's zone in words: Huawei's label, or why it is unknown."""
    if zone is None:
        return "unknown"
    if zone.label:
        return zone.label
    return f"unknown timeZoneID {shown_id(zone.timeZoneID)}" if zone.timeZoneID else "unknown"
