"""People or rooms: which participant-list entries and attendance records are meeting-room devices.

A participant-list entry says what it is in `attendeeType` (§2.9: `terminal`, and the room kinds of
the scheduling list, `ideahub`, `board`, `hwvision`); an attendance record says only which device
joined (`deviceType`, localized by `Accept-Language`): a hard terminal's model (TE30, IdeaHub, Board,
HUAWEI Vision) or its Chinese name. One function decides both, so that every answer counts people
and rooms the same way.
"""

from __future__ import annotations

import unicodedata

ROOM_KINDS = frozenset(
    {
        # attendeeType and partAttendeeInfo type codes (§2.7, §2.9)
        "terminal",
        "ideahub",
        "board",
        "hwvision",
        # attendance deviceType: hard-terminal models and names, English and Chinese (§3.3, §3.7)
        "te10",
        "te20",
        "te30",
        "te40",
        "te50",
        "te60",
        "box",
        "huawei vision",
        "hard terminal",
        "room terminal",
        "meeting room",
        "硬终端",
        "会议室",
        "华为智慧屏",
        "智慧屏",
    }
)
"""Device kinds and types (folded: NFKC, no case, single spaces) that are a meeting room, not a person."""


def is_room(kind: str | None) -> bool:
    """Whether an `attendeeType` or a `deviceType` names a meeting-room device (a TE30, an IdeaHub...), not a person."""
    if not kind:
        return False
    folded = " ".join(unicodedata.normalize("NFKC", kind[:64]).casefold().split())
    return folded in ROOM_KINDS
