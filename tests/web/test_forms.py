"""Bad form input shows field errors and saves nothing; an import with errors writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kinetrace.web import models as m

from .conftest import SEED

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client: Any, make_clinic: Any, make_user: Any, make_episode: Any) -> tuple[Any, Any]:
    clinic = make_clinic()
    client.force_login(make_user(clinic, "alice"))
    return client, make_episode(clinic)


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (m.Patient, m.Episode, m.Finding, m.Marker, m.Session, m.Trial, m.TrialValue, m.PlanItem, m.Goal)
    }


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        ("/patients/new/", {"ref": "", "age": "30"}, "ref"),
        ("/patients/new/", {"ref": "Jane Smith", "age": "30"}, "ref"),
        ("/patients/new/", {"ref": "p-1", "age": "130"}, "age"),
        ("/patients/new/", {"ref": "mrs-h"}, "ref"),  # duplicate reference in the clinic
        ("{ep}/exam/findings/", {"region": "tail", "side": "left", "kind": "other", "severity": "2"}, "region"),
        ("{ep}/exam/findings/", {"region": "knee", "side": "left", "kind": "other", "severity": "7"}, "severity"),
        (
            "{ep}/exam/findings/",
            {"region": "knee", "side": "left", "kind": "other", "severity": "2", "key": "control"},
            "key",
        ),
        ("{ep}/exam/markers/", {"test": "nprs", "region": "knee", "side": "left", "baseline": "11"}, "baseline"),
        ("{ep}/exam/markers/", {"test": "", "region": "knee", "side": "left", "baseline": "3"}, "name"),
        ("{ep}/exam/markers/", {"test": "nprs", "region": "knee", "side": "left", "baseline": "x"}, "baseline"),
        ("{ep}/", {"duration_weeks": "-3"}, "duration_weeks"),
        ("{ep}/sessions/", {"date": "not a date"}, "date"),
        ("{ep}/sessions/", {"date": "2026-05-01", "m_pain_run": "12"}, "m_pain_run"),
        ("{ep}/plan/", {"kind": "", "text": ""}, "kind"),
        ("{ep}/goals/", {"text": "", "status": "open"}, "text"),
    ],
)
def test_bad_form_input_shows_field_errors_and_saves_nothing(
    logged_in: tuple[Any, Any], url: str, data: dict[str, str], field: str
) -> None:
    client, ep = logged_in
    before = _counts()
    resp = client.post(url.format(ep=f"/episodes/{ep.pk}"), data)
    assert resp.status_code == 400
    names = ("form", "finding_form", "marker_form", "session_form", "plan_form", "goal_form")
    forms = [f for n in names if (f := resp.context.get(n)) is not None and f.errors]
    assert any(field in f.errors for f in forms), [f.errors for f in forms]
    assert 'class="field has-error"' in resp.content.decode() or "errorlist" in resp.content.decode()
    assert _counts() == before


def test_valid_forms_save_through_the_actions(logged_in: tuple[Any, Any]) -> None:
    client, ep = logged_in
    resp = client.post(
        f"/episodes/{ep.pk}/exam/findings/",
        {"region": "knee", "side": "left", "kind": "other", "severity": "2", "text": "Knee stiffness"},
    )
    assert resp.status_code == 302 and ep.findings.filter(text="Knee stiffness", key="knee_1").exists()
    resp = client.post(
        f"/episodes/{ep.pk}/exam/markers/", {"test": "nprs", "region": "knee", "side": "left", "baseline": "4"}
    )
    assert resp.status_code == 302 and ep.markers.filter(test="nprs", key="nprs_1").exists()
    assert m.AuditEvent.objects.filter(action="add_finding").exists()


def _upload(text: str, name: str = "case.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="application/yaml")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            SEED.read_text().replace("baseline: 6, target: 0, primary: true", "baseline: 11, target: 0, primary: true"),
            "markers[0].baseline: 11 is outside 0-10",
        ),
        (SEED.read_text().replace("candidate: thoracic_hypomobility", "candidate: nowhere"), "candidate"),
        ("format: kinetrace/case@1\npatient: {id: x}\n", "complaint"),
        ("just text", "expected a mapping"),
        ("a: [unclosed", "not valid YAML"),
    ],
)
def test_an_import_with_errors_writes_nothing_and_lists_the_problems(
    logged_in: tuple[Any, Any], text: str, problem: str
) -> None:
    client, _ = logged_in
    before = _counts()
    resp = client.post("/import/", {"file": _upload(text)})
    assert resp.status_code == 400
    assert problem in resp.content.decode()
    assert _counts() == before


def test_a_valid_import_creates_the_episode_and_export_returns_the_same_case(logged_in: tuple[Any, Any]) -> None:
    import yaml

    import kinetrace

    client, _ = logged_in
    resp = client.post("/import/", {"file": _upload(SEED.read_text()), "ref": "p-2"})
    assert resp.status_code == 302
    ep = m.Episode.objects.get(patient__ref="p-2")
    exported = client.get(f"/episodes/{ep.pk}/export.yaml")
    assert exported["Content-Type"].startswith("application/yaml")
    data = yaml.safe_load(exported.content)
    original = kinetrace.load_case(SEED).to_dict()
    assert data == {**original, "patient": {**original["patient"], "id": "p-2"}}


@pytest.mark.parametrize(
    ("kind", "fmt", "content_type", "magic"),
    [("patient", "html", "text/html", b"<"), ("clinician", "pdf", "application/pdf", b"%PDF-")],
)
def test_reports_are_served_with_their_content_type(
    logged_in: tuple[Any, Any], kind: str, fmt: str, content_type: str, magic: bytes
) -> None:
    client, ep = logged_in
    resp = client.get(f"/episodes/{ep.pk}/report/{kind}.{fmt}")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith(content_type)
    assert resp.content.lstrip().startswith(magic)


def test_a_clinic_only_catalogue_test_becomes_a_custom_marker_with_its_mdc(logged_in: tuple[Any, Any]) -> None:
    client, ep = logged_in
    m.MarkerTest.objects.create(
        code="single_leg_squat_reps",
        name="Single-leg squat, reps to fatigue",
        unit="reps",
        better="higher",
        range_low=0,
        range_high=100,
        mdc=4,
        mdc_source="clinic audit 2026 (illustrative)",
    )
    resp = client.post(
        f"/episodes/{ep.pk}/exam/markers/",
        {"test": "single_leg_squat_reps", "region": "knee", "side": "left", "baseline": "12"},
    )
    assert resp.status_code == 302
    mk = ep.markers.get(name="Single-leg squat, reps to fatigue")
    assert (mk.test, mk.unit, mk.better, mk.mdc) == ("", "reps", "higher", 4)
