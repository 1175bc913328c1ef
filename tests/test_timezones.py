"""The timeZoneID table and time conversion."""

from __future__ import annotations

from datetime import timezone

import pytest

from huawei_meeting_mcp.timezones import ZONES, iso_local, parse_api_time, zone_for


def test_table_is_complete() -> None:
    assert sorted(ZONES, key=int) == [str(i) for i in range(1, 78)]


def test_beijing() -> None:
    zone = zone_for("56")
    assert zone is not None
    assert zone.label == "(GMT+08:00) Beijing, Chongqing, Hong Kong, Urumqi, Taipei"
    moment = parse_api_time("2019-11-18 23:31", timezone.utc)
    assert moment is not None
    assert iso_local(moment, zone.tz) == "2019-11-19T07:31+08:00"


@pytest.mark.parametrize("value", [None, "", "0", "78", "abc", "56.0"])
def test_unknown_ids_are_not_guessed(value: str | None) -> None:
    assert zone_for(value) is None


@pytest.mark.parametrize(
    ("zone_id", "winter", "summer"),
    [("26", "+00:00", "+01:00"), ("13", "-05:00", "-04:00"), ("66", "+11:00", "+10:00"), ("49", "+05:45", "+05:45")],
)
def test_offsets_follow_summer_time_where_the_place_has_it(zone_id: str, winter: str, summer: str) -> None:
    zone = zone_for(zone_id)
    assert zone is not None
    january = parse_api_time("2026-01-15 12:00", timezone.utc)
    july = parse_api_time("2026-07-15 12:00", timezone.utc)
    assert january is not None
    assert july is not None
    in_winter, in_summer = iso_local(january, zone.tz), iso_local(july, zone.tz)
    assert in_winter is not None
    assert in_summer is not None
    assert in_winter.endswith(winter)
    assert in_summer.endswith(summer)


@pytest.mark.parametrize("value", ["2019-11-18", "18/11/2019 23:31", "2019-13-01 10:00", "soon"])
def test_malformed_api_times(value: str) -> None:
    assert parse_api_time(value, timezone.utc) is None


def test_seconds_are_tolerated() -> None:
    moment = parse_api_time("2019-11-18 23:31:59", timezone.utc)
    assert moment is not None
    assert moment.minute == 31
