"""``careflow audit``: check the audit log from the command line, and checkpoint its chains outside the database.

``careflow audit verify`` reads the database named by ``--database-url`` or ``CAREFLOW_DATABASE_URL`` (as
``careflow serve``) with the keys of ``CAREFLOW_AUDIT_KEYS`` (or the key file), checks every chain, every event
against the entry of its write and every checkpoint in ``--checkpoint`` (``CAREFLOW_AUDIT_CHECKPOINT``), prints what
it found naming each broken entry, and exits 1 on any break. When the log is intact it appends the chains' heads
to the checkpoint file, so the next run can tell if anything before them was rewritten or removed.
``careflow audit watch`` does the same every ``--every-minutes`` (the scheduled check; docker-compose.yml runs it).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click


@click.group("audit", context_settings={"show_default": True})
def app() -> None:
    """Check the case record's audit log (tamper evidence)."""


database_url_option = click.option("--database-url",
                                   help="SQLAlchemy URL (default: CAREFLOW_DATABASE_URL, else SQLite).")
checkpoint_option = click.option("--checkpoint", type=click.Path(path_type=Path), help="Append-only checkpoint file "
                                 "kept off the database's host (default: CAREFLOW_AUDIT_CHECKPOINT).")


def run_verify(database_url: str | None, checkpoint: Path | None, write_checkpoint: bool) -> int:
    """Verify once; print the findings; 0 if intact, 1 otherwise."""
    from careflow.record import audit
    from careflow.record.db import make_engine, session_factory
    from careflow.record.settings import Settings

    try:
        settings = Settings.from_env(database_url)
        keyring = audit.Keyring.of(settings)
    except ValueError as exc:
        click.echo(f"careflow audit verify: {exc}", err=True)
        return 2
    path = checkpoint or settings.audit_checkpoint
    engine = make_engine(settings)
    try:
        with session_factory(engine)() as session:
            report = audit.verify_report(session, path, keyring)
            if report.is_intact and path is not None and write_checkpoint:
                audit.write_checkpoint(session, path, keyring)
    finally:
        engine.dispose()
    for note in report.notes:
        click.echo(f"note: {note}")
    if report.problems:
        for problem in report.problems:
            click.echo(f"BROKEN: {problem}")
        click.echo(f"audit log NOT intact: {len(report.problems)} problem(s) in {report.entries:,} entries, "
                   f"{report.events:,} events, {report.checkpoints} checkpoints")
        return 1
    click.echo(f"audit log intact: {report.entries:,} entries, {report.events:,} events, "
               f"{report.checkpoints} checkpoints checked" + (f"; checkpoint appended to {path}"
                                                               if path is not None and write_checkpoint else ""))
    return 0


@app.command()
@database_url_option
@checkpoint_option
@click.option("--write-checkpoint/--no-write-checkpoint", default=True,
              help="When intact, append the chains' heads to the checkpoint file.")
def verify(database_url: str | None, checkpoint: Path | None, write_checkpoint: bool) -> None:
    """Check the audit log's chains, events and checkpoints; exit 1 naming each broken entry."""
    code = run_verify(database_url, checkpoint, write_checkpoint)
    if code:
        raise click.exceptions.Exit(code)


@app.command()
@database_url_option
@checkpoint_option
@click.option("--every-minutes", default=60.0, help="Minutes between checks.")
@click.option("--times", default=0, help="Stop after this many checks (0: never).")
def watch(database_url: str | None, checkpoint: Path | None, every_minutes: float, times: int) -> None:
    """The scheduled check: verify (and checkpoint) every few minutes; a break is logged as a JSON error line."""
    done = 0
    while True:
        code = run_verify(database_url, checkpoint, True)
        sys.stdout.write(json.dumps({"event": "audit_verify", "intact": code == 0, "exit": code}) + "\n")
        sys.stdout.flush()
        done += 1
        if times and done >= times:
            if code:
                raise click.exceptions.Exit(code)
            return
        time.sleep(every_minutes * 60)
