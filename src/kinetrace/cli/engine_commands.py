"""``kinetrace next``, ``kinetrace explain`` and ``kinetrace check``: the driver engine's commands."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from kinetrace import analyse
from kinetrace.analysis import ANALYSIS_FORMAT, recommendation_json
from kinetrace.cli.output import console, fail, load_or_exit, print_json
from kinetrace.engine import explain
from kinetrace.presentation import (
    MECHANISM_NAME,
    decision_lines,
    driver_line,
    evidence_text,
    explanation_dict,
    explanation_heading,
    explanation_summary,
    step_sentence,
)

CASE_ARG = typer.Argument(..., help="Case file (kinetrace/case@1, YAML or JSON).", show_default=False)
JSON_OPT = typer.Option(False, "--json", help="Print JSON instead of text.")


def next_command(case: Path = CASE_ARG, json_out: bool = JSON_OPT) -> None:
    """Recommend the next treatment trial, or say why to stop.

    The engine picks the untested finding whose trial is expected to tell the most about which
    area is the driver, and stops once one area is very likely (95 %) or nothing is worth trying.
    """
    result = analyse(load_or_exit(case))
    if json_out:
        print_json(
            {
                "format": ANALYSIS_FORMAT,
                "driver": None if result.driver is None else result.driver.to_dict(),
                "recommendation": recommendation_json(result),
            }
        )
        return
    if result.driver is not None:
        console.print(f"[bold green]{escape(driver_line(result))}[/]", highlight=False)
    for line in decision_lines(result):
        console.print(line, markup=False, highlight=False)


def explain_command(
    case: Path = CASE_ARG,
    finding_id: str = typer.Argument(..., help="Id of a finding of the case.", show_default=False),
    json_out: bool = JSON_OPT,
) -> None:
    """Explain how a finding may be linked to each complaint area, step by step, with sources.

    Each step names the link's type, evidence level (A-D) and source. Worded as "consistent
    with", never "caused by".
    """
    loaded = load_or_exit(case)
    try:
        items = explain(loaded, finding_id)
    except KeyError:
        fail([f"finding {finding_id!r} is not in the case; allowed: {', '.join(f.id for f in loaded.findings)}"])
    if json_out:
        print_json([explanation_dict(loaded, e) for e in items])
        return
    for item in items:
        console.print(
            f"[bold]{escape(explanation_heading(item))}[/] - mechanism {MECHANISM_NAME[item.mechanism]}, "
            f"evidence {evidence_text(item)}, strength {item.strength:.2f}",
            highlight=False,
        )
        console.print(f"  {explanation_summary(loaded, item)}", markup=False, highlight=False)
        for i, step in enumerate(item.steps, 1):
            console.print(f"  {i}. {step_sentence(step)}", markup=False, highlight=False)
            console.print(f"     source: {step.citation}", markup=False, style="dim", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("next")(next_command)
    app.command("explain")(explain_command)
    from kinetrace.cli.knowledge_commands import check_command

    app.command("check")(check_command)
