"""Outcomes across sessions for the reports, read from the episode's timeline (no walk of its own).

Points, in order (:func:`outcome_points`):

* ``Baseline`` (the markers' baseline, first session's date),
* for each session: ``<id> start`` when markers were measured at its start (its ``measurements``
  or its first trial's ``pre``), and ``<id> end`` when it has trials: the value after the
  session's trials of each marker re-tested in that session.

A value is given only where the marker was actually measured at that point (``None`` otherwise):
carried-over values are not outcomes. Verdicts against the MDC come from the scoring function
(:func:`kinetrace.timeline.change`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kinetrace.case.model import Case, Marker
from kinetrace.timeline import Timeline, change, timeline


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


def outcome_points(case: Case, tl: Timeline | None = None) -> list[OutcomePoint]:
    """The measured values of every marker at baseline and at the start/end of each session."""
    tl = tl or timeline(case)
    first = tl.sessions[0] if tl.sessions else None
    points = [
        OutcomePoint("Baseline", first.date if first else None, first.session if first else None, dict(tl.baseline))
    ]
    for s in tl.sessions:
        if s.measured_start:
            points.append(
                OutcomePoint(f"{s.session} start", s.date, s.session, {k: s.start[k] for k in s.measured_start})
            )
        if s.measured_end:
            points.append(OutcomePoint(f"{s.session} end", s.date, s.session, {k: s.end[k] for k in s.measured_end}))
    return points


def marker_outcomes(case: Case, tl: Timeline | None = None) -> list[MarkerOutcome]:
    """Each marker's change from baseline to its latest value, judged by the scoring function.

    Primary markers come first.
    """
    tl = tl or timeline(case)
    out = []
    for m in sorted(case.markers, key=lambda m: not m.primary):
        first, last = tl.first_and_last(m.id)
        scored = change(m, first, last)
        reached = None if m.target is None else m.direction * (last - m.target) >= 0
        out.append(
            MarkerOutcome(
                marker=m,
                first=first,
                last=last,
                change=scored.change,
                change_in_mdc=scored.change_in_mdc,
                improved=scored.improved,
                worsened=scored.worsened,
                target_reached=reached,
            )
        )
    return out
