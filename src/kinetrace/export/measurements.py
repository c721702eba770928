"""Every measurement of a case as one flat record: the unit that CSV rows and FHIR Observations share.

A *measurement* is one value of one marker taken at one moment:

* ``baseline``: the marker's ``baseline`` (taken at the first session; dated with its date),
* ``session``: a value in ``sessions[].measurements`` (re-measured at the start of that session),
* ``trial_pre``: a value in a trial's explicit ``pre`` (re-measured just before the trial),
* ``trial_post``: a value in a trial's ``post`` (re-tested just after the trial).

Values carried over from earlier (the pre-state scoring uses when a trial has no ``pre``) are not
measurements and are not listed. Trials have no time of day in ``kinetrace/case@1``: every
measurement is dated with its session's date, and ``seq`` keeps the order within a day
(docs/csv-dictionary.md). The list comes from the episode's one walk,
:func:`kinetrace.timeline.timeline`.
"""

from __future__ import annotations

from kinetrace.case.model import Case
from kinetrace.timeline import PHASES, Measurement, Phase, timeline

__all__ = ["PHASES", "Measurement", "Phase", "iter_measurements"]


def iter_measurements(case: Case) -> list[Measurement]:
    """All measurements of ``case`` in the order they were taken (baseline first)."""
    return list(timeline(case).measurements)
