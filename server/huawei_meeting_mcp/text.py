"""Small text helpers shared by the view and the error messages."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean_text(value: object, limit: int) -> str:
    """Return `value` as one line: control characters collapsed to spaces, cut at `limit` characters."""
    text = _CONTROL.sub(" ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
