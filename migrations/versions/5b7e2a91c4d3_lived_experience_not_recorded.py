"""Lived experience on an action can be not recorded yet (NULL), not only yes or no

Revision ID: 5b7e2a91c4d3
Revises: 3c1d2e5f7a90
Create Date: 2026-11-26 02:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5b7e2a91c4d3"
down_revision = "3c1d2e5f7a90"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.alter_column("lived_experience", existing_type=sa.Boolean(), nullable=True)
    # A framework action nobody has saved since it was made (version 1) holds the old default,
    # not anyone's answer: it becomes "not recorded". Every other value was someone's choice.
    op.execute(
        sa.text(
            "UPDATE action SET lived_experience = NULL "
            "WHERE source = 'framework' AND version = 1 AND lived_experience = :no"
        ).bindparams(no=False)
    )


def downgrade():
    op.execute(
        sa.text("UPDATE action SET lived_experience = :no WHERE lived_experience IS NULL").bindparams(
            no=False
        )
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.alter_column("lived_experience", existing_type=sa.Boolean(), nullable=False)
