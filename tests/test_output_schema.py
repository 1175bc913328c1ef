"""Every structured result validates against the published output schema, which is flat and never null."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from mcp import Client
from pydantic import BaseModel, SecretStr

from huawei_meeting_mcp.app import TOOLS, create_server, tool_definitions
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID, LARGE_UUID, RECURRING_UUID, Sandbox
from huawei_meeting_mcp.schemas import SchemaError, flat_schema, output_schema
from huawei_meeting_mcp.settings import Settings
from huawei_meeting_mcp.tool_server import output_model

pytestmark = pytest.mark.anyio

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID}),
    ("get_historical_meeting_detail", {"confUUID": LARGE_UUID, "limit": 20, "participantType": "rooms"}),
    ("get_historical_meeting_attendance", {"confUUID": LARGE_UUID, "limit": 30}),
    ("get_historical_meeting_attendance", {"confUUID": RECURRING_UUID, "show": "absent"}),
    ("get_historical_meeting_events", {"confUUID": DOCS_EXAMPLE_UUID}),
    ("list_historical_meetings", {"startDate": "2026-06-01", "endDate": "2026-11-30", "limit": 40}),
    ("get_historical_meeting_series", {"meetingID": "914087001", "limit": 5}),
]


def model_of(tool: str) -> type[BaseModel]:
    """The output model a tool's answers are dumped from."""
    spec = next(spec for spec in TOOLS if spec.name == tool)
    model = output_model(spec.handler)
    assert model is not None
    return model


async def published() -> dict[str, dict[str, Any]]:
    """The output schemas as `tools/list` shows them."""
    return {tool.name: tool.output_schema for tool in await tool_definitions() if tool.output_schema is not None}


async def answers() -> list[tuple[str, dict[str, Any]]]:
    sandbox = Sandbox()
    settings = Settings(base_url="http://127.0.0.1:1", access_token=SecretStr(DEFAULT_TOKEN))
    found = []
    async with Client(create_server(settings, transport=httpx.ASGITransport(sandbox.app))) as client:
        for name, arguments in CALLS:
            result = await client.call_tool(name, arguments)  # the SDK client checks it against the schema too
            assert result.is_error is False
            assert result.structured_content is not None
            found.append((name, result.structured_content))
    return found


def mutations(value: Any) -> Iterator[Any]:
    """`value` with one change: a field set to null, a number, a string, an object..., or removed; a key added."""
    yield value
    if isinstance(value, dict):
        yield {**value, "unexpectedField": 1}
        replacement: object
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


def holds_null(value: Any) -> bool:
    if isinstance(value, dict):
        return any(holds_null(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_null(item) for item in value)
    return value is None


def schema_types(node: Any) -> Iterator[Any]:
    """Every `type` keyword's value in a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "type":
                yield value
            elif key not in ("default", "enum", "const", "examples"):
                yield from schema_types(value)
    elif isinstance(node, list):
        for item in node:
            yield from schema_types(item)


async def test_the_published_schemas_are_flat_and_never_null() -> None:
    for tool in await tool_definitions():
        for schema in (tool.input_schema, tool.output_schema):
            assert schema is not None
            assert '"$ref"' not in json.dumps(schema)
            assert all(isinstance(kind, str) and kind != "null" for kind in schema_types(schema)), tool.name


async def test_every_structured_result_validates_against_the_published_schema() -> None:
    schemas = await published()
    results = await answers()
    assert {name for name, _ in results} == set(schemas), "every tool with an output schema is called"
    for name, content in results:
        Draft202012Validator(schemas[name]).validate(content)


async def test_the_schema_accepts_what_the_model_dumps_and_refuses_the_rest() -> None:
    """Published and pydantic's own schema agree on every instance, except that ours never takes a null."""
    schemas = await published()
    checked = 0
    for name, content in await answers():
        ours = Draft202012Validator(schemas[name])
        pydantics = Draft202012Validator(model_of(name).model_json_schema(mode="serialization"))
        for instance in mutations(copy.deepcopy(content)):
            expected = pydantics.is_valid(instance) and not holds_null(instance)
            assert ours.is_valid(instance) == expected, (name, instance)
            checked += 1
    assert checked > 1000


def test_a_nullable_property_is_published_optional_with_its_own_type() -> None:
    class Inner(BaseModel):
        """Inner."""

        a: int

    class Outer(BaseModel):
        """Outer."""

        kept: str
        maybe: str | None = None
        inner: Inner | None = None
        either: int | str | None = None

    schema = output_schema(Outer, "Outer: result")
    assert schema == {
        "title": "Outer: result",
        "description": "Outer.",
        "type": "object",
        "properties": {
            "kept": {"type": "string"},
            "maybe": {"type": "string"},
            "inner": {
                "description": "Inner.",
                "type": "object",
                "properties": {"a": {"type": "integer"}},
                "required": ["a"],
            },
            "either": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
        },
        "required": ["kept"],
    }


def test_null_anywhere_but_an_optional_property_is_refused() -> None:
    class Items(BaseModel):
        values: list[int | None]

    with pytest.raises(SchemaError, match="may be null"):
        output_schema(Items, "Items")


def test_a_recursive_or_foreign_ref_is_refused() -> None:
    recursive: dict[str, Any] = {
        "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}}
    }
    recursive |= {"$ref": "#/$defs/Node"}
    foreign = {"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}}
    for schema in (recursive, foreign):
        with pytest.raises(SchemaError, match="cannot inline"):
            flat_schema(schema)
