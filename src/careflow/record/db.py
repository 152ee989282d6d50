"""Database engines, sessions and migrations.

Nothing here runs at import: :func:`make_engine` builds an engine from :class:`Settings`, :func:`migrate` brings
its schema to the latest Alembic revision (the migrations ship inside the package), :func:`session_factory`
makes sessions. SQLite is the embedded default: every transaction there begins ``IMMEDIATE`` so that two writers
queue for the lock instead of failing half-way; PostgreSQL runs at READ COMMITTED with row locks where needed.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from careflow.record.settings import Settings

__all__ = ["MIGRATIONS", "drop_schema", "head_revision", "make_engine", "migrate", "migrations_current",
           "session_factory", "transaction"]

MIGRATIONS = Path(__file__).parent / "migrations"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _check_schema(name: str) -> str:
    if not _SCHEMA_NAME.match(name):
        raise ValueError(
            f"CAREFLOW_DATABASE_SCHEMA {name!r} is not a plain schema name "
            "(expected lower-case letters, digits and underscores, e.g. careflow_record)"
        )
    return name


def make_engine(settings: Settings) -> Engine:
    """An engine for the settings' database, with the connection rules careflow relies on.

    SQLite: foreign keys on, WAL journal, a 30 s busy timeout, ``BEGIN IMMEDIATE`` transactions.
    PostgreSQL: the ``search_path`` set to ``database_schema`` when one is given (the schema is created).
    """
    engine = _make_engine(settings)
    from careflow.record import audit

    audit.bind_keys(engine, settings)  # audit entries written through this engine are signed with the settings' key
    return engine


def _make_engine(settings: Settings) -> Engine:
    url = settings.database_url
    if settings.is_sqlite:
        path = settings.sqlite_path()
        if path is not None and path.parent != Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" hook below emit BEGIN
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if path is not None:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    connect_args: dict[str, Any] = {}
    if settings.database_schema:
        schema = _check_schema(settings.database_schema)
        connect_args["options"] = f"-csearch_path={schema}"
        bootstrap = create_engine(url)
        with bootstrap.begin() as conn:
            # Only when missing: a role without CREATE on the database (the service's own, docs/DEPLOY.md) may not
            # even ask for CREATE SCHEMA IF NOT EXISTS. Under the migrations' lock: two workers creating the same
            # schema at once would otherwise collide (IF NOT EXISTS does not make it safe).
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            if conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first() is None:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        bootstrap.dispose()
    # No pre-ping (it costs a round trip per transaction): a connection the server dropped fails its statement,
    # SQLAlchemy discards the whole pool on that disconnect, and the request is retried by the client.
    return create_engine(
        url, connect_args=connect_args, pool_size=settings.pool_size, max_overflow=settings.pool_size * 2,
        pool_recycle=1800,
    )


def drop_schema(settings: Settings) -> None:
    """Drop the PostgreSQL schema of the settings and everything in it (test clean-up)."""
    if settings.is_sqlite or not settings.database_schema:
        return
    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{_check_schema(settings.database_schema)}" CASCADE'))
    engine.dispose()


def alembic_config(engine: Engine | None = None) -> Any:
    """The Alembic configuration of the shipped migrations (for ``alembic`` commands run from Python)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


# Any fixed 64-bit number: the key of the PostgreSQL advisory lock that serialises migrations.
_MIGRATION_LOCK = 0x6361726566_6C6F77


@contextmanager
def _sqlite_migration_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (the latest by default); safe to run at every start, and from several
    processes at once: PostgreSQL migrates under an advisory lock held to the end of the migration's transaction,
    SQLite under an exclusive lock on a file beside the database, so a second worker waits and then finds nothing
    to do."""
    from alembic import command

    config = alembic_config(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        return
    with _sqlite_migration_lock(engine), engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def head_revision() -> str:
    """The latest revision the shipped migrations define."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return str(head)


def migrations_current(engine: Engine) -> bool:
    """Whether the database is at the latest revision."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head_revision()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (pages render after the transaction ends)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit if the block ends normally, roll everything back if it raises."""
    with factory() as session, session.begin():
        yield session
