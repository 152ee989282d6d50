"""A browser drives the pages: log in, record a first conversation, take the child to a protection plan.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, headless); no browser is downloaded. Skipped with a
reason where Chromium or Playwright is absent, except under CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from careflow.record.app import create_app

from ...browser_support import serving
from ..conftest import PASSWORD, World, fast_settings, make_world


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """The app served by uvicorn on a free local port, with a team and its users."""
    path: Path = tmp_path_factory.mktemp("browser") / "record.db"
    app = create_app(fast_settings(database_url=f"sqlite:///{path}"))
    world = make_world(app)
    with serving(app) as base:
        yield base, world


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _record(page: Any, kind: str, fields: dict[str, str]) -> None:
    page.click(f"#event-menu a[data-kind={kind}]")
    page.wait_for_selector(f"#event-form input[name=kind][value={kind}]", state="attached")
    for name, value in fields.items():
        if page.locator(f"#event-form select[name={name}]").count():
            page.select_option(f"#event-form select[name={name}]", value)
        else:
            page.fill(f"#event-form [name={name}]", value)
    page.click("#event-form button[type=submit]")
    page.wait_for_load_state()


def test_referral_to_plan_in_the_browser(served: tuple[str, World], browser: Any) -> None:
    base, world = served
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, base, world.users["fhw"].username)
    assert page.url.endswith("/caseload")
    page.click("text=New conversation")
    page.fill("input[name=given_name]", "Lily")
    page.fill("input[name=family_name]", "<b>Browser</b>")
    page.fill("input[name=date_of_birth]", "2017-09-01")
    page.select_option("select[name=sex]", "F")
    page.select_option("select[name=referral_source]", "2A")
    page.click("#new-child button[type=submit]")
    page.wait_for_selector("#child-name")
    assert page.inner_text("#child-name") == "Lily <b>Browser</b>"  # shown as text, not markup
    child_url = page.url
    _record(page, "family_help_started", {"primary_need": "N1"})
    assert page.inner_text("#stage") == "Family help"
    assert "Family Help assessment" in page.inner_text("#deadlines")
    context.close()

    context = browser.new_context()
    page = context.new_page()
    _log_in(page, base, world.users["ecpp"].username)
    page.goto(child_url)
    _record(page, "section_47_started", {})
    assert page.inner_text("#stage") == "Section 47 enquiry"
    assert "Initial child protection conference" in page.inner_text("#deadlines")
    _record(page, "initial_conference_held", {"outcome": "plan", "category_of_abuse": "NEG"})
    assert page.inner_text("#stage") == "Child protection"
    assert "First child protection review" in page.inner_text("#deadlines")
    timeline = page.inner_text("#timeline")
    assert "Initial child protection conference" in timeline and "First conversation" in timeline
    # A decision the pathway does not allow yet shows what is needed first.
    page.goto(f"{child_url}/record?kind=pre_proceedings_started")
    page.click("#event-form button[type=submit]")
    page.wait_for_load_state()
    assert "family group decision-making meeting" in page.inner_text(".needs")
    context.close()
    assert errors == []


def _fill(page: Any, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        selector = f"#event-form [name={name}]"
        if page.locator(f"#event-form select[name={name}]").count():
            if value.startswith("label:"):
                page.select_option(selector, label=value[len("label:"):])
            else:
                page.select_option(selector, value)
        else:
            page.fill(selector, value)


def _record_form(page: Any, kind: str, fields: dict[str, str]) -> None:
    page.click(f"#event-menu a[data-kind={kind}]")
    page.wait_for_selector(f"#event-form input[name=kind][value={kind}]", state="attached")
    _fill(page, fields)
    page.click("#event-form button[type=submit]")
    page.wait_for_load_state()


def test_a_working_day_in_the_browser(served: tuple[str, World], browser: Any) -> None:
    """Find a child by a misspelt name, record a late visit, correct it with a reason, make a Family Network Plan
    with a support item whose review falls due, have the manager sign the plan off, print the chronology."""
    import io

    from pypdf import PdfReader

    base, world = served
    world.new_child(given_name="Theodora", family_name="Kowalczyk", date_of_birth="2014-05-06",
                    occurred_on="2025-01-06")
    errors: list[str] = []

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, base, world.users["fhw"].username)
    page.click("text=Find a child")
    page.fill("input[name=q]", "teodora kowalczik")  # misspelt, lower case
    page.click("#search-form button[type=submit]")
    page.wait_for_load_state()
    page.click("#results a:has-text('Theodora Kowalczyk')")
    page.wait_for_selector("#child-name")
    assert page.inner_text("#child-name") == "Theodora Kowalczyk"
    child_url = page.url
    # the page fits a 390 px phone: nothing is wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _record_form(page, "family_help_started", {"primary_need": "N1", "occurred_on": "2025-01-07"})
    _record_form(page, "family_member_added", {"given_name": "Gran", "family_name": "Kowalczyk",
                                               "relationship": "grandparent", "occurred_on": "2025-01-08"})
    _record_form(page, "family_group_meeting_held", {"outcome": "family_network_plan", "occurred_on": "2025-01-20"})
    context.close()

    context = browser.new_context()
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, base, world.users["sw"].username)
    page.goto(child_url)
    # the form opened in place takes the focus
    page.click("#event-menu a[data-kind=family_network_plan_started]")
    page.wait_for_selector("#event-form input[name=kind][value=family_network_plan_started]", state="attached")
    assert page.evaluate("document.activeElement.closest('#event-form') !== null")
    _fill(page, {"carer_person_id": "label:Gran Kowalczyk (grandparent)", "weekly_funding_gbp": "180.50",
                 "purpose": "Theodora lives with her gran while her mother recovers",
                 "success_measures": "Theodora at school every day; contact with her mother weekly",
                 "occurred_on": "2025-02-03"})
    page.click("#event-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#stage") == "Family network"
    _record_form(page, "plan_support_added", {"plan": "family_network", "item": "financial_support",
                                              "description": "Weekly allowance for Gran", "provided_by":
                                              "Children's services", "amount_gbp": "180.50",
                                              "occurred_on": "2025-02-03"})
    # the plan's review point fell due three months on (3 May 2025) and is overdue on 2 June
    deadlines = page.inner_text("#deadlines")
    assert "Family Network Plan review" in deadlines and "3 May 2025" in deadlines and "overdue" in deadlines
    context.close()

    context = browser.new_context()
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, base, world.users["fhw"].username)
    page.goto(child_url)
    # a visit on 15 January written up now: before the current stage began, and accepted as a late entry
    _record_form(page, "visit_made", {"occurred_on": "2025-01-15", "note": "Saw Theodora at home with her gran."})
    timeline = page.inner_text("#timeline")
    assert "late entry" in timeline
    _record_form(page, "event_corrected", {"corrects_event_id": "label:15 Jan 2025: Visit",
                                           "reason": "The date was wrong: the visit was the next day",
                                           "correction": "The visit was on 16 January.",
                                           "corrected_occurred_on": "2025-01-16"})
    context.close()

    context = browser.new_context()
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, base, world.users["manager"].username)
    page.goto(child_url)
    _record_form(page, "manager_signed_off", {"signed_off_event_id": "label:3 Feb 2025: Family Network Plan started",
                                              "decision": "approved"})
    page.click("#whole-chronology")
    page.wait_for_selector("#chronology-title")
    chronology = page.inner_text("#timeline")
    for text in ("Visit", "corrected", "Correction of an earlier entry", "The date was wrong",
                 "Signed off by the team manager", "Family Network Plan started of 3 Feb 2025", "Approved",
                 "Financial support", "£180.50", "Main need", "Abuse or neglect"):
        assert text in chronology, text
    assert "N1" not in chronology and "2025-01" not in chronology  # code labels and dates for people
    page.emulate_media(media="print")
    assert page.is_visible("text=OFFICIAL-SENSITIVE") and page.is_visible("#printed")
    assert not page.is_visible("#chronology-filters")
    pdf = page.request.get(f"{child_url}/chronology.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    for expected in ("OFFICIAL-SENSITIVE", "Theodora Kowalczyk", "Correction of an earlier entry",
                     "The date was wrong", "Signed off by the team manager", "Printed", "late entry"):
        assert expected in text, expected
    context.close()
    assert errors == []
