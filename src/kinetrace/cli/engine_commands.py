"""``kinetrace next``, ``kinetrace explain`` and ``kinetrace check``: the driver engine's commands."""

from __future__ import annotations

from pathlib import Path

import typer

from kinetrace import analyse
from kinetrace.cli.output import console, fail, load_or_exit, print_json
from kinetrace.engine import explain
from kinetrace.formatting import probability_label

CASE_ARG = typer.Argument(..., help="Case file (kinetrace/case@1, YAML or JSON).", show_default=False)
JSON_OPT = typer.Option(False, "--json", help="Print JSON instead of text.")


def next_command(case: Path = CASE_ARG, json_out: bool = JSON_OPT) -> None:
    """Recommend the next treatment trial, or say why to stop.

    The engine picks the untested finding whose trial is expected to tell the most about which
    area is the driver, and stops once one area is very likely (95 %) or nothing is worth trying.
    """
    result = analyse(load_or_exit(case))
    data = result.to_dict()
    rec = {
        "next": data["next"],
        "stop": data["stop"],
        "stop_reason": data.get("stop_reason", ""),
        "pcf": data["pcf"],
        "examine": data.get("examine", []),
    }
    if json_out:
        print_json(rec)
        return
    names = {f.id: f.text or f.id for f in result.case.findings}
    if rec["next"] is not None:
        cand = rec["next"]["candidate"]
        console.print(f"[bold]Next trial:[/] {cand} - {names.get(cand, '')}")
        console.print(f"  why: {rec['next']['reason']}")
    if rec["stop"]:
        console.print(f"[bold]Stop:[/] {rec['stop_reason']}")
    if rec["pcf"] is not None:
        pcf = rec["pcf"]
        console.print(f"[bold green]Driver:[/] {pcf['candidate']} (P {probability_label(pcf['probability'])})")
    if rec["examine"]:
        console.print("[bold]The driver may not be among the findings. Examine next:[/]")
        for row in rec["examine"]:
            console.print(f"  {row['side']} {row['region']}: {row['why']}")


def explain_command(
    case: Path = CASE_ARG,
    finding_id: str = typer.Argument(..., help="Id of a finding of the case.", show_default=False),
    json_out: bool = JSON_OPT,
) -> None:
    """Explain how a finding is linked to each complaint area, step by step, with sources.

    Each step names the link's type, evidence level (A-D) and source. Worded as "consistent
    with", never "caused by".
    """
    loaded = load_or_exit(case)
    try:
        items = explain(loaded, finding_id)
    except KeyError:
        fail([f"finding {finding_id!r} is not in the case; allowed: {', '.join(f.id for f in loaded.findings)}"])
    if json_out:
        print_json(items)
        return
    for item in items:
        area = item["complaint_area"]
        console.print(
            f"[bold]{area['side']} {area['region']} ({area['kind']})[/] - mechanism {item['mechanism']}, "
            f"evidence {item['evidence_level']}, strength {item['strength']:.2f}"
        )
        console.print(f"  {item['summary']}")
        for i, step in enumerate(item["steps"], 1):
            console.print(f"  {i}. {step['sentence']}")
            console.print(f"     [dim]source: {step['source']}[/]")


def register(app: typer.Typer) -> None:
    app.command("next")(next_command)
    app.command("explain")(explain_command)
    from kinetrace.cli.knowledge_commands import check_command

    app.command("check")(check_command)
