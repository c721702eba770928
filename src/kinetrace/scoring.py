"""Trial scoring: what each treatment trial changed, marker by marker and overall.

The method (docs/scoring.md has the reasoning):

* Trials are sequential. Each is scored from its own pre-state: the trial's ``pre`` values
  where given, otherwise each marker's latest value (baseline, then session-start
  measurements, then earlier trials' ``post``). So a later trial starts from an already
  changed state (carry-over) and is credited only with what *it* changed.
* Control trials (candidate ``control``: re-test with no treatment) estimate re-test drift:
  the mean change of each marker over the control trials. That drift is subtracted from every
  treatment trial's change of that marker (``net_change``).
* A change is *real* when ``|net_change| >= MDC`` (the marker's minimal detectable change);
  within the MDC it is noise and never counts. It is an improvement or a worsening according to
  the marker's better direction.
* ``deficit_restored_pct``: where a marker has a target (normal value), the share of the
  pre-trial deficit the trial closed, in %.
* Global change per trial, in [-1, 1]::

      G = sum_m w_m * g(z_m) / sum_{all markers of the case} w_m
      z_m = direction * net_change_m / MDC_m          (improvement in MDC units)
      g(z) = 0 if |z| < 1 else clip(z, -2, 2) / 2      (real changes only, capped at 2 MDC)
      w_m = PRIMARY_WEIGHT for the primary complaint measure(s), 1 otherwise

  So G is the weighted share of *all* the patient's signs that really improved (a sign that
  improved by 2 MDC or more counts fully, by 1 MDC half), minus those that really worsened.
  Signs not re-tested count as unchanged: re-testing a subset cannot inflate G.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kinetrace.case.model import Case, Marker
from kinetrace.timeline import Timeline, timeline

#: Weight of the patient's primary complaint measure in the global change.
PRIMARY_WEIGHT = 2.0
#: Improvements beyond this many MDCs add nothing more to the global change.
CAP_IN_MDC = 2.0
#: Float tolerance for "a change of exactly one MDC is real".
_EPS = 1e-9


@dataclass(frozen=True)
class MarkerChange:
    """One marker's change in one trial."""

    marker: str
    pre: float
    post: float
    change: float
    drift: float
    net_change: float
    change_in_mdc: float
    real: bool
    improved: bool
    worsened: bool
    deficit_restored_pct: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "marker": self.marker,
            "pre": self.pre,
            "post": self.post,
            "change": _r(self.change),
            "drift": _r(self.drift),
            "net_change": _r(self.net_change),
            "change_in_mdc": _r(self.change_in_mdc),
            "real": self.real,
            "improved": self.improved,
            "worsened": self.worsened,
            "deficit_restored_pct": None if self.deficit_restored_pct is None else _r(self.deficit_restored_pct),
        }


@dataclass(frozen=True)
class TrialScore:
    """A scored trial: its marker changes and its global change."""

    id: str
    session: str
    candidate: str
    intervention: str
    is_control: bool
    markers: tuple[MarkerChange, ...]
    global_change: float
    n_improved: int
    n_worsened: int
    primary_improved: bool | None = None
    pre_state: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session": self.session,
            "candidate": self.candidate,
            "intervention": self.intervention,
            "control": self.is_control,
            "global_change": _r(self.global_change),
            "n_retested": len(self.markers),
            "n_improved": self.n_improved,
            "n_worsened": self.n_worsened,
            "primary_improved": self.primary_improved,
            "markers": [m.to_dict() for m in self.markers],
        }


def _r(x: float) -> float:
    return round(float(x), 4)


def marker_weight(m: Marker) -> float:
    """Weight of a marker in the global change."""
    return PRIMARY_WEIGHT if m.primary else 1.0


def graded_improvement(z: float) -> float:
    """g(z): 0 within the MDC, else the improvement in MDC units capped at +-2 and halved."""
    if abs(z) < 1.0 - _EPS:
        return 0.0
    return max(-CAP_IN_MDC, min(CAP_IN_MDC, float(z))) / CAP_IN_MDC  # a scalar: np.clip costs ~30 µs


def estimate_drift(case: Case, tl: Timeline | None = None) -> dict[str, float]:
    """Mean re-test change of each marker over the case's control trials (no treatment)."""
    changes: dict[str, list[float]] = {}
    for step in (tl or timeline(case)).trials:
        if step.trial.is_control:
            for key, post in step.trial.post.items():
                changes.setdefault(key, []).append(post - step.pre[key])
    return {key: float(np.mean(v)) for key, v in changes.items()}


def latest_values(case: Case) -> dict[str, float]:
    """Each marker's most recent value (after the last session and trial): ``timeline(case).latest``."""
    return dict(timeline(case).latest)


def score_marker(m: Marker, pre: float, post: float, drift: float = 0.0) -> MarkerChange:
    """Score one marker's change from ``pre`` to ``post`` against its MDC."""
    change = post - pre
    net = change - drift
    mdc = m.mdc_value
    in_mdc = net / mdc
    real = abs(net) >= mdc - _EPS
    better = m.direction * net
    restored = None
    if m.target is not None:
        deficit = m.direction * (m.target - pre)
        if deficit > _EPS:
            restored = 100.0 * better / deficit
    return MarkerChange(
        marker=m.id,
        pre=pre,
        post=post,
        change=change,
        drift=drift,
        net_change=net,
        change_in_mdc=in_mdc,
        real=real,
        improved=real and better > 0,
        worsened=real and better < 0,
        deficit_restored_pct=restored,
    )


def score_trials(case: Case) -> list[TrialScore]:
    """Score every trial of a case, in the order they were done."""
    markers = {m.id: m for m in case.markers}
    tl = timeline(case)
    drift = estimate_drift(case, tl)
    total_weight = sum(marker_weight(m) for m in case.markers) or 1.0
    scores = []
    for step in tl.trials:
        trial, pre = step.trial, dict(step.pre)
        changes = []
        g = 0.0
        for key in sorted(trial.post, key=lambda k: list(markers).index(k)):
            m = markers[key]
            c = score_marker(m, pre[key], trial.post[key], 0.0 if trial.is_control else drift.get(key, 0.0))
            changes.append(c)
            g += marker_weight(m) * graded_improvement(m.direction * c.change_in_mdc)
        primaries = [c for c in changes if markers[c.marker].primary]
        scores.append(
            TrialScore(
                id=trial.id,
                session=step.session,
                candidate=trial.candidate,
                intervention=trial.intervention,
                is_control=trial.is_control,
                markers=tuple(changes),
                global_change=g / total_weight,
                n_improved=sum(c.improved for c in changes),
                n_worsened=sum(c.worsened for c in changes),
                primary_improved=any(c.improved for c in primaries) if primaries else None,
                pre_state=pre,
            )
        )
    return scores
