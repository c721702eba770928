"""Posterior over "which finding is the driver" (plus "none") after the case's trials.

Hypotheses: H_f (finding f is the driver) for every finding, and H_none. A trial of candidate c
has likelihood L_D under H_c and L_N under every other hypothesis (docs/engine.md)::

    log P(H_f | trials) = log P(H_f) + log L_D(trials of f) - log L_N(trials of f) + const

with the patient's response scale integrated out over the trials of f together
(:func:`kinetrace.engine.likelihood.finding_log_ratio`) and each trial weighed against the
background improvement seen in the other candidates' trials.

Control trials re-estimate drift (scoring) and the noise SD; they favour no hypothesis.
Trials are scored from their own pre-state, so carry-over is handled by the scoring and by the
deficit-based expected response (an already restored marker expects nothing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kinetrace.case.model import Case
from kinetrace.engine.graph import Node, sides_of
from kinetrace.engine.likelihood import (
    TrialLikelihood,
    background_pool,
    background_shift,
    finding_log_ratio,
    marker_info,
    noise_sd_from_controls,
    session_first_trials,
    stale_signs,
    trial_likelihood,
    trial_shift,
)
from kinetrace.engine.params import EngineParams
from kinetrace.engine.prior import prior
from kinetrace.scoring import TrialScore
from kinetrace.timeline import timeline

NONE = "none"


@dataclass(frozen=True)
class Posterior:
    """Prior, per-trial evidence and posterior of one case (frozen result)."""

    prior: dict[str, float]
    posterior: dict[str, float]
    trials: tuple[TrialLikelihood, ...]
    tested: frozenset[str]
    trial_counts: dict[str, int]
    secondary: dict[str, float]
    secondary_bf: dict[str, float]
    noise_sd: float
    nodes: dict[str, tuple[Node, ...]]
    #: the leading finding whose stated probability was capped (single, non-decisive trial)
    capped: str | None = None
    #: its probability before the cap
    uncapped: float | None = None


def decisive(lik: TrialLikelihood, params: EngineParams, *, lift_unmeasured: bool = False) -> bool:
    """The decisive-trial criterion (docs/engine.md, "Confirmation before certainty").

    The primary complaint measure and at least ``decisive_remote_signs`` signs outside the treated
    area (every one of them when fewer were re-tested, but at least two), and at least
    ``decisive_remote_share`` of those re-tested, improved by at least their MDC beyond the
    trial's common lift. While the session's lift is unmeasured (``lift_unmeasured``: the trial
    is the session's first and no other finding was trialled) they must improve by at least
    ``1 + first_trial_margin`` MDC.
    """
    needed = max(2, min(params.decisive_remote_signs, lik.remote_retested))
    primary, remote = (lik.primary_clear, lik.remote_clear) if lift_unmeasured else (lik.primary_real, lik.remote_real)
    return primary and remote >= needed and remote >= params.decisive_remote_share * lik.remote_retested


def lift_unmeasured(leader: str, liks: list[TrialLikelihood] | tuple[TrialLikelihood, ...]) -> bool:
    """The leader's one trial is its session's first and no other finding has been trialled."""
    own = [lik for lik in liks if lik.candidate == leader]
    return len(own) == 1 and own[0].first_in_session and all(lik.candidate == leader for lik in liks)


def compared(leader: str, liks: list[TrialLikelihood], bayes: dict[str, float], params: EngineParams) -> bool:
    """The comparison criterion (docs/engine.md, "Confirmation before certainty").

    The leader's single trial was its session's first, and a later trial of another finding in
    the same session (the comparison that measures the session's common lift) counts against its
    own candidate (log Bayes factor <= 0): the change was specific to the leader's trial. With
    ``compare_earlier`` (round 4) a trial of another finding anywhere in the leader's session,
    before or after the leader's trial, is such a comparison (a session runs from one
    ``first_in_session`` trial to the next). Raising a sign of the leader's trial only raises the
    other candidates' background (lowering their Bayes factors), so the criterion stays monotone.
    """
    if not params.compare_before_recheck:
        return False
    own = [i for i, lik in enumerate(liks) if lik.candidate == leader]
    if len(own) != 1:
        return False
    i = own[0]
    if params.compare_earlier:
        # any other finding's trial of the leader's session (before or after it) is a comparison
        start = max((j for j in range(i + 1) if liks[j].first_in_session), default=0)
        end = next((j for j in range(i + 1, len(liks)) if liks[j].first_in_session), len(liks))
        others = [lik for lik in liks[start:end] if lik.candidate != leader]
    elif liks[i].first_in_session:
        others = [lik for lik in liks[i + 1 :] if lik.candidate != leader]
    else:
        return False
    return any(bayes.get(lik.candidate, 0.0) <= 0.0 for lik in others)


def _cap_unconfirmed(
    post: dict[str, float],
    liks: list[TrialLikelihood],
    params: EngineParams,
    bayes: dict[str, float] | None = None,
) -> tuple[dict[str, float], str | None, float | None]:
    """Cap the leader at ``unconfirmed_cap`` while it rests on one non-decisive trial.

    The probability taken from it goes to every other hypothesis in proportion (so the result
    still sums to 1 and their order is kept).
    """
    leader = max((k for k in post if k != NONE), key=lambda k: (post[k], k), default=None)
    if leader is None or post[leader] <= params.unconfirmed_cap:
        return post, None, None
    own = [lik for lik in liks if lik.candidate == leader]
    strict = params.compare_before_recheck and lift_unmeasured(leader, liks)
    if len(own) != 1 or decisive(own[0], params, lift_unmeasured=strict) or compared(leader, liks, bayes or {}, params):
        return post, None, None
    p = post[leader]
    rest = 1.0 - p
    capped = {
        k: params.unconfirmed_cap if k == leader else (v * (1.0 - params.unconfirmed_cap) / rest if rest > 0 else 0.0)
        for k, v in post.items()
    }
    if rest <= 0:
        capped[NONE] = 1.0 - params.unconfirmed_cap
    return capped, leader, p


def _normalise(logs: dict[str, float]) -> dict[str, float]:
    top = max(logs.values())
    w = {k: math.exp(v - top) for k, v in logs.items()}
    total = sum(w.values())
    return {k: v / total for k, v in w.items()}


def posterior(case: Case, scores: tuple[TrialScore, ...], params: EngineParams) -> Posterior:
    """Update the prior with every scored trial of the case.

    Parameters
    ----------
    case : Case
        The loaded case.
    scores : tuple of TrialScore
        ``kinetrace.scoring.score_trials(case)``, in trial order.
    params : EngineParams
        The stated model parameters.
    """
    pri, finding_nodes = prior(case, p_none=params.p_none, factors=params.prior_factors)
    markers = {m.id: m for m in case.markers}
    info = marker_info(case.markers)
    marker_nodes: dict[str, frozenset[Node]] = {m.id: frozenset(sides_of(m.region, m.side)) for m in case.markers}
    controls = [s for s in scores if s.is_control]
    sd = noise_sd_from_controls(controls, markers, params)
    logs = {k: math.log(v) for k, v in pri.items()}
    treatment = tuple(s for s in scores if not s.is_control and s.candidate in finding_nodes and s.markers)
    local_markers = {
        f: frozenset(m for m, nodes in marker_nodes.items() if not nodes.isdisjoint(finding_nodes[f]))
        for f in {s.candidate for s in treatment}
    }
    first = session_first_trials(scores)
    stale = stale_signs(timeline(case)) if params.stale_pool else {}
    pool = (
        background_pool(treatment, info, local_markers, first, params.first_trial_factor, stale)
        if params.background_shift
        else ()
    )
    shifts = {c: background_shift(c, pool, params) for c in {s.candidate for s in treatment}}
    liks = [
        trial_likelihood(
            s,
            info,
            local_markers[s.candidate],
            sd,
            params,
            shift=trial_shift(shifts[s.candidate], s.id in first, params),
            first_in_session=s.id in first,
        )
        for s in treatment
    ]
    log_bf = {c: finding_log_ratio(tuple(lik for lik in liks if lik.candidate == c), params) for c in shifts}
    for c, v in log_bf.items():
        logs[c] += v
    post = _normalise(logs)
    if params.model_doubt > 0:
        # epsilon-contamination: with probability model_doubt the trial model itself is wrong and
        # the prior is all one knows (an increasing affine map of each posterior: monotonicity kept)
        eps = params.model_doubt
        post = {k: (1.0 - eps) * v + eps * pri[k] for k, v in post.items()}
    post, capped, uncapped = _cap_unconfirmed(post, liks, params, log_bf)
    # P(secondary contributor | not the driver), from each tested candidate's trials
    sec_log: dict[str, tuple[float, float]] = {}
    for lik in liks:
        a, b = sec_log.get(lik.candidate, (0.0, 0.0))
        sec_log[lik.candidate] = (a + lik.log_secondary, b + lik.log_null)
    eta = params.secondary_rate
    secondary = {
        c: 1.0 / (1.0 + math.exp(min(700.0, (math.log1p(-eta) + b) - (math.log(eta) + a))))
        for c, (a, b) in sec_log.items()
    }
    bayes = {c: math.exp(min(700.0, a - b)) for c, (a, b) in sec_log.items()}
    return Posterior(
        prior=pri,
        posterior=post,
        trials=tuple(liks),
        tested=frozenset(lik.candidate for lik in liks),
        trial_counts={c: sum(1 for lik in liks if lik.candidate == c) for c in {lik.candidate for lik in liks}},
        secondary=secondary,
        secondary_bf=bayes,
        noise_sd=sd,
        nodes=finding_nodes,
        capped=capped,
        uncapped=uncapped,
    )
