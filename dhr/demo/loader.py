"""The demo's words, read from the data files beside this module (dhr/demo/data/).

JSON holds the structured texts: the facts of each current case (cases.json), what the people
acting in each story write (stories.json), the historic reviews' lessons and recommendations
(historic.json) and the local names of agencies (local_names.json). Markdown holds the documents
(data/documents/NAME.md), with `{name}` placeholders filled by `document`. The files are package
data, so an installed package finds them too.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

DATA = files("dhr.demo") / "data"


@cache
def load_json(name: str) -> Any:
    """data/NAME.json, parsed once."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _template(name: str) -> str:
    return (DATA / "documents" / f"{name}.md").read_text(encoding="utf-8")


def document(name: str, **values: str) -> str:
    """data/documents/NAME.md with its placeholders filled in."""
    return _template(name).format(**values)
