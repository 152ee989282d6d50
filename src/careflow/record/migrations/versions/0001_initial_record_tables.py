"""initial record tables

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_chains",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chains")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("chain_seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=True),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("entity", sa.String(length=60), nullable=True),
        sa.Column("entity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("chain_id", "chain_seq", name="uq_audit_log_chain_seq"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_child", ["child_id", "id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("expected_date_of_birth", sa.Date(), nullable=True),
        sa.Column("date_of_death", sa.Date(), nullable=True),
        sa.Column("ethnicity", sa.String(length=8), nullable=True),
        sa.Column("nhs_number", sa.String(length=10), nullable=True),
        sa.Column("upn", sa.String(length=13), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_nhs_number"), ["nhs_number"], unique=False)

    op.create_table(
        "teams",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "children",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("la_child_id", sa.String(length=20), nullable=False),
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("stage_since", sa.Date(), nullable=False),
        sa.Column("primary_need", sa.String(length=8), nullable=True),
        sa.Column("disabilities", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_children_person_id_people")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_children_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
        sa.UniqueConstraint("la_child_id", name=op.f("uq_children_la_child_id")),
        sa.UniqueConstraint("person_id", name=op.f("uq_children_person_id")),
    )
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_children_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_children_team_id"), ["team_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_users_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_team_id"), ["team_id"], unique=False)

    op.create_table(
        "advocacy",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("advocate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["advocate_id"], ["users.id"], name=op.f("fk_advocacy_advocate_id_users")),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_advocacy_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advocacy")),
    )
    with op.batch_alter_table("advocacy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_advocacy_child_id"), ["child_id"], unique=False)

    op.create_table(
        "allocations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role_on_case", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_allocations_child_id_children")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_allocations_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocations_child_id"), ["child_id"], unique=False)
        batch_op.create_index("ix_allocations_user_open", ["user_id", "end_date"], unique=False)

    op.create_table(
        "care_leaver_arrangements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_care_leaver_arrangements_child_id_children")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_leaver_arrangements")),
    )
    with op.batch_alter_table("care_leaver_arrangements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_leaver_arrangements_child_id"), ["child_id"], unique=False)

    op.create_table(
        "child_community_safety_plans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("harm_type", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_child_community_safety_plans_child_id_children")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_community_safety_plans")),
    )
    with op.batch_alter_table("child_community_safety_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_community_safety_plans_child_id"), ["child_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_events_child_id_children")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_events_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_child_occurred", ["child_id", "occurred_on", "id"], unique=False)

    op.create_table(
        "family_group_meetings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("offered_date", sa.Date(), nullable=True),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("is_emergency_exemption", sa.Boolean(), nullable=False),
        sa.Column("emergency_reason", sa.String(length=500), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_family_group_meetings_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_group_meetings")),
    )
    with op.batch_alter_table("family_group_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_group_meetings_child_id"), ["child_id"], unique=False)

    op.create_table(
        "family_network_plans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("carer_person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("weekly_funding_gbp", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["carer_person_id"], ["people.id"], name=op.f("fk_family_network_plans_carer_person_id_people")
        ),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_family_network_plans_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_network_plans")),
    )
    with op.batch_alter_table("family_network_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_network_plans_child_id"), ["child_id"], unique=False)

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "looked_after_episodes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("reason_new_episode", sa.String(length=8), nullable=False),
        sa.Column("legal_status", sa.String(length=8), nullable=False),
        sa.Column("category_of_need", sa.String(length=8), nullable=True),
        sa.Column("placement_type", sa.String(length=8), nullable=False),
        sa.Column("placement_provider", sa.String(length=8), nullable=True),
        sa.Column("reason_episode_ceased", sa.String(length=8), nullable=True),
        sa.Column("reason_placement_change", sa.String(length=8), nullable=True),
        sa.Column("home_postcode", sa.String(length=10), nullable=True),
        sa.Column("placement_postcode", sa.String(length=10), nullable=True),
        sa.Column("urn", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_looked_after_episodes_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_looked_after_episodes")),
    )
    with op.batch_alter_table("looked_after_episodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_looked_after_episodes_child_id"), ["child_id"], unique=False)

    op.create_table(
        "looked_after_reviews",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("participation", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_looked_after_reviews_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_looked_after_reviews")),
    )
    with op.batch_alter_table("looked_after_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_looked_after_reviews_child_id"), ["child_id"], unique=False)

    op.create_table(
        "pathway_plans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("latest_review_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_pathway_plans_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_plans")),
    )
    with op.batch_alter_table("pathway_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathway_plans_child_id"), ["child_id"], unique=False)

    op.create_table(
        "proceedings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("final_hearing_date", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_proceedings_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proceedings")),
    )
    with op.batch_alter_table("proceedings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proceedings_child_id"), ["child_id"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("referral_date", sa.Date(), nullable=False),
        sa.Column("referral_source", sa.String(length=8), nullable=True),
        sa.Column("primary_need", sa.String(length=8), nullable=True),
        sa.Column("closure_date", sa.Date(), nullable=True),
        sa.Column("reason_for_closure", sa.String(length=8), nullable=True),
        sa.Column("is_no_further_action", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_referrals_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("child_id", "sequence", name=op.f("uq_referrals_child_id")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_child_id"), ["child_id"], unique=False)

    op.create_table(
        "relationships",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("relationship", sa.String(length=40), nullable=False),
        sa.Column("has_parental_responsibility", sa.Boolean(), nullable=False),
        sa.Column("is_significant", sa.Boolean(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_relationships_child_id_children")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_relationships_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationships")),
    )
    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relationships_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_relationships_person_id"), ["person_id"], unique=False)

    op.create_table(
        "visits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("is_seen_alone", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_visits_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visits_child_id"), ["child_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("authorisation_date", sa.Date(), nullable=True),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_assessments_child_id_children")),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"], name=op.f("fk_assessments_referral_id_referrals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_child_id"), ["child_id"], unique=False)

    op.create_table(
        "child_protection_plans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("initial_category_of_abuse", sa.String(length=8), nullable=True),
        sa.Column("latest_category_of_abuse", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_child_protection_plans_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_child_protection_plans_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_protection_plans")),
    )
    with op.batch_alter_table("child_protection_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_protection_plans_child_id"), ["child_id"], unique=False)

    op.create_table(
        "court_orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("proceedings_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("order_type", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_court_orders_child_id_children")),
        sa.ForeignKeyConstraint(
            ["proceedings_id"], ["proceedings.id"], name=op.f("fk_court_orders_proceedings_id_proceedings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_orders")),
    )
    with op.batch_alter_table("court_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_court_orders_child_id"), ["child_id"], unique=False)

    op.create_table(
        "deadlines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("basis_date", sa.Date(), nullable=False),
        sa.Column("parameter", sa.String(length=120), nullable=False),
        sa.Column("opened_by_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("met_date", sa.Date(), nullable=True),
        sa.Column("met_by_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("is_cancelled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_deadlines_child_id_children")),
        sa.ForeignKeyConstraint(["met_by_event_id"], ["events.id"], name=op.f("fk_deadlines_met_by_event_id_events")),
        sa.ForeignKeyConstraint(
            ["opened_by_event_id"], ["events.id"], name=op.f("fk_deadlines_opened_by_event_id_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_deadlines_child_open", ["child_id", "met_date", "is_cancelled"], unique=False)
        batch_op.create_index("ix_deadlines_due", ["due_date"], unique=False)

    op.create_table(
        "family_help_episodes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("key_worker_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("supervising_social_worker_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "expert_child_protection_practitioner_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_family_help_episodes_child_id_children")),
        sa.ForeignKeyConstraint(
            ["expert_child_protection_practitioner_id"],
            ["users.id"],
            name=op.f("fk_family_help_episodes_expert_child_protection_practitioner_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["key_worker_id"], ["users.id"], name=op.f("fk_family_help_episodes_key_worker_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_family_help_episodes_referral_id_referrals")
        ),
        sa.ForeignKeyConstraint(
            ["supervising_social_worker_id"],
            ["users.id"],
            name=op.f("fk_family_help_episodes_supervising_social_worker_id_users"),
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_family_help_episodes_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_help_episodes")),
    )
    with op.batch_alter_table("family_help_episodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_help_episodes_child_id"), ["child_id"], unique=False)

    op.create_table(
        "pre_proceedings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("letter_before_proceedings_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_pre_proceedings_child_id_children")),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_pre_proceedings_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pre_proceedings")),
    )
    with op.batch_alter_table("pre_proceedings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pre_proceedings_child_id"), ["child_id"], unique=False)

    op.create_table(
        "section47_enquiries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("initial_conference_target_date", sa.Date(), nullable=False),
        sa.Column("initial_conference_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("is_conference_not_required", sa.Boolean(), nullable=False),
        sa.Column("decided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_section47_enquiries_child_id_children")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_section47_enquiries_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_section47_enquiries_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section47_enquiries")),
    )
    with op.batch_alter_table("section47_enquiries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_section47_enquiries_child_id"), ["child_id"], unique=False)

    op.create_table(
        "child_protection_conferences",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("enquiry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("conference_date", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("decided_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_child_protection_conferences_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_child_protection_conferences_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["enquiry_id"],
            ["section47_enquiries.id"],
            name=op.f("fk_child_protection_conferences_enquiry_id_section47_enquiries"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["child_protection_plans.id"],
            name=op.f("fk_child_protection_conferences_plan_id_child_protection_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_protection_conferences")),
    )
    with op.batch_alter_table("child_protection_conferences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_protection_conferences_child_id"), ["child_id"], unique=False)
    _append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("child_protection_conferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_protection_conferences_child_id"))

    op.drop_table("child_protection_conferences")
    with op.batch_alter_table("section47_enquiries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section47_enquiries_child_id"))

    op.drop_table("section47_enquiries")
    with op.batch_alter_table("pre_proceedings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pre_proceedings_child_id"))

    op.drop_table("pre_proceedings")
    with op.batch_alter_table("family_help_episodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_help_episodes_child_id"))

    op.drop_table("family_help_episodes")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_due")
        batch_op.drop_index("ix_deadlines_child_open")

    op.drop_table("deadlines")
    with op.batch_alter_table("court_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_court_orders_child_id"))

    op.drop_table("court_orders")
    with op.batch_alter_table("child_protection_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_protection_plans_child_id"))

    op.drop_table("child_protection_plans")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_child_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_child_id"))

    op.drop_table("visits")
    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relationships_person_id"))
        batch_op.drop_index(batch_op.f("ix_relationships_child_id"))

    op.drop_table("relationships")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_child_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("proceedings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proceedings_child_id"))

    op.drop_table("proceedings")
    with op.batch_alter_table("pathway_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pathway_plans_child_id"))

    op.drop_table("pathway_plans")
    with op.batch_alter_table("looked_after_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_looked_after_reviews_child_id"))

    op.drop_table("looked_after_reviews")
    with op.batch_alter_table("looked_after_episodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_looked_after_episodes_child_id"))

    op.drop_table("looked_after_episodes")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))

    op.drop_table("login_sessions")
    with op.batch_alter_table("family_network_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_network_plans_child_id"))

    op.drop_table("family_network_plans")
    with op.batch_alter_table("family_group_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_group_meetings_child_id"))

    op.drop_table("family_group_meetings")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_child_occurred")

    op.drop_table("events")
    with op.batch_alter_table("child_community_safety_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_community_safety_plans_child_id"))

    op.drop_table("child_community_safety_plans")
    with op.batch_alter_table("care_leaver_arrangements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_leaver_arrangements_child_id"))

    op.drop_table("care_leaver_arrangements")
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.drop_index("ix_allocations_user_open")
        batch_op.drop_index(batch_op.f("ix_allocations_child_id"))

    op.drop_table("allocations")
    with op.batch_alter_table("advocacy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advocacy_child_id"))

    op.drop_table("advocacy")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_team_id"))

    op.drop_table("users")
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_children_team_id"))
        batch_op.drop_index(batch_op.f("ix_children_stage"))

    op.drop_table("children")
    op.drop_table("teams")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_nhs_number"))

    op.drop_table("people")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_child")

    op.drop_table("audit_log")
    op.drop_table("audit_chains")


# The audit log is append-only: the database itself refuses to change or delete an entry.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION careflow_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION careflow_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION careflow_audit_append_only()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{operation.lower()} BEFORE {operation} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {operation} refused'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS careflow_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
