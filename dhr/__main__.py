"""The `dhr` console script (and `python -m dhr`): the Flask CLI group around create_app.

It sits beside create_app, above every area: the commands themselves are in dhr.cli."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup, routes_command, shell_command

from dhr import create_app
from dhr.config import ConfigError


def main() -> None:
    # Without Flask's default commands, so that `dhr run` is ours (server, worker, scheduler).
    group = FlaskGroup(create_app=create_app, add_default_commands=False, load_dotenv=False)
    group.add_command(shell_command)
    group.add_command(routes_command)
    try:
        group()
    except ConfigError as exc:  # a setting that cannot work: say which, not a traceback
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
