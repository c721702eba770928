"""End-to-end analysis: file -> keypoints -> cleaning -> metrics -> outputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import NDArray

from kinetrace.video import cleaning, plausibility, views
from kinetrace.video.errors import InvalidOption, LowConfidenceKeypoints, NoPersonFound, TooFewStrides
from kinetrace.video.gait_frontal import analyse_frontal
from kinetrace.video.gait_sagittal import analyse_sagittal
from kinetrace.video.importers import read_openpose, read_trc
from kinetrace.video.outputs import frame_table, write_all
from kinetrace.video.pose import FloatArray, PoseBackend, PoseSequence
from kinetrace.video.posture import analyse_frames
from kinetrace.video.reference import asymmetry_limit, entry, reference_for
from kinetrace.video.results import GaitResult, Metric, PostureResult, RulaFrame
from kinetrace.video.skeleton import INDEX
from kinetrace.video.video_io import MediaInfo, count_people, iter_frames, prefetched, probe

Progress = Callable[[int, int], None]
VIEWS = ("side", "front", "back")
MIN_CONF = 0.3
#: Frames sampled for the people count (OpenCV HOG person detector, ~0.1-0.3 s per frame).
PEOPLE_SAMPLES = 8
#: Fraction of frames in which a person must be found.
MIN_PERSON_FRACTION = 0.3
REQUIRED = {
    "side": ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"),
    "front": ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_ankle", "right_ankle"),
    "posture": ("left_shoulder", "right_shoulder"),
}
REQUIRED["back"] = REQUIRED["front"]


def load_keypoints(
    path: Path,
    backend: PoseBackend | None,
    progress: Progress | None,
    *,
    static: bool,
    keypoint_fps: float | None = None,
    people: list[int] | None = None,
) -> tuple[PoseSequence, MediaInfo | None]:
    """Keypoints from a keypoint file (.trc, OpenPose .json/dir) or by running the pose backend.

    OpenPose JSON carries no frame rate: pass ``keypoint_fps`` (default 30 Hz). When
    ``people`` is a list, the number of people OpenCV's HOG detector sees in up to
    :data:`PEOPLE_SAMPLES` evenly spread frames is appended to it.
    """
    if path.suffix.lower() == ".trc":
        return read_trc(path), None
    if path.suffix.lower() == ".json" or path.is_dir():
        return read_openpose(path, fps=keypoint_fps or 30.0), None
    info = probe(path)
    if keypoint_fps is not None:
        info = MediaInfo(info.path, info.n_frames, keypoint_fps, info.size, info.is_image)
    if backend is None:
        from kinetrace.video.mediapipe_backend import MediaPipeBackend

        backend = MediaPipeBackend(static_image_mode=static or info.is_image)
    backend.reset()
    frames = []
    every = max(1, info.n_frames // PEOPLE_SAMPLES)
    # decoding, the model's downscale (MediaPipeBackend.prepare) and the sampled people counts run
    # in a second thread, a few frames ahead of the pose model (OpenCV releases the GIL): on 2 cores
    # they no longer add to the wall time (docs/video.md, speed); the keypoints are the same
    prepare = getattr(backend, "prepare", None)
    sampled = people is not None

    def ahead(item: tuple[int, NDArray[np.uint8]]) -> tuple[NDArray[np.uint8] | None, int | None]:
        i, frame = item
        count = count_people(frame) if sampled and i % every == every // 2 else None
        return (prepare(frame) if prepare is not None else None), count

    for (i, frame), (ready, count) in prefetched(enumerate(iter_frames(info)), ahead, depth=8):
        t = i / info.fps
        frames.append(
            backend.detect(frame, t) if ready is None else cast(Any, backend).detect(frame, t, prepared=ready)
        )
        if people is not None and count is not None:
            people.append(count)
        if progress is not None:
            progress(i + 1, max(info.n_frames, i + 1))
    source = backend.name
    mirrored = int(getattr(backend, "mirrored_frames", 0))
    if mirrored:
        source += f" (person found only in the mirrored image in {mirrored} frame(s); keypoints mapped back)"
    seq = PoseSequence.from_frames(frames, fps=info.fps, size=info.size, source=source)
    return seq, info


def check_quality(seq: PoseSequence, required: tuple[str, ...]) -> None:
    """Raise if nobody was found or the needed keypoints are unreliable."""
    found = np.any(seq.conf > 0, axis=1)
    if found.mean() < MIN_PERSON_FRACTION:
        raise NoPersonFound(
            f"a person was found in {int(found.sum())} of {seq.n_frames} frames; at least "
            f"{MIN_PERSON_FRACTION:.0%} are needed. Film one person, whole body in frame, good light."
        )
    idx = [INDEX[k] for k in required]
    good = np.all(seq.conf[found][:, idx] >= MIN_CONF, axis=1)
    if good.mean() < 0.5:
        med = np.median(seq.conf[found][:, idx], axis=0)
        weak = ", ".join(f"{k} {c:.2f}" for k, c in zip(required, med, strict=True) if c < MIN_CONF)
        raise LowConfidenceKeypoints(
            f"the keypoints needed are confident (>= {MIN_CONF}) in only {good.mean():.0%} of frames "
            f"with a person (need >= 50 %). Low median confidence: {weak or 'mixed across frames'}. "
            "Make sure these body parts are visible and not hidden by clothing or equipment."
        )


def _metric(metric_id: str, *, left: float | None = None, right: float | None = None,
            value: float | None = None, n_left: int = 0, n_right: int = 0, n: int = 0) -> Metric:  # fmt: skip
    e = entry(metric_id)
    clean_ = {k: (None if v is None or not np.isfinite(v) else float(v)) for k, v in
              {"left": left, "right": right, "value": value}.items()}  # fmt: skip
    threshold = float(e["mdc"]["value"]) if "mdc" in e and e.get("unit") != "count" else None
    limit = asymmetry_limit(metric_id)
    if threshold is not None and limit is not None:
        threshold = max(threshold, limit)  # the L/R difference's own measured error (bench.py)
    return Metric(id=metric_id, label=e["label"], unit=e["unit"], definition=e["definition"],
                  reference=reference_for(metric_id), n_left=n_left, n_right=n_right, n=n,
                  asymmetry_threshold=threshold, **clean_)  # fmt: skip


def analyse_gait(
    path: str | Path,
    *,
    view: Literal["auto", "side", "front", "back"] = "auto",
    backend: PoseBackend | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    annotated_video: bool = False,
    keypoint_fps: float | None = None,
) -> GaitResult:
    """Running metrics from a video (or a .trc / OpenPose keypoint file).

    Parameters
    ----------
    path : str or Path
        Video, ``.trc`` file, or OpenPose JSON file/directory.
    view : {"auto", "side", "front", "back"}
        Where the camera was. ``auto`` takes the view detected from the keypoints; a
        stated side view that the keypoints show as front/back (or the reverse) is refused.
    backend : PoseBackend, optional
        Pose estimator; default :class:`MediaPipeBackend` (imported only when needed).
    out_dir : Path, optional
        If given, JSON, CSV, angle plots, contact sheet (and ``annotated_video``) go there.
    progress : callable(done, total), optional
        Called after each frame.
    annotated_video : bool
        Also write an annotated MP4 into ``out_dir``.
    keypoint_fps : float, optional
        Frame rate (Hz) of the input; needed for OpenPose JSON (which stores none; 30 Hz is
        assumed and said so otherwise); overrides a video's stored rate.

    Raises
    ------
    VideoError
        :class:`UnreadableVideo`, :class:`NoPersonFound`, :class:`TooFewStrides`,
        :class:`LowConfidenceKeypoints`, :class:`ViewMismatch` or :class:`InvalidOption`.
    """
    if view not in (*VIEWS, "auto"):
        raise InvalidOption(f"view must be one of auto, {', '.join(VIEWS)}; got {view!r}")
    if keypoint_fps is not None and not (1.0 <= keypoint_fps <= 1000.0):
        raise InvalidOption(f"fps must be between 1 and 1000 Hz; got {keypoint_fps}")
    path = Path(path)
    people: list[int] = []
    seq, info = load_keypoints(path, backend, progress, static=False, keypoint_fps=keypoint_fps, people=people)
    notes = _fps_notes(path, seq, keypoint_fps) + views.several_people(people)
    found = views.detect(seq)
    used, view_notes = views.resolve(view, found)
    check_quality(seq, REQUIRED[used])
    raw = cleaning.fill_gaps(cleaning.gate_confidence(seq, MIN_CONF))
    switches = views.person_switches(raw)
    notes += view_notes + switches
    try:
        part = _side(raw) if used == "side" else _frontal(raw, used)
    except TooFewStrides as exc:
        why = " ".join(views.several_people(people) + switches)
        raise TooFewStrides(f"{exc} {why}".strip()) from exc
    notes += part.warnings + plausibility.check(part.metrics)
    result = GaitResult(
        source_path=str(path), backend=seq.source, fps=seq.fps, n_frames=seq.n_frames,
        duration_s=seq.n_frames / seq.fps, metrics=part.metrics, warnings=notes, view=used,
        view_detected=found.view, view_evidence=found.evidence,
        initial_contacts=part.contacts, lr_swaps_repaired=part.relabelled, cadence_check=part.cadence_check,
        series=_series(seq, part),
    )  # fmt: skip
    result._frames = frame_table(part.seq, part.per_frame)
    if out_dir is not None:
        plot = ({k: part.per_frame[k] for k in part.plotted}, part.contacts, f"{path.name}: {used} view")
        write_all(result, part.seq, info, Path(out_dir), part.key_frames, video=annotated_video, arcs=part.arcs,
                  plot=plot)  # fmt: skip
    return result


def _series(seq: PoseSequence, part: _Part, max_points: int = 600) -> dict[str, list[float | None]]:
    """The plotted angles, at most ``max_points`` samples, for the web page's plots."""
    step = max(1, int(np.ceil(seq.n_frames / max_points)))
    out: dict[str, list[float | None]] = {"time_s": [round(float(t), 3) for t in seq.times[::step]]}
    for k in part.plotted:
        out[k] = [None if not np.isfinite(v) else round(float(v), 1) for v in part.per_frame[k][::step]]
    return out


def _fps_notes(path: Path, seq: PoseSequence, keypoint_fps: float | None) -> list[str]:
    if keypoint_fps is None and (path.suffix.lower() == ".json" or path.is_dir()):
        return [
            f"OpenPose keypoints store no frame rate: {seq.fps:.0f} Hz was ASSUMED; every time-based "
            "value (cadence) is wrong if the camera ran at another rate. Pass --fps."
        ]
    return []


@dataclass
class _Part:
    """What a view's analysis hands back to :func:`analyse_gait`."""

    metrics: list[Metric]
    warnings: list[str]
    per_frame: dict[str, FloatArray]
    contacts: dict[str, list[int]]
    key_frames: dict[int, list[str]]
    seq: PoseSequence
    relabelled: int = 0
    cadence_check: dict[str, float] = field(default_factory=dict)
    arcs: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    plotted: tuple[str, ...] = ()


def _side(raw: PoseSequence) -> _Part:
    """Side view: legs relabelled from the step sequence, then the sagittal metrics."""
    a = analyse_sagittal(raw)
    per = {s: {k: float(np.nanmedian(v)) if np.any(np.isfinite(v)) else float("nan") for k, v in a.per_ic[s].items()}
           for s in ("left", "right")}  # fmt: skip
    nl, nr = len(a.ic_frames["left"]), len(a.ic_frames["right"])
    metrics = [_metric("cadence_spm", value=a.central["cadence_spm"], n=nl + nr),
               _metric("initial_contacts", left=nl, right=nr, n_left=nl, n_right=nr)]  # fmt: skip
    for mid in ("overstride_pct", "overstride_angle_deg", "shank_angle_ic_deg", "knee_flexion_ic_deg",
                "knee_flexion_midstance_deg"):  # fmt: skip
        metrics.append(_metric(mid, left=per["left"][mid], right=per["right"][mid], n_left=nl, n_right=nr))
    metrics.append(_metric("trunk_lean_deg", value=a.central["trunk_lean_deg"], n=raw.n_frames))
    metrics.append(_metric("vertical_oscillation_pct", value=a.central["vertical_oscillation_pct"], n=nl + nr - 2))
    key_frames: dict[int, list[str]] = {}
    for s in ("left", "right"):
        for f in a.ic_frames[s]:
            key_frames[f] = [f"{s} initial contact (frame {f})",
                             f"shank {a.per_frame[f'shank_angle_{s}_deg'][f]:.1f} deg, "
                             f"knee flexion {a.per_frame[f'knee_flexion_{s}_deg'][f]:.1f} deg"]  # fmt: skip
    check = {k: round(float(a.central[k]), 2) for k in ("cadence_spm", "cadence_frequency_spm")}
    check["difference_spm"] = round(check["cadence_spm"] - check["cadence_frequency_spm"], 2)
    arcs = {f: [(s, "knee"), (s, "shank")] for s in ("left", "right") for f in a.ic_frames[s]}
    plotted = tuple(f"{k}_{s}_deg" for k in ("knee_flexion", "shank_angle") for s in ("left", "right"))
    return _Part(metrics, a.warnings, a.per_frame, a.ic_frames, key_frames, a.fixed, a.relabelled_frames, check,
                 arcs, plotted)  # fmt: skip


def _frontal(raw: PoseSequence, view: str) -> _Part:
    """Front/back view: labels set from the image side, then arm carriage and pelvic drop."""
    b = analyse_frontal(cleaning.lowpass(raw, cutoff_hz=12.0), view)
    nl, nr = b.counts["left"], b.counts["right"]
    metrics = [_metric("cadence_spm", value=b.central["cadence_spm"], n=nl + nr),
               _metric("initial_contacts", left=nl, right=nr, n_left=nl, n_right=nr)]  # fmt: skip
    for mid in ("shoulder_abduction_deg", "elbow_trunk_distance_pct", "shoulder_ear_distance_pct",
                "wrist_midline_crossing_pct", "pelvic_drop_deg"):  # fmt: skip
        n_side = (nl, nr) if mid == "pelvic_drop_deg" else (raw.n_frames, raw.n_frames)
        metrics.append(_metric(mid, left=b.per_side["left"][mid], right=b.per_side["right"][mid],
                               n_left=n_side[0], n_right=n_side[1]))  # fmt: skip
    key_frames: dict[int, list[str]] = {}
    for s in ("left", "right"):
        for f in b.stance_starts[s]:
            key_frames[f] = [f"{s} stance (frame {f})",
                             f"pelvic drop {b.per_frame['pelvic_drop_deg'][f]:.1f} deg, shoulder abduction "
                             f"L {b.per_frame['shoulder_abduction_left_deg'][f]:.1f} / "
                             f"R {b.per_frame['shoulder_abduction_right_deg'][f]:.1f} deg"]  # fmt: skip
    check = {"cadence_spm": round(b.central["cadence_spm"], 2),
             "cadence_frequency_spm": round(b.central["cadence_frequency_spm"], 2)}  # fmt: skip
    check["difference_spm"] = round(check["cadence_spm"] - check["cadence_frequency_spm"], 2)
    plotted = tuple(f"shoulder_abduction_{s}_deg" for s in ("left", "right"))
    return _Part(metrics, b.warnings, b.per_frame, b.stance_starts, key_frames, b.fixed, b.lr_fixed_frames, check,
                 plotted=plotted)  # fmt: skip


def analyse_posture(
    path: str | Path,
    *,
    backend: PoseBackend | None = None,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    annotated_video: bool = False,
) -> PostureResult:
    """Work-posture angles and RULA (worst frame and time-weighted) from a photo or clip.

    Raises
    ------
    VideoError
        As :func:`analyse_gait` (except :class:`TooFewStrides`).
    """
    path = Path(path)
    seq, info = load_keypoints(path, backend, progress, static=False)
    check_quality(seq, REQUIRED["posture"])
    raw = cleaning.fill_gaps(cleaning.gate_confidence(seq, MIN_CONF))
    smooth = cleaning.lowpass(raw, cutoff_hz=6.0) if seq.n_frames > 1 else raw
    a = analyse_frames(smooth)
    pf = a.per_frame
    metrics: list[Metric] = []

    def med(col: str) -> float:
        v = pf[col]
        return float(np.nanmedian(v)) if np.any(np.isfinite(v)) else float("nan")

    front = a.view != "side"
    for mid in ("neck_side_bend_deg", "trunk_side_bend_deg") if front else ("neck_flexion_deg", "trunk_flexion_deg"):
        metrics.append(_metric(mid, value=med(mid), n=seq.n_frames))
    for mid in ("upper_arm_elevation", "elbow_flexion", "wrist_flexion"):
        metrics.append(_metric(f"{mid}_deg", left=med(f"{mid}_left_deg"), right=med(f"{mid}_right_deg"),
                               n_left=seq.n_frames, n_right=seq.n_frames))  # fmt: skip
    valid = [(i, fr) for i, fr in enumerate(a.rula) if fr]
    warnings: list[str] = []
    if not valid:
        warnings.append(
            "RULA not scored: neither upper arm (shoulder and elbow) was placed confidently in any frame; "
            "film the arm nearer the camera unobstructed"
        )
    worst: RulaFrame | None = None
    worst_i: int | None = None
    tw: float | None = None
    levels: dict[str, float] = {}
    if valid:
        per_side_worst = {
            s: max((fr[s]["grand"] for _, fr in valid if s in fr), default=None) for s in ("left", "right")
        }
        metrics.append(_metric("rula_grand_score", left=per_side_worst["left"], right=per_side_worst["right"]))
        grand = np.array([max(v["grand"] for v in fr.values()) for _, fr in valid])
        tw = float(grand.mean())
        metrics.append(_metric("rula_time_weighted", value=tw, n=len(valid)))
        k = int(np.argmax(grand))
        worst_i = valid[k][0]
        side, sc = max(valid[k][1].items(), key=lambda kv: kv[1]["grand"])
        worst = RulaFrame(side=side, **sc)
        lv = np.array([max(fr.values(), key=lambda v: v["grand"])["action_level"] for _, fr in valid])
        levels = {str(level): float(100 * np.mean(lv == level)) for level in (1, 2, 3, 4)}
    result = PostureResult(
        source_path=str(path), backend=seq.source, fps=seq.fps, n_frames=seq.n_frames,
        duration_s=seq.n_frames / seq.fps, metrics=metrics, view_estimate=a.view,
        rula_worst=worst, rula_worst_frame=worst_i, rula_time_weighted=tw,
        rula_action_level_time_pct=levels, rula_assumptions=a.assumptions, warnings=warnings,
    )  # fmt: skip
    result._frames = frame_table(raw, {k: v for k, v in pf.items() if not k.startswith("across")})
    if out_dir is not None:
        kf: dict[int, list[str]] = {}
        if worst is not None and worst_i is not None:
            kf[worst_i] = [f"RULA {worst.grand} (action level {worst.action_level}), {worst.side} arm, frame {worst_i}",
                           f"upper arm {worst.upper_arm}, lower arm {worst.lower_arm}, neck {worst.neck}, trunk {worst.trunk}"]  # fmt: skip  # noqa: E501
        write_all(result, raw, info, Path(out_dir), kf, video=annotated_video)
    return result
