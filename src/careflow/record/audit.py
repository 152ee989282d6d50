"""The audit log: every read and write of a child's record, append-only and hash-chained.

Each entry is written in the same transaction as the change (or the read) it records, so there is no change
without its entry and no entry without its change. Entries form hash chains: each holds the SHA-256 of its
content and of the previous entry's hash. The log is split into a fixed number of chains (by child, or by user
for entries about no single child) so that writers about different children do not queue for one lock; each
chain's head row (:class:`~careflow.record.models.AuditChain`) is locked last, just before commit. The database
refuses UPDATE and DELETE on the log (triggers in the first migration); :func:`verify` finds any entry changed,
removed or inserted behind the service's back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from careflow.record.models import AuditChain, AuditEntry

__all__ = ["Actor", "append", "ensure_chains", "genesis_hash", "verify"]


@dataclass(frozen=True)
class Actor:
    """Who is acting: the user's id, name, role and team (None for the system itself)."""

    user_id: int | None
    username: str
    role: str
    team_id: int | None = None


SYSTEM = Actor(None, "system", "system")


def genesis_hash(chain_id: int) -> str:
    """The hash a chain starts from."""
    return hashlib.sha256(f"careflow-audit-genesis:{chain_id}".encode()).hexdigest()


def _iso(at: dt.datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _content(entry: Any) -> dict[str, Any]:
    return {
        "chain_id": entry.chain_id, "chain_seq": entry.chain_seq, "at": _iso(entry.at), "user_id": entry.user_id,
        "username": entry.username, "role": entry.role, "action": entry.action, "child_id": entry.child_id,
        "entity": entry.entity, "entity_id": entry.entity_id, "detail": entry.detail or {},
        "prev_hash": entry.prev_hash,
    }


def ensure_chains(session: Session, chains: int) -> None:
    """Create the heads of chains ``0 .. chains-1`` that do not exist yet (at start-up)."""
    have = set(session.scalars(select(AuditChain.id)))
    for chain_id in range(chains):
        if chain_id not in have:
            session.add(AuditChain(id=chain_id, length=0, last_hash=genesis_hash(chain_id)))
    session.flush()


def _chain_of(chains: int, child_id: int | None, actor: Actor) -> int:
    key = child_id if child_id is not None else (actor.user_id or 0) + 7919  # a prime keeps users off child chains
    return key % chains


def append(
    session: Session,
    actor: Actor,
    action: str,
    *,
    chains: int,
    child_id: int | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the log in the session's transaction (call it last, just before commit)."""
    session.flush()  # the change being audited takes its row locks first; the chain head is always locked last
    chain_id = _chain_of(chains, child_id, actor)
    # Lock the head and take the next number in one statement (the row lock lasts until commit).
    length, prev_hash = session.execute(
        update(AuditChain).where(AuditChain.id == chain_id).values(length=AuditChain.length + 1)
        .returning(AuditChain.length, AuditChain.last_hash)
    ).one()
    at = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {
        "chain_id": chain_id, "chain_seq": length, "at": at, "user_id": actor.user_id,
        "username": actor.username, "role": actor.role, "action": action, "child_id": child_id, "entity": entity,
        "entity_id": entity_id, "detail": detail or {}, "prev_hash": prev_hash,
    }
    values["hash"] = _digest({**values, "at": _iso(at)})
    new_entry = insert(AuditEntry).values(**values).returning(AuditEntry.id)
    set_head = update(AuditChain).where(AuditChain.id == chain_id).values(last_hash=values["hash"])
    if session.get_bind().dialect.name == "postgresql":  # one round trip: insert the entry and move the head
        entry = new_entry.cte("entry")
        entry_id = session.execute(set_head.returning(select(entry.c.id).scalar_subquery())).scalar_one()
    else:
        entry_id = session.execute(new_entry).scalar_one()
        session.execute(set_head)
    return AuditEntry(id=entry_id, **values)


def verify(session: Session) -> list[str]:
    """Check every chain end to end; returns the problems found (empty when the log is intact)."""
    problems: list[str] = []
    heads = {c.id: c for c in session.scalars(select(AuditChain).order_by(AuditChain.id))}
    last: dict[int, tuple[int, str]] = {cid: (0, genesis_hash(cid)) for cid in heads}
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.chain_id, AuditEntry.chain_seq)).scalars()
    for entry in rows:
        seq, prev = last.get(entry.chain_id, (0, genesis_hash(entry.chain_id)))
        where = f"audit entry {entry.id} (chain {entry.chain_id}, #{entry.chain_seq})"
        if entry.chain_seq != seq + 1:
            problems.append(f"{where}: expected #{seq + 1}; entries are missing before it")
        if entry.prev_hash != prev:
            problems.append(f"{where}: its previous hash does not match the entry before it")
        if _digest(_content(entry)) != entry.hash:
            problems.append(f"{where}: its content does not match its hash (it was changed)")
        last[entry.chain_id] = (entry.chain_seq, entry.hash)
    for cid, head in heads.items():
        seq, last_hash = last[cid]
        if head.length != seq or head.last_hash != last_hash:
            problems.append(f"audit chain {cid}: the head says {head.length} entries but the log ends at #{seq}")
    return problems
