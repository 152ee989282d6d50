"""Bad input and attacks: each gives a clear 4xx (or an escaped, harmless display) and stores nothing partial."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from careflow.record.app import create_app
from careflow.record.models import AuditEntry, Child, Event
from careflow.record.settings import Settings

from .conftest import World, make_world


def _children(world: World) -> int:
    with world.app.state.record.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Child)) or 0)


def _new(world: World, expect: int, **fields: object) -> dict:
    body = {"given_name": "Bad", "family_name": "Input", "date_of_birth": "2016-03-04", "sex": "F",
            "referral_source": "2A"}
    body.update(fields)
    before = _children(world)
    response = world.client("fhw").post("/api/children", json=body)
    assert response.status_code == expect, response.text
    if expect >= 400:
        assert _children(world) == before
    return dict(response.json())


@pytest.mark.parametrize(("fields", "message"), [
    ({"nhs_number": "9434765918"}, "modulus-11"),
    ({"nhs_number": "12345"}, "not 10 digits"),
    ({"upn": "A12345678901Z"}, "UPN"),
    ({"date_of_birth": "2030-01-01"}, "in the future"),
    ({"date_of_birth": "1899-01-01"}, "before 1990"),
    ({"sex": "Q"}, "Sex: 'Q' is not a code of its list"),
    ({"referral_source": "ZZ"}, "Who is worried (referral source)"),
    ({"ethnicity": "XXXX"}, "Ethnicity"),
])
def test_bad_identity_is_refused_with_a_clear_message(world: World, fields: dict, message: str) -> None:
    answer = _new(world, 422, **fields)
    assert message in answer["detail"]


def test_impossible_date_and_unknown_field_are_422(world: World) -> None:
    _new(world, 422, date_of_birth="2025-02-30")
    _new(world, 422, favourite_colour="blue")
    _new(world, 422, given_name="")


def test_events_out_of_order_and_in_the_future(world: World) -> None:
    child = world.new_child(occurred_on="2025-04-01")
    world.event("fhw", child, "family_help_started", primary_need="N1", occurred_on="2025-04-10")
    early = world.event("fhw", child, "assessment_completed", expect=422, occurred_on="2025-04-05")
    assert "before" in early["detail"] and "order" in early["detail"]
    # a note may be written up late, but not dated before the record began
    world.event("fhw", child, "note_added", note="x", occurred_on="2025-04-05")
    before = world.event("fhw", child, "note_added", expect=422, note="x", occurred_on="2025-03-05")
    assert "before the child's record began" in before["detail"]
    future = world.event("fhw", child, "note_added", expect=422, note="x", occurred_on="2025-12-25")
    assert "in the future" in future["detail"]
    unknown = world.event("fhw", child, "assessment_completed", expect=422, factors=["99Z"])
    assert "Assessment factors" in unknown["detail"] and "_" not in unknown["detail"]
    world.event("fhw", child, "not_an_event", expect=422)


def test_oversized_payload_is_413_and_stores_nothing(world: World) -> None:
    before = _children(world)
    response = world.client("fhw").post("/api/children", content=b"{" + b" " * 200_000 + b"}",
                                        headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert _children(world) == before
    long_note = world.event("fhw", world.new_child(), "note_added", expect=422, note="x" * 41_000)
    assert "detail" in long_note


def test_html_and_sql_in_free_text_are_stored_verbatim_and_shown_escaped(world: World) -> None:
    nasty_name = "<script>alert(1)</script>"
    child = world.new_child(given_name=nasty_name, family_name="Robert'); DROP TABLE children;--")
    note = '<img src=x onerror="alert(2)"> \' OR 1=1 --'
    world.event("fhw", child, "note_added", note=note)
    record = world.client("fhw").get(f"/api/children/{child['id']}").json()
    assert record["given_name"] == nasty_name
    page = world.client("fhw").get(f"/children/{child['id']}")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert '<img src=x' not in page.text
    assert "content-security-policy" in page.headers
    assert _children(world) >= 1  # the table is still there


def test_worker_outside_the_team_is_refused_and_the_refusal_audited(world: World) -> None:
    child = world.new_child()
    answer = world.client("other").get(f"/api/children/{child['id']}")
    missing = world.client("other").get("/api/children/987654321")
    assert answer.status_code == missing.status_code == 404  # "not yours" and "missing" are one answer
    assert answer.json()["detail"].replace(str(child["id"]), "N") == missing.json()["detail"].replace("987654321", "N")
    assert set(answer.json()) == set(missing.json())
    assert world.client("other").get(f"/api/children/{child['id']}/events").status_code == 404
    assert world.event("other", child, "note_added", expect=404, note="x")
    with world.app.state.record.sessions() as session:
        denied = session.scalars(select(AuditEntry).where(AuditEntry.child_id == child["id"],
                                                          AuditEntry.action == "denied")).all()
    assert len(denied) == 3 and {d.user_id for d in denied} == {world.user_id("other")}
    page = world.client("other").get(f"/children/{child['id']}", headers={"accept": "text/html"})
    assert page.status_code == 404 and "that you may see" in page.text


def test_analyst_asking_for_names_is_refused(world: World) -> None:
    child = world.new_child(given_name="Named")
    analyst = world.client("analyst")
    for path in (f"/api/children/{child['id']}", f"/api/children/{child['id']}/events",
                 f"/api/children/{child['id']}/network", "/api/caseload"):
        answer = analyst.get(path)
        assert answer.status_code == 403, path
    assert "pseudonymised" in analyst.get(f"/api/children/{child['id']}").json()["detail"]
    listing = analyst.get("/api/analyst/children", params={"limit": 500}).json()
    text = str(listing)
    assert "Named" not in text and child["family_name"] not in text and "2016-03-04" not in text
    assert all(set(item) == {"pseudonym", "age_band", "sex", "ethnicity", "stage", "stage_since", "team_id",
                             "open_deadlines", "overdue_deadlines"} for item in listing["items"])
    assert analyst.post("/api/children", json={}).status_code in (403, 422)


def test_advocate_sees_only_children_they_advocate_for_and_cannot_write(world: World) -> None:
    child = world.new_child()
    other = world.new_child()
    assert world.client("advocate").get(f"/api/children/{child['id']}").status_code == 404
    world.event("sw", child, "advocate_assigned", advocate_id=world.user_id("advocate"))
    assert world.client("advocate").get(f"/api/children/{child['id']}").status_code == 200
    assert world.client("advocate").get(f"/api/children/{other['id']}").status_code == 404
    world.event("advocate", child, "note_added", expect=403, note="x")


def test_admin_does_not_read_children(world: World) -> None:
    child = world.new_child()
    assert world.client("admin").get(f"/api/children/{child['id']}").status_code == 403


def test_no_session_and_missing_csrf(world: World) -> None:
    anonymous = TestClient(world.app)
    assert anonymous.get("/api/caseload").status_code == 401
    assert anonymous.get("/caseload", headers={"accept": "text/html"}, follow_redirects=False).status_code == 303
    child = world.new_child()
    client = world.client("fhw")
    token = client.headers.pop("X-CSRF-Token")
    try:
        answer = client.post(f"/api/children/{child['id']}/events",
                             json={"kind": "note_added", "version": child["version"], "note": "forged"})
        assert answer.status_code == 403 and "CSRF" in answer.json()["detail"]
        bad = client.post(f"/api/children/{child['id']}/events", headers={"X-CSRF-Token": "guess"},
                          json={"kind": "note_added", "version": child["version"], "note": "forged"})
        assert bad.status_code == 403
    finally:
        client.headers["X-CSRF-Token"] = token
    with world.app.state.record.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Event).where(Event.child_id == child["id"])) == 1


def test_wrong_passwords_slow_the_account_down_without_telling_who_exists(backend: Settings, engine: Engine) -> None:
    frozen = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)  # the clock stands still: every wait is still to come
    world = make_world(create_app(dataclasses.replace(backend, now=lambda: frozen), engine=engine))
    client = TestClient(world.app, client=("192.0.2.10", 40000))
    username = world.users["manager"].username
    answers = [client.post("/api/session", json={"username": username, "password": "wrong"}) for _ in range(10)]
    assert [a.status_code for a in answers[:5]] == [401] * 5 and answers[-1].status_code == 429
    unknown = [client.post("/api/session", json={"username": "nobody-at-all", "password": "x"}) for _ in range(10)]
    assert [a.status_code for a in unknown[:5]] == [401] * 5 and unknown[-1].status_code == 429  # alike
    assert unknown[0].json()["detail"] == answers[0].json()["detail"] == "wrong username or password"
    locked = client.post("/api/session", json={"username": username, "password": "correct horse battery"})
    assert locked.status_code == 429 and "try again in" in locked.json()["detail"]
    assert world.client("fhw").post(f"/api/users/{world.user_id('manager')}/unlock").status_code == 403
    assert world.client("admin").post(f"/api/users/{world.user_id('manager')}/unlock").status_code == 200
    assert client.post("/api/session", json={"username": username, "password": "correct horse battery"}) \
        .status_code == 200


def test_admin_creates_teams_and_users(world: World) -> None:
    admin = world.client("admin")
    team = admin.post("/api/teams", json={"name": f"{world.prefix} New Team", "kind": "leaving_care"})
    assert team.status_code == 201
    user = admin.post("/api/users", json={"username": f"{world.prefix}-pa", "display_name": "Pat Adviser",
                                          "role": "social_worker", "team_id": team.json()["id"],
                                          "password": "long enough password"})
    assert user.status_code == 201
    assert admin.post("/api/users", json={"username": f"{world.prefix}-x", "display_name": "X", "role": "king",
                                          "password": "long enough password"}).status_code == 422
    assert world.client("manager").post("/api/teams", json={"name": "Mine", "kind": "other"}).status_code == 403
