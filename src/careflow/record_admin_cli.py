"""``careflow admin``, ``careflow export returns`` and ``careflow backup`` / ``careflow restore``: running the case
record without its web pages.

Every command reads the database from ``--database-url`` or ``CAREFLOW_DATABASE_URL`` (as ``careflow serve``), brings
it to the latest migration, and audits what it changes as ``cli:<operating-system user>`` with the administrator's
role. Passwords are read from standard input (``--password-stdin``) or made at random and printed once; they are
never taken as an argument (arguments are visible to every user of the machine).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from careflow.record.models import User
    from careflow.record.services.context import Ctx
    from careflow.record.settings import Settings

PATH = click.Path(path_type=Path)


@click.group("admin", context_settings={"show_default": True})
def admin_app() -> None:
    """Manage the case record's users (no web page needed)."""


@click.group("export", context_settings={"show_default": True})
def export_app() -> None:
    """Export from the case record."""


database_url_option = click.option("--database-url",
                                   help="SQLAlchemy URL (default: CAREFLOW_DATABASE_URL, else SQLite).")
password_stdin_option = click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_WORDS = ("amber", "beacon", "cedar", "delta", "ember", "fjord", "garnet", "harbour", "indigo", "juniper", "kestrel",
          "lantern", "meadow", "nectar", "orchard", "pebble", "quartz", "raven", "saffron", "thistle", "umber",
          "violet", "willow", "yarrow", "zephyr", "bramble", "copper", "dune", "falcon", "glacier", "heather", "ivory")


def _fail(message: str, code: int = 2) -> click.exceptions.Exit:
    click.echo(f"careflow: {message}", err=True)
    return click.exceptions.Exit(code)


def _password(from_stdin: bool) -> tuple[str, bool]:
    """The password (from standard input), or a new random one (True: print it)."""
    import secrets

    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return "-".join(secrets.choice(_WORDS) for _ in range(4)) + f"-{secrets.randbelow(100):02d}", True


@contextmanager
def _context(database_url: str | None) -> Iterator[tuple[Ctx, Settings]]:
    """A transaction as the command-line administrator: (Ctx, settings)."""
    import getpass

    from careflow.record import audit
    from careflow.record.audit import Actor
    from careflow.record.db import make_engine, migrate, session_factory
    from careflow.record.services.context import Ctx
    from careflow.record.settings import Settings

    try:
        settings = Settings.from_env(database_url)
        audit.Keyring.of(settings)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    engine = make_engine(settings)
    try:
        migrate(engine)
        with session_factory(engine)() as session, session.begin():
            audit.ensure_chains(session, settings.audit_chains)
            yield Ctx(session, Actor(None, f"cli:{getpass.getuser()}", "admin"), settings), settings
    finally:
        engine.dispose()


def _user(ctx: Ctx, username: str) -> User:
    from sqlalchemy import select

    from careflow.record.models import User

    user = ctx.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise _fail(f"no user {username!r}")
    return user


def _end_sessions(ctx: Ctx, user_id: int) -> None:
    from sqlalchemy import delete

    from careflow.record.models import LoginSession

    ctx.session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


@admin_app.command("create-team")
@click.argument("name")
@click.option("--kind", default="family_help",
              help="family_help, child_protection, children_in_care, leaving_care or other.")
@database_url_option
def create_team(name: str, kind: str, database_url: str | None) -> None:
    """Create a team."""
    from careflow.record.errors import RecordError
    from careflow.record.services import auth

    with _context(database_url) as (ctx, _):
        try:
            team = auth.create_team(ctx, name, kind)
        except RecordError as exc:
            raise _fail(exc.message) from None
    click.echo(f"team {team.id}: {team.name}")


@admin_app.command("create-user")
@click.argument("username")
@click.option("--role", required=True, help="admin, team_manager, social_worker, family_help_worker, "
              "expert_child_protection_practitioner, advocate or analyst.")
@click.option("--name", required=True, help="The name shown to others.")
@click.option("--team", help="The team's name (practitioners and managers).")
@password_stdin_option
@database_url_option
def create_user(username: str, role: str, name: str, team: str | None, password_stdin: bool,
                database_url: str | None) -> None:
    """Create a user (the first administrator of a new database, too)."""
    from pydantic import ValidationError
    from sqlalchemy import select

    from careflow.record.errors import RecordError
    from careflow.record.models import Team
    from careflow.record.schemas import UserCreate
    from careflow.record.security import Passwords
    from careflow.record.services import auth

    password, made = _password(password_stdin)
    with _context(database_url) as (ctx, settings):
        team_id = None
        if team is not None:
            team_id = ctx.session.scalar(select(Team.id).where(Team.name == team))
            if team_id is None:
                raise _fail(f"no team {team!r}: create it first with careflow admin create-team")
        try:
            form = UserCreate(username=username, display_name=name, role=role, team_id=team_id, password=password,
                              registration_number=None)
            user = auth.create_user(ctx, form, Passwords(settings))
        except ValidationError as exc:
            raise _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
        except RecordError as exc:
            raise _fail(exc.message) from None
    click.echo(f"user {user.id}: {user.username} ({role})")
    if made:
        click.echo(f"password (shown once; give it to them privately): {password}")


@admin_app.command()
@click.argument("username")
@database_url_option
def deactivate(username: str, database_url: str | None) -> None:
    """Stop a user signing in, and end their sessions (their records stay)."""
    with _context(database_url) as (ctx, _):
        user = _user(ctx, username)
        user.is_active = False
        _end_sessions(ctx, user.id)
        ctx.audit("admin", entity="user", entity_id=user.id, detail={"deactivated": True})
    click.echo(f"{username} deactivated; their sessions ended")


@admin_app.command()
@click.argument("username")
@database_url_option
def activate(username: str, database_url: str | None) -> None:
    """Let a deactivated user sign in again."""
    with _context(database_url) as (ctx, _):
        user = _user(ctx, username)
        user.is_active = True
        ctx.audit("admin", entity="user", entity_id=user.id, detail={"activated": True})
    click.echo(f"{username} may sign in again")


@admin_app.command("set-role")
@click.argument("username")
@click.argument("role")
@click.option("--team", help="Move them to this team too.")
@database_url_option
def set_role(username: str, role: str, team: str | None, database_url: str | None) -> None:
    """Change a user's role (their sessions end, so the new role applies at once)."""
    from sqlalchemy import select

    from careflow.record.models import Team
    from careflow.record.pathway import Role

    try:
        new_role = Role(role)
    except ValueError:
        raise _fail(f"role {role!r} is not one of {', '.join(r.value for r in Role)}") from None
    with _context(database_url) as (ctx, _):
        user = _user(ctx, username)
        old = user.role
        user.role = new_role.value
        if team is not None:
            team_id = ctx.session.scalar(select(Team.id).where(Team.name == team))
            if team_id is None:
                raise _fail(f"no team {team!r}")
            user.team_id = team_id
        _end_sessions(ctx, user.id)
        ctx.audit("admin", entity="user", entity_id=user.id,
                  detail={"role": [old, new_role.value]})
    click.echo(f"{username}: {old} -> {new_role.value}")


@admin_app.command("reset-password")
@click.argument("username")
@password_stdin_option
@database_url_option
def reset_password(username: str, password_stdin: bool, database_url: str | None) -> None:
    """Set a new password (made at random and printed once, or read from standard input); sessions end and
    failed sign-ins are forgotten."""
    from careflow.record.security import Passwords, password_problem
    from careflow.record.services import throttle

    password, made = _password(password_stdin)
    with _context(database_url) as (ctx, settings):
        user = _user(ctx, username)
        problem = password_problem(password, username=user.username,
                                   display_name=user.display_name)
        if problem is not None:
            raise _fail(problem)
        user.password_hash = Passwords(settings).hash(password)
        user.failed_logins = 0
        throttle.clear_account(ctx.session, user.username)
        _end_sessions(ctx, user.id)
        ctx.audit("admin", entity="user", entity_id=user.id,
                  detail={"password_reset": True})
    click.echo(f"{username}: password reset; their sessions ended")
    if made:
        click.echo(f"password (shown once; give it to them privately): {password}")


@admin_app.command()
@click.argument("username")
@database_url_option
def unlock(username: str, database_url: str | None) -> None:
    """Forget a user's failed sign-ins, so they need not wait."""
    from careflow.record.services import throttle

    with _context(database_url) as (ctx, _):
        user = _user(ctx, username)
        throttle.clear_account(ctx.session, user.username)
        ctx.audit("admin", entity="user", entity_id=user.id, detail={"unlocked": True})
    click.echo(f"{username} unlocked")


@admin_app.command("grant-app-role")
@click.argument("role", help="The PostgreSQL role the service connects as.")
@database_url_option
def grant_app_role(role: str, database_url: str | None) -> None:
    """PostgreSQL: migrate as the owner role (the URL's user) and grant the service's role only what it needs.

    The service's role gets rows, not tables: it reads and adds audit entries but cannot change, delete or
    truncate them, and, not owning ``audit_log``, cannot drop or disable its triggers (docs/DEPLOY.md).
    """
    from sqlalchemy import text

    from careflow.record.db import make_engine, migrate
    from careflow.record.settings import Settings

    if not _ROLE_NAME.match(role):
        raise _fail(f"{role!r} is not a plain role name")
    settings = Settings.from_env(database_url)
    if settings.is_sqlite:
        raise _fail("grant-app-role is for PostgreSQL (a SQLite file has no roles)")
    engine = make_engine(settings)
    try:
        migrate(engine)
        from sqlalchemy.orm import Session

        from careflow.record import audit

        with Session(engine) as session, session.begin():
            audit.ensure_chains(session, settings.audit_chains)  # before any worker starts
        with engine.begin() as conn:
            schema = settings.database_schema or conn.execute(text("SELECT current_schema()")).scalar_one()
            if not _ROLE_NAME.match(str(schema)):
                raise _fail(f"schema {schema!r} is not a plain name")
            for statement in (
                f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
                f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "{schema}".alembic_version FROM "{role}"',
                f'REVOKE UPDATE, DELETE, TRUNCATE ON "{schema}".audit_log FROM "{role}"',
                f'REVOKE DELETE, TRUNCATE ON "{schema}".audit_chains FROM "{role}"',
            ):
                conn.execute(text(statement))
    finally:
        engine.dispose()
    click.echo(f"{role} may use the record's tables in schema {schema}; audit_log is append-only for it")


@admin_app.command("export-people")
@click.argument("out", type=PATH, help="The CSV to write (careflow link --people reads it).")
@database_url_option
def export_people(out: Path, database_url: str | None) -> None:
    """Write the record's children and the people in their networks for careflow link (--people), audited.

    A child is named by record id, a family member person-<id>, as load-partner-links reads them back. Where the
    record holds no NHS number or postcode for someone, a stand-in is written (NHS numbers in the unissued 999 range).
    """
    import hashlib

    from careflow.share.mast import people_frame

    with _context(database_url) as (ctx, _):
        people = people_frame(ctx.session)
        out.parent.mkdir(parents=True, exist_ok=True)
        people.write_csv(out)
        ctx.audit("export", entity="people", detail={"people": people.height, "file": out.name,
                                                     "sha256": hashlib.sha256(out.read_bytes()).hexdigest()})
    click.echo(f"wrote {people.height:,} people ({people.filter(people['role'] == 'child').height:,} children) "
               f"to {out}; link them with careflow link --people {out} --partners DIR --out DIR")


@admin_app.command("load-partner-links")
@click.argument("link_dir", type=PATH, help="A folder careflow link --out wrote (links.csv, contacts.csv).")
@database_url_option
def load_partner_links(link_dir: Path, database_url: str | None) -> None:
    """Load partner agencies' linked records (careflow link's output) for the MAST view, replacing those held.

    Rows that cannot be used (a person not in the record, a bad date or probability) are left out and each is
    printed with its file, row and field; partner records linked to nobody in the record are not kept.
    """
    from careflow.share.mast import PartnerLinkError, load_linked

    with _context(database_url) as (ctx, settings):
        try:
            result = load_linked(ctx.session, link_dir, actor=ctx.actor, audit_chains=settings.audit_chains)
        except PartnerLinkError as exc:
            raise _fail(str(exc)) from None
    agencies = ", ".join(f"{agency} {n:,}" for agency, n in result.by_agency.items())
    click.echo(f"loaded {result.records:,} partner records linked to {result.people:,} people of the record "
               f"({agencies or 'none'}); {result.reviews:,} candidates awaiting clerical review; "
               f"{result.left_out:,} rows left out")
    for problem in result.problems[:50]:
        click.echo(f"  left out: {problem}")
    if result.left_out > 50:
        click.echo(f"  ... and {result.left_out - 50:,} more (the load's entry keeps the first 200)")


@export_app.command("returns")
@click.option("--year", type=int, required=True, help="Collection year by its ending year: 2026 for 2025-26.")
@click.option("--out", type=PATH, default=Path("returns"),
              help="Folder to write the SSDA903 CSVs and the CIN census XML into.")
@database_url_option
def export_returns(year: int, out: Path, database_url: str | None) -> None:
    """Write the year's SSDA903 and CIN census from the case record (audited)."""
    from careflow.record.errors import RecordError
    from careflow.record.services import export

    with _context(database_url) as (ctx, _):
        try:
            written = export.export_returns(ctx, out, year)
        except RecordError as exc:
            raise _fail(exc.message) from None
    for kind, paths in written.items():
        for path in paths:
            click.echo(f"{kind}: {path}")


def _pg_args(settings: Settings) -> tuple[list[str], dict[str, str]]:
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432),
            "--username", url.username or "postgres", "--dbname", url.database or "postgres"]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return args, env


@click.command(context_settings={"show_default": True})
@click.option("--out", type=PATH, required=True,
              help="The backup file to write (PostgreSQL: pg_dump's custom format).")
@database_url_option
def backup(out: Path, database_url: str | None) -> None:
    """Back up the case record: SQLite through its online backup API, PostgreSQL through pg_dump."""
    import os
    import shutil
    import sqlite3
    import subprocess

    from careflow.record.settings import Settings

    settings = Settings.from_env(database_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    if settings.is_sqlite:
        path = settings.sqlite_path()
        if path is None or not path.exists():
            raise _fail(f"no SQLite database at {settings.database_url}")
        source = sqlite3.connect(path)
        target = sqlite3.connect(out)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        if shutil.which("pg_dump") is None:
            raise _fail("pg_dump is not installed (apt-get install postgresql-client)")
        args, env = _pg_args(settings)
        schema = ["--schema", settings.database_schema] if settings.database_schema else []
        done = subprocess.run(["pg_dump", *args, "--format", "custom", "--file", str(out), *schema],
                              env={**os.environ, **env}, capture_output=True, text=True)
        if done.returncode != 0:
            raise _fail(f"pg_dump failed: {done.stderr.strip()[-500:]}", 1)
    click.echo(f"backup written to {out} ({out.stat().st_size:,} bytes); keep the audit keys and the checkpoint "
               "file too, elsewhere")


@click.command(context_settings={"show_default": True})
@click.argument("backup_file", type=PATH, help="A file written by careflow backup.")
@database_url_option
def restore(backup_file: Path, database_url: str | None) -> None:
    """Restore a backup into an empty database (SQLite: a new file; PostgreSQL: pg_restore)."""
    import os
    import sqlite3
    import subprocess

    from careflow.record.settings import Settings

    settings = Settings.from_env(database_url)
    if not backup_file.exists():
        raise _fail(f"no backup file {backup_file}")
    if settings.is_sqlite:
        path = settings.sqlite_path()
        if path is None:
            raise _fail("restore needs a SQLite file, not an in-memory database")
        if path.exists() and path.stat().st_size > 0:
            raise _fail(f"{path} exists: restore into a new file (move the old one away first)")
        source = sqlite3.connect(backup_file)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        args, env = _pg_args(settings)
        done = subprocess.run(["pg_restore", *args, "--no-owner", "--exit-on-error", str(backup_file)],
                              env={**os.environ, **env}, capture_output=True, text=True)
        if done.returncode != 0:
            raise _fail(f"pg_restore failed: {done.stderr.strip()[-500:]}", 1)
    click.echo(f"restored {backup_file}; check it with careflow audit verify")
