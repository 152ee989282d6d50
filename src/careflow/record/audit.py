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
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, text, update
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


# Prepared once (the statements' compiled forms are cached): the hot path builds no SQL per call.
_CHAINS = cast(Table, AuditChain.__table__)
_LOG = cast(Table, AuditEntry.__table__)
_TAKE_HEAD = (update(_CHAINS).where(_CHAINS.c.id == bindparam("chain")).values(length=_CHAINS.c.length + 1)
              .returning(_CHAINS.c.length, _CHAINS.c.last_hash))
_INSERT_ENTRY = insert(_LOG).returning(_LOG.c.id)
_SET_HEAD = update(_CHAINS).where(_CHAINS.c.id == bindparam("chain")).values(last_hash=bindparam("new_hash"))
# PostgreSQL appends in one statement: lock the chain's head, insert the entry with the next number, the previous
# hash and its own hash (SHA-256 computed by the server over the same canonical JSON as :func:`_digest`, the
# number and previous hash spliced in where the head gives them), and move the head. The head row's lock is taken
# by this statement and held to commit, so entries of one chain are numbered and linked in commit order.
_APPEND_POSTGRESQL = text("""
WITH head AS (
    SELECT length + 1 AS seq, last_hash FROM audit_chains WHERE id = :chain FOR UPDATE
), entry AS (
    INSERT INTO audit_log (chain_id, chain_seq, at, user_id, username, role, action, child_id, entity, entity_id,
                           detail, prev_hash, hash)
    SELECT :chain, head.seq, CAST(:at AS TIMESTAMPTZ), CAST(:user_id AS BIGINT), CAST(:username AS VARCHAR),
           CAST(:role AS VARCHAR), CAST(:action AS VARCHAR), CAST(:child_id AS BIGINT), CAST(:entity AS VARCHAR),
           CAST(:entity_id AS BIGINT), CAST(:detail AS JSON), head.last_hash,
           encode(sha256(convert_to(CAST(:before_seq AS TEXT) || CAST(head.seq AS TEXT) || CAST(:before_prev AS TEXT)
                                    || head.last_hash || CAST(:after_prev AS TEXT), 'UTF8')), 'hex')
    FROM head
    RETURNING id, chain_seq, hash
)
UPDATE audit_chains SET length = entry.chain_seq, last_hash = entry.hash FROM entry WHERE audit_chains.id = :chain
RETURNING entry.id
""")


def _spliced(fields: dict[str, Any]) -> tuple[str, str, str] | None:
    """The canonical JSON of ``fields`` cut where the chain number and the previous hash go (None if it cannot be
    cut unambiguously, e.g. a detail holding the marker itself)."""
    marker = f"careflow-audit-{secrets.token_hex(8)}"
    text_ = json.dumps({**fields, "chain_seq": marker + "s", "prev_hash": marker + "p"}, sort_keys=True,
                       separators=(",", ":"), default=str)
    seq, prev = f'"{marker}s"', f'"{marker}p"'
    if text_.count(seq) != 1 or text_.count(prev) != 1 or text_.index(seq) > text_.index(prev):
        return None
    before_seq, rest = text_.split(seq)
    between, after = rest.split(prev)
    return before_seq, between + '"', '"' + after


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
) -> int:
    """Add one entry to the log in the session's transaction (call it last, just before commit); returns its id."""
    session.flush()  # the change being audited takes its row locks first; the chain head is always locked last
    chain_id = _chain_of(chains, child_id, actor)
    at = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {
        "chain_id": chain_id, "at": at, "user_id": actor.user_id, "username": actor.username, "role": actor.role,
        "action": action, "child_id": child_id, "entity": entity, "entity_id": entity_id, "detail": detail or {},
    }
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        parts = _spliced({**values, "at": _iso(at)})
        if parts is not None:
            before_seq, before_prev, after_prev = parts
            return int(connection.execute(_APPEND_POSTGRESQL, {
                **values, "chain": chain_id, "detail": json.dumps(values["detail"], default=str),
                "before_seq": before_seq, "before_prev": before_prev, "after_prev": after_prev,
            }).scalar_one())
    # Lock the head and take the next number in one statement (the row lock lasts until commit), then insert.
    length, prev_hash = connection.execute(_TAKE_HEAD, {"chain": chain_id}).one()
    values.update(chain_seq=length, prev_hash=prev_hash)
    values["hash"] = _digest({**values, "at": _iso(at)})
    entry_id = int(connection.execute(_INSERT_ENTRY, values).scalar_one())
    connection.execute(_SET_HEAD, {"chain": chain_id, "new_hash": values["hash"]})
    return entry_id


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
