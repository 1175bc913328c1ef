"""`huawei-meeting-mcp check`: the effective settings, sign-in, and one cheap API call, with a diagnosis.

The API call asks `history/confDetail` for a confUUID no meeting can have. It is the same
endpoint, headers and token path the tool uses, and it returns no meeting data: Huawei answers
401 (USG.000000004) when it refuses the token, and "not found" (MMC.111070005, or MMC.111072065,
whose "auth failed" concerns the meeting) once it has accepted it, which is what proves the
settings work. Nothing is retried, so the answer is quick and describes exactly one attempt.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from pydantic import SecretStr

from . import __version__
from .auth import StaticToken
from .errors import MeetingError, NotFoundError, UpstreamConnectionError
from .settings import ENV_PREFIX, Settings
from .tool_server import AppState
from .wire import DetailQuery

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


DEMO_REPLACES = ("base_url", "access_token")
"""The settings `--demo` overrides, shown as such instead of the values it put there."""


def settings_lines(settings: Settings, sandbox: bool = False) -> list[str]:
    """One line per setting: the variable, its effective value (secrets masked), and where it came from."""
    width = max(len(ENV_PREFIX + name) for name in Settings.model_fields)
    lines = []
    for name in Settings.model_fields:
        source = "set" if name in settings.model_fields_set else "default"
        variable = (ENV_PREFIX + name.upper()).ljust(width)
        if sandbox and name in DEMO_REPLACES:
            lines.append(f"  {variable}  (not used)  [--demo]")
        else:
            lines.append(f"  {variable}  {shown_value(getattr(settings, name))}  [{source}]")
    return lines


async def run_check(
    settings: Settings, state: AbstractAsyncContextManager[AppState], sandbox: str | None = None
) -> CheckReport:
    """Show `settings`, get a token through `state`'s client, probe the API once, and diagnose.

    `sandbox` names the in-process sandbox that `--demo` answers from, in place of the base URL.
    """
    where = sandbox or settings.base_url
    report = CheckReport(
        lines=[f"huawei-meeting-mcp {__version__}", "Settings:", *settings_lines(settings, sandbox is not None), ""]
    )
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
    report.lines += ["", f"OK: huawei-meeting-mcp can answer from {where} with these settings."]
    if sandbox:
        report.lines.append("The sandbox holds sample meetings in this process; without --demo, Huawei answers.")
    report.ok = True
    return report
