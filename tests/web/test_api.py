"""The JSON API: token auth, cases in and out, analyses, schema served, clinic isolation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

import kinetrace
from kinetrace.web import models as m

from .conftest import SEED

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Any, world: dict[str, Any]) -> tuple[Any, dict[str, str], dict[str, Any]]:
    _, raw = m.ApiToken.issue(world["a_clinician"], scope=m.ApiToken.WRITE)
    return client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}, world


def test_openapi_schema_is_served(client: Any, db: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    assert {"/api/episodes/{episode_id}/case", "/api/cases", "/api/episodes/{episode_id}/analysis"} <= set(
        schema["paths"]
    )


def test_a_wrong_token_is_refused(client: Any, world: dict[str, Any]) -> None:
    assert client.get("/api/episodes", HTTP_AUTHORIZATION="Bearer kt_nope").status_code == 401


def test_episodes_list_only_the_clinics_own(api: tuple[Any, dict[str, str], dict[str, Any]]) -> None:
    client, auth, world = api
    ids = {e["id"] for e in client.get("/api/episodes", **auth).json()}
    assert ids == {world["a_episode"].pk}


def test_case_and_analysis_come_from_the_core(api: tuple[Any, dict[str, str], dict[str, Any]]) -> None:
    client, auth, world = api
    ep = world["a_episode"].pk
    case = client.get(f"/api/episodes/{ep}/case", **auth).json()
    assert case == kinetrace.load_case(SEED).to_dict()
    analysis = client.get(f"/api/episodes/{ep}/analysis", **auth).json()
    assert analysis == json.loads(json.dumps(kinetrace.analyse(kinetrace.load_case(SEED)).to_dict()))
    assert client.get(f"/api/episodes/{world['b_episode'].pk}/case", **auth).status_code == 404


def test_posting_a_case_imports_it_and_a_bad_case_writes_nothing(
    api: tuple[Any, dict[str, str], dict[str, Any]],
) -> None:
    client, auth, world = api
    data = kinetrace.load_case(SEED).to_dict()
    data["patient"]["id"] = "api-patient"
    resp = client.post("/api/cases", json.dumps(data), content_type="application/json", **auth)
    assert resp.status_code == 201
    ep = m.Episode.objects.get(pk=resp.json()["episode_id"])
    assert ep.patient.clinic == world["a"] and ep.patient.ref == "api-patient"
    n = m.Episode.objects.count()
    data["markers"][0]["baseline"] = 11
    resp = client.post("/api/cases", json.dumps(data), content_type="application/json", **auth)
    assert resp.status_code == 422
    assert any("markers[0].baseline: 11 is outside 0-10" in p for p in resp.json()["problems"])
    assert m.Episode.objects.count() == n


def _post(client: Any, auth: dict[str, str], body: str | bytes) -> Any:
    return client.post("/api/cases", body, content_type="application/json", **auth)


def test_a_read_token_cannot_write_and_the_refusal_is_audited(client: Any, world: dict[str, Any]) -> None:
    _, raw = m.ApiToken.issue(world["a_clinician"])  # default scope: read
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/episodes", **auth).status_code == 200
    data = kinetrace.load_case(SEED).to_dict()
    resp = _post(client, auth, json.dumps(data))
    assert resp.status_code == 403 and "scope" in resp.json()["detail"]
    assert m.AuditEvent.objects.filter(action="denied:api_post_case", user=world["a_clinician"]).exists()


def test_expired_and_revoked_tokens_are_refused_and_last_use_is_kept(client: Any, world: dict[str, Any]) -> None:
    expired, raw_expired = m.ApiToken.issue(world["a_clinician"], expires=timezone.now() - dt.timedelta(seconds=1))
    revoked, raw_revoked = m.ApiToken.issue(world["a_clinician"])
    m.ApiToken.objects.filter(pk=revoked.pk).update(revoked=timezone.now())
    live, raw_live = m.ApiToken.issue(world["a_clinician"], expires=timezone.now() + dt.timedelta(days=1))
    for raw in (raw_expired, raw_revoked):
        assert client.get("/api/episodes", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/episodes", HTTP_AUTHORIZATION=f"Bearer {raw_live}").status_code == 200
    live.refresh_from_db()
    expired.refresh_from_db()
    assert live.last_used is not None and expired.last_used is None


def test_api_calls_and_foreign_ids_are_audited(api: tuple[Any, dict[str, str], dict[str, Any]]) -> None:
    client, auth, world = api
    client.get("/api/patients", **auth)
    assert client.get(f"/api/episodes/{world['b_episode'].pk}/analysis", **auth).status_code == 404
    actions = set(m.AuditEvent.objects.filter(user=world["a_clinician"]).values_list("action", flat=True))
    assert {"api_list_patients", "denied:api_get_analysis"} <= actions
    assert not m.AuditEvent.objects.filter(clinic=world["b"], user=world["a_clinician"]).exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"format": "kinetrace/case@1", "title": "a", "title": "b"}', "duplicate key 'title'"),
        ('{"format": "kinetrace/case@1", "x": NaN}', "finite numbers only"),
        ('{"format": "kinetrace/case@1", "x": 1e999}', "finite numbers only"),
        ('{"format": "kinetrace/case@1", "x": ' + "[" * 5000 + "]" * 5000 + "}", "nested deeper"),
        ("[1, 2]", "expected a mapping"),
        ("format: [", "not valid YAML"),
    ],
)
def test_bad_bodies_are_422_with_the_problem(
    api: tuple[Any, dict[str, str], dict[str, Any]], body: str, expected: str
) -> None:
    client, auth, _ = api
    n = m.Episode.objects.count()
    resp = _post(client, auth, body)
    assert resp.status_code == 422, resp.content[:200]
    assert any(expected in p for p in resp.json()["problems"]), resp.json()
    assert m.Episode.objects.count() == n


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e308"])
def test_non_finite_values_in_a_case_are_never_stored(
    api: tuple[Any, dict[str, str], dict[str, Any]], value: str
) -> None:
    client, auth, _ = api
    data = kinetrace.load_case(SEED).to_dict()
    data["patient"]["id"] = "nan-patient"
    data["markers"][0]["baseline"] = "__VALUE__"
    body = json.dumps(data).replace('"__VALUE__"', value)
    resp = _post(client, auth, body)
    assert resp.status_code == 422
    assert not m.Patient.objects.filter(ref="nan-patient").exists()


def test_every_response_code_of_every_operation_is_documented(client: Any, db: Any) -> None:
    schema = client.get("/api/openapi.json").json()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"401", "422"} <= codes, (method, path, codes)
            if "{episode_id}" in path:
                assert {"404", "409"} <= codes


def test_issue_token_sets_scope_and_expiry(world: dict[str, Any]) -> None:
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("issue_token", "alice", scope="write", days=7, stdout=out)
    row = m.ApiToken.objects.get(digest=m.ApiToken.hash(out.getvalue().strip()))
    assert row.scope == "write" and row.expires is not None
    assert 6 <= (row.expires - timezone.now()).days <= 7
    with pytest.raises(CommandError, match="1-365"):
        call_command("issue_token", "alice", days=0)
