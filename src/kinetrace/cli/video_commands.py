"""``kinetrace gait`` and ``kinetrace posture``: analyse a running video or a work posture."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from kinetrace.video import VideoError, analyse_gait, analyse_posture
from kinetrace.video.results import GaitResult, PostureResult


class View(str, Enum):
    """Camera position."""

    side = "side"
    front = "front"
    back = "back"


def _run(fn, console: Console, quiet: bool):  # type: ignore[no-untyped-def]
    if quiet:
        return fn(None)
    with Progress(TextColumn("[bold]analysing frames"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), console=console, transient=True) as bar:  # fmt: skip
        task = bar.add_task("frames", total=None)
        return fn(lambda done, total: bar.update(task, completed=done, total=total))


def _table(result: GaitResult | PostureResult, title: str) -> Table:
    t = Table(title=title)
    for col in ("metric", "left", "right", "value", "unit", "reference"):
        t.add_column(col)

    def f(v: float | None) -> str:
        return "" if v is None else f"{v:.1f}"

    for m in result.metrics:
        ref = "" if m.reference is None else m.reference.text[:60]
        t.add_row(m.label, f(m.left), f(m.right), f(m.value), m.unit, ref)
    return t


def gait(
    video: Annotated[
        Path,
        typer.Argument(help="Running video (.mp4/.mov/...), or keypoints: Sports2D .trc or an OpenPose JSON folder."),
    ],
    view: Annotated[
        View,
        typer.Option(
            "--view",
            help="Where the camera was: 'side' (side-on: cadence, overstride, shank and knee angles, trunk lean, bounce) or 'front'/'back' (arm carriage, shoulder elevation, arms crossing, pelvic drop).",  # noqa: E501
        ),
    ] = View.side,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Folder for the JSON metrics, per-frame CSV and annotated key frames (PNG)."),
    ] = None,
    video_out: Annotated[bool, typer.Option("--video", help="Also write an annotated video into --out.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON instead of a table.")] = False,
    fps: Annotated[
        float | None, typer.Option("--fps", help="Frame rate of OpenPose JSON keypoints (they do not store one).")
    ] = None,
) -> None:
    """Measure running gait from a phone video, per side, compared with published values.

    Film at least 10 s of steady running, whole body in frame, camera still and level,
    ideally 60 frames per second or more. Cadence counts both feet (steps per minute).
    """
    console = Console(stderr=True, soft_wrap=True)
    if video_out and out is None:
        console.print("--video needs --out DIR (where to write the annotated video)")
        raise typer.Exit(2)
    try:
        result = _run(lambda p: analyse_gait(video, view=view.value, out_dir=out, progress=p,
                                             annotated_video=video_out, keypoint_fps=fps), console, as_json)  # fmt: skip  # noqa: E501
    except VideoError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    _report(result, as_json, f"Running gait ({view.value} view)")


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
) -> None:
    """Score a work posture with RULA (McAtamney & Corlett 1993) from a photo or clip.

    Gives neck, trunk, upper-arm, elbow and wrist angles where visible, the RULA grand
    score and action level of the worst frame and the time-weighted score over a clip.
    What one camera cannot see (twist, load, muscle use) is listed as an assumption.
    """
    console = Console(stderr=True, soft_wrap=True)
    if video_out and out is None:
        console.print("--video needs --out DIR (where to write the annotated video)")
        raise typer.Exit(2)
    try:
        result = _run(
            lambda p: analyse_posture(file, out_dir=out, progress=p, annotated_video=video_out), console, as_json
        )
    except VideoError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    _report(result, as_json, f"Work posture ({result.view_estimate} view)")


def _report(result: GaitResult | PostureResult, as_json: bool, title: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    console = Console()
    console.print(_table(result, title))
    if isinstance(result, PostureResult) and result.rula_worst is not None:
        w = result.rula_worst
        console.print(f"RULA worst: {w.grand} (action level {w.action_level}, {w.side} arm, frame {result.rula_worst_frame}); "  # noqa: E501
                      f"time-weighted {result.rula_time_weighted:.1f}")  # fmt: skip
        for a in result.rula_assumptions:
            console.print(f"  assumption: {a}")
    for w_ in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {w_}")
    for k, v in result.outputs.items():
        console.print(f"{k}: {v}")


def register(app: typer.Typer) -> None:
    """Add the ``gait`` and ``posture`` commands to ``app``."""
    app.command("gait")(gait)
    app.command("posture")(posture)
