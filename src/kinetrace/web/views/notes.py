"""Session notes (SOAP): pre-filled from the structured record, signed then locked; an amendment is a
new, audited version (the old one stays as it was signed)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.forms import apply_problems
from kinetrace.web.presenters import Workbench, workbench
from kinetrace.web.views import episode_view

TEXT_MAX = 20_000


class NoteForm(forms.Form):
    subjective = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    objective = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    assessment = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    plan = forms.CharField(required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label="Reason for the amendment (needed to change a signed note)", required=False, max_length=300
    )


def _lines(items: list[str]) -> str:
    return "\n".join(f"- {i}" for i in items if i)


def prefill(episode: m.Episode, session: m.Session, wb: Workbench) -> dict[str, str]:
    """A SOAP draft from the structured data: complaint, exam, this session's trials and verdicts, driver, plan."""
    areas = [f"{a.kind} {a.place}" for a in episode.complaintareas.all()]
    subjective = [episode.description.strip(), f"Areas: {', '.join(areas)}" if areas else ""]
    if episode.duration_weeks is not None:
        subjective.append(f"Duration: {episode.duration_weeks:g} weeks")
    if episode.aggravating.strip():
        subjective.append("Aggravating: " + ", ".join(episode.aggravating.split("\n")))
    objective = [f"{f.text or f.key} ({f.place})" for f in episode.findings.filter(archived=False)]
    objective += [
        f"{ms.marker.name or ms.marker.key} at the start: {ms.value:g} {ms.marker.unit}".strip()
        for ms in session.measurements.select_related("marker")
    ]
    assessment = []
    keys = set(session.trials.values_list("key", flat=True))
    for t in wb.trials:
        if t.score.id in keys:
            changes = "; ".join(f"{r['text']} ({r['verdict']})" for r in t.rows)
            assessment.append(f"Trial {t.score.id}, {t.label}: {t.score.intervention}. {changes}")
    if wb.driver:
        assessment.append(f"Driver (engine, a hypothesis to confirm): {wb.driver['label']}, {wb.driver['pct_label']}")
    plan = [f"{p.get_kind_display()}: {p.text}" for p in episode.planitems.all()]
    return {
        "subjective": _lines(subjective),
        "objective": _lines(objective),
        "assessment": _lines(assessment),
        "plan": _lines(plan),
    }


def _render(
    request: HttpRequest, episode: m.Episode, session: m.Session, form: NoteForm, status: int = 200
) -> HttpResponse:
    versions = list(session.notes.select_related("author"))
    ctx: dict[str, Any] = {
        "episode": episode,
        "tab": "sessions",
        "session": session,
        "form": form,
        "versions": versions,
        "latest": versions[-1] if versions else None,
    }
    return render(request, "web/session_note.html", ctx, status=status)


@episode_view(("GET", "POST"))
def session_note(request: HttpRequest, episode: m.Episode, session_id: int) -> HttpResponse:
    session = get_object_or_404(m.Session, episode=episode, pk=session_id)
    latest = session.notes.order_by("-version").first()
    if request.method == "GET":
        actions.do_record_view(request.user, episode.patient, f"note {session.key}", episode)
        if latest is not None:
            initial = {k: getattr(latest, k) for k in actions.NOTE_FIELDS}
        else:
            initial = prefill(episode, session, workbench(episode))
        return _render(request, episode, session, NoteForm(initial=initial))
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.do_save_note(request.user, episode, session, form.cleaned_data)
        except actions.ActionError as exc:
            apply_problems(form, exc.problems)
        else:
            return redirect("session_note", episode_id=episode.pk, session_id=session.pk)
    return _render(request, episode, session, form, status=400)


@episode_view(("POST",))
def note_sign(request: HttpRequest, episode: m.Episode, session_id: int) -> HttpResponse:
    session = get_object_or_404(m.Session, episode=episode, pk=session_id)
    latest = session.notes.order_by("-version").first()
    if latest is None:
        form = NoteForm(data=prefill(episode, session, workbench(episode)))
        form.full_clean()  # a bound form: errors can be attached (an unbound one has no cleaned_data)
        form.add_error(None, "Save the note before signing it.")
        return _render(request, episode, session, form, status=400)
    try:
        actions.do_sign_note(request.user, episode, latest)
    except actions.ActionError as exc:
        form = NoteForm(data={k: getattr(latest, k) for k in actions.NOTE_FIELDS})
        form.full_clean()
        apply_problems(form, exc.problems)
        return _render(request, episode, session, form, status=400)
    return redirect("session_note", episode_id=episode.pk, session_id=session.pk)
