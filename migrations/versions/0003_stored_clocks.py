"""stored due dates on reviews, and the indexes the review lists need

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-29 23:50:00

The due dates are worked out for the rows already there by the same rule the application
uses (dhr.workflow.clocks.due_dates, with the current settings); `dhr clocks recompute`
rewrites them after a setting changes.
"""
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

INPUTS = {'notification_date': sa.Date, 'decision_date': sa.Date, 'direction_date': sa.Date,
          'state': sa.String, 'paused_days': sa.Integer, 'submitted_date': sa.Date}
STORED = {'decision_due': 'decision_due_date', 'statutory_due': 'statutory_due_date',
          'adjusted_due': 'adjusted_due_date', 'next_due': 'next_due_date'}


def _fill_due_dates():
    from dhr.workflow.clocks import due_dates

    reviews = sa.table('reviews', sa.column('id', sa.Integer),
                       *(sa.column(name, kind) for name, kind in INPUTS.items()),
                       *(sa.column(name, sa.Date) for name in STORED.values()))
    connection = op.get_bind()
    rows = connection.execute(sa.select(reviews.c.id, *(reviews.c[n] for n in INPUTS))).all()
    for row in rows:
        dues = due_dates(SimpleNamespace(**row._mapping))
        connection.execute(
            reviews.update().where(reviews.c.id == row.id)
            .values({column: getattr(dues, name) for name, column in STORED.items()}))


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('statutory_due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('adjusted_due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_due_date', sa.Date(), nullable=True))
    _fill_due_dates()
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.alter_column('decision_due_date', existing_type=sa.Date(), nullable=False)
        batch_op.create_index(batch_op.f('ix_reviews_adjusted_due_date'), ['adjusted_due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_date_of_death'), ['date_of_death'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_report_writer_id'), ['report_writer_id'], unique=False)
        batch_op.create_index('ix_reviews_notified_id', ['notification_date', 'id'], unique=False)
        batch_op.create_index('ix_reviews_state_decision_due', ['state', 'decision_due_date'], unique=False)


def downgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_state_decision_due')
        batch_op.drop_index('ix_reviews_notified_id')
        batch_op.drop_index(batch_op.f('ix_reviews_report_writer_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_date_of_death'))
        batch_op.drop_index(batch_op.f('ix_reviews_adjusted_due_date'))
        batch_op.drop_column('next_due_date')
        batch_op.drop_column('adjusted_due_date')
        batch_op.drop_column('statutory_due_date')
        batch_op.drop_column('decision_due_date')
