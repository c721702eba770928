"""The ``kinetrace`` command line.

Each topic lives in its own module (``case_commands``, ``engine_commands``, ...) exposing
``register(app)``; this module only assembles them. The CLI calls the core; the core never
imports the CLI.

Only the ``cli`` extra (Typer, Rich) is needed to start the CLI and to run every command that
works on the core alone (``validate``, ``analyse``, ``next``, ``explain``, ``check``, ``bench``).
Commands that need another extra import it when they run; when it is missing they exit 2 with
one line naming the extra to install (:data:`EXTRA_OF_MODULE`), never a traceback. A command
module that cannot even be imported without its extra is replaced by placeholders that say the
same thing.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple

import typer
from typer.core import TyperGroup

#: Top-level modules of the optional dependencies -> the extra of ``pyproject.toml`` providing them.
EXTRA_OF_MODULE: dict[str, str] = {
    "cv2": "video",
    "mediapipe": "video",
    "google": "video",  # protobuf, as mediapipe imports it
    "django": "web",
    "ninja": "web",
    "argon2": "web",
    "dj_database_url": "web",
    "psycopg": "web",
    "axes": "web",
    "django_tasks": "web",
    "django_tasks_db": "web",
    "weasyprint": "reports",
    "matplotlib": "reports",
    "jinja2": "reports",
    "fhir": "reports",
}


def missing_extra(exc: ImportError) -> str | None:
    """The extra that would provide the module ``exc`` failed to import, if it is an optional one."""
    name = exc.name or ""
    return EXTRA_OF_MODULE.get(name.split(".")[0])


def missing_extra_message(command: str, extra: str, module: str) -> str:
    return f"kinetrace {command} needs the '{extra}' extra (missing module {module}): pip install 'kinetrace[{extra}]'"


class KinetraceGroup(TyperGroup):
    """The root command group: a missing optional dependency ends a command with one clear line."""

    def invoke(self, ctx: Any) -> Any:  # Typer's (vendored) click Context is private
        try:
            return super().invoke(ctx)
        except ImportError as exc:
            extra = missing_extra(exc)
            if extra is None:
                raise
            command = ctx.invoked_subcommand or ctx.info_name or ""
            typer.echo(missing_extra_message(command, extra, exc.name or "?"), err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    name="kinetrace",
    help="Kinetrace: whole-body treatment-trial workbench. Find the driver of a symptom.",
    cls=KinetraceGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def version() -> str:
    """The installed distribution's version (the one in ``pyproject.toml``)."""
    return importlib.metadata.version("kinetrace")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"kinetrace {version()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Kinetrace: whole-body treatment-trial workbench. Find the driver of a symptom."""


class CommandModule(NamedTuple):
    """A module of commands; ``commands`` are the placeholders to register if its extra is missing."""

    module: str
    commands: tuple[str, ...] = ()


#: Command modules, in the order their commands appear in ``--help``.
COMMAND_MODULES: tuple[CommandModule, ...] = (
    CommandModule("kinetrace.cli.case_commands"),
    CommandModule("kinetrace.cli.engine_commands"),
    CommandModule("kinetrace.cli.video_commands", ("gait", "posture")),
    CommandModule("kinetrace.cli.report_commands"),
    CommandModule("kinetrace.cli.bench_commands"),
    CommandModule("kinetrace.cli.learn_commands"),
    CommandModule("kinetrace.cli.web_commands"),
)


def _placeholder(command: str, extra: str, module: str) -> Callable[[], None]:
    def run() -> None:
        typer.echo(missing_extra_message(command, extra, module), err=True)
        raise typer.Exit(2)

    run.__doc__ = f"(install the '{extra}' extra to use this command)"
    return run


def _register(target: typer.Typer, spec: CommandModule) -> None:
    try:
        module = importlib.import_module(spec.module)
    except ImportError as exc:
        extra = missing_extra(exc)
        if extra is None or not spec.commands:
            raise
        settings = {"allow_extra_args": True, "ignore_unknown_options": True}
        for command in spec.commands:
            target.command(command, context_settings=settings)(_placeholder(command, extra, exc.name or "?"))
        return
    module.register(target)


for _spec in COMMAND_MODULES:
    _register(app, _spec)


def main() -> None:
    """Entry point of the ``kinetrace`` console script."""
    app()
