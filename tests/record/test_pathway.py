"""The pathway as a state machine, without a database."""

from __future__ import annotations

import pytest

from careflow.record.errors import AccessDenied, TransitionNotAllowed
from careflow.record.pathway import (
    ADVOCATE_EVENTS,
    OPEN_STAGES,
    TRANSITIONS,
    PathwayFacts,
    Role,
    Stage,
    allowed_events,
    check,
)
from careflow.record.schemas import EVENT_FORMS


def test_every_event_has_a_form_and_somewhere_to_start() -> None:
    assert set(TRANSITIONS) == set(EVENT_FORMS)
    for t in TRANSITIONS.values():
        assert t.from_stages and t.deciders, t.event
        assert Role.ANALYST not in t.deciders and Role.ADMIN not in t.deciders
        # an advocate records only an escalation of what the child raised
        assert (Role.ADVOCATE in t.deciders) == (t.event in ADVOCATE_EVENTS)


@pytest.mark.parametrize("event", ["section_47_started", "initial_conference_held", "pre_proceedings_started"])
def test_ecpp_makes_the_key_decisions(event: str) -> None:
    stage = next(iter(sorted(TRANSITIONS[event].from_stages)))
    facts = PathwayFacts(has_family_group_meeting=True)
    check(event, stage, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER, facts)
    for role in (Role.FAMILY_HELP_WORKER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER):
        with pytest.raises(AccessDenied, match="Expert Child Protection Practitioner"):
            check(event, stage, role, facts)


def test_family_group_decision_making_precedes_the_plo() -> None:
    ecpp = Role.EXPERT_CHILD_PROTECTION_PRACTITIONER
    with pytest.raises(TransitionNotAllowed) as info:
        check("pre_proceedings_started", Stage.CHILD_PROTECTION, ecpp, PathwayFacts())
    assert any("family group decision-making" in n for n in info.value.needs)
    check("pre_proceedings_started", Stage.CHILD_PROTECTION, ecpp, PathwayFacts(has_family_group_meeting=True))
    check("proceedings_issued", Stage.FAMILY_HELP, Role.TEAM_MANAGER, PathwayFacts(has_emergency=True))
    check("proceedings_issued", Stage.PRE_PROCEEDINGS, ecpp, PathwayFacts())


def test_refusal_lists_everything_needed() -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        check("pre_proceedings_started", Stage.SECTION_47, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER)
    assert len(info.value.needs) == 2
    assert info.value.status == 409


def test_closed_cases_accept_only_a_new_conversation() -> None:
    # a closed record takes a new conversation, and corrections of what it holds (never overwriting)
    assert allowed_events(Stage.CLOSED, Role.FAMILY_HELP_WORKER) == ["conversation", "event_corrected",
                                                                      "event_retracted"]
    assert "conversation" not in allowed_events(Stage.FAMILY_HELP, Role.SOCIAL_WORKER)
    assert all(allowed_events(s, Role.TEAM_MANAGER) for s in OPEN_STAGES)
