"""The date range of list_historical_meetings: formats, whole days, UTC by default, defaults, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from huawei_meeting_mcp.dates import ACCEPTED_FORMATS, parse_instant, resolve_range
from huawei_meeting_mcp.errors import InvalidArgumentError, MeetingError

NOW = datetime(2026, 11, 26, 1, 2, 3, 456789, tzinfo=timezone.utc)
DAY_START = 1795478400000  # 2026-11-24T00:00:00.000Z
HOUR = 3_600_000


@pytest.mark.parametrize(
    ("value", "end_of_day", "epoch_ms", "naive"),
    [
        ("2026-11-24", False, DAY_START, True),
        ("2026-11-24", True, DAY_START + 24 * HOUR - 1, True),
        (" 2026-11-24 ", False, DAY_START, True),
        ("2026-11-24T09:30", False, DAY_START + 9 * HOUR + 30 * 60_000, True),
        ("2026-11-24 09:30", True, DAY_START + 9 * HOUR + 30 * 60_000, True),
        ("2026-11-24T09:30:15.250", False, DAY_START + 9 * HOUR + 30 * 60_000 + 15_250, True),
        ("2026-11-24T09:30:15.2509999", False, DAY_START + 9 * HOUR + 30 * 60_000 + 15_250, True),
        ("2026-11-24T09:30+08:00", False, DAY_START + 1 * HOUR + 30 * 60_000, False),
        ("2026-11-24T09:30+0800", False, DAY_START + 1 * HOUR + 30 * 60_000, False),
        ("2026-11-24T09:30:00-05:00", False, DAY_START + 14 * HOUR + 30 * 60_000, False),
        ("2026-11-24T01:30Z", True, DAY_START + 1 * HOUR + 30 * 60_000, False),
        ("2026-11-24T00:00+08:00", False, DAY_START - 8 * HOUR, False),
        ("1795483800000", False, 1795483800000, False),
        (1795483800000, True, 1795483800000, False),
    ],
)
def test_accepted_forms(value: str | int, end_of_day: bool, epoch_ms: int, naive: bool) -> None:
    instant = parse_instant(value, name="startDate", end_of_day=end_of_day)
    assert instant.epoch_ms == epoch_ms
    assert instant.naive is naive
    assert instant.moment.tzinfo is not None


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("yesterday", "is not a date"),
        ("2026-13-01", "is not a valid date or time"),
        ("2026-02-30", "is not a valid date or time"),
        ("2026-11-24T25:00", "is not a valid date or time"),
        ("2026-11-24T09:30+25:00", "is not a valid date or time"),
        ("24/11/2026", "is not a date"),
        ("2026-11-24Z", "is not a date"),
        ("", "is not a date"),
        ("1795483800", "epoch seconds? multiply by 1000"),
        (1795483800, "epoch seconds? multiply by 1000"),
        ("99999999999999999", "too large"),
        (True, "is not a date"),
    ],
)
def test_refusals_name_the_argument_and_show_the_formats(value: str | int, phrase: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        parse_instant(value, name="endDate", end_of_day=True)
    message = str(caught.value)
    assert phrase in message
    assert "endDate" in message
    assert ACCEPTED_FORMATS in message
    assert isinstance(caught.value, MeetingError), "the tools turn every MeetingError into a tool error"


def test_a_long_bad_value_is_not_echoed_in_full() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        parse_instant("x" * 500, name="startDate", end_of_day=False)
    assert "x" * 41 not in str(caught.value)


def test_default_is_the_last_30_days_up_to_now_in_whole_milliseconds() -> None:
    window = resolve_range(None, None, now=NOW)
    now_ms = 1795654923456  # NOW, microseconds dropped
    assert window.end.epoch_ms == now_ms
    assert window.start.epoch_ms == now_ms - 30 * 24 * HOUR
    assert (window.start_defaulted, window.end_defaulted) == (True, True)
    assert window.end.moment.microsecond % 1000 == 0


def test_only_end_given_starts_30_days_before_it() -> None:
    window = resolve_range(None, "2026-11-24", now=NOW)
    assert window.end.epoch_ms == DAY_START + 24 * HOUR - 1
    assert window.start.moment == window.end.moment - timedelta(days=30)
    assert (window.start_defaulted, window.end_defaulted) == (True, False)


def test_only_start_given_ends_now() -> None:
    window = resolve_range("2026-11-24", None, now=NOW)
    assert window.start.epoch_ms == DAY_START
    assert window.end.epoch_ms == 1795654923456


def test_the_same_bare_date_twice_is_that_whole_day() -> None:
    window = resolve_range("2026-11-24", "2026-11-24", now=NOW)
    assert window.end.epoch_ms - window.start.epoch_ms == 24 * HOUR - 1


@pytest.mark.parametrize(
    ("start", "end", "phrase"),
    [
        ("2026-11-25", "2026-11-24", "after endDate"),
        ("2026-11-24T10:00Z", "2026-11-24T09:59:59Z", "after endDate"),
        ("2026-12-01", None, "after now"),
    ],
)
def test_an_inverted_range_is_refused_with_the_formats(start: str, end: str | None, phrase: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        resolve_range(start, end, now=NOW)
    assert "inverted" in str(caught.value)
    assert phrase in str(caught.value)
    assert ACCEPTED_FORMATS in str(caught.value)


def test_a_single_instant_range_is_allowed() -> None:
    window = resolve_range("2026-11-24T09:30Z", "2026-11-24T09:30Z", now=NOW)
    assert window.start.epoch_ms == window.end.epoch_ms
