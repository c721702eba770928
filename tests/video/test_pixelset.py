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

from kinetrace.video.pixelset import ClipSpec, load_motion, render


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


@pytest.mark.mediapipe
def test_mediapipe_cadence_on_the_rendered_runner_is_within_2_steps_per_minute(clip: Path) -> None:
    from kinetrace.video import analyse_gait

    res = analyse_gait(clip, view="auto")
    assert res.view == "side"
    assert res.metric("cadence_spm").value == pytest.approx(150.0, abs=2.0)
    assert abs(res.cadence_check["difference_spm"]) <= 2.0
