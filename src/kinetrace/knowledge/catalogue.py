"""Load the region list and the marker catalogue (``regions.yaml``, ``markers.yaml``).

Both files are validated with pydantic when first used; a broken data file raises
:class:`KnowledgeError` naming the file, the entry and the problem.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Direction = Literal["higher", "lower"]
VerificationStatus = Literal["full_text", "abstract", "secondary", "unverified"]
Rater = Literal["same_rater", "between_raters", "not_stated", "not_applicable"]
Interval = Literal["same_session", "same_day", "between_sessions", "not_stated", "not_applicable"]
Symptomatic = Literal["symptomatic", "asymptomatic", "mixed", "not_stated"]
FigureGrade = Literal["A", "B", "C", "D"]
Segment = Literal["head_neck", "trunk", "upper_limb", "pelvis", "lower_limb"]


class KnowledgeError(RuntimeError):
    """A shipped knowledge file is malformed (a packaging bug, not a user error)."""


class Region(BaseModel):
    """One body region of the atlas."""

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str
    label: str
    segment: Segment
    paired: bool
    #: SNOMED CT body-structure concept id (codes only; see regions.yaml and docs/fhir.md).
    snomed: str | None = None


class FigureRecord(BaseModel):
    """Verification record of one published figure (an MDC or MCID): where and how it was checked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    locator: str = Field(min_length=1)
    population: str = Field(min_length=1)
    rater: Rater
    interval: Interval
    symptomatic: Symptomatic
    status: VerificationStatus
    grade: FigureGrade
    checked: str = Field(min_length=1)

    def conditions(self) -> str:
        """Population and re-test conditions in words (reports print this beside the source)."""
        bits = [
            self.rater.replace("_", " "),
            self.interval.replace("_", " "),
            self.symptomatic,
        ]
        said = [b for b in bits if not b.startswith("not ")]
        return f"{self.population}" + (f" ({', '.join(said)})" if said else "")


Figure = tuple[str, float, FigureRecord | None]


def published_figures(
    mdc: float | None, mdc_record: FigureRecord | None, mcid: float | None, mcid_record: FigureRecord | None
) -> list[Figure]:
    """The published figures present (kind ``mdc``/``mcid``, value, verification record), for
    markers and PROMs alike."""
    out: list[Figure] = []
    if mdc is not None:
        out.append(("mdc", mdc, mdc_record))
    if mcid is not None:
        out.append(("mcid", mcid, mcid_record))
    return out


class CatalogueMarker(BaseModel):
    """One test of the marker catalogue, with its measurement error and sources."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    unit: str
    ucum: str
    better: Direction
    range: tuple[float, float]
    mdc: float | None = Field(default=None, gt=0)
    mdc_label: str | None = None
    mdc_condition: str | None = None
    mdc_source: str | None = None
    mdc_note: str | None = None
    mcid: float | None = Field(default=None, gt=0)
    mcid_note: str | None = None
    mcid_source: str | None = None
    loinc: str | None = None
    mdc_record: FigureRecord | None = None
    mcid_record: FigureRecord | None = None

    def figures(self) -> list[Figure]:
        """Every published figure of this marker: (kind, value, its verification record)."""
        return published_figures(self.mdc, self.mdc_record, self.mcid, self.mcid_record)

    @model_validator(mode="after")
    def _figures_have_sources(self) -> CatalogueMarker:
        if self.mdc is not None and not self.mdc_source:
            raise ValueError("an mdc needs an mdc_source")
        if self.mdc is None and not self.mdc_note:
            raise ValueError("a missing mdc needs an mdc_note saying so")
        if self.mcid is not None and not self.mcid_source:
            raise ValueError("an mcid needs an mcid_source")
        if self.range[0] >= self.range[1]:
            raise ValueError("range must be [low, high] with low < high")
        return self


def load_yaml(name: str) -> dict[str, Any]:
    """A knowledge data file of this package as a mapping (KnowledgeError if it is not one)."""
    text = resources.files("kinetrace.knowledge").joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise KnowledgeError(f"{name}: expected a mapping at the top level")
    return data


def _parse_list(name: str, key: str, model: type[BaseModel]) -> list[Any]:
    data = load_yaml(name)
    items = data.get(key)
    if not isinstance(items, list):
        raise KnowledgeError(f"{name}: expected a list under {key!r}")
    parsed = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        try:
            entry = model.model_validate(item)
        except ValidationError as exc:
            raise KnowledgeError(f"{name}: {key}[{i}]: {exc}") from exc
        ident = entry.id  # type: ignore[attr-defined]
        if ident in seen:
            raise KnowledgeError(f"{name}: {key}[{i}]: duplicate id {ident!r}")
        seen.add(ident)
        parsed.append(entry)
    return parsed


@cache
def regions() -> dict[str, Region]:
    """All atlas regions by id, in file order."""
    return {r.id: r for r in _parse_list("regions.yaml", "regions", Region)}


@cache
def marker_catalogue() -> dict[str, CatalogueMarker]:
    """All catalogue markers by id, in file order."""
    return {m.id: m for m in _parse_list("markers.yaml", "markers", CatalogueMarker)}


def mdc_conditions(test: str | None, mdc: float | None) -> str:
    """Population and conditions of the catalogue MDC a marker uses ("" when the case set its own).

    Reports print this beside the MDC's source, so a figure measured elsewhere (e.g. the PPT
    MDC from upper-trapezius trigger points used on another muscle) says so.
    """
    entry = marker_catalogue().get(test or "")
    if entry is None or entry.mdc is None or mdc is None or abs(entry.mdc - mdc) > 1e-9:
        return ""
    record = entry.mdc_record
    text = record.conditions() if record is not None else ""
    if entry.mdc_condition:
        text = f"{text}; {' '.join(entry.mdc_condition.split())}" if text else " ".join(entry.mdc_condition.split())
    return text
