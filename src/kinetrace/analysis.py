"""``analyse(case)``: score every trial and run the driver engine (:mod:`kinetrace.engine`).

The result is an :class:`Analysis` of typed, frozen parts: the scored trials, the ranking, the
named ``driver`` (or None), the :class:`~kinetrace.engine.results.Recommendation` and the
:class:`~kinetrace.engine.results.Explanation` s. Words for any surface come from
:mod:`kinetrace.presentation`; ``Analysis.to_dict()`` is the ``kinetrace/analysis@2`` JSON the
CLI prints with ``--json`` (probabilities as the raw float *and* a label).

Format history: ``kinetrace/analysis@1`` named the driver ``pcf`` and kept the stop reason,
regions to examine and secondary contributors as loose top-level keys; ``@2`` names it ``driver``
and nests the decision under ``recommendation`` (docs/engine.md, "Output").
:func:`driver_of` reads the driver from either version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kinetrace.case.model import Case
from kinetrace.engine import run
from kinetrace.engine.graph import sides_of
from kinetrace.engine.params import DEFAULT_PARAMS, EngineParams
from kinetrace.engine.posterior import Posterior
from kinetrace.engine.prior import finding_nodes
from kinetrace.engine.recommend import Decision
from kinetrace.engine.results import (
    Explanation,
    NextTrial,
    Reason,
    ReasonData,
    Recommendation,
    SecondaryContributor,
)
from kinetrace.learning.model import Model
from kinetrace.presentation import decision_sentence, explanation_dict, probability_label
from kinetrace.scoring import TrialScore, score_trials

ANALYSIS_FORMAT = "kinetrace/analysis@2"
#: Earlier analysis formats :func:`driver_of` still reads.
OLD_FORMATS = ("kinetrace/analysis@1",)
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
        return {
            "candidate": self.candidate,
            "probability": self.probability,
            "probability_label": probability_label(self.probability),
            "tested": self.tested,
        }


@dataclass(frozen=True)
class Analysis:
    """Scored trials plus the driver ranking, recommendation and explanations (all typed)."""

    case: Case
    trials: tuple[TrialScore, ...]
    ranking: tuple[RankedCandidate, ...]
    driver: RankedCandidate | None
    recommendation: Recommendation
    explanations: tuple[Explanation, ...] = ()
    prior: Mapping[str, float] = field(default_factory=dict)

    @property
    def stop(self) -> bool:
        """The stop signal (``recommendation.stop``)."""
        return self.recommendation.stop

    @property
    def next(self) -> NextTrial | None:
        """The recommended trial (``recommendation.next``), None when stopping."""
        return self.recommendation.next

    def to_dict(self) -> dict[str, Any]:
        """JSON-able ``kinetrace/analysis@2`` mapping (the CLI's ``--json`` output)."""
        return {
            "format": ANALYSIS_FORMAT,
            "patient": self.case.patient.id,
            "trials": [t.to_dict() for t in self.trials],
            "ranking": [r.to_dict() for r in self.ranking],
            "driver": None if self.driver is None else self.driver.to_dict(),
            "recommendation": recommendation_json(self),
            "explanations": [explanation_dict(self.case, e) for e in self.explanations],
            "prior": dict(sorted(self.prior.items(), key=lambda x: (-x[1], x[0]))),
        }


def supporting_trials(analysis: Analysis, driver: str) -> tuple[str, ...]:
    """Trials of ``driver`` that support it, in order.

    A trial supports the driver only when at least one sign *beyond the treated area* (a marker
    whose region and side are not among the finding's places: its region and the regions its
    structure spans) improved by at least its MDC (the scoring function's verdict). A change of
    the treated area's own signs, such as the treated muscle's pressure threshold, does not count.
    """
    case = analysis.case
    treated = set(finding_nodes(case.finding(driver)))
    remote = {m.id for m in case.markers if not set(sides_of(m.region, m.side)) & treated}
    return tuple(
        t.id
        for t in analysis.trials
        if t.candidate == driver and not t.is_control and any(c.improved and c.marker in remote for c in t.markers)
    )


def recommendation_json(analysis: Analysis) -> dict[str, Any]:
    """The recommendation for JSON: its fields, each probability's label, and its sentence."""
    data = analysis.recommendation.to_dict()
    p = analysis.recommendation.data.probability
    data["data"]["probability_label"] = None if p is None else probability_label(p)
    for row in data["secondary"]:
        row["probability_label"] = probability_label(row["probability"])
    data["sentence"] = decision_sentence(analysis)
    return data


def driver_of(data: Mapping[str, Any]) -> str | None:
    """The driver's candidate id from an analysis JSON of any version (``pcf`` in ``@1``)."""
    fmt = data.get("format", ANALYSIS_FORMAT)
    if fmt not in (ANALYSIS_FORMAT, *OLD_FORMATS):
        raise ValueError(f"format: {fmt!r} is not an analysis format; allowed: {ANALYSIS_FORMAT}, {OLD_FORMATS[0]}")
    entry = data.get("driver", data.get("pcf"))
    return None if entry is None else str(entry["candidate"])


def _secondary(post: Posterior, driver: str | None) -> tuple[SecondaryContributor, ...]:
    return tuple(
        SecondaryContributor(c, p, post.secondary_bf[c])
        for c, p in sorted(post.secondary.items(), key=lambda x: (-x[1], x[0]))
        if c != driver and post.secondary_bf[c] >= SECONDARY_BAYES_FACTOR
    )


def red_flags_open(case: Case) -> tuple[str, ...]:
    """The case's red flags when no referral or clearance is recorded (else empty)."""
    s = case.screening
    return () if s.red_flags_cleared.strip() else tuple(s.red_flags)


def recommendation(case: Case, post: Posterior, decision: Decision) -> Recommendation:
    """The typed recommendation from the decision rule, with the red-flag block applied.

    Uncleared red flags stop the trials (``RED_FLAG_BLOCK``) whatever the engine would pick.
    """
    driver = decision.driver
    single = driver is not None and post.trial_counts.get(driver, 0) == 1
    rec = Recommendation(
        stop=decision.stop,
        reason=decision.reason,
        data=decision.data,
        next=decision.next,
        driver=driver,
        examine=decision.examine,
        secondary=_secondary(post, driver),
        rests_on_single_trial=single,
        confirmation=decision.confirmation,
    )
    flags = red_flags_open(case)
    if flags:
        return replace(rec, stop=True, reason=Reason.RED_FLAG_BLOCK, data=ReasonData(red_flags=flags), next=None)
    return rec


def analyse(case: Case, *, params: EngineParams | None = None, model: Model | None = None) -> Analysis:
    """Score the case's trials and run the driver engine on them.

    Parameters
    ----------
    case : Case
        A loaded case (:func:`kinetrace.load_case`).
    params : EngineParams, optional
        Engine parameters (threshold, prior of "none", likelihood); the documented defaults
        when omitted (docs/engine.md).
    model : Model, optional
        A clinic's learned model (:func:`kinetrace.learn`, ``kinetrace learn``): its prior and
        likelihood replace the shipped defaults (on top of ``params``).

    Returns
    -------
    Analysis
        ``ranking`` is the posterior over the findings and ``"none"`` (sums to 1); ``driver`` the
        named driver once the engine stops on one; ``recommendation`` the typed decision (stop,
        reason code and data, next trial, regions to examine, secondary contributors);
        ``explanations`` the paths for the named (else leading) driver; ``prior`` the prior.
    """
    scores = tuple(score_trials(case))
    base = params or DEFAULT_PARAMS
    result = run(case, scores=scores, params=model.engine_params(base) if model is not None else base)
    post, decision = result.posterior, result.decision
    probs = post.posterior
    ranking = tuple(
        sorted(
            (RankedCandidate(c, p, c in post.tested) for c, p in probs.items()),
            key=lambda r: (-r.probability, r.candidate),
        )
    )
    driver = None if decision.driver is None else next(r for r in ranking if r.candidate == decision.driver)
    return Analysis(
        case=case,
        trials=scores,
        ranking=ranking,
        driver=driver,
        recommendation=recommendation(case, post, decision),
        explanations=result.explanations,
        prior=dict(post.prior),
    )
