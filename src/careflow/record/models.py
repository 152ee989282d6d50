"""Database tables of the case record (SQLAlchemy 2 declarative models).

The record follows the reformed pathway (DOMAIN.md §3): a child's first conversation, Family Help
(``001_8bebe4ae25a58006.txt:703-951``), expert-led child protection (``:1393-1405``), family group decision making
and Family Network Plans (``:1854-1931``), proceedings and orders, care, and leaving care. What a worker types is
kept in :class:`Event` rows; the statutory tables (referrals, plans, episodes…) and :class:`Deadline` rows are
derived from the events in the same transaction, so the returns and the clocks never need typing twice.

Every schema change is an Alembic migration in ``careflow/record/migrations/versions``; a test checks that these
models and the migrations agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from careflow.record import names

__all__ = [
    "AdoptionPlan",
    "Advocacy",
    "Allocation",
    "Assessment",
    "AuditChain",
    "AuditEntry",
    "Base",
    "BudgetEntry",
    "CareLeaverArrangement",
    "CareLeaverContact",
    "Child",
    "ChildCommunitySafetyPlan",
    "ChildProtectionConference",
    "ChildProtectionPlan",
    "Conviction",
    "CourtOrder",
    "Deadline",
    "Event",
    "FamilyGroupMeeting",
    "FamilyHelpEpisode",
    "FamilyHelpPlan",
    "FamilyNetworkPlan",
    "HealthCheck",
    "KinshipCarer",
    "LoginSession",
    "LookedAfterEpisode",
    "LookedAfterReview",
    "MissingEpisode",
    "PartnerLink",
    "PartnerLoad",
    "PartnerRecord",
    "PartnerReview",
    "PathwayPlan",
    "Person",
    "PlanItem",
    "PreProceedings",
    "PreviousPermanence",
    "Proceedings",
    "Referral",
    "Relationship",
    "Section47Enquiry",
    "StrengthsDifficultiesScore",
    "SubstanceMisuse",
    "Task",
    "Team",
    "UnaccompaniedAsylumSeekingPeriod",
    "User",
    "Visit",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite only autoincrements INTEGER PRIMARY KEY


class Base(DeclarativeBase):
    """Base of every record table."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        dt.datetime: DateTime(timezone=True),
        Decimal: Numeric(10, 2),
    }


def _id() -> Mapped[int]:
    return mapped_column(ID, primary_key=True, autoincrement=True)


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return mapped_column(ID, ForeignKey(target), nullable=nullable, index=index)


def _code(nullable: bool = True) -> Any:
    return mapped_column(String(8), nullable=nullable)


# --- people and organisation --------------------------------------------------------------------------------


class Team(Base):
    """A team: a Family Help Team, a child protection team, a children-in-care or leaving-care team."""

    __tablename__ = "teams"
    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class User(Base):
    """A worker or other user, with one role and (for practitioners and managers) one team."""

    __tablename__ = "users"
    id: Mapped[int] = _id()
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(40))
    team_id: Mapped[int | None] = _fk("teams.id", nullable=True)
    # Social Work England registration number: the SSDA903 identifies a child's social worker by it (SW_ID).
    registration_number: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)

    team: Mapped[Team | None] = relationship()


class LoginSession(Base):
    """A login session: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = _id()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = _fk("users.id")
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column()
    expires_at: Mapped[dt.datetime] = mapped_column()

    user: Mapped[User] = relationship()


class Person(Base):
    """A person: a child, a parent, a carer or someone in the family network."""

    __tablename__ = "people"
    id: Mapped[int] = _id()
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str | None] = _code()
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    expected_date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    date_of_death: Mapped[dt.date | None] = mapped_column(Date)
    ethnicity: Mapped[str | None] = _code()
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True)
    upn: Mapped[str | None] = mapped_column(String(13))
    postcode: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)
    # What search compares (careflow.record.names), kept up to date whenever the names change.
    name_key: Mapped[str | None] = mapped_column(String(210))
    phonetic_key: Mapped[str | None] = mapped_column(String(210))
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it as a class attribute)


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _person_search_keys(_mapper: Any, _connection: Any, person: Person) -> None:
    person.name_key = names.name_key(person.given_name, person.family_name)
    person.phonetic_key = names.phonetic_key(person.given_name, person.family_name)


class Child(Base):
    """A child's record: who they are, where they are on the pathway, which team holds the case.

    ``stage`` and ``stage_since`` are derived from events; ``version`` is the optimistic lock every write checks.
    """

    __tablename__ = "children"
    id: Mapped[int] = _id()
    person_id: Mapped[int] = mapped_column(ID, ForeignKey("people.id"), unique=True)
    la_child_id: Mapped[str] = mapped_column(String(20), unique=True)
    team_id: Mapped[int | None] = _fk("teams.id", nullable=True)
    stage: Mapped[str] = mapped_column(String(40), index=True)
    stage_since: Mapped[dt.date] = mapped_column(Date)
    primary_need: Mapped[str | None] = _code()
    disabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The service sets the next version itself, once per change, and every UPDATE checks the old one.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    person: Mapped[Person] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship()


class Relationship(Base):
    """An edge of the child's family network: who matters to the child (``000_dab62616b6dfd7b9.txt`` ch. 1)."""

    __tablename__ = "relationships"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    person_id: Mapped[int] = _fk("people.id")
    kind: Mapped[str] = mapped_column("relationship", String(40))  # mother, grandparent, friend, foster_carer…
    has_parental_responsibility: Mapped[bool] = mapped_column(Boolean, default=False)
    is_significant: Mapped[bool] = mapped_column(Boolean, default=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(lazy="joined")


class Allocation(Base):
    """Who works with the child, in what capacity, from when to when (derived from events)."""

    __tablename__ = "allocations"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    user_id: Mapped[int] = _fk("users.id", index=False)
    role_on_case: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = _code()  # why a social worker changed (SSDA903 SW_REASON code)
    __table_args__ = (Index("ix_allocations_user_open", "user_id", "end_date"),)

    user: Mapped[User] = relationship()


class Event(Base):
    """One thing that happened, as a worker recorded it: the only place typed values live."""

    __tablename__ = "events"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id", index=False)
    kind: Mapped[str] = mapped_column(String(60))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column()
    recorded_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    # A correction or retraction points to the event it corrects; nothing is ever overwritten.
    corrects_event_id: Mapped[int | None] = _fk("events.id", nullable=True, index=False)
    __table_args__ = (Index("ix_events_child_occurred", "child_id", "occurred_on", "id"),)

    recorded_by: Mapped[User | None] = relationship()


class Deadline(Base):
    """A statutory deadline, computed from an event and a dated parameter; met or cancelled by later events."""

    __tablename__ = "deadlines"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id", index=False)
    kind: Mapped[str] = mapped_column(String(60))
    due_date: Mapped[dt.date] = mapped_column(Date)
    basis_date: Mapped[dt.date] = mapped_column(Date)
    parameter: Mapped[str] = mapped_column(String(120))
    opened_by_event_id: Mapped[int | None] = _fk("events.id", nullable=True, index=False)
    met_date: Mapped[dt.date | None] = mapped_column(Date)
    met_by_event_id: Mapped[int | None] = _fk("events.id", nullable=True, index=False)
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        Index("ix_deadlines_child_open", "child_id", "met_date", "is_cancelled"),
        Index("ix_deadlines_due", "due_date"),
    )


# --- the CIN census side: referrals, Family Help, child protection -------------------------------------------


class Referral(Base):
    """A first conversation about a child: opens a CIN census episode (a "referral" in the returns)."""

    __tablename__ = "referrals"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    sequence: Mapped[int] = mapped_column(Integer)
    referral_date: Mapped[dt.date] = mapped_column(Date)
    referral_source: Mapped[str | None] = _code()
    primary_need: Mapped[str | None] = _code()
    closure_date: Mapped[dt.date | None] = mapped_column(Date)
    reason_for_closure: Mapped[str | None] = _code()
    is_no_further_action: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (UniqueConstraint("child_id", "sequence"),)


class FamilyHelpEpisode(Base):
    """Family Help: key worker, supervising social worker and, where harm emerges, an ECPP co-working."""

    __tablename__ = "family_help_episodes"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    referral_id: Mapped[int | None] = _fk("referrals.id", nullable=True, index=False)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    team_id: Mapped[int | None] = _fk("teams.id", nullable=True, index=False)
    key_worker_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    supervising_social_worker_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    expert_child_protection_practitioner_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)


class Assessment(Base):
    """A whole-family (s17) assessment."""

    __tablename__ = "assessments"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    referral_id: Mapped[int | None] = _fk("referrals.id", nullable=True, index=False)
    start_date: Mapped[dt.date] = mapped_column(Date)
    authorisation_date: Mapped[dt.date | None] = mapped_column(Date)
    factors: Mapped[list[str]] = mapped_column(JSON, default=list)


class Section47Enquiry(Base):
    """A section 47 enquiry, started on the ECPP's decision that the significant-harm threshold is met."""

    __tablename__ = "section47_enquiries"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    referral_id: Mapped[int | None] = _fk("referrals.id", nullable=True, index=False)
    start_date: Mapped[dt.date] = mapped_column(Date)
    initial_conference_target_date: Mapped[dt.date] = mapped_column(Date)
    initial_conference_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    is_conference_not_required: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)


class ChildProtectionPlan(Base):
    """A child protection plan."""

    __tablename__ = "child_protection_plans"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    referral_id: Mapped[int | None] = _fk("referrals.id", nullable=True, index=False)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    initial_category_of_abuse: Mapped[str | None] = _code()
    latest_category_of_abuse: Mapped[str | None] = _code()


class ChildProtectionConference(Base):
    """An initial or review child protection conference and its decision."""

    __tablename__ = "child_protection_conferences"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    plan_id: Mapped[int | None] = _fk("child_protection_plans.id", nullable=True, index=False)
    enquiry_id: Mapped[int | None] = _fk("section47_enquiries.id", nullable=True, index=False)
    kind: Mapped[str] = mapped_column(String(20))
    conference_date: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(40))
    decided_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)


class ChildCommunitySafetyPlan(Base):
    """A plan for extra-familial harm on the s47 basis; it may run past 18 (``001…:1499-1521``)."""

    __tablename__ = "child_community_safety_plans"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    harm_type: Mapped[str] = mapped_column(String(40))


class FamilyGroupMeeting(Base):
    """Family group decision making, or a recorded emergency that goes straight to the court."""

    __tablename__ = "family_group_meetings"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    offered_date: Mapped[dt.date | None] = mapped_column(Date)
    meeting_date: Mapped[dt.date | None] = mapped_column(Date)
    is_emergency_exemption: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_reason: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[str | None] = mapped_column(String(40))
    possible_foster_carers: Mapped[str | None] = mapped_column(Text)  # adults known to the child (001…:1884)


class FamilyNetworkPlan(Base):
    """A funded Family Network Plan: the child lives in the family network and is not looked after."""

    __tablename__ = "family_network_plans"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    carer_person_id: Mapped[int | None] = _fk("people.id", nullable=True, index=False)
    weekly_funding_gbp: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # The items of a Family Network Plan (001_8bebe4ae25a58006.txt:1886-1893); support items are PlanItem rows.
    purpose: Mapped[str | None] = mapped_column(Text)
    success_measures: Mapped[str | None] = mapped_column(Text)
    planned_end_date: Mapped[dt.date | None] = mapped_column(Date)
    accommodation: Mapped[str | None] = mapped_column(Text)
    monitoring: Mapped[str | None] = mapped_column(Text)


class PreProceedings(Base):
    """Pre-proceedings under the Public Law Outline, decided by the ECPP after family group decision making."""

    __tablename__ = "pre_proceedings"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    referral_id: Mapped[int | None] = _fk("referrals.id", nullable=True, index=False)
    start_date: Mapped[dt.date] = mapped_column(Date)
    letter_before_proceedings_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(40))


class Proceedings(Base):
    """Care proceedings (s31 Children Act 1989)."""

    __tablename__ = "proceedings"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    issue_date: Mapped[dt.date] = mapped_column(Date)
    final_hearing_date: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(40))


class CourtOrder(Base):
    """An order: interim care, care, supervision, placement, special guardianship, child arrangements."""

    __tablename__ = "court_orders"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    proceedings_id: Mapped[int | None] = _fk("proceedings.id", nullable=True, index=False)
    order_type: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


# --- the SSDA903 side: care and leaving care ----------------------------------------------------------------


class LookedAfterEpisode(Base):
    """An episode of care: a new row at each change of legal status or placement (as the SSDA903 counts them)."""

    __tablename__ = "looked_after_episodes"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    reason_new_episode: Mapped[str] = _code(nullable=False)
    legal_status: Mapped[str] = _code(nullable=False)
    category_of_need: Mapped[str | None] = _code()
    placement_type: Mapped[str] = _code(nullable=False)
    placement_provider: Mapped[str | None] = _code()
    reason_episode_ceased: Mapped[str | None] = _code()
    reason_placement_change: Mapped[str | None] = _code()
    home_postcode: Mapped[str | None] = mapped_column(String(10))
    placement_postcode: Mapped[str | None] = mapped_column(String(10))
    urn: Mapped[str | None] = mapped_column(String(10))


class LookedAfterReview(Base):
    """A statutory review of a looked-after child."""

    __tablename__ = "looked_after_reviews"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    review_date: Mapped[dt.date] = mapped_column(Date)
    participation: Mapped[str | None] = _code()


class Visit(Base):
    """A statutory visit to the child."""

    __tablename__ = "visits"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    visit_date: Mapped[dt.date] = mapped_column(Date)
    is_seen_alone: Mapped[bool] = mapped_column(Boolean, default=False)


class Advocacy(Base):
    """An independent advocate working with the child (opt-out advocacy)."""

    __tablename__ = "advocacy"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    advocate_id: Mapped[int] = _fk("users.id", index=False)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class PathwayPlan(Base):
    """A care leaver's pathway plan and its reviews (each review is an event; the plan holds the latest)."""

    __tablename__ = "pathway_plans"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    start_date: Mapped[dt.date] = mapped_column(Date)
    latest_review_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class CareLeaverArrangement(Base):
    """Staying Put (with former foster carers) or Staying Close (after residential care), to 23."""

    __tablename__ = "care_leaver_arrangements"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    kind: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class MissingEpisode(Base):
    """A looked-after child missing from care (whereabouts not known, code M) or away from placement without
    authorisation (whereabouts known, code A), until they return."""

    __tablename__ = "missing_episodes"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    missing_type: Mapped[str] = _code(nullable=False)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class UnaccompaniedAsylumSeekingPeriod(Base):
    """A child looked after as an unaccompanied asylum-seeking child; the status ends at 18 at the latest."""

    __tablename__ = "unaccompanied_asylum_seeking_periods"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class PreviousPermanence(Base):
    """Whether the child had a permanence order before a period of care (adoption, SGO, CAO), said or derived."""

    __tablename__ = "previous_permanence"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    period_start_date: Mapped[dt.date] = mapped_column(Date)
    permanence: Mapped[str | None] = _code()  # SSDA903 PREV_PERM code; None when nobody said and none is held
    local_authority_code: Mapped[str | None] = mapped_column(String(3))
    permanence_date: Mapped[dt.date | None] = mapped_column(Date)
    is_derived: Mapped[bool] = mapped_column(Boolean, default=False)


class AdoptionPlan(Base):
    """The decision that a child should be placed for adoption, the match with adopters, or the decision reversed."""

    __tablename__ = "adoption_plans"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    decision_date: Mapped[dt.date] = mapped_column(Date)
    matched_date: Mapped[dt.date | None] = mapped_column(Date)
    number_of_adopters: Mapped[int | None] = mapped_column(Integer)
    sex_of_adopters: Mapped[str | None] = _code()
    legal_status_of_adopters: Mapped[str | None] = _code()
    is_foster_carer_adoption: Mapped[bool | None] = mapped_column(Boolean)
    ceased_date: Mapped[dt.date | None] = mapped_column(Date)
    reason_ceased: Mapped[str | None] = _code()


class HealthCheck(Base):
    """A health assessment, dental check or (under fives) developmental health check of a looked-after child."""

    __tablename__ = "health_checks"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    kind: Mapped[str] = mapped_column(String(40))
    check_date: Mapped[dt.date] = mapped_column(Date)
    is_immunisations_up_to_date: Mapped[bool | None] = mapped_column(Boolean)


class StrengthsDifficultiesScore(Base):
    """A strengths and difficulties questionnaire score, or why none was returned."""

    __tablename__ = "strengths_difficulties_scores"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    assessed_date: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[int | None] = mapped_column(Integer)
    reason_no_score: Mapped[str | None] = _code()


class Conviction(Base):
    """A conviction of a looked-after child (reported in the SSDA903 outcomes table)."""

    __tablename__ = "convictions"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    conviction_date: Mapped[dt.date] = mapped_column(Date)


class SubstanceMisuse(Base):
    """A substance misuse problem identified, and whether an intervention was offered or received."""

    __tablename__ = "substance_misuse"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    identified_date: Mapped[dt.date] = mapped_column(Date)
    is_intervention_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    is_intervention_received: Mapped[bool] = mapped_column(Boolean, default=False)


class CareLeaverContact(Base):
    """Contact with a care leaver: in touch or not, their main activity and their accommodation (SSDA903 codes)."""

    __tablename__ = "care_leaver_contacts"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    contact_date: Mapped[dt.date] = mapped_column(Date)
    in_touch: Mapped[str] = _code(nullable=False)
    activity: Mapped[str] = _code(nullable=False)
    accommodation: Mapped[str] = _code(nullable=False)


# --- the reformed services' content and the work (revision 0003) ------------------------------------------


class FamilyHelpPlan(Base):
    """A Family Help plan: the family's goals and when it is reviewed; its services are :class:`PlanItem` rows."""

    __tablename__ = "family_help_plans"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    start_date: Mapped[dt.date] = mapped_column(Date)
    goals: Mapped[str] = mapped_column(Text)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class PlanItem(Base):
    """One service or support in a plan: what, who delivers it, from when, until when, how much.

    ``plan`` is ``family_help`` or ``family_network``; ``kind`` says which item of the plan it is (practical or
    financial support, accommodation, additional support, a service).
    """

    __tablename__ = "plan_items"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    plan: Mapped[str] = mapped_column(String(20))
    plan_id: Mapped[int] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    provided_by: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    amount_gbp: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    event_id: Mapped[int | None] = _fk("events.id", nullable=True, index=False)


class BudgetEntry(Base):
    """A payment from the devolved Family Help budget (``001…:745, 901``), within the spender's role's limit."""

    __tablename__ = "budget_entries"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    spent_on: Mapped[dt.date] = mapped_column(Date)
    amount_gbp: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    purpose: Mapped[str] = mapped_column(String(500))
    spent_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    approved_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    event_id: Mapped[int | None] = _fk("events.id", nullable=True, index=False)


class KinshipCarer(Base):
    """A kinship carer and the support they have (``001…:1965-2022``)."""

    __tablename__ = "kinship_carers"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    person_id: Mapped[int] = _fk("people.id", index=False)
    arrangement: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    weekly_allowance_gbp: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    has_legal_aid: Mapped[bool] = mapped_column(Boolean, default=False)
    has_employment_leave: Mapped[bool] = mapped_column(Boolean, default=False)
    has_peer_support: Mapped[bool] = mapped_column(Boolean, default=False)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class Task(Base):
    """A piece of work on a child's record: assigned to a worker, due on a date, done or not."""

    __tablename__ = "tasks"
    id: Mapped[int] = _id()
    child_id: Mapped[int] = _fk("children.id")
    title: Mapped[str] = mapped_column(String(300))
    assigned_to_id: Mapped[int | None] = _fk("users.id", nullable=True)
    due_date: Mapped[dt.date] = mapped_column(Date)
    remind_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)
    created_at: Mapped[dt.datetime] = mapped_column()
    done_at: Mapped[dt.datetime | None] = mapped_column()
    done_by_id: Mapped[int | None] = _fk("users.id", nullable=True, index=False)


# --- audit -------------------------------------------------------------------------------------------------


class AuditChain(Base):
    """The head of one hash chain of the audit log: its length and last hash (locked to append)."""

    __tablename__ = "audit_chains"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    length: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """One audited read or write; append-only (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = _id()
    chain_id: Mapped[int] = mapped_column(Integer)
    chain_seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ID)
    username: Mapped[str | None] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    child_id: Mapped[int | None] = mapped_column(ID)
    entity: Mapped[str | None] = mapped_column(String(60))
    entity_id: Mapped[int | None] = mapped_column(ID)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The id of the key the entry's HMAC is made with (None: written before keys, plain SHA-256); migration 0003.
    key_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    __table_args__ = (
        UniqueConstraint("chain_id", "chain_seq", name="uq_audit_log_chain_seq"),
        Index("ix_audit_log_child", "child_id", "id"),
    )


class LoginThrottle(Base):
    """Failed sign-ins counted by account, by client and by both: each failure past the free ones doubles the wait
    before the next attempt (migration 0003; :mod:`careflow.record.services.throttle`)."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column()
    blocked_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)


# --- partner agencies' records, linked to the record's people (revision 0004; careflow.share.mast) -------------


class PartnerLoad(Base):
    """One load of a ``careflow link`` output folder: where from, the files' SHA-256, what was kept and left out."""

    __tablename__ = "partner_loads"
    id: Mapped[int] = _id()
    loaded_at: Mapped[dt.datetime] = mapped_column()
    source: Mapped[str] = mapped_column(String(500))
    files: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    quality: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PartnerRecord(Base):
    """One contact or event a partner agency holds (police, health, school, housing, adult social care), as
    ``careflow link`` normalises it: the date, the kind, a one-line summary, and who to call in the agency."""

    __tablename__ = "partner_records"
    id: Mapped[int] = _id()
    load_id: Mapped[int] = _fk("partner_loads.id", index=False)
    agency: Mapped[str] = mapped_column(String(40))
    source_record_id: Mapped[str] = mapped_column(String(80))
    event_date: Mapped[dt.date] = mapped_column(Date)
    event_type: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_role: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    __table_args__ = (UniqueConstraint("agency", "source_record_id", name="uq_partner_records_agency_source"),)


class PartnerLink(Base):
    """A partner record linked to a person of the record (the child, or a family member in their network): how it
    was linked (NHS number, probabilistic, clerical) and how sure the link is."""

    __tablename__ = "partner_links"
    id: Mapped[int] = _id()
    load_id: Mapped[int] = _fk("partner_loads.id", index=False)
    record_id: Mapped[int] = _fk("partner_records.id", index=False)
    person_id: Mapped[int] = _fk("people.id", index=False)
    method: Mapped[str] = mapped_column(String(20))
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float | None] = mapped_column(Float)
    # A clerical link names the reviewer's decision (who and when); None for the links careflow link made.
    decision_id: Mapped[int | None] = _fk("partner_review_decisions.id", nullable=True, index=False)
    # The MAST view reads a person's links with their records' dates in one index range (benchmarks/bench_mast.py).
    event_date: Mapped[dt.date] = mapped_column(Date)
    __table_args__ = (Index("ix_partner_links_person_date", "person_id", "event_date"),
                      UniqueConstraint("record_id", name="uq_partner_links_record"))


class PartnerReview(Base):
    """A partner record ``careflow link`` could not decide about (the clerical-review band) that may be this person:
    which agency and record, how likely, why it waits, and the record's identifiers for the reviewer. Its contact is
    kept in ``partner_records`` unlinked, shown nowhere until a reviewer confirms it
    (:mod:`careflow.record.services.mast_review`)."""

    __tablename__ = "partner_reviews"
    id: Mapped[int] = _id()
    load_id: Mapped[int] = _fk("partner_loads.id", index=False)
    person_id: Mapped[int] = _fk("people.id")
    agency: Mapped[str] = mapped_column(String(40))
    source_record_id: Mapped[str] = mapped_column(String(80))
    match_probability: Mapped[float] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(String(200))
    # The partner record's identifiers as careflow link compared them (first_name, last_name, dob, sex, postcode,
    # nhs_number, upn), for the reviewer to set beside the person's: identifiers only, never a risk score.
    compared: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class PartnerReviewDecision(Base):
    """A reviewer's decision on a partner record from the clerical review queue: confirmed as one person of the
    record, or rejected, with the reason, who and when. Decisions are only added (a later one supersedes, by
    ``sequence``), and they outlive the partner tables, which each load replaces: a rejected record stays rejected
    and a confirmed one stays linked when the same linkage output is loaded again. The unique ``(agency,
    source_record_id, sequence)`` is the optimistic lock: two reviewers deciding the same item from the same
    version cannot both write."""

    __tablename__ = "partner_review_decisions"
    id: Mapped[int] = _id()
    agency: Mapped[str] = mapped_column(String(40))
    source_record_id: Mapped[str] = mapped_column(String(80))
    sequence: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int | None] = _fk("people.id", nullable=True, index=False)
    reason: Mapped[str] = mapped_column(String(500))
    decided_by: Mapped[int] = _fk("users.id", index=False)
    decided_at: Mapped[dt.datetime] = mapped_column()
    __table_args__ = (UniqueConstraint("agency", "source_record_id", "sequence",
                                       name="uq_partner_review_decisions_item_sequence"),)
