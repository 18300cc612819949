"""`dhr search rebuild` and `dhr search check`: the index is a cache of the database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from dhr.search import service
from dhr.search.backend import Drift


@click.group("search")
def search_group() -> None:
    """Rebuild the search index or compare it with the database."""


def _ids(ids: list[int], shown: int = 20) -> str:
    more = " ..." if len(ids) > shown else ""
    return ", ".join(map(str, ids[:shown])) + more


def _describe(drift: Drift) -> str:
    if drift.clean:
        return "The index matches the database."
    parts = [f"{label}: {len(ids)} ({_ids(ids)})"
             for label, ids in (("missing", drift.missing), ("stale", drift.stale),
                                ("extra", drift.extra)) if ids]
    return "Reviews out of step with the database, by id. " + "; ".join(parts) + "."


@search_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Build a new index from the database and swap it in once it is complete (the index
    being served stays in use until then, even if the rebuild fails)."""
    with click.progressbar(length=service.review_count(), label="Indexing reviews") as bar:
        caught_up = service.rebuild(lambda: bar.update(1))
    if not caught_up.clean:
        click.echo("Brought in changes made during the rebuild. " + _describe(caught_up))
    click.echo("Search index rebuilt.")


@search_group.command("check")
@click.option("--repair", is_flag=True, help="Re-index what is missing or stale, remove extras")
@with_appcontext
def check_command(repair: bool) -> None:
    """Report drift between the database and the index (exit status 1 when there is some
    and it was not repaired)."""
    drift = service.check()
    click.echo(_describe(drift))
    if drift.clean:
        return
    if repair:
        service.repair(drift)
        click.echo("Repaired.")
        return
    raise SystemExit(1)
