"""search documents and words for the PostgreSQL full-text search backend

The tables exist on every database; on PostgreSQL the vectors are tsvector columns with GIN
indexes (and pg_trgm is installed where this user may), on SQLite plain text columns that
stay empty (that backend needs PostgreSQL).

Revision ID: 0013
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0006'
branch_labels = None
depends_on = None

LIST = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
VECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql')
# Installed where the database lets this user (pg_trgm is trusted); otherwise skipped.
TRIGRAMS = ("DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; "
            "EXCEPTION WHEN OTHERS THEN NULL; END $$")


def upgrade():
    op.create_table(
        'search_documents',
        sa.Column('doc_id', sa.String(length=80), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('tags', sa.Text(), nullable=False),
        sa.Column('progress', sa.Text(), nullable=False),
        sa.Column('csp', sa.String(length=200), nullable=False),
        sa.Column('year', sa.String(length=4), nullable=False),
        sa.Column('death_type', sa.String(length=80), nullable=False),
        sa.Column('themes', LIST, nullable=False),
        sa.Column('agencies', LIST, nullable=False),
        sa.Column('csp_id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('pool_member_ids', LIST, nullable=False),
        sa.Column('published', sa.Boolean(), nullable=False),
        sa.Column('recommendation_id', sa.Integer(), nullable=True),
        sa.Column('reference', sa.String(length=80), nullable=False),
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('heading', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=40), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('boost', sa.Float(), nullable=False),
        sa.Column('vector', VECTOR, nullable=True),
        sa.Column('insider_vector', VECTOR, nullable=True),
        sa.PrimaryKeyConstraint('doc_id', name=op.f('pk_search_documents')),
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_review_id'), ['review_id'],
                              unique=False)
    op.create_table(
        'search_words',
        sa.Column('word', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint('word', name=op.f('pk_search_words')),
    )
    # GIN indexes on PostgreSQL; on SQLite plain indexes of columns that stay empty.
    op.create_index('ix_search_documents_vector', 'search_documents', ['vector'],
                    postgresql_using='gin')
    op.create_index('ix_search_documents_insider_vector', 'search_documents',
                    ['insider_vector'], postgresql_using='gin')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(TRIGRAMS)


def downgrade():
    # pg_trgm is left installed: other database objects may use it.
    op.drop_index('ix_search_documents_insider_vector', table_name='search_documents')
    op.drop_index('ix_search_documents_vector', table_name='search_documents')
    op.drop_table('search_words')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_review_id'))
    op.drop_table('search_documents')
