"""Settings: defaults, validation messages that name the variable, and secrets kept out of repr."""

from __future__ import annotations

import pytest

from huawei_meeting_mcp.settings import DEFAULT_BASE_URL, EXPECTED, ConfigError, Settings, load_settings

TOKEN = "stbSETTINGS-SECRET-000000000000000000"


pytestmark = pytest.mark.usefixtures("clean_env")


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
        ("HUAWEI_MEETING_MAX_RETRIES", "9", "less than or equal to 5"),
        ("HUAWEI_MEETING_LOG_LEVEL", "loud", "'DEBUG', 'INFO', 'WARNING' or 'ERROR'"),
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


def test_a_bad_value_is_answered_with_the_range_the_default_and_an_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEI_MEETING_TIMEOUT", "abc")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == (
        "Invalid configuration: HUAWEI_MEETING_TIMEOUT Input should be a valid number, unable to parse string as a "
        "number (expected a number of seconds, more than 0 and at most 600; default 10; "
        "for example HUAWEI_MEETING_TIMEOUT=30)."
    )


def test_every_setting_says_what_it_expects() -> None:
    assert set(EXPECTED) == set(Settings.model_fields)
    for name, expected in EXPECTED.items():
        default = Settings.model_fields[name].default
        if isinstance(default, (int, float, str)) and not isinstance(default, bool):
            assert expected.default == f"{default:g}" if isinstance(default, float) else str(default), name


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("HUAWEI_MEETING_API_TIMES", "UTC", "api_times", "utc"),
        ("HUAWEI_MEETING_API_TIMES", " Local ", "api_times", "local"),
        ("HUAWEI_MEETING_LOG_LEVEL", "debug", "log_level", "DEBUG"),
        ("HUAWEI_MEETING_INCLUDE_CONTACTS", "TRUE", "include_contacts", True),
    ],
)
def test_choices_ignore_case(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, expected: object
) -> None:
    monkeypatch.setenv(variable, value)
    assert getattr(load_settings(), field) == expected


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
@pytest.mark.parametrize("blank", ["", "   ", "${user_config.NAME}", "${user_config.other}"])
def test_a_blank_or_unfilled_placeholder_is_unset_for_every_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, blank: str
) -> None:
    monkeypatch.setenv(f"HUAWEI_MEETING_{name.upper()}", blank.replace("NAME", name))
    settings = load_settings()
    assert name not in settings.model_fields_set
    assert settings.model_dump() == Settings.model_construct().model_dump()


def test_app_id_sign_in_with_every_other_field_left_blank_in_a_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.setenv(f"HUAWEI_MEETING_{name.upper()}", f"${{user_config.{name}}}")
    monkeypatch.setenv("HUAWEI_MEETING_APP_ID", "app-id-1")
    monkeypatch.setenv("HUAWEI_MEETING_APP_KEY", "app-key-1")
    settings = load_settings()
    assert settings.credentials == "app_id"
    assert settings.model_fields_set == {"app_id", "app_key"}


def test_a_placeholder_inside_a_longer_value_is_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEI_MEETING_ACCOUNT", "x${user_config.account}")
    monkeypatch.setenv("HUAWEI_MEETING_PASSWORD", "${user_config.password}y")
    settings = load_settings()
    assert settings.account == "x${user_config.account}"
    assert settings.password is not None
    assert settings.password.get_secret_value() == "${user_config.password}y"
