"""Paperwork in the app: FHIR bundle and CSV downloads (``kinetrace.export``) beside the PDF/YAML ones,
and the patient summary's free-text parts, edited before download."""

from __future__ import annotations

import json

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

import kinetrace
from kinetrace.errors import CaseError
from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.casefile import episode_to_case
from kinetrace.web.views import episode_view

#: The patient summary's free-text parts a clinician may write or replace (empty: the generated text).
SUMMARY_PARTS = {
    "found": "What we found (replaces the generated paragraph)",
    "expect": "What to expect next (replaces the generated paragraph)",
    "note": "A personal note from your physiotherapist (added at the end)",
}


class SummaryForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for key, label in SUMMARY_PARTS.items():
            self.fields[key] = forms.CharField(
                label=label, required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
            )


def _problems(request: HttpRequest, episode: m.Episode, exc: CaseError) -> HttpResponse:
    return render(request, "web/problems.html", {"episode": episode, "problems": exc.problems}, status=409)


@episode_view(full=True)
def download(request: HttpRequest, episode: m.Episode, fmt: str) -> HttpResponse:
    """The episode as a FHIR R4B bundle (JSON) or tidy CSV rows, from :mod:`kinetrace.export`."""
    from kinetrace.export import to_csv_bytes, to_fhir_bundle

    try:
        case = episode_to_case(episode)
    except CaseError as exc:
        return _problems(request, episode, exc)
    if fmt == "csv":
        body, ctype, suffix = to_csv_bytes(case), "text/csv; charset=utf-8", "csv"
    else:
        bundle = to_fhir_bundle(case, kinetrace.analyse(case))
        body = json.dumps(bundle, indent=2, ensure_ascii=False).encode("utf-8")
        ctype, suffix = "application/fhir+json; charset=utf-8", "fhir.json"
    actions.do_record_view(request.user, episode.patient, f"export {fmt}", episode)
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{episode.patient.ref}-episode{episode.pk}.{suffix}"'
    return resp


@episode_view(("GET", "POST"), full=True)
def summary_edit(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    """Edit the patient summary's free text, then download it (PDF or HTML) with the edits."""
    form = SummaryForm(request.POST or None, initial=episode.summary_texts or {})
    if request.method == "POST" and form.is_valid():
        actions.do_save_summary_texts(request.user, episode, form.cleaned_data)
        fmt = request.POST.get("download")
        if fmt in ("pdf", "html"):
            return summary_file(request, episode, fmt)
        return redirect("summary_edit", episode_id=episode.pk)
    if request.method == "GET":
        actions.do_record_view(request.user, episode.patient, "patient summary", episode)
    ctx = {"episode": episode, "tab": "sessions", "form": form}
    return render(request, "web/summary_edit.html", ctx, status=400 if form.errors else 200)


def summary_file(request: HttpRequest, episode: m.Episode, fmt: str) -> HttpResponse:
    from kinetrace.reports import render_report  # heavy (WeasyPrint); only loaded when asked for

    try:
        case = episode_to_case(episode)
    except CaseError as exc:
        return _problems(request, episode, exc)
    body = render_report(case, kind="patient", fmt=fmt, **report_extras(episode, "patient"))  # type: ignore[arg-type]
    resp = HttpResponse(body, content_type="application/pdf" if fmt == "pdf" else "text/html; charset=utf-8")
    if fmt == "pdf":
        resp["Content-Disposition"] = f'attachment; filename="{episode.patient.ref}-patient-summary.pdf"'
    return resp


def session_notes(episode: m.Episode) -> list[dict[str, object]]:
    """For the clinician report: each session's latest note version (signed or draft, said so)."""
    out: list[dict[str, object]] = []
    for session in episode.sessions.prefetch_related("notes__author"):
        versions = list(session.notes.all())
        if not versions:
            continue
        n = versions[-1]
        out.append(
            {
                "session": session.key,
                "date": session.date,
                "version": n.version,
                "signed": f"{n.signed_at:%Y-%m-%d %H:%M}" if n.signed_at else "",
                "author": str(n.author or ""),
                "reason": n.reason,
                **{k: getattr(n, k) for k in actions.NOTE_FIELDS},
            }
        )
    return out


def report_extras(episode: m.Episode, kind: str) -> dict[str, object]:
    """What the web adds to ``render_report``: session notes (clinician) or the edited summary texts (patient)."""
    if kind == "clinician":
        return {"notes": session_notes(episode)}
    return {"texts": episode.summary_texts or {}}
