"""Settings of the case-record service, read from the environment only when asked (never at import).

``CAREFLOW_DATABASE_URL`` picks the database (SQLite by default, PostgreSQL in deployment);
``CAREFLOW_DATABASE_SCHEMA`` puts the tables in a PostgreSQL schema of their own;
``CAREFLOW_SECRET_KEY`` keys the pseudonyms analysts see (a random key is made when it is not set, so pseudonyms
then change at each start; with more than one worker the key is required); ``CAREFLOW_SECURE_COOKIES=true``
marks cookies Secure (behind HTTPS). ``CAREFLOW_AUDIT_KEYS`` (``id:secret,id2:secret2``; the current one is
``CAREFLOW_AUDIT_KEY_ID``, else the last) key the audit log's HMAC chains; without it a SQLite file keeps its keys in
a file beside it (``<database>.audit-keys``, or ``CAREFLOW_AUDIT_KEY_FILE``), and PostgreSQL refuses to start.
``CAREFLOW_AUDIT_CHECKPOINT`` names the append-only file the chains' heads are checkpointed to.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_DATABASE_URL", "Settings"]

DEFAULT_DATABASE_URL = "sqlite:///careflow-record.db"


def _today() -> dt.date:
    return dt.date.today()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ephemeral_keys() -> dict[str, str]:
    return {"ephemeral": secrets.token_hex(32)}


def parse_keys(text: str) -> dict[str, str]:
    """``id:secret,id2:secret2`` as a mapping (the order kept: the last is the newest)."""
    keys: dict[str, str] = {}
    for part in text.split(","):
        key_id, sep, secret = part.strip().partition(":")
        if not sep or not key_id or len(secret) < 16:
            raise ValueError("CAREFLOW_AUDIT_KEYS is 'id:secret,id2:secret2' with secrets of 16 characters or more "
                             "(e.g. 2026a:$(openssl rand -hex 32))")
        keys[key_id] = secret
    return keys


def read_key_file(path: Path, *, create: bool) -> dict[str, str]:
    """The keys in a key file (lines ``id secret``), creating it with one new key (mode 0600) if it is missing."""
    if not path.exists() and create:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(f"{dt.date.today():%Y%m%d} {secrets.token_hex(32)}\n")
    if not path.exists():
        raise ValueError(f"audit key file {path} does not exist")
    keys: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[1]) < 16:
            raise ValueError(f"{path}:{number}: expected 'key-id secret' (a secret of 16 characters or more)")
        keys[parts[0]] = parts[1]
    if not keys:
        raise ValueError(f"audit key file {path} holds no key")
    return keys


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
        now: the wall clock (sign-in throttling, sessions), replaceable in tests.
        audit_keys: key id -> secret of the audit chains' HMAC (None: read ``audit_key_file``).
        audit_key_id: the key new entries are written with (None: the last of ``audit_keys``).
        audit_key_file: where the keys are kept when ``audit_keys`` is None.
        audit_checkpoint: the append-only file chain heads are checkpointed to (None: no checkpoints).
        audit_checkpoint_minutes: how often a running service writes a checkpoint (0: never; the CLI still can).
        session_absolute_hours: a session ends this long after sign-in, however busy.
        throttle_*: sign-in throttling (see :mod:`careflow.record.services.throttle`).
        password_concurrency: argon2 computations at once in a process; more wait up to ``password_wait_seconds``.
        workers: worker processes serving the app (more than one requires ``secret_key`` to be set).
        secret_key_set: whether ``secret_key`` was given (not made at random).
        oidc_*: single sign-on over OpenID Connect (``CAREFLOW_OIDC_ISSUER`` etc.; :mod:`careflow.record.sso`).
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
    # The safeguarding partnership whose sharing agreements the MAST view applies (CAREFLOW_PARTNERSHIP; None: the
    # only one in the sharing rules, careflow.share.rules).
    partnership: str | None = None
    now: Callable[[], dt.datetime] = _now
    audit_keys: Mapping[str, str] | None = field(default_factory=_ephemeral_keys)
    audit_key_id: str | None = None
    audit_key_file: Path | None = None
    audit_checkpoint: Path | None = None
    audit_checkpoint_minutes: float = 0.0
    session_absolute_hours: float = 12.0
    throttle_account_free: int = 5
    throttle_client_free: int = 20
    throttle_max_seconds: float = 900.0
    password_concurrency: int = 2
    password_wait_seconds: float = 10.0
    workers: int = 1
    secret_key_set: bool = True
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_redirect_url: str | None = None
    oidc_username_claim: str = "preferred_username"

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
        else:
            values["secret_key_set"] = False
        if env.get("CAREFLOW_LA_CODE"):
            values["la_code"] = env["CAREFLOW_LA_CODE"]
        if env.get("CAREFLOW_PARTNERSHIP"):
            values["partnership"] = env["CAREFLOW_PARTNERSHIP"]
        if env.get("CAREFLOW_AUDIT_KEYS"):
            values["audit_keys"] = parse_keys(env["CAREFLOW_AUDIT_KEYS"])
            values["audit_key_id"] = env.get("CAREFLOW_AUDIT_KEY_ID") or None
        else:
            values["audit_keys"] = None
            values["audit_key_id"] = env.get("CAREFLOW_AUDIT_KEY_ID") or None
            if env.get("CAREFLOW_AUDIT_KEY_FILE"):
                values["audit_key_file"] = Path(env["CAREFLOW_AUDIT_KEY_FILE"])
        if env.get("CAREFLOW_AUDIT_CHECKPOINT"):
            values["audit_checkpoint"] = Path(env["CAREFLOW_AUDIT_CHECKPOINT"])
        if env.get("CAREFLOW_AUDIT_CHECKPOINT_MINUTES"):
            values["audit_checkpoint_minutes"] = float(env["CAREFLOW_AUDIT_CHECKPOINT_MINUTES"])
        for name in ("issuer", "client_id", "client_secret", "redirect_url", "username_claim"):
            if env.get(f"CAREFLOW_OIDC_{name.upper()}"):
                values[f"oidc_{name}"] = env[f"CAREFLOW_OIDC_{name.upper()}"]
        workers = env.get("CAREFLOW_WORKERS") or env.get("WEB_CONCURRENCY")
        if workers and workers.isdigit():
            values["workers"] = int(workers)
        elif multiprocessing.parent_process() is not None:
            values["workers"] = 2  # a worker process started by a process manager (uvicorn --workers n)
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    def check_can_serve(self) -> None:
        """Refuse to start what would give one child two pseudonyms: several workers each making its own key."""
        if self.workers > 1 and not self.secret_key_set:
            raise ValueError("CAREFLOW_SECRET_KEY must be set when more than one worker serves the record (each "
                             "worker would otherwise make its own key and give each child several pseudonyms); "
                             "e.g. CAREFLOW_SECRET_KEY=$(openssl rand -hex 32)")

    def keyring(self) -> tuple[str, dict[str, str]]:
        """The audit chains' current key id and every key (id -> secret); raises ValueError when none is set."""
        keys: dict[str, str]
        if self.audit_keys is not None:
            keys = dict(self.audit_keys)
        else:
            path = self.audit_key_file
            if path is None and self.sqlite_path() is not None:
                path = Path(f"{self.sqlite_path()}.audit-keys")
            if path is None:
                raise ValueError("set CAREFLOW_AUDIT_KEYS (id:secret) or CAREFLOW_AUDIT_KEY_FILE: the audit log's "
                                 "key must be kept outside the database (see docs/DEPLOY.md)")
            keys = read_key_file(path, create=self.audit_key_file is None)
        if not keys:
            raise ValueError("no audit key is set")
        current = self.audit_key_id or list(keys)[-1]
        if current not in keys:
            raise ValueError(f"CAREFLOW_AUDIT_KEY_ID {current!r} is not one of the audit keys ({', '.join(keys)})")
        return current, keys

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite."""
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The SQLite file, if the database is a SQLite file."""
        if not self.is_sqlite or ":memory:" in self.database_url:
            return None
        return Path(self.database_url.split("///", 1)[1])
