"""`dhr backup` and `dhr restore`: the default set-up's data, in one checked archive."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from dhr.backup import make_backup, restore_backup
from dhr.errors import BackupError


@click.command("backup")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(archive: Path) -> None:
    """Write the database, uploaded documents, search index and settings to ARCHIVE
    (.tar.gz, readable by this user only). Safe while the application runs."""
    try:
        summary = make_backup(Path(current_app.config["DATA_DIR"]), archive.resolve())
    except BackupError as exc:
        raise click.ClickException(exc.message) from None
    reviews = summary.rows.get("reviews", 0)
    click.echo(f"Backed up {reviews} reviews, {sum(summary.rows.values())} rows and "
               f"{summary.files} files (schema {summary.revision}) to {summary.path}.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def restore_command(archive: Path, folder: Path) -> None:
    """Restore ARCHIVE into FOLDER (new or empty), checking every file first; then run the
    application with DHR_DATA_DIR=FOLDER."""
    try:
        manifest = restore_backup(archive, folder.resolve())
    except BackupError as exc:
        raise click.ClickException(exc.message) from None
    rows = manifest.get("rows", {})
    click.echo(f"Restored {rows.get('reviews', 0)} reviews and {len(manifest['files'])} files "
               f"(backup of {manifest['created'][:16].replace('T', ' ')} UTC) into {folder}.")
    click.echo(f"Next: DHR_DATA_DIR={folder} dhr db upgrade  (brings an older backup up to "
               "date; does nothing otherwise), then dhr run.")
