"""The MCP Bundle: built by the documented script, unpacked, and started exactly as manifest.json says.

The manifest's `uv` server type means the host runs `uv run --directory <bundle> server/main.py`
and uv installs the dependencies. A host gets them from PyPI; this test must pass offline, so it
gives uv a folder of wheels rebuilt from this virtualenv (tests/wheelhouse.py) and `UV_OFFLINE`,
with a fresh HOME so nothing cached from earlier runs is used.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from huawei_meeting_mcp import __version__
from huawei_meeting_mcp.sandbox import DEFAULT_APP_ID, DEFAULT_APP_KEY, DOCS_EXAMPLE_UUID
from tests.support import SCAN, LiveSandbox, text_of
from tests.wheelhouse import build_wheelhouse

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

pytestmark = [pytest.mark.anyio, pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DEPENDENCIES: list[str] = PYPROJECT["project"]["dependencies"]


def uv_command() -> str:
    """The `uv` a host would have: the one installed with the dev extras (beside this Python), else PATH's."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.exists() else shutil.which("uv")
    assert found, "uv is not installed: it is in the dev extras (make test installs it)"
    return found


def base_python() -> str:
    """This Python's own interpreter, outside the virtualenv: same version, none of the project's packages."""
    found = getattr(sys, "_base_executable", "") or sys.executable
    candidate = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    return found if Path(found).resolve() != Path(sys.executable).resolve() else str(candidate)


def host_launch(
    manifest: dict[str, Any], bundle_dir: Path, user_config: dict[str, str], home: Path, wheels: Path
) -> StdioServerParameters:
    """The command a host runs for `manifest`, with `${__dirname}` filled and every unfilled field left literal.

    Claude Desktop passes an optional field the user left blank as the literal text `${user_config.x}`:
    only the keys in `user_config` are substituted here, so the others reach the server as such.
    """
    config = manifest["server"]["mcp_config"]

    def fill(text: str) -> str:
        text = text.replace("${__dirname}", str(bundle_dir))
        return re.sub(r"\$\{user_config\.(\w+)\}", lambda m: user_config.get(m[1], m[0]), text)

    command = uv_command() if config["command"] == "uv" else config["command"]
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "SYSTEMROOT"}}
    env.update(
        HOME=str(home),  # a fresh home: uv's cache and config start empty
        UV_FIND_LINKS=str(wheels),  # offline: the wheels of this virtualenv instead of PyPI
        UV_OFFLINE="1",
        UV_PYTHON=base_python(),  # offline, uv cannot download a Python: it uses this one (no project packages)
        UV_PYTHON_DOWNLOADS="never",
    )
    env.update({name: fill(value) for name, value in config.get("env", {}).items()})
    return StdioServerParameters(command=command, args=[fill(a) for a in config["args"]], env=env, cwd=home)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundle with the documented script; returns the .mcpb file."""
    out = tmp_path_factory.mktemp("bundle")
    built = subprocess.run(  # noqa: S603 - the documented build command
        [sys.executable, str(ROOT / "scripts" / "build_bundle.py"), "--output", str(out)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    bundles = list(out.glob("*.mcpb"))
    assert len(bundles) == 1, built.stdout + built.stderr
    return bundles[0]


@pytest.fixture(scope="module")
def unpacked_bundle(bundle: Path) -> Path:
    """The bundle unpacked as a host does."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(bundle.parent / "unpacked")
    return bundle.parent / "unpacked"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A flat folder of wheels of every runtime dependency, rebuilt from this virtualenv."""
    folder = tmp_path_factory.mktemp("wheels")
    build_wheelhouse(DEPENDENCIES, folder)
    return folder


def test_bundle_is_universal_source_only_and_small(bundle: Path, unpacked_bundle: Path) -> None:
    assert bundle.name == f"huawei-meeting-mcp-{__version__}.mcpb"
    assert bundle.stat().st_size < 300_000, "source only: far below 1 MB"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.endswith((".so", ".pyd", ".dylib", ".whl", ".pyc"))]
    assert not [n for n in names if n.startswith("server/lib/")]
    assert {"manifest.json", "pyproject.toml", "server/main.py", "LICENSE", "README.md"} <= set(names)
    assert "server/huawei_meeting_mcp/cli.py" in names
    manifest = json.loads((unpacked_bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["compatibility"]["platforms"] == ["darwin", "win32", "linux"]
    bundled = tomllib.loads((unpacked_bundle / "pyproject.toml").read_text(encoding="utf-8"))
    assert bundled["project"]["dependencies"] == DEPENDENCIES
    assert bundled["project"]["requires-python"] == PYPROJECT["project"]["requires-python"]
    assert bundled["tool"]["uv"]["package"] is False


def test_launcher_declares_the_projects_dependencies_inline() -> None:
    text = (ROOT / "server" / "main.py").read_text(encoding="utf-8")
    block = re.search(r"^# /// script\n((?:#.*\n)+?)# ///$", text, re.MULTILINE)
    assert block, "server/main.py must carry inline script metadata for `uv run`"
    metadata = tomllib.loads("".join(line[2:] + "\n" for line in block[1].splitlines()))
    assert metadata["dependencies"] == DEPENDENCIES
    assert metadata["requires-python"] == PYPROJECT["project"]["requires-python"]


@pytest.mark.parametrize("blanks", ["literal placeholders", "empty strings"])
async def test_unpacked_bundle_serves_as_the_manifest_says(
    unpacked_bundle: Path, wheels: Path, live_sandbox: LiveSandbox, tmp_path: Path, blanks: str
) -> None:
    manifest = json.loads((unpacked_bundle / "manifest.json").read_text(encoding="utf-8"))
    if blanks == "literal placeholders":
        user_config = {"app_id": DEFAULT_APP_ID, "app_key": DEFAULT_APP_KEY, "base_url": live_sandbox.url}
    else:
        user_config = dict.fromkeys(manifest["user_config"], "")
        user_config.update(access_token=live_sandbox.env()["HUAWEI_MEETING_ACCESS_TOKEN"], base_url=live_sandbox.url)
    SCAN.secrets.update([DEFAULT_APP_KEY])
    params = host_launch(manifest, unpacked_bundle, user_config, tmp_path / "home", wheels)
    (tmp_path / "home").mkdir()
    with (tmp_path / "stderr.log").open("w", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            tools = [tool.name for tool in (await client.list_tools()).tools]
            result = await client.call_tool("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID})
            server_name = client.server_info.name if client.server_info else None
    stderr = (tmp_path / "stderr.log").read_text(encoding="utf-8")
    assert sorted(tools) == sorted(tool["name"] for tool in manifest["tools"]), stderr
    assert server_name == "huawei-meeting-mcp"
    assert result.is_error is False, text_of(result)
    assert 'Meeting "user8001\'s test meeting"' in text_of(result)
    written = sorted(p.name for p in unpacked_bundle.iterdir())  # noqa: ASYNC240 - a test's local folder
    assert written == ["LICENSE", "README.md", "manifest.json", "pyproject.toml", "server"], "no .venv, no uv.lock"
    signed_in = live_sandbox.sandbox.auth.sign_ins
    assert signed_in == (1 if blanks == "literal placeholders" else 0), "App ID sign-in, with the token unset"
