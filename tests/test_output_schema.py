"""The flat output schemas accept exactly what the SDK's schemas accept; every answer still conforms."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from mcp import Client
from mcp.server.mcpserver import MCPServer
from pydantic import SecretStr

from huawei_meeting_mcp.app import add_tools, create_server, tool_definitions
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID, LARGE_UUID, RECURRING_UUID, Sandbox
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.tooling import flat_schema

pytestmark = pytest.mark.anyio

CALLS = [
    ("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID}),
    ("get_historical_meeting_detail", {"confUUID": LARGE_UUID, "limit": 20, "participantType": "rooms"}),
    ("get_historical_meeting_attendance", {"confUUID": LARGE_UUID, "limit": 30}),
    ("get_historical_meeting_attendance", {"confUUID": RECURRING_UUID}),
    ("list_historical_meetings", {"startDate": "2026-06-01", "endDate": "2026-11-30", "limit": 40}),
]


async def sdk_schemas() -> dict[str, dict[str, Any]]:
    """The output schemas the SDK itself generates for our tools (registered on a plain MCPServer)."""
    plain: MCPServer[Any] = MCPServer(name="plain")
    add_tools(plain)
    return {tool.name: tool.output_schema for tool in await plain.list_tools() if tool.output_schema}


async def answers() -> list[tuple[str, dict[str, Any]]]:
    sandbox = Sandbox()
    settings = Settings(base_url="http://127.0.0.1:1", access_token=SecretStr(DEFAULT_TOKEN))
    found = []
    async with Client(create_server(settings, transport=httpx.ASGITransport(sandbox.app))) as client:
        for name, arguments in CALLS:
            result = await client.call_tool(name, arguments)  # the SDK client checks it against the flat schema
            assert result.is_error is False
            assert result.structured_content is not None
            found.append((name, result.structured_content))
    return found


def mutations(value: Any) -> Iterator[Any]:
    """`value` with one change: a field set to null, a number, a string, an object..., or removed; a key added."""
    yield value
    if isinstance(value, dict):
        yield {**value, "unexpectedField": 1}
        for key in value:
            for replacement in (None, 7, "x", {}, [], True, 1.5):
                yield {**value, key: replacement}
            yield {k: v for k, v in value.items() if k != key}
            for inner in mutations(value[key]):
                if inner is not value[key]:
                    yield {**value, key: inner}
    elif isinstance(value, list) and value:
        yield [*value, None]
        for inner in mutations(value[0]):
            if inner is not value[0]:
                yield [inner, *value[1:]]


async def test_the_published_schemas_are_flat() -> None:
    for tool in await tool_definitions():
        published = json.dumps(tool.output_schema)
        assert '"$ref"' not in published
        assert '"anyOf"' not in published


async def test_flat_and_sdk_schemas_accept_and_refuse_the_same_instances() -> None:
    schemas = await sdk_schemas()
    checked = 0
    for name, content in await answers():
        sdk = Draft202012Validator(schemas[name])
        flat = Draft202012Validator(flat_schema(schemas[name]))
        for instance in mutations(copy.deepcopy(content)):
            assert flat.is_valid(instance) == sdk.is_valid(instance), (name, instance)
            checked += 1
    assert checked > 1000


def test_a_recursive_or_foreign_ref_is_left_alone() -> None:
    recursive = {"$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}}}
    recursive |= {"$ref": "#/$defs/Node"}
    foreign = {"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}}
    assert flat_schema(recursive) == recursive
    assert flat_schema(foreign) == foreign


def test_a_nullable_enum_keeps_its_any_of() -> None:
    schema = {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}]}
    assert flat_schema(schema) == schema
