"""Latency of ``analyse`` with the driver engine's recommendation (issue 3 target: median <= 20 ms
on 40 findings x 40 markers x 20 trials).

Run the measurement (the median is the figure reported)::

    .venv/bin/pytest tests/benchmarks/test_engine_latency.py -p no:cacheprovider \\
        --benchmark-only --benchmark-columns=min,median,max,rounds

(Keep the project's pytest options: with ``-o addopts=""`` the import mode is lost and the
``tests`` package textstat 0.7.8 installs into site-packages shadows this repository's.)

Every round runs on a fresh case object with the engine's caches cleared, so nothing computed in
an earlier round is reused (the cold path a web request or a new bench patient pays). The tests
assert what the call returns, never how long it took.
"""

from __future__ import annotations

import sys
from typing import Any

from tests.factories import synthetic_case

from kinetrace import analyse, load_case


def _clear_engine_caches() -> None:
    graph = sys.modules["kinetrace.engine.graph"]
    prior = sys.modules["kinetrace.engine.prior"]
    likelihood = sys.modules["kinetrace.engine.likelihood"]
    graph.best_paths.cache_clear()
    graph._matrix.cache_clear()
    graph._adjacency.cache_clear()
    prior.linkage.cache_clear()
    prior.linkage_strength.cache_clear()
    prior.finding_nodes.cache_clear()
    prior.prior_weight.cache_clear()
    likelihood._trial_logs.cache_clear()


def test_engine_analyse_cold_40_findings_40_markers_20_trials(benchmark: Any) -> None:
    case = load_case(synthetic_case(n_findings=40, n_markers=40, n_trials=20))

    def cold() -> Any:
        _clear_engine_caches()
        return analyse(case)

    result = benchmark(cold)
    assert len(result.trials) == 20
    assert len(result.ranking) == 41
    assert result.stop or result.next is not None


def test_engine_analyse_warm_40x40x20(benchmark: Any) -> None:
    """Re-analysing the same case (the bench and the web app call analyse after every trial)."""
    case = load_case(synthetic_case(n_findings=40, n_markers=40, n_trials=20))
    result = benchmark(analyse, case)
    assert abs(sum(r.probability for r in result.ranking) - 1.0) < 1e-9


def test_engine_analyse_seed_case(benchmark: Any) -> None:
    from tests.factories import SEED_CASE

    case = load_case(SEED_CASE)
    result = benchmark(analyse, case)
    assert result.driver is not None and result.driver.candidate == "r_infraspinatus"
