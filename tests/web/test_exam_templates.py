"""Clinics edit their whole-body screen templates: a valid edit shows on the screen, a bad one is a
field error and changes nothing, another clinic's template is a 404."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from kinetrace.web.models import ExamTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client: Any, make_clinic: Any, make_user: Any, make_episode: Any) -> tuple[Any, Any, list[Any]]:
    clinic = make_clinic()
    client.force_login(make_user(clinic, "alice"))
    ep = make_episode(clinic)
    assert client.get("/exam-templates/").status_code == 200  # the defaults are copied in
    return client, ep, list(ExamTemplate.objects.filter(clinic=clinic).order_by("pk"))


def _post(client: Any, template: Any, **change: Any) -> Any:
    data = {
        "name": template.name,
        "complaint_region": template.complaint_region,
        "checklist": yaml.safe_dump(template.checklist),
        "markers": yaml.safe_dump(template.markers),
    }
    data.update(change)
    return client.post(f"/exam-templates/{template.pk}/", data)


def test_an_edited_checklist_shows_on_the_screen(setup: tuple[Any, Any, list[Any]]) -> None:
    client, ep, templates = setup
    t = next(t for t in templates if t.complaint_region)
    item = {"region": t.complaint_region, "kind": "other", "structure": "", "text": "Scar tissue check, old portal"}
    resp = _post(client, t, checklist=yaml.safe_dump([*t.checklist, item]))
    assert resp.status_code == 302
    t.refresh_from_db()
    assert t.checklist[-1]["text"] == "Scar tissue check, old portal"
    page = client.get(f"/episodes/{ep.pk}/exam/screen/?template={t.pk}").content.decode()
    assert "Scar tissue check, old portal" in page


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("checklist", "- region: [unclosed", "Not valid YAML"),
        ("checklist", yaml.safe_dump([{"region": "scapula", "kind": "telepathy", "text": "x"}]), "checklist[0]"),
        ("checklist", yaml.safe_dump([{"region": "scapula", "kind": "other", "text": " "}]), "describe the finding"),
        (
            "markers",
            yaml.safe_dump([{"test": "no_such_test", "region": "scapula", "side": "right"}]),
            "markers[0].test",
        ),
        ("markers", "just a string", "a list of"),
    ],
)
def test_a_bad_template_is_a_field_error_and_changes_nothing(
    setup: tuple[Any, Any, list[Any]], field: str, value: str, words: str
) -> None:
    client, _ep, templates = setup
    t = templates[0]
    before = (t.name, t.checklist, t.markers)
    resp = _post(client, t, **{field: value})
    assert resp.status_code == 400 and words in resp.content.decode()
    t.refresh_from_db()
    assert (t.name, t.checklist, t.markers) == before


def test_a_duplicate_name_is_a_field_error(setup: tuple[Any, Any, list[Any]]) -> None:
    client, _ep, templates = setup
    if len(templates) < 2:
        pytest.skip("one default template only")
    resp = _post(client, templates[1], name=templates[0].name)
    assert resp.status_code == 400 and "already has a template called" in resp.content.decode()


def test_another_clinics_template_is_not_found(setup: tuple[Any, Any, list[Any]], make_clinic: Any) -> None:
    client, _ep, _templates = setup
    other = ExamTemplate.objects.create(clinic=make_clinic("b"), name="Theirs", checklist=[], markers=[])
    assert client.get(f"/exam-templates/{other.pk}/").status_code == 404
    assert _post(client, other, name="Mine now").status_code == 404
    other.refresh_from_db()
    assert other.name == "Theirs"
