"""A posture photo whose lower arm is not seen still gets a RULA score (the worse lower-arm score, stated),
and the facing direction from the flexed elbows where the feet disagree."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kinetrace.video.geometry import facing_direction
from kinetrace.video.pose import PoseSequence
from kinetrace.video.posture import analyse_frames
from kinetrace.video.skeleton import INDEX, KEYPOINTS


def _photo(points: Mapping[str, tuple[float, float] | None]) -> PoseSequence:
    kp = np.zeros((len(KEYPOINTS), 3))
    for name, xy in points.items():
        kp[INDEX[name]] = (np.nan, np.nan, 0.0) if xy is None else (*xy, 1.0)
    return PoseSequence.from_frames([kp], fps=1.0, size=(640, 480), source="test")


# side-on, facing image right, trunk upright, upper arms hanging (elbow 80 px below the shoulder)
BODY: dict[str, tuple[float, float] | None] = {
    "left_ear": (318, 100), "right_ear": (322, 100), "nose": (335, 105),
    "left_shoulder": (318, 150), "right_shoulder": (322, 150), "left_hip": (318, 290), "right_hip": (322, 290),
    "left_elbow": (318, 230), "right_elbow": (322, 230),
    "left_knee": (320, 380), "right_knee": (324, 380), "left_ankle": (318, 460), "right_ankle": (322, 460),
    "left_heel": (308, 465), "right_heel": (312, 465), "left_toe": (340, 465), "right_toe": (344, 465),
}  # fmt: skip


def _forearm(side: str, flexion_deg: float) -> dict[str, tuple[float, float] | None]:
    ex, ey = BODY[f"{side}_elbow"] or (0.0, 0.0)
    a = np.radians(flexion_deg)
    wrist = (ex + 80 * np.sin(a), ey + 80 * np.cos(a))
    return {f"{side}_wrist": wrist, f"{side}_index": (wrist[0] + 20 * np.sin(a), wrist[1] + 20 * np.cos(a))}


def _grand(points: Mapping[str, tuple[float, float] | None]) -> tuple[int | None, list[str]]:
    a = analyse_frames(_photo(points))
    frame = a.rula[0]
    return (None if frame is None else max(v["grand"] for v in frame.values())), a.assumptions


def test_no_wrist_on_either_side_is_scored_with_the_worse_lower_arm_and_says_so() -> None:
    unseen = BODY | {f"{s}_{p}": None for s in ("left", "right") for p in ("wrist", "index")}
    grand, assumptions = _grand(unseen)
    bad, _ = _grand(BODY | _forearm("left", 30) | _forearm("right", 30))  # lower arm score 2
    good, _ = _grand(BODY | _forearm("left", 80) | _forearm("right", 80))  # lower arm score 1
    assert grand is not None and grand == bad and grand >= (good or 0)
    frame = analyse_frames(_photo(unseen)).rula[0]
    assert frame is not None and {v["lower_arm"] for v in frame.values()} == {2}
    note = [a for a in assumptions if a.startswith("lower arm not seen")]
    assert len(note) == 1 and "2 side-frame(s)" in note[0]
    assert ("upper bound" in note[0]) == (bad != good)


def test_a_fully_seen_side_is_not_joined_by_a_guessed_one() -> None:
    one = BODY | _forearm("right", 80) | {"left_wrist": None, "left_index": None}
    frame = analyse_frames(_photo(one)).rula[0]
    assert frame is not None and set(frame) == {"right"} and frame["right"]["lower_arm"] == 1
    _, assumptions = _grand(one)
    assert not any(a.startswith("lower arm not seen") for a in assumptions)


def test_no_upper_arm_no_score() -> None:
    none = BODY | {f"{s}_{p}": None for s in ("left", "right") for p in ("elbow", "wrist", "index")}
    assert analyse_frames(_photo(none)).rula == [None]


def test_the_flexed_elbows_give_the_facing_where_the_feet_disagree() -> None:
    # feet contradicting each other, a faceless head (nose behind the ears): the elbows decide
    confused = BODY | {"left_toe": (300, 465), "nose": (310, 105)} | _forearm("left", 70) | _forearm("right", 70)
    assert facing_direction(_photo(confused))[0] == 1.0
    mirrored = {k: (None if v is None else (640 - v[0], v[1])) for k, v in confused.items()}
    assert facing_direction(_photo(mirrored))[0] == -1.0
    straight = confused | _forearm("left", 5) | _forearm("right", 5)  # a straight elbow shows nothing: the head
    assert facing_direction(_photo(straight))[0] == -1.0
