"""The pages without JavaScript: forms post, errors come back on the form, CSRF is checked."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import PASSWORD, World


def _browser(world: World, who: str) -> TestClient:
    client = TestClient(world.app)
    login = client.get("/login")
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post("/login", data={"username": world.users[who].username, "password": PASSWORD,
                                         "csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303
    return client


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_login_needs_the_form_token(world: World) -> None:
    client = TestClient(world.app)
    client.get("/login")
    refused = client.post("/login", data={"username": world.users["fhw"].username, "password": PASSWORD,
                                          "csrf_token": "forged"})
    assert refused.status_code == 403


def test_record_through_forms(world: World) -> None:
    client = _browser(world, "fhw")
    form = client.get("/children/new")
    assert form.status_code == 200 and 'name="referral_source"' in form.text
    created = client.post("/children/new", data={
        "csrf_token": _csrf(form.text), "given_name": "Form", "family_name": "Child", "date_of_birth": "2019-01-02",
        "sex": "M", "referral_source": "6"}, follow_redirects=False)
    assert created.status_code == 303
    child_url = created.headers["location"]
    page = client.get(child_url)
    assert "Family Help started" in page.text
    event_form = client.get(f"{child_url}/record?kind=family_help_started")
    version = event_form.text.split('name="version" value="')[1].split('"')[0]
    missing = client.post(f"{child_url}/record", data={"csrf_token": _csrf(event_form.text),
                                                       "kind": "family_help_started", "version": version})
    assert missing.status_code == 422 and "primary_need" in missing.text
    done = client.post(f"{child_url}/record", data={"csrf_token": _csrf(event_form.text),
                                                    "kind": "family_help_started", "version": version,
                                                    "primary_need": "N3"}, follow_redirects=False)
    assert done.status_code == 303
    stale = client.post(f"{child_url}/record", data={"csrf_token": _csrf(event_form.text),
                                                     "kind": "note_added", "version": version, "note": "late"})
    assert stale.status_code == 409 and "changed since you opened it" in stale.text
    forged = client.post(f"{child_url}/record", data={"csrf_token": "nope", "kind": "note_added",
                                                      "version": version, "note": "forged"})
    assert forged.status_code == 403


def test_start_pages_by_role(world: World) -> None:
    for who, path in (("fhw", "/caseload"), ("manager", "/team"), ("analyst", "/analyst"), ("admin", "/admin")):
        page = _browser(world, who).get("/")
        assert page.status_code == 200 and page.url.path == path, who


def test_family_network_graph_escapes_names(world: World) -> None:
    child = world.new_child(occurred_on="2025-01-06")
    world.event("fhw", child, "family_help_started", primary_need="N1", occurred_on="2025-01-07")
    world.event("fhw", child, "family_member_added", given_name="<script>alert(1)</script>", family_name="X",
                relationship="friend", occurred_on="2025-01-08")
    page = _browser(world, "fhw").get(f"/children/{child['id']}")
    graph = page.text.split('<svg class="network-graph"')[1].split("</svg>")[0]
    assert "<script>" not in graph
    assert "&lt;script&gt;alert(1)&lt;…" in graph  # escaped, and cut to fit
