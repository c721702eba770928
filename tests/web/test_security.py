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


def _login(username: str, password: str, ip: str) -> int:
    resp = Client(REMOTE_ADDR=ip).post("/accounts/login/", {"username": username, "password": password})
    return int(resp.status_code)


def test_login_works_and_is_throttled_per_account_from_any_address(world: dict[str, Any]) -> None:
    for i in range(5):
        _login("alice", "wrong-password", f"10.0.0.{i + 1}")  # five addresses, one account
    assert _login("alice", PASSWORD, "10.0.1.1") == 429  # locked out even with the right password
    assert _login("bob", PASSWORD, "10.0.1.2") == 302  # another account from another address


def test_password_spraying_from_one_address_is_throttled(world: dict[str, Any]) -> None:
    for name in ("alice", "anne", "bob", "bea", "nobody"):
        _login(name, "Winter2026!", "10.9.9.9")  # one guess per account, one address
    assert _login("bob", PASSWORD, "10.9.9.9") == 429
    assert _login("bob", PASSWORD, "10.9.9.10") == 302


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


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_immediate_transactions() -> None:
    from django.db import connection

    import kinetrace.web.settings as s

    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    options = s.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


def test_every_get_route_leaves_the_episode_unchanged(client: Any, world: dict[str, Any]) -> None:
    """Reads never write: a GET of any page, export, report or API read keeps revision and `updated`."""
    from kinetrace.web.models import Episode

    from .test_isolation import PROTECTED, _is_api, _params, _request, _url

    ep = world["a_episode"]
    params = _params(world, "a")
    before = Episode.objects.values_list("revision", "updated").get(pk=ep.pk)
    visited = 0
    for name, route in PROTECTED:
        resp = _request(client, "get", _url(route, params), name, world["a_admin"])
        visited += resp.status_code == 200
        after = Episode.objects.values_list("revision", "updated").get(pk=ep.pk)
        assert after == before, f"GET {name} changed the episode"
    assert visited >= 15
    reads = set(AuditEvent.objects.filter(user=world["a_admin"]).values_list("action", flat=True))
    assert {"view", "export_case", "report", "api_get_case"} <= reads
    assert not any(_is_api(n) for n in ("export", "report"))


def test_another_clinics_id_is_audited_as_denied(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["b_clinician"])
    assert client.get(f"/episodes/{world['a_episode'].pk}/workbench/").status_code == 404
    row = AuditEvent.objects.get(user=world["b_clinician"], action="denied:GET episode")
    assert row.clinic == world["b"] and row.patient is None
    assert not AuditEvent.objects.filter(clinic=world["a"], user=world["b_clinician"]).exists()


def test_an_oversized_import_is_stopped_while_reading(client: Any, world: dict[str, Any]) -> None:
    import time
    import tracemalloc

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import encode_multipart

    client.force_login(world["a_clinician"])
    client.get("/import/")
    big = SimpleUploadedFile("case.yaml", b"format: kinetrace/case@1\n#" + b"x" * (40 * 2**20))
    body = encode_multipart("kinetrace-boundary", {"file": big})
    tracemalloc.start()
    t0 = time.perf_counter()
    resp = client.post("/import/", body, content_type="multipart/form-data; boundary=kinetrace-boundary")
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert resp.status_code == 413 and b"larger than 2 MiB" in resp.content
    assert elapsed < 1.0 and peak < 50 * 2**20, (elapsed, peak)


def test_an_import_bomb_is_a_4xx_in_under_a_second(client: Any, world: dict[str, Any]) -> None:
    import time
    import tracemalloc

    from django.core.files.uploadedfile import SimpleUploadedFile
    from tests.case.test_bounded import alias_bomb

    client.force_login(world["a_clinician"])
    tracemalloc.start()
    t0 = time.perf_counter()
    resp = client.post("/import/", {"file": SimpleUploadedFile("bomb.yaml", alias_bomb())})
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert resp.status_code == 400 and b"expands to more than" in resp.content
    assert len(resp.content) < 100_000 and b"lol" not in resp.content
    assert elapsed < 1.0 and peak < 50 * 2**20, (elapsed, peak)


def test_server_errors_are_logged_with_a_request_id_and_no_patient_data(
    client: Any, world: dict[str, Any], capsys: Any, monkeypatch: Any
) -> None:
    import logging

    from kinetrace.web.views import workbench

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("patient " + world["a_episode"].patient.ref.upper())

    monkeypatch.setattr(workbench, "render", boom)
    client.raise_request_exception = False
    client.force_login(world["a_clinician"])
    handler = logging.getLogger("django.request").handlers[0]
    stream = __import__("io").StringIO()
    monkeypatch.setattr(handler, "stream", stream)
    resp = client.get(f"/episodes/{world['a_episode'].pk}/workbench/")
    assert resp.status_code == 500
    rid = resp["X-Request-ID"]
    logged = stream.getvalue()
    assert f"request_id={rid}" in logged and "RuntimeError: (message withheld)" in logged
    assert world["a_episode"].patient.ref.upper() not in logged, logged


def test_csp_header_is_sent(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["a_clinician"])
    csp = client.get("/patients/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


def test_check_deploy_is_clean_in_production_mode(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "KINETRACE_HTTPS": "1",
        "KINETRACE_SECRET_KEY": "x" * 10 + "".join(chr(65 + i % 26) for i in range(60)),
        "KINETRACE_VAR_DIR": str(tmp_path),
        "KINETRACE_ALLOWED_HOSTS": "clinic.example.org",
    }
    env.pop("PYTEST_VERSION", None)
    env.pop("KINETRACE_DEBUG", None)
    out = subprocess.run(
        [sys.executable, "-m", "kinetrace.web", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_kinetrace_web_without_a_secret_key_says_so_in_one_line(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "KINETRACE_DEBUG", "KINETRACE_SECRET_KEY", "DJANGO_SECRET_KEY"}
    }
    env["KINETRACE_VAR_DIR"] = str(tmp_path)
    cmd = [sys.executable, "-c", "from kinetrace.cli import main; main()", "web", "check"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 2
    assert "secret key" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    (tmp_path / "secret_key").write_text("k" * 20 + "".join(chr(65 + i % 26) for i in range(50)))
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_the_audit_log_pages_filters_and_exports_csv(client: Any, world: dict[str, Any]) -> None:
    import csv
    import io

    from kinetrace.web.models import AuditEvent as Event

    clinic, alice = world["a"], world["a_clinician"]
    Event.objects.bulk_create(Event(clinic=clinic, user=alice, action="view", detail=f"row {i}") for i in range(250))
    Event.objects.create(clinic=clinic, user=alice, patient=world["a_episode"].patient, action="record_trial")
    Event.objects.create(clinic=clinic, user=alice, action="export_case", detail="=HYPERLINK(1)")
    Event.objects.create(clinic=world["b"], user=world["b_clinician"], action="view", detail="clinic B")
    client.force_login(world["a_admin"])
    page = client.get("/audit/").content.decode()
    assert "Page 1 of 3" in page and "clinic B" not in page and "kept 2928 days" in page
    assert "Page 3 of 3" in client.get("/audit/?page=3").content.decode()
    one = client.get("/audit/", {"patient": world["a_episode"].patient.ref, "user": "alice"}).content.decode()
    assert "record_trial" in one and "row 1<" not in one
    assert client.get("/audit/", {"since": "not-a-date"}).status_code == 400
    body = client.get("/audit/", {"user": "alice", "format": "csv"}).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["at", "user", "patient_ref", "episode_id", "action", "detail"] and len(rows) == 253
    assert [r[5] for r in rows if r[4] == "export_case"] == ["'=HYPERLINK(1)"]
    client.get("/patients/")
    actions = set(Event.objects.filter(user=world["a_admin"]).values_list("action", flat=True))
    assert {"view_audit", "list_patients"} <= actions
    client.force_login(world["a_clinician"])
    assert client.get("/audit/").status_code == 403
    assert Event.objects.filter(user=alice, action="denied:admin_only").exists()


def test_the_demo_login_exists_only_in_demo_mode(settings: Any, db: Any) -> None:
    from django.core.management import CommandError, call_command

    from kinetrace.web.models import Membership

    settings.DEMO = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("load_demo")
    assert not Membership.objects.filter(user__username="demo").exists()


def test_createadmin_makes_the_first_clinic_admin_with_a_checked_password(db: Any, monkeypatch: Any) -> None:
    from django.core.management import CommandError, call_command

    from kinetrace.web.models import Membership

    monkeypatch.setenv("KT_PW", "short")
    with pytest.raises(CommandError, match="password refused"):
        call_command("createadmin", clinic="Riverside Physio", username="rita", password_env="KT_PW")
    monkeypatch.setenv("KT_PW", "a-long-unusual-passphrase-31")
    call_command("createadmin", clinic="Riverside Physio", username="rita", password_env="KT_PW", require_2fa=True)
    membership = Membership.objects.select_related("clinic", "user").get(user__username="rita")
    assert membership.role == Membership.ADMIN and membership.clinic.require_2fa
    assert membership.user.check_password("a-long-unusual-passphrase-31")


def test_an_import_never_silently_attaches_to_an_existing_patient(client: Any, world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kinetrace.web.models import Episode

    from .conftest import SEED

    client.force_login(world["a_clinician"])
    n = Episode.objects.count()
    upload = SimpleUploadedFile("case.txt", SEED.read_bytes())  # the type comes from the content
    resp = client.post("/import/", {"file": upload})
    assert resp.status_code == 400 and b"already has a patient" in resp.content and Episode.objects.count() == n
    resp = client.post("/import/", {"file": SimpleUploadedFile("c.yaml", SEED.read_bytes()), "attach": "on"})
    assert resp.status_code == 302 and Episode.objects.count() == n + 1
    resp = client.post("/import/", {"file": SimpleUploadedFile("c.yaml", SEED.read_bytes()), "ref": "P-1\r\nX: y"})
    assert resp.status_code == 400 and Episode.objects.count() == n + 1


def test_the_api_refuses_a_silent_attach(client: Any, world: dict[str, Any]) -> None:
    import json

    import kinetrace
    from kinetrace.web.models import ApiToken

    from .conftest import SEED

    _, raw = ApiToken.issue(world["a_clinician"], scope=ApiToken.WRITE)
    body = json.dumps(kinetrace.load_case(SEED).to_dict())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    resp = client.post("/api/cases", body, content_type="application/json", **auth)
    assert resp.status_code == 409 and "already has a patient" in resp.json()["problems"][0]
    resp = client.post("/api/cases?attach=true", body, content_type="application/json", **auth)
    assert resp.status_code == 201


def test_central_on_a_paired_region_is_refused_when_marked(client: Any, world: dict[str, Any]) -> None:
    from kinetrace.knowledge import regions

    paired = next(name for name, r in regions().items() if r.paired)
    ep = world["a_episode"]
    client.force_login(world["a_clinician"])
    resp = client.post(
        f"/episodes/{ep.pk}/complaint/", {"region": paired, "side": "central", "kind": "pain"}, HTTP_HX_REQUEST="true"
    )
    assert resp.status_code == 400
    assert not ep.complaintareas.filter(region=paired, side="central").exists()
    assert client.get(f"/episodes/{ep.pk}/export.yaml").status_code == 200
