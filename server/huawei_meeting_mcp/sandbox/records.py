"""Recordings (API doc §3.4) and in-meeting control records (§3.6) of the sample meetings.

Control records are stored language-neutral (an operation key, a source key, a result key) and
localized when answered, by `Accept-Language` (§3.7): `zh-CN` (the default) or `en-US`. The
service does not publish its vocabulary (§3.6), so these words are the sandbox's own, chosen to
read like the service's client; an unknown language falls back to Chinese, as the default does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

Json = dict[str, Any]
Language = Literal["zh-CN", "en-US"]

OPERATIONS: dict[str, tuple[str, str]] = {
    "START_CONF": ("Start meeting", "开始会议"),
    "END_CONF": ("End meeting", "结束会议"),
    "START_RECORD": ("Start recording", "开始录制"),
    "STOP_RECORD": ("Stop recording", "停止录制"),
    "MUTE_ALL": ("Mute all", "全场静音"),
    "UNMUTE_ALL": ("Unmute all", "取消全场静音"),
    "LOCK_CONF": ("Lock meeting", "锁定会议"),
    "UNLOCK_CONF": ("Unlock meeting", "解锁会议"),
    "REMOVE_PARTICIPANT": ("Remove participant", "移除与会者"),
    "INVITE_PARTICIPANT": ("Invite participant", "邀请与会者"),
    "SET_COHOST": ("Set co-host", "设置联席主持人"),
    "ADMIT_WAITING": ("Admit from waiting room", "准入等候室成员"),
    "START_SHARE": ("Start sharing", "开始共享"),
    "EXTEND_CONF": ("Extend meeting", "延长会议"),
}
"""operateCode in (en-US, zh-CN)."""

SOURCES: dict[str, tuple[str, str]] = {
    "PC": ("PC client", "PC客户端"),
    "MOBILE": ("Mobile client", "移动客户端"),
    "IDEAHUB": ("IdeaHub", "IdeaHub"),
    "SYSTEM": ("System", "系统"),
}
"""operateSource in (en-US, zh-CN)."""

RESULTS: dict[str, tuple[str, str]] = {"OK": ("Success", "成功"), "FAILED": ("Failed", "失败")}
"""operateResult in (en-US, zh-CN)."""

ALL_PARTICIPANTS = ("All participants", "全体与会者")

DEVICE_TYPES: dict[str, str] = {
    "PC": "电脑",
    "Mobile": "手机",
    "Pad": "平板",
    "Phone": "电话",
    "TE30": "TE30",
    "IdeaHub": "IdeaHub",
    "Board": "Board",
    "HUAWEI Vision": "华为智慧屏",
}
"""Attendance `deviceType` in Chinese (stored in English)."""
MEDIA_TYPES: dict[str, str] = {"Video": "视频", "Voice": "语音", "Data": "数据"}
"""Attendance `mediaType` in Chinese (stored in English)."""


def language(header: str | None) -> Language:
    """The answer language an `Accept-Language` header asks for: `en-US` for any English, else `zh-CN`."""
    first = (header or "").split(",")[0].split(";")[0].strip().lower()
    return "en-US" if first.startswith("en") else "zh-CN"


@dataclass(frozen=True)
class ControlRecord:
    """One control operation, language-neutral until `localized`."""

    at: datetime
    source: str
    operator: str
    operation: str
    target: str | tuple[str, str] = ""
    result: str = "OK"
    detail: str | tuple[str, str] = ""

    def localized(self, lang: Language) -> Json:
        """The record as `ConfCtlRecordInfo` in `lang`."""
        pick = 0 if lang == "en-US" else 1

        def text(value: str | tuple[str, str]) -> str:
            return value if isinstance(value, str) else value[pick]

        return {
            "operateTime": _ms(self.at),
            "operateSource": SOURCES[self.source][pick] if self.source in SOURCES else self.source,
            "operator": self.operator,
            "operateCode": OPERATIONS[self.operation][pick] if self.operation in OPERATIONS else self.operation,
            "operationObject": text(self.target),
            "operateResult": RESULTS[self.result][pick] if self.result in RESULTS else self.result,
            "detail": text(self.detail),
        }


def localized_attendance(record: Json, lang: Language) -> Json:
    """An attendance row with `deviceType`/`mediaType` in `lang` (rows are stored in English)."""
    if lang == "en-US":
        return record
    device, media = record.get("deviceType", ""), record.get("mediaType", "")
    return {**record, "deviceType": DEVICE_TYPES.get(device, device), "mediaType": MEDIA_TYPES.get(media, media)}


def _ms(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(milliseconds=1)


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def recording(
    conf: Json,
    start: datetime,
    end: datetime,
    *,
    finished: bool = True,
    available: bool = True,
    auth_type: int | None = None,
) -> Json:
    """The §3.4 recording object of a recorded meeting; its viewing links are secrets that look real."""
    rng = random.Random(conf["confUUID"])  # noqa: S311 - sample data, not security
    seconds = int((end - start).total_seconds()) - rng.randint(30, 240)
    conf_id = conf["conferenceID"]
    return {
        "confUUID": conf["confUUID"],
        "confID": conf_id,
        "url": [
            f"https://c.meeting.huaweicloud.com/#/rcd/{conf_id}/{_hex(rng, 48)}",
            f"https://vod.meeting.huaweicloud.com/rcd/{_hex(rng, 32)}/index.m3u8?auth_key={_hex(rng, 40)}",
        ],
        "rcdTime": seconds,
        "rcdSize": max(1, seconds * rng.randint(12, 20) // 100),
        "subject": conf.get("subject", ""),
        "scheduserName": conf.get("scheduserName", ""),
        "startTime": conf.get("startTime", ""),
        "isDecodeFinish": finished,
        "decodeEndTime": _ms(end + timedelta(minutes=rng.randint(20, 50) if finished else 36 * 60)),
        "available": available and finished,
        "recordAuthType": conf.get("recordAuthType", 1) if auth_type is None else auth_type,
    }


def ordinary_story(conf: Json, participants: list[Json], start: datetime, end: datetime) -> list[ControlRecord]:
    """What an organizer usually does: start, maybe record and mute everyone, maybe lock, end."""
    rng = random.Random("ctl" + conf["confUUID"])  # noqa: S311 - sample data, not security
    host = conf.get("scheduserName", "")
    source = rng.choice(["PC", "PC", "MOBILE"])
    story = [ControlRecord(start - timedelta(minutes=rng.randint(1, 4)), source, host, "START_CONF")]
    if conf.get("isHasRecordFile"):
        story.append(ControlRecord(start + timedelta(seconds=rng.randint(10, 90)), source, host, "START_RECORD"))
    if conf.get("isAutoMute") or rng.random() < 0.4:
        story.append(ControlRecord(start + timedelta(minutes=2), source, host, "MUTE_ALL", ALL_PARTICIPANTS))
    if len(participants) > 8 and rng.random() < 0.3:
        story.append(ControlRecord(start + timedelta(minutes=10), source, host, "LOCK_CONF", conf.get("subject", "")))
    if conf.get("isHasRecordFile"):
        story.append(ControlRecord(end - timedelta(seconds=20), source, host, "STOP_RECORD"))
    story.append(ControlRecord(end, source, host, "END_CONF"))
    return story
