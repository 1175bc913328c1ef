"""The report: the machine the numbers came from, the table (plain or Markdown), and the JSON of every number."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.harness import Plan, Row

COLUMNS = (
    ("label", "row"),
    ("ours", "ours"),
    ("baseline", "baseline"),
    ("ratio", "ratio"),
    ("target", "target"),
    ("verdict", "result"),
)


def describe_machine() -> dict[str, Any]:
    """CPU model, cores, Python, OS and package versions."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": usable,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "packages": {name: version(name) for name in ("huawei-meeting-mcp", "mcp", "httpx", "pydantic", "uvicorn")},
    }


def machine_line(machine: dict[str, Any]) -> str:
    """One line naming the machine the numbers came from."""
    load = machine["load_average"]
    return f"{machine['cpu']}, {machine['cores']} cores, {machine['python']}, {machine['os']}" + (
        f", load average {load[0]:.2f} at start" if load else ""
    )


def render(rows: list[Row], machine: dict[str, Any], command: str) -> str:
    """The table as plain text, with the machine and the command above it."""
    widths = {name: max(len(title), *(len(getattr(row, name)) for row in rows)) for name, title in COLUMNS}

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(widths[name]) for (name, _), cell in zip(COLUMNS, cells, strict=True)).rstrip()

    out = [
        f"Machine: {machine_line(machine)}",
        f"Command: {command}",
        "",
        line([title for _, title in COLUMNS]),
        line(["-" * widths[name] for name, _ in COLUMNS]),
    ]
    out.extend(line([getattr(row, name) for name, _ in COLUMNS]) for row in rows)
    return "\n".join(out)


def render_markdown(rows: list[Row], machine: dict[str, Any], command: str) -> str:
    """The same table in Markdown, for the docs."""
    out = [
        f"Machine: {machine_line(machine)}. Command: `{command}`.",
        "",
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    out.extend("| " + " | ".join(getattr(row, name) for name, _ in COLUMNS) + " |" for row in rows)
    return "\n".join(out)


def results_json(rows: list[Row], machine: dict[str, Any], command: str, plan: Plan, seconds: float) -> str:
    """Every number of the run, with the machine, the command and the plan, as indented JSON."""
    results = {
        "machine": machine,
        "command": command,
        "plan": asdict(plan),
        "seconds": seconds,
        "rows": [asdict(row) for row in rows],
    }
    return json.dumps(results, indent=2, ensure_ascii=False) + "\n"
