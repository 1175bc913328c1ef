"""The leak scan: everything the servers said, every secret they knew of, and the check between them.

Every test's server outputs are checked when the test ends (the autouse `leak_check` fixture in
conftest.py), against every secret known by then: the sandbox's sample data and default credentials
from the start, and each sandbox's issued tokens once its fixture ends. So the check holds for any
selection of tests (`-k`, one file, xdist workers), and it refuses to pass without a secret to look for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from huawei_meeting_mcp.sandbox import DEFAULT_APP_KEY, DEFAULT_PASSWORD, DEFAULT_TOKEN, Sandbox

SECRET_SETTINGS = (
    "HUAWEI_MEETING_ACCESS_TOKEN",
    "HUAWEI_MEETING_APP_KEY",
    "HUAWEI_MEETING_PASSWORD",
    "HUAWEI_MEETING_HTTP_TOKEN",
)

SHORT_SECRET = 12
"""Secrets shorter than this (6-digit meeting passwords) count only as whole words: inside a random
request ID or an epoch-milliseconds number they turn up by chance, and that is no leak."""


def _occurs(secret: str, haystack: str) -> bool:
    if secret not in haystack:  # the common case, and far cheaper than any regex
        return False
    if len(secret) >= SHORT_SECRET:
        return True
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", haystack) is not None


def leaked(haystack: str, secrets: Iterable[str]) -> list[str]:
    """The secrets that occur in `haystack` (empty when nothing leaked)."""
    return sorted(s for s in secrets if s and _occurs(s, haystack))


@dataclass
class LeakScan:
    """What the servers said (each output with whether contacts were allowed), and the secrets and contacts known."""

    outputs: list[tuple[str, bool]] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)

    def record(self, output: str, contacts_allowed: bool) -> None:
        """Keep one server's output (tool results, errors, stderr) for the check."""
        self.outputs.append((output, contacts_allowed))

    def findings(self, start: int = 0) -> list[str]:
        """A line per leak in the outputs from index `start` on (secret shown masked); empty when nothing leaked.

        Refuses (AssertionError) to check outputs against no secret at all: that would pass whatever they hold.
        """
        outputs = self.outputs[start:]
        assert not outputs or self.secrets, "outputs to check, but no secret to look for: the scan would pass vacuously"
        found = []
        for index, (output, contacts_allowed) in enumerate(outputs, start):
            for secret in leaked(output, self.secrets):
                found.append(f"server run {index}: secret {secret[:4]}... appeared")
            if not contacts_allowed:
                for contact in leaked(output, self.contacts):
                    found.append(f"server run {index}: contact {contact[:4]}... appeared with contacts off")
        return found


def known_from_the_start() -> LeakScan:
    """A scan that knows the sandbox's default credentials and its sample data's secrets and contacts."""
    sample = Sandbox()
    secrets = {DEFAULT_TOKEN, DEFAULT_APP_KEY, DEFAULT_PASSWORD, *sample.secret_strings()}
    return LeakScan(secrets=secrets, contacts=sample.contact_strings())


SCAN = known_from_the_start()
"""This process's scan (one per xdist worker): the launchers record into it, fixtures add secrets."""
