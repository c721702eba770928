"""Background tasks (Django's task framework, database backend): video analysis.

A request only stores the clip and enqueues :data:`analyse_video`; a worker
(``python -m kinetrace.web db_worker``) runs it and stores the result on the
:class:`~kinetrace.web.models.VideoAnalysis` row, which the result page polls.
"""

from __future__ import annotations

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


@task()
def analyse_video(video_id: int) -> str:
    """Analyse one uploaded clip; the outcome (result or error message) is stored on its row."""
    from kinetrace import video as kv  # OpenCV/numpy: only in the worker

    row = VideoAnalysis.objects.get(pk=video_id)
    VideoAnalysis.objects.filter(pk=video_id).update(status=VideoAnalysis.RUNNING, progress=0)
    last = [-1]

    def progress(done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 0
        if pct >= last[0] + 10:  # a write every 10 %
            last[0] = pct
            VideoAnalysis.objects.filter(pk=video_id).update(progress=pct)

    try:
        if row.kind == "posture":
            result = kv.analyse_posture(row.file.path, backend=pose_backend(), progress=progress)
            markers = kv.markers_from_posture(result)
        else:
            result = kv.analyse_gait(row.file.path, view=row.view, backend=pose_backend(), progress=progress)
            markers = kv.markers_from_gait(result)
    except kv.VideoError as exc:
        VideoAnalysis.objects.filter(pk=video_id).update(
            status=VideoAnalysis.FAILED, error=str(exc), finished=timezone.now()
        )
        return VideoAnalysis.FAILED
    VideoAnalysis.objects.filter(pk=video_id).update(
        status=VideoAnalysis.DONE,
        progress=100,
        result=result.to_dict(),
        markers=markers,
        finished=timezone.now(),
    )
    return VideoAnalysis.DONE
