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
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kinetrace.case.model import Case
from kinetrace.engine.graph import best_paths, path_level, sides_of
from kinetrace.engine.params import EngineParams
from kinetrace.engine.posterior import NONE, Posterior
from kinetrace.engine.prior import complaint_areas
from kinetrace.formatting import probability_label

#: Relative EIG difference under which two candidates count as tied.
NEAR_TIE = 0.05
#: Probability that a non-driver trial looks like a broad response anyway.
FALSE_BROAD = 0.01


@dataclass(frozen=True)
class Decision:
    """The recommendation (frozen result): next trial or stop, and the named driver."""

    next: dict[str, Any] | None
    stop: bool
    stop_reason: str
    pcf: str | None
    gains: dict[str, float]
    examine: tuple[dict[str, str], ...]


def _entropy(ps: tuple[float, ...]) -> float:
    return -sum(p * math.log2(p) for p in ps if p > 0)


def expected_gain(p: float, params: EngineParams) -> float:
    """EIG in bits of trialling a candidate whose driver probability is ``p``."""
    fail, eta = params.driver_failure, params.secondary_rate
    yes = (1.0 - fail, 0.0, fail)
    no = (FALSE_BROAD, eta, 1.0 - eta - FALSE_BROAD)
    mix = tuple(p * a + (1.0 - p) * b for a, b in zip(yes, no, strict=True))
    return max(0.0, _entropy(mix) - p * _entropy(yes) - (1.0 - p) * _entropy(no))


def examine_next(case: Case, *, limit: int = 5) -> tuple[dict[str, str], ...]:
    """Regions linked to the complaint areas that carry no finding yet, strongest link first."""
    occupied = {n for f in case.findings for n in sides_of(f.region, f.side)}
    targets = tuple(sorted({n for a in complaint_areas(case) for n in sides_of(a.region, a.side)}))
    paths = best_paths(targets, None)
    rows = []
    for node, path in paths.items():
        if path.local or node in occupied or not path.steps:
            continue
        chain = ", ".join(f"{s.link.type.replace('_', ' ')} ({s.link.id})" for s in path.steps)
        why = f"linked to the complaint through {chain}; evidence {path_level(path)}"
        rows.append((path.strength, node, why))
    rows.sort(key=lambda r: (-r[0], r[1]))
    return tuple({"region": n[0], "side": n[1], "why": why} for _, n, why in rows[:limit])


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
    ]
    gains = {k: expected_gain(probs[k], params) for k in (*untested, *recheck)}
    examine = examine_next(case) if p_none >= params.examine_above else ()
    if leader is not None and probs[leader] >= params.threshold:
        reason = f"{leader} reached P {probability_label(probs[leader])} (threshold {params.threshold:.2f})"
        return Decision(None, True, reason, leader, gains, examine)
    if p_none >= params.threshold:
        reason = f"the driver is likely not among the findings (P {probability_label(p_none)}); examine further"
        return Decision(None, True, reason, None, gains, examine or examine_next(case))
    worth = {k: g for k, g in gains.items() if g >= params.min_gain_bits}
    if not worth:
        named = leader if leader is not None and probs[leader] > p_none else None
        reason = "no untested finding left" if not untested else "no untested finding is worth a trial"
        return Decision(None, True, reason, named, gains, examine or examine_next(case))
    best = max(worth.values())
    tied = [k for k, g in worth.items() if g >= best * (1.0 - NEAR_TIE)]
    eta = params.secondary_rate

    def helps(k: str) -> tuple[float, int, str]:
        return (probs[k] + eta * (1.0 - probs[k]), findings[k].severity, k)

    pick = max(tied, key=helps)
    what = "recheck of the leading finding" if pick in post.tested else "most informative untested finding"
    reason = f"{what}: expected gain {worth[pick]:.2f} bits, P(driver) = {probs[pick]:.2f}"
    if len(tied) > 1:
        reason += f"; near-tie with {len(tied) - 1} other(s) broken towards the likelier help"
    return Decision({"candidate": pick, "reason": reason}, False, "", None, gains, examine)
