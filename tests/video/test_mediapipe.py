"""The real MediaPipe backend on real photographs shipped by scikit-image (offline)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kinetrace.video import LowConfidenceKeypoints, analyse_gait, analyse_posture
from kinetrace.video.skeleton import INDEX

pytestmark = pytest.mark.mediapipe

# Where a person marks the joint centres on skimage.data.astronaut() (512 x 512 px), read by
# eye from a gridded copy of the image (x, y in px). The person's right is the image left.
# The left elbow is behind the helmet the astronaut holds, so it is judged with a looser tolerance.
HAND_MARKED = {
    "right_shoulder": (108, 245),
    "left_shoulder": (315, 258),
    "right_elbow": (62, 410),
    "left_elbow": (325, 380),
}
SHOULDER_WIDTH = 207.0  # px, between the hand-marked shoulders
TOLERANCE = {"right_shoulder": 0.10, "left_shoulder": 0.10, "right_elbow": 0.15, "left_elbow": 0.25}  # x shoulder width


@pytest.fixture(scope="module")
def backend():
    from kinetrace.video.mediapipe_backend import MediaPipeBackend

    b = MediaPipeBackend(static_image_mode=True)
    yield b
    b.close()


def test_astronaut_shoulders_and_elbows_are_where_a_person_would_mark_them(backend, astronaut_bgr) -> None:
    kp = backend.detect(astronaut_bgr, 0.0)
    assert kp is not None
    for name, (x, y) in HAND_MARKED.items():
        err = float(np.hypot(kp[INDEX[name], 0] - x, kp[INDEX[name], 1] - y))
        assert err <= TOLERANCE[name] * SHOULDER_WIDTH, f"{name}: {err:.1f} px off"
    # left/right not swapped: facing the camera, the right shoulder is on the image left
    assert kp[INDEX["right_shoulder"], 0] < kp[INDEX["left_shoulder"], 0]


def test_photo_posture_end_to_end(tmp_path: Path, astronaut_bgr) -> None:
    import cv2

    photo = tmp_path / "astronaut.png"
    cv2.imwrite(str(photo), astronaut_bgr)
    res = analyse_posture(photo, out_dir=tmp_path / "out")
    assert res.n_frames == 1 and res.rula_worst is not None
    assert 1 <= res.rula_worst.grand <= 7
    assert any(k.startswith("key_frame_") for k in res.outputs)


def test_clip_from_real_frames_posture_succeeds_and_gait_says_the_feet_are_not_visible(
    tmp_path: Path, astronaut_clip
) -> None:
    res = analyse_posture(astronaut_clip, out_dir=tmp_path / "p", annotated_video=True)
    assert res.n_frames == 30 and res.rula_time_weighted is not None
    assert Path(res.outputs["csv"]).exists() and Path(res.outputs["video"]).stat().st_size > 0
    # the photo shows no legs: gait refuses with a message naming the ankles
    with pytest.raises(LowConfidenceKeypoints, match="ankle"):
        analyse_gait(astronaut_clip, view="front")


def test_a_photo_found_only_when_mirrored_keeps_the_persons_own_left_and_right(astronaut_bgr) -> None:
    """The mirror retry maps x back and swaps the labels: the same keypoints as the direct detection."""
    from kinetrace.video.mediapipe_backend import MediaPipeBackend

    b = MediaPipeBackend(static_image_mode=True)
    direct = b.detect(astronaut_bgr, 0.0)
    real_process = b._pose.process
    calls: list[int] = []

    class _Nothing:
        pose_landmarks = None

    def first_call_finds_nobody(rgb):  # the direct attempt "fails", the mirrored one runs for real
        calls.append(1)
        return _Nothing() if len(calls) == 1 else real_process(rgb)

    b._pose.process = first_call_finds_nobody
    retried = b.detect(astronaut_bgr, 0.0)
    b._pose.process = real_process
    b.close()
    assert direct is not None and retried is not None and b.mirrored_frames == 1
    for name in HAND_MARKED:
        err = float(np.hypot(*(retried[INDEX[name], :2] - direct[INDEX[name], :2])))
        assert err <= 0.1 * SHOULDER_WIDTH, f"{name}: {err:.1f} px from the direct detection"
