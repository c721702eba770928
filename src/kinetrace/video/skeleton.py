"""Canonical keypoint set, loaded from ``skeleton.yaml`` (data with sources)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=1)
def load_skeleton() -> dict[str, Any]:
    """Return the parsed ``skeleton.yaml`` (keypoint names and tool mappings)."""
    text = resources.files("kinetrace.video").joinpath("skeleton.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def keypoint_names() -> tuple[str, ...]:
    """Canonical keypoint names, in array order."""
    return tuple(load_skeleton()["keypoints"])


KEYPOINTS: tuple[str, ...] = keypoint_names()
INDEX: dict[str, int] = {name: i for i, name in enumerate(KEYPOINTS)}

#: Pairs of (left, right) keypoints, used for swap correction and mirroring.
LR_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (n, "right_" + n.removeprefix("left_")) for n in KEYPOINTS if n.startswith("left_")
)

#: Lines drawn on annotated frames.
BONES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    *(
        (f"{s}_{a}", f"{s}_{b}")
        for s in ("left", "right")
        for a, b in (
            ("shoulder", "elbow"),
            ("elbow", "wrist"),
            ("wrist", "index"),
            ("shoulder", "hip"),
            ("hip", "knee"),
            ("knee", "ankle"),
            ("ankle", "heel"),
            ("heel", "toe"),
            ("ankle", "toe"),
        )
    ),
)


def mapping(tool: str) -> dict[str, Any]:
    """Return the mapping block for ``tool`` (e.g. ``"mediapipe_pose"``)."""
    maps: dict[str, Any] = load_skeleton()["mappings"]
    return dict(maps[tool])
