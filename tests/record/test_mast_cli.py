"""``careflow admin load-partner-links DIR`` through the real CLI: loads a ``careflow link`` output folder for the
MAST view, prints what it left out (file, row, field), and audits the load on intact chains."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from careflow.cli import app as cli
from careflow.record.app import create_app

from .conftest import TODAY, fast_settings, make_world
from .test_mast import contact, link, write_link_output

KEYS = {"k1": "ab" * 32}


def test_load_partner_links_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'record.db'}"
    env = {"CAREFLOW_DATABASE_URL": url, "CAREFLOW_DATABASE_SCHEMA": "", "CAREFLOW_AUDIT_KEYS": "k1:" + "ab" * 32}
    settings = fast_settings(database_url=url, audit_keys=KEYS)
    world = make_world(create_app(settings))
    child = world.new_child(occurred_on="2025-01-06")
    day = TODAY - dt.timedelta(days=5)
    folder = write_link_output(tmp_path / "linked", [
        contact("police", "P1", day, "incident", "an incident"),
        contact("school", "S1", day, "exclusion", "fixed-term exclusion"),
        contact("school", "S2", day, "exclusion", "someone else's"),
    ], [link("police", "P1", str(child["id"])), link("school", "S1", str(child["id"]), 0.97, "probabilistic"),
        link("school", "S2", "P999")])
    result = CliRunner().invoke(cli, ["admin", "load-partner-links", str(folder)], env=env)
    assert result.exit_code == 0, result.output
    assert ("loaded 2 partner records linked to 1 people of the record (police 1, school 1); 0 candidates awaiting "
            "clerical review; 1 rows left out") in result.output
    assert "left out: links.csv row 4, person_id: 'P999' is not a child's record id" in result.output
    body = world.client("fhw").get(f"/api/children/{child['id']}/mast", params={"purpose": "safeguarding"}).json()
    assert {a["agency"]: a["contacts"] for a in body["agencies"]} == {
        "adult_social_care": 0, "health": 0, "housing": 0, "police": 1, "school": 1}
    verify = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    assert verify.exit_code == 0, verify.output
    (folder / "contacts.csv").unlink()
    missing = CliRunner().invoke(cli, ["admin", "load-partner-links", str(folder)], env=env)
    assert missing.exit_code == 2 and "contacts.csv: missing (careflow link --out writes it)" in missing.output


def test_export_people_for_careflow_link(tmp_path: Path) -> None:
    import polars as pl

    url = f"sqlite:///{tmp_path / 'record.db'}"
    env = {"CAREFLOW_DATABASE_URL": url, "CAREFLOW_DATABASE_SCHEMA": "", "CAREFLOW_AUDIT_KEYS": "k1:" + "ab" * 32}
    world = make_world(create_app(fast_settings(database_url=url, audit_keys=KEYS)))
    child = world.new_child(given_name="Lily", family_name="Brown", nhs_number="9434765919", occurred_on="2025-01-06")
    world.event("fhw", child, "family_help_started", primary_need="N1", occurred_on="2025-01-07")
    world.event("fhw", child, "family_member_added", given_name="Rose", family_name="Brown", relationship="mother",
                occurred_on="2025-01-08")
    mother = world.client("fhw").get(f"/api/children/{child['id']}/network").json()[0]["person"]["id"]
    result = CliRunner().invoke(cli, ["admin", "export-people", str(tmp_path / "people.csv")], env=env)
    assert result.exit_code == 0, result.output
    assert "wrote 2 people (1 children)" in result.output
    people = pl.read_csv(tmp_path / "people.csv", infer_schema=False)
    assert people.columns == ["person_id", "family_id", "role", "first_name", "last_name", "dob", "sex", "postcode",
                              "nhs_number", "upn"]
    rows = {r["person_id"]: r for r in people.to_dicts()}
    assert rows[str(child["id"])]["nhs_number"] == "9434765919" and rows[str(child["id"])]["dob"] == "2016-03-04"
    assert rows[f"person-{mother}"]["role"] == "adult" and rows[f"person-{mother}"]["family_id"] == \
        rows[str(child["id"])]["family_id"]
    stand_in = rows[f"person-{mother}"]["nhs_number"]
    assert stand_in.startswith("999") and len(stand_in) == 10
    from careflow.record.identifiers import nhs_number_problem

    assert nhs_number_problem(stand_in) is None
    verify = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    assert verify.exit_code == 0, verify.output
