"""Shared CLI helpers: loading a case with clean errors, printing JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

from kinetrace import Case, CaseError, load_case

console = Console()
err_console = Console(stderr=True)

#: Exit code for invalid input (a bad case file, a bad option value).
EXIT_INVALID = 2


def fail(problems: list[str], *, what: str = "Invalid input") -> NoReturn:
    """Print every problem on stderr and exit with code 2."""
    # Plain writes, never wrapped: one problem per line, so it can be read and grepped.
    count = len(problems)
    sys.stderr.write(f"{what} ({count} problem{'s' if count != 1 else ''}):\n")
    for p in problems:
        sys.stderr.write(f"  {p}\n")
    raise typer.Exit(EXIT_INVALID)


def load_or_exit(path: Path) -> Case:
    """Load a case file, or print its problems and exit 2."""
    try:
        return load_case(path)
    except CaseError as exc:
        fail(exc.problems, what=f"Invalid case file {path}")


def print_json(data: Any) -> None:
    """Print JSON to stdout (plain, no Rich markup)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
