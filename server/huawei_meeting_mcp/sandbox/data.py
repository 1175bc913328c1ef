"""Deterministic sample meetings for the sandbox, shaped exactly like the API's answers.

The secrets in here (passwords, join links, push URLs, phone numbers) look real on purpose:
the tests search every output for these exact strings to prove they never leak.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import Any

DOCS_EXAMPLE_UUID = "9a0fa6d10a5b11eaae5e191763c22c0e"
LARGE_UUID = "4d2b9c7e51a011efb7e3fa163e5a9c01"
RECURRING_UUID = "7f1e0a9c2b3d11efa1b2fa163e5a9c02"

Json = dict[str, Any]


@dataclass
class SandboxMeeting:
    """One ended meeting: its `conferenceData`, every invited participant, and who actually joined."""

    conference: Json
    participants: list[Json] = field(default_factory=list)
    attendance: list[Json] = field(default_factory=list)
    """`confAttendeeRecord` rows, one per join-to-leave session, in order of joining."""
    mine: bool = True
    """The signed-in user organized it or was invited: listed without `queryAll=true`."""


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


# --- six months of history: the list and attendance endpoints -------------------------------------

HISTORY_FIRST_DAY = date(2026, 5, 25)
HISTORY_LAST_DAY = date(2026, 11, 25)
STANDUP_ID = "914087001"
"""The weekly stand-up's personal meeting ID: held twice a week, one confUUID per occurrence."""
ENTERPRISE = "Example Manufacturing Co., Ltd."

REJOINER = ("Kwame Mensah", "+233201234567")
"""In the large meeting: PC 01:00-01:40, phone 01:30-02:10 (overlapping), PC again 02:30-03:15 = 115 minutes."""
LONGEST = ("Daniel Kim", "+821012345678")
"""In the large meeting: 00:50-03:20, the longest stay (150 minutes)."""
SHORTEST = ("Fatima Noor", "+971501234567")
"""In the large meeting: 03:14:30-03:15:00, the shortest stay (half a minute)."""

_ROOM_DEVICES = {"terminal": "TE30", "ideahub": "IdeaHub", "board": "Board", "hwvision": "HUAWEI Vision"}


def _ms(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1)


def _api_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _from_api_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


def _record(person: Json, device: str, media: str, joined: datetime, left: datetime) -> Json:
    return {
        "displayName": person["name"],
        "callNumber": person["participantID"],
        "deviceType": device,
        "joinTime": _ms(joined),
        "leftTime": _ms(left),
        "mediaType": media,
        "deptName": person.get("deptName", ""),
    }


def _attendance(rng: random.Random, invitees: list[Json], start: datetime, end: datetime) -> list[Json]:
    """Who joined: most invitees, some late or leaving early, some dropping out and rejoining.

    Some are on a phone and a laptop at once, and now and then a guest dials in uninvited.
    """
    records: list[Json] = []
    guests = [
        {"name": f"Guest {rng.randrange(1000, 9999)}", "participantID": f"+8610{rng.randrange(10000000, 99999999)}"}
        for _ in range(rng.choice([0, 0, 1, 2]))
    ]
    for person in [*invitees, *guests]:
        if rng.random() < 0.15:
            continue
        kind = person.get("attendeeType", "outside")
        device = _ROOM_DEVICES.get(kind) or rng.choice(["PC", "PC", "PC", "Mobile", "Pad"])
        if kind == "outside":
            device = "Phone"
        media = "Voice" if device in {"Phone", "Mobile"} else "Video"
        joined = start + timedelta(seconds=rng.randint(-180, 300))
        left = end + timedelta(seconds=rng.randint(-120, 180))
        roll = rng.random()
        if roll < 0.10:  # left early
            records.append(_record(person, device, media, joined, joined + (left - joined) * rng.uniform(0.3, 0.8)))
        elif roll < 0.25:  # dropped out and came back
            drop = joined + (left - joined) * rng.uniform(0.2, 0.6)
            back = drop + timedelta(seconds=rng.randint(30, 240))
            records.append(_record(person, device, media, joined, drop))
            records.append(_record(person, device, media, back, left))
        elif roll < 0.30 and device == "PC":  # a phone as well, for a while
            records.append(_record(person, device, media, joined, left))
            extra = joined + (left - joined) * rng.uniform(0.1, 0.5)
            records.append(_record(person, "Mobile", "Voice", extra, extra + (left - extra) * rng.uniform(0.2, 0.6)))
        else:
            records.append(_record(person, device, media, joined, left))
    return sorted(records, key=lambda r: (r["joinTime"], r["displayName"]))


def _large_attendance(rng: random.Random, meeting: SandboxMeeting) -> list[Json]:
    """The large meeting's records (over 500), with three people whose numbers the tests know by heart."""
    start = _from_api_time(meeting.conference["startTime"])
    end = _from_api_time(meeting.conference["endTime"])
    at = start.replace(minute=0)  # 01:00 UTC

    def person(who: tuple[str, str]) -> Json:
        return {"name": who[0], "participantID": who[1], "deptName": "Partners"}

    scripted = [
        _record(person(REJOINER), "PC", "Video", at, at + timedelta(minutes=40)),
        _record(person(REJOINER), "Mobile", "Voice", at + timedelta(minutes=30), at + timedelta(minutes=70)),
        _record(person(REJOINER), "PC", "Video", at + timedelta(minutes=90), at + timedelta(minutes=135)),
        _record(person(LONGEST), "PC", "Video", at - timedelta(minutes=10), at + timedelta(minutes=140)),
        _record(
            person(SHORTEST), "Mobile", "Voice", at + timedelta(minutes=134, seconds=30), at + timedelta(minutes=135)
        ),
    ]
    records = _attendance(rng, meeting.participants, start, end) + scripted
    return sorted(records, key=lambda r: (r["joinTime"], r["displayName"]))


def _roster(rng: random.Random) -> list[Json]:
    names = [name for group in _GIVEN.values() for name in group]
    return [
        {
            "participantID": f"+8613{rng.randrange(100000000, 999999999)}",
            "name": name,
            "role": 0,
            "state": "MEETTING",
            "attendeeType": "normal",
            "accountId": f"staff{i:02d}@examplecorp",
            "email": f"staff{i:02d}.{_hex(rng, 4)}@example-corp.com",
            "deptName": _DEPARTMENTS[i % len(_DEPARTMENTS)],
        }
        for i, name in enumerate(names)
    ]


def _occurrence(
    rng: random.Random,
    *,
    subject: str,
    organizer: str,
    zone_id: str,
    start: datetime,
    minutes: int,
    invitees: list[Json],
    conf_type: str = "FUTURE",
    recorded: bool = False,
    mine: bool = True,
) -> SandboxMeeting:
    end = start + timedelta(minutes=minutes)
    people = [dict(p, role=1 if i == 0 else 0) for i, p in enumerate(invitees)]
    conf: Json = {
        "conferenceID": f"{rng.randrange(900000000, 999999999)}",
        "confUUID": _hex(rng, 32),
        "subject": subject,
        "size": len(people),
        "timeZoneID": zone_id,
        "startTime": _api_time(start),
        "endTime": _api_time(end),
        "mediaTypes": "Voice,Video,Data",
        "conferenceState": "Destroyed",
        "language": "en-US",
        "userUUID": _hex(rng, 32),
        "scheduserName": organizer,
        "conferenceType": 0,
        "confType": conf_type,
        "isAutoMute": 1,
        "isAutoRecord": 1 if recorded else 0,
        "recordType": 2 if recorded else 0,
        "recordAuthType": 1,
        "vmrFlag": 0,
        "isHasRecordFile": recorded,
        "terminlCount": 0,
        "normalCount": len(people),
        "deptName": ENTERPRISE,
        "confMode": "RTC",
    }
    _secrets(conf, rng)
    return SandboxMeeting(conf, people, _attendance(rng, people, start, end), mine)


def _standup(rng: random.Random, recurring: SandboxMeeting, start: datetime) -> SandboxMeeting:
    """Another occurrence of the weekly stand-up: same meeting ID and invitees, its own confUUID."""
    conf = json.loads(json.dumps(recurring.conference))
    end = start + timedelta(minutes=rng.randint(18, 32))
    conf.update(confUUID=_hex(rng, 32), startTime=_api_time(start), endTime=_api_time(end))
    people = recurring.participants
    return SandboxMeeting(conf, people, _attendance(rng, people, start, end))


def history(large: SandboxMeeting, recurring: SandboxMeeting) -> list[SandboxMeeting]:
    """Six months of ended meetings around the showcases, and attendance records for the showcases too.

    A twice-weekly stand-up on one personal meeting ID, a weekly supply-chain review, a monthly
    all-hands, Finance meetings the signed-in user was not invited to, and ad-hoc instant calls.
    """
    rng = random.Random(20260525)  # noqa: S311 - sample data, not security
    large.attendance = _large_attendance(rng, large)
    recurring_start = _from_api_time(recurring.conference["startTime"])
    recurring.attendance = _attendance(
        rng, recurring.participants, recurring_start, _from_api_time(recurring.conference["endTime"])
    )
    roster = _roster(rng)
    finance = [p for p in roster if p["deptName"] == "Finance"] + roster[:3]
    meetings: list[SandboxMeeting] = []
    day = HISTORY_FIRST_DAY
    while day <= HISTORY_LAST_DAY:
        midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        weekday = day.weekday()
        if weekday in (0, 2) and day >= date(2026, 6, 1) and day != recurring_start.date():
            meetings.append(_standup(rng, recurring, midnight + timedelta(hours=8)))
        if weekday == 1 and day != date(2026, 11, 24):
            meetings.append(
                _occurrence(
                    rng,
                    subject="Supply-chain review / 供应链周会",
                    organizer="李娜 (Li Na)",
                    zone_id="56",
                    start=midnight + timedelta(hours=1),
                    minutes=rng.choice([45, 60, 60, 75]),
                    invitees=rng.sample(roster, 12),
                    recorded=day.isocalendar()[1] % 2 == 0,
                )
            )
        if weekday == 3 and day.day <= 7:
            meetings.append(
                _occurrence(
                    rng,
                    subject=f"All-hands {day:%B %Y}",
                    organizer="王伟",
                    zone_id="56",
                    start=midnight + timedelta(hours=6),
                    minutes=90,
                    invitees=roster,
                    recorded=True,
                )
            )
        if weekday == 4 and day.isocalendar()[1] % 2 == 1:
            meetings.append(
                _occurrence(
                    rng,
                    subject="Finance forecast sync",
                    organizer="Zoë Müller",
                    zone_id="27",
                    start=midnight + timedelta(hours=9),
                    minutes=50,
                    invitees=finance,
                    mine=False,
                )
            )
        if weekday < 5 and rng.random() < 0.1:
            meetings.append(
                _occurrence(
                    rng,
                    subject=rng.choice(["Quick sync", "Supplier call: 华南物流", "Incident review", "1:1"]),
                    organizer=rng.choice(["Amélie Dubois", "李娜 (Li Na)", "José Álvarez"]),
                    zone_id=rng.choice(["26", "56", "29"]),
                    start=midnight + timedelta(hours=rng.randint(1, 16), minutes=rng.choice([0, 15, 30, 45])),
                    minutes=rng.randint(10, 40),
                    invitees=rng.sample(roster, rng.randint(2, 5)),
                    conf_type="IMMEDIATELY",
                )
            )
        day += timedelta(days=1)
    return meetings


def sample_meetings() -> dict[str, SandboxMeeting]:
    """The sandbox's meetings by confUUID, the same on every call: three showcases and six months of history."""
    rng = random.Random(20261126)  # noqa: S311 - sample data, not security
    meetings = [_docs_example(rng), _large(rng), _recurring(rng)]
    meetings.extend(history(meetings[1], meetings[2]))
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
_CONTACT_KEYS = {"participantID", "subscriberID", "phone", "phone2", "phone3", "sms", "email", "callNumber"}


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
        _collect(meeting.attendance, _CONTACT_KEYS, found)
    return found
