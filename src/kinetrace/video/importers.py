"""Importers for keypoints made by other tools.

* Sports2D / Pose2Sim ``.trc`` (OpenSim marker file: tab-separated, 5 header lines, X/Y/Z
  per marker). Metre files have Y **up**; Sports2D's pixel files (``*_px.trc``) keep the
  image's Y **down** although their header says ``Units m`` (Sports2D 0.8 ``process.py``:
  ``make_trc_with_trc_data`` always writes ``m``; only ``convert_px_to_meters`` flips Y).
  The convention is taken from the header's ``Units`` (``px`` = y down) and the file name
  (``_px``), then checked against anatomy (the head must be above the ankles); it is
  reported in the sequence's ``source``. Converted to the image convention (y down); Z ignored.
* OpenPose JSON: one ``*_keypoints.json`` per frame (a directory of them, or a single
  file for a photo), ``people[0].pose_keypoints_2d`` = flat ``[x, y, c] * K`` in pixels,
  BODY_25 (K = 25) or COCO (K = 18).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kinetrace.video.errors import UnreadableVideo
from kinetrace.video.pose import PoseSequence
from kinetrace.video.skeleton import INDEX, KEYPOINTS, mapping


def read_trc(path: Path, *, scale: float = 1.0) -> PoseSequence:
    """Read a ``.trc`` file into a :class:`PoseSequence` (units x ``scale`` as 'pixels').

    Raises
    ------
    UnreadableVideo
        Not a TRC file, or no known marker names (allowed names are listed).
    """
    try:
        lines = path.read_text(encoding="utf-8", errors="strict").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableVideo(f"{path}: cannot read as a text .trc file ({exc})") from exc
    if len(lines) < 6 or not lines[0].startswith("PathFileType"):
        raise UnreadableVideo(f"{path}: not a .trc file (first line must start with 'PathFileType')")
    keys = lines[1].split("\t")
    vals = lines[2].split("\t")
    meta = dict(zip(keys, vals, strict=False))
    try:
        fps = float(meta.get("DataRate") or meta["CameraRate"])
    except (KeyError, ValueError) as exc:
        raise UnreadableVideo(f"{path}: .trc header has no valid DataRate") from exc
    header = lines[3].split("\t")
    markers = [h.strip() for h in header[2::3]]
    rows = [r.split("\t") for r in lines[5:] if r.strip()]
    names = mapping("trc_marker_names")["names"]
    lookup = {alias.lower(): canon for canon, aliases in names.items() for alias in aliases}
    xy = np.full((len(rows), len(KEYPOINTS), 2), np.nan)
    conf = np.zeros((len(rows), len(KEYPOINTS)))
    found = 0
    for m, marker in enumerate(markers):
        canon = lookup.get(marker.lower())
        if canon is None:
            continue
        found += 1
        k = INDEX[canon]
        for i, r in enumerate(rows):
            cells = r[2 + 3 * m : 4 + 3 * m]
            if len(cells) == 2 and cells[0].strip() and cells[1].strip():
                xy[i, k] = (float(cells[0]) * scale, float(cells[1]) * scale)
                conf[i, k] = 1.0
    if found == 0:
        allowed = sorted({a for aliases in names.values() for a in aliases})
        raise UnreadableVideo(f"{path}: no known marker names in the .trc header; allowed: {allowed}")
    convention = _y_convention(xy, str(meta.get("Units", "")).strip(), path.name)
    if convention.startswith("y up"):
        xy[..., 1] = -xy[..., 1]
    size = (int(np.nanmax(xy[..., 0], initial=1)), int(np.nanmax(np.abs(xy[..., 1]), initial=1)))
    return PoseSequence(xy=xy, conf=conf, fps=fps, size=size, source=f"trc:{path.name} ({convention})")


def _y_convention(xy: NDArray[np.float64], units: str, name: str) -> str:
    """``"y up (...)"`` or ``"y down (...)"`` for raw TRC coordinates, with the reason."""
    stated_down = units.lower() == "px" or "_px" in name.lower()
    head = np.nanmedian(xy[:, [INDEX["nose"], INDEX["left_shoulder"], INDEX["right_shoulder"]], 1])
    feet = np.nanmedian(xy[:, [INDEX["left_ankle"], INDEX["right_ankle"]], 1])
    why = f"Units {units or '?'}, file name {'with' if '_px' in name.lower() else 'without'} _px"
    if np.isfinite(head) and np.isfinite(feet):
        anatomy_down = head < feet
        if anatomy_down != stated_down:
            found = "y down" if anatomy_down else "y up"
            return f"{found} (from anatomy: head above ankles; header said otherwise: {why})"
    return f"{'y down' if stated_down else 'y up'} ({why})"


def write_trc(seq: PoseSequence, path: Path, *, units: str = "m", y_up: bool = True) -> None:
    """Write ``seq`` as a Sports2D-style ``.trc`` (for tests and exchange).

    Default: metre-file convention (Y up; values stay pixel-scaled). ``units="m", y_up=False``
    with a ``*_px.trc`` name imitates Sports2D's pixel files (image Y down, header ``m``).
    """
    names = mapping("trc_marker_names")["names"]
    cols = [(names[k][0], INDEX[k]) for k in KEYPOINTS if k in names]
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{path.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{seq.fps}\t{seq.fps}\t{seq.n_frames}\t{len(cols)}\t{units}\t{seq.fps}\t1\t{seq.n_frames}",
        "Frame#\tTime\t" + "\t\t\t".join(n for n, _ in cols),
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(cols))),
    ]
    for f in range(seq.n_frames):
        cells = []
        for _, k in cols:
            x, y = seq.xy[f, k]
            cells += ["", "", ""] if not np.isfinite(x) else [f"{x:.5f}", f"{-y if y_up else y:.5f}", "0.0"]
        lines.append(f"{f + 1}\t{f / seq.fps:.5f}\t" + "\t".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_openpose(path: Path, *, fps: float = 30.0) -> PoseSequence:
    """Read OpenPose JSON (a directory of per-frame files, or one file) at ``fps`` Hz.

    The person with the highest summed confidence is used in each frame.

    Raises
    ------
    UnreadableVideo
        No JSON files, invalid JSON, or an unknown keypoint count (allowed: 25, 18).
    """
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise UnreadableVideo(f"{path}: no OpenPose *.json files found")
    maps = {mapping(t)["n_keypoints"]: mapping(t)["indices"] for t in ("openpose_body25", "openpose_coco18")}
    xy = np.full((len(files), len(KEYPOINTS), 2), np.nan)
    conf = np.zeros((len(files), len(KEYPOINTS)))
    for i, f in enumerate(files):
        try:
            people = json.loads(f.read_text(encoding="utf-8"))["people"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UnreadableVideo(f"{f}: not an OpenPose JSON file with a 'people' list ({exc})") from exc
        if not people:
            continue
        arrs = [np.asarray(p["pose_keypoints_2d"], dtype=float).reshape(-1, 3) for p in people]
        best = max(arrs, key=lambda a: float(a[:, 2].sum()))
        idx = maps.get(len(best))
        if idx is None:
            raise UnreadableVideo(f"{f}: {len(best)} keypoints per person; allowed: BODY_25 (25) or COCO (18)")
        for name, j in idx.items():
            if best[j, 2] > 0:
                xy[i, INDEX[name]] = best[j, :2]
                conf[i, INDEX[name]] = best[j, 2]
    size = (int(np.nanmax(xy[..., 0], initial=1)) + 1, int(np.nanmax(xy[..., 1], initial=1)) + 1)
    return PoseSequence(xy=xy, conf=conf, fps=fps, size=size, source=f"openpose:{path.name}")


def write_openpose(seq: PoseSequence, directory: Path) -> None:
    """Write ``seq`` as OpenPose BODY_25 JSON files (for tests and exchange)."""
    directory.mkdir(parents=True, exist_ok=True)
    idx = mapping("openpose_body25")["indices"]
    for f in range(seq.n_frames):
        flat = np.zeros((25, 3))
        for name, j in idx.items():
            x, y = seq.xy[f, INDEX[name]]
            if np.isfinite(x):
                flat[j] = (x, y, seq.conf[f, INDEX[name]])
        doc = {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": flat.ravel().tolist()}]}
        (directory / f"frame_{f:06d}_keypoints.json").write_text(json.dumps(doc), encoding="utf-8")
