"""Analyzer versions: which versions of each post analyzer have written annotations.

The ``(analyzer, version)`` index over every annotation row existed to answer one
question — does this analyzer have results from another version? — and it cost about
a fifth of the time of writing annotations. A small table answers it instead; the
writers add a row per (analyzer, version) they write.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analyzer_versions",
        sa.Column("analyzer", sa.String(), primary_key=True),
        sa.Column("version", sa.String(), primary_key=True),
    )
    op.execute(
        "INSERT INTO analyzer_versions (analyzer, version) "
        "SELECT DISTINCT analyzer, version FROM annotations"
    )
    op.drop_index("ix_annotations_analyzer_version", table_name="annotations")


def downgrade() -> None:
    op.create_index("ix_annotations_analyzer_version", "annotations", ["analyzer", "version"])
    op.drop_table("analyzer_versions")
