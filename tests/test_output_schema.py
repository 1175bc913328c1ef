"""The flat output schemas accept exactly what the SDK's schemas accept; every answer still conforms."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from mcp.server.mcpserver import MCPServer

from huawei_meeting_mcp import schemas
from huawei_meeting_mcp.app import TOOLS, add_tools, tool_definitions
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID, LARGE_UUID, RECURRING_UUID, Sandbox
from huawei_meeting_mcp.schemas import flat_schema
from huawei_meeting_mcp.tooling import output_model
from tests.support import in_process

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
    found = []
    async with in_process(Sandbox()) as client:
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


def test_the_stored_schemas_are_those_the_models_generate_now() -> None:
    stored = json.loads(schemas.SCHEMA_FILE.read_text(encoding="utf-8"))
    assert stored["fingerprint"] == schemas.fingerprint(), "output_schemas.json is out of date: run `make schemas`"
    assert set(stored["schemas"]) == {"MeetingList", "MeetingDetail", "MeetingAttendance", "MeetingEvents"}
    if stored["generated_with"] != schemas.generators():
        pytest.skip(
            f"the file was generated with {stored['generated_with']}, these are {schemas.generators()}: "
            "the next test holds the stored schemas to what this SDK's schemas accept"
        )
    assert stored == schemas.generated(), "output_schemas.json is out of date: run `make schemas`"


async def test_the_stored_schemas_accept_and_refuse_what_the_sdk_schemas_do() -> None:
    sdk = await sdk_schemas()
    stored = schemas.precomputed()
    checked = 0
    for name, content in await answers():
        fresh = Draft202012Validator(sdk[name])
        kept = Draft202012Validator(stored[type_name(name)])
        for instance in mutations(copy.deepcopy(content)):
            assert kept.is_valid(instance) == fresh.is_valid(instance), (name, instance)
            checked += 1
    assert checked > 1000


async def test_the_server_publishes_the_stored_schemas() -> None:
    stored = schemas.precomputed()
    for tool in await tool_definitions():
        assert tool.output_schema == stored[type_name(tool.name)]


async def test_a_stale_schema_file_is_ignored_and_the_schemas_are_generated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {tool.name: tool.output_schema for tool in await tool_definitions()}
    stale = json.loads(schemas.SCHEMA_FILE.read_text(encoding="utf-8"))
    stale["fingerprint"] = "0" * 64  # as after a change to output.py that nobody stored yet
    for schema in stale["schemas"].values():
        schema["properties"] = {}  # a file that would publish the wrong thing, if it were used
    (tmp_path / "output_schemas.json").write_text(json.dumps(stale), encoding="utf-8")
    monkeypatch.setattr(schemas, "SCHEMA_FILE", tmp_path / "output_schemas.json")
    schemas.precomputed.cache_clear()
    try:
        assert schemas.precomputed() == {}
        assert {tool.name: tool.output_schema for tool in await tool_definitions()} == expected
    finally:
        monkeypatch.undo()
        schemas.precomputed.cache_clear()


def test_the_fingerprint_follows_the_models_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = schemas.fingerprint()
    for name in schemas.SOURCES:
        (tmp_path / name).write_bytes((schemas.HERE / name).read_bytes())
    monkeypatch.setattr(schemas, "HERE", tmp_path)
    assert schemas.fingerprint() == before
    (tmp_path / "output.py").write_bytes((tmp_path / "output.py").read_bytes() + b"\n# changed\n")
    assert schemas.fingerprint() != before


def type_name(tool: str) -> str:
    """The output model a tool's answers are dumped from."""
    spec = next(spec for spec in TOOLS if spec.name == tool)
    model = output_model(spec.handler)
    assert model is not None
    return model.__name__
