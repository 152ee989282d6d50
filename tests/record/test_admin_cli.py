"""``careflow admin``, ``careflow export returns``, ``careflow backup`` and ``restore`` through the real CLI, and the
PostgreSQL owner/application role split that keeps the audit triggers out of the service's reach.

Before: no first administrator without ``--demo``, no deactivation, role change or password reset, no backup, the
returns only from Python, and the service's role owned ``audit_log`` (it could disable the triggers).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from careflow.cli import app as cli
from careflow.record.app import create_app
from careflow.record.db import drop_schema, make_engine
from careflow.record.models import Child
from careflow.record.settings import Settings

from .conftest import POSTGRES_URL, fast_settings, make_world, require_postgres

KEYS = {"k1": "ab" * 32}
GOOD = "lantern orchard pebble"


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin)
    return result.exit_code, result.output


@pytest.fixture
def sqlite_db(tmp_path: Path) -> tuple[Settings, dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'record.db'}"
    return (fast_settings(database_url=url, audit_keys=KEYS),
            {"CAREFLOW_DATABASE_URL": url, "CAREFLOW_DATABASE_SCHEMA": "", "CAREFLOW_AUDIT_KEYS": "k1:" + "ab" * 32})


def _sign_in(settings: Settings, username: str, password: str) -> TestClient:
    client = TestClient(create_app(settings))
    answer = client.post("/api/session", json={"username": username, "password": password})
    client.headers["x-status"] = str(answer.status_code)
    if answer.status_code == 200:
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def test_first_administrator_and_user_lifecycle(sqlite_db: tuple[Settings, dict[str, str]]) -> None:
    settings, env = sqlite_db
    code, out = run(env, "admin", "create-user", "boss", "--role", "admin", "--name", "The Boss", "--password-stdin",
                    stdin="password123456\n")
    assert code == 2 and "common or breached" in out and "password123456" not in out
    code, out = run(env, "admin", "create-user", "boss", "--role", "admin", "--name", "The Boss", "--password-stdin",
                    stdin=GOOD + "\n")
    assert code == 0, out
    assert _sign_in(settings, "boss", GOOD).headers["x-status"] == "200"
    assert run(env, "admin", "create-team", "North Family Help")[0] == 0
    code, out = run(env, "admin", "create-user", "sam", "--role", "family_help_worker", "--name", "Sam Jones",
                    "--team", "North Family Help")
    assert code == 0, out
    password = out.split("shown once; give it to them privately): ")[1].strip()
    sam = _sign_in(settings, "sam", password)
    assert sam.get("/api/me").json()["role"] == "family_help_worker"
    code, out = run(env, "admin", "set-role", "sam", "social_worker")
    assert code == 0 and "family_help_worker -> social_worker" in out
    assert sam.get("/api/me").status_code == 401  # the old session ended with the old role
    assert _sign_in(settings, "sam", password).get("/api/me").json()["role"] == "social_worker"
    code, out = run(env, "admin", "reset-password", "sam")
    new_password = out.split("privately): ")[1].strip()
    assert code == 0 and new_password != password
    assert _sign_in(settings, "sam", password).headers["x-status"] == "401"
    assert _sign_in(settings, "sam", new_password).headers["x-status"] == "200"
    assert run(env, "admin", "deactivate", "sam")[0] == 0
    assert _sign_in(settings, "sam", new_password).headers["x-status"] == "401"
    assert run(env, "admin", "activate", "sam")[0] == 0
    assert run(env, "admin", "unlock", "sam")[0] == 0
    assert run(env, "admin", "set-role", "nobody", "analyst")[0] == 2
    code, out = run(env, "audit", "verify")
    assert code == 0, out  # every change above was audited on intact chains


def test_export_returns_from_the_command_line(sqlite_db: tuple[Settings, dict[str, str]], tmp_path: Path) -> None:
    settings, env = sqlite_db
    world = make_world(create_app(settings))
    child = world.new_child()
    world.event("fhw", child, "note_added", note="spoke to school")
    code, out = run(env, "export", "returns", "--year", "2025", "--out", str(tmp_path / "returns"))
    assert code == 0, out
    written = sorted(p.name for p in (tmp_path / "returns").rglob("*") if p.is_file())
    assert "cin_census_2025.xml" in written and any(name.endswith(".csv") for name in written)


@pytest.fixture
def pg_db() -> Iterator[tuple[Settings, dict[str, str]]]:
    require_postgres()
    schema = f"i12_cli_{os.getpid()}"
    settings = fast_settings(database_url=POSTGRES_URL, database_schema=schema, audit_keys=KEYS)
    drop_schema(settings)
    yield settings, {"CAREFLOW_DATABASE_URL": POSTGRES_URL, "CAREFLOW_DATABASE_SCHEMA": schema,
                     "CAREFLOW_AUDIT_KEYS": "k1:" + "ab" * 32}
    drop_schema(settings)


def _children(settings: Settings) -> int:
    engine = make_engine(settings)
    with engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(Child)).scalar_one())
    engine.dispose()
    return count


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_backup_and_restore(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if kind == "postgresql" and (shutil.which("pg_dump") is None or shutil.which("pg_restore") is None):
        pytest.skip("pg_dump and pg_restore are not installed (apt-get install postgresql-client)")
    settings, env = request.getfixturevalue("sqlite_db" if kind == "sqlite" else "pg_db")
    world = make_world(create_app(settings))
    for _ in range(3):
        world.event("fhw", world.new_child(), "note_added", note="seen at home")
    before = _children(settings)
    code, out = run(env, "backup", "--out", str(tmp_path / "backup.dump"))
    assert code == 0, out
    if kind == "sqlite":  # the restore goes to a new file
        restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
        env = {**env, "CAREFLOW_DATABASE_URL": restored_url}
        restored = dataclasses.replace(settings, database_url=restored_url)
    else:  # the schema is lost, then restored from the dump
        drop_schema(settings)
        restored = settings
    code, out = run(env, "restore", str(tmp_path / "backup.dump"))
    assert code == 0, out
    assert _children(restored) == before > 0
    code, out = run(env, "audit", "verify")
    assert code == 0 and "audit log intact" in out, out


def test_the_service_role_cannot_touch_the_audit_triggers(pg_db: tuple[Settings, dict[str, str]]) -> None:
    settings, env = pg_db
    suffix = os.getpid()
    owner, service = f"i12_owner_{suffix}", f"i12_app_{suffix}"
    admin = create_engine(POSTGRES_URL)
    schema = settings.database_schema
    with admin.begin() as conn:
        for role in (owner, service):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{owner}"'))
    try:
        owner_url = POSTGRES_URL.replace("postgres@", f"{owner}@")
        service_url = POSTGRES_URL.replace("postgres@", f"{service}@")
        code, out = run(env, "admin", "grant-app-role", service, "--database-url", owner_url)
        assert code == 0, out
        as_service = dataclasses.replace(settings, database_url=service_url)
        world = make_world(create_app(as_service))  # the service runs as its role: migrations current, writes work
        world.event("fhw", world.new_child(), "note_added", note="seen")
        engine = make_engine(as_service)
        for statement in ("ALTER TABLE audit_log DISABLE TRIGGER USER",
                          "DROP TRIGGER audit_log_append_only ON audit_log", "UPDATE audit_log SET username = 'x'",
                          "DELETE FROM audit_log", "TRUNCATE audit_log", "ALTER TABLE audit_log OWNER TO CURRENT_USER"):
            with pytest.raises((ProgrammingError, DBAPIError), match=r"must be owner|permission denied"), \
                    engine.begin() as conn:
                conn.execute(text(statement))
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            for role in (owner, service):
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
