"""Errors raised by :mod:`kinetrace.video`.

Every error says what was wrong and what is allowed, so the CLI can print it as is
(exit code 2) and the web app can show it to a clinician.
"""

from __future__ import annotations


class VideoError(Exception):
    """Base class for every problem with a video, photo or keypoint file."""


class UnreadableVideo(VideoError):
    """The file does not exist or OpenCV/the importer cannot decode it."""


class NoPersonFound(VideoError):
    """The pose backend found no person in (enough of) the frames."""


class TooFewStrides(VideoError):
    """Too few foot contacts (or stance phases) to compute running metrics."""


class LowConfidenceKeypoints(VideoError):
    """A person was found but the keypoints a metric needs are unreliable."""


class InvalidOption(VideoError):
    """An option (e.g. ``view``) has a value outside the allowed set."""


class ViewMismatch(VideoError):
    """The stated camera view contradicts the view seen in the keypoints."""
