"""JSON API (django-ninja): cases in and out, analyses; bearer-token auth, clinic isolation.

OpenAPI schema: ``/api/openapi.json``; interactive docs: ``/api/docs``.
A token is issued with ``python -m kinetrace.web issue_token <username>``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, NinjaAPI, Schema, Status
from ninja.security import HttpBearer

import kinetrace
from kinetrace.case import Case
from kinetrace.errors import CaseError
from kinetrace.web import actions
from kinetrace.web.access import episodes_for, get_episode_for_user, patients_for
from kinetrace.web.casefile import episode_to_case
from kinetrace.web.models import ApiToken, Membership


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token)).first()
        if row is None or not row.user.is_active or not Membership.objects.filter(user=row.user).exists():
            return None
        request.user = row.user
        return row.user


api = NinjaAPI(
    title="Kinetrace clinic API",
    version="1",
    description="Episodes as kinetrace/case@1 documents and their analyses. Every call sees one clinic's data only.",
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


@api.get("/patients", response=list[PatientOut])
def list_patients(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": p.pk, "ref": p.ref, "episodes": [e.pk for e in p.episodes.all()]}
        for p in patients_for(request.user).prefetch_related("episodes")
    ]


@api.get("/episodes", response=list[EpisodeOut])
def list_episodes(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": e.pk, "patient_id": e.patient_id, "patient_ref": e.patient.ref, "title": e.title}
        for e in episodes_for(request.user)
    ]


def _episode_case(request: HttpRequest, episode_id: int, action: str) -> Case | Status:
    """The user's episode as a core case (audited as ``action``), or 409 with the core's problems."""
    episode = get_episode_for_user(request.user, episode_id, full=True)
    try:
        case = episode_to_case(episode)
    except CaseError as exc:
        return Status(409, {"problems": exc.problems})
    actions.audit(request.user, episode.patient, action, "", episode)
    return case


@api.get("/episodes/{episode_id}/case", response={200: dict[str, Any], 409: Problems})
def get_case(request: HttpRequest, episode_id: int) -> Any:
    """The episode as a ``kinetrace/case@1`` document."""
    case = _episode_case(request, episode_id, "api_get_case")
    return case if isinstance(case, Status) else case.to_dict()


@api.get("/episodes/{episode_id}/analysis", response={200: dict[str, Any], 409: Problems})
def get_analysis(request: HttpRequest, episode_id: int) -> Any:
    """The core's ``kinetrace/analysis@1`` for the episode (scored trials, ranking, next trial)."""
    case = _episode_case(request, episode_id, "api_get_analysis")
    return case if isinstance(case, Status) else kinetrace.analyse(case).to_dict()


@api.post("/cases", response={201: Created, 422: Problems})
def post_case(request: HttpRequest, case: Body[dict[str, Any]]) -> Any:
    """Import a ``kinetrace/case@1`` document as a new episode; with any problem nothing is written."""
    try:
        parsed = kinetrace.load_case(case)
    except CaseError as exc:
        return Status(422, {"problems": exc.problems})
    episode = actions.do_import_case(request.user, parsed)
    return Status(201, {"episode_id": episode.pk, "patient_ref": episode.patient.ref})
