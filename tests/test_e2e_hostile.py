"""A hostile upstream, end to end: meeting data reaches the model as data, never as instructions or secrets.

The sandbox's hostile meetings (sandbox/hostile.py) carry each attack of the untrusted-text issue:
invisible instructions, forged fields and calls, Markdown and HTML, contact data in names and
accounts, injected control records, and error bodies that quote join links, passwords, phones and
the caller's own token. The installed server answers them over stdio; everything it says joins the
session's leak scan with the planted secrets and contacts.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator

import pytest

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, Sandbox, serving
from huawei_meeting_mcp.sandbox.hostile import (
    COMBINING_UUID,
    CONTROL_JOIN_LINK,
    EMAIL_ACCOUNT,
    ERROR_EMAIL,
    ERROR_JOIN_LINK,
    ERROR_PASSWORD,
    ERROR_PHONE,
    FORGED_UUID,
    HIDDEN_INSTRUCTION,
    LEAKY_ERROR_UUID,
    MARKDOWN_UUID,
    MARKUP_ERROR_UUID,
    PASSCODE_UUID,
    PHONE_NAME,
    TAG_UUID,
    TOKEN_ERROR_UUID,
    hostile_contacts,
    hostile_secrets,
)
from tests.support import SCAN, LiveSandbox, run_server, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

PLANTED = [CONTROL_JOIN_LINK, ERROR_JOIN_LINK, ERROR_PASSWORD, EMAIL_ACCOUNT, PHONE_NAME, ERROR_PHONE, ERROR_EMAIL]


@pytest.fixture
def hostile() -> Iterator[LiveSandbox]:
    sandbox = Sandbox(hostile=True)
    with serving(sandbox) as url:
        yield LiveSandbox(sandbox=sandbox, url=url)
    SCAN.secrets.update(sandbox.secret_strings())
    SCAN.contacts.update(sandbox.contact_strings())


def hidden(text: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) == "Cf" and c not in "\u200c\u200d"]


async def test_hostile_meetings_are_reported_as_data(hostile: LiveSandbox) -> None:
    async with run_server(hostile.env()) as run:
        listed = await run.call(TOOL_NAMES.list, {"limit": 50})
        listing = text_of(listed)
        answers = [listing]
        structured = [json.dumps(listed.structured_content, ensure_ascii=False)]
        for uuid in (TAG_UUID, MARKDOWN_UUID):
            for tool in (TOOL_NAMES.detail, TOOL_NAMES.attendance, TOOL_NAMES.events):
                result = await run.call(tool, {"confUUID": uuid})
                assert result.is_error is False, text_of(result)
                answers.append(text_of(result))
                structured.append(json.dumps(result.structured_content, ensure_ascii=False))
    everything = "\n".join(answers)
    data = "\n".join(structured)
    assert hidden(everything + data) == []
    assert HIDDEN_INSTRUCTION not in everything + data
    assert '"Q3 review"' in listing, "the visible part of the tagged subject is still reported"
    for active in ("![", "](", "<img", "```"):
        assert active not in everything
    for planted in PLANTED:
        assert planted not in everything + data, "not in the text, not in the structured content"
    for call in re.findall(r"confUUID=(\S+?)[,)]", everything):
        assert re.fullmatch(r'"[0-9a-f]{32}"', call), call
    assert "malformed confUUID" in listing
    assert FORGED_UUID not in re.sub(r'"(?:[^"\\]|\\.)*"', "", listing), "the forged confUUID only inside quotes"
    assert "masked" in everything, "the answer says that values were masked"
    assert "Links inside meeting data were masked" in everything


async def test_upstream_errors_are_redacted(hostile: LiveSandbox) -> None:
    async with run_server(hostile.env()) as run:
        leaky = await run.call(TOOL_NAMES.detail, {"confUUID": LEAKY_ERROR_UUID})
        token = await run.call(TOOL_NAMES.detail, {"confUUID": TOKEN_ERROR_UUID})
        normal = await run.call(TOOL_NAMES.detail, {"confUUID": TAG_UUID})
        said = run.everything_said()
    assert leaky.is_error is True
    assert token.is_error is True
    for planted in (ERROR_JOIN_LINK, ERROR_PASSWORD, ERROR_PHONE, ERROR_EMAIL, DEFAULT_TOKEN):
        assert planted not in said
    assert "[X-Request-ID: " in text_of(leaky)
    assert normal.is_error is False, "the server keeps serving"


async def test_round_two_markup_errors_typed_passwords_and_disguised_contacts(hostile: LiveSandbox) -> None:
    """Issue 20, findings 1, 3, 6 and 8, end to end over stdio against `sandbox --hostile`."""
    async with run_server(hostile.env(HUAWEI_MEETING_LANGUAGE="zh-CN")) as run:
        failed = await run.call(TOOL_NAMES.detail, {"confUUID": MARKUP_ERROR_UUID})
        answers = [await run.call(TOOL_NAMES.list, {"limit": 50})]
        for tool in (TOOL_NAMES.detail, TOOL_NAMES.attendance, TOOL_NAMES.events):
            answers.append(await run.call(tool, {"confUUID": PASSCODE_UUID}))
        answers.append(await run.call(TOOL_NAMES.detail, {"confUUID": COMBINING_UUID}))
        said = run.everything_said()
    assert failed.is_error is True
    message = text_of(failed)
    for live in ("![", "<img", "onerror", "attacker.example"):
        assert live not in said, live
    assert message.count("[X-Request-ID: ") == 1, "the forged request ID is escaped"
    assert "Next:" not in re.sub(r'"(?:[^"\\]|\\.)*"', "", message), "the forged call sits inside quotes"
    assert all(result.is_error is False for result in answers), [text_of(r) for r in answers]
    for planted in hostile_secrets() | hostile_contacts():
        assert planted not in said, planted
    text = "\n".join(text_of(result) for result in answers)
    assert "passcode (hidden)" in text
    assert "(phone hidden)" in text
    assert "(e-mail hidden)" in text
    assert "\u0301" * 31 not in said, "runs of combining marks are cut to the stream-safe limit"
