"""Every view and API endpoint refuses anonymous users and other clinics' data.

The endpoint list is built from the URLconf, so a new view cannot escape this matrix: a URL
parameter the test does not know fails the test until it is added to ``_params``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kinetrace.web.models import ApiToken, VideoAnalysis

pytestmark = pytest.mark.django_db

#: Routes anyone may reach (the login page, logout, the API's schema and docs, static files).
PUBLIC = {
    "login",
    "logout",
    "home",
    "static",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
#: Routes only a clinic admin may use.
ADMIN_ONLY = {"audit", "clinic_security", "member_2fa_reset", "learning"}
#: Routes naming a record of one user (an API token): own-clinic colleagues get a 404 too (test_accounts).
PER_USER = {"account_token_revoke"}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _routes() -> list[tuple[str, str]]:
    """(name, route regex/path) of every URL except Django's own admin."""
    out: list[tuple[str, str]] = []

    def walk(patterns: Any, prefix: str, ns: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                walk(p.url_patterns, prefix + str(p.pattern), f"{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern):
                out.append((ns + (p.name or "?"), prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return out


ROUTES = _routes()


def _params(world: dict[str, Any], owner: str) -> dict[str, Any]:
    from django.conf import settings

    ep = world[f"{owner}_episode"]
    sheet = Path(settings.MEDIA_ROOT) / f"{owner}_contact_sheet.png"  # a test's own folder (web/conftest.py)
    sheet.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_bytes(b"\x89PNG\r\n\x1a\n")  # served as it is; only its place matters here
    video = ep.videoanalysiss.first() or VideoAnalysis.objects.create(
        episode=ep,
        file="videos/none.mp4",
        status=VideoAnalysis.DONE,
        result={"metrics": [], "outputs": {"contact_sheet": str(sheet)}},
    )
    return {
        "video_id": video.pk,
        "episode_id": ep.pk,
        "patient_id": ep.patient_id,
        "finding_id": ep.findings.first().pk,
        "marker_id": ep.markers.first().pk,
        "plan_id": ep.planitems.first().pk,
        "goal_id": ep.goals.first().pk,
        "session_id": ep.sessions.first().pk,
        "record_id": _deleted_record(ep).pk,
        "template_id": _exam_template(ep).pk,
        "fmt": "yaml",
        "instrument": "lefs",
        "kind": "patient",
        "report_fmt": "html",
        "path": "web/app.css",
        "token_id": ApiToken.issue(world[f"{owner}_clinician"])[0].pk,
        "member_id": world[f"{owner}_clinician"].membership.pk,
        "uidb64": "MQ",
        "token": "set-password",
        "name": "contact_sheet",
    }


def _deleted_record(ep: Any) -> Any:
    from kinetrace.web.models import DeletedRecord

    return ep.deletedrecords.first() or DeletedRecord.objects.create(
        episode=ep, kind="goal", label="a goal", data={"text": "a goal", "status": "open", "note": ""}
    )


def _exam_template(ep: Any) -> Any:
    from kinetrace.web.models import ExamTemplate

    clinic = ep.patient.clinic
    return ExamTemplate.objects.filter(clinic=clinic).first() or ExamTemplate.objects.create(clinic=clinic, name="t")


def _url(route: str, params: dict[str, Any]) -> str:
    def sub(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        assert name in params, f"URL parameter {name!r} unknown to the isolation test: add it to _params"
        return str(params[name])

    return "/" + PARAM.sub(sub, route).lstrip("^").rstrip("$").replace("\\.", ".")


def _is_api(name: str) -> bool:
    return name.startswith("api:")


def test_the_matrix_covers_every_clinical_route() -> None:
    names = {n for n, _ in ROUTES}
    for expected in ("workbench", "trial_record", "export", "api:get_case", "api:post_case", "import"):
        assert expected in names
    assert "?" not in names, "every URL needs a name"


PROTECTED = [r for r in ROUTES if r[0] not in PUBLIC]


def _request(client: Any, method: str, url: str, name: str, user: Any) -> Any:
    headers = {}
    if user is not None:
        if _is_api(name):
            _, raw = ApiToken.issue(user)
            headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        else:
            client.force_login(user)
    return getattr(client, method)(url, **headers)


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_refused_everywhere(client: Any, world: dict[str, Any], method: str) -> None:
    failures = []
    for name, route in PROTECTED:
        url = _url(route, _params(world, "a"))
        resp = _request(client, method, url, name, None)
        if _is_api(name):
            ok = resp.status_code in (401, 405)
        else:
            ok = resp.status_code == 302 and "/accounts/login/" in resp["Location"]
        if not ok:
            failures.append((method, url, resp.status_code))
    assert not failures


@pytest.mark.parametrize("role", ["clinician", "admin"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_clinics_records_are_invisible_everywhere(
    client: Any, world: dict[str, Any], role: str, method: str
) -> None:
    """B's users asking for A's records get 404 for every URL naming a record; lists never show them."""
    user = world[f"b_{role}"]
    failures = []
    for name, route in PROTECTED:
        url = _url(route, _params(world, "a"))
        resp = _request(client, method, url, name, user)
        if PARAM.search(route):
            # the API refuses a wrong method (405) before any lookup; everything else is a 404
            allowed = (404, 405) if _is_api(name) else (404,)
            if name in ADMIN_ONLY and role == "clinician":
                allowed = (403,)  # refused for the role before any lookup: the same for every id
            if resp.status_code not in allowed:
                failures.append((method, url, resp.status_code))
            continue
        body = resp.content.decode(errors="replace")
        if f"/episodes/{world['a_episode'].pk}/" in body or f'"id": {world["a_episode"].pk}' in body:
            failures.append((method, url, "shows clinic A's episode"))
    assert not failures


def test_a_foreign_sub_record_under_an_own_episode_is_404(client: Any, world: dict[str, Any]) -> None:
    """Own episode, other clinic's finding/marker/plan/goal id: still 404."""
    own, foreign = _params(world, "b"), _params(world, "a")
    mixed = {**own, **{k: foreign[k] for k in ("finding_id", "marker_id", "plan_id", "goal_id")}}
    client.force_login(world["b_clinician"])
    mixed["video_id"] = foreign["video_id"]
    routes = [
        r for r in PROTECTED if any(k in r[1] for k in ("finding_id", "marker_id", "plan_id", "goal_id", "video_id"))
    ]
    assert len(routes) >= 4
    failures = []
    for n, route in routes:
        codes = {client.get(_url(route, mixed)).status_code, client.post(_url(route, mixed)).status_code}
        if 404 not in codes or not codes <= {404, 405}:  # the allowed method finds nothing
            failures.append((n, codes))
    assert not failures


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_own_clinic_users_reach_their_records(client: Any, world: dict[str, Any], role: str) -> None:
    user = world[f"a_{role}"]
    failures = []
    for name, route in PROTECTED:
        url = _url(route, _params(world, "a"))
        resp = _request(client, "get", url, name, user)
        expected = (403,) if name in ADMIN_ONLY and role == "clinician" else (200, 405)
        if name in PER_USER:
            expected = (404, 405)  # the matrix's token is the clinician's: anyone else's id is a 404
        if resp.status_code not in expected:
            failures.append((url, resp.status_code))
    assert not failures


def test_a_user_without_a_clinic_sees_nothing(client: Any, world: dict[str, Any], make_user: Any) -> None:
    client.force_login(make_user(None, "nobody"))
    assert client.get("/patients/").status_code == 403
    assert client.get(f"/episodes/{world['a_episode'].pk}/workbench/").status_code in (403, 404)


def test_clinicians_are_not_let_into_the_django_admin(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["a_admin"])
    assert client.get("/admin/clinic/markertest/").status_code == 302


def test_views_and_the_api_never_query_patients_or_episodes_directly() -> None:
    """The Zulip-style rule: records are fetched only through kinetrace.web.access (which names the clinic)."""
    from pathlib import Path

    import kinetrace.web

    root = Path(kinetrace.web.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in [*sorted((root / "views").glob("*.py")), root / "api.py", root / "presenters.py"]
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "Patient.objects" in line or "Episode.objects" in line
    ]
    assert not offenders
