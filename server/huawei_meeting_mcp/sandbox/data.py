"""Deterministic sample meetings for the sandbox, shaped exactly like the API's answers.

The secrets in here (passwords, join links, push URLs, phone numbers) look real on purpose:
the tests search every output for these exact strings to prove they never leak.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

DOCS_EXAMPLE_UUID = "9a0fa6d10a5b11eaae5e191763c22c0e"
LARGE_UUID = "4d2b9c7e51a011efb7e3fa163e5a9c01"
RECURRING_UUID = "7f1e0a9c2b3d11efa1b2fa163e5a9c02"

Json = dict[str, Any]


@dataclass
class SandboxMeeting:
    """One ended meeting: its `conferenceData` and every invited participant."""

    conference: Json
    participants: list[Json] = field(default_factory=list)


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _secrets(conf: Json, rng: random.Random) -> None:
    """Give a meeting the secret fields a real answer carries."""
    conf_id = conf["conferenceID"]
    conf["passwordEntry"] = [
        {"conferenceRole": "chair", "password": f"{rng.randrange(100000, 999999)}"},
        {"conferenceRole": "general", "password": f"{rng.randrange(100000, 999999)}"},
    ]
    conf["chairJoinUri"] = f"https://c.meeting.huaweicloud.com/#/j/{conf_id}/{_hex(rng, 48)}"
    conf["guestJoinUri"] = f"https://c.meeting.huaweicloud.com/#/j/{conf_id}/{_hex(rng, 48)}"
    conf["audienceJoinUri"] = f"https://c.meeting.huaweicloud.com/#/w/{conf_id}/{_hex(rng, 48)}"
    conf["liveAddress"] = f"rtmp://push.live.example.com/live/{conf_id}?key={_hex(rng, 32)}"
    conf["auxAddress"] = f"rtmp://push.live.example.com/aux/{conf_id}?key={_hex(rng, 32)}"
    conf.setdefault("confConfigInfo", {})["guestPwd"] = f"{rng.randrange(10000000, 99999999)}"


def _docs_example(rng: random.Random) -> SandboxMeeting:
    text = resources.files(__package__).joinpath("docs_example.json").read_text(encoding="utf-8")
    body = json.loads(text)
    conf = body["conferenceData"]
    conf["confUUID"] = DOCS_EXAMPLE_UUID
    conf["conferenceState"] = "Destroyed"
    published_links = {key: conf[key] for key in ("chairJoinUri", "guestJoinUri")}
    _secrets(conf, rng)
    # The published example masks the passwords (the live service sends them) but shows real links.
    conf.update(published_links)
    return SandboxMeeting(conference=conf, participants=body["data"]["data"])


_GIVEN = {
    "zh": ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴霞"],
    "ja": ["佐藤 健", "鈴木 花子", "高橋 翔", "田中 美咲"],
    "ko": ["김민준", "이서연", "박지훈"],
    "ar": ["محمد العلي", "فاطمة الزهراء", "أحمد حسن"],
    "ru": ["Иван Петров", "Ольга Смирнова", "Дмитрий Соколов"],
    "el": ["Γιώργος Παπαδόπουλος", "Μαρία Κωνσταντίνου"],
    "hi": ["अनिल शर्मा", "प्रिया पटेल"],
    "latin": [
        "José Álvarez",
        "Zoë Müller",
        "Łukasz Nowak",
        "Søren Kierkegård",
        "Amélie Dubois",
        "Ng Wei Ling",
    ],
}
_DEPARTMENTS = ["Supply Chain", "供应链管理部", "R&D", "Finance", "Sales EMEA", "Procurement", "物流部"]
_ROOMS = [
    "Shenzhen B1-3F Room",
    "Dongguan Lake Hall",
    "Munich Office Isar",
    "Dubai Marina 12",
    "Shanghai Hub 7",
]


def _large(rng: random.Random) -> SandboxMeeting:
    conf: Json = {
        "conferenceID": "960142387",
        "confUUID": LARGE_UUID,
        "subject": "Q3 supply-chain review / 第三季度供应链评审",
        "size": 620,
        "timeZoneID": "56",
        "startTime": "2026-11-24 01:00",
        "endTime": "2026-11-24 03:15",
        "mediaTypes": "Voice,HDVideo,Data",
        "conferenceState": "Destroyed",
        "language": "en-US",
        "accessNumber": "+991117",
        "userUUID": "ff8080817a0b1c2d017a0b1c2d3e0001",
        "scheduserName": "李娜 (Li Na)",
        "conferenceType": 0,
        "confType": "FUTURE",
        "isAutoMute": 1,
        "isAutoRecord": 1,
        "recordType": 2,
        "recordAuxStream": 1,
        "recordAuthType": 1,
        "confConfigInfo": {
            "isAutoMute": True,
            "isHardTerminalAutoMute": True,
            "isGuestFreePwd": False,
            "callInRestriction": 2,
            "allowGuestStartConf": False,
            "enableWaitingRoom": True,
            "prolongLength": 30,
        },
        "vmrFlag": 0,
        "isHasRecordFile": True,
        "terminlCount": 40,
        "normalCount": 580,
        "deptName": "Example Manufacturing Co., Ltd.",
        "webinar": False,
        "confMode": "RTC",
    }
    _secrets(conf, rng)
    people: list[Json] = []
    names = [name for group in _GIVEN.values() for name in group]
    for i in range(620):
        if i % 15 == 7:
            room = _ROOMS[i % len(_ROOMS)]
            people.append(
                {
                    "participantID": f"+99111{7000 + i:05d}",
                    "name": f"{room} #{i:03d}",
                    "role": 0,
                    "state": "MEETTING",
                    "attendeeType": "ideahub" if i % 2 else "terminal",
                    "accountId": f"room{i:03d}@examplecorp",
                    "deptName": "Facilities",
                    "userUUID": _hex(rng, 32),
                }
            )
            continue
        name = names[i % len(names)] + ("" if i < len(names) else f" {i:03d}")
        people.append(
            {
                "participantID": f"+8613{rng.randrange(100000000, 999999999)}",
                "name": name,
                "role": 1 if i == 0 else 0,
                "state": "MEETTING",
                "attendeeType": "outside" if i % 23 == 5 else ("mobile" if i % 29 == 3 else "normal"),
                "accountId": f"user{i:03d}@examplecorp",
                "email": f"user{i:03d}.{_hex(rng, 4)}@example-corp.com",
                "sms": f"+8615{rng.randrange(100000000, 999999999)}",
                "deptName": _DEPARTMENTS[i % len(_DEPARTMENTS)],
                "userUUID": _hex(rng, 32),
            }
        )
    conf["partAttendeeInfo"] = [
        {"name": p["name"], "phone": p["participantID"], "type": p["attendeeType"]} for p in people[:20]
    ]
    return SandboxMeeting(conference=conf, participants=people)


def _recurring(rng: random.Random) -> SandboxMeeting:
    conf: Json = {
        "conferenceID": "914087001",
        "confUUID": RECURRING_UUID,
        "subject": "Weekly logistics stand-up",
        "size": 6,
        "timeZoneID": "26",
        "startTime": "2026-07-06 08:00",
        "endTime": "2026-07-06 08:25",
        "mediaTypes": "Voice,Video",
        "conferenceState": "Destroyed",
        "language": "en-US",
        "scheduserName": "Amélie Dubois",
        "conferenceType": 2,
        "confType": "CYCLE",
        "cycleParams": {
            "startDate": "2026-06-01",
            "endDate": "2026-12-28",
            "cycle": "Week",
            "interval": 1,
            "point": [1, 3],
            "preRemindDays": 1,
        },
        "isAutoMute": 0,
        "isAutoRecord": 0,
        "recordType": 0,
        "confConfigInfo": {
            "isAutoMute": False,
            "isHardTerminalAutoMute": False,
            "isGuestFreePwd": True,
            "callInRestriction": 0,
            "allowGuestStartConf": True,
            "enableWaitingRoom": False,
            "prolongLength": 0,
        },
        "vmrFlag": 1,
        "vmrConferenceID": "914087001",
        "isHasRecordFile": False,
        "terminlCount": 1,
        "normalCount": 5,
        "deptName": "Example Manufacturing Co., Ltd.",
        "cycleSubConfID": "7f1e0a9c2b3d11efa1b2fa163e5a9c00",
    }
    _secrets(conf, rng)
    names = ["Amélie Dubois", "Ng Wei Ling", "Søren Kierkegård", "Иван Петров", "王伟"]
    people: list[Json] = [
        {
            "participantID": f"+4420{rng.randrange(10000000, 99999999)}",
            "name": name,
            "role": 1 if i == 0 else 0,
            "state": "MEETTING",
            "attendeeType": "normal",
            "accountId": f"logistics{i}@examplecorp",
            "email": f"logistics{i}@example-corp.com",
            "deptName": "Logistics",
        }
        for i, name in enumerate(names)
    ]
    people.append(
        {
            "participantID": "+99111700999",
            "name": "London Dock Room",
            "role": 0,
            "state": "MEETTING",
            "attendeeType": "terminal",
            "accountId": "room-london@examplecorp",
            "deptName": "Facilities",
        }
    )
    return SandboxMeeting(conference=conf, participants=people)


def sample_meetings() -> dict[str, SandboxMeeting]:
    """The sandbox's meetings by confUUID, the same on every call."""
    rng = random.Random(20261126)  # noqa: S311 - sample data, not security
    meetings = [_docs_example(rng), _large(rng), _recurring(rng)]
    return {m.conference["confUUID"]: m for m in meetings}


_SECRET_KEYS = {
    "password",
    "guestPwd",
    "chairJoinUri",
    "guestJoinUri",
    "audienceJoinUri",
    "liveAddress",
    "auxAddress",
    "liveUrl",
}
_CONTACT_KEYS = {"participantID", "subscriberID", "phone", "phone2", "phone3", "sms", "email"}


def _collect(value: Any, keys: set[str], found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str) and item.strip("*"):
                found.add(item)
            else:
                _collect(item, keys, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, keys, found)


def secret_strings(meetings: dict[str, SandboxMeeting]) -> set[str]:
    """Every secret value in the sample data: passwords, join links, stream push URLs."""
    found: set[str] = set()
    for meeting in meetings.values():
        _collect(meeting.conference, _SECRET_KEYS, found)
    return found


def contact_strings(meetings: dict[str, SandboxMeeting]) -> set[str]:
    """Every phone number and e-mail address in the sample data."""
    found: set[str] = set()
    for meeting in meetings.values():
        _collect(meeting.conference, _CONTACT_KEYS, found)
        _collect(meeting.participants, _CONTACT_KEYS, found)
    return found
