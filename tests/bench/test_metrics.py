"""Calibration and summary metrics."""

from __future__ import annotations

import pytest

from kinetrace.bench.metrics import expected_calibration_error, reliability, summarise
from kinetrace.bench.runner import EpisodeResult


@pytest.mark.parametrize(
    ("conf", "correct", "ece"),
    [
        ([1.0, 1.0, 1.0, 1.0], [True, True, False, False], 0.5),
        ([0.75] * 4, [True, True, True, False], 0.0),
        ([0.05, 0.95], [False, True], 0.05),
        ([0.3, 0.3, 0.9, 0.9], [False, False, True, True], 0.2),
    ],
)
def test_expected_calibration_error_table(conf: list[float], correct: list[bool], ece: float) -> None:
    assert expected_calibration_error(reliability(conf, correct)) == pytest.approx(ece)


def _r(policy: str, truth: str, call: str, n: int, p: float | None = None) -> EpisodeResult:
    return EpisodeResult("typical", 0, policy, truth, call, p, n, 8, tuple(0.1 * k for k in range(n + 1)), False, 0.01)


def test_summary_counts_none_calls_and_compares_trials_with_exhaustive() -> None:
    results = [
        _r("exhaustive", "f1", "f1", 8),
        _r("exhaustive", "none", "f2", 8),
        _r("kinetrace", "f1", "f1", 2, 0.9),
        _r("kinetrace", "none", "none", 2, 0.7),
    ]
    m = {x.policy: x for x in summarise(results)}
    assert m["exhaustive"].accuracy == 0.5 and m["exhaustive"].ece is None
    assert m["kinetrace"].accuracy == 1.0 and m["kinetrace"].accuracy_none == 1.0
    assert m["kinetrace"].trials_pct_of_exhaustive == pytest.approx(25.0)
    assert m["kinetrace"].benefit_at_k == pytest.approx(0.2)  # last value carried forward after 2 trials
    assert m["kinetrace"].ece == pytest.approx(0.2)


def test_false_none_rate_counts_listed_drivers_called_none_and_co_drivers_count_as_right() -> None:
    results = [
        _r("kinetrace", "f1", "none", 3, 0.6),
        _r("kinetrace", "f2", "f2", 3, 0.9),
        _r("kinetrace", "none", "none", 3, 0.9),
        EpisodeResult("two", 0, "kinetrace", "f1", "f3", 0.8, 2, 8, (0.0, 0.1, 0.2), False, 0.01, accepted=("f3",)),
    ]
    (m,) = summarise(results)
    assert m.false_none_rate == pytest.approx(1 / 3)
    assert m.accuracy == pytest.approx(3 / 4)
