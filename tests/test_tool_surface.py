"""What a client sees of the server, held still: tools/list and prompts/list as reviewed, capabilities, progress.

tests/snapshots/tools_list.json is the live `tools/list` and tests/snapshots/prompts_list.json the live
`prompts/list`, pretty-printed with sorted keys, so that a change to a description, a schema or a prompt
shows in the reviewer's diff. server/huawei_meeting_mcp/tool_schemas.json, the schemas the server serves
without generating them at start-up, must equal what the models generate. After an intended change, all three:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_tool_surface.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, METHOD_NOT_FOUND, PromptReference
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import SecretStr

from huawei_meeting_mcp import tool_server
from huawei_meeting_mcp.app import PROMPTS, TOOL_NAMES, create_server, generated_schemas, tool_definitions
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, LARGE_UUID, Sandbox
from huawei_meeting_mcp.schemas import STORED, stored_form
from huawei_meeting_mcp.settings import Settings
from tests.support import ProgressLog, text_of

pytestmark = pytest.mark.anyio

SNAPSHOT = Path(__file__).with_name("snapshots") / "tools_list.json"
PROMPTS_SNAPSHOT = Path(__file__).with_name("snapshots") / "prompts_list.json"
REGENERATE = "UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_tool_surface.py"


def sandboxed() -> Server[Any]:
    sandbox = Sandbox()
    settings = Settings(base_url="http://127.0.0.1:1", access_token=SecretStr(DEFAULT_TOKEN))
    return create_server(settings, transport=httpx.ASGITransport(sandbox.app))


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_stored_schemas_are_the_ones_the_models_generate() -> None:
    """The server serves `schemas.STORED` (generating them cost most of a start-up): it must be what models give."""
    generated = stored_form(generated_schemas())
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        STORED.write_text(generated, encoding="utf-8")
    assert STORED.read_text(encoding="utf-8") == generated, (
        f"{STORED.name} differs from the schemas the models generate (a model, a handler's parameters or a field's "
        f"description changed). Write it again with: {REGENERATE}"
    )


async def test_a_tool_without_stored_schemas_is_served_with_generated_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tool_server, "stored_schemas", dict)
    tool_server.registered.cache_clear()
    try:
        async with Client(create_server(Settings())) as client:
            listed = await client.list_tools()
    finally:
        tool_server.registered.cache_clear()
    assert {tool.name: tool.input_schema for tool in listed.tools} == {
        name: schemas["inputSchema"] for name, schemas in generated_schemas().items()
    }


async def test_tools_list_matches_the_reviewed_snapshot() -> None:
    async with Client(create_server(Settings())) as client:
        listed = await client.list_tools()
    live = pretty({"tools": [tool.model_dump(by_alias=True, exclude_none=True, mode="json") for tool in listed.tools]})
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(live, encoding="utf-8")
    stored = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    assert live == stored, (
        "tools/list differs from tests/snapshots/tools_list.json. "
        f"If the change is intended, regenerate the snapshot and commit its diff: {REGENERATE}"
    )


async def test_prompts_list_matches_the_reviewed_snapshot() -> None:
    async with Client(create_server(Settings())) as client:
        listed = await client.list_prompts()
    live = pretty({"prompts": [p.model_dump(by_alias=True, exclude_none=True, mode="json") for p in listed.prompts]})
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        PROMPTS_SNAPSHOT.write_text(live, encoding="utf-8")
    stored = PROMPTS_SNAPSHOT.read_text(encoding="utf-8") if PROMPTS_SNAPSHOT.exists() else ""
    assert live == stored, (
        "prompts/list differs from tests/snapshots/prompts_list.json. "
        f"If the change is intended, regenerate the snapshot and commit its diff: {REGENERATE}"
    )


async def test_tool_definitions_are_what_tools_list_shows() -> None:
    async with Client(create_server(Settings())) as client:
        listed = (await client.list_tools()).tools
    assert [tool.model_dump() for tool in listed] == [tool.model_dump() for tool in await tool_definitions()]


async def test_the_schemas_carry_titles_a_person_wrote() -> None:
    for tool in await tool_definitions():
        assert tool.input_schema["title"] == f"{tool.title}: arguments"
        assert tool.output_schema is not None
        assert tool.output_schema["title"] == f"{tool.title}: result"
        for schema in (tool.input_schema, tool.output_schema):
            assert json.dumps(schema).count('"title"') == 1, "no titles made from field or class names"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_initialize_and_discover_declare_tools_prompts_and_completions_and_unchanging_lists(mode: str) -> None:
    async with Client(sandboxed(), mode=mode) as client:
        capabilities = client.server_capabilities
        era = client.protocol_version
        prompts = await client.list_prompts()
        completed = await client.complete(
            PromptReference(name="meeting_report"), {"name": "confUUID", "value": LARGE_UUID[:6]}
        )
        with pytest.raises(MCPError) as resources:
            await client.list_resources()
        with pytest.raises(MCPError) as unknown:
            await client.call_tool("no_such_tool", {})
        with pytest.raises(MCPError) as unknown_prompt:
            await client.get_prompt("no_such_prompt")
    assert (era in MODERN_PROTOCOL_VERSIONS) == (mode == "auto"), "auto asks server/discover, legacy initialize"
    assert capabilities is not None
    assert capabilities.model_dump(by_alias=True, exclude_none=True) == {
        "tools": {"listChanged": False},
        "prompts": {"listChanged": False},
        "completions": {},
    }
    assert [prompt.name for prompt in prompts.prompts] == [prompt.name for prompt in PROMPTS]
    assert completed.completion.values == [LARGE_UUID]
    assert resources.value.code == METHOD_NOT_FOUND
    assert unknown.value.code == unknown_prompt.value.code == INVALID_PARAMS
    assert "Unknown tool: 'no_such_tool'" in str(unknown.value)
    assert "Unknown prompt: 'no_such_prompt'" in str(unknown_prompt.value)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_attendance_reports_progress_in_process(mode: str) -> None:
    progress = ProgressLog()

    async with Client(sandboxed(), mode=mode) as client:
        result = await client.call_tool(TOOL_NAMES.attendance, {"confUUID": LARGE_UUID}, progress_callback=progress)
    assert result.is_error is False, text_of(result)
    assert progress[0] == (0, None, "Reading attendance records")
    assert len(progress) >= 2
    assert progress[-1][0] == progress[-1][1]
