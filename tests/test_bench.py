"""The benchmark (bench/, `make bench`) runs: every row reports numbers. How fast they are is never asserted here."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bench.cli import main, run
from bench.harness import SMOKE, Row
from bench.rows import STEPS
from bench.slow_sandbox import Exchange, round_trips
from huawei_meeting_mcp.wire import ATTENDANCE_PAGE_SIZE, MAX_ATTENDANCE_RECORDS

ROW_KEYS = [
    "cold_start",
    "first_call",
    "per_call_median",
    "per_call_p90",
    "per_call_server_cpu",
    "per_call_client_schema_check",
    "per_call_large_median",
    "per_call_large_p90",
    "per_call_large_parts",
    "per_call_large_cached",
    *(
        f"output_{case}_{part}"
        for case in ("docs", "large_20", "large_500", "attendance_50", "absent", "events")
        for part in ("text", "structured")
    ),
    "upstream_sequential",
    "upstream_concurrent",
    "memory",
    "http-latency",
    "http",
    "latency_first_page",
    "latency_first_page_4",
    "latency_all_pages",
    "latency_detail_paging",
    "cache_memory",
    "fleet",
    "latency_list_attendance",
    "hostile-memory",
    "sanitiser",
]
"""Every row of the table, in its order (docs/performance.md)."""

DIGIT = re.compile(r"\d")


def numbers_in(value: Any) -> list[float]:
    """Every number in a row's data, however nested."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, dict):
        return [n for item in value.values() for n in numbers_in(item)]
    if isinstance(value, list | tuple):
        return [n for item in value for n in numbers_in(item)]
    return []


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.anyio
async def test_every_row_reports_numbers(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    finished: list[str] = []
    with (tmp_path / "servers.log").open("w+", encoding="utf-8") as errlog:
        rows = await run(SMOKE, STEPS, errlog, finished.append)
    assert [step.split(":")[0] for step in finished] == list(STEPS)
    assert [row.key for row in rows] == ROW_KEYS
    for row in rows:
        assert DIGIT.search(row.ours), row
        assert row.verdict in {"pass", "miss", "info"}, row  # "n/a" only where /proc or a feature is missing
        # CPU is read from /proc in clock ticks: a smoke run may see too few of them to divide by.
        assert row.ratio in {"", "n/a (too few samples)"} or DIGIT.search(row.ratio), row
        assert numbers_in(row.data), row
        assert all(n >= 0 for n in numbers_in(row.data)), row
    by_key = {row.key: row for row in rows}
    # Counts and sizes the smoke plan fixes, and what the rows read back from the sandboxes and the servers.
    assert by_key["upstream_sequential"].data["requests"] == SMOKE.sequential
    assert by_key["upstream_concurrent"].data["requests"] == SMOKE.concurrent
    assert f"{SMOKE.webinar_records:,} records" in by_key["latency_first_page"].label
    assert f"all {SMOKE.webinar_people:,} attendees" in by_key["latency_all_pages"].label
    record_pages = -(-SMOKE.webinar_records // ATTENDANCE_PAGE_SIZE)
    assert record_pages > 1, "the smoke webinar still spans several attendance pages"
    assert by_key["latency_all_pages"].data["new"]["record_pages"] == record_pages
    assert by_key["latency_detail_paging"].data["new"]["passes"][1]["requests"] == 0
    assert f"after {SMOKE.cache_webinars} webinars" in by_key["cache_memory"].ours
    assert f"{SMOKE.hostile_records_per_page:,} records a page" in by_key["hostile-memory"].label
    assert by_key["hostile-memory"].data["records_read"] == MAX_ATTENDANCE_RECORDS, "the server's cap, not the page"
    assert f"{SMOKE.sanitiser_strings:,} strings" in by_key["sanitiser"].target
    fleet = by_key["fleet"].data
    assert fleet["alone"]["sign_ins"] == 3 * fleet["identities"], "alone, each replica signs in for each person"
    if "redis" in fleet:
        assert fleet["redis"]["sign_ins"] == fleet["identities"]
    assert by_key["cold_start"].data["ours_s"]["n"] == SMOKE.cold_starts


def test_the_command_prints_the_table_and_writes_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results.json"
    main(["--quick", "--only", "sanitiser", "--markdown", "--json", str(results)])
    out = capsys.readouterr().out
    assert "Command: `python -m bench --quick --only sanitiser --markdown" in out
    assert "| row | ours | baseline | ratio | target | result |" in out
    table = [line for line in out.splitlines() if line.startswith("| untrusted text")]
    assert len(table) == 1
    written = json.loads(results.read_text(encoding="utf-8"))
    assert [row["key"] for row in written["rows"]] == ["sanitiser"]
    assert written["plan"]["sanitiser_rounds"] == 1
    row = Row(**written["rows"][0])
    assert row.label in table[0]
    assert row.data["clean_text_seconds"] > 0


def test_round_trips_count_only_requests_sent_after_an_answer() -> None:
    first = Exchange("/a", arrived=0.0, answered=1.0)
    alongside = Exchange("/b", arrived=0.5, answered=1.5)  # sent before the first was answered
    after_first = Exchange("/c", arrived=1.2, answered=2.0)
    after_both = Exchange("/d", arrived=2.5, answered=3.0)
    assert round_trips([]) == 0
    assert round_trips([first, alongside]) == 1
    assert round_trips([after_first, alongside, first]) == 2
    assert round_trips([first, alongside, after_first, after_both]) == 3
