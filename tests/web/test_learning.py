"""The clinic's learned model in the web app (issue 11): admins fit it from confirmed episodes, read
its report and switch it on or back (audited); the workbench analysis uses it while it is on."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.clinic_model import active_clinic_model
from kinetrace.web.presenters import workbench

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _confirmed(world: dict[str, Any], make_episode: Any, n: int = 4) -> None:
    """The seed episode and n more copies, each confirmed (the right infraspinatus)."""
    episodes = [world["a_episode"], *(make_episode(world["a"], ref=f"p{i}") for i in range(n))]
    for e in episodes:
        m.Episode.objects.filter(pk=e.pk).update(confirmed_driver="r_infraspinatus")


def test_a_clinician_cannot_open_or_fit(world: dict[str, Any]) -> None:
    c = _login(world["a_clinician"])
    assert c.get("/clinic/learning/").status_code == 403
    assert c.post("/clinic/learning/", {"action": "fit"}).status_code == 403
    assert not m.ClinicModel.objects.exists()


def test_fitting_without_confirmed_episodes_says_why(world: dict[str, Any]) -> None:
    res = _login(world["a_admin"]).post("/clinic/learning/", {"action": "fit"})
    assert res.status_code == 400 and b"confirmed_driver" in res.content
    assert not m.ClinicModel.objects.exists()


def test_admin_fits_reads_switches_on_and_back_audited(world: dict[str, Any], make_episode: Any) -> None:
    _confirmed(world, make_episode)
    c = _login(world["a_admin"])
    assert c.post("/clinic/learning/", {"action": "fit"}).status_code == 302
    row = m.ClinicModel.objects.get(clinic=world["a"])
    assert row.version == 1 and row.cases == 5 and not row.active
    page = c.get("/clinic/learning/")
    assert page.status_code == 200 and b"Fitted on 5 confirmed cases" in page.content
    assert c.post("/clinic/learning/", {"action": "activate", "model": row.pk}).status_code == 302
    assert active_clinic_model(world["a"]) is not None
    assert active_clinic_model(world["b"]) is None  # another clinic keeps the defaults
    assert c.post("/clinic/learning/", {"action": "deactivate"}).status_code == 302
    assert active_clinic_model(world["a"]) is None
    logged = list(m.AuditEvent.objects.filter(clinic=world["a"]).values_list("action", flat=True))
    assert {"fit_clinic_model", "set_clinic_model", "view_learning"} <= set(logged)


def test_another_clinics_model_cannot_be_switched_on(world: dict[str, Any], make_episode: Any) -> None:
    _confirmed(world, make_episode, n=1)
    row = actions.do_fit_clinic_model(world["a_admin"])
    res = _login(world["b_admin"]).post("/clinic/learning/", {"action": "activate", "model": row.pk})
    assert res.status_code == 400
    assert not m.ClinicModel.objects.filter(active=True).exists()


def test_the_workbench_uses_the_active_model(world: dict[str, Any], make_episode: Any) -> None:
    _confirmed(world, make_episode)
    episode = world["a_episode"]
    before = workbench(episode).analysis
    row = actions.do_fit_clinic_model(world["a_admin"])
    actions.do_set_clinic_model(world["a_admin"], row.pk)
    after = workbench(m.Episode.objects.get(pk=episode.pk)).analysis
    assert before is not None and after is not None
    assert before.prior != after.prior
