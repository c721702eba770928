"""Result models (pydantic) returned by :func:`analyse_gait` and :func:`analyse_posture`."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Side = Literal["left", "right", "central", "bilateral"]


class Reference(BaseModel):
    """A published reference value (or an explicit 'not found')."""

    model_config = ConfigDict(frozen=True)

    text: str
    low: float | None = None
    high: float | None = None
    source: str


class Metric(BaseModel):
    """One running or posture metric, per side where it has sides.

    ``asymmetry`` is ``right - left`` in the metric's unit; ``asymmetry_pct`` is
    ``|right - left| / mean(|right|, |left|) * 100``. ``asymmetry_beyond_error`` is true only
    when ``|asymmetry|`` exceeds ``asymmetry_threshold`` (the larger of the metric's measured video MDC
    and the measured error of the right - left difference on the symmetric pixel-set runner):
    smaller left/right differences are within the measurement error and are not reported.
    """

    id: str
    label: str
    unit: str
    definition: str
    left: float | None = None
    right: float | None = None
    value: float | None = None
    n_left: int = 0
    n_right: int = 0
    n: int = 0
    asymmetry: float | None = None
    asymmetry_pct: float | None = None
    asymmetry_threshold: float | None = None
    asymmetry_beyond_error: bool | None = None
    reference: Reference | None = None
    comparison: dict[str, str] = Field(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        """Fill asymmetry and the comparison with the reference."""
        if self.left is not None and self.right is not None:
            self.asymmetry = self.right - self.left
            mean = (abs(self.left) + abs(self.right)) / 2
            self.asymmetry_pct = abs(self.asymmetry) / mean * 100 if mean > 0 else 0.0
            if self.asymmetry_threshold is not None:
                self.asymmetry_beyond_error = abs(self.asymmetry) > self.asymmetry_threshold
        ref = self.reference
        for key, val in (("left", self.left), ("right", self.right), ("value", self.value)):
            if val is None:
                continue
            if ref is None or (ref.low is None and ref.high is None):
                self.comparison[key] = "no numeric reference"
            elif ref.low is not None and val < ref.low:
                self.comparison[key] = "below reference"
            elif ref.high is not None and val > ref.high:
                self.comparison[key] = "above reference"
            else:
                self.comparison[key] = "within reference"


class FrameTable:
    """Per-frame columns (keypoints and angles) kept for the CSV; not serialised to JSON."""

    def __init__(self, times: NDArray[np.float64], columns: dict[str, NDArray[np.float64]]) -> None:
        self.times = times
        self.columns = columns


class _Result(BaseModel):
    source_path: str
    backend: str
    fps: float
    n_frames: int
    duration_s: float
    metrics: list[Metric]
    warnings: list[str] = Field(default_factory=list)
    outputs: dict[str, str] = Field(default_factory=dict)
    _frames: FrameTable | None = PrivateAttr(default=None)

    def metric(self, metric_id: str) -> Metric:
        """Return the metric with ``metric_id`` (``KeyError`` if absent)."""
        for m in self.metrics:
            if m.id == metric_id:
                return m
        raise KeyError(f"no metric {metric_id!r}; have {[m.id for m in self.metrics]}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (``json.dumps`` works on it)."""
        return self.model_dump(mode="json")


class GaitResult(_Result):
    """Running-gait metrics from one clip."""

    kind: Literal["gait"] = "gait"
    view: Literal["side", "front", "back"]
    view_detected: str | None = None
    view_evidence: dict[str, float] = Field(default_factory=dict)
    initial_contacts: dict[str, list[int]] = Field(default_factory=dict)
    lr_swaps_repaired: int = 0
    cadence_check: dict[str, float] = Field(default_factory=dict)
    #: Plotted per-frame angles (``time_s`` + ``<angle>_<side>_deg``), down-sampled, for the web page.
    series: dict[str, list[float | None]] = Field(default_factory=dict)


class RulaFrame(BaseModel):
    """RULA scores of one frame for one side."""

    side: Literal["left", "right"]
    upper_arm: int
    lower_arm: int
    wrist: int
    wrist_twist: int
    neck: int
    trunk: int
    legs: int
    score_a: int
    score_b: int
    score_c: int
    score_d: int
    grand: int
    action_level: int


class PostureResult(_Result):
    """Work-posture angles and RULA from a photo or clip."""

    kind: Literal["posture"] = "posture"
    view_estimate: str
    rula_worst: RulaFrame | None = None
    rula_worst_frame: int | None = None
    rula_time_weighted: float | None = None
    rula_action_level_time_pct: dict[str, float] = Field(default_factory=dict)
    rula_assumptions: list[str] = Field(default_factory=list)
