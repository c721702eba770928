"""Kinetrace: a workbench for the whole-body, treatment-trial method in physiotherapy.

The core (case model, knowledge, scoring, engine, simulator) is plain Python; the CLI, web app,
reports, exports and video analysis call it, never the other way round.

>>> import kinetrace
>>> case = kinetrace.load_case("examples/mrs_h.yaml")  # doctest: +SKIP
>>> kinetrace.analyse(case).driver.candidate  # doctest: +SKIP
"""

from __future__ import annotations

from kinetrace.analysis import Analysis, analyse
from kinetrace.case import Case, load_case
from kinetrace.errors import CaseError
from kinetrace.learning import Model, learn, load_model

__version__ = "0.1.0"

__all__ = ["Analysis", "Case", "CaseError", "Model", "analyse", "learn", "load_case", "load_model"]
