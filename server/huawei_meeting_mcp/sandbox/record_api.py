"""The sandbox's recording endpoints (API doc §3.4, §3.5).

`record/files?confUUID=` answers the flat recording object of a recorded meeting. For a meeting
without a recording the service's answer is not documented (§3.4, UNVERIFIED): the sandbox
answers 400 `MMC.111070005` with error_msg "Recording file does not exist.", the "does not exist"
code Terraform treats as not-found, as the likeliest reading. The list (`record/files` without a
meeting) pages the recordings of the meetings a history query with the same parameters would
select, dates optional.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .data import SandboxMeeting
from .history_api import select
from .params import ApiError, bad_request, page, paged

RECORDING_PATH = "/v1/mmc/management/conferences/record/files"
RECORDING_LIST_PATH = "/v1/mmc/management/record/files"
RECORDING_SORT_TYPES = {"ASC_StartTIME", "DSC_StartTIME"}
"""The list sorts by start time only (§3.5)."""


def no_recording() -> ApiError:
    """The sandbox's (UNVERIFIED) answer for a meeting that has no recording."""
    return ApiError(400, "MMC.111070005", "Recording file does not exist.")


def recording(meeting: SandboxMeeting) -> dict[str, object]:
    """The body of a recording answer (§3.4); raises `no_recording()` when there is none."""
    if meeting.recording is None:
        raise no_recording()
    return meeting.recording


def recordings(
    meetings: Iterable[SandboxMeeting], query: Mapping[str, str], viewer: str | None = None
) -> dict[str, object]:
    """The body of a recording-list answer (§3.5): recorded meetings `viewer` sees, newest first by default."""
    offset, limit = page(query)
    if query.get("sortType", "DSC_StartTIME") not in RECORDING_SORT_TYPES:
        raise bad_request()
    found = [
        m.recording for m in select(meetings, query, dates_required=False, viewer=viewer) if m.recording is not None
    ]
    return paged(found, offset, limit)
