"""care records for the SSDA903 tables: missing episodes, UASC, previous permanence, adoption, health and
outcomes, care-leaver contacts; social workers' registration numbers and why an allocation ended

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "adoption_plans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("matched_date", sa.Date(), nullable=True),
        sa.Column("number_of_adopters", sa.Integer(), nullable=True),
        sa.Column("sex_of_adopters", sa.String(length=8), nullable=True),
        sa.Column("legal_status_of_adopters", sa.String(length=8), nullable=True),
        sa.Column("is_foster_carer_adoption", sa.Boolean(), nullable=True),
        sa.Column("ceased_date", sa.Date(), nullable=True),
        sa.Column("reason_ceased", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_adoption_plans_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adoption_plans")),
    )
    with op.batch_alter_table("adoption_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adoption_plans_child_id"), ["child_id"], unique=False)

    op.create_table(
        "care_leaver_contacts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("contact_date", sa.Date(), nullable=False),
        sa.Column("in_touch", sa.String(length=8), nullable=False),
        sa.Column("activity", sa.String(length=8), nullable=False),
        sa.Column("accommodation", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_care_leaver_contacts_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_leaver_contacts")),
    )
    with op.batch_alter_table("care_leaver_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_leaver_contacts_child_id"), ["child_id"], unique=False)

    op.create_table(
        "convictions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("conviction_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_convictions_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_convictions")),
    )
    with op.batch_alter_table("convictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_convictions_child_id"), ["child_id"], unique=False)

    op.create_table(
        "health_checks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("check_date", sa.Date(), nullable=False),
        sa.Column("is_immunisations_up_to_date", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_health_checks_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_checks")),
    )
    with op.batch_alter_table("health_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_health_checks_child_id"), ["child_id"], unique=False)

    op.create_table(
        "missing_episodes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("missing_type", sa.String(length=8), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_missing_episodes_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_episodes")),
    )
    with op.batch_alter_table("missing_episodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missing_episodes_child_id"), ["child_id"], unique=False)

    op.create_table(
        "previous_permanence",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("period_start_date", sa.Date(), nullable=False),
        sa.Column("permanence", sa.String(length=8), nullable=True),
        sa.Column("local_authority_code", sa.String(length=3), nullable=True),
        sa.Column("permanence_date", sa.Date(), nullable=True),
        sa.Column("is_derived", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_previous_permanence_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_previous_permanence")),
    )
    with op.batch_alter_table("previous_permanence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_previous_permanence_child_id"), ["child_id"], unique=False)

    op.create_table(
        "strengths_difficulties_scores",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("assessed_date", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("reason_no_score", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_strengths_difficulties_scores_child_id_children")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strengths_difficulties_scores")),
    )
    with op.batch_alter_table("strengths_difficulties_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_strengths_difficulties_scores_child_id"), ["child_id"], unique=False)

    op.create_table(
        "substance_misuse",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("identified_date", sa.Date(), nullable=False),
        sa.Column("is_intervention_offered", sa.Boolean(), nullable=False),
        sa.Column("is_intervention_received", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name=op.f("fk_substance_misuse_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_substance_misuse")),
    )
    with op.batch_alter_table("substance_misuse", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_substance_misuse_child_id"), ["child_id"], unique=False)

    op.create_table(
        "unaccompanied_asylum_seeking_periods",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("child_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_unaccompanied_asylum_seeking_periods_child_id_children")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unaccompanied_asylum_seeking_periods")),
    )
    with op.batch_alter_table("unaccompanied_asylum_seeking_periods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unaccompanied_asylum_seeking_periods_child_id"), ["child_id"], unique=False
        )

    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(length=8), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registration_number", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("registration_number")

    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.drop_column("end_reason")

    with op.batch_alter_table("unaccompanied_asylum_seeking_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unaccompanied_asylum_seeking_periods_child_id"))

    op.drop_table("unaccompanied_asylum_seeking_periods")
    with op.batch_alter_table("substance_misuse", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_substance_misuse_child_id"))

    op.drop_table("substance_misuse")
    with op.batch_alter_table("strengths_difficulties_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strengths_difficulties_scores_child_id"))

    op.drop_table("strengths_difficulties_scores")
    with op.batch_alter_table("previous_permanence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_previous_permanence_child_id"))

    op.drop_table("previous_permanence")
    with op.batch_alter_table("missing_episodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missing_episodes_child_id"))

    op.drop_table("missing_episodes")
    with op.batch_alter_table("health_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_health_checks_child_id"))

    op.drop_table("health_checks")
    with op.batch_alter_table("convictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_convictions_child_id"))

    op.drop_table("convictions")
    with op.batch_alter_table("care_leaver_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_leaver_contacts_child_id"))

    op.drop_table("care_leaver_contacts")
    with op.batch_alter_table("adoption_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adoption_plans_child_id"))

    op.drop_table("adoption_plans")
