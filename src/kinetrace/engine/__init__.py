"""The driver engine: atlas-based prior, trial likelihood, posterior, next trial, explanations.

Plain Python + numpy/scipy/pydantic; never imports the CLI, web, video or report layers.
The model is described for clinicians and statisticians in ``docs/engine.md``.

>>> import kinetrace
>>> from kinetrace.engine import run
>>> case = kinetrace.load_case("examples/mrs_h.yaml")  # doctest: +SKIP
>>> run(case).decision.driver  # doctest: +SKIP
'r_infraspinatus'
"""

from __future__ import annotations

from dataclasses import dataclass

from kinetrace.case.model import Case
from kinetrace.engine.atlas import AtlasError, CheckMessage, check_atlas
from kinetrace.engine.explanations import explain_finding
from kinetrace.engine.params import DEFAULT_PARAMS, EngineParams
from kinetrace.engine.posterior import NONE, Posterior, posterior
from kinetrace.engine.prior import complaint_areas
from kinetrace.engine.recommend import Decision, decide
from kinetrace.engine.results import Explanation, Reason, Recommendation
from kinetrace.scoring import TrialScore, score_trials

__all__ = [
    "NONE",
    "AtlasError",
    "CheckMessage",
    "Decision",
    "EngineParams",
    "EngineResult",
    "Explanation",
    "Posterior",
    "Reason",
    "Recommendation",
    "check_atlas",
    "explain",
    "run",
]


@dataclass(frozen=True)
class EngineResult:
    """Posterior, decision and explanations of one case (frozen)."""

    posterior: Posterior
    decision: Decision
    explanations: tuple[Explanation, ...]


def explain(case: Case, finding_id: str) -> list[Explanation]:
    """Explanations for one finding: its strongest path per mechanism class, then the framing.

    Parameters
    ----------
    case : Case
        The loaded case.
    finding_id : str
        Id of a finding of the case (KeyError if unknown).

    Returns
    -------
    list of Explanation
        For a remote finding, the strongest path of each mechanism class that reaches a complaint
        area (myofascial, kinetic chain, neural, remote effect), then the protective-output
        statement; for a finding inside the complaint area, one local explanation
        (:func:`kinetrace.engine.explanations.explain_finding`).
    """
    return explain_finding(case.finding(finding_id), complaint_areas(case))


def run(
    case: Case, *, scores: tuple[TrialScore, ...] | None = None, params: EngineParams = DEFAULT_PARAMS
) -> EngineResult:
    """Run the engine on a case: posterior after every trial, decision, explanations.

    Explanations are given for the named driver, else for the leading finding.
    """
    if scores is None:
        scores = tuple(score_trials(case))
    post = posterior(case, scores, params)
    decision = decide(case, post, params)
    subject = decision.driver
    if subject is None:
        ranked = sorted((k for k in post.posterior if k != NONE), key=lambda k: (-post.posterior[k], k))
        subject = ranked[0] if ranked else None
    explanations = tuple(explain(case, subject)) if subject is not None else ()
    return EngineResult(posterior=post, decision=decision, explanations=explanations)
