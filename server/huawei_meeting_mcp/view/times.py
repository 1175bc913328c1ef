"""A meeting's times as an answer shows them: in UTC and in the meeting's own zone (the one it was scheduled in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Literal

from ..dates import EPOCH, MAX_EPOCH_MS
from ..output import MeetingTime, TimeZoneInfo
from ..reads import Outcome
from ..timezones import iso_local, iso_utc, parse_api_time, zone_for
from ..wire import ConferenceInfo
from .clean import code
from .options import ViewOptions
from .words import shown_id


def moment(value: datetime | None, zone: tzinfo | None, timespec: str = "minutes") -> MeetingTime:
    """An instant in UTC and, when the zone is known, in the meeting's zone."""
    if value is None:
        return MeetingTime()
    return MeetingTime(
        utc=iso_utc(value, timespec), local=iso_local(value, zone, timespec) if zone is not None else None
    )


def at_epoch_ms(epoch_ms: int | None, zone: tzinfo | None, timespec: str = "seconds") -> MeetingTime:
    """An instant the API gives in epoch milliseconds, in UTC and in the meeting's zone; empty if out of range."""
    if epoch_ms is None or not 0 <= epoch_ms <= MAX_EPOCH_MS:
        return MeetingTime()
    return moment(EPOCH + timedelta(milliseconds=epoch_ms), zone, timespec)


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
    zone_info = TimeZoneInfo(timeZoneID=code(conf.time_zone_id, 16), label=zone.label if zone else None)
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
    unreadable = [
        which
        for which, raw, read in (("start", conf.start_time, start), ("end", conf.end_time, end))
        if raw and not read
    ]
    if unreadable:
        notes.append(f"A meeting's {' and '.join(unreadable)} time could not be read, so it is left out.")
    duration = None
    if start and end and end >= start:
        duration = int((end - start).total_seconds() // 60)
    tz = zone.tz if zone else None
    return MeetingTimes(zone_info, tz, moment(start, tz), moment(end, tz), duration, reading)


def meeting_times_if_read(
    meeting: Outcome[ConferenceInfo], options: ViewOptions, notes: list[str]
) -> MeetingTimes | None:
    """The meeting's times when it could be read; otherwise None, with a note that times are UTC only."""
    if meeting.value is None:
        notes.append(f"The meeting itself could not be read ({meeting.problem}), so times are in UTC only.")
        return None
    return meeting_times(meeting.value, options, notes)
