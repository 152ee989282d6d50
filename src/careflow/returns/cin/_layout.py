"""The CIN census XML layout per collection year: element order, occurrence, value kinds and canonical columns.

This is careflow's one description of the CIN census XML. The XSDs in ``xsd/`` are rendered from it (with
the code lists of :mod:`careflow.codes`) by :mod:`careflow.returns.cin.xsd_build`; the reader and the writer
walk the same tree, so element order, names and the canonical column each element fills cannot drift apart.

Structure transcribed from the DfE "Children in need census" technical specifications, 2021-22 to 2025-26
(Message / Header / Children / Child / ChildIdentifiers / ChildCharacteristics / CINdetails / Assessments /
CINPlanDates / Section47 / ChildProtectionPlans / Reviews), with two changes in the period:

* 2024-25: ``GenderCurrent`` (codes 0, 1, 2, 9) is replaced by ``Sex`` (codes M, F, U) in the same position;
* 2025-26: ``PreProceedingsandFGDM`` (pre-proceedings under the Public Law Outline and family group decision
  making) is added to ``CINdetails``, after ``ChildProtectionPlans``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

__all__ = [
    "XSD_DIR",
    "YEARS",
    "Block",
    "Leaf",
    "Node",
    "layout",
    "layout_year",
    "union_children",
    "xsd_path",
]

#: Collection years (ending 31 March) careflow has a CIN census layout for: 2021-22 to 2025-26.
YEARS: tuple[int, ...] = (2022, 2023, 2024, 2025, 2026)

#: Where the XSDs rendered from these layouts live (package data).
XSD_DIR = Path(__file__).parent / "xsd"


def xsd_path(year: int) -> Path:
    """The XSD file of a collection year (ending 31 March), e.g. ``xsd/cin_census_2023-24.xsd`` for 2024."""
    return XSD_DIR / f"cin_census_{year - 1}-{year % 100:02d}.xsd"


Kind = Literal["text", "id", "date", "datetime", "gyear", "bool", "count", "upn", "code", "fixed", "pattern"]


@dataclass(frozen=True)
class Leaf:
    """An element holding one value (or, with ``item``, a wrapper holding a list of values).

    Attributes:
        element: the XML element name.
        kind: how its text is read: ``date`` (YYYY-MM-DD), ``bool`` (true/false/TRUE/FALSE/0/1), ``count``
            (a whole number from 0), ``code`` (a value of ``code_list``), ``upn``, ``id``, ``text``; header
            only: ``gyear``, ``datetime``, ``fixed`` (one of ``values``), ``pattern`` (matches ``pattern``).
        column: the canonical column it fills (``None`` for header items).
        min_occurs: 1 if the element is required.
        code_list: the CIN code list of a ``code`` (``careflow.codes``, collection ``cin``).
        item: for a list, the name of the repeated element inside the wrapper (``Disability``).
        values: the allowed values of a ``fixed`` element.
        pattern: the regular expression of a ``pattern`` element (XSD syntax).
    """

    element: str
    kind: Kind
    column: str | None = None
    min_occurs: int = 0
    code_list: str | None = None
    item: str | None = None
    values: tuple[str, ...] = ()
    pattern: str | None = None

    @property
    def is_list(self) -> bool:
        """The element wraps a list of ``item`` elements."""
        return self.item is not None


@dataclass(frozen=True)
class Block:
    """An element holding other elements, possibly repeated; a repeated block is one row of ``table``.

    Attributes:
        element: the XML element name.
        children: the elements inside, in the order the specification requires.
        min_occurs: 0 or 1.
        max_occurs: 1, or ``None`` for unbounded.
        table: the canonical table a row of which this element is (``None`` for wrappers and header parts).
        sequence: the canonical column numbering this block within its parent, from 1 (``referral_id``).
        type_name: the XSD complex type's name.
    """

    element: str
    children: tuple[Node, ...]
    min_occurs: int = 1
    max_occurs: int | None = 1
    table: str | None = None
    sequence: str | None = None
    type_name: str = ""

    def __post_init__(self) -> None:
        if not self.type_name:
            object.__setattr__(self, "type_name", f"{self.element}Type")

    @property
    def repeated(self) -> bool:
        """More than one may appear."""
        return self.max_occurs is None or self.max_occurs > 1

    def child(self, name: str) -> Node | None:
        """The child node with element name ``name``."""
        for node in self.children:
            if node.element == name:
                return node
        return None

    def walk(self) -> Iterator[Block]:
        """This block and every block inside it, depth first."""
        yield self
        for node in self.children:
            if isinstance(node, Block):
                yield from node.walk()


Node = Leaf | Block

_UPN_PATTERN = r"[A-Za-z]\d{11}[A-Za-z0-9]"


def _header() -> Block:
    return Block(
        "Header",
        (
            Block(
                "CollectionDetails",
                (
                    Leaf("Collection", "fixed", min_occurs=1, values=("CIN",)),
                    Leaf("Year", "gyear", min_occurs=1),
                    Leaf("ReferenceDate", "date", min_occurs=1),
                ),
            ),
            Block(
                "Source",
                (
                    Leaf("SourceLevel", "fixed", min_occurs=1, values=("L",)),
                    Leaf("LEA", "pattern", min_occurs=1, pattern=r"\d{3}"),
                    Leaf("SoftwareCode", "text"),
                    Leaf("Release", "text"),
                    Leaf("SerialNo", "pattern", pattern=r"\d{3,}"),
                    Leaf("DateTime", "datetime"),
                ),
            ),
        ),
    )


def _build(year: int) -> Block:
    sex = (
        Leaf("Sex", "code", "sex", 1, "sex")
        if year >= 2025
        else Leaf("GenderCurrent", "code", "sex", 1, "sex")
    )
    identifiers = Block(
        "ChildIdentifiers",
        (
            Leaf("LAchildID", "id", "child_id", 1),
            Leaf("UPN", "upn", "upn", pattern=_UPN_PATTERN),
            Leaf("FormerUPN", "upn", "former_upn", pattern=_UPN_PATTERN),
            Leaf("UPNunknown", "code", "upn_unknown", code_list="upn_unknown"),
            Leaf("PersonBirthDate", "date", "date_of_birth"),
            Leaf("ExpectedPersonBirthDate", "date", "expected_date_of_birth"),
            sex,
            Leaf("PersonDeathDate", "date", "date_of_death"),
        ),
        table="children",
    )
    characteristics = Block(
        "ChildCharacteristics",
        (
            Leaf("Ethnicity", "code", "ethnicity", 1, "ethnicity"),
            Leaf("Disabilities", "code", "disabilities", code_list="disability", item="Disability"),
        ),
        table="children",
    )
    assessments = Block(
        "Assessments",
        (
            Leaf("AssessmentActualStartDate", "date", "start_date", 1),
            Leaf("AssessmentInternalReviewDate", "date", "internal_review_date"),
            Leaf("AssessmentAuthorisationDate", "date", "authorisation_date"),
            Leaf("FactorsIdentifiedAtAssessment", "code", "factors", code_list="assessment_factors",
                 item="AssessmentFactors"),
        ),
        min_occurs=0, max_occurs=None, table="assessments", sequence="assessment_id",
    )
    plans = Block(
        "CINPlanDates",
        (
            Leaf("CINPlanStartDate", "date", "start_date", 1),
            Leaf("CINPlanEndDate", "date", "end_date"),
        ),
        min_occurs=0, max_occurs=None, table="child_in_need_plans", sequence="plan_id",
    )
    section47 = Block(
        "Section47",
        (
            Leaf("S47ActualStartDate", "date", "start_date", 1),
            Leaf("InitialCPCtarget", "date", "initial_conference_target_date"),
            Leaf("DateOfInitialCPC", "date", "initial_conference_date"),
            Leaf("ICPCnotRequired", "bool", "is_conference_not_required", 1),
        ),
        min_occurs=0, max_occurs=None, table="section47_enquiries", sequence="enquiry_id",
    )
    protection = Block(
        "ChildProtectionPlans",
        (
            Leaf("CPPstartDate", "date", "start_date", 1),
            Leaf("CPPendDate", "date", "end_date"),
            Leaf("InitialCategoryOfAbuse", "code", "initial_category_of_abuse", 1, "category_of_abuse"),
            Leaf("LatestCategoryOfAbuse", "code", "latest_category_of_abuse", 1, "category_of_abuse"),
            Leaf("NumberOfPreviousCPP", "count", "number_of_previous_plans", 1),
            Leaf("Reviews", "date", "review_dates", item="CPPreviewDate"),
        ),
        min_occurs=0, max_occurs=None, table="child_protection_plans", sequence="plan_id",
    )
    details: list[Node] = [
        Leaf("CINreferralDate", "date", "referral_date", 1),
        Leaf("ReferralSource", "code", "referral_source", 1, "referral_source"),
        Leaf("PrimaryNeedCode", "code", "primary_need", code_list="primary_need"),
        Leaf("CINclosureDate", "date", "closure_date"),
        Leaf("ReasonForClosure", "code", "reason_for_closure", code_list="reason_for_closure"),
        Leaf("DateOfInitialCPC", "date", "initial_child_protection_conference_date"),
        assessments,
        plans,
        section47,
        Leaf("ReferralNFA", "bool", "is_no_further_action", 1),
        protection,
    ]
    if year >= 2026:
        details.append(
            Block(
                "PreProceedingsandFGDM",
                (
                    Leaf("PPStartDate", "date", "start_date", 1),
                    Leaf("LBPSentDate", "date", "letter_before_proceedings_date"),
                    Leaf("FGDMMeetingOffer", "bool", "is_family_group_meeting_offered"),
                    Leaf("FGDMMeetingFac", "bool", "is_family_group_meeting_facilitated"),
                    Leaf("InitialPPMeetingDate", "date", "initial_meeting_date"),
                    Leaf("ReviewMeetingsCount", "count", "review_meetings_count"),
                    Leaf("StepDecisionDate", "date", "step_decision_date"),
                    Leaf("PPOutcome", "code", "outcome", code_list="pre_proceedings_outcome"),
                    Leaf("CourtAppDate", "date", "court_application_date"),
                    Leaf("LetterInitCPDate", "date", "letter_child_protection_date"),
                ),
                min_occurs=0, max_occurs=None, table="pre_proceedings", sequence="pre_proceedings_id",
            )
        )
    child = Block(
        "Child",
        (
            identifiers,
            characteristics,
            Block("CINdetails", tuple(details), min_occurs=1, max_occurs=None, table="referrals",
                  sequence="referral_id"),
        ),
        min_occurs=1, max_occurs=None, table="children",
    )
    return Block("Message", (_header(), Block("Children", (child,))))


def layout_year(year: int) -> int:
    """The layout year used for ``year``: itself if careflow has it, else the nearest year it has."""
    if year in YEARS:
        return year
    return YEARS[0] if year < YEARS[0] else YEARS[-1]


@cache
def layout(year: int) -> Block:
    """The ``Message`` element of the CIN census layout of a collection year (ending 31 March).

    Years outside 2022-2026 get the nearest year's layout; callers report that.

    Example:
        >>> layout(2025).child("Children").child("Child").child("ChildIdentifiers").child("Sex").column
        'sex'
    """
    return _build(layout_year(year))


@cache
def union_children(path: tuple[str, ...]) -> dict[str, Node]:
    """Every element any year's layout allows inside the block at ``path`` (element names from Message).

    The reader reads elements of every year wherever they sit, so that a 2025-26 block in a 2023-24 return
    is read (and reported by the XSD) rather than dropped.
    """
    out: dict[str, Node] = {}
    for year in YEARS:
        block: Node | None = layout(year)
        for name in path[1:]:
            block = block.child(name) if isinstance(block, Block) else None
        if isinstance(block, Block):
            for node in block.children:
                out.setdefault(node.element, node)
    return out
