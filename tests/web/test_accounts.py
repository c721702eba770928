"""Accounts: 2FA enrolment, verification, clinic enforcement, admin reset; API tokens; password change and reset."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kinetrace.web import models as m

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def _enrol(client: Client) -> tuple[TOTPDevice, list[str]]:
    resp = client.get("/accounts/2fa/")
    assert resp.status_code == 200 and b"<svg" in resp.content
    device = TOTPDevice.objects.get(confirmed=False)
    wrong = "000000" if _code(device) != "000000" else "111111"
    assert client.post("/accounts/2fa/", {"token": wrong}).status_code == 400
    time.sleep(1.1)  # django-otp throttles a device for 1 s after a failure (doubling each time)
    resp = client.post("/accounts/2fa/", {"token": _code(device)})
    assert resp.status_code == 200
    codes = re.findall(r"<li><code>(\w+)</code></li>", resp.content.decode())
    return TOTPDevice.objects.get(pk=device.pk), codes


def _login(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_enrolment_then_every_login_needs_the_second_factor(world: dict[str, Any]) -> None:
    client = _login("alice")
    device, codes = _enrol(client)
    assert device.confirmed and len(codes) == 10
    assert StaticToken.objects.filter(device__user=world["a_clinician"]).count() == 10
    assert client.get("/patients/").status_code == 200  # verified in this session by enrolling

    fresh = _login("alice")
    resp = fresh.get("/patients/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/2fa/verify/")
    assert fresh.get(f"/episodes/{world['a_episode'].pk}/workbench/").status_code == 302
    assert fresh.post("/accounts/2fa/verify/?next=/patients/", {"otp_token": "12345x"}).status_code == 400
    time.sleep(1.1)  # throttled after the failure
    resp = fresh.post("/accounts/2fa/verify/?next=/patients/", {"otp_token": codes[0]})
    assert resp.status_code == 302 and resp["Location"] == "/patients/"
    assert fresh.get("/patients/").status_code == 200
    assert StaticToken.objects.filter(device__user=world["a_clinician"]).count() == 9  # used once

    again = _login("alice")
    assert again.post("/accounts/2fa/verify/", {"otp_token": codes[0]}).status_code == 400  # single use
    actions = set(m.AuditEvent.objects.filter(user=world["a_clinician"]).values_list("action", flat=True))
    assert {"2fa_enrol", "2fa_verify", "denied:2fa_verify"} <= actions


def test_an_open_redirect_after_verification_is_refused(world: dict[str, Any]) -> None:
    client = _login("alice")
    _, codes = _enrol(client)
    fresh = _login("alice")
    resp = fresh.post("/accounts/2fa/verify/?next=https://evil.example/", {"otp_token": codes[1]})
    assert resp.status_code == 302 and resp["Location"] == "/"


def test_a_clinic_can_require_2fa_and_only_its_admin_can_set_it(world: dict[str, Any]) -> None:
    clinician = _login("alice")
    assert clinician.post("/accounts/clinic/", {"require_2fa": "on"}).status_code == 403
    admin = _login("anne")
    assert admin.post("/accounts/clinic/", {"require_2fa": "on"}).status_code == 302
    assert m.Clinic.objects.get(pk=world["a"].pk).require_2fa
    assert not m.Clinic.objects.get(pk=world["b"].pk).require_2fa
    resp = _login("alice").get("/patients/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/2fa/"
    assert _login("bob").get("/patients/").status_code == 200  # another clinic: not required
    assert m.AuditEvent.objects.filter(action="clinic_require_2fa", detail="on", clinic=world["a"]).exists()


def test_a_clinic_admin_resets_a_members_second_factor_and_it_is_audited(world: dict[str, Any]) -> None:
    _enrol(_login("alice"))
    member = world["a_clinician"].membership
    foreign = world["b_clinician"].membership
    admin = _login("anne")
    assert admin.post(f"/accounts/members/{foreign.pk}/reset-2fa/").status_code == 404
    assert _login("bob").post(f"/accounts/members/{member.pk}/reset-2fa/").status_code == 403
    assert admin.post(f"/accounts/members/{member.pk}/reset-2fa/").status_code == 302
    assert not TOTPDevice.objects.filter(user=world["a_clinician"]).exists()
    assert not StaticDevice.objects.filter(user=world["a_clinician"]).exists()
    assert m.AuditEvent.objects.filter(action="2fa_reset", detail="alice", user=world["a_admin"]).exists()
    assert _login("alice").get("/patients/").status_code == 200


def test_tokens_are_created_scoped_and_revoked_in_the_app(world: dict[str, Any]) -> None:
    client = _login("alice")
    resp = client.post("/accounts/tokens/", {"name": "laptop", "scope": "read", "days": "30"})
    raw = re.search(r"kt_[\w-]+", resp.content.decode())
    assert resp.status_code == 200 and raw is not None
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw.group(0)}"}
    assert Client().get("/api/episodes", **auth).status_code == 200
    row = m.ApiToken.objects.get(name="laptop")
    assert row.scope == "read" and row.expires is not None and row.last_used is not None
    assert raw.group(0) not in client.get("/accounts/").content.decode()  # shown once only
    assert client.post("/accounts/tokens/", {"name": "x", "scope": "write", "days": "9999"}).status_code == 302
    assert not m.ApiToken.objects.filter(name="x").exists()
    bob_token, _ = m.ApiToken.issue(world["b_clinician"])
    assert client.post(f"/accounts/tokens/{bob_token.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{row.pk}/revoke/").status_code == 302
    assert Client().get("/api/episodes", **auth).status_code == 401


def test_password_change_and_reset(world: dict[str, Any]) -> None:
    client = _login("alice")
    new = "a-new-long-passphrase-42"
    resp = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert resp.status_code == 302
    assert Client().post("/accounts/login/", {"username": "alice", "password": new}).status_code == 302
    world["a_clinician"].email = "alice@clinic.example"
    world["a_clinician"].save()
    resp = Client().post("/accounts/reset/", {"email": "alice@clinic.example"})
    assert resp.status_code == 302 and len(mail.outbox) == 1
    link = re.search(r"/accounts/reset/[\w-]+/[\w-]+/", str(mail.outbox[0].body))
    assert link is not None
    anon = Client()
    resp = anon.get(link.group(0), follow=True)
    assert resp.status_code == 200
    final = "yet-another-passphrase-7"
    resp = anon.post(resp.redirect_chain[-1][0], {"new_password1": final, "new_password2": final})
    assert resp.status_code == 302
    assert Client().post("/accounts/login/", {"username": "alice", "password": final}).status_code == 302
