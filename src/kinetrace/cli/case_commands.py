"""``kinetrace validate`` and ``kinetrace analyse``: check a case file and score its trials."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from kinetrace import analyse
from kinetrace.analysis import Analysis
from kinetrace.cli.output import console, fail, load_or_exit, print_json
from kinetrace.learning.model import Model
from kinetrace.presentation import (
    candidate_label,
    decision_lines,
    driver_line,
    explanation_summary,
    probability_label,
)

CASE_ARG = typer.Argument(..., help="Case file (kinetrace/case@1, YAML or JSON).", show_default=False)


def validate(case: Path = CASE_ARG) -> None:
    """Check a case file. Prints every problem with its place in the file; exit code 2 if invalid."""
    loaded = load_or_exit(case)
    n_trials = len(loaded.trials)
    console.print(
        f"[green]OK[/] {case}: {len(loaded.findings)} findings, {len(loaded.markers)} markers, "
        f"{len(loaded.sessions)} sessions, {n_trials} trials"
    )


MODEL_OPT = typer.Option(
    None, "--model", help="A clinic's learned model (kinetrace learn -o FILE); default: the shipped defaults."
)


def analyse_command(
    case: Path = CASE_ARG,
    json_out: bool = typer.Option(False, "--json", help="Print the kinetrace/analysis@2 JSON instead of tables."),
    model: Path | None = MODEL_OPT,
) -> None:
    """Score every treatment trial against each marker's MDC and rank the candidate drivers."""
    result = analyse(load_or_exit(case), model=None if model is None else _model_or_exit(model))
    if json_out:
        print_json(result.to_dict())
        return
    print_analysis(result)


def _model_or_exit(path: Path) -> Model:
    from kinetrace.learning import ModelError, load_model

    try:
        return load_model(path)
    except ModelError as exc:
        fail([str(exc)], what="Invalid model file")


def _trial_table(result: Analysis) -> Table:
    case = result.case
    trials = Table(title=f"Treatment trials - patient {case.patient.id}")
    numeric = {"Re-tested", "Improved", "Worsened", "Global change"}
    for col in ("Trial", "Candidate", "Intervention", "Re-tested", "Improved", "Worsened", "Global change"):
        trials.add_column(col, justify="right" if col in numeric else "left")
    for t in result.trials:
        trials.add_row(
            t.id,
            candidate_label(case, t.candidate) if t.is_control else t.candidate,
            t.intervention,
            str(len(t.markers)),
            f"[green]{t.n_improved}[/]",
            f"[red]{t.n_worsened}[/]" if t.n_worsened else "0",
            f"{t.global_change:+.2f}",
        )
    return trials


def _ranking_table(result: Analysis) -> Table:
    ranking = Table(title="Driver ranking")
    for col in ("Candidate", "Finding", "Tested"):
        ranking.add_column(col)
    ranking.add_column("Probability", justify="right")
    for r in result.ranking[:10]:
        label = candidate_label(result.case, r.candidate)
        ranking.add_row(r.candidate, label, "yes" if r.tested else "", probability_label(r.probability))
    return ranking


def print_analysis(result: Analysis) -> None:
    """Rich tables: one row per trial, then the driver ranking and the recommendation."""
    console.print(_trial_table(result))
    console.print(_ranking_table(result))
    if result.driver is not None:
        console.print(f"[bold green]{escape(driver_line(result))}[/]", highlight=False)
    for line in decision_lines(result):
        console.print(line, markup=False, highlight=False)
    for e in result.explanations:
        console.print(f"[italic]{escape(explanation_summary(result.case, e))}[/]", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("analyse")(analyse_command)
