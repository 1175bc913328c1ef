"""What every view's build step shares: operator options, cleaning upstream text, and meeting times.

Every string the API sends passes through `Scrub` (or `text`) where wire data enters a view, for the
structured content and the text alike. How the text then words things is in `words`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Literal

from ..dates import EPOCH, MAX_EPOCH_MS
from ..output import MeetingTime, TimeZoneInfo
from ..reads import Outcome
from ..text import clean_text, mask_account, mask_contacts, mask_links
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


def code(value: object, limit: int = 64) -> str | None:
    """An identifier or code from the API (meeting ID, zone ID, device type): cleaned, contact data always masked.

    Such fields never legitimately hold a phone number or an e-mail address, so one found there is
    masked whatever the contacts setting.
    """
    cleaned = text(value, limit)
    return None if cleaned is None else mask_contacts(cleaned)[0]


@dataclass
class Scrub:
    """Cleans upstream text for one answer: links always masked, phones and e-mails unless contacts are on.

    A link in meeting text may be a join link (a secret: it may let anyone in), so none is passed on.
    `links_masked` and `masked` tell afterwards what was masked, so the answer can say so.
    """

    include_contacts: bool
    masked: bool = False
    links_masked: bool = False

    def __call__(self, value: object, limit: int = SHORT) -> str | None:
        """`value` cleaned (see `text`), links masked, and contact data masked unless contacts are on."""
        cleaned = text(value, limit)
        if cleaned is None:
            return None
        cleaned, linked = mask_links(cleaned)
        self.links_masked = self.links_masked or linked
        if self.include_contacts:
            return cleaned
        masked, changed = mask_contacts(cleaned)
        self.masked = self.masked or changed
        return masked

    def account(self, value: object) -> str | None:
        """An account ID: hidden whole, unless contacts are on, when it is an e-mail address or phone number."""
        cleaned = text(value)
        if cleaned is None or self.include_contacts:
            return cleaned
        masked, changed = mask_account(cleaned)
        self.masked = self.masked or changed
        return masked

    def note(self, notes: list[str]) -> None:
        """Append the caveats that values were masked, if any were."""
        if self.links_masked:
            notes.append("Links inside meeting data were masked: a join link may let anyone into a meeting.")
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
