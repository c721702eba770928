"""Run every policy on the same simulated patients (same seeds) and collect per-episode results.

Seeding: patient ``i`` of scenario ``s`` is drawn from ``default_rng([seed, s, i, 0])``; every
policy's episode on that patient uses measurement noise from ``default_rng([seed, s, i, 1])`` and
policy randomness from ``default_rng([seed, s, i, 2])``. So all policies meet the same patients,
and the same noise stream, and a run is reproducible from ``--seed``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from kinetrace.bench.policies import POLICIES, EpisodeView, Policy
from kinetrace.simulate import Episode, get_scenario, scenario_names, simulate_patient
from kinetrace.simulate.patient import NONE

#: Benefit is reported after this many treatment trials (and at the end of each episode).
BENEFIT_AT = 3


@dataclass(frozen=True)
class EpisodeResult:
    """One policy on one simulated patient."""

    scenario: str
    patient: int
    policy: str
    truth: str
    call: str
    probability: float | None
    n_trials: int
    n_findings: int
    benefit: tuple[float, ...]  # benefit after 0, 1, ..., n_trials treatment trials
    capped: bool
    wall_s: float
    accepted: tuple[str, ...] = ()  # further calls that count as right (co-drivers)

    @property
    def correct(self) -> bool:
        return self.call == self.truth or self.call in self.accepted

    @property
    def false_none(self) -> bool:
        """Called "none" although a listed finding drives the complaint."""
        return self.truth != NONE and self.call == NONE

    def benefit_after(self, k: int) -> float:
        return self.benefit[min(k, len(self.benefit) - 1)]


def run_episode(
    policy: Policy, scenario: str, patient_index: int, seed: int, *, max_trials: int | None = None
) -> EpisodeResult:
    """Simulate patient ``patient_index`` of ``scenario`` and let ``policy`` work on it."""
    sc = get_scenario(scenario)
    s_idx = scenario_names().index(scenario)
    patient = simulate_patient(
        sc, np.random.default_rng([seed, s_idx, patient_index, 0]), patient_id=f"sim-{patient_index}"
    )
    noise = np.random.default_rng([seed, s_idx, patient_index, 1])
    prng = np.random.default_rng([seed, s_idx, patient_index, 2])
    cap = max_trials if max_trials is not None else 2 * patient.n_findings
    start = time.perf_counter()
    episode = Episode(patient, noise)
    benefit = [episode.benefit()]
    truth = patient.driver if policy.needs_truth else None
    capped = False
    while True:
        decision = policy.decide(EpisodeView(episode.case, truth=truth), prng)
        if decision.trial is None:
            break
        if episode.n_trials >= cap:
            capped = True
            break
        episode.trial(decision.trial)
        benefit.append(episode.benefit())
    return EpisodeResult(
        scenario=scenario,
        patient=patient_index,
        policy=policy.name,
        truth=patient.driver,
        call=decision.call,
        probability=decision.probability if policy.states_probability else None,
        n_trials=episode.n_trials,
        n_findings=patient.n_findings,
        benefit=tuple(benefit),
        capped=capped,
        wall_s=time.perf_counter() - start,
        accepted=patient.co_drivers,
    )


def _chunk(args: tuple[str, Sequence[str], Sequence[int], int]) -> list[EpisodeResult]:
    scenario, policy_names, indices, seed = args
    policies = [POLICIES[n]() for n in policy_names]
    return [run_episode(p, scenario, i, seed) for i in indices for p in policies]


def run_benchmark(
    scenario: str,
    *,
    patients: int,
    seed: int,
    policies: Sequence[str] = tuple(POLICIES),
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[EpisodeResult]:
    """Every policy on ``patients`` simulated patients of ``scenario``.

    ``progress`` (if given) is called with the number of patients just finished. ``jobs > 1``
    spreads patients over worker processes; results do not depend on ``jobs``.
    """
    get_scenario(scenario)  # fail early on an unknown name
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        raise KeyError(f"unknown policy {unknown[0]!r}; allowed: {', '.join(POLICIES)}")
    size = 25
    chunks = [
        (scenario, tuple(policies), tuple(range(lo, min(lo + size, patients))), seed) for lo in range(0, patients, size)
    ]
    results: list[EpisodeResult] = []
    if jobs <= 1:
        for c in chunks:
            results.extend(_chunk(c))
            if progress:
                progress(len(c[2]))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for c, out in zip(chunks, pool.map(_chunk, chunks), strict=True):
                results.extend(out)
                if progress:
                    progress(len(c[2]))
    return results
