"""Backing up and restoring the default set-up: the SQLite database, uploads, the search index
and the rest of the data folder, in one archive whose every file is checked on the way back.

PostgreSQL deployments back their database up with the database's own tools (pg_dump, see
docs/deploying.md); this module refuses rather than produce half a backup.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, table

from dhr.errors import BackupError
from dhr.extensions import db
from dhr.models.types import utcnow

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_NAME = "dhr.sqlite"
# Regenerated or transient: the live database (copied consistently instead), its journals,
# the scheduler's own state, jobs already processed.
SKIPPED = ("dhr.sqlite", "dhr.sqlite-journal", "dhr.sqlite-wal", "dhr.sqlite-shm",
           "broker/processed", "celerybeat-schedule")


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    files: int
    rows: dict[str, int]
    revision: str | None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_skipped(relative: str) -> bool:
    return any(relative == skip or relative.startswith(skip + "/") or
               relative.startswith(skip + ".") for skip in SKIPPED)


def _data_files(data_dir: Path) -> list[tuple[Path, str]]:
    found = []
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir).as_posix()
        if path.is_file() and not path.is_symlink() and not _is_skipped(relative):
            found.append((path, f"data/{relative}"))
    return found


def row_counts() -> dict[str, int]:
    """Rows per table: printed by backup and restore, so a person sees the two agree."""
    names = sorted(inspect(db.engine).get_table_names())
    return {name: db.session.scalar(select(func.count()).select_from(table(name)))
            for name in names if name != "alembic_version"}


def _revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _copy_sqlite(source_path: str, target: Path) -> None:
    """A consistent copy while the application keeps running (SQLite's online backup)."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def make_backup(data_dir: Path, target: Path) -> BackupSummary:
    """Write a .tar.gz of the database and the data folder to `target` (mode 0600)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupError("The database is PostgreSQL: back it up with pg_dump and back up "
                          "the data folder's uploads (docs/deploying.md). `dhr backup` covers "
                          "the default set-up only.")
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    db.session.commit()  # nothing of ours half-written in the copy
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".dhr-backup-") as work:
        database_copy = Path(work) / DATABASE_NAME
        _copy_sqlite(url.database, database_copy)
        members = [(database_copy, f"database/{DATABASE_NAME}"), *_data_files(data_dir)]
        rows = row_counts()
        revision = _revision()
        manifest = {
            "format": FORMAT, "created": utcnow().isoformat(), "revision": revision,
            "rows": rows, "files": {name: _sha256(path) for path, name in members},
        }
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            for path, name in members:
                archive.add(path, arcname=name, recursive=False)
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    return BackupSummary(path=target, files=len(members), rows=rows, revision=revision)


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.load(archive.extractfile(member))
    except (KeyError, ValueError, AttributeError, TypeError):
        raise BackupError("this is not a dhr backup: it has no readable manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("this backup was made by another version of dhr's backup format")
    return manifest


def restore_backup(archive_path: Path, target: Path) -> dict:
    """Unpack a backup into `target`, which must be missing or empty; every file is checked
    against the manifest before anything lands there. Returns the manifest."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not empty: restore into a new or empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".dhr-restore-"))
    try:
        manifest = _unpack_checked(archive_path, staging)
        _assemble(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _unpack_checked(archive_path: Path, staging: Path) -> dict:
    """Extract into `staging` (never outside it) the files the manifest lists, and only if
    each one's checksum matches."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            manifest = _read_manifest(archive)
            expected = manifest.get("files") or {}
            members = [m for m in archive.getmembers() if m.name != MANIFEST]
            if {member.name for member in members} != set(expected):
                raise BackupError("the archive's files do not match its manifest")
            archive.extractall(staging, members=members, filter="data")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"the archive cannot be restored: {exc}") from None
    for name, digest in expected.items():
        if _sha256(staging / name) != digest:
            raise BackupError(f"{name} is damaged (its checksum differs): nothing restored")
    return manifest


def _assemble(staging: Path, target: Path) -> None:
    """Move the checked files into place: the data folder, with the database inside it."""
    data = staging / "data"
    data.mkdir(exist_ok=True)
    os.replace(staging / "database" / DATABASE_NAME, data / DATABASE_NAME)
    if target.exists():
        target.rmdir()  # empty, checked above
    os.replace(data, target)
    os.chmod(target, 0o700)
