"""Build the data the report templates show, from a case and its analysis (no HTML here)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from kinetrace.analysis import Analysis, supporting_trials
from kinetrace.case.model import Case, Finding
from kinetrace.engine.results import Explanation, MechanismClass
from kinetrace.knowledge import regions
from kinetrace.knowledge.catalogue import mdc_conditions
from kinetrace.presentation import (
    candidate_label,
    capital,
    case_chart_marks,
    decision_lines,
    driver_explanation,
    driver_heading,
    explanation_view,
    path_text,
    place_label,
)
from kinetrace.reports.charts import global_change_chart, outcome_chart
from kinetrace.reports.outcomes import marker_outcomes, outcome_points
from kinetrace.timeline import resolved, timeline

_UPPER = {"head_neck", "upper_limb", "trunk"}
_LOWER = {"pelvis", "lower_limb"}


@cache
def plain() -> dict[str, Any]:
    text = resources.files("kinetrace.reports").joinpath("plain_language.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def finding_plain(f: Finding) -> str:
    kind = plain()["finding_kind"].get(f.kind, f.kind)
    return f"{kind} in your {place_label(f.region, f.side)}" + (f" ({f.structure})" if f.structure else "")


def complaint_plain(case: Case) -> list[str]:
    """``pain and tightness in your left buttock``: complaint kinds grouped by place, in order."""
    grouped: dict[str, list[str]] = {}
    for a in case.complaint.areas:
        grouped.setdefault(place_label(a.region, a.side), []).append(plain()["complaint_kind"].get(a.kind, a.kind))
    return [f"{' and '.join(kinds)} in your {where}" for where, kinds in grouped.items()]


def body_chart(case: Case, driver: str | None, explanation: Explanation | None, title: str) -> str:
    from kinetrace.bodychart import render_body_chart

    path = explanation.path if explanation else ()
    return render_body_chart(
        marks=case_chart_marks(case, driver, path), path=[(p.region, p.side) for p in path], title=title
    )


def _why(case: Case, driver: Finding | None, explanation: Explanation | None) -> list[str]:
    if driver is None:
        return []
    words = plain()["why"]
    paras = []
    if explanation and explanation.path:
        # Plain words for the patient: the path's places, not the engine's technical summary.
        paras.append(words["path"].format(path=path_text(explanation.path)))
    area = place_label(driver.region, driver.side)
    segment = regions()[driver.region].segment
    opposite = [
        a
        for a in case.complaint.areas
        if regions()[a.region].segment in _LOWER and {a.side, driver.side} == {"left", "right"}
    ]
    if segment in _UPPER and opposite:
        text = words["diagonal"].format(driver_side=driver.side, complaint_side=opposite[0].side, driver_area=area)
    else:
        text = words["generic"].format(driver_area=area)
    paras.append(text)
    if explanation is not None and explanation.mechanism is not MechanismClass.LOCAL:
        paras.append(words["alarm"])  # a remote driver: pain as a protective output (framings.yaml)
    paras.append(words["evidence_note"])
    return paras


def _plan_groups(case: Case) -> list[dict[str, Any]]:
    groups = []
    for g in plain()["plan_groups"]:
        items = [p for p in case.plan if p.kind in g["kinds"]]
        if items:
            groups.append({"title": g["title"], "items": items})
    return groups


def build_context(case: Case, analysis: Analysis) -> dict[str, Any]:
    """Everything both report templates use."""
    driver_id = analysis.driver.candidate if analysis.driver else None
    driver = case.finding(driver_id) if driver_id else None
    explanation = driver_explanation(analysis)
    support = supporting_trials(analysis, driver_id) if driver_id else []
    names = {r.candidate: candidate_label(case, r.candidate) for r in analysis.ranking}
    names |= {t.candidate: candidate_label(case, t.candidate) for t in analysis.trials}
    tl = timeline(case)
    outcomes = marker_outcomes(case, tl)
    primary = [o for o in outcomes if o.marker.primary]
    chart_markers = [m.id for m in case.markers if m.primary] + [
        m.id for m in case.markers if not m.primary and m.unit == (primary[0].marker.unit if primary else None)
    ][:1]
    sessions = {s.id: s for s in case.sessions}
    by_segment: dict[str, list[Finding]] = {}
    for f in sorted(case.findings, key=lambda f: list(regions()).index(f.region) if f.region in regions() else 0):
        by_segment.setdefault(regions()[f.region].segment, []).append(f)
    return {
        "case": case,
        "analysis": analysis,
        "report_date": case.sessions[-1].date if case.sessions else None,
        "sessions": sessions,
        "names": names,
        "driver": driver,
        "driver_plain": finding_plain(driver) if driver else None,
        "explanation": explanation_view(case, explanation) if explanation else None,
        "explanations": [explanation_view(case, e) for e in analysis.explanations if e.candidate == driver_id],
        "decision": decision_lines(analysis),
        "driver_heading": driver_heading(analysis),
        "supporting_trials": support,
        "trial_scores": {t.id: t for t in analysis.trials},
        "ranking": list(analysis.ranking[:6]),
        "findings_by_segment": by_segment,
        "region_label": lambda r: capital(place_label(r, "central")),
        "place_label": lambda r, s: capital(place_label(r, s)),
        "mdc_conditions": {m.id: mdc_conditions(m.test, m.mdc) for m in case.markers},
        "complaint_plain": complaint_plain(case),
        "why": _why(case, driver, explanation),
        "plan_groups": _plan_groups(case),
        "expect": plain()["expect"]["resolved" if resolved(tl) else "ongoing"],
        "outcome_points": outcome_points(case, tl),
        "outcomes": outcomes,
        "primary_outcomes": primary,
        "body_chart": body_chart(case, driver_id, explanation, "Complaint, findings and driver"),
        "global_chart": global_change_chart(analysis) if analysis.trials else "",
        "outcome_chart": outcome_chart(case, chart_markers) if chart_markers else "",
    }
