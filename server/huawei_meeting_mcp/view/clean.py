"""Upstream text as a view takes it in: every string through the one sanitiser (`text.Sanitiser`).

Every string the API sends passes through `Scrub` or `code` where wire data enters a view, for the
structured content and the text alike; a caller's own argument echoed back goes through `Echoes`.
How the text then words things is in `words`.
"""

from __future__ import annotations

from ..text import Sanitiser, clean_text

SHORT = 128  # names, departments, accounts
LONG = 256  # subjects


def text(value: object, limit: int = SHORT) -> str | None:
    """`value` cleaned to one line of at most `limit` characters (no masking); None when absent or blank."""
    if value is None:
        return None
    cleaned = clean_text(value, limit)
    return cleaned or None


def code(value: object, limit: int = 64) -> str | None:
    """An identifier or code from the API (meeting ID, zone ID, device type): sanitised, contact data always masked."""
    return Sanitiser().code(value, limit)


class Echoes:
    """The caller's arguments one answer echoes (structured content, heading, next call), sanitised.

    The caller's own phone number or e-mail address stays; hidden characters, line breaks, markup and links
    do not, and a note says when the value shown differs from the one given. `as_given` says whether every
    value was shown as given (up to spacing).
    """

    def __init__(self, notes: list[str]) -> None:
        self.notes = notes
        self.as_given = True
        """False once a value was shown cleaned: then no exact next call can be written from the echoed values."""

    def __call__(self, value: str | None, name: str, limit: int = SHORT) -> str | None:
        """`value` as the answer echoes it; None when it was None or nothing of it could be shown."""
        if value is None:
            return None
        shown = Sanitiser(include_contacts=True)(value, limit)
        if shown != " ".join(value.split()):
            self.as_given = False
            self.notes.append(
                f"The {name} given held only hidden characters, markup or links, so it is not shown."
                if shown is None
                else f"The {name} given is shown without its hidden characters, markup, links or secrets."
            )
        return shown


class Scrub(Sanitiser):
    """The sanitiser of one answer (`text.Sanitiser`), which adds to the answer's notes what it masked.

    A link in meeting data may be a join link (a secret: it may let anyone in), so none is passed on.
    """

    def note(self, notes: list[str]) -> None:
        """Append the caveats that values were masked, if any were."""
        if self.links_masked:
            notes.append("Links inside meeting data were masked: a join link may let anyone into a meeting.")
        if self.credentials_masked:
            notes.append("Values after words such as password or passcode in meeting data were masked.")
        if self.masked:
            notes.append(
                "Some values looked like phone numbers or e-mail addresses and were masked "
                "(the operator has not enabled contact data)."
            )
