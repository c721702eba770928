"""Patient simulator for the driver-finding benchmark (``kinetrace bench``).

Plain Python + numpy/pydantic; it never imports the driver engine (:mod:`kinetrace.engine`) or its
likelihood model, so the benchmark cannot grade the engine against its own assumptions. The world
it simulates is data: ``scenarios.yaml`` (see docs/benchmark.md).

>>> import numpy as np
>>> from kinetrace.simulate import Episode, get_scenario, simulate_patient
>>> patient = simulate_patient(get_scenario("typical"), np.random.default_rng(0))
>>> episode = Episode(patient, np.random.default_rng(1))
>>> _ = episode.trial(patient.finding_ids[0])
>>> len(episode.case.trials)  # the control re-test and one treatment trial
2
"""

from __future__ import annotations

from kinetrace.simulate.episode import Episode
from kinetrace.simulate.patient import MDC_PER_SEM, SimPatient, simulate_patient
from kinetrace.simulate.scenarios import Scenario, get_scenario, link, scenario_names

__all__ = [
    "MDC_PER_SEM",
    "Episode",
    "Scenario",
    "SimPatient",
    "get_scenario",
    "link",
    "scenario_names",
    "simulate_patient",
]
