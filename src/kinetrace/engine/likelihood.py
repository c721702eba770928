"""Likelihood of one trial's marker changes if the trialled finding is, or is not, the driver.

Each re-tested marker gives ``z = direction * net_change / MDC`` (drift from control trials
already removed by :mod:`kinetrace.scoring`). Many small changes in the same direction are
evidence even when each is within its MDC, so values are used as measured; but a trial with no
real improvement at all (no marker improved by at least its MDC) can never raise its candidate
(``gate_without_real_change``: its log-likelihood ratio is capped at 0, the MDC rule of the
scoring). Densities (docs/engine.md, "Likelihood")::

    noise(z)        = (1-t) N(z; 0, s) + t N(z; 0, k s)
    response(z; mu) = (1-t) N(z; mu, sqrt(s^2 + (cv mu)^2)) + t N(z; mu, k s)

    driver treated   L_D = (1-fail) * Int prod_m [p_m(f) resp_m + (1-p_m(f)) noise_m] Beta(f) df
                            + fail * L_0
                     p_m(f) = max(f (or f + (1-f) boost for the primary measure), rho_m)
    not the driver   L_N = L_0 = prod_m [rho_m resp_m + (1-rho_m) noise_m]  (rho: local / spurious)
    secondary        L_S: like L_D with fewer markers (Beta) and a smaller response; used only
                     to flag tested non-drivers as likely secondary contributors (L_S / L_0)

With a normal location family (response = noise shifted by mu >= 0) and p_m >= rho_m, every
factor of L_D / L_N is non-decreasing in each marker's improvement: more confirming evidence never
lowers the candidate (property-tested).

``mu`` is the expected improvement: ``min(restore * deficit, cap)`` where the marker has a
target (carry-over: an already restored marker expects nothing), else ``response_default``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from kinetrace.case.model import Marker
from kinetrace.engine.params import EngineParams
from kinetrace.scoring import TrialScore
from kinetrace.timeline import Timeline

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


@dataclass(frozen=True)
class TrialLikelihood:
    """Log-likelihoods of one treatment trial under the three roles of its candidate."""

    trial: str
    candidate: str
    log_driver: float
    log_not: float
    log_null: float
    log_secondary: float
    #: log L_D(lambda) - log L_N(lambda) at every response scale of :func:`scale_grid` (the
    #: extended grid, smallest first).
    log_ratio_by_scale: tuple[float, ...] = ()
    #: the primary complaint measure improved by at least its MDC (a real change)
    primary_real: bool = False
    #: signs outside the trialled finding's own area (not the primary measure): re-tested, and
    #: improved by at least their MDC
    remote_retested: int = 0
    remote_real: int = 0
    #: like primary_real / remote_real, by at least ``1 + first_trial_margin`` MDC beyond the lift
    primary_clear: bool = False
    remote_clear: int = 0
    #: the first treatment trial of its session (it carries the session's larger common lift)
    first_in_session: bool = False
    #: the common lift (MDC units per sign) subtracted from every sign before the trial was weighed
    shift: float = 0.0

    @property
    def log_ratio(self) -> float:
        """log L_D - log L_N of this trial alone (its response scale integrated out on its own)."""
        return self.log_driver - self.log_not


@cache
def _beta_grid(a: float, b: float, n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Midpoint quadrature of Beta(a, b) on n equal bins of (0, 1): points and log-weights."""
    f = (np.arange(n) + 0.5) / n
    logd = (a - 1.0) * np.log(f) + (b - 1.0) * np.log1p(-f)
    logw = logd - (np.max(logd) + np.log(np.sum(np.exp(logd - np.max(logd)))))
    return f, np.asarray(logw, dtype=np.float64)


def _logsumexp(a: NDArray[np.float64]) -> float:
    top = float(np.max(a))
    return top + float(np.log(np.sum(np.exp(a - top))))


def _log_norm_pdf(z: NDArray[np.float64], mu: NDArray[np.float64], sd: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(-0.5 * ((z - mu) / sd) ** 2 - np.log(sd) - _LOG_SQRT_2PI, dtype=np.float64)


def _density(
    z: NDArray[np.float64],
    mu: NDArray[np.float64],
    sd_noise: float,
    params: EngineParams,
) -> NDArray[np.float64]:
    """Per-marker density of z under N(mu, sqrt(s^2 + (cv mu)^2)) plus a heavy tail around mu.

    The tail is centred on ``mu`` too, so a larger improvement is never less typical of a
    response than of noise (monotone evidence).
    """
    t = params.noise_tail_weight
    sd_core = np.sqrt(sd_noise**2 + (params.response_cv * mu) ** 2)
    sd_tail = np.full_like(mu, params.noise_tail_scale * sd_noise)
    return np.asarray(
        (1 - t) * np.exp(_log_norm_pdf(z, mu, sd_core)) + t * np.exp(_log_norm_pdf(z, mu, sd_tail)),
        dtype=np.float64,
    )


def _mixture_log_lik(
    p_respond: NDArray[np.float64], resp: NDArray[np.float64], noise: NDArray[np.float64]
) -> NDArray[np.float64]:
    """sum_m log(p resp + (1-p) noise), over the last axis."""
    return np.asarray(np.log(p_respond * resp + (1.0 - p_respond) * noise).sum(axis=-1), dtype=np.float64)


class MarkerInfo(NamedTuple):
    """What the likelihood reads of a marker: better direction, primary, target, MDC."""

    direction: float
    primary: bool
    target: float | None
    mdc: float


def marker_info(markers: Iterable[Marker]) -> dict[str, MarkerInfo]:
    """Marker id -> :class:`MarkerInfo` (read once per case; the marker properties are slow)."""
    return {m.id: MarkerInfo(float(m.direction), m.primary, m.target, m.mdc_value) for m in markers}


def scale_grid(params: EngineParams) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Response scales (extended downwards for repeats), log prior weights of the base grid, offset.

    The base grid is ``scale_points`` values ``scale_min * scale_ratio**i`` weighted by a
    log-normal prior on the patient's response scale (median 1: the stated expected response,
    log-SD ``scale_log_sd``; 0 means equal weights, log-uniform); repeats may shrink the scale by
    ``scale_ratio**-step`` for the steps of ``repeat_steps``, so the extended grid starts
    ``max(repeat_steps)`` points lower. Index ``offset + i`` of the extended grid is base point i.
    """
    return _scale_grid(
        params.scale_min, params.scale_ratio, params.scale_points, max(params.repeat_steps), params.scale_log_sd
    )


@cache
def _scale_grid(
    scale_min: float, ratio: float, points: int, extra: int, log_sd: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    ext = scale_min * ratio ** np.arange(-extra, points, dtype=np.float64)
    base = np.log(ext[extra:])
    logd = -0.5 * (base / log_sd) ** 2 if log_sd > 0 else np.zeros(points)
    logw = logd - (np.max(logd) + np.log(np.sum(np.exp(logd - np.max(logd)))))
    return ext, np.asarray(logw, dtype=np.float64), extra


def trial_likelihood(
    score: TrialScore,
    markers: dict[str, MarkerInfo],
    local_ids: frozenset[str],
    sd_noise: float,
    params: EngineParams,
    *,
    shift: float = 0.0,
    first_in_session: bool = False,
) -> TrialLikelihood:
    """Log-likelihoods of one scored treatment trial.

    Parameters
    ----------
    score : TrialScore
        The scored trial (net changes in MDC units, censoring by the MDC).
    markers : dict
        Marker id -> :class:`MarkerInfo` of the case's resolved markers (:func:`marker_info`).
    local_ids : frozenset
        Ids of the markers in the trialled finding's own area (they may respond to a non-driver).
    sd_noise : float
        Re-test noise SD in MDC units for this case.
    params : EngineParams
        The stated model parameters.
    shift : float
        The common lift of this trial per sign (MDC units, >= 0): the patient's background
        improvement seen in the OTHER candidates' trials, larger on the session's first trial
        (:func:`trial_shift`); subtracted from every sign of this trial before it is weighed, and
        a sign counts as really improved (MDC rule, decisive criterion) only beyond it.
    first_in_session : bool
        Recorded on the result (the confirmation rule reads it).
    """
    z: list[float] = []
    mu: list[float] = []
    censored: list[bool] = []
    primary: list[bool] = []
    local: list[bool] = []
    for c in score.markers:
        direction, is_primary, target, mdc = markers[c.marker]
        z.append(direction * c.change_in_mdc)
        censored.append(not c.real)
        primary.append(is_primary)
        local.append(c.marker in local_ids)
        if target is None:
            mu.append(params.response_default)
        else:
            deficit = max(0.0, direction * (target - c.pre) / mdc)
            mu.append(min(params.restore_fraction * deficit, params.response_max))
    sd = sd_noise * params.treatment_noise
    # a real change is one beyond the MDC AND beyond the trial's common lift
    real = any(zi - shift >= 1.0 and not ci for zi, ci in zip(z, censored, strict=True))
    zs = tuple(round(zi - shift, 9) for zi in z)
    logs = _trial_logs(zs, tuple(mu), tuple(primary), tuple(local), sd, params)
    log_not, log_null, log_sec, by_scale = logs
    # composite-likelihood adjustment for signs that move together within a trial (a shared
    # session effect): the evidence of n markers counts as n / (1 + (n - 1) rho) independent ones
    kappa = 1.0 / (1.0 + (len(z) - 1) * params.marker_correlation)
    ratios = np.asarray(by_scale) * kappa
    if params.gate_without_real_change and not real:
        ratios = np.minimum(ratios, 0.0)
    ext, logw, offset = scale_grid(params)
    log_driver = log_not + _logsumexp(logw + ratios[offset : offset + len(logw)])
    improved = [zi - shift >= 1.0 and not ci for zi, ci in zip(z, censored, strict=True)]
    clear = [i and zi - shift >= 1.0 + params.first_trial_margin for i, zi in zip(improved, z, strict=True)]
    remote = [not (pr or lo) for pr, lo in zip(primary, local, strict=True)]
    return TrialLikelihood(
        score.id,
        score.candidate,
        log_driver,
        log_not,
        log_null,
        log_sec,
        tuple(float(v) for v in ratios),
        primary_real=any(i and pr for i, pr in zip(improved, primary, strict=True)),
        remote_retested=sum(remote),
        remote_real=sum(i and r for i, r in zip(improved, remote, strict=True)),
        primary_clear=any(i and pr for i, pr in zip(clear, primary, strict=True)),
        remote_clear=sum(i and r for i, r in zip(clear, remote, strict=True)),
        first_in_session=first_in_session,
        shift=shift,
    )


def finding_log_ratio(trials: tuple[TrialLikelihood, ...], params: EngineParams) -> float:
    """Evidence of every trial of one finding for it being the driver, the response scale integrated out.

    The patient's response scale ``lambda`` multiplies every expected improvement, under both
    roles (a driver's broad response and a non-driver's local one); it is shared by the finding's
    trials. The first trial responds with ``lambda``; each later trial of the same finding with
    ``lambda * scale_ratio**-step``, a step of ``repeat_steps`` drawn with ``repeat_weights``
    (after carry-over and saturation a repeat is expected to change less, never more). The
    likelihood ratio at each scale is averaged over the scale prior ``w``::

        BF(f) = sum_i w_i  R_1(lambda_i)  prod_{k>1} sum_j v_j R_k(lambda_i r^-step_j)
        R_t(lambda) = L_D,t(lambda) / L_N,t(lambda)

    At a fixed scale both roles share one location family (``p_m >= rho_m``), so every R_t is a
    non-decreasing function of each sign's improvement, and so is BF(f): more confirming evidence
    never lowers the candidate. Returns log BF(f).
    """
    if not trials:
        return 0.0
    ext, logw, offset = scale_grid(params)
    n = len(logw)
    total = logw + np.asarray(trials[0].log_ratio_by_scale[offset : offset + n])
    logv = np.log(np.asarray(params.repeat_weights, dtype=np.float64))
    for t in trials[1:]:
        by = np.asarray(t.log_ratio_by_scale)
        options = np.stack([by[offset - step : offset - step + n] for step in params.repeat_steps])
        top = options.max(axis=0)
        total = total + top + np.log(np.exp(options - top + logv[:, None]).sum(axis=0))
    return _logsumexp(total)


def session_first_trials(scores: tuple[TrialScore, ...]) -> frozenset[str]:
    """Ids of the first treatment (non-control) trial of every session."""
    seen: set[str] = set()
    out = set()
    for s in scores:
        if s.is_control or s.session in seen:
            continue
        seen.add(s.session)
        out.add(s.id)
    return frozenset(out)


def background_pool(
    scores: tuple[TrialScore, ...],
    markers: dict[str, MarkerInfo],
    local_markers: dict[str, frozenset[str]],
    first: frozenset[str] = frozenset(),
    first_factor: float = 1.0,
    stale: Mapping[str, frozenset[str]] | None = None,
) -> tuple[tuple[str, NDArray[np.float64]], ...]:
    """Per treatment trial: its candidate and the improvements (MDC units) of its signs outside
    the trialled finding's own area (what :func:`background_shift` pools). A session's first
    trial (ids in ``first``) carries a lift ``first_factor`` times the others'; its signs are
    divided by it so that every trial estimates the same per-trial lift."""
    direction = {k: m.direction for k, m in markers.items()}
    out = []
    for s in scores:
        if s.is_control or not s.markers:
            continue
        own = local_markers.get(s.candidate, frozenset()) | (stale or {}).get(s.id, frozenset())
        zs = np.asarray([direction[c.marker] * c.change_in_mdc for c in s.markers if c.marker not in own])
        if s.id in first and first_factor > 0:
            zs = zs / first_factor
        out.append((s.candidate, np.asarray(zs, dtype=np.float64)))
    return tuple(out)


def trial_shift(background: float, first: bool, params: EngineParams) -> float:
    """The common lift of one trial (MDC units per sign) from the patient's background.

    Every trial of a session shares a non-specific lift (placebo, attention, regression to the
    mean) of ``background`` per sign (:func:`background_shift`); the session's first trial carries
    ``first_trial_factor`` times that, and at least ``first_trial_lift`` (the prior expectation
    while the session's other trials cannot show it yet).
    """
    if not first:
        return background
    return max(params.first_trial_lift, params.first_trial_factor * background)


def background_shift(candidate: str, pool: tuple[tuple[str, NDArray[np.float64]], ...], params: EngineParams) -> float:
    """The patient's background improvement per sign, seen in the trials of OTHER candidates.

    Median improvement (MDC units) of the signs outside each trialled finding's own area over
    every treatment trial of another candidate (:func:`background_pool`), pooled with
    ``background_prior_strength`` pseudo-signs at 0, never below 0 and never above
    ``background_max`` (a lift is small; a larger background is a response). The median keeps one
    broad (driver) trial among several from raising everyone else's background, and the cap
    bounds it when that trial is the only one; pseudo-signs (none by default since round 3) would
    keep it 0 until several trials agree. A trial must beat what the patient's other trials show
    (placebo, attention, regression to the mean) to count as a driver response. It never
    depends on the candidate's own trials, so evidence stays monotone.
    """
    if not params.background_shift:
        return 0.0
    parts = [zs for c, zs in pool if c != candidate]
    if not parts:
        return 0.0
    pooled = np.concatenate([*parts, np.zeros(int(params.background_prior_strength))])
    return min(params.background_max, max(0.0, float(np.median(pooled))))


@cache
def _sitting_grid(sd: float, points: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gauss-Hermite nodes and log-weights of N(0, sd) (one node at 0 when sd is 0)."""
    if sd <= 0 or points <= 1:
        return np.zeros(1), np.zeros(1)
    x, w = np.polynomial.hermite_e.hermegauss(points)  # type: ignore[no-untyped-call]
    return np.asarray(sd * x, dtype=np.float64), np.asarray(np.log(w / w.sum()), dtype=np.float64)


def _logsumexp_axis0(a: NDArray[np.float64]) -> NDArray[np.float64]:
    top = a.max(axis=0)
    return np.asarray(top + np.log(np.exp(a - top).sum(axis=0)), dtype=np.float64)


@lru_cache(maxsize=65536)
def _trial_logs(
    z_t: tuple[float, ...],
    mu_t: tuple[float, ...],
    primary_t: tuple[bool, ...],
    local_t: tuple[bool, ...],
    sd_noise: float,
    params: EngineParams,
) -> tuple[float, float, float, tuple[float, ...]]:
    """(log L_N, log L_0, log L_S at scale 1, log L_D - log L_N per scale) of one trial's marker
    vectors (cached: analyse is called again after every trial with the same earlier trials)."""
    z = np.asarray(z_t)
    mu = np.asarray(mu_t)
    primary = np.asarray(primary_t, dtype=bool)
    local = np.asarray(local_t, dtype=bool)
    n = len(z)
    noise = _density(z, np.zeros(n), sd_noise, params)
    rho = np.where(local, params.local_response, params.spurious_response)
    ext, _, offset = scale_grid(params)
    # the sitting's common shift b (shared by every sign of this trial) is integrated out under
    # both roles: b ~ N(0, sitting_sd) on Gauss-Hermite nodes (one node at 0 when off)
    b, logwk = _sitting_grid(params.sitting_sd, params.sitting_points)
    zk = z[None, :] - b[:, None]  # (K, n)
    noise_k = _density(zk, np.zeros(n), sd_noise, params)  # (K, n)
    # a responding sign restores a share u of the expected improvement (a mixture over the shares;
    # every component is a non-negative shift of one location family, so evidence stays monotone)
    resp_k = np.zeros((len(b), len(ext), n))  # (K, S, n)
    for u, w in zip(params.response_shares, params.response_share_weights, strict=True):
        resp_k += w * _density(zk[:, None, :], u * ext[None, :, None] * mu[None, None, :], sd_noise, params)
    log_null_ks = np.log(rho * resp_k + (1.0 - rho) * noise_k[:, None, :]).sum(axis=-1)  # (K, S)

    f, logwb = _beta_grid(*params.driver_beta, params.grid)
    p = f[:, None] + (1.0 - f[:, None]) * np.where(primary, params.primary_boost, 0.0)[None, :]
    # treating the driver treats its own area too: a local sign responds at least as often as
    # under a non-driver (this also keeps every marker's evidence monotone in its improvement)
    p = np.maximum(p, rho[None, :])
    mix = np.log(
        p[None, None, :, :] * resp_k[:, :, None, :] + (1.0 - p[None, None, :, :]) * noise_k[:, None, None, :]
    ).sum(axis=-1)  # (K, S, F)
    top = mix.max(axis=2, keepdims=True)
    log_resp_ks = top[:, :, 0] + np.log(np.exp(mix - top + logwb[None, None, :]).sum(axis=2))

    fail = params.driver_failure
    log_drv_ks = np.logaddexp(np.log1p(-fail) + log_resp_ks, np.log(fail) + log_null_ks)
    log_null_s = _logsumexp_axis0(logwk[:, None] + log_null_ks)
    by_scale = _logsumexp_axis0(logwk[:, None] + log_drv_ks) - log_null_s
    resp_sec = _density(z, params.secondary_scale * mu, sd_noise, params)
    fs, logws = _beta_grid(*params.secondary_beta, params.grid)
    log_sec = _logsumexp(logws + _mixture_log_lik(fs[:, None], resp_sec[None, :], noise[None, :]))
    one = offset + int(np.argmin(np.abs(np.log(ext[offset:]))))  # scale ~1
    log_not = float(log_null_s[one])
    log_null = float(log_null_ks[int(np.argmin(np.abs(b))), one])  # no common shift: the secondary flag's reference
    return log_not, log_null, log_sec, tuple(float(v) for v in by_scale)


def noise_sd_from_controls(controls: list[TrialScore], markers: dict[str, Marker], params: EngineParams) -> float:
    """Re-test noise SD (MDC units), shrunk towards ``params.noise_sd`` by the control trials.

    ``s^2 = (k s0^2 + sum z^2) / (k + n)`` over the n re-tested markers of the control trials.
    """
    zs = [markers[c.marker].direction * c.change_in_mdc for t in controls for c in t.markers]
    k = params.noise_prior_strength
    return float(np.sqrt((k * params.noise_sd**2 + float(np.sum(np.square(zs)))) / (k + len(zs))))


def stale_signs(tl: Timeline) -> dict[str, frozenset[str]]:
    """Per treatment trial: the signs it re-tested that were last measured before an EARLIER
    treatment trial (not re-tested since).

    A sign's change is scored from its latest value (:mod:`kinetrace.scoring`), so a sign skipped by
    the re-tests of trial k and re-tested after trial k+1 carries both trials' changes: trial k's
    response (and the carry-over that stays of it) and both trials' common lifts would be credited
    to trial k+1. Such a sign says nothing about trial k+1 alone, so the likelihood leaves it out.
    A control trial treats nothing: it makes no sign stale (and its re-tests refresh them).
    """
    since: dict[str, int] = {}  # marker -> treatment trials since it was last measured
    out: dict[str, set[str]] = {}
    current: tuple[str | None, str | None] = (None, None)
    for m in tl.measurements:
        key = m.marker.id
        if m.phase != "trial_post" or m.trial is None:
            since[key] = 0
            continue
        if (m.session, m.trial) != current:
            current = (m.session, m.trial)
            if not m.is_control:
                for k in since:
                    since[k] += 1
                out.setdefault(m.trial, set())
        if not m.is_control and since.get(key, 1) > 1:
            out[m.trial].add(key)
        since[key] = 0
    return {k: frozenset(v) for k, v in out.items()}
