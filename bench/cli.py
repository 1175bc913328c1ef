"""The command line: `python -m bench [--quick] [--only STEP ...] [--markdown] [--json PATH]`."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

import anyio

import bench
from bench.harness import FULL, QUICK, Context, Plan, Row, compile_package, loopback
from bench.report import describe_machine, render, render_markdown, results_json
from bench.rows import ROWS, STEPS


async def run(plan: Plan, steps: Sequence[str], errlog: TextIO, progress: Callable[[str], None]) -> list[Row]:
    """Measure the rows of `steps`, in the table's order."""
    compile_package()  # the servers start as installed: with bytecode, not compiling every module
    rows: list[Row] = []
    with loopback() as live:
        context = Context(plan=plan, live=live, errlog=errlog)
        for step, measure in ROWS.items():
            if step in steps:
                started = time.perf_counter()
                rows.extend(await measure(context))
                progress(f"{step}: {time.perf_counter() - started:.0f} s")
    return rows


def progress(step: str) -> None:
    """Say on stderr which row just finished."""
    print(f"... {step}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Measure, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=(bench.__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="very few repetitions (a quick run, not a measurement)")
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"), help="where to write the results")
    parser.add_argument("--only", choices=STEPS, action="append", help="measure only this row (repeatable)")
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    command = " ".join(["python -m bench", *(sys.argv[1:] if argv is None else argv)])
    machine = describe_machine()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errlog:
        try:
            rows = anyio.run(run, plan, args.only or STEPS, errlog, progress)
        except Exception:
            errlog.seek(0)
            sys.stderr.write("The servers' stderr ended with:\n" + errlog.read()[-4000:] + "\n")
            raise
    print((render_markdown if args.markdown else render)(rows, machine, command))
    seconds = time.perf_counter() - started
    args.json.write_text(results_json(rows, machine, command, plan, seconds), encoding="utf-8")
    print(f"\nWrote {args.json} ({time.perf_counter() - started:.0f} s).")
