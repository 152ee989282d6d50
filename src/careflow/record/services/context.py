"""What every service call gets: the database session (one transaction), who is acting, the settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from careflow.record import audit
from careflow.record.audit import Actor
from careflow.record.pathway import Role
from careflow.record.settings import Settings

__all__ = ["Ctx"]


@dataclass
class Ctx:
    """A unit of work: the session (its transaction), the actor, the settings."""

    session: Session
    actor: Actor
    settings: Settings

    @property
    def today(self) -> dt.date:
        """The service's today (replaceable in tests through the settings)."""
        return self.settings.today()

    @property
    def role(self) -> Role | None:
        """The actor's role (None for the system)."""
        try:
            return Role(self.actor.role)
        except ValueError:
            return None

    def audit(self, action: str, *, child_id: int | None = None, entity: str | None = None,
              entity_id: int | None = None, detail: dict[str, Any] | None = None) -> None:
        """Append to the audit log in this transaction."""
        audit.append(self.session, self.actor, action, chains=self.settings.audit_chains, child_id=child_id,
                     entity=entity, entity_id=entity_id, detail=detail)
