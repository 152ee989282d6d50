"""The audit log: every read and write of a child's record, append-only, hash-chained and keyed.

Each entry is written in the same transaction as the change (or the read) it records, so there is no change
without its entry and no entry without its change. Entries form chains: each holds an HMAC-SHA-256 of its content
and of the previous entry's hash, keyed by a secret kept outside the database (``CAREFLOW_AUDIT_KEYS``; each entry
records the id of its key, so keys can be rotated). The entry of a write holds the SHA-256 of the event it wrote
(``event_sha256``), so an event changed in the database no longer matches its entry. The log is split into a fixed
number of chains (by child, or by user for entries about no single child) so that writers about different children
do not queue for one lock; each chain's head row (:class:`~careflow.record.models.AuditChain`) is locked last, just
before commit. The database refuses UPDATE and DELETE on the log (triggers in the first migration; on PostgreSQL
the application's role does not own the table, so it cannot drop or disable them: docs/DEPLOY.md).

Someone with the database's administrator rights but not the key cannot recompute an entry's hash. To catch a
chain cut short (newest entries deleted, the head moved back) or rewritten whole, the chains' heads are
checkpointed outside the database (:func:`write_checkpoint`: an append-only file of HMAC-signed lines), and
:func:`verify_report` checks that every checkpointed entry is still there with the same hash. Entries written
before keys existed (no ``key_id``) are checked with plain SHA-256 and accepted only before a chain's first keyed
entry.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from careflow.record.models import AuditChain, AuditEntry, Event

if TYPE_CHECKING:
    from careflow.record.settings import Settings

__all__ = ["Actor", "Keyring", "Report", "append", "bind_keys", "current_heads", "ensure_chains", "event_digest",
           "genesis_hash", "keyring_of", "verify", "verify_report", "write_checkpoint"]


@dataclass(frozen=True)
class Actor:
    """Who is acting: the user's id, name, role and team (None for the system itself)."""

    user_id: int | None
    username: str
    role: str
    team_id: int | None = None


SYSTEM = Actor(None, "system", "system")


@dataclass(frozen=True)
class Keyring:
    """The audit chains' keys: ``current`` signs new entries; ``keys`` (id -> secret) checks old ones."""

    current: str
    keys: dict[str, str]

    @classmethod
    def of(cls, settings: Settings) -> Keyring:
        """The keyring of the settings (raises ValueError when no key is set)."""
        current, keys = settings.keyring()
        return cls(current, keys)


class _KeySource:
    """Resolves an engine's keyring once, from the settings it was made with."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keyring: Keyring | None = None

    def get(self) -> Keyring:
        if self.keyring is None:
            self.keyring = Keyring.of(self.settings)
        return self.keyring


_SOURCES: weakref.WeakKeyDictionary[Engine, _KeySource] = weakref.WeakKeyDictionary()


def bind_keys(engine: Engine, settings: Settings) -> None:
    """Sessions on ``engine`` sign audit entries with the settings' keys (``make_engine`` and ``create_app``)."""
    _SOURCES[engine] = _KeySource(settings)


def keyring_of(session: Session) -> Keyring:
    """The keyring of the session's engine."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    source = _SOURCES.get(engine)
    if source is None:
        raise RuntimeError("the audit log's keys are not set for this engine: make it with "
                           "careflow.record.db.make_engine(settings)")
    return source.get()


def genesis_hash(chain_id: int) -> str:
    """The hash a chain starts from."""
    return hashlib.sha256(f"careflow-audit-genesis:{chain_id}".encode()).hexdigest()


def _iso(at: dt.datetime) -> str:
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def _digest(fields: dict[str, Any], keyring: Keyring | None = None) -> str:
    """An entry's hash: HMAC-SHA-256 under the key ``fields['key_id']`` names (plain SHA-256 for entries written
    before keys, which have no key id). Raises KeyError for a key id not in the keyring."""
    key_id = fields.get("key_id")
    if key_id is None:
        return hashlib.sha256(_canonical(fields)).hexdigest()
    if keyring is None:
        raise KeyError(key_id)
    return hmac.new(keyring.keys[key_id].encode(), _canonical(fields), hashlib.sha256).hexdigest()


def _content(entry: Any) -> dict[str, Any]:
    content = {
        "chain_id": entry.chain_id, "chain_seq": entry.chain_seq, "at": _iso(entry.at), "user_id": entry.user_id,
        "username": entry.username, "role": entry.role, "action": entry.action, "child_id": entry.child_id,
        "entity": entry.entity, "entity_id": entry.entity_id, "detail": entry.detail or {},
        "prev_hash": entry.prev_hash,
    }
    if entry.key_id is not None:
        content["key_id"] = entry.key_id
    return content


_EVENTS = cast(Table, Event.__table__)
_EVENT_COLUMNS = [_EVENTS.c[name] for name in
                  ("id", "child_id", "kind", "occurred_on", "recorded_at", "recorded_by_id", "payload", "note")]


def event_digest(row: Any) -> str:
    """The SHA-256 of an event row's content (what the audit entry of its write holds)."""
    occurred = row.occurred_on
    return hashlib.sha256(_canonical({
        "id": row.id, "child_id": row.child_id, "kind": row.kind,
        "occurred_on": occurred.isoformat() if occurred is not None else None,
        "recorded_at": _iso(row.recorded_at) if row.recorded_at is not None else None,
        "recorded_by_id": row.recorded_by_id, "payload": row.payload or {}, "note": row.note,
    })).hexdigest()


def _event_hashes(session: Session, detail: dict[str, Any], entity: str | None,
                  entity_id: int | None) -> dict[str, Any]:
    """What the entry of a write adds about the events it wrote: ``event_sha256`` of the one event (an entry about
    an event, or naming ``event_id``), or of the run of events ``event_range`` [first, last] (a bulk load)."""
    single = entity_id if entity == "event" else detail.get("event_id")
    connection = session.connection()
    if single is not None:
        row = connection.execute(select(*_EVENT_COLUMNS).where(_EVENTS.c.id == int(single))).one_or_none()
        if row is not None:
            return {"event_id": int(single), "event_sha256": event_digest(row)}
    span = detail.get("event_range")
    if span:
        first, last = int(span[0]), int(span[1])
        total = hashlib.sha256()
        for row in connection.execute(select(*_EVENT_COLUMNS).where(_EVENTS.c.id.between(first, last))
                                      .order_by(_EVENTS.c.id)):
            total.update(event_digest(row).encode())
        return {"event_range": [first, last], "event_sha256": total.hexdigest()}
    return {}


def ensure_chains(session: Session, chains: int) -> None:
    """Create the heads of chains ``0 .. chains-1`` that do not exist yet (at start-up; on PostgreSQL under an
    advisory lock, so workers starting together do not both insert them)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": 0x63617265_61756474})
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
# PostgreSQL: two round trips. The first locks the head, takes the next number and reads the event being audited;
# the second inserts the entry and moves the head (a data-modifying CTE).
_HEAD_CTE = (update(_CHAINS).where(_CHAINS.c.id == bindparam("chain")).values(length=_CHAINS.c.length + 1)
             .returning(_CHAINS.c.length, _CHAINS.c.last_hash).cte("head"))
_TAKE_HEAD_AND_EVENT = (select(_HEAD_CTE.c.length, _HEAD_CTE.c.last_hash, *_EVENT_COLUMNS)
                        .select_from(_HEAD_CTE.outerjoin(_EVENTS, _EVENTS.c.id == bindparam("event"))))
_ENTRY_CTE = (insert(_LOG).values({c.name: bindparam(f"v_{c.name}", type_=c.type) for c in _LOG.c if c.name != "id"})
              .returning(_LOG.c.id).cte("entry"))
_INSERT_AND_SET_HEAD = (update(_CHAINS).where(_CHAINS.c.id == bindparam("chain"))
                        .values(last_hash=bindparam("new_hash"))
                        .returning(select(_ENTRY_CTE.c.id).scalar_subquery()))


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
    """Add one entry to the log in the session's transaction (call it last, just before commit); returns its id.

    The entry of a write about an event (``entity="event"``, or a ``detail`` naming ``event_id`` or an
    ``event_range``) also holds the SHA-256 of the event's row as the database now holds it.
    """
    session.flush()  # the change being audited takes its row locks first; the chain head is always locked last
    keyring = keyring_of(session)
    chain_id = _chain_of(chains, child_id, actor)
    at = dt.datetime.now(dt.UTC)
    detail = dict(detail or {})
    hashes_event = not action.startswith("read") and (entity == "event" or "event_id" in detail
                                                        or "event_range" in detail)
    values: dict[str, Any] = {
        "chain_id": chain_id, "at": at, "user_id": actor.user_id, "username": actor.username, "role": actor.role,
        "action": action, "child_id": child_id, "entity": entity, "entity_id": entity_id, "detail": detail,
        "key_id": keyring.current,
    }
    connection = session.connection()
    # The head is locked and the next number taken in one statement (the row lock lasts until commit). The HMAC is
    # computed here, never by the database, so the key is never sent to it.
    single = entity_id if entity == "event" else detail.get("event_id")
    if connection.dialect.name == "postgresql" and (not hashes_event or (single is not None
                                                                        and "event_range" not in detail)):
        row = connection.execute(_TAKE_HEAD_AND_EVENT, {"chain": chain_id,
                                                        "event": int(single) if single is not None else -1}).one()
        if hashes_event and row.id is not None:
            detail.update({"event_id": int(row.id), "event_sha256": event_digest(row)})
        values.update(chain_seq=row.length, prev_hash=row.last_hash)
        values["hash"] = _digest({**values, "at": _iso(at)}, keyring)
        return int(connection.execute(_INSERT_AND_SET_HEAD, {
            **{f"v_{k}": v for k, v in values.items()}, "chain": chain_id, "new_hash": values["hash"]}).scalar_one())
    if hashes_event:
        detail.update(_event_hashes(session, detail, entity, entity_id))
    length, prev_hash = connection.execute(_TAKE_HEAD, {"chain": chain_id}).one()
    values.update(chain_seq=length, prev_hash=prev_hash)
    values["hash"] = _digest({**values, "at": _iso(at)}, keyring)
    entry_id = int(connection.execute(_INSERT_ENTRY, values).scalar_one())
    connection.execute(_SET_HEAD, {"chain": chain_id, "new_hash": values["hash"]})
    return entry_id


@dataclass
class Report:
    """What :func:`verify_report` found: ``problems`` (each names the entry, event or chain) and ``notes``."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    entries: int = 0
    events: int = 0
    checkpoints: int = 0

    @property
    def is_intact(self) -> bool:
        """Whether nothing was found."""
        return not self.problems


def verify(session: Session, checkpoint: Path | None = None) -> list[str]:
    """Check every chain end to end (and against the checkpoint file, if given); the problems found."""
    return verify_report(session, checkpoint).problems


def _check_entry(entry: AuditEntry, keyring: Keyring, seq: int, prev: str, keyed_before: bool) -> list[str]:
    where = f"audit entry {entry.id} (chain {entry.chain_id}, #{entry.chain_seq})"
    problems = []
    if entry.chain_seq != seq + 1:
        problems.append(f"{where}: expected #{seq + 1}; entries are missing before it")
    if entry.prev_hash != prev:
        problems.append(f"{where}: its previous hash does not match the entry before it")
    if entry.key_id is None and keyed_before:
        problems.append(f"{where}: unkeyed after keyed entries (written behind the service's back)")
    try:
        if not hmac.compare_digest(_digest(_content(entry), keyring), entry.hash):
            problems.append(f"{where}: its content does not match its hash (it was changed)")
    except KeyError:
        problems.append(f"{where}: signed with key {entry.key_id!r}, which is not among the keys given "
                        f"({', '.join(keyring.keys)})")
    return problems


def verify_report(session: Session, checkpoint: Path | None = None, keyring: Keyring | None = None) -> Report:
    """Check every chain end to end, every event against the entry of its write, and the checkpoints."""
    keyring = keyring or keyring_of(session)
    report = Report()
    marks = _read_checkpoints(checkpoint, keyring, report) if checkpoint is not None else {}
    wanted = {(chain, seq) for heads in marks.values() for chain, (seq, _) in heads.items()}
    found: dict[tuple[int, int], tuple[int, str]] = {}
    heads = current_heads(session)
    last: dict[int, tuple[int, str]] = {cid: (0, genesis_hash(cid)) for cid in heads}
    keyed: set[int] = set()
    singles: dict[int, tuple[str, int]] = {}
    ranges: list[tuple[int, int, str, int]] = []
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.chain_id, AuditEntry.chain_seq)).scalars():
        report.entries += 1
        seq, prev = last.get(entry.chain_id, (0, genesis_hash(entry.chain_id)))
        report.problems += _check_entry(entry, keyring, seq, prev, entry.chain_id in keyed)
        if entry.key_id is not None:
            keyed.add(entry.chain_id)
        last[entry.chain_id] = (entry.chain_seq, entry.hash)
        if (entry.chain_id, entry.chain_seq) in wanted:
            found[(entry.chain_id, entry.chain_seq)] = (entry.id, entry.hash)
        detail = entry.detail or {}
        if "event_sha256" in detail:
            if "event_range" in detail:
                first, end = detail["event_range"]
                ranges.append((int(first), int(end), str(detail["event_sha256"]), entry.id))
            elif "event_id" in detail:
                singles[int(detail["event_id"])] = (str(detail["event_sha256"]), entry.id)
        session.expunge(entry)
    for cid, (length, last_hash) in heads.items():
        seq, hash_ = last[cid]
        if length != seq or last_hash != hash_:
            report.problems.append(f"audit chain {cid}: the head says {length} entries but the log ends at #{seq}")
    _check_events(session, singles, ranges, report)
    for at, chain_heads in marks.items():
        for chain, (seq, digest) in sorted(chain_heads.items()):
            if seq == 0:
                continue
            have = found.get((chain, seq))
            if have is None:
                report.problems.append(
                    f"audit chain {chain}: the checkpoint of {at} recorded {seq} entries; the log now ends at "
                    f"#{last.get(chain, (0, ''))[0]} (entries were removed)")
            elif not hmac.compare_digest(have[1], digest):
                report.problems.append(f"audit entry {have[0]} (chain {chain}, #{seq}): differs from the checkpoint "
                                       f"of {at} (the chain was rewritten)")
    return report


def _check_events(session: Session, singles: dict[int, tuple[str, int]], ranges: list[tuple[int, int, str, int]],
                  report: Report) -> None:
    running = [hashlib.sha256() for _ in ranges]
    first_covered = min([*singles, *(r[0] for r in ranges)], default=None)
    legacy = 0
    seen: set[int] = set()
    for row in session.connection().execute(select(*_EVENT_COLUMNS).order_by(_EVENTS.c.id)):
        report.events += 1
        digest = event_digest(row)
        if row.id in singles:
            seen.add(row.id)
            expected, entry_id = singles[row.id]
            if not hmac.compare_digest(expected, digest):
                report.problems.append(f"event {row.id} (child {row.child_id}): its content differs from what audit "
                                       f"entry {entry_id} recorded when it was written (it was changed)")
            continue
        covering = [index for index, (first, end, _, _) in enumerate(ranges) if first <= row.id <= end]
        for index in covering:
            running[index].update(digest.encode())
        if covering:
            continue
        if first_covered is None or row.id < first_covered:
            legacy += 1
        else:
            report.problems.append(f"event {row.id} (child {row.child_id}): no audit entry records its writing "
                                   "(it was inserted behind the service's back)")
    for event_id, (_, entry_id) in sorted(singles.items()):
        if event_id not in seen:
            report.problems.append(f"event {event_id}: written under audit entry {entry_id} but no longer in the "
                                   "events table (it was deleted)")
    for index, (first, end, expected, entry_id) in enumerate(ranges):
        if not hmac.compare_digest(running[index].hexdigest(), expected):
            report.problems.append(f"events {first} to {end}: their content differs from what audit entry "
                                   f"{entry_id} recorded when they were loaded (changed, added or deleted)")
    if legacy:
        report.notes.append(f"{legacy} events were written before events were hashed into the audit log; they are "
                            "not covered")


# --- checkpoints outside the database ---------------------------------------------------------------------------


def _checkpoint_mac(keyring: Keyring, key_id: str, body: dict[str, Any]) -> str:
    return hmac.new(keyring.keys[key_id].encode(), _canonical(body), hashlib.sha256).hexdigest()


def _read_checkpoints(path: Path, keyring: Keyring, report: Report) -> dict[str, dict[int, tuple[int, str]]]:
    """The signed checkpoints in ``path`` (label -> chain -> (length, last hash)); a bad line is a problem."""
    marks: dict[str, dict[int, tuple[int, str]]] = {}
    if not path.exists():
        report.notes.append(f"no checkpoint file at {path} yet")
        return marks
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        where = f"checkpoint file {path}, line {number}"
        try:
            record = json.loads(line)
            body = {k: record[k] for k in ("at", "key_id", "heads")}
            mac = str(record["mac"])
            key_id = str(body["key_id"])
        except (ValueError, KeyError, TypeError):
            report.problems.append(f"{where}: not a checkpoint (the file was edited)")
            continue
        if key_id not in keyring.keys:
            report.problems.append(f"{where}: signed with key {key_id!r}, which is not among the keys given")
            continue
        if not hmac.compare_digest(_checkpoint_mac(keyring, key_id, body), mac):
            report.problems.append(f"{where}: its signature does not match (the file was edited)")
            continue
        report.checkpoints += 1
        marks[f"{body['at']} (line {number})"] = {int(c): (int(v[0]), str(v[1])) for c, v in body["heads"].items()}
    return marks


def current_heads(session: Session) -> dict[int, tuple[int, str]]:
    """Each chain's length and last hash as the database holds them now."""
    return {int(cid): (int(length), str(last)) for cid, length, last in session.execute(
        select(AuditChain.id, AuditChain.length, AuditChain.last_hash).order_by(AuditChain.id))}


def write_checkpoint(session: Session, path: Path, keyring: Keyring | None = None,
                     heads: Iterable[tuple[int, tuple[int, str]]] | None = None) -> dict[str, Any]:
    """Append the chains' heads to ``path`` as one HMAC-signed JSON line (under an exclusive file lock, so several
    processes may write to one file). Keep the file off the database's host (another volume or machine)."""
    keyring = keyring or keyring_of(session)
    chain_heads = dict(heads) if heads is not None else current_heads(session)
    body = {"at": _iso(dt.datetime.now(dt.UTC)), "key_id": keyring.current,
            "heads": {str(c): [seq, digest] for c, (seq, digest) in sorted(chain_heads.items())}}
    record = {**body, "mac": _checkpoint_mac(keyring, keyring.current, body)}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        try:
            out.write(json.dumps(record, sort_keys=True) + "\n")
            out.flush()
        finally:
            fcntl.flock(out, fcntl.LOCK_UN)
    return record
