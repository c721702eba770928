"""Video: upload a running or work-posture clip; it is analysed in the background (never in the request)."""
# ruff: noqa: RUF012 - Django form Meta attributes

from __future__ import annotations

from pathlib import Path
from typing import Any

import filetype
from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.views import episode_view, is_htmx

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".trc", ".jpg", ".jpeg", ".png")


class VideoForm(forms.ModelForm[m.VideoAnalysis]):
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
        problem = content_problem(f.name, _head(f))
        if problem:
            raise forms.ValidationError(problem)
        return f


def _head(f: Any, size: int = 4096) -> bytes:
    f.seek(0)
    head = bytes(f.read(size))
    f.seek(0)
    return head


def content_problem(name: str, head: bytes) -> str | None:
    """Why a file's first bytes do not hold what its name says (None when they do).

    Clips and photos are told by their magic numbers (``filetype``): a clip must be a video
    container, a photo a JPEG or PNG; a ``.trc`` keypoint file must be text."""
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix == "trc":
        bad_at = len(head)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_at = exc.start
        text = b"\0" not in head and bad_at >= len(head) - 4  # a character cut by the sample is still text
        return None if text else "A .trc keypoint file is text; this file is not (nothing was stored)."
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else "unknown"
    if suffix in ("jpg", "jpeg", "png"):
        if mime not in ("image/jpeg", "image/png"):
            return f"This file is named as a photo but holds {mime} content (JPEG or PNG expected; nothing was stored)."
        return None
    if not mime.startswith("video/"):
        return f"This file is named as a clip but holds {mime} content (a video file expected; nothing was stored)."
    return None


@episode_view(("GET", "POST"))
def videos(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = VideoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        row = actions.do_upload_video(request.user, episode, form.cleaned_data)
        return redirect("video", episode_id=episode.pk, video_id=row.pk)
    ctx = {"episode": episode, "tab": "video", "form": form, "videos": episode.videoanalysiss.all()}
    return render(request, "web/videos.html", ctx, status=400 if form.errors else 200)


#: The same side colours as the key frames and PNG plots (kinetrace.video.outputs.SIDE_HEX).
SIDE_COLOURS = {"left": "#148ce6", "right": "#f07814"}
PLOT_W, PLOT_H, PAD = 640, 150, 30


def angle_plots(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """SVG polylines (angle against time, per side) with each side's contacts, from a result's ``series``."""
    result = result or {}
    series = result.get("series") or {}
    times = series.get("time_s") or []
    if len(times) < 2:
        return []
    fps = float(result.get("fps") or 30.0)  # JSON value
    t0, t1 = times[0], times[-1]
    names = sorted({k.rsplit("_", 2)[0] for k in series if k.endswith(("_left_deg", "_right_deg"))})
    return [p for p in (_plot(name, series, times, t0, t1, fps, result) for name in names) if p]


def _plot(name: str, series: dict[str, Any], times: list[float], t0: float, t1: float, fps: float,
          result: dict[str, Any]) -> dict[str, Any] | None:  # fmt: skip
    vals = [v for s in ("left", "right") for v in series.get(f"{name}_{s}_deg", []) if v is not None]
    if not vals or t1 <= t0:
        return None
    lo, hi = min(vals), max(vals)
    span = (hi - lo) or 1.0

    def x(t: float) -> float:
        return round(PAD + (PLOT_W - 2 * PAD) * float(t - t0) / float(t1 - t0), 1)

    def y(v: float) -> float:
        return round(PLOT_H - PAD / 2 - (PLOT_H - PAD) * float(v - lo) / float(span), 1)

    lines = []
    for side in ("left", "right"):
        pts = " ".join(f"{x(t)},{y(v)}" for t, v in zip(times, series.get(f"{name}_{side}_deg", []), strict=False)
                       if v is not None)  # fmt: skip
        contacts = [x(f / fps) for f in result.get("initial_contacts", {}).get(side, [])]
        lines.append({"side": side, "colour": SIDE_COLOURS[side], "points": pts, "contacts": contacts})
    return {"title": name.replace("_", " ") + " (deg)", "lines": lines, "lo": round(lo), "hi": round(hi),
            "t1": round(t1, 1), "w": PLOT_W, "h": PLOT_H, "y_lo": y(lo), "y_hi": y(hi)}  # fmt: skip


def rula_summary(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """A posture result's RULA worst frame, time-weighted score and assumptions for the page.

    The action level's wording is read from the published table (``kinetrace.video.rula``, the
    same words as the CLI and the PDF); ``None`` for gait results and posture results without a
    score (the result's warnings say why)."""
    if not result or result.get("kind") != "posture" or not result.get("rula_worst"):
        return None
    worst = result["rula_worst"]
    try:
        from kinetrace.video.rula import action_level
    except ModuleNotFoundError:  # pragma: no cover - a result imported on an install without the video extra
        text = None
    else:
        text = action_level(int(worst["grand"]))[1]
    return {
        "grand": worst["grand"],
        "level": worst["action_level"],
        "text": text,
        "side": worst["side"],
        "frame": result.get("rula_worst_frame"),
        "time_weighted": result.get("rula_time_weighted"),
        "assumptions": result.get("rula_assumptions") or [],
        "view": result.get("view_estimate"),
    }


def _is_image(name: str) -> bool:
    return name == "contact_sheet" or name.startswith("key_frame_")


def result_images(row: m.VideoAnalysis) -> list[dict[str, str]]:
    """The analysis's images for the page: the contact sheet (every contact's key frame with its angle
    arcs and legend), or the key frames when there is no sheet (a photo's annotated frame)."""
    outputs: dict[str, str] = (row.result or {}).get("outputs") or {}
    names = ["contact_sheet"] if "contact_sheet" in outputs else sorted(k for k in outputs if _is_image(k))
    titles = {"contact_sheet": "Key frames at every contact (angle arcs; left blue, right orange)"}
    return [
        {
            "title": titles.get(n, "Annotated frame " + n.removeprefix("key_frame_")),
            "url": reverse("video_image", args=[row.episode_id, row.pk, n]),
        }
        for n in names
    ]


@episode_view()
def video_image(request: HttpRequest, episode: m.Episode, video_id: int, name: str) -> HttpResponse:
    """One image the analysis wrote (clinic-scoped like the page: the media folder is never served)."""
    row = get_object_or_404(m.VideoAnalysis, episode=episode, pk=video_id)
    path = ((row.result or {}).get("outputs") or {}).get(name) if _is_image(name) else None
    if not path:
        raise Http404("no such image")
    file = Path(path).resolve()
    if not file.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) or not file.is_file():
        raise Http404("no such image")
    return HttpResponse(file.read_bytes(), content_type="image/png")  # a few hundred kB, written by the analysis


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
        "plots": angle_plots(row.result),
        "rula": rula_summary(row.result),
        "images": result_images(row),
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
