"""Canonical table schemas: one typed model of children's social care.

Every reader fills these tables and every writer and model reads them. Column names are spelled out
(``placement_type``, not ``PL``); values of coded columns are the statutory codes (``"U1"``), whose meaning and
validity by collection year live in :mod:`careflow.codes`. Raw return field names appear only in
:mod:`careflow.returns`.

The tables fall in four groups:

* people: ``children``, ``family_members``, ``relationships``;
* the CIN census (children in need, child protection): ``referrals``, ``assessments``, ``child_in_need_plans``,
  ``section47_enquiries``, ``child_protection_plans``, ``pre_proceedings``;
* the SSDA903 (children looked after): ``looked_after_episodes``, ``uasc``, ``looked_after_reviews``,
  ``looked_after_outcomes``, ``care_leavers``, ``adoptions``, ``placed_for_adoption``, ``previous_permanence``,
  ``missing_episodes``, ``social_worker_episodes``, ``deprivation_of_liberty``;
* the reformed pathway (no statutory return yet): ``family_help_episodes``,
  ``family_group_decision_meetings``, ``family_network_plans``, ``child_community_safety_plans``,
  ``proceedings``, ``court_orders``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import polars as pl

__all__ = ["SCHEMAS", "Column", "TableSchema", "schema"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a canonical table.

    Attributes:
        name: the spelled-out column name.
        dtype: the polars type.
        description: what it holds.
        code_list: for coded columns, the list in :mod:`careflow.codes` that gives valid values.
        code_collection: which collection's lists ``code_list`` refers to (``ssda903`` or ``cin``).
        required: a value must be present in every row.
    """

    name: str
    dtype: pl.DataType | type[pl.DataType]
    description: str
    code_list: str | None = None
    code_collection: str = "ssda903"
    required: bool = False


@dataclass(frozen=True, slots=True)
class TableSchema:
    """A canonical table: ordered columns, a key, and what it is."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    provenance: bool = True  # carries optional local_authority / collection_year columns for pooled data
    _index: dict[str, Column] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for column in self.all_columns:
            self._index[column.name] = column

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """The columns, then the provenance columns if the table carries them."""
        return self.columns + (PROVENANCE if self.provenance else ())

    @property
    def names(self) -> list[str]:
        """Column names in order (provenance columns included)."""
        return [c.name for c in self.all_columns]

    @property
    def polars_schema(self) -> dict[str, pl.DataType | type[pl.DataType]]:
        """The ``{name: dtype}`` mapping polars takes."""
        return {c.name: c.dtype for c in self.all_columns}

    def __getitem__(self, name: str) -> Column:
        return self._index[name]

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[Column]:
        return iter(self.all_columns)

    def empty(self) -> pl.DataFrame:
        """An empty frame with this schema."""
        return pl.DataFrame(schema=self.polars_schema)

    def conform(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Return ``frame`` with exactly this schema's columns, in order, cast to their types.

        Missing columns are added as nulls; extra columns are an error (canonical tables hold nothing
        unnamed). Casting is strict: a value that cannot be cast raises ``polars`` errors, so callers
        (readers) must parse and report bad values before they get here.
        """
        from careflow.errors import TableSchemaError

        extra = [c for c in frame.columns if c not in self._index]
        if extra:
            raise TableSchemaError(f"table {self.name}: unknown column(s) {extra}; expected some of {self.names}")
        columns = self.all_columns
        if len(frame.columns) == len(columns):
            held = frame.schema
            pairs = zip(held, columns, strict=True)
            if all(name == column.name and held[name] == column.dtype for name, column in pairs):
                return frame  # already conforms: casting each column to its own type would copy it for nothing
        exprs = []
        for column in columns:
            if column.name in frame.columns:
                exprs.append(pl.col(column.name).cast(column.dtype, strict=True))
            else:
                exprs.append(pl.lit(None, dtype=column.dtype).alias(column.name))
        return frame.select(exprs)


def _c(
    name: str,
    dtype: pl.DataType | type[pl.DataType],
    description: str,
    code_list: str | None = None,
    *,
    cin: bool = False,
    required: bool = False,
) -> Column:
    return Column(name, dtype, description, code_list, "cin" if cin else "ssda903", required)


S, D, I16, I32, B = pl.String, pl.Date, pl.Int16, pl.Int32, pl.Boolean

PROVENANCE: tuple[Column, ...] = (
    _c("local_authority", S, "The local authority that returned the row, where pooled from several."),
    _c("collection_year", I16, "The collection year the row was returned in (year ending 31 March)."),
)

CHILD_ID = _c(
    "child_id", S, "The local authority's identifier of the child (SSDA903 CHILD, CIN LAchildID).", required=True
)
DOB = _c("date_of_birth", D, "Date of birth as given in this table's rows.")
REFERRAL_ID = _c("referral_id", I32, "Sequence of the referral (CIN episode) within the child, from 1.", required=True)


def _table(
    name: str, description: str, *columns: Column, key: tuple[str, ...] = (), provenance: bool = True
) -> TableSchema:
    return TableSchema(name, description, tuple(columns), key, provenance)


_TABLES: tuple[TableSchema, ...] = (
    # --- people -----------------------------------------------------------------------------------------
    _table(
        "children",
        "One row per child: identity and characteristics.",
        CHILD_ID,
        _c("sex", S, "Sex as returned (SSDA903 codes; CIN census codes are mapped on reading).", "sex"),
        _c("date_of_birth", D, "Date of birth."),
        _c("expected_date_of_birth", D, "Expected date of birth of an unborn child (CIN census)."),
        _c("date_of_death", D, "Date of death, if the child has died (CIN census)."),
        _c("ethnicity", S, "Ethnicity (DfE ethnicity codes).", "ethnicity"),
        _c("upn", S, "Unique pupil number."),
        _c("former_upn", S, "Former unique pupil number (CIN census)."),
        _c("upn_unknown", S, "Why the UPN is not known (CIN census UN codes).", "upn_unknown", cin=True),
        _c("nhs_number", S, "NHS number (10 digits, modulus-11 checked where used)."),
        _c("is_mother", B, "SSDA903 MOTHER: the child is a mother (null where not recorded)."),
        _c("mothers_child_date_of_birth", D, "SSDA903 MC_DOB: date of birth of the child's own child."),
        _c("disabilities", pl.List(pl.String), "CIN census disability codes, in the order given."),
        key=("child_id",),
    ),
    _table(
        "family_members",
        "People in the child's family and network (parents, carers, relatives, friends).",
        _c("person_id", S, "Identifier of the person.", required=True),
        _c("given_name", S, "Given name (synthetic data only outside the record service)."),
        _c("family_name", S, "Family name."),
        _c("sex", S, "Sex (SSDA903 codes).", "sex"),
        _c("date_of_birth", D, "Date of birth."),
        _c("nhs_number", S, "NHS number."),
        key=("person_id",),
    ),
    _table(
        "relationships",
        "Who matters to the child: edges of the family network graph.",
        CHILD_ID,
        _c("person_id", S, "The related person (family_members.person_id).", required=True),
        _c(
            "relationship",
            S,
            "mother, father, grandparent, aunt_uncle, sibling, friend, foster_carer, …",
            required=True,
        ),
        _c("has_parental_responsibility", B, "The person holds parental responsibility."),
        _c("is_significant", B, "The child or family names this person as important to the child."),
        _c("start_date", D, "From when the relationship is recorded."),
        _c("end_date", D, "Until when."),
        key=("child_id", "person_id", "relationship"),
    ),
    # --- CIN census ------------------------------------------------------------------------------------
    _table(
        "referrals",
        "Referrals to children's social care; each opens a CIN (Family Help) episode (CIN census CINdetails).",
        CHILD_ID,
        REFERRAL_ID,
        _c("referral_date", D, "CINreferralDate.", required=True),
        _c("referral_source", S, "Who referred.", "referral_source", cin=True),
        _c("primary_need", S, "Primary need code (N0–N9).", "primary_need", cin=True),
        _c("closure_date", D, "CINclosureDate: the episode closed."),
        _c("reason_for_closure", S, "Reason the episode closed (RC codes).", "reason_for_closure", cin=True),
        _c("initial_child_protection_conference_date", D, "DateOfInitialCPC at episode level."),
        _c("is_no_further_action", B, "ReferralNFA: the referral led to no further action."),
        key=("child_id", "referral_id"),
    ),
    _table(
        "assessments",
        "Children and families (s17) assessments.",
        CHILD_ID,
        REFERRAL_ID,
        _c("assessment_id", I32, "Sequence of the assessment within the referral, from 1.", required=True),
        _c("start_date", D, "AssessmentActualStartDate.", required=True),
        _c("internal_review_date", D, "AssessmentInternalReviewDate."),
        _c("authorisation_date", D, "AssessmentAuthorisationDate: the assessment was completed."),
        _c("factors", pl.List(pl.String), "Factors identified at assessment (codes), in order."),
        key=("child_id", "referral_id", "assessment_id"),
    ),
    _table(
        "child_in_need_plans",
        "Child in need plans (under the reform: Family Help plans).",
        CHILD_ID,
        REFERRAL_ID,
        _c("plan_id", I32, "Sequence within the referral, from 1.", required=True),
        _c("start_date", D, "CINPlanStartDate.", required=True),
        _c("end_date", D, "CINPlanEndDate."),
        key=("child_id", "referral_id", "plan_id"),
    ),
    _table(
        "section47_enquiries",
        "Section 47 enquiries (significant harm).",
        CHILD_ID,
        REFERRAL_ID,
        _c("enquiry_id", I32, "Sequence within the referral, from 1.", required=True),
        _c("start_date", D, "S47ActualStartDate.", required=True),
        _c("initial_conference_target_date", D, "InitialCPCtarget (15 working days from the strategy discussion)."),
        _c("initial_conference_date", D, "DateOfInitialCPC."),
        _c("is_conference_not_required", B, "ICPCnotRequired."),
        key=("child_id", "referral_id", "enquiry_id"),
    ),
    _table(
        "child_protection_plans",
        "Child protection plans.",
        CHILD_ID,
        REFERRAL_ID,
        _c("plan_id", I32, "Sequence within the referral, from 1.", required=True),
        _c("start_date", D, "CPPstartDate.", required=True),
        _c("end_date", D, "CPPendDate."),
        _c("initial_category_of_abuse", S, "InitialCategoryOfAbuse.", "category_of_abuse", cin=True),
        _c("latest_category_of_abuse", S, "LatestCategoryOfAbuse.", "category_of_abuse", cin=True),
        _c("number_of_previous_plans", I16, "NumberOfPreviousCPP."),
        _c("review_dates", pl.List(pl.Date), "CPPreviewDate, in order."),
        key=("child_id", "referral_id", "plan_id"),
    ),
    _table(
        "pre_proceedings",
        "Pre-proceedings under the Public Law Outline and family group decision making (CIN census from 2025-26).",
        CHILD_ID,
        REFERRAL_ID,
        _c("pre_proceedings_id", I32, "Sequence within the referral, from 1.", required=True),
        _c("start_date", D, "PPStartDate: pre-proceedings began.", required=True),
        _c("letter_before_proceedings_date", D, "LBPSentDate."),
        _c("is_family_group_meeting_offered", B, "FGDMMeetingOffer."),
        _c("is_family_group_meeting_facilitated", B, "FGDMMeetingFac."),
        _c("initial_meeting_date", D, "InitialPPMeetingDate."),
        _c("review_meetings_count", I16, "ReviewMeetingsCount."),
        _c("step_decision_date", D, "StepDecisionDate."),
        _c("outcome", S, "PPOutcome.", "pre_proceedings_outcome", cin=True),
        _c("court_application_date", D, "CourtAppDate."),
        _c("letter_child_protection_date", D, "LetterInitCPDate."),
        key=("child_id", "referral_id", "pre_proceedings_id"),
    ),
    # --- SSDA903 ---------------------------------------------------------------------------------------
    _table(
        "looked_after_episodes",
        "Episodes of care: a new row at each change of legal status or placement.",
        CHILD_ID,
        _c("start_date", D, "DECOM: the episode began.", required=True),
        _c("reason_new_episode", S, "RNE.", "reason_new_episode"),
        _c("legal_status", S, "LS.", "legal_status"),
        _c("category_of_need", S, "CIN: category of need.", "category_of_need"),
        _c("placement_type", S, "PL / PLACE.", "placement_type"),
        _c("placement_provider", S, "PLACE_PROVIDER.", "placement_provider"),
        _c("end_date", D, "DEC: the episode ended (null while open)."),
        _c("reason_episode_ceased", S, "REC.", "reason_episode_ceased"),
        _c("reason_placement_change", S, "REASON_PLACE_CHANGE.", "reason_placement_change"),
        _c("home_postcode", S, "HOME_POST."),
        _c("placement_postcode", S, "PL_POST."),
        _c("urn", S, "URN: Ofsted unique reference number of the placement, or XXXXXXX."),
        key=("child_id", "start_date"),
    ),
    _table(
        "uasc",
        "Unaccompanied asylum-seeking children (SSDA903 UASC table).",
        CHILD_ID,
        _c("sex", S, "SEX as given in this table.", "sex"),
        DOB,
        _c("date_uasc_ceased", D, "DUC: the date the child ceased to be UASC (18th birthday at latest)."),
        key=("child_id",),
    ),
    _table(
        "looked_after_reviews",
        "Statutory reviews of looked-after children.",
        CHILD_ID,
        DOB,
        _c("review_date", D, "REVIEW.", required=True),
        _c("participation", S, "REVIEW_CODE: how the child took part.", "review_participation"),
        key=("child_id", "review_date"),
    ),
    _table(
        "looked_after_outcomes",
        "Outcomes of children looked after 12 months or more (SSDA903 OC2).",
        CHILD_ID,
        DOB,
        _c("sdq_score", I16, "SDQ_SCORE (0–40)."),
        _c("sdq_reason", S, "SDQ_REASON.", "sdq_reason"),
        _c("is_convicted", B, "CONVICTED."),
        _c("has_health_check", B, "HEALTH_CHECK."),
        _c("has_immunisations", B, "IMMUNISATIONS."),
        _c("has_teeth_check", B, "TEETH_CHECK."),
        _c("has_health_assessment", B, "HEALTH_ASSESSMENT."),
        _c("has_substance_misuse", B, "SUBSTANCE_MISUSE."),
        _c("is_intervention_received", B, "INTERVENTION_RECEIVED."),
        _c("is_intervention_offered", B, "INTERVENTION_OFFERED."),
        key=("child_id",),
    ),
    _table(
        "care_leavers",
        "Care leavers around their 17th–21st birthdays (SSDA903 OC3).",
        CHILD_ID,
        DOB,
        _c("in_touch", S, "IN_TOUCH.", "care_leaver_in_touch"),
        _c("activity", S, "ACTIV.", "care_leaver_activity"),
        _c("accommodation", S, "ACCOM.", "care_leaver_accommodation"),
        key=("child_id",),
    ),
    _table(
        "adoptions",
        "Adoptions (SSDA903 AD1).",
        CHILD_ID,
        DOB,
        _c("date_decision_to_place", D, "DATE_INT: decision that the child should be placed for adoption."),
        _c("date_matched", D, "DATE_MATCH."),
        _c("is_foster_care_adoption", B, "FOSTER_CARE: adopted by former foster carer(s)."),
        _c("number_of_adopters", I16, "NB_ADOPTR."),
        _c("sex_of_adopters", S, "SEX_ADOPTR.", "adopter_sex"),
        _c("legal_status_of_adopters", S, "LS_ADOPTR.", "adopter_legal_status"),
        key=("child_id",),
    ),
    _table(
        "placed_for_adoption",
        "Decisions that a child should be placed for adoption.",
        CHILD_ID,
        DOB,
        _c("date_placed", D, "DATE_PLACED.", required=True),
        _c("date_placed_ceased", D, "DATE_PLACED_CEASED."),
        _c("reason_placed_ceased", S, "REASON_PLACED_CEASED.", "reason_placed_for_adoption_ceased"),
        key=("child_id", "date_placed"),
    ),
    _table(
        "previous_permanence",
        "Permanence before this period of care (SSDA903 PrevPerm).",
        CHILD_ID,
        DOB,
        _c("previous_permanence", S, "PREV_PERM.", "previous_permanence"),
        _c("la_of_permanence", S, "LA_PERM."),
        _c("date_of_permanence", S, "DATE_PERM as returned (may be partial: 'zz/MM/YYYY')."),
        key=("child_id",),
    ),
    _table(
        "missing_episodes",
        "Episodes of being missing or away from placement without authorisation.",
        CHILD_ID,
        DOB,
        _c("missing_type", S, "MISSING: M missing, A away without authorisation.", "missing_type"),
        _c("start_date", D, "MIS_START.", required=True),
        _c("end_date", D, "MIS_END."),
        key=("child_id", "start_date", "missing_type"),
    ),
    _table(
        "social_worker_episodes",
        "Allocated social worker episodes (SSDA903 from 2023-24).",
        CHILD_ID,
        DOB,
        _c("social_worker_id", S, "SW_ID.", required=True),
        _c("start_date", D, "SW_DECOM.", required=True),
        _c("end_date", D, "SW_DEC."),
        _c("reason", S, "SW_REASON.", "social_worker_change_reason"),
        key=("child_id", "start_date"),
    ),
    _table(
        "deprivation_of_liberty",
        "Deprivation of liberty orders (SSDA903 DoLo).",
        CHILD_ID,
        DOB,
        _c("start_date", D, "DOLO_START.", required=True),
        _c("end_date", D, "DOLO_END."),
        key=("child_id", "start_date"),
    ),
    # --- the reformed pathway --------------------------------------------------------------------------
    _table(
        "family_help_episodes",
        "Family Help (001_8bebe4ae25a58006.txt:703-951): one s17 category replacing "
        "targeted early help and child in need.",
        CHILD_ID,
        _c("episode_id", S, "Identifier.", required=True),
        _c("start_date", D, "Family Help began.", required=True),
        _c("end_date", D, "Family Help ended."),
        _c("team", S, "The Family Help Team."),
        _c("key_worker_id", S, "The key worker."),
        _c("supervising_social_worker_id", S, "The supervising social worker."),
        _c(
            "has_expert_child_protection_practitioner",
            B,
            "An ECPP co-works the case (001_8bebe4ae25a58006.txt:1393-1405).",
        ),
        key=("child_id", "episode_id"),
    ),
    _table(
        "family_group_decision_meetings",
        "Family group decision making, mandatory before the PLO (001_8bebe4ae25a58006.txt:1854-1931).",
        CHILD_ID,
        _c("meeting_id", S, "Identifier.", required=True),
        _c("offered_date", D, "The meeting was offered."),
        _c("meeting_date", D, "The meeting took place."),
        _c("is_emergency_exemption", B, "Skipped because of a recorded emergency."),
        _c("outcome", S, "family_network_plan, support_at_home, pre_proceedings, none."),
        key=("child_id", "meeting_id"),
    ),
    _table(
        "family_network_plans",
        "Funded Family Network Plans: the child lives with family, not looked after "
        "(001_8bebe4ae25a58006.txt:1854-1931).",
        CHILD_ID,
        _c("plan_id", S, "Identifier.", required=True),
        _c("start_date", D, "The plan began.", required=True),
        _c("end_date", D, "The plan ended."),
        _c("carer_person_id", S, "The main family carer (family_members.person_id)."),
        _c("weekly_funding_gbp", pl.Float64, "Funding a week, £."),
        key=("child_id", "plan_id"),
    ),
    _table(
        "child_community_safety_plans",
        "Plans for extra-familial harm on the s47 basis; can run past 18 (001_8bebe4ae25a58006.txt:1499-1521).",
        CHILD_ID,
        _c("plan_id", S, "Identifier.", required=True),
        _c("start_date", D, "The plan began.", required=True),
        _c("end_date", D, "The plan ended."),
        _c("harm_type", S, "criminal_exploitation, sexual_exploitation, serious_violence, other."),
        key=("child_id", "plan_id"),
    ),
    _table(
        "proceedings",
        "Care proceedings (s31); 26-week limit (001_8bebe4ae25a58006.txt:1690).",
        CHILD_ID,
        _c("proceedings_id", S, "Identifier.", required=True),
        _c("issue_date", D, "The application was issued.", required=True),
        _c("final_hearing_date", D, "The final order was made."),
        _c(
            "outcome",
            S,
            "care_order, supervision_order, placement_order, special_guardianship_order, "
            "child_arrangements_order, no_order, withdrawn.",
        ),
        key=("child_id", "proceedings_id"),
    ),
    _table(
        "court_orders",
        "Orders made: care, supervision, placement, SGO, CAO.",
        CHILD_ID,
        _c("order_id", S, "Identifier.", required=True),
        _c(
            "order_type",
            S,
            "care_order, interim_care_order, supervision_order, placement_order, "
            "special_guardianship_order, child_arrangements_order.",
            required=True,
        ),
        _c("start_date", D, "The order was made.", required=True),
        _c("end_date", D, "The order ended."),
        key=("child_id", "order_id"),
    ),
)

SCHEMAS: Mapping[str, TableSchema] = {t.name: t for t in _TABLES}


def schema(name: str) -> TableSchema:
    """The schema of a canonical table, by name.

    Raises:
        UnknownCodeListError: never; :class:`KeyError` with the nearest names if the table is unknown.
    """
    try:
        return SCHEMAS[name]
    except KeyError:
        import difflib

        near = difflib.get_close_matches(name, list(SCHEMAS), n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise KeyError(f"no canonical table {name!r}{hint}; tables are {', '.join(SCHEMAS)}") from None
