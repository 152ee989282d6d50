"""Tamper evidence against the database's own administrator, checked through ``careflow audit verify``.

Each test writes a child's record through the service, runs ``careflow audit verify`` (intact; it appends a signed
checkpoint of the chains' heads to a file outside the database), then tampers with the database as its
administrator would (triggers dropped or disabled first), and runs the command again: exit 1, naming the entry.
Before keyed chains, event hashes and checkpoints, all three rewrites verified as intact.
"""

from __future__ import annotations

import dataclasses
import os
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from careflow.cli import app as cli
from careflow.record import audit
from careflow.record.app import create_app
from careflow.record.db import drop_schema, make_engine
from careflow.record.models import AuditEntry
from careflow.record.settings import Settings

from .conftest import POSTGRES_URL, fast_settings, make_world, require_postgres

KEY = "k2026a:" + "5f" * 32
_runs = iter(range(1, 10_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Settings, dict[str, str]]]:
    """A database of its own (SQLite file, or a PostgreSQL schema) and the environment the CLI reads it with."""
    if request.param == "postgresql":
        require_postgres()
        schema = f"i12_tamper_{os.getpid()}_{next(_runs)}"
        settings = fast_settings(database_url=POSTGRES_URL, database_schema=schema, audit_keys={"k2026a": "5f" * 32})
        drop_schema(settings)
        env = {"CAREFLOW_DATABASE_URL": POSTGRES_URL, "CAREFLOW_DATABASE_SCHEMA": schema}
    else:
        url = f"sqlite:///{tmp_path / 'record.db'}"
        settings = fast_settings(database_url=url, audit_keys={"k2026a": "5f" * 32})
        env = {"CAREFLOW_DATABASE_URL": url, "CAREFLOW_DATABASE_SCHEMA": ""}
    env |= {"CAREFLOW_AUDIT_KEYS": KEY, "CAREFLOW_AUDIT_CHECKPOINT": str(tmp_path / "checkpoints.jsonl")}
    yield settings, env
    drop_schema(settings)


def verify_cli(env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    return result.exit_code, result.output


def _written(settings: Settings) -> tuple[Engine, dict[str, Any]]:
    engine = make_engine(settings)
    world = make_world(create_app(settings, engine=engine))
    child = world.new_child()
    for n in range(3):
        world.event("fhw", child, "note_added", note=f"note {n}: seen at school")
    return engine, child


def _as_administrator(engine: Engine, statements: list[str], params: list[dict[str, Any]] | None = None) -> None:
    """Run statements as the database's administrator: the append-only triggers off first."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            for name in ("audit_log_no_update", "audit_log_no_delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        for index, statement in enumerate(statements):
            conn.execute(text(statement), (params or [{}] * len(statements))[index])
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


def _chain_of_child(engine: Engine, child_id: int) -> list[Any]:
    with Session(engine) as session:
        chain = session.scalar(select(AuditEntry.chain_id).where(AuditEntry.child_id == child_id).limit(1))
        columns = [getattr(AuditEntry, c.name) for c in AuditEntry.__table__.columns]
        return list(session.execute(select(*columns).where(AuditEntry.chain_id == chain)
                                    .order_by(AuditEntry.chain_seq)))


def test_rewriting_a_chain_is_detected(fresh: tuple[Settings, dict[str, str]]) -> None:
    settings, env = fresh
    engine, child = _written(settings)
    assert verify_cli(env)[0] == 0
    rows = _chain_of_child(engine, child["id"])
    # The administrator changes who read the record and recomputes the whole chain from its start, as the service
    # once did (plain SHA-256: without the key, an HMAC cannot be made), and moves the head: every link holds.
    prev = audit.genesis_hash(rows[0].chain_id)
    statements, params = [], []
    for row in rows:
        fields = row._asdict()
        if row.child_id == child["id"] and row.action == "read":
            fields["username"] = "someone-else"
        entry = types.SimpleNamespace(**{**fields, "key_id": None, "prev_hash": prev})
        digest = audit._digest(audit._content(entry))
        statements.append("UPDATE audit_log SET username = :u, key_id = NULL, prev_hash = :p, hash = :h WHERE id = :i")
        params.append({"u": fields["username"], "p": prev, "h": digest, "i": row.id})
        prev = digest
    statements.append("UPDATE audit_chains SET last_hash = :h WHERE id = :c")
    params.append({"h": prev, "c": rows[0].chain_id})
    _as_administrator(engine, statements, params)
    code, output = verify_cli(env)
    assert code == 1, output
    assert f"audit entry {rows[-1].id} (chain {rows[-1].chain_id}, #{rows[-1].chain_seq}): differs from the " \
           "checkpoint" in output
    engine.dispose()


def test_truncating_a_chain_is_detected(fresh: tuple[Settings, dict[str, str]]) -> None:
    settings, env = fresh
    engine, child = _written(settings)
    assert verify_cli(env)[0] == 0
    rows = _chain_of_child(engine, child["id"])
    newest, before = rows[-1], rows[-2]
    # Delete the chain's newest entry and move its head back: the chain is whole again, one entry shorter.
    _as_administrator(engine, ["DELETE FROM audit_log WHERE id = :i",
                               "UPDATE audit_chains SET length = :n, last_hash = :h WHERE id = :c"],
                      [{"i": newest.id}, {"n": before.chain_seq, "h": before.hash, "c": newest.chain_id}])
    code, output = verify_cli(env)
    assert code == 1, output
    assert f"audit chain {newest.chain_id}: the checkpoint of" in output
    assert f"recorded {newest.chain_seq} entries; the log now ends at #{before.chain_seq}" in output
    engine.dispose()


def test_editing_an_event_is_detected(fresh: tuple[Settings, dict[str, str]]) -> None:
    settings, env = fresh
    engine, child = _written(settings)
    assert verify_cli(env)[0] == 0
    with engine.begin() as conn:
        event_id = conn.execute(text("SELECT max(id) FROM events WHERE child_id = :c"), {"c": child["id"]}).scalar()
        conn.execute(text("UPDATE events SET note = 'nothing to worry about' WHERE id = :i"), {"i": event_id})
    code, output = verify_cli(env)
    assert code == 1, output
    assert f"BROKEN: event {event_id} (child {child['id']}): its content differs from what audit entry" in output
    engine.dispose()


def test_an_inserted_event_and_a_wrong_key_are_detected(fresh: tuple[Settings, dict[str, str]]) -> None:
    settings, env = fresh
    engine, child = _written(settings)
    assert verify_cli({**env, "CAREFLOW_AUDIT_KEYS": "other:" + "11" * 32})[0] == 1  # not the key it was signed with
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO events (child_id, kind, occurred_on, recorded_at, payload, note) "
                          "SELECT child_id, kind, occurred_on, recorded_at, payload, 'added later' FROM events "
                          "WHERE child_id = :c LIMIT 1"), {"c": child["id"]})
    code, output = verify_cli(env)
    assert code == 1 and "no audit entry records its writing" in output, output
    engine.dispose()


def test_rotated_keys_verify(fresh: tuple[Settings, dict[str, str]]) -> None:
    settings, env = fresh
    engine, _ = _written(settings)
    rotated = {"k2026a": "5f" * 32, "k2026b": "6a" * 32}

    world = make_world(create_app(dataclasses.replace(settings, audit_keys=rotated), engine=engine))
    world.new_child()
    with engine.connect() as conn:
        assert set(conn.execute(text("SELECT DISTINCT key_id FROM audit_log")).scalars()) == {"k2026a", "k2026b"}
    both = {**env, "CAREFLOW_AUDIT_KEYS": f"{KEY},k2026b:{'6a' * 32}"}
    code, output = verify_cli(both)
    assert code == 0, output
    assert verify_cli(env)[0] == 1  # the new key's entries cannot be checked without it
    engine.dispose()


def test_the_scheduled_check_checkpoints_and_reports(fresh: tuple[Settings, dict[str, str]]) -> None:
    settings, env = fresh
    engine, child = _written(settings)
    result = CliRunner().invoke(cli, ["audit", "watch", "--times", "1"], env=env)
    assert result.exit_code == 0 and '{"event": "audit_verify", "intact": true, "exit": 0}' in result.output
    lines = Path(env["CAREFLOW_AUDIT_CHECKPOINT"]).read_text().splitlines()
    assert len(lines) == 1 and '"mac"' in lines[0]
    with engine.begin() as conn:
        conn.execute(text("UPDATE events SET payload = '{}' WHERE child_id = :c"), {"c": child["id"]})
    result = CliRunner().invoke(cli, ["audit", "watch", "--times", "1"], env=env)
    assert result.exit_code == 1 and '"intact": false' in result.output
    assert len(Path(env["CAREFLOW_AUDIT_CHECKPOINT"]).read_text().splitlines()) == 1  # none appended on a break
    engine.dispose()


def test_a_running_service_checkpoints_periodically(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    path = tmp_path / "checkpoints.jsonl"
    settings = fast_settings(database_url=f"sqlite:///{tmp_path / 'record.db'}", audit_keys={"k2026a": "5f" * 32},
                             audit_checkpoint=path, audit_checkpoint_minutes=0.002)
    import time

    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        for _ in range(100):
            if path.exists() and len(path.read_text().splitlines()) >= 2:
                break
            time.sleep(0.05)
    assert len(path.read_text().splitlines()) >= 2
    env = {"CAREFLOW_DATABASE_URL": settings.database_url, "CAREFLOW_DATABASE_SCHEMA": "", "CAREFLOW_AUDIT_KEYS": KEY,
           "CAREFLOW_AUDIT_CHECKPOINT": str(path)}
    code, output = verify_cli(env)
    assert code == 0 and "checkpoints checked" in output, output
