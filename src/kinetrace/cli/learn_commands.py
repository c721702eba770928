"""``kinetrace learn``: fit a clinic's model from its confirmed cases (docs/engine.md, "Learning")."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kinetrace.case.model import Case
from kinetrace.cli.output import console, fail, load_or_exit, print_json


def learn_command(
    cases: Annotated[
        list[Path],
        typer.Argument(help="Case files (kinetrace/case@1) or folders of them; those with confirmed_driver are used."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the model (kinetrace/model@1 YAML).")],
    version: Annotated[int, typer.Option("--version-number", min=1, help="Version number of this model.")] = 1,
    folds: Annotated[int, typer.Option("--folds", min=2, max=50, help="Cross-validation folds.")] = 5,
    json_out: Annotated[bool, typer.Option("--json", help="Print the model as JSON instead of its report.")] = False,
) -> None:
    """Fit the prior and likelihood to the clinic's confirmed cases, with shrinkage to the defaults.

    Writes a versioned model and prints a readable report of what changed and by how much. Use it
    with ``kinetrace analyse --model FILE``. Cases without ``confirmed_driver`` are skipped.
    """
    from kinetrace.learning import LearnError, learn

    loaded = _load_all(cases)
    try:
        model = learn(loaded, folds=folds, version=version)
    except LearnError as exc:
        fail([str(exc)], what="Nothing to learn")
    model.save(output)
    if json_out:
        print_json(model.to_dict())
        return
    console.print(f"Model v{model.version} written to {output}", markup=False, highlight=False)
    for line in model.report:
        console.print(f"  {line}", markup=False, highlight=False)


def _load_all(paths: list[Path]) -> list[Case]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml", ".json")))
        elif p.exists():
            files.append(p)
        else:
            fail([f"{p}: file not found"])
    if not files:
        fail(["no case files given (a folder held no .yaml/.yml/.json file)"])
    return [load_or_exit(f) for f in files]


def register(app: typer.Typer) -> None:
    app.command("learn")(learn_command)
