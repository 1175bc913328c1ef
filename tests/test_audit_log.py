"""Audit logs: with HUAWEI_MEETING_LOG_FORMAT=json every stderr line is one JSON object, each tool call writes one
record, refused HTTP requests write theirs, and nothing a caller or Huawei said (secrets, contacts, text) is in them."""

from __future__ import annotations

import json
import logging
import sys

import httpx
import pytest

from huawei_meeting_mcp import observe
from huawei_meeting_mcp.redaction import AUDIT_LOGGER, JsonFormatter, SecretRedactor, configure_logging
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID
from huawei_meeting_mcp.settings import ConfigError, load_settings
from tests.support import LiveSandbox, http_server, leaked, run_server

pytestmark = pytest.mark.anyio
DETAIL = "get_historical_meeting_detail"
ATTENDANCE = "get_historical_meeting_attendance"
HTTP_TOKEN = "http-bearer-Jv4pR8sW2nQ6tY9uZ3xA"
TOOL_CALL_FIELDS = {"event", "tool", "outcome", "duration_ms", "upstream_requests", "cache_hits", "user", "request_id"}


def json_lines(stderr: str) -> list[dict[str, object]]:
    """Every line of `stderr` as a JSON object (fails on the first line that is not one)."""
    parsed = []
    for line in stderr.splitlines():
        value = json.loads(line)
        assert isinstance(value, dict), line
        parsed.append(value)
    return parsed


@pytest.mark.e2e
async def test_json_logs_parse_line_by_line_with_one_record_per_tool_call(live_sandbox: LiveSandbox) -> None:
    env = live_sandbox.app_id_env(HUAWEI_MEETING_LOG_FORMAT="json", HUAWEI_MEETING_LOG_LEVEL="DEBUG")
    async with run_server(env) as run:
        await run.call(DETAIL, {"confUUID": DOCS_EXAMPLE_UUID})
        await run.call(ATTENDANCE, {"confUUID": DOCS_EXAMPLE_UUID, "searchKey": "Alice"})
        await run.call(DETAIL, {"confUUID": "sandbox-error-not-found"})
        stderr = run.stderr()
    lines = json_lines(stderr)
    assert {"time", "level", "logger", "event", "message"} <= set(lines[0])
    calls = [line for line in lines if line["event"] == "tool_call"]
    assert [(c["tool"], c["outcome"]) for c in calls] == [(DETAIL, "ok"), (ATTENDANCE, "ok"), (DETAIL, "error")]
    for call in calls:
        assert set(call) >= TOOL_CALL_FIELDS
        assert call["user"] == "operator"
        assert isinstance(call["duration_ms"], float)
    assert calls[0]["upstream_requests"] == 2, "the sign-in and the meeting's detail"
    assert len({c["request_id"] for c in calls}) == 3

    sandbox = live_sandbox.sandbox
    assert sandbox.auth.sign_ins == 1
    assert not leaked(stderr, sandbox.secret_strings()), "no token, key or link at DEBUG"
    assert not leaked(stderr, sandbox.contact_strings()), "no contact"
    subject = sandbox.meetings[DOCS_EXAMPLE_UUID].conference["subject"]
    assert subject not in stderr, "no meeting text"
    for call in calls:
        assert DOCS_EXAMPLE_UUID not in json.dumps(call), "no argument value in a record"
        assert "Alice" not in json.dumps(call)


@pytest.mark.e2e
async def test_refused_http_requests_write_auth_refused_records(live_sandbox: LiveSandbox) -> None:
    env = live_sandbox.env(
        HUAWEI_MEETING_HTTP_TOKEN=HTTP_TOKEN + "\n", HUAWEI_MEETING_LOG_FORMAT="json", HUAWEI_MEETING_LOG_LEVEL="DEBUG"
    )
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    with http_server(env) as run:
        async with httpx.AsyncClient() as raw:
            missing = await raw.post(run.url, json=body)
            wrong = await raw.post(run.url, json=body, headers={"Authorization": "Bearer not-the-token-at-all"})
            basic = await raw.post(run.url, json=body, headers={"Authorization": "Basic dXNlcjpwYXNz"})
            right = await raw.post(
                run.url,
                json=body,
                headers={"Authorization": f"Bearer {HTTP_TOKEN}", "Accept": "application/json, text/event-stream"},
            )
        stderr = run.stderr()
    assert [missing.status_code, wrong.status_code, basic.status_code] == [401, 401, 401]
    assert right.status_code != 401, "the token from a secret file, newline and all, is trimmed"
    refused = [line for line in json_lines(stderr) if line["event"] == "auth_refused"]
    assert [r["reason"] for r in refused] == ["missing_authorization", "token_mismatch", "not_bearer"]
    assert {r["path"] for r in refused} == {"/mcp"}
    assert all(r["client"] == "127.0.0.1" and r["level"] == "WARNING" for r in refused)
    assert HTTP_TOKEN not in stderr
    assert "not-the-token-at-all" not in stderr, "a wrong token is not written either"
    assert "dXNlcjpwYXNz" not in stderr


def test_the_json_formatter_masks_secrets_in_every_field_and_the_traceback() -> None:
    redactor = SecretRedactor()
    redactor.add("planted-secret-Xy7Qw")
    formatter = JsonFormatter(redactor)
    try:
        raise ValueError("boom planted-secret-Xy7Qw")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "said %s", ("planted-secret-Xy7Qw",), sys.exc_info()
        )
    record.audit = {"event": "custom", "note": "planted-secret-Xy7Qw"}
    line = formatter.format(record)
    parsed = json.loads(line)
    assert "planted-secret-Xy7Qw" not in line
    assert parsed["message"] == "said ***"
    assert parsed["note"] == "***"
    assert parsed["event"] == "custom"
    assert "ValueError" in parsed["exception"]


@pytest.mark.parametrize(
    ("identity", "user"),
    [(None, "operator"), ("", "operator"), ("alice@example.com", observe.user_of("alice@example.com"))],
)
def test_the_user_is_a_stable_digest_of_the_identity(identity: str | None, user: str) -> None:
    assert observe.user_of(identity) == user
    if identity:
        assert user.startswith("u-")
        assert len(user) == 18
        assert identity not in user
        assert observe.user_of(identity + " ") != user


def test_log_format_is_text_or_json_in_any_case(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HUAWEI_MEETING_LOG_FORMAT", " JSON ")
    assert load_settings().log_format == "json"
    clean_env.setenv("HUAWEI_MEETING_LOG_FORMAT", "yaml")
    with pytest.raises(ConfigError, match=r"HUAWEI_MEETING_LOG_FORMAT .*text or json"):
        load_settings()


@pytest.mark.parametrize(
    ("log_format", "level", "shown"),
    [("json", "INFO", True), ("text", "INFO", False), ("text", "DEBUG", True), ("json", "WARNING", False)],
)
def test_text_logs_keep_tool_calls_off_info(log_format: str, level: str, shown: bool) -> None:
    root = logging.getLogger()
    handlers, root_level = root.handlers[:], root.level
    try:
        configure_logging(level, log_format)
        assert logging.getLogger(AUDIT_LOGGER).isEnabledFor(logging.INFO) is shown
        assert logging.getLogger(AUDIT_LOGGER).isEnabledFor(logging.WARNING), "refusals show at any level to WARNING"
    finally:
        root.handlers[:] = handlers
        root.setLevel(root_level)
        logging.getLogger(AUDIT_LOGGER).setLevel(logging.NOTSET)
