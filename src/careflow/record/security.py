"""Passwords (argon2id), session tokens, CSRF tokens and the pseudonyms analysts see."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from careflow.record.errors import ServiceBusy
from careflow.record.settings import Settings

__all__ = ["Passwords", "new_token", "password_problem", "pseudonym", "same_token", "token_hash"]

_MIN_PASSWORD = 12
_COMMON = Path(__file__).parent / "common_passwords.txt"


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(line.strip() for line in _COMMON.read_text().splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, username: str = "", display_name: str = "") -> str | None:
    """None if ``password`` may be used; otherwise why not (never repeating the password).

    At least 12 characters; not a common or breached password (``common_passwords.txt``), nor one with digits and
    symbols added round one (``Welcome2025!``), nor a word repeated; not the username or name; more than four
    different characters.
    """
    if len(password) < _MIN_PASSWORD:
        return f"a password needs at least {_MIN_PASSWORD} characters"
    lowered = password.lower()
    common = _common_passwords()
    stem = re.sub(r"^[^a-z]+|[^a-z]+$", "", lowered)
    half = len(lowered) // 2
    if lowered in common or stem in common or (lowered[:half] == lowered[half:] and lowered[:half] in common):
        return "this password is on the list of common or breached passwords: choose another (a few unrelated words)"
    if len(set(lowered)) <= 4:
        return "this password repeats too few characters: choose another (a few unrelated words)"
    names = [n for n in (username.lower(), *display_name.lower().split()) if len(n) >= 3]
    if any(name in lowered for name in names):
        return "a password must not contain your username or name"
    return None


class Passwords:
    """Hash and check passwords with argon2id at the settings' cost."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(time_cost=settings.password_time_cost, memory_cost=settings.password_memory_kib)
        self._dummy = self._hasher.hash(secrets.token_hex(16))
        # At most ``password_concurrency`` argon2 computations at once, and a short queue: a flood of sign-ins
        # gets 503s instead of taking every core (and every worker thread) from the people already signed in.
        self._slots = threading.BoundedSemaphore(settings.password_concurrency)
        self._queue = threading.BoundedSemaphore(settings.password_concurrency * 4)
        self._wait = settings.password_wait_seconds

    def _bounded(self) -> threading.BoundedSemaphore:
        if not self._queue.acquire(blocking=False):
            raise ServiceBusy("too many sign-ins at once: try again in a few seconds", retry_after=5)
        try:
            if not self._slots.acquire(timeout=self._wait):
                raise ServiceBusy("too many sign-ins at once: try again in a few seconds", retry_after=5)
        finally:
            self._queue.release()
        return self._slots

    def hash(self, password: str) -> str:
        """The argon2id hash of ``password`` (which must be at least 12 characters)."""
        if len(password) < _MIN_PASSWORD:
            raise ValueError(f"a password needs at least {_MIN_PASSWORD} characters")
        slots = self._bounded()
        try:
            return self._hasher.hash(password)
        finally:
            slots.release()

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; takes as long for an unknown user as for a wrong password.

        Raises:
            ServiceBusy: more password checks are running and waiting than the settings allow.
        """
        slots = self._bounded()
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False
        finally:
            slots.release()


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
