"""The pixel set on a small scale: a rendered clip's truth, and MediaPipe + the analysis against it.

Renders one 3 s side-view clip of the DeepMimic run (pybullet TinyRenderer, CPU; skipped
without the dev extra). The full evaluation is ``kinetrace bench-video`` (docs/video.md).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

pytest.importorskip("pybullet")

from kinetrace.video.pixelset import ClipSpec, dense_frames, ground_truth, load_motion, render


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(ClipSpec("test_run", seconds=3.0, phase=0.2), tmp_path_factory.mktemp("pixelset"))


def test_the_run_clip_loops_at_150_steps_per_minute() -> None:
    motion = load_motion("run")
    assert 120.0 / motion.cycle_s == pytest.approx(150.0, abs=0.01)
    assert load_motion("walk").cycle_s > motion.cycle_s


def test_truth_has_alternating_contacts_one_step_apart_and_symmetric_angles(clip: Path) -> None:
    truth = json.loads(clip.with_suffix(".truth.json").read_text())
    left, right = truth["contacts"]["left"], truth["contacts"]["right"]
    both = sorted([(f, "L") for f in left] + [(f, "R") for f in right])
    assert len(both) >= 5
    assert all(a[1] != b[1] for a, b in itertools.pairwise(both))  # alternate
    assert all(b[0] - a[0] == pytest.approx(12, abs=1) for a, b in itertools.pairwise(both))  # 0.4 s at 30 fps
    sag = truth["sagittal"]
    for k in ("knee_flexion_ic_deg", "knee_flexion_midstance_deg", "shank_angle_ic_deg"):
        assert sag["left"][k] == pytest.approx(sag["right"][k], abs=1.5), k  # the mocap runner is symmetric


def test_truth_at_contact_does_not_depend_on_the_frame_rate_or_start_phase() -> None:
    """The angles "at contact" are read at the contact instant (motion sampled at 600 Hz), not the clip's frames.

    Read from the clip's own frames they differed between 30 and 120 fps of the same motion
    (knee 22.0 vs 17.9 deg, shank 4.3 vs 11.6 deg, before 2026-12-02).
    """
    motion = load_motion("run")
    got = []
    for spec in (ClipSpec("a", seconds=2.0), ClipSpec("b", seconds=2.0, fps=120.0, phase=0.37)):
        frames = dense_frames(ClipSpec("c", seconds=2.0, fps=spec.fps, phase=spec.phase), motion, fps=spec.fps)
        got.append(ground_truth(frames, spec, motion, dense_frames(spec, motion))["sagittal"]["right"])
        own = ground_truth(frames, spec, motion)["sagittal"]["right"]  # from the clip's frames
        got.append(own)
    dense30, own30, dense120, own120 = got
    for k in ("knee_flexion_ic_deg", "shank_angle_ic_deg", "knee_flexion_midstance_deg"):
        assert dense30[k] == pytest.approx(dense120[k], abs=0.5), k
    assert abs(own30["shank_angle_ic_deg"] - own120["shank_angle_ic_deg"]) > 3.0  # why the dense sampling


@pytest.mark.mediapipe
def test_mediapipe_cadence_on_the_rendered_runner_is_within_2_steps_per_minute(clip: Path) -> None:
    from kinetrace.video import analyse_gait

    res = analyse_gait(clip, view="auto")
    assert res.view == "side"
    assert res.metric("cadence_spm").value == pytest.approx(150.0, abs=2.0)
    assert abs(res.cadence_check["difference_spm"]) <= 2.0


def test_the_rendered_body_adds_visual_shapes_only_so_the_joints_and_truth_are_the_wheels() -> None:
    """The human-shaped body (``BODY_SHAPES``, 2026-12-03) changes what is drawn, not the skeleton."""
    import xml.etree.ElementTree as ET

    import numpy as np

    from kinetrace.video.pixelset import BODY_SHAPES, Scene, humanoid_urdf, posture_pose, posture_set

    robot = ET.fromstring(humanoid_urdf())
    links = {link.get("name"): link for link in robot.iter("link")}
    for name, shapes in BODY_SHAPES.items():
        assert len(links[name].findall("visual")) == 1 + len(shapes), name  # its own shape + the added ones
        assert len(links[name].findall("collision")) == 1, name
    scene = Scene()
    try:
        p = scene.p
        wheel = int(p.loadURDF("humanoid/humanoid.urdf", [0, 0.9, 0], globalScaling=0.25, useFixedBase=True,
                               physicsClientId=scene.cid))  # fmt: skip
        assert p.getNumJoints(wheel, physicsClientId=scene.cid) == p.getNumJoints(
            scene.bodies[0], physicsClientId=scene.cid
        )
        drawn = [row[1] for row in p.getVisualShapeData(scene.bodies[0], physicsClientId=scene.cid)]
        assert drawn.count(1) == 1 + len(BODY_SHAPES["chest"])  # link 1 = chest: pybullet loaded every shape
        pose = posture_pose(posture_set()[2])
        got = []
        for body in (scene.bodies[0], wheel):
            scene.set_pose(body, pose)
            got.append(scene.joints(body))
    finally:
        scene.close()
    assert got[0].keys() == got[1].keys()
    for k in got[0]:
        assert np.allclose(got[0][k], got[1][k], atol=1e-9), k


def test_a_posture_bends_at_the_hips_and_the_chest_with_the_thighs_vertical() -> None:
    import numpy as np

    from kinetrace.video.pixelset import HIP_SHARE, FloatArray, PostureSpec, Scene, posture_pose

    def joints(trunk: float) -> dict[str, FloatArray]:
        scene = Scene()
        try:
            scene.set_pose(scene.bodies[0], posture_pose(PostureSpec("t", trunk=trunk)))
            return scene.joints(scene.bodies[0])
        finally:
            scene.close()

    def from_vertical(v: FloatArray) -> float:  # side plane (x forward, y up); + = forward
        return float(np.degrees(np.arctan2(v[0], v[1])))

    upright, bent = joints(0.0), joints(50.0)
    for s in ("left", "right"):  # the hip flexion keeps each thigh as it was upright
        thigh = bent[f"{s}_knee"] - bent[f"{s}_hip"]
        assert abs(from_vertical(-thigh)) < 0.5
        assert np.allclose(thigh, upright[f"{s}_knee"] - upright[f"{s}_hip"], atol=1e-6)
    # the pelvis tilts by HIP_SHARE of the flexion: the chest joint moves forward about the hips by that angle
    hip_mid = 0.5 * (bent["left_hip"] + bent["right_hip"])
    hip_mid0 = 0.5 * (upright["left_hip"] + upright["right_hip"])
    tilt = from_vertical(bent["chest"] - hip_mid) - from_vertical(upright["chest"] - hip_mid0)
    assert tilt == pytest.approx(HIP_SHARE * 50.0, abs=0.5)
    # and the hip -> shoulder line (the trunk of the posture analysis) leans forward by more than the pelvis
    sh = 0.5 * (bent["left_shoulder"] + bent["right_shoulder"])
    assert HIP_SHARE * 50.0 < from_vertical(sh - hip_mid) < 50.0
