"""The episode's timeline: the one walk through a case's sessions and trials (plain Python, core).

Every consumer that needs "what was the value when" reads it from here: trial scoring (the state
before each trial), the workbench ("now"), the sessions chart, the reports' outcomes, FHIR and CSV
(every measurement in order). No other module walks ``case.sessions`` for marker values.

Rules, stated once:

* **State.** Each marker starts at its ``baseline``. A session's ``measurements`` update it at the
  session's start; a trial's ``pre`` values (re-measured just before it) update it before the
  trial; its ``post`` values after it. A value not re-measured is carried over.
* **State before a trial** (:attr:`TrialState.pre`): the state after everything measured before
  it, including its own ``pre`` - what scoring credits the trial against.
* **Session start / end** (:class:`SessionValues`, for any marker): ``start`` is the value at the
  session's start (its measurement, else carried over from before: ``start_measured`` says
  which); ``end`` the value after its last trial (``end_measured``: re-tested in this session).
  ``pct_change`` is the improvement from *that session's* start to its end in % of the start,
  positive = better (None when the start is 0).
* **Resolved** (:func:`resolved`): every primary marker that has a target has reached it at its
  latest value (and at least one primary marker has a target).
* **Measurements** (:attr:`Timeline.measurements`): every value actually taken (baseline, session,
  trial pre, trial post), numbered in order; carried-over values are not measurements.

MDC verdicts are never made here: :func:`change` scores a start/end pair through
:func:`kinetrace.scoring.score_marker`, the one MDC rule.

>>> import kinetrace
>>> case = kinetrace.load_case("examples/mrs_h.yaml")  # doctest: +SKIP
>>> tl = timeline(case)  # doctest: +SKIP
>>> [(s.session, s.start, s.end) for s in tl.marker_sessions("pain_run")]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kinetrace.case.model import Case, Marker, Session, Trial

if TYPE_CHECKING:
    from kinetrace.scoring import MarkerChange

Phase = Literal["baseline", "session", "trial_pre", "trial_post"]
PHASES: tuple[Phase, ...] = ("baseline", "session", "trial_pre", "trial_post")


@dataclass(frozen=True)
class Measurement:
    """One value of one marker taken at one moment (``seq`` numbers them in order, from 1)."""

    seq: int
    marker: Marker
    value: float
    phase: Phase
    date: dt.date | None
    session: str | None
    trial: str | None
    candidate: str | None
    intervention: str | None
    is_control: bool | None

    @property
    def key(self) -> str:
        """Stable id of the measurement within its case: ``marker/phase[/session[/trial]]``."""
        parts = [self.marker.id, self.phase]
        if self.session:
            parts.append(self.session)
        if self.trial:
            parts.append(self.trial)
        return "/".join(parts)


@dataclass(frozen=True)
class TrialState:
    """A trial in episode order: its session, its position and the state before it."""

    trial: Trial
    session: str
    date: dt.date
    #: position of the trial in the episode (1, 2, ...): the order of trials within a day
    sequence: int
    #: each marker's value just before the trial (its own ``pre`` included)
    pre: Mapping[str, float]


@dataclass(frozen=True)
class SessionSpan:
    """A session's state at its start and its end, and which markers were measured in it."""

    session: str
    date: dt.date
    start: Mapping[str, float]
    end: Mapping[str, float]
    measured_start: frozenset[str]
    measured_end: frozenset[str]


@dataclass(frozen=True)
class SessionValues:
    """One marker in one session: start and end values and the change from that session's start."""

    session: str
    date: dt.date
    label: str
    start: float
    end: float
    start_measured: bool
    end_measured: bool
    #: improvement from this session's start to its end, % of the start (positive = better)
    pct_change: float | None


@dataclass(frozen=True)
class Timeline:
    """The walked episode: measurements, trials with their pre-states, sessions, latest values."""

    case: Case
    measurements: tuple[Measurement, ...]
    trials: tuple[TrialState, ...]
    sessions: tuple[SessionSpan, ...]
    baseline: Mapping[str, float]
    latest: Mapping[str, float]

    def marker_sessions(self, marker_id: str) -> list[SessionValues]:
        """Start and end of every session for one marker (any marker of the case)."""
        marker = self.case.marker(marker_id)
        return [
            SessionValues(
                session=s.session,
                date=s.date,
                label=f"{s.session} {s.date:%d %b}",
                start=s.start[marker_id],
                end=s.end[marker_id],
                start_measured=marker_id in s.measured_start,
                end_measured=marker_id in s.measured_end,
                pct_change=pct_change(marker, s.start[marker_id], s.end[marker_id]),
            )
            for s in self.sessions
        ]

    def first_and_last(self, marker_id: str) -> tuple[float, float]:
        """A marker's baseline and its latest value."""
        return self.baseline[marker_id], self.latest[marker_id]


def improvement_pct(start: float, end: float, direction: int) -> float | None:
    """Improvement from ``start`` to ``end`` in % of ``start``; ``direction`` +1 when higher is better, -1 when
    lower is; positive = better; None when start is 0 (no percentage of nothing). The one rule every surface uses."""
    if start == 0:
        return None
    return 100.0 * direction * (end - start) / abs(start)


def pct_change(marker: Marker, start: float, end: float) -> float | None:
    """Improvement from ``start`` to ``end`` in % of ``start`` (positive = better); None when start is 0."""
    return improvement_pct(start, end, marker.direction)


def change(marker: Marker, start: float, end: float) -> MarkerChange:
    """A start/end pair judged against the marker's MDC by the scoring function (no drift)."""
    from kinetrace.scoring import score_marker

    return score_marker(marker, start, end)


def resolved(tl: Timeline) -> bool:
    """True when every primary marker with a target has reached it at its latest value."""
    primaries = [m for m in tl.case.markers if m.primary and m.target is not None]
    return bool(primaries) and all(m.direction * (tl.latest[m.id] - (m.target or 0.0)) >= 0 for m in primaries)


class _Walk:
    """The one walk: collects measurements, trial states and session spans in a single pass."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.state = {m.id: m.baseline for m in case.markers}
        self.measurements: list[Measurement] = []
        self.trials: list[TrialState] = []
        self.sessions: list[SessionSpan] = []
        first = case.sessions[0] if case.sessions else None
        for m in case.markers:
            self._take(m.id, m.baseline, "baseline", first, None)

    def _take(self, key: str, value: float, phase: Phase, session: Session | None, trial: Trial | None) -> None:
        self.state[key] = value
        self.measurements.append(
            Measurement(
                seq=len(self.measurements) + 1,
                marker=self.case.marker(key),
                value=float(value),
                phase=phase,
                date=session.date if session else None,
                session=session.id if session else None,
                trial=trial.id if trial else None,
                candidate=trial.candidate if trial else None,
                intervention=trial.intervention if trial else None,
                is_control=trial.is_control if trial else None,
            )
        )

    def trial(self, s: Session, t: Trial) -> None:
        for key, value in (t.pre or {}).items():
            self._take(key, value, "trial_pre", s, t)
        self.trials.append(TrialState(t, s.id, s.date, len(self.trials) + 1, dict(self.state)))
        for key, value in t.post.items():
            self._take(key, value, "trial_post", s, t)

    def session(self, s: Session) -> None:
        for key, value in s.measurements.items():
            self._take(key, value, "session", s, None)
        first_pre = (s.trials[0].pre or {}) if s.trials else {}
        start = {**self.state, **first_pre}
        measured_start = set(s.measurements) | set(first_pre)
        retested: set[str] = set()
        for t in s.trials:
            self.trial(s, t)
            retested |= set(t.post)
        self.sessions.append(
            SessionSpan(s.id, s.date, start, dict(self.state), frozenset(measured_start), frozenset(retested))
        )


def timeline(case: Case) -> Timeline:
    """Walk the case once (see the module docstring for the rules)."""
    walk = _Walk(case)
    baseline = dict(walk.state)
    for s in case.sessions:
        walk.session(s)
    return Timeline(
        case=case,
        measurements=tuple(walk.measurements),
        trials=tuple(walk.trials),
        sessions=tuple(walk.sessions),
        baseline=baseline,
        latest=dict(walk.state),
    )
