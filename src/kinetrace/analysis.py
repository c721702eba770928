"""``analyse(case)``: score every trial and run the driver engine (:mod:`kinetrace.engine`).

The result is an :class:`Analysis`; ``Analysis.to_dict()`` is the ``kinetrace/analysis@1``
JSON the CLI prints with ``--json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kinetrace.case.model import Case
from kinetrace.engine import run
from kinetrace.engine.params import DEFAULT_PARAMS, EngineParams
from kinetrace.scoring import TrialScore, score_trials

ANALYSIS_FORMAT = "kinetrace/analysis@1"
#: Candidate id standing for "the driver is not among the findings".
NONE = "none"
#: A tested non-driver is listed as a likely secondary contributor when its trials favour "partial
#: response" over "local or no change" by at least this Bayes factor (strong evidence, Jeffreys).
SECONDARY_BAYES_FACTOR = 10.0


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


def analyse(case: Case, *, params: EngineParams | None = None) -> Analysis:
    """Score the case's trials and run the driver engine on them.

    Parameters
    ----------
    case : Case
        A loaded case (:func:`kinetrace.load_case`).
    params : EngineParams, optional
        Engine parameters (threshold, prior of "none", likelihood); the documented defaults
        when omitted (docs/engine.md).

    Returns
    -------
    Analysis
        ``ranking`` is the posterior over the findings and ``"none"`` (sums to 1); ``pcf`` the
        named driver once the engine stops on one; ``next`` the recommended trial
        (``{"candidate", "reason"}``) or None; ``stop`` the stop signal; ``explanations`` the
        paths for the named (else leading) driver. ``extra`` adds ``stop_reason``, ``examine``
        (regions to examine when the driver may not be listed), ``secondary`` (tested
        non-drivers likely to be secondary contributors) and ``prior``.
    """
    scores = tuple(score_trials(case))
    result = run(case, scores=scores, params=params or DEFAULT_PARAMS)
    post, decision = result.posterior, result.decision
    probs = post.posterior
    ranking = tuple(
        sorted(
            (RankedCandidate(c, p, c in post.tested) for c, p in probs.items()),
            key=lambda r: (-r.probability, r.candidate),
        )
    )
    pcf = (
        None
        if decision.pcf is None
        else RankedCandidate(decision.pcf, probs[decision.pcf], decision.pcf in post.tested)
    )
    secondary = [
        {"candidate": c, "probability": round(p, 4), "bayes_factor": round(post.secondary_bf[c], 2)}
        for c, p in sorted(post.secondary.items(), key=lambda x: (-x[1], x[0]))
        if c != decision.pcf and post.secondary_bf[c] >= SECONDARY_BAYES_FACTOR
    ]
    extra: dict[str, Any] = {
        "stop_reason": decision.stop_reason,
        "examine": list(decision.examine),
        "secondary": secondary,
        "prior": {c: round(p, 4) for c, p in sorted(post.prior.items(), key=lambda x: (-x[1], x[0]))},
    }
    return Analysis(
        case=case,
        trials=scores,
        ranking=ranking,
        pcf=pcf,
        next=decision.next,
        stop=decision.stop,
        explanations=result.explanations,
        extra=extra,
    )
