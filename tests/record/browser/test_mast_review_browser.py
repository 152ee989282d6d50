"""A team manager resolves a partner record waiting for clerical review in a browser: from the MAST view's "review"
link to the review page, where the record's identifiers stand beside the family's; they confirm it as the mother
with a reason, and the record's contact is in the MAST view's contacts at once, as a clerical review by them.
Debian's Chromium under Playwright (skipped with a reason where absent, a failure under CI=true)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from careflow.record.app import create_app
from careflow.share.mast import load_linked

from ...browser_support import serving
from ..conftest import World, fast_settings, make_world
from ..test_mast import family_with_mother
from ..test_mast_review import _ids, link_output
from .test_browser import _log_in


@pytest.fixture(scope="module")
def served_review(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World, dict[str, Any]]]:
    """The app served by uvicorn, with a child in Family Help, their mother, and two records awaiting review."""
    root: Path = tmp_path_factory.mktemp("mast-review-browser")
    app = create_app(fast_settings(database_url=f"sqlite:///{root / 'record.db'}"))
    world = make_world(app)
    child, mother = family_with_mother(world, given_name="Mia")
    with app.state.record.sessions() as session, session.begin():
        load_linked(session, link_output(root / "linked", child, mother))
    child["mother"] = mother
    with serving(app) as base:
        yield base, world, child


def test_confirm_in_the_browser_and_see_it_in_the_mast_contacts(
        served_review: tuple[str, World, dict[str, Any]], browser: Any) -> None:
    base, world, child = served_review
    r1, r2 = _ids(child)
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _log_in(page, base, world.users["manager"].username)
    page.goto(f"{base}/children/{child['id']}/mast?purpose=safeguarding")
    page.wait_for_selector("#mast-contacts")
    assert "missing overnight" not in page.inner_text("#mast-contacts")
    assert "1 more awaiting clerical review" in page.inner_text("#mast-agencies tr[data-agency=police]")
    page.click("#mast-agencies tr[data-agency=police] a.review-link")
    page.wait_for_selector("#review-title")
    item = page.locator(f"section.review-item[data-record='{r1}']")
    assert item.locator("table.candidate").count() == 2  # the child or the mother
    assert item.locator("table.candidate").first.locator("tr[data-field=dob] td.agrees").inner_text() == "yes"
    health = page.locator(f"section.review-item[data-record='{r2}']")
    assert health.locator("tr[data-field=dob] td.agrees").inner_text() == "no"
    item.locator("select[name=person_id]").select_option(str(child["mother"]))
    item.locator("input[name=reason]").fill("address and date of birth agree with the police record")
    item.locator("button[value=confirmed]").click()
    page.wait_for_selector("#review-title")
    assert page.locator(f"section.review-item[data-record='{r1}']").count() == 0
    assert page.locator(f"section.review-item[data-record='{r2}']").count() == 1

    page.goto(f"{base}/children/{child['id']}/mast?purpose=safeguarding")
    page.wait_for_selector("#mast-contacts")
    row = page.locator("#mast-contacts tr", has_text="missing overnight")
    assert row.count() == 1
    text = row.inner_text()
    assert "Rose Mother (mother)" in text and "clerical review" in text
    assert f"manager of {world.prefix}" in text
    context.close()
    assert errors == []
