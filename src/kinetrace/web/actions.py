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
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kinetrace.case.model import CONTROL, Case
from kinetrace.errors import CaseError
from kinetrace.knowledge import marker_catalogue
from kinetrace.web import casefile
from kinetrace.web import models as m
from kinetrace.web.access import clinic_of

_Part = TypeVar("_Part", m.Finding, m.Marker)


class ActionError(Exception):
    """An action was refused; ``problems`` are ``path: message`` strings; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _audit_row(user: Any, patient: m.Patient | None, action: str, detail: str, episode: m.Episode | None) -> None:
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
    user_pk = getattr(user, "pk", None)
    if user_pk is None:
        return
    membership = m.Membership.objects.filter(user_id=user_pk).select_related("clinic").first()
    if membership is not None:
        m.AuditEvent.objects.create(
            clinic=membership.clinic, user=user, action=f"denied:{action}"[:40], detail=detail[:500]
        )


def do_record_view(user: Any, patient: m.Patient, what: str, episode: m.Episode | None = None) -> None:
    """Audit a page view of a patient record (a read)."""
    record_read(user, patient, "view", what, episode)


def _no_area_yet(problem: str) -> bool:
    """The one problem an episode being set up may have: no complaint area marked yet."""
    return problem.startswith("complaint.areas:") and "at least 1" in problem


def _revalidate(episode: m.Episode) -> Case | None:
    """Raise ActionError if the stored episode is no longer a valid case (rolls the action back).

    An episode still being set up (no complaint area yet) is not a complete case; that one
    problem is allowed.
    """
    fresh = m.Episode.objects.select_related("patient").get(pk=episode.pk)
    try:
        return casefile.episode_to_case(fresh)
    except CaseError as exc:
        problems = [p for p in exc.problems if not _no_area_yet(p)]
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


def _create_unique(model: type[_Part], episode: m.Episode, data: Mapping[str, Any], what: str) -> _Part:
    """Create a finding or marker; an id already taken (e.g. by a concurrent save) is a field error, not a 500."""
    try:
        with transaction.atomic():
            return model._default_manager.create(episode=episode, **data)
    except IntegrityError:
        raise ActionError([f"key: this episode already has a {what} with the id {data.get('key')!r}"]) from None


@transaction.atomic
def do_add_finding(user: Any, episode: m.Episode, data: Mapping[str, Any]) -> m.Finding:
    data = dict(data)
    if not data.get("key"):
        data["key"] = _next_key(set(episode.findings.values_list("key", flat=True)), f"{data['region']}_")
    finding = _create_unique(m.Finding, episode, data, "finding")
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
    marker = _create_unique(m.Marker, episode, data, "marker")
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


# --- Edit, delete with undo, archive (issue 12: the record never loses data) ----------------------

#: The parts a clinician can edit or delete from the exam, sessions and intake pages.
PARTS: dict[str, type[Any]] = {
    "finding": m.Finding,
    "marker": m.Marker,
    "goal": m.Goal,
    "plan_item": m.PlanItem,
    "complaint_area": m.ComplaintArea,
}


def _snapshot(obj: Any) -> dict[str, Any]:
    """The row's own fields (not its id or episode), as stored JSON for an undo."""
    skip = {"id", "episode"}
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip}


def _label(obj: Any) -> str:
    return str(getattr(obj, "key", "") or getattr(obj, "text", "") or obj.pk)[:300]


def has_recorded_data(obj: Any) -> bool:
    """A finding named by a trial, or a marker with a session or trial value: archived, never deleted."""
    if isinstance(obj, m.Finding):
        return m.Trial.objects.filter(session__episode_id=obj.episode_id, candidate=obj.key).exists()
    if isinstance(obj, m.Marker):
        return m.TrialValue.objects.filter(marker=obj).exists() or m.Measurement.objects.filter(marker=obj).exists()
    return False


@transaction.atomic
def do_update_part(user: Any, episode: m.Episode, obj: Any, data: Mapping[str, Any], what: str) -> Any:
    """Edit a finding, marker, goal or plan item (ids stay fixed: trials name them)."""
    fields = {k: v for k, v in data.items() if k != "key"}
    if isinstance(obj, m.Marker) and fields.get("primary"):
        episode.markers.exclude(pk=obj.pk).update(primary=False)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()
    _revalidate(episode)
    audit(user, episode.patient, f"edit_{what}", _label(obj), episode)
    return obj


@transaction.atomic
def do_remove(user: Any, episode: m.Episode, obj: Any, what: str) -> m.DeletedRecord | None:
    """Delete a part (kept as a :class:`DeletedRecord` so it can be undone), or archive it when trial or
    session data refer to it (returns None then: nothing is deleted, no value is lost)."""
    if isinstance(obj, m.Finding | m.Marker) and has_recorded_data(obj):
        obj.archived = True
        obj.save(update_fields=["archived"])
        _revalidate(episode)
        audit(user, episode.patient, f"archive_{what}", _label(obj), episode)
        return None
    record = m.DeletedRecord.objects.create(episode=episode, kind=what, label=_label(obj), data=_snapshot(obj))
    obj.delete()
    _revalidate(episode)
    audit(user, episode.patient, f"delete_{what}", record.label, episode)
    return record


@transaction.atomic
def do_undo_remove(user: Any, episode: m.Episode, record: m.DeletedRecord) -> Any:
    """Restore a deleted part from its record (a new id if its old one was taken since)."""
    if record.restored:
        raise ActionError([f"{record.kind}: this delete was already undone"])
    model = PARTS[record.kind]
    data = dict(record.data)
    if "key" in data:
        taken = set(model.objects.filter(episode=episode).values_list("key", flat=True))
        if data["key"] in taken:
            data["key"] = _next_key(taken, f"{data['key']}_")
    if data.get("primary") and episode.markers.filter(primary=True).exists():
        data["primary"] = False
    obj = model.objects.create(episode=episode, **data)
    record.restored = True
    record.save(update_fields=["restored"])
    _revalidate(episode)
    audit(user, episode.patient, f"undo_delete_{record.kind}", record.label, episode)
    return obj


@transaction.atomic
def do_set_archived(user: Any, episode: m.Episode, obj: m.Finding | m.Marker, archived: bool, what: str) -> None:
    """Archive (or bring back) a finding or marker; its recorded values stay in the case either way."""
    obj.archived = archived
    obj.save(update_fields=["archived"])
    _revalidate(episode)
    audit(user, episode.patient, f"{'archive' if archived else 'unarchive'}_{what}", _label(obj), episode)


# --- Whole-body screen templates -----------------------------------------------------------------


@transaction.atomic
def do_apply_template(
    user: Any, episode: m.Episode, findings: list[dict[str, Any]], markers: list[dict[str, Any]]
) -> tuple[list[m.Finding], list[m.Marker]]:
    """Add the ticked findings and the markers with a baseline from a whole-body screen, in one go."""
    keys = set(episode.findings.values_list("key", flat=True))
    rows_f = []
    for data in findings:
        key = _next_key(keys, f"{data['region']}_")
        keys.add(key)
        rows_f.append(m.Finding.objects.create(episode=episode, key=key, **data))
    mkeys = set(episode.markers.values_list("key", flat=True))
    has_primary = episode.markers.filter(primary=True).exists()
    rows_m = []
    for data in markers:
        entry = marker_catalogue().get(data["test"])
        key = _next_key(mkeys, f"{data['test']}_")
        mkeys.add(key)
        primary = bool(data.get("primary")) and not has_primary
        has_primary = has_primary or primary
        defaults = {"name": entry.name, "unit": entry.unit} if entry else {}
        rows_m.append(m.Marker.objects.create(episode=episode, key=key, **{**defaults, **data, "primary": primary}))
    _revalidate(episode)
    detail = ", ".join([f.key for f in rows_f] + [mk.key for mk in rows_m])
    audit(user, episode.patient, "apply_exam_template", detail, episode)
    return rows_f, rows_m


@transaction.atomic
def do_save_exam_template(user: Any, data: Mapping[str, Any], template: m.ExamTemplate | None = None) -> m.ExamTemplate:
    """Create or edit one of the clinic's whole-body screen templates."""
    if template is None:
        template = m.ExamTemplate(clinic=clinic_of(user))
    for name, value in data.items():
        setattr(template, name, value)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ActionError([f"name: the clinic already has a template called {data.get('name')!r}"]) from None
    audit(user, None, "save_exam_template", template.name)
    return template


# --- Session notes (SOAP) ------------------------------------------------------------------------

NOTE_FIELDS = ("subjective", "objective", "assessment", "plan")


@transaction.atomic
def do_save_note(user: Any, episode: m.Episode, session: m.Session, data: Mapping[str, Any]) -> m.SessionNote:
    """Save the session's note: the open draft is updated; a signed note is never changed - saving
    over it makes a new version (an amendment) that needs a reason."""
    latest = session.notes.order_by("-version").first()
    fields = {k: data.get(k, "") for k in NOTE_FIELDS}
    if latest is not None and not latest.signed:
        for k, v in fields.items():
            setattr(latest, k, v)
        latest.reason = data.get("reason", "") or latest.reason
        latest.save()
        note = latest
    else:
        if latest is not None and not (data.get("reason") or "").strip():
            raise ActionError(["reason: a signed note is locked; give the reason for the amendment"])
        note = m.SessionNote.objects.create(
            session=session,
            version=(latest.version + 1) if latest else 1,
            author=user if getattr(user, "is_authenticated", False) else None,
            reason=data.get("reason", ""),
            **fields,
        )
    audit(user, episode.patient, "save_note", f"{session.key} v{note.version}", episode)
    return note


@transaction.atomic
def do_sign_note(user: Any, episode: m.Episode, note: m.SessionNote) -> m.SessionNote:
    """Sign a note: from then on it is locked (changes are new versions)."""
    if note.signed:
        raise ActionError(["note: already signed"])
    note.signed_at = timezone.now()
    note.author = user if getattr(user, "is_authenticated", False) else note.author
    note.save(update_fields=["signed_at", "author"])
    audit(user, episode.patient, "sign_note", f"{note.session.key} v{note.version}", episode)
    return note


@transaction.atomic
def do_save_summary_texts(user: Any, episode: m.Episode, texts: Mapping[str, str]) -> None:
    """The patient summary's free-text parts as the clinician edited them."""
    episode.summary_texts = {k: v for k, v in texts.items() if v.strip()}
    episode.save(update_fields=["summary_texts"])
    audit(user, episode.patient, "edit_patient_summary", ", ".join(sorted(episode.summary_texts)), episode)


@transaction.atomic
def do_save_prom(
    user: Any,
    episode: m.Episode,
    session: m.Session,
    instrument: str,
    items: list[float | None],
    *,
    labels: list[str] | None = None,
    total: float | None = None,
    by: str = "clinician",
) -> m.PromResponse:
    """Score a PROM response in the core and store it with its session (ActionError names the field)."""
    from kinetrace import proms

    try:
        scored = proms.score(instrument, items, total)
    except proms.PromError as exc:
        raise ActionError([f"{exc.field}: {exc.detail}"]) from None
    if by not in ("clinician", "patient"):
        raise ActionError([f"by: {by!r}; allowed: clinician, patient"])
    response = m.PromResponse.objects.create(
        session=session,
        instrument=instrument,
        items=list(items) if scored.from_items else [],
        labels=[str(x)[:300] for x in (labels or [])][: len(items)],
        entered_total=None if scored.from_items else total,
        score=scored.total,
        by=by,
        author=user if getattr(user, "is_authenticated", False) else None,
    )
    audit(user, episode.patient, "save_prom", f"{session.key} {instrument} {scored.total:g} ({by})", episode)
    return response


def do_fit_clinic_model(user: Any) -> m.ClinicModel:
    """Fit the clinic's engine model from its confirmed episodes (stored switched off; audited).

    Every episode of the user's clinic with a confirmed outcome whose case is valid is used;
    the fit is :func:`kinetrace.learn` (shrinkage towards the shipped defaults, cross-validated).
    """
    from kinetrace.learning import LearnError, learn

    clinic = clinic_of(user)
    cases = []
    for episode in m.Episode.objects.filter(patient__clinic=clinic).exclude(confirmed_driver=""):
        try:
            cases.append(casefile.episode_to_case(episode))
        except CaseError:
            continue
    with transaction.atomic():
        last = m.ClinicModel.objects.filter(clinic=clinic).order_by("-version").first()
        version = 1 if last is None else last.version + 1
        try:
            model = learn(cases, version=version)
        except LearnError as exc:
            raise ActionError([f"confirmed_driver: {exc}"]) from None
        row = m.ClinicModel.objects.create(
            clinic=clinic,
            version=version,
            document=model.to_dict(),
            cases=model.cases,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        audit(user, None, "fit_clinic_model", f"v{version} from {model.cases} confirmed episodes")
    return row


def do_set_clinic_model(user: Any, model_id: int | None) -> m.ClinicModel | None:
    """Switch the clinic's model on (``model_id``) or back to the shipped defaults (None); audited."""
    clinic = clinic_of(user)
    with transaction.atomic():
        chosen = None
        if model_id is not None:
            chosen = m.ClinicModel.objects.filter(clinic=clinic, pk=model_id).first()
            if chosen is None:
                raise ActionError([f"model: {model_id} is not a model of this clinic"])
        m.ClinicModel.objects.filter(clinic=clinic, active=True).update(active=False)
        if chosen is not None:
            m.ClinicModel.objects.filter(pk=chosen.pk).update(active=True)
            chosen.active = True
        audit(user, None, "set_clinic_model", "shipped defaults" if chosen is None else f"v{chosen.version} on")
    return chosen
