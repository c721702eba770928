"""Patients, episodes and the intake (complaint on the body chart, screening)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.access import clinic_of, patients_for
from kinetrace.web.forms import ComplaintAreaForm, EpisodeForm, GoalForm, PatientForm, apply_problems
from kinetrace.web.presenters import chart
from kinetrace.web.views import clinic_view, episode_view, is_htmx, patient_view


@clinic_view()
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = patients_for(request.user).prefetch_related("episodes")
    actions.record_read(request.user, None, "list_patients")
    return render(request, "web/patients.html", {"patients": patients})


@clinic_view(("GET", "POST"))
def patient_new(request: HttpRequest) -> HttpResponse:
    clinic = clinic_of(request.user)
    form = PatientForm(request.POST or None, clinic=clinic)
    if request.method == "POST" and form.is_valid():
        _, episode = actions.do_create_patient(request.user, **form.cleaned_data)
        messages.success(request, "Patient created. Mark the complaint on the body chart.")
        return redirect("episode", episode_id=episode.pk)
    return render(request, "web/patient_new.html", {"form": form}, status=400 if form.errors else 200)


@patient_view(("GET", "POST"))
def patient_detail(request: HttpRequest, patient: m.Patient) -> HttpResponse:
    if request.method == "POST":  # a new episode of care
        title = "".join(ch for ch in request.POST.get("title", "")[:300] if ch.isprintable()).strip()  # no NUL/control
        episode = actions.do_create_episode(request.user, patient, title or "New episode")
        return redirect("episode", episode_id=episode.pk)
    actions.do_record_view(request.user, patient, "patient")
    return render(request, "web/patient.html", {"patient": patient, "episodes": patient.episodes.all()})


def render_intake(
    request: HttpRequest, episode: m.Episode, *, form: EpisodeForm | None = None, status: int = 200, **extra: Any
) -> HttpResponse:
    form = form or EpisodeForm(instance=episode)
    ctx = {
        "episode": episode,
        "form": form,
        "intake_fields": [form[f] for f in ("title", "description", "duration_weeks", "aggravating", "easing")],
        "screening": [
            (group, title, [(flag, form[name]) for g, flag, name in form.flag_rows if g == group])
            for group, title in (("red", "Red flags"), ("yellow", "Yellow flags"))
        ],
        "area_form": ComplaintAreaForm(),
        "tab": "intake",
        "goal_form": GoalForm(),
        "chart": chart(episode, clickable=True),
        **extra,
    }
    return render(request, "web/intake.html", ctx, status=status)


@episode_view(("GET", "POST"))
def episode_intake(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = EpisodeForm(request.POST or None, instance=episode)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_update_episode(request.user, episode, form.changes())
            except actions.ActionError as exc:
                apply_problems(form, exc.problems)
            else:
                messages.success(request, "Intake saved.")
                return redirect("episode", episode_id=episode.pk)
        episode.refresh_from_db()
        return render_intake(request, episode, form=form, status=400)
    actions.do_record_view(request.user, episode.patient, "intake", episode)
    return render_intake(request, episode, form=form)


@episode_view(("POST",))
def complaint_toggle(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    """Click on the body chart: mark (or unmark) a complaint area; returns the chart panel for htmx."""
    form = ComplaintAreaForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            actions.do_toggle_complaint_area(request.user, episode, **form.cleaned_data)
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
            status = 400
    else:
        status = 400
    ctx = {"episode": episode, "area_form": form, "chart": chart(episode, clickable=True)}
    if is_htmx(request):
        return render(request, "web/_complaint_panel.html", ctx, status=status)
    return redirect("episode", episode_id=episode.pk)
