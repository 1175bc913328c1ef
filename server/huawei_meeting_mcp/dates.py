"""The date range of the meeting list: what people type, turned into the API's epoch milliseconds.

Accepted: an ISO 8601 date (a bare date covers the whole day), an ISO 8601 date-time with or
without an offset, or epoch milliseconds. A date or date-time without an offset is read as UTC:
the server cannot know the asker's zone, and UTC is what the API's epoch values mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from .errors import InvalidArgumentError
from .text import clean_text, quoted

DEFAULT_DAYS = 30
ACCEPTED_FORMATS = (
    "Use an ISO 8601 date (2026-11-24: the whole day), a date-time (2026-11-24T09:30, 2026-11-24T09:30+08:00, "
    "2026-11-24T01:30Z) or epoch milliseconds (1795483800000); dates and times without an offset are UTC."
)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ONE_MS = timedelta(milliseconds=1)
MIN_EPOCH_MS = 10**11
"""Smaller numbers are before March 1973: almost certainly epoch seconds, not milliseconds."""
MAX_EPOCH_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z

_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"\s*(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?",
    re.ASCII,  # \d is 0-9 only: other digits (Arabic-Indic, full-width, superscripts) are not dates
)
MAX_EPOCH_DIGITS = 15


@dataclass(frozen=True)
class Instant:
    """One end of the range: the moment, and whether it was given without an offset (read as UTC)."""

    moment: datetime
    naive: bool = False

    @property
    def epoch_ms(self) -> int:
        """The moment in Unix epoch milliseconds, as the API takes it."""
        return (self.moment - EPOCH) // ONE_MS


@dataclass(frozen=True)
class DateRange:
    """The window on meeting start times sent to the API, and how each end was arrived at."""

    start: Instant
    end: Instant
    start_defaulted: bool
    end_defaulted: bool


def iso_ms(moment: datetime) -> str:
    """An instant as ISO 8601 UTC with milliseconds, e.g. 2026-11-24T00:00:00.000Z."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _refuse(name: str, value: object, why: str) -> InvalidArgumentError:
    shown = quoted(clean_text(value, 40))
    return InvalidArgumentError(f"Invalid arguments: {name} {shown} {why}. {ACCEPTED_FORMATS}")


def _offset(text: str) -> timezone:
    if text in {"Z", "z"}:
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or "0")
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_instant(value: str | int, *, name: str, end_of_day: bool) -> Instant:
    """Read one end of the range; a bare date means its first millisecond, or its last with `end_of_day`."""
    if isinstance(value, bool):
        raise _refuse(name, value, "is not a date")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        if len(value.strip()) > MAX_EPOCH_DIGITS:
            raise _refuse(name, value, "is too large for epoch milliseconds")
        value = int(value)
    if isinstance(value, int):
        number = value
        if number < MIN_EPOCH_MS:
            raise _refuse(name, value, "is too small for epoch milliseconds (epoch seconds? multiply by 1000)")
        if number > MAX_EPOCH_MS:
            raise _refuse(name, value, "is too large for epoch milliseconds")
        return Instant(EPOCH + number * ONE_MS)
    match = _ISO.fullmatch(value.strip())
    if match is None:
        raise _refuse(name, value, "is not a date")
    try:
        day = datetime.strptime(match["date"], "%Y-%m-%d").replace(tzinfo=timezone.utc)
        if match["hour"] is None:
            moment = day + (timedelta(days=1) - ONE_MS) if end_of_day else day
        else:
            zone = _offset(match["offset"]) if match["offset"] else timezone.utc
            milliseconds = (match["fraction"] or "0")[:3].ljust(3, "0")
            moment = datetime(
                day.year,
                day.month,
                day.day,
                int(match["hour"]),
                int(match["minute"]),
                int(match["second"] or 0),
                int(milliseconds) * 1000,
                tzinfo=zone,
            ).astimezone(timezone.utc)
    except ValueError:
        raise _refuse(name, value, "is not a valid date or time") from None
    except OverflowError:
        raise _refuse(name, value, "is out of range (years 1970 to 9999, UTC)") from None
    if not EPOCH <= moment <= EPOCH + MAX_EPOCH_MS * ONE_MS:
        raise _refuse(name, value, "is out of range (years 1970 to 9999, UTC)")
    return Instant(moment, naive=match["offset"] is None)


def resolve_range(
    start: str | int | None, end: str | int | None, *, now: datetime, default_days: int = DEFAULT_DAYS
) -> DateRange:
    """The range to send: defaults to the `default_days` days up to `now`; refuses an inverted range."""
    if end is not None:
        end_instant = parse_instant(end, name="endDate", end_of_day=True)
    else:
        end_instant = Instant(now.astimezone(timezone.utc) - timedelta(microseconds=now.microsecond % 1000))
    if start is not None:
        start_instant = parse_instant(start, name="startDate", end_of_day=False)
    else:
        start_instant = Instant(max(EPOCH, end_instant.moment - timedelta(days=default_days)))
    if start_instant.moment > end_instant.moment:
        ending = "now" if end is None else "endDate"
        raise InvalidArgumentError(
            "Invalid arguments: the range is inverted (startDate "
            f"{iso_ms(start_instant.moment)} is after {ending}, {iso_ms(end_instant.moment)}). "
            f"Swap them, or leave startDate out for the {default_days} days before endDate. " + ACCEPTED_FORMATS
        )
    return DateRange(start_instant, end_instant, start_defaulted=start is None, end_defaulted=end is None)
