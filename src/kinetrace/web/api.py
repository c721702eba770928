"""JSON API (django-ninja): cases in and out, analyses; bearer-token auth, clinic isolation.

OpenAPI schema: ``/api/openapi.json``; interactive docs: ``/api/docs``.
A token is issued with ``python -m kinetrace.web issue_token <username>``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status
from ninja.security import HttpBearer

import kinetrace
from kinetrace.case import Case
from kinetrace.case.bounded import parse_case_bytes
from kinetrace.errors import CaseError
from kinetrace.web import actions
from kinetrace.web.access import episodes_for, get_episode_for_user, patients_for
from kinetrace.web.casefile import episode_to_case
from kinetrace.web.models import ApiToken, Membership
from kinetrace.web.views.io import existing_patient_problem

#: Minimum seconds between two writes of a token's ``last_used`` (a read should not write each time).
LAST_USED_RESOLUTION = 60


class TokenAuth(HttpBearer):
    """A bearer token that is not revoked or expired, of an active member of a clinic."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if len(token) > 200:
            return None
        row = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token)).first()
        now = timezone.now()
        if row is None or not row.usable(now) or not row.user.is_active:
            return None
        if not Membership.objects.filter(user=row.user).exists():
            return None
        if row.last_used is None or (now - row.last_used).total_seconds() > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used=now)
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]
        return row.user


api = NinjaAPI(
    title="Kinetrace clinic API",
    version="1",
    description=(
        "Episodes as kinetrace/case@1 documents and their analyses. Every call sees one clinic's data only. "
        "Tokens carry a scope (read, or read and write) and may expire; every call is audited."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)


class PatientOut(Schema):
    id: int
    ref: str
    episodes: list[int]


class EpisodeOut(Schema):
    id: int
    patient_id: int
    patient_ref: str
    title: str


class Created(Schema):
    episode_id: int
    patient_ref: str


class Problems(Schema):
    problems: list[str]


class Message(Schema):
    detail: str


#: Responses every authenticated operation can give (documented in the schema).
COMMON: dict[int, Any] = {401: Message, 422: Message}


def _audit_call(request: HttpRequest, action: str, detail: str = "") -> None:
    actions.record_read(request.user, None, action, detail)


@api.get("/patients", response={200: list[PatientOut], **COMMON})
def list_patients(request: HttpRequest) -> list[dict[str, Any]]:
    """The clinic's patients with their episode ids."""
    _audit_call(request, "api_list_patients")
    return [
        {"id": p.pk, "ref": p.ref, "episodes": [e.pk for e in p.episodes.all()]}
        for p in patients_for(request.user).prefetch_related("episodes")
    ]


@api.get("/episodes", response={200: list[EpisodeOut], **COMMON})
def list_episodes(request: HttpRequest) -> list[dict[str, Any]]:
    """The clinic's episodes."""
    _audit_call(request, "api_list_episodes")
    return [
        {"id": e.pk, "patient_id": e.patient_id, "patient_ref": e.patient.ref, "title": e.title}
        for e in episodes_for(request.user)
    ]


def _episode_case(request: HttpRequest, episode_id: int, action: str) -> Case | Status[Any]:
    """The user's episode as a core case (audited as ``action``), or 404 / 409 with the core's problems."""
    try:
        episode = get_episode_for_user(request.user, episode_id, full=True)
    except Http404:
        actions.record_denied(request.user, action, f"episode {episode_id}")
        return Status(404, {"detail": "Not Found"})
    try:
        case = episode_to_case(episode)
    except CaseError as exc:
        return Status(409, {"problems": exc.problems})
    actions.record_read(request.user, episode.patient, action, "", episode)
    return case


EPISODE_RESPONSES: dict[int, Any] = {200: dict[str, Any], 404: Message, 409: Problems, **COMMON}


@api.get("/episodes/{episode_id}/case", response=EPISODE_RESPONSES)
def get_case(request: HttpRequest, episode_id: int) -> Any:
    """The episode as a ``kinetrace/case@1`` document."""
    case = _episode_case(request, episode_id, "api_get_case")
    return case if isinstance(case, Status) else case.to_dict()


@api.get("/episodes/{episode_id}/analysis", response=EPISODE_RESPONSES)
def get_analysis(request: HttpRequest, episode_id: int) -> Any:
    """The core's ``kinetrace/analysis@2`` for the episode (scored trials, ranking, driver, recommendation)."""
    case = _episode_case(request, episode_id, "api_get_analysis")
    return case if isinstance(case, Status) else kinetrace.analyse(case).to_dict()


CASE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "A kinetrace/case@1 document (see docs/case-format.md); at most 2 MiB.",
                    "required": ["format"],
                    "properties": {"format": {"type": "string", "enum": ["kinetrace/case@1"]}},
                }
            }
        },
    }
}


@api.post(
    "/cases",
    response={201: Created, 400: Message, 403: Message, 409: Problems, 422: Problems, 401: Message},
    openapi_extra=CASE_BODY,
)
def post_case(request: HttpRequest, attach: bool = False) -> Any:
    """Import a ``kinetrace/case@1`` document as a new episode; with any problem nothing is written.

    The body is parsed with the core's limits (size, depth, items, duplicate keys, finite numbers).
    Needs a token with the write scope. A case whose patient reference the clinic already has is a
    409 unless ``attach=true`` (then it becomes a new episode of that patient).
    """
    token = getattr(request, "api_token", None)
    if token is None or token.scope != ApiToken.WRITE:
        actions.record_denied(request.user, "api_post_case", "token without the write scope")
        return Status(403, {"detail": "this token may only read (scope: read); issue a token with scope write"})
    try:
        parsed = kinetrace.load_case(parse_case_bytes(request.body))
    except CaseError as exc:
        return Status(422, {"problems": exc.problems})
    if not attach and (clash := existing_patient_problem(request.user, parsed, None)):
        return Status(409, {"problems": clash})
    episode = actions.do_import_case(request.user, parsed)
    return Status(201, {"episode_id": episode.pk, "patient_ref": episode.patient.ref})
