"""What one recorded event costs a single writer, audit entry included (PostgreSQL or SQLite): a small measure of
the write path, to compare the keyed audit chains (HMAC in Python, the event's hash read back) with what was before.

    python benchmarks/bench_audit_append.py --events 500                      # this checkout
    PYTHONPATH=/path/to/other/src python benchmarks/bench_audit_append.py     # another version, same measure

Prints milliseconds an event (median of ``--repeats`` runs). The database is a schema of its own, dropped after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from careflow.record.app import create_app
from careflow.record.db import drop_schema
from careflow.record.demo import DemoUser, seed_users
from careflow.record.models import User
from careflow.record.pathway import Role
from careflow.record.schemas import ChildCreate, NoteAddedForm
from careflow.record.services import events, records
from careflow.record.services.auth import actor_of
from careflow.record.services.context import Ctx
from careflow.record.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("CAREFLOW_TEST_POSTGRES_URL",
                                                        "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    schema = f"bench_audit_{os.getpid()}"
    settings = Settings(database_url=args.url, database_schema=None if args.url.startswith("sqlite") else schema,
                        password_time_cost=1, password_memory_kib=64, secret_key="bench")
    drop_schema(settings)
    try:
        app = create_app(settings)
        sessions = app.state.record.sessions
        with sessions() as session, session.begin():
            users = seed_users(session, app.state.record.passwords, "benchmark-password",
                               (DemoUser("bench", "Bench", Role.FAMILY_HELP_WORKER, "Bench Team"),),
                               (("Bench Team", "family_help"),))
            actor = actor_of(users["bench"])
        with sessions() as session, session.begin():
            ctx = Ctx(session, actor, settings)
            child = records.create_child(ctx, ChildCreate(given_name="Bench", family_name="Mark",
                                                          date_of_birth="2015-01-01", sex="F",
                                                          referral_source="2A"))  # type: ignore[arg-type]
        version = child.version
        runs = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            for n in range(args.events):
                with sessions() as session, session.begin():
                    ctx = Ctx(session, actor, settings)
                    _, version = events.record_with_version(
                        ctx, child.id, NoteAddedForm(kind="note_added", version=version, note=f"note {n}"))
            runs.append((time.perf_counter() - started) / args.events * 1000)
        with sessions() as session:
            assert session.get(User, actor.user_id) is not None
        print(f"{args.url.split('@')[-1].split('/')[0] or 'sqlite'}: {statistics.median(runs):.2f} ms an event "
              f"(median of {args.repeats} runs of {args.events}; runs {', '.join(f'{r:.2f}' for r in runs)})")
    finally:
        drop_schema(settings)


if __name__ == "__main__":
    main()
