"""Settings forgive what a paste adds and say what they ignore: trimmed values, unknown variables, unused settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN
from huawei_meeting_mcp.settings import (
    ConfigError,
    Settings,
    form_naming,
    ignored_settings,
    load_settings,
    unknown_variables,
)
from tests.support import LiveSandbox, run_server
from tests.support.commands import InProcessCommand

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
SECRET = "stbPASTED-token-0000000000000000000000"


@pytest.mark.parametrize("pasted", [SECRET + "\n", f"  {SECRET}  ", f"\t{SECRET}\r\n"])
@pytest.mark.parametrize("name", ["ACCESS_TOKEN", "APP_KEY", "PASSWORD", "HTTP_TOKEN"])
def test_every_secret_is_trimmed(clean_env: pytest.MonkeyPatch, name: str, pasted: str) -> None:
    partner = {"APP_KEY": "APP_ID", "PASSWORD": "ACCOUNT"}.get(name)
    if partner:
        clean_env.setenv(f"HUAWEI_MEETING_{partner}", " someone\n")
    clean_env.setenv(f"HUAWEI_MEETING_{name}", pasted)
    secret = getattr(load_settings(), name.lower())
    assert secret.get_secret_value() == SECRET
    if partner:
        assert getattr(load_settings(), partner.lower()) == "someone"


@pytest.mark.parametrize("broken", [f"{SECRET[:10]}\n{SECRET[10:]}", f"{SECRET[:10]} {SECRET[10:]}", SECRET + "é"])
def test_a_token_that_cannot_be_one_is_refused_by_name_without_echoing_it(
    clean_env: pytest.MonkeyPatch, broken: str
) -> None:
    clean_env.setenv("HUAWEI_MEETING_ACCESS_TOKEN", broken)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    message = str(refused.value)
    assert message.startswith("Invalid configuration: HUAWEI_MEETING_ACCESS_TOKEN contains a space, a line break")
    assert SECRET[:10] not in message
    assert SECRET[10:20] not in message


@pytest.mark.parametrize("reference", ["${HUAWEI_MEETING_APP_KEY}", "${APP_KEY:-}"])
def test_a_client_config_reference_left_unexpanded_is_named(clean_env: pytest.MonkeyPatch, reference: str) -> None:
    clean_env.setenv("HUAWEI_MEETING_APP_ID", "app")
    clean_env.setenv("HUAWEI_MEETING_APP_KEY", reference)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    variable = reference[2:].split(":")[0].rstrip("}")
    assert f"HUAWEI_MEETING_APP_KEY is the text {reference}, which the MCP client passed on" in str(refused.value)
    assert f"set {variable} in the environment the client is started from" in str(refused.value)


def test_unknown_variables_are_named_with_the_closest_setting() -> None:
    environ = {
        "HUAWEI_MEETING_APPID": "x",
        "HUAWEI_MEETING_APP_SECRET": "x",
        "HUAWEI_MEETING_TIMEOUTS": "x",
        "HUAWEI_MEETING_TOKEN": "x",
        "HUAWEI_MEETING_FAVOURITE_COLOUR": "x",
        "huawei_meeting_app_id": "x",  # the settings ignore case: a known one
        "HUAWEI_MEETING_BASE_URL": "x",
        "PATH": "/bin",
    }
    assert unknown_variables(environ) == [
        "HUAWEI_MEETING_APPID is not a setting and is ignored (did you mean HUAWEI_MEETING_APP_ID?)",
        "HUAWEI_MEETING_APP_SECRET is not a setting and is ignored (did you mean HUAWEI_MEETING_APP_KEY?)",
        "HUAWEI_MEETING_FAVOURITE_COLOUR is not a setting and is ignored "
        "(the settings are listed by `huawei-meeting-mcp check`)",
        "HUAWEI_MEETING_TIMEOUTS is not a setting and is ignored (did you mean HUAWEI_MEETING_TIMEOUT?)",
        "HUAWEI_MEETING_TOKEN is not a setting and is ignored (did you mean HUAWEI_MEETING_ACCESS_TOKEN?)",
    ]


def test_settings_the_mode_ignores_are_said() -> None:
    settings = Settings(
        http_token=SECRET, http_allowed_hosts=["mcp.example.com"], access_token=SECRET, base_url="https://x.example"
    )
    assert ignored_settings(settings, http=True, demo=False) == []
    stdio = ignored_settings(settings, http=False, demo=False)
    assert stdio == [
        "HUAWEI_MEETING_HTTP_TOKEN and HUAWEI_MEETING_HTTP_ALLOWED_HOSTS are set but ignored here: only the HTTP "
        "server (`huawei-meeting-mcp serve --transport http`) reads them"
    ]
    demo = ignored_settings(settings, http=True, demo=True)
    assert demo == [
        "HUAWEI_MEETING_ACCESS_TOKEN and HUAWEI_MEETING_BASE_URL are set but ignored: the demo answers from the "
        "built-in sandbox's sample meetings, never from Huawei"
    ]
    assert SECRET not in " ".join(stdio + demo)


def test_a_settings_form_names_its_fields(clean_env: pytest.MonkeyPatch) -> None:
    naming = form_naming(MANIFEST)
    fields = MANIFEST["user_config"]
    assert naming.label("base_url") == f'"{fields["base_url"]["title"]}"'
    assert naming.label("http_token") == "HUAWEI_MEETING_HTTP_TOKEN", "not in the form: named by its variable"
    clean_env.setenv("HUAWEI_MEETING_BASE_URL", "api.meeting.huaweicloud.com")
    clean_env.setenv("HUAWEI_MEETING_APP_ID", "app")
    with pytest.raises(ConfigError) as refused:
        load_settings(naming)
    message = str(refused.value)
    assert f'"{fields["base_url"]["title"]}" must be an http(s) URL' in message
    assert "for example https://api-intl.meeting.huaweicloud.com)" in message
    assert "HUAWEI_MEETING_" not in message
    clean_env.delenv("HUAWEI_MEETING_BASE_URL")
    with pytest.raises(ConfigError) as half:
        load_settings(naming)
    assert f'"{fields["app_id"]["title"]}" is set but "{fields["app_key"]["title"]}" is not' in str(half.value)
    with pytest.raises(ConfigError) as by_variable:
        load_settings()
    assert "HUAWEI_MEETING_APP_ID is set but HUAWEI_MEETING_APP_KEY is not" in str(by_variable.value), "by default"


def test_check_with_a_pasted_token_and_a_typo_works_and_says_so(
    live_sandbox: LiveSandbox, cli: InProcessCommand
) -> None:
    pasted = cli("check", **live_sandbox.env(HUAWEI_MEETING_ACCESS_TOKEN=f"{DEFAULT_TOKEN}\n"))
    typo = cli("check", HUAWEI_MEETING_BASE_URL=live_sandbox.url, HUAWEI_MEETING_APPID="a", HUAWEI_MEETING_APP_KEY="k")
    assert pasted.code == 0, pasted.out + pasted.err
    assert pasted.out.rstrip().splitlines()[-1].startswith("OK:")
    assert typo.code == 2, "an App Key without its App ID"
    assert "HUAWEI_MEETING_APP_KEY is set but HUAWEI_MEETING_APP_ID is not" in typo.out
    assert typo.out.startswith("Warning: HUAWEI_MEETING_APPID is not a setting and is ignored (did you mean")


def test_check_warns_about_unknown_variables_and_unused_settings(
    live_sandbox: LiveSandbox, cli: InProcessCommand
) -> None:
    done = cli("check", **live_sandbox.env(HUAWEI_MEETING_APPID="a", HUAWEI_MEETING_HTTP_TOKEN="h" * 20))
    assert done.code == 0, done.out + done.err
    assert (
        "Warning: HUAWEI_MEETING_APPID is not a setting and is ignored (did you mean HUAWEI_MEETING_APP_ID?)."
        in done.out
    )
    assert "Warning: HUAWEI_MEETING_HTTP_TOKEN is set but ignored here" in done.out
    assert "HUAWEI_MEETING_HTTP_TOKEN" in done.out.split("[set; HTTP mode only]")[0].splitlines()[-1]


async def test_the_stdio_server_says_at_start_what_it_ignores(live_sandbox: LiveSandbox) -> None:
    env = live_sandbox.env(HUAWEI_MEETING_HTTP_TOKEN="h" * 20, HUAWEI_MEETING_ACOUNT="alice")
    async with run_server(env) as run:
        result = await run.call("list_historical_meetings", {"limit": 1})
        stderr = run.stderr()
    assert result.is_error is False
    assert "HUAWEI_MEETING_HTTP_TOKEN is set but ignored here: only the HTTP server" in stderr
    assert "HUAWEI_MEETING_ACOUNT is not a setting and is ignored (did you mean HUAWEI_MEETING_ACCOUNT?)" in stderr
