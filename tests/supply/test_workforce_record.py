"""``careflow workforce --record-year``: the s47 and conference workload counted in the case record (audited),
through the real CLI, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from careflow.cli import app as cli
from careflow.record.app import create_app
from careflow.record.db import drop_schema, make_engine
from careflow.record.models import AuditEntry
from careflow.record.settings import Settings
from tests.record.conftest import POSTGRES_URL, fast_settings, make_world, require_postgres

KEYS = {"k1": "ab" * 32}
ENV_KEYS = "k1:" + "ab" * 32


@pytest.fixture
def sqlite_db(tmp_path: Path) -> tuple[Settings, dict[str, str]]:
    url = f"sqlite:///{tmp_path / 'record.db'}"
    return (fast_settings(database_url=url, audit_keys=KEYS),
            {"CAREFLOW_DATABASE_URL": url, "CAREFLOW_DATABASE_SCHEMA": "", "CAREFLOW_AUDIT_KEYS": ENV_KEYS})


@pytest.fixture
def pg_db() -> Iterator[tuple[Settings, dict[str, str]]]:
    require_postgres()
    schema = f"i14_workforce_{os.getpid()}"
    settings = fast_settings(database_url=POSTGRES_URL, database_schema=schema, audit_keys=KEYS)
    drop_schema(settings)
    yield settings, {"CAREFLOW_DATABASE_URL": POSTGRES_URL, "CAREFLOW_DATABASE_SCHEMA": schema,
                     "CAREFLOW_AUDIT_KEYS": ENV_KEYS}
    drop_schema(settings)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_workload_from_the_record_is_counted_and_audited(kind: str, request: pytest.FixtureRequest,
                                                         tmp_path: Path) -> None:
    settings, env = request.getfixturevalue("sqlite_db" if kind == "sqlite" else "pg_db")
    world = make_world(create_app(settings))
    planned = world.new_child(occurred_on="2024-06-03")
    world.event("fhw", planned, "family_help_started", primary_need="N1", occurred_on="2024-06-04")
    world.event("ecpp", planned, "section_47_started", occurred_on="2024-07-08")
    world.event("ecpp", planned, "initial_conference_held", outcome="plan", category_of_abuse="NEG",
                occurred_on="2024-07-26")
    late = world.new_child(occurred_on="2025-03-20")
    world.event("fhw", late, "family_help_started", primary_need="N1", occurred_on="2025-03-21")
    world.event("ecpp", late, "section_47_started", occurred_on="2025-03-25")

    result = CliRunner().invoke(cli, ["workforce", "--area", "Leeds", "--record-year", "2025", "--out",
                                      str(tmp_path / "out")], env=env)
    assert result.exit_code == 0, result.output
    ecpp = json.loads((tmp_path / "out" / "workforce.json").read_text())["summary"]["ecpp"]
    assert ecpp["section_47_enquiries"] == 2  # both enquiries started in 2024-25
    assert ecpp["initial_conferences"] == 1
    assert ecpp["child_protection_plans"] == 1  # the plan is open at 31 March 2025
    assert ecpp["source"].startswith("the case record")
    engine = make_engine(settings)
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(AuditEntry.action))]
    engine.dispose()
    assert "workload_counted" in actions
    code = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    assert code.exit_code == 0, code.output  # the read was audited on intact chains

    both = CliRunner().invoke(cli, ["workforce", "--area", "Leeds", "--record-year", "2025", "--cin", "x.xml"],
                              env=env)
    assert both.exit_code == 2 and "not both" in both.output
