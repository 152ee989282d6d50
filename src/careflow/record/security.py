"""Passwords (argon2id), session tokens, CSRF tokens and the pseudonyms analysts see."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from careflow.record.settings import Settings

__all__ = ["Passwords", "new_token", "pseudonym", "same_token", "token_hash"]

_MIN_PASSWORD = 12


class Passwords:
    """Hash and check passwords with argon2id at the settings' cost."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib)
        self._dummy = self._hasher.hash(secrets.token_hex(16))

    def hash(self, password: str) -> str:
        """The argon2id hash of ``password`` (which must be at least 12 characters)."""
        if len(password) < _MIN_PASSWORD:
            raise ValueError(f"a password needs at least {_MIN_PASSWORD} characters")
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; takes as long for an unknown user as for a wrong password."""
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def new_token() -> str:
    """A random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a session token: its SHA-256, so a leaked table gives no sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens (False if either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def pseudonym(secret_key: str, child_id: int) -> str:
    """A stable pseudonym of a child for analysts: an HMAC of the record id, never reversible without the key."""
    digest = hmac.new(secret_key.encode(), f"child:{child_id}".encode(), hashlib.sha256).hexdigest()
    return "P" + digest[:12].upper()
