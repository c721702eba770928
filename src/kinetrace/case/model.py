"""The case file ``kinetrace/case@1``: one patient's episode as pydantic models.

The field names are a contract shared by the CLI, the web app, reports and exports; see
``docs/case-format.md``. Structural rules (types, enumerations, ranges that do not depend on
other fields) live here; rules that cross fields or need the knowledge base (unknown region,
duplicate ids, a trial naming an unknown marker, NPRS 11) live in :mod:`kinetrace.case.validate`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

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

_CONTROL_ANY = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, LF and CR allowed


def _single_line(value: str) -> str:
    if _CONTROL_ANY.search(value):
        raise ValueError("control characters (line breaks, tabs, NUL...) are not allowed here")
    return value


def _multi_line(value: str) -> str:
    if _CONTROL_MULTILINE.search(value):
        raise ValueError("control characters (NUL, escape...) are not allowed; line breaks and tabs are")
    return value


#: Bounds every surface shares (web forms, API, import, CLI); lengths match the web app's columns.
MAX_ID = 64
MAX_REGION = 40
MAX_LINE = 300
MAX_TEXT = 5000
#: Plausibility bound for any measured value, target or MDC (degrees, mm, kg, s, scores...).
MAX_MAGNITUDE = 1e6

Ident = Annotated[str, Field(min_length=1, max_length=MAX_ID), AfterValidator(_single_line)]
Region = Annotated[str, Field(max_length=MAX_REGION), AfterValidator(_single_line)]
Line = Annotated[str, Field(max_length=MAX_LINE), AfterValidator(_single_line)]
Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_multi_line)]
Source = Annotated[str, Field(max_length=500), AfterValidator(_single_line)]
Value = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)]
Values = Annotated[dict[Ident, Value], Field(max_length=500)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)


class Goal(_Model):
    """A goal in the patient's words, with its status (e.g. achieved, with the race time)."""

    text: Line = Field(min_length=1)
    status: GoalStatus = "open"
    note: Line = ""

    @classmethod
    def _coerce(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class Patient(_Model):
    id: Ident
    age: int | None = Field(default=None, ge=0, le=120)
    sex: Literal["female", "male", "other", "unknown"] | None = None
    occupation: Line = ""
    activities: tuple[Line, ...] = Field(default=(), max_length=100)
    goals: tuple[Goal, ...] = Field(default=(), max_length=100)

    @field_validator("goals", mode="before")
    @classmethod
    def _goals_from_strings(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [Goal._coerce(v) for v in value]
        return value


class ComplaintArea(_Model):
    region: Region
    side: Side
    kind: ComplaintKind = "pain"


class Complaint(_Model):
    areas: tuple[ComplaintArea, ...] = Field(min_length=1, max_length=200)
    duration_weeks: float | None = Field(default=None, ge=0, le=5200)
    aggravating: tuple[Line, ...] = Field(default=(), max_length=100)
    easing: tuple[Line, ...] = Field(default=(), max_length=100)
    description: Text = ""


class Screening(_Model):
    """Red and yellow flags found at screening; red flags need a recorded clearance or referral."""

    red_flags: tuple[Line, ...] = Field(default=(), max_length=100)
    yellow_flags: tuple[Line, ...] = Field(default=(), max_length=100)
    red_flags_cleared: Text = ""
    #: Flags asked about and answered "no" ("screened, negative"), and when the questions were asked.
    screened_negative: tuple[str, ...] = ()
    screened_on: dt.date | None = None


class History(_Model):
    kind: HistoryKind
    text: Source = ""

    @classmethod
    def _coerce(cls, value: Any) -> Any:
        if isinstance(value, str):
            kinds = ("old_injury", "sustained_posture", "repetitive_load", "surgery")
            return {"kind": value} if value in kinds else {"kind": "other", "text": value}
        return value


class Finding(_Model):
    id: Ident
    kind: FindingKind
    region: Region
    side: Side
    structure: Annotated[str, Field(max_length=200), AfterValidator(_single_line)] | None = None
    severity: int = Field(default=2, ge=1, le=3)
    text: Source = ""
    history: tuple[History, ...] = Field(default=(), max_length=50)

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

    id: Ident
    test: Ident | None = None
    name: Annotated[str, Field(max_length=200), AfterValidator(_single_line)] | None = None
    unit: Annotated[str, Field(max_length=40), AfterValidator(_single_line)] | None = None
    ucum: Annotated[str, Field(max_length=40), AfterValidator(_single_line)] | None = None
    better: Direction | None = None
    mdc: float | None = Field(default=None, gt=0, le=MAX_MAGNITUDE)
    mdc_source: Source | None = None
    region: Region
    side: Side
    baseline: Value
    target: Value | None = None
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
    id: Ident
    candidate: Ident
    intervention: Line = ""
    pre: Values | None = None
    post: Values = Field(min_length=1)
    note: Text = ""

    @property
    def is_control(self) -> bool:
        return self.candidate == CONTROL


class PromResponse(_Model):
    """A patient-reported outcome measure filled in at a session (knowledge/proms.yaml ids).

    ``items`` are the responses in item order (``None`` = not answered); PSFS ``labels`` name
    the patient's activities in the same order. Without items, ``total`` is the score entered
    from the clinic's own licensed form. Scored by :func:`kinetrace.proms.score`.
    """

    instrument: Ident
    items: tuple[Value | None, ...] = Field(default=(), max_length=100)
    labels: tuple[Line, ...] = Field(default=(), max_length=100)
    total: Value | None = None
    by: Literal["patient", "clinician"] = "clinician"
    note: Text = ""


class Session(_Model):
    id: Ident
    date: dt.date
    measurements: Values = Field(default_factory=dict)
    trials: tuple[Trial, ...] = Field(default=(), max_length=500)
    proms: tuple[PromResponse, ...] = Field(default=(), max_length=50)
    note: Text = ""


class PlanItem(_Model):
    kind: PlanKind
    text: Text = Field(min_length=1)
    targets: tuple[Ident, ...] = Field(default=(), max_length=100)
    source: Source = ""


class Case(_Model):
    """One patient's episode: complaint, screening, findings, markers, sessions with trials, plan."""

    format: Literal["kinetrace/case@1"]
    title: Line = ""
    synthetic: bool = True
    patient: Patient
    complaint: Complaint
    screening: Screening = Screening()
    findings: tuple[Finding, ...] = Field(default=(), max_length=500)
    markers: tuple[Marker, ...] = Field(default=(), max_length=500)
    sessions: tuple[Session, ...] = Field(default=(), max_length=500)
    plan: tuple[PlanItem, ...] = Field(default=(), max_length=500)
    #: The clinician's confirmed outcome of the episode: a finding id, or "none" (the driver was
    #: not among the findings). Optional; what ``kinetrace learn`` fits on.
    confirmed_driver: Ident | None = None

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
