"""The trial workbench: ranking, recommended next trial, re-test entry, scored changes, undo.

Everything shown is computed by :func:`kinetrace.analyse` on the episode's case; the htmx
endpoints return the live panel (``_workbench.html``) so the page never fully reloads.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from kinetrace import load_case
from kinetrace.errors import CaseError
from kinetrace.scoring import score_trials
from kinetrace.timeline import timeline
from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.access import get_episode_for_user
from kinetrace.web.casefile import episode_to_dict, parts_of, with_draft_trial
from kinetrace.web.forms import TrialForm, apply_problems, trial_form_choices
from kinetrace.web.presenters import chart, trial_view, workbench
from kinetrace.web.revision_cache import per_revision
from kinetrace.web.views import episode_view, is_htmx


def _state(episode: m.Episode) -> dict[str, Any]:
    """What the workbench computes from the episode: the core's analysis rendered as HTML
    fragments (chart and explanation, ranking, scored trials) plus the trial form's data.

    The episode's parts are read once (:func:`~kinetrace.web.casefile.parts_of`: ``values()``
    queries unless the episode comes prefetched) and shared by the case, the chart and the form."""
    parts = parts_of(episode)
    wb = workbench(episode, parts=parts)
    current: dict[str, float] = {mk["key"]: mk["baseline"] for mk in parts.markers}
    if wb.case is not None:  # the state a new trial starts from, shown beside the inputs
        current.update(timeline(wb.case).latest)
    ctx = {
        "episode": episode,
        "wb": wb,
        "chart": chart(
            episode, driver=wb.driver["candidate"] if wb.driver else None, path=wb.path or None, parts=parts
        ),
    }
    return {
        **trial_form_choices(episode, parts),
        "units": {mk["key"]: mk["unit"] for mk in parts.markers},
        "current": current,
        "next": wb.next,
        "problems": wb.problems,
        "has_trials": bool(wb.trials),
        "left_html": render_to_string("web/_wb_left.html", ctx),
        "ranking_html": render_to_string("web/_wb_ranking.html", ctx),
        "trials_html": render_to_string("web/_wb_trials.html", ctx),
    }


def cached_state(request: HttpRequest, episode: m.Episode) -> dict[str, Any]:
    # the episode is already in the user's clinic (episode_view / _live)
    return per_revision("workbench", episode, lambda: _state(episode))


def _context(request: HttpRequest, episode: m.Episode, form: TrialForm | None = None) -> dict[str, Any]:
    state = cached_state(request, episode)
    if form is None:
        initial = {"candidate": state["next"]} if state["next"] else {}
        form = TrialForm(initial=initial, candidates=state["candidates"], markers=state["markers"])
    return {
        "episode": episode,
        "tab": "workbench",
        "state": state,
        "form": form,
        "inputs": [
            (key, label, state["units"].get(key, ""), form[f"m_{key}"], state["current"].get(key))
            for key, label in state["markers"]
        ],
        # the catalogue changes rarely (Django admin): a minute-old list is fine for the datalist
        "interventions": cache.get_or_set(
            "kinetrace:interventions", lambda: list(m.Intervention.objects.values_list("name", flat=True)), 60
        ),
    }


@episode_view()
def workbench_page(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    actions.do_record_view(request.user, episode.patient, "workbench", episode)
    return render(request, "web/workbench.html", _context(request, episode))


def _live(
    request: HttpRequest, episode: m.Episode, form: TrialForm | None = None, status: int = 200, *, cleared: bool = False
) -> HttpResponse:
    """The live panel; ``cleared``: after a recorded trial, the browser drops the form's draft."""
    fresh = get_episode_for_user(request.user, episode.pk)
    template = "web/_workbench.html" if is_htmx(request) else "web/workbench.html"
    return render(request, template, {**_context(request, fresh, form), "cleared": cleared}, status=status)


@episode_view(("POST",), full=True)
def trial_record(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    form = TrialForm(request.POST, **trial_form_choices(episode))
    if form.is_valid():
        pks = {mk.key: mk.pk for mk in episode.markers.all()}
        values = {pks[k]: v for k, v in form.post_values().items()}
        try:
            actions.do_record_trial(
                request.user, episode, form.cleaned_data["candidate"], form.cleaned_data["intervention"], values
            )
        except actions.ActionError as exc:
            apply_problems(form, exc.problems, {k: f"m_{k}" for k in form.marker_keys})
        else:
            if not is_htmx(request):
                return redirect("workbench", episode_id=episode.pk)
            return _live(request, episode, cleared=True)
    return _live(request, episode, form, status=422 if is_htmx(request) else 400)


def _preview_base(episode: m.Episode) -> dict[str, Any]:
    """What every keystroke's preview shares: the trial form's choices and the episode as a case@1
    mapping, cached per process under the episode's revision (every change bumps it) and the day
    (a draft on an episode with no session opens one dated today)."""

    def compute() -> dict[str, Any]:
        parts = parts_of(episode)
        return {"choices": trial_form_choices(episode, parts), "case": episode_to_dict(episode, parts=parts)}

    return per_revision("preview", episode, compute, also=timezone.localdate().isoformat())


@episode_view(("POST",))
def trial_preview(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    """Score the trial being entered, without saving it (live colouring by the MDC).

    Called on every keystroke: the episode is read from the database once per revision
    (:func:`_preview_base`); each call validates the case with the draft and scores the draft only."""
    base = _preview_base(episode)
    form = TrialForm(request.POST, **base["choices"])
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    post = form.post_values()
    ctx: dict[str, Any] = {"episode": episode, "preview": None, "problems": []}
    if post and data.get("candidate") and not episode.trials_blocked:
        draft = {"candidate": data["candidate"], "intervention": data.get("intervention", ""), "post": post}
        # only the draft trial is scored (the fragment shows its changes against the MDC): the engine
        # is not run on every keystroke (p95 of this fragment, docs/web.md)
        try:
            case = load_case(with_draft_trial(base["case"], draft))
        except CaseError as exc:
            ctx["problems"] = exc.problems
        else:
            ctx["preview"] = trial_view(score_trials(case)[-1], case)
    return render(request, "web/_preview.html", ctx)


@episode_view(("POST",), full=True)
def trial_undo(request: HttpRequest, episode: m.Episode) -> HttpResponse:
    actions.do_undo_last_trial(request.user, episode)
    if not is_htmx(request):
        return redirect("workbench", episode_id=episode.pk)
    return _live(request, episode)
