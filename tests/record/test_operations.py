"""Operations: liveness and readiness, JSON access logs without personal data, migrations from several workers.

Before: ``/healthz`` said ok with the database gone and there was no readiness probe; nothing was logged but
uvicorn's warnings (and a PostgreSQL error's traceback, data included); two workers starting on a new database
raced to migrate it.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from careflow.record.app import create_app
from careflow.record.db import drop_schema, make_engine
from careflow.record.services import records

from .conftest import POSTGRES_URL, World, fast_settings, require_postgres


def test_ready_only_with_the_database_and_current_migrations(tmp_path: Path) -> None:
    path = tmp_path / "record.db"
    settings = fast_settings(database_url=f"sqlite:///{path}")
    engine = make_engine(settings)
    client = TestClient(create_app(settings, engine=engine))
    assert client.get("/healthz").text == "ok"
    assert client.get("/readyz").json()["ready"] is True
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    behind = client.get("/readyz")
    assert behind.status_code == 503 and "expected" in behind.json()["migrations"]
    engine.dispose()
    path.unlink()  # the database is gone
    gone = client.get("/readyz")
    assert gone.status_code == 503 and gone.json()["ready"] is False
    assert client.get("/healthz").text == "ok"  # the process itself still answers


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [r.fields for r in caplog.records if r.name == "careflow.record" and hasattr(r, "fields")]


def test_json_access_log_names_request_user_and_route_never_data(world: World,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    from careflow.record.observability import JsonFormatter

    client = world.client("fhw")
    with caplog.at_level(logging.INFO, logger="careflow.record"):
        child = world.new_child(family_name="Secretname")
        answer = client.get(f"/api/children/{child['id']}", headers={"x-request-id": "req-123"},
                            params={"q": "Secretname"})
    assert answer.headers["x-request-id"] == "req-123"
    lines = _lines(caplog)
    read = next(line for line in lines if line["request_id"] == "req-123")
    assert read["route"] == "/api/children/{child_id}" and read["status"] == 200
    assert read["user_id"] == world.user_id("fhw") and read["method"] == "GET"
    formatted = [JsonFormatter().format(r) for r in caplog.records]
    assert all(json.loads(line)["logger"].startswith("careflow") for line in formatted)
    assert "Secretname" not in caplog.text and "Secretname" not in "".join(formatted)


def test_an_unexpected_error_is_logged_by_type_only(world: World, caplog: pytest.LogCaptureFixture,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    child = world.new_child()

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("duplicate key (family_name)=(Secretname)")  # as a database error quotes the data

    monkeypatch.setattr(records, "read_child", broken)
    with caplog.at_level(logging.INFO, logger="careflow.record"):
        answer = TestClient(world.app, raise_server_exceptions=False, cookies=world.client("fhw").cookies).get(
            f"/api/children/{child['id']}")
    assert answer.status_code == 500 and "Secretname" not in answer.text
    failed = [line for line in _lines(caplog) if line.get("error")]
    assert failed and failed[-1]["error"] == "RuntimeError" and failed[-1]["route"] == "/api/children/{child_id}"
    assert "Secretname" not in caplog.text


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_workers_starting_together_migrate_once(kind: str, tmp_path: Path) -> None:
    env = {**os.environ}
    if kind == "postgresql":
        require_postgres()
        schema = f"i12_migrate_{os.getpid()}"
        settings = fast_settings(database_url=POSTGRES_URL, database_schema=schema)
        drop_schema(settings)
        env |= {"CAREFLOW_DATABASE_URL": POSTGRES_URL, "CAREFLOW_DATABASE_SCHEMA": schema}
    else:
        settings = fast_settings(database_url=f"sqlite:///{tmp_path / 'record.db'}")
        env |= {"CAREFLOW_DATABASE_URL": settings.database_url, "CAREFLOW_DATABASE_SCHEMA": ""}
    code = ("from careflow.record.settings import Settings; from careflow.record.db import make_engine, migrate; "
            "migrate(make_engine(Settings.from_env())); print('migrated')")
    try:
        workers = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(3)]
        results = [w.communicate(timeout=180) for w in workers]
        assert [w.returncode for w in workers] == [0, 0, 0], [r[1][-2000:] for r in results]
        engine = make_engine(settings)
        from careflow.record.db import migrations_current

        assert migrations_current(engine)
        engine.dispose()
    finally:
        drop_schema(settings)
