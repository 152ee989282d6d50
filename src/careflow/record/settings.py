"""Settings of the case-record service, read from the environment only when asked (never at import).

``CAREFLOW_DATABASE_URL`` picks the database (SQLite by default, PostgreSQL in deployment);
``CAREFLOW_DATABASE_SCHEMA`` puts the tables in a PostgreSQL schema of their own;
``CAREFLOW_SECRET_KEY`` keys the pseudonyms analysts see (a random key is made when it is not set, so pseudonyms
then change at each start); ``CAREFLOW_SECURE_COOKIES=true`` marks cookies Secure (behind HTTPS).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_DATABASE_URL", "Settings"]

DEFAULT_DATABASE_URL = "sqlite:///careflow-record.db"


def _today() -> dt.date:
    return dt.date.today()


@dataclass(frozen=True)
class Settings:
    """What the service needs to run. Build one with :meth:`from_env` or directly (tests).

    Attributes:
        database_url: SQLAlchemy URL, e.g. ``sqlite:///careflow.db`` or ``postgresql+psycopg://u@host/db``.
        database_schema: PostgreSQL schema to hold the tables (None: the default ``search_path``).
        secret_key: key of the HMAC that pseudonymises child identifiers for analysts.
        session_hours: how long a login session lasts without use.
        secure_cookies: set the cookie Secure flag (serve behind HTTPS).
        max_body_bytes: larger request bodies are refused with 413.
        due_soon_days: a deadline this many days away or fewer is "due soon" (a local choice, not statute).
        today: the clock, replaceable in tests.
        password_time_cost, password_memory_kib: argon2id cost; tests lower them.
        audit_chains: how many hash chains the audit log is split into (less waiting between writers).
        pool_size: connections kept open to PostgreSQL (twice as many more may be opened under load).
        la_code: the local authority's three-digit DfE number (``CAREFLOW_LA_CODE``), written in the returns.
    """

    database_url: str = DEFAULT_DATABASE_URL
    database_schema: str | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    session_hours: float = 8.0
    secure_cookies: bool = False
    max_body_bytes: int = 64 * 1024
    due_soon_days: int = 10
    today: Callable[[], dt.date] = _today
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    audit_chains: int = 16
    pool_size: int = 10
    la_code: str = "999"

    def __post_init__(self) -> None:
        if not (len(self.la_code) == 3 and self.la_code.isdigit()):
            raise ValueError(f"CAREFLOW_LA_CODE {self.la_code!r} is not a three-digit DfE local authority number "
                             "(e.g. 201)")

    @classmethod
    def from_env(cls, database_url: str | None = None, **overrides: object) -> Settings:
        """Settings from ``CAREFLOW_*`` environment variables; ``database_url`` and keywords win over them."""
        env = os.environ
        url = database_url or env.get("CAREFLOW_DATABASE_URL") or DEFAULT_DATABASE_URL
        values: dict[str, object] = {
            "database_url": url,
            "database_schema": env.get("CAREFLOW_DATABASE_SCHEMA") or None,
            "secure_cookies": env.get("CAREFLOW_SECURE_COOKIES", "").lower() == "true",
        }
        if env.get("CAREFLOW_SECRET_KEY"):
            values["secret_key"] = env["CAREFLOW_SECRET_KEY"]
        if env.get("CAREFLOW_LA_CODE"):
            values["la_code"] = env["CAREFLOW_LA_CODE"]
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite."""
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The SQLite file, if the database is a SQLite file."""
        if not self.is_sqlite or ":memory:" in self.database_url:
            return None
        return Path(self.database_url.split("///", 1)[1])
