"""``analyse(case)``: score every trial and rank the candidate drivers.

The result is an :class:`Analysis`; ``Analysis.to_dict()`` is the ``kinetrace/analysis@1``
JSON the CLI prints with ``--json``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kinetrace.case.model import Case
from kinetrace.scoring import TrialScore, score_trials

ANALYSIS_FORMAT = "kinetrace/analysis@1"
#: Candidate id standing for "the driver is not among the findings".
NONE = "none"


@dataclass(frozen=True)
class RankedCandidate:
    candidate: str
    probability: float
    tested: bool

    def to_dict(self) -> dict[str, Any]:
        return {"candidate": self.candidate, "probability": round(self.probability, 4), "tested": self.tested}


@dataclass(frozen=True)
class Analysis:
    """Scored trials plus the driver ranking, recommendation and explanations."""

    case: Case
    trials: tuple[TrialScore, ...]
    ranking: tuple[RankedCandidate, ...]
    pcf: RankedCandidate | None
    next: dict[str, Any] | None
    stop: bool
    explanations: tuple[dict[str, Any], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able ``kinetrace/analysis@1`` mapping (the CLI's ``--json`` output)."""
        return {
            "format": ANALYSIS_FORMAT,
            "patient": self.case.patient.id,
            "trials": [t.to_dict() for t in self.trials],
            "ranking": [r.to_dict() for r in self.ranking],
            "pcf": None
            if self.pcf is None
            else {"candidate": self.pcf.candidate, "probability": round(self.pcf.probability, 4)},
            "next": self.next,
            "stop": self.stop,
            "explanations": list(self.explanations),
            **self.extra,
        }


def analyse(case: Case) -> Analysis:
    """Score the case's trials and rank its candidate drivers."""
    scores = tuple(score_trials(case))
    return _score_ranking(case, scores)


def _score_ranking(case: Case, scores: tuple[TrialScore, ...]) -> Analysis:
    """Interim ranking from trial scores alone (replaced by the driver engine)."""
    best: dict[str, float] = {}
    for s in scores:
        if not s.is_control:
            best[s.candidate] = max(best.get(s.candidate, -1.0), s.global_change)
    weights = {f.id: math.exp(5.0 * best.get(f.id, 0.0)) for f in case.findings}
    weights[NONE] = 1.0
    total = sum(weights.values())
    ranking = tuple(
        sorted(
            (RankedCandidate(c, w / total, c in best) for c, w in weights.items()),
            key=lambda r: -r.probability,
        )
    )
    top = ranking[0]
    pcf = top if top.candidate != NONE and best.get(top.candidate, 0.0) >= 0.3 else None
    untested = [f for f in case.findings if f.id not in best]
    nxt = None
    if pcf is None and untested:
        pick = max(untested, key=lambda f: f.severity)
        nxt = {"candidate": pick.id, "reason": "untested finding of highest severity"}
    return Analysis(case=case, trials=scores, ranking=ranking, pcf=pcf, next=nxt, stop=pcf is not None)
