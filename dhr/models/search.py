"""The PostgreSQL search backend's tables: one row per search item, and the words seen.

A cache of the database like the Whoosh index (`dhr search rebuild` refills them). The
`tsvector` columns and their GIN indexes are PostgreSQL's; on SQLite the tables are created
with plain text columns (so one schema serves both) but never used, since that backend needs
PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import DDL, JSON, Boolean, Float, Index, Integer, String, Text, event
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from dhr.extensions import db

LIST = JSON().with_variant(JSONB(), "postgresql")
VECTOR = Text().with_variant(TSVECTOR(), "postgresql")


class SearchDocument(db.Model):
    """One search item (dhr.search.documents.SearchItem) with its weighted vectors:
    `vector` the public text (title A, body B, tags C); `insider_vector` that plus the
    progress log (D), searched for people who may read working papers."""

    __tablename__ = "search_documents"
    __table_args__ = (
        # GIN on PostgreSQL; on SQLite a plain index of a column that stays empty.
        Index("ix_search_documents_vector", "vector", postgresql_using="gin"),
        Index("ix_search_documents_insider_vector", "insider_vector", postgresql_using="gin"),
    )
    doc_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    review_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)
    progress: Mapped[str] = mapped_column(Text)
    csp: Mapped[str] = mapped_column(String(200))
    year: Mapped[str] = mapped_column(String(4))
    death_type: Mapped[str] = mapped_column(String(80))
    themes: Mapped[list] = mapped_column(LIST)
    agencies: Mapped[list] = mapped_column(LIST)
    csp_id: Mapped[int] = mapped_column(Integer)
    area_id: Mapped[int] = mapped_column(Integer)
    pool_member_ids: Mapped[list] = mapped_column(LIST)
    published: Mapped[bool] = mapped_column(Boolean)
    recommendation_id: Mapped[int | None] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(80))
    number: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(40))
    heading: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    boost: Mapped[float] = mapped_column(Float)
    vector = mapped_column(VECTOR, nullable=True)
    insider_vector = mapped_column(VECTOR, nullable=True)


class SearchWord(db.Model):
    """Every word seen in public text, unstemmed: the candidates for "did you mean" (never
    shown unless the corrected query finds something the searcher may see)."""

    __tablename__ = "search_words"
    word: Mapped[str] = mapped_column(String(100), primary_key=True)


# Trigram similarity ranks "did you mean" candidates where the extension may be installed
# (pg_trgm is a trusted extension); without it the backend falls back to a plain word list.
TRIGRAMS = ("DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; "
            "EXCEPTION WHEN OTHERS THEN NULL; END $$")
event.listen(SearchWord.__table__, "after_create",
             DDL(TRIGRAMS).execute_if(dialect="postgresql"))
