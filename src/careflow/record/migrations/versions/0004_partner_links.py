"""partner agencies' records and their links to the record's people (the MAST view, issue 13)

Revision ID: 0004_partner_links
Revises: 0003_keyed_audit
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_partner_links"
down_revision: str | None = "0003_keyed_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "partner_loads",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("quality", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_loads")),
    )
    op.create_table(
        "partner_records",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("load_id", ID, nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("source_record_id", sa.String(length=80), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("event_type", sa.String(length=80), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("contact_name", sa.String(length=120), nullable=True),
        sa.Column("contact_role", sa.String(length=120), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["load_id"], ["partner_loads.id"],
                                name=op.f("fk_partner_records_load_id_partner_loads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_records")),
        sa.UniqueConstraint("agency", "source_record_id", name="uq_partner_records_agency_source"),
    )
    op.create_table(
        "partner_links",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("load_id", ID, nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["load_id"], ["partner_loads.id"], name=op.f("fk_partner_links_load_id_partner_loads")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_partner_links_person_id_people")),
        sa.ForeignKeyConstraint(["record_id"], ["partner_records.id"],
                                name=op.f("fk_partner_links_record_id_partner_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_links")),
        sa.UniqueConstraint("record_id", name="uq_partner_links_record"),
    )
    op.create_index("ix_partner_links_person_date", "partner_links", ["person_id", "event_date"], unique=False)
    op.create_table(
        "partner_reviews",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("load_id", ID, nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("source_record_id", sa.String(length=80), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["load_id"], ["partner_loads.id"],
                                name=op.f("fk_partner_reviews_load_id_partner_loads")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_partner_reviews_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_reviews")),
    )
    op.create_index(op.f("ix_partner_reviews_person_id"), "partner_reviews", ["person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_partner_reviews_person_id"), table_name="partner_reviews")
    op.drop_table("partner_reviews")
    op.drop_index("ix_partner_links_person_date", table_name="partner_links")
    op.drop_table("partner_links")
    op.drop_table("partner_records")
    op.drop_table("partner_loads")
