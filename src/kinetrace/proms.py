"""Patient-reported outcome measures (PROMs): definitions from ``knowledge/proms.yaml`` and scoring.

Plain Python (core). :func:`instruments` loads and validates the definitions; :func:`score`
scores one response (item by item, or an entered total) and raises :class:`PromError` naming the
field and the allowed range; :func:`change` compares two scores against the instrument's MDC
and MCID; :func:`case_series` lists every scored response of a case by session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kinetrace.knowledge.catalogue import Figure, FigureRecord, KnowledgeError, load_yaml, published_figures

Method = Literal["sum", "percent_of_answered", "dash", "mean"]
Better = Literal["higher", "lower"]


class PromError(ValueError):
    """A PROM response is out of range or incomplete; the message names the field and what is allowed."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemScale(_Model):
    count: int = Field(ge=1, le=100)
    min: int
    max: int


class Scoring(_Model):
    method: Method
    min_answered: int = Field(ge=1)


class WorkedExample(_Model):
    items: tuple[int | None, ...]
    total: float
    source: str = Field(min_length=1)


class Licence(_Model):
    holder: str = Field(min_length=1)
    terms: str = Field(min_length=1)
    items_shipped: bool
    checked: str = Field(min_length=1)


class Instrument(_Model):
    """One questionnaire: items, scoring rule, range, direction, MDC / MCID with sources, licence."""

    id: str
    name: str
    region: str
    unit: str
    range: tuple[float, float]
    better: Better
    items: ItemScale
    scoring: Scoring
    scoring_source: str = Field(min_length=1)
    worked_examples: tuple[WorkedExample, ...] = Field(min_length=1)
    mdc: float | None = Field(default=None, gt=0)
    mdc_label: str = ""
    mdc_source: str | None = None
    mdc_record: FigureRecord | None = None
    mcid: float | None = Field(default=None, gt=0)
    mcid_source: str | None = None
    mcid_record: FigureRecord | None = None
    licence: Licence
    prompt: str = ""
    anchors: dict[int, str] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        if self.mdc is not None and not self.mdc_source:
            raise ValueError("an mdc needs an mdc_source")
        if self.mcid is not None and not self.mcid_source:
            raise ValueError("an mcid needs an mcid_source")
        if self.range[0] >= self.range[1] or self.items.min >= self.items.max:
            raise ValueError("range and items need low < high")
        if self.scoring.min_answered > self.items.count:
            raise ValueError("scoring.min_answered is more than items.count")
        if self.prompt and not self.licence.items_shipped:
            raise ValueError("a prompt (item text) is shipped although licence.items_shipped is false")
        return self

    @property
    def direction(self) -> int:
        """+1 when a higher total is better, -1 when lower is better."""
        return 1 if self.better == "higher" else -1

    def figures(self) -> list[Figure]:
        """The published figures (mdc, mcid) with their verification records."""
        return published_figures(self.mdc, self.mdc_record, self.mcid, self.mcid_record)


@dataclass(frozen=True)
class PromScore:
    """A scored response: the total on the instrument's scale and how it was obtained."""

    instrument: str
    total: float
    answered: int
    from_items: bool


@dataclass(frozen=True)
class PromChange:
    """Change between two scores of one instrument, judged against its MDC and MCID."""

    instrument: str
    before: float
    after: float
    change: float
    beyond_mdc: bool
    important: bool
    improved: bool
    worsened: bool


@dataclass(frozen=True)
class PromPoint:
    """One scored response of a case: its session and date."""

    session: str
    date: dt.date
    score: PromScore


def parse_instruments(data: dict[str, Any]) -> tuple[dict[str, Instrument], list[tuple[str, str]]]:
    """Instruments of a ``kinetrace/proms@1`` mapping and the problems found (where, message)."""
    problems: list[tuple[str, str]] = []
    out: dict[str, Instrument] = {}
    items = data.get("instruments")
    if not isinstance(items, list):
        return out, [("proms.yaml", "expected a list under 'instruments'")]
    for i, raw in enumerate(items):
        try:
            inst = Instrument.model_validate(raw)
        except ValidationError as exc:
            problems.append((f"proms.yaml: instruments[{i}]", str(exc).replace("\n", " ")))
            continue
        if inst.id in out:
            problems.append((f"proms.yaml: instruments[{i}]", f"duplicate id {inst.id!r}"))
        out[inst.id] = inst
        problems += [(f"proms.yaml: {inst.id}", msg) for msg in _example_problems(inst)]
    return out, problems


def _example_problems(inst: Instrument) -> list[str]:
    out = []
    for n, ex in enumerate(inst.worked_examples):
        try:
            got = score_items(inst, ex.items).total
        except PromError as exc:
            out.append(f"worked_examples[{n}]: {exc}")
            continue
        if abs(got - ex.total) > 0.01:
            out.append(f"worked_examples[{n}]: scores {got:g}, the published example says {ex.total:g}")
    return out


@cache
def instruments() -> dict[str, Instrument]:
    """All PROM definitions by id (KnowledgeError if ``proms.yaml`` is broken)."""
    found, problems = parse_instruments(load_yaml("proms.yaml"))
    if problems:
        raise KnowledgeError("proms.yaml failed its checks: " + "; ".join(f"{w}: {m}" for w, m in problems))
    return found


def instrument(instrument_id: str) -> Instrument:
    """One instrument by id; PromError naming the allowed ids when unknown."""
    known = instruments()
    if instrument_id not in known:
        raise PromError("instrument", f"{instrument_id!r} is not a known PROM; allowed: {', '.join(known)}")
    return known[instrument_id]


def score_items(inst: Instrument, items: Sequence[float | None]) -> PromScore:
    """Score item responses in order (None = not answered) with the instrument's rule."""
    scale = inst.items
    if len(items) > scale.count or (inst.scoring.method != "mean" and len(items) != scale.count):
        want = f"up to {scale.count}" if inst.scoring.method == "mean" else f"exactly {scale.count}"
        raise PromError("items", f"{len(items)} responses given; {want} allowed for {inst.id}")
    answered = []
    for n, value in enumerate(items, 1):
        if value is None:
            continue
        if value != int(value) or not scale.min <= value <= scale.max:
            raise PromError(f"items[{n}]", f"{value!r}; allowed: whole numbers {scale.min}-{scale.max} ({inst.id})")
        answered.append(float(value))
    if len(answered) < inst.scoring.min_answered:
        raise PromError(
            "items",
            f"{len(answered)} answered; at least {inst.scoring.min_answered} of {scale.count} needed ({inst.id})",
        )
    return PromScore(inst.id, round(_apply(inst, answered), 2), len(answered), True)


def _apply(inst: Instrument, answered: list[float]) -> float:
    total, n = sum(answered), len(answered)
    method = inst.scoring.method
    if method == "sum":
        return total
    if method == "percent_of_answered":
        return total / (inst.items.max * n) * 100
    if method == "dash":
        return (total / n - 1) * 25
    return total / n


def score(instrument_id: str, items: Sequence[float | None] = (), total: float | None = None) -> PromScore:
    """Score a response given item by item, or take an entered total (checked against the range).

    Raises
    ------
    PromError
        Unknown instrument, an item or total out of range, too few items answered, or neither
        items nor a total given. The message names the field and the allowed values.
    """
    inst = instrument(instrument_id)
    if any(v is not None for v in items):
        scored = score_items(inst, items)
        if total is not None and abs(total - scored.total) > 0.01:
            raise PromError("total", f"{total:g} does not match the items' score {scored.total:g}")
        return scored
    if total is None:
        raise PromError(
            "items", f"give the item responses or the total ({inst.range[0]:g}-{inst.range[1]:g}) for {inst.id}"
        )
    low, high = inst.range
    if not low <= total <= high:
        raise PromError("total", f"{total:g}; allowed: {low:g}-{high:g} {inst.unit} ({inst.id})")
    return PromScore(inst.id, float(total), 0, False)


def change(before: PromScore, after: PromScore) -> PromChange:
    """The change from one score to a later one, judged against the instrument's MDC and MCID."""
    if before.instrument != after.instrument:
        raise PromError("instrument", f"cannot compare {before.instrument!r} with {after.instrument!r}")
    inst = instrument(before.instrument)
    delta = round(after.total - before.total, 2)
    gain = delta * inst.direction
    beyond = inst.mdc is not None and abs(delta) >= inst.mdc
    important = inst.mcid is not None and abs(delta) >= inst.mcid
    return PromChange(
        inst.id, before.total, after.total, delta, beyond, important, gain > 0 and beyond, gain < 0 and beyond
    )


def case_series(case: Any) -> list[PromPoint]:
    """Every PROM response of a case (sessions in order), scored. A case@1 ``Case``."""
    points = []
    for session in case.sessions:
        for r in session.proms:
            points.append(PromPoint(session.id, session.date, score(r.instrument, r.items, r.total)))
    return points
