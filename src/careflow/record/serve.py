"""``careflow serve``: run the case record (``--demo`` loads a synthetic local authority and demo users)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from fastapi import FastAPI
from sqlalchemy import select

from careflow.record.app import create_app
from careflow.record.demo import DEMO_USERS, seed_users
from careflow.record.load import load_care_data
from careflow.record.models import Advocacy, Allocation, Child, User
from careflow.record.settings import Settings

if TYPE_CHECKING:
    from careflow.share.mast import LoadResult

__all__ = ["DEMO_PASSWORD", "build_demo", "cli_serve", "load_demo_partners", "run_workers"]

DEMO_PASSWORD = "careflow-demo-password"



def build_demo(settings: Settings, *, population: int = 20_000, seed: int = 0, out: TextIO | None = None,
               partners: bool = True) -> FastAPI:
    """An app holding a synthetic local authority and one demo user per role (password :data:`DEMO_PASSWORD`).

    The service's clock is set to the last day of the synthetic data, so its deadlines read as they would then. The
    data end with the latest collection year careflow's code lists hold, so the reformed pathway's records (family
    group decision making before the PLO, Family Network Plans) are in it. With ``partners``, what police, health,
    schools, housing and adult social care hold about the demo's children and their families over the two years
    to then is made (:func:`careflow.synth.partners.make_partner_data`), linked (``careflow link``) and loaded, so
    the MAST view has something to show (:func:`load_demo_partners`).
    """
    from careflow import codes, synth
    from careflow.tables import recode_for_year

    end_year = int(codes.years("ssda903")[-1])
    la = synth.generate(population, end_year=end_year, years=1, seed=seed)
    # The record holds today's codes: bring the synthetic history up to the year's lists (H5 -> K3, sex M/F/U),
    # so the year's returns export cleanly.
    current, _ = recode_for_year(la.data, end_year, ambiguous="first")
    today = la.end_date if isinstance(la.end_date, dt.date) else dt.date(2022, 3, 31)
    settings = dataclasses.replace(settings, today=lambda: today)
    app = create_app(settings)
    state = app.state.record
    with state.sessions() as session, session.begin():
        users = seed_users(session, state.passwords, DEMO_PASSWORD)
        teams = sorted({u.team_id for u in users.values() if u.team_id is not None})
        workers: dict[int, dict[str, list[int]]] = {}
        for user in users.values():
            if user.team_id is None:
                continue
            roles = workers.setdefault(user.team_id, {})
            key = {"family_help_worker": "key_worker", "social_worker": "social_worker",
                   "expert_child_protection_practitioner": "expert_child_protection_practitioner"}.get(user.role)
            if key:
                roles.setdefault(key, []).append(user.id)
        loaded = load_care_data(session, current, today=today, teams=teams[:2], workers=workers,
                                settings_chains=settings.audit_chains)
        advocate = users["advocate"]
        for child in session.scalars(select(Child).where(Child.stage == "looked_after").order_by(Child.id).limit(5)):
            session.add(Advocacy(child_id=child.id, advocate_id=advocate.id, start_date=child.stage_since))
            session.add(Allocation(child_id=child.id, user_id=advocate.id, role_on_case="advocate",
                                   start_date=child.stage_since))
    if partners and out is not None:
        out.write("Making what partner agencies hold about the demo's families, and linking it (careflow link)...\n")
        out.flush()
    linked = load_demo_partners(app, today=today, seed=seed, progress=out is sys.stdout) if partners else None
    if out is not None:
        if linked is not None:
            out.write(f"Partner agencies: {linked.records:,} records linked to {linked.people:,} children and family "
                      f"members ({', '.join(f'{a} {n:,}' for a, n in linked.by_agency.items())}); the multi-agency "
                      "view is on each child's page and at /team/mast.\n")
        out.write(f"careflow demo: {loaded:,} children of a synthetic local authority (seed {seed}); "
                  f"the service's today is {today.isoformat()}, the last day of the synthetic data.\n")
        out.write(f"Demo users (password for all: {DEMO_PASSWORD}):\n")
        for spec in DEMO_USERS:
            out.write(f"  {spec.username:<9} {spec.role.label:<38} {spec.team or ''}\n")
    return app


def load_demo_partners(app: FastAPI, *, today: dt.date, seed: int = 0, progress: bool = False) -> LoadResult:
    """Make partner agencies' data for the record's children and their families (two years to ``today``), link it
    with ``careflow link``'s linkage and load it for the MAST view; returns what was loaded."""
    from careflow.record.clocks import add_months
    from careflow.share.link import link
    from careflow.share.mast import load_linked, people_frame
    from careflow.synth.partners import make_partner_data

    state = app.state.record
    with state.sessions() as session:
        people = people_frame(session)
    with tempfile.TemporaryDirectory(prefix="careflow-partners-") as tmp:
        partner_dir = make_partner_data(people, seed=seed, out_dir=Path(tmp) / "partners",
                                        start=add_months(today, -24), end=today)
        link(people, partner_dir, Path(tmp) / "linked", progress=progress, seed=seed)
        with state.sessions() as session, session.begin():
            return load_linked(session, Path(tmp) / "linked", audit_chains=state.settings.audit_chains)


def run_workers(host: str, port: int, workers: int) -> None:
    """Serve with ``workers`` processes (uvicorn), each making the app from the environment's settings.

    uvicorn's worker processes share a listening socket made without ``IPPROTO_TCP``, so asyncio leaves Nagle's
    algorithm on for their connections and a small response's body waits about 40 ms for the client's delayed
    acknowledgement; :class:`~careflow.record.server.NoDelayH11Protocol` turns it off on each connection.
    """
    import uvicorn

    from careflow.record.server import NoDelayH11Protocol

    os.environ["CAREFLOW_WORKERS"] = str(workers)  # each worker refuses to start without CAREFLOW_SECRET_KEY
    Settings.from_env().check_can_serve()  # refuse here, once, rather than in every worker
    uvicorn.run("careflow.record.app:create_app", factory=True, host=host, port=port, workers=workers,
                http=NoDelayH11Protocol, log_level="warning", access_log=False, proxy_headers=True,
                forwarded_allow_ips=os.environ.get("CAREFLOW_FORWARDED_ALLOW_IPS", "127.0.0.1"))


def cli_serve(demo: bool, host: str, port: int, database_url: str | None) -> None:
    """Run the service with uvicorn; SQLite by default, ``CAREFLOW_DATABASE_URL`` or ``database_url`` otherwise."""
    import uvicorn

    if demo:
        if database_url is None:
            database_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='careflow-demo-')) / 'record.db'}"
        settings = Settings.from_env(database_url)
        app = build_demo(settings, out=sys.stdout)
    else:
        settings = Settings.from_env(database_url)
        app = create_app(settings)
        with app.state.record.sessions() as session:
            if session.query(User).count() == 0:
                sys.stdout.write("No users yet: create the first administrator with\n  careflow admin create-user "
                                 "NAME --role admin --name 'Your Name' --password-stdin\n(or run with --demo).\n")
    sys.stdout.write(f"careflow case record on http://{host}:{port}/ (database: "
                     f"{settings.database_url.split('@')[-1]})\n")
    sys.stdout.flush()
    # careflow logs each request itself (JSON, no personal data): uvicorn's own access log is off.
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True,
                forwarded_allow_ips=os.environ.get("CAREFLOW_FORWARDED_ALLOW_IPS", "127.0.0.1"))
