"""Text helpers shared by the views and the error messages: every upstream string passes through here.

- `clean_text` makes any value one safe line: nothing that can hide text from a human reader survives
  (used where wire data enters a view, for the text and the structured content alike).
- `quoted` is how the text rendering shows an upstream or caller string: one quoting it cannot close,
  with Markdown and HTML made inert.
- `mask_contacts` hides phone numbers and e-mail addresses inside free text when contacts are off;
  `mask_account` also hides an account ID that is itself an e-mail address or phone number.

The rules are written up in docs/security.md ("Untrusted text").
"""

from __future__ import annotations

import json
import re
import unicodedata

from .redaction import REDACTOR

# Unicode format characters (category Cf, checked against unicodedata by tests/test_text.py), the
# Hangul fillers and other characters that render as nothing, noncharacters, lone surrogates, and the
# selectors and joiners that are only kept in context (see `_keep_in_context`).
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE = "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff"
_SELECTORS = "\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef"
_SUSPECT = re.compile(f"[{_FORMAT}{_INVISIBLE}{_SELECTORS}]")
_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029\u2800]+")

ZWNJ, ZWJ = "\u200c", "\u200d"
BLACK_FLAG = "\U0001f3f4"
_FLAG_TAGS = {"gbeng", "gbsct", "gbwls"}
"""The subdivision flags Unicode recommends (England, Scotland, Wales): the only tag sequences kept."""
_JOINING_SCRIPTS = (
    (0x0600, 0x08FF),  # Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic, Arabic Extended
    (0x0900, 0x0DFF),  # Devanagari .. Sinhala
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x18AF),  # Khmer, Mongolian
    (0xA8E0, 0xA8FF),  # Devanagari Extended
    (0xFB50, 0xFDFF),  # Arabic Presentation Forms-A
    (0xFE70, 0xFEFF),  # Arabic Presentation Forms-B
)
_DANGLING = " " + ZWNJ + ZWJ + "".join(chr(point) for point in range(0xE0020, 0xE007F))
"""What a cut may leave at the end that belongs to the next character: a joiner, half a flag's tags."""
_CJK = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
_EMOJI = ((0x2190, 0x2BFF), (0x1F000, 0x1FAFF))


def _within(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in ranges)


def _emoji_part(char: str) -> bool:
    return _within(char, _EMOJI) or char in "\ufe0f\u20e3\u2640\u2642\u2695\u2696\u2708\u2764"


def _keep_in_context(char: str, before: str, after: str) -> bool:
    """Whether a joiner or selector has a legitimate use between `before` (kept output) and `after`."""
    if char in (ZWNJ, ZWJ):
        if not before or not after or before in (ZWNJ, ZWJ):
            return False
        if _within(before, _JOINING_SCRIPTS) and _within(after, _JOINING_SCRIPTS):
            return True
        return char == ZWJ and _emoji_part(before) and _emoji_part(after)
    if not before or _SUSPECT.match(before) or before.isspace():
        return False  # a selector must follow the one visible character it selects a glyph for
    if char in "\ufe0e\ufe0f":
        return True
    if "\u180b" <= char <= "\u180f":
        return 0x1820 <= ord(before) <= 0x18AF  # Mongolian free variation selectors
    if char >= "\U000e0100":
        return _within(before, _CJK)  # ideographic variation sequences
    return False


def _strip_hidden(text: str) -> str:
    kept: list[str] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if not _SUSPECT.match(char):
            kept.append(char)
        elif "\U000e0020" <= char <= "\U000e007f":
            end = index
            while end < size and "\U000e0020" <= text[end] <= "\U000e007f":
                end += 1
            tags = "".join(chr(ord(t) - 0xE0000) for t in text[index : end - 1])
            if kept and kept[-1] == BLACK_FLAG and text[end - 1] == "\U000e007f" and tags in _FLAG_TAGS:
                kept.append(text[index:end])
            index = end
            continue
        elif "\ud800" <= char <= "\udfff":
            kept.append("\ufffd")  # a lone surrogate (JSON allows them) cannot even be encoded: show it
        elif _keep_in_context(char, kept[-1][-1] if kept else "", text[index + 1 : index + 2]):
            kept.append(char)
        index += 1
    return "".join(kept)


def clean_text(value: object, limit: int) -> str:
    """Return `value` as one visible line of at most `limit` characters.

    Format characters (bidi controls, zero-width characters, the tag block, ...), invisible fillers
    and stray variation selectors are removed; control characters, line breaks and runs of white
    space become one space; the result is NFC-normalised. Joiners stay only where a script or an
    emoji sequence needs them (docs/security.md). Any secret the process knows (tokens, keys,
    passwords; see redaction.py) is masked, before the cut so no prefix of one survives.
    """
    text = str(value)
    if not text.isascii():
        if _SUSPECT.search(text):
            text = _strip_hidden(text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    text = REDACTOR.redact(_SPACES.sub(" ", text).strip())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip(_DANGLING) + "…"


# Characters `quoted` writes as JSON \u escapes: what Markdown or HTML would act on, and anything
# `clean_text` would remove (a caller's string has not been through it).
_ACTIVE = re.compile(f"[\x7f-\x9f<>&\\[\\]`{_FORMAT}{_INVISIBLE}{_SELECTORS}\u2028\u2029]")
_AUTOLINK = re.compile(r":(?=//)|(?<=www)\.", re.IGNORECASE)


def _escape(match: re.Match[str]) -> str:
    point = ord(match.group())
    if point > 0xFFFF:
        point -= 0x10000
        return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"
    return f"\\u{point:04x}"


def quoted(value: str) -> str:
    r"""`value` as a JSON string literal for the text answer: a value cannot close its quotes.

    Besides JSON's own escapes, `<`, `>`, `&`, `[`, `]`, backticks, the `:` of `://` and the `.` of
    `www.` are written as \\u escapes, so a client that renders Markdown shows characters rather than
    a link, an image, an HTML tag or a code span; invisible characters are escaped, not passed on.
    `json.loads(quoted(v)) == v` for every string.
    """
    literal = _ACTIVE.sub(_escape, json.dumps(value, ensure_ascii=False))
    if "://" in literal or "www." in literal.lower():
        literal = _AUTOLINK.sub(_escape, literal)
    return literal


PHONE_MASK = "(phone hidden)"
EMAIL_MASK = "(e-mail hidden)"

_EMAIL = re.compile(r"(?:mailto:)?[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Dates, times and IPv4 addresses are matched first, so their digits never count as a phone number.
_NUMBERS = re.compile(
    r"(?<![A-Za-z\d])(?<!\d[.-])(?:"
    r"(?P<keep>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d{1,3}(?:\.\d{1,3}){3})"
    r"|(?P<number>(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?"
    r"(?:\d{1,5}(?:[.-]\d{1,5})*(?: \d{1,5}(?:[.-]\d{1,5})*)*|\d+(?:[.-]\d+)*))"
    r")(?![A-Za-z\d]|[.-]\d)"
)


_SEVEN_DIGITS = re.compile(r"(?:\d\D{0,3}){7}")
"""A cheap first look: no phone number has fewer than 7 digits or more than 3 other characters between two."""


def _is_phone(number: str) -> bool:
    digits = "".join(c for c in number if c.isdigit())
    count = len(digits)
    if number.startswith(("+", "00")) and count > 2 and not number.startswith("000"):
        return 7 <= count <= 15
    if number.isdigit():
        if count in (10, 13):
            return not digits.startswith("1")  # epoch seconds and milliseconds
        return 11 <= count <= 15
    if number.count(".") == 1 and not any(c in number for c in " -()"):
        return False  # a decimal number
    return 10 <= count <= 15


MAX_PHONE_DIGITS = 15
"""E.164: no phone number has more digits."""


def _mask_number(match: re.Match[str]) -> str:
    number = match.group("number")
    if number is None:
        return match.group()
    if _is_phone(number):
        return PHONE_MASK
    return _mask_runs(number) if " " in number else number


def _mask_runs(number: str) -> str:
    """Space-separated digit groups that are not one phone number as a whole, but split into several.

    "138-0013-8000 139-1234-5678" is two numbers: when the groups split into stretches that are each a
    phone number, every stretch is masked; otherwise (a date and time, a list of room numbers) the run
    is left as it is.
    """
    groups = number.split(" ")
    count = len(groups)
    first_end: list[int | None] = [None] * count + [count]
    """first_end[i]: where the first number ends in a split of groups[i:] into numbers (None: no split)."""
    for start in range(count - 1, -1, -1):
        for end in range(start + 1, min(count, start + MAX_PHONE_DIGITS) + 1):  # every group has a digit
            if first_end[end] is not None and _is_phone(" ".join(groups[start:end])):
                first_end[start] = end
                break
    if first_end[0] is None:
        return number
    masks, start = [], 0
    while start < count:
        masks.append(PHONE_MASK)
        start = first_end[start] or count
    return " ".join(masks)


def mask_contacts(value: str) -> tuple[str, bool]:
    """`value` with phone numbers and e-mail addresses masked; also whether anything was masked.

    Meeting IDs (9 digits), dates, times, epoch seconds and milliseconds, IPv4 addresses and
    numbers inside a word or a hex string (a confUUID) are left alone; see docs/security.md.
    """
    masked = _EMAIL.sub(EMAIL_MASK, value) if "@" in value else value
    if _SEVEN_DIGITS.search(masked):
        masked = _NUMBERS.sub(_mask_number, masked)
    return masked, masked != value


def contact_kind(value: str) -> str | None:
    """'e-mail' or 'phone' when the whole of `value` is one (e.g. an accountId), else None."""
    bare = value.strip()
    if _EMAIL.fullmatch(bare):
        return "e-mail"
    match = _NUMBERS.fullmatch(bare)
    if match is not None and match.group("number") is not None:
        digits = sum(c.isdigit() for c in bare)
        if _is_phone(bare) or (bare.startswith("+") and digits >= 5) or 7 <= digits <= 15:
            return "phone"
    return None


def mask_account(value: str) -> tuple[str, bool]:
    """An account ID for display with contacts off: hidden whole when it is an e-mail or phone number."""
    kind = contact_kind(value)
    if kind is not None:
        return (EMAIL_MASK if kind == "e-mail" else PHONE_MASK), True
    return mask_contacts(value)


LINK_MASK = "(link hidden)"
_LINK = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|\bwww\.)\S+|\S+/#/j/\S*", re.IGNORECASE)


def mask_links(value: str) -> tuple[str, bool]:
    """`value` with URLs (join links, stream URLs, anything with a scheme or `www.`) masked; also whether any was."""
    if "/" not in value and "www." not in value.lower():
        return value, False  # the cheap first look: every link has one or the other
    masked = _LINK.sub(LINK_MASK, value)
    return masked, masked != value


CREDENTIAL_MASK = "(hidden)"
_CREDENTIAL = re.compile(
    r"(?P<word>\b(?:pass(?:word|code|wd)?|pwd|pin|token|secret|key)\b|\u5bc6\u7801|\u53e3\u4ee4)"
    r"(?P<gap>\s*(?:is|[:=\uff1a])?\s*)(?P<value>(?=[^\s,;)\uff09]*\d)[^\s,;)\uff09]+)",
    re.IGNORECASE,
)


def mask_credentials(value: str) -> tuple[str, bool]:
    """`value` with a value that follows a credential word masked: "password 739215", "pwd=a1b2", "密码 123456".

    Only a value with a digit in it counts (so "token expired" stays as it is).

    Free text such as an upstream error message may quote a meeting password the process never
    knew, so no list of known secrets can catch it; the word before it can.
    """
    masked = _CREDENTIAL.sub(lambda m: f"{m['word']}{m['gap']}{CREDENTIAL_MASK}", value)
    return masked, masked != value
