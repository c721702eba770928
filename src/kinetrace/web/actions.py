"""Every state change of a clinical record: ``do_*`` functions (views validate, actions write).

Each action is atomic, writes its :class:`~kinetrace.web.models.AuditEvent`, and takes rows
already fetched through :mod:`kinetrace.web.access` (so already inside the user's clinic).
Actions that change what the core reads re-validate the whole episode as a ``kinetrace/case@1``
case; if the core rejects it, the transaction rolls back and :class:`ActionError` carries the
core's problems (``markers[3].baseline: 11 is outside 0-10 for NPRS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kinetrace.case.model import CONTROL, Case
from kinetrace.errors import CaseError
from kinetrace.knowledge import marker_catalogue
from kinetrace.web import casefile
from kinetrace.web import models as m
from kinetrace.web.access import clinic_of


class ActionError(Exception):
    """An action was refused; ``problems`` are ``path: message`` strings; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _audit_row(
    user: Any, patient: m.Patient | None, action: str, detail: str, episode: m.Episode | None
) -> None:
    clinic = patient.clinic if patient is not None else clinic_of(user)
    m.AuditEvent.objects.create(
        clinic=clinic,
        user=user if getattr(user, "is_authenticated", False) else None,
        patient=patient,
        episode_id_ref=episode.pk if episode is not None else None,
        action=action[:40],
        detail=detail[:500],
    )


def audit(
    user: Any, patient: m.Patient | None, action: str, detail: str = "", episode: m.Episode | None = None
) -> None:
    """Audit a *change*; with an episode, bump its revision (invalidates what was computed from it)."""
    _audit_row(user, patient, action, detail, episode)
    if episode is not None:
        m.Episode.objects.filter(pk=episode.pk).update(revision=F("revision") + 1, updated=timezone.now())
        episode.revision += 1


def record_read(
    user: Any, patient: m.Patient | None, action: str, detail: str = "", episode: m.Episode | None = None
) -> None:
    """The one way a read is audited (page, list, export, report, API call): a row, never a change.

    A read never touches the episode: its ``revision`` and ``updated`` stay as they were.
    """
    _audit_row(user, patient, action, detail, episode)


def record_denied(user: Any, action: str, detail: str = "") -> None:
    """Audit a refused attempt (another clinic's id, a missing record, a missing permission or scope).

    Recorded in the user's own clinic; a user of no clinic (or anonymous) leaves no row here.
    """
    membership = m.Membership.objects.filter(user_id=getattr(user, "pk", None)).select_related("clinic").first()
    if membership is not None:
        m.AuditEvent.objects.create(
            clinic=membership.clinic, user=user, action=f"denied:{action}"[:40], detail=detail[:500]
        )


def do_record_view(user: Any, patient: m.Patient, what: str, episode: m.Episode | None = None) -> None:
    """Audit a page view of a patient record (a read)."""
    record_read(user, patient, "view", what, episode)


def _revalidate(episode: m.Episode) -> Case | None:
    """Raise ActionError if the stored episode is no longer a valid case (rolls the action back).

    An episode still being set up (no complaint area yet) is not a complete case; that one
    problem is allowed.
    """
    fresh = m.Episode.objects.select_related("patient").get(pk=episode.pk)
    try:
        return casefile.episode_to_case(fresh)
    except CaseError as exc:
        problems = [p for p in exc.problems if not p.startswith("complaint.areas")]
        if problems:
            raise ActionError(problems) from None
        return None


@transaction.atomic
def do_create_patient(user: Any, **fields: Any) -> tuple[m.Patient, m.Episode]:
    """A new patient with a first, empty episode."""
    patient = m.Patient.objects.create(clinic=clinic_of(user), **fields)
    episode = m.Episode.objects.create(patient=patient, title="First episode")
    audit(user, patient, "create_patient", patient.ref, episode)
    return patient, episode


@transaction.atomic
def do_create_episode(user: Any, patient: m.Patient, title: str) -> m.Episode:
    episode = m.Episode.objects.create(patient=patient, title=title)
    audit(user, patient, "create_episode", title, episode)
    return episode


@transaction.atomic
def do_update_episode(user: Any, episode: m.Episode, fields: Mapping[str, Any]) -> m.Episode:
    for name, value in fields.items():
        setattr(episode, name, value)
    episode.save()
    _revalidate(episode)
    audit(user, episode.patient, "update_episode", ", ".join(sorted(fields)), episode)
    return episode


@transaction.atomic
def do_toggle_complaint_area(user: Any, episode: m.Episode, region: str, side: str, kind: str) -> bool:
    """Mark (or unmark, if already marked) an area of the complaint. Returns True when added."""
    existing = m.ComplaintArea.objects.filter(episode=episode, region=region, side=side, kind=kind)
    if existing.exists():
        existing.delete()
        audit(user, episode.patient, "remove_complaint_area", f"{kind} {region} {side}", episode)
        return False
    m.ComplaintArea.objects.create(episode=episode, region=region, side=side, kind=kind)
    _revalidate(episode)
    audit(user, episode.patient, "add_complaint_area", f"{kind} {region} {side}", episode)
    return True


def _next_key(existing: set[str], stem: str) -> str:
    n = 1
    while f"{stem}{n}" in existing:
        n += 1
    return f"{stem}{n}"


@transaction.atomic
def do_add_finding(user: Any, episode: m.Episode, data: Mapping[str, Any]) -> m.Finding:
    data = dict(data)
    if not data.get("key"):
        data["key"] = _next_key(set(episode.findings.values_list("key", flat=True)), f"{data['region']}_")
    finding = m.Finding.objects.create(episode=episode, **data)
    _revalidate(episode)
    audit(user, episode.patient, "add_finding", finding.key, episode)
    return finding


@transaction.atomic
def do_add_marker(user: Any, episode: m.Episode, data: Mapping[str, Any]) -> m.Marker:
    data = dict(data)
    entry = marker_catalogue().get(data.get("test") or "")
    if entry is not None:  # keep the catalogue's name and unit on the row for display
        data["name"] = data.get("name") or entry.name
        data["unit"] = data.get("unit") or entry.unit
    if not data.get("key"):
        data["key"] = _next_key(set(episode.markers.values_list("key", flat=True)), f"{data.get('test') or 'm'}_")
    if data.get("primary"):
        episode.markers.update(primary=False)
    marker = m.Marker.objects.create(episode=episode, **data)
    _revalidate(episode)
    audit(user, episode.patient, "add_marker", marker.key, episode)
    return marker


@transaction.atomic
def do_delete(user: Any, episode: m.Episode, obj: Any, what: str) -> None:
    """Delete a part of the episode (finding, marker, plan item, goal, complaint area)."""
    label = str(getattr(obj, "key", "") or obj.pk)
    if isinstance(obj, m.Finding) and m.Trial.objects.filter(session__episode=episode, candidate=obj.key).exists():
        raise ActionError([f"findings.{obj.key}: trials name this finding; undo them first"])
    obj.delete()
    _revalidate(episode)
    audit(user, episode.patient, f"delete_{what}", label, episode)


@transaction.atomic
def do_start_session(
    user: Any, episode: m.Episode, date: dt.date, values: Mapping[int, float], note: str = ""
) -> m.Session:
    """A new session with the markers re-measured at its start (``values`` by marker pk)."""
    key = _next_key(set(episode.sessions.values_list("key", flat=True)), "s")
    session = m.Session.objects.create(episode=episode, key=key, date=date, note=note)
    m.Measurement.objects.bulk_create(m.Measurement(session=session, marker_id=k, value=v) for k, v in values.items())
    _revalidate(episode)
    audit(user, episode.patient, "start_session", key, episode)
    return session


@transaction.atomic
def do_record_trial(
    user: Any, episode: m.Episode, candidate: str, intervention: str, values: Mapping[int, float], note: str = ""
) -> m.Trial:
    """Record a treatment trial (or a control re-test) with its re-test values (by marker pk)."""
    if episode.trials_blocked:
        raise ActionError(["screening.red_flags: red flags need a recorded referral or clearance before any trial"])
    if not values:
        raise ActionError(["post: enter at least one re-test value"])
    if candidate != CONTROL and not episode.findings.filter(key=candidate).exists():
        raise ActionError([f"candidate: {candidate!r} is not a finding of this episode"])
    session = episode.sessions.order_by("-date", "-id").first()
    if session is None:
        session = m.Session.objects.create(episode=episode, key="s1", date=timezone.localdate())
    keys = set(m.Trial.objects.filter(session__episode=episode).values_list("key", flat=True))
    trial = m.Trial.objects.create(
        session=session, key=_next_key(keys, "t"), candidate=candidate, intervention=intervention, note=note
    )
    m.TrialValue.objects.bulk_create(m.TrialValue(trial=trial, marker_id=k, value=v) for k, v in values.items())
    _revalidate(episode)
    audit(user, episode.patient, "record_trial", f"{trial.key} {candidate}", episode)
    return trial


@transaction.atomic
def do_undo_last_trial(user: Any, episode: m.Episode) -> m.Trial | None:
    """Remove the most recently recorded trial of the episode (a mistaken entry)."""
    trial = m.Trial.objects.filter(session__episode=episode).order_by("-id").first()
    if trial is None:
        return None
    trial.delete()
    audit(user, episode.patient, "undo_trial", f"{trial.key} {trial.candidate}", episode)
    return trial


@transaction.atomic
def do_add_plan_item(user: Any, episode: m.Episode, data: Mapping[str, Any]) -> m.PlanItem:
    item = m.PlanItem.objects.create(episode=episode, **data)
    _revalidate(episode)
    audit(user, episode.patient, "add_plan_item", item.kind, episode)
    return item


@transaction.atomic
def do_save_goal(user: Any, episode: m.Episode, data: Mapping[str, Any], goal: m.Goal | None = None) -> m.Goal:
    if goal is None:
        goal = m.Goal.objects.create(episode=episode, **data)
    else:
        for k, v in data.items():
            setattr(goal, k, v)
        goal.save()
    _revalidate(episode)
    audit(user, episode.patient, "save_goal", f"{goal.text} ({goal.status})", episode)
    return goal


def do_import_case(user: Any, case: Case, *, ref: str | None = None) -> m.Episode:
    """Import a validated case into the user's clinic (all or nothing)."""
    with transaction.atomic():
        episode = casefile.import_case(case, clinic_of(user), ref=ref)
        audit(user, episode.patient, "import_case", case.title, episode)
    return episode


def do_upload_video(user: Any, episode: m.Episode, data: Mapping[str, Any]) -> m.VideoAnalysis:
    """Store an uploaded clip and enqueue its analysis (runs in the task worker, not here)."""
    from kinetrace.web.tasks import analyse_video

    with transaction.atomic():
        upload = data["file"]
        row = m.VideoAnalysis.objects.create(
            episode=episode, kind=data["kind"], view=data["view"], file=upload, original_name=upload.name[:255]
        )
        audit(user, episode.patient, "upload_video", f"{row.kind} {row.original_name}", episode)

        def enqueue() -> None:
            result = analyse_video.enqueue(row.pk)
            m.VideoAnalysis.objects.filter(pk=row.pk).update(task_id=str(result.id))

        transaction.on_commit(enqueue)
    return row


_MARKER_FIELDS = ("name", "unit", "better", "mdc", "mdc_source", "region", "side", "baseline", "target")


@transaction.atomic
def do_add_video_markers(user: Any, episode: m.Episode, markers: list[dict[str, Any]]) -> list[m.Marker]:
    """Add markers measured on a clip (``kinetrace.video.markers_from_*`` dicts) to the exam."""
    existing = set(episode.markers.values_list("key", flat=True))
    rows = [
        m.Marker.objects.create(episode=episode, key=mk["id"], **{k: mk[k] for k in _MARKER_FIELDS if k in mk})
        for mk in markers
        if mk["id"] not in existing
    ]
    _revalidate(episode)
    audit(user, episode.patient, "add_video_markers", ", ".join(r.key for r in rows), episode)
    return rows
