"""Text helpers shared by the views and the error messages: every upstream string passes through here.

- `Sanitiser` (and `sanitise`, its contacts-off form) is the one way any upstream string is made fit to
  show, where wire data enters a view and in error messages alike: cleaned (`clean_text`: nothing that
  can hide text from a human reader survives; work bounded per string), markup removed, links and
  values after credential words masked, phone numbers and e-mail addresses masked unless contacts are on.
- `quoted` is how text shows an upstream or caller string (headings, next calls, hints, error messages):
  one quoting it cannot close, with Markdown and HTML made inert.
- `mask_contacts` hides phone numbers and e-mail addresses inside free text when contacts are off;
  `mask_account` also hides an account ID that is itself an e-mail address or phone number.

The rules are written up in docs/security.md ("Untrusted text").
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

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


def _one_line(text: str) -> str:
    """`text` with control characters, line breaks and runs of white space each made one space."""
    if "  " in text or not text.isprintable() or "\u2800" in text:  # every other such character is unprintable
        return _SPACES.sub(" ", text)
    return text


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
    """`text` without the hidden characters (`_SUSPECT`) that have no legitimate use where they stand."""
    kept: list[str] = []
    index, size = 0, len(text)
    while (found := _SUSPECT.search(text, index)) is not None:
        start = found.start()
        if start > index:
            kept.append(text[index:start])
        char = text[start]
        index = start + 1
        if "\U000e0020" <= char <= "\U000e007f":
            end = start
            while end < size and "\U000e0020" <= text[end] <= "\U000e007f":
                end += 1
            tags = "".join(chr(ord(t) - 0xE0000) for t in text[start : end - 1])
            if kept and kept[-1][-1] == BLACK_FLAG and text[end - 1] == "\U000e007f" and tags in _FLAG_TAGS:
                kept.append(text[start:end])
            index = end
        elif "\ud800" <= char <= "\udfff":
            kept.append("\ufffd")  # a lone surrogate (JSON allows them) cannot even be encoded: show it
        elif _keep_in_context(char, kept[-1][-1] if kept else "", text[index : index + 1]):
            kept.append(char)
    kept.append(text[index:])
    return "".join(kept)


SCAN_FACTOR = 8
"""Of an upstream string, only the first `limit * SCAN_FACTOR` characters are ever looked at.

Every step after that cut is linear in what is left (normalisation included, see `_stream_safe`), so
a hostile 200 kB subject costs no more than an ordinary long one.
"""
MAX_COMBINING_RUN = 30
"""Unicode's stream-safe limit (UAX #15): no legitimate text stacks more combining marks on one letter."""
_TAIL = 128
"""How far from the end of a string cut before cleaning a secret or contact could have been split."""


def _stream_safe(text: str) -> str:
    """`text` with runs of combining marks cut to MAX_COMBINING_RUN, so that normalising it is linear."""
    if not any(map(unicodedata.combining, text)):
        return text  # most text has no combining mark at all, and this look is done in C
    run, kept = 0, []
    for char in text:
        if unicodedata.combining(char):
            run += 1
            if run > MAX_COMBINING_RUN:
                continue
        else:
            run = 0
        kept.append(char)
    return "".join(kept) if len(kept) < len(text) else text


def _visible(value: object, limit: int) -> str:
    """`value` as one visible line, known secrets masked; not yet cut to `limit`, but never much longer.

    Only a bounded prefix (`limit * SCAN_FACTOR` characters) is read. When the raw string was longer and
    cleaning shrank that prefix to within reach of `limit`, the last word is dropped: the cut may have
    split a secret or a contact there, and a part of one would not be recognised.
    """
    text = str(value)
    bound = max(limit, 8) * SCAN_FACTOR
    cut = len(text) > bound
    if cut:
        text = text[:bound]
    text = REDACTOR.redact(text)
    if not text.isascii():
        if _SUSPECT.search(text):
            text = _strip_hidden(text)
        if len(text) > MAX_COMBINING_RUN:
            text = _stream_safe(text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    text = REDACTOR.redact(_one_line(text).strip())
    if cut and len(text) < limit + _TAIL:
        text = (text[: max(text.rfind(" "), 0)] + " …").lstrip()
    return text


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip(_DANGLING) + "…"


def clean_text(value: object, limit: int) -> str:
    """Return `value` as one visible line of at most `limit` characters.

    Format characters (bidi controls, zero-width characters, the tag block, ...), invisible fillers
    and stray variation selectors are removed; control characters, line breaks and runs of white
    space become one space; the result is NFC-normalised. Joiners stay only where a script or an
    emoji sequence needs them (docs/security.md). Any secret the process knows (tokens, keys,
    passwords; see redaction.py) is masked, before the cut so no prefix of one survives. Only the
    first `limit * SCAN_FACTOR` characters are read, so the work is bounded whatever the input.
    """
    return _cut(_visible(value, limit), limit)


# Characters `quoted` writes as JSON \u escapes: what Markdown or HTML would act on, and anything
# `clean_text` would remove (a caller's string has not been through it).
_ACTIVE = re.compile(f"[\x7f-\x9f<>&\\[\\]`{_FORMAT}{_INVISIBLE}{_SELECTORS}\u2028\u2029]")
_JSON = json.JSONEncoder(ensure_ascii=False)
"""One encoder for every quoted string (`json.dumps` with an option makes a new one per call)."""
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
    literal = _ACTIVE.sub(_escape, _JSON.encode(value))
    if "://" in literal or "www." in literal.lower():
        literal = _AUTOLINK.sub(_escape, literal)
    return literal


PHONE_MASK = "(phone hidden)"
EMAIL_MASK = "(e-mail hidden)"


def _fold_table() -> dict[int, str]:
    """Full-width, small and other compatibility forms of ASCII punctuation, digits and letters, one to one.

    Contacts and credentials are matched in a copy of the text folded by this table (NFKC, restricted to
    what maps to one ASCII character, plus the dashes NFKC leaves alone): a phone number written with
    full-width hyphens, an e-mail address with a full-width at sign or full stop, a password after a
    full-width colon match like their ASCII spelling, while the text shown keeps its own characters.
    """
    table: dict[int, str] = {}
    for low, high in ((0x2000, 0x206F), (0x3000, 0x303F), (0xFE50, 0xFE6F), (0xFF00, 0xFFEF)):
        for point in range(low, high + 1):
            folded = unicodedata.normalize("NFKC", chr(point))
            if len(folded) == 1 and " " <= folded <= "~":
                table[point] = folded
    table.update(dict.fromkeys((*range(0x2010, 0x2016), 0x2212, 0xFE58), "-"))
    table.update({0x3002: ".", 0xFF61: ".", 0x3001: ","})
    return table


_FOLD = _fold_table()
_FOLDABLE = re.compile("[" + "".join(re.escape(chr(point)) for point in sorted(_FOLD)) + "]")


def _folded(value: str) -> str:
    """`value` folded by `_FOLD`, or `value` itself when nothing in it folds (most text: a cheap look first)."""
    if value.isascii() or _FOLDABLE.search(value) is None:
        return value
    return value.translate(_FOLD)


def _replace(shown: str, folded: str, spans: list[tuple[int, int, str]]) -> tuple[str, str]:
    """Replace `spans` (start, end, mask; found in `folded`) in both strings, which stay aligned."""
    if not spans:
        return shown, folded
    out_shown: list[str] = []
    out_folded: list[str] = []
    last = 0
    for start, end, mask in spans:
        out_shown += [shown[last:start], mask]
        out_folded += [folded[last:start], mask]
        last = end
    return "".join([*out_shown, shown[last:]]), "".join([*out_folded, folded[last:]])


_EMAIL = re.compile(r"(?:mailto:)?[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Dates, times and IPv4 addresses are matched first, so their digits never count as a phone number.
# Digit groups may be separated by . - / or _ ("0171/1234567", "(138_0013_8000)"); other dashes are folded to -.
_NUMBERS = re.compile(
    r"(?<![A-Za-z\d])(?<!\d[-./_])(?:"
    r"(?P<keep>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d{1,3}(?:\.\d{1,3}){3})"
    r"|(?P<number>(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?"
    r"(?:\d{1,5}(?:[-./_]\d{1,5})*(?: \d{1,5}(?:[-./_]\d{1,5})*)*|\d+(?:[-./_]\d+)*))"
    r")(?![A-Za-z\d]|[-./_]\d)"
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
    if number.count(".") == 1 and not any(c in number for c in " -()/_"):
        return False  # a decimal number
    return 10 <= count <= 15


MAX_PHONE_DIGITS = 15
"""E.164: no phone number has more digits."""


def _number_mask(match: re.Match[str]) -> str | None:
    number = match.group("number")
    if number is None:
        return None
    if _is_phone(number):
        return PHONE_MASK
    return _mask_runs(number) if " " in number else None


def _mask_runs(number: str) -> str | None:
    """Space-separated digit groups that are not one phone number as a whole, but split into several.

    "138-0013-8000 139-1234-5678" is two numbers: when the groups split into stretches that are each a
    phone number, every stretch is masked; otherwise (a date and time, a list of room numbers) the run
    is left as it is (None).
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
        return None
    masks, start = [], 0
    while start < count:
        masks.append(PHONE_MASK)
        start = first_end[start] or count
    return " ".join(masks)


def _mask_contacts(shown: str, folded: str) -> tuple[str, str]:
    if "@" in folded:
        shown, folded = _replace(shown, folded, [(*m.span(), EMAIL_MASK) for m in _EMAIL.finditer(folded)])
    if _SEVEN_DIGITS.search(folded):
        spans = [(*m.span(), mask) for m in _NUMBERS.finditer(folded) if (mask := _number_mask(m)) is not None]
        shown, folded = _replace(shown, folded, spans)
    return shown, folded


def mask_contacts(value: str) -> tuple[str, bool]:
    """`value` with phone numbers and e-mail addresses masked; also whether anything was masked.

    Meeting IDs (9 digits), dates, times, epoch seconds and milliseconds, IPv4 addresses and
    numbers inside a word or a hex string (a confUUID) are left alone; full-width and CJK
    punctuation count as their ASCII forms (`_FOLD`); see docs/security.md.
    """
    masked, _ = _mask_contacts(value, _folded(value))
    return masked, masked != value


def contact_kind(value: str) -> str | None:
    """'e-mail' or 'phone' when the whole of `value` is one (e.g. an accountId), else None."""
    bare = _folded(value.strip())
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
_LINK = re.compile(
    r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|\bwww\.|(?<![\w:/])//(?=\w))\S+|\S+/#/j/\S*",
    re.IGNORECASE,
)
"""A URL with a scheme, `www.`, a protocol-relative `//host` (a Markdown image's `(//host/p.png)`), or a join link."""


def mask_links(value: str) -> tuple[str, bool]:
    """`value` with URLs (join links, stream URLs, a scheme, `www.` or `//host`) masked, and whether any was."""
    if "/" not in value and "www." not in value.lower():
        return value, False  # the cheap first look: every link has one or the other
    masked = _LINK.sub(LINK_MASK, value)
    return masked, masked != value


CREDENTIAL_MASK = "(hidden)"


@cache
def _credential() -> re.Pattern[str]:
    """The credential pattern: a credential word, a few linking words, then a value with a digit in it.

    "Guest password changed to 482913": the words are password, passcode, pwd, PIN, token, secret, key,
    密码, 口令 and 验证码; the linking words "changed to", "is now", "改为" and the like. A value stops at
    white space, `,;)` (their full-width forms folded) and at a CJK character. Compiled on first use,
    after `_CREDENTIAL_WORD` found a word: its CJK ranges are slow to compile, and most processes never
    need it before their first answer.
    """
    return re.compile(
        r"(?:\b(?:pass(?:word|code|wd)?s?|pwd|pin|token|secret|key)\b|\u5bc6\u7801|\u53e3\u4ee4|\u9a8c\u8bc1\u7801)"
        r"(?:[\s:=]|\b(?:is|was|are|were|now|changed|set|reset|updated|to|as|new)\b"
        r"|\u5df2|\u662f|\u4e3a|\u6539\u4e3a|\u4fee\u6539\u4e3a|\u66f4\u6539\u4e3a|\u8bbe\u7f6e\u4e3a)*?"
        r"(?P<value>(?=[^\s,;)]*\d)[^\s,;):=\u2e80-\u9fff][^\s,;)\u2e80-\u9fff]*)",
        re.IGNORECASE,
    )


_CREDENTIAL_WORD = re.compile(
    r"pass|pwd|pin|token|secret|key|\u5bc6\u7801|\u53e3\u4ee4|\u9a8c\u8bc1\u7801", re.IGNORECASE
)
"""A cheap first look: most text holds no credential word at all."""


def _mask_credentials(shown: str, folded: str) -> tuple[str, str]:
    if not _CREDENTIAL_WORD.search(folded):
        return shown, folded
    spans = [(*m.span("value"), CREDENTIAL_MASK) for m in _credential().finditer(folded)]
    return _replace(shown, folded, spans)


def mask_credentials(value: str) -> tuple[str, bool]:
    """`value` with a value that follows a credential word masked: "password 739215", "pwd=a1b2", "密码 123456".

    Only a value with a digit in it counts (so "token expired" stays as it is).

    Free text such as an upstream error message or a meeting subject may quote a meeting password the
    process never knew, so no list of known secrets can catch it; the word before it can.
    """
    masked, _ = _mask_credentials(value, _folded(value))
    return masked, masked != value


_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--")
_MARKDOWN_LINK = re.compile(r"!?\[([^\[\]]*)\]\(\s*([^()\s]*)[^()]*\)")
_RUNS_OF_SPACES = re.compile(" {2,}")


def strip_markup(value: str) -> tuple[str, bool]:
    """`value` with HTML tags removed and Markdown links and images written out as their words and target.

    `<img src=x onerror=...>` is dropped, `<b>urgent</b>` becomes "urgent", and `![alt](url)` or
    `[text](url)` becomes "alt url" (the URL then masked as any link is), so that upstream text holds
    no markup a client could render, in the structured content as in the text.
    """
    if "<" not in value and "](" not in value:
        return value, False
    stripped = _MARKDOWN_LINK.sub(lambda m: " ".join(part for part in m.groups() if part), value)
    stripped = _HTML_TAG.sub("", stripped)
    if stripped == value:
        return value, False
    return _RUNS_OF_SPACES.sub(" ", stripped).strip(), True


_MAY_NEED_MASKING = re.compile(r"[<\]/@\d]|www\.|pass|pwd|pin|token|secret|key", re.IGNORECASE)
"""A cheap first look at ASCII text: no markup, link, contact or credential is written without one of these."""


@dataclass
class Sanitiser:
    """The one way upstream text is made fit to show, in the views and the error messages alike.

    Each string is cleaned (`clean_text`: hidden characters, line breaks, known secrets; a bounded
    prefix only), its markup removed (`strip_markup`), links masked (a join link may let anyone in),
    values after credential words masked (a meeting password typed into a subject), and, unless the
    operator enabled contact data, phone numbers and e-mail addresses masked; then it is cut to its
    limit. The flags tell afterwards what was masked, so an answer can say so.
    """

    include_contacts: bool = False
    masked: bool = False
    links_masked: bool = False
    credentials_masked: bool = False

    def __call__(self, value: object, limit: int = 128) -> str | None:
        """`value` made fit to show in at most `limit` characters; None when absent or blank."""
        if value is None:
            return None
        shown = _visible(value, limit)
        if shown.isascii() and _MAY_NEED_MASKING.search(shown) is None:
            return _cut(shown, limit) or None
        return self._masked(shown, limit, not self.include_contacts, True)

    def code(self, value: object, limit: int = 64) -> str | None:
        """An identifier or code (meeting ID, zone ID, device type, error code): contact data always masked.

        Such fields never legitimately hold a phone number or an e-mail address, so one found there is
        masked whatever the contacts setting.
        """
        return None if value is None else self._masked(_visible(value, limit), limit, True, False)

    def account(self, value: object, limit: int = 128) -> str | None:
        """An account ID: hidden whole, unless contacts are on, when it is an e-mail address or phone number."""
        shown = None if value is None else self._masked(_visible(value, limit), limit, False, True)
        if shown is None or self.include_contacts:
            return shown
        masked, changed = mask_account(shown)
        self.masked = self.masked or changed
        return masked

    def _masked(self, shown: str, limit: int, hide_contacts: bool, note: bool) -> str | None:
        """Cleaned text (`_visible`) with markup removed, then links, credentials and maybe contacts masked; cut."""
        shown, _ = strip_markup(shown)
        shown, linked = mask_links(shown)
        folded = _folded(shown)
        before = shown
        shown, folded = _mask_credentials(shown, folded)
        credential = shown != before
        if hide_contacts:
            before = shown
            shown, folded = _mask_contacts(shown, folded)
            self.masked = self.masked or (note and shown != before)
        self.links_masked = self.links_masked or (note and linked)
        self.credentials_masked = self.credentials_masked or (note and credential)
        shown = _cut(shown.strip(), limit)
        return shown or None


def sanitise(value: object, limit: int) -> str:
    """Upstream text (an error message, a code) made fit to show, contacts masked; see `Sanitiser`."""
    return Sanitiser()(value, limit) or ""
