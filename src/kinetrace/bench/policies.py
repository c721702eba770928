"""The strategies compared by ``kinetrace bench``, under one small contract.

Contract (as scikit-learn's estimators; every policy passes ``tests/bench/test_policy_contract.py``):

* the constructor takes keyword-only parameters and only stores them (``get_params`` returns them);
* :meth:`Policy.decide` looks at an :class:`EpisodeView` (the case so far) and returns a frozen
  :class:`Decision`: the next finding to trial, or ``None`` to stop, plus the current call;
* randomness comes only from the ``np.random.Generator`` passed to ``decide``;
* a policy keeps no state between calls: everything it knows is in the view.

"A real broad change" (the stop/none rule of the non-engine policies): a trial whose global change
``G`` (:func:`kinetrace.scoring.score_trials`) reaches ``threshold`` (default 0.2: a fifth of the
patient's weighted signs really improved, beyond their MDC and beyond re-test drift).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from kinetrace.analysis import NONE, analyse
from kinetrace.case.model import Case, Finding
from kinetrace.engine.params import EngineParams
from kinetrace.knowledge import regions
from kinetrace.scoring import TrialScore, score_trials

#: Default global change that counts as a real broad change (see module docstring).
BROAD_CHANGE = 0.2


@dataclass(frozen=True)
class Decision:
    """What a policy wants now: ``trial`` (a finding id) or ``None`` to stop, and its current call."""

    trial: str | None
    call: str
    probability: float | None = None
    reason: str = ""


class EpisodeView:
    """What a policy may see: the case so far (and, for the oracle only, the true driver)."""

    def __init__(self, case: Case, *, truth: str | None = None) -> None:
        self.case = case
        self.truth = truth
        self._scores: tuple[TrialScore, ...] | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.case.findings

    @property
    def scores(self) -> tuple[TrialScore, ...]:
        """Scored treatment trials (controls excluded), in order; computed once per view."""
        if self._scores is None:
            self._scores = tuple(s for s in score_trials(self.case) if not s.is_control)
        return self._scores

    @property
    def tried(self) -> tuple[str, ...]:
        return tuple(t.candidate for _, t in self.case.trials if not t.is_control)


class Policy(ABC):
    """Base class: a driver-finding strategy (see the module docstring for the contract)."""

    name: ClassVar[str]
    #: Only the oracle is shown the true driver.
    needs_truth: ClassVar[bool] = False
    #: Whether ``Decision.probability`` is a stated probability of the call (for calibration).
    states_probability: ClassVar[bool] = False

    def __init__(self) -> None:  # noqa: B027
        """Policies without parameters take none (subclasses add keyword-only ones)."""

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, as stored (scikit-learn's ``get_params``)."""
        return dict(vars(self))

    @abstractmethod
    def decide(self, view: EpisodeView, rng: np.random.Generator) -> Decision:
        """Next trial (or stop) and the current call."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"


class _FirstThatWorks(Policy):
    """Trial findings in the policy's order; stop at the first real broad change and call it."""

    def __init__(self, *, threshold: float = BROAD_CHANGE) -> None:
        self.threshold = threshold

    @abstractmethod
    def order(self, view: EpisodeView, rng: np.random.Generator) -> list[str]:
        """Finding ids in the order this policy trials them."""

    def decide(self, view: EpisodeView, rng: np.random.Generator) -> Decision:
        scores = view.scores
        if scores and scores[-1].global_change >= self.threshold:
            return Decision(None, scores[-1].candidate, reason="real broad change")
        tried = set(view.tried)
        for fid in self.order(view, rng):
            if fid not in tried:
                return Decision(fid, NONE, reason="next in order")
        return Decision(None, NONE, reason="no trial made a real broad change")


class ExhaustivePolicy(Policy):
    """Trial every finding in exam order; call the largest global change ("none" if none is broad).

    The method as commonly practised. The call is the finding whose trial had the largest ``G``;
    when no trial reached ``threshold`` (no real broad change), the call is ``"none"``.
    """

    name = "exhaustive"

    def __init__(self, *, threshold: float = BROAD_CHANGE) -> None:
        self.threshold = threshold

    def decide(self, view: EpisodeView, rng: np.random.Generator) -> Decision:
        tried = set(view.tried)
        for f in view.findings:
            if f.id not in tried:
                return Decision(f.id, _best(view.scores, self.threshold), reason="exam order")
        return Decision(None, _best(view.scores, self.threshold), reason="all findings trialled")


def _best(scores: tuple[TrialScore, ...], threshold: float) -> str:
    if not scores:
        return NONE
    top = max(scores, key=lambda s: s.global_change)
    return top.candidate if top.global_change >= threshold else NONE


class LocalFirstPolicy(_FirstThatWorks):
    """Nearest the complaint first: same region, then same segment, then by head-to-toe distance.

    Distance uses only the atlas region list (order and segments), never the simulator's linkage.
    Ties: the complaint's side first, then exam order.
    """

    name = "local-first"

    def order(self, view: EpisodeView, rng: np.random.Generator) -> list[str]:
        atlas = regions()
        index = {r: i for i, r in enumerate(atlas)}
        area = view.case.complaint.areas[0]

        def key(item: tuple[int, Finding]) -> tuple[int, int, int, int]:
            pos, f = item
            same_region = f.region == area.region
            same_segment = atlas[f.region].segment == atlas[area.region].segment
            tier = 0 if same_region else 1 if same_segment else 2
            side = 0 if f.side in (area.side, "central", "bilateral") else 1
            return (tier, abs(index[f.region] - index[area.region]), side, pos)

        return [f.id for _, f in sorted(enumerate(view.findings), key=key)]


class SeverityFirstPolicy(_FirstThatWorks):
    """Most severe finding first (ties in exam order); stop at the first real broad change."""

    name = "severity-first"

    def order(self, view: EpisodeView, rng: np.random.Generator) -> list[str]:
        return [f.id for _, f in sorted(enumerate(view.findings), key=lambda x: (-x[1].severity, x[0]))]


class RandomPolicy(_FirstThatWorks):
    """Findings in a random order (fixed per episode by the generator); stop at the first real broad change."""

    name = "random"

    def order(self, view: EpisodeView, rng: np.random.Generator) -> list[str]:
        # A uniformly random untried finding at each step is a uniformly random order overall,
        # and keeps the policy stateless.
        tried = set(view.tried)
        ids = [f.id for f in view.findings if f.id not in tried]
        return [ids[i] for i in rng.permutation(len(ids))]


class OraclePolicy(Policy):
    """Knows the driver: trials it once (if it is listed) and calls it. The limit for every policy."""

    name = "oracle"
    needs_truth = True
    states_probability = True

    def decide(self, view: EpisodeView, rng: np.random.Generator) -> Decision:
        if view.truth is None:
            raise ValueError("the oracle needs the true driver in the view")
        if view.truth != NONE and view.truth not in view.tried:
            return Decision(view.truth, view.truth, 1.0, reason="the driver")
        return Decision(None, view.truth, 1.0, reason="known")


class KinetracePolicy(Policy):
    """The engine through its public API only: ``kinetrace.analyse(case)`` and its stop rule.

    Trials what ``Analysis.next`` recommends until ``Analysis.stop`` (or no recommendation). The
    call is ``Analysis.driver`` when set, else the top of ``Analysis.ranking`` (which may be "none");
    its stated probability is that entry's probability. ``params`` (default: the shipped engine)
    lets the learning benchmark run the engine with a learned model (``Model.engine_params()``).
    """

    name = "kinetrace"
    states_probability = True

    def __init__(self, *, params: EngineParams | None = None) -> None:
        self.params = params

    def decide(self, view: EpisodeView, rng: np.random.Generator) -> Decision:
        result = analyse(view.case, params=self.params)
        if result.driver is not None:
            call, prob = result.driver.candidate, result.driver.probability
        else:
            top = result.ranking[0]
            call, prob = top.candidate, top.probability
        finding_ids = {f.id for f in view.findings}
        nxt = result.recommendation.next_candidate
        if result.stop or nxt is None or nxt not in finding_ids:
            return Decision(None, call, prob, reason="engine stop" if result.stop else "no recommendation")
        return Decision(nxt, call, prob, reason=result.recommendation.reason.value)


#: Every policy class, by name, in table order.
POLICIES: dict[str, type[Policy]] = {
    cls.name: cls
    for cls in (
        ExhaustivePolicy,
        LocalFirstPolicy,
        SeverityFirstPolicy,
        RandomPolicy,
        KinetracePolicy,
        OraclePolicy,
    )
}
