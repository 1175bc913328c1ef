"""Property tests: random tool inputs never crash the server or reach the API invalid; random
API answers never crash the view or break the output budget."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huawei_meeting_mcp.app import TOOL_NAMES, TOOLS
from huawei_meeting_mcp.auth import StaticToken
from huawei_meeting_mcp.client import CONF_DETAIL_PATH, HISTORY_PATH, RECORDING_PATH
from huawei_meeting_mcp.reads import DetailRead, Outcome
from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN, DOCS_EXAMPLE_UUID, LARGE_UUID, Sandbox
from huawei_meeting_mcp.tool_server import INTERNAL_ERROR
from huawei_meeting_mcp.view import TEXT_BUDGET
from huawei_meeting_mcp.view.detail import DETAIL_TEXT, build_detail
from huawei_meeting_mcp.view.paging import render_paged
from huawei_meeting_mcp.wire import ConfDetailResponse, ConferenceInfo, DetailQuery, ParticipantInfo
from tests.support import SyncClient, in_process_sync, view_options

TOOL = TOOL_NAMES.detail

odd_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp", "So", "Lo"]), max_size=40),
    st.just("x" * 70_000),
)
any_json: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), odd_text),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

argument_values = st.one_of(
    any_json,
    st.integers(min_value=-10, max_value=600),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.sampled_from(["all", "people", "rooms", "ROOMS", "", "absent", "uninvited", "attendees"]),
    st.sampled_from(["DSC_StartTIME", "ASC_RecordTYPE", "dsc_starttime"]),
    st.sampled_from(["2026-11-24", "2026-11-24T09:30+08:00", "2026-13-45", "1795483800000", "1795483800", "yesterday"]),
    st.sampled_from([DOCS_EXAMPLE_UUID, LARGE_UUID, "sandbox-error-server", " " + DOCS_EXAMPLE_UUID]),
)
ARGUMENT_NAMES = [
    "confUUID",
    "offset",
    "limit",
    "searchKey",
    "participantType",
    "show",
    "startDate",
    "endDate",
    "sortType",
    "queryAll",
    "userUUID",
    "X-Type",
]
tool_calls = st.tuples(
    st.sampled_from([spec.name for spec in TOOLS]),
    st.dictionaries(st.sampled_from(ARGUMENT_NAMES), argument_values, max_size=6),
)


def _valid_page(query: dict[str, str]) -> bool:
    limit, offset = int(query["limit"]), int(query["offset"])
    search = query.get("searchKey")
    return 1 <= limit <= 500 and offset >= 0 and (search is None or 1 <= len(search) <= 128)


def _valid_upstream_request(path: str, query: dict[str, str]) -> bool:
    if path == HISTORY_PATH:
        start, end = int(query["startDate"]), int(query["endDate"])
        sorts = {"DSC_StartTIME", "ASC_StartTIME", "DSC_RecordTYPE", "ASC_RecordTYPE"}
        return _valid_page(query) and 0 <= start <= end and query["sortType"] in sorts
    if path == RECORDING_PATH:  # one meeting's recording: no page
        return set(query) == {"confUUID"} and 1 <= len(query["confUUID"]) <= 64
    return _valid_page(query) and 1 <= len(query["confUUID"]) <= 64


@dataclass
class Served:
    """One sandbox and one in-process server on it, for every example (nothing cached: each call reads again)."""

    sandbox: Sandbox
    client: SyncClient


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """The module's sandbox and server (see `in_process_sync`)."""
    sandbox = Sandbox()
    with in_process_sync(sandbox, tokens=StaticToken(DEFAULT_TOKEN), cache_ttl=0) as client:
        yield Served(sandbox, client)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(tool_calls, min_size=1, max_size=8))
def test_random_tool_inputs_never_crash_or_reach_the_api_invalid(
    served: Served, batch: list[tuple[str, dict[str, Any]]]
) -> None:
    sandbox, client = served.sandbox, served.client
    sandbox.requests.clear()
    for tool, arguments in batch:
        result = client.call_tool(tool, arguments)
        text = "\n".join(getattr(block, "text", "") for block in result.content)
        assert text, "every result says something"
        assert len(text) < TEXT_BUDGET
        if result.is_error:
            assert "Invalid arguments" in text or "[X-Request-ID" in text, text
            assert INTERNAL_ERROR not in text, text
    healthy = client.call_tool(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
    assert healthy.is_error is False, "the server keeps serving"
    assert sandbox.requests, "the healthy call at least reached the API"
    assert all(_valid_upstream_request(r.path, r.query) for r in sandbox.requests)
    assert all(r.headers.get("x-type") in {"0", "2"} for r in sandbox.requests if r.path == CONF_DETAIL_PATH)


def _wire_keys(model: type[Any]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _object_like(model: type[Any], extra: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(_wire_keys(model)), extra, max_size=len(model.model_fields))


upstream_bodies = st.fixed_dictionaries(
    {
        "conferenceData": _object_like(ConferenceInfo, any_json),
        "data": st.one_of(
            any_json,
            st.fixed_dictionaries(
                {
                    "offset": any_json,
                    "count": st.one_of(any_json, st.integers(-5, 10_000)),
                    "data": st.lists(st.one_of(_object_like(ParticipantInfo, any_json), any_json), max_size=30),
                }
            ),
        ),
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=upstream_bodies, contacts=st.booleans(), local=st.booleans(), limit=st.integers(1, 500))
def test_random_api_answers_never_crash_the_view_or_break_the_budget(
    body: dict[str, Any], contacts: bool, local: bool, limit: int
) -> None:
    response = ConfDetailResponse.model_validate_json(json.dumps(body))
    options = view_options(include_contacts=contacts, api_times="local" if local else "utc")
    query = DetailQuery(conf_uuid="fuzz", limit=limit)
    detail, text = render_paged(
        build_detail(DetailRead(response, Outcome()), query, options), DETAIL_TEXT, limit, TOOL_NAMES
    )
    assert len(text) < TEXT_BUDGET
    assert detail.page.returned == len(detail.participants)
    next_offset = detail.page.nextOffset
    assert next_offset is None or next_offset > detail.page.offset
    detail.model_validate(detail.model_dump())
