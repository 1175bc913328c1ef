"""People or rooms: the one rule that tells a meeting-room terminal from a person, for every answer.

A participant-list entry says what it is (`attendeeType`, §2.9): `terminal` and the room devices
(IdeaHub, whiteboard, Huawei Vision) are rooms; soft clients, external and mobile numbers are people.
An attendance record only names the device it joined from (`deviceType`, §3.3, in the language asked
for): TE30, IdeaHub, Board and Huawei Vision are room devices; PC, mobile, pad and phone are not. An
attendee matched to an entry of the participant list is what the entry says; an unmatched one is a
room only when every device it joined from is a room device.
"""

from __future__ import annotations

from collections.abc import Iterable

ROOM_ATTENDEE_TYPES = frozenset({"terminal", "ideahub", "board", "hwvision"})
"""`attendeeType` values of room devices (the participant list, §2.9)."""

ROOM_DEVICE_TYPES = frozenset(
    {
        "te30",
        "te40",
        "te50",
        "te60",
        "terminal",
        "hard terminal",
        "ideahub",
        "board",
        "whiteboard",
        "huawei vision",
        "hwvision",
        "smart screen",
        "华为智慧屏",
        "智慧屏",
        "硬终端",
        "会议室终端",
    }
)
"""`deviceType` values of room devices (attendance records, §3.3), compared without case."""


def is_room_device(device_type: str | None) -> bool:
    """Whether an attendance record's `deviceType` is a meeting-room device."""
    return device_type is not None and device_type.strip().casefold() in ROOM_DEVICE_TYPES


def is_room(attendee_type: str | None = None, device_types: Iterable[str] = ()) -> bool:
    """Whether a participant-list entry or an attendee is a meeting room, not a person.

    `attendee_type` is the participant-list entry's `attendeeType` (for an attendee: the entry it
    matched, if any): when known, it decides. Otherwise `device_types` (what an attendee joined from)
    decide: a room only when there is at least one and all are room devices.
    """
    if attendee_type:
        return attendee_type.strip().casefold() in ROOM_ATTENDEE_TYPES
    devices = [device for device in device_types if device and device.strip()]
    return bool(devices) and all(is_room_device(device) for device in devices)
