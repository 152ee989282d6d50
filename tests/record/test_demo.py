"""``careflow serve --demo``: a synthetic local authority and a user per role, each seeing only what they should."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from careflow.record.serve import DEMO_PASSWORD, build_demo

from .conftest import fast_settings


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, str]:
    out = io.StringIO()
    path: Path = tmp_path_factory.mktemp("demo") / "demo.db"
    app = build_demo(fast_settings(database_url=f"sqlite:///{path}"), population=3000, out=out)
    return TestClient(app), out.getvalue()


def _login(demo: tuple[TestClient, str], username: str) -> TestClient:
    client = TestClient(demo[0].app)
    answer = client.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def test_demo_prints_users_for_every_role(demo: tuple[TestClient, str]) -> None:
    printed = demo[1]
    for username in ("fhw", "sw", "ecpp", "manager", "advocate", "analyst", "admin"):
        assert f"  {username} " in printed
    assert DEMO_PASSWORD in printed and "children of a synthetic local authority" in printed


def test_each_role_sees_only_what_it_should(demo: tuple[TestClient, str]) -> None:
    fhw = _login(demo, "fhw")
    caseload = fhw.get("/api/caseload").json()
    assert caseload["total"] > 0
    child_id = caseload["items"][0]["child_id"]
    assert fhw.get(f"/api/children/{child_id}").status_code == 200
    assert _login(demo, "fhw2").get(f"/api/children/{child_id}").status_code == 404
    assert _login(demo, "analyst").get(f"/api/children/{child_id}").status_code == 403
    assert _login(demo, "analyst").get("/api/analyst/children").json()["total"] > 0
    assert _login(demo, "admin").get(f"/api/children/{child_id}").status_code == 403
    advocated = _login(demo, "advocate").get("/api/caseload").json()
    assert advocated["total"] >= 1
    # The advocate reads only the children they advocate for: try one of the Family Help worker's others.
    theirs = {item["child_id"] for item in advocated["items"]}
    other = next(item["child_id"] for item in caseload["items"] if item["child_id"] not in theirs)
    assert _login(demo, "advocate").get(f"/api/children/{other}").status_code == 404
    assert _login(demo, "advocate").get(f"/api/children/{advocated['items'][0]['child_id']}").status_code == 200
    manager = _login(demo, "manager")
    assert manager.get(f"/api/children/{child_id}/audit").json()["total"] >= 1
    assert manager.get("/team").status_code == 200
    assert _login(demo, "admin").get("/api/audit/verify").json()["is_intact"] is True


def test_analysts_list_has_no_child_among_fewer_than_five_alike(demo: tuple[TestClient, str]) -> None:
    """k-anonymity over the demo's open cases: before, most were unique on (age band, sex, ethnicity, stage, the
    exact date the stage began, team); now every row listed is shared by five or more."""
    from collections import Counter

    from sqlalchemy import select

    from careflow.record.models import Child, Person
    from careflow.record.services.caseload import age_band

    analyst = _login(demo, "analyst")
    items: list[dict[str, object]] = []
    while True:
        page = analyst.get("/api/analyst/children", params={"limit": 500, "offset": len(items)}).json()
        items += page["items"]
        if len(items) >= page["total"]:
            break
    quasi = ("age_band", "sex", "ethnicity", "stage", "stage_since", "team_id")
    sizes = Counter(tuple(item[q] for q in quasi) for item in items)
    assert min(sizes.values()) >= 5
    assert all(len(str(item["stage_since"])) <= 7 for item in items)  # 2025-Q2, 2025 or *: never a day
    state = demo[0].app.state.record
    today = state.settings.today()
    with state.sessions() as session:
        rows = session.execute(
            select(Child.stage, Child.stage_since, Child.team_id, Person.date_of_birth, Person.sex, Person.ethnicity)
            .join(Person, Person.id == Child.person_id).where(Child.stage != "none")).all()
        exact = Counter((age_band(dob, today), sex, eth, stage, since, team)
                        for stage, since, team, dob, sex, eth in rows)
    unique_before = sum(1 for n in exact.values() if n == 1)
    listed = len(items)
    total = sum(exact.values())
    assert unique_before > total // 2  # what the list used to show singled most children out
    assert listed >= total * 0.5, (listed, total)  # and most children are still listed
