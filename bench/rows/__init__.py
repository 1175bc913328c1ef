"""The rows of the table, one module each, in the table's order.

A row module has a `STEP` (its name for `--only`) and `async def measure(bench: Context) -> list[Row]`.
A new row is a new module and one line in `ROWS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bench.harness import Context, Row
from bench.rows import (
    all_pages,
    cache_memory,
    cold_start,
    detail_paging,
    first_page,
    fleet,
    hostile_memory,
    http,
    list_attendance,
    memory,
    output,
    per_call,
    per_call_large,
    sanitiser,
    upstream,
)

Measure = Callable[[Context], Awaitable[list[Row]]]

ROWS: dict[str, Measure] = {
    module.STEP: module.measure
    for module in (
        cold_start,
        per_call,
        per_call_large,
        output,
        upstream,
        memory,
        http,
        first_page,
        all_pages,
        detail_paging,
        cache_memory,
        fleet,
        list_attendance,
        hostile_memory,
        sanitiser,
    )
}
"""Each row's measure, by its step name, in the table's order."""
STEPS = tuple(ROWS)
