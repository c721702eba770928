"""Every measurement of a case as one flat record: the unit that CSV rows and FHIR Observations share.

A *measurement* is one value of one marker taken at one moment:

* ``baseline``: the marker's ``baseline`` (taken at the first session; dated with its date),
* ``session``: a value in ``sessions[].measurements`` (re-measured at the start of that session),
* ``trial_pre``: a value in a trial's explicit ``pre`` (re-measured just before the trial),
* ``trial_post``: a value in a trial's ``post`` (re-tested just after the trial).

Values carried over from earlier (the pre-state scoring uses when a trial has no ``pre``) are not
measurements and are not listed. Trials have no time of day in ``kinetrace/case@1``: every
measurement is dated with its session's date only (docs/csv-dictionary.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from kinetrace.case.model import Case, Marker, Trial

Phase = Literal["baseline", "session", "trial_pre", "trial_post"]
PHASES: tuple[Phase, ...] = ("baseline", "session", "trial_pre", "trial_post")


@dataclass(frozen=True)
class Measurement:
    """One value of one marker at one moment (see the module docstring for ``phase``)."""

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


def iter_measurements(case: Case) -> list[Measurement]:
    """All measurements of ``case`` in the order they were taken (baseline first)."""
    first = case.sessions[0] if case.sessions else None
    rows: list[tuple[Marker, float, Phase, dt.date | None, str | None, Trial | None]] = [
        (m, m.baseline, "baseline", first.date if first else None, first.id if first else None, None)
        for m in case.markers
    ]
    for s in case.sessions:
        rows += [(case.marker(k), v, "session", s.date, s.id, None) for k, v in s.measurements.items()]
        for t in s.trials:
            rows += [(case.marker(k), v, "trial_pre", s.date, s.id, t) for k, v in (t.pre or {}).items()]
            rows += [(case.marker(k), v, "trial_post", s.date, s.id, t) for k, v in t.post.items()]
    return [
        Measurement(
            seq=i,
            marker=m,
            value=float(value),
            phase=phase,
            date=date,
            session=session,
            trial=t.id if t else None,
            candidate=t.candidate if t else None,
            intervention=t.intervention if t else None,
            is_control=t.is_control if t else None,
        )
        for i, (m, value, phase, date, session, t) in enumerate(rows, 1)
    ]
