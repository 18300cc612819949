"""two-factor secrets sealed: the authenticator secret is kept encrypted with a key derived
from the application's secret key (dhr.sealing), no longer in the clear

Revision ID: 0015
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from dhr.sealing import seal, unseal

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0008'
branch_labels = None
depends_on = None

credentials = sa.table('two_factor_credentials', sa.column('id', sa.Integer),
                       sa.column('secret', sa.String), sa.column('sealed_secret', sa.String))


def _convert(source: str, target: str, change) -> None:
    connection = op.get_bind()
    for row_id, value in connection.execute(
            sa.select(credentials.c.id, credentials.c[source])).all():
        connection.execute(credentials.update().where(credentials.c.id == row_id)
                           .values({target: change(value, current_app.config)}))


def upgrade():
    with op.batch_alter_table('two_factor_credentials') as batch_op:
        batch_op.add_column(sa.Column('sealed_secret', sa.String(length=255), nullable=True))
    _convert('secret', 'sealed_secret', seal)
    with op.batch_alter_table('two_factor_credentials') as batch_op:
        batch_op.alter_column('sealed_secret', existing_type=sa.String(length=255),
                              nullable=False)
        batch_op.drop_column('secret')


def downgrade():
    with op.batch_alter_table('two_factor_credentials') as batch_op:
        batch_op.add_column(sa.Column('secret', sa.String(length=64), nullable=True))
    _convert('sealed_secret', 'secret', unseal)
    with op.batch_alter_table('two_factor_credentials') as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('sealed_secret')
