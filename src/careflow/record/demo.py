"""Demo users and a synthetic local authority loaded into the record (``careflow serve --demo``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from careflow.record.models import Team, User
from careflow.record.pathway import Role
from careflow.record.security import Passwords

__all__ = ["DEMO_TEAMS", "DEMO_USERS", "DemoUser", "seed_users"]

DEMO_TEAMS: tuple[tuple[str, str], ...] = (
    ("Riverside Family Help Team", "family_help"),
    ("Hillside Family Help Team", "family_help"),
    ("Leaving Care Team", "leaving_care"),
)


@dataclass(frozen=True)
class DemoUser:
    """A demo login."""

    username: str
    display_name: str
    role: Role
    team: str | None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("fhw", "Farah Help (Family Help worker)", Role.FAMILY_HELP_WORKER, DEMO_TEAMS[0][0]),
    DemoUser("sw", "Sam Worker (social worker)", Role.SOCIAL_WORKER, DEMO_TEAMS[0][0]),
    DemoUser("ecpp", "Esther Expert (ECPP)", Role.EXPERT_CHILD_PROTECTION_PRACTITIONER, DEMO_TEAMS[0][0]),
    DemoUser("manager", "Maya Manager (team manager)", Role.TEAM_MANAGER, DEMO_TEAMS[0][0]),
    DemoUser("advocate", "Ade Vocate (advocate)", Role.ADVOCATE, None),
    DemoUser("analyst", "Ana Lyst (analyst)", Role.ANALYST, None),
    DemoUser("admin", "Adam Min (administrator)", Role.ADMIN, None),
    DemoUser("fhw2", "Hal Hillside (Family Help worker, other team)", Role.FAMILY_HELP_WORKER, DEMO_TEAMS[1][0]),
)


#: Demo roles held by registered social workers.
_REGISTERED = frozenset({Role.SOCIAL_WORKER, Role.EXPERT_CHILD_PROTECTION_PRACTITIONER, Role.TEAM_MANAGER})


def seed_users(session: Session, passwords: Passwords, password: str, users: tuple[DemoUser, ...] = DEMO_USERS,
               team_specs: tuple[tuple[str, str], ...] = DEMO_TEAMS) -> dict[str, User]:
    """Create the teams and users (all with ``password``) unless they exist; returns users by username."""
    teams: dict[str, Team] = {t.name: t for t in session.scalars(select(Team))}
    for name, kind in team_specs:
        if name not in teams:
            teams[name] = Team(name=name, kind=kind)
            session.add(teams[name])
    session.flush()
    hashed = passwords.hash(password)
    out: dict[str, User] = {}
    for number, spec in enumerate(users):
        user = session.scalar(select(User).where(User.username == spec.username))
        if user is None:
            # social workers hold a (here fictional) Social Work England registration number: the SSDA903's SW_ID
            registered = spec.role in _REGISTERED
            user = User(username=spec.username, display_name=spec.display_name, role=spec.role.value,
                        team_id=teams[spec.team].id if spec.team else None, password_hash=hashed, is_active=True,
                        failed_logins=0, registration_number=f"SW{990001 + number}" if registered else None)
            session.add(user)
        out[spec.username] = user
    session.flush()
    return out
