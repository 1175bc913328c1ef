"""People or rooms: one classification for participant-list entries and attendees."""

from __future__ import annotations

import pytest

from huawei_meeting_mcp.people import is_room, is_room_device


@pytest.mark.parametrize(
    ("attendee_type", "devices", "room"),
    [
        ("terminal", [], True),
        ("IdeaHub", ["PC"], True),  # the entry decides
        ("normal", ["TE30"], False),  # the entry decides
        ("outside", [], False),
        (None, ["TE30"], True),
        (None, ["IdeaHub", "HUAWEI Vision"], True),
        (None, ["华为智慧屏"], True),
        (None, ["PC", "TE30"], False),  # a person who also used a room device
        (None, [], False),
        (None, [" "], False),
    ],
)
def test_the_entry_decides_then_every_device_must_be_a_room_device(
    attendee_type: str | None, devices: list[str], room: bool
) -> None:
    assert is_room(attendee_type, devices) is room


def test_room_devices_are_compared_without_case() -> None:
    assert is_room_device(" te30 ")
    assert not is_room_device("Mobile")
    assert not is_room_device(None)
