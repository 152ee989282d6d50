"""Export: the record's tables through the foundation's writers, read back by its readers with no errors."""

from __future__ import annotations

from pathlib import Path

from careflow.issues import Severity
from careflow.record.services.context import Ctx
from careflow.record.services.export import export_returns, to_care_data

from .conftest import World


def _journeys(world: World) -> None:
    cp = world.new_child(occurred_on="2024-06-03", nhs_number="943 476 5919")
    world.event("fhw", cp, "family_help_started", primary_need="N1", occurred_on="2024-06-04")
    world.event("fhw", cp, "assessment_completed", factors=["2A", "3A"], occurred_on="2024-07-01")
    world.event("ecpp", cp, "section_47_started", occurred_on="2024-07-08")
    world.event("ecpp", cp, "initial_conference_held", outcome="plan", category_of_abuse="NEG",
                occurred_on="2024-07-26")
    world.event("ecpp", cp, "child_protection_review_held", occurred_on="2024-10-21")
    cla = world.new_child(occurred_on="2024-05-01", date_of_birth="2011-02-03", ethnicity="WBRI", sex="M")
    world.event("sw", cla, "family_help_started", primary_need="N2", occurred_on="2024-05-02")
    world.event("sw", cla, "looked_after_started", placement_type="U1", placement_provider="PR1",
                occurred_on="2024-06-10")
    world.event("sw", cla, "looked_after_review_held", participation="PN1", occurred_on="2024-07-01")
    world.event("sw", cla, "placement_changed", placement_type="U3", placement_provider="PR4",
                reason_placement_change="CARPL", occurred_on="2024-09-02")
    world.event("sw", cla, "looked_after_ended", reason_episode_ceased="E4A", occurred_on="2025-02-14")
    world.event("sw", cla, "case_closed", reason_for_closure="RC7", occurred_on="2025-03-03")
    late = world.new_child(occurred_on="2025-03-20")  # an enquiry whose conference is due after 31 March
    world.event("fhw", late, "family_help_started", primary_need="N1", occurred_on="2025-03-21")
    world.event("ecpp", late, "section_47_started", occurred_on="2025-03-25")


def test_export_reads_back_with_no_errors(world: World, tmp_path: Path) -> None:
    from careflow.returns import read_cin_census, read_ssda903

    _journeys(world)
    state = world.app.state.record
    from careflow.record.services.auth import actor_of

    with state.sessions() as session, session.begin():
        ctx = Ctx(session, actor_of(world.users["admin"]), state.settings)
        written = export_returns(ctx, tmp_path, 2025)
        data = to_care_data(session, 2025)
    assert data["looked_after_episodes"].height >= 2
    ssda903 = read_ssda903(written["ssda903"][0].parent, year=2025)
    cin = read_cin_census(written["cin_census"][0], year=2025)
    for result in (ssda903, cin):
        errors = [str(i) for i in result.issues if i.severity is Severity.ERROR]
        assert errors == [], errors[:10]
    episodes = ssda903.data["looked_after_episodes"]
    mine = episodes.filter(episodes["child_id"].is_in(data["looked_after_episodes"]["child_id"].to_list()))
    assert mine.height == data["looked_after_episodes"].height
    assert set(mine["reason_new_episode"].to_list()) >= {"S", "P"}
    assert cin.data["child_protection_plans"].height >= 1


def test_only_administrators_export(world: World, tmp_path: Path) -> None:
    import pytest

    from careflow.record.errors import AccessDenied
    from careflow.record.services.auth import actor_of

    state = world.app.state.record
    with state.sessions() as session, session.begin():
        ctx = Ctx(session, actor_of(world.users["analyst"]), state.settings)
        with pytest.raises(AccessDenied):
            export_returns(ctx, tmp_path, 2025)
