"""``kinetrace validate`` and ``kinetrace analyse``: check a case file and score its trials."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kinetrace import analyse
from kinetrace.analysis import Analysis
from kinetrace.cli.output import console, load_or_exit, print_json
from kinetrace.formatting import probability_label

CASE_ARG = typer.Argument(..., help="Case file (kinetrace/case@1, YAML or JSON).", show_default=False)


def validate(case: Path = CASE_ARG) -> None:
    """Check a case file. Prints every problem with its place in the file; exit code 2 if invalid."""
    loaded = load_or_exit(case)
    n_trials = len(loaded.trials)
    console.print(
        f"[green]OK[/] {case}: {len(loaded.findings)} findings, {len(loaded.markers)} markers, "
        f"{len(loaded.sessions)} sessions, {n_trials} trials"
    )


def analyse_command(
    case: Path = CASE_ARG,
    json_out: bool = typer.Option(False, "--json", help="Print the kinetrace/analysis@1 JSON instead of tables."),
) -> None:
    """Score every treatment trial against each marker's MDC and rank the candidate drivers."""
    result = analyse(load_or_exit(case))
    if json_out:
        print_json(result.to_dict())
        return
    print_analysis(result)


def print_analysis(result: Analysis) -> None:
    """Rich tables: one row per trial, then the driver ranking and the recommendation."""
    case = result.case
    names = {f.id: f.text or f.id for f in case.findings}
    trials = Table(title=f"Treatment trials - patient {case.patient.id}")
    for col in ("Trial", "Candidate", "Intervention", "Re-tested", "Improved", "Worsened", "Global change"):
        trials.add_column(
            col, justify="right" if col in {"Re-tested", "Improved", "Worsened", "Global change"} else "left"
        )
    for t in result.trials:
        trials.add_row(
            t.id,
            "control (no treatment)" if t.is_control else t.candidate,
            t.intervention,
            str(len(t.markers)),
            f"[green]{t.n_improved}[/]",
            f"[red]{t.n_worsened}[/]" if t.n_worsened else "0",
            f"{t.global_change:+.2f}",
        )
    console.print(trials)
    ranking = Table(title="Driver ranking")
    ranking.add_column("Candidate")
    ranking.add_column("Finding")
    ranking.add_column("Tested")
    ranking.add_column("Probability", justify="right")
    for r in result.ranking[:10]:
        label = "driver not among the findings" if r.candidate == "none" else names.get(r.candidate, r.candidate)
        ranking.add_row(r.candidate, label, "yes" if r.tested else "", probability_label(r.probability))
    console.print(ranking)
    if result.pcf is not None:
        console.print(
            f"[bold green]Driver (primary contributing factor):[/] {result.pcf.candidate} - "
            f"{names.get(result.pcf.candidate, '')} (P {probability_label(result.pcf.probability)})"
        )
    if result.next is not None:
        console.print(f"[bold]Next trial:[/] {result.next['candidate']} - {result.next.get('reason', '')}")
    if result.stop:
        console.print("[bold]Stop:[/] enough evidence; no further trial needed.")
    for e in result.explanations:
        text = e.get("summary") or e.get("text")
        if text:
            console.print(f"[italic]{text}[/]")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("analyse")(analyse_command)
