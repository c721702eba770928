"""The case file: one patient's episode (``kinetrace/case@1``)."""

from __future__ import annotations

from kinetrace.case.model import (
    CASE_FORMAT,
    CONTROL,
    Case,
    Complaint,
    ComplaintArea,
    Finding,
    Goal,
    History,
    Marker,
    Patient,
    PlanItem,
    Screening,
    Session,
    Trial,
)
from kinetrace.case.validate import load_case

__all__ = [
    "CASE_FORMAT",
    "CONTROL",
    "Case",
    "Complaint",
    "ComplaintArea",
    "Finding",
    "Goal",
    "History",
    "Marker",
    "Patient",
    "PlanItem",
    "Screening",
    "Session",
    "Trial",
    "load_case",
]
