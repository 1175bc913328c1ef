"""Errors across the whole tool: one format for every kind, and a bug in a view is an internal error."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager

import pytest
from mcp import Client

from huawei_meeting_mcp import app
from huawei_meeting_mcp.auth import StaticToken
from huawei_meeting_mcp.errors import ERROR_META
from huawei_meeting_mcp.output import MeetingDetail
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID, Sandbox
from huawei_meeting_mcp.tool_server import INTERNAL_ERROR
from tests.support import in_process, text_of

pytestmark = pytest.mark.anyio
NAMES = app.TOOL_NAMES


def client() -> AbstractAsyncContextManager[Client]:
    return in_process(Sandbox(), tokens=StaticToken(DEFAULT_TOKEN))


INVALID, FAILED = {"kind": "invalid-arguments", "retryable": False}, {"kind": "failed", "retryable": False}


@pytest.mark.parametrize(
    ("tool", "arguments", "starts", "meta"),
    [
        (NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID, "limit": 9999}, "Invalid arguments: limit: ", INVALID),
        (NAMES.detail, {}, "Invalid arguments: confUUID: ", INVALID),
        (NAMES.list, {"startDate": "yesterday"}, 'Invalid arguments: startDate "yesterday" is not a date.', INVALID),
        (
            NAMES.list,
            {"startDate": "2026-11-02", "endDate": "2026-11-01"},
            "Invalid arguments: the range is inverted",
            INVALID,
        ),
        (
            NAMES.detail,
            {"confUUID": "sandbox-error-not-found"},
            "No ended meeting with that confUUID was found.",
            FAILED,
        ),
        (
            NAMES.attendance,
            {"confUUID": "sandbox-error-forbidden"},
            "The signed-in user may not view this meeting.",
            FAILED,
        ),
        (NAMES.detail, {"confUUID": "sandbox-error-server"}, "", {"kind": "failed", "retryable": True}),
    ],
)
async def test_every_kind_of_error_reads_alike_and_says_its_kind_to_programs(
    tool: str, arguments: dict[str, object], starts: str, meta: dict[str, object]
) -> None:
    async with client() as session:
        result = await session.call_tool(tool, arguments)
    text = text_of(result)
    assert result.is_error is True
    assert text.startswith(starts), text
    assert "Error executing tool" not in text
    assert tool not in text, "the tool's name is not repeated in its own error"
    assert (result.meta or {}).get(ERROR_META) == meta


async def test_a_bug_in_a_view_is_an_internal_error_and_the_server_keeps_serving(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> MeetingDetail:
        raise ZeroDivisionError("a bug in the view")

    monkeypatch.setattr(app, "build_detail", broken)
    async with client() as session:
        with caplog.at_level(logging.ERROR):
            failed = await session.call_tool(NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID})
        listed = await session.call_tool(NAMES.list, {"startDate": "2019-11-18", "endDate": "2019-11-19"})
    assert failed.is_error is True
    assert text_of(failed) == INTERNAL_ERROR
    assert (failed.meta or {}).get(ERROR_META) == {"kind": "internal", "retryable": False}
    assert "a bug in the view" in caplog.text, "the cause stays in the server's log"
    assert listed.is_error is False


async def test_a_bug_in_rendering_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> tuple[MeetingDetail, str]:
        raise KeyError("render")

    monkeypatch.setattr(app, "render_paged", broken)
    async with client() as session:
        failed = await session.call_tool(NAMES.detail, {"confUUID": DOCS_EXAMPLE_UUID})
    assert text_of(failed) == INTERNAL_ERROR
