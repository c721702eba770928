"""Running-gait and work-posture analysis from video, feeding case markers.

Public API (kept stable for the web app and CLI)::

    analyse_gait(path, view=..., backend=None, out_dir=None, progress=None) -> GaitResult
    analyse_posture(path, backend=None, out_dir=None, progress=None) -> PostureResult
    markers_from_gait(result, side_filter=None) / markers_from_posture(result) -> list[dict]
    values_for_markers(result) -> dict[str, float]

This package imports OpenCV and numpy; mediapipe is imported only by
:class:`~kinetrace.video.mediapipe_backend.MediaPipeBackend` when it is used.
"""

from kinetrace.video.errors import (
    InvalidOption,
    LowConfidenceKeypoints,
    NoPersonFound,
    TooFewStrides,
    UnreadableVideo,
    VideoError,
    ViewMismatch,
)
from kinetrace.video.markers import markers_from_gait, markers_from_posture, values_for_markers
from kinetrace.video.pipeline import analyse_gait, analyse_posture
from kinetrace.video.pose import FakePoseBackend, PoseBackend, PoseSequence
from kinetrace.video.results import GaitResult, Metric, PostureResult

__all__ = [
    "FakePoseBackend",
    "GaitResult",
    "InvalidOption",
    "LowConfidenceKeypoints",
    "Metric",
    "NoPersonFound",
    "PoseBackend",
    "PoseSequence",
    "PostureResult",
    "TooFewStrides",
    "UnreadableVideo",
    "VideoError",
    "ViewMismatch",
    "analyse_gait",
    "analyse_posture",
    "markers_from_gait",
    "markers_from_posture",
    "values_for_markers",
]
