"""Paging, written once: the lines every paged answer shares, and fitting a page into the text budget.

Every paged answer renders in the same order: its own header lines, the page heading
("Participants 1-20 of 620 (all):"), one line per item, the "More ... remain: call ..." line with the
exact next call, the view's own closing lines, then the notes. When the whole page does not fit in
the budget, the page is cut to the most items that do, and the answer says so in both the text and
the structured content (`page.trimmedToFit`, `page.nextOffset`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any, Generic

from ..output import Page, PagedT
from ..text import quoted
from .options import TEXT_BUDGET, ToolNames
from .words import is_conf_uuid

Argument = str | int | bool | None


def call_text(tool: str, args: Mapping[str, Argument]) -> str:
    """A tool call as the model would write it, e.g. `tool(confUUID="...", offset=20)`; None values left out.

    Strings are written by `text.quoted`, the one quoting of every echoed value: JSON, so the model's next
    call decodes to the same argument, with Markdown, HTML and invisible characters escaped.
    """
    shown = []
    for name, value in args.items():
        if value is None:
            continue
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, str):
            rendered = quoted(value)
        else:
            rendered = str(value)
        shown.append(f"{name}={rendered}")
    return f"{tool}({', '.join(shown)})"


@dataclass(frozen=True)
class NextCall:
    """The call that returns the next page: a tool and its arguments, with `offset` filled in per page."""

    tool: str
    arguments: Mapping[str, Argument]

    def text(self, offset: int) -> str:
        """The exact call for the page that starts at `offset`."""
        return call_text(self.tool, {**self.arguments, "offset": offset})

    @classmethod
    def for_meeting(cls, tool: str, conf_uuid: str, arguments: Mapping[str, Argument]) -> NextCall | None:
        """The next call of a tool about one meeting; None unless `conf_uuid` is well formed (32 hex)."""
        return cls(tool, {"confUUID": conf_uuid, **arguments}) if is_conf_uuid(conf_uuid) else None


@dataclass(frozen=True)
class AnswerText(Generic[PagedT]):
    """How one paged answer renders: its noun, its own lines around the page, and its next call."""

    noun: str
    """What the items are, plural and capitalised as it starts the heading: 'Participants'."""
    item: Callable[[Any], str]
    """One line per item."""
    next_call: Callable[[PagedT, int, ToolNames], NextCall | None]
    """The call for the next page (given the answer, the caller's limit and the tool names), or None."""
    header: Callable[[PagedT], list[str]] = field(default=lambda _: [])
    """Lines before the page heading."""
    qualifier: Callable[[PagedT], str] = field(default=lambda _: "")
    """What the heading adds after the count: ' (all)', ', matching "x"'."""
    closing: Callable[[PagedT, ToolNames], list[str]] = field(default=lambda _answer, _tools: [])
    """Lines after the page and its next call, before the notes."""


def page_heading(noun: str, page: Page, qualifier: str = "") -> str:
    """The heading: 'Participants 1-20 of 620 (all):', or 'Participants (all): none at offset 40 (620 in all).'."""
    if page.returned == 0:
        return f"{noun}{qualifier}: none at offset {page.offset} ({page.total} in all)."
    return f"{noun} {page.offset + 1}-{page.offset + page.returned} of {page.total}{qualifier}:"


_TRIMMED = " (page trimmed to fit the size budget)"


def more_line(noun: str, page: Page, call: NextCall | None) -> str | None:
    """'More participants remain: call ...', when a next page exists."""
    if page.nextOffset is None:
        return None
    reason = _TRIMMED if page.trimmedToFit else ""
    where = f"call {call.text(page.nextOffset)}" if call else f"the next page starts at offset {page.nextOffset}"
    return f"More {noun.lower()} remain{reason}: {where}"


MORE_LINE = re.compile(rf"^(More .+? remain(?:{re.escape(_TRIMMED)})?): (?:call |the next page starts at offset )")
"""A `more_line`, up to where the way to the next page starts: the command line puts its own command there."""


def render_paged(
    answer: PagedT, spec: AnswerText[PagedT], limit: int, tools: ToolNames, budget: int = TEXT_BUDGET
) -> tuple[PagedT, str]:
    """Render `answer` as text under `budget` characters, cutting its page to the items that fit.

    `limit` (the page size the caller asked for) and `tools` make the next call. Returns the answer
    (cut, if it had to be) with its text, so that the structured content and the text always
    describe the same items.
    """
    lines = [spec.item(item) for item in answer.items()]
    ends = [0, *accumulate(len(line) + 1 for line in lines)]  # ends[k]: characters of the first k lines

    def frame(candidate: PagedT) -> tuple[list[str], list[str]]:
        head = [*spec.header(candidate), page_heading(spec.noun, candidate.page, spec.qualifier(candidate))]
        call = spec.next_call(candidate, limit, tools) if candidate.arguments_as_given else None
        more = more_line(spec.noun, candidate.page, call)
        notes = [f"Note: {note}" for note in dict.fromkeys(candidate.notes)]
        if len(notes) > MAX_NOTES:
            notes[MAX_NOTES:] = [f"Note: {len(notes) - MAX_NOTES} more notes like these were left out."]
        return head, [*([more] if more else []), *spec.closing(candidate, tools), *notes]

    def size(candidate: PagedT, kept: int) -> int:
        head, tail = frame(candidate)
        return sum(len(line) + 1 for line in (*head, *tail)) + ends[kept] - 1

    if lines and size(answer, len(lines)) > budget:
        # The page keeps at least one item, so that its next offset always moves on.
        low, high = min(1, len(lines)), len(lines) - 1  # the most lines that fit lie in [low, high]
        while low < high:
            middle = (low + high + 1) // 2
            if size(answer.cut(middle), middle) <= budget:
                low = middle
            else:
                high = middle - 1
        answer = answer.cut(low)
        lines = lines[:low]
    head, tail = frame(answer)
    if lines and size(answer, len(lines)) > budget:  # one item alone is over the budget: cut inside it
        room = max(budget - size(answer, 0) - 1, MIN_ITEM_SHOWN)
        lines = [lines[0][:room] + ITEM_CUT]
    text = "\n".join([*head, *lines, *tail])
    if len(text) > budget:  # what surrounds the items is over the budget by itself
        text = text[: budget - len(ANSWER_CUT)] + ANSWER_CUT
    return answer, text


MAX_NOTES = 20
"""Distinct notes an answer shows; the rest are counted."""
MIN_ITEM_SHOWN = 200
"""Characters of an item shown even when the rest of the answer leaves less room."""
ITEM_CUT = " ... (this item was cut to fit the size budget)"
ANSWER_CUT = "\n... (the answer was cut to fit the size budget)"
