"""Migrations: the shipped Alembic revisions build exactly the models, and the audit log is append-only."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from careflow.record.db import make_engine, migrate
from careflow.record.models import Base

from .conftest import World, fast_settings


def test_models_match_migrations(engine: Engine, world: World) -> None:
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_audit_log_refuses_update_and_delete(engine: Engine, world: World) -> None:
    world.new_child()
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_downgrade_and_upgrade_again(tmp_path: object) -> None:
    settings = fast_settings(database_url=f"sqlite:///{tmp_path}/m.db")  # type: ignore[str-bytes-safe]
    eng = make_engine(settings)
    migrate(eng)
    from alembic import command

    from careflow.record.db import alembic_config

    config = alembic_config(eng)
    with eng.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    with eng.connect() as conn:
        assert set(create_engine(eng.url).dialect.get_table_names(conn)) <= {"alembic_version"}
    migrate(eng)
    eng.dispose()
