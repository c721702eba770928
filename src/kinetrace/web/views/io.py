"""Import and export of an episode as a ``kinetrace/case@1`` file, and the clinic's audit log."""

from __future__ import annotations

import csv
import io
import json
import re

import yaml
from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

import kinetrace
from kinetrace.case.bounded import DEFAULT_LIMITS
from kinetrace.case.bounded import parse_case_bytes as parse_bounded
from kinetrace.errors import CaseError
from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.access import clinic_of, patients_for
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
    name = f"{safe_name(episode.patient.ref)}-episode{episode.pk}.case.{fmt}"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def safe_name(text: str) -> str:
    """A file-name part from a patient reference: letters, digits, '-', '_', '.' only (no header injection)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:64] or "patient"


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


REF_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class CaseImportForm(ImportForm):
    attach = forms.BooleanField(
        required=False, label="If the clinic already has this patient reference, add the case as a new episode"
    )

    def clean_ref(self) -> str:
        ref = str(self.cleaned_data.get("ref") or "").strip()
        if ref and not REF_PATTERN.fullmatch(ref):
            raise forms.ValidationError("Use letters, digits, '-', '_' or '.' (a pseudonymous reference).")
        return ref


def existing_patient_problem(user: object, case: kinetrace.Case, ref: str | None) -> list[str]:
    """An import that would attach to an existing patient must say so (no silent merge)."""
    target = ref or case.patient.id
    if patients_for(user).filter(ref=target).exists():
        return [
            f"patient.id: this clinic already has a patient {target!r}; choose to add the case as a new "
            "episode of that patient, or give another patient reference"
        ]
    return []


@clinic_view(("GET", "POST"))
def import_case(request: HttpRequest) -> HttpResponse:
    form = CaseImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        ref = form.cleaned_data["ref"] or None
        try:
            case = parse_case_bytes(_read_upload(upload), upload.name)
            if not form.cleaned_data["attach"] and (clash := existing_patient_problem(request.user, case, ref)):
                raise CaseError(clash)
            episode = actions.do_import_case(request.user, case, ref=ref)
        except CaseError as exc:
            problems = exc.problems
        else:
            return redirect("workbench", episode_id=episode.pk)
    status = 400 if (problems or form.errors) else 200
    return render(request, "web/import.html", {"form": form, "problems": problems}, status=status)


#: Rows per audit page; the CSV export holds every row of the filter, up to AUDIT_CSV_MAX.
AUDIT_PAGE = 100
AUDIT_CSV_MAX = 200_000


class AuditFilter(forms.Form):
    patient = forms.CharField(required=False, max_length=64, label="Patient ref")
    user = forms.CharField(required=False, max_length=150)
    action = forms.CharField(required=False, max_length=40, help_text="e.g. view, record_trial, denied")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))


def _audit_rows(request: HttpRequest, form: AuditFilter) -> QuerySet[m.AuditEvent]:
    rows = m.AuditEvent.objects.filter(clinic=clinic_of(request.user)).select_related("user", "patient")
    if not form.is_valid():
        return rows.none()
    data = form.cleaned_data
    if data["patient"]:
        rows = rows.filter(patient__ref=data["patient"])
    if data["user"]:
        rows = rows.filter(user__username=data["user"])
    if data["action"]:
        rows = rows.filter(action__startswith=data["action"])
    if data["since"]:
        rows = rows.filter(at__date__gte=data["since"])
    if data["until"]:
        rows = rows.filter(at__date__lte=data["until"])
    return rows


def _audit_csv(rows: QuerySet[m.AuditEvent]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "user", "patient_ref", "episode_id", "action", "detail"])
    for e in rows[:AUDIT_CSV_MAX]:
        cells: list[object] = [e.at.isoformat(), e.user.username if e.user else "", e.patient.ref if e.patient else ""]
        cells += [e.episode_id_ref or "", e.action, e.detail]
        writer.writerow(_csv_safe(c) for c in cells)
    resp = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return resp


def _csv_safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (a leading = + - @ is quoted with ')."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@clinic_view(admin=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    """The clinic's audit log: paged, filtered by patient, user, action and date; CSV export."""
    form = AuditFilter(request.GET or None)
    rows = (
        _audit_rows(request, form)
        if request.GET
        else m.AuditEvent.objects.filter(clinic=clinic_of(request.user)).select_related("user", "patient")
    )
    actions.record_read(request.user, None, "view_audit", request.GET.urlencode()[:500])
    if request.GET.get("format") == "csv":
        return _audit_csv(rows)
    page = Paginator(rows, AUDIT_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "events": page,
        "page": page,
        "form": form if request.GET else AuditFilter(),
        "query": query.urlencode(),
        "retention_days": settings.KINETRACE_AUDIT_RETENTION_DAYS,
    }
    return render(request, "web/audit.html", ctx, status=400 if request.GET and form.errors else 200)


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
        resp["Content-Disposition"] = f'inline; filename="{safe_name(episode.patient.ref)}-{kind}-report.pdf"'
    return resp
