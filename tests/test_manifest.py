"""manifest.json agrees with the server: the tools it lists, and a user_config entry for every setting."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import SecretStr

from huawei_meeting_mcp import __version__
from huawei_meeting_mcp.settings import DEPLOYMENT_ONLY, ENV_PREFIX, Settings, load_settings
from tests.support import in_process

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
MANIFEST: dict[str, Any] = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
CONFIG = MANIFEST["server"]["mcp_config"]
USER_CONFIG: dict[str, dict[str, Any]] = MANIFEST["user_config"]
BUNDLE_SETTINGS = [
    name for name in Settings.model_fields if not name.startswith(("http_", "oauth_")) and name not in DEPLOYMENT_ONLY
]
"""Every setting but the HTTP-mode and deployment ones: a bundle runs over stdio, on one person's machine."""


async def test_manifest_tools_are_the_live_tools() -> None:
    async with in_process() as client:
        live = [tool.name for tool in (await client.list_tools()).tools]
    assert sorted(tool["name"] for tool in MANIFEST["tools"]) == sorted(live)
    assert MANIFEST["tools_generated"] is False


def test_manifest_is_a_universal_uv_bundle_of_this_version() -> None:
    assert MANIFEST["version"] == __version__
    assert MANIFEST["manifest_version"] == "0.4"
    assert MANIFEST["$schema"].endswith("/mcpb-manifest-v0.4.schema.json")
    assert MANIFEST["server"]["type"] == "uv"
    assert MANIFEST["server"]["entry_point"] == "server/main.py"
    assert (ROOT / MANIFEST["server"]["entry_point"]).is_file()
    assert CONFIG["command"] == "uv"
    assert CONFIG["args"] == ["run", "--directory", "${__dirname}", "server/main.py"]
    # macOS and Linux: a script that finds uv where a desktop app's PATH does not look, or says what to install.
    launch = {"command": "/bin/sh", "args": ["${__dirname}/server/launch.sh"]}
    assert CONFIG["platform_overrides"] == {"darwin": launch, "linux": launch}
    assert (ROOT / "server" / "launch.sh").is_file()
    assert sorted(MANIFEST["compatibility"]["platforms"]) == ["darwin", "linux", "win32"]


def test_every_setting_has_a_user_config_entry_mapped_to_its_variable() -> None:
    expected = {ENV_PREFIX + name.upper(): f"${{user_config.{name}}}" for name in BUNDLE_SETTINGS}
    assert CONFIG["env"] == expected
    assert set(USER_CONFIG) == set(BUNDLE_SETTINGS)


@pytest.mark.parametrize("name", BUNDLE_SETTINGS)
def test_user_config_entry_matches_the_setting(name: str) -> None:
    entry = USER_CONFIG[name]
    field = Settings.model_fields[name]
    secret = SecretStr in (field.annotation, *get_args(field.annotation))
    assert entry.get("sensitive", False) is secret
    assert entry["required"] is False, "every setting has a default or is optional (App ID users skip the token)"
    if field.default is not None:
        assert entry["default"] == field.default
        kind = {bool: "boolean", int: "number", float: "number"}.get(type(field.default), "string")
        assert entry["type"] == kind


def _filled(values: dict[str, str]) -> dict[str, str]:
    """The manifest's env block with `${user_config.x}` replaced as a host does."""
    return {
        variable: re.sub(r"\$\{user_config\.(\w+)\}", lambda m: values[m[1]], template)
        for variable, template in CONFIG["env"].items()
    }


def _default_text(entry: dict[str, Any]) -> str:
    """A user_config default as a host writes it into the environment ("false", "10", ...)."""
    value = entry.get("default", "")
    return json.dumps(value) if isinstance(value, bool) else str(value)


def test_defaults_empty_values_and_unfilled_placeholders_start_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = {name: _default_text(entry) for name, entry in USER_CONFIG.items()}
    empty = dict.fromkeys(USER_CONFIG, "")
    unfilled = {name: f"${{user_config.{name}}}" for name in USER_CONFIG}
    for values in (defaults, empty, unfilled):
        for variable, value in _filled(values).items():
            monkeypatch.setenv(variable, value)
        assert load_settings().model_dump() == Settings.model_construct().model_dump()
