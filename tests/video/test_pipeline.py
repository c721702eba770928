"""The video pipeline with FakePoseBackend (no mediapipe), importers, outputs, markers, CLI, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kinetrace.video import (
    FakePoseBackend,
    InvalidOption,
    LowConfidenceKeypoints,
    NoPersonFound,
    TooFewStrides,
    UnreadableVideo,
    analyse_gait,
    analyse_posture,
    markers_from_gait,
    markers_from_posture,
    values_for_markers,
)
from kinetrace.video.importers import write_openpose, write_trc
from kinetrace.video.reference import load_reference_values
from kinetrace.video.synthetic import RunnerParams, frontal_runner, sagittal_runner

from .conftest import write_video

FPS = 30.0


def _blank_video(tmp_path: Path, n: int, size: tuple[int, int] = (320, 240)) -> Path:
    frames = [np.full((size[1], size[0], 3), 50 + (i % 5) * 20, np.uint8) for i in range(n)]
    return write_video(tmp_path / "clip.mp4", frames, FPS)


def _runner(**kw):
    return sagittal_runner(
        RunnerParams(overstride_right=0.3), fps=FPS, duration_s=4.0, px_per_leg=100, size=(320, 240), **kw
    )


def test_gait_end_to_end_with_fake_backend_writes_all_outputs(tmp_path: Path) -> None:
    seq = _runner()
    video = _blank_video(tmp_path, seq.n_frames)
    calls: list[tuple[int, int]] = []
    res = analyse_gait(video, view="side", backend=FakePoseBackend(seq), out_dir=tmp_path / "out",
                       progress=lambda d, t: calls.append((d, t)), annotated_video=True)  # fmt: skip
    assert res.metric("cadence_spm").value == pytest.approx(170, abs=1.5)
    assert calls[-1][0] == seq.n_frames
    out = res.outputs
    assert json.loads(Path(out["json"]).read_text())["metrics"]
    header = Path(out["csv"]).read_text().splitlines()[0].split(",")
    assert header[:2] == ["frame", "time_s"] and "left_ankle_x_px" in header and "shank_angle_right_deg" in header
    assert any(k.startswith("key_frame_") for k in out) and Path(out["video"]).stat().st_size > 0
    json.dumps(res.to_dict())


def test_metrics_become_case_markers_and_a_refilmed_run_gives_values_for_the_same_ids(tmp_path: Path) -> None:
    trc = tmp_path / "run.trc"
    write_trc(sagittal_runner(RunnerParams(overstride_right=0.3)), trc)
    before = analyse_gait(trc, view="side")
    markers = markers_from_gait(before)
    ids = {m["id"] for m in markers}
    assert "video.shank_angle_ic_deg.right" in ids and "video.cadence_spm.bilateral" in ids
    for m in markers:
        assert m["mdc"] > 0 and m["mdc_source"] and m["better"] in ("higher", "lower")
        assert m["side"] in ("left", "right", "central", "bilateral") and m["region"].islower()
        assert set(m) >= {"id", "name", "unit", "better", "mdc", "mdc_source", "region", "side", "baseline"}
    write_trc(sagittal_runner(RunnerParams(overstride_right=0.2)), trc)
    after = values_for_markers(analyse_gait(trc, view="side"))
    assert set(after) == ids
    before_right = before.metric("overstride_pct").right
    assert before_right is not None
    assert after["video.overstride_pct.right"] < before_right - 5
    right_only = markers_from_gait(before, side_filter="right")
    assert right_only and all(m["side"] != "left" for m in right_only)


def test_front_view_markers_name_shoulder_abduction_per_side(tmp_path: Path) -> None:
    d = tmp_path / "op"
    write_openpose(frontal_runner(RunnerParams(abduction_right_deg=40), view="back"), d)
    res = analyse_gait(d, view="back", keypoint_fps=60)
    assert res.metric("shoulder_abduction_deg").right == pytest.approx(40, abs=1.5)
    names = {m["name"] for m in markers_from_gait(res)}
    assert "shoulder abduction while running, right" in names


def test_posture_from_keypoints_gives_rula_and_markers(tmp_path: Path) -> None:
    trc = tmp_path / "p.trc"
    write_trc(frontal_runner(RunnerParams(abduction_right_deg=60), duration_s=1.0), trc)
    res = analyse_posture(trc, out_dir=tmp_path / "o")
    assert res.view_estimate == "front/back"
    assert res.rula_worst is not None and res.rula_worst.side == "right" and res.rula_worst.upper_arm >= 4
    assert res.rula_time_weighted is not None
    assert 1 <= res.rula_time_weighted <= 7 and sum(res.rula_action_level_time_pct.values()) == pytest.approx(100)
    assert any(m["id"] == "video.rula_grand_score.right" for m in markers_from_posture(res))


def test_posture_without_a_seen_upper_arm_says_why_there_is_no_rula(tmp_path: Path) -> None:
    from kinetrace.video.skeleton import INDEX

    seq = frontal_runner(RunnerParams(abduction_right_deg=60), duration_s=1.0)
    xy = seq.xy.copy()
    for s in ("left", "right"):
        xy[:, INDEX[f"{s}_elbow"]] = np.nan
    trc = tmp_path / "p.trc"
    write_trc(seq.with_xy(xy), trc)
    res = analyse_posture(trc)
    assert res.rula_worst is None and res.rula_time_weighted is None
    assert any(w.startswith("RULA not scored: neither upper arm") for w in res.warnings)
    full = tmp_path / "full.trc"
    write_trc(seq, full)
    assert not any(w.startswith("RULA not scored") for w in analyse_posture(full).warnings)


# ---- bad input: each gives its own clear error ----
def test_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(UnreadableVideo, match="cannot read a frame.*Allowed"):
        analyse_gait(bad, view="side", backend=FakePoseBackend([None]))
    with pytest.raises(UnreadableVideo, match="file not found"):
        analyse_posture(tmp_path / "missing.jpg", backend=FakePoseBackend([None]))


def test_no_person_found(tmp_path: Path) -> None:
    video = _blank_video(tmp_path, 20)
    with pytest.raises(NoPersonFound, match="found in 0 of 20 frames"):
        analyse_gait(video, view="side", backend=FakePoseBackend([None] * 20))


def test_too_few_strides(tmp_path: Path) -> None:
    seq = _runner()
    video = _blank_video(tmp_path, 10)
    with pytest.raises(TooFewStrides, match="at least 5 steps"):
        analyse_gait(video, view="side", backend=FakePoseBackend(seq))


def test_low_confidence_keypoints_name_the_body_parts(tmp_path: Path) -> None:
    seq = _runner()
    conf = seq.conf.copy()
    conf[:, [13, 14, 15, 16, 17, 18]] = 0.1  # hips, knees, ankles barely visible
    video = _blank_video(tmp_path, seq.n_frames)
    with pytest.raises(LowConfidenceKeypoints, match="left_knee 0.10"):
        analyse_gait(video, view="side", backend=FakePoseBackend(seq.with_xy(seq.xy, conf)))


def test_invalid_view() -> None:
    with pytest.raises(InvalidOption, match="side, front, back"):
        analyse_gait("x.mp4", view="top")  # type: ignore[arg-type]


# ---- data files ----
def test_every_reference_and_mdc_has_a_source_and_says_what_it_is() -> None:
    for mid, e in load_reference_values()["metrics"].items():
        assert e["reference"]["source"], mid
        if "mdc" in e:
            assert e["mdc"]["value"] > 0, mid
            assert e["mdc"]["kind"] in ("published", "provisional", "pixel-set test-retest"), mid
            if e["mdc"]["kind"] == "provisional":
                assert "no published MDC found" in e["mdc"]["source"], mid
            if e["mdc"]["kind"] == "pixel-set test-retest":
                assert "Kinetrace pixel set" in e["mdc"]["source"] and "repeat clips" in e["mdc"]["source"], mid


def test_video_markers_carry_the_measured_mdc_never_a_smaller_one() -> None:
    """The MDC in use is >= the pipeline's measured test-retest MDC95 (measured_mdc.json) for every metric."""
    from kinetrace.video.reference import load_measured_mdc

    measured = load_measured_mdc()["metrics"]
    assert {"cadence_spm", "knee_flexion_ic_deg", "shank_angle_ic_deg", "pelvic_drop_deg"} <= set(measured)
    data = load_reference_values()["metrics"]
    for mid, m in measured.items():
        assert data[mid]["mdc"]["value"] >= m["mdc95"], mid
    seq = sagittal_runner(RunnerParams(), fps=FPS, duration_s=4.0)
    markers = {mk["id"]: mk for mk in markers_from_gait(analyse_gait(_trc_file(seq), view="side"))}
    assert markers["video.knee_flexion_ic_deg.left"]["mdc"] >= measured["knee_flexion_ic_deg"]["mdc95"]
    assert "pixel-set test-retest" in markers["video.knee_flexion_ic_deg.left"]["mdc_source"]


def _trc_file(seq):
    import tempfile

    path = Path(tempfile.mkdtemp()) / "run.trc"
    write_trc(seq, path)
    return path


# ---- CLI and import boundary ----
def test_cli_gait_and_posture(tmp_path: Path) -> None:
    import typer

    from kinetrace.cli.video_commands import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    for cmd in ("gait", "posture"):
        assert runner.invoke(app, [cmd, "--help"]).exit_code == 0
    bad = runner.invoke(app, ["gait", str(tmp_path / "nope.mp4")])
    assert bad.exit_code == 2 and "file not found" in bad.output
    trc = tmp_path / "run.trc"
    write_trc(sagittal_runner(), trc)
    ok = runner.invoke(app, ["gait", str(trc), "--json", "-o", str(tmp_path / "o")])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["view"] == "side"


def test_kinetrace_video_imports_without_mediapipe() -> None:
    code = (
        "import sys; sys.modules['mediapipe'] = None\n"
        "import kinetrace.video as v\n"
        "assert 'mediapipe' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
