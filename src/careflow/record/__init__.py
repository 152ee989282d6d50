"""The case-record service: the reformed pathway as a secure, audited web service that asks practitioners to
type little.

Public names: :func:`create_app` (the FastAPI app factory; nothing is built at import), :class:`Settings`,
:func:`cli_serve` (``careflow serve``), :func:`build_demo`, and the pathway's :class:`Role` and :class:`Stage`.
"""

from __future__ import annotations

from typing import Any

from careflow.record.pathway import Role, Stage
from careflow.record.settings import Settings

__all__ = ["Role", "Settings", "Stage", "build_demo", "cli_serve", "create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The web app (see :func:`careflow.record.app.create_app`)."""
    from careflow.record.app import create_app as factory

    return factory(*args, **kwargs)


def cli_serve(demo: bool, host: str, port: int, database_url: str | None) -> None:
    """Run the service (see :func:`careflow.record.serve.cli_serve`)."""
    from careflow.record.serve import cli_serve as serve

    serve(demo, host, port, database_url)


def build_demo(*args: Any, **kwargs: Any) -> Any:
    """An app with a synthetic local authority and demo users (see :func:`careflow.record.serve.build_demo`)."""
    from careflow.record.serve import build_demo as build

    return build(*args, **kwargs)
