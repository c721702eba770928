"""The posture view (side vs front/back) from shoulder and hip width, not shoulders alone."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kinetrace.video.pose import PoseSequence
from kinetrace.video.posture import analyse_frames
from kinetrace.video.skeleton import INDEX, KEYPOINTS


def _photo(points: Mapping[str, tuple[float, float]]) -> PoseSequence:
    kp = np.zeros((len(KEYPOINTS), 3))
    for name, (x, y) in points.items():
        kp[INDEX[name]] = (x, y, 1.0)
    return PoseSequence.from_frames([kp], fps=1.0, size=(640, 480), source="test")


BODY = {"left_ear": (318, 100), "right_ear": (322, 100), "nose": (335, 105), "left_elbow": (330, 230),
        "right_elbow": (334, 230), "left_wrist": (380, 240), "right_wrist": (384, 240), "left_index": (395, 240),
        "right_index": (399, 240), "left_knee": (320, 380), "right_knee": (324, 380), "left_ankle": (318, 460),
        "right_ankle": (322, 460), "left_heel": (308, 465), "right_heel": (312, 465), "left_toe": (340, 465),
        "right_toe": (344, 465)}  # fmt: skip


def test_a_side_photo_with_a_raised_arm_is_still_side_on() -> None:
    # side-on, trunk 140 px; the raised arm pulled one shoulder keypoint 55 px up (shoulders 0.39 trunk apart)
    side = BODY | {"left_shoulder": (315, 105), "right_shoulder": (325, 160), "left_hip": (318, 270),
                   "right_hip": (326, 270)}  # fmt: skip
    assert analyse_frames(_photo(side)).view == "side"


def test_a_photo_facing_the_camera_is_front_or_back() -> None:
    front = BODY | {"left_shoulder": (380, 140), "right_shoulder": (260, 140), "left_hip": (355, 280),
                    "right_hip": (285, 280)}  # fmt: skip
    assert analyse_frames(_photo(front)).view == "front/back"
