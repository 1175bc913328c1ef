"""Helpers every view shares: the text budget, operator options, cleaning, times, and fitting lines."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from ..output import MeetingTime, TimeZoneInfo
from ..text import clean_text
from ..timezones import iso_local, iso_utc, parse_api_time, zone_for
from ..wire import ConferenceInfo

Page = TypeVar("Page", bound=BaseModel)

TEXT_BUDGET = 24_000
"""The text block of any answer stays under this many characters."""

SHORT = 128  # names, departments, accounts
LONG = 256  # subjects


@dataclass(frozen=True)
class ViewOptions:
    """Operator choices that change what the view shows."""

    include_contacts: bool = False
    api_times: Literal["utc", "local"] = "utc"


def text(value: str | None, limit: int = SHORT) -> str | None:
    """`value` cleaned to one line of at most `limit` characters; None when absent or blank."""
    if value is None:
        return None
    cleaned = clean_text(value, limit)
    return cleaned or None


def words(table: Mapping[Any, str], value: str | int | None) -> str | None:
    """The words for an API code from `table`, 'unknown (<code>)' for a code not in it, None if absent."""
    if value is None:
        return None
    found = table.get(value)
    return found if found is not None else f"unknown ({clean_text(value, 32)})"


def join(parts: list[str | None], sep: str = " · ") -> str:
    """Join the parts that are present."""
    return sep.join(p for p in parts if p)


def when(point: MeetingTime) -> str:
    """An instant as 'UTC (local)' text, or 'unknown'."""
    if point.utc is None:
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
            + (f" (timeZoneID {zone_info.timeZoneID})" if zone_info.timeZoneID else "")
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


def call_text(tool: str, args: Mapping[str, str | int | bool | None]) -> str:
    """A tool call as the model would write it, e.g. `tool(confUUID="...", offset=20)`; None values left out."""
    shown = []
    for name, value in args.items():
        if value is None:
            continue
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, str):
            rendered = json.dumps(value, ensure_ascii=False)
        else:
            rendered = str(value)
        shown.append(f"{name}={rendered}")
    return f"{tool}({', '.join(shown)})"


def lines_that_fit(lines: list[str], room: int) -> int:
    """How many of `lines`, from the first, fit in `room` characters with a newline after each."""
    used = 0
    for kept, line in enumerate(lines):
        used += len(line) + 1
        if used > room:
            return kept
    return len(lines)


def trimmed_page(page: Page, items: list[Any], offset: int, kept: int) -> Page:
    """`page` cut to its first `kept` items, marked as trimmed to fit, with the next page right after them."""
    return page.model_copy(
        update={"items": items[:kept], "returned": kept, "nextOffset": offset + kept, "trimmedToFit": True}
    )
