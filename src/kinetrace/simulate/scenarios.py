"""Scenario data for the patient simulator (``scenarios.yaml``) and its coarse body-linkage rule.

The simulator's world is the YAML file beside this module; this module only loads and checks it.
Drivers are placed either through the atlas's link data with the simulator's own weights
(:mod:`kinetrace.simulate.atlas_links`, scenarios ``typical``, ``easy``, ``noisy``,
``misspecified``) or by the older coarse rule (:func:`link`: atlas segments plus the crossed
arm-leg diagonal; scenario ``coarse-linkage``). Neither reads the engine's prior, path strengths,
parameters or likelihood model, so a benchmark score cannot come from the engine grading its own
assumptions.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kinetrace.knowledge import marker_catalogue, regions

Range = tuple[float, float]
IntRange = tuple[int, int]


class SimulatorDataError(RuntimeError):
    """``scenarios.yaml`` is malformed (a packaging bug, not a user error)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MarkerSite(_Frozen):
    """Where a catalogue test is measured and the normal value its deficit is counted from."""

    regions: tuple[str, ...]
    target: float


class Linkage(_Frozen):
    """Link strengths in [0, 1] between a finding's region and the complaint's region."""

    same_region: float = Field(ge=0, le=1)
    same_segment: float = Field(ge=0, le=1)
    diagonal: float = Field(ge=0, le=1)
    adjacent: float = Field(ge=0, le=1)
    far: float = Field(ge=0, le=1)


class AtlasLinkage(_Frozen):
    """The simulator's own reading of the atlas links (``atlas_linkage`` in ``scenarios.yaml``)."""

    hop_length: dict[str, float]
    level_overrides: dict[str, str]
    hop_decay: float = Field(gt=0, lt=1)
    local_weight: float = Field(gt=0, le=1)
    unreachable_weight: float = Field(gt=0, le=1)
    spine_sacroiliac: tuple[str, ...]
    other_region_factor: float = Field(gt=0, le=1)
    upper_body: tuple[str, ...]

    @model_validator(mode="after")
    def _lengths(self) -> AtlasLinkage:
        for level, length in self.hop_length.items():
            if length < 1:
                raise ValueError(f"hop_length.{level}: {length} < 1 (a link is at least one hop)")
        for link_id, level in self.level_overrides.items():
            if level not in self.hop_length:
                raise ValueError(f"level_overrides.{link_id}: unknown level {level!r}")
        return self


class Scenario(_Frozen):
    """One named patient mix; every field is documented in ``scenarios.yaml``."""

    name: str = ""
    description: str
    n_findings: IntRange
    p_unlisted: float = Field(ge=0, le=1)
    n_secondary: IntRange
    driver_prior: Literal["atlas", "inverse_atlas", "link", "inverse_link", "uniform"]
    prior_power: float = Field(ge=0)
    history_driver: float = Field(ge=0, le=1)
    history_other: float = Field(ge=0, le=1)
    marker_deficit_mdc: Range
    pain_baseline: Range
    driver_primary_share: Range
    driver_reach: float = Field(ge=0, le=1)
    driver_marker_share: Range
    secondary_primary_share: Range
    secondary_reach: float = Field(ge=0, le=1)
    secondary_marker_share: Range
    local_share: Range
    efficacy_mean: float = Field(gt=0, lt=1)
    driver_efficacy_mean: float = Field(gt=0, lt=1)
    efficacy_concentration: float = Field(gt=0)
    p_nonresponder: float = Field(ge=0, le=1)
    noise_scale: float = Field(gt=0)
    learning_sem_per_retest: float
    p_retest: float = Field(ge=0, le=1)
    carryover: float = Field(ge=0, le=1)
    extra_markers: IntRange
    driver_severity_weights: tuple[float, float, float]
    other_severity_weights: tuple[float, float, float]
    # Structural knobs of the family of worlds (issue 11). Their defaults are today's world, and a
    # knob at its default draws nothing, so the older scenarios keep their random streams.
    assumptions: tuple[str, ...] = ()
    n_drivers: int = Field(default=1, ge=1, le=3)
    co_driver_split: Range = (0.3, 0.5)
    driver_marker_restore: tuple[float, float] | None = None
    fatigue_share: float = Field(default=0.0, ge=0, le=1)
    nonspecific_mdc: float = Field(default=0.0, ge=0)
    nonspecific_first: float = Field(default=1.0, ge=0)
    repeat_efficacy: float = Field(default=1.0, ge=0, le=1)
    retest_count: IntRange | None = None
    session_noise_corr: float = Field(default=0.0, ge=0, lt=1)

    @model_validator(mode="after")
    def _ranges_ordered(self) -> Scenario:
        if self.retest_count is not None and not 1 <= self.retest_count[0] <= self.retest_count[1]:
            raise ValueError(f"retest_count: need 1 <= low <= high, got {self.retest_count}")
        if self.driver_marker_restore is not None and min(self.driver_marker_restore) <= 0:
            raise ValueError("driver_marker_restore: Beta parameters must be > 0")
        for key in ("n_findings", "n_secondary", "marker_deficit_mdc", "pain_baseline", "extra_markers"):
            low, high = getattr(self, key)
            if low > high:
                raise ValueError(f"{key}: low {low} > high {high}")
        if self.n_findings[0] < 2:
            raise ValueError("n_findings: at least 2 findings")
        return self


class SimulatorData(_Frozen):
    format: Literal["kinetrace/sim-scenarios@1"]
    marker_sites: dict[str, MarkerSite]
    linkage: Linkage
    atlas_linkage: AtlasLinkage
    history_kinds: dict[Literal["old_injury", "sustained_posture"], float]
    complaint_regions: tuple[str, ...]
    scenarios: dict[str, Scenario]

    @model_validator(mode="after")
    def _known_names(self) -> SimulatorData:
        _check_marker_sites(self.marker_sites)
        known = regions()
        named = [("complaint_regions", r) for r in self.complaint_regions]
        named += [
            (f"atlas_linkage.{k}", r)
            for k in ("spine_sacroiliac", "upper_body")
            for r in getattr(self.atlas_linkage, k)
        ]
        for where, r in named:
            if r not in known:
                raise ValueError(f"{where}: unknown region {r!r}")
        if not self.history_kinds or min(self.history_kinds.values()) < 0:
            raise ValueError("history_kinds: at least one kind, weights >= 0")
        return self


def _check_marker_sites(sites: dict[str, MarkerSite]) -> None:
    known = regions()
    catalogue = marker_catalogue()
    for test, site in sites.items():
        if test not in catalogue:
            raise ValueError(f"marker_sites.{test}: not in the marker catalogue")
        if catalogue[test].mdc is None:
            raise ValueError(f"marker_sites.{test}: the catalogue has no MDC to derive noise from")
        for r in site.regions:
            if r != "*" and r not in known:
                raise ValueError(f"marker_sites.{test}: unknown region {r!r}")


@cache
def simulator_data() -> SimulatorData:
    """The parsed and checked ``scenarios.yaml``."""
    text = resources.files("kinetrace.simulate").joinpath("scenarios.yaml").read_text(encoding="utf-8")
    raw: Any = yaml.safe_load(text)
    try:
        raw["scenarios"] = _with_bases(raw["scenarios"])
    except (KeyError, TypeError) as exc:
        raise SimulatorDataError(f"scenarios.yaml: scenarios: {exc}") from exc
    try:
        data = SimulatorData.model_validate(raw)
    except ValidationError as exc:
        raise SimulatorDataError(f"scenarios.yaml: {exc}") from exc
    named = {k: v.model_copy(update={"name": k}) for k, v in data.scenarios.items()}
    return data.model_copy(update={"scenarios": named})


def _with_bases(raw: dict[str, Any]) -> dict[str, Any]:
    """Resolve ``base: <scenario>``: a world is its base scenario with the keys it states changed."""
    out: dict[str, Any] = {}
    for name, spec in raw.items():
        base = spec.get("base")
        if base is None:
            out[name] = spec
            continue
        if base not in out:
            raise KeyError(f"{name}.base: {base!r} is not a scenario listed before it")
        merged = {**out[base], **{k: v for k, v in spec.items() if k != "base"}}
        out[name] = merged
    return out


def scenario_names() -> tuple[str, ...]:
    """Names of the shipped scenarios, in file order."""
    return tuple(simulator_data().scenarios)


def get_scenario(name: str) -> Scenario:
    """A scenario by name; ``KeyError`` names the allowed ones."""
    scenarios = simulator_data().scenarios
    if name not in scenarios:
        raise KeyError(f"unknown scenario {name!r}; allowed: {', '.join(scenarios)}")
    return scenarios[name]


_ADJACENT = {
    frozenset({"head_neck", "trunk"}),
    frozenset({"trunk", "pelvis"}),
    frozenset({"pelvis", "lower_limb"}),
    frozenset({"trunk", "upper_limb"}),
    frozenset({"head_neck", "upper_limb"}),
}
_UPPER = {"head_neck", "upper_limb"}
_LOWER = {"pelvis", "lower_limb"}


def _sides_compatible(a: str, b: str) -> bool:
    return a == b or "central" in (a, b) or "bilateral" in (a, b)


def link(region_a: str, side_a: str, region_b: str, side_b: str) -> float:
    """The simulator's link strength in [0, 1] between two body sites (see ``scenarios.yaml``).

    Symmetric. Same region on compatible sides is strongest; the crossed diagonal (arm or neck on
    one side, pelvis or leg on the other) counts as a moderate link, after the posterior oblique
    sling evidence (Wilke 2016; Caldeira 2024).
    """
    w = simulator_data().linkage
    atlas = regions()
    seg_a, seg_b = atlas[region_a].segment, atlas[region_b].segment
    compatible = _sides_compatible(side_a, side_b)
    if region_a == region_b and compatible:
        return w.same_region
    if seg_a == seg_b and compatible:
        return w.same_segment
    crossed = {side_a, side_b} == {"left", "right"}
    if crossed and ((seg_a in _UPPER and seg_b in _LOWER) or (seg_a in _LOWER and seg_b in _UPPER)):
        return w.diagonal
    if frozenset({seg_a, seg_b}) in _ADJACENT or seg_a == seg_b:
        return w.adjacent
    return w.far
