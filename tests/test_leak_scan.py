"""The leak scan: nothing any server said in this run holds a secret, and the scan finds what it should.

`test_nothing_any_server_said_leaked` runs last (conftest.py orders it): every end-to-end test records
what its servers said (tool results, errors, stderr at DEBUG) in `helpers.SCAN`, with every secret the
servers and sandboxes knew of.
"""

from __future__ import annotations

from tests.helpers import SCAN, LeakScan


def test_nothing_any_server_said_leaked() -> None:
    findings = SCAN.findings()
    assert not findings, "Secrets leaked:\n" + "\n".join(findings)


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
