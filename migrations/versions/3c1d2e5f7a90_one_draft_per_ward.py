"""One draft assessment per ward, kept by a partial unique index

Revision ID: 3c1d2e5f7a90
Revises: 8bfe71046991
Create Date: 2026-11-25 22:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "3c1d2e5f7a90"
down_revision = "8bfe71046991"
branch_labels = None
depends_on = None

DRAFT_ONLY = sa.text("status = 'draft'")


def upgrade():
    # Before this index a race could leave a ward with two drafts. Say which, rather than pick
    # one and hide the other's answers: a lead submits one (or an admin merges them) first.
    doubled = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT ward_id FROM assessment WHERE status = 'draft' "
                "GROUP BY ward_id HAVING COUNT(*) > 1"
            )
        )
        .scalars()
        .all()
    )
    if doubled:
        raise RuntimeError(
            "These wards have more than one draft assessment; submit all but one before "
            f"upgrading: ward ids {', '.join(map(str, doubled))}"
        )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            "uq_assessment_one_draft_per_ward",
            ["ward_id"],
            unique=True,
            sqlite_where=DRAFT_ONLY,
            postgresql_where=DRAFT_ONLY,
        )


def downgrade():
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("uq_assessment_one_draft_per_ward")
