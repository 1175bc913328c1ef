"""Row 3: characters and approximate tokens of the text and the structured content, against the raw JSON read."""

from __future__ import annotations

import httpx

from bench.harness import (
    NO_CACHE,
    TOOL,
    Context,
    Row,
    approx_tokens,
    call_ok,
    compact,
    ours_client,
    replayed,
    text_of,
    verdict,
)
from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.sandbox import DOCS_EXAMPLE_UUID, LARGE_UUID

STEP = "output"
TEXT_BUDGET = 24_000

OUTPUT_CASES = (
    ("docs", "docs example meeting", TOOL, {"confUUID": DOCS_EXAMPLE_UUID, "limit": 20}, None),
    ("large_20", "large meeting, 20 participants", TOOL, {"confUUID": LARGE_UUID, "limit": 20}, 0.35),
    ("large_500", "large meeting, 500 participants", TOOL, {"confUUID": LARGE_UUID, "limit": 500}, None),
    ("attendance_50", "attendance, 50 people", TOOL_NAMES.attendance, {"confUUID": LARGE_UUID, "limit": 50}, 0.1),
    (
        "absent",
        "who missed it (show=absent)",
        TOOL_NAMES.attendance,
        {"confUUID": LARGE_UUID, "show": "absent"},
        0.1,
    ),
    ("events", "events, 16 control records", TOOL_NAMES.events, {"confUUID": LARGE_UUID}, None),
)
"""Key, label, tool, arguments, and the largest share of the raw JSON the text may have (None: no target).

The raw JSON is every upstream answer the server read for that one call (pages of records and of the
participant list, the recording, the meeting), fetched again directly."""


async def measure(bench: Context) -> list[Row]:
    """A text line and a structured line per case of OUTPUT_CASES."""
    rows = []
    sandbox, url = bench.live.sandbox, bench.live.url
    async with (
        ours_client(bench, bench.live, **NO_CACHE) as ours,
        httpx.AsyncClient(base_url=url) as http,
    ):
        for key, name, tool, arguments, max_share in OUTPUT_CASES:
            before = len(sandbox.requests)
            result = await call_ok(ours, arguments, tool)
            raw = compact([await replayed(http, request) for request in sandbox.requests[before:]])
            raw_shown = f"raw JSON {len(raw):,} ch ~{approx_tokens(raw):,} tok"
            text = text_of(result)
            text_share = len(text) / len(raw)
            page = (result.structured_content or {}).get("page", {})
            ok = len(text) < TEXT_BUDGET and (max_share is None or text_share <= max_share)
            rows.append(
                Row(
                    f"output_{key}_text",
                    f"3 text: {name}",
                    f"{len(text):,} ch ~{approx_tokens(text):,} tok"
                    + (f", trimmed to {page.get('returned')} items" if page.get("trimmedToFit") else ""),
                    raw_shown,
                    f"{text_share:.0%}",
                    f"< {TEXT_BUDGET:,} ch" + (f", <= {max_share:.0%} of raw" if max_share else ""),
                    verdict(ok),
                    {
                        "chars": len(text),
                        "tokens": approx_tokens(text),
                        "raw_chars": len(raw),
                        "raw_tokens": approx_tokens(raw),
                        "share": text_share,
                        "participants_shown": page.get("returned"),
                    },
                )
            )
            structured = compact(result.structured_content)
            rows.append(
                Row(
                    f"output_{key}_structured",
                    f"3 structured: {name}",
                    f"{len(structured):,} ch ~{approx_tokens(structured):,} tok",
                    raw_shown,
                    f"{len(structured) / len(raw):.0%}",
                    "(no target)",
                    "info",
                    {
                        "chars": len(structured),
                        "tokens": approx_tokens(structured),
                        "raw_chars": len(raw),
                        "raw_tokens": approx_tokens(raw),
                        "share": len(structured) / len(raw),
                    },
                )
            )
    return rows
