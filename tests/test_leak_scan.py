"""The leak scan finds what it should, and cannot pass without looking.

What servers said is checked after each test (the autouse `leak_check` fixture in conftest.py): the
launchers in tests/support record every output, with the secrets their environment held.
"""

from __future__ import annotations

import pytest

from huawei_meeting_mcp.sandbox import DEFAULT_TOKEN
from tests.support import SCAN, LeakScan, LiveSandbox, run_server, text_of
from tests.support.leaks import known_from_the_start


def test_leak_scan_finds_secrets_and_contacts() -> None:
    scan = LeakScan(secrets={"stbSECRET-0001"}, contacts={"+8613800001111"})
    scan.record("all quiet", contacts_allowed=False)
    assert scan.findings() == []
    scan.record("log: token stbSECRET-0001 sent", contacts_allowed=True)
    scan.record("phone +8613800001111", contacts_allowed=False)
    scan.record("phone +8613800001111", contacts_allowed=True)
    assert scan.findings() == [
        "server run 1: secret stbS... appeared",
        "server run 2: contact +861... appeared with contacts off",
    ]
    assert scan.findings(start=2) == ["server run 2: contact +861... appeared with contacts off"]


def test_short_secrets_count_as_whole_words_only() -> None:
    scan = LeakScan(secrets={"821934"})
    scan.record("X-Request-ID: 3fa8219340c1 and startDate=1795482193400", contacts_allowed=False)
    assert scan.findings() == []
    scan.record('meeting password "821934" shown', contacts_allowed=False)
    scan.record("pwd=821934;", contacts_allowed=False)
    assert scan.findings() == [
        "server run 1: secret 8219... appeared",
        "server run 2: secret 8219... appeared",
    ]


def test_outputs_without_any_secret_to_look_for_fail_the_scan() -> None:
    scan = LeakScan()
    assert scan.findings() == [], "nothing said, nothing to check"
    scan.record("anything at all", contacts_allowed=False)
    with pytest.raises(AssertionError, match="vacuously"):
        scan.findings()


def test_the_scan_knows_the_sandbox_credentials_and_sample_secrets_from_the_start() -> None:
    scan = known_from_the_start()
    assert DEFAULT_TOKEN in scan.secrets
    assert len(scan.secrets) > 100, "tokens, App Keys, passwords, join links and stream URLs of the sample data"
    assert scan.contacts


@pytest.mark.anyio
@pytest.mark.e2e
async def test_a_server_run_is_recorded_for_the_check_with_its_secrets(live_sandbox: LiveSandbox) -> None:
    before = len(SCAN.outputs)
    env = live_sandbox.env(HUAWEI_MEETING_ACCESS_TOKEN="stbLEAK-SCAN-OWN-TOKEN-000000000000")
    live_sandbox.sandbox.tokens.add(env["HUAWEI_MEETING_ACCESS_TOKEN"])
    async with run_server(env) as run:
        result = await run.call("list_historical_meetings", {"limit": 1})
    assert result.is_error is False, text_of(result)
    assert len(SCAN.outputs) == before + 1
    said, contacts_allowed = SCAN.outputs[-1]
    assert text_of(result) in said
    assert contacts_allowed is False
    assert "stbLEAK-SCAN-OWN-TOKEN-000000000000" in SCAN.secrets
