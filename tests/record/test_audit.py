"""The audit log's hash chains: entries appended by the service verify end to end, whatever their detail holds.

On PostgreSQL an entry's hash is computed by the server (one statement appends it); :func:`verify` recomputes it in
Python, so these tests also check that the two agree byte for byte.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from careflow.record import audit
from careflow.record.audit import Actor, verify
from careflow.record.models import AuditEntry

from .conftest import World

AWKWARD = [
    {},
    {"note": "Zoë's \"quoted\" \\ back\\slash\nnew line\ttab", "emoji": "🙂", "nested": {"a": [1, 2.5, None, True]}},
    {"looks_like_a_marker": "careflow-audit-0123456789abcdefs", "prev_hash": "x", "chain_seq": 3},
    {"sql": "'); DROP TABLE audit_log; --", "html": "<script>alert(1)</script>"},
]


def test_entries_with_awkward_detail_verify(world: World) -> None:
    state = world.app.state.record
    actor = Actor(world.user_id("manager"), "manager", "team_manager")
    ids = []
    for index, detail in enumerate(AWKWARD):
        with state.sessions() as session, session.begin():
            ids.append(audit.append(session, actor, "read", chains=state.settings.audit_chains, child_id=index,
                                    entity="test", entity_id=index, detail=detail))
    with state.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids)).order_by(AuditEntry.id)).all()
        assert [e.detail for e in entries] == AWKWARD
        assert verify(session) == []


def test_concurrent_appends_keep_every_chain_whole(world: World) -> None:
    state = world.app.state.record
    actor = Actor(world.user_id("manager"), "manager", "team_manager")
    barrier = threading.Barrier(8)

    def append_many(index: int) -> None:
        barrier.wait()
        for n in range(15):
            with state.sessions() as session, session.begin():
                audit.append(session, actor, "read", chains=state.settings.audit_chains, child_id=n % 3,
                             detail={"writer": index, "n": n})

    threads = [threading.Thread(target=append_many, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with state.sessions() as session:
        assert verify(session) == []
