"""The log redactor masks every registered secret, in messages, arguments and tracebacks, and holds a bounded set."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from huawei_meeting_mcp import auth
from huawei_meeting_mcp.redaction import MAX_SHORT_LIVED, SecretRedactor

SECRET = "stbREDACT-ME-0000000000000000000000"


@pytest.fixture
def logger_and_records() -> tuple[logging.Logger, list[str]]:
    redactor = SecretRedactor()
    redactor.add(SECRET, None, "abc")  # None and too-short values are ignored
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(redactor)
    logger = logging.getLogger("test-redaction")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, records


def test_messages_and_arguments_are_masked(logger_and_records: tuple[logging.Logger, list[str]]) -> None:
    logger, records = logger_and_records
    logger.info("token %s sent", SECRET)
    logger.info(f"inline {SECRET}")
    logger.info("short abc stays")
    assert records == ["token *** sent", "inline ***", "short abc stays"]


def test_tracebacks_are_masked(logger_and_records: tuple[logging.Logger, list[str]]) -> None:
    logger, records = logger_and_records
    try:
        raise RuntimeError(f"failed with {SECRET}")
    except RuntimeError:
        logger.exception("boom")
    assert SECRET not in records[0]
    assert "RuntimeError: failed with ***" in records[0]


def test_signed_in_tokens_are_bounded_and_the_newest_stay_masked() -> None:
    """Hostile finding 7: each sign-in added a secret and none was ever removed (a 401 storm grew it per call)."""
    redactor = SecretRedactor()
    redactor.add(SECRET)
    tokens = [f"stbTOKEN-{n:05d}-000000000000" for n in range(10_000)]
    for n, token in enumerate(tokens):
        redactor.add_short_lived(token, None, until=1e9, now=float(n))
    assert redactor.known() == MAX_SHORT_LIVED + 1
    assert redactor.redact(f"{tokens[-1]} {tokens[-MAX_SHORT_LIVED]} {SECRET}") == "*** *** ***"
    assert redactor.redact(tokens[0]) == tokens[0], "the oldest were forgotten"


def test_an_expired_token_is_forgotten_at_the_next_sign_in_and_configured_secrets_never() -> None:
    redactor = SecretRedactor()
    redactor.add(SECRET)
    redactor.add_short_lived("stbOLD-TOKEN-0000", "rfOLD-REFRESH-0000", until=100.0, now=0.0)
    assert redactor.redact("stbOLD-TOKEN-0000") == "***"
    redactor.add_short_lived("stbNEW-TOKEN-0000", until=300.0, now=200.0)
    assert redactor.redact("stbOLD-TOKEN-0000 rfOLD-REFRESH-0000") == "stbOLD-TOKEN-0000 rfOLD-REFRESH-0000"
    assert redactor.redact(f"stbNEW-TOKEN-0000 {SECRET}") == "*** ***"
    assert redactor.known() == 2


class FreshTokenEachTime:
    """A sign-in API that issues a new token on every sign-in (as a 401 storm makes the server ask for)."""

    def __init__(self) -> None:
        self.issued: list[str] = []

    async def post_model(self, path: str, body: Any, headers: Any, model: type[Any], errors: Any) -> Any:
        token = f"stbSTORM-{len(self.issued):05d}-00000000000000"
        self.issued.append(token)
        return model.model_validate({"accessToken": token, "refreshToken": f"rf{token}", "validPeriod": 3600})


@pytest.mark.anyio
async def test_a_401_storm_keeps_the_process_redactor_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    redactor = SecretRedactor()
    monkeypatch.setattr(auth, "REDACTOR", redactor)
    poster = FreshTokenEachTime()
    provider = auth.SigningIn(auth.AppIdSignIn("app-id", "app-key-secret"), poster, clock=lambda: 1000.0)
    for _ in range(500):
        token = await provider.get_token()
        assert await provider.token_rejected(token)  # the API refused it: the next call signs in again
    assert len(poster.issued) == 500
    assert redactor.known() <= MAX_SHORT_LIVED
    assert redactor.redact(poster.issued[-1]) == "***", "the newest token is masked"
    assert redactor.redact(poster.issued[-8]) == "***", "so are the replaced ones the provider still remembers"
