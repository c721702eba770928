"""PROMs in the clinic: entry per session, a chart across sessions with the MCID band, and patient mode.

Scoring, ranges and MCIDs come from the core (:mod:`kinetrace.proms`); writes go through
``actions.do_save_prom``. **Patient mode**: the clinician hands the tablet over; the session
remembers ``patient_mode`` and :class:`PatientModeMiddleware` sends every other page back to the
patient's form, so the clinician's record stays locked behind it until the clinician's password is
entered again (failed attempts count towards the login lockout, django-axes).

The chart is drawn here (a small SVG: one score per session, the band within one MCID of the first
score shaded, the MDC named): helper C's :func:`kinetrace.web.outcomes.session_chart_svg` charts a
start and an end per session against a per-session aim, which a once-per-session questionnaire
does not have.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from kinetrace import proms
from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.access import get_episode_for_user
from kinetrace.web.views import episode_view

SESSION_KEY = "patient_mode"
#: the instruments a patient can fill in alone: only those whose item text we may ship
PATIENT_INSTRUMENTS = tuple(i.id for i in proms.instruments().values() if i.licence.items_shipped)


class PromForm(forms.Form):
    """Item responses by number (or the patient's activities for the PSFS), or a total."""

    def __init__(self, inst: proms.Instrument, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inst = inst
        choices = [("", "-")] + [(str(v), str(v)) for v in range(inst.items.min, inst.items.max + 1)]
        for n in range(1, inst.items.count + 1):
            if inst.licence.items_shipped:
                self.fields[f"label_{n}"] = forms.CharField(label=f"Activity {n}", required=False, max_length=300)
            self.fields[f"item_{n}"] = forms.TypedChoiceField(
                label=f"Item {n}" if not inst.licence.items_shipped else f"Score {n}",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
            )
        if not inst.licence.items_shipped:
            low, high = inst.range
            self.fields["total"] = forms.FloatField(
                label=f"or the total from your licensed form ({low:g}-{high:g} {inst.unit})", required=False
            )

    def response(self) -> tuple[list[float | None], list[str], float | None]:
        """(items, labels, total) from cleaned data; trailing unanswered PSFS rows are dropped."""
        data = self.cleaned_data
        items: list[float | None] = [data.get(f"item_{n}") for n in range(1, self.inst.items.count + 1)]
        labels = [(data.get(f"label_{n}") or "").strip() for n in range(1, self.inst.items.count + 1)]
        if self.inst.scoring.method == "mean":
            keep = [i for i, (v, lab) in enumerate(zip(items, labels, strict=True)) if v is not None or lab]
            items, labels = [items[i] for i in keep], [labels[i] for i in keep]
        if all(v is None for v in items):
            items = []
        return items, labels, data.get("total")


def _instrument(instrument_id: str) -> proms.Instrument:
    from django.http import Http404

    try:
        return proms.instrument(instrument_id)
    except proms.PromError:
        raise Http404("unknown PROM") from None


def chart_svg(inst: proms.Instrument, points: Sequence[tuple[str, float]]) -> SafeString:
    """One score per session; shaded: within one MCID of the first score (change not yet important)."""
    w, h, pad, top = 560, 220, 44, 30
    low, high = inst.range
    span = (high - low) or 1.0
    step = (w - 2 * pad) / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return h - pad - (v - low) / span * (h - pad - top)

    title = f"{inst.name} ({inst.unit}, {inst.better} is better)"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="outcome prom-chart" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="{html.escape(title)} across sessions">',
        f'<text x="{pad}" y="16" font-size="12">{html.escape(title)}</text>',
    ]
    if inst.mcid and points:
        first = points[0][1]
        b_lo, b_hi = max(low, first - inst.mcid), min(high, first + inst.mcid)
        out.append(
            f'<rect class="mcid-band" x="{pad}" y="{y(b_hi):.1f}" width="{w - 2 * pad}" '
            f'height="{y(b_lo) - y(b_hi):.1f}" fill="#fde8c8"><title>within the MCID ({inst.mcid:g}) of the '
            f"first score: not yet an important change</title></rect>"
        )
    out.append(f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#999"/>')
    for v in (low, high):
        out.append(f'<text x="{pad - 6}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end">{v:g}</text>')
    coords = [(pad + i * step, y(v)) for i, (_, v) in enumerate(points)]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coords)
        out.append(f'<polyline points="{path}" fill="none" stroke="#235" stroke-width="2"/>')
    for (label, v), (x, yy) in zip(points, coords, strict=True):
        out.append(
            f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="4" fill="#235"><title>{html.escape(label)}: {v:g}</title></circle>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{h - pad + 14}" font-size="10" text-anchor="middle">{html.escape(label)}</text>'
        )
    note = f"shaded: within the MCID ({inst.mcid:g}) of the first score" if inst.mcid else "no MCID published"
    if inst.mdc:
        note += f"; MDC {inst.mdc:g}"
    out.append(f'<text x="{pad}" y="{h - 6}" font-size="10">{html.escape(note)}</text></svg>')
    return mark_safe("".join(out))  # every text part above is escaped


def _series(episode: m.Episode) -> list[dict[str, Any]]:
    rows = m.PromResponse.objects.filter(session__episode=episode).select_related("session")
    out = []
    for inst in proms.instruments().values():
        mine = [r for r in rows if r.instrument == inst.id]
        if not mine:
            continue
        points = [(r.session.key, r.score) for r in mine]
        change = None
        if len(mine) > 1:
            first, last = (
                proms.PromScore(inst.id, mine[0].score, 0, False),
                proms.PromScore(inst.id, mine[-1].score, 0, False),
            )
            change = proms.change(first, last)
        out.append({"inst": inst, "rows": mine, "chart": chart_svg(inst, points), "change": change})
    return out


@episode_view(("GET",))
def prom_list(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    """Every PROM of the episode: chart across sessions, the scores, and where to enter a new one."""
    actions.do_record_view(request.user, episode.patient, "proms", episode)
    ctx = {
        "episode": episode,
        "tab": "proms",
        "series": _series(episode),
        "instruments": list(proms.instruments().values()),
        "sessions": list(episode.sessions.all()),
        "patient_instruments": PATIENT_INSTRUMENTS,
    }
    return render(request, "web/proms.html", ctx)


def _entry(
    request: HttpRequest, episode: m.Episode, session: m.Session, inst: proms.Instrument, *, by: str, template: str
) -> HttpResponse | None:
    """Validate and save a POSTed form; return the re-rendered form on error, None when saved."""
    form = PromForm(inst, request.POST)
    if form.is_valid():
        items, labels, total = form.response()
        try:
            actions.do_save_prom(request.user, episode, session, inst.id, items, labels=labels, total=total, by=by)
        except actions.ActionError as exc:
            for problem in exc.problems:
                form.add_error(None, problem)
        else:
            return None
    ctx = {"episode": episode, "session": session, "inst": inst, "form": form, "tab": "proms"}
    return render(request, template, ctx, status=400)


@episode_view(("GET", "POST"))
def prom_entry(request: HttpRequest, episode: m.Episode, session_id: int, instrument: str) -> HttpResponse:
    """The clinician enters a PROM for a session (items by number, or the total)."""
    session = get_object_or_404(m.Session, episode=episode, pk=session_id)
    inst = _instrument(instrument)
    if request.method == "POST":
        failed = _entry(request, episode, session, inst, by="clinician", template="web/prom_form.html")
        if failed is not None:
            return failed
        messages.success(request, f"{inst.name} saved for {session.key}.")
        return redirect("proms", episode_id=episode.pk)
    ctx = {"episode": episode, "session": session, "inst": inst, "form": PromForm(inst), "tab": "proms"}
    return render(request, "web/prom_form.html", ctx)


@episode_view(("POST",))
def patient_mode_start(request: HttpRequest, episode: m.Episode, session_id: int, instrument: str) -> HttpResponse:
    """Hand the tablet to the patient: lock the clinician's pages behind the patient's form."""
    session = get_object_or_404(m.Session, episode=episode, pk=session_id)
    if instrument not in PATIENT_INSTRUMENTS:
        messages.error(
            request, f"instrument: {instrument!r} cannot be filled in by the patient here (items not licensed)"
        )
        return redirect("proms", episode_id=episode.pk)
    request.session[SESSION_KEY] = {"episode": episode.pk, "session": session.pk, "instrument": instrument}
    actions.do_record_view(request.user, episode.patient, f"patient mode on ({instrument})", episode)
    return redirect("prom_patient")


def _patient_context(request: HttpRequest) -> tuple[m.Episode, m.Session, proms.Instrument] | None:
    state = request.session.get(SESSION_KEY)
    if not state:
        return None
    episode = get_episode_for_user(request.user, state["episode"])
    session = get_object_or_404(m.Session, episode=episode, pk=state["session"])
    return episode, session, _instrument(state["instrument"])


@login_required
@require_http_methods(["GET", "POST"])
def prom_patient(request: HttpRequest) -> HttpResponse:
    """The patient's form (patient mode only): big touch targets, no record, no navigation."""
    found = _patient_context(request)
    if found is None:
        return render(request, "web/prom_patient.html", {"inactive": True})
    episode, session, inst = found
    if request.method == "POST":
        failed = _entry(request, episode, session, inst, by="patient", template="web/prom_patient.html")
        if failed is not None:
            return failed
        return render(request, "web/prom_patient.html", {"inst": inst, "done": True})
    return render(request, "web/prom_patient.html", {"inst": inst, "form": PromForm(inst)})


class ExitForm(forms.Form):
    password = forms.CharField(label="Clinician's password", widget=forms.PasswordInput, max_length=200)


@login_required
@require_http_methods(["GET", "POST"])
def patient_mode_exit(request: HttpRequest) -> HttpResponse:
    """Leave patient mode: only with the logged-in clinician's password."""
    found = _patient_context(request)
    if found is None:
        return render(request, "web/prom_patient.html", {"inactive": True})
    episode = found[0]
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=request.user.get_username(), password=form.cleaned_data["password"])
        if user is not None and user.pk == request.user.pk:
            del request.session[SESSION_KEY]
            actions.do_record_view(request.user, episode.patient, "patient mode off", episode)
            return redirect("proms", episode_id=episode.pk)
        form.add_error("password", "password: not the password of the clinician who started patient mode")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/prom_patient_exit.html", {"form": form}, status=status)


class PatientModeMiddleware:
    """While the session is in patient mode, every page but the patient's form and its exit is locked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            allowed = (reverse("prom_patient"), reverse("prom_patient_exit"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("prom_patient")
        return self.get_response(request)
