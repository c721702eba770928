"""MediaPipe Pose backend (legacy ``mp.solutions.pose`` API, mediapipe 0.10.21).

mediapipe is imported **only** inside :class:`MediaPipeBackend` so that
``import kinetrace.video`` works without it. The 0.10.21 wheel ships the
``pose_landmark_full`` model (``model_complexity=1``), so this runs offline; the lite and
heavy models would be downloaded at first use and are therefore not offered.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from kinetrace.video.pose import FloatArray
from kinetrace.video.skeleton import INDEX, KEYPOINTS, LR_PAIRS, mapping

#: Set (to anything) to let MediaPipe, TFLite and FFmpeg print their own log lines (``--verbose``).
VERBOSE_ENV = "KINETRACE_VERBOSE"


def _verbose() -> bool:
    return bool(os.environ.get(VERBOSE_ENV))


@contextlib.contextmanager
def silenced_fd(fd: int) -> Iterator[None]:
    """Point file descriptor ``fd`` at ``/dev/null`` while the block runs (C-level writes to it
    bypass Python's ``sys.stdout``/``sys.stderr``), then restore it."""
    saved, devnull = os.dup(fd), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


@contextlib.contextmanager
def quiet_native_logs() -> Iterator[None]:
    """Silence the C++ log lines (glog/absl/TFLite) written straight to file descriptor 2.

    They bypass Python's ``sys.stderr``, so the descriptor itself is pointed at
    ``/dev/null`` for the duration; nothing is hidden when ``KINETRACE_VERBOSE`` is set.
    """
    if _verbose():
        yield
        return
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with silenced_fd(2):
        yield


class MediaPipeBackend:
    """Pose estimation with MediaPipe BlazePose (full model, CPU).

    Parameters
    ----------
    static_image_mode : bool
        ``True`` runs the person detector on every frame (photos, unrelated frames);
        ``False`` tracks from frame to frame (video; faster).
    min_detection_confidence, min_tracking_confidence : float
        Thresholds in [0, 1] passed to MediaPipe.
    max_side_px : int or None
        Frames whose longer side exceeds this are downscaled before inference (speed);
        keypoints are returned in the original pixel coordinates.
    mirror_retry : bool
        Photos only (``static_image_mode``): when no person is found, try once more on the
        left-right mirrored image and map the keypoints back (x mirrored, left/right labels
        swapped, since mirroring swaps the body's sides). On the project's rendered posture
        photos MediaPipe found the figure in 3 of 5 photos, and in 5 of 5 with this retry;
        padding to a square, 2x upscaling and centre crops found none of the two missing
        (docs/video.md). ``mirrored_frames`` counts the frames found this way.
    """

    name = "mediapipe-0.10.21-pose-full"

    def __init__(
        self,
        *,
        static_image_mode: bool = False,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        max_side_px: int | None = 960,
        mirror_retry: bool = True,
    ) -> None:
        try:
            with quiet_native_logs():
                import mediapipe as mp
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError(
                "The MediaPipe pose backend needs the 'video' extra: pip install 'kinetrace[video]'"
            ) from exc
        self._mp = mp
        self._kwargs: dict[str, Any] = {
            "static_image_mode": static_image_mode,
            "model_complexity": 1,
            "smooth_landmarks": not static_image_mode,
            "enable_segmentation": False,
            "min_detection_confidence": min_detection_confidence,
            "min_tracking_confidence": min_tracking_confidence,
        }
        with quiet_native_logs():
            self._pose = mp.solutions.pose.Pose(**self._kwargs)
        self._frames_seen = 0
        idx = mapping("mediapipe_pose")["indices"]
        self._src = np.array([idx[name] for name in KEYPOINTS])
        self._max_side = max_side_px
        self._mirror_retry = mirror_retry and static_image_mode
        self.mirrored_frames = 0
        self._swap = np.arange(len(KEYPOINTS))
        for a, b in LR_PAIRS:
            self._swap[INDEX[a]], self._swap[INDEX[b]] = INDEX[b], INDEX[a]

    def prepare(self, frame: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """The model's input for ``frame``: downscaled to ``max_side_px`` and converted to RGB.

        Thread-safe (no state): the pipeline calls it a few frames ahead in a second thread."""
        h, w = frame.shape[:2]
        img: NDArray[np.uint8] = frame
        if self._max_side and max(h, w) > self._max_side:
            scale = self._max_side / max(h, w)
            img = np.asarray(cv2.resize(frame, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA),
                             dtype=np.uint8)  # fmt: skip
        return np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), dtype=np.uint8)

    def detect(
        self, frame: NDArray[np.uint8], timestamp_s: float, prepared: NDArray[np.uint8] | None = None
    ) -> FloatArray | None:
        """Return ``(K, 3)`` keypoints ``[x_px, y_px, visibility]`` or ``None``.

        ``prepared`` is :meth:`prepare`'s output for ``frame`` when it was computed ahead."""
        h, w = frame.shape[:2]
        rgb = self.prepare(frame) if prepared is None else prepared
        with quiet_native_logs():  # the graph logs on warm-up and whenever it re-detects a lost person
            result = self._pose.process(rgb)
            mirrored = result.pose_landmarks is None and self._mirror_retry
            if mirrored:
                result = self._pose.process(np.ascontiguousarray(rgb[:, ::-1]))
        self._frames_seen += 1
        if result.pose_landmarks is None:
            return None
        lms = result.pose_landmarks.landmark
        out = np.empty((len(KEYPOINTS), 3))
        for j, src in enumerate(self._src):
            lm = lms[int(src)]
            out[j] = ((1.0 - lm.x if mirrored else lm.x) * w, lm.y * h, lm.visibility)
        if mirrored:
            self.mirrored_frames += 1
            out = out[self._swap]
        return out

    def reset(self) -> None:
        """Start a fresh tracker (call before each clip)."""
        with quiet_native_logs():
            self._pose.close()
            self._pose = self._mp.solutions.pose.Pose(**self._kwargs)
        self._frames_seen = 0
        self.mirrored_frames = 0

    def close(self) -> None:
        """Release the MediaPipe graph."""
        with quiet_native_logs():
            self._pose.close()
