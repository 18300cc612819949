"""The Whoosh index on disk. The database is the truth; the index is a cache of it.

`DATA_DIR/search-index/` holds generations (`gen-*` folders, each a complete index) and a
`CURRENT` file naming the one being served. A rebuild writes a new generation and then
replaces `CURRENT` in one atomic rename, so a rebuild that dies half-way leaves the served
index untouched; the previous generation is kept until the next swap, for readers that
opened it just before.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from whoosh import formats, index
from whoosh.analysis import Analyzer, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.index import FileIndex
from whoosh.searching import Searcher

_STEM = StemmingAnalyzer()


class WORDS(KEYWORD):
    """The words of a text without positions or frequencies: all that "did you mean" needs.
    (Scorable only because Whoosh looks for the lengths of an unscored field on disk at
    every word it writes.)"""

    def __init__(self, analyzer: Analyzer):
        super().__init__(scorable=True)
        self.analyzer = analyzer
        self.format = formats.Existence()

_SEARCHABLE = dict(analyzer=_STEM, stored=True, phrase=True)

SCHEMA = Schema(
    doc_id=ID(stored=True, unique=True),
    kind=ID(stored=True),
    review_id=ID(stored=True),
    # Searched text. `progress` (the progress log) is searched for insiders only.
    title=TEXT(**_SEARCHABLE),
    body=TEXT(**_SEARCHABLE),
    tags=TEXT(**_SEARCHABLE),
    progress=TEXT(**_SEARCHABLE),
    # Unstemmed words of the public text, for "did you mean".
    spell=WORDS(StandardAnalyzer(minsize=3)),
    # Facets and filters.
    csp=ID(stored=True),
    year=ID(stored=True),
    death_type=ID(stored=True),
    theme=KEYWORD(stored=True, commas=True),
    agency=KEYWORD(stored=True, commas=True),
    # Permissions: who may see the item.
    csp_id=ID,
    area_id=ID,
    pool_member=KEYWORD(commas=True),
    published=ID(stored=True),
    # Displayed or compared, never searched.
    recommendation_id=STORED,
    reference=STORED,
    number=STORED,
    source=STORED,
    heading=STORED,
    status=STORED,
    fingerprint=STORED,
)

ROOT_NAME = "search-index"
POINTER = "CURRENT"


def index_root() -> Path:
    return Path(current_app.config["DATA_DIR"]) / ROOT_NAME


def current_dir() -> Path | None:
    """The generation being served, or None when there is none yet."""
    root = index_root()
    try:
        name = (root / POINTER).read_text().strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if name and path.is_dir() else None


def new_generation() -> Path:
    """An empty index in a fresh folder, not yet served."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="gen-", dir=root))
    index.create_in(path, SCHEMA)
    return path


@contextmanager
def _swap_lock() -> Iterator[None]:
    """One swap of `CURRENT` at a time, across threads and processes: two web requests that
    both find no index must not each serve one and delete the other's under a reader."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".swap-lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
        yield


def serve(generation: Path) -> None:
    """Make `generation` the served index (an atomic rename) and drop all but the previous."""
    with _swap_lock():
        _point_to(generation)


def _point_to(generation: Path) -> None:
    root = index_root()
    previous = current_dir()
    fd, tmp = tempfile.mkstemp(prefix=".pointer-", dir=root)
    with os.fdopen(fd, "w") as handle:
        handle.write(generation.name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / POINTER)
    keep = {generation.name, previous.name if previous else ""}
    for old in root.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def ensure_index() -> None:
    """Create an empty served index if there is none."""
    if current_dir() is not None:
        return
    with _swap_lock():
        if current_dir() is None:  # nobody made one while this waited
            _point_to(new_generation())


OPEN_ATTEMPTS = 5


def open_index() -> FileIndex:
    """The served index (created empty if missing).

    A writer committing in another thread or process deletes the files of the version it
    replaces; a reader that read the old table of contents just before finds a file gone,
    and opens the new version instead."""
    ensure_index()
    for attempt in range(OPEN_ATTEMPTS):
        path = current_dir()
        assert path is not None
        try:
            return index.open_dir(path)
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@dataclass
class Reading:
    """A searcher kept open between searches, with what is worth computing once per version
    of the index rather than once per search (`per_segment`: by segment id, kept for the
    segments a refresh keeps; `filters`: document sets of filter queries, dropped on any
    change, as document numbers may move)."""

    path: Path
    index: FileIndex
    searcher: Searcher
    per_segment: dict[str, dict] = field(default_factory=dict)
    filters: dict[str, set[int]] = field(default_factory=dict)

    def close(self) -> None:
        self.searcher.close()
        self.index.close()


MAX_CACHED_FILTERS = 64
_readings = threading.local()


def _open_reading() -> Reading:
    """A new searcher over the served index, retried like `open_index` when a concurrent
    commit removed a file between reading the table of contents and opening the segments."""
    for attempt in range(OPEN_ATTEMPTS):
        ix = open_index()
        try:
            return Reading(Path(ix.storage.folder), ix, ix.searcher())
        except FileNotFoundError:
            ix.close()
            if attempt == OPEN_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def reading() -> Reading:
    """This thread's searcher, reopened when the served index has changed since its last use
    (a commit or a rebuild). Opening the index for every search cost more than many searches
    (benchmarks/search_bench.py). Whoosh's own `refresh()` is not used: it reuses a segment's
    reader with the deletions it had before the commit, so a replaced item would match
    twice. Values kept per segment survive a commit, as a segment's documents never change."""
    cached: Reading | None = getattr(_readings, "current", None)
    if cached is not None and cached.path == current_dir():
        try:
            if cached.searcher.up_to_date():
                return cached
        except FileNotFoundError:
            pass
    fresh = _open_reading()
    if cached is not None:
        if cached.path == fresh.path:
            segments = (leaf.segment() for leaf, _ in fresh.searcher.reader().leaf_readers())
            # An empty index has one leaf with no segment.
            live = {segment.segment_id() for segment in segments if segment is not None}
            fresh.per_segment = {key: values for key, values in cached.per_segment.items()
                                 if key in live}
        cached.close()
    _readings.current = fresh
    return fresh


def filter_docs(current: Reading, key: str, make: Callable[[], set[int]]
                ) -> set[int]:
    """The document set of a filter (a caller's permissions, chosen facet values), kept
    until the index changes."""
    found = current.filters.get(key)
    if found is None:
        if len(current.filters) >= MAX_CACHED_FILTERS:
            current.filters.clear()
        found = current.filters[key] = make()
    return found


@contextmanager
def searcher() -> Iterator[Searcher]:
    """This thread's up-to-date searcher (see `reading`); it stays open after the block."""
    yield reading().searcher


def search_status() -> str:
    path = current_dir()
    if path is None:
        return "degraded"
    try:
        ix = index.open_dir(path)
    except (OSError, index.EmptyIndexError):
        return "degraded"
    ix.close()
    return "ok"
