"""Clerical review, in the record, of partner records ``careflow link`` could not decide about: a team manager sees
each waiting record's identifiers beside the family's, confirms (the contact joins the MAST view at once, as
"clerical review" by them) or rejects with a reason; decisions are new rows, audited, kept across loads of the same
linkage output, and guarded against two reviewers deciding the same item. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from careflow.record.models import AuditEntry, PartnerLink, PartnerReviewDecision
from careflow.share.mast import COMPARED_FIELDS, CONTACT_COLUMNS, LINK_COLUMNS, load_linked

from .conftest import TODAY, World
from .test_mast import contact, family_with_mother, link
from .test_pages import _browser, _csrf

REVIEW_COLUMNS = (*LINK_COLUMNS, "reason", *[f"{c}_{side}" for c in COMPARED_FIELDS for side in ("record", "person")])


def _write(folder: Path, name: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    import csv

    with open(folder / name, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def _ids(child: dict[str, Any]) -> tuple[str, str]:
    """The two queued records' ids, of this child only: decisions outlive loads, and the test database is shared."""
    return f"R1-{child['id']}", f"R2-{child['id']}"


def link_output(folder: Path, child: dict[str, Any], mother: int) -> Path:
    """A ``careflow link`` output as it writes it: one linked police record, and two records in the review queue
    (police R1, which may be the child or the mother; health R2, which may be the child), each with its contact."""
    folder.mkdir(parents=True, exist_ok=True)
    cid = str(child["id"])
    r1, r2 = _ids(child)
    day = TODAY - dt.timedelta(days=30)
    _write(folder, "contacts.csv", CONTACT_COLUMNS, [
        contact("police", f"P1-{cid}", day, "domestic_abuse_notification", "DA notification at the home address"),
        contact("police", r1, day - dt.timedelta(days=5), "missing_report", "missing overnight, found at a friend's"),
        contact("health", r2, day - dt.timedelta(days=9), "emergency_department_attendance", "A&E, burn to hand",
                name="Dr Sam Patel", role="named GP for safeguarding"),
    ])
    _write(folder, "links.csv", LINK_COLUMNS, [link("police", f"P1-{cid}", cid)])
    record = {"first_name_record": "amy", "last_name_record": child["family_name"], "dob_record": "2016-03-04",
              "sex_record": "F", "postcode_record": "LS1 4AP"}
    _write(folder, "review_queue.csv", REVIEW_COLUMNS, [
        link("police", r1, cid, 0.71, "clerical") | record | {"reason": "another person scores nearly as high"},
        link("police", r1, f"person-{mother}", 0.62, "clerical") | {"reason": "another person", "first_name_record":
                                                                      "Amy"},
        link("health", r2, cid, 0.66, "clerical") | record | {"dob_record": "2016-04-03",
                                                                "reason": "probability in the review band"},
    ])
    return folder


def _load(world: World, folder: Path) -> Any:
    with world.app.state.record.sessions() as session, session.begin():
        return load_linked(session, folder)


def _url(child: dict[str, Any], item: str = "") -> str:
    return f"/api/children/{child['id']}/mast/review" + (f"/{item}" if item else "")


def _contacts(world: World, child: dict[str, Any]) -> list[dict[str, Any]]:
    view = world.client("manager").get(f"/api/children/{child['id']}/mast", params={"purpose": "safeguarding"})
    assert view.status_code == 200, view.text
    return list(view.json()["contacts"])


def test_queue_sets_identifiers_beside_the_family_and_is_audited(world: World, tmp_path: Path) -> None:
    child, mother = family_with_mother(world)
    r1, r2 = _ids(child)
    _load(world, link_output(tmp_path / "out", child, mother))
    response = world.client("manager").get(_url(child))
    assert response.status_code == 200, response.text
    queue = response.json()
    items = {(i["agency"], i["source_record_id"]): i for i in queue["items"]}
    assert set(items) == {("police", r1), ("health", r2)}
    police = items[("police", r1)]
    assert police["version"] == 0
    assert [(c["relationship"], c["match_probability"]) for c in police["candidates"]] == [("child", 0.71),
                                                                                            ("mother", 0.62)]
    fields = {f["field"]: f for f in police["candidates"][0]["fields"]}
    # "amy" agrees with "Amy" (case does not matter); the child's postcode is not recorded: not known, not "no"
    assert fields["first_name"]["agrees"] is True and fields["first_name"]["person_value"] == "Amy"
    assert fields["last_name"]["agrees"] is True and fields["dob"]["agrees"] is True
    assert fields["postcode"]["record_value"] == "LS1 4AP" and fields["postcode"]["agrees"] is None
    health = {f["field"]: f for f in items[("health", r2)]["candidates"][0]["fields"]}
    assert health["dob"]["agrees"] is False and health["dob"]["record_value"] == "2016-04-03"
    assert "score" not in str(queue).replace("scores nearly", "")  # agreement of identifiers only, no risk score
    with world.app.state.record.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.child_id == child["id"],
                                                         AuditEntry.entity == "mast_review")).one()
    assert entry.action == "read" and entry.username == world.users["manager"].username
    assert sorted(entry.detail["items"]) == [f"health:{r2}", f"police:{r1}"]


def test_role_and_allocation_are_checked(world: World, tmp_path: Path) -> None:
    child, mother = family_with_mother(world)
    r1, r2 = _ids(child)
    _load(world, link_output(tmp_path / "out", child, mother))
    body = {"decision": "rejected", "reason": "not her", "version": 0}
    for who in ("fhw", "sw", "advocate", "analyst", "admin"):
        assert world.client(who).get(_url(child)).status_code == 403, who
        assert world.client(who).post(_url(child, f"police/{r1}"), json=body).status_code == 403, who
    elsewhere = world.new_child(who="other")
    refused = world.client("manager").get(_url(elsewhere))
    assert refused.status_code == 404 and "that you may see" in refused.json()["detail"]
    # a record waiting for someone else's family is not this child's to decide
    assert world.client("manager").post(_url(elsewhere, f"police/{r1}"), json=body).status_code == 404
    assert world.client("manager").post(_url(child, "police/NOPE"), json=body).status_code == 404
    with world.app.state.record.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PartnerReviewDecision)
                              .where(PartnerReviewDecision.source_record_id.in_([r1, r2]))) == 0
        denied = session.scalars(select(AuditEntry).where(AuditEntry.child_id == elsewhere["id"],
                                                          AuditEntry.action == "denied")).all()
    assert len(denied) == 2


def test_confirm_links_at_once_and_survives_a_reload(world: World, tmp_path: Path) -> None:
    child, mother = family_with_mother(world)
    r1, r2 = _ids(child)
    folder = link_output(tmp_path / "out", child, mother)
    _load(world, folder)
    assert not any(c["summary"] and "missing overnight" in c["summary"] for c in _contacts(world, child))
    missing = world.client("manager").post(_url(child, f"police/{r1}"),
                                           json={"decision": "confirmed", "reason": "same school", "version": 0})
    assert missing.status_code == 422 and "one person of the child's family" in missing.json()["detail"]
    blank = world.client("manager").post(_url(child, f"police/{r1}"), json={"decision": "confirmed", "reason": "",
                                                                         "person_id": mother, "version": 0})
    assert blank.status_code == 422  # a reason is required
    done = world.client("manager").post(_url(child, f"police/{r1}"), json={
        "decision": "confirmed", "person_id": mother, "reason": "address and date of birth match the police PNC",
        "version": 0})
    assert done.status_code == 201, done.text
    assert done.json()["linked"] is True and done.json()["sequence"] == 1
    row = next(c for c in _contacts(world, child) if c["summary"] == "missing overnight, found at a friend's")
    assert row["method"] == "clerical" and row["person"].startswith("Rose Mother (mother)")
    assert row["linked_by"] == f"manager of {world.prefix}" and row["linked_at"] is not None
    assert row["match_probability"] == 0.62
    queue = world.client("manager").get(_url(child)).json()
    assert [(i["agency"], i["source_record_id"]) for i in queue["items"]] == [("health", r2)]
    mast = world.client("manager").get(f"/api/children/{child['id']}/mast", params={"purpose": "safeguarding"})
    assert {a["agency"]: a["awaiting_review"] for a in mast.json()["agencies"]}["police"] == 0
    with world.app.state.record.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.child_id == child["id"],
                                                         AuditEntry.entity == "partner_review_decision")).one()
        assert entry.action == "review" and entry.detail["decision"] == "confirmed"
        assert entry.detail["person_id"] == mother and entry.username == world.users["manager"].username
    # the same linkage output loaded again: the record is linked again as the reviewer decided, still off the queue
    result = _load(world, folder)
    assert (result.records, result.links, result.reviews) == (1, 1, 3)
    again = next(c for c in _contacts(world, child) if c["summary"] == "missing overnight, found at a friend's")
    assert again["method"] == "clerical" and again["linked_by"] == row["linked_by"]
    assert again["match_probability"] == 0.62  # the queue's probability for the person confirmed, as at first
    assert [i["source_record_id"] for i in world.client("manager").get(_url(child)).json()["items"]] == [r2]
    with world.app.state.record.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PartnerLink)
                              .where(PartnerLink.method == "clerical")) == 1


def test_reject_leaves_the_queue_and_stays_rejected_on_reload(world: World, tmp_path: Path) -> None:
    child, mother = family_with_mother(world)
    r1, r2 = _ids(child)
    folder = link_output(tmp_path / "out", child, mother)
    _load(world, folder)
    done = world.client("manager").post(_url(child, f"health/{r2}"), json={
        "decision": "rejected", "reason": "date of birth differs: a different child", "version": 0})
    assert done.status_code == 201, done.text
    assert done.json()["linked"] is False and done.json()["person_id"] is None
    assert [i["source_record_id"] for i in world.client("manager").get(_url(child)).json()["items"]] == [r1]
    _load(world, folder)
    assert [i["source_record_id"] for i in world.client("manager").get(_url(child)).json()["items"]] == [r1]
    assert not any(c["agency"] == "health" for c in _contacts(world, child))
    with world.app.state.record.sessions() as session:
        decisions = session.scalars(select(PartnerReviewDecision).where(
            PartnerReviewDecision.source_record_id.in_([r1, r2]))).all()
    assert [(d.agency, d.source_record_id, d.decision, d.reason) for d in decisions] == [
        ("health", r2, "rejected", "date of birth differs: a different child")]


def test_two_reviewers_deciding_the_same_item_get_a_409(world: World, tmp_path: Path) -> None:
    child, mother = family_with_mother(world)
    r1, r2 = _ids(child)
    _load(world, link_output(tmp_path / "out", child, mother))
    seen = world.client("manager").get(_url(child)).json()
    version = next(i["version"] for i in seen["items"] if i["source_record_id"] == r1)
    first = world.client("manager").post(_url(child, f"police/{r1}"), json={
        "decision": "rejected", "reason": "not known to the family", "version": version})
    assert first.status_code == 201
    # a second reviewer (the same manager in another tab here) who read version 0 too
    second = world.client("manager").post(_url(child, f"police/{r1}"), json={
        "decision": "confirmed", "person_id": mother, "reason": "same address", "version": version})
    assert second.status_code == 409, second.text
    assert "decided by another reviewer" in second.json()["detail"]
    with world.app.state.record.sessions() as session:
        decisions = session.scalars(select(PartnerReviewDecision).where(
            PartnerReviewDecision.source_record_id.in_([r1, r2]))).all()
        assert [(d.decision, d.sequence) for d in decisions] == [("rejected", 1)]
        assert session.scalar(select(func.count()).select_from(PartnerLink).where(PartnerLink.method == "clerical")
                              ) == 0


def test_the_page_confirms_from_a_form(world: World, tmp_path: Path) -> None:
    child, mother = family_with_mother(world)
    r1, _r2 = _ids(child)
    _load(world, link_output(tmp_path / "out", child, mother))
    browser = _browser(world, "manager")
    page = browser.get(f"/children/{child['id']}/mast/review")
    assert page.status_code == 200 and f"police record {r1}" in page.text and "match probability 0.710" in page.text
    assert _browser(world, "fhw").get(f"/children/{child['id']}/mast/review").status_code == 403
    token = _csrf(page.text)
    posted = browser.post(f"/children/{child['id']}/mast/review/police/{r1}",
                          data={"decision": "confirmed", "person_id": str(mother), "reason": "PNC check",
                                "version": "0", "csrf_token": token}, follow_redirects=False)
    assert posted.status_code == 303, posted.text
    assert f"police record {r1}" not in browser.get(f"/children/{child['id']}/mast/review").text


def test_a_decision_racing_past_the_version_check_is_stopped_by_the_database(
        world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two reviewers who both pass the version check (neither had committed) cannot both write: the unique
    (agency, record, sequence) refuses the second, which gets a 409 and writes nothing (no link, no audit entry)."""
    from careflow.record.services import mast_review

    child, mother = family_with_mother(world)
    r1, _r2 = _ids(child)
    _load(world, link_output(tmp_path / "out", child, mother))
    first = world.client("manager").post(_url(child, f"police/{r1}"), json={
        "decision": "rejected", "reason": "not known to the family", "version": 0})
    assert first.status_code == 201
    monkeypatch.setattr(mast_review, "_versions", lambda ctx, keys: {})  # the second read before the first committed
    second = world.client("manager").post(_url(child, f"police/{r1}"), json={
        "decision": "confirmed", "person_id": mother, "reason": "same address", "version": 0})
    assert second.status_code == 409, second.text
    assert "at the same time" in second.json()["detail"]
    with world.app.state.record.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PartnerReviewDecision)
                              .where(PartnerReviewDecision.source_record_id == r1)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.child_id == child["id"], AuditEntry.entity == "partner_review_decision")) == 1
