"""No silent wrong answers: view checks, frame-rate assumptions, file conventions, asymmetry vs error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kinetrace.video import FakePoseBackend, TooFewStrides, ViewMismatch, analyse_gait
from kinetrace.video.bench import ClipScore, summary
from kinetrace.video.events import step_period
from kinetrace.video.importers import read_trc, write_openpose, write_trc
from kinetrace.video.plausibility import check
from kinetrace.video.results import Metric
from kinetrace.video.synthetic import RunnerParams, frontal_runner, sagittal_runner
from kinetrace.video.views import several_people

from .conftest import write_video


def _blank(tmp_path: Path, n: int, size: tuple[int, int] = (640, 480)) -> Path:
    frames = [np.full((size[1], size[0], 3), 60, np.uint8) for _ in range(n)]
    return write_video(tmp_path / "blank.mp4", frames, 60.0)


def test_a_side_clip_stated_as_front_is_refused_and_auto_finds_side(tmp_path: Path) -> None:
    seq = sagittal_runner(RunnerParams(), duration_s=4.0)
    video = tmp_path / "side.trc"
    write_trc(seq, video)
    with pytest.raises(ViewMismatch, match="keypoints show a side view"):
        analyse_gait(video, view="front")
    res = analyse_gait(video, view="auto")
    assert res.view == "side" and res.view_detected == "side"
    assert any("view detected from the keypoints: side" in w for w in res.warnings)


def test_a_back_clip_run_as_side_is_refused(tmp_path: Path) -> None:
    seq = frontal_runner(RunnerParams(), view="back")
    video = _blank(tmp_path, seq.n_frames, (320, 240))
    with pytest.raises(ViewMismatch, match="--view side was given but the keypoints show a back view"):
        analyse_gait(video, view="side", backend=FakePoseBackend(seq))
    assert analyse_gait(video, view="auto", backend=FakePoseBackend(seq)).view == "back"


def test_openpose_without_fps_states_the_assumption(tmp_path: Path) -> None:
    seq = sagittal_runner(RunnerParams(cadence_spm=170), fps=60.0, duration_s=4.0)
    write_openpose(seq, tmp_path / "op")
    res = analyse_gait(tmp_path / "op", view="side")
    assert any("30 Hz was ASSUMED" in w for w in res.warnings)
    # at the assumed 30 Hz a 170 steps/min runner filmed at 60 Hz reads as 85: flagged as implausible
    assert res.metric("cadence_spm").value == pytest.approx(85, abs=1.5)
    assert any("outside the plausible range for running" in w for w in res.warnings)
    right = analyse_gait(tmp_path / "op", view="side", keypoint_fps=60.0)
    assert right.metric("cadence_spm").value == pytest.approx(170, abs=1.5)
    assert not any("ASSUMED" in w for w in right.warnings)


def test_too_short_a_clip_is_an_error_not_a_number(tmp_path: Path) -> None:
    seq = sagittal_runner(RunnerParams(cadence_spm=150), fps=30.0, duration_s=1.5)
    write_trc(seq, tmp_path / "short.trc")
    with pytest.raises(TooFewStrides, match="at least 5 steps"):
        analyse_gait(tmp_path / "short.trc", view="side")


@pytest.mark.parametrize(("name", "units", "y_up"), [("run_m.trc", "m", True), ("run_px.trc", "m", False),
                                                     ("run.trc", "px", False)])  # fmt: skip
def test_sports2d_pixel_and_metre_trc_files_read_the_same_way_up(tmp_path: Path, name: str, units: str,
                                                                 y_up: bool) -> None:  # fmt: skip
    seq = sagittal_runner(RunnerParams(trunk_lean_deg=8), duration_s=4.0)
    write_trc(seq, tmp_path / name, units=units, y_up=y_up)
    back = read_trc(tmp_path / name)
    assert np.nanmax(np.abs(back.xy - seq.xy)) < 1e-3
    assert ("y up" if y_up else "y down") in back.source
    res = analyse_gait(tmp_path / name, view="side")
    assert res.metric("trunk_lean_deg").value == pytest.approx(8, abs=1.0)


def test_a_mislabelled_trc_is_put_right_by_anatomy(tmp_path: Path) -> None:
    seq = sagittal_runner(RunnerParams(), duration_s=2.0)
    write_trc(seq, tmp_path / "odd.trc", units="px", y_up=True)  # says px (y down) but is y up
    back = read_trc(tmp_path / "odd.trc")
    assert "from anatomy" in back.source
    assert np.nanmax(np.abs(back.xy - seq.xy)) < 1e-3


def test_asymmetry_is_reported_only_beyond_the_measured_error() -> None:
    small = Metric(id="x", label="x", unit="deg", definition="", left=20.0, right=22.0, asymmetry_threshold=3.0)
    big = Metric(id="x", label="x", unit="deg", definition="", left=20.0, right=25.0, asymmetry_threshold=3.0)
    assert small.asymmetry == pytest.approx(2.0) and small.asymmetry_beyond_error is False
    assert big.asymmetry_beyond_error is True


def test_step_frequency_from_autocorrelation() -> None:
    fps = 30.0
    t = np.arange(300) / fps
    rng = np.random.default_rng(0)
    sig = np.abs(np.sin(np.pi * 2.5 * t)) + 0.1 * rng.standard_normal(t.size)  # 2.5 Hz steps = 150 steps/min
    period, strength = step_period(sig, fps)
    assert 60 * fps / period == pytest.approx(150, abs=1.0)
    assert strength > 0.5


def test_plausibility_flags_a_running_cadence_out_of_range() -> None:
    m = Metric(id="cadence_spm", label="Cadence", unit="steps/min", definition="", value=472.7)
    assert check([m]) and "120-230" in check([m])[0]
    assert check([m.model_copy(update={"value": 165.0})]) == []


def test_several_people_warning_needs_a_quarter_of_the_samples() -> None:
    assert several_people([1, 1, 2, 1, 1, 1, 1, 1]) == []
    assert "people were seen in 3 of 8" in several_people([2, 1, 3, 1, 2, 1, 1, 1])[0]


def test_bench_summary_gives_error_spread_and_flags() -> None:
    truth = {"cadence_spm": 150.0, "knee_flexion_ic_deg.left": 20.0, "knee_flexion_ic_deg.right": 20.0}
    a = ClipScore("run_side_r_30", "side_right", {"cadence_spm": 151.0, "knee_flexion_ic_deg.left": 22.0,
                                                  "knee_flexion_ic_deg.right": 19.0}, truth)  # fmt: skip
    b = ClipScore("run_side_r_30_phase", "side_right", {"cadence_spm": 149.5, "knee_flexion_ic_deg.left": 21.0,
                                                        "knee_flexion_ic_deg.right": 23.0}, truth)  # fmt: skip
    short = ClipScore("run_side_short", "side_right", error="TooFewStrides: ...")
    s = summary([a, b, short])
    assert s["metrics"]["cadence_spm"]["max_abs_error"] == pytest.approx(1.0)
    assert s["metrics"]["cadence_spm"]["retest_spread"] == pytest.approx(1.5)
    assert s["metrics"]["knee_flexion_ic_deg"]["max_abs_error"] == pytest.approx(3.0)
    assert s["metrics"]["knee_flexion_ic_deg"]["retest_spread"] == pytest.approx(4.0)
    assert s["metrics"]["knee_flexion_ic_deg"]["max_asymmetry"] == pytest.approx(3.0)
    assert s["flags"]["run_side_short"] is True


def test_cli_refuses_a_contradicted_view_with_exit_2(tmp_path: Path) -> None:
    import typer

    from kinetrace.cli.video_commands import register

    app = typer.Typer()
    register(app)
    trc = tmp_path / "run.trc"
    write_trc(sagittal_runner(duration_s=4.0), trc)
    r = CliRunner().invoke(app, ["gait", str(trc), "--view", "back"])
    assert r.exit_code == 2 and "keypoints show a side view" in r.output
    ok = CliRunner().invoke(app, ["gait", str(trc)])
    assert ok.exit_code == 0 and "cadence check" in ok.output


def test_video_command_without_the_video_extra_names_it(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['cv2'] = None; sys.modules['mediapipe'] = None\n"
        "import typer\nfrom typer.testing import CliRunner\n"
        "from kinetrace.cli.video_commands import register\n"
        "app = typer.Typer(); register(app)\n"
        f"r = CliRunner().invoke(app, ['gait', {str(tmp_path / 'x.mp4')!r}])\n"
        "print(r.exit_code); print(r.output)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.splitlines()[0] == "2", out.stdout + out.stderr
    assert "pip install 'kinetrace[video]'" in out.stdout


def test_a_strongly_asymmetric_runner_keeps_its_step_rate_and_its_asymmetry(tmp_path: Path) -> None:
    """One foot landing 40 % of leg length further ahead makes foot signals stride-periodic; the pelvis still dips
    once per step, so cadence stays right and the asymmetry is found on the right side, beyond the measured error."""
    seq = sagittal_runner(RunnerParams(cadence_spm=170, overstride_left=0.15, overstride_right=0.55), duration_s=6.0)
    write_trc(seq, tmp_path / "asym.trc")
    res = analyse_gait(tmp_path / "asym.trc", view="side")
    assert res.metric("cadence_spm").value == pytest.approx(170, abs=1.0)
    over = res.metric("overstride_pct")
    assert over.asymmetry == pytest.approx(40.0, abs=4.0)
    assert over.asymmetry_beyond_error is True


def test_a_shallow_early_dip_of_the_swing_foot_does_not_swallow_the_other_feet_stance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Front view, human-shaped body (run_front_30, 2026-12-03): MediaPipe's ankles around one left stance.

    The right ankle dips 10 px (8 % of the leg) three frames before its stance: that shallow run
    started the right "stance" 7 frames after the left one (< 0.6 step), and the left was dropped.
    """
    from kinetrace.video import gait_frontal

    leg, period = 128.0, 12.0
    left = [25, 17, 60, 53, -27, 58, 34]  # a left stance with one wrong-sign frame
    gap = [-10, 2, -8]  # the shallow dip
    right = [-26, -84, -64, -66, -86, -73, -73, -54, -34]
    diff = np.array([0.0] * 3 + [-60.0] * 8 + [0.0] * 2 + left + gap + right + [0.0] * 2 + [60.0] * 8, dtype=float)
    runs = gait_frontal.stance_runs(diff, leg, period)
    assert [a for a, _ in runs["left"]] == [13, 34]
    assert [a for a, _ in runs["right"]] == [3, 22]
    monkeypatch.setattr(gait_frontal, "STANCE_PEAK", 0.0)  # every run counts, as before
    assert [a for a, _ in gait_frontal.stance_runs(diff, leg, period)["left"]] == [34]


def test_the_left_right_error_limit_is_measured_on_the_symmetric_repeats_and_raises_the_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On the human-shaped body L - R reached 18.5 deg at midstance with an MDC of 14.9 (2026-12-03)."""
    from kinetrace.video import pipeline
    from kinetrace.video.bench import measured_mdc
    from kinetrace.video.reference import entry

    truth = {"knee_flexion_ic_deg.left": 20.0, "knee_flexion_ic_deg.right": 21.0}
    a = ClipScore("run_side_r_30", "side_right", {"knee_flexion_ic_deg.left": 22.0,
                                                  "knee_flexion_ic_deg.right": 20.0}, truth)  # fmt: skip
    b = ClipScore("run_side_r_30_phase", "side_right", {"knee_flexion_ic_deg.left": 21.0,
                                                        "knee_flexion_ic_deg.right": 25.0}, truth)  # fmt: skip
    s = summary([a, b])
    errors = [(20.0 - 22.0) - 1.0, (25.0 - 21.0) - 1.0]  # measured R - L minus the true R - L
    want = 1.96 * float(np.sqrt(np.mean(np.square(errors))))
    assert s["metrics"]["knee_flexion_ic_deg"]["asymmetry_limit95"] == pytest.approx(want)
    assert measured_mdc(s)["metrics"]["knee_flexion_ic_deg"]["asymmetry_limit95"] == pytest.approx(want, abs=1e-3)

    mdc = float(entry("knee_flexion_midstance_deg")["mdc"]["value"])
    monkeypatch.setattr(pipeline, "asymmetry_limit", lambda _id: None)
    m = pipeline._metric("knee_flexion_midstance_deg", left=20.0, right=20.0 + mdc + 1.0)
    assert m.asymmetry_threshold == pytest.approx(mdc) and m.asymmetry_beyond_error is True
    monkeypatch.setattr(pipeline, "asymmetry_limit", lambda _id: mdc + 5.0)
    m = pipeline._metric("knee_flexion_midstance_deg", left=20.0, right=20.0 + mdc + 1.0)
    assert m.asymmetry_threshold == pytest.approx(mdc + 5.0) and m.asymmetry_beyond_error is False
