"""Sign-in throttling: failed sign-ins are counted by account and client together, by client and by account, and
past a few free failures each one doubles the wait before the next attempt (1 s, 2 s, 4 s ... up to 15 minutes).

Nobody is locked out for good: ten wrong passwords typed by a stranger for a worker's account make the stranger
(and anyone else trying that account from that address) wait 32 s, and the worker can sign in a minute later; the
counts are forgotten a day after the last failure, on a successful sign-in (for that account), or when an
administrator unlocks the account. While an attempt must wait it is refused before any password is checked (no
argon2 work), with the seconds to wait (``Retry-After``). The counts live in the database, so every worker
process shares them. Behind a reverse proxy the client is the address the proxy forwards (uvicorn's
``--forwarded-allow-ips``, docs/DEPLOY.md).
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from careflow.record.errors import Throttled
from careflow.record.models import LoginThrottle
from careflow.record.settings import Settings

__all__ = ["check", "clear_account", "failed", "succeeded"]

FORGET_AFTER = dt.timedelta(days=1)
ACCOUNT_ANY_CLIENT_FREE = 50  # failures on one account from all clients together before it waits


def _keys(settings: Settings, username: str, client: str) -> list[tuple[str, int]]:
    return [(f"pair:{client}|{username}", settings.throttle_account_free),
            (f"client:{client}", settings.throttle_client_free),
            (f"account:{username}", ACCOUNT_ANY_CLIENT_FREE)]


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    if at is None:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def delay_seconds(failures: int, free: int, cap: float) -> float:
    """The wait after ``failures`` failures when ``free`` are allowed: 0, then 1 s doubling to ``cap``."""
    if failures < free:
        return 0.0
    return float(min(cap, 2.0 ** min(failures - free, 30)))


def check(session: Session, settings: Settings, username: str, client: str) -> None:
    """Raise :class:`Throttled` if this sign-in must wait (before any password is checked)."""
    now = settings.now()
    keys = [key for key, _ in _keys(settings, username, client)]
    waits = [(_aware(row.blocked_until) or now) - now
             for row in session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))]
    longest = max(waits, default=dt.timedelta(0))
    if longest > dt.timedelta(0):
        seconds = math.ceil(longest.total_seconds())
        raise Throttled(f"too many failed sign-ins for this account from here: try again in {seconds} seconds, or "
                        "ask an administrator to unlock your account now", retry_after=seconds)


def failed(session: Session, settings: Settings, username: str, client: str) -> None:
    """Count a failed sign-in (in the caller's transaction)."""
    now = settings.now()
    dialect = session.get_bind().dialect.name
    for key, free in _keys(settings, username, client):
        values = {"key": key, "failures": 0, "last_failure_at": now, "blocked_until": None}
        statement = (postgresql.insert(LoginThrottle) if dialect == "postgresql" else sqlite.insert(LoginThrottle))
        session.execute(statement.values(**values).on_conflict_do_nothing(index_elements=["key"]))
        row = session.scalars(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()).one()
        last = _aware(row.last_failure_at) or now
        failures = 1 if now - last > FORGET_AFTER else row.failures + 1
        wait = delay_seconds(failures, free, settings.throttle_max_seconds)
        row.failures, row.last_failure_at = failures, now
        row.blocked_until = now + dt.timedelta(seconds=wait) if wait else None
    session.flush()


def succeeded(session: Session, settings: Settings, username: str, client: str) -> None:
    """Forget the account's failures (not the client's: one known password must not clear a guesser's count)."""
    keys = [key for key, _ in _keys(settings, username, client) if not key.startswith("client:")]
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))


def clear_account(session: Session, username: str) -> None:
    """An administrator's unlock: forget every failure counted against the account."""
    session.execute(delete(LoginThrottle).where(or_(LoginThrottle.key == f"account:{username}",
                                                    LoginThrottle.key.like(f"pair:%|{username}"))))
