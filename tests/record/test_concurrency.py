"""Optimistic locking under real concurrency: of writers racing on one version, exactly one wins; none is lost."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from careflow.record.errors import StaleVersion
from careflow.record.models import Child, Event
from careflow.record.schemas import NoteAddedForm
from careflow.record.services.auth import actor_of
from careflow.record.services.context import Ctx
from careflow.record.services.events import record

from .conftest import World


def test_racing_writers_on_one_version(world: World) -> None:
    child = world.new_child()
    state = world.app.state.record
    actor = actor_of(world.users["fhw"])
    barrier = threading.Barrier(6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def write(index: int) -> None:
        barrier.wait()
        try:
            with state.sessions() as session, session.begin():
                record(Ctx(session, actor, state.settings), child["id"],
                       NoteAddedForm(kind="note_added", version=child["version"], note=f"writer {index}"))
            outcome = "written"
        except StaleVersion:
            outcome = "stale"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["stale"] * 5 + ["written"]
    with state.sessions() as session:
        assert session.get(Child, child["id"]).version == child["version"] + 1  # type: ignore[union-attr]
        notes = session.scalar(select(func.count()).select_from(Event).where(Event.child_id == child["id"],
                                                                             Event.kind == "note_added"))
    assert notes == 1
