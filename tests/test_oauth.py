"""Oauth mode's checks, with keys minted here: every token defect, the issuer's keys, the gate's answers, the people."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from mcp.server.auth.middleware.auth_context import get_access_token
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from huawei_meeting_mcp.auth import NoCredentials, TokenProvider
from huawei_meeting_mcp.callers import People
from huawei_meeting_mcp.oauth import (
    IssuerKeys,
    JwtVerifier,
    KeysUnavailable,
    NotAPerson,
    OAuthConfig,
    OAuthGate,
    Person,
    TokenRefused,
    oauth_config,
    person_of,
)
from huawei_meeting_mcp.service import MeetingService
from huawei_meeting_mcp.settings import ConfigError, Settings

pytestmark = pytest.mark.anyio

ISSUER = "https://login.example.com"
RESOURCE = "https://mcp.example.com/mcp"
CONFIG = OAuthConfig(ISSUER, RESOURCE, "huawei_user_id", "meetings:read", "meetings:admin")
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def public_jwk(key: Any, kid: str, **extra: str) -> dict[str, Any]:
    """The public half of `key` as a JWK."""
    algorithm = jwt.algorithms.RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else jwt.algorithms.ECAlgorithm
    jwk: dict[str, Any] = algorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", **extra}


class Issuer:
    """An authorization server's metadata and key set, answered by an httpx MockTransport that counts requests."""

    def __init__(self, keys: list[dict[str, Any]], *, metadata_issuer: str = ISSUER, oidc_only: bool = False) -> None:
        self.keys = keys
        self.metadata_issuer = metadata_issuer
        self.oidc_only = oidc_only
        self.requests: list[str] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        metadata = {"issuer": self.metadata_issuer, "jwks_uri": f"{ISSUER}/jwks"}
        if request.url.path == "/.well-known/oauth-authorization-server" and not self.oidc_only:
            return httpx.Response(200, json=metadata)
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(200, json=metadata)
        if request.url.path == "/jwks":
            return httpx.Response(200, json={"keys": self.keys})
        return httpx.Response(404)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def mint(
    claims: dict[str, Any] | None = None,
    *,
    key: Any = RSA_KEY,
    algorithm: str = "RS256",
    kid: str | None = "k1",
    typ: str | None = "at+jwt",
    drop: tuple[str, ...] = (),
) -> str:
    """A token signed with `key`: valid for RESOURCE unless `claims`/`drop`/the header say otherwise."""
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": ISSUER,
        "aud": RESOURCE,
        "sub": "subject-1",
        "exp": now + 600,
        "iat": now,
        "scope": "openid meetings:read",
        "client_id": "cli",
        "huawei_user_id": "alice@examplecorp",
        **(claims or {}),
    }
    for name in drop:
        body.pop(name)
    headers: dict[str, Any] = {}
    if kid is not None:
        headers["kid"] = kid
    if typ is not None:
        headers["typ"] = typ
    return jwt.encode(body, key, algorithm=algorithm, headers=headers)


def unsigned(claims: dict[str, Any], header: dict[str, Any]) -> str:
    """A token with `alg: none` (or any header) and no signature."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def verifier(issuer: Issuer, clock: Callable[[], float] = time.monotonic) -> tuple[JwtVerifier, IssuerKeys]:
    keys = IssuerKeys(ISSUER, transport=issuer.transport, clock=clock)
    return JwtVerifier(CONFIG, keys), keys


def default_issuer() -> Issuer:
    return Issuer([public_jwk(RSA_KEY, "k1"), public_jwk(EC_KEY, "e1")])


async def test_a_valid_token_gives_its_scopes_subject_and_claims() -> None:
    checker, _ = verifier(default_issuer())
    token = await checker.check(mint({"scope": "meetings:read meetings:admin"}))
    assert token.scopes == ["meetings:read", "meetings:admin"]
    assert (token.subject, token.client_id, token.resource) == ("subject-1", "cli", RESOURCE)
    assert (token.claims or {}).get("huawei_user_id") == "alice@examplecorp"
    ec_token = await checker.check(mint(key=EC_KEY, algorithm="ES256", kid="e1", typ="application/at+jwt"))
    assert ec_token.subject == "subject-1"


def _public_pem() -> bytes:
    return RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _hs256_with_public_key() -> str:
    """The key-confusion attack: an HMAC token whose secret is the issuer's public key."""
    claims = {"iss": ISSUER, "aud": RESOURCE, "sub": "x", "exp": int(time.time()) + 600, "scope": "meetings:read"}
    header = {"alg": "HS256", "typ": "at+jwt", "kid": "k1"}
    signing = unsigned(claims, header)[:-1].encode()
    signature = hmac.new(_public_pem(), signing, hashlib.sha256).digest()
    return signing.decode() + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def now() -> int:
    """The clock now (read when a token is minted, not at import: the suite runs for minutes)."""
    return int(time.time())


DEFECTS: dict[str, tuple[Callable[[], str], str]] = {
    "expired": (lambda: mint({"exp": now() - 3600}), "expired"),
    "not yet valid": (lambda: mint({"nbf": now() + 3600}), "not valid yet"),
    "issued in the future": (lambda: mint({"iat": now() + 3600}), "not valid yet"),
    "another issuer": (lambda: mint({"iss": "https://evil.example.com"}), "another issuer"),
    "issuer with a trailing slash": (lambda: mint({"iss": ISSUER + "/"}), "another issuer"),
    "another audience": (lambda: mint({"aud": "https://other.example.com/mcp"}), "another resource"),
    "audience list without us": (lambda: mint({"aud": ["https://a.example.com", "cli"]}), "another resource"),
    "no exp": (lambda: mint(drop=("exp",)), "no exp claim"),
    "no aud": (lambda: mint(drop=("aud",)), "no aud claim"),
    "no sub": (lambda: mint(drop=("sub",)), "no sub claim"),
    "no iss": (lambda: mint(drop=("iss",)), "no iss claim"),
    "alg none": (
        lambda: unsigned({"iss": ISSUER, "aud": RESOURCE, "sub": "x", "exp": now() + 600}, {"alg": "none"}),
        "accepted asymmetric algorithm",
    ),
    "HS256 with the public key as secret": (_hs256_with_public_key, "accepted asymmetric algorithm"),
    "an ID token's typ": (lambda: mint(typ="id_token+jwt"), "typ"),
    "a DPoP proof's typ": (lambda: mint(typ="dpop+jwt"), "typ"),
    "unknown key ID": (lambda: mint(kid="nobody"), "key the issuer does not publish"),
    "signed by another key under a known key ID": (lambda: mint(key=OTHER_RSA_KEY), "signature does not verify"),
    "EC algorithm on the RSA key": (lambda: mint(key=EC_KEY, algorithm="ES256", kid="k1"), "does not fit"),
    "RSA algorithm on the EC key": (lambda: mint(kid="e1"), "does not fit"),
    "PS256 on a key declared RS256": (lambda: mint(algorithm="PS256", kid="r256"), "not the key's"),
    "not a JWT": (lambda: "opaque-token-abc", "not a JWT"),
    "far too long": (lambda: "a" * 20_000, "longer than"),
    "tampered payload": (lambda: _tampered(), "signature does not verify"),
}


def _tampered() -> str:
    header, _payload, signature = mint().split(".")
    forged = {"iss": ISSUER, "aud": RESOURCE, "sub": "x", "exp": now() + 600, "huawei_user_id": "ceo"}
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


@pytest.mark.parametrize("defect", list(DEFECTS))
async def test_every_token_defect_is_refused_with_its_reason(defect: str) -> None:
    make, reason = DEFECTS[defect]
    issuer = Issuer([public_jwk(RSA_KEY, "k1"), public_jwk(EC_KEY, "e1"), public_jwk(RSA_KEY, "r256", alg="RS256")])
    checker, _ = verifier(issuer)
    with pytest.raises(TokenRefused) as refused:
        await checker.check(make())
    assert reason in str(refused.value)
    assert await checker.verify_token(make()) is None


async def test_accepted_variants_of_typ_audience_and_clock() -> None:
    checker, _ = verifier(default_issuer())
    for token in (
        mint(typ="JWT"),  # Entra ID, Keycloak
        mint(typ=None),  # Okta
        mint({"aud": ["cli", RESOURCE]}),
        mint({"exp": now() - 30}),  # within the leeway
        mint({"scope": None, "scp": ["meetings:read"]}),
    ):
        assert (await checker.check(token)).subject == "subject-1"
    assert (await checker.check(mint({"scope": None, "scp": "meetings:read"}))).scopes == ["meetings:read"]


async def test_a_new_key_is_fetched_once_and_forged_key_ids_wait_for_the_cooldown() -> None:
    clock = Clock()
    issuer = Issuer([public_jwk(RSA_KEY, "k1")])
    checker, keys = verifier(issuer, clock)
    await checker.check(mint())
    await checker.check(mint())
    assert keys.fetches == 1, "the key set is cached"
    issuer.keys = [public_jwk(RSA_KEY, "k1"), public_jwk(EC_KEY, "k2")]
    clock.now += 31
    assert (await checker.check(mint(key=EC_KEY, algorithm="ES256", kid="k2"))).subject == "subject-1"
    assert keys.fetches == 2, "an unknown key ID fetched the set again"
    for _ in range(5):
        with pytest.raises(TokenRefused):
            await checker.check(mint(kid="forged"))
    assert keys.fetches == 2, "within the cooldown, unknown key IDs fetch nothing"
    clock.now += 31
    with pytest.raises(TokenRefused):
        await checker.check(mint(kid="forged"))
    assert keys.fetches == 3
    clock.now += 301
    await checker.check(mint())
    assert keys.fetches == 4, "the set is fetched again after its time to live"
    assert issuer.requests.count("/.well-known/oauth-authorization-server") == 1, "metadata is read once"


async def test_keys_come_from_openid_configuration_when_rfc8414_metadata_is_missing() -> None:
    issuer = Issuer([public_jwk(RSA_KEY, "k1")], oidc_only=True)
    checker, _ = verifier(issuer)
    assert (await checker.check(mint())).subject == "subject-1"
    assert issuer.requests == ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration", "/jwks"]


async def test_metadata_naming_another_issuer_is_not_trusted() -> None:
    checker, _ = verifier(Issuer([public_jwk(RSA_KEY, "k1")], metadata_issuer="https://evil.example.com"))
    with pytest.raises(KeysUnavailable):
        await checker.check(mint())


async def test_private_symmetric_and_encryption_keys_are_never_used() -> None:
    private = {**public_jwk(RSA_KEY, "k1"), "d": "AAAA"}
    oct_key = {"kty": "oct", "kid": "h1", "k": base64.urlsafe_b64encode(b"secret").decode()}
    encryption = public_jwk(EC_KEY, "e1", use="enc")
    checker, _ = verifier(Issuer([private, oct_key, encryption]))
    for token in (mint(), mint(key=EC_KEY, algorithm="ES256", kid="e1")):
        with pytest.raises(TokenRefused):
            await checker.check(token)


def _claims(**claims: Any) -> Any:
    from mcp.server.auth.provider import AccessToken

    scopes = claims.pop("scopes", ["meetings:read"])
    return AccessToken(token="t", client_id="c", scopes=scopes, claims=claims)


@pytest.mark.parametrize(
    ("claims", "problem"),
    [
        ({}, "is missing"),
        ({"huawei_user_id": ""}, "is empty"),
        ({"huawei_user_id": "   "}, "is empty"),
        ({"huawei_user_id": None}, "is missing"),
        ({"huawei_user_id": 42}, "not a string"),
        ({"huawei_user_id": ["alice"]}, "not a string"),
        ({"huawei_user_id": "a" * 65}, "longer than 64"),
        ({"huawei_user_id": "alice bob"}, "spaces"),
        ({"huawei_user_id": "alice\u202e"}, "unprintable"),
    ],
)
def test_a_token_without_a_usable_user_id_names_no_person(claims: dict[str, Any], problem: str) -> None:
    with pytest.raises(NotAPerson) as refused:
        person_of(_claims(**claims), CONFIG)
    assert problem in str(refused.value)


def test_the_allow_list_and_the_admin_scope_decide_who_is_served_and_what_they_may_ask() -> None:
    config = OAuthConfig(ISSUER, RESOURCE, "emp", "meetings:read", "meetings:admin", frozenset({"alice"}))
    assert person_of(_claims(emp="alice"), config) == Person("alice", admin=False)
    assert person_of(_claims(emp="alice", scopes=["meetings:read", "meetings:admin"]), config).admin is True
    with pytest.raises(NotAPerson, match="allow-list"):
        person_of(_claims(emp="bob"), config)
    assert "alice" not in repr(Person("alice", admin=False)), "the user ID stays out of reprs; logs use the tag"
    assert len(Person("alice", admin=False).tag) == 12


OAUTH = {
    "http_auth": "oauth",
    "oauth_issuer": ISSUER,
    "http_public_url": RESOURCE,
    "app_id": "app",
    "app_key": SecretStr("key"),
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"oauth_issuer": None}, "needs HUAWEI_MEETING_OAUTH_ISSUER"),
        ({"http_public_url": None}, "needs HUAWEI_MEETING_HTTP_PUBLIC_URL"),
        ({"app_id": None, "app_key": None}, "only App ID sign-in can do"),
        ({"app_id": None, "app_key": None, "account": "a", "password": SecretStr("p")}, "now: account credentials"),
        ({"app_id": None, "app_key": None, "access_token": SecretStr("t")}, "now: access_token credentials"),
        ({"user_id": "boss"}, "unset HUAWEI_MEETING_USER_ID"),
        ({"http_token": SecretStr("x" * 20)}, "unset one"),
        ({"oauth_allowed_users": " , "}, "lists nobody"),
        ({"oauth_allowed_users": "alice,has space"}, "1 entries are not user IDs"),
        ({"oauth_allowed_users": "@/nonexistent/users.txt"}, "cannot be read"),
    ],
)
def test_oauth_settings_that_do_not_add_up_are_refused_at_start_up(change: dict[str, Any], message: str) -> None:
    settings = Settings.model_construct(**{**Settings().model_dump(), **OAUTH, **change})
    with pytest.raises(ConfigError) as refused:
        oauth_config(settings)
    assert message in str(refused.value)


def test_the_allow_list_reads_a_file_of_one_user_per_line(tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    users.write_text("alice@examplecorp\n# the auditors\nbob@examplecorp  # on leave\n\n", encoding="utf-8")
    settings = Settings.model_construct(**{**Settings().model_dump(), **OAUTH, "oauth_allowed_users": f"@{users}"})
    assert oauth_config(settings).allowed_users == frozenset({"alice@examplecorp", "bob@examplecorp"})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HUAWEI_MEETING_OAUTH_ISSUER", "http://login.example.com"),
        ("HUAWEI_MEETING_HTTP_PUBLIC_URL", "ftp://mcp.example.com/mcp"),
        ("HUAWEI_MEETING_OAUTH_ISSUER", "https://user:pw@login.example.com"),
        ("HUAWEI_MEETING_HTTP_AUTH", "cookies"),
        ("HUAWEI_MEETING_OAUTH_SCOPE", "two scopes"),
    ],
)
def test_malformed_oauth_settings_name_the_variable(clean_env: pytest.MonkeyPatch, variable: str, value: str) -> None:
    from huawei_meeting_mcp.settings import load_settings

    clean_env.setenv(variable, value)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert variable in str(refused.value)
    assert "pw" not in str(refused.value).replace("password", "")


async def _inner(scope: Scope, receive: Receive, send: Send) -> None:
    token = get_access_token()
    request = Request(scope, receive)
    body = {"path": request.url.path, "claim": (token.claims or {}).get("huawei_user_id") if token else None}
    await JSONResponse(body)(scope, receive, send)


async def _gate_call(path: str, token: str | None = None, method: str = "POST") -> httpx.Response:
    checker, _ = verifier(default_issuer())
    gate = OAuthGate(_inner, CONFIG, checker, open_paths=frozenset({"/health"}))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate), base_url="http://test") as client:
        return await client.request(method, path, headers=headers)


async def test_the_gate_challenges_refuses_and_passes_the_caller_on() -> None:
    missing = await _gate_call("/mcp")
    invalid = await _gate_call("/mcp", mint({"exp": now() - 3600}))
    no_scope = await _gate_call("/mcp", mint({"scope": "openid"}))
    no_user = await _gate_call("/mcp", mint({"huawei_user_id": ""}))
    good = await _gate_call("/mcp", mint())
    health = await _gate_call("/health", method="GET")
    metadata_url = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == (f'Bearer resource_metadata="{metadata_url}", scope="meetings:read"')
    assert invalid.status_code == 401
    assert invalid.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token", error_description="')
    assert f'resource_metadata="{metadata_url}"' in invalid.headers["WWW-Authenticate"]
    assert "expired" in invalid.json()["error_description"]
    assert no_scope.status_code == 403
    assert 'error="insufficient_scope"' in no_scope.headers["WWW-Authenticate"]
    assert 'scope="meetings:read"' in no_scope.headers["WWW-Authenticate"]
    assert (no_user.status_code, no_user.json()["error"]) == (403, "access_denied")
    assert "WWW-Authenticate" not in no_user.headers, "not a scope problem: clients must not step up and retry"
    assert (good.status_code, good.json()) == (200, {"path": "/mcp", "claim": "alice@examplecorp"})
    assert (health.status_code, health.json()["claim"]) == (200, None)


async def test_protected_resource_metadata_is_served_at_both_well_known_urls() -> None:
    root = await _gate_call("/.well-known/oauth-protected-resource", method="GET")
    inserted = await _gate_call("/.well-known/oauth-protected-resource/mcp", method="GET")
    post = await _gate_call("/.well-known/oauth-protected-resource", method="POST")
    assert root.status_code == inserted.status_code == 200
    assert root.json() == inserted.json()
    assert root.json() == {
        "resource": RESOURCE,
        "authorization_servers": [ISSUER],
        "scopes_supported": ["meetings:read", "meetings:admin"],
        "bearer_methods_supported": ["header"],
        "resource_name": "huawei-meeting-mcp",
    }
    assert post.status_code == 405


def test_each_person_gets_one_sign_in_bounded_and_shared_by_both_scopes() -> None:
    sign_ins: list[str] = []
    made: list[tuple[str, bool]] = []

    def sign_in(user_id: str) -> TokenProvider:
        sign_ins.append(user_id)
        return NoCredentials()

    def serve(user_id: str, tokens: TokenProvider, admin: bool) -> MeetingService:
        made.append((user_id, admin))
        return MeetingService.__new__(MeetingService)

    people = People(CONFIG, sign_in, serve, max_people=2)
    alice = people.service(Person("alice", admin=False))
    assert people.service(Person("alice", admin=False)) is alice
    assert people.service(Person("alice", admin=True)) is not alice
    people.service(Person("bob", admin=False))
    people.service(Person("carol", admin=False))  # alice was least recently seen: she leaves
    assert len(people) == 2
    people.service(Person("alice", admin=False))
    assert sign_ins == ["alice", "bob", "carol", "alice"]
    assert made == [("alice", False), ("alice", True), ("bob", False), ("carol", False), ("alice", False)]


def test_an_unverified_call_in_oauth_mode_is_never_answered_as_anyone() -> None:
    from huawei_meeting_mcp.oauth import NoCaller, current_person

    with pytest.raises(NoCaller):
        current_person(CONFIG)
