"""Fixtures for the video tests; warning filters and markers local to tests/video."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

# mediapipe 0.10.21 with protobuf 4.x warns on every graph run; filter only these.
_FILTERS = (
    "ignore:SymbolDatabase.GetPrototype\\(\\) is deprecated:UserWarning",
    "ignore::DeprecationWarning:google.protobuf.*",
    "ignore::DeprecationWarning:mediapipe.*",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mediapipe: runs the real MediaPipe model (slow, ~seconds)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            for f in _FILTERS:
                item.add_marker(pytest.mark.filterwarnings(f))


def write_video(path: Path, frames: list[NDArray[np.uint8]], fps: float) -> Path:
    """Write BGR frames with OpenCV (mp4v)."""
    h, w = frames[0].shape[:2]
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        vw.write(f)
    vw.release()
    return path


@pytest.fixture(scope="session")
def astronaut_bgr() -> NDArray[np.uint8]:
    from skimage import data

    bgr: NDArray[np.uint8] = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    return bgr


@pytest.fixture(scope="session")
def astronaut_clip(tmp_path_factory: pytest.TempPathFactory, astronaut_bgr: NDArray[np.uint8]) -> Path:
    """A 1.5 s, 20 fps, 640x512 clip built from the real astronaut photo, translated per frame."""
    frames = []
    for i in range(30):
        canvas = np.full((512, 640, 3), 200, np.uint8)
        dx = int(40 + 40 * np.sin(i / 5))
        canvas[:, dx : dx + 512] = astronaut_bgr[:, : min(512, 640 - dx)]
        frames.append(canvas)
    return write_video(tmp_path_factory.mktemp("clip") / "astronaut.mp4", frames, 20.0)
