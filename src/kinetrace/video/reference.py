"""Loader for ``reference_values.yaml`` (published reference values and MDCs, with sources).

The MDC a video marker carries into trial scoring is the *larger* of the published
figure (human re-tests, other 2D pipelines) and this pipeline's own test-retest MDC95
measured on the pixel set (``measured_mdc.json``, written by ``kinetrace bench-video
--write-mdc``): a smaller published figure would let pose noise pass as real change.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from kinetrace.video.results import Reference

MEASURED_FILE = "measured_mdc.json"


@lru_cache(maxsize=1)
def load_measured_mdc() -> dict[str, Any]:
    """The pixel-set test-retest MDC95 per metric (``{}`` when the file is absent)."""
    res = resources.files("kinetrace.video").joinpath(MEASURED_FILE)
    if not res.is_file():
        return {}
    data: dict[str, Any] = json.loads(res.read_text("utf-8"))
    return data


def _merged_mdc(metric_id: str, yaml_mdc: dict[str, Any] | None) -> dict[str, Any] | None:
    measured = load_measured_mdc().get("metrics", {}).get(metric_id)
    if measured is None:
        return yaml_mdc
    value = math.ceil(float(measured["mdc95"]) * 10) / 10
    if yaml_mdc is not None and yaml_mdc.get("kind") == "published" and float(yaml_mdc["value"]) >= value:
        return yaml_mdc
    earlier = ""
    if yaml_mdc is not None:
        earlier = f"; replaces the {yaml_mdc['kind']} figure {yaml_mdc['value']}"
    return {
        "value": value,
        "kind": "pixel-set test-retest",
        "source": (
            f"Kinetrace pixel set (kinetrace bench-video, {load_measured_mdc().get('measured', '?')}): MediaPipe on "
            f"{int(measured['retest_clips'])} repeat clips of one rendered runner "
            "(start phase, 4/6 m, direction, pan), "
            f"SD {measured['retest_sd']:.2f}, MDC95 = 1.96 x sqrt(2) x SD = {measured['mdc95']:.2f}, rounded up"
            + earlier
        ),
    }


def asymmetry_limit(metric_id: str) -> float | None:
    """The measured 95 % limit of the left/right difference's error (pixel set, rounded up), if any.

    A right - left difference is reported as beyond the error only when it exceeds both this
    and the metric's MDC (``kinetrace.video.pipeline``).
    """
    measured = load_measured_mdc().get("metrics", {}).get(metric_id, {})
    limit = measured.get("asymmetry_limit95")
    return None if limit is None else math.ceil(float(limit) * 10) / 10


@lru_cache(maxsize=1)
def load_reference_values() -> dict[str, Any]:
    """Parsed ``reference_values.yaml``, each metric's MDC merged with the measured one."""
    text = resources.files("kinetrace.video").joinpath("reference_values.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    for mid, e in data["metrics"].items():
        mdc = _merged_mdc(mid, e.get("mdc"))
        if mdc is not None:
            e["mdc"] = mdc
    return data


def entry(metric_id: str) -> dict[str, Any]:
    """The YAML entry for ``metric_id`` (``KeyError`` names the known ids)."""
    metrics: dict[str, Any] = load_reference_values()["metrics"]
    if metric_id not in metrics:
        raise KeyError(f"no reference entry for {metric_id!r}; known: {sorted(metrics)}")
    return dict(metrics[metric_id])


def reference_for(metric_id: str) -> Reference:
    """The :class:`Reference` of ``metric_id``."""
    ref = entry(metric_id)["reference"]
    return Reference(text=ref["text"], low=ref.get("low"), high=ref.get("high"), source=ref["source"])
