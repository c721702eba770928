"""Latency of ``analyse`` (scoring + ranking + recommendation) on a large synthetic case.

Run the measurement (median is the figure reported): ::

    .venv/bin/pytest tests/benchmarks -o addopts="" --benchmark-only --benchmark-columns=min,median,max,rounds

In the normal suite the benchmark runs a few rounds only, as a smoke test; it asserts what the
call returns, never how long it took.
"""

from __future__ import annotations

from typing import Any

from tests.factories import synthetic_case

from kinetrace import analyse, load_case


def test_analyse_40_findings_40_markers_20_trials(benchmark: Any) -> None:
    case = load_case(synthetic_case(n_findings=40, n_markers=40, n_trials=20))
    result = benchmark(analyse, case)
    assert len(result.trials) == 20
    assert len(result.ranking) == 41  # 40 findings + "none"


def test_load_and_analyse_40x40x20(benchmark: Any) -> None:
    """Validation included: what the CLI and web app pay per request."""
    data = synthetic_case(n_findings=40, n_markers=40, n_trials=20)
    result = benchmark(lambda: analyse(load_case(data)))
    assert len(result.trials) == 20
