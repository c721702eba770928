"""The whole-body exam: findings and markers entered from the body chart."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kinetrace.knowledge import marker_catalogue
from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.forms import FindingForm, MarkerForm, apply_problems
from kinetrace.web.presenters import chart
from kinetrace.web.views import episode_view


def _render(
    request: HttpRequest, episode: m.Episode, finding_form: FindingForm, marker_form: MarkerForm, status: int = 200
) -> HttpResponse:
    ctx = {
        "episode": episode,
        "tab": "exam",
        "finding_form": finding_form,
        "marker_form": marker_form,
        "findings": episode.findings.all(),
        "markers": episode.markers.all(),
        "catalogue": marker_catalogue(),
        "chart": chart(episode, clickable=True),
    }
    return render(request, "web/exam.html", ctx, status=status)


@episode_view()
def exam(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    actions.do_record_view(request.user, episode.patient, "exam", episode)
    return _render(request, episode, FindingForm(), MarkerForm())


@episode_view(("POST",))
def finding_add(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_finding(request.user, episode, form.cleaned_data)
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return redirect("exam", episode_id=episode.pk)
    return _render(request, episode, form, MarkerForm(), status=400)


@episode_view(("POST",))
def marker_add(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = MarkerForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["better"] = data.get("better") or ""
        try:
            actions.do_add_marker(request.user, episode, data)
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return redirect("exam", episode_id=episode.pk)
    return _render(request, episode, FindingForm(), form, status=400)


@episode_view(("POST",))
def finding_delete(request: HttpRequest, episode: m.Episode, finding_id: int) -> HttpResponse:
    finding = get_object_or_404(m.Finding, episode=episode, pk=finding_id)
    try:
        actions.do_delete(request.user, episode, finding, "finding")
    except actions.ActionError as exc:
        form = FindingForm()
        apply_problems(form, exc.problems)
        return _render(request, episode, form, MarkerForm(), status=400)
    return redirect("exam", episode_id=episode.pk)


@episode_view(("POST",))
def marker_delete(request: HttpRequest, episode: m.Episode, marker_id: int) -> HttpResponse:
    marker = get_object_or_404(m.Marker, episode=episode, pk=marker_id)
    try:
        actions.do_delete(request.user, episode, marker, "marker")
    except actions.ActionError as exc:
        form = MarkerForm()
        apply_problems(form, exc.problems)
        return _render(request, episode, FindingForm(), form, status=400)
    return redirect("exam", episode_id=episode.pk)
