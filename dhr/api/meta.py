"""Health, the OpenAPI document, the organisation tree and the controlled vocabularies."""

from __future__ import annotations

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from dhr.api.blueprint import bp
from dhr.api.openapi import build_document, documented
from dhr.api.schemas import CspList, CspOut, Health, TermOut, Vocabularies
from dhr.extensions import db
from dhr.jobs import jobs_status
from dhr.models import Csp, VocabularyTerm
from dhr.permissions import visible_csps_clause
from dhr.search.service import status as search_status


@bp.get("/health")
@documented("Is the service up, and are search and background jobs working?",
            response=Health, anonymous=True)
def health() -> ResponseReturnValue:
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
        jobs = jobs_status()
    except SQLAlchemyError:
        db.session.rollback()
        database, jobs = "unavailable", "degraded"
    body = Health(status="ok" if database == "ok" else "degraded", database=database,
                  search=search_status(), jobs=jobs)
    return jsonify(body.model_dump()), 200 if database == "ok" else 503


@bp.get("/openapi.json")
@documented("This document.", anonymous=True)
def openapi() -> ResponseReturnValue:
    return jsonify(build_document())


@bp.get("/csps")
@documented("The CSPs the caller can see.", response=CspList)
def csps() -> ResponseReturnValue:
    rows = db.session.scalars(select(Csp).where(visible_csps_clause(g.user)).order_by(Csp.name))
    items = [CspOut(id=c.id, name=c.name, slug=c.slug, area=c.area.name) for c in rows]
    return jsonify(CspList(items=items).model_dump(mode="json"))


@bp.get("/themes")
@documented("The controlled vocabularies (agencies, risk factors, themes), grouped.",
            response=Vocabularies)
def themes() -> ResponseReturnValue:
    terms = db.session.scalars(
        select(VocabularyTerm).where(VocabularyTerm.is_active)
        .order_by(VocabularyTerm.vocabulary, VocabularyTerm.position, VocabularyTerm.id))
    grouped: dict[str, list[TermOut]] = {}
    for term in terms:
        grouped.setdefault(term.vocabulary, []).append(TermOut(code=term.code, label=term.label))
    return jsonify(Vocabularies(vocabularies=grouped).model_dump())
