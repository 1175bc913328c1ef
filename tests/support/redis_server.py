"""A real Redis for the fleet tests: Debian's `redis-server` on a free loopback port, without persistence.

`redis_binary()` finds it, or skips the test saying how to install it (under CI=true it fails
instead: the fleet tests are required there). `RedisServer` starts it, kills it (as a crash would)
and starts it again on the same port, and scans what it holds.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass, field

import pytest
import redis

READY = "Ready to accept connections"
"""What redis-server logs once it serves."""


def redis_binary() -> str:
    """The path of `redis-server`; skips the test (fails it under CI=true) when it is not installed."""
    found = shutil.which("redis-server")
    if found is None:
        message = (
            "redis-server is not installed: the fleet tests need a real Redis "
            "(`apt-get install -y redis-server`, or `make pytest` as root installs it)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI=true requires these tests")
        pytest.skip(message)
    return found


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RedisServer:
    """One redis-server process on `port`, started and stopped by the test."""

    binary: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        """Its redis:// URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start it and return once it accepts connections."""
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process = subprocess.Popen(  # noqa: S603 - the installed redis-server
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        ready = threading.Event()
        said: list[str] = []

        def drain() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                said.append(line)
                if READY in line:
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        assert ready.wait(30), "redis-server did not start within 30 s"
        assert process.poll() is None, "".join(said)
        self.process = process

    def kill(self) -> None:
        """End it at once, as a crash would (its data is gone: nothing is saved)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)
            self.process = None

    def client(self) -> redis.Redis:
        """A plain client, to look at what the servers wrote."""
        return redis.Redis(host="127.0.0.1", port=self.port)

    def everything(self) -> dict[bytes, tuple[int, list[bytes]]]:
        """Every key with its TTL in ms (-1: none) and its values (a string's value, a sorted set's members)."""
        found: dict[bytes, tuple[int, list[bytes]]] = {}
        with self.client() as client:
            for key in client.scan_iter(count=1000):
                kind = client.type(key)
                if kind == b"string":
                    values = [client.get(key) or b""]
                elif kind == b"zset":
                    values = list(client.zrange(key, 0, -1))
                else:
                    values = [kind]
                found[key] = (int(client.pttl(key)), values)
        return found
