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
    manifest: dict[str, Any],
    bundle_dir: Path,
    user_config: dict[str, str],
    home: Path,
    wheels: Path,
    uv: str = "on the host's PATH",
) -> StdioServerParameters:
    """The command a host runs for `manifest`, with `${__dirname}` filled and every unfilled field left literal.

    As a host does: this platform's `platform_overrides` apply, and the command is looked up on the PATH
    the host gives. `uv` says where uv is: "on the host's PATH" (a host that provides uv), "in ~/.local/bin"
    (installed by uv's installer, which a desktop app's PATH lacks) or "nowhere".
    Claude Desktop passes an optional field the user left blank as the literal text `${user_config.x}`:
    only the keys in `user_config` are substituted here, so the others reach the server as such.
    """
    config = {
        **manifest["server"]["mcp_config"],
        **manifest["server"]["mcp_config"].get("platform_overrides", {}).get(sys.platform, {}),
    }

    def fill(text: str) -> str:
        text = text.replace("${__dirname}", str(bundle_dir))
        return re.sub(r"\$\{user_config\.(\w+)\}", lambda m: user_config.get(m[1], m[0]), text)

    home.mkdir(parents=True, exist_ok=True)
    where = {"on the host's PATH": home / "host-bin", "in ~/.local/bin": home / ".local" / "bin"}.get(uv)
    if where is not None:
        where.mkdir(parents=True, exist_ok=True)
        (where / Path(uv_command()).name).symlink_to(uv_command())
    path = [str(home / "host-bin"), "/usr/bin", "/bin"]  # what even a desktop app's PATH holds: sh, dirname
    env = {k: v for k, v in os.environ.items() if k in {"LANG", "SYSTEMROOT"}}
    env.update(
        PATH=os.pathsep.join(path),
        HOME=str(home),  # a fresh home: uv's cache and config start empty
        UV_FIND_LINKS=str(wheels),  # offline: the wheels of this virtualenv instead of PyPI
        UV_OFFLINE="1",
        UV_PYTHON=base_python(),  # offline, uv cannot download a Python: it uses this one (no project packages)
        UV_PYTHON_DOWNLOADS="never",
    )
    env.update({name: fill(value) for name, value in config.get("env", {}).items()})
    command = shutil.which(config["command"], path=env["PATH"]) or config["command"]
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


ON_WINDOWS = sys.platform == "win32"


@pytest.mark.parametrize(
    ("blanks", "uv"),
    [
        ("literal placeholders", "on the host's PATH"),
        ("empty strings", "on the host's PATH" if ON_WINDOWS else "in ~/.local/bin"),
    ],
)
async def test_unpacked_bundle_serves_as_the_manifest_says(
    unpacked_bundle: Path, wheels: Path, live_sandbox: LiveSandbox, tmp_path: Path, blanks: str, uv: str
) -> None:
    manifest = json.loads((unpacked_bundle / "manifest.json").read_text(encoding="utf-8"))
    if blanks == "literal placeholders":
        user_config = {"app_id": DEFAULT_APP_ID, "app_key": DEFAULT_APP_KEY, "base_url": live_sandbox.url}
    else:
        user_config = dict.fromkeys(manifest["user_config"], "")
        user_config.update(access_token=live_sandbox.env()["HUAWEI_MEETING_ACCESS_TOKEN"], base_url=live_sandbox.url)
    SCAN.secrets.update([DEFAULT_APP_KEY])
    params = host_launch(manifest, unpacked_bundle, user_config, tmp_path / "home", wheels, uv)
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


async def _session(params: StdioServerParameters, log: Path, calls: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Start the bundle as `params` say, list its tools and make `calls`; what it answered and logged."""
    with log.open("w", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            tools = [tool.name for tool in (await client.list_tools()).tools]
            results = {name: await client.call_tool(name, arguments) for name, arguments in calls.items()}
    return {"tools": tools, "results": results, "log": log.read_text(encoding="utf-8")}  # noqa: ASYNC240


EVERY_TOOL = {
    "list_historical_meetings": {},
    "get_historical_meeting_detail": {"confUUID": DOCS_EXAMPLE_UUID},
    "get_historical_meeting_attendance": {"confUUID": DOCS_EXAMPLE_UUID},
    "get_historical_meeting_events": {"confUUID": DOCS_EXAMPLE_UUID},
    "get_historical_meeting_series": {"meetingID": "914087001"},
}


async def test_the_demo_switch_answers_from_the_sample_meetings(
    unpacked_bundle: Path, wheels: Path, tmp_path: Path
) -> None:
    manifest = json.loads((unpacked_bundle / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["user_config"]["demo"]["type"] == "boolean"
    params = host_launch(manifest, unpacked_bundle, {"demo": "true"}, tmp_path / "home", wheels)
    said = await _session(params, tmp_path / "stderr.log", EVERY_TOOL)
    for name, result in said["results"].items():
        assert result.is_error is False, (name, text_of(result))
    assert "Q3 supply-chain review" in text_of(said["results"]["list_historical_meetings"])


async def test_a_bad_form_value_serves_and_every_tool_names_the_field(
    unpacked_bundle: Path, wheels: Path, tmp_path: Path
) -> None:
    manifest = json.loads((unpacked_bundle / "manifest.json").read_text(encoding="utf-8"))
    title = manifest["user_config"]["base_url"]["title"]
    user_config = {"base_url": "api.meeting.huaweicloud.com", "app_id": DEFAULT_APP_ID, "app_key": DEFAULT_APP_KEY}
    params = host_launch(manifest, unpacked_bundle, user_config, tmp_path / "home", wheels)
    said = await _session(params, tmp_path / "stderr.log", EVERY_TOOL)
    assert sorted(said["tools"]) == sorted(EVERY_TOOL), (
        "initialize and tools/list answered: the host shows no disconnect"
    )
    for name, result in said["results"].items():
        answer = text_of(result)
        assert result.is_error is True, name
        assert f'"{title}" must be an http(s) URL' in answer, answer
        assert "Settings → Extensions → " + manifest["display_name"] in answer
        assert "HUAWEI_MEETING_BASE_URL" not in answer, "the form's field, not the variable behind it"
    assert f'"{title}" must be an http(s) URL' in said["log"]


async def test_without_credentials_every_tool_points_to_the_form_and_the_demo(
    unpacked_bundle: Path, wheels: Path, tmp_path: Path
) -> None:
    manifest = json.loads((unpacked_bundle / "manifest.json").read_text(encoding="utf-8"))
    params = host_launch(manifest, unpacked_bundle, {}, tmp_path / "home", wheels)
    said = await _session(params, tmp_path / "stderr.log", EVERY_TOOL)
    titles = {name: manifest["user_config"][name]["title"] for name in ("app_id", "app_key", "demo")}
    for name, result in said["results"].items():
        answer = text_of(result)
        assert result.is_error is True, name
        assert "No Huawei Cloud Meeting credentials are filled in" in answer
        assert all(f'"{title}"' in answer for title in titles.values()), answer
        assert "--demo" not in answer, "nothing a Desktop user cannot do"


@pytest.mark.skipif(ON_WINDOWS, reason="Windows runs uv itself (manifest.json: no override for win32)")
def test_without_uv_the_bundle_says_what_to_install(unpacked_bundle: Path, wheels: Path, tmp_path: Path) -> None:
    usual = [Path("/opt/homebrew/bin/uv"), Path("/usr/local/bin/uv")]
    if any(place.exists() for place in usual):
        pytest.skip("uv is installed system-wide here: the launcher would find it")
    manifest = json.loads((unpacked_bundle / "manifest.json").read_text(encoding="utf-8"))
    params = host_launch(manifest, unpacked_bundle, {"demo": "true"}, tmp_path / "home", wheels, uv="nowhere")
    assert params.command == "/bin/sh"
    done = subprocess.run(  # noqa: S603 - the manifest's own launch command
        [params.command, *params.args],
        env=params.env,
        cwd=params.cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 127
    assert done.stdout == ""
    assert "uv was not found" in done.stderr
    assert "https://docs.astral.sh/uv/getting-started/installation/" in done.stderr
    assert "restart Claude Desktop" in done.stderr


def test_the_readme_states_the_bundles_size(bundle: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    claimed = re.search(r"\.mcpb \(about (\d+) KB\)", readme)
    assert claimed, "the README says how big the bundle is"
    actual = bundle.stat().st_size / 1000
    assert abs(actual - int(claimed[1])) <= 0.15 * actual, f"the bundle is {actual:.0f} KB"
