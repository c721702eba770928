"""Writing results: JSON metrics, per-frame CSV, annotated key frames (PNG), annotated video."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from kinetrace.video.pose import PoseSequence
from kinetrace.video.results import FrameTable, _Result
from kinetrace.video.skeleton import BONES, INDEX, KEYPOINTS
from kinetrace.video.video_io import MediaInfo, iter_frames


def frame_table(seq: PoseSequence, angles: dict[str, NDArray[np.float64]]) -> FrameTable:
    """Columns for the CSV: each keypoint's x, y (px), confidence, then the angles."""
    cols: dict[str, NDArray[np.float64]] = {}
    for k, name in enumerate(KEYPOINTS):
        cols[f"{name}_x_px"] = seq.xy[:, k, 0]
        cols[f"{name}_y_px"] = seq.xy[:, k, 1]
        cols[f"{name}_conf"] = seq.conf[:, k]
    return FrameTable(seq.times, cols | angles)


def write_csv(table: FrameTable, path: Path) -> None:
    """Write one row per frame (``frame``, ``time_s``, columns); empty cell = missing."""
    names = list(table.columns)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["frame", "time_s", *names])
        for i, t in enumerate(table.times):
            row = [table.columns[n][i] for n in names]
            w.writerow([i, f"{t:.4f}", *("" if not np.isfinite(v) else f"{v:.3f}" for v in row)])


def draw(frame: NDArray[np.uint8], xy: NDArray[np.float64], lines: list[str]) -> NDArray[np.uint8]:
    """Skeleton and text lines drawn on a copy of ``frame``."""
    img = frame.copy()
    for a, b in BONES:
        pa, pb = xy[INDEX[a]], xy[INDEX[b]]
        if np.all(np.isfinite(pa)) and np.all(np.isfinite(pb)):
            color = (0, 200, 255) if a.startswith("right") else (255, 180, 0)
            cv2.line(img, (int(pa[0]), int(pa[1])), (int(pb[0]), int(pb[1])), color, 2, cv2.LINE_AA)
    for p in xy:
        if np.all(np.isfinite(p)):
            cv2.circle(img, (int(p[0]), int(p[1])), 3, (255, 255, 255), -1, cv2.LINE_AA)
    for i, text in enumerate(lines):
        y = 22 + 20 * i
        cv2.putText(img, text, (8, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(img, text, (8, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return img


def write_all(
    result: _Result,
    seq: PoseSequence,
    info: MediaInfo | None,
    out_dir: Path,
    key_frames: dict[int, list[str]],
    *,
    video: bool = False,
) -> dict[str, str]:
    """Write JSON, CSV, key-frame PNGs and (optionally) an annotated MP4 into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{result.__class__.__name__.removesuffix('Result').lower()}"
    paths: dict[str, str] = {}
    if result._frames is not None:
        csv_path = out_dir / f"{stem}_frames.csv"
        write_csv(result._frames, csv_path)
        paths["csv"] = str(csv_path)
    if info is not None and (key_frames or video):
        writer = None
        if video:
            vid_path = out_dir / f"{stem}_annotated.mp4"
            writer = cv2.VideoWriter(str(vid_path), cv2.VideoWriter.fourcc(*"mp4v"), info.fps, info.size)
            paths["video"] = str(vid_path)
        for i, frame in enumerate(iter_frames(info)):
            if i >= seq.n_frames:
                break
            if i in key_frames:
                png = out_dir / f"{stem}_frame{i:05d}.png"
                cv2.imwrite(str(png), draw(frame, seq.xy[i], key_frames[i]))
                paths[f"key_frame_{i}"] = str(png)
            if writer is not None:
                writer.write(draw(frame, seq.xy[i], key_frames.get(i, [])))
        if writer is not None:
            writer.release()
    result.outputs = paths
    json_path = out_dir / f"{stem}.json"
    result.outputs["json"] = str(json_path)
    json_path.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    return result.outputs
