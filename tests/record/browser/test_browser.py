"""A browser drives the pages: log in, record a first conversation, take the child to a protection plan.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, headless); no browser is downloaded. Skipped with a
reason where Chromium or Playwright is absent, except under CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from careflow.record.app import create_app

from ..conftest import PASSWORD, World, fast_settings, make_world

CHROMIUM = os.environ.get("CAREFLOW_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def _need(ok: bool, why: str) -> None:
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{why} but CI=true: install it in CI (apt-get install -y chromium; pip install playwright)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """The app served by uvicorn on a free local port, with a team and its users."""
    import uvicorn

    path: Path = tmp_path_factory.mktemp("browser") / "record.db"
    app = create_app(fast_settings(database_url=f"sqlite:///{path}"))
    world = make_world(app)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", world
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium under Playwright."""
    _need(shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(), f"Chromium is not at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "Playwright is not installed")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


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
