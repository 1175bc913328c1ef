"""Settings: defaults, validation messages that name the variable, and secrets kept out of repr."""

from __future__ import annotations

import pytest

from huawei_meeting_mcp.settings import DEFAULT_BASE_URL, ConfigError, load_settings

TOKEN = "stbSETTINGS-SECRET-000000000000000000"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("HUAWEI_MEETING_"):
            monkeypatch.delenv(name)


def test_defaults_work() -> None:
    settings = load_settings()
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.timeout == 10
    assert settings.include_contacts is False
    assert settings.api_times == "utc"
    assert settings.access_token is None


@pytest.mark.parametrize(
    "url",
    [
        "https://api-intl.meeting.huaweicloud.com/",
        "http://127.0.0.1:8780",
        "http://127.3.4.5",
        "http://localhost:9000",
        "http://[::1]:8000",
    ],
)
def test_accepted_base_urls(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("HUAWEI_MEETING_BASE_URL", url)
    assert load_settings().base_url == url.rstrip("/")


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("HUAWEI_MEETING_BASE_URL", "http://api.meeting.huaweicloud.com", "https"),
        ("HUAWEI_MEETING_BASE_URL", "http://10.0.0.8", "https"),
        ("HUAWEI_MEETING_BASE_URL", "ftp://example.com", "http(s) URL"),
        ("HUAWEI_MEETING_BASE_URL", "https://api.meeting.huaweicloud.com?x=1", "query"),
        ("HUAWEI_MEETING_TIMEOUT", "-1", "greater than 0"),
        ("HUAWEI_MEETING_TIMEOUT", "soon", "number"),
        ("HUAWEI_MEETING_API_TIMES", "sometimes", "'utc' or 'local'"),
        ("HUAWEI_MEETING_INCLUDE_CONTACTS", "perhaps", "boolean"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert variable in message
    assert says in message
    assert "\n" not in message


def test_empty_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEI_MEETING_ACCESS_TOKEN", "")
    monkeypatch.setenv("HUAWEI_MEETING_BASE_URL", "")
    settings = load_settings()
    assert settings.access_token is None
    assert settings.base_url == DEFAULT_BASE_URL


def test_token_never_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEI_MEETING_ACCESS_TOKEN", TOKEN)
    settings = load_settings()
    assert settings.access_token is not None
    assert settings.access_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in settings.model_dump_json()
