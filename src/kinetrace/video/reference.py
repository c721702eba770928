"""Loader for ``reference_values.yaml`` (published reference values and MDCs, with sources)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from kinetrace.video.results import Reference


@lru_cache(maxsize=1)
def load_reference_values() -> dict[str, Any]:
    """Parsed ``reference_values.yaml``."""
    text = resources.files("kinetrace.video").joinpath("reference_values.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
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
