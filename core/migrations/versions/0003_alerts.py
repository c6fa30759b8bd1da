"""Alerts: what the rules of ``[[alerts]]`` fired during ``hubbub watch``.

One row per fired alert: the rule, its kind and subject, when it fired, the window it
looked at, when its episode ended, a one-line message, the details and example posts
that triggered it, and each notifier's delivery outcome (JSON text, as elsewhere).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("fired_at", sa.DateTime(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=True),
        sa.Column("window_end", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("example_post_ids", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("delivery", sa.Text(), nullable=False, server_default="{}"),
    )
    op.create_index("ix_alerts_rule_subject", "alerts", ["rule", "subject"])
    op.create_index("ix_alerts_fired_at", "alerts", ["fired_at"])


def downgrade() -> None:
    op.drop_index("ix_alerts_fired_at", table_name="alerts")
    op.drop_index("ix_alerts_rule_subject", table_name="alerts")
    op.drop_table("alerts")
