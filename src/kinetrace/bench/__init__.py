"""The driver-finding benchmark behind ``kinetrace bench`` (docs/benchmark.md).

:mod:`~kinetrace.bench.policies` (the strategies, one contract), :mod:`~kinetrace.bench.runner`
(same patients, same seeds), :mod:`~kinetrace.bench.metrics`, :mod:`~kinetrace.bench.plots`
(matplotlib, imported only when plots are asked for) and :mod:`~kinetrace.bench.report` (JSON).
"""

from __future__ import annotations

from kinetrace.bench.metrics import PolicyMetrics, summarise
from kinetrace.bench.policies import POLICIES, Decision, EpisodeView, Policy
from kinetrace.bench.runner import EpisodeResult, run_benchmark, run_episode

__all__ = [
    "POLICIES",
    "Decision",
    "EpisodeResult",
    "EpisodeView",
    "Policy",
    "PolicyMetrics",
    "run_benchmark",
    "run_episode",
    "summarise",
]
