"""Who missed it and who came uninvited: matching attendees to the participant list."""

from __future__ import annotations

import random
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
    how = {p.name: (m.entry.name, m.by) if m else None for p, m in zip(people, found.matches, strict=True)}
    assert how == {
        "HUAWEI MatePad": ("Li Na", "number"),
        "wang  WEI": ("Wang Wei", "name"),
        "Kwame Mensah": None,
        "Wang Wei": ("Wang Wei", "same name"),
    }
    assert (found.matched, found.same_name) == (2, 1)
    assert len(people) == found.matched + found.same_name + len(found.uninvited), "every attendee in one group"
    assert len(listed) == found.matched + len(found.absent)


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


def position(items: list[Any], item: object) -> int:
    """Where `item` itself stands in `items` (equal entries are told apart by identity)."""
    return next(index for index, candidate in enumerate(items) if candidate is item)


def quadratic_reference(people: list[Any], participants: list[ParticipantInfo]) -> tuple[list[int], list[int], int]:
    """The matching rule written the obvious way (each match scans its whole key): what reconcile must equal."""
    matched: list[int] = []
    by_name_only = 0
    unmatched, uninvited = [], []
    for person in people:
        number = number_key(person.call_number)
        free = [
            i
            for i, e in enumerate(participants)
            if number is not None
            and number in {number_key(e.participant_id), number_key(e.subscriber_id)}
            and i not in matched
        ]
        if free:
            matched.append(free[0])
        else:
            unmatched.append(person)
    for person in unmatched:
        name = name_key(person.name)
        candidates = [i for i, e in enumerate(participants) if name and name_key(e.name) == name]
        free = [i for i in candidates if i not in matched]
        if free:
            matched.append(free[0])
            by_name_only += 1
        elif not candidates:
            uninvited.append(position(people, person))
    absent = [i for i in range(len(participants)) if i not in matched]
    return absent, uninvited, by_name_only


@pytest.mark.parametrize("seed", range(30))
def test_matching_equals_the_obvious_rule(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    numbers = [None, "+8613800000001", "+8613800000002", "13800000003", "1234"]
    names = [None, "Li Na", "li  na", "Wang Wei", "Room"]
    listed = [
        ParticipantInfo.model_validate(
            {"name": rng.choice(names), "participantID": rng.choice(numbers), "subscriberID": rng.choice(numbers)}
        )
        for _ in range(rng.randint(0, 12))
    ]
    people = aggregate([joined(rng.choice(names), rng.choice(numbers), minute=i) for i in range(rng.randint(0, 12))])
    found = reconcile(people, listed)
    absent, uninvited, by_name_only = quadratic_reference(people, listed)
    assert [position(listed, e) for e in found.absent] == absent
    assert [position(people, p) for p in found.uninvited] == uninvited
    assert found.matched_by_name_only == by_name_only


def test_ten_thousand_sharing_one_number_each_match_once() -> None:
    # Hostile upstream: everyone on both sides shares one number and one name. The rule still holds
    # (each entry matched once, the rest uninvited or counted present by name), and each index is
    # handed out once per key, so this is linear: it took 6 s of CPU when each match scanned the key.
    listed = [entry("Same Name", "+8613800000001") for _ in range(10_000)]
    people = aggregate([joined("Same Name", "+8613800000001", minute=i % 600) for i in range(10_000)])
    found = reconcile(people, listed)
    assert len(people) == 1  # one name with one number folds into one person
    assert len(found.absent) == 9_999
    many = [joined(f"Person {i}", "+8613800000001") for i in range(10_000)]
    found = reconcile(aggregate(many), listed)
    assert found.absent == []
    assert found.uninvited == []
