"""The sandbox's newer endpoints and options: recordings, control records, languages, latency, hostile data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import anyio
import httpx
import pytest

from huawei_meeting_mcp import cli
from huawei_meeting_mcp import sandbox as sandbox_package
from huawei_meeting_mcp.sandbox import (
    DEFAULT_APP_ID,
    DEFAULT_APP_KEY,
    DEFAULT_TOKEN,
    ERROR_CASES,
    LARGE_UUID,
    RECURRING_UUID,
    TRANSCODING_UUID,
    WEBINAR_UUID,
    Sandbox,
)
from huawei_meeting_mcp.sandbox.data import LARGE_INVITED_DURING, REMOVED_GUEST, WEBINAR_RECORDS
from huawei_meeting_mcp.sandbox.history_api import ATTENDANCE_PATH, CONF_DETAIL_PATH, CONTROL_PATH, HISTORY_PATH
from huawei_meeting_mcp.sandbox.record_api import RECORDING_LIST_PATH, RECORDING_PATH

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
CONTROL_FIELDS = {
    "operateTime",
    "operateSource",
    "operator",
    "operateCode",
    "operationObject",
    "operateResult",
    "detail",
}
PER_MEETING = [CONF_DETAIL_PATH, ATTENDANCE_PATH, CONTROL_PATH, RECORDING_PATH]
EVERY_ROUTE: list[tuple[str, dict[str, Any]]] = [
    (HISTORY_PATH, {"startDate": 0, "endDate": 1}),
    (RECORDING_LIST_PATH, {}),
    *((path, {"confUUID": LARGE_UUID}) for path in PER_MEETING),
]


def client(sandbox: Sandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.app),
        base_url="http://sandbox",
        headers={"X-Access-Token": DEFAULT_TOKEN},
    )


@pytest.fixture(scope="module")
def pinned() -> Sandbox:
    return Sandbox(now=NOW)


@pytest.fixture
async def api(pinned: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with client(pinned) as http:
        yield http


def ms(value: str) -> int:
    return int(datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc).timestamp() * 1000)


@pytest.mark.parametrize(("path", "params"), EVERY_ROUTE)
async def test_every_business_route_checks_the_token_once_the_same_way(
    pinned: Sandbox, path: str, params: dict[str, Any]
) -> None:
    async with client(pinned) as http:
        for headers in ({"X-Access-Token": "stbWRONG"}, {"X-Access-Token": ""}):
            before = pinned.hits[path]
            response = await http.get(path, params=params, headers=headers)
            assert response.status_code == 401
            assert response.json() == {"error_code": "USG.000000004", "error_msg": "Authentication failed."}
            assert response.headers["X-Request-Id"]
            assert pinned.hits[path] == before + 1, "refused requests are logged too"
        ok = await http.get(path, params=params)
        assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("path", PER_MEETING)
async def test_every_per_meeting_route_answers_the_documented_errors(api: httpx.AsyncClient, path: str) -> None:
    for conf_uuid, (status, code, message) in ERROR_CASES.items():
        response = await api.get(path, params={"confUUID": conf_uuid})
        assert (response.status_code, response.json()) == (status, {"error_code": code, "error_msg": message})
    missing = await api.get(path, params={"confUUID": "0" * 32})
    assert (missing.status_code, missing.json()["error_code"]) == (400, "MMC.111072065")
    absent = await api.get(path)
    assert (absent.status_code, absent.json()["error_code"]) == (400, "MMC.111070001")


async def test_recording_of_one_meeting(api: httpx.AsyncClient, pinned: Sandbox) -> None:
    large = pinned.meetings[LARGE_UUID].conference
    body = (await api.get(RECORDING_PATH, params={"confUUID": LARGE_UUID})).json()
    assert (body["confUUID"], body["confID"], body["subject"]) == (LARGE_UUID, large["conferenceID"], large["subject"])
    assert 125 * 60 < body["rcdTime"] <= 135 * 60, "seconds, a little under the meeting's 135 minutes"
    assert body["rcdSize"] > 100, "megabytes"
    assert (body["isDecodeFinish"], body["available"], body["recordAuthType"]) == (True, True, 1)
    assert body["decodeEndTime"] > ms(large["endTime"]), "epoch ms after the meeting ended"
    assert len(body["url"]) == 2
    assert all(link.startswith("https://") and len(link) > 60 for link in body["url"])
    assert set(body["url"]) <= pinned.secret_strings()


async def test_recordings_still_transcoding_unavailable_and_every_audience(
    api: httpx.AsyncClient, pinned: Sandbox
) -> None:
    transcoding = (await api.get(RECORDING_PATH, params={"confUUID": TRANSCODING_UUID})).json()
    end = ms(pinned.meetings[TRANSCODING_UUID].conference["endTime"])
    assert (transcoding["isDecodeFinish"], transcoding["available"]) == (False, False)
    assert transcoding["decodeEndTime"] >= end + 24 * 3_600_000, "expected well after the meeting"
    recorded = [m for m in pinned.meetings.values() if m.recording is not None]
    assert {m.recording["recordAuthType"] for m in recorded if m.recording} == {0, 1, 2}
    taken_down = [m.recording for m in recorded if m.recording and m.recording["isDecodeFinish"]]
    assert any(not r["available"] for r in taken_down), "one finished recording may not be watched"
    assert all(m.conference["isHasRecordFile"] for m in recorded)
    assert not any(m.conference.get("isHasRecordFile") for m in pinned.meetings.values() if m.recording is None)


async def test_a_meeting_without_recording_answers_the_not_found_error(api: httpx.AsyncClient) -> None:
    response = await api.get(RECORDING_PATH, params={"confUUID": RECURRING_UUID})
    assert response.status_code == 400
    assert response.json() == {"error_code": "MMC.111070005", "error_msg": "Recording file does not exist."}


async def test_recording_list_pages_filters_and_refuses(api: httpx.AsyncClient, pinned: Sandbox) -> None:
    mine = [m for m in pinned.meetings.values() if m.recording and m.mine]
    first = (await api.get(RECORDING_LIST_PATH, params={"limit": 5})).json()
    rest = (await api.get(RECORDING_LIST_PATH, params={"limit": 500, "offset": 5})).json()
    assert first["count"] == len(mine) > 5
    assert len(first["data"]) + len(rest["data"]) == len(mine)
    starts = [r["startTime"] for r in first["data"] + rest["data"]]
    assert starts == sorted(starts, reverse=True)
    oldest = (await api.get(RECORDING_LIST_PATH, params={"limit": 500, "sortType": "ASC_StartTIME"})).json()
    assert [r["startTime"] for r in oldest["data"]] == sorted(starts)
    window: dict[str, int | str] = {
        "startDate": ms(pinned.meetings[LARGE_UUID].conference["startTime"]),
        "searchKey": "supply",
    }
    one = (await api.get(RECORDING_LIST_PATH, params={**window, "endDate": window["startDate"]})).json()
    assert [r["confUUID"] for r in one["data"]] == [LARGE_UUID]
    for bad in ({"limit": 501}, {"offset": -1}, {"startDate": 2, "endDate": 1}, {"sortType": "DSC_RecordTYPE"}):
        assert (await api.get(RECORDING_LIST_PATH, params=bad)).status_code == 400


async def test_control_records_tell_the_story_in_the_language_asked(api: httpx.AsyncClient, pinned: Sandbox) -> None:
    params: dict[str, str | int] = {"confUUID": LARGE_UUID, "limit": 500}
    chinese = (await api.get(CONTROL_PATH, params=params)).json()
    english = (await api.get(CONTROL_PATH, params=params, headers={"Accept-Language": "en-US"})).json()
    explicit = (await api.get(CONTROL_PATH, params=params, headers={"Accept-Language": "zh-CN"})).json()
    assert chinese == explicit, "zh-CN is the default"
    assert chinese["count"] == english["count"] == len(english["data"]) >= 10
    assert all(set(r) == CONTROL_FIELDS for r in english["data"])
    codes = [r["operateCode"] for r in english["data"]]
    for code in ("Start recording", "Remove participant", "Lock meeting", "Mute all", "Invite participant"):
        assert code in codes
    assert "开始录制" in [r["operateCode"] for r in chinese["data"]]
    assert [r["operateTime"] for r in english["data"]] == sorted(r["operateTime"] for r in english["data"])
    conf = pinned.meetings[LARGE_UUID].conference
    assert ms(conf["startTime"]) - 5 * 60_000 <= english["data"][0]["operateTime"]
    assert english["data"][-1]["operateTime"] <= ms(conf["endTime"])
    [recording] = [r for r in english["data"] if r["operateCode"] == "Start recording"]
    assert recording["operator"] == conf["scheduserName"]

    # The removed guest's attendance ends when the successful removal happened; a first attempt failed.
    removals = [r for r in english["data"] if r["operateCode"] == "Remove participant"]
    assert [(r["operationObject"], r["operateResult"]) for r in removals] == [
        (REMOVED_GUEST[0], "Failed"),
        (REMOVED_GUEST[0], "Success"),
    ]
    [guest] = [r for r in pinned.meetings[LARGE_UUID].attendance if r["displayName"] == REMOVED_GUEST[0]]
    assert guest["leftTime"] == removals[1]["operateTime"]

    # Those invited during the meeting are on the participant list (§3.8) and joined after the invitation.
    invited = {
        r["operationObject"]: r["operateTime"] for r in english["data"] if r["operateCode"] == "Invite participant"
    }
    people = pinned.meetings[LARGE_UUID].participants
    assert set(invited) == {p["name"] for p in people[-LARGE_INVITED_DURING:]}
    assert not set(invited) & {p["name"] for p in conf["partAttendeeInfo"]}
    for record in pinned.meetings[LARGE_UUID].attendance:
        if record["displayName"] in invited:
            assert record["joinTime"] > invited[record["displayName"]]


async def test_control_records_page_like_the_other_lists(api: httpx.AsyncClient) -> None:
    whole = (await api.get(CONTROL_PATH, params={"confUUID": LARGE_UUID, "limit": 500})).json()
    page = (await api.get(CONTROL_PATH, params={"confUUID": LARGE_UUID, "offset": 5, "limit": 4})).json()
    default = (await api.get(CONTROL_PATH, params={"confUUID": LARGE_UUID})).json()
    assert (page["offset"], page["limit"], page["count"]) == (5, 4, whole["count"])
    assert page["data"] == whole["data"][5:9]
    assert default["limit"] == 20
    for bad in ({"limit": 501}, {"limit": 0}, {"offset": -1}, {"offset": "x"}):
        response = await api.get(CONTROL_PATH, params={"confUUID": LARGE_UUID, **bad})
        assert response.status_code == 400
    beyond = (await api.get(CONTROL_PATH, params={"confUUID": LARGE_UUID, "offset": 1000})).json()
    assert (beyond["data"], beyond["count"]) == ([], whole["count"])


async def test_every_meeting_has_control_records(pinned: Sandbox) -> None:
    for meeting in pinned.meetings.values():
        if meeting.conference["startTime"] >= "2026":
            operations = [r.operation for r in meeting.control_records]
            assert operations[0] == "START_CONF"
            assert operations[-1] == "END_CONF"
            assert ("START_RECORD" in operations) == bool(meeting.conference["isHasRecordFile"])


async def test_attendance_labels_follow_accept_language(api: httpx.AsyncClient) -> None:
    params: dict[str, str | int] = {"confUUID": LARGE_UUID, "limit": 500}
    stored = (await api.get(ATTENDANCE_PATH, params=params)).json()["data"]
    english = (await api.get(ATTENDANCE_PATH, params=params, headers={"Accept-Language": "en-US"})).json()["data"]
    chinese = (await api.get(ATTENDANCE_PATH, params=params, headers={"Accept-Language": "zh-CN"})).json()["data"]
    assert stored == chinese, "zh-CN is the service's default (§3.7)"
    assert {"PC", "Mobile"} <= {r["deviceType"] for r in english}
    assert {"电脑", "手机"} <= {r["deviceType"] for r in chinese}
    assert {r["mediaType"] for r in chinese} == {"视频", "语音"}
    assert [r["callNumber"] for r in chinese] == [r["callNumber"] for r in english]


async def test_latency_is_an_async_sleep_before_every_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(anyio, "sleep", record)  # the sandbox waits with anyio.sleep
    async with client(Sandbox(now=NOW, latency_ms=250)) as http:
        await http.get(CONTROL_PATH, params={"confUUID": LARGE_UUID})
        await http.get(HISTORY_PATH, params={"startDate": 0, "endDate": 1}, headers={"X-Access-Token": "bad"})
        await http.post("/v2/usg/acs/auth/appauth", json={})
    assert slept == [0.25, 0.25, 0.25], "business, refused and sign-in answers alike"
    async with client(Sandbox(now=NOW)) as http:
        await http.get(CONTROL_PATH, params={"confUUID": LARGE_UUID})
    assert slept == [0.25, 0.25, 0.25], "no latency unless asked"


async def test_the_webinar_is_built_only_when_asked() -> None:
    sandbox = Sandbox(now=NOW)
    webinar = sandbox.meetings[WEBINAR_UUID]
    assert webinar.conference["webinar"] is True
    assert not webinar.attendance_built
    contacts_before = sandbox.contact_strings()
    async with client(sandbox) as http:
        first = (await http.get(ATTENDANCE_PATH, params={"confUUID": WEBINAR_UUID, "limit": 500})).json()
        last = (await http.get(ATTENDANCE_PATH, params={"confUUID": WEBINAR_UUID, "offset": 9900, "limit": 500})).json()
    assert first["count"] == WEBINAR_RECORDS == 10_000
    assert len(last["data"]) == 100
    assert webinar.attendance_built
    audience = sandbox.contact_strings() - contacts_before
    assert len(audience) > 5000, "the audience's numbers join the leak scan once served"
    assert {r["callNumber"] for r in last["data"]} <= audience | contacts_before
    assert len({r["displayName"] for r in webinar.attendance}) > 500


def test_the_sandbox_command_takes_latency_and_hostile(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[Sandbox] = []
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)
    # The command imports the sandbox when it runs (not at start-up): patched where it is looked up then.
    monkeypatch.setattr(sandbox_package, "serve_forever", lambda sandbox, host, port: served.append(sandbox))
    cli.main(["sandbox", "--latency-ms", "120", "--hostile"])
    cli.main(["sandbox"])
    assert [(s.latency_ms, s.hostile) for s in served] == [(120, True), (0, False)]
    assert (served[1].auth.app_id, served[1].auth.app_key) == (DEFAULT_APP_ID, DEFAULT_APP_KEY)
