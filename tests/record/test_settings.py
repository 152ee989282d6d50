"""Start-up: no engine at import, SQLite with no set-up, settings from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from careflow.record.settings import DEFAULT_DATABASE_URL, Settings


def test_importing_builds_nothing() -> None:
    code = ("import careflow.record.app as m, careflow.record.api, careflow.record.pages, sqlalchemy.pool as p; "
            "assert not any(hasattr(m, n) for n in ('engine', 'app', 'settings')); print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "CAREFLOW_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"})
    assert done.stdout.strip() == "ok", done.stderr


def test_serve_works_with_no_set_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from careflow.record import create_app

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAREFLOW_DATABASE_URL", raising=False)
    settings = Settings.from_env(password_time_cost=1, password_memory_kib=64)
    assert settings.database_url == DEFAULT_DATABASE_URL
    client = TestClient(create_app(settings))
    assert client.get("/healthz").text == "ok"
    assert (tmp_path / "careflow-record.db").is_file()


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREFLOW_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("CAREFLOW_DATABASE_SCHEMA", "careflow_x")
    monkeypatch.setenv("CAREFLOW_SECRET_KEY", "k")
    monkeypatch.setenv("CAREFLOW_SECURE_COOKIES", "true")
    settings = Settings.from_env()
    assert (settings.database_url, settings.database_schema, settings.secret_key, settings.secure_cookies) == (
        "postgresql+psycopg://u@h/db", "careflow_x", "k", True)
    assert Settings.from_env("sqlite:///x.db").database_url == "sqlite:///x.db"


def test_schema_names_are_checked() -> None:
    from careflow.record.db import make_engine

    with pytest.raises(ValueError, match="plain schema name"):
        make_engine(Settings(database_url="postgresql+psycopg://u@127.0.0.1:1/db", database_schema="x; drop"))


def test_local_authority_code_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from careflow.record.settings import Settings

    monkeypatch.setenv("CAREFLOW_LA_CODE", "201")
    assert Settings.from_env().la_code == "201"
    monkeypatch.setenv("CAREFLOW_LA_CODE", "20A")
    with pytest.raises(ValueError, match="three-digit DfE local authority number"):
        Settings.from_env()


def test_several_workers_need_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAREFLOW_SECRET_KEY", raising=False)
    monkeypatch.setenv("CAREFLOW_WORKERS", "2")
    with pytest.raises(ValueError, match="CAREFLOW_SECRET_KEY must be set"):
        Settings.from_env().check_can_serve()
    monkeypatch.setenv("CAREFLOW_SECRET_KEY", "k" * 32)
    Settings.from_env().check_can_serve()
    monkeypatch.setenv("CAREFLOW_WORKERS", "1")
    monkeypatch.delenv("CAREFLOW_SECRET_KEY")
    Settings.from_env().check_can_serve()  # one worker: a key made at start is the same for every request


def test_uvicorn_workers_without_a_secret_key_refuse_to_start(tmp_path: Path) -> None:
    """``uvicorn --workers 2`` starts workers as child processes: each must refuse without the key."""
    code = ("import multiprocessing as mp\n"
            "def child(q):\n"
            "    from careflow.record.settings import Settings\n"
            "    try:\n"
            "        Settings.from_env().check_can_serve(); q.put('started')\n"
            "    except ValueError as exc:\n"
            "        q.put(str(exc))\n"
            "if __name__ == '__main__':\n"
            "    q = mp.get_context('spawn').Queue(); p = mp.get_context('spawn').Process(target=child, args=(q,))\n"
            "    p.start(); print(q.get(timeout=60)); p.join()\n")
    env = {k: v for k, v in os.environ.items() if k not in ("CAREFLOW_SECRET_KEY", "CAREFLOW_WORKERS",
                                                            "WEB_CONCURRENCY")}
    (tmp_path / "workers.py").write_text(code)
    done = subprocess.run([sys.executable, "workers.py"], capture_output=True, text=True, timeout=120, env=env,
                          cwd=tmp_path)
    assert "CAREFLOW_SECRET_KEY must be set" in done.stdout, done.stdout + done.stderr


def test_a_sqlite_file_keeps_its_audit_key_beside_it(tmp_path: Path) -> None:
    """Without CAREFLOW_AUDIT_KEYS a SQLite file's key is made once, kept beside it (not in it), and used again."""
    from careflow.record import audit
    from careflow.record.db import make_engine
    from careflow.record.settings import read_key_file

    url = f"sqlite:///{tmp_path / 'record.db'}"
    first = Settings(database_url=url, audit_keys=None, password_time_cost=1, password_memory_kib=64)
    key_file = tmp_path / "record.db.audit-keys"
    current, keys = first.keyring()
    assert key_file.stat().st_mode & 0o777 == 0o600 and read_key_file(key_file, create=False) == keys
    assert first.keyring() == (current, keys)  # the same key at the next start
    engine = make_engine(first)
    from careflow.record.app import create_app

    create_app(first, engine=engine)
    with engine.connect() as conn:
        assert keys[current] not in str(conn.exec_driver_sql("SELECT * FROM audit_chains").all())
    assert audit.Keyring.of(first).current == current
    engine.dispose()


def test_postgresql_without_an_audit_key_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAREFLOW_AUDIT_KEYS", raising=False)
    monkeypatch.delenv("CAREFLOW_AUDIT_KEY_FILE", raising=False)
    settings = Settings.from_env("postgresql+psycopg://u@127.0.0.1:1/db")
    with pytest.raises(ValueError, match="CAREFLOW_AUDIT_KEYS"):
        settings.keyring()
