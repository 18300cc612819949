"""The domain thesaurus: groups of terms that mean the same thing ("GP", "primary care").

The shipped groups are dhr/reference/thesaurus.json; a deployment may add its own in
`DHR_DATA_DIR/thesaurus.json` (same format). Groups sharing a term are merged, so a local
file can extend a shipped group as well as add new ones. Search applies the result at query
time, so changing it never needs a rebuild.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import current_app

SHIPPED = Path(__file__).resolve().parent.parent / "reference" / "thesaurus.json"
LOCAL_NAME = "thesaurus.json"
_SPACES = re.compile(r"\s+")


class Thesaurus:
    """Term -> the group it belongs to; terms are lower-cased, spaces collapsed."""

    def __init__(self, groups: list[list[str]]):
        self._group_of: dict[str, tuple[str, ...]] = {}
        for group in _merge(groups):
            for term in group:
                self._group_of[term] = group
        self.longest = max((len(term.split()) for term in self._group_of), default=0)

    def synonyms(self, term: str) -> tuple[str, ...]:
        """Every term of `term`'s group (itself first), or just `term` when it has none."""
        key = normalise(term)
        group = self._group_of.get(key)
        if group is None:
            return (key,)
        return (key, *(other for other in group if other != key))

    def __contains__(self, term: str) -> bool:
        return normalise(term) in self._group_of


def normalise(term: str) -> str:
    return _SPACES.sub(" ", term.strip().lower())


def _read(path: Path) -> list[list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise ValueError(f"{path}: expected an object with a 'groups' list")
    return [[normalise(t) for t in group if isinstance(t, str) and t.strip()]
            for group in groups if isinstance(group, list)]


def _merge(groups: list[list[str]]) -> list[tuple[str, ...]]:
    """Join groups that share a term (first-seen order kept)."""
    merged: list[list[str]] = []
    for group in groups:
        overlapping = [m for m in merged if set(m) & set(group)]
        target: list[str] = []
        for m in overlapping:
            target += [t for t in m if t not in target]
            merged.remove(m)
        target += [t for t in group if t not in target]
        if len(target) > 1:
            merged.append(target)
    return [tuple(group) for group in merged]


def shipped_groups() -> list[tuple[str, ...]]:
    """The shipped groups alone, merged: what comparisons that must not depend on a
    deployment's own file (repeated recommendations) use."""
    return _merge(_read(SHIPPED))


def load_thesaurus(data_dir: str | Path | None = None) -> Thesaurus:
    """The shipped groups plus the deployment's own file, if there is one.

    A local file that cannot be read is logged and ignored: search still works with the
    shipped groups.
    """
    groups = _read(SHIPPED)
    folder = Path(data_dir) if data_dir is not None else Path(current_app.config["DATA_DIR"])
    local = folder / LOCAL_NAME
    if local.is_file():
        try:
            groups += _read(local)
        except (OSError, ValueError) as exc:
            current_app.logger.warning("ignoring %s: %s", local, exc)
    return Thesaurus(groups)
