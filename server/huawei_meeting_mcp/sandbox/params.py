"""The request rules every sandbox endpoint shares: integer parameters, paging, search keys, error answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

MAX_LIMIT = 500
"""The largest page the list, attendance, recording and control-record APIs serve (§3)."""


class ApiError(Exception):
    """An answer the service gives instead of data: HTTP status, `error_code`, `error_msg`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        """The three parts of a documented error answer (§6)."""
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message = status, code, message


def bad_request() -> ApiError:
    """A parameter the service refuses (`MMC.111070001`)."""
    return ApiError(400, "MMC.111070001", "Request parameter error.")


def not_found() -> ApiError:
    """A confUUID the caller cannot see, as the service says it (`MMC.111072065`)."""
    return ApiError(400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED")


def int_param(query: Mapping[str, str], name: str, default: int | None = None) -> int:
    """An integer query parameter; required when `default` is None."""
    raw = query.get(name)
    if raw is None:
        if default is None:
            raise bad_request()
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request() from None


def page(query: Mapping[str, str], max_limit: int = MAX_LIMIT) -> tuple[int, int]:
    """`offset` (default 0) and `limit` (default 20, 1-`max_limit`)."""
    offset, limit = int_param(query, "offset", 0), int_param(query, "limit", 20)
    if offset < 0 or not 0 < limit <= max_limit:
        raise bad_request()
    return offset, limit


def search_key(query: Mapping[str, str]) -> str | None:
    """The casefolded `searchKey` (1-128 characters), or None."""
    key = query.get("searchKey")
    if key is not None and len(key) > 128:
        raise bad_request()
    return key.casefold() if key else None


def paged(items: Sequence[Any], offset: int, limit: int) -> dict[str, object]:
    """The service's page envelope: `offset`, `limit`, `count` (all items) and `data` (this page)."""
    return {"offset": offset, "limit": limit, "count": len(items), "data": items[offset : offset + limit]}
