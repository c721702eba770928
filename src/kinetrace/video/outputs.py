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


#: One colour per side everywhere (skeleton, arcs, plots, legend): BGR for OpenCV, hex for plots.
SIDE_BGR = {"left": (230, 140, 20), "right": (20, 120, 240)}
SIDE_HEX = {"left": "#148ce6", "right": "#f07814"}
LEGEND = "left = blue, right = orange (the runner's own sides)"


def _text_scale(img: NDArray[np.uint8]) -> tuple[float, int, int]:
    """Font scale, thickness and line height sized to the frame (readable from 240p to 4K)."""
    h = img.shape[0]
    scale = max(0.4, h / 900)
    return scale, max(1, round(scale * 1.6)), round(30 * scale)


def put_lines(img: NDArray[np.uint8], lines: list[str], origin: tuple[int, int] = (8, 0)) -> None:
    """White text with a dark outline, sized to the frame, one line under the other."""
    scale, thick, step = _text_scale(img)
    for i, text in enumerate(lines):
        y = origin[1] + step * (i + 1)
        cv2.putText(img, text, (origin[0], y), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
        cv2.putText(img, text, (origin[0], y), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick, cv2.LINE_AA)


def _pt(p: NDArray[np.float64]) -> tuple[int, int]:
    return round(p[0]), round(p[1])


def draw_arc(img: NDArray[np.uint8], centre: NDArray[np.float64], a: NDArray[np.float64],
             b: NDArray[np.float64], color: tuple[int, int, int], label: str) -> None:  # fmt: skip
    """An arc at ``centre`` from direction ``a`` to direction ``b`` (image coordinates), labelled."""
    if not (np.all(np.isfinite(centre)) and np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return
    scale, thick, _ = _text_scale(img)
    r = max(12, round(img.shape[0] / 18))
    t0 = np.degrees(np.arctan2(a[1], a[0]))
    t1 = np.degrees(np.arctan2(b[1], b[0]))
    d = (t1 - t0 + 180) % 360 - 180
    cv2.ellipse(img, _pt(centre), (r, r), 0, t0, t0 + d, color, thick + 1, cv2.LINE_AA)
    mid = np.radians(t0 + d / 2)
    pos = centre + (r + 6) * np.array([np.cos(mid), np.sin(mid)])
    cv2.putText(img, label, _pt(pos), cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
    cv2.putText(img, label, _pt(pos), cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, color, thick, cv2.LINE_AA)


def draw(frame: NDArray[np.uint8], xy: NDArray[np.float64], lines: list[str],
         arcs: list[tuple[str, str]] | None = None) -> NDArray[np.uint8]:  # fmt: skip
    """Skeleton (left blue, right orange), optional angle arcs and text lines on a copy of ``frame``.

    ``arcs``: ``(side, "knee" | "shank")`` pairs; the knee arc spans thigh-line to shank,
    the shank arc spans the vertical to the shank.
    """
    img = frame.copy()
    _, thick, _ = _text_scale(img)
    for a, b in BONES:
        pa, pb = xy[INDEX[a]], xy[INDEX[b]]
        if np.all(np.isfinite(pa)) and np.all(np.isfinite(pb)):
            side = "right" if a.startswith("right") else "left" if a.startswith("left") else None
            color = SIDE_BGR[side] if side else (200, 200, 200)
            cv2.line(img, _pt(pa), _pt(pb), color, thick + 1, cv2.LINE_AA)
    for p in xy:
        if np.all(np.isfinite(p)):
            cv2.circle(img, _pt(p), thick + 2, (255, 255, 255), -1, cv2.LINE_AA)
    for side, kind in arcs or []:
        hip, knee, ankle = (xy[INDEX[f"{side}_{j}"]] for j in ("hip", "knee", "ankle"))
        if kind == "knee":
            draw_arc(img, knee, knee - hip, ankle - knee, SIDE_BGR[side], "knee")
        else:
            draw_arc(img, ankle, np.array([0.0, -1.0]), knee - ankle, SIDE_BGR[side], "shank")
    put_lines(img, [*lines, LEGEND] if lines else lines)
    return img


def contact_sheet(tiles: list[NDArray[np.uint8]], columns: int = 4, tile_h: int = 360) -> NDArray[np.uint8]:
    """Key-frame tiles (resized to the same height) in a grid."""
    resized = [cv2.resize(t, (round(t.shape[1] * tile_h / t.shape[0]), tile_h)) for t in tiles]
    w = max(t.shape[1] for t in resized)
    rows = []
    for i in range(0, len(resized), columns):
        row = [np.pad(t, ((0, 0), (0, w - t.shape[1]), (0, 0))) for t in resized[i : i + columns]]
        row += [np.zeros((tile_h, w, 3), np.uint8)] * (columns - len(row))
        rows.append(np.hstack(row))
    return np.vstack(rows)


def plot_series(series: dict[str, NDArray[np.float64]], times: NDArray[np.float64],
                contacts: dict[str, list[int]], path: Path, title: str) -> Path:  # fmt: skip
    """Angle-against-time plot per side (one panel per angle) with each side's contacts marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted({k.replace("_left", "").replace("_right", "") for k in series if "_left" in k or "_right" in k})
    fig, axes = plt.subplots(len(names), 1, figsize=(10, 2.6 * len(names)), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        for side in ("left", "right"):
            key = name.replace("_deg", f"_{side}_deg") if name.endswith("_deg") else f"{name}_{side}"
            if key not in series:
                continue
            ax.plot(times, series[key], color=SIDE_HEX[side], label=side, lw=1.5)
            for f in contacts.get(side, []):
                if 0 <= f < len(times):
                    ax.axvline(times[f], color=SIDE_HEX[side], lw=0.8, ls="--", alpha=0.7)
        ax.set_ylabel(name.replace("_deg", " (deg)").replace("_", " "))
        ax.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right", title="dashed = contact")
    axes[0, 0].set_title(title)
    axes[-1, 0].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_all(
    result: _Result,
    seq: PoseSequence,
    info: MediaInfo | None,
    out_dir: Path,
    key_frames: dict[int, list[str]],
    *,
    video: bool = False,
    arcs: dict[int, list[tuple[str, str]]] | None = None,
    plot: tuple[dict[str, NDArray[np.float64]], dict[str, list[int]], str] | None = None,
) -> dict[str, str]:
    """Write JSON, CSV, angle plot, contact sheet (+ first key frames) and optionally an annotated MP4."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{result.__class__.__name__.removesuffix('Result').lower()}"
    paths: dict[str, str] = {}
    if result._frames is not None:
        csv_path = out_dir / f"{stem}_frames.csv"
        write_csv(result._frames, csv_path)
        paths["csv"] = str(csv_path)
    if plot is not None:
        paths["plot"] = str(plot_series(plot[0], seq.times, plot[1], out_dir / f"{stem}_angles.png", plot[2]))
    if info is not None and (key_frames or video):
        paths |= _frames_out(seq, info, out_dir, stem, key_frames, arcs or {}, video)
    result.outputs = paths
    json_path = out_dir / f"{stem}.json"
    result.outputs["json"] = str(json_path)
    json_path.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    return result.outputs


def _frames_out(seq: PoseSequence, info: MediaInfo, out_dir: Path, stem: str, key_frames: dict[int, list[str]],
                arcs: dict[int, list[tuple[str, str]]], video: bool) -> dict[str, str]:  # fmt: skip
    paths: dict[str, str] = {}
    writer = None
    if video:
        vid_path = out_dir / f"{stem}_annotated.mp4"
        writer = cv2.VideoWriter(str(vid_path), cv2.VideoWriter.fourcc(*"mp4v"), info.fps, info.size)
        paths["video"] = str(vid_path)
    tiles = []
    for i, frame in enumerate(iter_frames(info)):
        if i >= seq.n_frames:
            break
        if i in key_frames:
            img = draw(frame, seq.xy[i], key_frames[i], arcs.get(i))
            tiles.append(img)
            if len(tiles) <= 2:
                png = out_dir / f"{stem}_frame{i:05d}.png"
                cv2.imwrite(str(png), img)
                paths[f"key_frame_{i}"] = str(png)
        if writer is not None:
            writer.write(draw(frame, seq.xy[i], key_frames.get(i, []), arcs.get(i)))
    if writer is not None:
        writer.release()
    if tiles:
        sheet = out_dir / f"{stem}_contact_sheet.png"
        cv2.imwrite(str(sheet), contact_sheet(tiles))
        paths["contact_sheet"] = str(sheet)
    return paths
