"""Pose data and the small pose-backend interface.

Coordinates are image pixels with ``x`` to the right and ``y`` **down** (OpenCV convention).
Missing keypoints are ``NaN`` with confidence ``0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from kinetrace.video.skeleton import INDEX, KEYPOINTS

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PoseSequence:
    """Keypoints of one person over time.

    Parameters
    ----------
    xy : ndarray, shape (F, K, 2)
        Pixel coordinates (x right, y down); ``NaN`` where missing.
    conf : ndarray, shape (F, K)
        Confidence/visibility in [0, 1]; 0 where missing.
    fps : float
        Frames per second of the source (Hz).
    size : tuple of int
        ``(width, height)`` of the source frames in pixels.
    source : str
        Where the keypoints came from (backend name or importer).
    """

    xy: FloatArray
    conf: FloatArray
    fps: float
    size: tuple[int, int]
    source: str = "unknown"
    names: tuple[str, ...] = field(default=KEYPOINTS)

    def __post_init__(self) -> None:
        if self.xy.ndim != 3 or self.xy.shape[1:] != (len(self.names), 2):
            raise ValueError(f"xy must have shape (frames, {len(self.names)}, 2); got {self.xy.shape}")
        if self.conf.shape != self.xy.shape[:2]:
            raise ValueError(f"conf must have shape {self.xy.shape[:2]}; got {self.conf.shape}")
        if not self.fps > 0:
            raise ValueError(f"fps must be > 0; got {self.fps}")

    @property
    def n_frames(self) -> int:
        """Number of frames ``F``."""
        return int(self.xy.shape[0])

    @property
    def times(self) -> FloatArray:
        """Frame times in seconds, shape (F,)."""
        return np.arange(self.n_frames, dtype=float) / self.fps

    def point(self, name: str) -> FloatArray:
        """Trajectory of one keypoint, shape (F, 2), pixels."""
        return self.xy[:, INDEX[name], :]

    def with_xy(self, xy: FloatArray, conf: FloatArray | None = None) -> PoseSequence:
        """Copy with new coordinates (and optionally confidences)."""
        return PoseSequence(
            xy=xy,
            conf=self.conf if conf is None else conf,
            fps=self.fps,
            size=self.size,
            source=self.source,
            names=self.names,
        )

    @classmethod
    def from_frames(
        cls,
        frames: Sequence[NDArray[np.floating[Any]] | None],
        *,
        fps: float,
        size: tuple[int, int],
        source: str,
    ) -> PoseSequence:
        """Stack per-frame ``(K, 3)`` arrays ``[x, y, conf]`` (``None`` = nobody found)."""
        k = len(KEYPOINTS)
        xy = np.full((len(frames), k, 2), np.nan)
        conf = np.zeros((len(frames), k))
        for i, kp in enumerate(frames):
            if kp is None:
                continue
            arr = np.asarray(kp, dtype=float)
            if arr.shape != (k, 3):
                raise ValueError(f"frame {i}: keypoints must have shape ({k}, 3); got {arr.shape}")
            xy[i] = arr[:, :2]
            conf[i] = np.nan_to_num(arr[:, 2], nan=0.0)
        xy[conf <= 0] = np.nan
        return cls(xy=xy, conf=conf, fps=fps, size=size, source=source)


@runtime_checkable
class PoseBackend(Protocol):
    """Finds one person's keypoints in a frame.

    ``detect`` receives a BGR ``uint8`` image (H, W, 3) and the frame time in seconds,
    and returns a ``(K, 3)`` array ``[x_px, y_px, confidence]`` in :data:`KEYPOINTS`
    order, or ``None`` when nobody is found.
    """

    name: str

    def detect(self, frame: NDArray[np.uint8], timestamp_s: float) -> FloatArray | None:
        """Return keypoints for ``frame`` or ``None``."""
        ...

    def reset(self) -> None:
        """Forget tracking state before a new clip."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


class FakePoseBackend:
    """A backend that returns given keypoints, one entry per call (for tests and demos).

    Parameters
    ----------
    keypoints : sequence of (K, 3) arrays or None, or a :class:`PoseSequence`
        What to return on the 1st, 2nd, ... call to :meth:`detect`. After the end the
        last entry is repeated.
    """

    name = "fake"

    def __init__(self, keypoints: Sequence[FloatArray | None] | PoseSequence) -> None:
        if isinstance(keypoints, PoseSequence):
            seq = keypoints
            keypoints = [
                np.column_stack([seq.xy[i], seq.conf[i]]) if np.any(seq.conf[i] > 0) else None
                for i in range(seq.n_frames)
            ]
        if len(keypoints) == 0:
            raise ValueError("FakePoseBackend needs at least one frame of keypoints")
        self._frames = list(keypoints)
        self._i = 0
        self.calls = 0

    def detect(self, frame: NDArray[np.uint8], timestamp_s: float) -> FloatArray | None:
        """Return the next stored keypoints (``frame`` is ignored)."""
        kp = self._frames[min(self._i, len(self._frames) - 1)]
        self._i += 1
        self.calls += 1
        return None if kp is None else np.asarray(kp, dtype=float).copy()

    def reset(self) -> None:
        """Start again from the first stored frame."""
        self._i = 0

    def close(self) -> None:
        """Nothing to release."""
