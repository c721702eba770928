"""Which way the camera looked, detected from the keypoints, and whether one person was followed.

Side-on, the two shoulders and the two hips nearly overlap in the image; from in front or
behind they are about a trunk-length apart (the width/trunk ratio below). Front and back are
told apart by the pose model's own left/right labels (seen from behind, the right shoulder
is on the image right), a weaker cue, so a front/back disagreement only warns while a
side/frontal disagreement is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kinetrace.video.errors import ViewMismatch
from kinetrace.video.geometry import midpoint
from kinetrace.video.pose import PoseSequence

#: Median (shoulder width + hip width) / (2 x trunk length): below = side-on, above = frontal.
SIDE_MAX_RATIO = 0.3
FRONTAL_MIN_RATIO = 0.5
#: A jump of the body's centre by more than this many trunk lengths in one frame = another person.
SWITCH_JUMP_TRUNKS = 1.0


@dataclass(frozen=True)
class ViewFound:
    """Detected view (``side``, ``front``, ``back`` or ``oblique``) and the figures behind it."""

    view: str
    evidence: dict[str, float] = field(default_factory=dict)


def _ratio(seq: PoseSequence) -> float:
    P = {n: seq.point(n) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")}
    sh = np.abs(P["left_shoulder"][:, 0] - P["right_shoulder"][:, 0])
    hp = np.abs(P["left_hip"][:, 0] - P["right_hip"][:, 0])
    trunk = np.linalg.norm(midpoint(P["left_shoulder"], P["right_shoulder"]) - midpoint(P["left_hip"], P["right_hip"]),
                           axis=1)  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (sh + hp) / (2 * trunk)
    r = r[np.isfinite(r)]
    return float(np.median(r)) if r.size else float("nan")


def detect(seq: PoseSequence) -> ViewFound:
    """Classify the clip's view from the median width/trunk ratio and the label order."""
    ratio = _ratio(seq)
    order = np.sign(seq.point("right_shoulder")[:, 0] - seq.point("left_shoulder")[:, 0])
    order = order[np.isfinite(order) & (order != 0)]
    back_share = float(np.mean(order > 0)) if order.size else 0.5
    ev = {"width_to_trunk_ratio": round(ratio, 3), "labels_as_seen_from_behind_pct": round(100 * back_share, 1)}
    if not np.isfinite(ratio):
        return ViewFound("side", ev)
    if ratio < SIDE_MAX_RATIO:
        return ViewFound("side", ev)
    if ratio < FRONTAL_MIN_RATIO:
        return ViewFound("oblique", ev)
    return ViewFound("back" if back_share >= 0.5 else "front", ev)


def resolve(stated: str, found: ViewFound) -> tuple[str, list[str]]:
    """The view to analyse and any warning; raises :class:`ViewMismatch` on side vs front/back."""
    r = found.evidence.get("width_to_trunk_ratio", float("nan"))
    why = (f"shoulders and hips {r:.2f} trunk lengths wide "
           f"(side-on < {SIDE_MAX_RATIO}, front/back > {FRONTAL_MIN_RATIO})")  # fmt: skip
    if found.view == "oblique":
        notes = [f"the camera looks obliquely at the runner ({why}); angles are foreshortened. "
                 "Film square-on from the side, front or back."]  # fmt: skip
        return ("side" if stated == "auto" else stated), notes
    if stated == "auto":
        return found.view, [f"view detected from the keypoints: {found.view} ({why})"]
    frontal = {"front", "back"}
    if (stated == "side") != (found.view == "side"):
        raise ViewMismatch(
            f"--view {stated} was given but the keypoints show a {found.view} view ({why}). "
            f"Run with --view {found.view} (or --view auto), or film again from the stated side."
        )
    if stated in frontal and stated != found.view:
        return stated, [f"--view {stated} was given but the pose model's labels look like a {found.view} view; "
                        f"left/right follow --view {stated}; check which side is which"]  # fmt: skip
    return stated, []


def person_switches(seq: PoseSequence) -> list[str]:
    """Warn when the tracked body jumps (the pose model switched to another person)."""
    hip = midpoint(seq.point("left_hip"), seq.point("right_hip"))
    sh = midpoint(seq.point("left_shoulder"), seq.point("right_shoulder"))
    trunk = float(np.nanmedian(np.linalg.norm(sh - hip, axis=1)))
    if not np.isfinite(trunk) or trunk <= 0:
        return []
    step = np.linalg.norm(np.diff(hip, axis=0), axis=1) / trunk
    size = np.linalg.norm(sh - hip, axis=1) / trunk
    jumps = int(np.count_nonzero(step > SWITCH_JUMP_TRUNKS))
    odd = int(np.count_nonzero((size < 0.6) | (size > 1.6)))
    notes = []
    if jumps:
        notes.append(
            f"the tracked body jumped by more than {SWITCH_JUMP_TRUNKS:g} trunk length between frames {jumps} time(s): "
            "the pose model may have switched to another person. Film one runner alone, or crop the video to them."
        )
    if odd > 0.1 * seq.n_frames:
        notes.append(
            f"the tracked body changed size in {odd} frame(s) (trunk < 0.6x or > 1.6x its median): "
            "more than one person or a partly hidden runner"
        )
    return notes


def several_people(counts: list[int]) -> list[str]:
    """Warn when a quarter or more of the sampled frames show two or more people."""
    crowded = sum(1 for c in counts if c >= 2)
    if not counts or crowded < 0.25 * len(counts):
        return []
    return [
        f"{max(counts)} people were seen in {crowded} of {len(counts)} sampled frames (OpenCV HOG person detector). "
        "The analysis follows ONE person: the one the pose model found first and then tracked frame to frame "
        "(MediaPipe keeps a single, continuous track). Check the contact sheet shows the runner you meant; "
        "if not, crop or trim the video to that runner."
    ]
