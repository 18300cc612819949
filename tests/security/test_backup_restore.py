"""`dhr backup` and `dhr restore`: a restored folder answers exactly as the original did, and
an archive that is damaged, tampered with or aimed at a folder in use restores nothing."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from flask import Flask

from dhr import create_app
from dhr.auth.tokens import issue_token
from dhr.extensions import db
from dhr.workflow import documents
from tests.conftest import PG_URL
from tests.support.documents import PDF_BYTES
from tests.support.search import build_corpus


def answers(client, token: str, review_ids: list[int]) -> dict:
    """What a user would see: the list, each review, and two searches."""
    headers = {"Authorization": f"Bearer {token}"}
    seen = {"list": client.get("/api/v1/reviews", headers=headers).get_json()}
    for review_id in review_ids:
        seen[review_id] = client.get(f"/api/v1/reviews/{review_id}", headers=headers).get_json()
    for query in ("stalking after separation", "GP routine enquiry"):
        seen[query] = client.get("/api/v1/search", query_string={"q": query},
                                 headers=headers).get_json()
    return seen


def uploaded_bytes(flask_app: Flask) -> list[bytes]:
    folder = Path(flask_app.config["DATA_DIR"]) / "uploads"
    return sorted(path.read_bytes() for path in folder.rglob("*") if path.is_file())


@pytest.fixture
def backed_up(app, client, make_review, make_user, tmp_path):
    """A corpus with a PDF upload, backed up with the command; (archive, token, ids, answers)."""
    if PG_URL:
        pytest.skip("dhr backup covers the SQLite set-up")
    corpus = build_corpus(make_review, make_user)
    admin = make_user("admin")
    documents.save_upload(corpus.unpublished, "overview_report", "x.pdf",
                          io.BytesIO(PDF_BYTES), admin)
    token = issue_token(admin)
    db.session.commit()
    ids = [corpus.published.id, corpus.unpublished.id, corpus.withheld.id]
    before = answers(client, token, ids)
    archive = tmp_path / "nightly.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backed up 3 reviews" in result.output
    return archive, token, ids, before


def restore(app: Flask, archive: Path, folder: Path):
    return app.test_cli_runner().invoke(args=["restore", str(archive), str(folder)])


def test_a_restored_folder_gives_the_same_answers(app, backed_up, tmp_path, monkeypatch):
    archive, token, ids, before = backed_up
    assert archive.stat().st_mode & 0o077 == 0, "the archive holds unpublished reviews"
    folder = tmp_path / "restored"
    result = restore(app, archive, folder)
    assert result.exit_code == 0, result.output
    assert "Restored 3 reviews" in result.output
    assert folder.stat().st_mode & 0o777 == 0o700

    monkeypatch.setenv("DHR_DATA_DIR", str(folder))
    restored = create_app({"TESTING": True, "SESSION_COOKIE_SECURE": False,
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'dhr.sqlite'}",
                           "CELERY": {"task_always_eager": True}})
    with restored.app_context():
        after = answers(restored.test_client(), token, ids)
        assert after == before
        assert before["stalking after separation"]["total"] > 0
        assert uploaded_bytes(restored) == uploaded_bytes(app) == [PDF_BYTES]
        db.session.remove()
        db.engine.dispose()


def test_a_folder_in_use_is_never_overwritten(app, backed_up, tmp_path):
    archive = backed_up[0]
    folder = tmp_path / "in-use"
    folder.mkdir()
    (folder / "dhr.sqlite").write_text("someone's live database")
    result = restore(app, archive, folder)
    assert result.exit_code != 0
    assert "is not empty" in result.output
    assert [p.name for p in folder.iterdir()] == ["dhr.sqlite"]
    assert (folder / "dhr.sqlite").read_text() == "someone's live database"


def _rewrite(archive: Path, target: Path, change, extra: dict[str, bytes] | None = None) -> None:
    """Copy the archive member by member, letting `change(name, data)` alter each file, and
    add the `extra` members."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


def test_a_damaged_file_restores_nothing(app, backed_up, tmp_path):
    archive = backed_up[0]
    damaged = tmp_path / "damaged.tar.gz"
    _rewrite(archive, damaged, lambda name, data: data[:-1] + b"!"
             if name.startswith("data/uploads/") else data)
    folder = tmp_path / "restored"
    result = restore(app, damaged, folder)
    assert result.exit_code != 0
    assert "is damaged" in result.output
    assert not folder.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dhr-restore-")]


@pytest.mark.parametrize("listed", [True, False], ids=["in-manifest", "not-in-manifest"])
def test_an_archive_with_a_file_outside_its_folder_restores_nothing(app, backed_up, tmp_path,
                                                                   listed):
    """A crafted archive with a member named ../escaped.txt, listed in its manifest with the
    right checksum or not listed at all."""
    archive = backed_up[0]
    crafted = tmp_path / "crafted.tar.gz"
    payload = b"written outside the restore folder"

    def list_escape(name: str, data: bytes) -> bytes:
        if name == "manifest.json" and listed:
            manifest = json.loads(data)
            manifest["files"]["../escaped.txt"] = hashlib.sha256(payload).hexdigest()
            return json.dumps(manifest).encode()
        return data

    _rewrite(archive, crafted, list_escape, extra={"../escaped.txt": payload})
    folder = tmp_path / "restored"
    result = restore(app, crafted, folder)
    assert result.exit_code != 0
    assert not folder.exists()
    assert not (tmp_path / "escaped.txt").exists()


def test_something_that_is_not_a_backup_is_refused(app, tmp_path):
    bogus = tmp_path / "holiday.tar.gz"
    with tarfile.open(bogus, "w:gz") as archive:
        archive.addfile(tarfile.TarInfo("photo.jpg"), io.BytesIO(b""))
    result = restore(app, bogus, tmp_path / "restored")
    assert result.exit_code != 0
    assert "not a dhr backup" in result.output
    assert not (tmp_path / "restored").exists()


@pytest.mark.skipif(not PG_URL, reason="the refusal applies to PostgreSQL deployments")
def test_on_postgresql_backup_points_to_pg_dump_and_writes_nothing(app, tmp_path):
    target = tmp_path / "nightly.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert not target.exists()


def test_backup_never_overwrites_an_existing_file(app, tmp_path):
    existing = tmp_path / "last-week.tar.gz"
    existing.write_bytes(b"last week's backup")
    result = app.test_cli_runner().invoke(args=["backup", str(existing)])
    assert result.exit_code != 0
    assert existing.read_bytes() == b"last week's backup"
