"""``kinetrace report`` and ``kinetrace export``: a case as a PDF/HTML report, FHIR R4B bundle or CSV.

Bad input never leaves a file behind: the case is loaded (exit 2 if invalid) before anything is
rendered, and every output is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from kinetrace.cli.output import console, fail, load_or_exit

CASE_ARG = typer.Argument(..., help="Case file (kinetrace/case@1, YAML or JSON).", show_default=False)


OUTPUT_OPT = typer.Option(
    ..., "-o", "--output", help="Output file: .pdf (A4, for printing) or .html.", show_default=False
)
KIND_OPT = typer.Option(
    "clinician", "--kind", help="clinician: the full report; patient: a one-page summary in plain words."
)
FHIR_OPT = typer.Option(None, "--fhir", help="Write a FHIR R4B Bundle (JSON) to this file.")
CSV_OPT = typer.Option(None, "--csv", help="Write one CSV row per measurement to this file.")


def report(case: Path = CASE_ARG, output: Path = OUTPUT_OPT, kind: str = KIND_OPT) -> None:
    """Write a case report: the clinician report (findings, trials against the MDC, driver, plan,
    outcomes) or a one-page patient summary, as PDF or HTML."""
    from kinetrace.export.atomic import write_bytes_atomic
    from kinetrace.reports import render_report
    from kinetrace.reports.render import KINDS

    suffix = output.suffix.lower().lstrip(".")
    problems = []
    if suffix not in ("pdf", "html"):
        problems.append(f"--output: {output.name!r} must end in .pdf or .html")
    if kind not in KINDS:
        problems.append(f"--kind: {kind!r} is not allowed; allowed: {', '.join(KINDS)}")
    if not output.parent.is_dir():
        problems.append(f"--output: folder {output.parent} does not exist")
    if problems:
        fail(problems)
    loaded = load_or_exit(case)
    start = time.perf_counter()
    data = render_report(loaded, kind=kind, fmt=suffix)  # type: ignore[arg-type]
    write_bytes_atomic(output, data)
    console.print(f"[green]Wrote[/] {output} ({len(data) / 1024:.0f} KiB, {time.perf_counter() - start:.2f} s)")


def export(case: Path = CASE_ARG, fhir: Path | None = FHIR_OPT, csv: Path | None = CSV_OPT) -> None:
    """Export a case for other systems: a FHIR R4B Bundle (Patient, Condition, Observations,
    Procedures, ClinicalImpression, CarePlan) and/or a tidy CSV with one row per measurement."""
    from kinetrace.export import to_csv_bytes, to_fhir_bundle
    from kinetrace.export.atomic import write_bytes_atomic

    if fhir is None and csv is None:
        fail(["give --fhir FILE.json and/or --csv FILE.csv"])
    problems = [
        f"{opt}: folder {p.parent} does not exist"
        for opt, p in (("--fhir", fhir), ("--csv", csv))
        if p and not p.parent.is_dir()
    ]
    if problems:
        fail(problems)
    loaded = load_or_exit(case)
    outputs: list[tuple[Path, bytes]] = []
    if fhir is not None:
        bundle = to_fhir_bundle(loaded)
        outputs.append((fhir, (json.dumps(bundle, indent=2, ensure_ascii=False) + "\n").encode("utf-8")))
    if csv is not None:
        outputs.append((csv, to_csv_bytes(loaded)))
    for path, data in outputs:
        write_bytes_atomic(path, data)
        console.print(f"[green]Wrote[/] {path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("export")(export)
