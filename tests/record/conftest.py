"""Fixtures of the record tests: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is taken from ``CAREFLOW_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/
test``); the tables live in a schema of their own, made for the test session and dropped after it, so other test
runs on the same server are untouched. Where PostgreSQL is unreachable the PostgreSQL tests are skipped with the
reason, except under CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from careflow.record.app import create_app
from careflow.record.db import drop_schema, make_engine
from careflow.record.demo import DemoUser, seed_users
from careflow.record.pathway import Role
from careflow.record.settings import Settings

POSTGRES_URL = os.environ.get("CAREFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TODAY = dt.date(2025, 6, 2)  # a Monday
PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def postgres_reachable() -> str | None:
    """None if PostgreSQL answers; otherwise why not."""
    try:
        import psycopg

        url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("select 1")
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def fast_settings(**overrides: Any) -> Settings:
    """Settings for tests: cheap argon2, a fixed today."""
    values: dict[str, Any] = {"password_time_cost": 1, "password_memory_kib": 64, "today": lambda: TODAY,
                              "secret_key": "test-secret", "audit_chains": 4}
    values.update(overrides)
    return Settings(**values)


def require_postgres() -> None:
    """Skip (or under CI fail) when PostgreSQL is unreachable."""
    why = postgres_reachable()
    if why is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable but CI=true: {why}")
    pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable: {why}")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of a fresh, migrated database of each kind (one per test session)."""
    if request.param == "postgresql":
        require_postgres()
        settings = fast_settings(database_url=POSTGRES_URL, database_schema=f"careflow_test_{os.getpid()}")
        drop_schema(settings)
    else:
        settings = fast_settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('record') / 'record.db'}")
    yield settings
    drop_schema(settings)


@pytest.fixture(scope="session")
def engine(backend: Settings) -> Iterator[Engine]:
    """One engine per backend."""
    eng = make_engine(backend)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def app(backend: Settings, engine: Engine) -> FastAPI:
    """The app on each backend (migrated once)."""
    return create_app(backend, engine=engine)


@dataclass
class World:
    """A team of its own with one user of each role, logged in as API clients."""

    app: FastAPI
    prefix: str
    users: dict[str, Any]
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, name: str) -> TestClient:
        """A logged-in client for user ``name`` (fhw, sw, ecpp, manager, advocate, analyst, admin, other)."""
        if name not in self.clients:
            client = TestClient(self.app)
            response = client.post("/api/session", json={"username": self.users[name].username,
                                                         "password": PASSWORD})
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
            self.clients[name] = client
        return self.clients[name]

    def user_id(self, name: str) -> int:
        """A user's id."""
        return int(self.users[name].id)

    def new_child(self, who: str = "fhw", **fields: Any) -> dict[str, Any]:
        """Record a first conversation; returns the child."""
        body = {"given_name": "Amy", "family_name": f"Test{next(_counter)}", "date_of_birth": "2016-03-04",
                "sex": "F", "referral_source": "2A", "occurred_on": "2025-04-01",
                # the test children share a birth date and names alike: each is confirmed a different child
                "is_not_a_duplicate": True}
        body.update(fields)
        response = self.client(who).post("/api/children", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def event(self, who: str, child: dict[str, Any], kind: str, expect: int = 201, **fields: Any) -> dict[str, Any]:
        """Record an event with the child's current version; updates ``child['version']``."""
        body = {"kind": kind, "version": child["version"], **fields}
        response = self.client(who).post(f"/api/children/{child['id']}/events", json=body)
        assert response.status_code == expect, f"{kind}: {response.status_code} {response.text}"
        if response.status_code == 201:
            child["version"] = response.json()["child_version"]
        return dict(response.json())


def make_world(app: FastAPI) -> World:
    """A new team and users (names made unique) in the app's database."""
    state = app.state.record
    prefix = f"t{os.getpid()}x{next(_counter)}"
    specs = {
        "fhw": Role.FAMILY_HELP_WORKER, "sw": Role.SOCIAL_WORKER, "ecpp": Role.EXPERT_CHILD_PROTECTION_PRACTITIONER,
        "manager": Role.TEAM_MANAGER, "advocate": Role.ADVOCATE, "analyst": Role.ANALYST, "admin": Role.ADMIN,
        "other": Role.FAMILY_HELP_WORKER,
    }
    team, other_team = f"{prefix} Family Help Team", f"{prefix} Other Team"
    demo = tuple(
        DemoUser(f"{prefix}-{name}", f"{name} of {prefix}", role,
                 None if role in (Role.ADVOCATE, Role.ANALYST, Role.ADMIN)
                 else (other_team if name == "other" else team))
        for name, role in specs.items()
    )
    with state.sessions() as session, session.begin():
        teams = ((team, "family_help"), (other_team, "family_help"))
        users = seed_users(session, state.passwords, PASSWORD, demo, teams)
        by_name = {name: users[f"{prefix}-{name}"] for name in specs}
        for user in by_name.values():
            session.expunge(user)
    return World(app, prefix, by_name)


@pytest.fixture
def world(app: FastAPI) -> World:
    """A fresh team and users on each backend."""
    return make_world(app)
