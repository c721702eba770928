"""RULA scoring driven by the published tables in ``rula_tables.yaml``.

McAtamney L, Corlett EN. RULA: a survey method for the investigation of work-related
upper limb disorders. Applied Ergonomics 1993;24(2):91-99. No score is hand-coded here:
every lookup reads the YAML tables and ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=1)
def load_rula_tables() -> dict[str, Any]:
    """Parsed and shape-checked ``rula_tables.yaml``."""
    text = resources.files("kinetrace.video").joinpath("rula_tables.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    shapes = {"table_a": (18, 8), "table_b": (6, 12), "table_c": (8, 7)}
    for name, (nr, nc) in shapes.items():
        rows = data[name]["rows"]
        if len(rows) != nr or any(len(r) != nc for r in rows):
            raise ValueError(f"rula_tables.yaml: {name} must be {nr} x {nc}")
    return data


def _check(name: str, value: int, lo: int, hi: int) -> None:
    if not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"RULA {name} score must be an integer {lo}-{hi}; got {value!r}")


def table_a(upper_arm: int, lower_arm: int, wrist: int, wrist_twist: int) -> int:
    """Posture score A (McAtamney & Corlett 1993, Table 1)."""
    _check("upper arm", upper_arm, 1, 6)
    _check("lower arm", lower_arm, 1, 3)
    _check("wrist", wrist, 1, 4)
    _check("wrist twist", wrist_twist, 1, 2)
    rows = load_rula_tables()["table_a"]["rows"]
    return int(rows[(upper_arm - 1) * 3 + (lower_arm - 1)][(wrist - 1) * 2 + (wrist_twist - 1)])


def table_b(neck: int, trunk: int, legs: int) -> int:
    """Posture score B (McAtamney & Corlett 1993, Table 2)."""
    _check("neck", neck, 1, 6)
    _check("trunk", trunk, 1, 6)
    _check("legs", legs, 1, 2)
    rows = load_rula_tables()["table_b"]["rows"]
    return int(rows[neck - 1][(trunk - 1) * 2 + (legs - 1)])


def table_c(score_c: int, score_d: int) -> int:
    """Grand score from scores C and D (Table C; C >= 8 and D >= 7 use the last row/column)."""
    _check("C", score_c, 1, 20)
    _check("D", score_d, 1, 20)
    rows = load_rula_tables()["table_c"]["rows"]
    return int(rows[min(score_c, 8) - 1][min(score_d, 7) - 1])


def action_level(grand: int) -> tuple[int, str]:
    """Action level (1-4) and its wording for a grand score 1-7."""
    _check("grand", grand, 1, 7)
    for lvl in load_rula_tables()["action_levels"]["levels"]:
        if lvl["min"] <= grand <= lvl["max"]:
            return int(lvl["level"]), str(lvl["text"])
    raise ValueError(f"no action level for grand score {grand}")  # pragma: no cover - data error


def part_score(part: str, angle_deg: float) -> int:
    """Base score of ``part`` (upper_arm, lower_arm, wrist, neck, trunk) for an angle in degrees."""
    ranges = load_rula_tables()["part_scores"]
    if part not in ranges or part == "source":
        raise ValueError(f"unknown RULA part {part!r}; allowed: upper_arm, lower_arm, wrist, neck, trunk")
    for r in ranges[part]:
        if r["lower"] <= angle_deg < r["upper"]:
            return int(r["score"])
    raise ValueError(f"{part} angle {angle_deg} deg is outside the RULA ranges (-180 to 180)")


def threshold(name: str) -> float:
    """A video threshold from ``video_thresholds`` (Kinetrace choices, not part of RULA)."""
    return float(load_rula_tables()["video_thresholds"][name])


@dataclass(frozen=True)
class RulaInput:
    """Angles (degrees) and worksheet adjustments for one side of one posture.

    Angles: ``upper_arm_flexion`` (+ flexion, - extension), ``elbow_flexion`` (0 = straight),
    ``wrist_flexion`` (+/-, ``None`` = not visible -> neutral assumed), ``neck_flexion``
    (+ flexion, - extension), ``trunk_flexion`` (from vertical).
    """

    upper_arm_flexion: float
    elbow_flexion: float
    neck_flexion: float
    trunk_flexion: float
    wrist_flexion: float | None = None
    shoulder_raised: bool = False
    upper_arm_abducted: bool = False
    arm_supported: bool = False
    lower_arm_across_or_out: bool = False
    wrist_deviated: bool = False
    wrist_twist: int = 1
    neck_twisted: bool = False
    neck_side_bent: bool = False
    trunk_twisted: bool = False
    trunk_side_bent: bool = False
    legs_supported: bool = True
    muscle_use_a: int = 0
    force_a: int = 0
    muscle_use_b: int = 0
    force_b: int = 0


def score(inp: RulaInput) -> dict[str, int]:
    """All RULA part scores, scores A-D, the grand score and the action level."""
    ua = part_score("upper_arm", inp.upper_arm_flexion)
    ua += int(inp.shoulder_raised) + int(inp.upper_arm_abducted) - int(inp.arm_supported)
    ua = min(max(ua, 1), 6)
    la = min(part_score("lower_arm", inp.elbow_flexion) + int(inp.lower_arm_across_or_out), 3)
    wf = 0.0 if inp.wrist_flexion is None else abs(inp.wrist_flexion)
    wr = min(part_score("wrist", wf) + int(inp.wrist_deviated), 4)
    nk = min(part_score("neck", inp.neck_flexion) + int(inp.neck_twisted) + int(inp.neck_side_bent), 6)
    tr = min(part_score("trunk", inp.trunk_flexion) + int(inp.trunk_twisted) + int(inp.trunk_side_bent), 6)
    legs = 1 if inp.legs_supported else 2
    for name, val, hi in (("muscle use", inp.muscle_use_a, 1), ("force/load", inp.force_a, 3)):
        _check(name, val, 0, hi)
    for name, val, hi in (("muscle use", inp.muscle_use_b, 1), ("force/load", inp.force_b, 3)):
        _check(name, val, 0, hi)
    a = table_a(ua, la, wr, inp.wrist_twist)
    b = table_b(nk, tr, legs)
    c = a + inp.muscle_use_a + inp.force_a
    d = b + inp.muscle_use_b + inp.force_b
    grand = table_c(c, d)
    level, _ = action_level(grand)
    return {
        "upper_arm": ua, "lower_arm": la, "wrist": wr, "wrist_twist": inp.wrist_twist,
        "neck": nk, "trunk": tr, "legs": legs, "score_a": a, "score_b": b,
        "score_c": c, "score_d": d, "grand": grand, "action_level": level,
    }  # fmt: skip
