"""The whole-body exam: one screen with the body chart beside an entry sheet (htmx, no reload).

Tapping a region fills the sheet (finding or marker); saving swaps only the panel (the scroll
position stays); findings and markers can be edited, deleted (with undo) or archived when trials
or sessions recorded values for them. Without htmx every form still works as a plain POST.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from kinetrace.knowledge import marker_catalogue
from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.forms import FindingForm, MarkerForm, apply_problems
from kinetrace.web.presenters import chart
from kinetrace.web.revision_cache import per_revision
from kinetrace.web.views import episode_view, is_htmx

#: Fields a new entry keeps from the last save (the next entry is often at the same place).
_STICKY = ("region", "side")


def _sticky(request: HttpRequest) -> dict[str, str]:
    return {k: request.POST[k] for k in _STICKY if request.POST.get(k)}


#: What a findings/markers table row shows: a row is rendered again only when one of these changes.
_ROW_FIELDS = {
    "finding": ("key", "text", "structure", "history", "region", "side", "kind", "severity", "archived"),
    "marker": ("key", "test", "name", "region", "side", "baseline", "target", "mdc", "primary", "archived"),
}


def _rows(request: HttpRequest, episode: m.Episode, kind: str, objs: list[Any]) -> list[str]:
    """The rows of the findings or markers table, each rendered once per content and cached.

    A save re-renders only the row it changed (the panel is swapped after every entry; p95 of
    this fragment, docs/web.md). A row's forms carry a CSRF token, so the key holds the user's
    CSRF secret (any token masked from it is valid for that user and no other) besides the
    row's fields; the template is the one a reader edits (``web/_<kind>_row.html``)."""
    get_token(request)  # the secret is set on first use
    salt = f"{episode.pk}:{request.META.get('CSRF_COOKIE', '')}"
    keys = [
        "kinetrace:row:"
        + hashlib.sha256(repr((salt, kind, p.pk, [getattr(p, f) for f in _ROW_FIELDS[kind]])).encode()).hexdigest()
        for p in objs
    ]
    found = cache.get_many(keys)
    fresh = {}
    name = "f" if kind == "finding" else "mk"
    for key, obj in zip(keys, objs, strict=True):
        if key not in found:
            fresh[key] = render_to_string(f"web/_{kind}_row.html", {"episode": episode, name: obj}, request)
    if fresh:
        cache.set_many(fresh, 3600)
    return [mark_safe(found.get(key) or fresh[key]) for key in keys]  # rendered by the template engine


def _read(episode: m.Episode) -> dict[str, Any]:
    """The episode's findings, markers and body chart, read once per revision (every change bumps
    it, :func:`kinetrace.web.actions.audit`) and cached per process like the workbench state."""

    def compute() -> dict[str, Any]:
        findings = list(episode.findings.all())
        return {
            "findings": findings,
            "markers": list(episode.markers.all()),
            "chart": chart(episode, clickable=True, findings_read=findings),
        }

    return per_revision("exam", episode, compute)


def _context(request: HttpRequest, episode: m.Episode, **extra: Any) -> dict[str, Any]:
    read = _read(episode)
    findings, markers = read["findings"], read["markers"]
    ctx: dict[str, Any] = {
        "episode": episode,
        "tab": "exam",
        "finding_form": FindingForm(episode=episode),
        "marker_form": MarkerForm(episode=episode),
        "mode": "finding",
        "findings": findings,
        "markers": markers,
        "finding_rows": _rows(request, episode, "finding", findings),
        "marker_rows": _rows(request, episode, "marker", markers),
        "catalogue": marker_catalogue(),
        "chart": read["chart"],
        "templates": m.ExamTemplate.objects.filter(clinic_id=episode.patient.clinic_id),
    }
    ctx.update(extra)
    return ctx


def render_exam(request: HttpRequest, episode: m.Episode, status: int = 200, **extra: Any) -> HttpResponse:
    """The exam page, or for htmx only its panel (plus the chart, swapped out of band)."""
    template = "web/_exam_panel.html" if is_htmx(request) else "web/exam.html"
    return render(request, template, _context(request, episode, oob=is_htmx(request), **extra), status=status)


def _done(request: HttpRequest, episode: m.Episode, **extra: Any) -> HttpResponse:
    if is_htmx(request):
        return render_exam(request, episode, **extra)
    return redirect("exam", episode_id=episode.pk)


@episode_view()
def exam(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    actions.do_record_view(request.user, episode.patient, "exam", episode)
    return render_exam(request, episode)


@episode_view(("POST",))
def finding_add(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = FindingForm(request.POST, episode=episode)
    if form.is_valid():
        try:
            finding = actions.do_add_finding(request.user, episode, form.cleaned_data)
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            fresh = FindingForm(episode=episode, initial=_sticky(request))
            return _done(request, episode, finding_form=fresh, saved=f"Finding {finding.key} added.", cleared="finding")
    return render_exam(request, episode, status=400, finding_form=form)


@episode_view(("POST",))
def marker_add(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = MarkerForm(request.POST, episode=episode)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["better"] = data.get("better") or ""
        try:
            marker = actions.do_add_marker(request.user, episode, data)
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            fresh = MarkerForm(episode=episode, initial=_sticky(request))
            return _done(
                request,
                episode,
                marker_form=fresh,
                mode="marker",
                saved=f"Marker {marker.key} added.",
                cleared="marker",
            )
    return render_exam(request, episode, status=400, marker_form=form, mode="marker")


@episode_view(("GET", "POST"))
def finding_edit(request: HttpRequest, episode: m.Episode, finding_id: int) -> HttpResponse:
    finding = get_object_or_404(m.Finding, episode=episode, pk=finding_id)
    if request.method == "GET":
        return render_exam(
            request, episode, finding_form=FindingForm(instance=finding, episode=episode), editing=finding
        )
    form = FindingForm(request.POST, instance=finding, episode=episode)
    if form.is_valid():
        try:
            actions.do_update_part(request.user, episode, finding, form.cleaned_data, "finding")
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return _done(request, episode, saved=f"Finding {finding.key} saved.", cleared="finding")
    finding.refresh_from_db()
    return render_exam(request, episode, status=400, finding_form=form, editing=finding)


@episode_view(("GET", "POST"))
def marker_edit(request: HttpRequest, episode: m.Episode, marker_id: int) -> HttpResponse:
    marker = get_object_or_404(m.Marker, episode=episode, pk=marker_id)
    if request.method == "GET":
        form = MarkerForm(instance=marker, episode=episode)
        return render_exam(request, episode, marker_form=form, mode="marker", editing=marker)
    form = MarkerForm(request.POST, instance=marker, episode=episode)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["better"] = data.get("better") or ""
        try:
            actions.do_update_part(request.user, episode, marker, data, "marker")
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return _done(request, episode, mode="marker", saved=f"Marker {marker.key} saved.", cleared="marker")
    marker.refresh_from_db()
    return render_exam(request, episode, status=400, marker_form=form, mode="marker", editing=marker)


def _remove(request: HttpRequest, episode: m.Episode, obj: m.Finding | m.Marker, what: str) -> HttpResponse:
    mode = "marker" if what == "marker" else "finding"
    try:
        record = actions.do_remove(request.user, episode, obj, what)
    except actions.ActionError as exc:
        return render_exam(request, episode, status=400, problems=exc.problems, mode=mode)
    if record is None:
        note = f"{what.capitalize()} {obj.key} has recorded trial or session values: archived, not deleted."
        return _done(request, episode, saved=note, archived=obj, mode=mode)
    return _done(request, episode, saved=f"{what.capitalize()} {record.label} deleted.", undo=record, mode=mode)


@episode_view(("POST",))
def finding_delete(request: HttpRequest, episode: m.Episode, finding_id: int) -> HttpResponse:
    return _remove(request, episode, get_object_or_404(m.Finding, episode=episode, pk=finding_id), "finding")


@episode_view(("POST",))
def marker_delete(request: HttpRequest, episode: m.Episode, marker_id: int) -> HttpResponse:
    return _remove(request, episode, get_object_or_404(m.Marker, episode=episode, pk=marker_id), "marker")


@episode_view(("POST",))
def finding_restore(request: HttpRequest, episode: m.Episode, finding_id: int) -> HttpResponse:
    finding = get_object_or_404(m.Finding, episode=episode, pk=finding_id)
    actions.do_set_archived(request.user, episode, finding, False, "finding")
    return _done(request, episode, saved=f"Finding {finding.key} is back in the exam.")


@episode_view(("POST",))
def marker_restore(request: HttpRequest, episode: m.Episode, marker_id: int) -> HttpResponse:
    marker = get_object_or_404(m.Marker, episode=episode, pk=marker_id)
    actions.do_set_archived(request.user, episode, marker, False, "marker")
    return _done(request, episode, mode="marker", saved=f"Marker {marker.key} is back in the exam.")


@episode_view(("POST",))
def undo_delete(request: HttpRequest, episode: m.Episode, record_id: int) -> HttpResponse:
    """Undo a delete (any kind of part); back to the page the delete was made on."""
    record = get_object_or_404(m.DeletedRecord, episode=episode, pk=record_id)
    problems: list[str] = []
    try:
        actions.do_undo_remove(request.user, episode, record)
    except actions.ActionError as exc:
        problems = exc.problems
    back = request.POST.get("back", "exam")
    if back == "exam":
        if problems:
            return render_exam(request, episode, status=400, problems=problems)
        return _done(request, episode, saved=f"Restored {record.kind.replace('_', ' ')} {record.label}.")
    return redirect(back if back in ("episode", "sessions") else "exam", episode_id=episode.pk)
