"""``kinetrace web``: run the clinic web app's management commands (Django's ``manage.py``)."""

from __future__ import annotations

import os

import typer


def web(ctx: typer.Context) -> None:
    """Manage the clinic web app: any Django management command and its options.

    Examples: ``kinetrace web migrate``, ``kinetrace web load_demo`` (demo clinic, login and seed
    case), ``kinetrace web runserver 127.0.0.1:8000``, ``kinetrace web createsuperuser``,
    ``kinetrace web issue_token USERNAME`` (API token). The database is ``DATABASE_URL``
    (default: SQLite under var/). ``scripts/run`` does all of this and starts the app.
    Same as ``python -m kinetrace.web COMMAND``.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetrace.web.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError:
        typer.echo("The web app needs the 'web' extra: pip install 'kinetrace[web]'", err=True)
        raise typer.Exit(2) from None
    from kinetrace.web.__main__ import settings_problem

    problem = settings_problem()
    if problem:
        typer.echo(f"kinetrace web: {problem}", err=True)
        raise typer.Exit(2)
    execute_from_command_line(["kinetrace web", *(ctx.args or ["help"])])


def register(app: typer.Typer) -> None:
    app.command(
        "web",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )(web)
