"""The `dhr` command line (a Flask CLI group; also `flask --app dhr ...`): one module per command
group. The modules never import one another, except that `dhr token` finds users as `dhr user`
does."""

from __future__ import annotations

from flask import Flask

# Imported for its effect: `dhr db upgrade` becomes ours (see dhr.cli.database).
from dhr.cli import database  # noqa: F401
from dhr.cli.backup import backup_command, restore_command
from dhr.cli.chairs import chair_group
from dhr.cli.clocks import clocks_group
from dhr.cli.demo import demo_command
from dhr.cli.jobs import jobs_group
from dhr.cli.reminders import reminders_group
from dhr.cli.retention import retention_group
from dhr.cli.reviews import review_group
from dhr.cli.run import run_command, worker_command
from dhr.cli.search import search_group
from dhr.cli.tokens import token_group
from dhr.cli.users import user_group


def register_commands(app: Flask) -> None:
    for command in (user_group, token_group, demo_command, worker_command, run_command,
                    review_group, search_group, clocks_group, reminders_group, jobs_group,
                    backup_command, restore_command, retention_group, chair_group):
        app.cli.add_command(command)
