"""API tokens expire and may be read-only

Tokens issued before this revision never expired: they now expire 90 days after the upgrade
(DHR_API_TOKEN_DAYS's default), so that a forgotten script's token does not live for ever;
they stay read-write.

Revision ID: 0007
Revises: 0014
"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0014'
branch_labels = None
depends_on = None

EXISTING_TOKENS_DAYS = 90


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('is_read_only', sa.Boolean(), server_default=sa.false(), nullable=False))

    tokens = sa.table('api_tokens', sa.column('expires_dt', sa.DateTime(timezone=True)))
    op.execute(tokens.update().values(
        expires_dt=datetime.now(UTC) + timedelta(days=EXISTING_TOKENS_DAYS)))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_dt', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('is_read_only')
        batch_op.drop_column('expires_dt')
