"""Deterministic sample meetings for the sandbox, shaped exactly like the API's answers.

The meetings move with the clock: six months of history ending yesterday (UTC), anchored to the
*day* of `now` so that one test session sees the same data from its first test to its last, and
the same day always gives the same data. Pin the day with `sample_meetings(now=...)` (or
`Sandbox(now=...)`). The docs example meeting (2019) never moves.

Times in the data are UTC (`YYYY-MM-DD HH:MM`, the reading the server assumes by default); the
London stand-up recurs at 09:00 London time, so its UTC time moves with summer time.

The secrets in here (passwords, join links, push URLs, recording links, phone numbers) look real
on purpose: the tests search every output for these exact strings to prove they never leak.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone
from functools import partial
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from .names import GUESTS, distinct_names, endless_names
from .records import ALL_PARTICIPANTS, ControlRecord, ordinary_story, recording

DOCS_EXAMPLE_UUID = "9a0fa6d10a5b11eaae5e191763c22c0e"
LARGE_UUID = "4d2b9c7e51a011efb7e3fa163e5a9c01"
RECURRING_UUID = "7f1e0a9c2b3d11efa1b2fa163e5a9c02"
WEBINAR_UUID = "b3c8e1f05d7a11efa9e4fa163e5a9c03"
TRANSCODING_UUID = "e51a7c2d6b8e11efb1c2fa163e5a9c04"

Json = dict[str, Any]

LONDON = ZoneInfo("Europe/London")
STANDUP_LOCAL_HOUR = 9
"""The stand-up's recurrence is in the meeting's zone (London): 09:00 local all year."""
WEBINAR_RECORDS = 10_000
"""Attendance records of the webinar showcase (issue 13's benchmark)."""
ORGANIZER_IDS = {
    "李娜 (Li Na)": "lina@examplecorp",
    "王伟": "wangwei@examplecorp",
    "Zoë Müller": "zoe.mueller@examplecorp",
    "José Álvarez": "jose.alvarez@examplecorp",
    "Amélie Dubois": "logistics0@examplecorp",
}
"""The Huawei user ID (App ID `userId`) of each sample organizer; participants' IDs are their `accountId`."""


class SandboxMeeting:
    """One ended meeting: `conferenceData`, every participant, who actually joined, its recording and control log.

    Attendance and control records can be built lazily (the 10,000-record webinar): pass a builder
    and they are made on first use, so creating a sandbox stays cheap.
    """

    def __init__(
        self,
        conference: Json,
        participants: list[Json] | None = None,
        attendance: list[Json] | None = None,
        mine: bool = True,
        *,
        build_attendance: Callable[[], list[Json]] | None = None,
        recording: Json | None = None,
        story: Callable[[], list[ControlRecord]] | None = None,
    ) -> None:
        """`mine`: the signed-in user organized it or was invited, so it is listed without `queryAll=true`."""
        self.conference = conference
        self.participants: list[Json] = participants if participants is not None else []
        self._attendance = attendance
        self._build_attendance = build_attendance
        self.mine = mine
        self.recording = recording
        """The §3.4 recording object, or None when the meeting has no recording."""
        self._story = story
        self._control: list[ControlRecord] | None = None
        self._people: frozenset[str] | None = None

    @property
    def people(self) -> frozenset[str]:
        """The user IDs who see this meeting when signed in as themselves: its organizer and its participants."""
        if self._people is None:
            organizer = ORGANIZER_IDS.get(str(self.conference.get("scheduserName", "")))
            listed = {str(p["accountId"]) for p in self.participants if p.get("accountId")}
            self._people = frozenset(listed | ({organizer} if organizer else set()))
        return self._people

    @property
    def attendance(self) -> list[Json]:
        """`confAttendeeRecord` rows, one per join-to-leave session, in order of joining."""
        if self._attendance is None:
            self._attendance = self._build_attendance() if self._build_attendance else []
        return self._attendance

    @attendance.setter
    def attendance(self, records: list[Json]) -> None:
        self._attendance = records

    @property
    def attendance_built(self) -> bool:
        """False while a lazy meeting's records have never been asked for (so none was ever served)."""
        return self._attendance is not None

    @property
    def control_records(self) -> list[ControlRecord]:
        """The meeting's control records in time order (§3.6), built on first use."""
        if self._control is None:
            self._control = sorted(self._story() if self._story else [], key=lambda r: r.at)
        return self._control

    @property
    def control_built(self) -> bool:
        """False while the control records have never been asked for."""
        return self._control is not None


def hex_id(rng: random.Random, n: int) -> str:
    """`n` random lowercase hex digits (IDs, link tails)."""
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def give_secrets(conf: Json, rng: random.Random) -> None:
    """Give a meeting the secret fields a real answer carries."""
    conf_id = conf["conferenceID"]
    conf["passwordEntry"] = [
        {"conferenceRole": "chair", "password": f"{rng.randrange(100000, 999999)}"},
        {"conferenceRole": "general", "password": f"{rng.randrange(100000, 999999)}"},
    ]
    conf["chairJoinUri"] = f"https://c.meeting.huaweicloud.com/#/j/{conf_id}/{hex_id(rng, 48)}"
    conf["guestJoinUri"] = f"https://c.meeting.huaweicloud.com/#/j/{conf_id}/{hex_id(rng, 48)}"
    conf["audienceJoinUri"] = f"https://c.meeting.huaweicloud.com/#/w/{conf_id}/{hex_id(rng, 48)}"
    conf["liveAddress"] = f"rtmp://push.live.example.com/live/{conf_id}?key={hex_id(rng, 32)}"
    conf["auxAddress"] = f"rtmp://push.live.example.com/aux/{conf_id}?key={hex_id(rng, 32)}"
    conf.setdefault("confConfigInfo", {})["guestPwd"] = f"{rng.randrange(10000000, 99999999)}"


def _docs_example(rng: random.Random) -> SandboxMeeting:
    text = resources.files(__package__).joinpath("docs_example.json").read_text(encoding="utf-8")
    body = json.loads(text)
    conf = body["conferenceData"]
    conf["confUUID"] = DOCS_EXAMPLE_UUID
    conf["conferenceState"] = "Destroyed"
    published_links = {key: conf[key] for key in ("chairJoinUri", "guestJoinUri")}
    give_secrets(conf, rng)
    # The published example masks the passwords (the live service sends them) but shows real links.
    conf.update(published_links)
    return SandboxMeeting(conference=conf, participants=body["data"]["data"], attendance=[])


DEPARTMENTS = ["Supply Chain", "供应链管理部", "R&D", "Finance", "Sales EMEA", "Procurement", "物流部"]
_ROOMS = ["Shenzhen B1", "Dongguan Lake Hall", "Munich Isar", "Dubai Marina", "Shanghai Hub"]
ROOM_TYPES = {"terminal", "ideahub", "board", "hwvision"}
ENTERPRISE = "Example Manufacturing Co., Ltd."
STANDUP_ID = "914087001"
"""The London stand-up's personal meeting ID: held twice a week, one confUUID per occurrence."""

REJOINER = ("Kwame Mensah", "+233201234567")
"""Uninvited in the large meeting: PC 01:00-01:40, phone 01:30-02:10 (overlapping), PC again 02:30-03:15 = 115 min."""
LONGEST = ("Daniel Kim", "+821012345678")
"""Uninvited in the large meeting: 00:50-03:20, the longest stay (150 minutes)."""
SHORTEST = ("Fatima Noor", "+971501234567")
"""Uninvited in the large meeting: 03:14:30-03:15:00, the shortest stay (half a minute)."""
REMOVED_GUEST = ("Lena Vogel", "+4915112345678")
"""Uninvited in the large meeting, admitted from the waiting room at 01:12 and removed by the co-host at 01:20."""

LARGE_ABSENT = (12, 45, 101, 250, 333, 480, 592)
"""Participant indices of the large meeting who never joined (592 is a room terminal)."""
LARGE_OTHER_NUMBER = (30, 150, 301, 450)
"""Joined from another number than their participantID: matchable by name only."""
LARGE_OTHER_NAME = {60: "HUAWEI MatePad 11", 211: "iPhone", 390: "Meeting Room Phone"}
"""Joined under another display name from their own number: matchable by number only."""
LARGE_INVITED_DURING = 3
"""The last participants of the large meeting were invited by the host during the meeting (§3.8)."""

_ROOM_DEVICES = {"terminal": "TE30", "ideahub": "IdeaHub", "board": "Board", "hwvision": "HUAWEI Vision"}


def _ms(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1)


def api_time(moment: datetime) -> str:
    """`moment` in the API's `YYYY-MM-DD HH:MM` form, UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


def from_api_time(value: str) -> datetime:
    """A sample `YYYY-MM-DD HH:MM` time (UTC) as an aware datetime."""
    return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def standup_start(day: date) -> datetime:
    """When the stand-up starts on `day`: 09:00 London time, in UTC (08:00 in summer, 09:00 in winter)."""
    return datetime(day.year, day.month, day.day, STANDUP_LOCAL_HOUR, tzinfo=LONDON).astimezone(timezone.utc)


def attendance_record(person: Json, device: str, media: str, joined: datetime, left: datetime, **override: str) -> Json:
    """One `confAttendeeRecord` row for `person`; `override` changes what the row shows (another number or name)."""
    row = {
        "displayName": person["name"],
        "callNumber": person["participantID"],
        "deviceType": device,
        "joinTime": _ms(joined),
        "leftTime": _ms(left),
        "mediaType": media,
        "deptName": person.get("deptName", ""),
    }
    row.update(override)
    return row


def _sessions(rng: random.Random, person: Json, start: datetime, end: datetime, **override: str) -> list[Json]:
    """One person's sessions: on time or not, some leaving early, dropping out, or on a phone as well."""
    kind = person.get("attendeeType", "outside")
    device = _ROOM_DEVICES.get(kind) or rng.choice(["PC", "PC", "PC", "Mobile", "Pad"])
    if kind == "outside":
        device = "Phone"
    media = "Voice" if device in {"Phone", "Mobile"} else "Video"
    joined = start + timedelta(seconds=rng.randint(-180, 300))
    left = end + timedelta(seconds=rng.randint(-120, 180))
    roll = rng.random()
    if roll < 0.10:  # left early
        return [
            attendance_record(
                person, device, media, joined, joined + (left - joined) * rng.uniform(0.3, 0.8), **override
            )
        ]
    if roll < 0.25:  # dropped out and came back
        drop = joined + (left - joined) * rng.uniform(0.2, 0.6)
        back = drop + timedelta(seconds=rng.randint(30, 240))
        return [
            attendance_record(person, device, media, joined, drop, **override),
            attendance_record(person, device, media, back, left, **override),
        ]
    if roll < 0.30 and device == "PC":  # a phone as well, for a while
        extra = joined + (left - joined) * rng.uniform(0.1, 0.5)
        return [
            attendance_record(person, device, media, joined, left, **override),
            attendance_record(
                person, "Mobile", "Voice", extra, extra + (left - extra) * rng.uniform(0.2, 0.6), **override
            ),
        ]
    return [attendance_record(person, device, media, joined, left, **override)]


def _by_join(records: list[Json]) -> list[Json]:
    return sorted(records, key=lambda r: (r["joinTime"], r["displayName"]))


def invitee_attendance(rng: random.Random, invitees: list[Json], start: datetime, end: datetime) -> list[Json]:
    """Who joined: most invitees (some never do), and now and then an outside guest dials in uninvited."""
    guests = [
        {"name": name, "participantID": f"+8610{rng.randrange(10000000, 99999999)}"}
        for name in rng.sample(GUESTS[3:], rng.choice([0, 0, 1, 2]))
    ]
    records: list[Json] = []
    for person in [*invitees, *guests]:
        if rng.random() >= 0.15:
            records.extend(_sessions(rng, person, start, end))
    return _by_join(records)


# --- the showcases ---------------------------------------------------------------------------------


def _large(rng: random.Random, day: date) -> SandboxMeeting:
    """The supply-chain review on the latest Tuesday: 620 participants, 41 of them rooms, a full story."""
    start = _midnight(day) + timedelta(hours=1)
    end = start + timedelta(minutes=135)
    total = 620
    room_slots = [i for i in range(total) if i % 15 == 7]
    names = iter(distinct_names(total - len(room_slots)))
    people: list[Json] = []
    for i in range(total):
        if i in room_slots:
            room = _ROOMS[i % len(_ROOMS)]
            people.append(
                {
                    "participantID": f"+99111{7000 + i:05d}",
                    "name": f"{room} {i // 100 + 1}F-{i % 100:02d}",
                    "role": 0,
                    "state": "MEETTING",
                    "attendeeType": "ideahub" if i % 2 else "terminal",
                    "accountId": f"room{i:03d}@examplecorp",
                    "deptName": "Facilities",
                    "userUUID": hex_id(rng, 32),
                }
            )
            continue
        people.append(
            {
                "participantID": f"+8613{rng.randrange(100000000, 999999999)}",
                "name": next(names),
                "role": 1 if i == 0 else 0,
                "state": "MEETTING",
                "attendeeType": "outside" if i % 23 == 5 else ("mobile" if i % 29 == 3 else "normal"),
                "accountId": f"user{i:03d}@examplecorp",
                "email": f"user{i:03d}.{hex_id(rng, 4)}@example-corp.com",
                "sms": f"+8615{rng.randrange(100000000, 999999999)}",
                "deptName": DEPARTMENTS[i % len(DEPARTMENTS)],
                "userUUID": hex_id(rng, 32),
            }
        )
    rooms = [p for p in people if p["attendeeType"] in ROOM_TYPES]
    scheduled = people[: total - LARGE_INVITED_DURING]
    conf: Json = {
        "conferenceID": "960142387",
        "confUUID": LARGE_UUID,
        "subject": "Q3 supply-chain review / 第三季度供应链评审",
        "size": total,
        "timeZoneID": "56",
        "startTime": api_time(start),
        "endTime": api_time(end),
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
        # The counts match the participant list the detail answer pages through.
        "terminlCount": len(rooms),
        "normalCount": total - len(rooms),
        "deptName": ENTERPRISE,
        "webinar": False,
        "confMode": "RTC",
    }
    give_secrets(conf, rng)
    # The scheduling-time list: at most the first 20 soft clients and the first 20 room terminals (§2.7).
    soft = [p for p in scheduled if p["attendeeType"] not in ROOM_TYPES][:20]
    conf["partAttendeeInfo"] = [
        {"name": p["name"], "phone": p["participantID"], "type": p["attendeeType"]} for p in soft + rooms[:20]
    ]
    return SandboxMeeting(
        conf,
        people,
        _large_attendance(rng, people, start, end),
        recording=recording(conf, start, end, auth_type=1),
        story=lambda: _large_story(people, start, end),
    )


def _large_attendance(rng: random.Random, people: list[Json], start: datetime, end: datetime) -> list[Json]:
    """Every participant but a few joined; some under another number or name; six outside guests came uninvited."""
    records: list[Json] = []
    for i, person in enumerate(people):
        if i in LARGE_ABSENT:
            continue
        if i >= len(people) - LARGE_INVITED_DURING:  # invited at 01:40, in within two minutes
            joined = start + timedelta(minutes=40, seconds=rng.randint(20, 120))
            records.append(
                attendance_record(person, "PC", "Video", joined, end + timedelta(seconds=rng.randint(-60, 60)))
            )
            continue
        override: dict[str, str] = {}
        if i in LARGE_OTHER_NUMBER:
            override["callNumber"] = f"+8675528{rng.randrange(100000, 999999)}"
        if i in LARGE_OTHER_NAME:
            override["displayName"] = LARGE_OTHER_NAME[i]
        records.extend(_sessions(rng, person, start, end, **override))

    def guest(who: tuple[str, str]) -> Json:
        return {"name": who[0], "participantID": who[1], "deptName": "Partners"}

    at = start
    minutes = timedelta(minutes=1)
    records += [
        attendance_record(guest(REJOINER), "PC", "Video", at, at + 40 * minutes),
        attendance_record(guest(REJOINER), "Mobile", "Voice", at + 30 * minutes, at + 70 * minutes),
        attendance_record(guest(REJOINER), "PC", "Video", at + 90 * minutes, at + 135 * minutes),
        attendance_record(guest(LONGEST), "PC", "Video", at - 10 * minutes, at + 140 * minutes),
        attendance_record(
            guest(SHORTEST), "Mobile", "Voice", at + timedelta(minutes=134, seconds=30), at + 135 * minutes
        ),
        attendance_record(guest(REMOVED_GUEST), "PC", "Video", at + 12 * minutes, at + 20 * minutes),
        attendance_record(guest(("Tomás Herrera", "+34612345678")), "PC", "Video", at + 5 * minutes, at + 90 * minutes),
        attendance_record(guest(("Priya Nair", "+919812345678")), "Phone", "Voice", at + 15 * minutes, end),
    ]
    return _by_join(records)


def _large_story(people: list[Json], start: datetime, end: datetime) -> list[ControlRecord]:
    """Li Na runs the review: recording, mute all, a co-host, a guest admitted then removed, a lock, three invites."""
    host, cohost = "李娜 (Li Na)", people[1]["name"]
    minute = timedelta(minutes=1)
    invited = people[-LARGE_INVITED_DURING:]
    return [
        ControlRecord(start - 3 * minute, "PC", host, "START_CONF"),
        ControlRecord(
            start + timedelta(seconds=40), "PC", host, "START_RECORD", "", "OK", ("Cloud recording", "云录制")
        ),
        ControlRecord(start + 2 * minute, "PC", host, "MUTE_ALL", ALL_PARTICIPANTS),
        ControlRecord(start + 4 * minute, "PC", host, "SET_COHOST", cohost),
        ControlRecord(start + 12 * minute, "PC", cohost, "ADMIT_WAITING", REMOVED_GUEST[0]),
        ControlRecord(start + 19 * minute, "MOBILE", cohost, "REMOVE_PARTICIPANT", REMOVED_GUEST[0], "FAILED"),
        ControlRecord(
            start + 20 * minute,
            "PC",
            cohost,
            "REMOVE_PARTICIPANT",
            REMOVED_GUEST[0],
            "OK",
            ("Not on the supplier list", "不在供应商名单中"),
        ),
        *[ControlRecord(start + 40 * minute, "PC", host, "INVITE_PARTICIPANT", p["name"]) for p in invited],
        ControlRecord(start + 45 * minute, "PC", host, "LOCK_CONF", "Q3 supply-chain review / 第三季度供应链评审"),
        ControlRecord(start + 50 * minute, "IDEAHUB", people[7]["name"], "START_SHARE"),
        ControlRecord(start + 90 * minute, "PC", host, "UNMUTE_ALL", ALL_PARTICIPANTS),
        ControlRecord(start + 120 * minute, "SYSTEM", host, "EXTEND_CONF", "", "OK", ("15 minutes", "15 分钟")),
        ControlRecord(end - timedelta(seconds=30), "PC", host, "STOP_RECORD"),
        ControlRecord(end, "PC", host, "END_CONF"),
    ]


def _standup_people(rng: random.Random) -> list[Json]:
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
    return people


def standup_days(first: date) -> list[date]:
    """The 50 days of the stand-up series from `first` (a Monday): Mondays and Wednesdays for 25 weeks."""
    return [first + timedelta(weeks=w, days=d) for w in range(25) for d in (0, 2)]


def _recurring(rng: random.Random, today: date) -> tuple[Json, list[Json], list[date]]:
    """The stand-up series (conference data with its 50 `subConfs`), its people, and the days it was held."""
    this_monday = today - timedelta(days=today.weekday())
    days = standup_days(this_monday - timedelta(weeks=21))
    sub_confs = [
        {
            "cycleSubConfID": hex_id(rng, 32),
            "conferenceID": STANDUP_ID,
            "mediaType": "Video",
            "startTime": api_time(standup_start(day)),
            "endTime": api_time(standup_start(day) + timedelta(minutes=25)),
            "isAutoRecord": 0,
            "recordAuthType": 1,
            "description": "",
        }
        for day in days
    ]
    conf: Json = {
        "conferenceID": STANDUP_ID,
        "subject": "Weekly logistics stand-up",
        "size": 6,
        "timeZoneID": "26",
        "mediaTypes": "Voice,Video",
        "conferenceState": "Destroyed",
        "language": "en-US",
        "scheduserName": "Amélie Dubois",
        "conferenceType": 2,
        "confType": "CYCLE",
        "cycleParams": {
            "startDate": days[0].isoformat(),
            "endDate": days[-1].isoformat(),
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
        "vmrConferenceID": STANDUP_ID,
        "isHasRecordFile": False,
        "terminlCount": 1,
        "normalCount": 5,
        "deptName": ENTERPRISE,
        "cycleSubConfID": sub_confs[0]["cycleSubConfID"],
        "subConfs": sub_confs,
    }
    give_secrets(conf, rng)
    return conf, _standup_people(rng), [day for day in days if day < today]


def _roster(rng: random.Random) -> list[Json]:
    return [
        {
            "participantID": f"+8613{rng.randrange(100000000, 999999999)}",
            "name": name,
            "role": 0,
            "state": "MEETTING",
            "attendeeType": "normal",
            "accountId": f"staff{i:02d}@examplecorp",
            "email": f"staff{i:02d}.{hex_id(rng, 4)}@example-corp.com",
            "deptName": DEPARTMENTS[i % len(DEPARTMENTS)],
        }
        for i, name in enumerate(distinct_names(30))
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
    record_auth: int | None = None,
    mine: bool = True,
    conf_uuid: str | None = None,
) -> SandboxMeeting:
    """One ended meeting; `record_auth` (0, 1, 2) gives it a recording watchable by that audience."""
    recorded = record_auth is not None
    end = start + timedelta(minutes=minutes)
    people = [dict(p, role=1 if i == 0 else 0) for i, p in enumerate(invitees)]
    conf: Json = {
        "conferenceID": f"{rng.randrange(900000000, 999999999)}",
        "confUUID": conf_uuid or hex_id(rng, 32),
        "subject": subject,
        "size": len(people),
        "timeZoneID": zone_id,
        "startTime": api_time(start),
        "endTime": api_time(end),
        "mediaTypes": "Voice,Video,Data",
        "conferenceState": "Destroyed",
        "language": "en-US",
        "userUUID": hex_id(rng, 32),
        "scheduserName": organizer,
        "conferenceType": 0,
        "confType": conf_type,
        "isAutoMute": 1,
        "isAutoRecord": 1 if recorded else 0,
        "recordType": 2 if recorded else 0,
        "recordAuthType": 1 if record_auth is None else record_auth,
        "vmrFlag": 0,
        "isHasRecordFile": recorded,
        "terminlCount": 0,
        "normalCount": len(people),
        "deptName": ENTERPRISE,
        "confMode": "RTC",
    }
    give_secrets(conf, rng)
    return SandboxMeeting(
        conf,
        people,
        invitee_attendance(rng, people, start, end),
        mine,
        recording=recording(conf, start, end) if recorded else None,
        story=lambda: ordinary_story(conf, people, start, end),
    )


def _standup(
    rng: random.Random, series: Json, people: list[Json], day: date, conf_uuid: str | None = None
) -> SandboxMeeting:
    """One held occurrence of the stand-up: same meeting ID and invitees, its own confUUID and times."""
    start = standup_start(day)
    end = start + timedelta(minutes=rng.randint(18, 32))
    conf = dict(series, confUUID=conf_uuid or hex_id(rng, 32), startTime=api_time(start), endTime=api_time(end))
    return SandboxMeeting(
        conf,
        people,
        invitee_attendance(rng, people, start, end),
        story=lambda: ordinary_story(conf, people, start, end),
    )


def _webinar(rng: random.Random, day: date) -> SandboxMeeting:
    """A product-launch webinar with 10,000 attendance records, built only when first asked for."""
    start = _midnight(day) + timedelta(hours=12)
    end = start + timedelta(minutes=120)
    panel = [
        {
            "participantID": f"+8613{rng.randrange(100000000, 999999999)}",
            "name": name,
            "role": 1 if i == 0 else 0,
            "state": "MEETTING",
            "attendeeType": "normal",
            "accountId": f"panel{i:02d}@examplecorp",
            "deptName": "Marketing",
        }
        for i, name in enumerate(distinct_names(60)[30:42])
    ]
    conf: Json = {
        "conferenceID": "968800120",
        "confUUID": WEBINAR_UUID,
        "subject": "Product launch webinar: SmartLine X",
        "size": len(panel),
        "timeZoneID": "56",
        "startTime": api_time(start),
        "endTime": api_time(end),
        "mediaTypes": "Voice,HDVideo,Data",
        "conferenceState": "Destroyed",
        "language": "en-US",
        "scheduserName": panel[0]["name"],
        "conferenceType": 0,
        "confType": "FUTURE",
        "isAutoMute": 1,
        "isAutoRecord": 0,
        "recordType": 0,
        "recordAuthType": 0,
        "vmrFlag": 0,
        "isHasRecordFile": False,
        "terminlCount": 0,
        "normalCount": len(panel),
        "deptName": ENTERPRISE,
        "webinar": True,
        "confMode": "RTC",
    }
    give_secrets(conf, rng)
    seed = rng.random()

    def build() -> list[Json]:
        crowd = random.Random(seed)  # noqa: S311 - sample data, not security
        names = endless_names()
        records = [attendance_record(p, "PC", "Video", start - timedelta(minutes=5), end) for p in panel]
        while len(records) < WEBINAR_RECORDS:
            person = {"name": next(names), "participantID": f"+86{crowd.randrange(13000000000, 19999999999)}"}
            records.extend(_sessions(crowd, person, start, end))
        return _by_join(records[:WEBINAR_RECORDS])

    return SandboxMeeting(conf, panel, build_attendance=build, story=lambda: ordinary_story(conf, panel, start, end))


HUDDLE_ID = "914087002"
"""The quality huddle's meeting ID: held every Thursday for the last eight weeks, one confUUID per occurrence."""
HUDDLE_MINUTES = (30, 45, 38, 52, 41, 36, 47, 33)
"""Each huddle's length, oldest first: the fourth ran longest."""
HUDDLE_IPHONE = "Chloé Rossi"
"""Invited by name; joins some huddles as "iPhone" from her own number."""
HUDDLE_IPHONE_WEEKS = (1, 3, 4)
"""The huddles (0 = oldest) she joined as "iPhone"."""
HUDDLE_ABSENT_DEPARTMENT = "Procurement"
"""The whole department missed some huddles."""
HUDDLE_DEPARTMENT_ABSENT_WEEKS = (2, 5)
"""The huddles (0 = oldest) nobody from Procurement joined."""
HUDDLE_HALF_TIMER = "Mateo Silva"
"""Joins only every other huddle (the even ones, 0 = oldest)."""
HUDDLE_ROOM = "Dongguan QA Lab"
"""The lab's room terminal: joins every huddle but the first."""


def _huddle_people() -> list[Json]:
    rows = [
        ("Søren Kierkegård", "Quality", "normal"),
        (HUDDLE_IPHONE, "Quality", "normal"),
        (HUDDLE_HALF_TIMER, "Quality", "normal"),
        ("Jonas Nowak", HUDDLE_ABSENT_DEPARTMENT, "normal"),
        ("鈴木 花子", HUDDLE_ABSENT_DEPARTMENT, "normal"),
        ("Ng Wei Ling", "Logistics", "normal"),
        ("Иван Петров", "Logistics", "mobile"),
        (HUDDLE_ROOM, "Facilities", "terminal"),
    ]
    return [
        {
            "participantID": f"+86769{2200100 + i:07d}" if kind != "terminal" else "+99111760001",
            "name": name,
            "role": 1 if i == 0 else 0,
            "state": "MEETTING",
            "attendeeType": kind,
            "accountId": f"quality{i}@examplecorp",
            "deptName": dept,
        }
        for i, (name, dept, kind) in enumerate(rows)
    ]


def _huddle_attendance(people: list[Json], week: int, start: datetime, end: datetime) -> list[Json]:
    """Who joined one huddle: deterministic, so a test can read the answer off the data."""
    records: list[Json] = []
    for i, person in enumerate(people):
        name, dept = person["name"], person["deptName"]
        if dept == HUDDLE_ABSENT_DEPARTMENT and week in HUDDLE_DEPARTMENT_ABSENT_WEEKS:
            continue
        if name == HUDDLE_HALF_TIMER and week % 2:
            continue
        if name == HUDDLE_ROOM and week == 0:
            continue
        device = "TE30" if person["attendeeType"] == "terminal" else ("Mobile" if i % 3 else "PC")
        media = "Video" if device != "Mobile" else "Voice"
        joined = start + timedelta(minutes=i % 3)
        left = end - timedelta(minutes=(i * week) % 4)
        shown = {"displayName": "iPhone"} if name == HUDDLE_IPHONE and week in HUDDLE_IPHONE_WEEKS else {}
        records.append(attendance_record(person, device, media, joined, left, **shown))
    return _by_join(records)


def _huddles(today: date) -> list[SandboxMeeting]:
    """The weekly quality huddle: eight Thursdays before `today`, a series to ask questions across."""
    rng = random.Random(20261203)  # noqa: S311 - sample data, not security
    people = _huddle_people()
    last = _latest(today, 3)
    meetings = []
    for week, length in enumerate(HUDDLE_MINUTES):
        day = last - timedelta(weeks=len(HUDDLE_MINUTES) - 1 - week)
        start = _midnight(day) + timedelta(hours=7)
        end = start + timedelta(minutes=length)
        conf: Json = {
            "conferenceID": HUDDLE_ID,
            "confUUID": hex_id(rng, 32),
            "subject": "Weekly quality huddle",
            "size": len(people),
            "timeZoneID": "56",
            "startTime": api_time(start),
            "endTime": api_time(end),
            "mediaTypes": "Voice,Video",
            "conferenceState": "Destroyed",
            "language": "en-US",
            "scheduserName": "Søren Kierkegård",
            "conferenceType": 0,
            "confType": "FUTURE",
            "isAutoMute": 1,
            "isAutoRecord": 0,
            "recordType": 0,
            "recordAuthType": 1,
            "vmrFlag": 1,
            "vmrConferenceID": HUDDLE_ID,
            "isHasRecordFile": False,
            "terminlCount": 1,
            "normalCount": len(people) - 1,
            "deptName": ENTERPRISE,
            "confMode": "RTC",
        }
        give_secrets(conf, rng)
        records = _huddle_attendance(people, week, start, end)
        meetings.append(SandboxMeeting(conf, people, records, story=partial(ordinary_story, conf, people, start, end)))
    return meetings


def _latest(today: date, weekday: int) -> date:
    """The latest `weekday` (Monday = 0) strictly before `today`."""
    return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)


def anchor_day(now: datetime | None = None) -> date:
    """The UTC day the sample data is anchored to: `now`'s (default: the current clock's)."""
    moment = now or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).date()


HISTORY_DAYS = 184
"""The history runs from `HISTORY_DAYS` days before the anchor day to the day before it."""


def history_span(today: date) -> tuple[date, date]:
    """The first and last day of the sample history anchored to `today`."""
    return today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1)


def _history(rng: random.Random, today: date, review_day: date, standups: list[date]) -> list[SandboxMeeting]:
    """Six months of ended meetings around the showcases.

    A weekly supply-chain review, a monthly all-hands, Finance meetings the signed-in user was not
    invited to, and ad-hoc instant calls (the stand-up's occurrences are made by the caller).
    """
    roster = _roster(rng)
    finance = [p for p in roster if p["deptName"] == "Finance"] + roster[:3]
    meetings: list[SandboxMeeting] = []
    first, last = history_span(today)
    day = first
    while day <= last:
        midnight = _midnight(day)
        weekday, week = day.weekday(), day.isocalendar()[1]
        if weekday == 1 and day != review_day:
            meetings.append(
                _occurrence(
                    rng,
                    subject="Supply-chain review / 供应链周会",
                    organizer="李娜 (Li Na)",
                    zone_id="56",
                    start=midnight + timedelta(hours=1),
                    minutes=rng.choice([45, 60, 60, 75]),
                    invitees=rng.sample(roster, 12),
                    record_auth=2 if week % 2 == 0 else None,
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
                    record_auth=0,
                )
            )
        if weekday == 4 and week % 2 == 1:
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
        if weekday < 5 and rng.random() < 0.1 and day < last:
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
    # Yesterday's incident review: recorded, still transcoding, not yet watchable.
    incident = _occurrence(
        rng,
        subject="Incident review: Dongguan line 3",
        organizer="José Álvarez",
        zone_id="56",
        start=_midnight(last) + timedelta(hours=13),
        minutes=40,
        invitees=rng.sample(roster, 6),
        conf_type="IMMEDIATELY",
        record_auth=0,
        conf_uuid=TRANSCODING_UUID,
    )
    start, end = from_api_time(incident.conference["startTime"]), from_api_time(incident.conference["endTime"])
    incident.recording = recording(incident.conference, start, end, finished=False)
    meetings.append(incident)
    # One older review's recording exists but may not be watched (taken down by its organizer).
    older = [m for m in meetings if m.recording and m.conference["subject"].startswith("Supply-chain review")]
    if older:
        conf = older[0].conference
        older[0].recording = recording(
            conf, from_api_time(conf["startTime"]), from_api_time(conf["endTime"]), available=False
        )
    return meetings


TOWN_HALL_UUID = "c7d2e9a14f6b11efb8d1fa163e5a9c05"
TOWN_HALL_DAYS_AGO = 12
"""The town hall is held this many days before the anchor day: inside the list's default 30-day window."""


def town_hall_subject(day: date) -> str:
    """The town hall's subject, hyphenated as people seldom type it: 'Town-hall Q4 2026'."""
    return f"Town-hall Q{(day.month - 1) // 3 + 1} {day.year}"


def _town_hall(today: date) -> SandboxMeeting:
    """A recorded quarterly town hall, with its own random stream so that adding it changes no other meeting."""
    rng = random.Random(20261204)  # noqa: S311 - sample data, not security
    day = today - timedelta(days=TOWN_HALL_DAYS_AGO)
    return _occurrence(
        rng,
        subject=town_hall_subject(day),
        organizer="王伟",
        zone_id="56",
        start=_midnight(day) + timedelta(hours=7),
        minutes=75,
        invitees=_roster(rng),
        record_auth=1,
        conf_uuid=TOWN_HALL_UUID,
    )


def sample_meetings(now: datetime | None = None) -> dict[str, SandboxMeeting]:
    """The sandbox's meetings by confUUID for the UTC day of `now` (default today): the same for the same day.

    The docs example (2019), the 620-participant supply-chain review on the latest Tuesday, the
    London stand-up (every Monday and Wednesday, one confUUID per occurrence, `RECURRING_UUID`
    about ten weeks back), a 10,000-record webinar, six months of history up to yesterday, the weekly
    quality huddle (eight Thursdays: a department missing some, a member joining as "iPhone"), and a
    hyphenated "Town-hall" twelve days back (a literal search for "town hall" misses it).
    """
    today = anchor_day(now)
    rng = random.Random(20261126)  # noqa: S311 - sample data, not security
    docs = _docs_example(rng)
    review_day = _latest(today, 1)
    large = _large(rng, review_day)
    series, standup_people, held = _recurring(rng, today)
    showcase_day = next(d for d in held if d >= today - timedelta(weeks=10))
    history_rng = random.Random(20260525)  # noqa: S311 - sample data, not security
    standups = [
        _standup(history_rng, series, standup_people, d, RECURRING_UUID if d == showcase_day else None) for d in held
    ]
    webinar = _webinar(rng, _latest(today, 3) - timedelta(weeks=1))
    history = _history(history_rng, today, review_day, held)
    meetings = [docs, large, *standups, webinar, *history, *_huddles(today)]
    meetings.append(_town_hall(today))
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
    "url",
}
_CONTACT_KEYS = {"participantID", "subscriberID", "phone", "phone2", "phone3", "sms", "email", "callNumber"}


def _collect(value: Any, keys: set[str], found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str) and item.strip("*"):
                found.add(item)
            elif key in keys and isinstance(item, list):
                found.update(link for link in item if isinstance(link, str) and link)
            else:
                _collect(item, keys, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, keys, found)


def known_people(meetings: Iterable[SandboxMeeting]) -> set[str]:
    """Every user ID the sample enterprise has: organizers and everyone on a participant list."""
    return set(ORGANIZER_IDS.values()).union(*(m.people for m in meetings))


def secret_strings(meetings: dict[str, SandboxMeeting]) -> set[str]:
    """Every secret value in the sample data: passwords, join links, stream push URLs, recording links."""
    found: set[str] = set()
    for meeting in meetings.values():
        _collect(meeting.conference, _SECRET_KEYS, found)
        _collect(meeting.recording, _SECRET_KEYS, found)
    return found


def contact_strings(meetings: dict[str, SandboxMeeting]) -> set[str]:
    """Every phone number and e-mail address in the sample data (lazy records only once built, i.e. served)."""
    found: set[str] = set()
    for meeting in meetings.values():
        _collect(meeting.conference, _CONTACT_KEYS, found)
        _collect(meeting.participants, _CONTACT_KEYS, found)
        if meeting.attendance_built:
            _collect(meeting.attendance, _CONTACT_KEYS, found)
    return found
