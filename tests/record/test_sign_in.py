"""Sign-in that a stranger cannot use to lock workers out, a flood cannot use to starve the service, and weak
passwords and everlasting sessions refused.

Before: ten wrong passwords locked an account until an administrator unlocked it (a stranger locked out both
administrators this way), the message was the one for a wrong password, argon2 ran without limit (on the event
loop, for the login page), any 12 characters were a password, and a session slid for ever.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from careflow.record.app import create_app
from careflow.record.security import password_problem
from careflow.record.settings import Settings

from .conftest import PASSWORD, World, make_world


class Clock:
    """A wall clock the test moves."""

    def __init__(self) -> None:
        self.at = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


def _app(backend: Settings, engine: Engine, **overrides: Any) -> FastAPI:
    return create_app(dataclasses.replace(backend, **overrides), engine=engine)


def _sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/api/session", json={"username": username, "password": password})


def test_ten_wrong_passwords_from_a_stranger_do_not_stop_the_worker(backend: Settings, engine: Engine) -> None:
    clock = Clock()
    world = make_world(_app(backend, engine, now=clock))
    username = world.users["sw"].username
    stranger = TestClient(world.app, client=("203.0.113.9", 40000))
    failures = 0
    while failures < 10:  # the stranger waits out each delay, so every one of the ten is a real failure
        response = _sign_in(stranger, username, "not the password at all")
        if response.status_code == 429:
            clock.advance(int(response.headers["retry-after"]))
            continue
        assert response.status_code == 401 and response.json()["detail"] == "wrong username or password"
        failures += 1
    worker = TestClient(world.app, client=("198.51.100.7", 40000))
    refused = _sign_in(stranger, username)
    assert refused.status_code == 429  # even with the right password: the stranger's address must wait
    assert "too many failed sign-ins for this account" in refused.json()["detail"]
    assert "ask an administrator to unlock" in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert _sign_in(worker, username).status_code == 200  # from the worker's own address: at once
    clock.advance(60)
    assert _sign_in(stranger, username).status_code == 200  # and a minute later from anywhere


def test_an_administrator_can_still_unlock(backend: Settings, engine: Engine) -> None:
    clock = Clock()
    world = make_world(_app(backend, engine, now=clock))
    username = world.users["fhw"].username
    client = TestClient(world.app)
    for _ in range(8):
        _sign_in(client, username, "wrong wrong wrong")
    assert _sign_in(client, username).status_code == 429
    unlocked = world.client("admin").post(f"/api/users/{world.user_id('fhw')}/unlock")
    assert unlocked.status_code == 200, unlocked.text
    assert _sign_in(client, username).status_code == 200


def test_one_client_trying_many_accounts_is_slowed(backend: Settings, engine: Engine) -> None:
    clock = Clock()
    world = make_world(_app(backend, engine, now=clock))
    guesser = TestClient(world.app, client=("192.0.2.66", 40000))
    for n in range(backend.throttle_client_free):
        assert _sign_in(guesser, f"nobody-{world.prefix}-{n}", "guess guess guess").status_code == 401
    response = _sign_in(guesser, world.users["manager"].username)
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    assert _sign_in(TestClient(world.app), world.users["manager"].username).status_code == 200


def test_password_checks_are_bounded(backend: Settings, engine: Engine) -> None:
    world = make_world(_app(backend, engine, password_concurrency=1, password_wait_seconds=0.1))
    passwords = world.app.state.record.passwords
    assert passwords._slots.acquire(timeout=5)  # another sign-in is hashing
    try:
        response = _sign_in(TestClient(world.app), world.users["fhw"].username)
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
    finally:
        passwords._slots.release()
    assert _sign_in(TestClient(world.app), world.users["fhw"].username).status_code == 200


@pytest.mark.parametrize("password", ["Password2025!", "welcome123456", "qwertyqwerty", "aaaaaaaaaaaabbbb",
                                      "1234567890123", "short1!"])
def test_weak_and_common_passwords_are_refused(password: str) -> None:
    assert password_problem(password) is not None


def test_a_user_with_a_weak_password_is_not_created(world: World) -> None:
    admin = world.client("admin")
    body = {"username": f"{world.prefix}-new", "display_name": "Sam Jones", "role": "social_worker",
            "password": "Summer2025!!!"}
    response = admin.post("/api/users", json=body)
    assert response.status_code == 422 and "common or breached" in response.text
    assert "Summer2025" not in response.text
    assert admin.post("/api/users", json={**body, "password": f"{world.prefix}-samjones"}).status_code == 422
    assert admin.post("/api/users", json={**body, "password": "lantern orchard pebble"}).status_code == 201


def test_a_session_ends_after_its_absolute_lifetime(backend: Settings, engine: Engine) -> None:
    clock = Clock()
    world = make_world(_app(backend, engine, now=clock))
    client = world.client("fhw")
    for _ in range(11):  # used every hour: the sliding expiry alone would keep it for ever
        clock.advance(3600)
        assert client.get("/api/me").status_code == 200
    clock.advance(3600 + 60)
    assert client.get("/api/me").status_code == 401


def test_the_login_page_tells_a_throttled_worker_to_wait(backend: Settings, engine: Engine) -> None:
    clock = Clock()
    world = make_world(_app(backend, engine, now=clock))
    client = TestClient(world.app, client=("192.0.2.77", 40000))
    username = world.users["ecpp"].username
    for _ in range(6):
        token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        page = client.post("/login", data={"username": username, "password": "wrong wrong wrong",
                                           "csrf_token": token})
    assert page.status_code == 429 and "try again in" in page.text and page.headers["retry-after"]
