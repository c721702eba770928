"""Reading videos and photos with OpenCV."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np
from numpy.typing import NDArray

from kinetrace.video.errors import UnreadableVideo

#: OpenCV's default people detector window (width, height) in px.
HOG_WINDOW = (64, 128)
T = TypeVar("T")
U = TypeVar("U")

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".m4v", ".webm")
ALLOWED = "videos (" + ", ".join(VIDEO_SUFFIXES) + "), photos (" + ", ".join(IMAGE_SUFFIXES) + ")"


@dataclass(frozen=True)
class MediaInfo:
    """Frame count, rate (Hz) and size (px) of a video or photo."""

    path: Path
    n_frames: int
    fps: float
    size: tuple[int, int]
    is_image: bool


def probe(path: Path) -> MediaInfo:
    """Open ``path`` and check a first frame decodes.

    Raises
    ------
    UnreadableVideo
        Missing file, or OpenCV cannot decode it.
    """
    if not path.exists():
        raise UnreadableVideo(f"{path}: file not found. Give the path of one of: {ALLOWED}")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        img = cv2.imread(str(path))
        if img is None:
            raise UnreadableVideo(f"{path}: OpenCV cannot decode this image. Allowed: {ALLOWED}")
        return MediaInfo(path, 1, 1.0, (img.shape[1], img.shape[0]), True)
    cap = cv2.VideoCapture(str(path))
    try:
        ok, frame = cap.read() if cap.isOpened() else (False, None)
        if not ok or frame is None:
            raise UnreadableVideo(
                f"{path}: OpenCV cannot read a frame from this file (corrupt, empty or unsupported codec). "
                f"Allowed: {ALLOWED}, H.264/MJPEG encoded"
            )
        fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        return MediaInfo(path, max(n, 1), fps, (frame.shape[1], frame.shape[0]), False)
    finally:
        cap.release()


def iter_frames(info: MediaInfo) -> Iterator[NDArray[np.uint8]]:
    """Yield BGR frames of the video or the single photo."""
    if info.is_image:
        img = cv2.imread(str(info.path))
        if img is not None:
            yield np.asarray(img, dtype=np.uint8)
        return
    cap = cv2.VideoCapture(str(info.path))
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            yield np.asarray(frame, dtype=np.uint8)
    finally:
        cap.release()


def count_people(frame: NDArray[np.uint8]) -> int:
    """People OpenCV's HOG person detector (Dalal & Triggs 2005) finds in ``frame`` (weight > 0.5).

    The frame is scaled to 480 px high first (speed; people under ~130 px are missed).
    """
    h, w = frame.shape[:2]
    if h < HOG_WINDOW[1] or w < HOG_WINDOW[0]:
        return 0  # smaller than the detector's window: nobody it can see (and OpenCV 4.x crashes on it)
    img = frame if h <= 480 else cv2.resize(frame, (round(frame.shape[1] * 480 / h), 480))
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32))
    _, weights = hog.detectMultiScale(img, winStride=(8, 8), padding=(8, 8), scale=1.05)
    return int(np.count_nonzero(np.asarray(weights).ravel() > 0.5))


def prefetched(items: Iterator[T], work: Callable[[T], U], *, depth: int = 4) -> Generator[tuple[T, U], None, None]:
    """``(item, work(item))`` in order, read and computed up to ``depth`` items ahead in one
    second thread.

    For the frame loop: decoding and downscaling (OpenCV, which releases the GIL) run on the
    second core while the pose model runs on the current frame. One worker runs the steps one
    at a time, in order, so ``items`` is only ever advanced by one thread. An exception of a step
    is raised here; when the consumer stops early, steps not yet started are cancelled.
    """
    end = object()

    def step() -> tuple[object, U | None]:
        item = next(items, end)
        return (item, None) if item is end else (item, work(item))  # type: ignore[arg-type]

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kinetrace-prefetch")
    try:
        pending = deque(pool.submit(step) for _ in range(max(1, depth)))
        while True:
            item, result = pending.popleft().result()
            if item is end:
                return
            pending.append(pool.submit(step))
            yield item, result  # type: ignore[misc]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
