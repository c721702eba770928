"""The case file ``kinetrace/case@1``: one patient's episode as pydantic models.

The field names are a contract shared by the CLI, the web app, reports and exports; see
``docs/case-format.md``. Structural rules (types, enumerations, ranges that do not depend on
other fields) live here; rules that cross fields or need the knowledge base (unknown region,
duplicate ids, a trial naming an unknown marker, NPRS 11) live in :mod:`kinetrace.case.validate`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CASE_FORMAT = "kinetrace/case@1"

Side = Literal["left", "right", "central", "bilateral"]
FindingKind = Literal[
    "neural_tension",
    "muscle_tension",
    "joint_hypomobility",
    "restricted_range",
    "weakness",
    "movement_pattern",
    "other",
]
ComplaintKind = Literal["pain", "referred", "tightness", "stiffness", "numbness", "tingling", "weakness", "other"]
HistoryKind = Literal["old_injury", "sustained_posture", "repetitive_load", "surgery", "other"]
GoalStatus = Literal["open", "in_progress", "achieved", "not_achieved"]
PlanKind = Literal["work_posture", "running_cue", "exercise", "education", "manual_therapy", "self_treatment", "other"]
Direction = Literal["higher", "lower"]

#: Candidate id of a control trial: a re-test with no treatment.
CONTROL = "control"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Goal(_Model):
    """A goal in the patient's words, with its status (e.g. achieved, with the race time)."""

    text: str = Field(min_length=1)
    status: GoalStatus = "open"
    note: str = ""

    @classmethod
    def _coerce(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class Patient(_Model):
    id: str = Field(min_length=1)
    age: int | None = Field(default=None, ge=0, le=120)
    sex: Literal["female", "male", "other", "unknown"] | None = None
    occupation: str = ""
    activities: tuple[str, ...] = ()
    goals: tuple[Goal, ...] = ()

    @field_validator("goals", mode="before")
    @classmethod
    def _goals_from_strings(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [Goal._coerce(v) for v in value]
        return value


class ComplaintArea(_Model):
    region: str
    side: Side
    kind: ComplaintKind = "pain"


class Complaint(_Model):
    areas: tuple[ComplaintArea, ...] = Field(min_length=1)
    duration_weeks: float | None = Field(default=None, ge=0, le=5200)
    aggravating: tuple[str, ...] = ()
    easing: tuple[str, ...] = ()
    description: str = ""


class Screening(_Model):
    """Red and yellow flags found at screening; red flags need a recorded clearance or referral."""

    red_flags: tuple[str, ...] = ()
    yellow_flags: tuple[str, ...] = ()
    red_flags_cleared: str = ""


class History(_Model):
    kind: HistoryKind
    text: str = ""

    @classmethod
    def _coerce(cls, value: Any) -> Any:
        if isinstance(value, str):
            kinds = ("old_injury", "sustained_posture", "repetitive_load", "surgery")
            return {"kind": value} if value in kinds else {"kind": "other", "text": value}
        return value


class Finding(_Model):
    id: str = Field(min_length=1)
    kind: FindingKind
    region: str
    side: Side
    structure: str | None = None
    severity: int = Field(default=2, ge=1, le=3)
    text: str = ""
    history: tuple[History, ...] = ()

    @field_validator("history", mode="before")
    @classmethod
    def _history_from_strings(cls, value: Any) -> Any:
        if isinstance(value, str | dict):
            value = [value]
        if isinstance(value, list | tuple):
            return [History._coerce(v) for v in value]
        return value


class Marker(_Model):
    """A measured sign. ``test`` names a catalogue entry; otherwise name/unit/better/mdc are given.

    After loading, every marker is *resolved*: name, unit, better and mdc are always filled in
    (from the catalogue when ``test`` is set), so consumers never look the catalogue up again.
    """

    id: str = Field(min_length=1)
    test: str | None = None
    name: str | None = None
    unit: str | None = None
    ucum: str | None = None
    better: Direction | None = None
    mdc: float | None = Field(default=None, gt=0)
    mdc_source: str | None = None
    region: str
    side: Side
    baseline: float
    target: float | None = None
    primary: bool = False

    @property
    def direction(self) -> int:
        """+1 when higher values are better, -1 when lower values are better."""
        return 1 if self.better == "higher" else -1

    @property
    def mdc_value(self) -> float:
        """The resolved MDC (always set on a loaded case)."""
        if self.mdc is None:  # pragma: no cover - a loaded case always resolves mdc
            raise ValueError(f"marker {self.id!r} has no mdc")
        return self.mdc


class Trial(_Model):
    id: str = Field(min_length=1)
    candidate: str = Field(min_length=1)
    intervention: str = ""
    pre: dict[str, float] | None = None
    post: dict[str, float] = Field(min_length=1)
    note: str = ""

    @property
    def is_control(self) -> bool:
        return self.candidate == CONTROL


class Session(_Model):
    id: str = Field(min_length=1)
    date: dt.date
    measurements: dict[str, float] = Field(default_factory=dict)
    trials: tuple[Trial, ...] = ()
    note: str = ""


class PlanItem(_Model):
    kind: PlanKind
    text: str = Field(min_length=1)
    targets: tuple[str, ...] = ()
    source: str = ""


class Case(_Model):
    """One patient's episode: complaint, screening, findings, markers, sessions with trials, plan."""

    format: Literal["kinetrace/case@1"]
    title: str = ""
    synthetic: bool = True
    patient: Patient
    complaint: Complaint
    screening: Screening = Screening()
    findings: tuple[Finding, ...] = ()
    markers: tuple[Marker, ...] = ()
    sessions: tuple[Session, ...] = ()
    plan: tuple[PlanItem, ...] = ()

    def finding(self, finding_id: str) -> Finding:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(finding_id)

    def marker(self, marker_id: str) -> Marker:
        for m in self.markers:
            if m.id == marker_id:
                return m
        raise KeyError(marker_id)

    @property
    def trials(self) -> list[tuple[Session, Trial]]:
        """Every trial in the order it was done, with its session."""
        return [(s, t) for s in self.sessions for t in s.trials]

    def to_dict(self) -> dict[str, Any]:
        """The case as a JSON-able ``kinetrace/case@1`` mapping (markers resolved)."""
        return self.model_dump(mode="json", exclude_none=True)
