"""``kinetrace gait``, ``posture`` and ``bench-video``: analyse a running video or a work posture.

OpenCV and MediaPipe (the ``video`` extra) are imported only when a command runs, so the
rest of the CLI works without them and a video command without them says what to install.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

if TYPE_CHECKING:
    from kinetrace.video.results import GaitResult, PostureResult

T = TypeVar("T")
MISSING_EXTRA = "video analysis needs the 'video' extra (OpenCV, MediaPipe): pip install 'kinetrace[video]'"


class View(str, Enum):
    """Camera position."""

    auto = "auto"
    side = "side"
    front = "front"
    back = "back"


def _video_api() -> Any:
    """``kinetrace.video`` imported on use; exits 2 naming the extra when it is not installed."""
    try:
        import kinetrace.video as api
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("cv2", "mediapipe"):
            Console(stderr=True, soft_wrap=True).print(
                f"error: {MISSING_EXTRA} (missing module {exc.name!r})", markup=False
            )
            raise typer.Exit(2) from exc
        raise
    return api


def _set_verbose(verbose: bool) -> None:
    if verbose:
        os.environ["KINETRACE_VERBOSE"] = "1"


def _run(fn: Callable[[Callable[[int, int], None] | None], T], console: Console, quiet: bool) -> T:
    if quiet:
        return fn(None)
    with Progress(TextColumn("[bold]analysing frames"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), console=console, transient=True) as bar:  # fmt: skip
        task = bar.add_task("frames", total=None)
        return fn(lambda done, total: bar.update(task, completed=done, total=total))


def _analyse(
    call: Callable[[Any, Callable[[int, int], None] | None], T],
    *,
    verbose: bool,
    video_out: bool,
    out: Path | None,
    quiet: bool,
) -> T:
    """The shared steps of ``gait`` and ``posture``: options checked, the analysis run with a
    progress bar (none with ``--json``), a :class:`VideoError` printed and exit 2."""
    _set_verbose(verbose)
    console = Console(stderr=True, soft_wrap=True)
    if video_out and out is None:
        console.print("--video needs --out DIR (where to write the annotated video)")
        raise typer.Exit(2)
    api = _video_api()
    try:
        return _run(lambda p: call(api, p), console, quiet)
    except api.VideoError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _table(result: GaitResult | PostureResult, title: str) -> Table:
    t = Table(title=title)
    for col in ("metric", "left", "right", "value", "unit", "left/right difference", "reference"):
        t.add_column(col)

    def f(v: float | None) -> str:
        return "" if v is None else f"{v:.1f}"

    for m in result.metrics:
        ref = "" if m.reference is None else m.reference.text[:60]
        t.add_row(m.label, f(m.left), f(m.right), f(m.value), m.unit, _asymmetry(m), ref)
    return t


def _asymmetry(m: Any) -> str:
    """The left/right difference, shown only when it exceeds the metric's measured error."""
    if m.asymmetry is None or m.unit == "count":
        return ""
    if m.asymmetry_beyond_error is None:
        return f"{m.asymmetry:+.1f} (no measured error)"
    if not m.asymmetry_beyond_error:
        return f"within error (±{m.asymmetry_threshold:.1f})"
    return f"{m.asymmetry:+.1f} (R-L, beyond ±{m.asymmetry_threshold:.1f})"


def gait(
    video: Annotated[
        Path,
        typer.Argument(help="Running video (.mp4/.mov/...), or keypoints: Sports2D .trc or an OpenPose JSON folder."),
    ],
    view: Annotated[
        View,
        typer.Option(
            "--view",
            help="Where the camera was: 'auto' (detected from the keypoints), 'side' (cadence, overstride, shank and knee angles, trunk lean, bounce) or 'front'/'back' (arm carriage, shoulder elevation, arms crossing, pelvic drop). A stated view the keypoints contradict is refused (exit 2).",  # noqa: E501
        ),
    ] = View.auto,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Folder for the JSON metrics, per-frame CSV, angle plots and contact sheet."),
    ] = None,
    video_out: Annotated[bool, typer.Option("--video", help="Also write an annotated video into --out.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON instead of a table.")] = False,
    fps: Annotated[
        float | None,
        typer.Option(
            "--fps",
            help="Frame rate in Hz (1-1000). Needed for OpenPose JSON (it stores none; 30 Hz is assumed and "
            "said); overrides a video's stored rate.",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show MediaPipe/TFLite/FFmpeg log lines.")] = False,
) -> None:
    """Measure running gait from a phone video, per side, compared with published values.

    Film at least 10 s of steady running, whole body in frame, camera still and level,
    ideally 60 frames per second or more. Cadence counts both feet (steps per minute).
    """
    result = _analyse(
        lambda api, p: api.analyse_gait(
            video, view=view.value, out_dir=out, progress=p, annotated_video=video_out, keypoint_fps=fps
        ),
        verbose=verbose,
        video_out=video_out,
        out=out,
        quiet=as_json,
    )
    _report(result, as_json, f"Running gait ({result.view} view)")


def posture(
    file: Annotated[
        Path, typer.Argument(help="Photo (.jpg/.png) or clip of the work posture, or a .trc keypoint file.")
    ],
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Folder for the JSON, per-frame CSV and the annotated worst frame (PNG)."),
    ] = None,
    video_out: Annotated[bool, typer.Option("--video", help="Also write an annotated video into --out.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON instead of a table.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show MediaPipe/TFLite/FFmpeg log lines.")] = False,
) -> None:
    """Score a work posture with RULA (McAtamney & Corlett 1993) from a photo or clip.

    Gives neck, trunk, upper-arm, elbow and wrist angles where visible, the RULA grand
    score and action level of the worst frame and the time-weighted score over a clip.
    What one camera cannot see (twist, load, muscle use) is listed as an assumption.
    """
    result = _analyse(
        lambda api, p: api.analyse_posture(file, out_dir=out, progress=p, annotated_video=video_out),
        verbose=verbose,
        video_out=video_out,
        out=out,
        quiet=as_json,
    )
    _report(result, as_json, f"Work posture ({result.view_estimate} view)")


def _report(result: GaitResult | PostureResult, as_json: bool, title: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    console = Console()
    console.print(_table(result, title))
    check = getattr(result, "cadence_check", None)
    if check:
        console.print(f"cadence check: {check['cadence_spm']:.1f} steps/min from contacts, "
                      f"{check['cadence_frequency_spm']:.1f} from the step frequency "
                      f"(difference {check['difference_spm']:+.1f})")  # fmt: skip
    if isinstance(result, _posture_result_type()) and result.rula_worst is not None:
        w = result.rula_worst
        console.print(f"RULA worst: {w.grand} (action level {w.action_level}, {w.side} arm, frame {result.rula_worst_frame}); "  # noqa: E501
                      f"time-weighted {result.rula_time_weighted:.1f}")  # fmt: skip
        for a in result.rula_assumptions:
            console.print(f"  assumption: {a}")
    for w_ in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {w_}")
    for k, v in result.outputs.items():
        console.print(f"{k}: {v}")


def bench_video(
    out: Annotated[Path, typer.Option("--dir", help="Folder of the rendered pixel set (cache).")] = Path(
        "var/pixelset"
    ),
    clip: Annotated[list[str] | None, typer.Option("--clip", help="Only these clips (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    write_mdc: Annotated[
        Path | None,
        typer.Option("--write-mdc", help="Write the measured test-retest MDC95 per metric to this JSON file."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show MediaPipe/TFLite/FFmpeg log lines.")] = False,
) -> None:
    """Score the video pipeline on the project's rendered pixel set (needs the dev extra: pybullet).

    Renders missing clips (cached in --dir), runs MediaPipe once per clip (keypoints cached),
    then prints per metric: worst error against the truth, test-retest spread over the
    repeat clips, detection rate, processing speed, and whether each bad-input clip was flagged.
    """
    _set_verbose(verbose)
    _video_api()
    from kinetrace.video import bench

    err = Console(stderr=True)
    try:
        scores = bench.run(out, clip or None, progress=lambda name: err.print(f"clip {name}"))
    except ModuleNotFoundError as exc:
        err.print(
            f"error: the pixel set needs the dev extra (pybullet): pip install 'kinetrace[dev]' ({exc})", markup=False
        )
        raise typer.Exit(2) from exc
    summary = bench.summary(scores)
    summary["postures"] = bench.score_postures(out) if not clip else {}
    if write_mdc is not None:
        write_mdc.write_text(json.dumps(bench.measured_mdc(summary), indent=2) + "\n", encoding="utf-8")
        err.print(f"measured MDCs written to {write_mdc}")
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    _bench_tables(summary)


def _bench_tables(summary: dict[str, Any]) -> None:
    console = Console()
    t = Table(title="Pixel set: per clip")
    for col in ("clip", "view", "detection", "processing fps", "contacts", "cadence", "error / result"):
        t.add_column(col)
    for name, c in summary["clips"].items():
        worst = max(c["errors"].items(), key=lambda kv: abs(kv[1]), default=("", 0.0))
        what = c["error"] or (f"worst {worst[0]} {worst[1]:+.1f}" if worst[0] else "")
        fps = "" if c["processing_fps"] is None else f"{c['processing_fps']:.1f}"
        cad = "" if c["cadence_spm"] is None else f"{c['cadence_spm']:.1f}"
        t.add_row(name, c["view"], f"{c['detection_rate']:.0%}", fps, c["contacts"], cad, what[:90])
    console.print(t)
    m = Table(title="Pixel set: per metric")
    for col in ("metric", "max |error|", "retest spread (max-min)", "retest SD", "max L/R difference"):
        m.add_column(col)

    def f(v: float | None) -> str:
        return "" if v is None else f"{v:.2f}"

    for name, d in summary["metrics"].items():
        m.add_row(name, f(d.get("max_abs_error")), f(d.get("retest_spread")), f(d.get("retest_sd")),
                  f(d.get("max_asymmetry")))  # fmt: skip
    console.print(m)
    p = Table(title="Rendered postures (side view): measured minus true")
    for col in ("photo", "view", "trunk flexion", "neck flexion", "upper arm", "RULA (true)", "error"):
        p.add_column(col)
    for name, r in summary.get("postures", {}).items():
        errs = (f(r.get(k)) for k in ("trunk_flexion_deg_error", "neck_flexion_deg_error", "upper_arm_error"))
        rula = f"{r.get('rula')} ({r['true_rula']})"
        p.add_row(name, r.get("view", ""), *errs, rula, (r.get("error") or "")[:60])
    console.print(p)
    for name, ok in summary["flags"].items():
        console.print(f"bad-input clip {name}: {'flagged' if ok else '[red]NOT flagged[/red]'}")
    speed = summary.get("speed_720p_fps")
    measured = "not measured (keypoints cached)" if speed is None else f"{speed:.1f} frames/s"
    console.print(f"processing speed at 1280x720: {measured}")


def _posture_result_type() -> type[PostureResult]:
    from kinetrace.video.results import PostureResult

    return PostureResult


def register(app: typer.Typer) -> None:
    """Add the ``gait``, ``posture`` and ``bench-video`` commands to ``app``."""
    app.command("gait")(gait)
    app.command("posture")(posture)
    app.command("bench-video")(bench_video)
