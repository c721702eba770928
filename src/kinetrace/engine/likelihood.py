"""Likelihood of one trial's marker changes if the trialled finding is, or is not, the driver.

Each re-tested marker gives ``z = direction * net_change / MDC`` (drift from control trials
already removed by :mod:`kinetrace.scoring`). A change within the MDC is *censored*: only
"|z| < 1" is used, never its value, so noise below the MDC cannot build up evidence (it can only
count against a broad response). Densities (docs/engine.md, "Likelihood")::

    noise(z)        = (1-t) N(z; 0, s) + t N(z; 0, k s)
    response(z; mu) = (1-t) N(z; mu, sqrt(s^2 + (cv mu)^2)) + t N(z; 0, k s)

    driver treated   L_D = (1-fail) * Int prod_m [p_m(f) resp_m + (1-p_m(f)) noise_m] Beta(f) df
                            + fail * L_0
    not the driver   L_N = (1-eta) * L_0 + eta * L_S     (L_S: secondary contributor, smaller
                                                          response, fewer markers)
    L_0              = prod_m [rho_m resp_m + (1-rho_m) noise_m]   (rho: local or spurious)

``mu`` is the expected improvement: ``min(restore * deficit, cap)`` where the marker has a
target (carry-over: an already restored marker expects nothing), else ``response_default``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp, ndtr
from scipy.stats import beta as beta_dist

from kinetrace.case.model import Marker
from kinetrace.engine.params import EngineParams
from kinetrace.scoring import TrialScore

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

    @property
    def log_ratio(self) -> float:
        """log L_D - log L_N: the evidence this trial gives for its candidate being the driver."""
        return self.log_driver - self.log_not


@cache
def _beta_grid(a: float, b: float, n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Equal-weight quadrature of Beta(a, b): midpoints of n equal-probability bins."""
    q = (np.arange(n) + 0.5) / n
    return np.asarray(beta_dist.ppf(q, a, b), dtype=np.float64), np.full(n, -np.log(n))


def _log_norm_pdf(z: NDArray[np.float64], mu: NDArray[np.float64], sd: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(-0.5 * ((z - mu) / sd) ** 2 - np.log(sd) - _LOG_SQRT_2PI, dtype=np.float64)


def _mass_within(mu: NDArray[np.float64], sd: NDArray[np.float64]) -> NDArray[np.float64]:
    """P(|z| < 1) under N(mu, sd)."""
    return np.asarray(ndtr((1.0 - mu) / sd) - ndtr((-1.0 - mu) / sd), dtype=np.float64)


def _density(
    z: NDArray[np.float64],
    censored: NDArray[np.bool_],
    mu: NDArray[np.float64],
    sd_noise: float,
    params: EngineParams,
) -> NDArray[np.float64]:
    """Per-marker likelihood (density, or mass within the MDC when censored) of N(mu, .) + tail."""
    t = params.noise_tail_weight
    sd_core = np.sqrt(sd_noise**2 + (params.response_cv * mu) ** 2)
    sd_tail = np.full_like(mu, params.noise_tail_scale * sd_noise)
    zero = np.zeros_like(mu)
    dens = (1 - t) * np.exp(_log_norm_pdf(z, mu, sd_core)) + t * np.exp(_log_norm_pdf(z, zero, sd_tail))
    mass = (1 - t) * _mass_within(mu, sd_core) + t * _mass_within(zero, sd_tail)
    return np.where(censored, mass, dens)


def _mixture_log_lik(
    p_respond: NDArray[np.float64], resp: NDArray[np.float64], noise: NDArray[np.float64]
) -> NDArray[np.float64]:
    """sum_m log(p resp + (1-p) noise), over the last axis."""
    return np.asarray(np.log(p_respond * resp + (1.0 - p_respond) * noise).sum(axis=-1), dtype=np.float64)


def trial_likelihood(
    score: TrialScore,
    markers: dict[str, Marker],
    local_nodes: frozenset[tuple[str, str]],
    marker_nodes: dict[str, frozenset[tuple[str, str]]],
    sd_noise: float,
    params: EngineParams,
) -> TrialLikelihood:
    """Log-likelihoods of one scored treatment trial.

    Parameters
    ----------
    score : TrialScore
        The scored trial (net changes in MDC units, censoring by the MDC).
    markers : dict
        Marker id -> resolved marker of the case.
    local_nodes : frozenset
        Graph nodes of the trialled finding (markers there may respond to a non-driver).
    marker_nodes : dict
        Marker id -> the graph nodes the marker stands for.
    sd_noise : float
        Re-test noise SD in MDC units for this case.
    params : EngineParams
        The stated model parameters.
    """
    n = len(score.markers)
    z = np.empty(n)
    mu = np.empty(n)
    censored = np.empty(n, dtype=bool)
    primary = np.empty(n, dtype=bool)
    local = np.empty(n, dtype=bool)
    for i, c in enumerate(score.markers):
        m = markers[c.marker]
        z[i] = m.direction * c.change_in_mdc
        censored[i] = not c.real
        primary[i] = m.primary
        local[i] = not marker_nodes[c.marker].isdisjoint(local_nodes)
        if m.target is None:
            mu[i] = params.response_default
        else:
            deficit = max(0.0, m.direction * (m.target - c.pre) / m.mdc_value)
            mu[i] = min(params.restore_fraction * deficit, params.response_max)
    noise = _density(z, censored, np.zeros(n), sd_noise, params)
    resp = _density(z, censored, mu, sd_noise, params)
    resp_sec = _density(z, censored, params.secondary_scale * mu, sd_noise, params)

    rho = np.where(local, params.local_response, params.spurious_response)
    log_null = float(_mixture_log_lik(rho, resp, noise))

    f, logw = _beta_grid(*params.driver_beta, params.grid)
    p = f[:, None] + (1.0 - f[:, None]) * np.where(primary, params.primary_boost, 0.0)[None, :]
    log_resp = float(logsumexp(logw + _mixture_log_lik(p, resp[None, :], noise[None, :])))

    fs, logws = _beta_grid(*params.secondary_beta, params.grid)
    log_sec = float(logsumexp(logws + _mixture_log_lik(fs[:, None], resp_sec[None, :], noise[None, :])))

    fail, eta = params.driver_failure, params.secondary_rate
    log_driver = float(np.logaddexp(np.log1p(-fail) + log_resp, np.log(fail) + log_null))
    log_not = float(np.logaddexp(np.log1p(-eta) + log_null, np.log(eta) + log_sec))
    return TrialLikelihood(
        trial=score.id,
        candidate=score.candidate,
        log_driver=log_driver,
        log_not=log_not,
        log_null=log_null,
        log_secondary=log_sec,
    )


def noise_sd_from_controls(controls: list[TrialScore], markers: dict[str, Marker], params: EngineParams) -> float:
    """Re-test noise SD (MDC units), shrunk towards ``params.noise_sd`` by the control trials.

    ``s^2 = (k s0^2 + sum z^2) / (k + n)`` over the n re-tested markers of the control trials.
    """
    zs = [markers[c.marker].direction * c.change_in_mdc for t in controls for c in t.markers]
    k = params.noise_prior_strength
    return float(np.sqrt((k * params.noise_sd**2 + float(np.sum(np.square(zs)))) / (k + len(zs))))
