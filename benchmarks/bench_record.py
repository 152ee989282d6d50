"""Benchmark of the case record on PostgreSQL: caseload page p95, events/s with 50 writers, export time.

    python benchmarks/bench_record.py [--children 100000] [--events 2000000] [--writers 50] [--seconds 20]
                                      [--http-workers 2]

Seeds a schema of its own (``careflow_bench``, dropped at the end) with COPY: teams, workers, children with their
referrals, plans, episodes of care, reviews, deadlines and timelines. Then:

1. the caseload page (``GET /caseload``, the whole stack: session, query, audit entry, commit, HTML) for random
   workers, p50/p95;
2. ``--writers`` threads recording events through the service (version check, pathway check, derived rows, audit,
   commit), some on the same children, retrying on 409; then checks that no update was lost (each child's version
   rose by exactly the events recorded for it);
   (``--http-workers N``: the same through HTTP, ``uvicorn --workers N`` serving the app, client threads posting
   events over keep-alive connections);
3. the year's SSDA903 and CIN census exported through the foundation's writers.

Prints its figures; not a timed test. Targets from the issue: p95 < 100 ms, ≥ 300 events/s, export < 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

URL = os.environ.get("CAREFLOW_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "careflow_bench"
TODAY = dt.date(2025, 3, 31)
YEAR = 2025


def _copy(raw: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(engine: Any, settings: Any, n_children: int, n_events: int) -> dict[str, Any]:
    """Fill the schema; returns worker ids by team and the children of each worker."""
    from careflow.record import audit
    from careflow.record.clocks import CLOCKS, due_date
    from careflow.record.security import Passwords

    rng = random.Random(0)
    n_teams = max(1, n_children // 500)
    workers_per_team = 10
    password_hash = Passwords(settings).hash("benchmark-password")
    raw = engine.raw_connection()
    dbapi = raw.driver_connection
    started = time.perf_counter()
    try:
        _copy(dbapi, "teams", ["id", "name", "kind"], [(t + 1, f"Team {t + 1}", "family_help") for t in range(n_teams)])
        users = []
        roles = ["family_help_worker"] * 5 + ["social_worker"] * 3 + ["expert_child_protection_practitioner",
                                                                       "team_manager"]
        uid = 0
        team_workers: dict[int, list[int]] = {}
        team_managers: dict[int, list[int]] = {}
        for t in range(1, n_teams + 1):
            for role in roles[:workers_per_team]:
                uid += 1
                users.append((uid, f"u{uid}", f"Worker {uid}", role, t, password_hash, True, 0, 1))
                if role != "team_manager":
                    team_workers.setdefault(t, []).append(uid)
                else:
                    team_managers.setdefault(t, []).append(uid)
        _copy(dbapi, "users", ["id", "username", "display_name", "role", "team_id", "password_hash", "is_active",
                               "failed_logins", "version"], users)
        people, children, allocations, referrals, episodes, reviews, plans, deadlines = [], [], [], [], [], [], [], []
        stages = ["family_help"] * 6 + ["child_protection"] * 2 + ["looked_after"] * 2
        worker_children: dict[int, list[int]] = {}
        child_team: dict[int, int] = {}
        for c in range(1, n_children + 1):
            dob = TODAY - dt.timedelta(days=rng.randint(520, 17 * 365))
            people.append((c, rng.choice(["Amelia", "Noah", "Isla", "Leo", "Zara", "Kai"]), f"Family{c}",
                           rng.choice(["M", "F"]), dob, "WBRI", 1))
            team = (c - 1) % n_teams + 1
            stage = rng.choice(stages)
            start = TODAY - dt.timedelta(days=rng.randint(10, 500))
            children.append((c, c, f"C{c:07d}", team, stage, start, "N1", "[]", 1))
            child_team[c] = team
            worker = rng.choice(team_workers[team])
            allocations.append((c, worker, "key_worker", start))
            worker_children.setdefault(worker, []).append(c)
            referrals.append((c, c, 1, start, "2A", "N1", False))
            if stage == "looked_after":
                episodes.append((c, start, None, "S", "C2", "N1", "U1", "PR1", None, None))
                reviews.append((c, start + dt.timedelta(days=20), "PN1"))
            if stage == "child_protection":
                plans.append((c, c, start, None, "NEG", "NEG"))
            kind = {"looked_after": "looked_after_second_review", "child_protection": "child_protection_first_review",
                    "family_help": "assessment"}[stage]
            deadlines.append((c, kind, due_date(CLOCKS[kind].parameter, start), start, CLOCKS[kind].parameter, False))
        _copy(dbapi, "people", ["id", "given_name", "family_name", "sex", "date_of_birth", "ethnicity", "version"],
              people)
        _copy(dbapi, "children", ["id", "person_id", "la_child_id", "team_id", "stage", "stage_since",
                                  "primary_need", "disabilities", "version"], children)
        _copy(dbapi, "allocations", ["child_id", "user_id", "role_on_case", "start_date"], allocations)
        _copy(dbapi, "referrals", ["id", "child_id", "sequence", "referral_date", "referral_source", "primary_need",
                                   "is_no_further_action"], referrals)
        _copy(dbapi, "looked_after_episodes", ["child_id", "start_date", "end_date", "reason_new_episode",
                                               "legal_status", "category_of_need", "placement_type",
                                               "placement_provider", "reason_episode_ceased",
                                               "reason_placement_change"], episodes)
        _copy(dbapi, "looked_after_reviews", ["child_id", "review_date", "participation"], reviews)
        _copy(dbapi, "child_protection_plans", ["child_id", "referral_id", "start_date", "end_date",
                                                "initial_category_of_abuse", "latest_category_of_abuse"], plans)
        _copy(dbapi, "deadlines", ["child_id", "kind", "due_date", "basis_date", "parameter", "is_cancelled"],
              deadlines)
        now = dt.datetime.now(dt.UTC)
        per_child = max(1, n_events // n_children)
        batch: list[tuple[Any, ...]] = []
        for c in range(1, n_children + 1):
            for k in range(per_child):
                batch.append((c, "note_added" if k else "conversation", TODAY - dt.timedelta(days=per_child - k),
                              now, '{"imported": true}', None))
            if len(batch) >= 200_000:
                _copy(dbapi, "events", ["child_id", "kind", "occurred_on", "recorded_at", "payload", "note"], batch)
                batch = []
        if batch:
            _copy(dbapi, "events", ["child_id", "kind", "occurred_on", "recorded_at", "payload", "note"], batch)
        with dbapi.cursor() as cur:
            for table in ("teams", "users", "people", "children", "referrals"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cur.execute("ANALYZE")
        dbapi.commit()
    finally:
        raw.close()
    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        audit.ensure_chains(session, settings.audit_chains)
    return {"team_workers": team_workers, "team_managers": team_managers, "worker_children": worker_children,
            "child_team": child_team, "seconds": time.perf_counter() - started, "teams": n_teams, "users": uid}


def bench_caseload(app: Any, seeded: dict[str, Any], samples: int) -> tuple[float, float]:
    """p50 and p95 (ms) of GET /caseload over random workers, through the whole stack."""
    from fastapi.testclient import TestClient

    rng = random.Random(1)
    workers = [w for ws in seeded["team_workers"].values() for w in ws]
    timings = []
    clients: dict[int, TestClient] = {}
    for _ in range(samples):
        worker = rng.choice(workers)
        if worker not in clients:
            client = TestClient(app)
            assert client.post("/api/session", json={"username": f"u{worker}",
                                                     "password": "benchmark-password"}).status_code == 200
            clients[worker] = client
        started = time.perf_counter()
        page = clients[worker].get("/caseload")
        timings.append((time.perf_counter() - started) * 1000)
        assert page.status_code == 200
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


def _writer_process(settings: Any, pool: list[int], child_team: dict[int, int], versions: dict[int, int],
                    threads: int, seconds: float, seed: int, results: Any) -> None:
    """One process of writers: ``threads`` threads recording notes until the time is up."""
    from sqlalchemy import event, select

    from careflow.record.db import make_engine, session_factory
    from careflow.record.errors import StaleVersion
    from careflow.record.models import User
    from careflow.record.schemas import NoteAddedForm
    from careflow.record.services.auth import actor_of
    from careflow.record.services.context import Ctx
    from careflow.record.services.events import record

    engine = make_engine(settings)
    connects = [0]
    event.listen(engine, "connect", lambda *_: connects.__setitem__(0, connects[0] + 1))
    sessions = session_factory(engine)
    with sessions() as session:
        managers = {u.team_id: actor_of(u) for u in session.scalars(select(User).where(User.role == "team_manager"))}
    known = dict(versions)  # the version each client last saw (as an API client keeps it)
    recorded: dict[int, int] = {}
    conflicts = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def writer(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        while time.perf_counter() < deadline:
            child_id = rng.choice(pool)
            with sessions() as session:
                try:
                    with session.begin():
                        ctx = Ctx(session, managers[child_team[child_id]], settings)
                        record(ctx, child_id, NoteAddedForm(kind="note_added", version=known[child_id],
                                                            note="visit"))
                    known[child_id] += 1
                except StaleVersion as exc:  # someone else wrote first: take their version and try again
                    known[child_id] = exc.current_version
                    with lock:
                        conflicts[0] += 1
                    continue
            with lock:
                recorded[child_id] = recorded.get(child_id, 0) + 1

    pool_threads = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for t in pool_threads:
        t.start()
    for t in pool_threads:
        t.join()
    engine.dispose()
    results.put((recorded, conflicts[0], connects[0]))


def bench_writers(app: Any, seeded: dict[str, Any], writers: int, seconds: float, processes: int) -> dict[str, Any]:
    """``writers`` concurrent writers (threads spread over ``processes`` processes) recording on a shared pool of
    children for ``seconds``, retrying on 409; returns counts, the rate, and how many updates were lost."""
    import multiprocessing

    from sqlalchemy import select

    from careflow.record import audit
    from careflow.record.models import Child

    state = app.state.record
    pool = list(range(1, min(len(seeded["child_team"]), 2000) + 1))
    with state.sessions() as session:
        start_versions = dict(session.execute(select(Child.id, Child.version).where(Child.id.in_(pool))).all())
    settings = state.settings
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    per = [writers // processes + (1 if i < writers % processes else 0) for i in range(processes)]
    team_of = {c: seeded["child_team"][c] for c in pool}
    started = time.perf_counter()
    # Each process's writers share a part of the pool (as a team shares its children); a tenth of the children
    # are shared by every process, so that writers also collide across processes.
    shared = pool[: len(pool) // 10]
    parts = [shared + pool[len(shared) + i::processes] for i in range(processes)]
    workers = [context.Process(target=_writer_process, args=(settings, parts[i], team_of, start_versions, n,
                                                                seconds, i, results)) for i, n in enumerate(per) if n]
    for w in workers:
        w.start()
    recorded: dict[int, int] = {}
    conflicts = connections = 0
    for _ in workers:
        counts, refused, opened = results.get()
        conflicts += refused
        connections += opened
        for child_id, n in counts.items():
            recorded[child_id] = recorded.get(child_id, 0) + n
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    with state.sessions() as session:
        end_versions = dict(session.execute(select(Child.id, Child.version).where(Child.id.in_(pool))).all())
    lost = sum(1 for c in pool if end_versions[c] - start_versions[c] != recorded.get(c, 0))
    total = sum(recorded.values())
    with state.sessions() as session:
        audit_problems = len(audit.verify(session))  # every chain whole after the concurrent appends
    return {"events": total, "seconds": elapsed, "per_second": total / elapsed, "conflicts": conflicts,
            "lost_updates": lost, "connections": connections, "audit_problems": audit_problems}


def _http(port: int, method: str, path: str, body: dict[str, Any] | None = None,
          headers: dict[str, str] | None = None, connection: Any = None) -> tuple[int, dict[str, Any], Any]:
    """One request over ``connection`` (kept alive) or a new one; status, JSON body, response headers."""
    import http.client
    import json

    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    raw = response.read()
    if connection is None:
        conn.close()
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return response.status, json.loads(raw) if raw and is_json else {}, response.headers


def bench_http_writers(app: Any, seeded: dict[str, Any], writers: int, seconds: float,
                       workers: int) -> dict[str, Any]:
    """The same writers through HTTP: ``uvicorn --workers`` serving the app (a process a worker, configured from
    the environment) and ``writers`` client threads posting ``POST /api/children/{id}/events`` with keep-alive
    connections, each as the team manager of the child's team; 409s retried with the version the answer gives."""
    import http.client
    import socket
    import subprocess
    import sys

    from sqlalchemy import select

    from careflow.record.models import Child

    state = app.state.record
    pool = list(range(1, min(len(seeded["child_team"]), 2000) + 1))
    with state.sessions() as session:
        start_versions = dict(session.execute(select(Child.id, Child.version).where(Child.id.in_(pool))).all())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CAREFLOW_DATABASE_URL": URL, "CAREFLOW_DATABASE_SCHEMA": SCHEMA,
           "CAREFLOW_SECRET_KEY": "benchmark"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "careflow.record.app:create_app", "--factory",
                               "--workers", str(workers), "--http", "careflow.record.server:NoDelayH11Protocol",
                               "--host", "127.0.0.1", "--port", str(port),
                               "--log-level", "warning"], env=env)
    try:
        for _ in range(300):
            try:
                if _http(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        managers = {team: uid for team, uids in seeded["team_managers"].items() for uid in uids}
        logins: dict[int, dict[str, str]] = {}
        for team in sorted({seeded["child_team"][c] for c in pool}):
            status, body, headers = _http(port, "POST", "/api/session",
                                          {"username": f"u{managers[team]}", "password": "benchmark-password"})
            assert status == 200, body
            cookie = headers["set-cookie"].split(";", 1)[0]
            logins[team] = {"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]}
        known = dict(start_versions)
        recorded: dict[int, int] = {}
        conflicts = [0]
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def writer(index: int) -> None:
            rng = random.Random(index)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while time.perf_counter() < deadline:
                child_id = rng.choice(pool)
                status, body, _ = _http(port, "POST", f"/api/children/{child_id}/events",
                                        {"kind": "note_added", "version": known[child_id], "note": "visit"},
                                        logins[seeded["child_team"][child_id]], conn)
                if status == 409:
                    known[child_id] = max(known[child_id], int(body["current_version"]))
                    with lock:
                        conflicts[0] += 1
                    continue
                assert status == 201, (status, body)
                with lock:
                    known[child_id] = max(known[child_id], int(body["child_version"]))
                    recorded[child_id] = recorded.get(child_id, 0) + 1
            conn.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    with state.sessions() as session:
        end_versions = dict(session.execute(select(Child.id, Child.version).where(Child.id.in_(pool))).all())
    lost = sum(1 for c in pool if end_versions[c] - start_versions[c] != recorded.get(c, 0))
    total = sum(recorded.values())
    return {"events": total, "seconds": elapsed, "per_second": total / elapsed, "conflicts": conflicts[0],
            "lost_updates": lost}


def bench_export(app: Any) -> tuple[float, dict[str, int]]:
    """Seconds to export the year's SSDA903 and CIN census, and the rows read back."""
    from sqlalchemy import select

    from careflow.record.models import User
    from careflow.record.services.auth import actor_of
    from careflow.record.services.context import Ctx
    from careflow.record.services.export import export_returns

    state = app.state.record
    with state.sessions() as session, session.begin():
        admin = User(username="bench-admin", display_name="Admin", role="admin", password_hash="x", is_active=True,
                     failed_logins=0)
        session.add(admin)
        session.flush()
        ctx = Ctx(session, actor_of(admin), state.settings)
        out = Path(tempfile.mkdtemp(prefix="careflow-bench-"))
        started = time.perf_counter()
        written = export_returns(ctx, out, YEAR)
        seconds = time.perf_counter() - started
        session.scalar(select(User.id).limit(1))
    from careflow.returns import read_cin_census, read_ssda903

    ssda903 = read_ssda903(written["ssda903"][0].parent, year=YEAR)
    cin = read_cin_census(written["cin_census"][0], year=YEAR)
    errors = sum(1 for i in ssda903.issues + cin.issues if str(i.severity) == "error")
    return seconds, {"episodes": ssda903.data["looked_after_episodes"].height,
                     "referrals": cin.data["referrals"].height, "errors_on_reading_back": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--processes", type=int, default=2, help="processes the writers are spread over (one a core)")
    parser.add_argument("--http-workers", type=int, default=0,
                        help="also run the writers through HTTP against uvicorn with this many worker processes")
    args = parser.parse_args()

    from careflow.record.app import create_app
    from careflow.record.db import drop_schema, make_engine
    from careflow.record.settings import Settings

    settings = Settings(database_url=URL, database_schema=SCHEMA, today=lambda: TODAY, password_time_cost=1,
                        password_memory_kib=1024, pool_size=12)
    drop_schema(settings)
    engine = make_engine(settings)
    try:
        app = create_app(settings, engine=engine)
        seeded = seed(engine, settings, args.children, args.events)
        print(f"seeded {args.children:,} children, {args.events:,} events, {seeded['teams']:,} teams, "
              f"{seeded['users']:,} users in {seeded['seconds']:.1f} s")
        p50, p95 = bench_caseload(app, seeded, args.samples)
        print(f"caseload page (GET /caseload, {args.samples} requests): p50 {p50:.1f} ms, p95 {p95:.1f} ms "
              f"(target p95 < 100 ms)")
        w = bench_writers(app, seeded, args.writers, args.seconds, args.processes)
        print(f"{args.writers} writers ({args.processes} processes) for {w['seconds']:.1f} s: {w['events']:,} events, "
              f"{w['per_second']:.0f} events/s, {w['conflicts']:,} stale-version 409s retried, "
              f"lost updates: {w['lost_updates']}, audit chain problems: {w['audit_problems']}, "
              f"{w['connections']} connections opened (target ≥ 300 events/s, 0 lost)")
        if args.http_workers:
            h = bench_http_writers(app, seeded, args.writers, args.seconds, args.http_workers)
            print(f"{args.writers} writers through HTTP (uvicorn, {args.http_workers} workers, clients on the same "
                  f"machine) for {h['seconds']:.1f} s: {h['events']:,} events, {h['per_second']:.0f} events/s, "
                  f"{h['conflicts']:,} stale-version 409s retried, lost updates: {h['lost_updates']}")
        seconds, counts = bench_export(app)
        print(f"export of {YEAR - 1}-{YEAR % 100:02d} SSDA903 + CIN census: {seconds:.1f} s "
              f"({counts['episodes']:,} episodes, {counts['referrals']:,} referrals, "
              f"{counts['errors_on_reading_back']} errors reading back) (target < 30 s)")
    finally:
        engine.dispose()
        drop_schema(settings)


if __name__ == "__main__":
    main()
