"""Who missed it and who came uninvited: matching attendees to the participant list."""

from __future__ import annotations

from typing import Any

import pytest

from huawei_meeting_mcp.attendance_fold import aggregate
from huawei_meeting_mcp.view.reconcile import name_key, number_key, reconcile
from huawei_meeting_mcp.wire import AttendanceRecord, ParticipantInfo

T0 = 1795482000000


def entry(name: str | None, number: str | None = None, **extra: Any) -> ParticipantInfo:
    return ParticipantInfo.model_validate({"name": name, "participantID": number, **extra})


def joined(name: str | None, number: str | None, minute: int = 0) -> AttendanceRecord:
    raw = {"displayName": name, "callNumber": number, "joinTime": T0 + minute * 60_000, "leftTime": T0 + 3_600_000}
    return AttendanceRecord.model_validate({k: v for k, v in raw.items() if v is not None})


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("+86 138-0013-8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("13800138000", "13800138000"),
        ("1234", None),  # too short to compare
        (None, None),
        ("sip:+4930123456@example", "4930123456"),
    ],
)
def test_numbers_compare_on_their_last_eleven_digits(value: str | None, key: str | None) -> None:
    assert number_key(value) == key


def test_names_compare_without_case_width_or_extra_spaces() -> None:
    assert name_key("  \uff2c\uff49  NA ") == name_key("li na") == "li na"  # full-width "Li"
    assert name_key("   ") is None


def test_number_first_then_name_and_the_rest_is_absent_or_uninvited() -> None:
    listed = [
        entry("Li Na", "+8613800000001"),
        entry("Wang Wei", "+8613800000002"),
        entry("Meeting Room 3F", "+862088880003", attendeeType="terminal"),
        entry("Ana García", "+34600000004"),
    ]
    people = aggregate(
        [
            joined("HUAWEI MatePad", "8613800000001"),  # Li Na under a device name: matched by number
            joined("wang  WEI", "+8675500000099"),  # another number: matched by name only
            joined("Kwame Mensah", "+233201234567"),  # nobody expected him
            joined("Wang Wei", "+8675500000100", minute=30),  # the same name again, from a third number
        ]
    )
    found = reconcile(people, listed)
    assert [p.name for p in found.absent] == ["Meeting Room 3F", "Ana García"]
    assert [p.name for p in found.uninvited] == ["Kwame Mensah"]
    assert found.matched_by_name_only == 1


def test_one_entry_matches_one_attendee_by_number() -> None:
    listed = [entry("Reception", "+8613800000001")]
    people = aggregate([joined("Phone A", "+8613800000001"), joined("Phone B", "+8613800000001", minute=5)])
    found = reconcile(people, listed)
    assert found.absent == []
    assert [p.name for p in found.uninvited] == ["Phone B"], "a second device on the same number is not the entry"


def test_an_empty_list_makes_everyone_uninvited() -> None:
    people = aggregate([joined("A", "+8613800000001"), joined("B", None)])
    found = reconcile(people, [])
    assert (found.absent, len(found.uninvited), found.matched_by_name_only) == ([], 2, 0)
