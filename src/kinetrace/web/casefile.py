"""The one bridge between the database and the core's ``kinetrace/case@1`` :class:`~kinetrace.Case`.

* :func:`episode_to_dict` / :func:`episode_to_case` - an episode as a case (validated by
  :func:`kinetrace.load_case`; every computation then calls :func:`kinetrace.analyse` on it).
* :func:`import_case` - a validated case written as a new episode, all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

import kinetrace
from kinetrace.case.model import CASE_FORMAT, Case
from kinetrace.web import models as m


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


#: The fields of each part of an episode that the case reads (and the workbench shows).
AREA_FIELDS = ("region", "side", "kind")
FINDING_FIELDS = ("key", "kind", "region", "side", "structure", "severity", "text", "history", "archived")
MARKER_FIELDS = (
    "pk", "key", "test", "name", "unit", "ucum", "better", "mdc", "mdc_source",
    "region", "side", "baseline", "target", "primary", "archived",
)  # fmt: skip
SESSION_FIELDS = ("pk", "key", "date", "note")
PROM_FIELDS = ("instrument", "items", "labels", "entered_total", "by")
TRIAL_FIELDS = ("pk", "key", "candidate", "intervention", "pre", "note")
PLAN_FIELDS = ("kind", "text", "targets", "source")
GOAL_FIELDS = ("text", "status", "note")


@dataclass
class EpisodeParts:
    """An episode's parts as plain dicts (the fields above), in the models' order.

    ``sessions`` carry ``measurements`` (``(marker pk, value)``) and ``trials``, each trial its
    ``values`` (``(marker pk, value)``). Built from a prefetched episode
    (:func:`parts_from_instances`) or read straight from the database (:func:`load_parts`: a
    fixed number of ``values()`` queries, no model instances): both give equal parts.
    """

    areas: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    markers: list[dict[str, Any]]
    sessions: list[dict[str, Any]]
    plan: list[dict[str, Any]]
    goals: list[dict[str, Any]]


def _fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


def parts_from_instances(episode: m.Episode) -> EpisodeParts:
    """The parts of an episode read through its relations (prefetched by ``get_episode_for_user(full=True)``)."""
    sessions = []
    for s in episode.sessions.all():
        trials = [
            {**_fields(t, TRIAL_FIELDS), "values": [(v.marker_id, v.value) for v in t.values.all()]}
            for t in s.trials.all()
        ]
        measurements = [(v.marker_id, v.value) for v in s.measurements.all()]
        proms = [_fields(p, PROM_FIELDS) for p in s.proms.all()]
        sessions.append({**_fields(s, SESSION_FIELDS), "measurements": measurements, "trials": trials, "proms": proms})
    return EpisodeParts(
        areas=[_fields(a, AREA_FIELDS) for a in episode.complaintareas.all()],
        findings=[_fields(f, FINDING_FIELDS) for f in episode.findings.all()],
        markers=[_fields(mk, MARKER_FIELDS) for mk in episode.markers.all()],
        sessions=sessions,
        plan=[_fields(p, PLAN_FIELDS) for p in episode.planitems.all()],
        goals=[_fields(g, GOAL_FIELDS) for g in episode.goals.all()],
    )


def load_parts(episode: m.Episode) -> EpisodeParts:
    """The parts of an episode (already fetched through :mod:`kinetrace.web.access`) from the database.

    The workbench's hot path: ten ``values()`` queries and no model instances, about three
    times cheaper than prefetching the relations.
    """
    pk = episode.pk
    sessions = list(m.Session.objects.filter(episode_id=pk).values(*SESSION_FIELDS))
    by_session = {}
    for s in sessions:
        s["measurements"], s["trials"], s["proms"] = [], [], []
        by_session[s["pk"]] = s
    for sid, marker, value in m.Measurement.objects.filter(session__episode_id=pk).values_list(
        "session_id", "marker_id", "value"
    ):
        by_session[sid]["measurements"].append((marker, value))
    by_trial = {}
    for t in m.Trial.objects.filter(session__episode_id=pk).values("session_id", *TRIAL_FIELDS):
        t["values"] = []
        by_session[t.pop("session_id")]["trials"].append(t)
        by_trial[t["pk"]] = t
    for tid, marker, value in m.TrialValue.objects.filter(trial__session__episode_id=pk).values_list(
        "trial_id", "marker_id", "value"
    ):
        by_trial[tid]["values"].append((marker, value))
    for p in m.PromResponse.objects.filter(session__episode_id=pk).values("session_id", *PROM_FIELDS):
        by_session[p.pop("session_id")]["proms"].append(p)
    return EpisodeParts(
        areas=list(m.ComplaintArea.objects.filter(episode_id=pk).values(*AREA_FIELDS)),
        findings=list(m.Finding.objects.filter(episode_id=pk).values(*FINDING_FIELDS)),
        markers=list(m.Marker.objects.filter(episode_id=pk).values(*MARKER_FIELDS)),
        sessions=sessions,
        plan=list(m.PlanItem.objects.filter(episode_id=pk).values(*PLAN_FIELDS)),
        goals=list(m.Goal.objects.filter(episode_id=pk).values(*GOAL_FIELDS)),
    )


def parts_of(episode: m.Episode) -> EpisodeParts:
    """The episode's parts: from its prefetched relations if it has them, else from the database."""
    if "markers" in getattr(episode, "_prefetched_objects_cache", {}):
        return parts_from_instances(episode)
    return load_parts(episode)


def marker_dict(mk: m.Marker | dict[str, Any]) -> dict[str, Any]:
    if not isinstance(mk, dict):
        mk = _fields(mk, MARKER_FIELDS)
    d: dict[str, Any] = {"id": mk["key"]}
    for field in ("test", "name", "unit", "ucum", "better", "mdc_source"):
        if mk[field]:
            d[field] = mk[field]
    if mk["mdc"] is not None:
        d["mdc"] = mk["mdc"]
    d.update(region=mk["region"], side=mk["side"], baseline=_num(mk["baseline"]), primary=mk["primary"])
    if mk["target"] is not None:
        d["target"] = _num(mk["target"])
    return d


def _trial_dict(t: dict[str, Any], key_of: dict[int, str]) -> dict[str, Any]:
    trial: dict[str, Any] = {
        "id": t["key"],
        "candidate": t["candidate"],
        "intervention": t["intervention"],
        "post": {key_of[marker]: _num(value) for marker, value in t["values"]},
    }
    if t["pre"]:
        trial["pre"] = t["pre"]
    if t["note"]:
        trial["note"] = t["note"]
    return trial


def _prom_dict(p: dict[str, Any]) -> dict[str, Any]:
    """A stored PROM response as case@1 ``sessions[].proms[]`` (items, or the entered total)."""
    out: dict[str, Any] = {"instrument": p["instrument"], "by": p["by"]}
    if p["items"]:
        out["items"] = list(p["items"])
    if p["labels"]:
        out["labels"] = list(p["labels"])
    if p["entered_total"] is not None:
        out["total"] = p["entered_total"]
    return out


def _sessions(parts: EpisodeParts, draft_trial: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The sessions with their trials; a ``draft_trial`` is appended to the last one (opening s1 if none)."""
    key_of = {mk["pk"]: mk["key"] for mk in parts.markers}
    sessions = [
        {
            "id": s["key"],
            "date": s["date"].isoformat(),
            "measurements": {key_of[marker]: _num(value) for marker, value in s["measurements"]},
            "trials": [_trial_dict(t, key_of) for t in s["trials"]],
            "note": s["note"],
            **({"proms": [_prom_dict(p) for p in s["proms"]]} if s.get("proms") else {}),
        }
        for s in parts.sessions
    ]
    return sessions if draft_trial is None else _with_draft(sessions, draft_trial)


def _with_draft(sessions: list[dict[str, Any]], draft_trial: dict[str, Any]) -> list[dict[str, Any]]:
    """``sessions`` (case@1 mappings, left unchanged) with ``draft_trial`` appended to the last one
    under the next free trial id (opening s1 if there is none)."""
    sessions = list(sessions)
    if not sessions:  # recording it will open the first session
        sessions.append({"id": "s1", "date": timezone.localdate().isoformat(), "measurements": {}, "trials": []})
    taken = {t["id"] for s in sessions for t in s["trials"]}
    n = len(taken) + 1
    while f"t{n}" in taken:
        n += 1
    sessions[-1] = {**sessions[-1], "trials": [*sessions[-1]["trials"], {"id": f"t{n}", **draft_trial}]}
    return sessions


def with_draft_trial(case_dict: dict[str, Any], draft_trial: dict[str, Any]) -> dict[str, Any]:
    """A case@1 mapping (from :func:`episode_to_dict`, left unchanged: it may be cached) with a draft
    trial appended, as ``episode_to_dict(..., draft_trial=...)`` gives it."""
    return {**case_dict, "sessions": _with_draft(case_dict["sessions"], draft_trial)}


def _patient_dict(patient: m.Patient, parts: EpisodeParts) -> dict[str, Any]:
    patient_d: dict[str, Any] = {
        "id": patient.ref,
        "occupation": patient.occupation,
        "activities": lines(patient.sports),
        "goals": [{"text": g["text"], "status": g["status"], "note": g["note"]} for g in parts.goals],
    }
    if patient.age is not None:
        patient_d["age"] = patient.age
    if patient.sex:
        patient_d["sex"] = patient.sex
    return patient_d


def _complaint_dict(episode: m.Episode, parts: EpisodeParts) -> dict[str, Any]:
    complaint: dict[str, Any] = {
        "areas": [{"region": a["region"], "side": a["side"], "kind": a["kind"]} for a in parts.areas],
        "aggravating": lines(episode.aggravating),
        "easing": lines(episode.easing),
        "description": episode.description,
    }
    if episode.duration_weeks is not None:
        complaint["duration_weeks"] = episode.duration_weeks
    return complaint


def _screening_dict(episode: m.Episode) -> dict[str, Any]:
    """Red/yellow flags answered yes, and the ones asked and answered no ("screened, negative") with the date."""
    screening: dict[str, Any] = {
        "red_flags": lines(episode.red_flags),
        "yellow_flags": lines(episode.yellow_flags),
        "red_flags_cleared": episode.red_flags_cleared,
    }
    negative = [flag for flag, answer in (episode.screening_answers or {}).items() if answer == "no"]
    if negative:
        screening["screened_negative"] = negative
    if episode.screened_on is not None:
        screening["screened_on"] = episode.screened_on.isoformat()
    return screening


def _finding_dict(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f["key"],
        "kind": f["kind"],
        "region": f["region"],
        "side": f["side"],
        **({"structure": f["structure"]} if f["structure"] else {}),
        "severity": f["severity"],
        "text": f["text"],
        "history": f["history"] or [],
    }


def episode_to_dict(
    episode: m.Episode, *, draft_trial: dict[str, Any] | None = None, parts: EpisodeParts | None = None
) -> dict[str, Any]:
    """The episode as a ``kinetrace/case@1`` mapping (not yet validated).

    ``draft_trial`` (``candidate``, ``intervention``, ``post`` keyed by marker id) is appended
    to the last session: the workbench previews a trial's scoring before it is saved.
    ``parts`` (default :func:`parts_of`) lets a caller that already has them skip reading them.
    Archived findings and markers stay in the case: trials and sessions recorded values for them.
    """
    if parts is None:
        parts = parts_of(episode)
    return {
        "format": CASE_FORMAT,
        "title": episode.title,
        "synthetic": episode.patient.synthetic,
        "patient": _patient_dict(episode.patient, parts),
        "complaint": _complaint_dict(episode, parts),
        "screening": _screening_dict(episode),
        "findings": [_finding_dict(f) for f in parts.findings],
        "markers": [marker_dict(mk) for mk in parts.markers],
        "sessions": _sessions(parts, draft_trial),
        "plan": [
            {"kind": p["kind"], "text": p["text"], "targets": p["targets"] or [], "source": p["source"]}
            for p in parts.plan
        ],
        **({"confirmed_driver": episode.confirmed_driver} if episode.confirmed_driver else {}),
    }


def episode_to_case(
    episode: m.Episode, *, draft_trial: dict[str, Any] | None = None, parts: EpisodeParts | None = None
) -> Case:
    """The episode as a validated core case; raises :class:`kinetrace.CaseError` listing every problem."""
    return kinetrace.load_case(episode_to_dict(episode, draft_trial=draft_trial, parts=parts))


def _import_patient(case: Case, clinic: m.Clinic, ref: str | None) -> m.Patient:
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
    return patient


def _import_episode(case: Case, patient: m.Patient) -> m.Episode:
    c, sc = case.complaint, case.screening
    answers = dict.fromkeys((*sc.red_flags, *sc.yellow_flags), "yes")
    answers.update(dict.fromkeys(sc.screened_negative, "no"))
    episode = m.Episode.objects.create(
        patient=patient,
        title=case.title,
        description=c.description,
        duration_weeks=c.duration_weeks,
        aggravating="\n".join(c.aggravating),
        easing="\n".join(c.easing),
        red_flags="\n".join(sc.red_flags),
        yellow_flags="\n".join(sc.yellow_flags),
        red_flags_cleared=sc.red_flags_cleared,
        screening_answers=answers if (sc.screened_negative or sc.screened_on) else {},
        screened_on=sc.screened_on,
        confirmed_driver=case.confirmed_driver or "",
    )
    m.ComplaintArea.objects.bulk_create(
        m.ComplaintArea(episode=episode, region=a.region, side=a.side, kind=a.kind) for a in c.areas
    )
    m.Goal.objects.bulk_create(
        m.Goal(episode=episode, text=g.text, status=g.status, note=g.note) for g in case.patient.goals
    )
    m.PlanItem.objects.bulk_create(
        m.PlanItem(episode=episode, kind=pi.kind, text=pi.text, targets=list(pi.targets), source=pi.source)
        for pi in case.plan
    )
    return episode


def _import_findings(case: Case, episode: m.Episode) -> None:
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


def _import_markers(case: Case, episode: m.Episode) -> dict[str, m.Marker]:
    return {
        mk.id: m.Marker.objects.create(
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
        for mk in case.markers
    }


def _import_sessions(case: Case, episode: m.Episode, markers: dict[str, m.Marker]) -> None:
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
        m.PromResponse.objects.bulk_create(_import_prom(session, r) for r in s.proms)


def _import_prom(session: m.Session, r: Any) -> m.PromResponse:
    from kinetrace.proms import score

    scored = score(r.instrument, r.items, r.total)
    return m.PromResponse(
        session=session,
        instrument=r.instrument,
        items=list(r.items) if scored.from_items else [],
        labels=list(r.labels),
        entered_total=None if scored.from_items else r.total,
        score=scored.total,
        by=r.by,
    )


def import_case(case: Case, clinic: m.Clinic, *, ref: str | None = None) -> m.Episode:
    """Write a validated case as a new episode (and patient, unless the ref exists) in one transaction."""
    with transaction.atomic():
        episode = _import_episode(case, _import_patient(case, clinic, ref))
        _import_findings(case, episode)
        _import_sessions(case, episode, _import_markers(case, episode))
    return episode
