"""recommendation themes as indexed rows instead of a JSON list; an index for the tracker

Each recommendation's JSON list of theme codes becomes rows of recommendation_themes
(recommendation_id, code, position), so the tracker filters and counts by theme with one
indexed query. Both directions carry the data across, keeping the order of the codes.
ix_recommendations_tracker covers the tracker's filters, counts and order.

Revision ID: 0004
Revises: 0001
"""
import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text  # noqa: F401 - autogenerate renders JSONB(astext_type=Text())
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql')
recommendations = sa.table('recommendations', sa.column('id', sa.Integer),
                           sa.column('themes', JSON_TYPE))
theme_rows = sa.table('recommendation_themes', sa.column('recommendation_id', sa.Integer),
                      sa.column('code', sa.String), sa.column('position', sa.Integer))


def _codes(value):
    """The stored list (SQLite may hand back the JSON text), without repeats or blanks."""
    if isinstance(value, str):
        value = json.loads(value)
    codes = []
    for code in value or []:
        if isinstance(code, str) and code and code not in codes:
            codes.append(code)
    return codes


def upgrade():
    op.create_table('recommendation_themes',
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'], name=op.f('fk_recommendation_themes_recommendation_id_recommendations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('recommendation_id', 'code', name=op.f('pk_recommendation_themes'))
    )
    with op.batch_alter_table('recommendation_themes', schema=None) as batch_op:
        batch_op.create_index('ix_recommendation_themes_code', ['code', 'recommendation_id'], unique=False)

    connection = op.get_bind()
    rows = [{'recommendation_id': rec_id, 'code': code, 'position': position}
            for rec_id, themes in connection.execute(
                sa.select(recommendations.c.id, recommendations.c.themes))
            for position, code in enumerate(_codes(themes))]
    if rows:
        op.bulk_insert(theme_rows, rows)

    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_column('themes')
        batch_op.create_index('ix_recommendations_tracker', ['review_id', 'status', 'due_date', 'agency', 'level', 'number'], unique=False)


def downgrade():
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendations_tracker')
        batch_op.add_column(sa.Column('themes', JSON_TYPE, nullable=True))

    connection = op.get_bind()
    by_recommendation = {}
    for rec_id, code in connection.execute(
            sa.select(theme_rows.c.recommendation_id, theme_rows.c.code)
            .order_by(theme_rows.c.recommendation_id, theme_rows.c.position)):
        by_recommendation.setdefault(rec_id, []).append(code)
    ids = connection.execute(sa.select(recommendations.c.id)).scalars().all()
    if ids:
        connection.execute(
            recommendations.update().where(recommendations.c.id == sa.bindparam('rec_id'))
            .values(themes=sa.bindparam('codes')),
            [{'rec_id': rec_id, 'codes': by_recommendation.get(rec_id, [])} for rec_id in ids])

    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.alter_column('themes', existing_type=JSON_TYPE, nullable=False)

    with op.batch_alter_table('recommendation_themes', schema=None) as batch_op:
        batch_op.drop_index('ix_recommendation_themes_code')

    op.drop_table('recommendation_themes')
