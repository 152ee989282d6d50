"""The committed XSDs are what the generator makes from the layout and careflow.codes, and say what they are."""

from __future__ import annotations

import pytest
import xmlschema
from lxml import etree

from careflow import codes
from careflow.returns.cin import YEARS, layout, xsd_path
from careflow.returns.cin.xsd_build import main, render_xsd


@pytest.mark.parametrize("year", YEARS)
def test_committed_xsd_is_up_to_date(year: int) -> None:
    assert xsd_path(year).read_text(encoding="utf-8") == render_xsd(year), (
        f"{xsd_path(year).name} is out of date: run python -m careflow.returns.cin.xsd_build"
    )


def test_check_mode_passes() -> None:
    assert main(["--check"]) == 0


@pytest.mark.parametrize("year", YEARS)
def test_xsd_says_it_is_careflows_rendering(year: int) -> None:
    text = xsd_path(year).read_text(encoding="utf-8")
    label = f"{year - 1}-{year % 100:02d}"
    head = text[: text.index("<xs:schema")]
    assert f"careflow's rendering of the DfE children in need census specification for {label}" in head
    assert "not DfE's file" in head


@pytest.mark.parametrize("year", YEARS)
def test_xsd_loads_and_enumerates_that_years_codes(year: int) -> None:
    schema = xmlschema.XMLSchema(str(xsd_path(year)))
    sex = schema.types["Code_Sex"]
    assert sorted(sex.enumeration or []) == sorted(codes.code_list("sex", year, collection="cin").codes)
    etree.XMLSchema(file=str(xsd_path(year)))  # libxml2 accepts it too (the reader's quick check)


def test_layout_changes_over_the_years() -> None:
    def names(year: int, *path: str) -> list[str]:
        block = layout(year)
        for name in path:
            block = block.child(name)  # type: ignore[assignment]
        return [n.element for n in block.children]

    identifiers = ("Children", "Child", "ChildIdentifiers")
    assert "GenderCurrent" in names(2024, *identifiers) and "Sex" not in names(2024, *identifiers)
    assert "Sex" in names(2025, *identifiers) and "GenderCurrent" not in names(2025, *identifiers)
    details = ("Children", "Child", "CINdetails")
    assert "PreProceedingsandFGDM" not in names(2025, *details)
    assert names(2026, *details)[-2:] == ["ChildProtectionPlans", "PreProceedingsandFGDM"]
    assert names(2022, *details) == [
        "CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate", "ReasonForClosure",
        "DateOfInitialCPC", "Assessments", "CINPlanDates", "Section47", "ReferralNFA", "ChildProtectionPlans",
    ]


def test_upn_pattern() -> None:
    schema = xmlschema.XMLSchema(str(xsd_path(2026)))
    upn = schema.types["UPN"]
    assert upn.is_valid("A123456789012") and upn.is_valid("X98765432123B")
    assert not upn.is_valid("123456789012A") and not upn.is_valid("A12345")
