"""Engine variants on the benchmark's patients: the engine with changed parameters against exhaustive trialling.

Used to set engine parameters on the tuning worlds (docs/benchmark.md, "Tuning rule"): the same
patients and noise as ``kinetrace bench`` (:func:`kinetrace.bench.runner.run_episode`), exhaustive
trialling once per world, then the engine with each variant's ``EngineParams`` overrides.

Run: ``python -m kinetrace.bench.variants -n 400 -s typical -s misspecified -s noisy
'{}' '{"model_doubt": 0.02}'`` (one JSON object of overrides per variant; ``{}`` = shipped).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from kinetrace.bench.metrics import summarise
from kinetrace.bench.policies import ExhaustivePolicy, KinetracePolicy
from kinetrace.bench.runner import EpisodeResult, run_episode
from kinetrace.engine.params import EngineParams

TUNING_WORLDS: tuple[str, ...] = ("typical", "misspecified", "noisy")


def params_from(overrides: dict[str, Any]) -> EngineParams:
    """EngineParams with JSON overrides (lists become tuples)."""
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
    return EngineParams(**values)


def compare(
    variants: Sequence[dict[str, Any]], *, worlds: Sequence[str] = TUNING_WORLDS, patients: int = 400, seed: int = 0
) -> list[dict[str, Any]]:
    """One row per (world, variant): the engine's accuracy, trials as % of exhaustive's, ECE."""
    rows = []
    for world in worlds:
        exhaustive: list[EpisodeResult] = [run_episode(ExhaustivePolicy(), world, i, seed) for i in range(patients)]
        for overrides in variants:
            policy = KinetracePolicy(params=params_from(overrides))
            engine = [run_episode(policy, world, i, seed) for i in range(patients)]
            m = {x.policy: x.to_dict() for x in summarise(exhaustive + engine)}
            k, e = m["kinetrace"], m["exhaustive"]
            rows.append(
                {
                    "world": world,
                    "variant": overrides,
                    "accuracy": k["accuracy"],
                    "exhaustive_accuracy": e["accuracy"],
                    "trials_pct_of_exhaustive": round(100.0 * k["mean_trials"] / e["mean_trials"], 1),
                    "mean_trials": k["mean_trials"],
                    "ece": k["ece"],
                    "false_none_rate": k["false_none_rate"],
                    "exhaustive_false_none_rate": e["false_none_rate"],
                }
            )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("variants", nargs="*", default=["{}"], help="JSON objects of EngineParams overrides")
    ap.add_argument("-s", "--scenario", action="append", help="world (repeatable); default: the tuning worlds")
    ap.add_argument("-n", "--patients", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    variants = [json.loads(v) for v in args.variants]
    for row in compare(variants, worlds=args.scenario or TUNING_WORLDS, patients=args.patients, seed=args.seed):
        print(
            f"{row['world']:20s} accuracy {100 * row['accuracy']:5.1f}%"
            f" (exhaustive {100 * row['exhaustive_accuracy']:5.1f}%)"
            f"  trials {row['trials_pct_of_exhaustive']:5.1f}%  ECE {row['ece']:.3f}"
            f"  false none {100 * row['false_none_rate']:4.1f}%"
            f" (exhaustive {100 * row['exhaustive_false_none_rate']:4.1f}%)"
            f"  {json.dumps(row['variant'])}",
            flush=True,
        )


if __name__ == "__main__":
    main()
