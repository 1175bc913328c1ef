"""The README is a map that tells the truth: its sample outputs, commands, tables and links are checked here."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from huawei_meeting_mcp.app import tool_definitions
from huawei_meeting_mcp.cli import build_parser
from huawei_meeting_mcp.settings import ENV_PREFIX, EXPECTED, Settings
from tests.support import base_env, console_script

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAX_README_BYTES = 20_000


def blocks(language: str) -> list[str]:
    """The README's fenced code blocks in `language`, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", README, re.MULTILINE | re.DOTALL)


def normalized(text: str) -> str:
    """Text with what moves between runs (times, dates, IDs that may be regenerated) replaced by placeholders."""
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)", "<time>", text)
    text = re.sub(r"\b[0-9a-f]{32}\b", "<confUUID>", text)
    return re.sub(r"\b\d{13}\b", "<ms>", text)


def table(after_heading: str, text: str = README) -> list[list[str]]:
    """The rows (cells stripped) of the first table after the heading `after_heading`, header row excluded."""
    lines = text.split(f"\n## {after_heading}\n", 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows[2:]


def test_the_readme_is_a_map_not_a_manual() -> None:
    assert len(README.encode()) < MAX_README_BYTES
    headings = re.findall(r"^## (.+)$", README, re.MULTILINE)
    assert headings == [
        "Install",
        "Quick start",
        "Connect your client",
        "Tools",
        "Settings",
        "Troubleshooting",
        "More",
        "Development",
    ]
    connect = README.split("## Connect your client", 1)[1].split("\n## ", 1)[0]
    assert connect.index("### Claude Desktop") < connect.index("### Claude Code"), "Claude Desktop first"
    assert connect.split("### Claude Desktop", 1)[1].lstrip().startswith("**The bundle"), "the bundle first"


def test_every_relative_link_resolves() -> None:
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README)
    assert links
    missing = [link for link in links if not (ROOT / link).exists()]
    assert missing == []
    for heading in re.findall(r"\]\(#([^)]+)\)", README):
        anchors = {
            re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", README, re.M)
        }
        assert heading in anchors


def test_the_tools_table_lists_exactly_the_servers_tools() -> None:
    live = sorted(tool.name for tool in anyio.run(tool_definitions))
    rows = table("Tools")
    assert sorted(row[0].strip("`") for row in rows) == live
    tools_doc = (ROOT / "docs" / "tools.md").read_text(encoding="utf-8")
    for row in rows:
        anchor = row[2].split("#", 1)[1].rstrip(")")
        assert f"## `{anchor}`" in tools_doc


def test_the_settings_table_names_every_setting_with_its_default() -> None:
    documented: dict[str, str] = {}
    elsewhere: set[str] = set()
    for row in table("Settings"):
        for variable in re.findall(r"`(HUAWEI_MEETING_\w+)`", row[0]):
            documented[variable] = row[1].strip("`")
        # A row may send a family of settings (HUAWEI_MEETING_OAUTH_*) to a doc's own Settings table.
        for doc in re.findall(r"\]\((docs/[\w-]+\.md)#settings\)", row[2]):
            for doc_row in table("Settings", (ROOT / doc).read_text(encoding="utf-8")):
                elsewhere.update(re.findall(r"`(HUAWEI_MEETING_\w+)`", doc_row[0]))
    every = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    assert sorted(every - set(documented) - elsewhere) == [], "settings no Settings table names"
    assert sorted(set(documented) - every) == [], "the README names settings that do not exist"
    for name, expected in EXPECTED.items():
        if ENV_PREFIX + name.upper() in documented:
            assert documented[ENV_PREFIX + name.upper()] == expected.default.split(" (")[0], name


def test_every_json_snippet_is_valid_json() -> None:
    snippets = blocks("json")
    assert len(snippets) >= 2
    for snippet in snippets:
        json.loads(snippet)


def _commands() -> list[list[str]]:
    """Every `huawei-meeting-mcp ...` command the README shows, as argument lists (the program name dropped)."""
    found = re.findall(
        r"(?:^|`|\$ |path/|bin/|uvx --from \S+ )huawei-meeting-mcp((?: [^`\n|#\\]+)?)", README, re.MULTILINE
    )
    return [shlex.split(args) for args in found]


def test_every_command_the_readme_shows_parses() -> None:
    parser, _ = build_parser(anyio.run(tool_definitions))
    commands = _commands()
    assert ["--demo", "check"] in commands
    for args in commands:
        words = [w for w in args if not w.startswith(("/", "<")) and w not in {"...", "CONF_UUID"}]
        if not words or "--help" in words:
            continue
        if words[0] in {"list", "detail", "attendance"} and len(words) == 1:
            continue  # named as a command, not run
        parser.parse_args(words + (["0" * 32] if words[0] in {"detail", "attendance"} else []))


def test_the_make_demo_sample_is_real_output() -> None:
    sample = blocks("text")[0]
    done = subprocess.run(  # noqa: S603 - the documented demo
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)},
    )
    assert done.returncode == 0, done.stderr
    output = normalized(done.stdout)
    for line in sample.splitlines():
        if line.strip():
            assert normalized(line) in output, line


def test_the_check_sample_is_real_output() -> None:
    sample = next(block for block in blocks("text") if block.startswith("$ huawei-meeting-mcp"))
    command, *expected = sample.splitlines()
    env = base_env()
    done = subprocess.run(  # noqa: S603 - our own console script
        [console_script(), *shlex.split(command.removeprefix("$ huawei-meeting-mcp"))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 0
    for line in expected:
        if line != "...":
            assert line in done.stdout


MAKE = shutil.which("make")


@pytest.mark.skipif(MAKE is None, reason="make is not installed")
@pytest.mark.parametrize(("ci", "code", "says"), [("", 0, "SKIPPED: the manifest check"), ("true", 2, "FAILED: npx")])
def test_without_npx_the_manifest_check_skips_plainly_unless_ci(tmp_path: Path, ci: str, code: int, says: str) -> None:
    assert MAKE is not None
    done = subprocess.run(  # noqa: S603 - the documented make target
        [MAKE, "-s", "manifest"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": str(tmp_path), "CI": ci},  # an empty PATH: no npx
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert says in done.stdout
    assert f"`{says.split(':')[0]}: the manifest check ...`" in README or ci


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == "make test"
    assert "make test   # lint, strict type checking and every test; offline" in blocks("bash")[0]


def test_every_option_the_readme_names_exists() -> None:
    parser, _ = build_parser(anyio.run(tool_definitions))
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    known = {option for p in [parser, *subparsers.choices.values()] for a in p._actions for option in a.option_strings}
    other_tools = {"--env", "--scope"}  # `claude mcp add`'s
    named = set(re.findall(r"`(--[a-z][a-z-]*)", README)) - other_tools
    assert named
    assert sorted(named - known) == []


def test_options_are_attributed_to_the_command_that_has_them() -> None:
    parser, _ = build_parser(anyio.run(tool_definitions))
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sandbox = {option for a in subparsers.choices["sandbox"]._actions for option in a.option_strings}
    assert {"--latency-ms", "--hostile"} <= sandbox
    assert "options of `--demo`" not in README
    assert "`--query-all`" in README
    assert "queryAll=true" not in README
