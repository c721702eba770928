"""Metrics per policy: accuracy, trials, benefit, calibration (expected calibration error), wall time.

* accuracy: share of patients whose final call (a finding id or "none") is the true driver (in
  worlds with two drivers, either counts);
* false "none" rate: share of patients whose driver IS listed that were called "none";
* trials: treatment trials used (the opening control re-test is not counted); mean and p90;
* trials vs exhaustive: mean trials as % of the exhaustive policy's mean on the same patients;
* benefit@k: share of the patient's initial deficit restored after k trials (noise-free, in MDC
  units, primary complaint measure x2), with the episode's last value carried forward;
* ECE: expected calibration error of the stated probability of the final call, with ``n_bins``
  equal-width bins: ``sum_b (n_b / N) * |mean confidence_b - accuracy_b|`` (Guo et al. 2017,
  "On calibration of modern neural networks", ICML).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kinetrace.analysis import NONE
from kinetrace.bench.runner import BENEFIT_AT, EpisodeResult

N_BINS = 10


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    confidence: float
    accuracy: float


@dataclass(frozen=True)
class PolicyMetrics:
    policy: str
    patients: int
    accuracy: float
    accuracy_listed: float
    accuracy_none: float
    false_none_rate: float
    mean_trials: float
    p90_trials: float
    trials_pct_of_exhaustive: float | None
    benefit_at_k: float
    benefit_end: float
    ece: float | None
    reliability: tuple[ReliabilityBin, ...]
    capped: int
    wall_s: float

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "policy": self.policy,
            "patients": self.patients,
            "accuracy": round(self.accuracy, 4),
            "accuracy_listed_driver": round(self.accuracy_listed, 4),
            "accuracy_none": round(self.accuracy_none, 4),
            "false_none_rate": round(self.false_none_rate, 4),
            "mean_trials": round(self.mean_trials, 3),
            "p90_trials": round(self.p90_trials, 3),
            "trials_pct_of_exhaustive": None
            if self.trials_pct_of_exhaustive is None
            else round(self.trials_pct_of_exhaustive, 2),
            f"benefit_at_{BENEFIT_AT}": round(self.benefit_at_k, 4),
            "benefit_end": round(self.benefit_end, 4),
            "ece": None if self.ece is None else round(self.ece, 4),
            "reliability": [
                {
                    "low": b.low,
                    "high": b.high,
                    "count": b.count,
                    "confidence": round(b.confidence, 4),
                    "accuracy": round(b.accuracy, 4),
                }
                for b in self.reliability
            ],
            "capped": self.capped,
            "wall_s": round(self.wall_s, 3),
        }
        return d


def reliability(
    confidence: Sequence[float], correct: Sequence[bool], n_bins: int = N_BINS
) -> tuple[ReliabilityBin, ...]:
    """Equal-width bins of stated probability with their mean confidence and observed accuracy."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)
    bins = []
    for b in range(n_bins):
        mask = which == b
        n = int(mask.sum())
        bins.append(
            ReliabilityBin(
                low=float(edges[b]),
                high=float(edges[b + 1]),
                count=n,
                confidence=float(conf[mask].mean()) if n else 0.0,
                accuracy=float(ok[mask].mean()) if n else 0.0,
            )
        )
    return tuple(bins)


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> float:
    """ECE = sum over bins of (share of cases) x |mean confidence - accuracy|."""
    total = sum(b.count for b in bins)
    if total == 0:
        return 0.0
    return float(sum(b.count / total * abs(b.confidence - b.accuracy) for b in bins))


def summarise(results: Sequence[EpisodeResult]) -> list[PolicyMetrics]:
    """Metrics per policy, in the order policies first appear in ``results``."""
    by_policy: dict[str, list[EpisodeResult]] = {}
    for r in results:
        by_policy.setdefault(r.policy, []).append(r)
    exhaustive = by_policy.get("exhaustive")
    ex_mean = float(np.mean([r.n_trials for r in exhaustive])) if exhaustive else None
    out = []
    for name, rs in by_policy.items():
        trials = np.array([r.n_trials for r in rs], dtype=float)
        listed = [r for r in rs if r.truth != NONE]
        none = [r for r in rs if r.truth == NONE]
        stated = [r for r in rs if r.probability is not None]
        bins = reliability([r.probability or 0.0 for r in stated], [r.correct for r in stated]) if stated else ()
        out.append(
            PolicyMetrics(
                policy=name,
                patients=len(rs),
                accuracy=float(np.mean([r.correct for r in rs])),
                accuracy_listed=float(np.mean([r.correct for r in listed])) if listed else float("nan"),
                accuracy_none=float(np.mean([r.correct for r in none])) if none else float("nan"),
                false_none_rate=float(np.mean([r.false_none for r in listed])) if listed else float("nan"),
                mean_trials=float(trials.mean()),
                p90_trials=float(np.percentile(trials, 90)),
                trials_pct_of_exhaustive=100.0 * float(trials.mean()) / ex_mean if ex_mean else None,
                benefit_at_k=float(np.mean([r.benefit_after(BENEFIT_AT) for r in rs])),
                benefit_end=float(np.mean([r.benefit[-1] for r in rs])),
                ece=expected_calibration_error(bins) if stated else None,
                reliability=bins,
                capped=sum(r.capped for r in rs),
                wall_s=float(sum(r.wall_s for r in rs)),
            )
        )
    return out


@dataclass(frozen=True)
class WorldRow:
    """One world's line of the worlds table: the engine against exhaustive trialling."""

    scenario: str
    accuracy: float
    exhaustive_accuracy: float
    trials_pct_of_exhaustive: float
    ece: float
    false_none_rate: float
    exhaustive_false_none_rate: float

    @property
    def accuracy_margin(self) -> float:
        """Engine accuracy minus exhaustive's (>= 0 is the target)."""
        return self.accuracy - self.exhaustive_accuracy

    @property
    def false_none_excess(self) -> float:
        """Engine false-"none" rate minus exhaustive's (<= 0 is the target)."""
        return self.false_none_rate - self.exhaustive_false_none_rate

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "accuracy": round(self.accuracy, 4),
            "exhaustive_accuracy": round(self.exhaustive_accuracy, 4),
            "accuracy_margin": round(self.accuracy_margin, 4),
            "trials_pct_of_exhaustive": round(self.trials_pct_of_exhaustive, 2),
            "ece": round(self.ece, 4),
            "false_none_rate": round(self.false_none_rate, 4),
            "exhaustive_false_none_rate": round(self.exhaustive_false_none_rate, 4),
        }


def world_row(scenario: str, metrics: Sequence[PolicyMetrics], policy: str = "kinetrace") -> WorldRow | None:
    """The worlds-table row of ``policy`` in one scenario (None without it or exhaustive)."""
    by = {m.policy: m for m in metrics}
    if policy not in by or "exhaustive" not in by:
        return None
    m, ex = by[policy], by["exhaustive"]
    return WorldRow(
        scenario=scenario,
        accuracy=m.accuracy,
        exhaustive_accuracy=ex.accuracy,
        trials_pct_of_exhaustive=m.trials_pct_of_exhaustive or float("nan"),
        ece=m.ece if m.ece is not None else float("nan"),
        false_none_rate=m.false_none_rate,
        exhaustive_false_none_rate=ex.false_none_rate,
    )


def worst_case(rows: Sequence[WorldRow]) -> dict[str, Any]:
    """The worst value of each target over the worlds, and the world where it occurs."""

    def pick(key: str, value: Callable[[WorldRow], float], worst: Callable[..., WorldRow]) -> dict[str, Any]:
        row = worst(rows, key=value)
        return {"scenario": row.scenario, key: round(value(row), 4)}

    return {
        "accuracy_margin": pick("accuracy_margin", lambda r: r.accuracy_margin, min),
        "trials_pct_of_exhaustive": pick("trials_pct_of_exhaustive", lambda r: r.trials_pct_of_exhaustive, max),
        "ece": pick("ece", lambda r: r.ece, max),
        "false_none_excess": pick("false_none_excess", lambda r: r.false_none_excess, max),
    }
