"""A fleet sharing one Redis: one sign-in and one upstream read for every replica, nothing readable in Redis.

Against a real `redis-server` (tests/support/redis_server.py: skipped where it is not installed,
required under CI=true) and the sandbox, whose sign-in API counts sign-ins per user ID. The replicas
are servers built in this process, each with its own Redis client, HTTP client and caches.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.types import CallToolResult

from huawei_meeting_mcp import shared_state
from huawei_meeting_mcp.cache import ReadCache
from huawei_meeting_mcp.errors import RateLimitError
from huawei_meeting_mcp.sandbox import (
    DEFAULT_APP_ID,
    DEFAULT_APP_KEY,
    DOCS_EXAMPLE_UUID,
    LARGE_UUID,
    RECURRING_UUID,
    AuthApi,
    Sandbox,
    serving,
)
from huawei_meeting_mcp.sandbox.app import CONF_DETAIL_PATH
from huawei_meeting_mcp.settings import ConfigError, Settings
from huawei_meeting_mcp.shared_cache import SharedReadCache
from huawei_meeting_mcp.shared_pacing import SharedPacer
from huawei_meeting_mcp.shared_state import SealedStore, sealed_store
from huawei_meeting_mcp.shared_tokens import TokenCapError, TokenLedger
from tests.support import LiveSandbox, base_env, console_script, http_server, in_process
from tests.support.redis_server import RedisServer, redis_binary
from tests.support.results import strings_in

pytestmark = pytest.mark.anyio

KEY = base64.b64encode(bytes(range(32))).decode()
PREFIX = "fleet-test:"
TOOL = "get_historical_meeting_detail"


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A fresh redis-server on a free loopback port, without persistence, for one test."""
    server = RedisServer(redis_binary())
    server.start()
    try:
        yield server
    finally:
        server.kill()


def fleet_settings(redis: RedisServer, **extra: Any) -> dict[str, Any]:
    return {
        "access_token": None,
        "app_id": DEFAULT_APP_ID,
        "app_key": DEFAULT_APP_KEY,
        "redis_url": redis.url,
        "state_key": KEY,
        "redis_prefix": PREFIX,
        **extra,
    }


@asynccontextmanager
async def replicas(sandbox: Sandbox, count: int, **settings: Any) -> AsyncIterator[list[Client]]:
    async with AsyncExitStack() as stack:
        yield [await stack.enter_async_context(in_process(sandbox, **settings)) for _ in range(count)]


async def call_all(clients: list[Client], calls: int, arguments: dict[str, Any]) -> list[CallToolResult]:
    results: list[CallToolResult] = []

    async def one(client: Client) -> None:
        results.append(await client.call_tool(TOOL, arguments))

    async with anyio.create_task_group() as group:
        for client in clients:
            for _ in range(calls):
                group.start_soon(one, client)
    return results


def succeeded(results: list[CallToolResult]) -> bool:
    return bool(results) and all(r.is_error is False and r.structured_content for r in results)


async def test_three_replicas_make_one_sign_in_and_one_upstream_read(redis_server: RedisServer) -> None:
    alone = Sandbox(tokens=(), auth=AuthApi())
    async with in_process(alone, **fleet_settings(redis_server, redis_url=None, state_key=None)) as client:
        assert succeeded([await client.call_tool(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})])
    one_call = dict(alone.hits)

    sandbox = Sandbox(tokens=(), auth=AuthApi())
    async with replicas(sandbox, 3, **fleet_settings(redis_server)) as clients:
        results = await call_all(clients, 5, {"confUUID": DOCS_EXAMPLE_UUID})
    assert succeeded(results)
    assert len(results) == 15
    assert sandbox.auth.app_sign_ins == {"": 1}, "one sign-in for 3 replicas x 5 concurrent calls"
    assert dict(sandbox.hits) == one_call, "each upstream read once for the fleet, as one call alone makes it"

    stored = redis_server.everything()
    kinds = {key.decode().removeprefix(PREFIX).split(":")[0] for key in stored}
    assert {"token", "ledger", "cache"} <= kinds
    for key, (ttl, _) in stored.items():
        assert key.decode().startswith(PREFIX), key
        assert ttl > 0, f"{key!r} has no TTL"

    texts = {s for r in results for s in strings_in(r.structured_content) if len(s) >= 4}
    secrets = sandbox.secret_strings()
    assert sandbox.auth.valid_tokens()[0] in secrets
    assert len(texts) > 10
    for key, (_, values) in stored.items():
        for value in values:
            found = [s for s in secrets | texts if s.encode() in value or s.encode() in key]
            assert found == [], f"{key!r} shows {found}"


@pytest.mark.e2e
async def test_three_replicas_in_http_mode_share_one_sign_in_and_one_read(redis_server: RedisServer) -> None:
    alone = Sandbox(tokens=(), auth=AuthApi())
    async with in_process(alone, **fleet_settings(redis_server, redis_url=None, state_key=None)) as client:
        assert succeeded([await client.call_tool(TOOL, {"confUUID": LARGE_UUID})])
    one_call = dict(alone.hits)

    sandbox = Sandbox(tokens=(), auth=AuthApi())
    with serving(sandbox) as url, ExitStack() as stack:
        live = LiveSandbox(sandbox, url)
        env = live.app_id_env(
            HUAWEI_MEETING_REDIS_URL=redis_server.url,
            HUAWEI_MEETING_STATE_KEY=KEY,
            HUAWEI_MEETING_REDIS_PREFIX=PREFIX,
        )
        runs = [stack.enter_context(http_server(env)) for _ in range(3)]
        results: list[CallToolResult] = []

        async def one(mcp_url: str) -> None:
            async with Client(mcp_url) as client:
                results.append(await client.call_tool(TOOL, {"confUUID": LARGE_UUID}))

        async with anyio.create_task_group() as group:
            for run in runs:
                for _ in range(4):
                    group.start_soon(one, run.url)
    assert succeeded(results)
    assert len(results) == 12
    assert sandbox.auth.app_sign_ins == {"": 1}
    assert dict(sandbox.hits) == one_call
    assert sum("Signed in with the App ID" in run.stderr() for run in runs) == 1, "one replica signed in"


async def test_an_evicted_token_costs_exactly_one_sign_in_for_the_fleet(redis_server: RedisServer) -> None:
    sandbox = Sandbox(tokens=(), auth=AuthApi())
    async with replicas(sandbox, 3, **fleet_settings(redis_server, cache_ttl=0)) as clients:
        assert succeeded(await call_all(clients, 2, {"confUUID": DOCS_EXAMPLE_UUID}))
        assert sandbox.auth.sign_ins == 1
        sandbox.auth.revoke_all()  # as Huawei's 65th sign-in for the user would evict it
        refused = sandbox.auth.refused_tokens
        assert succeeded(await call_all(clients, 3, {"confUUID": DOCS_EXAMPLE_UUID}))
        assert sandbox.auth.refused_tokens > refused
        assert sandbox.auth.sign_ins == 2, "every replica that saw the 401 took the one new token"
        assert succeeded(await call_all(clients, 1, {"confUUID": LARGE_UUID}))
        assert sandbox.auth.sign_ins == 2


async def test_redis_killed_and_restarted_fails_no_call_and_loses_no_token(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_state, "RETRY_AFTER", 0.0)  # try Redis again at once, so its return is seen
    sandbox = Sandbox(tokens=(), auth=AuthApi())
    async with replicas(sandbox, 3, **fleet_settings(redis_server, cache_ttl=0)) as clients:
        assert succeeded(await call_all(clients, 2, {"confUUID": DOCS_EXAMPLE_UUID}))
        assert sandbox.auth.sign_ins == 1

        redis_server.kill()
        assert succeeded(await call_all(clients, 2, {"confUUID": DOCS_EXAMPLE_UUID}))
        assert sandbox.auth.sign_ins == 1, "each replica kept the token it held"
        sandbox.auth.revoke_all()
        assert succeeded(await call_all(clients, 2, {"confUUID": LARGE_UUID}))
        assert sandbox.auth.sign_ins == 4, "with Redis down each replica signs in alone, once"

        redis_server.start()  # empty: nothing was saved
        assert succeeded(await call_all(clients, 2, {"confUUID": DOCS_EXAMPLE_UUID}))
        assert sandbox.auth.sign_ins == 4
        ledgers = {k: v for k, (_, v) in redis_server.everything().items() if b":ledger:" in k}
        assert [len(members) for members in ledgers.values()] == [3], "the tokens signed in alone are counted"


async def test_two_identities_never_see_each_others_entries(redis_server: RedisServer) -> None:
    async with sealed_store(redis_server.url, base64.b64decode(KEY), PREFIX) as store:
        alice = SharedReadCache("alice", store, ttl=60)
        bob = SharedReadCache("bob", store, ttl=60)
        key = ("detail", "meeting-1")

        async def alices() -> dict[str, str]:
            return {"subject": "Alice's board meeting"}

        async def bobs() -> dict[str, str]:
            return {"subject": "Bob's own view"}

        assert await alice.get(key, alices) == {"subject": "Alice's board meeting"}
        assert await bob.get(key, bobs) == {"subject": "Bob's own view"}
        assert (alice.reads, bob.reads) == (1, 1)

        # Another replica, its own process tier empty: each reads their own entry from Redis.
        assert await SharedReadCache("alice", store, ttl=60).get(key, bobs) == {"subject": "Alice's board meeting"}
        # Alice's sealed value copied under Bob's key does not open for Bob: he reads for himself.
        alice_name = store.name("cache", "alice", repr(key))
        bob_name = store.name("cache", "bob", repr(key))
        raw = await store.redis.get(alice_name)
        assert raw is not None
        await store.redis.set(bob_name, raw, px=60_000)
        bob_again = SharedReadCache("bob", store, ttl=60)
        assert await bob_again.get(key, bobs) == {"subject": "Bob's own view"}
        assert bob_again.reads == 1


async def test_the_ledger_refuses_a_sign_in_past_the_cap_and_forgets_a_refused_token(
    redis_server: RedisServer,
) -> None:
    async with sealed_store(redis_server.url, base64.b64decode(KEY), PREFIX) as store:
        ledger = TokenLedger(store, cap=2)
        far = 4_000_000_000.0
        await ledger.admit("user")
        await ledger.record("user", "token-one-0123456789", far)
        await ledger.record("user", "token-two-0123456789", far)
        with pytest.raises(TokenCapError, match="already holds 2 live tokens, the cap of 2 for the fleet"):
            await ledger.admit("user")
        await ledger.admit("someone else")
        await ledger.forget("user", "token-one-0123456789")
        await ledger.admit("user")
        members = await store.redis.zrange(ledger.key("user"), 0, -1)
        assert len(members) == 1
        assert b"token-two" not in members[0]


def test_with_redis_down_a_replica_signs_in_within_its_local_share() -> None:
    store = SealedStore(shared_state.redis_client("redis://127.0.0.1:1/0"), b"k" * 32, PREFIX)
    ledger = TokenLedger(store, cap=8)
    assert ledger.local_cap == 2
    ledger.admit_alone("user")


async def test_a_429_on_one_replica_pauses_the_others_and_the_budget_is_one_for_the_fleet(
    redis_server: RedisServer,
) -> None:
    key = base64.b64decode(KEY)
    async with sealed_store(redis_server.url, key, PREFIX) as one, sealed_store(redis_server.url, key, PREFIX) as two:
        mid_minute = 1_800_000_030.0
        first = SharedPacer(one, per_minute=None, clock=lambda: mid_minute)
        second = SharedPacer(two, per_minute=None, clock=lambda: mid_minute)
        await second.wait("/v1/a", anyio.current_time() + 5)
        await first.pause("/v1/a", 20)
        with pytest.raises(RateLimitError, match="another replica was told to pause"):
            await second.wait("/v1/a", anyio.current_time() + 5)
        await second.wait("/v1/other", anyio.current_time() + 5)

        budget_one = SharedPacer(one, per_minute=3, clock=lambda: mid_minute)
        budget_two = SharedPacer(two, per_minute=3, clock=lambda: mid_minute)
        for pacer in (budget_one, budget_two, budget_one):
            await pacer.wait("/v1/b", anyio.current_time() + 5)
        with pytest.raises(RateLimitError, match="budget of 3 requests a minute is spent"):
            await budget_two.wait("/v1/b", anyio.current_time() + 5)


def test_a_redis_url_needs_a_state_key_of_32_bytes() -> None:
    with pytest.raises(ValueError, match="HUAWEI_MEETING_STATE_KEY is not"):
        Settings(redis_url="redis://127.0.0.1:6379/0")
    with pytest.raises(ValueError, match="base64 of exactly 32 bytes"):
        Settings(redis_url="redis://127.0.0.1:6379/0", state_key=base64.b64encode(b"short").decode())
    with pytest.raises(ValueError, match="redis:// or rediss://"):
        Settings(redis_url="http://127.0.0.1:6379", state_key=KEY)
    settings = Settings(redis_url="rediss://user:pw@redis:6380/1", state_key=KEY)
    assert settings.redis_prefix == "hwmcp:"
    assert settings.tokens_per_user == 8
    assert settings.rate_limit is None


def test_a_redis_url_without_a_state_key_exits_2_naming_it() -> None:
    env = base_env()
    done = subprocess.run(  # noqa: S603 - our own console script
        [console_script(), "serve"],
        env={**env, "HUAWEI_MEETING_REDIS_URL": "redis://:hunter2secret@127.0.0.1:6379/0"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "HUAWEI_MEETING_STATE_KEY" in done.stderr
    assert "hunter2secret" not in done.stderr + done.stdout
    assert ConfigError.__name__ not in done.stderr


def test_a_shared_cache_seen_as_another_reader_is_still_shared() -> None:
    assert type(ReadCache("x", ttl=10).for_identity("y")) is ReadCache
    shared = SharedReadCache("x", SealedStore(shared_state.redis_client("redis://127.0.0.1:1/0"), b"k" * 32, "p:"))
    assert type(shared.for_identity("y")) is SharedReadCache


@pytest.mark.e2e
async def test_in_oauth_mode_each_person_signs_in_once_for_the_fleet_and_sees_only_their_entries(
    live_sandbox: LiveSandbox, redis_server: RedisServer
) -> None:
    from tests.test_e2e_oauth import IVAN, ZOE, call, free_port, local_issuer, token_for

    ports = [free_port(), free_port()]
    resource = f"http://127.0.0.1:{ports[0]}/mcp"  # behind one load balancer: one public URL
    with local_issuer() as issuer, ExitStack() as stack:
        env = live_sandbox.app_id_env(
            HUAWEI_MEETING_HTTP_AUTH="oauth",
            HUAWEI_MEETING_OAUTH_ISSUER=issuer,
            HUAWEI_MEETING_HTTP_PUBLIC_URL=resource,
            HUAWEI_MEETING_REDIS_URL=redis_server.url,
            HUAWEI_MEETING_STATE_KEY=KEY,
        )
        runs = [stack.enter_context(http_server(env, port=port)) for port in ports]
        zoe, ivan = token_for(issuer, resource, ZOE), token_for(issuer, resource, IVAN)
        ivan_reads = [await call(run.url, ivan, TOOL, {"confUUID": RECURRING_UUID}) for run in runs]
        zoe_reads = [await call(run.url, zoe, TOOL, {"confUUID": RECURRING_UUID}) for run in runs]
    assert succeeded(ivan_reads)
    assert all(r.is_error is True for r in zoe_reads), "Ivan's kept answer is never Zoe's"
    assert dict(live_sandbox.sandbox.auth.app_sign_ins) == {IVAN: 1, ZOE: 1}
    detail_reads = live_sandbox.requests_to(CONF_DETAIL_PATH)
    assert sum(r.query["confUUID"] == RECURRING_UUID for r in detail_reads) == 1 + 2, "Ivan once, Zoe per replica"
    stored = redis_server.everything()
    assert sum(b":token:" in key for key in stored) == 2
    assert all(key.startswith(b"hwmcp:") and ttl > 0 for key, (ttl, _) in stored.items())


async def test_readiness_says_degraded_while_redis_is_down_and_ready_once_it_is_back(
    redis_server: RedisServer,
) -> None:
    sandbox = Sandbox(tokens=(), auth=AuthApi())
    with serving(sandbox) as url:
        env = LiveSandbox(sandbox, url).app_id_env(
            HUAWEI_MEETING_REDIS_URL=redis_server.url,
            HUAWEI_MEETING_STATE_KEY=KEY,
            HUAWEI_MEETING_REDIS_PREFIX=PREFIX,
        )
        with http_server(env) as run:
            async with httpx.AsyncClient() as raw:
                ready = await raw.get(run.base + "/ready")
                redis_server.kill()
                degraded = await raw.get(run.base + "/ready")
                async with Client(run.url) as client:  # answers still come, from this process alone
                    served = await client.call_tool(TOOL, {"confUUID": DOCS_EXAMPLE_UUID})
                redis_server.start()
                back: list[str] = []
                while len(back) < 100 and "ready" not in back:  # a bounded wait for Redis's retry pause to end
                    back.append((await raw.get(run.base + "/ready")).json()["status"])
                    await anyio.sleep(0.1)
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert degraded.status_code == 200
    assert degraded.json()["status"] == "degraded"
    assert "Redis" in degraded.json()["reason"]
    assert succeeded([served])
    assert "ready" in back, "once Redis answers again (its retry pause is a second), the replica is ready"
