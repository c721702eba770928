"""Outcomes across sessions: each marker's measured value at each point of the episode.

Pure function of the case (no analysis needed). Points, in order:

* ``Baseline`` (the markers' baseline, first session's date),
* for each session: ``<id> start`` when the session has ``measurements``, and ``<id> end`` when it
  has trials: the last trial ``post`` value of each marker re-tested in that session.

A value is given only where the marker was actually measured at that point (``None`` otherwise):
carried-over values are not outcomes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kinetrace.case.model import Case, Marker


@dataclass(frozen=True)
class OutcomePoint:
    label: str
    date: dt.date | None
    session: str | None
    values: dict[str, float]


@dataclass(frozen=True)
class MarkerOutcome:
    """A marker's first and last measured values and whether the change exceeds its MDC."""

    marker: Marker
    first: float
    last: float
    change: float
    change_in_mdc: float
    improved: bool
    worsened: bool
    target_reached: bool | None


def outcome_points(case: Case) -> list[OutcomePoint]:
    """The measured values of every marker at baseline and at the start/end of each session."""
    first = case.sessions[0] if case.sessions else None
    points = [
        OutcomePoint(
            "Baseline",
            first.date if first else None,
            first.id if first else None,
            {m.id: m.baseline for m in case.markers},
        )
    ]
    for s in case.sessions:
        if s.measurements:
            points.append(OutcomePoint(f"{s.id} start", s.date, s.id, dict(s.measurements)))
        if s.trials:
            end: dict[str, float] = {}
            for t in s.trials:
                end.update(t.post)
            points.append(OutcomePoint(f"{s.id} end", s.date, s.id, end))
    return points


def marker_outcomes(case: Case) -> list[MarkerOutcome]:
    """Each marker's change from baseline to its last measured value, judged against its MDC.

    Primary markers come first. ``improved``/``worsened`` need ``|change| >= MDC`` in the marker's
    better direction (the same rule as trial scoring, without drift correction).
    """
    points = outcome_points(case)
    out = []
    for m in sorted(case.markers, key=lambda m: not m.primary):
        series = [p.values[m.id] for p in points if m.id in p.values]
        first, last = series[0], series[-1]
        change = last - first
        z = change / m.mdc_value
        real = abs(z) >= 1.0 - 1e-9
        reached = None if m.target is None else m.direction * (last - m.target) >= 0
        out.append(
            MarkerOutcome(
                marker=m,
                first=first,
                last=last,
                change=change,
                change_in_mdc=z,
                improved=real and m.direction * change > 0,
                worsened=real and m.direction * change < 0,
                target_reached=reached,
            )
        )
    return out
