"""Fit a clinic's model from its confirmed cases: maximum marginal likelihood with shrinkage.

For a confirmed case with findings f_1..f_n and confirmed outcome d (a finding or "none"), the
trials' likelihood given d does not depend on the prior's parameters, so the marginal
likelihood of the prior parameters theta is the prior probability of the confirmed outcome::

    P_theta(d) = (1 - p_none) w_theta(d) / sum_g w_theta(g)      (d a finding)
               = p_none                                          (d = "none")

Every prior factor is the shipped factor times exp(theta_j); the objective is

    - sum_cases log P_theta(d) + sum_j theta_j^2 / (2 tau^2)

(a normal prior of SD tau on every log-multiplier: shrinkage towards the shipped defaults;
p_none likewise on the logit scale). tau is chosen by k-fold cross-validation of the held-out
log P(d). The likelihood's expected response (``restore_fraction``) is chosen on a small grid by
the held-out log posterior of d for cases that have trials, and kept at the default unless it
improves that by at least 0.01 per case.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import get_args

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from kinetrace.case.model import Case, FindingKind
from kinetrace.engine.atlas import atlas
from kinetrace.engine.params import DEFAULT_PARAMS, EngineParams
from kinetrace.engine.prior import PriorFactors, complaint_areas, is_local, linkage_strength, region_group
from kinetrace.learning.model import Model

FloatArray = NDArray[np.float64]

#: Candidate prior SDs of the log-multipliers (cross-validated).
TAUS: tuple[float, ...] = (0.25, 0.5, 1.0)
#: Candidate expected responses (share of the remaining deficit) for the likelihood.
RESTORE_GRID: tuple[float, ...] = (0.35, 0.5, 0.7)
KINDS: tuple[str, ...] = get_args(FindingKind)  # the case vocabulary, in its order
SEVERITIES = (1, 2, 3)
HISTORY = ("old_injury", "sustained_posture", "repetitive_load", "surgery", "other")


class LearnError(ValueError):
    """Nothing to learn from (no case records a confirmed outcome)."""


@dataclass(frozen=True)
class _Data:
    """Every finding of every confirmed case as arrays (one row per finding)."""

    case: NDArray[np.intp]  # case index of each finding
    kind: NDArray[np.intp]
    severity: NDArray[np.intp]
    history: FloatArray  # (rows, len(HISTORY)) counts
    group: NDArray[np.intp]
    strength: FloatArray
    local: FloatArray
    base: FloatArray  # shipped kind x severity x region factor
    label_row: NDArray[np.intp]  # per case: the row of the confirmed driver, -1 for "none"
    groups: tuple[str, ...]

    @property
    def n_cases(self) -> int:
        return len(self.label_row)


def confirmed(cases: Sequence[Case]) -> list[Case]:
    """The cases that record a confirmed outcome (and have findings)."""
    return [c for c in cases if c.confirmed_driver is not None and c.findings]


def _features(cases: Sequence[Case]) -> _Data:
    pri = atlas().priors
    groups = (*sorted(pri.region_groups), "other")
    rows: dict[str, list[float]] = {k: [] for k in ("case", "kind", "sev", "group", "s", "local", "base")}
    hist: list[list[float]] = []
    label: list[int] = []
    for ci, c in enumerate(cases):
        areas = complaint_areas(c)
        label.append(-1)
        for f in c.findings:
            if f.id == c.confirmed_driver:
                label[-1] = len(rows["case"])
            rows["case"].append(ci)
            rows["kind"].append(KINDS.index(f.kind))
            rows["sev"].append(SEVERITIES.index(f.severity))
            rows["group"].append(groups.index(region_group(f.region)))
            rows["s"].append(linkage_strength(f, areas))
            rows["local"].append(1.0 if is_local(f, areas) else 0.0)
            rows["base"].append(pri.kind_factor[f.kind] * pri.severity_factor[f.severity] * pri.region_factor(f.region))
            hist.append([float(sum(h.kind == k for h in f.history)) for k in HISTORY])
    return _Data(
        case=np.asarray(rows["case"], dtype=np.intp),
        kind=np.asarray(rows["kind"], dtype=np.intp),
        severity=np.asarray(rows["sev"], dtype=np.intp),
        history=np.asarray(hist, dtype=np.float64).reshape(-1, len(HISTORY)),
        group=np.asarray(rows["group"], dtype=np.intp),
        strength=np.asarray(rows["s"], dtype=np.float64),
        local=np.asarray(rows["local"], dtype=np.float64),
        base=np.asarray(rows["base"], dtype=np.float64),
        label_row=np.asarray(label, dtype=np.intp),
        groups=groups,
    )


def _split(theta: FloatArray, n_groups: int) -> dict[str, FloatArray]:
    sizes = {
        "kind": len(KINDS),
        "sev": len(SEVERITIES),
        "hist": len(HISTORY),
        "group": n_groups,
        "power": 1,
        "local": 1,
    }
    out, i = {}, 0
    for k, n in sizes.items():
        out[k] = theta[i : i + n]
        i += n
    out["p_none"] = theta[i : i + 1]
    return out


def _n_params(n_groups: int) -> int:
    return len(KINDS) + len(SEVERITIES) + len(HISTORY) + n_groups + 3


def _terms(theta: FloatArray, d: _Data, p_none0: float) -> tuple[FloatArray, FloatArray, float]:
    """Per finding: log w_theta and d log w / d theta (rows x params); and P(none)."""
    pri = atlas().priors
    t = _split(theta, len(d.groups))
    n_rows, n_par = len(d.case), len(theta)
    shipped_h = np.log(np.asarray([pri.history_factor[k] for k in HISTORY]))
    log_hist = d.history @ (shipped_h + t["hist"])
    capped = log_hist >= math.log(pri.history_cap)
    power = math.exp(float(t["power"][0]))
    sp = np.where(d.strength > 0, d.strength, 1e-12) ** power
    link = pri.linkage_floor + sp
    log_w = (
        np.log(d.base)
        + t["kind"][d.kind]
        + t["sev"][d.severity]
        + t["group"][d.group]
        + float(t["local"][0]) * d.local
        + np.minimum(log_hist, math.log(pri.history_cap))
        + np.log(link)
    )
    grad = np.zeros((n_rows, n_par))
    rows = np.arange(n_rows)
    off = 0
    grad[rows, off + d.kind] = 1.0
    off += len(KINDS)
    grad[rows, off + d.severity] = 1.0
    off += len(SEVERITIES)
    grad[:, off : off + len(HISTORY)] = np.where(capped[:, None], 0.0, d.history)
    off += len(HISTORY)
    grad[rows, off + d.group] = 1.0
    off += len(d.groups)
    grad[:, off] = sp * np.log(np.where(d.strength > 0, d.strength, 1e-12)) * power / link
    grad[:, off + 1] = d.local
    logit0 = math.log(p_none0 / (1.0 - p_none0))
    p_none = 1.0 / (1.0 + math.exp(-(logit0 + float(t["p_none"][0]))))
    return np.asarray(log_w, dtype=np.float64), grad, p_none


def _log_probs(theta: FloatArray, d: _Data, p_none0: float) -> FloatArray:
    """log P_theta(confirmed outcome) of every case."""
    return _log_probs_grad(theta, d, p_none0)[0]


def _log_probs_grad(theta: FloatArray, d: _Data, p_none0: float) -> tuple[FloatArray, FloatArray]:
    """log P_theta(confirmed outcome) of every case and the gradient of their sum."""
    log_w, grad_w, p_none = _terms(theta, d, p_none0)
    top = np.full(d.n_cases, -np.inf)
    np.maximum.at(top, d.case, log_w)
    w = np.exp(log_w - top[d.case])
    totals = np.bincount(d.case, weights=w, minlength=d.n_cases)
    share = w / totals[d.case]
    listed = d.label_row >= 0
    out = np.full(d.n_cases, math.log(p_none))
    rows = d.label_row[listed]
    out[listed] = math.log1p(-p_none) + log_w[rows] - (np.log(totals[listed]) + top[listed])
    # d/dtheta: phi(d) - sum_g share_g phi(g) for listed cases; p_none on the logit scale
    in_listed = listed[d.case]
    grad = grad_w[rows].sum(axis=0) - (share[in_listed, None] * grad_w[in_listed]).sum(axis=0)
    n_listed = int(listed.sum())
    grad[-1] = -p_none * n_listed + (1.0 - p_none) * (d.n_cases - n_listed)
    return np.asarray(out, dtype=np.float64), np.asarray(grad, dtype=np.float64)


def _fit(d: _Data, tau: float, p_none0: float) -> FloatArray:
    n = _n_params(len(d.groups))

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        logp, grad = _log_probs_grad(theta, d, p_none0)
        return float(-logp.sum() + (theta**2).sum() / (2.0 * tau**2)), -grad + theta / tau**2

    res = minimize(objective, np.zeros(n), jac=True, method="L-BFGS-B", bounds=[(-4.0, 4.0)] * n)
    return np.asarray(res.x, dtype=np.float64)


def _subset(d: _Data, keep: NDArray[np.bool_]) -> _Data:
    """The cases where ``keep`` is True (rows renumbered)."""
    rows = keep[d.case]
    new_index = np.cumsum(keep) - 1
    row_map = np.cumsum(rows) - 1
    labels = d.label_row[keep]
    return _Data(
        case=new_index[d.case[rows]],
        kind=d.kind[rows],
        severity=d.severity[rows],
        history=d.history[rows],
        group=d.group[rows],
        strength=d.strength[rows],
        local=d.local[rows],
        base=d.base[rows],
        label_row=np.where(labels >= 0, row_map[np.maximum(labels, 0)], -1),
        groups=d.groups,
    )


def _folds(n: int, k: int) -> list[NDArray[np.bool_]]:
    order = np.arange(n)
    return [order % k == i for i in range(k)]


def cross_validate(d: _Data, tau: float | None, p_none0: float, k: int) -> float:
    """Mean held-out log P(confirmed outcome); ``tau=None`` scores the shipped defaults."""
    scores = []
    for test in _folds(d.n_cases, k):
        if not test.any() or test.all():
            continue
        theta = np.zeros(_n_params(len(d.groups))) if tau is None else _fit(_subset(d, ~test), tau, p_none0)
        scores.extend(_log_probs(theta, _subset(d, test), p_none0).tolist())
    return float(np.mean(scores)) if scores else float("nan")


def factors_from(theta: FloatArray, groups: tuple[str, ...]) -> tuple[PriorFactors, float]:
    """The PriorFactors (multipliers) and the p_none multiplier on the logit scale of ``theta``."""
    t = _split(theta, len(groups))
    factors = PriorFactors(
        kind=tuple((k, math.exp(float(v))) for k, v in zip(KINDS, t["kind"], strict=True)),
        severity=tuple((s, math.exp(float(v))) for s, v in zip(SEVERITIES, t["sev"], strict=True)),
        history=tuple((h, math.exp(float(v))) for h, v in zip(HISTORY, t["hist"], strict=True)),
        region_group=tuple((g, math.exp(float(v))) for g, v in zip(groups, t["group"], strict=True)),
        linkage_power=math.exp(float(t["power"][0])),
        local=math.exp(float(t["local"][0])),
    )
    return factors, float(t["p_none"][0])


def _p_none(logit_shift: float, p_none0: float) -> float:
    logit0 = math.log(p_none0 / (1.0 - p_none0))
    return 1.0 / (1.0 + math.exp(-(logit0 + logit_shift)))


def _choose_restore(cases: Sequence[Case], params: EngineParams, limit: int = 200) -> float:
    """The restore fraction whose held-out log posterior of the confirmed outcome is best."""
    from kinetrace.analysis import analyse

    with_trials = [c for c in cases if any(not t.is_control for _, t in c.trials)][:limit]
    if len(with_trials) < 25:
        return params.restore_fraction

    def score(restore: float) -> float:
        p = replace(params, restore_fraction=restore)
        total = 0.0
        for c in with_trials:
            probs = {r.candidate: r.probability for r in analyse(c, params=p).ranking}
            total += math.log(max(probs.get(str(c.confirmed_driver), 0.0), 1e-12))
        return total / len(with_trials)

    scores = {r: score(r) for r in {params.restore_fraction, *RESTORE_GRID}}
    best = max(RESTORE_GRID, key=lambda r: scores[r])
    return best if scores[best] >= scores[params.restore_fraction] + 0.01 else params.restore_fraction


def _report(model: Model, groups: tuple[str, ...]) -> tuple[str, ...]:
    cv_d, cv_f = (float("nan") if x is None else x for x in (model.cv_defaults, model.cv_fitted))
    lines = [
        f"Fitted on {model.cases} confirmed cases; shrinkage SD {model.shrinkage:g} "
        f"(cross-validated, {model.folds} folds).",
        f"Held-out mean log P(confirmed outcome): shipped defaults {cv_d:.3f}, fitted {cv_f:.3f}.",
    ]
    f = model.factors
    changed = [
        (f"{name} {k}", v)
        for name, table in (
            ("kind", f.kind),
            ("severity", f.severity),
            ("history", f.history),
            ("region group", f.region_group),
        )
        for k, v in table
        if abs(math.log(v)) >= math.log(1.05)
    ]
    changed += [
        (n, v)
        for n, v in (("linkage power", f.linkage_power), ("local finding", f.local))
        if abs(math.log(v)) >= math.log(1.05)
    ]
    for name, v in sorted(changed, key=lambda x: -abs(math.log(x[1]))):
        lines.append(f"{name}: x{v:.2f} ({'+' if v > 1 else ''}{100 * (v - 1):.0f} %)")
    if not changed:
        lines.append("No prior factor moved by 5 % or more from the shipped defaults.")
    lines.append(f"P(none) {model.p_none:.3f} (shipped {DEFAULT_PARAMS.p_none:.3f}).")
    shipped = DEFAULT_PARAMS.restore_fraction
    lines.append(f"Expected response (restore fraction) {model.restore_fraction:.2f} (shipped {shipped:.2f}).")
    return tuple(lines)


def learn(cases: Sequence[Case], *, folds: int = 5, version: int = 1, fit_likelihood: bool = True) -> Model:
    """Fit a clinic's model from its confirmed cases (``confirmed_driver``).

    Parameters
    ----------
    cases : sequence of Case
        Loaded cases; those without ``confirmed_driver`` (or without findings) are skipped.
    folds : int
        Cross-validation folds (at most one per case).
    version : int
        The model's version number (bump it when refitting a clinic's model).
    fit_likelihood : bool
        Also choose the likelihood's expected response from cases with trials.

    Returns
    -------
    Model
        Multipliers on the shipped prior, P(none) and the expected response, with a report.
    """
    usable = confirmed(cases)
    if not usable:
        raise LearnError("no case records a confirmed_driver (a finding id or none); nothing to learn from")
    d = _features(usable)
    k = max(2, min(folds, d.n_cases))
    p_none0 = DEFAULT_PARAMS.p_none
    cv_default = cross_validate(d, None, p_none0, k) if d.n_cases >= 2 else float("nan")
    cv = {tau: cross_validate(d, tau, p_none0, k) for tau in TAUS} if d.n_cases >= 2 else {TAUS[0]: float("nan")}
    tau = max(cv, key=lambda t: (cv[t] if cv[t] == cv[t] else -math.inf, -t))
    factors, logit_shift = factors_from(_fit(d, tau, p_none0), d.groups)
    p_none = _p_none(logit_shift, p_none0)
    params = replace(DEFAULT_PARAMS, prior_factors=factors, p_none=p_none)
    restore = _choose_restore(usable, params) if fit_likelihood else DEFAULT_PARAMS.restore_fraction
    model = Model(
        factors=factors,
        p_none=p_none,
        restore_fraction=restore,
        version=version,
        cases=d.n_cases,
        shrinkage=tau,
        cv_defaults=cv_default,
        cv_fitted=cv[tau],
        folds=k,
    )
    return replace(model, report=_report(model, d.groups))
