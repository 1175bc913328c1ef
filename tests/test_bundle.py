"""The MCP Bundle: built by the documented script, unpacked, and started exactly as manifest.json says."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID
from tests.helpers import LiveSandbox, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parent.parent


def base_python() -> str:
    """This Python's own interpreter, outside the virtualenv: same version, none of the project's packages."""
    found = getattr(sys, "_base_executable", "") or sys.executable
    candidate = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    return found if Path(found).resolve() != Path(sys.executable).resolve() else str(candidate)


def host_launch(manifest: dict[str, Any], bundle_dir: Path, user_config: dict[str, str]) -> StdioServerParameters:
    """The command a host runs for `manifest` on this platform, with its substitutions made."""
    config = {**manifest["server"]["mcp_config"]}
    config.update(config.pop("platform_overrides", {}).get(sys.platform, {}))

    def fill(text: str) -> str:
        text = text.replace("${__dirname}", str(bundle_dir))
        return re.sub(r"\$\{user_config\.(\w+)\}", lambda m: user_config.get(m[1], ""), text)

    # "python"/"python3" means the host's interpreter: here, this one without the virtualenv's packages.
    command = base_python() if config["command"] in {"python", "python3"} else config["command"]
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    env.update({name: fill(value) for name, value in config.get("env", {}).items()})
    return StdioServerParameters(
        command=command, args=[fill(a) for a in config["args"]], env=env, cwd=bundle_dir.parent
    )


@pytest.fixture(scope="module")
def unpacked_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundle with the documented script and unpack it as a host does; returns the folder."""
    interpreter = base_python()
    bare = subprocess.run([interpreter, "-c", "import mcp"], capture_output=True, env={}, check=False)  # noqa: S603
    assert bare.returncode != 0, f"{interpreter} already has mcp, so the test could not prove the bundle brings it"
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
    with zipfile.ZipFile(bundles[0]) as archive:
        archive.extractall(out / "unpacked")
    return out / "unpacked"


def test_bundle_holds_the_manifest_launcher_and_dependencies(unpacked_bundle: Path) -> None:
    manifest = json.loads((unpacked_bundle / "manifest.json").read_text(encoding="utf-8"))
    source = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in manifest.items() if k != "compatibility"} == {
        k: v for k, v in source.items() if k != "compatibility"
    }
    major, minor = sys.version_info[:2]
    assert manifest["compatibility"] == {
        "platforms": [sys.platform],
        "runtimes": {"python": f">={major}.{minor} <{major}.{minor + 1}"},
    }
    assert (unpacked_bundle / manifest["server"]["entry_point"]).is_file()
    lib = unpacked_bundle / "server" / "lib"
    assert (lib / "BUNDLE_PYTHON").read_text(encoding="utf-8").strip() == f"{major}.{minor}"
    for package in ("mcp", "pydantic_core", "httpx", "uvicorn", "pydantic_settings"):
        assert (lib / package).is_dir(), package
    assert not list(unpacked_bundle.rglob("__pycache__"))


async def test_unpacked_bundle_serves_as_the_manifest_says(unpacked_bundle: Path, live_sandbox: LiveSandbox) -> None:
    manifest = json.loads((unpacked_bundle / "manifest.json").read_text(encoding="utf-8"))
    user_config = {"access_token": live_sandbox.env()["HUAWEI_MEETING_ACCESS_TOKEN"], "base_url": live_sandbox.url}
    async with Client(stdio_client(host_launch(manifest, unpacked_bundle, user_config))) as client:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        result = await client.call_tool("get_historical_meeting_detail", {"confUUID": DOCS_EXAMPLE_UUID})
        server_name = client.server_info.name if client.server_info else None
    assert sorted(tools) == sorted(tool["name"] for tool in manifest["tools"])
    assert server_name == "huawei-meeting-mcp"
    assert result.is_error is False
    assert 'Meeting "user8001\'s test meeting"' in text_of(result)


def test_launcher_explains_a_python_version_mismatch(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "BUNDLE_PYTHON").write_text("2.7\n", encoding="utf-8")
    launcher = tmp_path / "main.py"
    launcher.write_bytes((ROOT / "server" / "main.py").read_bytes())
    done = subprocess.run(  # noqa: S603 - our own launcher
        [base_python(), str(launcher)], capture_output=True, text=True, env={}, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "this bundle was built for Python 2.7" in done.stderr
    assert "Client configuration" in done.stderr
    assert done.stdout == ""
