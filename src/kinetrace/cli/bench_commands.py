"""``kinetrace bench``: the driver-finding benchmark on simulated patients (docs/benchmark.md)."""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from kinetrace.bench import POLICIES, run_benchmark, summarise
from kinetrace.bench.metrics import PolicyMetrics, WorldRow, worst_case
from kinetrace.bench.report import ScenarioRun, bench_document, world_rows
from kinetrace.bench.runner import BENEFIT_AT, EpisodeResult
from kinetrace.cli.output import console, err_console, fail, print_json
from kinetrace.simulate import scenario_names


def bench(
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario",
            "-s",
            help=(
                "Simulated patient mix (world): typical, easy, noisy, misspecified, coarse-linkage (the earlier "
                "typical), partial-responders, nonspecific, diminishing-repeats, off-atlas, two-drivers, "
                "sparse-retest, correlated-noise, or all. Repeat for several."
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
    for Kinetrace how well its stated probabilities match how often it was right (ECE). With
    several scenarios, a worlds table compares Kinetrace with exhaustive trialling in each and
    ends with the worst case over the worlds. A progress bar shows on stderr (also with --json).
    """
    names, chosen = _checked_options(scenario or ["typical"], policy or [])
    runs = _run_all(names, patients=patients, seed=seed, policies=chosen, jobs=jobs, plots=plots)
    if json_out:
        command = "kinetrace bench " + " ".join(shlex.quote(a) for a in sys.argv[1:] if a != "bench")
        print_json(bench_document(runs, command=command.strip()))
        return
    _print_tables(runs)
    if plots is not None:
        console.print(f"Plots written to {plots}/")


def _checked_options(scenario: list[str], policy: list[str]) -> tuple[list[str], list[str]]:
    """Scenario and policy names, checked (exit 2 naming the allowed values)."""
    known = scenario_names()
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
    return names, policy or list(POLICIES)


def _progress(total: int) -> Progress:
    """One progress bar over every scenario's patients, on stderr, shown on a terminal only."""
    return Progress(
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not (total >= 100 and err_console.is_terminal),
        transient=True,
    )


def _run_all(
    names: Sequence[str], *, patients: int, seed: int, policies: Sequence[str], jobs: int, plots: Path | None
) -> list[ScenarioRun]:
    """Run every scenario (one progress bar), summarise it and write its plots."""
    runs = []
    with _progress(patients * len(names)) as bar:
        task = bar.add_task("bench", total=patients * len(names))
        for name in names:
            bar.update(task, description=name)
            start = time.perf_counter()
            results = run_benchmark(
                name,
                patients=patients,
                seed=seed,
                policies=policies,
                jobs=jobs,
                progress=lambda n: bar.advance(task, n),
            )
            metrics = summarise(results)
            runs.append(ScenarioRun(name, patients, seed, time.perf_counter() - start, tuple(metrics)))
            if plots is not None:
                _write_plots(results, metrics, plots, title=f"{name}, {patients} patients, seed {seed}", name=name)
    return runs


def _write_plots(
    results: list[EpisodeResult], metrics: list[PolicyMetrics], plots: Path, *, title: str, name: str
) -> None:
    from kinetrace.bench.plots import plot_reliability, plot_trials

    plots.mkdir(parents=True, exist_ok=True)
    plot_trials(results, plots / f"trials_{name}.png", title=title)
    for m in metrics:
        if m.ece is not None and m.policy != "oracle":
            plot_reliability(m, plots / f"calibration_{name}_{m.policy}.png", title=title)


def _print_tables(runs: Sequence[ScenarioRun]) -> None:
    # Piped or captured output gets the full table, not one squeezed to 80 columns.
    out = console if console.is_terminal else Console(width=120)
    for run in runs:
        out.print(_table(run))
    rows = world_rows(runs)
    if len(runs) > 1 and rows:
        out.print(_worlds_table(rows))


def _pct(x: float | None) -> str:
    return "-" if x is None or x != x else f"{100 * x:.1f}%"


def _table(run: ScenarioRun) -> Table:
    table = Table(title=f"Scenario {run.scenario}: {run.patients} patients, seed {run.seed}, {run.wall_s:.1f} s")
    cols = [
        "Policy",
        "Accuracy",
        "Listed",
        "None",
        "False none",
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
        _pct(m.false_none_rate),
        f"{m.mean_trials:.2f}",
        f"{m.p90_trials:.0f}",
        "-" if m.trials_pct_of_exhaustive is None else f"{m.trials_pct_of_exhaustive:.0f}%",
        _pct(m.benefit_at_k),
        "-" if m.ece is None else f"{m.ece:.3f}",
        f"{m.wall_s:.1f}",
    ]


def _worlds_table(rows: Sequence[WorldRow]) -> Table:
    """Kinetrace against exhaustive trialling in every world, and the worst case over worlds."""
    table = Table(title="Worlds: kinetrace vs exhaustive (worst case last)")
    for c in ("World", "Accuracy", "Exhaustive", "Margin", "% exh. trials", "ECE", "False none", "Exh. false none"):
        table.add_column(c, justify="left" if c == "World" else "right")
    for r in rows:
        table.add_row(
            r.scenario,
            _pct(r.accuracy),
            _pct(r.exhaustive_accuracy),
            f"{100 * r.accuracy_margin:+.1f}",
            f"{r.trials_pct_of_exhaustive:.0f}%",
            f"{r.ece:.3f}",
            _pct(r.false_none_rate),
            _pct(r.exhaustive_false_none_rate),
        )
    w = worst_case(rows)

    def cell(key: str, fmt: str) -> str:
        return f"{fmt.format(w[key][key])} ({w[key]['scenario']})"

    table.add_row(
        "[bold]worst[/]",
        "",
        "",
        cell("accuracy_margin", "{:+.1%}"),
        cell("trials_pct_of_exhaustive", "{:.0f}%"),
        cell("ece", "{:.3f}"),
        cell("false_none_excess", "{:+.1%}"),
        "",
    )
    return table


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
