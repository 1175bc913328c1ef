"""server.json (the official MCP Registry's entry) is valid against the released schema and agrees with the project."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest
from pydantic import SecretStr

from huawei_meeting_mcp import __version__
from huawei_meeting_mcp.settings import DEPLOYMENT_ONLY, ENV_PREFIX, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_VERSION = "2025-12-11"
SCHEMA_URL = f"https://static.modelcontextprotocol.io/schemas/{SCHEMA_VERSION}/server.schema.json"
SCHEMA: dict[str, Any] = json.loads(
    (ROOT / "tests" / "schemas" / f"server.schema.{SCHEMA_VERSION}.json").read_text(encoding="utf-8")
)
SERVER: dict[str, Any] = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
PACKAGE: dict[str, Any] = SERVER["packages"][0]
STDIO_SETTINGS = [
    n for n in Settings.model_fields if not n.startswith(("http_", "oauth_")) and n not in DEPLOYMENT_ONLY
]
"""What a registry client running the package over stdio may set (a deployed server's settings: docs/deploy.md)."""


def test_the_vendored_schema_is_the_released_one() -> None:
    assert SCHEMA["$id"] == SCHEMA_URL
    assert SERVER["$schema"] == SCHEMA_URL


def test_server_json_is_valid_against_the_registry_schema() -> None:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(SERVER)] == []


def test_the_schema_check_can_fail() -> None:
    broken = {**SERVER, "name": "no-slash", "packages": [{**PACKAGE, "version": 7}]}
    validator = jsonschema.Draft7Validator(SCHEMA)
    messages = [error.message for error in validator.iter_errors(broken)]
    assert any("does not match" in message for message in messages)
    assert any("is not of type 'string'" in message for message in messages)


def test_server_json_names_this_package_and_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert SERVER["version"] == PACKAGE["version"] == __version__
    assert PACKAGE["registryType"] == "pypi"
    assert PACKAGE["identifier"] == project["name"]
    assert PACKAGE["transport"] == {"type": "stdio"}
    assert len(SERVER["description"]) <= 100, "the registry refuses longer descriptions"


def test_the_readme_carries_the_mcp_name_marker_pypi_ownership_is_verified_by() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"mcp-name: (\S+)", readme) == [SERVER["name"]]


@pytest.mark.parametrize("name", STDIO_SETTINGS)
def test_every_stdio_setting_is_declared_with_its_secrecy(name: str) -> None:
    declared = {item["name"]: item for item in PACKAGE["environmentVariables"]}
    item = declared[ENV_PREFIX + name.upper()]
    field = Settings.model_fields[name]
    assert item.get("isSecret", False) is (SecretStr in (field.annotation, *get_args(field.annotation)))
    assert item["isRequired"] is False
    assert len(declared) == len(STDIO_SETTINGS)
