"""A browser opens the MAST view: from the child's page, declares a purpose, sees the counts, who to call, the
timeline chart and which rule allowed each item; with a purpose that does not allow it, a contact's content is
withheld. Debian's Chromium under Playwright (skipped with a reason where absent, a failure under CI=true)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from careflow.record.app import create_app
from careflow.share.mast import load_linked

from ...browser_support import serving
from ..conftest import TODAY, World, fast_settings, make_world
from ..test_mast import contact, family_with_mother, link, write_link_output
from .test_browser import _log_in


@pytest.fixture(scope="module")
def served_mast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World, dict[str, Any]]]:
    """The app served by uvicorn, with a child in Family Help, their mother, and linked partner records."""

    root: Path = tmp_path_factory.mktemp("mast-browser")
    app = create_app(fast_settings(database_url=f"sqlite:///{root / 'record.db'}"))
    world = make_world(app)
    child, mother = family_with_mother(world, given_name="Mia")
    cid = str(child["id"])
    days = [TODAY - dt.timedelta(days=d) for d in (15, 40, 75, 160, 250)]
    folder = write_link_output(root / "linked", [
        contact("police", "P1", days[0], "domestic_abuse_notification", "DA notification at the home address"),
        contact("police", "P2", days[3], "missing_report", "missing overnight"),
        contact("health", "H1", days[1], "emergency_department_attendance", "A&E attendance, head injury",
                name="Dr Sam Patel", role="named GP for safeguarding", phone="0113 496 0002"),
        contact("school", "S1", days[2], "persistent_absence", "attendance 71% this term", name="Ms Jo Khan",
                role="designated safeguarding lead", phone="0113 496 0003"),
        contact("adult_social_care", "A1", days[4], "carer_assessment", "mother's care needs assessed",
                name="Kim Lee", role="social worker, adults", phone="0113 496 0004"),
    ], [link("police", "P1", cid), link("police", "P2", cid), link("health", "H1", cid, 0.9731, "probabilistic"),
        link("school", "S1", cid), link("adult_social_care", "A1", f"person-{mother}", 0.991, "probabilistic")])
    with app.state.record.sessions() as session, session.begin():
        load_linked(session, folder)
    with serving(app) as base:
        yield base, world, child


def test_mast_view_in_the_browser(served_mast: tuple[str, World, dict[str, Any]], browser: Any) -> None:
    base, world, child = served_mast
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, base, world.users["fhw"].username)
    page.goto(f"{base}/children/{child['id']}")
    page.click("#mast-link")
    page.wait_for_selector("#purpose-form")
    assert "Why are you looking?" in page.inner_text("#purpose-form")
    assert page.locator("#mast-agencies").count() == 0  # nothing from partners before a purpose is declared

    page.select_option("#purpose-form select[name=purpose]", "family_help")
    page.click("#purpose-form button[type=submit]")
    page.wait_for_selector("#mast-agencies")
    assert "Arranging Family Help" in page.inner_text("#mast-purpose")
    assert page.inner_text("#mast-agencies tr[data-agency=police] td.count") == "2"
    assert "Ms Jo Khan" in page.inner_text("#mast-agencies tr[data-agency=school]")
    contacts = page.inner_text("#mast-contacts")
    assert "DA notification" not in contacts and "withheld" in contacts
    assert "no rule allows" in page.inner_text("#mast-withheld li[data-item=contact_details][data-agency=police]")

    page.select_option("#purpose-form select[name=purpose]", "safeguarding")
    page.click("#purpose-form button[type=submit]")
    page.wait_for_selector("#mast-timeline")
    contacts = page.inner_text("#mast-contacts")
    assert "DA notification at the home address" in contacts and "Rose Mother (mother)" in contacts
    assert "A&E attendance" not in contacts  # health content only in a child protection situation
    assert page.locator("#mast-timeline circle.contact").count() == 5
    assert page.locator("#mast-timeline g.agency-row[data-agency=police] circle.contact").count() == 2
    assert page.locator("#mast-timeline .case-band rect").count() == 1  # the open children's social care case
    box = page.locator("#mast-timeline").bounding_box()
    assert box is not None and box["width"] > 300
    rules = page.inner_text("#mast-rules")
    assert "safeguarding-contact-details-2023" in rules and "Schedule 8, paragraph 4" in rules
    assert "ISA-DEMO-2023-01" in rules
    assert "case open" in page.inner_text("#csc-case")
    context.close()

    context = browser.new_context()
    page = context.new_page()
    _log_in(page, base, world.users["manager"].username)
    page.goto(f"{base}/team/mast")
    page.select_option("#purpose-form select[name=purpose]", "safeguarding")
    page.click("#purpose-form button[type=submit]")
    page.wait_for_selector("#team-mast")
    listed = page.inner_text("#team-mast")
    assert "Mia" in listed and "4: Adult social care, Health, Police, School" in listed
    assert "3 or more agencies" in page.inner_text("#team-mast-summary")
    context.close()
    assert errors == []
