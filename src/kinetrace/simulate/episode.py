"""One run of treatment trials on a simulated patient: noise, learning, re-test subsets, carry-over.

Measurement model (per marker ``m``, per measurement)::

    observed = clip(true_m + learning_m * k_m + N(0, SEM_m), range_m)

where ``k_m`` is how many times the marker was measured before (re-test learning: the patient
gets used to the test), ``SEM_m = noise_scale * MDC_m / 2.77``. ``true_m`` is the patient's noise-free
value: ``target_m - direction_m * sum_sources contribution * remaining``.

Trial of finding ``f`` (rows of ``remaining`` are the sources of :class:`SimPatient`):

* at re-test, just after treatment: ``remaining[f] *= 1 - efficacy[f]``;
* carry-over: by the next trial only ``carryover`` of that change is left (the rest wore off),
  so ``remaining[f] = before * (1 - carryover * efficacy[f])``.

Re-tested after each trial: the primary complaint measure, the treated finding's own signs, and
each other marker with probability ``p_retest``. A control trial re-tests every marker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt

from kinetrace.case.model import CONTROL, Case, Session, Trial
from kinetrace.simulate.patient import FloatArray, SimPatient

IntArray = npt.NDArray[np.intp]

SESSION_DATE = "2026-01-05"


class Episode:
    """A treatment-trial session on one :class:`SimPatient`, growing its ``kinetrace/case@1`` case.

    Parameters
    ----------
    patient : SimPatient
        The simulated patient (never mutated).
    rng : numpy.random.Generator
        Source of measurement noise and re-test subsets for this episode.
    control : bool
        Start with one control trial (re-test of every marker, no treatment), as every policy does
        in the benchmark, so trial scoring can estimate re-test drift.
    """

    def __init__(self, patient: SimPatient, rng: np.random.Generator, *, control: bool = True) -> None:
        self.patient = patient
        self._rng = rng
        self._remaining = np.ones_like(patient.contributions)
        self._nonspecific = np.zeros(len(patient.mdc))  # accumulated non-specific improvement
        self._n_measured = np.ones(len(patient.mdc))  # the baseline was one measurement
        self._trials: list[Trial] = []
        self._case = patient.case
        self.treated: list[str] = []
        self._index = {fid: i for i, fid in enumerate(patient.finding_ids)}
        self.initial_deficit = self._weighted_deficit()
        if control:
            self._record(CONTROL, "Re-test with no treatment", np.arange(len(patient.mdc)))

    # -- state -------------------------------------------------------------------------------
    @property
    def case(self) -> Case:
        """The case so far: one session holding the control trial and every treatment trial."""
        return self._case

    def true_values(self) -> FloatArray:
        """Noise-free marker values now (after carry-over)."""
        p = self.patient
        deficit = (p.contributions * self._remaining).sum(axis=0) - self._nonspecific
        return np.asarray(np.clip(p.target - p.direction * deficit, p.low, p.high), dtype=np.float64)

    def _weighted_deficit(self) -> float:
        p = self.patient
        deficit = (p.contributions * self._remaining).sum(axis=0) / p.mdc
        return float((p.weight * deficit).sum())

    def benefit(self) -> float:
        """Share of the patient's initial deficit restored so far (noise-free, MDC units, primary x2)."""
        if self.initial_deficit <= 0:
            return 0.0
        return 1.0 - self._weighted_deficit() / self.initial_deficit

    @property
    def n_trials(self) -> int:
        """Treatment trials done (the control re-test is not counted)."""
        return len(self.treated)

    # -- actions -----------------------------------------------------------------------------
    def trial(self, finding_id: str) -> Trial:
        """Treat ``finding_id``, re-test, record the trial in the case and apply carry-over."""
        if finding_id not in self._index:
            raise KeyError(f"{finding_id!r} is not a finding of this patient; allowed: {', '.join(self._index)}")
        p = self.patient
        f = self._index[finding_id]
        before = self._remaining[f].copy()
        e = self._efficacy(f, finding_id)
        self._remaining[f] = before * (1.0 - e)
        self._nonspecific_step()
        trial = self._record(finding_id, f"Treat {finding_id}", self._retest_set(f))
        self._remaining[f] = before * (1.0 - p.scenario.carryover * e)
        self.treated.append(finding_id)
        return trial

    def _efficacy(self, f: int, finding_id: str) -> FloatArray:
        """Per-marker share of the finding's contributions this trial removes.

        The patient's efficacy, times its per-marker restore share (partial responders), times
        ``repeat_efficacy`` for every earlier trial of the same finding (saturation).
        """
        p = self.patient
        e = np.full(len(p.mdc), float(p.efficacy[f]))
        if p.marker_efficacy is not None:
            e = e * p.marker_efficacy[f]
        repeats = self.treated.count(finding_id)
        return np.asarray(e * p.scenario.repeat_efficacy**repeats, dtype=np.float64)

    def _nonspecific_step(self) -> None:
        """Non-specific improvement of every sign (placebo, attention, regression to the mean).

        Each treatment trial improves each marker by ``nonspecific_mdc`` MDC on average (uniform
        0.5-1.5 times that), ``nonspecific_first`` times more on the first trial of the session;
        the improvement stays (it is part of the true state from then on).
        """
        sc = self.patient.scenario
        if sc.nonspecific_mdc <= 0:
            return
        p = self.patient
        size = sc.nonspecific_mdc * (sc.nonspecific_first if not self.treated else 1.0)
        lift = size * p.mdc * self._rng.uniform(0.5, 1.5, size=len(p.mdc))
        self._nonspecific = self._nonspecific + lift

    def _retest_set(self, f: int) -> IntArray:
        """Markers re-tested after a trial of finding ``f``.

        Always the primary complaint measure and the finding's own signs. Then either each other
        marker with probability ``p_retest`` or, with ``retest_count`` = (lo, hi), other markers
        drawn at random until lo-hi signs in all are re-tested (sparse re-testing).
        """
        p = self.patient
        n_m = len(p.mdc)
        sc = p.scenario
        if sc.retest_count is None:
            retest = self._rng.random(n_m) < sc.p_retest
            retest[0] = True
            retest[list(p.local[f])] = True
            return np.flatnonzero(retest)
        k = int(self._rng.integers(sc.retest_count[0], sc.retest_count[1] + 1))
        chosen = [0, *(j for j in p.local[f] if j != 0)]
        rest = [j for j in range(n_m) if j not in chosen]
        extra = max(0, k - len(chosen))
        if extra and rest:
            chosen += [int(j) for j in self._rng.choice(rest, size=min(extra, len(rest)), replace=False)]
        return np.asarray(sorted(chosen[: max(k, 1)]), dtype=np.intp)

    def measure(self, idx: IntArray) -> FloatArray:
        """Measure markers ``idx`` now (noise and learning applied); counts as a re-test."""
        p = self.patient
        true = self.true_values()[idx]
        noise = self._rng.normal(0.0, p.sem[idx])
        r = p.scenario.session_noise_corr
        if r > 0:
            # signs measured in one sitting move together: a shared component (toward "better"
            # or "worse" for all of them) with correlation r, same marginal SD
            shared = float(self._rng.normal())
            noise = np.sqrt(1.0 - r) * noise + np.sqrt(r) * shared * p.direction[idx] * p.sem[idx]
        observed = np.clip(true + p.learning[idx] * self._n_measured[idx] + noise, p.low[idx], p.high[idx])
        self._n_measured[idx] += 1
        return np.asarray(observed, dtype=np.float64)

    def _record(self, candidate: str, intervention: str, idx: IntArray) -> Trial:
        values = self.measure(idx)
        ids = [m.id for m in self.patient.case.markers]
        post: dict[str, float] = {ids[int(j)]: round(float(v), 3) for j, v in zip(idx, values, strict=True)}
        trial = Trial(id=f"t{len(self._trials)}", candidate=candidate, intervention=intervention, post=post)
        self._trials.append(trial)
        session = Session.model_construct(id="s1", date=_date(), measurements={}, trials=tuple(self._trials), note="")
        self._case = self.patient.case.model_copy(update={"sessions": (session,)})
        return trial

    def summary(self) -> dict[str, Any]:
        return {"treated": list(self.treated), "benefit": self.benefit()}


def _date() -> dt.date:
    return dt.date.fromisoformat(SESSION_DATE)
