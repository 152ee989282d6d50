"""The sufficiency and workforce reports as a reader sees them: rendered in Debian's Chromium under Playwright.

Every mark and label of every chart must lie inside its chart (a line running off the top, a legend cut at the
edge), no two labels of a chart may overlap, and every chart has a visible caption. Skipped with a reason where
Chromium or Playwright is absent, except under CI (``CI=true``), where that is a failure (as in tests/record).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from careflow.cli import app

runner = CliRunner()

# For each <svg>: its marks and labels outside its box, and its labels that overlap another (1 px tolerance).
CHECK_CHARTS = """() => {
  const out = [];
  const inside = (b, r) => b.left >= r.left - 1 && b.right <= r.right + 1 && b.top >= r.top - 1
                          && b.bottom <= r.bottom + 1;
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
                            && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (const svg of document.querySelectorAll('svg')) {
    const title = svg.querySelector('title').textContent;
    const r = svg.getBoundingClientRect();
    for (const el of svg.querySelectorAll('text, circle, rect, polyline, line')) {
      const b = el.getBoundingClientRect();
      if (b.width === 0 && b.height === 0) continue;
      if (!inside(b, r)) out.push(`${title}: ${el.tagName} '${el.textContent.slice(0, 40)}' outside the chart`);
    }
    const texts = [...svg.querySelectorAll(':scope > text')].map(t => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++)
        if (overlap(texts[i][1], texts[j][1])) out.push(`${title}: '${texts[i][0]}' overlaps '${texts[j][0]}'`);
  }
  return out;
}"""
CAPTIONS = "() => [...document.querySelectorAll('svg')].map(s => s.closest('figure')?.querySelector('figcaption')" \
           "?.innerText.trim() || '')"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    result = runner.invoke(app, ["sufficiency", "--area", "North West", "--out", str(out / "sufficiency")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["workforce", "--area", "North West", "--reform", "--agency-rate", "0.1",
                                 "--recording-cut", "0.05", "--out", str(out / "workforce")])
    assert result.exit_code == 0, result.output
    return {"sufficiency": out / "sufficiency" / "north_west.html", "workforce": out / "workforce" / "workforce.html"}


@pytest.mark.parametrize("report", ["sufficiency", "workforce"])
def test_every_chart_keeps_its_marks_and_labels_inside_and_apart(reports: dict[str, Path], browser: Any,
                                                                 report: str) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 2400})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(reports[report].as_uri())
    assert page.locator("svg").count() >= (9 if report == "sufficiency" else 3)
    problems = page.evaluate(CHECK_CHARTS)
    assert problems == [], "\n".join(problems)
    captions = page.evaluate(CAPTIONS)
    assert all(captions), f"charts without a caption: {[i for i, c in enumerate(captions) if not c]}"
    assert page.get_by_role("heading", name="Workforce: North West", exact=True).is_visible()
    assert not errors
    page.close()


def test_the_workforce_report_reads_as_words_and_units(reports: dict[str, Path], browser: Any) -> None:
    page = browser.new_page()
    page.goto(reports["workforce"].as_uri())
    text = page.inner_text("body")
    page.close()
    # the what-if table speaks in labels, % and FTE, not raw keys and fractions
    assert "Change in time with families" in text and "direct_fte_after" not in text
    assert "Agency rate after the change\t10.0%" in text
    assert "Social workers in post and agency, by role (FTE, census at 30 September)" in text
    assert "premium saved a year" in text and "£" in text
