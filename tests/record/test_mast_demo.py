"""``careflow serve --demo`` makes partner agencies' data for the demo's children and families, links it with the
real linkage (NHS number, then splink) and loads it: the MAST view and the team's list have something to show."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from careflow.record.models import Child, PartnerLink, PartnerLoad, Relationship, User
from careflow.record.serve import DEMO_PASSWORD, build_demo

from .conftest import fast_settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, str]:
    out = io.StringIO()
    path: Path = tmp_path_factory.mktemp("mast-demo") / "demo.db"
    app = build_demo(fast_settings(database_url=f"sqlite:///{path}"), population=1500, out=out)
    return TestClient(app), out.getvalue()


def _login(demo: tuple[TestClient, str], username: str) -> TestClient:
    client = TestClient(demo[0].app)
    answer = client.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200
    return client


def test_demo_loads_linked_partner_data(demo: tuple[TestClient, str]) -> None:
    printed = demo[1]
    assert "Partner agencies: " in printed and "records linked to" in printed
    state = demo[0].app.state.record
    with state.sessions() as session:
        load = session.scalars(select(PartnerLoad)).one()
        links = session.scalar(select(func.count()).select_from(PartnerLink))
        child_people = set(session.scalars(select(Child.person_id)))
        family_people = set(session.scalars(select(Relationship.person_id)))
        linked_people = set(session.scalars(select(PartnerLink.person_id).distinct()))
    assert links == load.counts["links"] > 0
    assert set(load.counts["by_agency"]) == {"police", "health", "school", "housing", "adult_social_care"}
    assert linked_people & child_people and linked_people & family_people
    assert linked_people <= child_people | family_people
    # the linkage's own score against the synthetic truth travels with the load, and the view shows it
    assert 0.5 < load.quality["precision"] <= 1 and 0.5 < load.quality["recall"] <= 1


def test_demo_mast_view_and_team_list(demo: tuple[TestClient, str]) -> None:
    manager = _login(demo, "manager")
    team = manager.get("/api/team/mast", params={"purpose": "safeguarding"}).json()
    assert team["children"], "no child of the team reached the threshold"
    first = team["children"][0]
    assert first["agency_count"] >= team["min_agencies"] == 3
    # the list picks out a minority: most families have few partner contacts, a few have many
    with demo[0].app.state.record.sessions() as session:
        team_id = session.scalars(select(User.team_id).where(User.username == "manager")).one()
        in_team = session.scalar(select(func.count()).select_from(Child).where(Child.team_id == team_id))
    assert 0 < len(team["children"]) < 0.4 * in_team, (len(team["children"]), in_team)
    view = manager.get(f"/api/children/{first['child_id']}/mast", params={"purpose": "safeguarding"}).json()
    counted = {a["agency"]: a["contacts"] for a in view["agencies"] if a["contacts"]}
    assert len(counted) == first["agency_count"] and sum(counted.values()) == first["contacts"]
    assert all(a["contact_name"] for a in view["agencies"] if a["contacts"])
    assert {c["method"] for c in view["contacts"]} <= {"nhs_number", "probabilistic", "clerical"}
    assert all(0 < c["match_probability"] <= 1 for c in view["contacts"])
    page = manager.get(f"/children/{first['child_id']}/mast", params={"purpose": "family_help"})
    assert page.status_code == 200 and '<svg class="mast-timeline"' in page.text
    # another team's Family Help worker cannot open it
    assert _login(demo, "fhw2").get(f"/api/children/{first['child_id']}/mast",
                                    params={"purpose": "safeguarding"}).status_code == 404
