"""Video: upload a running or work-posture clip; it is analysed in the background (never in the request)."""
# ruff: noqa: RUF012 - Django form Meta attributes

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.views import episode_view, is_htmx

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".trc", ".jpg", ".jpeg", ".png")


class VideoForm(forms.ModelForm):
    class Meta:
        model = m.VideoAnalysis
        fields = ["kind", "view", "file"]
        help_texts = {"file": "A clip (MP4, MOV, ...), a photo for posture, or a .trc keypoint file"}

    def clean_file(self) -> object:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(VIDEO_SUFFIXES):
            raise forms.ValidationError(f"Unsupported file type; allowed: {', '.join(VIDEO_SUFFIXES)}")
        if f.size > settings.VIDEO_MAX_BYTES:
            raise forms.ValidationError(f"File larger than {settings.VIDEO_MAX_BYTES // 2**20} MiB")
        return f


@episode_view(("GET", "POST"))
def videos(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = VideoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        row = actions.do_upload_video(request.user, episode, form.cleaned_data)
        return redirect("video", episode_id=episode.pk, video_id=row.pk)
    ctx = {"episode": episode, "tab": "video", "form": form, "videos": episode.videoanalysiss.all()}
    return render(request, "web/videos.html", ctx, status=400 if form.errors else 200)


@episode_view()
def video(request: HttpRequest, episode: m.Episode, video_id: int) -> HttpResponse:
    row = get_object_or_404(m.VideoAnalysis, episode=episode, pk=video_id)
    if row.status in (m.VideoAnalysis.QUEUED, m.VideoAnalysis.RUNNING):
        from kinetrace.web.tasks import reap_stale_videos

        if reap_stale_videos():  # a dead worker's row is failed here, so the page stops polling
            row.refresh_from_db()
    ctx = {
        "episode": episode,
        "tab": "video",
        "video": row,
        "existing": set(episode.markers.values_list("key", flat=True)),
    }
    if is_htmx(request):
        return render(request, "web/_video_status.html", ctx)
    actions.do_record_view(request.user, episode.patient, f"video {row.pk}", episode)
    return render(request, "web/video.html", ctx)


@episode_view(("POST",))
def video_markers(request: HttpRequest, episode: m.Episode, video_id: int) -> HttpResponse:
    """Add the markers measured on the clip to the exam (as custom markers with their MDCs)."""
    row = get_object_or_404(m.VideoAnalysis, episode=episode, pk=video_id, status=m.VideoAnalysis.DONE)
    wanted = set(request.POST.getlist("marker"))
    try:
        actions.do_add_video_markers(request.user, episode, [mk for mk in row.markers if mk["id"] in wanted])
    except actions.ActionError as exc:
        ctx = {"episode": episode, "tab": "video", "video": row, "problems": exc.problems, "existing": set()}
        return render(request, "web/video.html", ctx, status=400)
    return redirect("exam", episode_id=episode.pk)
