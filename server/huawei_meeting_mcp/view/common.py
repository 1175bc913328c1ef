"""What every view's build step shares: operator options, cleaning upstream text, and meeting times.

Every string the API sends passes through `Scrub` (the one sanitiser, `text.Sanitiser`) or `code` where
wire data enters a view, for the structured content and the text alike. How the text then words things
is in `words`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Literal

from ..dates import EPOCH, MAX_EPOCH_MS
from ..output import MeetingTime, TimeZoneInfo
from ..reads import Outcome
from ..text import Sanitiser, clean_text
from ..timezones import iso_local, iso_utc, parse_api_time, zone_for
from ..wire import ConferenceInfo
from .words import shown_id

TEXT_BUDGET = 24_000
"""The text block of any answer stays under this many characters."""

SHORT = 128  # names, departments, accounts
LONG = 256  # subjects


@dataclass(frozen=True)
class ToolNames:
    """The tools' names as the tool table registers them, so views can point at the right next call."""

    list: str
    detail: str
    attendance: str
    events: str
    series: str


@dataclass(frozen=True)
class ViewOptions:
    """Operator choices that change what the view shows, and the tool names the hints use."""

    tools: ToolNames
    include_contacts: bool = False
    api_times: Literal["utc", "local"] = "utc"


def text(value: object, limit: int = SHORT) -> str | None:
    """`value` cleaned to one line of at most `limit` characters (no masking); None when absent or blank."""
    if value is None:
        return None
    cleaned = clean_text(value, limit)
    return cleaned or None


def code(value: object, limit: int = 64) -> str | None:
    """An identifier or code from the API (meeting ID, zone ID, device type): sanitised, contact data always masked."""
    return Sanitiser().code(value, limit)


def echoed(value: str | None, name: str, notes: list[str], limit: int = SHORT) -> str | None:
    """A caller's argument as an answer echoes it (structured content, heading, next call), sanitised.

    The caller's own phone number or e-mail address stays; hidden characters, line breaks, markup and links
    do not, and a note says when the value shown differs from the one given.
    """
    if value is None:
        return None
    shown = Sanitiser(include_contacts=True)(value, limit)
    if shown is None:
        notes.append(f"The {name} given held only hidden characters, markup or links, so it is not shown.")
    elif shown != " ".join(value.split()):
        notes.append(f"The {name} given is shown without its hidden characters, markup, links or secrets.")
    return shown


class Scrub(Sanitiser):
    """The sanitiser of one answer (`text.Sanitiser`), which adds to the answer's notes what it masked.

    A link in meeting data may be a join link (a secret: it may let anyone in), so none is passed on.
    """

    def note(self, notes: list[str]) -> None:
        """Append the caveats that values were masked, if any were."""
        if self.links_masked:
            notes.append("Links inside meeting data were masked: a join link may let anyone into a meeting.")
        if self.credentials_masked:
            notes.append("Values after words such as password or passcode in meeting data were masked.")
        if self.masked:
            notes.append(
                "Some values looked like phone numbers or e-mail addresses and were masked "
                "(the operator has not enabled contact data)."
            )


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
