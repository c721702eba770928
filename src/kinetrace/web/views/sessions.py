"""Sessions (markers re-measured), the plan from the advice library, goals and the outcome chart."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.forms import GoalForm, PlanItemForm, SessionForm, apply_problems, marker_value_fields, marker_values
from kinetrace.web.presenters import outcome_series, workbench
from kinetrace.web.views import episode_view


def _session_form(episode: m.Episode, data: object = None) -> SessionForm:
    form = SessionForm(data)
    marker_value_fields(form, episode.markers.all())
    return form


def _render(request: HttpRequest, episode: m.Episode, status: int = 200, **forms_: forms.BaseForm) -> HttpResponse:
    wb = workbench(episode)
    ctx = {
        "episode": episode,
        "tab": "sessions",
        "wb": wb,
        "outcome": outcome_series(wb.case) if wb.case else None,
        "sessions": episode.sessions.prefetch_related("measurements", "trials"),
        "plan": episode.planitems.all(),
        "goals": [(g, GoalForm(instance=g, prefix=f"g{g.pk}")) for g in episode.goals.all()],
        "session_form": forms_.get("session_form") or _session_form(episode),
        "plan_form": forms_.get("plan_form") or PlanItemForm(),
        "goal_form": forms_.get("goal_form") or GoalForm(),
    }
    return render(request, "web/sessions.html", ctx, status=status)


@episode_view(("GET", "POST"), full=True)
def sessions(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    if request.method == "GET":
        actions.do_record_view(request.user, episode.patient, "sessions", episode)
        return _render(request, episode)
    form = _session_form(episode, request.POST)
    if form.is_valid():
        values = {mk.pk: v for mk, v in marker_values(form, episode.markers.all()).items()}
        try:
            actions.do_start_session(
                request.user, episode, form.cleaned_data["date"], values, form.cleaned_data["note"]
            )
        except actions.ActionError as exc:
            apply_problems(form, exc.problems, {mk.key: f"m_{mk.key}" for mk in episode.markers.all()})
        else:
            return redirect("workbench", episode_id=episode.pk)
    return _render(request, episode, status=400, session_form=form)


@episode_view(("POST",), full=True)
def plan_add(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = PlanItemForm(request.POST)
    if form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("kind", "text", "source")}
        try:
            actions.do_add_plan_item(request.user, episode, data)
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return redirect("sessions", episode_id=episode.pk)
    return _render(request, episode, status=400, plan_form=form)


@episode_view(("POST",), full=True)
def plan_delete(request: HttpRequest, episode: m.Episode, plan_id: int) -> HttpResponse:
    item = get_object_or_404(m.PlanItem, episode=episode, pk=plan_id)
    actions.do_delete(request.user, episode, item, "plan_item")
    return redirect("sessions", episode_id=episode.pk)


@episode_view(("POST",), full=True)
def goal_add(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = GoalForm(request.POST)
    if form.is_valid():
        actions.do_save_goal(request.user, episode, form.cleaned_data)
        return redirect("episode" if request.POST.get("back") == "intake" else "sessions", episode_id=episode.pk)
    return _render(request, episode, status=400, goal_form=form)


@episode_view(("POST",), full=True)
def goal_update(request: HttpRequest, episode: m.Episode, goal_id: int) -> HttpResponse:
    goal = get_object_or_404(m.Goal, episode=episode, pk=goal_id)
    form = GoalForm(request.POST, instance=goal, prefix=f"g{goal.pk}")
    if form.is_valid():
        actions.do_save_goal(request.user, episode, form.cleaned_data, goal)
        return redirect("sessions", episode_id=episode.pk)
    return _render(request, episode, status=400)
