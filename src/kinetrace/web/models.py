"""Relational storage of an episode; :mod:`kinetrace.web.casefile` converts it to and from ``kinetrace/case@1``.

Tenancy: every patient belongs to one :class:`Clinic`; every other clinical row hangs off a
patient (through its episode). Rows are fetched for a user only through
:mod:`kinetrace.web.access`, which names the clinic in every query.
"""
# ruff: noqa: RUF012 - Django's declarative Meta/admin/migration class attributes are lists by convention

from __future__ import annotations

import hashlib
import secrets
from typing import Any, get_args

from django.conf import settings
from django.db import models

from kinetrace.case.model import CONTROL, ComplaintKind, FindingKind, GoalStatus, PlanKind, Side
from kinetrace.presentation import capital, place_label


def _choices(literal: object, *, label: bool = True) -> list[tuple[str, str]]:
    """Django choices from one of the core case model's Literal vocabularies (one source of truth)."""
    return [(k, k.replace("_", " ") if label else k) for k in get_args(literal)]


SIDES = _choices(Side, label=False)
COMPLAINT_KINDS = _choices(ComplaintKind, label=False)
FINDING_KINDS = _choices(FindingKind)
PLAN_KINDS = _choices(PlanKind)
GOAL_STATUSES = _choices(GoalStatus)
BETTER = [("higher", "higher is better"), ("lower", "lower is better")]


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    #: Every member must use a second factor (TOTP or a recovery code); set by the clinic's admin.
    require_2fa = models.BooleanField("require two-factor authentication", default=False)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a clinic; a user works in exactly one clinic."""

    CLINICIAN = "clinician"
    ADMIN = "admin"
    ROLES = [(CLINICIAN, "clinician"), (ADMIN, "clinic admin")]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=ROLES, default=CLINICIAN)

    def __str__(self) -> str:
        return f"{self.user} @ {self.clinic} ({self.role})"


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    READ = "read"
    WRITE = "write"
    SCOPES = [(READ, "read only"), (WRITE, "read and write")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="api")
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    scope = models.CharField(max_length=10, choices=SCOPES, default=READ)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.scope})"

    def usable(self, now: Any) -> bool:
        return self.revoked is None and (self.expires is None or self.expires > now)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(
        cls, user: models.Model, name: str = "api", *, scope: str = "read", expires: Any = None
    ) -> tuple[ApiToken, str]:
        """Create a token; the raw value is returned once and never stored."""
        raw = "kt_" + secrets.token_urlsafe(32)
        row = cls.objects.create(user=user, name=name, digest=cls.hash(raw), scope=scope, expires=expires)
        return row, raw


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="patients")
    ref = models.CharField("patient reference", max_length=64, help_text="Clinic's pseudonymous id, e.g. P-0042")
    display_name = models.CharField(max_length=200, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=10, blank=True, choices=[(s, s) for s in ("female", "male", "other", "unknown")])
    occupation = models.CharField(max_length=300, blank=True)
    sports = models.TextField("sports and activities", blank=True, help_text="One per line")
    synthetic = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "ref"], name="unique_patient_ref_per_clinic")]
        ordering = ["ref"]

    def __str__(self) -> str:
        return self.display_name or self.ref


class Episode(models.Model):
    """One episode of care: complaint, screening, exam, sessions with trials, plan, goals."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField("complaint", blank=True)
    duration_weeks = models.FloatField(null=True, blank=True)
    aggravating = models.TextField(blank=True, help_text="One per line")
    easing = models.TextField(blank=True, help_text="One per line")
    red_flags = models.TextField(blank=True, help_text="One per line")
    yellow_flags = models.TextField(blank=True, help_text="One per line")
    red_flags_cleared = models.TextField(blank=True, help_text="Referral or clearance recorded for the red flags")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    #: Screening answers, flag text -> "yes" / "no" / "not_asked" (helper C, issue 12).
    screening_answers = models.JSONField(default=dict, blank=True)
    screened_on = models.DateField(null=True, blank=True, help_text="When the screening questions were asked")
    #: The patient summary's free-text parts as edited by the clinician before download.
    summary_texts = models.JSONField(default=dict, blank=True)
    #: Bumped by every action that changes the episode or its parts (keys the workbench cache).
    revision = models.PositiveIntegerField(default=0, editable=False)
    #: The clinician's confirmed outcome (case@1 ``confirmed_driver``): a finding key or "none";
    #: what the clinic's model is fitted on (issue 11, web/views/learning.py).
    confirmed_driver = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title or f"Episode {self.pk}"

    @property
    def cache_key(self) -> str:
        """Changes whenever the episode's content changes (see :func:`kinetrace.web.actions.audit`)."""
        return f"{self.pk}.{self.created.timestamp():.6f}.{self.revision}"

    @property
    def trials_blocked(self) -> bool:
        """Red flags without a recorded referral or clearance block every trial."""
        return bool(self.red_flags.strip()) and not self.red_flags_cleared.strip()


class _EpisodePart(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="%(class)ss")

    class Meta:
        abstract = True

    @property
    def place(self) -> str:
        """Region and side in words, e.g. "Left back of thigh" (:func:`kinetrace.presentation.place_label`)."""
        return capital(place_label(getattr(self, "region", ""), getattr(self, "side", "")))


class ComplaintArea(_EpisodePart):
    region = models.CharField(max_length=40)
    side = models.CharField(max_length=10, choices=SIDES)
    kind = models.CharField(max_length=20, choices=COMPLAINT_KINDS, default="pain")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.region} ({self.side})"


class Finding(_EpisodePart):
    key = models.CharField("id", max_length=64)
    kind = models.CharField(max_length=30, choices=FINDING_KINDS)
    region = models.CharField(max_length=40)
    side = models.CharField(max_length=10, choices=SIDES)
    structure = models.CharField(max_length=200, blank=True)
    severity = models.PositiveSmallIntegerField(default=2, choices=[(1, "1 mild"), (2, "2 moderate"), (3, "3 marked")])
    text = models.CharField(max_length=500, blank=True)
    history = models.JSONField(default=list, blank=True)
    #: Retired from the exam but kept with its data (trials name it): not offered for new trials.
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["episode", "key"], name="unique_finding_key")]

    def __str__(self) -> str:
        return self.text or self.key


class Marker(_EpisodePart):
    key = models.CharField("id", max_length=64)
    test = models.CharField(max_length=64, blank=True, help_text="Catalogue test id; empty for a custom marker")
    name = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=40, blank=True)
    ucum = models.CharField(max_length=40, blank=True)
    better = models.CharField(max_length=6, choices=BETTER, blank=True)
    mdc = models.FloatField(null=True, blank=True)
    mdc_source = models.CharField(max_length=500, blank=True)
    region = models.CharField(max_length=40)
    side = models.CharField(max_length=10, choices=SIDES)
    baseline = models.FloatField()
    target = models.FloatField(null=True, blank=True)
    primary = models.BooleanField(default=False)
    #: Retired from the exam but kept with its recorded values: no new values are asked for it.
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["episode", "key"], name="unique_marker_key")]

    def __str__(self) -> str:
        return self.name or self.key


class Session(_EpisodePart):
    key = models.CharField("id", max_length=64)
    date = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["episode", "key"], name="unique_session_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.date})"


class Measurement(models.Model):
    """A marker re-measured at the start of a session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="measurements")
    marker = models.ForeignKey(Marker, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "marker"], name="unique_measurement")]

    def __str__(self) -> str:
        return f"session {self.session_id}, marker {self.marker_id}: {self.value:g}"


class Trial(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="trials")
    key = models.CharField("id", max_length=64)
    candidate = models.CharField(max_length=64, help_text=f"A finding id, or {CONTROL!r} for a no-treatment re-test")
    intervention = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    pre = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.key}: {self.candidate}"


class TrialValue(models.Model):
    """A marker's re-test value after a trial."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="values")
    marker = models.ForeignKey(Marker, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["trial", "marker"], name="unique_trial_value")]

    def __str__(self) -> str:
        return f"trial {self.trial_id}, marker {self.marker_id}: {self.value:g}"


class PlanItem(_EpisodePart):
    kind = models.CharField(max_length=20, choices=PLAN_KINDS)
    text = models.TextField()
    targets = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:60]}"


class Goal(_EpisodePart):
    text = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=GOAL_STATUSES, default="open")
    note = models.CharField(max_length=300, blank=True, help_text="e.g. the race time")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.text[:60]} ({self.status})"


class AuditEvent(models.Model):
    """Who viewed or changed which patient record, when."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="audit_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    episode_id_ref = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.detail}"


class VideoAnalysis(_EpisodePart):
    """A running or work-posture clip, analysed in the background by :mod:`kinetrace.video`."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUSES = [(s, s) for s in (QUEUED, RUNNING, DONE, FAILED)]
    KINDS = [("gait", "running gait"), ("posture", "work posture")]
    VIEWS = [("side", "side-on"), ("back", "from behind"), ("front", "from the front")]

    kind = models.CharField(max_length=10, choices=KINDS, default="gait")
    view = models.CharField(max_length=10, choices=VIEWS, default="side")
    file = models.FileField(upload_to="videos/%Y/%m/")
    original_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="percent of frames processed")
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    markers = models.JSONField(default=list, blank=True, help_text="case markers suggested from the result")
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    #: Last sign of life of the worker running it (a lease: see ``KINETRACE_TASK_LEASE_SECONDS``).
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.kind} video {self.original_name or self.pk} ({self.status})"


# --- Catalogues (edited in the Django admin) ---------------------------------------------------


class MarkerTest(models.Model):
    """A marker catalogue entry (seeded from ``kinetrace/knowledge/markers.yaml``)."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40)
    better = models.CharField(max_length=6, choices=BETTER)
    range_low = models.FloatField()
    range_high = models.FloatField()
    mdc = models.FloatField(null=True, blank=True)
    mdc_source = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Intervention(models.Model):
    """A treatment-trial intervention the workbench offers for a finding kind."""

    name = models.CharField(max_length=200, unique=True)
    finding_kind = models.CharField(max_length=30, choices=FINDING_KINDS, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["finding_kind", "name"]

    def __str__(self) -> str:
        return self.name


class AdviceItem(models.Model):
    """The editable advice library for plans (work posture, running cues, exercises, education)."""

    kind = models.CharField(max_length=20, choices=PLAN_KINDS)
    text = models.TextField()
    source = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:60]}"


# --- Record safety, session notes, exam templates (issue 12) -------------------------------------


class DeletedRecord(_EpisodePart):
    """A deleted part of an episode, kept so the delete can be undone (restored from ``data``)."""

    kind = models.CharField(max_length=20)
    label = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    restored = models.BooleanField(default=False)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"deleted {self.kind}: {self.label}"


class SessionNote(models.Model):
    """A SOAP note of a session; signed notes are locked, an amendment is a new version."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    version = models.PositiveSmallIntegerField(default=1)
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("reason for the amendment", max_length=300, blank=True)

    class Meta:
        ordering = ["session_id", "version"]
        constraints = [models.UniqueConstraint(fields=["session", "version"], name="unique_note_version")]

    def __str__(self) -> str:
        return f"note v{self.version} of session {self.session_id}"

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


class ExamTemplate(models.Model):
    """A clinic's whole-body screen: checklist items by region and a default marker set (editable)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="exam_templates")
    name = models.CharField(max_length=200)
    complaint_region = models.CharField(max_length=40, blank=True, help_text="Complaint area this template suits")
    #: [{"region", "side", "kind", "structure", "text"}]: the findings offered as ticks
    checklist = models.JSONField(default=list, blank=True)
    #: [{"test", "region", "side"}]: catalogue markers offered with a baseline input
    markers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="unique_exam_template_name")]

    def __str__(self) -> str:
        return self.name


class PromResponse(models.Model):
    """A patient-reported outcome measure filled in at a session (kinetrace.proms; knowledge/proms.yaml).

    ``items`` are the responses in item order (null = not answered), ``labels`` the PSFS activities;
    ``entered_total`` is a total taken from the clinic's own licensed form when no items were entered.
    ``score`` is the core's score of it (kinetrace.proms.score), stored for charts.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="proms")
    instrument = models.CharField(max_length=20)
    items = models.JSONField(default=list, blank=True)
    labels = models.JSONField(default=list, blank=True)
    entered_total = models.FloatField(null=True, blank=True)
    score = models.FloatField()
    by = models.CharField(
        max_length=10, choices=[("clinician", "clinician"), ("patient", "patient")], default="clinician"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_id", "id"]

    def __str__(self) -> str:
        return f"{self.instrument} {self.score:g} (session {self.session_id})"


class ClinicModel(models.Model):
    """A clinic's learned engine model (kinetrace/model@1), fitted from its confirmed episodes.

    At most one per clinic is ``active``; the web analysis uses it when one is (issue 11).
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="engine_models")
    version = models.PositiveIntegerField()
    document = models.JSONField()
    cases = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["clinic", "version"], name="clinic_model_version_unique")]

    def __str__(self) -> str:
        return f"{self.clinic} model v{self.version}{' (active)' if self.active else ''}"
