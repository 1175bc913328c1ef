"""How long an MCP client waits for the server, per install route: warm start to the answer of tools/list.

    .venv/bin/python scripts/bench_launch.py [--runs 5] [--offline] [--routes venv,tool,uvx,bundle]

A client starts its servers at launch and again after every restart, so the start of a launch
route is paid each time. Each route is started `--runs` times after one warm-up start (which fills
uv's caches); a start is timed from spawning the command to the answer of `tools/list`, over stdio,
with no credentials needed (`--demo`, or HUAWEI_MEETING_DEMO=true for the bundle, whose command has no
options). Routes:

    venv    .venv/bin/huawei-meeting-mcp (`make`, or pipx: a plain console script)
    tool    `uv tool install <checkout>`, then the installed command
    uvx     `uvx --from <checkout> huawei-meeting-mcp`
    bundle  the MCP Bundle as its manifest starts it: `uv run --directory <bundle> server/main.py`

uv runs with its own caches in a temporary folder, so nothing of the user's is used or changed, and
with the user's index settings: online by default, which is what a client's start pays. `--offline`
gives uv a folder of wheels of this virtualenv instead (tests/wheelhouse.py) and UV_OFFLINE=1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.wheelhouse, for --offline

PROTOCOL = "2025-06-18"
REQUESTS: list[dict[str, Any]] = [
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
]


def start_once(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning `command` to its answer to tools/list (after initialize)."""
    began = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        for request in REQUESTS:
            process.stdin.write((json.dumps(request) + "\n").encode())
            process.stdin.flush()
            if "id" in request:
                while True:
                    line = process.stdout.readline()
                    if not line:
                        raise SystemExit(f"{command[0]} ended before answering {request['method']}")
                    if json.loads(line).get("id") == request["id"]:
                        break
        elapsed = time.perf_counter() - began
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    return elapsed


def base_python() -> str:
    """This Python's own interpreter, outside the virtualenv (uv must not download one)."""
    found = getattr(sys, "_base_executable", "") or sys.executable
    return found if Path(found).resolve() != Path(sys.executable).resolve() else shutil.which("python3") or found


def uv() -> str:
    """The uv beside this Python (the dev extras install it), else PATH's."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.exists() else shutil.which("uv")
    if not found:
        raise SystemExit("uv is not installed: it is in the dev extras (make install)")
    return found


def routes(work: Path, env: dict[str, str]) -> dict[str, Callable[[], list[str]]]:
    """Per route, a function that prepares it (install, build) and returns its start command."""

    def venv() -> list[str]:
        return [str(Path(sys.executable).parent / "huawei-meeting-mcp"), "--demo"]

    def tool() -> list[str]:
        subprocess.run(
            [uv(), "tool", "install", "--force", "--compile-bytecode", str(ROOT)],
            env=env,
            check=True,
            capture_output=True,
        )
        return [str(work / "tool-bin" / "huawei-meeting-mcp"), "--demo"]

    def uvx() -> list[str]:
        return [str(Path(uv()).with_name("uvx")), "--from", str(ROOT), "huawei-meeting-mcp", "--demo"]

    def bundle() -> list[str]:
        built = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "build_bundle.py"), "--output", str(work / "dist")],
            check=True,
            capture_output=True,
            text=True,
        )
        target = work / "bundle"
        with zipfile.ZipFile(built.stdout.split(" (")[0]) as archive:
            archive.extractall(target)
        return [uv(), "run", "--directory", str(target), "server/main.py"]

    return {"venv": venv, "tool": tool, "uvx": uvx, "bundle": bundle}


def main() -> None:
    """Measure each route and print one line per route: median, fastest and slowest warm start."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="warm starts per route (default 5)")
    parser.add_argument("--offline", action="store_true", help="uv uses wheels of this virtualenv, no index")
    parser.add_argument("--routes", default="venv,tool,uvx,bundle", help="comma-separated (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-launch-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HUAWEI_MEETING_", "UV_", "VIRTUAL_ENV"))}
        env.update(
            UV_CACHE_DIR=str(work / "uv-cache"),
            UV_TOOL_DIR=str(work / "tools"),
            UV_TOOL_BIN_DIR=str(work / "tool-bin"),
            UV_PYTHON=base_python(),
            UV_PYTHON_DOWNLOADS="never",
            HUAWEI_MEETING_DEMO="true",
        )
        if args.offline:
            from tests.wheelhouse import build_wheelhouse

            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover - Python 3.10
                import tomli as tomllib
            dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
            build_wheelhouse([*dependencies["dependencies"], "hatchling>=1.27"], work / "wheels")
            env.update(UV_FIND_LINKS=str(work / "wheels"), UV_OFFLINE="1")
        index = "offline, wheels of this virtualenv" if args.offline else "online"
        print(f"Warm start to the tools/list answer, {args.runs} runs per route (uv {index}):")
        for name in args.routes.split(","):
            command = routes(work, env)[name]()
            start_once(command, env)  # warm-up: fills uv's caches, builds what the route builds
            times = sorted(start_once(command, env) for _ in range(args.runs))
            print(
                f"  {name:<7} median {statistics.median(times) * 1000:6.0f} ms"
                f"  (fastest {times[0] * 1000:.0f}, slowest {times[-1] * 1000:.0f})  {' '.join(command[:3])} ..."
            )


if __name__ == "__main__":
    main()
