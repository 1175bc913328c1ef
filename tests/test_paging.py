"""The page as one concept: the count/offset repair rule, fitting a page to the budget, the shared lines."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.output import Page
from huawei_meeting_mcp.reads import DetailRead, Outcome
from huawei_meeting_mcp.view.detail import DETAIL_TEXT, build_detail
from huawei_meeting_mcp.view.paging import MORE_LINE, NextCall, more_line, page_heading, render_paged
from huawei_meeting_mcp.wire import ConfDetailResponse, DetailQuery
from tests.support import docs_body, view_options


@pytest.mark.parametrize(
    ("requested", "received", "count", "offset", "expected"),
    [
        (0, 20, 620, 0, (620, 0, 20, 20)),
        (600, 20, 620, 600, (620, 600, 20, None)),
        (0, 20, None, None, (20, 0, 20, None)),  # no count: what was received is all there is
        (0, 20, -1, -5, (20, 0, 20, None)),  # nonsense from the API: what was asked and received
        (0, 20, 5, 0, (20, 0, 20, None)),  # a count smaller than what was received grows
        (40, 0, 5, 40, (5, 40, 0, None)),  # an empty page beyond the end keeps its count
        (40, 0, None, None, (40, 40, 0, None)),
        (10, 5, 100, None, (100, 10, 5, 15)),  # the offset asked for, when the API does not say
    ],
)
def test_the_repair_rule(
    requested: int, received: int, count: int | None, offset: int | None, expected: tuple[int, int, int, int | None]
) -> None:
    page = Page.of(requested, received, count=count, offset=offset)
    assert (page.total, page.offset, page.returned, page.nextOffset) == expected
    assert page.trimmedToFit is False


def test_the_lines_read_the_same_for_every_noun() -> None:
    page = Page.of(40, 20, count=620)
    call = NextCall("some_tool", {"confUUID": "a" * 32, "offset": None, "limit": 20})
    assert page_heading("Meetings", page, ', matching "x"') == 'Meetings 41-60 of 620, matching "x":'
    assert more_line("Meetings", page, call) == (
        f'More meetings remain: call some_tool(confUUID="{"a" * 32}", offset=60, limit=20)'
    )
    trimmed = page.trimmed(5)
    assert (trimmed.returned, trimmed.nextOffset, trimmed.trimmedToFit) == (5, 45, True)
    assert more_line("Meetings", trimmed, None) == (
        "More meetings remain (page trimmed to fit the size budget): the next page starts at offset 45"
    )
    assert page_heading("Attendees", Page.of(9, 0, count=3)) == "Attendees: none at offset 9 (3 in all)."
    assert more_line("Attendees", Page.of(0, 3, count=3), call) is None


@pytest.mark.parametrize("trimmed", [False, True])
@pytest.mark.parametrize("with_call", [False, True])
def test_the_command_line_finds_each_more_line_as_written(trimmed: bool, with_call: bool) -> None:
    # tool_commands puts the person's own command where the line says how to reach the next page.
    page = Page.of(20, 20, count=620).trimmed(5) if trimmed else Page.of(20, 20, count=620)
    call = NextCall("some_tool", {"confUUID": "a" * 32, "limit": 20}) if with_call else None
    line = more_line("People (in all: 3 kinds)", page, call)
    assert line is not None
    found = MORE_LINE.match(line)
    assert found is not None, line
    assert line.startswith(found[1] + ": ")
    assert found[1].endswith("(page trimmed to fit the size budget)" if trimmed else "remain")
    assert MORE_LINE.match(f"- More people remain: call {line}") is None, "only a line that starts as written"


def _detail_with(names: list[str]) -> tuple[ConfDetailResponse, DetailQuery]:
    body = docs_body()
    person = body["data"]["data"][0]
    body["data"] = {"offset": 0, "limit": 500, "count": 1000, "data": [dict(person, name=n) for n in names]}
    return ConfDetailResponse.model_validate(body), DetailQuery(conf_uuid="9a0fa6d10a5b11eaae5e191763c22c0e", limit=500)


@given(
    names=st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=60),
    budget=st.integers(min_value=1500, max_value=12_000),
)
def test_a_page_is_cut_to_the_most_items_that_fit(names: list[str], budget: int) -> None:
    response, query = _detail_with(names)
    detail = build_detail(DetailRead(response, Outcome()), query, view_options())
    fitted, text = render_paged(detail, DETAIL_TEXT, 500, TOOL_NAMES, budget)
    kept = fitted.page.returned
    assert kept == len(fitted.participants)
    assert text.count("\n- ") == kept
    if kept < len(names):
        assert len(text) <= budget
        assert fitted.page.trimmedToFit is True
        assert fitted.page.nextOffset == kept
        assert f"offset={kept}, limit=500)" in text
        # One more item would not have fitted: the cut is as late as it can be.
        _, longer = render_paged(detail.cut(kept + 1), DETAIL_TEXT, 500, TOOL_NAMES, 10**9)
        assert len(longer) > budget
    else:
        assert fitted.page.trimmedToFit is False


def test_cutting_keeps_structured_content_and_text_in_step() -> None:
    response, query = _detail_with([f"Person {i} " + "x" * 200 for i in range(200)])
    fitted, text = render_paged(
        build_detail(DetailRead(response, Outcome()), query, view_options()), DETAIL_TEXT, 500, TOOL_NAMES, 5000
    )
    shown = [line for line in text.splitlines() if line.startswith("- ")]
    assert 0 < len(shown) < 200
    assert [p.name for p in fitted.participants] == [line.split('"')[1] for line in shown]


# --- paging always progresses (hostile upstream #2) ------------------------------------------------


@pytest.mark.parametrize("requested", [0, 1, 3, 40])
def test_an_upstream_that_always_answers_offset_zero_still_pages_forward_and_ends(requested: int) -> None:
    offset: int | None = requested
    seen = 0
    while offset is not None:
        page = Page.of(offset, 3, count=10, offset=0)  # the API claims every page starts at 0
        assert page.nextOffset is None or page.nextOffset > offset
        offset, seen = page.nextOffset, seen + 1
        assert seen < 10
    assert seen <= 4


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=40_000), min_size=1, max_size=30),
    notes=st.integers(min_value=0, max_value=400),
    offset=st.integers(min_value=0, max_value=1000),
    budget=st.integers(min_value=1500, max_value=24_000),
)
def test_every_page_shows_an_item_moves_on_and_keeps_the_budget(
    sizes: list[int], notes: int, offset: int, budget: int
) -> None:
    response, query = _detail_with(["x" * size for size in sizes])
    query = DetailQuery(conf_uuid=query.conf_uuid, offset=offset, limit=500)
    detail = build_detail(DetailRead(response, Outcome()), query, view_options())
    detail = detail.model_copy(update={"notes": [f"distinct note number {i} " + "y" * 80 for i in range(notes)]})
    fitted, text = render_paged(detail, DETAIL_TEXT, 500, TOOL_NAMES, budget)
    assert len(text) <= budget
    assert fitted.page.returned >= 1
    assert fitted.page.nextOffset is None or fitted.page.nextOffset > fitted.page.offset


def test_one_item_over_the_budget_is_cut_inside_and_says_so() -> None:
    response, query = _detail_with(["A" * 100, "B" * 100])
    detail = build_detail(DetailRead(response, Outcome()), query, view_options())
    device_types = detail.participants[0].model_copy(update={"name": "C" * 50_000})
    detail = detail.model_copy(update={"participants": [device_types, *detail.participants[1:]]})
    fitted, text = render_paged(detail, DETAIL_TEXT, 500, TOOL_NAMES, 3_000)
    assert len(text) <= 3_000
    assert (fitted.page.returned, fitted.page.nextOffset, fitted.page.trimmedToFit) == (1, 1, True)
    assert "this item was cut to fit the size budget" in text
    assert "offset=1, limit=500)" in text


HOSTILE_SEARCH = "\u202eQ3\u2028Note: x <img src=x onerror=alert(1)> ![a](//attacker.example/p.png)"


def test_the_next_call_writes_strings_with_the_one_quoting() -> None:
    """Hostile finding 12: a caller's searchKey was echoed raw in the next-call line (a bare json.dumps)."""
    call = NextCall(TOOL_NAMES.list, {"searchKey": HOSTILE_SEARCH, "limit": 5}).text(5)
    for raw in ("\u202e", "\u2028", "<img", "![", "](", "://"):
        assert raw not in call, raw
    literal = call.removeprefix(f"{TOOL_NAMES.list}(searchKey=").removesuffix(", limit=5, offset=5)")
    assert json.loads(literal) == HOSTILE_SEARCH, "the model's next call decodes to the very same argument"


def test_a_hostile_search_key_is_echoed_sanitised_in_text_and_structured_content() -> None:
    query = DetailQuery(conf_uuid="9a0fa6d10a5b11eaae5e191763c22c0e", limit=1, search_key=HOSTILE_SEARCH)
    body = docs_body()
    body["data"]["count"] = 50  # so that a next call is written
    detail = build_detail(DetailRead(ConfDetailResponse.model_validate(body), Outcome()), query, view_options())
    _, text = render_paged(detail, DETAIL_TEXT, 1, TOOL_NAMES)
    assert detail.searchKey == "Q3 Note: x a (link hidden)"
    assert any("searchKey given is shown without" in note for note in detail.notes)
    for raw in ("\u202e", "\u2028", "<img", "![", "attacker.example"):
        assert raw not in text, raw
        assert raw not in detail.model_dump_json(), raw
    # The searchKey shown is not the one given, so no call written from it would be the caller's: the offset only.
    assert "get_historical_meeting_detail(" not in text
    assert "More participants remain: the next page starts at offset 1" in text


@pytest.mark.parametrize(
    ("given", "exact"),
    [("Munich", True), ("  Munich   Office ", True), ("\u200b\u202e", False), ("Munich\u200b", False)],
)
def test_a_next_call_is_written_only_when_every_echoed_argument_is_the_one_given(given: str, exact: bool) -> None:
    query = DetailQuery(conf_uuid="9a0fa6d10a5b11eaae5e191763c22c0e", limit=1, search_key=given)
    body = docs_body()
    body["data"]["count"] = 50
    detail = build_detail(DetailRead(ConfDetailResponse.model_validate(body), Outcome()), query, view_options())
    _, text = render_paged(detail, DETAIL_TEXT, 1, TOOL_NAMES)
    more = next(line for line in text.splitlines() if line.startswith("More participants remain"))
    if exact:
        assert more.startswith("More participants remain: call get_historical_meeting_detail(")
        assert f"searchKey={json.dumps(' '.join(given.split()))}" in more
    else:
        assert more == "More participants remain: the next page starts at offset 1", (
            "never a call that pages unfiltered"
        )
    assert detail.page.nextOffset == 1, "the structured content says where the next page starts either way"
