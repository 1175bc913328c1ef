"""A logging filter that masks every secret the process knows, as defence in depth.

Nothing is meant to log a secret in the first place; this filter makes sure a mistake
(a library logging a header, an exception quoting a URL) cannot put one on stderr.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timezone

MASK = "***"
MIN_SECRET_LENGTH = 4  # shorter strings would mask ordinary words
MAX_SHORT_LIVED = 32
"""Signed-in tokens the redactor holds at most: a 401 storm (a fresh token per sign-in) cannot grow it.

Enough for the token in use and every one the provider still remembers (auth.SigningIn keeps 8 replaced
ones), each with its refresh token."""


class SecretRedactor(logging.Filter):
    """Replaces registered secret strings in every log record with `***`.

    Configured secrets (App Key, password, a static token) stay for the life of the process; tokens
    obtained by signing in are short-lived: each is kept until it expires, and only the newest
    `MAX_SHORT_LIVED`, so every string cleaned scans a bounded set.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._short_lived: dict[str, float] = {}
        """Signed-in tokens and when (Unix seconds) each expires, oldest first."""
        self._longest_first: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, *secrets: str | None) -> None:
        """Register secrets to mask for the life of the process (keys, passwords, a configured token)."""
        with self._lock:
            self._secrets.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)
            self._index()

    def add_short_lived(self, *secrets: str | None, until: float, now: float) -> None:
        """Register signed-in tokens to mask until `until`; forget those expired by `now`, and the oldest over the cap.

        Pruning happens here, at the next sign-in, so a token stays masked a while past its expiry too.
        """
        with self._lock:
            for expired in [s for s, expires in self._short_lived.items() if expires <= now]:
                del self._short_lived[expired]
            for secret in secrets:
                if secret and len(secret) >= MIN_SECRET_LENGTH:
                    self._short_lived.pop(secret, None)
                    self._short_lived[secret] = until
            while len(self._short_lived) > MAX_SHORT_LIVED:
                del self._short_lived[next(iter(self._short_lived))]
            self._index()

    def known(self) -> int:
        """How many secrets are registered now."""
        return len(self._longest_first)

    def _index(self) -> None:
        self._longest_first = tuple(sorted(self._secrets | self._short_lived.keys(), key=len, reverse=True))

    def redact(self, text: str) -> str:
        """Return `text` with every registered secret masked."""
        for secret in self._longest_first:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask secrets in the fully formatted message (and traceback) of `record`."""
        if not self._longest_first:
            return True
        message = record.getMessage()
        if record.exc_info:
            formatter = logging.Formatter()
            message = message + "\n" + formatter.formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg = self.redact(message)
        record.args = None
        return True


REDACTOR = SecretRedactor()
"""The process-wide redactor, attached to the stderr log handler by the command line."""


AUDIT_LOGGER = "huawei_meeting_mcp.audit"
"""The logger of the audit records (observe.py): each tool call at INFO, refused requests at WARNING."""


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and an audit record's fields (`extra={"audit": ...}`).

    Runs after the redactor has masked the message; the finished line is masked once more, so that a
    secret can reach stderr through no field.
    """

    def __init__(self, redactor: SecretRedactor) -> None:
        super().__init__()
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": "log",
            "message": record.getMessage(),
        }
        audit = getattr(record, "audit", None)
        if isinstance(audit, dict):
            line.update(audit)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return self._redactor.redact(json.dumps(line, ensure_ascii=False, default=str))


def configure_logging(level: str, log_format: str = "text") -> None:
    """Send logs to stderr (stdout carries the MCP protocol), through the redactor, as text or JSON lines."""
    handler = logging.StreamHandler()  # stderr
    if log_format == "json":
        handler.setFormatter(JsonFormatter(REDACTOR))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(REDACTOR)
    # Text logs keep normal traffic off INFO: a tool call's audit record shows there at DEBUG only.
    numeric = logging.getLevelName(level)
    quiet = log_format != "json" and numeric > logging.DEBUG
    logging.getLogger(AUDIT_LOGGER).setLevel(max(numeric, logging.WARNING) if quiet else numeric)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_transport_loggers(root.level)


TRANSPORT_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.INFO, "hpack": logging.INFO, "h2": logging.INFO}
"""Libraries whose DEBUG output carries raw headers (Set-Cookie, links in custom headers), and their floor."""
BODY_LOGGERS = {"sse_starlette": logging.INFO, "mcp": logging.INFO}
"""Libraries whose DEBUG output carries message bodies (an event stream's chunks, a JSON-RPC frame), and
their floor: request and response bodies hold meeting data, contacts included when they are shown."""


def quiet_transport_loggers(level: int) -> None:
    """Keep the HTTP and MCP libraries above DEBUG whatever `level` is: they would log raw headers or bodies.

    httpx logs every request URL at INFO; ours are logged at DEBUG with a request ID instead.
    """
    for name, floor in (TRANSPORT_LOGGERS | BODY_LOGGERS).items():
        logging.getLogger(name).setLevel(max(floor, level))
