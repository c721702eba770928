"""A 20-client soak against a real server (gunicorn, loopback): logins, trial entry, imports, reads.

The database is the one the environment names: SQLite by default (a file in a temporary
folder: WAL, busy timeout, immediate transactions), PostgreSQL under ``scripts/with-postgres``.
Targets: 0 server errors, 0 "database is locked", 0 lost writes (every trial, import and failed
login that got its answer is in the database). Bounded: 20 clients x ``ROUNDS`` rounds.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

CLIENTS = 20
ROUNDS = 5
PASSWORD = "soak-password-0123456789"
SEED = Path(__file__).resolve().parents[2] / "examples" / "mrs_h.yaml"

SETUP = """
import django, sys; django.setup()
import kinetrace
from django.contrib.auth import get_user_model
from kinetrace.web.casefile import import_case
from kinetrace.web.models import Clinic, Membership
run, n, password, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
clinic = Clinic.objects.create(slug=f"soak-{run}", name="Soak")
case = kinetrace.load_case(seed)
for i in range(n):
    user = get_user_model().objects.create_user(f"soak-{run}-{i}", password=password)
    Membership.objects.create(user=user, clinic=clinic)
    ep = import_case(case, clinic, ref=f"soak-{run}-{i}")
    print(user.username, ep.pk)
"""

COUNT = """
import django, sys; django.setup()
from axes.models import AccessFailureLog
from kinetrace.web.models import Episode, Trial
run = sys.argv[1]
trials = Trial.objects.filter(session__episode__patient__ref__startswith=f"soak-{run}-").count()
imports = Episode.objects.filter(patient__clinic__slug=f"soak-{run}", patient__ref__startswith="imp-").count()
failures = AccessFailureLog.objects.filter(username__startswith=f"nobody-{run}").count()
print(trials, imports, failures)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(KINETRACE_DEBUG="1", KINETRACE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kinetrace.web.settings")
    env["KINETRACE_ALLOWED_HOSTS"] = "127.0.0.1"
    return env


def _py(code: str, env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True, timeout=600
    ).stdout


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.errors: list[str] = []
        self.trials = 0
        self.imports = 0

    def add(self, what: str, resp: Any, ok: tuple[int, ...]) -> bool:
        with self.lock:
            self.requests += 1
            body = resp.text if resp.status_code >= 400 else ""
            if resp.status_code not in ok or "database is locked" in body:
                self.errors.append(f"{what}: {resp.status_code} {body[:120]!r}")
                return False
        return True


def _client(base: str, username: str, episode: int, tally: Tally, run: str, index: int) -> None:
    import requests

    s = requests.Session()
    s.get(f"{base}/accounts/login/", timeout=60)
    token = s.cookies.get("csrftoken") or ""
    headers = {"X-CSRFToken": token, "Referer": f"{base}/accounts/login/"}
    if index < 3:  # three failed logins in all (fewer than the per-address lockout of 5)
        resp = s.post(
            f"{base}/accounts/login/", {"username": f"nobody-{run}-{index}", "password": "x"}, headers=headers
        )
        tally.add("failed login", resp, (200,))
    resp = s.post(f"{base}/accounts/login/", {"username": username, "password": PASSWORD}, headers=headers)
    tally.add("login", resp, (200, 302))
    headers = {"X-CSRFToken": s.cookies.get("csrftoken") or "", "Referer": base, "HX-Request": "true"}
    for r in range(ROUNDS):
        resp = s.post(
            f"{base}/episodes/{episode}/workbench/trial/",
            {"candidate": "neural_rll", "m_pain_run": str(3 + r % 4)},
            headers=headers,
            timeout=120,
        )
        if tally.add("trial", resp, (200,)):
            with tally.lock:
                tally.trials += 1
        tally.add("workbench", s.get(f"{base}/episodes/{episode}/workbench/", timeout=120), (200,))
        if r % 2 == 0:
            files = {"file": ("case.yaml", SEED.read_bytes())}
            resp = s.post(
                f"{base}/import/", {"ref": f"imp-{index}-{r}"}, files=files, headers={**headers, "HX-Request": ""}
            )
            if tally.add("import", resp, (200, 302)):
                with tally.lock:
                    tally.imports += 1


def test_twenty_clients_mixing_logins_trials_and_imports(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "kinetrace.web", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    run = uuid.uuid4().hex[:8]
    users = [line.split() for line in _py(SETUP, env, run, str(CLIENTS), PASSWORD, str(SEED)).splitlines()]
    before = [int(x) for x in _py(COUNT, env, run).split()]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kinetrace.web.wsgi", "-b", f"127.0.0.1:{port}", "-w", "4", "-t", "120"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    tally = Tally()
    try:
        _wait_for(base)
        threads = [
            threading.Thread(target=_client, args=(base, u, int(ep), tally, run, i)) for i, (u, ep) in enumerate(users)
        ]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=900)
        elapsed = time.monotonic() - t0
    finally:
        server.terminate()
        server.wait(timeout=60)
    trials, imports, failures = (
        a - b for a, b in zip([int(x) for x in _py(COUNT, env, run).split()], before, strict=True)
    )
    print(f"soak: {tally.requests} requests by {CLIENTS} clients in {elapsed:.1f} s, errors {len(tally.errors)}")
    assert not tally.errors, tally.errors[:5]
    assert (trials, imports, failures) == (tally.trials, tally.imports, 3), "lost writes"
    assert tally.trials == CLIENTS * ROUNDS


def _wait_for(base: str) -> None:
    import requests

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/accounts/login/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.5)
    raise AssertionError("the server did not start")


def test_the_soak_parameters_are_the_issue_targets() -> None:
    assert CLIENTS == 20 and re.match(r"\d", str(ROUNDS))
