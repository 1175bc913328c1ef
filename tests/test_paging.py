"""The page as one concept: the count/offset repair rule, fitting a page to the budget, the shared lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huawei_meeting_mcp.app import TOOL_NAMES
from huawei_meeting_mcp.output import Page
from huawei_meeting_mcp.view.detail import DETAIL_TEXT, build_detail
from huawei_meeting_mcp.view.paging import NextCall, more_line, page_heading, render_paged
from huawei_meeting_mcp.wire import ConfDetailResponse, DetailQuery, DetailRead, Outcome
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
