"""Sessions (markers re-measured), the plan from the advice library, goals and the outcome chart."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.forms import GoalForm, PlanItemForm, SessionForm, apply_problems, marker_value_fields, marker_values
from kinetrace.web.outcomes import outcome_view
from kinetrace.web.presenters import workbench
from kinetrace.web.views import episode_view


def _session_form(episode: m.Episode, data: Any = None) -> SessionForm:
    form = SessionForm(data)
    marker_value_fields(form, episode.markers.all())
    return form


def _render(
    request: HttpRequest, episode: m.Episode, status: int = 200, extra: dict[str, Any] | None = None, **forms_: Any
) -> HttpResponse:
    wb = workbench(episode)
    selected = request.GET.get("marker") if request.method == "GET" else None
    ctx = {
        "episode": episode,
        "tab": "sessions",
        "wb": wb,
        "outcome": outcome_view(wb.case, selected) if wb.case else None,
        "sessions": episode.sessions.prefetch_related("measurements", "trials", "notes"),
        "plan": episode.planitems.all(),
        "goals": [(g, GoalForm(instance=g, prefix=f"g{g.pk}")) for g in episode.goals.all()],
        "session_form": forms_.get("session_form") or _session_form(episode),
        "plan_form": forms_.get("plan_form") or PlanItemForm(),
        "goal_form": forms_.get("goal_form") or GoalForm(),
        "editing_plan": forms_.get("editing_plan"),
        "plan_edit_form": forms_.get("plan_edit_form"),
        **(extra or {}),
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


def _plan_data(form: forms.BaseForm) -> dict[str, Any]:
    return {k: form.cleaned_data[k] for k in ("kind", "text", "source")}


@episode_view(("POST",), full=True)
def plan_add(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = PlanItemForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_plan_item(request.user, episode, _plan_data(form))
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return redirect("sessions", episode_id=episode.pk)
    return _render(request, episode, status=400, plan_form=form)


@episode_view(("GET", "POST"), full=True)
def plan_edit(request: HttpRequest, episode: m.Episode, plan_id: int) -> HttpResponse:
    item = get_object_or_404(m.PlanItem, episode=episode, pk=plan_id)
    form = PlanItemForm(request.POST or None, instance=item, prefix="edit")
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_part(request.user, episode, item, _plan_data(form), "plan_item")
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return redirect("sessions", episode_id=episode.pk)
    status = 400 if form.errors else 200
    return _render(request, episode, status=status, editing_plan=item, plan_edit_form=form)


def _removed(request: HttpRequest, episode: m.Episode, obj: Any, what: str) -> HttpResponse:
    try:
        record = actions.do_remove(request.user, episode, obj, what)
    except actions.ActionError as exc:
        return _render(request, episode, status=400, extra={"problems": exc.problems})
    return _render(request, episode, extra={"undo": record, "saved": f"Deleted: {record.label if record else ''}"})


@episode_view(("POST",), full=True)
def plan_delete(request: HttpRequest, episode: m.Episode, plan_id: int) -> HttpResponse:
    return _removed(request, episode, get_object_or_404(m.PlanItem, episode=episode, pk=plan_id), "plan_item")


@episode_view(("POST",), full=True)
def goal_delete(request: HttpRequest, episode: m.Episode, goal_id: int) -> HttpResponse:
    return _removed(request, episode, get_object_or_404(m.Goal, episode=episode, pk=goal_id), "goal")


@episode_view(("POST",), full=True)
def goal_add(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = GoalForm(request.POST)
    back_to_intake = request.POST.get("back") == "intake"
    if form.is_valid():
        try:
            actions.do_save_goal(request.user, episode, form.cleaned_data)
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return redirect("episode" if back_to_intake else "sessions", episode_id=episode.pk)
    if back_to_intake:  # the intake page's own draft is kept in the browser (data-draft); show the error there
        from kinetrace.web.views.patients import render_intake

        return render_intake(request, episode, status=400, goal_form=form)
    return _render(request, episode, status=400, goal_form=form)


@episode_view(("POST",), full=True)
def goal_update(request: HttpRequest, episode: m.Episode, goal_id: int) -> HttpResponse:
    goal = get_object_or_404(m.Goal, episode=episode, pk=goal_id)
    form = GoalForm(request.POST, instance=goal, prefix=f"g{goal.pk}")
    if form.is_valid():
        try:
            actions.do_save_goal(request.user, episode, form.cleaned_data, goal)
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return redirect("sessions", episode_id=episode.pk)
    return _render(request, episode, status=400, extra={"goal_errors": {goal.pk: form}})
