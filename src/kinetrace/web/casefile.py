"""The one bridge between the database and the core's ``kinetrace/case@1`` :class:`~kinetrace.Case`.

* :func:`episode_to_dict` / :func:`episode_to_case` - an episode as a case (validated by
  :func:`kinetrace.load_case`; every computation then calls :func:`kinetrace.analyse` on it).
* :func:`import_case` - a validated case written as a new episode, all or nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

import kinetrace
from kinetrace.case.model import CASE_FORMAT, Case
from kinetrace.web import models as m


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def marker_dict(mk: m.Marker) -> dict[str, Any]:
    d: dict[str, Any] = {"id": mk.key}
    for field in ("test", "name", "unit", "ucum", "better", "mdc_source"):
        if getattr(mk, field):
            d[field] = getattr(mk, field)
    if mk.mdc is not None:
        d["mdc"] = mk.mdc
    d.update(region=mk.region, side=mk.side, baseline=_num(mk.baseline), primary=mk.primary)
    if mk.target is not None:
        d["target"] = _num(mk.target)
    return d


def episode_to_dict(episode: m.Episode, *, draft_trial: dict[str, Any] | None = None) -> dict[str, Any]:
    """The episode as a ``kinetrace/case@1`` mapping (not yet validated).

    ``draft_trial`` (``candidate``, ``intervention``, ``post`` keyed by marker id) is appended
    to the last session: the workbench previews a trial's scoring before it is saved.
    """
    patient = episode.patient
    markers = list(episode.markers.all())
    key_of = {mk.pk: mk.key for mk in markers}
    sessions = []
    for s in episode.sessions.all():
        trials = []
        for t in s.trials.all():
            trial: dict[str, Any] = {
                "id": t.key,
                "candidate": t.candidate,
                "intervention": t.intervention,
                "post": {key_of[v.marker_id]: _num(v.value) for v in t.values.all()},
            }
            if t.pre:
                trial["pre"] = t.pre
            if t.note:
                trial["note"] = t.note
            trials.append(trial)
        sessions.append(
            {
                "id": s.key,
                "date": s.date.isoformat(),
                "measurements": {key_of[v.marker_id]: _num(v.value) for v in s.measurements.all()},
                "trials": trials,
                "note": s.note,
            }
        )
    if draft_trial is not None and not sessions:  # recording it will open the first session
        sessions.append({"id": "s1", "date": dt.date.today().isoformat(), "measurements": {}, "trials": []})
    if draft_trial is not None:
        taken = {t["id"] for s in sessions for t in s["trials"]}
        n = len(taken) + 1
        while f"t{n}" in taken:
            n += 1
        sessions[-1]["trials"].append({"id": f"t{n}", **draft_trial})
    patient_d: dict[str, Any] = {
        "id": patient.ref,
        "occupation": patient.occupation,
        "activities": lines(patient.sports),
        "goals": [{"text": g.text, "status": g.status, "note": g.note} for g in episode.goals.all()],
    }
    if patient.age is not None:
        patient_d["age"] = patient.age
    if patient.sex:
        patient_d["sex"] = patient.sex
    complaint: dict[str, Any] = {
        "areas": [{"region": a.region, "side": a.side, "kind": a.kind} for a in episode.complaintareas.all()],
        "aggravating": lines(episode.aggravating),
        "easing": lines(episode.easing),
        "description": episode.description,
    }
    if episode.duration_weeks is not None:
        complaint["duration_weeks"] = episode.duration_weeks
    return {
        "format": CASE_FORMAT,
        "title": episode.title,
        "synthetic": patient.synthetic,
        "patient": patient_d,
        "complaint": complaint,
        "screening": {
            "red_flags": lines(episode.red_flags),
            "yellow_flags": lines(episode.yellow_flags),
            "red_flags_cleared": episode.red_flags_cleared,
        },
        "findings": [
            {
                "id": f.key,
                "kind": f.kind,
                "region": f.region,
                "side": f.side,
                **({"structure": f.structure} if f.structure else {}),
                "severity": f.severity,
                "text": f.text,
                "history": f.history or [],
            }
            for f in episode.findings.all()
        ],
        "markers": [marker_dict(mk) for mk in markers],
        "sessions": sessions,
        "plan": [
            {"kind": p.kind, "text": p.text, "targets": p.targets or [], "source": p.source}
            for p in episode.planitems.all()
        ],
    }


def episode_to_case(episode: m.Episode, *, draft_trial: dict[str, Any] | None = None) -> Case:
    """The episode as a validated core case; raises :class:`kinetrace.CaseError` listing every problem."""
    return kinetrace.load_case(episode_to_dict(episode, draft_trial=draft_trial))


def import_case(case: Case, clinic: m.Clinic, *, ref: str | None = None) -> m.Episode:
    """Write a validated case as a new episode (and patient, unless the ref exists) in one transaction."""
    with transaction.atomic():
        p = case.patient
        patient, _ = m.Patient.objects.get_or_create(
            clinic=clinic,
            ref=ref or p.id,
            defaults={
                "age": p.age,
                "sex": p.sex or "",
                "occupation": p.occupation,
                "sports": "\n".join(p.activities),
                "synthetic": case.synthetic,
            },
        )
        c = case.complaint
        episode = m.Episode.objects.create(
            patient=patient,
            title=case.title,
            description=c.description,
            duration_weeks=c.duration_weeks,
            aggravating="\n".join(c.aggravating),
            easing="\n".join(c.easing),
            red_flags="\n".join(case.screening.red_flags),
            yellow_flags="\n".join(case.screening.yellow_flags),
            red_flags_cleared=case.screening.red_flags_cleared,
        )
        m.ComplaintArea.objects.bulk_create(
            m.ComplaintArea(episode=episode, region=a.region, side=a.side, kind=a.kind) for a in c.areas
        )
        m.Goal.objects.bulk_create(m.Goal(episode=episode, text=g.text, status=g.status, note=g.note) for g in p.goals)
        m.Finding.objects.bulk_create(
            m.Finding(
                episode=episode,
                key=f.id,
                kind=f.kind,
                region=f.region,
                side=f.side,
                structure=f.structure or "",
                severity=f.severity,
                text=f.text,
                history=[h.model_dump(mode="json") for h in f.history],
            )
            for f in case.findings
        )
        markers = {}
        for mk in case.markers:
            markers[mk.id] = m.Marker.objects.create(
                episode=episode,
                key=mk.id,
                test=mk.test or "",
                name=mk.name or "",
                unit=mk.unit or "",
                ucum=mk.ucum or "",
                better=mk.better or "",
                mdc=mk.mdc,
                mdc_source=mk.mdc_source or "",
                region=mk.region,
                side=mk.side,
                baseline=mk.baseline,
                target=mk.target,
                primary=mk.primary,
            )
        for s in case.sessions:
            session = m.Session.objects.create(episode=episode, key=s.id, date=s.date, note=s.note)
            m.Measurement.objects.bulk_create(
                m.Measurement(session=session, marker=markers[k], value=v) for k, v in s.measurements.items()
            )
            for t in s.trials:
                trial = m.Trial.objects.create(
                    session=session,
                    key=t.id,
                    candidate=t.candidate,
                    intervention=t.intervention,
                    note=t.note,
                    pre=dict(t.pre) if t.pre else None,
                )
                m.TrialValue.objects.bulk_create(
                    m.TrialValue(trial=trial, marker=markers[k], value=v) for k, v in t.post.items()
                )
        m.PlanItem.objects.bulk_create(
            m.PlanItem(episode=episode, kind=pi.kind, text=pi.text, targets=list(pi.targets), source=pi.source)
            for pi in case.plan
        )
    return episode
