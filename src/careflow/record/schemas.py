"""Request and response schemas (pydantic 2), split ``XBase / XCreate / XUpdate / XPublic``.

Event forms are small on purpose: each asks only what cannot be derived. A date left out is today; who is
allocated, deadlines, the stage, the return fields (RNE, category of need, legal status from the orders) and the
child's age band are derived. ``extra="forbid"`` everywhere: an unknown field is a 422, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "EVENT_FORMS",
    "AuditEntryPublic",
    "ChildCreate",
    "ChildPseudonymised",
    "ChildPublic",
    "ChildUpdate",
    "DeadlinePublic",
    "EventCreate",
    "EventPublic",
    "LoginRequest",
    "Page",
    "PersonCreate",
    "PersonPublic",
    "RelationshipPublic",
    "SessionPublic",
    "TaskCreate",
    "TaskPublic",
    "TeamCreate",
    "TeamPublic",
    "UserCreate",
    "UserPublic",
]

NOTE_MAX = 40_000  # a visit write-up runs to pages (about fifteen); the request body limit is 64 KiB
Name = Annotated[str, Field(min_length=1, max_length=100)]
Code = Annotated[str, Field(min_length=1, max_length=8, pattern=r"^[A-Za-z0-9]+$")]
Note = Annotated[str | None, Field(default=None, max_length=NOTE_MAX)]
Postcode = Annotated[str | None, Field(default=None, max_length=10, pattern=r"^[A-Za-z0-9 ]*$")]
Text = Annotated[str, Field(min_length=1, max_length=5000)]
OptionalText = Annotated[str | None, Field(default=None, max_length=5000)]
Money = Annotated[Decimal, Field(gt=0, le=100000, max_digits=9, decimal_places=2)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(_Public, Generic[T]):
    """One page of a list: the items, how many there are in all, and where this page starts."""

    items: list[T]
    total: int
    limit: int
    offset: int


# --- auth, users, teams -------------------------------------------------------------------------------------


class LoginRequest(_Model):
    """Username and password."""

    username: Annotated[str, Field(min_length=1, max_length=80)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class TeamCreate(_Model):
    """A new team (administrators)."""

    name: Annotated[str, Field(min_length=2, max_length=120)]
    kind: Literal["family_help", "child_protection", "children_in_care", "leaving_care", "other"]


class TeamPublic(_Public):
    """A team."""

    id: int
    name: str
    kind: str


class UserBase(_Model):
    """What identifies a user."""

    username: Annotated[str, Field(min_length=2, max_length=80, pattern=r"^[a-z0-9._-]+$")]
    display_name: Annotated[str, Field(min_length=1, max_length=120)]
    role: str
    team_id: int | None = None
    registration_number: Annotated[str | None, Field(default=None, max_length=20, pattern=r"^[A-Za-z0-9]+$")]


class UserCreate(UserBase):
    """A new user (admin only)."""

    password: Annotated[str, Field(min_length=12, max_length=200)]


class UserPublic(_Public):
    """A user as others see them."""

    id: int
    username: str
    display_name: str
    role: str
    team_id: int | None
    registration_number: str | None = None


class SessionPublic(_Public):
    """The answer to a login: who you are and the CSRF token to send as ``X-CSRF-Token``."""

    user: UserPublic
    csrf_token: str


# --- people and children ------------------------------------------------------------------------------------


class PersonBase(_Model):
    """A person's identity."""

    given_name: Name
    family_name: Name
    sex: Code | None = None
    date_of_birth: dt.date | None = None


class PersonCreate(PersonBase):
    """A family or network member added to a child's network."""

    relationship: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]
    has_parental_responsibility: bool = False
    nhs_number: str | None = None


class PersonPublic(_Public):
    """A person as the record shows them."""

    id: int
    given_name: str
    family_name: str
    sex: str | None
    date_of_birth: dt.date | None


class RelationshipPublic(_Public):
    """An edge of the family network."""

    id: int
    relationship: str
    has_parental_responsibility: bool
    is_significant: bool
    is_family_network_plan_carer: bool = False
    person: PersonPublic


class ChildBase(_Model):
    """A child's identity as a worker gives it at the first conversation."""

    given_name: Name
    family_name: Name
    date_of_birth: dt.date | None = None
    expected_date_of_birth: dt.date | None = None
    sex: Code
    nhs_number: str | None = None
    upn: str | None = None
    ethnicity: Code | None = None
    postcode: Postcode = None


class ChildCreate(ChildBase):
    """The first conversation about a child: who they are and who is worried. Everything else is derived."""

    referral_source: Code
    occurred_on: dt.date | None = None
    note: Note = None
    is_not_a_duplicate: bool = False  # ticked after a possible-duplicate warning: open a new record anyway


class ChildUpdate(_Model):
    """A correction to a child's identity; ``version`` must be the one last read (else 409)."""

    version: int
    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: dt.date | None = None
    sex: Code | None = None
    nhs_number: str | None = None
    upn: str | None = None
    ethnicity: Code | None = None
    postcode: Postcode = None


class AllocationPublic(_Public):
    """Who works with the child."""

    user_id: int
    display_name: str
    role_on_case: str
    start_date: dt.date


class DeadlinePublic(_Public):
    """A computed statutory deadline."""

    id: int
    child_id: int
    kind: str
    label: str
    due_date: dt.date
    basis_date: dt.date
    parameter: str
    status: Literal["overdue", "due_soon", "upcoming", "met", "cancelled"]


class ChildPublic(_Public):
    """A child's record header, as an allocated worker sees it."""

    id: int
    la_child_id: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    expected_date_of_birth: dt.date | None
    sex: str | None
    nhs_number: str | None
    upn: str | None
    ethnicity: str | None
    postcode: str | None
    age: int | None
    stage: str
    stage_since: dt.date
    team_id: int | None
    version: int
    allocations: list[AllocationPublic] = []
    deadlines: list[DeadlinePublic] = []


class ChildPseudonymised(_Public):
    """A child as an analyst sees them: no name, no identifiers, no date of birth, no free text."""

    pseudonym: str
    age_band: str
    sex: str | None
    ethnicity: str | None
    stage: str
    stage_since: str  # the quarter (2025-Q2) or year the stage began, or * (services/disclosure.py)
    team_id: int | None
    open_deadlines: int
    overdue_deadlines: int


class EventPublic(_Public):
    """An event on the child's timeline."""

    id: int
    kind: str
    label: str
    occurred_on: dt.date
    recorded_at: dt.datetime
    recorded_by: str | None
    payload: dict[str, object]
    note: str | None
    child_version: int | None = None
    details: list[tuple[str, str]] = []  # the payload as people read it: (field label, value label)
    recorded_late_days: int = 0  # days between the date it happened and the day it was recorded
    corrects_event_id: int | None = None
    corrected_by: list[int] = []  # the corrections and retractions of this event
    is_retracted: bool = False


class TaskCreate(_Model):
    """A task on a child's record: what, by when, for whom (yourself if left out), a reminder date."""

    title: Annotated[str, Field(min_length=1, max_length=300)]
    due_on: dt.date
    assigned_to_id: int | None = None
    remind_on: dt.date | None = None


class TaskPublic(_Public):
    """A task as the worker sees it."""

    id: int
    child_id: int
    child_name: str
    title: str
    assigned_to_id: int | None
    assigned_to: str | None
    due_date: dt.date
    remind_on: dt.date | None
    is_done: bool
    is_overdue: bool
    is_reminder_due: bool


class AuditEntryPublic(_Public):
    """Who did what to a child's record, and when."""

    id: int
    at: dt.datetime
    username: str | None
    role: str | None
    action: str
    entity: str | None
    entity_id: int | None


# --- event forms: one small form per event ------------------------------------------------------------------


class EventBase(_Model):
    """What every event form has: the record version the worker saw, a date (today if left out), a note."""

    version: int
    occurred_on: dt.date | None = None
    note: Note = None


class ConversationForm(EventBase):
    """A new conversation about a child whose case was closed."""

    kind: Literal["conversation"]
    referral_source: Code


class FamilyHelpStartedForm(EventBase):
    """Family Help starts; the recorder becomes key worker (or keeps the one allocated)."""

    kind: Literal["family_help_started"]
    primary_need: Code
    supervising_social_worker_id: int | None = None


class NoFurtherActionForm(EventBase):
    """The conversation needs nothing more."""

    kind: Literal["no_further_action"]


class AssessmentCompletedForm(EventBase):
    """A whole-family assessment completed; factors are CIN census assessment factor codes."""

    kind: Literal["assessment_completed"]
    factors: Annotated[list[Code], Field(default_factory=list, max_length=30)]
    # Whole-family items (002_880cb965cd4cce85.txt:125-128): who the family are and how they get on.
    household: OptionalText = None
    family_relationships: OptionalText = None
    parents_needs: OptionalText = None


class Section47StartedForm(EventBase):
    """The ECPP decides the significant-harm threshold is met; they co-work the case from now."""

    kind: Literal["section_47_started"]


class InitialConferenceHeldForm(EventBase):
    """The initial child protection conference and the ECPP's decision."""

    kind: Literal["initial_conference_held"]
    outcome: Literal["plan", "no_plan"]
    category_of_abuse: Code | None = None


class Section47ConcludedForm(EventBase):
    """The enquiry ends without a conference."""

    kind: Literal["section_47_concluded"]


class ChildProtectionReviewHeldForm(EventBase):
    """A review conference; the plan continues unless it says otherwise."""

    kind: Literal["child_protection_review_held"]
    is_plan_continued: bool = True
    latest_category_of_abuse: Code | None = None


class ChildProtectionPlanEndedForm(EventBase):
    """The plan ends (Family Help continues)."""

    kind: Literal["child_protection_plan_ended"]


class CommunitySafetyPlanStartedForm(EventBase):
    """A Child Community Safety Plan for harm outside the home."""

    kind: Literal["community_safety_plan_started"]
    harm_type: Literal["criminal_exploitation", "sexual_exploitation", "serious_violence", "other"]


class CommunitySafetyPlanEndedForm(EventBase):
    """The Child Community Safety Plan ends."""

    kind: Literal["community_safety_plan_ended"]


class FamilyGroupMeetingHeldForm(EventBase):
    """A family group decision-making meeting and what the family decided."""

    kind: Literal["family_group_meeting_held"]
    # The five outcomes of 001_8bebe4ae25a58006.txt:1878-1884 (permanence with family: a Special Guardianship or
    # Child Arrangements Order), then pre-proceedings or none agreed.
    outcome: Literal["family_network_plan", "support_at_home", "shared_care",
                     "permanence_with_family", "local_authority_plan_for_care", "pre_proceedings",
                     "none"]
    offered_on: dt.date | None = None
    possible_foster_carers: OptionalText = None


class EmergencyRecordedForm(EventBase):
    """An emergency: no time for family group decision making before going to court."""

    kind: Literal["emergency_recorded"]
    reason: Annotated[str, Field(min_length=3, max_length=500)]


class FamilyNetworkPlanStartedForm(EventBase):
    """A funded Family Network Plan with a carer from the child's network."""

    kind: Literal["family_network_plan_started"]
    carer_person_id: int
    weekly_funding_gbp: Annotated[Decimal, Field(ge=0, le=10000, max_digits=8, decimal_places=2)]
    # The items of a Family Network Plan (001_8bebe4ae25a58006.txt:1886-1893); support items are added one by one.
    purpose: Text
    success_measures: Text
    planned_end_on: dt.date | None = None
    accommodation: OptionalText = None
    monitoring: OptionalText = None


class FamilyNetworkPlanEndedForm(EventBase):
    """The Family Network Plan ends."""

    kind: Literal["family_network_plan_ended"]


class PreProceedingsStartedForm(EventBase):
    """The ECPP decides to go to pre-proceedings; the letter before proceedings goes the same day if not said."""

    kind: Literal["pre_proceedings_started"]
    letter_before_proceedings_on: dt.date | None = None


class PreProceedingsEndedForm(EventBase):
    """Pre-proceedings end without going to court."""

    kind: Literal["pre_proceedings_ended"]


class ProceedingsIssuedForm(EventBase):
    """Care proceedings issued."""

    kind: Literal["proceedings_issued"]


ORDER_TYPES = Literal["interim_care_order", "care_order", "supervision_order", "placement_order",
                      "special_guardianship_order", "child_arrangements_order", "no_order"]


class OrderMadeForm(EventBase):
    """An order made by the court; a final order ends the proceedings."""

    kind: Literal["order_made"]
    order_type: ORDER_TYPES


LocalAuthorityCode = Annotated[str | None, Field(default=None, pattern=r"^\d{3}$")]


class LookedAfterStartedForm(EventBase):
    """The child starts to be looked after; legal status is derived from the orders unless given.

    Previous permanence (an adoption, special guardianship or child arrangements order before this period of care)
    is derived when the record holds it; otherwise the worker may say it (SSDA903 PREV_PERM codes, with the local
    authority and date for P1 to P3), and an unanswered question is returned as "unknown".
    """

    kind: Literal["looked_after_started"]
    placement_type: Code
    placement_provider: Code
    legal_status: Code | None = None
    placement_postcode: Postcode = None
    urn: Annotated[str | None, Field(default=None, max_length=10, pattern=r"^[A-Za-z0-9]*$")]
    is_unaccompanied_asylum_seeking: bool = False
    previous_permanence: Code | None = None
    previous_permanence_local_authority: LocalAuthorityCode = None
    previous_permanence_date: dt.date | None = None


class PlacementChangedForm(EventBase):
    """The child moves placement."""

    kind: Literal["placement_changed"]
    placement_type: Code
    placement_provider: Code
    reason_placement_change: Code
    is_same_carer: bool = False
    placement_postcode: Postcode = None


class LegalStatusChangedForm(EventBase):
    """The legal status changes without an order recorded here (e.g. s20 to police protection)."""

    kind: Literal["legal_status_changed"]
    legal_status: Code


class LookedAfterReviewHeldForm(EventBase):
    """A looked-after review and how the child took part."""

    kind: Literal["looked_after_review_held"]
    participation: Code


class LookedAfterEndedForm(EventBase):
    """The child stops being looked after; care-leaver status is derived from age and time in care."""

    kind: Literal["looked_after_ended"]
    reason_episode_ceased: Code


class VisitMadeForm(EventBase):
    """A visit to the child."""

    kind: Literal["visit_made"]
    is_seen_alone: bool = False


class PathwayPlanReviewedForm(EventBase):
    """The care leaver's pathway plan reviewed."""

    kind: Literal["pathway_plan_reviewed"]


class StayingArrangementStartedForm(EventBase):
    """Staying Put with former foster carers, or Staying Close after residential care."""

    kind: Literal["staying_arrangement_started"]
    arrangement: Literal["staying_put", "staying_close"]


class AdvocateAssignedForm(EventBase):
    """An independent advocate works with the child."""

    kind: Literal["advocate_assigned"]
    advocate_id: int


class WorkerAllocatedForm(EventBase):
    """A team manager allocates a worker to the child; why a social worker changed is a management decision
    unless the manager says otherwise (SSDA903 SW_REASON codes)."""

    kind: Literal["worker_allocated"]
    user_id: int
    role_on_case: Literal["key_worker", "supervising_social_worker", "social_worker",
                          "expert_child_protection_practitioner", "personal_adviser"]
    reason_for_change: Code | None = None


class MissingStartedForm(EventBase):
    """A looked-after child is missing (whereabouts not known) or away from placement without authorisation."""

    kind: Literal["missing_started"]
    missing_type: Literal["missing", "away_without_authorisation"]


class MissingEndedForm(EventBase):
    """The child is back."""

    kind: Literal["missing_ended"]


class AdoptionDecisionMadeForm(EventBase):
    """The agency decision maker decides the child should be placed for adoption."""

    kind: Literal["adoption_decision_made"]


class AdoptionMatchMadeForm(EventBase):
    """The child is matched with adopters; their number is derived from the sex code (M1/F1 single, else a
    couple) and a single adopter's legal status is L0."""

    kind: Literal["adoption_match_made"]
    sex_of_adopters: Code
    legal_status_of_adopters: Code | None = None
    is_foster_carer_adoption: bool = False


class AdoptionDecisionReversedForm(EventBase):
    """The child should no longer be placed for adoption."""

    kind: Literal["adoption_decision_reversed"]
    reason_adoption_decision_reversed: Code


class HealthCheckHeldForm(EventBase):
    """A looked-after child's health assessment, dental check, or (under fives) developmental check."""

    kind: Literal["health_check_held"]
    check: Literal["health_assessment", "dental_check", "development_check"]
    is_immunisations_up_to_date: bool = False


class StrengthsDifficultiesRecordedForm(EventBase):
    """A strengths and difficulties questionnaire score (0 to 40), or why there is none."""

    kind: Literal["strengths_difficulties_recorded"]
    score: Annotated[int | None, Field(default=None, ge=0, le=40)]
    reason_no_score: Code | None = None


class ConvictionRecordedForm(EventBase):
    """A looked-after child was convicted of an offence."""

    kind: Literal["conviction_recorded"]


class SubstanceMisuseIdentifiedForm(EventBase):
    """A substance misuse problem identified; whether an intervention was offered and received."""

    kind: Literal["substance_misuse_identified"]
    is_intervention_offered: bool = False
    is_intervention_received: bool = False


class CareLeaverContactRecordedForm(EventBase):
    """Contact with a care leaver; activity and accommodation are asked only when the young person is in touch."""

    kind: Literal["care_leaver_contact_recorded"]
    in_touch: Code
    activity: Code | None = None
    accommodation: Code | None = None


class FamilyMemberAddedForm(EventBase):
    """Someone who matters to the child joins their network."""

    kind: Literal["family_member_added"]
    given_name: Name
    family_name: Name
    relationship: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]
    has_parental_responsibility: bool = False
    date_of_birth: dt.date | None = None


class NoteAddedForm(EventBase):
    """A case note (of any practical length; an empty one is refused)."""

    kind: Literal["note_added"]
    note: Annotated[str, Field(min_length=1, max_length=NOTE_MAX)]

    @field_validator("note", mode="before")
    @classmethod
    def _note_required(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("a case note needs some text")
        return value


# --- corrections, oversight and work -------------------------------------------------------------------------


class EventCorrectedForm(EventBase):
    """An earlier event was wrong: what is right now, and why. The earlier event stays as it was recorded."""

    kind: Literal["event_corrected"]
    corrects_event_id: int
    reason: Text
    correction: Text
    corrected_occurred_on: dt.date | None = None
    # The right values of the corrected event's fields (its form's names: ``{"placement_type": "U3"}``); the
    # episodes of care are rebuilt from them (services/correction_events.py says which events and fields).
    corrected_values: dict[str, str | bool | None] | None = None


class EventRetractedForm(EventBase):
    """An earlier event should not have been recorded (wrong child, never happened): it stays, marked retracted."""

    kind: Literal["event_retracted"]
    corrects_event_id: int
    reason: Text


class ManagerSignedOffForm(EventBase):
    """A team manager signs off an assessment or a plan (or returns it for more work)."""

    kind: Literal["manager_signed_off"]
    signed_off_event_id: int
    decision: Literal["approved", "returned_for_more_work"]


class SupervisionRecordedForm(EventBase):
    """Case supervision: what was discussed and decided (the note is required)."""

    kind: Literal["supervision_recorded"]
    note: Annotated[str, Field(min_length=1, max_length=NOTE_MAX)]
    actions: OptionalText = None


# --- the reformed services' content --------------------------------------------------------------------------


class FamilyHelpPlanMadeForm(EventBase):
    """A Family Help plan: the family's goals; services are added to it one by one; reviewed on a clock."""

    kind: Literal["family_help_plan_made"]
    goals: Text


PLAN_ITEM_KINDS = Literal["service", "practical_support", "financial_support", "accommodation", "additional_support"]


class PlanSupportAddedForm(EventBase):
    """A service or support in the Family Help plan or Family Network Plan: what, who delivers it, to whom,
    from when, until when, how much (001_8bebe4ae25a58006.txt:1890-1892)."""

    kind: Literal["plan_support_added"]
    plan: Literal["family_help", "family_network"]
    item: PLAN_ITEM_KINDS
    description: Text
    provided_by: Annotated[str, Field(min_length=1, max_length=200)]
    recipient: Annotated[str | None, Field(default=None, max_length=200)]
    ends_on: dt.date | None = None
    amount_gbp: Annotated[Decimal | None, Field(default=None, gt=0, le=100000, max_digits=9, decimal_places=2)]


class FamilyNetworkPlanReviewedForm(EventBase):
    """A review point of the Family Network Plan: progress against its success measures."""

    kind: Literal["family_network_plan_reviewed"]
    progress: Text


class BudgetSpentForm(EventBase):
    """A payment from the devolved Family Help budget, within the spender's limit (001…:745, 901)."""

    kind: Literal["budget_spent"]
    amount_gbp: Money
    purpose: Annotated[str, Field(min_length=1, max_length=500)]


class BenefitsCheckDoneForm(EventBase):
    """A benefits and income check with the family (001_8bebe4ae25a58006.txt:1259)."""

    kind: Literal["benefits_check_done"]
    outcome: Literal["no_change", "new_claim", "increased_award", "debt_advice", "referred_to_benefits_adviser"]
    weekly_gain_gbp: Annotated[Decimal | None, Field(default=None, ge=0, le=10000, max_digits=8, decimal_places=2)]


class KinshipCarerRecordedForm(EventBase):
    """A kinship carer from the child's network and their support (001_8bebe4ae25a58006.txt:1965-2022)."""

    kind: Literal["kinship_carer_recorded"]
    carer_person_id: int
    arrangement: Literal["family_network_plan", "special_guardianship_order", "child_arrangements_order",
                         "kinship_foster_care", "informal"]
    weekly_allowance_gbp: Annotated[Decimal | None, Field(default=None, ge=0, le=10000, max_digits=8,
                                                          decimal_places=2)]
    has_legal_aid: bool = False
    has_employment_leave: bool = False
    has_peer_support: bool = False


class AdvocacyDeclinedForm(EventBase):
    """The child, told about their advocate, does not want one (opt-out advocacy, 001…:2481-2559)."""

    kind: Literal["advocacy_declined"]
    reason: Text


class AdvocacyEscalatedForm(EventBase):
    """The child's advocate escalates a concern the child raised."""

    kind: Literal["advocacy_escalated"]
    concern: Text
    escalated_to: Annotated[str, Field(min_length=1, max_length=200)]


class TransitionPlanMadeForm(EventBase):
    """Planning a disabled young person's move to adult services (001_8bebe4ae25a58006.txt:1214-1237)."""

    kind: Literal["transition_plan_made"]
    adult_services_contact: Annotated[str, Field(min_length=1, max_length=200)]
    plan: Text


class CaseClosedForm(EventBase):
    """The case closes (CIN census reason for closure)."""

    kind: Literal["case_closed"]
    reason_for_closure: Code


_FORMS = (
    ConversationForm, FamilyHelpStartedForm, NoFurtherActionForm, AssessmentCompletedForm, Section47StartedForm,
    InitialConferenceHeldForm, Section47ConcludedForm, ChildProtectionReviewHeldForm, ChildProtectionPlanEndedForm,
    CommunitySafetyPlanStartedForm, CommunitySafetyPlanEndedForm, FamilyGroupMeetingHeldForm, EmergencyRecordedForm,
    FamilyNetworkPlanStartedForm, FamilyNetworkPlanEndedForm, PreProceedingsStartedForm, PreProceedingsEndedForm,
    ProceedingsIssuedForm, OrderMadeForm, LookedAfterStartedForm, PlacementChangedForm, LegalStatusChangedForm,
    LookedAfterReviewHeldForm, LookedAfterEndedForm, VisitMadeForm, PathwayPlanReviewedForm,
    StayingArrangementStartedForm, AdvocateAssignedForm, WorkerAllocatedForm, FamilyMemberAddedForm, NoteAddedForm,
    CaseClosedForm, MissingStartedForm, MissingEndedForm, AdoptionDecisionMadeForm, AdoptionMatchMadeForm,
    AdoptionDecisionReversedForm, HealthCheckHeldForm, StrengthsDifficultiesRecordedForm, ConvictionRecordedForm,
    SubstanceMisuseIdentifiedForm, CareLeaverContactRecordedForm,
    EventCorrectedForm, EventRetractedForm, ManagerSignedOffForm, SupervisionRecordedForm, FamilyHelpPlanMadeForm,
    PlanSupportAddedForm, FamilyNetworkPlanReviewedForm, BudgetSpentForm, BenefitsCheckDoneForm,
    KinshipCarerRecordedForm, AdvocacyDeclinedForm, AdvocacyEscalatedForm, TransitionPlanMadeForm,
)
EVENT_FORMS: dict[str, type[EventBase]] = {f.model_fields["kind"].annotation.__args__[0]: f for f in _FORMS}  # type: ignore[union-attr]

EventCreate = Annotated[
    ConversationForm | FamilyHelpStartedForm | NoFurtherActionForm | AssessmentCompletedForm | Section47StartedForm
    | InitialConferenceHeldForm | Section47ConcludedForm | ChildProtectionReviewHeldForm
    | ChildProtectionPlanEndedForm | CommunitySafetyPlanStartedForm | CommunitySafetyPlanEndedForm
    | FamilyGroupMeetingHeldForm | EmergencyRecordedForm | FamilyNetworkPlanStartedForm | FamilyNetworkPlanEndedForm
    | PreProceedingsStartedForm | PreProceedingsEndedForm | ProceedingsIssuedForm | OrderMadeForm
    | LookedAfterStartedForm | PlacementChangedForm | LegalStatusChangedForm | LookedAfterReviewHeldForm
    | LookedAfterEndedForm | VisitMadeForm | PathwayPlanReviewedForm | StayingArrangementStartedForm
    | AdvocateAssignedForm | WorkerAllocatedForm | FamilyMemberAddedForm | NoteAddedForm | CaseClosedForm
    | MissingStartedForm | MissingEndedForm | AdoptionDecisionMadeForm | AdoptionMatchMadeForm
    | AdoptionDecisionReversedForm | HealthCheckHeldForm | StrengthsDifficultiesRecordedForm | ConvictionRecordedForm
    | SubstanceMisuseIdentifiedForm | CareLeaverContactRecordedForm
    | EventCorrectedForm | EventRetractedForm | ManagerSignedOffForm | SupervisionRecordedForm | FamilyHelpPlanMadeForm
    | PlanSupportAddedForm | FamilyNetworkPlanReviewedForm | BudgetSpentForm | BenefitsCheckDoneForm
    | KinshipCarerRecordedForm | AdvocacyDeclinedForm | AdvocacyEscalatedForm | TransitionPlanMadeForm,
    Field(discriminator="kind"),
]
"""Any event form, told apart by ``kind``."""
