"""Where the `X-Access-Token` for business calls comes from.

`TokenProvider` is the one interface the HTTP client knows. This module picks the provider
that matches the configured credentials.
"""

from __future__ import annotations

from typing import Protocol

from .errors import CredentialsMissingError
from .settings import Settings


class TokenProvider(Protocol):
    """Supplies the `X-Access-Token` for business calls."""

    async def get_token(self) -> str:
        """Return a token that is valid now, signing in first if needed."""
        ...

    async def token_rejected(self, token: str) -> bool:
        """Note that the API rejected `token`; return True if a fresh token is worth one retry."""
        ...


class StaticToken:
    """A token configured by hand: nothing to renew when it expires."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def get_token(self) -> str:
        """Return the configured token."""
        return self._token

    async def token_rejected(self, token: str) -> bool:
        """A static token cannot be renewed, so a retry would fail the same way."""
        return False


class NoCredentials:
    """Stands in when nothing is configured: every call explains what to set."""

    async def get_token(self) -> str:
        """Raise the error that names the variables to set."""
        raise CredentialsMissingError

    async def token_rejected(self, token: str) -> bool:
        """Never reached: no token is ever handed out."""
        return False


def token_provider(settings: Settings) -> TokenProvider:
    """The provider for the configured credentials."""
    if settings.access_token is not None:
        return StaticToken(settings.access_token.get_secret_value())
    return NoCredentials()
