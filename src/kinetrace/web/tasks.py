"""Background tasks (Django's task framework, database backend): video analysis.

A request only stores the clip and enqueues :data:`analyse_video`; a worker
(``python -m kinetrace.web db_worker``) runs it and stores the result on the
:class:`~kinetrace.web.models.VideoAnalysis` row, which the result page polls.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from kinetrace.web.models import VideoAnalysis


def pose_backend() -> Any:
    """The configured pose backend (``KINETRACE_POSE_BACKEND`` factory), or None for the default."""
    path = getattr(settings, "KINETRACE_POSE_BACKEND", None)
    return import_string(path)() if path else None


#: Seconds between two heartbeat writes while a clip is analysed.
HEARTBEAT_SECONDS = 5
log = logging.getLogger("kinetrace.tasks")


def _update(video_id: int, **fields: Any) -> None:
    VideoAnalysis.objects.filter(pk=video_id).update(**fields)


def _fail(video_id: int, message: str) -> None:
    _update(video_id, status=VideoAnalysis.FAILED, error=message[:2000], finished=timezone.now(), heartbeat=None)


@task()
def analyse_video(video_id: int) -> str:
    """Analyse one uploaded clip; the outcome (result or error message) is stored on its row.

    Any exception marks the row failed with a clear message (a :class:`~kinetrace.video.VideoError`
    keeps its own words; anything else says what kind of error it was, without its text) and is
    re-raised, so the task result is failed too. While it runs, the row's ``heartbeat`` is renewed
    every few seconds: a row whose heartbeat is older than the lease belongs to a dead worker
    (:func:`reap_stale_videos`).
    """
    from kinetrace import video as kv  # OpenCV/numpy: only in the worker

    row = VideoAnalysis.objects.get(pk=video_id)
    now = timezone.now()
    _update(video_id, status=VideoAnalysis.RUNNING, progress=0, heartbeat=now, error="")
    state = {"pct": -1, "beat": time.monotonic()}

    def progress(done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 0
        beat_due = time.monotonic() - state["beat"] >= HEARTBEAT_SECONDS
        if pct >= state["pct"] + 10 or beat_due:  # a write every 10 % or every few seconds
            state["pct"] = max(pct, state["pct"])
            state["beat"] = time.monotonic()
            _update(video_id, progress=pct, heartbeat=timezone.now())

    try:
        result, markers = _analyse(kv, row, progress)
    except kv.VideoError as exc:
        _fail(video_id, str(exc))
        return VideoAnalysis.FAILED
    except BaseException as exc:
        log.exception("video analysis %s failed", video_id)
        _fail(
            video_id,
            f"The analysis failed ({type(exc).__name__}); the clip was kept. Try again or upload another clip.",
        )
        raise
    _update(
        video_id,
        status=VideoAnalysis.DONE,
        progress=100,
        result=result.to_dict(),
        markers=markers,
        finished=timezone.now(),
        heartbeat=None,
    )
    return VideoAnalysis.DONE


def output_dir(row: VideoAnalysis) -> Path:
    """Where an analysis writes its images (key frames with angle arcs, contact sheet), JSON and CSV:
    beside the clip in the media folder, which is never served directly (``views.video.video_image``)."""
    return Path(row.file.path).parent / f"analysis_{row.pk}"


def _analyse(kv: Any, row: VideoAnalysis, progress: Any) -> tuple[Any, list[dict[str, Any]]]:
    out = output_dir(row)
    if row.kind == "posture":
        result = kv.analyse_posture(row.file.path, backend=pose_backend(), progress=progress, out_dir=out)
        return result, kv.markers_from_posture(result)
    result = kv.analyse_gait(row.file.path, view=row.view, backend=pose_backend(), progress=progress, out_dir=out)
    return result, kv.markers_from_gait(result)


STALE_MESSAGE = (
    "The analysis stopped: its worker ended without finishing (no sign of life for {seconds} s). "
    "The clip was kept; upload it again to retry."
)


def reap_stale_videos(lease_seconds: int | None = None) -> int:
    """Mark failed every running analysis whose worker stopped renewing its heartbeat.

    A row is stale when it is ``running`` and its heartbeat is older than the lease
    (``KINETRACE_TASK_LEASE_SECONDS``, default 120 s), or ``queued`` and its task result already
    ended (failed) without touching the row. Its task result, still ``RUNNING`` for a killed
    worker, is marked failed too. Returns the number of rows failed.
    """
    from django_tasks_db.models import DBTaskResult

    lease = lease_seconds if lease_seconds is not None else settings.KINETRACE_TASK_LEASE_SECONDS
    cutoff = timezone.now() - dt.timedelta(seconds=lease)
    stale = VideoAnalysis.objects.filter(status=VideoAnalysis.RUNNING, heartbeat__lt=cutoff)
    ended = DBTaskResult.objects.filter(status="FAILED").values_list("id", flat=True)
    orphaned = VideoAnalysis.objects.filter(status=VideoAnalysis.QUEUED, task_id__in=[str(i) for i in ended])
    rows = list(stale.values_list("pk", "task_id")) + list(orphaned.values_list("pk", "task_id"))
    now = timezone.now()
    for pk, task_id in rows:
        updated = VideoAnalysis.objects.filter(pk=pk, status__in=[VideoAnalysis.RUNNING, VideoAnalysis.QUEUED]).update(
            status=VideoAnalysis.FAILED, error=STALE_MESSAGE.format(seconds=lease), finished=now, heartbeat=None
        )
        if updated and task_id:
            DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
                status="FAILED", finished_at=now, exception_class_path="kinetrace.web.tasks.WorkerLost"
            )
    return len(rows)
