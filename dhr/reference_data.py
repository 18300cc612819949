"""Reference data loaded into an empty database: the organisation tree and the vocabularies."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from sqlalchemy import select

from dhr.config import VOCABULARY_FILE
from dhr.extensions import db
from dhr.models import Area, Csp, VocabularyTerm


def _read(name: str) -> Any:
    return json.loads(resources.files("dhr.reference").joinpath(name).read_text("utf-8"))


def slugify(label: str) -> str:
    """Stable machine code for a label: 'Acute hospital/A&E' -> 'acute_hospital_a_e'."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def load_organisation(preset: str) -> bool:
    """Create the area and CSPs of a preset; return False if the area already exists."""
    data = _read(f"{preset}.json")
    if db.session.scalar(select(Area).where(Area.name == data["area"])):
        return False
    area = Area(name=data["area"], slug=slugify(data["area"]))
    db.session.add(area)
    for name in data["csps"]:
        db.session.add(Csp(name=name, slug=slugify(name), area=area))
    db.session.flush()
    return True


def load_vocabularies() -> int:
    """Add any vocabulary term not yet present; return how many were added."""
    existing = {(t.vocabulary, t.code) for t in db.session.scalars(select(VocabularyTerm))}
    added = 0
    for vocabulary, labels in _read(VOCABULARY_FILE).items():
        for position, label in enumerate(labels):
            code = slugify(label)
            if (vocabulary, code) not in existing:
                db.session.add(
                    VocabularyTerm(vocabulary=vocabulary, code=code, label=label, position=position)
                )
                added += 1
    db.session.flush()
    return added


def load_reference_data(preset: str) -> None:
    """Load the named organisation and the vocabularies into an empty database."""
    if db.session.scalar(select(Area.id).limit(1)) is None:
        load_organisation(preset)
        load_vocabularies()
