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
    assert _login(demo, "fhw2").get(f"/api/children/{child_id}").status_code == 403
    assert _login(demo, "analyst").get(f"/api/children/{child_id}").status_code == 403
    assert _login(demo, "analyst").get("/api/analyst/children").json()["total"] > 0
    assert _login(demo, "admin").get(f"/api/children/{child_id}").status_code == 403
    advocated = _login(demo, "advocate").get("/api/caseload").json()
    assert advocated["total"] >= 1
    # The advocate reads only the children they advocate for: try one of the Family Help worker's others.
    theirs = {item["child_id"] for item in advocated["items"]}
    other = next(item["child_id"] for item in caseload["items"] if item["child_id"] not in theirs)
    assert _login(demo, "advocate").get(f"/api/children/{other}").status_code == 403
    assert _login(demo, "advocate").get(f"/api/children/{advocated['items'][0]['child_id']}").status_code == 200
    manager = _login(demo, "manager")
    assert manager.get(f"/api/children/{child_id}/audit").json()["total"] >= 1
    assert manager.get("/team").status_code == 200
    assert _login(demo, "admin").get("/api/audit/verify").json()["is_intact"] is True
