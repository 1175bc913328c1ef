"""A sandbox served on loopback, as the `live_sandbox` fixture hands it to a test."""

from __future__ import annotations

from dataclasses import dataclass

from huawei_meeting_mcp.sandbox import DEFAULT_APP_ID, DEFAULT_APP_KEY, DEFAULT_TOKEN, Sandbox
from huawei_meeting_mcp.sandbox.app import RecordedRequest


@dataclass
class LiveSandbox:
    """A sandbox served on loopback: the object (to inspect or change) and its base URL."""

    sandbox: Sandbox
    url: str

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a server that talks to this sandbox with its token."""
        return {"HUAWEI_MEETING_BASE_URL": self.url, "HUAWEI_MEETING_ACCESS_TOKEN": DEFAULT_TOKEN, **extra}

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The requests the sandbox saw on `path`, in order (other reads of an answer run alongside)."""
        return [r for r in self.sandbox.requests if r.path == path]

    def app_id_env(self, key: str = DEFAULT_APP_KEY, **extra: str) -> dict[str, str]:
        """Environment for a server that signs in to this sandbox with its App ID (and `key`)."""
        return {
            "HUAWEI_MEETING_BASE_URL": self.url,
            "HUAWEI_MEETING_APP_ID": DEFAULT_APP_ID,
            "HUAWEI_MEETING_APP_KEY": key,
            **extra,
        }
