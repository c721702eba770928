"""Accounts: argon2 hashing, session expiry, login throttling, CSRF on, audit of reads."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kinetrace.web.models import AuditEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_security_settings() -> None:
    import kinetrace.web.settings as s

    assert s.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert s.SESSION_COOKIE_AGE <= 8 * 3600 and s.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert "django.middleware.csrf.CsrfViewMiddleware" in s.MIDDLEWARE
    assert "axes.middleware.AxesMiddleware" in s.MIDDLEWARE
    assert s.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_passwords_are_stored_with_argon2(settings: Any, django_user_model: Any) -> None:
    import kinetrace.web.settings as s

    settings.PASSWORD_HASHERS = s.PASSWORD_HASHERS
    user = django_user_model.objects.create_user("argon", password=PASSWORD)
    assert user.password.startswith("argon2")


def test_login_works_and_is_throttled_after_repeated_failures(world: dict[str, Any]) -> None:
    client = Client()
    for _ in range(5):
        resp = client.post("/accounts/login/", {"username": "alice", "password": "wrong-password"})
    resp = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert resp.status_code == 429  # locked out even with the right password
    other = Client()
    resp = other.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert resp.status_code == 302


def test_csrf_is_enforced(world: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["a_clinician"])
    resp = client.post(f"/episodes/{world['a_episode'].pk}/workbench/undo/")
    assert resp.status_code == 403


def test_reads_and_writes_of_a_patient_record_are_audited(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["a_clinician"])
    ep = world["a_episode"]
    client.get(f"/episodes/{ep.pk}/workbench/")
    client.post(f"/episodes/{ep.pk}/workbench/undo/")
    actions = list(
        AuditEvent.objects.filter(patient=ep.patient, user=world["a_clinician"]).values_list("action", flat=True)
    )
    assert "view" in actions and "undo_trial" in actions


def test_audit_log_is_for_clinic_admins_and_shows_only_their_clinic(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["b_clinician"])
    client.get(f"/episodes/{world['b_episode'].pk}/workbench/")
    client.force_login(world["a_admin"])
    client.get(f"/episodes/{world['a_episode'].pk}/workbench/")
    html = client.get("/audit/").content.decode()
    assert "anne" in html and "bob" not in html
