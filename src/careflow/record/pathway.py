"""The reformed pathway as a state machine: stages, the events that move a child between them, who may decide.

The stages follow DOMAIN.md §3 and the review (``001_8bebe4ae25a58006.txt:396-446``). Rules the review makes
explicit are enforced here:

* the Expert Child Protection Practitioner (ECPP) makes the key decisions: the significant-harm threshold (the
  start of a section 47 enquiry and the decision at the conference) and the move to pre-proceedings
  (``001…:1393-1405``);
* family group decision making precedes the Public Law Outline, unless an emergency is recorded
  (``001…:1854-1931``);
* Family Help and the ECPP co-work: starting child protection does not hand the case over (``001…:1405``).

:func:`check` is pure: given the event, the child's stage, the actor's role and a few facts about the record, it
returns nothing or raises :class:`~careflow.record.errors.TransitionNotAllowed` (HTTP 409) listing what is
needed first, or :class:`~careflow.record.errors.AccessDenied` (403) naming who may decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from careflow.record.errors import AccessDenied, TransitionNotAllowed

__all__ = [
    "ADVOCATE_EVENTS",
    "EVENTS_NEEDING_FACTS",
    "LATE_ENTRIES",
    "OPEN_STAGES",
    "TRANSITIONS",
    "PathwayFacts",
    "Role",
    "Stage",
    "Transition",
    "allowed_events",
    "check",
]


class Role(StrEnum):
    """What a user does; decides what they may see and decide."""

    FAMILY_HELP_WORKER = "family_help_worker"
    SOCIAL_WORKER = "social_worker"
    EXPERT_CHILD_PROTECTION_PRACTITIONER = "expert_child_protection_practitioner"
    TEAM_MANAGER = "team_manager"
    ADVOCATE = "advocate"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """A human name."""
        return _ROLE_LABELS[self]

    @property
    def with_article(self) -> str:
        """The name after "a" or "an", as people say it ("an advocate", "a social worker")."""
        label = self.label
        return ("an " if label[0].lower() in "aeiou" else "a ") + label


_ROLE_LABELS = {
    Role.FAMILY_HELP_WORKER: "Family Help worker",
    Role.SOCIAL_WORKER: "social worker",
    Role.EXPERT_CHILD_PROTECTION_PRACTITIONER: "Expert Child Protection Practitioner",
    Role.TEAM_MANAGER: "team manager",
    Role.ADVOCATE: "advocate",
    Role.ANALYST: "analyst",
    Role.ADMIN: "administrator",
}


class Stage(StrEnum):
    """Where a child is on the pathway."""

    NONE = "none"  # before the first conversation
    CONTACT = "contact"
    FAMILY_HELP = "family_help"
    SECTION_47 = "section_47"
    CHILD_PROTECTION = "child_protection"
    COMMUNITY_SAFETY = "community_safety"
    FAMILY_NETWORK = "family_network"
    PRE_PROCEEDINGS = "pre_proceedings"
    PROCEEDINGS = "proceedings"
    LOOKED_AFTER = "looked_after"
    CARE_LEAVER = "care_leaver"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """A human name."""
        return self.value.replace("_", " ").replace("section 47", "section 47 enquiry").capitalize()


S = Stage
OPEN_STAGES = frozenset(set(Stage) - {S.NONE, S.CLOSED})
_WORKERS = frozenset({Role.FAMILY_HELP_WORKER, Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER,
                      Role.TEAM_MANAGER})
_SOCIAL_WORK = frozenset({Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER, Role.TEAM_MANAGER})
_ECPP = frozenset({Role.EXPERT_CHILD_PROTECTION_PRACTITIONER})
_ECPP_OR_MANAGER = frozenset({Role.EXPERT_CHILD_PROTECTION_PRACTITIONER, Role.TEAM_MANAGER})
_MANAGER = frozenset({Role.TEAM_MANAGER})
_HELP = frozenset({S.CONTACT, S.FAMILY_HELP})
_PROTECTION = frozenset({S.SECTION_47, S.CHILD_PROTECTION, S.COMMUNITY_SAFETY})
_IN_CARE = frozenset({S.LOOKED_AFTER, S.PROCEEDINGS})
_RECORDED = frozenset(set(Stage) - {S.NONE})


@dataclass(frozen=True)
class Transition:
    """An event a worker records: the stages it may follow, the stage it leads to, who may decide it.

    ``to_stage`` None means the stage does not change (or the event's form decides it, e.g. a conference outcome).
    """

    event: str
    label: str
    from_stages: frozenset[Stage]
    to_stage: Stage | None
    deciders: frozenset[Role]
    why: str = ""


def _t(event: str, label: str, from_stages: frozenset[Stage] | set[Stage], to_stage: Stage | None,
       deciders: frozenset[Role], why: str = "") -> Transition:
    return Transition(event, label, frozenset(from_stages), to_stage, deciders, why)


TRANSITIONS: dict[str, Transition] = {
    t.event: t
    for t in (
        _t("conversation", "First conversation", {S.NONE, S.CLOSED}, S.CONTACT, _WORKERS,
           "Family Help begins with a conversation, not a referral (001_8bebe4ae25a58006.txt:703-951)"),
        _t("family_help_started", "Family Help started", {S.CONTACT}, S.FAMILY_HELP, _WORKERS),
        _t("no_further_action", "No further action", {S.CONTACT}, S.CLOSED, _WORKERS),
        _t("assessment_completed", "Assessment completed", _HELP | _PROTECTION, None, _WORKERS),
        _t("section_47_started", "Section 47 enquiry started (threshold met)",
           _HELP | {S.COMMUNITY_SAFETY, S.FAMILY_NETWORK, S.CARE_LEAVER}, S.SECTION_47, _ECPP,
           "the ECPP decides the significant-harm threshold (001_8bebe4ae25a58006.txt:1393-1405)"),
        _t("initial_conference_held", "Initial child protection conference", {S.SECTION_47}, None, _ECPP,
           "the ECPP makes the threshold decision at the conference (001_8bebe4ae25a58006.txt:1405)"),
        _t("section_47_concluded", "Section 47 enquiry concluded without a conference", {S.SECTION_47},
           S.FAMILY_HELP, _ECPP),
        _t("child_protection_review_held", "Child protection review conference", {S.CHILD_PROTECTION}, None, _ECPP),
        _t("child_protection_plan_ended", "Child protection plan ended", {S.CHILD_PROTECTION}, S.FAMILY_HELP, _ECPP),
        _t("community_safety_plan_started", "Child Community Safety Plan started",
           _HELP | {S.SECTION_47, S.CARE_LEAVER}, S.COMMUNITY_SAFETY, _ECPP,
           "extra-familial harm on the s47 basis (001_8bebe4ae25a58006.txt:1499-1521)"),
        _t("community_safety_plan_ended", "Child Community Safety Plan ended", {S.COMMUNITY_SAFETY},
           S.FAMILY_HELP, _ECPP),
        _t("family_group_meeting_held", "Family group decision-making meeting",
           _HELP | _PROTECTION | {S.PRE_PROCEEDINGS, S.LOOKED_AFTER}, None, _WORKERS,
           "a legal entitlement before the PLO (001_8bebe4ae25a58006.txt:1854)"),
        _t("emergency_recorded", "Emergency recorded (no time for family group decision making)",
           _HELP | _PROTECTION, None, _ECPP_OR_MANAGER),
        _t("family_network_plan_started", "Family Network Plan started",
           _HELP | {S.CHILD_PROTECTION, S.PRE_PROCEEDINGS, S.LOOKED_AFTER}, S.FAMILY_NETWORK, _SOCIAL_WORK,
           "a funded plan with the family network; the child is not looked after (001_8bebe4ae25a58006.txt:1854-1931)"),
        _t("family_network_plan_ended", "Family Network Plan ended", {S.FAMILY_NETWORK}, S.FAMILY_HELP, _SOCIAL_WORK),
        _t("pre_proceedings_started", "Pre-proceedings (Public Law Outline) started",
           _HELP | {S.CHILD_PROTECTION, S.COMMUNITY_SAFETY}, S.PRE_PROCEEDINGS, _ECPP,
           "the ECPP decides to go to pre-proceedings (001_8bebe4ae25a58006.txt:1393-1405)"),
        _t("pre_proceedings_ended", "Pre-proceedings ended without proceedings", {S.PRE_PROCEEDINGS},
           S.FAMILY_HELP, _ECPP),
        _t("proceedings_issued", "Care proceedings issued",
           _HELP | _PROTECTION | {S.PRE_PROCEEDINGS, S.LOOKED_AFTER, S.FAMILY_NETWORK}, S.PROCEEDINGS,
           _ECPP_OR_MANAGER, "26 weeks (001_8bebe4ae25a58006.txt:1690)"),
        _t("order_made", "Court order made", {S.PROCEEDINGS, S.LOOKED_AFTER}, None, _SOCIAL_WORK),
        _t("looked_after_started", "Started to be looked after",
           _HELP | _PROTECTION | {S.PRE_PROCEEDINGS, S.PROCEEDINGS, S.FAMILY_NETWORK}, S.LOOKED_AFTER, _SOCIAL_WORK),
        _t("placement_changed", "Placement changed", {S.LOOKED_AFTER, S.PROCEEDINGS}, None, _SOCIAL_WORK),
        _t("legal_status_changed", "Legal status changed", {S.LOOKED_AFTER, S.PROCEEDINGS}, None, _SOCIAL_WORK),
        _t("looked_after_review_held", "Looked-after review", {S.LOOKED_AFTER, S.PROCEEDINGS}, None, _SOCIAL_WORK),
        _t("looked_after_ended", "Stopped being looked after", {S.LOOKED_AFTER, S.PROCEEDINGS}, None, _SOCIAL_WORK),
        _t("visit_made", "Visit", OPEN_STAGES, None, _WORKERS),
        _t("pathway_plan_reviewed", "Pathway plan reviewed", {S.CARE_LEAVER, S.LOOKED_AFTER}, None, _SOCIAL_WORK),
        _t("staying_arrangement_started", "Staying Put / Staying Close started", {S.CARE_LEAVER}, None, _SOCIAL_WORK),
        _t("advocate_assigned", "Advocate assigned", OPEN_STAGES, None, _SOCIAL_WORK,
           "independent advocacy on an opt-out basis (001_8bebe4ae25a58006.txt:440)"),
        _t("worker_allocated", "Worker allocated", OPEN_STAGES, None, _MANAGER),
        _t("family_member_added", "Family member or network member added", OPEN_STAGES, None, _WORKERS),
        _t("note_added", "Case note", OPEN_STAGES, None, _WORKERS),
        _t("case_closed", "Case closed", {S.CONTACT, S.FAMILY_HELP, S.FAMILY_NETWORK, S.CARE_LEAVER}, S.CLOSED,
           _SOCIAL_WORK | {Role.FAMILY_HELP_WORKER}),
        _t("missing_started", "Missing or away from placement without authorisation", _IN_CARE, None, _WORKERS),
        _t("missing_ended", "Back after being missing or away", _IN_CARE, None, _WORKERS),
        _t("adoption_decision_made", "Decision that the child should be placed for adoption", _IN_CARE, None,
           _SOCIAL_WORK),
        _t("adoption_match_made", "Matched with adopters", _IN_CARE, None, _SOCIAL_WORK),
        _t("adoption_decision_reversed", "No longer to be placed for adoption", _IN_CARE, None, _SOCIAL_WORK),
        _t("health_check_held", "Health assessment or check", _IN_CARE, None, _WORKERS),
        _t("strengths_difficulties_recorded", "Strengths and difficulties questionnaire", _IN_CARE, None, _WORKERS),
        _t("conviction_recorded", "Conviction", _IN_CARE, None, _WORKERS),
        _t("substance_misuse_identified", "Substance misuse identified", _IN_CARE, None, _WORKERS),
        _t("care_leaver_contact_recorded", "Contact with a care leaver", {S.CARE_LEAVER}, None, _WORKERS),
        # corrections, oversight and supervision
        _t("event_corrected", "Correction of an earlier entry", _RECORDED, None, _WORKERS,
           "an entry is corrected by a new entry pointing to it, never overwritten"),
        _t("event_retracted", "Earlier entry retracted", _RECORDED, None, _WORKERS),
        _t("manager_signed_off", "Signed off by the team manager", _RECORDED, None, _MANAGER),
        _t("supervision_recorded", "Case supervision", OPEN_STAGES, None, _MANAGER),
        # the reformed services' content
        _t("family_help_plan_made", "Family Help plan made", _HELP | _PROTECTION | {S.FAMILY_NETWORK}, None, _WORKERS,
           "Family Help with a key worker and the services the family needs (001_8bebe4ae25a58006.txt:703-951)"),
        _t("plan_support_added", "Service or support added to a plan", OPEN_STAGES, None, _WORKERS),
        _t("family_network_plan_reviewed", "Family Network Plan reviewed", {S.FAMILY_NETWORK}, None, _WORKERS,
           "review points against the plan's success measures (001_8bebe4ae25a58006.txt:1889)"),
        _t("budget_spent", "Payment from the devolved budget", _HELP | _PROTECTION | {S.FAMILY_NETWORK}, None,
           _WORKERS, "key workers hold a devolved budget (001_8bebe4ae25a58006.txt:745, 901)"),
        _t("benefits_check_done", "Benefits and income check", OPEN_STAGES, None, _WORKERS,
           "routine benefits checks (001_8bebe4ae25a58006.txt:1259)"),
        _t("kinship_carer_recorded", "Kinship carer and their support", OPEN_STAGES, None, _SOCIAL_WORK,
           "001_8bebe4ae25a58006.txt:1965-2022"),
        _t("advocacy_declined", "Advocacy declined by the child", OPEN_STAGES, None, _WORKERS,
           "advocacy is opt-out: a decline is recorded (001_8bebe4ae25a58006.txt:2481-2559)"),
        _t("advocacy_escalated", "Concern escalated by the child's advocate", OPEN_STAGES, None,
           _WORKERS | {Role.ADVOCATE}, "the child's advocate escalates what the child raised"),
        _t("transition_plan_made", "Transition to adult services planned", OPEN_STAGES, None, _WORKERS,
           "disabled young people's move to adult services (001_8bebe4ae25a58006.txt:1214-1237)"),
    )
}

# The only entries an advocate writes on the record of a child they advocate for (they otherwise only read it).
ADVOCATE_EVENTS = frozenset({"advocacy_escalated"})

# Events that may be recorded late, dated before the child's current stage began (they do not move the stage
# and derive nothing the later events depend on); both dates are shown on the chronology.
LATE_ENTRIES = frozenset({
    "visit_made", "note_added", "family_member_added", "event_corrected", "event_retracted", "manager_signed_off",
    "supervision_recorded", "benefits_check_done", "health_check_held", "strengths_difficulties_recorded",
    "substance_misuse_identified", "conviction_recorded", "advocacy_declined", "advocacy_escalated",
    "care_leaver_contact_recorded",
})

# The events that need an open episode of care (a child in proceedings may or may not be looked after).
_NEEDS_CARE = frozenset({
    "placement_changed", "legal_status_changed", "looked_after_review_held", "looked_after_ended", "missing_started",
    "missing_ended", "adoption_decision_made", "adoption_match_made", "adoption_decision_reversed",
    "health_check_held", "strengths_difficulties_recorded", "conviction_recorded", "substance_misuse_identified",
})


# The events whose check looks beyond the stage (so the record's facts are read only for these).
EVENTS_NEEDING_FACTS = frozenset({
    "pre_proceedings_started", "proceedings_issued", "family_network_plan_started", "order_made",
}) | _NEEDS_CARE


@dataclass(frozen=True)
class PathwayFacts:
    """What :func:`check` needs to know about a child's record beyond the stage."""

    has_family_group_meeting: bool = False
    has_emergency: bool = False
    has_family_network_plan_outcome: bool = False
    has_open_proceedings: bool = False
    is_looked_after: bool = False


_REFERENCE = re.compile(r"\s*\(\d{3}_[0-9a-f]{16}\.txt:[0-9, \-]+\)|,?\s*\d{3}_[0-9a-f]{16}\.txt:[0-9, \-]+")


def plain(text: str) -> str:
    """``text`` without the report references (``001_…txt:1854``) that document the rules in the code: people
    are told the rule, not where it is written.

    Example:
        >>> plain("family group decision making comes first (001_8bebe4ae25a58006.txt:1854)")
        'family group decision making comes first'
    """
    return _REFERENCE.sub("", text)


def _who(roles: frozenset[Role]) -> str:
    names = sorted(r.label for r in roles)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def check(event: str, stage: Stage, role: Role, facts: PathwayFacts | None = None) -> None:
    """Raise if ``role`` may not record ``event`` for a child at ``stage``; return None if it may.

    Raises:
        KeyError: ``event`` is not a pathway event.
        AccessDenied: the role may not make this decision (403).
        TransitionNotAllowed: the pathway does not allow it now (409), with what is needed first.
    """
    facts = facts or PathwayFacts()
    transition = TRANSITIONS[event]
    if role not in transition.deciders:
        raise AccessDenied(
            f"'{transition.label}' is decided by the {_who(transition.deciders)}, not {role.with_article}"
            + (f": {plain(transition.why)}" if transition.why else ""),
            needs=[f"a decision by the {_who(transition.deciders)}"],
        )
    needs: list[str] = []
    if stage not in transition.from_stages:
        starts = sorted(s.label.lower() for s in transition.from_stages)
        needs.append(f"the child to be at one of: {', '.join(starts)} (now: {stage.label.lower()})")
    family_first = event == "pre_proceedings_started" or (
        event == "proceedings_issued" and stage is not S.PRE_PROCEEDINGS
    )
    if family_first and not (facts.has_family_group_meeting or facts.has_emergency):
        needs.append(
            "a family group decision-making meeting, or an emergency recorded by the ECPP or team manager "
            "(family group decision making precedes the Public Law Outline, 001_8bebe4ae25a58006.txt:1854)"
        )
    if event == "family_network_plan_started" and not facts.has_family_network_plan_outcome:
        needs.append("a family group decision-making meeting whose outcome is a Family Network Plan")
    if event == "order_made" and not facts.has_open_proceedings:
        needs.append("care proceedings issued (orders are made in proceedings)")
    if event in _NEEDS_CARE and not facts.is_looked_after:
        needs.append("the child to be looked after (an open episode of care)")
    if needs:
        needs = [plain(n) for n in needs]
        raise TransitionNotAllowed(f"'{transition.label}' cannot be recorded yet: it needs " + "; ".join(needs), needs)


def allowed_events(stage: Stage, role: Role, facts: PathwayFacts | None = None) -> list[str]:
    """The events ``role`` may record now, in pathway order (for the "record an event" menu)."""
    out = []
    for name in TRANSITIONS:
        try:
            check(name, stage, role, facts)
        except (AccessDenied, TransitionNotAllowed):
            continue
        out.append(name)
    return out
