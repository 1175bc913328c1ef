"""Tasks run together, where the first failure cancels the rest and is raised as it is.

The service reads independent things at the same time (`concurrently`), and the page reader reads
the pages of one answer at the same time (`page_reads`): both mean that one failed read fails the
whole, at once, with the error a single read would have raised (not wrapped in an exception group).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskGroup


class Together:
    """The tasks of one `together()` block: start them, or stop those still running once enough is done."""

    def __init__(self, group: TaskGroup) -> None:
        self._group = group
        self.failures: list[Exception] = []

    def start(self, task: Callable[[], Awaitable[object]]) -> None:
        """Run `task` alongside the others; if it fails, the others are cancelled and its error is raised."""
        self._group.start_soon(self._run, task)

    def stop(self) -> None:
        """Cancel the tasks still running: what they would give is not needed."""
        self._group.cancel_scope.cancel()

    async def _run(self, task: Callable[[], Awaitable[object]]) -> None:
        try:
            await task()
        except Exception as exc:
            self.failures.append(exc)
            self.stop()


@asynccontextmanager
async def together() -> AsyncIterator[Together]:
    """A block whose tasks all finish (or are stopped) before it ends; the first failure is raised as it is."""
    async with anyio.create_task_group() as group:
        tasks = Together(group)
        yield tasks
    if tasks.failures:
        raise tasks.failures[0]


async def concurrently(*reads: Callable[[], Awaitable[Any]]) -> list[Any]:
    """Run `reads` at the same time; their results in the order given.

    The first read to fail cancels the others, and its exception is raised as it is (not wrapped in
    an exception group), so callers handle it like the failure of a single read.
    """
    results: list[Any] = [None] * len(reads)

    def keep(index: int) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            results[index] = await reads[index]()

        return run

    async with together() as tasks:
        for index in range(len(reads)):
            tasks.start(keep(index))
    return results
