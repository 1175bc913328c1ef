"""The log redactor masks every registered secret, in messages, arguments and tracebacks."""

from __future__ import annotations

import logging

import pytest

from huawei_meeting_mcp.redaction import SecretRedactor

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
