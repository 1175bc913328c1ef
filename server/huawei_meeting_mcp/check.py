"""`huawei-meeting-mcp check`: the effective settings, sign-in, and one cheap API call, with a diagnosis.

The API call asks `history/confDetail` for a confUUID no meeting can have. It is the same
endpoint, headers and token path the tool uses, and it returns no meeting data: Huawei answers
401 (USG.000000004) when it refuses the token, and "not found" (MMC.111070005, or MMC.111072065,
whose "auth failed" concerns the meeting) once it has accepted it, which is what proves the
settings work. Nothing is retried, so the answer is quick and describes exactly one attempt.

Then it reads one recent meeting and shows its start both ways HUAWEI_MEETING_API_TIMES can read
it (the API writes `YYYY-MM-DD HH:MM` without a zone). The attendance records of the same meeting
carry epoch milliseconds, which are UTC without doubt: when the first join fits exactly one reading
(from an hour before that reading's start to its end), `check` says which reading it believes.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Literal

from pydantic import SecretStr

from . import __version__
from .auth import StaticToken
from .client import MeetingClient
from .errors import MeetingError, NotFoundError, UpstreamConnectionError
from .oauth import IssuerKeys, KeysUnavailable
from .settings import DEMO_IGNORES, ENV_PREFIX, HTTP_ONLY, Settings
from .text import clean_text, quoted
from .timezones import iso_local, iso_utc, parse_api_time, zone_for
from .tool_server import AppState
from .wire import AttendanceQuery, ConferenceInfo, DetailQuery, HistoryQuery

PROBE_CONF_UUID = "0" * 32
"""A confUUID that no meeting has (real ones are random hex)."""
MASK = "********"
SANDBOX_NAME = "the built-in sandbox (--demo)"
"""What `--demo check` names instead of a base URL: the sandbox has no address to show."""


@dataclass
class CheckReport:
    """What `check` found: the lines to print and whether everything worked."""

    lines: list[str] = field(default_factory=list)
    ok: bool = False

    def text(self) -> str:
        """The report as printed."""
        return "\n".join(self.lines) + "\n"


def shown_value(value: object) -> str:
    """A setting's value as `check` prints it: secrets masked, empty values named."""
    if isinstance(value, SecretStr):
        return f"{MASK} (secret, set)"
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)


RECENT_DAYS = 30
"""How far back `check` looks for a meeting to show the API's times with."""
EARLY_JOIN = timedelta(hours=1)
"""How long before its start a meeting's first join may come and still fit a reading."""
ATTENDANCE_SAMPLE = 100
"""Attendance records read to find the first join (one page)."""
Reading = Literal["utc", "local"]


def settings_lines(settings: Settings, sandbox: bool = False) -> list[str]:
    """One line per setting: the variable, its effective value (secrets masked), and where it came from."""
    width = max(len(ENV_PREFIX + name) for name in Settings.model_fields)
    lines = []
    for name in Settings.model_fields:
        source = "set" if name in settings.model_fields_set else "default"
        variable = (ENV_PREFIX + name.upper()).ljust(width)
        if sandbox and name in DEMO_IGNORES:
            lines.append(f"  {variable}  (not used)  [demo]")
        elif name in HTTP_ONLY and name in settings.model_fields_set:
            lines.append(f"  {variable}  {shown_value(getattr(settings, name))}  [set; HTTP mode only]")
        else:
            lines.append(f"  {variable}  {shown_value(getattr(settings, name))}  [{source}]")
    return lines


@dataclass(frozen=True)
class TimesEvidence:
    """One meeting's start read both ways, and what its attendance says of the two readings."""

    lines: list[str]
    believed: Reading | None = None
    offset: timedelta = timedelta(0)
    """The meeting zone's offset from UTC: how far every time moves with the wrong reading."""


def _hours(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60} h" + (f" {minutes % 60} min" if minutes % 60 else "")


def _fits(first_join: datetime, start: datetime, end: datetime) -> bool:
    return start - EARLY_JOIN <= first_join <= max(end, start)


async def times_evidence(client: MeetingClient, settings: Settings, now: datetime) -> TimesEvidence:
    """Read one recent meeting and show its start as UTC and as local time, and which reading its attendance fits."""
    window = HistoryQuery(
        start_ms=int((now - timedelta(days=RECENT_DAYS)).timestamp() * 1000), end_ms=int(now.timestamp() * 1000)
    )
    try:
        meetings = (await client.history(window)).data or []
    except MeetingError as exc:
        return TimesEvidence([f"Times: could not list recent meetings to show how times read ({exc})"])
    readable = [
        m for m in meetings if m.conf_uuid and zone_for(m.time_zone_id) and parse_api_time(m.start_time, timezone.utc)
    ]
    if not readable:
        return TimesEvidence(
            [f"Times: no ended meeting in the last {RECENT_DAYS} days to show how the API's times read."]
        )
    meeting = next((m for m in readable if _offset(m) != timedelta(0)), readable[0])
    return await _evidence(client, settings, meeting)


def _offset(meeting: ConferenceInfo) -> timedelta:
    zone = zone_for(meeting.time_zone_id)
    start = parse_api_time(meeting.start_time, timezone.utc)
    offset = start.astimezone(zone.tz).utcoffset() if zone and start else None
    return offset or timedelta(0)


async def _evidence(client: MeetingClient, settings: Settings, meeting: ConferenceInfo) -> TimesEvidence:
    zone = zone_for(meeting.time_zone_id)
    assert zone is not None  # noqa: S101 - only meetings with a known zone are chosen
    readings: dict[Reading, tuple[datetime, datetime]] = {}
    sources: list[tuple[Reading, tzinfo]] = [("utc", timezone.utc), ("local", zone.tz)]
    for reading, source in sources:
        start = parse_api_time(meeting.start_time, source)
        end = parse_api_time(meeting.end_time, source) or start
        if start is not None and end is not None:
            readings[reading] = (start, end)
    raw = clean_text(meeting.start_time or "", 16)
    lines = [
        f"Times: the API gives start times without a zone; the most recent meeting of the last {RECENT_DAYS} days, "
        f"{quoted(clean_text(meeting.subject or '', 60))} (time zone {zone.label}), started {quoted(raw)}:",
    ]
    for reading, (start, _end) in readings.items():
        chosen = "  <- HUAWEI_MEETING_API_TIMES" if reading == settings.api_times else ""
        lines.append(
            f"  read as {reading:<5}  {iso_utc(start)} = {iso_local(start, zone.tz)} in the meeting's zone{chosen}"
        )
    if _offset(meeting) == timedelta(0):
        lines.append("  Its zone is UTC+0 at that time, so both readings agree: this meeting cannot tell them apart.")
        return TimesEvidence(lines)
    try:
        page = await client.attendance_page(AttendanceQuery(conf_uuid=meeting.conf_uuid or "", limit=ATTENDANCE_SAMPLE))
    except MeetingError as exc:
        lines.append(f"  Its attendance could not be read to tell the readings apart ({exc}).")
        return TimesEvidence(lines)
    joins = [record.join_time for record in page.data or [] if record.join_time]
    if not joins:
        lines.append("  It has no attendance records to tell the readings apart.")
        return TimesEvidence(lines)
    first = datetime.fromtimestamp(min(joins) / 1000, timezone.utc)
    fitting = [reading for reading, (start, end) in readings.items() if _fits(first, start, end)]
    said = f"  Its first attendee joined at {iso_utc(first)} (attendance times are UTC without doubt)"
    if len(fitting) != 1:
        lines.append(f"{said}, which fits {'both readings' if fitting else 'neither reading'}: no telling.")
        return TimesEvidence(lines)
    believed = fitting[0]
    lines.append(f"{said}, which fits only the {believed} reading.")
    return TimesEvidence(lines, believed, abs(_offset(meeting)))


async def run_check(
    settings: Settings,
    state: AbstractAsyncContextManager[AppState],
    sandbox: str | None = None,
    warnings: list[str] | None = None,
    issuer: IssuerKeys | None = None,
) -> CheckReport:
    """Show `settings`, get a token through `state`'s client, probe the API once, and diagnose.

    `sandbox` names the in-process sandbox that `--demo` answers from, in place of the base URL;
    `warnings` are what the command line found unused (unknown variables, settings this mode ignores).
    In oauth mode `issuer` is the identity provider whose signing keys are read first, and `state` signs in
    with the App ID as the enterprise (no user ID): each person signs in as themselves only when they call.
    """
    where = sandbox or settings.base_url
    report = CheckReport(
        lines=[f"huawei-meeting-mcp {__version__}", "Settings:", *settings_lines(settings, sandbox is not None), ""]
    )
    if warnings:
        report.lines += [f"Warning: {warning}." for warning in warnings] + [""]
    if issuer is not None:
        try:
            keys = await issuer.read()
        except KeysUnavailable as exc:
            report.lines += ["Issuer: FAILED", "", f"FAILED: {exc} ({exc.reason}). Check {ENV_PREFIX}OAUTH_ISSUER."]
            return report
        report.lines.append(f"Issuer: ok ({issuer.issuer} publishes {keys} usable signing keys)")
    async with state as app:
        tokens = app.service.client.tokens
        try:
            await tokens.get_token()
        except MeetingError as exc:
            report.lines += ["Access token: FAILED", "", f"FAILED: {exc}"]
            return report
        how = "HUAWEI_MEETING_ACCESS_TOKEN, used as given" if isinstance(tokens, StaticToken) else "signed in"
        if sandbox:
            how = "the sandbox's own token"
        if issuer is not None:
            how = "signed in with the App ID as the enterprise; each person signs in as themselves"
        report.lines.append(f"Access token: ok ({how})")
        try:
            await app.service.client.conf_detail(DetailQuery(conf_uuid=PROBE_CONF_UUID, limit=1))
        except NotFoundError as exc:
            report.lines.append(
                f"API: ok ({where} accepted the token; asked for a meeting that cannot exist, "
                f"it answered 'not found' [X-Request-ID: {exc.request_id}])"
            )
        except UpstreamConnectionError as exc:
            report.lines += ["API: FAILED", "", f"FAILED: {where} could not be reached. {exc}"]
            return report
        except MeetingError as exc:
            report.lines += ["API: FAILED", "", f"FAILED: {exc}"]
            return report
        else:
            report.lines.append(f"API: ok ({where} accepted the token and answered)")
        evidence = await times_evidence(app.service.client, settings, datetime.now(timezone.utc))
    report.lines += evidence.lines
    if evidence.believed is not None and evidence.believed != settings.api_times:
        report.lines.append(
            f"Warning: HUAWEI_MEETING_API_TIMES is {settings.api_times}, but this meeting's attendance fits the "
            f"{evidence.believed} reading: every time in every answer is then off by {_hours(evidence.offset)}. "
            f"Set HUAWEI_MEETING_API_TIMES={evidence.believed} (and run check again)."
        )
    elif evidence.believed is not None:
        report.lines.append(f"HUAWEI_MEETING_API_TIMES={settings.api_times} agrees with what the API answered.")
    report.lines += ["", f"OK: huawei-meeting-mcp can answer from {where} with these settings."]
    if sandbox:
        report.lines.append("The sandbox holds sample meetings in this process; without --demo, Huawei answers.")
    report.ok = True
    return report
