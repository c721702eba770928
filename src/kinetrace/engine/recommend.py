"""Decision rule: the next trial, the stop signal, and what to examine when no finding fits.

Next trial: the untested finding with the largest expected information gain (EIG) about the
driver; a tested finding that leads (P >= ``recheck_above``) without reaching the threshold may be
trialled once more (a recheck, at most ``max_trials_per_finding`` trials). A trial of c answers
"is c the driver?" through three outcome classes (broad response, partial response, no real
change) with stated rates (docs/engine.md)::

    under H_c      broad 1-fail,  partial 0,    none fail
    under not H_c  broad eps,     partial eta,  none 1-eta-eps
    EIG(c) = H(Y) - p_c H(Y | H_c) - (1-p_c) H(Y | not H_c)     (bits; p_c = P(H_c))

Candidates within ``NEAR_TIE`` of the best EIG are near-ties; among them the one likelier to help
the patient wins: higher P(driver) + eta * P(not driver) (a secondary contributor helps too),
then higher severity, then id (so the order of the findings never matters).

Stop when a finding's posterior reaches the threshold, when P(none) does, or when no untested
finding is worth a trial (EIG below ``min_gain_bits``).

Confirmation before certainty: while the leader rests on a single trial that is not decisive,
its stated probability is capped below the threshold (:mod:`kinetrace.engine.posterior`) and the
next trial is that finding again, as a confirmation (after a control re-test where possible).
A decisive single trial may stop the trials, but the call still says it rests on one trial and
suggests confirming it by the carry-over at the next session.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kinetrace.case.model import Case
from kinetrace.engine.graph import LEVEL_ORDER, best_paths, sides_of
from kinetrace.engine.params import EngineParams
from kinetrace.engine.posterior import NONE, Posterior, lift_unmeasured
from kinetrace.engine.prior import complaint_areas
from kinetrace.engine.results import Confirmation, LinkRef, NextTrial, Place, Reason, ReasonData, RegionToExamine

#: Relative EIG difference under which two candidates count as tied.
NEAR_TIE = 0.05
#: Probability that a non-driver trial looks like a broad response anyway.
FALSE_BROAD = 0.01


@dataclass(frozen=True)
class Decision:
    """The decision rule's result (frozen): next trial or stop, the reason code, the named driver."""

    next: NextTrial | None
    stop: bool
    reason: Reason
    data: ReasonData
    driver: str | None
    gains: dict[str, float]
    examine: tuple[RegionToExamine, ...]
    confirmation: Confirmation | None = None


#: Confirmation codes: a capped single-trial leader is trialled again (after a control where
#: possible); a decisive single trial is confirmed by the carry-over at the next session.
CONFIRM_RETRIAL = Confirmation("retrial_after_control", rationale="single_trial_not_decisive")
CONFIRM_NEXT_SESSION = Confirmation("carry_over_next_session", rationale="single_trial_decisive")
#: a capped leader whose one trial was the session's first, with no other finding trialled yet:
#: a comparison trial of another finding first measures the session's common lift
CONFIRM_COMPARISON = Confirmation("comparison_trial", rationale="common_lift_unmeasured")


def _needs_comparison(post: Posterior, leader: str, params: EngineParams) -> bool:
    """The capped leader's single trial was its session's first and no other finding was trialled."""
    return params.compare_before_recheck and lift_unmeasured(leader, post.trials)


def _confirmation(post: Posterior, driver: str | None) -> Confirmation | None:
    """The confirming step suggested for a call that rests on a single trial (else None)."""
    if driver is None or post.trial_counts.get(driver, 0) != 1:
        return None
    if post.capped == driver:
        return Confirmation(CONFIRM_RETRIAL.kind, driver, CONFIRM_RETRIAL.rationale)
    return Confirmation(CONFIRM_NEXT_SESSION.kind, driver, CONFIRM_NEXT_SESSION.rationale)


def _entropy(ps: tuple[float, ...]) -> float:
    return -sum(p * math.log2(p) for p in ps if p > 0)


def expected_gain(p: float, params: EngineParams) -> float:
    """EIG in bits of trialling a candidate whose driver probability is ``p``."""
    fail, eta = params.driver_failure, params.secondary_rate
    yes = (1.0 - fail, 0.0, fail)
    no = (FALSE_BROAD, eta, 1.0 - eta - FALSE_BROAD)
    mix = tuple(p * a + (1.0 - p) * b for a, b in zip(yes, no, strict=True))
    return max(0.0, _entropy(mix) - p * _entropy(yes) - (1.0 - p) * _entropy(no))


def examine_next(case: Case, *, limit: int = 5) -> tuple[RegionToExamine, ...]:
    """Regions linked to the complaint areas that carry no finding yet, strongest link first."""
    occupied = {n for f in case.findings for n in sides_of(f.region, f.side)}
    targets = tuple(sorted({n for a in complaint_areas(case) for n in sides_of(a.region, a.side)}))
    paths = best_paths(targets, None)
    rows = []
    for node, path in paths.items():
        if path.local or node in occupied or not path.steps:
            continue
        links = tuple(LinkRef(s.link.id, s.link.type) for s in path.steps)
        weakest = max(path.levels(), key=LEVEL_ORDER.index)
        rows.append(RegionToExamine(Place(*node), links, weakest, path.strength))
    rows.sort(key=lambda r: (-r.strength, r.place.region, r.place.side))
    return tuple(rows[:limit])


def decide(case: Case, post: Posterior, params: EngineParams) -> Decision:
    """Apply the decision rule to a posterior."""
    probs = post.posterior
    findings = {f.id: f for f in case.findings}
    leader = max((k for k in probs if k != NONE), key=lambda k: (probs[k], k), default=None)
    p_none = probs.get(NONE, 0.0)
    untested = [k for k in findings if k not in post.tested]
    # a tested finding that leads but has not reached the threshold may be re-trialled (a recheck)
    recheck = [
        k
        for k in findings
        if k in post.tested
        and probs[k] >= params.recheck_above
        and post.trial_counts.get(k, 0) < params.max_trials_per_finding
        # while the session's common lift is unmeasured, another finding is trialled first
        and not (untested and _needs_comparison(post, k, params))
    ]
    gains = {k: expected_gain(probs[k], params) for k in (*untested, *recheck)}
    examine = examine_next(case) if p_none >= params.examine_above else ()
    threshold = params.threshold
    if leader is not None and probs[leader] >= threshold:
        data = ReasonData(candidate=leader, probability=probs[leader], threshold=threshold)
        return Decision(None, True, Reason.DRIVER_FOUND, data, leader, gains, examine, _confirmation(post, leader))
    if leader is not None and post.capped == leader and untested and _needs_comparison(post, leader, params):
        # confirmation before certainty, first step: the session's common lift is unmeasured, so
        # the most informative untested finding is trialled first as a comparison
        pick = max(untested, key=lambda k: (gains[k], probs[k], findings[k].severity, k))
        data = ReasonData(candidate=pick, probability=probs[pick], threshold=threshold, gain_bits=gains[pick])
        conf = Confirmation(CONFIRM_COMPARISON.kind, pick, CONFIRM_COMPARISON.rationale)
        return Decision(NextTrial(pick), False, Reason.NEXT_TRIAL, data, None, gains, examine, conf)
    if leader is not None and post.capped == leader:
        # confirmation before certainty: the capped leader is trialled again
        data = ReasonData(candidate=leader, probability=probs[leader], threshold=threshold, gain_bits=gains.get(leader))
        nxt = NextTrial(leader, recheck=True)
        return Decision(nxt, False, Reason.RECHECK, data, None, gains, examine, _confirmation(post, leader))
    if p_none >= threshold:
        data = ReasonData(candidate=NONE, probability=p_none, threshold=threshold)
        return Decision(None, True, Reason.NONE_LIKELY, data, None, gains, examine or examine_next(case))
    worth = {k: g for k, g in gains.items() if g >= params.min_gain_bits}
    if not worth:
        named = leader if leader is not None and probs[leader] > p_none else None
        reason = Reason.NO_CANDIDATE_LEFT if not untested else Reason.NOTHING_WORTH_TRIAL
        data = ReasonData(candidate=leader, probability=None if leader is None else probs[leader], threshold=threshold)
        return Decision(None, True, reason, data, named, gains, examine or examine_next(case))
    best = max(worth.values())
    tied = [k for k, g in worth.items() if g >= best * (1.0 - NEAR_TIE)]
    eta = params.secondary_rate

    def helps(k: str) -> tuple[float, int, str]:
        return (probs[k] + eta * (1.0 - probs[k]), findings[k].severity, k)

    pick = max(tied, key=helps)
    again = pick in post.tested
    data = ReasonData(
        candidate=pick, probability=probs[pick], threshold=threshold, gain_bits=worth[pick], near_ties=len(tied) - 1
    )
    reason = Reason.RECHECK if again else Reason.NEXT_TRIAL
    return Decision(NextTrial(pick, recheck=again), False, reason, data, None, gains, examine)
