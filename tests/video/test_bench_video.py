"""Frames per second of the MediaPipe pipeline on a 720p, 30 fps clip built from real frames.

Runs (small, 30 frames) in the default suite; for the reported figure use
``pytest tests/video/test_bench_video.py --benchmark-only -m mediapipe`` with
``KINETRACE_BENCH_FRAMES=150``.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from kinetrace.video import analyse_posture

from .conftest import write_video

N_FRAMES = int(os.environ.get("KINETRACE_BENCH_FRAMES", "30"))


@pytest.fixture(scope="module")
def clip_720p(tmp_path_factory: pytest.TempPathFactory, astronaut_bgr: NDArray[np.uint8]) -> Path:
    person = cv2.resize(astronaut_bgr, (640, 640))
    frames = []
    for i in range(N_FRAMES):
        canvas = np.full((720, 1280, 3), 180, np.uint8)
        dx = 200 + int(300 * (i / max(N_FRAMES - 1, 1)))
        canvas[40:680, dx : dx + 640] = person
        frames.append(canvas)
    return write_video(tmp_path_factory.mktemp("bench") / "clip720p.mp4", frames, 30.0)


@pytest.mark.mediapipe
@pytest.mark.benchmark(group="video")
def test_bench_mediapipe_pipeline_fps(benchmark, clip_720p: Path) -> None:
    result = benchmark.pedantic(analyse_posture, args=(clip_720p,), rounds=1, iterations=1)
    assert result.n_frames == N_FRAMES
    if benchmark.disabled:  # --benchmark-disable (scripts/test, parallel): ran once, untimed
        return
    fps = N_FRAMES / benchmark.stats.stats.mean
    benchmark.extra_info["frames"] = N_FRAMES
    benchmark.extra_info["frames_per_second"] = round(fps, 1)
    assert fps > 1.0  # sanity only; the figure itself is reported, not asserted
