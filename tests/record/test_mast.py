"""The MAST view (issue 13): partner records linked by ``careflow link`` loaded into the record, shown for a child or
family as the sharing rules allow for the declared purpose, audited, within role and allocation; the team's
multi-agency list by a count the partnership sets. Every test runs on SQLite and PostgreSQL.

The link output here is written by the tests in the interface's layout (INTERFACE-13: ``links.csv``,
``contacts.csv``), so the record side is tested on its own; ``test_mast_demo.py`` runs the real linkage."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from careflow.record.models import AuditEntry, PartnerLink, PartnerRecord
from careflow.share.mast import CONTACT_COLUMNS, LINK_COLUMNS, PartnerLinkError, load_linked

from .conftest import TODAY, World
from .test_pages import _browser


def write_link_output(folder: Path, contacts: list[dict[str, Any]], links: list[dict[str, Any]],
                      reviews: list[dict[str, Any]] | None = None) -> Path:
    """A ``careflow link --out`` folder with the interface's columns (and a review queue when given)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [("links.csv", LINK_COLUMNS, links), ("contacts.csv", CONTACT_COLUMNS, contacts)]
    if reviews is not None:
        files.append(("review_queue.csv", (*LINK_COLUMNS, "reason", "first_name_record", "first_name_person"),
                      reviews))
    for name, columns, rows in files:
        with open(folder / name, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(columns))
            writer.writeheader()
            for row in rows:
                writer.writerow({c: row.get(c, "") for c in columns})
    return folder


def contact(agency: str, rid: str, day: dt.date, kind: str, summary: str, name: str = "PC Dana Reid",
            role: str = "safeguarding officer", phone: str = "0113 496 0001") -> dict[str, Any]:
    return {"agency": agency, "source_record_id": rid, "event_date": day.isoformat(), "event_type": kind,
            "summary": summary, "agency_contact_name": name, "agency_contact_role": role,
            "agency_contact_phone": phone}


def link(agency: str, rid: str, person: str, probability: float = 1.0, method: str = "nhs_number") -> dict[str, Any]:
    return {"agency": agency, "source_record_id": rid, "person_id": person, "match_probability": probability,
            "match_weight": 12.5, "method": method}


def family_with_mother(world: World, **child_fields: Any) -> tuple[dict[str, Any], int]:
    """A child in Family Help with a mother in their network; returns the child and the mother's person id."""
    child = world.new_child(occurred_on="2025-01-06", **child_fields)
    world.event("fhw", child, "family_help_started", primary_need="N1", occurred_on="2025-01-07")
    world.event("fhw", child, "family_member_added", given_name="Rose", family_name="Mother",
                relationship="mother", has_parental_responsibility=True, occurred_on="2025-01-08")
    network = world.client("fhw").get(f"/api/children/{child['id']}/network").json()
    return child, int(network[0]["person"]["id"])


def _load(world: World, tmp_path: Path, child: dict[str, Any], mother: int, prefix: str) -> Any:
    cid = str(child["id"])
    days = [TODAY - dt.timedelta(days=d) for d in (20, 45, 90, 200, 500)]
    contacts = [
        contact("police", f"{prefix}-P1", days[0], "domestic_abuse_notification",
                "DA notification at the home address"),
        contact("police", f"{prefix}-P2", days[4], "missing_report", "reported missing (old: outside the window)"),
        contact("health", f"{prefix}-H1", days[1], "emergency_department_attendance", "A&E attendance, head injury",
                name="Dr Sam Patel", role="named GP for safeguarding", phone="0113 496 0002"),
        contact("school", f"{prefix}-S1", days[2], "persistent_absence", "attendance 71% this term",
                name="Ms Jo Khan", role="designated safeguarding lead", phone="0113 496 0003"),
        contact("police", f"{prefix}-P3", days[3], "domestic_abuse_notification", "DA notification, mother victim"),
        contact("housing", f"{prefix}-X9", days[0], "tenancy", "not linked to anyone: never stored"),
    ]
    links = [link("police", f"{prefix}-P1", cid) | {"match_weight": "inf"}, link("police", f"{prefix}-P2", cid),
             link("health", f"{prefix}-H1", cid, 0.9731, "probabilistic"), link("school", f"{prefix}-S1", cid),
             link("police", f"{prefix}-P3", f"person-{mother}", 0.9912, "probabilistic")]
    reviews = [link("police", f"{prefix}-R1", cid, 0.71, "clerical") | {"reason": "twin scores nearly as high",
                                                                        "first_name_record": "Amy"},
               link("police", f"{prefix}-R1", f"person-{mother}", 0.69, "clerical") | {"reason": "twin"},
               link("health", f"{prefix}-R2", "P404", 0.6, "clerical") | {"reason": "not ours"}]
    folder = write_link_output(tmp_path / prefix, contacts, links, reviews)
    state = world.app.state.record
    with state.sessions() as session, session.begin():
        return load_linked(session, folder)


def test_load_keeps_linked_records_only_and_audits(world: World, tmp_path: Path) -> None:
    child, mother = family_with_mother(world)
    result = _load(world, tmp_path, child, mother, "a")
    assert (result.records, result.links, result.people) == (5, 5, 2)
    assert result.by_agency == {"health": 1, "police": 3, "school": 1}
    assert result.reviews == 2
    assert result.problems == ["review_queue.csv row 4, person_id: 'P404' is not a child's record id nor a family "
                               "member (person-<id>) in the record; the candidate is left out"]
    state = world.app.state.record
    with state.sessions() as session:
        assert session.scalar(select(PartnerRecord.id).where(PartnerRecord.source_record_id == "a-X9")) is None
        certain = session.scalar(select(PartnerLink.match_weight).join(PartnerRecord, PartnerRecord.id ==
                                                                       PartnerLink.record_id)
                                 .where(PartnerRecord.source_record_id == "a-P1"))
        assert certain == float("inf")  # an NHS-number match's weight, as careflow link writes it
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "partner_links")
                                .order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "import" and entry.detail["links"] == 5
        assert len(entry.detail["links_sha256"]) == 64


def test_mast_view_for_safeguarding(world: World, tmp_path: Path) -> None:
    child, mother = family_with_mother(world)
    _load(world, tmp_path, child, mother, "b")
    view = world.client("fhw").get(f"/api/children/{child['id']}/mast", params={"purpose": "safeguarding"})
    assert view.status_code == 200, view.text
    body = view.json()
    assert body["months"] == 12 and body["window_end"] == TODAY.isoformat()
    agencies = {a["agency"]: a for a in body["agencies"]}
    # the 500-day-old police contact is outside the 12 months; the mother's police contact is the family's
    assert agencies["police"]["contacts"] == 2 and agencies["health"]["contacts"] == 1
    assert agencies["school"]["contact_name"] == "Ms Jo Khan"
    assert agencies["school"]["contact_phone"] == "0113 496 0003"
    assert agencies["health"]["lowest_match_probability"] == pytest.approx(0.9731)
    assert agencies["health"]["link_methods"] == "probabilistic 1"
    # one police record awaits a clerical reviewer: it may be the child or the mother (counted once)
    assert agencies["police"]["awaiting_review"] == 1 and agencies["health"]["awaiting_review"] == 0
    by_summary = {c["summary"]: c for c in body["contacts"] if c["summary"]}
    assert "DA notification, mother victim" in by_summary
    assert by_summary["DA notification, mother victim"]["person"].startswith("Rose Mother (mother)")
    assert "reported missing (old: outside the window)" not in by_summary
    # police details are shared for safeguarding; health details only in a child protection situation
    health = next(c for c in body["contacts"] if c["agency"] == "health")
    assert health["event_type"] is None and health["summary"] is None
    withheld = {(w["item"], w["agency"]): w["reason"] for w in body["withheld"]}
    assert "only when a section 47 enquiry" in withheld[("contact_details", "health")]
    shown = {(s["item"], s["agency"]): s for s in body["shown"]}
    assert shown[("contact_details", "police")]["rule"] == "safeguarding-contact-details-2023"
    assert "Schedule 8, paragraph 4" in shown[("contact_details", "police")]["lawful_basis"]
    assert shown[("contact_details", "police")]["agreement"] == "ISA-DEMO-2023-01"
    assert body["csc_case"]["is_open"] is True and body["csc_case"]["stage"] == "family_help"
    assert [p["relationship"] for p in body["minimum_data_set"]] == ["child", "mother"]
    # the child only: the mother's contact drops out
    alone = world.client("fhw").get(f"/api/children/{child['id']}/mast",
                                    params={"purpose": "safeguarding", "family": "false"}).json()
    assert {a["agency"]: a["contacts"] for a in alone["agencies"]}["police"] == 1
    # a longer window brings the old contact back
    longer = world.client("fhw").get(f"/api/children/{child['id']}/mast",
                                     params={"purpose": "safeguarding", "months": 24}).json()
    assert {a["agency"]: a["contacts"] for a in longer["agencies"]}["police"] == 3
    state = world.app.state.record
    with state.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.child_id == child["id"],
                                                           AuditEntry.entity == "mast")).all()
    assert [e.detail["purpose"] for e in entries] == ["safeguarding"] * 3
    assert entries[0].username == world.users["fhw"].username and entries[0].action == "read"
    assert "contact_details:health" in entries[0].detail["withheld"]


def test_without_the_right_purpose_a_restricted_item_is_not_shown(world: World, tmp_path: Path) -> None:
    """A user declaring Family Help sees counts and who to call, never what a contact was; with safeguarding they
    see police details; health details only once a section 47 enquiry is open (through the API and the page)."""
    child, mother = family_with_mother(world)
    _load(world, tmp_path, child, mother, "c")
    url = f"/api/children/{child['id']}/mast"
    help_view = world.client("fhw").get(url, params={"purpose": "family_help"}).json()
    assert all(c["event_type"] is None and c["summary"] is None for c in help_view["contacts"])
    assert {a["agency"]: a["contacts"] for a in help_view["agencies"]}["police"] == 2
    reasons = {(w["item"], w["agency"]): w["reason"] for w in help_view["withheld"]}
    assert reasons[("contact_details", "police")] == ("no rule allows 'What each contact was' from Police for the "
                                                      "purpose 'Arranging Family Help'")
    page = _browser(world, "fhw").get(f"/children/{child['id']}/mast", params={"purpose": "family_help"})
    assert page.status_code == 200
    assert "DA notification" not in page.text and "A&amp;E attendance" not in page.text
    assert "family-help-core-2023" in page.text and "no rule allows" in page.text
    page = _browser(world, "fhw").get(f"/children/{child['id']}/mast", params={"purpose": "safeguarding"})
    assert "DA notification at the home address" in page.text and "A&amp;E attendance" not in page.text
    assert '<svg class="mast-timeline"' in page.text and page.text.count('class="contact"') == 4
    # a section 47 enquiry opens the child protection situation: health details are then shared
    world.event("ecpp", child, "section_47_started", occurred_on="2025-05-30")
    protected = world.client("ecpp").get(url, params={"purpose": "safeguarding"}).json()
    health = next(c for c in protected["contacts"] if c["agency"] == "health")
    assert health["summary"] == "A&E attendance, head injury"
    assert {s["rule"] for s in protected["shown"] if s["agency"] == "health" and s["item"] == "contact_details"} \
        == {"safeguarding-health-details-2023"}
    still = world.client("ecpp").get(url, params={"purpose": "family_help"}).json()
    assert next(c for c in still["contacts"] if c["agency"] == "health")["summary"] is None


def test_role_allocation_and_purpose_are_checked(world: World, tmp_path: Path) -> None:
    child, mother = family_with_mother(world)
    _load(world, tmp_path, child, mother, "d")
    url = f"/api/children/{child['id']}/mast"
    assert world.client("other").get(url, params={"purpose": "safeguarding"}).status_code == 404
    assert world.client("analyst").get(url, params={"purpose": "safeguarding"}).status_code == 403
    assert world.client("admin").get(url, params={"purpose": "safeguarding"}).status_code == 403
    assert world.client("advocate").get(url, params={"purpose": "safeguarding"}).status_code == 403
    missing = world.client("fhw").get(url)
    assert missing.status_code == 422 and "say why you are looking" in missing.json()["detail"]
    assert world.client("fhw").get(url, params={"purpose": "curiosity"}).status_code == 422
    assert world.client("fhw").get(url, params={"purpose": "safeguarding", "months": 0}).status_code == 422
    state = world.app.state.record
    with state.sessions() as session:
        denied = session.scalars(select(AuditEntry).where(AuditEntry.child_id == child["id"],
                                                          AuditEntry.action == "denied")).all()
    assert [e.username for e in denied] == [world.users["other"].username]
    # the page asks for a purpose first and shows nothing from partners until one is declared
    page = _browser(world, "fhw").get(f"/children/{child['id']}/mast")
    assert page.status_code == 200 and "Why are you looking?" in page.text and "DA notification" not in page.text


def test_sharing_ends_at_18(world: World, tmp_path: Path) -> None:
    adult = world.new_child(date_of_birth="2007-05-01", occurred_on="2025-04-01")
    folder = write_link_output(tmp_path / "e", [contact("police", "e-P1", TODAY - dt.timedelta(days=3),
                                                        "incident", "an incident")],
                               [link("police", "e-P1", str(adult["id"]))])
    with world.app.state.record.sessions() as session, session.begin():
        load_linked(session, folder)
    body = world.client("fhw").get(f"/api/children/{adult['id']}/mast", params={"purpose": "safeguarding"}).json()
    assert body["contacts"] == [] and body["minimum_data_set"] is None
    assert any("sharing ends when a child turns 18" in w["reason"] for w in body["withheld"])


def test_team_view_lists_children_past_the_threshold(world: World, tmp_path: Path) -> None:
    many, mother = family_with_mother(world)  # police, health, school: 3 agencies
    few = world.new_child(occurred_on="2025-01-06")  # police and housing: 2
    elsewhere = world.new_child(who="other", occurred_on="2025-01-06")  # another team's: 4, not listed
    days = TODAY - dt.timedelta(days=10)
    contacts, links = [], []
    for n, (person, agency) in enumerate([(str(many["id"]), "police"), (f"person-{mother}", "health"),
                                          (str(many["id"]), "school"), (str(few["id"]), "police"),
                                          (str(few["id"]), "housing"), *[(str(elsewhere["id"]), a) for a in
                                                                         ("police", "health", "school", "housing")]]):
        contacts.append(contact(agency, f"f-{n}", days, "contact", "a contact"))
        links.append(link(agency, f"f-{n}", person))
    folder = write_link_output(tmp_path / "f", contacts, links)
    with world.app.state.record.sessions() as session, session.begin():
        load_linked(session, folder)
    team = world.client("manager").get("/api/team/mast", params={"purpose": "safeguarding"})
    assert team.status_code == 200, team.text
    body = team.json()
    assert body["min_agencies"] == 3
    listed = {r["child_id"]: r for r in body["children"]}
    assert set(listed) == {many["id"]}
    assert listed[many["id"]]["agency_count"] == 3 and listed[many["id"]]["contacts"] == 3
    assert listed[many["id"]]["agencies"] == ["Health", "Police", "School"]
    assert "score" not in str(body).lower()
    page = _browser(world, "manager").get("/team/mast", params={"purpose": "family_help"})
    assert page.status_code == 200 and f"/children/{many['id']}/mast" in page.text
    assert f"/children/{elsewhere['id']}/" not in page.text
    with world.app.state.record.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "mast_team")
                                .order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.detail["children"] == [many["id"]] and entry.detail["purpose"] == "family_help"


def test_bad_link_output_is_reported_by_file_row_and_field(world: World, tmp_path: Path) -> None:
    child, _ = family_with_mother(world)
    cid = str(child["id"])
    contacts = [contact("police", "g-1", TODAY, "incident", "fine"),
                contact("police", "g-2", TODAY, "incident", "bad date") | {"event_date": "31/13/2024"},
                contact("police", "g-3", TODAY, "incident", "nobody"),
                contact("police", "g-4", TODAY, "incident", "bad probability"),
                contact("police", "g-5", TODAY, "incident", "bad method")]
    links = [link("police", "g-1", cid), link("police", "g-2", cid), link("police", "g-3", "P000123"),
             link("police", "g-4", cid, 1.7), link("police", "g-5", cid, 0.9, "guess"),
             link("police", "g-6", cid), link("police", "g-7", cid) | {"match_weight": "heavy"}]
    folder = write_link_output(tmp_path / "g", contacts, links)
    with world.app.state.record.sessions() as session, session.begin():
        result = load_linked(session, folder)
        kept = session.scalars(select(PartnerLink.id)).all()
    assert (result.records, result.links) == (1, 1) and len(kept) == 1
    problems = "\n".join(result.problems)
    assert "contacts.csv row 3, event_date: '31/13/2024' is not a date" in problems
    assert "links.csv row 4, person_id: 'P000123' is not a child's record id" in problems
    assert "links.csv row 5, match_probability: '1.7' is not a number from 0 to 1" in problems
    assert "links.csv row 6, method: 'guess' is not one of" in problems
    assert "links.csv row 7: police record g-6 is not in contacts.csv" in problems
    assert "links.csv row 8, match_weight: 'heavy' is not a number" in problems
    assert result.left_out == 6
    (folder / "links.csv").write_text("agency,source_record_id,person,match_probability,match_weight,method\n")
    with pytest.raises(PartnerLinkError, match=r"missing column.s. person_id; unknown column.s. person"), \
            world.app.state.record.sessions() as session:
        load_linked(session, folder)
