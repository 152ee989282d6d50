"""A write that loses the race for a child's row is told the version actually stored, not a guess.

Before: the refusal said ``seen + 1``; with two writers a client that had fallen several versions behind retried
with a version still stale, again and again (5,254 conflicts for 378 writes in the issue's test).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm.attributes import set_committed_value

from careflow.record.errors import StaleVersion
from careflow.record.models import Child
from careflow.record.services.auth import actor_of
from careflow.record.services.context import Ctx
from careflow.record.services.events import bump

from .conftest import World


def test_a_lost_race_returns_the_stored_version(world: World) -> None:
    child = world.new_child()
    seen = child["version"]
    for n in range(3):  # three writes by someone else while this writer still holds ``seen``
        world.event("fhw", child, "note_added", note=f"note {n}")
    state = world.app.state.record
    with state.sessions() as session, session.begin():
        loaded = session.get(Child, child["id"])
        assert loaded is not None
        set_committed_value(loaded, "version", seen)  # as loaded before the others committed
        ctx = Ctx(session, actor_of(world.users["fhw"]), state.settings)
        with pytest.raises(StaleVersion) as refused:
            bump(ctx, loaded)
    assert refused.value.current_version == child["version"] == seen + 3
