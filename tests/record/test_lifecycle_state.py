"""The case lifecycle as a Hypothesis state machine, through the API, on SQLite and PostgreSQL.

Invariants: the audit log only grows (and its hash chains hold); no role reads outside its scope; a refused or
stale write changes nothing; a decision only lands when the pathway says the role may make it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from careflow.record.audit import verify
from careflow.record.models import AuditEntry, Event
from careflow.record.pathway import TRANSITIONS, Role

from .conftest import World, make_world

PAYLOADS: dict[str, dict[str, Any]] = {
    "family_help_started": {"primary_need": "N1"},
    "no_further_action": {},
    "assessment_completed": {"factors": ["2A"]},
    "section_47_started": {},
    "initial_conference_held": {"outcome": "plan", "category_of_abuse": "NEG"},
    "section_47_concluded": {},
    "child_protection_review_held": {},
    "child_protection_plan_ended": {},
    "family_group_meeting_held": {"outcome": "pre_proceedings"},
    "emergency_recorded": {"reason": "immediate risk"},
    "pre_proceedings_started": {},
    "proceedings_issued": {},
    "order_made": {"order_type": "interim_care_order"},
    "looked_after_started": {"placement_type": "U1", "placement_provider": "PR1"},
    "placement_changed": {"placement_type": "U3", "placement_provider": "PR1", "reason_placement_change": "CARPL"},
    "looked_after_review_held": {"participation": "PN1"},
    "looked_after_ended": {"reason_episode_ceased": "E4A"},
    "visit_made": {},
    "note_added": {"note": "<b>spoke</b> to the family"},
    "case_closed": {"reason_for_closure": "RC7"},
}
WORKERS = ["fhw", "sw", "ecpp", "manager"]
ROLE_OF = {"fhw": Role.FAMILY_HELP_WORKER, "sw": Role.SOCIAL_WORKER, "ecpp": Role.EXPERT_CHILD_PROTECTION_PRACTITIONER,
           "manager": Role.TEAM_MANAGER}


class Lifecycle(RuleBasedStateMachine):
    """Children opened, events recorded by any worker, reads by every role, stale replays."""

    children = Bundle("children")

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world
        self.versions: dict[int, int] = {}
        self.old_versions: dict[int, int] = {}
        self.audit_count = self._audit_count()

    def _audit_count(self) -> int:
        with self.world.app.state.record.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)

    def _events(self, child_id: int) -> int:
        with self.world.app.state.record.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Event).where(Event.child_id == child_id)) or 0)

    @initialize(target=children)
    def first_child(self) -> int:
        return self._open("fhw")

    def _open(self, who: str) -> int:
        child = self.world.new_child(who)
        self.versions[child["id"]] = child["version"]
        return int(child["id"])

    @rule(target=children, who=st.sampled_from(WORKERS))
    def open_child(self, who: str) -> int:
        return self._open(who)

    @rule(child_id=children, who=st.sampled_from(WORKERS), kind=st.sampled_from(sorted(PAYLOADS)))
    def record(self, child_id: int, who: str, kind: str) -> None:
        body = {"kind": kind, "version": self.versions[child_id], **PAYLOADS[kind]}
        before = self._events(child_id)
        answer = self.world.client(who).post(f"/api/children/{child_id}/events", json=body)
        assert answer.status_code in (201, 403, 409, 422), answer.text
        if answer.status_code == 201:
            assert ROLE_OF[who] in TRANSITIONS[kind].deciders
            self.old_versions[child_id] = self.versions[child_id]
            self.versions[child_id] = answer.json()["child_version"]
            assert self._events(child_id) == before + 1
        else:
            assert self._events(child_id) == before
            if ROLE_OF[who] not in TRANSITIONS[kind].deciders:
                assert answer.status_code == 403

    @rule(child_id=children, who=st.sampled_from(WORKERS))
    def replay_stale(self, child_id: int, who: str) -> None:
        if child_id not in self.old_versions:
            return
        before = self._events(child_id)
        answer = self.world.client(who).post(f"/api/children/{child_id}/events",
                                             json={"kind": "note_added", "version": self.old_versions[child_id],
                                                   "note": "stale"})
        assert answer.status_code == 409
        assert self._events(child_id) == before

    @rule(child_id=children, who=st.sampled_from(["fhw", "sw", "ecpp", "manager", "other", "analyst", "admin",
                                                  "advocate"]))
    def read(self, child_id: int, who: str) -> None:
        answer = self.world.client(who).get(f"/api/children/{child_id}")
        in_scope = who in WORKERS
        refused = 404 if who in ("other", "advocate") else 403  # not theirs looks missing; roles that never read: 403
        assert answer.status_code == (200 if in_scope else refused), (who, answer.text)
        if in_scope:
            assert answer.json()["version"] == self.versions[child_id]

    @rule()
    def analyst_list(self) -> None:
        listing = self.world.client("analyst").get("/api/analyst/children", params={"limit": 500})
        assert listing.status_code == 200
        assert "given_name" not in listing.text and "Amy" not in listing.text

    @invariant()
    def audit_only_grows(self) -> None:
        count = self._audit_count()
        assert count >= self.audit_count
        self.audit_count = count

    def teardown(self) -> None:
        with self.world.app.state.record.sessions() as session:
            assert verify(session) == []


def test_case_lifecycle(app: Any) -> None:
    run_state_machine_as_test(
        lambda: Lifecycle(make_world(app)),
        settings=settings(max_examples=12, stateful_step_count=14, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )
