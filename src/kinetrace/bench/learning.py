"""Benchmark of learning (issue 11): learning curves of the engine with a model fitted on confirmed cases.

For a world, training patients are drawn with their own seeds (``[train_seed, world index, i, 0]``,
never the test patients' ``[seed, world index, i, 0]``) and become confirmed cases (the exam plus
``confirmed_driver`` = the simulated truth; no trials: the prior's marginal likelihood needs only
the confirmed outcome, see :mod:`kinetrace.learning.fit`). For each size n (0 = the shipped
defaults) a model is fitted on the first n, and the engine with that model meets the same test
patients as :func:`kinetrace.bench.runner.run_episode` gives every policy. The ceiling is a model
fitted on ``ceiling`` cases of that world.

Run: ``python -m kinetrace.bench.learning WORLD... [--patients N] [--ceiling N] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kinetrace.analysis import analyse
from kinetrace.bench.metrics import summarise
from kinetrace.bench.policies import KinetracePolicy
from kinetrace.bench.runner import run_episode
from kinetrace.case.model import Case
from kinetrace.learning import Model, learn
from kinetrace.simulate import get_scenario, scenario_names, simulate_patient

SIZES: tuple[int, ...] = (0, 25, 100, 400)


@dataclass(frozen=True)
class CurvePoint:
    world: str
    cases: int
    ceiling: bool
    accuracy: float
    mean_trials: float
    ece: float
    fit_s: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "world": self.world,
            "cases": self.cases,
            "ceiling": self.ceiling,
            "accuracy": round(self.accuracy, 4),
            "mean_trials": round(self.mean_trials, 3),
            "ece": round(self.ece, 4),
            "fit_s": round(self.fit_s, 1),
        }


def training_cases(world: str, n: int, *, train_seed: int = 1) -> list[Case]:
    """``n`` confirmed cases of ``world`` (exam + confirmed_driver), independent of the test patients."""
    sc = get_scenario(world)
    s_idx = scenario_names().index(world)
    out = []
    for i in range(n):
        p = simulate_patient(sc, np.random.default_rng([1000 + train_seed, s_idx, i, 0]))
        out.append(p.case.model_copy(update={"confirmed_driver": p.driver}))
    return out


def learning_curve(
    world: str,
    *,
    sizes: Sequence[int] = SIZES,
    ceiling: int = 5000,
    patients: int = 200,
    seed: int = 0,
) -> list[CurvePoint]:
    """Accuracy, trials and ECE of the engine with models fitted on 0, 25, 100, 400 cases and the ceiling."""
    train = training_cases(world, max(*sizes, ceiling))
    points = []
    for n, is_ceiling in [*((s, False) for s in sizes), (ceiling, True)]:
        start = time.perf_counter()
        model = learn(train[:n], fit_likelihood=False) if n else None
        fit_s = time.perf_counter() - start
        policy = KinetracePolicy(params=None if model is None else model.engine_params())
        (m,) = summarise([run_episode(policy, world, i, seed) for i in range(patients)])
        points.append(CurvePoint(world, n, is_ceiling, m.accuracy, m.mean_trials, m.ece or 0.0, fit_s))
    return points


def gap_closed(points: Sequence[CurvePoint], at: int = 100) -> float | None:
    """Share of the trials gap between the defaults (0 cases) and the ceiling closed with ``at`` cases."""
    by = {(p.cases, p.ceiling): p for p in points}
    base, top = by.get((0, False)), next((p for p in points if p.ceiling), None)
    mid = by.get((at, False))
    if base is None or top is None or mid is None or abs(base.mean_trials - top.mean_trials) < 1e-9:
        return None
    return (base.mean_trials - mid.mean_trials) / (base.mean_trials - top.mean_trials)


def _rank(case: Case, model: Model | None) -> tuple[int, int]:
    """(rank of the confirmed driver in the prior, 1 = first; number of findings)."""
    probs = analyse(case, model=model).prior
    order = sorted((k for k in probs if k != "none"), key=lambda k: (-probs[k], k))
    return order.index(str(case.confirmed_driver)) + 1, len(order)


def published_ranks(cases: Sequence[Case]) -> dict[str, Any]:
    """The confirmed driver's prior rank on published cases: shipped prior and leave-one-out fit.

    Rank percentile = (rank - 1) / (findings - 1) (0 = first, 1 = last), over cases with a
    confirmed finding and at least 2 findings; top-3 over cases with at least 3 findings. The
    leave-one-out model of a case is fitted on every OTHER case.
    """
    named = [c for c in cases if c.confirmed_driver not in (None, "none")]
    rows: list[dict[str, Any]] = []
    for c in named:
        others = [o for o in cases if o is not c]
        loo = learn(others, fit_likelihood=False)
        (r0, n), (r1, _) = _rank(c, None), _rank(c, loo)
        rows.append({"case": c.patient.id, "findings": n, "rank_shipped": r0, "rank_loo": r1})
    ranked = [r for r in rows if r["findings"] >= 2]
    three = [r for r in rows if r["findings"] >= 3]

    def pct(key: str) -> float | None:
        vals = [(r[key] - 1) / (r["findings"] - 1) for r in ranked]
        return float(np.mean(vals)) if vals else None

    def top3(key: str) -> float | None:
        return float(np.mean([r[key] <= 3 for r in three])) if three else None

    return {
        "cases": len(named),
        "ranked_cases": len(ranked),
        "cases_with_3_findings": len(three),
        "mean_rank_percentile": {"shipped": pct("rank_shipped"), "leave_one_out": pct("rank_loo")},
        "top3": {"shipped": top3("rank_shipped"), "leave_one_out": top3("rank_loo")},
        "rows": rows,
    }


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m kinetrace.bench.learning", description=__doc__)
    ap.add_argument("worlds", nargs="*")
    ap.add_argument("--published", help="Folder of published case@1 files: report the prior rank of their drivers.")
    ap.add_argument("--patients", type=int, default=200)
    ap.add_argument("--ceiling", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="-")
    args = ap.parse_args(argv)
    if args.published:
        from kinetrace.case.validate import load_case

        folder = sorted(Path(args.published).glob("*.yaml"))
        print(json.dumps(published_ranks([load_case(f) for f in folder]), indent=1), flush=True)
    for world in args.worlds:
        points = learning_curve(world, ceiling=args.ceiling, patients=args.patients, seed=args.seed)
        row = {"world": world, "points": [p.to_dict() for p in points], "gap_closed_at_100": gap_closed(points)}
        line = json.dumps(row)
        if args.out == "-":
            print(line, flush=True)
        else:
            with open(args.out, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")


if __name__ == "__main__":
    main()
