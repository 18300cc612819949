"""Keeping the vocabularies through the JSON API (admins): list the terms of one vocabulary
with their use, add a term, rename or retire one, merge one into another."""

from __future__ import annotations

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field

from dhr.api.blueprint import bp
from dhr.api.body import parse_body
from dhr.api.errors import forbidden
from dhr.api.openapi import documented
from dhr.extensions import db
from dhr.models import VocabularyTerm
from learning import vocabularies as operations


class TermOut(BaseModel):
    code: str
    label: str
    retired: bool
    in_use: int = Field(description="records tagged with the term")


class TermList(BaseModel):
    vocabulary: str
    items: list[TermOut]


class NewTerm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = Field(max_length=1000)


class TermChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str | None = Field(default=None, max_length=1000)
    retired: bool | None = None


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into: str = Field(max_length=200, description="the code of the term that remains")


class MergeOut(BaseModel):
    term: TermOut
    moved: dict[str, int]


def _keeper() -> None:
    if not operations.can_keep_vocabularies(g.user):
        raise forbidden("only an admin may keep the vocabularies")


def _out(term: VocabularyTerm, uses: dict[str, int] | None = None) -> TermOut:
    counts = uses if uses is not None else operations.usage(term.vocabulary)
    return TermOut(code=term.code, label=term.label, retired=not term.is_active,
                   in_use=counts.get(term.code, 0))


@bp.get("/vocabularies/<vocabulary>")
@documented("Every term of one vocabulary (agency, theme, risk_factor), retired ones "
            "included, with how many records use each. Admins only.", response=TermList)
def vocabulary_terms_list(vocabulary: str) -> ResponseReturnValue:
    _keeper()
    terms = operations.terms_of(vocabulary)
    uses = operations.usage(vocabulary)
    return jsonify(TermList(vocabulary=vocabulary,
                            items=[_out(t, uses) for t in terms]).model_dump())


@bp.post("/vocabularies/<vocabulary>/terms")
@documented("Add a term; its code is made from the label.", body=NewTerm, response=TermOut,
            status=201)
def vocabulary_term_add(vocabulary: str) -> ResponseReturnValue:
    _keeper()
    body = parse_body(NewTerm)
    term = operations.add_term(g.user, vocabulary, body.label)
    db.session.commit()
    return jsonify(_out(term).model_dump()), 201


@bp.patch("/vocabularies/<vocabulary>/terms/<code>")
@documented("Rename a term (records keep its code) or retire it (`retired: true`: no longer "
            "offered, still shown where used) or bring it back.", body=TermChange,
            response=TermOut)
def vocabulary_term_change(vocabulary: str, code: str) -> ResponseReturnValue:
    _keeper()
    body = parse_body(TermChange)
    term = operations.find_term(vocabulary, code)
    if body.label is not None:
        operations.rename_term(g.user, term, body.label)
    if body.retired is not None and body.retired == term.is_active:
        operations.set_retired(g.user, term, body.retired)
    db.session.commit()
    return jsonify(_out(term).model_dump())


@bp.post("/vocabularies/<vocabulary>/terms/<code>/merge")
@documented("Merge the term into another of the same vocabulary: everything tagged with it is "
            "tagged with `into` (a record tagged with both keeps one), in one transaction, "
            "and the term is removed.", body=MergeIn, response=MergeOut)
def vocabulary_term_merge(vocabulary: str, code: str) -> ResponseReturnValue:
    _keeper()
    body = parse_body(MergeIn)
    source = operations.find_term(vocabulary, code)
    target = operations.find_merge_target(vocabulary, body.into)
    result = operations.merge_terms(g.user, source, target)
    db.session.commit()
    return jsonify(MergeOut(term=_out(result.target), moved=result.moved).model_dump())
