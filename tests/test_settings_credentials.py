"""Credential settings: exactly one sign-in method, clear messages, secrets never shown."""

from __future__ import annotations

import subprocess

import pytest

from huawei_meeting_mcp.settings import ConfigError, load_settings
from tests.support import base_env, console_script

APP_KEY = "k3y-Secret-Value-0123456789abcdef"
PASSWORD = "Pa55word-Secret!"
TOKEN = "stbStaticSecretToken0123456789"

APP_ID_ENV = {"HUAWEI_MEETING_APP_ID": "demoAppId", "HUAWEI_MEETING_APP_KEY": APP_KEY}
ACCOUNT_ENV = {"HUAWEI_MEETING_ACCOUNT": "someone@example", "HUAWEI_MEETING_PASSWORD": PASSWORD}
TOKEN_ENV = {"HUAWEI_MEETING_ACCESS_TOKEN": TOKEN}


@pytest.fixture
def env(clean_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean environment (conftest's `clean_env`), to configure."""
    return clean_env


def configure(env: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        env.setenv(name, value)


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({}, None),
        (TOKEN_ENV, "access_token"),
        (APP_ID_ENV, "app_id"),
        ({**APP_ID_ENV, "HUAWEI_MEETING_USER_ID": "user01", "HUAWEI_MEETING_CORP_ID": "corp01"}, "app_id"),
        (ACCOUNT_ENV, "account"),
    ],
)
def test_one_method_is_accepted(env: pytest.MonkeyPatch, values: dict[str, str], kind: str | None) -> None:
    configure(env, values)
    assert load_settings().credentials == kind


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"HUAWEI_MEETING_APP_ID": "demoAppId"}, ["HUAWEI_MEETING_APP_ID", "HUAWEI_MEETING_APP_KEY"]),
        ({"HUAWEI_MEETING_APP_KEY": APP_KEY}, ["HUAWEI_MEETING_APP_KEY", "HUAWEI_MEETING_APP_ID"]),
        ({"HUAWEI_MEETING_USER_ID": "user01"}, ["HUAWEI_MEETING_USER_ID", "HUAWEI_MEETING_APP_ID"]),
        ({"HUAWEI_MEETING_CORP_ID": "corp01"}, ["HUAWEI_MEETING_CORP_ID", "HUAWEI_MEETING_APP_KEY"]),
        ({"HUAWEI_MEETING_ACCOUNT": "someone"}, ["HUAWEI_MEETING_ACCOUNT", "HUAWEI_MEETING_PASSWORD"]),
        ({"HUAWEI_MEETING_PASSWORD": PASSWORD}, ["HUAWEI_MEETING_PASSWORD", "HUAWEI_MEETING_ACCOUNT"]),
    ],
)
def test_half_configured_method_names_what_is_missing(
    env: pytest.MonkeyPatch, values: dict[str, str], named: list[str]
) -> None:
    configure(env, values)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "set but" in message
    for variable in named:
        assert variable in message
    assert "\n" not in message
    assert APP_KEY not in message
    assert PASSWORD not in message


@pytest.mark.parametrize(
    "values",
    [
        {**TOKEN_ENV, **APP_ID_ENV},
        {**APP_ID_ENV, **ACCOUNT_ENV},
        {**TOKEN_ENV, **ACCOUNT_ENV},
        {**TOKEN_ENV, "HUAWEI_MEETING_USER_ID": "user01"},
        {**TOKEN_ENV, **APP_ID_ENV, **ACCOUNT_ENV},
    ],
)
def test_more_than_one_method_is_ambiguous(env: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    configure(env, values)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "more than one sign-in method" in message
    for variable in values:
        assert variable in message
    for secret in (APP_KEY, PASSWORD, TOKEN):
        assert secret not in message


def test_secrets_never_appear_in_repr_or_dump(env: pytest.MonkeyPatch) -> None:
    configure(env, APP_ID_ENV)
    app_settings = load_settings()
    env.delenv("HUAWEI_MEETING_APP_ID")
    env.delenv("HUAWEI_MEETING_APP_KEY")
    configure(env, ACCOUNT_ENV)
    account_settings = load_settings()
    for settings in (app_settings, account_settings):
        shown = repr(settings) + str(settings) + settings.model_dump_json()
        assert APP_KEY not in shown
        assert PASSWORD not in shown
    assert app_settings.app_key is not None
    assert app_settings.app_key.get_secret_value() == APP_KEY
    assert "app_id='demoAppId'" in repr(app_settings), "non-secret settings stay visible"


def test_pasted_whitespace_is_trimmed_from_ids_and_key(env: pytest.MonkeyPatch) -> None:
    configure(env, {"HUAWEI_MEETING_APP_ID": " demoAppId\n", "HUAWEI_MEETING_APP_KEY": APP_KEY + "\n"})
    settings = load_settings()
    assert settings.app_id == "demoAppId"
    assert settings.app_key is not None
    assert settings.app_key.get_secret_value() == APP_KEY


def test_corp_id_longer_than_the_api_allows_is_refused(env: pytest.MonkeyPatch) -> None:
    configure(env, {**APP_ID_ENV, "HUAWEI_MEETING_CORP_ID": "c" * 33})
    with pytest.raises(ConfigError, match="HUAWEI_MEETING_CORP_ID"):
        load_settings()


def test_ambiguous_credentials_stop_the_server_at_start_up() -> None:
    done = subprocess.run(  # noqa: S603 - our own console script
        [console_script()],
        env={**base_env(), **TOKEN_ENV, **APP_ID_ENV, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    for variable in ("HUAWEI_MEETING_ACCESS_TOKEN", "HUAWEI_MEETING_APP_ID", "HUAWEI_MEETING_APP_KEY"):
        assert variable in done.stderr
    assert APP_KEY not in done.stderr
    assert TOKEN not in done.stderr
