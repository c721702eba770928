"""Import and export of an episode as a ``kinetrace/case@1`` file, and the clinic's audit log."""

from __future__ import annotations

import json

import yaml
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

import kinetrace
from kinetrace.case.bounded import DEFAULT_LIMITS
from kinetrace.case.bounded import parse_case_bytes as parse_bounded
from kinetrace.errors import CaseError
from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.access import clinic_of
from kinetrace.web.casefile import episode_to_case
from kinetrace.web.forms import ImportForm
from kinetrace.web.views import clinic_view, episode_view

MAX_IMPORT_BYTES = DEFAULT_LIMITS.max_bytes


@episode_view(full=True)
def export(request: HttpRequest, episode: m.Episode, fmt: str) -> HttpResponse:
    try:
        case = episode_to_case(episode)
    except CaseError as exc:
        return render(request, "web/problems.html", {"episode": episode, "problems": exc.problems}, status=409)
    actions.record_read(request.user, episode.patient, "export_case", fmt, episode)
    data = case.to_dict()
    if fmt == "json":
        body, ctype = json.dumps(data, indent=2, ensure_ascii=False), "application/json"
    else:
        body, ctype = yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "application/yaml"
    resp = HttpResponse(body, content_type=f"{ctype}; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{episode.patient.ref}-episode{episode.pk}.case.{fmt}"'
    return resp


def parse_case_bytes(raw: bytes, name: str = "") -> kinetrace.Case:
    """Parse (bounded: :mod:`kinetrace.case.bounded`) and validate an uploaded case file.

    The format is told from the content, not ``name``; raises CaseError (nothing is written).
    """
    return kinetrace.load_case(parse_bounded(raw))


def _read_upload(upload: object) -> bytes:
    """The upload's bytes, read in chunks and never more than the limit (plus one byte to tell)."""
    chunks: list[bytes] = []
    total = 0
    for chunk in upload.chunks():  # type: ignore[attr-defined]
        total += len(chunk)
        if total > MAX_IMPORT_BYTES:
            raise CaseError([f"file: larger than {MAX_IMPORT_BYTES // 1024} KiB (the limit for a case file)"])
        chunks.append(chunk)
    return b"".join(chunks)


@clinic_view(("GET", "POST"))
def import_case(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        ref = form.cleaned_data["ref"] or None
        try:
            case = parse_case_bytes(_read_upload(upload), upload.name)
            episode = actions.do_import_case(request.user, case, ref=ref)
        except CaseError as exc:
            problems = exc.problems
        else:
            return redirect("workbench", episode_id=episode.pk)
    status = 400 if (problems or form.errors) else 200
    return render(request, "web/import.html", {"form": form, "problems": problems}, status=status)


@clinic_view(admin=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = m.AuditEvent.objects.filter(clinic=clinic_of(request.user)).select_related("user", "patient")[:500]
    return render(request, "web/audit.html", {"events": events})


REPORT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@episode_view(full=True)
def report(request: HttpRequest, episode: m.Episode, kind: str, report_fmt: str) -> HttpResponse:
    """The clinician's or the patient's report of the episode (``kinetrace.reports``), HTML or PDF."""
    from kinetrace.reports import render_report  # heavy (WeasyPrint); only loaded when asked for

    try:
        case = episode_to_case(episode)
    except CaseError as exc:
        return render(request, "web/problems.html", {"episode": episode, "problems": exc.problems}, status=409)
    from kinetrace.web.views.paperwork import report_extras

    body = render_report(case, kind=kind, fmt=report_fmt, **report_extras(episode, kind))  # type: ignore[arg-type]
    actions.record_read(request.user, episode.patient, "report", f"{kind} {report_fmt}", episode)
    resp = HttpResponse(body, content_type=REPORT_TYPES[report_fmt])
    if report_fmt == "pdf":
        resp["Content-Disposition"] = f'inline; filename="{episode.patient.ref}-{kind}-report.pdf"'
    return resp
