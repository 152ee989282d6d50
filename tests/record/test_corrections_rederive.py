"""Corrections and retractions of the events that build the episodes of care rebuild the child's episodes: the
SSDA903 export carries the corrected values, the audit keeps the rows before and after, and what is not rebuilt is
refused with what to do instead (services/correction_events.py)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select

from careflow.issues import Severity
from careflow.record.models import AuditEntry, LookedAfterEpisode
from careflow.record.services.auth import actor_of
from careflow.record.services.context import Ctx
from careflow.record.services.export import export_returns

from .conftest import World, fast_settings, make_world
from .test_export_validators import _ready, _run


@pytest.fixture
def own_world(tmp_path: Path) -> World:
    """A record of its own (SQLite): the export covers the whole LA, and must read back with no errors."""
    from careflow.record.app import create_app

    return make_world(create_app(fast_settings(database_url=f"sqlite:///{tmp_path / 'own.db'}")))


def _in_care(world: World, **fields: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A child looked after from 10 June 2024 (U1), placed again on 2 September 2024 (U3, PR4)."""
    child = world.new_child(occurred_on="2024-05-01", date_of_birth="2011-02-03", ethnicity="WBRI", sex="M",
                            **fields)
    world.event("sw", child, "family_help_started", primary_need="N2", occurred_on="2024-05-02")
    started = world.event("sw", child, "looked_after_started", placement_type="U1", placement_provider="PR1",
                          occurred_on="2024-06-10")
    moved = world.event("sw", child, "placement_changed", placement_type="U3", placement_provider="PR4",
                        reason_placement_change="CARPL", occurred_on="2024-09-02")
    return child, started, moved


def _episodes(world: World, child: dict[str, Any]) -> list[tuple[Any, ...]]:
    with world.app.state.record.sessions() as session:
        return [tuple(r) for r in session.execute(
            select(LookedAfterEpisode.start_date, LookedAfterEpisode.end_date, LookedAfterEpisode.reason_new_episode,
                   LookedAfterEpisode.placement_type, LookedAfterEpisode.placement_provider,
                   LookedAfterEpisode.reason_episode_ceased, LookedAfterEpisode.category_of_need)
            .where(LookedAfterEpisode.child_id == child["id"])
            .order_by(LookedAfterEpisode.start_date, LookedAfterEpisode.id))]


def _rederivations(world: World, child: dict[str, Any]) -> list[dict[str, Any]]:
    with world.app.state.record.sessions() as session:
        return [dict(d) for d in session.scalars(select(AuditEntry.detail).where(
            AuditEntry.child_id == child["id"], AuditEntry.action == "rederive").order_by(AuditEntry.id))]


def test_a_corrected_placement_code_and_date_reach_the_ssda903_export(own_world: World, tmp_path: Path) -> None:
    from careflow.returns import read_ssda903

    world = own_world
    child, _, moved = _in_care(world, upn="Z318201100011")  # the return needs a UPN of a child of school age
    world.event("sw", child, "looked_after_ended", reason_episode_ceased="E4A", occurred_on="2025-02-14")
    world.event("sw", child, "event_corrected", corrects_event_id=moved["id"], reason="wrong placement code",
                correction="The move was to a children's home (K2) on 9 September",
                corrected_values={"placement_type": "K2"}, corrected_occurred_on="2024-09-09")
    # a twin whose worker recorded the move right the first time
    twin = world.new_child(occurred_on="2024-05-01", date_of_birth="2011-02-03", ethnicity="WBRI", sex="M",
                           upn="N318201100012")
    world.event("sw", twin, "family_help_started", primary_need="N2", occurred_on="2024-05-02")
    world.event("sw", twin, "looked_after_started", placement_type="U1", placement_provider="PR1",
                occurred_on="2024-06-10")
    world.event("sw", twin, "placement_changed", placement_type="K2", placement_provider="PR4",
                reason_placement_change="CARPL", occurred_on="2024-09-09")
    world.event("sw", twin, "looked_after_ended", reason_episode_ceased="E4A", occurred_on="2025-02-14")
    state = world.app.state.record
    with state.sessions() as session, session.begin():
        ctx = Ctx(session, actor_of(world.users["admin"]), state.settings)
        written = export_returns(ctx, tmp_path, 2025)
    ssda903 = read_ssda903(written["ssda903"][0].parent, year=2025)  # DfE's rules checked on reading
    assert [str(i) for i in ssda903.issues if i.severity is Severity.ERROR] == []
    episodes = ssda903.data["looked_after_episodes"]
    mine = episodes.filter(episodes["child_id"] == f"C{child['id']:07d}").sort("start_date")
    assert mine.select("start_date", "end_date", "reason_new_episode", "placement_type").rows() == [
        (dt.date(2024, 6, 10), dt.date(2024, 9, 9), "S", "U1"),
        (dt.date(2024, 9, 9), dt.date(2025, 2, 14), "P", "K2"),
    ]
    # the reason for the move on the episode the move ended (DfE rule 225), not on the new one
    assert mine["reason_placement_change"].to_list() == ["CARPL", None]
    right = episodes.filter(episodes["child_id"] == f"C{twin['id']:07d}").sort("start_date")
    assert mine.drop("child_id").rows() == right.drop("child_id").rows()  # as if recorded right
    # the episode that ended later kept its ending; the category of need is the one of when care began
    assert [e[5:] for e in _episodes(world, child)] == [("X1", "N2"), ("E4A", "N2")]
    [audit] = _rederivations(world, child)
    assert audit["corrects_event_id"] == moved["id"] and audit["corrected_kind"] == "placement_changed"
    assert [e["placement_type"] for e in audit["before"]] == ["U1", "U3"]
    assert [e["placement_type"] for e in audit["after"]] == ["U1", "K2"]
    assert not any("postcode" in field for field in audit["after"][0])  # the audit log is kept for good
    assert audit["before"][1]["start_date"] == "2024-09-02" and audit["after"][1]["start_date"] == "2024-09-09"
    # DfE's own SSDA903 validator (csc-validator-be-903, scripts/validate_903) finds in the corrected child's
    # episodes just what it finds in the twin's. Not none: this small record lacks postcodes and previous
    # permanence (rules 169, 179, 392b, 630). Rule 225 (the reason for a placement change on the episode that ends)
    # holds: the record puts it there.
    _ready("validate_903")
    checked = _run("validate_903", written["ssda903"][0].parent, "--year", "2025",
                   "--output", tmp_path / "ssda903_errors.csv")
    assert re.search(r"^total errors: \d+", checked.stdout, re.M), checked.stdout + checked.stderr
    found = pl.read_csv(tmp_path / "ssda903_errors.csv", infer_schema_length=0)

    def failing(who: dict[str, Any]) -> list[tuple[str, str]]:
        rows = found.filter(pl.col("child_id") == f"C{who['id']:07d}")
        return sorted(rows.select("rule_code", "fields").rows())

    assert failing(child) == failing(twin)
    assert {rule for rule, _ in failing(child)} <= {"169", "179", "392b", "630"}


def test_a_retracted_placement_change_leaves_the_episodes(world: World) -> None:
    child, started, moved = _in_care(world)
    world.event("sw", child, "legal_status_changed", legal_status="C2", occurred_on="2024-10-01")
    assert [e[2:4] for e in _episodes(world, child)] == [("S", "U1"), ("P", "U3"), ("L", "U3")]
    world.event("sw", child, "event_retracted", corrects_event_id=moved["id"], reason="the move did not happen")
    assert _episodes(world, child) == [
        (dt.date(2024, 6, 10), dt.date(2024, 10, 1), "S", "U1", "PR1", "X1", "N2"),
        (dt.date(2024, 10, 1), None, "L", "U1", "PR1", None, "N2"),
    ]
    [audit] = _rederivations(world, child)
    assert audit["kind"] == "event_retracted" and len(audit["before"]) == 3 and len(audit["after"]) == 2
    # a later correction of the first placement rebuilds from the history as corrected: the move stays retracted
    world.event("sw", child, "event_corrected", corrects_event_id=started["id"], reason="wrong provider",
                correction="The foster carer was the council's own", corrected_values={"placement_provider": "PR0"})
    assert [e[2:5] for e in _episodes(world, child)] == [("S", "U1", "PR0"), ("L", "U1", "PR0")]
    chronology = world.client("sw").get(f"/api/children/{child['id']}/events").json()["items"]
    by_id = {e["id"]: e for e in chronology}
    assert by_id[moved["id"]]["is_retracted"] and len(by_id[started["id"]]["corrected_by"]) == 1


def test_corrections_that_are_not_rebuilt_are_refused(world: World) -> None:
    child, started, moved = _in_care(world)
    before = _episodes(world, child)
    # a field the episodes do not take from that event, a code not on its list, a date that sets the stage
    wrong_field = world.event("sw", child, "event_corrected", expect=422, corrects_event_id=moved["id"],
                              reason="x", correction="x", corrected_values={"legal_status": "C2"})
    assert "legal_status cannot be corrected on 'Placement changed'" in wrong_field["detail"]
    bad_code = world.event("sw", child, "event_corrected", expect=422, corrects_event_id=moved["id"],
                           reason="x", correction="x", corrected_values={"placement_type": "ZZ9"})
    assert "Placement type" in bad_code["detail"]
    start_date = world.event("sw", child, "event_corrected", expect=422, corrects_event_id=started["id"],
                             reason="x", correction="x", corrected_occurred_on="2024-06-11")
    assert "ask an administrator to correct the episode" in start_date["detail"]
    # a placement change moved before the period of care began makes no episodes
    too_early = world.event("sw", child, "event_corrected", expect=422, corrects_event_id=moved["id"],
                            reason="x", correction="x", corrected_occurred_on="2024-06-01")
    assert "outside any episode of care" in too_early["detail"]
    # another table of the returns: the worker is told to record the right event
    review = world.event("sw", child, "looked_after_review_held", participation="PN1", occurred_on="2024-07-01")
    other = world.event("sw", child, "event_corrected", expect=422, corrects_event_id=review["id"], reason="x",
                        correction="x", corrected_occurred_on="2024-07-02")
    assert "record the right event too" in other["detail"]
    assert _episodes(world, child) == before and _rederivations(world, child) == []


def test_a_corrected_legal_status_and_reason_for_leaving_care_rebuild_the_episodes(world: World) -> None:
    child, _, _ = _in_care(world)
    status = world.event("sw", child, "legal_status_changed", legal_status="C2", occurred_on="2024-10-01")
    ended = world.event("sw", child, "looked_after_ended", reason_episode_ceased="E4A", occurred_on="2025-02-14")
    world.event("sw", child, "event_corrected", corrects_event_id=status["id"], reason="it was an interim order",
                correction="An interim care order from 3 October", corrected_values={"legal_status": "C1"},
                corrected_occurred_on="2024-10-03")
    world.event("sw", child, "event_corrected", corrects_event_id=ended["id"], reason="wrong reason",
                correction="The child went to live with relatives", corrected_values={"reason_episode_ceased": "E41"})
    with world.app.state.record.sessions() as session:
        rows = session.execute(select(LookedAfterEpisode.start_date, LookedAfterEpisode.legal_status,
                                      LookedAfterEpisode.reason_episode_ceased)
                               .where(LookedAfterEpisode.child_id == child["id"])
                               .order_by(LookedAfterEpisode.start_date)).all()
    assert [tuple(r) for r in rows] == [(dt.date(2024, 6, 10), "V2", "X1"), (dt.date(2024, 9, 2), "V2", "X1"),
                                        (dt.date(2024, 10, 3), "C1", "E41")]
    assert len(_rederivations(world, child)) == 2


def test_a_redated_placement_change_moves_the_clocks_it_started(world: World) -> None:
    child, _, moved = _in_care(world)

    def first_visit() -> list[tuple[str, str]]:
        record = world.client("sw").get(f"/api/children/{child['id']}").json()
        return [(d["basis_date"], d["due_date"]) for d in record["deadlines"]
                if d["kind"] == "looked_after_first_visit"]

    [(basis, due)] = first_visit()
    assert basis == "2024-09-02"
    world.event("sw", child, "event_corrected", corrects_event_id=moved["id"], reason="wrong date",
                correction="The move was on 9 September", corrected_occurred_on="2024-09-09")
    [(basis_after, due_after)] = first_visit()
    assert basis_after == "2024-09-09"
    assert dt.date.fromisoformat(due_after) - dt.date.fromisoformat(due) == dt.timedelta(days=7)
