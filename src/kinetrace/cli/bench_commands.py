"""``kinetrace bench``: the driver-finding benchmark on simulated patients (docs/benchmark.md)."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kinetrace.bench import POLICIES, run_benchmark, summarise
from kinetrace.bench.metrics import PolicyMetrics
from kinetrace.bench.report import ScenarioRun, bench_document
from kinetrace.bench.runner import BENEFIT_AT
from kinetrace.cli.output import console, err_console, fail, print_json
from kinetrace.simulate import scenario_names


def bench(
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            "-s",
            help=(
                "Simulated patient mix: typical, easy, noisy, misspecified, coarse-linkage "
                "(the earlier typical), or all. Repeat for several."
            ),
        ),
    ] = None,
    patients: Annotated[int, typer.Option("--patients", "-n", min=1, help="Simulated patients per scenario.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed gives the same patients and numbers.")] = 0,
    policy: Annotated[
        list[str] | None,
        typer.Option(
            "--policy", "-p", help=f"Only these strategies (repeatable). Default: all ({', '.join(POLICIES)})."
        ),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Worker processes (results do not depend on it).")
    ] = 1,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the kinetrace/bench@1 JSON instead of tables.")
    ] = False,
    plots: Annotated[
        Path | None, typer.Option("--plots", help="Write PNG plots (trials-to-identify, calibration) into this folder.")
    ] = None,
) -> None:
    """Compare driver-finding strategies on simulated patients: accuracy, trials, benefit, calibration.

    Every strategy meets the same simulated patients (same seed). The table shows how often each
    strategy named the true driver (or correctly said it is not among the findings), how many
    treatment trials it needed, how much of the patient's deficit was restored after 3 trials, and
    for Kinetrace how well its stated probabilities match how often it was right (ECE).
    """
    known = scenario_names()
    scenario = scenario or ["typical"]
    policy = policy or []
    names = list(known) if "all" in scenario else scenario
    bad = [s for s in names if s not in known]
    if bad:
        fail(
            [f"--scenario: {b!r} is not a scenario; allowed: {', '.join(known)}, all" for b in bad],
            what="Invalid option",
        )
    bad = [p for p in policy if p not in POLICIES]
    if bad:
        fail([f"--policy: {b!r} is not a policy; allowed: {', '.join(POLICIES)}" for b in bad], what="Invalid option")
    chosen = policy or list(POLICIES)
    runs = []
    show_progress = not json_out and patients >= 100 and sys.stderr.isatty()
    for name in names:
        start = time.perf_counter()
        with Progress(
            TextColumn(f"[bold]{name}[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=not show_progress,
            transient=True,
        ) as bar:
            task = bar.add_task(name, total=patients)
            results = run_benchmark(
                name,
                patients=patients,
                seed=seed,
                policies=chosen,
                jobs=jobs,
                progress=lambda n, t=task: bar.advance(t, n),
            )
        wall = time.perf_counter() - start
        metrics = summarise(results)
        runs.append(ScenarioRun(name, patients, seed, wall, tuple(metrics)))
        if plots is not None:
            from kinetrace.bench.plots import plot_reliability, plot_trials

            plots.mkdir(parents=True, exist_ok=True)
            title = f"{name}, {patients} patients, seed {seed}"
            plot_trials(results, plots / f"trials_{name}.png", title=title)
            for m in metrics:
                if m.ece is not None and m.policy != "oracle":
                    plot_reliability(m, plots / f"calibration_{name}_{m.policy}.png", title=title)
    command = "kinetrace bench " + " ".join(shlex.quote(a) for a in sys.argv[1:] if a != "bench")
    if json_out:
        print_json(bench_document(runs, command=command.strip()))
        return
    for run in runs:
        # Piped or captured output gets the full table, not one squeezed to 80 columns.
        out = console if console.is_terminal else Console(width=120)
        out.print(_table(run))
    if plots is not None:
        console.print(f"Plots written to {plots}/")


def _pct(x: float | None) -> str:
    return "-" if x is None or x != x else f"{100 * x:.1f}%"


def _table(run: ScenarioRun) -> Table:
    table = Table(title=f"Scenario {run.scenario}: {run.patients} patients, seed {run.seed}, {run.wall_s:.1f} s")
    cols = [
        "Policy",
        "Accuracy",
        "Listed",
        "None",
        "Trials",
        "p90",
        "% exh.",
        f"Benefit@{BENEFIT_AT}",
        "ECE",
        "Time s",
    ]
    for c in cols:
        table.add_column(c, justify="left" if c == "Policy" else "right")
    for m in run.metrics:
        table.add_row(*_row(m))
    return table


def _row(m: PolicyMetrics) -> list[str]:
    return [
        m.policy,
        _pct(m.accuracy),
        _pct(m.accuracy_listed),
        _pct(m.accuracy_none),
        f"{m.mean_trials:.2f}",
        f"{m.p90_trials:.0f}",
        "-" if m.trials_pct_of_exhaustive is None else f"{m.trials_pct_of_exhaustive:.0f}%",
        _pct(m.benefit_at_k),
        "-" if m.ece is None else f"{m.ece:.3f}",
        f"{m.wall_s:.1f}",
    ]


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
