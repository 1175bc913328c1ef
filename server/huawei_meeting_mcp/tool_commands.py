"""Command-line subcommands made from the MCP tools, run through an in-process MCP client.

Each tool becomes a subcommand (its `command` in the tool table, e.g. `detail`): required tool
arguments become positional arguments, the others `--kebab-case` options, all read from the
tool's input schema. Running one sends the same `tools/call` an assistant would send to the same
server, so the command prints exactly the text the assistant gets (or, with `--json`, the
structured content). There is no second implementation to drift.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from typing import Any

from mcp import Client
from mcp.server.lowlevel import Server
from mcp.types import CallToolResult, Tool

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PYTHON_TYPES: dict[str, type] = {"integer": int, "number": float, "string": str}


@dataclass(frozen=True)
class ToolCommand:
    """One generated subcommand: the tool it calls and which parsed option feeds which tool argument."""

    tool: str
    arguments: dict[str, str]
    """argparse destination -> tool argument name."""

    def tool_arguments(self, args: argparse.Namespace) -> dict[str, Any]:
        """The tool call's arguments: every option the user gave, none of those left unset."""
        given = vars(args)
        return {name: given[dest] for dest, name in self.arguments.items() if given.get(dest) is not None}


def snake_case(name: str) -> str:
    """`confUUID` -> `conf_uuid`, `searchKey` -> `search_key`."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def _concrete(schema: dict[str, Any]) -> dict[str, Any]:
    """The one non-null variant of an `anyOf` (how pydantic spells `X | None`), else the schema itself."""
    variants = [v for v in schema.get("anyOf", []) if v.get("type") != "null"]
    return {**schema, **variants[0]} if len(variants) == 1 else schema


def _help(schema: dict[str, Any]) -> str:
    text = str(schema.get("description", ""))
    if schema.get("default") is not None:
        text += f" (default: {schema['default']})"
    return text.replace("%", "%%")


def _argparse_options(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    options: dict[str, Any] = {"help": _help(schema)}
    if "enum" in schema:
        options["choices"] = schema["enum"]
    elif kind != "boolean":
        options["metavar"] = snake_case(name).upper()
    if kind == "boolean":
        options["action"] = argparse.BooleanOptionalAction
    elif kind == "array":
        options["nargs"] = "+"
        options["type"] = _PYTHON_TYPES.get(schema.get("items", {}).get("type", "string"), str)
    else:
        options["type"] = _PYTHON_TYPES.get(kind or "string", str)
    return options


def add_tool_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    tools: list[Tool],
    names: dict[str, str],
    parents: list[argparse.ArgumentParser],
) -> dict[str, ToolCommand]:
    """Add a subcommand per tool (named by `names`, else the tool name); returns them by command name."""
    made: dict[str, ToolCommand] = {}
    for tool in tools:
        command = names.get(tool.name, tool.name)
        parser = commands.add_parser(
            command,
            parents=parents,
            help=f"{tool.title or tool.name} (the {tool.name} tool)",
            description=tool.description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        required = set(tool.input_schema.get("required", []))
        arguments: dict[str, str] = {}
        for name, raw in tool.input_schema.get("properties", {}).items():
            schema = _concrete(raw)
            dest = f"arg_{snake_case(name)}"
            options = _argparse_options(name, schema)
            if name in required:
                parser.add_argument(dest, **options)
            else:
                parser.add_argument("--" + snake_case(name).replace("_", "-"), dest=dest, default=None, **options)
            arguments[dest] = name
        parser.add_argument("--json", action="store_true", help="print the structured result as JSON")
        made[command] = ToolCommand(tool=tool.name, arguments=arguments)
    return made


async def call_tool(server: Server[Any], tool: str, arguments: dict[str, Any]) -> CallToolResult:
    """Call `tool` on `server` through an in-process MCP client, as an assistant's client would."""
    async with Client(server) as client:
        return await client.call_tool(tool, arguments)


def print_result(result: CallToolResult, as_json: bool) -> int:
    """Print a tool result for a person (stdout; errors to stderr); returns the exit code."""
    text = "\n".join(getattr(block, "text", "") for block in result.content)
    if result.is_error:
        sys.stderr.write(text + "\n")
        return 1
    if as_json and result.structured_content is not None:
        sys.stdout.write(json.dumps(result.structured_content, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0
