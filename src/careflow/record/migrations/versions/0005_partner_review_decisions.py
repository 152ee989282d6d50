"""clerical review of uncertain partner-record matches in the record: the decisions, the compared identifiers of
each queued record, and the decision behind a clerical link

Revision ID: 0005_partner_review_decisions
Revises: 0004_partner_links
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_partner_review_decisions"
down_revision: str | None = "0004_partner_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "partner_review_decisions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("source_record_id", sa.String(length=80), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("person_id", ID, nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("decided_by", ID, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_partner_review_decisions_person_id_people")),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"],
                                name=op.f("fk_partner_review_decisions_decided_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_review_decisions")),
        sa.UniqueConstraint("agency", "source_record_id", "sequence",
                            name="uq_partner_review_decisions_item_sequence"),
    )
    with op.batch_alter_table("partner_reviews") as batch:
        batch.add_column(sa.Column("compared", sa.JSON(), nullable=True))
    with op.batch_alter_table("partner_links") as batch:  # SQLite adds a foreign key by copying the table
        batch.add_column(sa.Column("decision_id", ID, nullable=True))
        batch.create_foreign_key(op.f("fk_partner_links_decision_id_partner_review_decisions"),
                                 "partner_review_decisions", ["decision_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("partner_links") as batch:
        batch.drop_constraint(op.f("fk_partner_links_decision_id_partner_review_decisions"), type_="foreignkey")
        batch.drop_column("decision_id")
    with op.batch_alter_table("partner_reviews") as batch:
        batch.drop_column("compared")
    op.drop_table("partner_review_decisions")
