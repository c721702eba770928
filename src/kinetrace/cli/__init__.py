"""The ``kinetrace`` command line.

Each topic lives in its own module (``case_commands``, ``engine_commands``, ...) exposing
``register(app)``; this module only assembles them. The CLI calls the core; the core never
imports the CLI.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="kinetrace",
    help="Kinetrace: whole-body treatment-trial workbench. Find the driver of a symptom.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Command modules, in the order their commands appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "kinetrace.cli.case_commands",
    "kinetrace.cli.engine_commands",
    "kinetrace.cli.video_commands",
    "kinetrace.cli.report_commands",
    "kinetrace.cli.bench_commands",
    "kinetrace.cli.web_commands",
)

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    """Entry point of the ``kinetrace`` console script."""
    app()
