"""What the templates show, computed from the core's analysis (never re-implementing it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe

import kinetrace
from kinetrace.analysis import Analysis
from kinetrace.bodychart import render_body_chart
from kinetrace.case.model import Case
from kinetrace.errors import CaseError
from kinetrace.presentation import (
    candidate_label,
    change_text,
    chart_marks,
    confirmation_text,
    decision_sentence,
    driver_explanation,
    driver_heading,
    examine_text,
    explanation_view,
    marker_label,
    probability_label,
    secondary_text,
    verdict_text,
)
from kinetrace.scoring import TrialScore
from kinetrace.web import models as m
from kinetrace.web.casefile import EpisodeParts, episode_to_case, parts_of
from kinetrace.web.clinic_model import active_clinic_model


def chart(
    episode: m.Episode,
    *,
    clickable: bool = False,
    driver: str | None = None,
    path: list[tuple[str, str]] | None = None,
    parts: EpisodeParts | None = None,
    findings_read: Iterable[m.Finding] | None = None,
) -> SafeString:
    """The episode's body chart (``parts``, if given, instead of the episode's relations;
    ``findings_read``: the episode's findings when the caller has already read them)."""
    if parts is not None:
        areas = [(a["region"], a["side"]) for a in parts.areas]
        findings = [(f["region"], f["side"], f["key"]) for f in parts.findings]
    else:
        areas = [(a.region, a.side) for a in episode.complaintareas.all()]
        read = episode.findings.all() if findings_read is None else findings_read
        findings = [(f.region, f.side, f.key) for f in read]
    marks = chart_marks(areas, findings, driver=driver, path=path or ())
    return mark_safe(render_body_chart(marks=marks, path=path or (), clickable=clickable))


def change_class(mc: Any) -> str:
    if mc.improved:
        return "improved"
    if mc.worsened:
        return "worsened"
    return "noise"


@dataclass
class TrialView:
    score: TrialScore
    label: str
    rows: list[dict[str, Any]]
    global_css: str = "noise"
    global_text: str = ""
    pk: int | None = None


@dataclass
class Workbench:
    """The workbench's state: the case, its analysis and what to draw."""

    case: Case | None
    problems: list[str] = field(default_factory=list)
    analysis: Analysis | None = None
    trials: list[TrialView] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    #: the recommended trial's candidate id (the trial form's default), None when stopping
    next: str | None = None
    #: the decision in words (:func:`kinetrace.presentation.decision_sentence`)
    decision: str = ""
    #: a suggested confirming step in words, or ""
    confirmation: str = ""
    secondary: list[str] = field(default_factory=list)
    examine: list[str] = field(default_factory=list)
    driver: dict[str, Any] | None = None
    explanations: list[dict[str, Any]] = field(default_factory=list)
    path: list[tuple[str, str]] = field(default_factory=list)


def trial_view(score: TrialScore, case: Case) -> TrialView:
    rows = []
    for mc in score.markers:
        mk = case.marker(mc.marker)
        rows.append(
            {
                "marker": mk,
                "label": marker_label(mk),
                # pre-formatted here: the workbench is rendered on every trial, floatformat is slow
                "text": change_text(mk, mc.pre, mc.post, real=mc.real),
                "mdc": f"{mc.change_in_mdc:.1f}",
                "change": mc,
                "css": change_class(mc),
                "verdict": verdict_text(mc.improved, mc.worsened),
            }
        )
    g = score.global_change
    css = "improved" if g >= 0.3 else "worsened" if g < 0 else "noise"
    return TrialView(
        score=score,
        label=candidate_label(case, score.candidate),
        rows=rows,
        global_css=css,
        global_text=f"{g:.2f}",
    )


def workbench(
    episode: m.Episode, *, draft_trial: dict[str, Any] | None = None, parts: EpisodeParts | None = None
) -> Workbench:
    """Analyse the episode with the core; on an incomplete case return the core's problems.

    ``parts`` (default :func:`~kinetrace.web.casefile.parts_of` the episode) saves reading them twice."""
    if parts is None:
        parts = parts_of(episode)
    try:
        case = episode_to_case(episode, draft_trial=draft_trial, parts=parts)
    except CaseError as exc:
        return Workbench(case=None, problems=exc.problems)
    analysis = kinetrace.analyse(case, model=active_clinic_model(episode.patient.clinic))
    trial_pks = [t["pk"] for s in parts.sessions for t in s["trials"]]
    views = [trial_view(s, case) for s in analysis.trials]
    for v, pk in zip(views, trial_pks, strict=False):
        v.pk = pk
    ranking = [
        {
            "candidate": r.candidate,
            "label": candidate_label(case, r.candidate),
            "pct": f"{100 * r.probability:.0f}",
            "pct_label": probability_label(r.probability),
            "tested": r.tested,
        }
        for r in analysis.ranking
    ]
    rec = analysis.recommendation
    wb = Workbench(
        case=case,
        analysis=analysis,
        trials=views,
        ranking=ranking,
        next=rec.next_candidate,
        decision=decision_sentence(analysis),
        confirmation=confirmation_text(case, rec.confirmation) if rec.confirmation else "",
        secondary=[secondary_text(case, x) for x in rec.secondary],
        examine=[examine_text(x) for x in rec.examine],
        explanations=[explanation_view(case, e) for e in analysis.explanations],
    )
    if analysis.driver is not None:
        wb.driver = {
            "candidate": analysis.driver.candidate,
            "label": candidate_label(case, analysis.driver.candidate),
            "heading": driver_heading(analysis),
            "pct_label": probability_label(analysis.driver.probability),
        }
        shown = driver_explanation(analysis)
        wb.path = [(p.region, p.side) for p in shown.path] if shown is not None else []
    return wb
