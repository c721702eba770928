"""The trial workbench: ranking, recommended next trial, re-test entry, scored changes, undo.

Everything shown is computed by :func:`kinetrace.analyse` on the episode's case; the htmx
endpoints return the live panel (``_workbench.html``) so the page never fully reloads.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.access import get_episode_for_user
from kinetrace.web.forms import TrialForm, apply_problems, marker_values
from kinetrace.web.presenters import chart, workbench
from kinetrace.web.views import episode_view, is_htmx


def _form(episode: m.Episode, data: Any = None, initial: dict[str, Any] | None = None) -> TrialForm:
    return TrialForm(
        data,
        episode=episode,
        markers=list(episode.markers.all()),
        findings=list(episode.findings.all()),
        initial=initial,
    )


def _context(request: HttpRequest, episode: m.Episode, form: TrialForm | None = None) -> dict[str, Any]:
    wb = workbench(episode)
    if form is None:
        initial = {"candidate": wb.next["candidate"]} if wb.next and wb.next.get("candidate") else {}
        form = _form(episode, initial=initial)
    markers = list(episode.markers.all())
    current: dict[str, float] = {mk.key: mk.baseline for mk in markers}
    if wb.case is not None:  # the state a new trial starts from, shown as placeholders
        for s in wb.case.sessions:
            current.update(s.measurements)
            for t in s.trials:
                current.update(t.post)
    return {
        "episode": episode,
        "tab": "workbench",
        "wb": wb,
        "form": form,
        "inputs": [(mk, form[f"m_{mk.key}"], current.get(mk.key)) for mk in markers],
        "interventions": m.Intervention.objects.all(),
        "chart": chart(episode, driver=wb.driver["candidate"] if wb.driver else None, path=wb.path or None),
    }


@episode_view(full=True)
def workbench_page(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    actions.do_record_view(request.user, episode.patient, "workbench", episode)
    return render(request, "web/workbench.html", _context(request, episode))


def _live(request: HttpRequest, episode: m.Episode, form: TrialForm | None = None, status: int = 200) -> HttpResponse:
    fresh = get_episode_for_user(request.user, episode.pk, full=True)
    if form is not None:
        form.markers = list(fresh.markers.all())
    template = "web/_workbench.html" if is_htmx(request) else "web/workbench.html"
    return render(request, template, _context(request, fresh, form), status=status)


@episode_view(("POST",), full=True)
def trial_record(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = _form(episode, request.POST)
    if form.is_valid():
        values = {mk.pk: v for mk, v in marker_values(form, form.markers).items()}
        try:
            actions.do_record_trial(
                request.user, episode, form.cleaned_data["candidate"], form.cleaned_data["intervention"], values
            )
        except actions.ActionError as exc:
            apply_problems(form, exc.problems, {mk.key: f"m_{mk.key}" for mk in form.markers})
        else:
            if not is_htmx(request):
                return redirect("workbench", episode_id=episode.pk)
            return _live(request, episode)
    return _live(request, episode, form, status=422 if is_htmx(request) else 400)


@episode_view(("POST",), full=True)
def trial_preview(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    """Score the trial being entered, without saving it (live colouring by the MDC)."""
    form = _form(episode, request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    post = {mk.key: v for mk in form.markers if (v := data.get(f"m_{mk.key}")) is not None}
    ctx: dict[str, Any] = {"episode": episode, "preview": None, "problems": []}
    if post and data.get("candidate") and not episode.trials_blocked:
        draft = {"candidate": data["candidate"], "intervention": data.get("intervention", ""), "post": post}
        wb = workbench(episode, draft_trial=draft)
        ctx["problems"] = wb.problems
        if wb.trials:
            ctx["preview"] = wb.trials[-1]
            ctx["ranking"] = wb.ranking
    return render(request, "web/_preview.html", ctx)


@episode_view(("POST",), full=True)
def trial_undo(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    actions.do_undo_last_trial(request.user, episode)
    if not is_htmx(request):
        return redirect("workbench", episode_id=episode.pk)
    return _live(request, episode)
