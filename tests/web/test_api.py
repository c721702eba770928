"""The JSON API: token auth, cases in and out, analyses, schema served, clinic isolation."""

from __future__ import annotations

import json
from typing import Any

import pytest

import kinetrace
from kinetrace.web import models as m

from .conftest import SEED

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Any, world: dict[str, Any]) -> tuple[Any, dict[str, str], dict[str, Any]]:
    _, raw = m.ApiToken.issue(world["a_clinician"])
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
