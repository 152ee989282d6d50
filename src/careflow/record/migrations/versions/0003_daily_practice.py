"""daily practice: search keys on people, corrections of events, the reformed services' content (Family Help
plans and their services, the devolved budget, kinship carers, the items of a Family Network Plan), tasks

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from careflow.record import names

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, autoincrement=True, nullable=False)


def _child() -> sa.Column[int]:
    return sa.Column("child_id", ID, nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=210), nullable=True))
        batch.add_column(sa.Column("phonetic_key", sa.String(length=210), nullable=True))
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("corrects_event_id", ID, nullable=True))
        batch.create_foreign_key("fk_events_corrects_event_id_events", "events", ["corrects_event_id"], ["id"])
    with op.batch_alter_table("family_network_plans") as batch:
        for name in ("purpose", "success_measures", "accommodation", "monitoring"):
            batch.add_column(sa.Column(name, sa.Text(), nullable=True))
        batch.add_column(sa.Column("planned_end_date", sa.Date(), nullable=True))
    with op.batch_alter_table("family_group_meetings") as batch:
        batch.add_column(sa.Column("possible_foster_carers", sa.Text(), nullable=True))

    op.create_table(
        "family_help_plans", _id(), _child(),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name="fk_family_help_plans_child_id_children"),
        sa.PrimaryKeyConstraint("id", name="pk_family_help_plans"),
    )
    op.create_index("ix_family_help_plans_child_id", "family_help_plans", ["child_id"])
    op.create_table(
        "plan_items", _id(), _child(),
        sa.Column("plan", sa.String(length=20), nullable=False),
        sa.Column("plan_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("provided_by", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("amount_gbp", sa.Numeric(10, 2), nullable=True),
        sa.Column("event_id", ID, nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name="fk_plan_items_child_id_children"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name="fk_plan_items_event_id_events"),
        sa.PrimaryKeyConstraint("id", name="pk_plan_items"),
    )
    op.create_index("ix_plan_items_child_id", "plan_items", ["child_id"])
    op.create_table(
        "budget_entries", _id(), _child(),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("amount_gbp", sa.Numeric(10, 2), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("spent_by_id", ID, nullable=True),
        sa.Column("approved_by_id", ID, nullable=True),
        sa.Column("event_id", ID, nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name="fk_budget_entries_child_id_children"),
        sa.ForeignKeyConstraint(["spent_by_id"], ["users.id"], name="fk_budget_entries_spent_by_id_users"),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"], name="fk_budget_entries_approved_by_id_users"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name="fk_budget_entries_event_id_events"),
        sa.PrimaryKeyConstraint("id", name="pk_budget_entries"),
    )
    op.create_index("ix_budget_entries_child_id", "budget_entries", ["child_id"])
    op.create_table(
        "kinship_carers", _id(), _child(),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("arrangement", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("weekly_allowance_gbp", sa.Numeric(10, 2), nullable=True),
        sa.Column("has_legal_aid", sa.Boolean(), nullable=False),
        sa.Column("has_employment_leave", sa.Boolean(), nullable=False),
        sa.Column("has_peer_support", sa.Boolean(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name="fk_kinship_carers_child_id_children"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_kinship_carers_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_kinship_carers"),
    )
    op.create_index("ix_kinship_carers_child_id", "kinship_carers", ["child_id"])
    op.create_table(
        "tasks", _id(), _child(),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("assigned_to_id", ID, nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("remind_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", ID, nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], name="fk_tasks_child_id_children"),
        sa.ForeignKeyConstraint(["assigned_to_id"], ["users.id"], name="fk_tasks_assigned_to_id_users"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_tasks_created_by_id_users"),
        sa.ForeignKeyConstraint(["done_by_id"], ["users.id"], name="fk_tasks_done_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
    )
    op.create_index("ix_tasks_child_id", "tasks", ["child_id"])
    op.create_index("ix_tasks_assigned_to_id", "tasks", ["assigned_to_id"])

    # Search keys of the people already held.
    bind = op.get_bind()
    people = sa.table("people", sa.column("id", ID), sa.column("given_name", sa.String),
                      sa.column("family_name", sa.String), sa.column("name_key", sa.String),
                      sa.column("phonetic_key", sa.String))
    rows = bind.execute(sa.select(people.c.id, people.c.given_name, people.c.family_name)).all()
    if rows:
        bind.execute(
            people.update().where(people.c.id == sa.bindparam("pid"))
            .values(name_key=sa.bindparam("nk"), phonetic_key=sa.bindparam("pk")),
            [{"pid": r.id, "nk": names.name_key(r.given_name, r.family_name),
              "pk": names.phonetic_key(r.given_name, r.family_name)} for r in rows],
        )
    # PostgreSQL: trigram similarity for search where the server has pg_trgm and we may install it.
    if bind.dialect.name == "postgresql":
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        except sa.exc.DBAPIError:
            pass  # search then uses the phonetic keys only


def downgrade() -> None:
    for table in ("tasks", "kinship_carers", "budget_entries", "plan_items", "family_help_plans"):
        op.drop_table(table)
    with op.batch_alter_table("family_group_meetings") as batch:
        batch.drop_column("possible_foster_carers")
    with op.batch_alter_table("family_network_plans") as batch:
        for name in ("purpose", "success_measures", "accommodation", "monitoring", "planned_end_date"):
            batch.drop_column(name)
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("fk_events_corrects_event_id_events", type_="foreignkey")
        batch.drop_column("corrects_event_id")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("phonetic_key")
        batch.drop_column("name_key")
