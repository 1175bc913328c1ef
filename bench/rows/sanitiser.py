"""Row "untrusted text": time per string of the three sanitising steps, over the plan's count of strings."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from bench.harness import Context, Row, verdict
from huawei_meeting_mcp.text import clean_text, mask_contacts, quoted

STEP = "sanitiser"
BUDGET_S_PER_STRING = 0.5 / 70_000
"""The target: half a second for the 70,000 strings of a 10,000-record answer."""
SAMPLES = (
    "Daniel Kim",
    "\u674e\u5a1c (Li Na)",
    "Q3 supply-chain review / \u7b2c\u4e09\u5b63\u5ea6\u4f9b\u5e94\u94fe\u8bc4\u5ba1",
    "+8613800138000",
    "user8002@corp.example",
    "\u0414\u043c\u0438\u0442\u0440\u0438\u0439 \u0421\u043e\u043a\u043e\u043b\u043e\u0432",
    "pay\u200bpal\u202e review",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
)


async def measure(bench: Context) -> list[Row]:
    """`clean_text`, `quoted` and `mask_contacts` in this process, each the median of the plan's rounds."""
    count = bench.plan.sanitiser_strings
    strings = [f"{SAMPLES[i % len(SAMPLES)]} {i}" for i in range(count)]
    timings: dict[str, float] = {}
    steps: tuple[tuple[str, Callable[[str], object]], ...] = (
        ("clean_text", lambda value: clean_text(value, 128)),
        ("quoted", quoted),
        ("mask_contacts", mask_contacts),
    )
    for name, step in steps:
        samples = []
        for _ in range(bench.plan.sanitiser_rounds):
            started = time.perf_counter()
            for value in strings:
                step(value)
            samples.append((time.perf_counter() - started) / len(strings))
        timings[name] = statistics.median(samples)
    total = sum(timings.values())
    budget_s = BUDGET_S_PER_STRING * count
    return [
        Row(
            "sanitiser",
            "untrusted text: clean_text + quoted + mask_contacts, per string",
            " + ".join(f"{seconds * 1e6:.1f}" for seconds in timings.values()) + " us",
            "",
            f"{total * count * 1000:.0f} ms / {count:,} strings",
            f"< {budget_s:.2g} s / {count:,} strings",
            verdict(total < BUDGET_S_PER_STRING),
            {f"{name}_seconds": seconds for name, seconds in timings.items()},
        )
    ]
