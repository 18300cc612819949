"""an invitation to chair (or write) a review becomes 'not_needed' once someone else is appointed

Existing invitations keep their state; downgrading turns 'not_needed' back into 'invited'.

Revision ID: 0009
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD = ('invited', 'accepted', 'declined')
NEW = (*OLD, 'not_needed')


def _allow(values):
    with op.batch_alter_table('chair_invitations', schema=None) as batch_op:
        batch_op.drop_constraint('invitation_state', type_='check')
        batch_op.create_check_constraint(
            'invitation_state', 'state IN (%s)' % ', '.join(f"'{v}'" for v in values))


def upgrade():
    _allow(NEW)


def downgrade():
    op.execute("UPDATE chair_invitations SET state = 'invited' WHERE state = 'not_needed'")
    _allow(OLD)
