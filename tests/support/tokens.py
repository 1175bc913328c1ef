"""The one fake token provider for tests that build a MeetingClient by hand."""

from __future__ import annotations


class FakeTokens:
    """Hands out numbered tokens (token-1, token-2...) and allows `renewals` renewals when one is rejected."""

    def __init__(self, renewals: int = 0) -> None:
        self.issued = ["token-1"]
        self.renewals = renewals

    async def get_token(self) -> str:
        """The latest token issued."""
        return self.issued[-1]

    async def token_rejected(self, token: str) -> bool:
        """Issue the next token while renewals are left; False (no retry) once they are used up."""
        if self.renewals <= 0:
            return False
        self.renewals -= 1
        self.issued.append(f"token-{len(self.issued) + 1}")
        return True
