"""The date range of list_historical_meetings: formats, whole days, UTC by default, defaults, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --- odd inputs: always the argument error, never anything else ---------------------------------


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("startDate", "0001-01-01T00:00+01:00", "out of range"),
        ("endDate", "9999-12-31T23:59-01:00", "out of range"),
        ("startDate", "1969-12-31", "out of range"),
        ("startDate", "\u00b2\u00b3", "not a date"),  # superscript digits pass str.isdigit
        ("startDate", "\u0661\u0667\u0669\u0665\u0664\u0668\u0663\u0668\u0660\u0660\u0660\u0660\u0660", "not a date"),
        ("startDate", "\uff12\uff10\uff12\uff16-11-24", "not a date"),  # full-width digits
        ("startDate", "2026-11-24T\u0660\u0669:30", "not a date"),
        ("startDate", "9" * 5000, "too large"),  # int() refuses more than 4300 digits
        ("startDate", "2026-11-24\u202e", "not a date"),
    ],
)
def test_odd_inputs_get_the_argument_error(name: str, value: str, why: str) -> None:
    with pytest.raises(InvalidArgumentError, match=why) as caught:
        resolve_range(value, None, now=NOW) if name == "startDate" else resolve_range(None, value, now=NOW)
    assert "\u202e" not in str(caught.value)


def test_the_last_representable_day_is_a_valid_end() -> None:
    window = resolve_range("2026-11-24", "9999-12-31", now=NOW)
    assert window.end.epoch_ms == 253_402_300_799_999


def test_a_default_start_never_falls_before_1970() -> None:
    window = resolve_range(None, "1970-01-05", now=NOW)
    assert window.start.epoch_ms == 0


date_like = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789-+:TZ .,\u00b2\u0663\uff11", max_size=32),
    st.from_regex(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|Z)?)?", fullmatch=True),
    st.integers(),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
)


@settings(max_examples=500, deadline=None)
@given(start=st.one_of(st.none(), date_like), end=st.one_of(st.none(), date_like))
def test_any_input_gives_a_valid_range_or_the_argument_error(start: str | int | None, end: str | int | None) -> None:
    try:
        window = resolve_range(start, end, now=NOW)
    except InvalidArgumentError:
        return
    assert 0 <= window.start.epoch_ms <= window.end.epoch_ms <= 253_402_300_799_999
