"""Background work cannot hang: any error fails the row and its task; a killed worker is detected."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kinetrace.web.models import VideoAnalysis


@pytest.fixture
def episode(make_clinic: Any, make_user: Any, make_episode: Any, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    clinic = make_clinic()
    make_user(clinic, "alice")
    return make_episode(clinic)


def _row(episode: Any, **fields: Any) -> VideoAnalysis:
    return VideoAnalysis.objects.create(
        episode=episode, kind="gait", view="side", file=SimpleUploadedFile("x.mp4", b"\x00" * 64), **fields
    )


@pytest.mark.django_db
def test_any_exception_fails_the_row_and_the_task_without_its_text(episode: Any, settings: Any) -> None:
    from kinetrace.web.tasks import analyse_video

    settings.KINETRACE_POSE_BACKEND = "tests.web._slow_backend.failing_backend"
    row = _row(episode)
    with pytest.raises(RuntimeError):
        analyse_video.call(row.pk)
    row.refresh_from_db()
    assert row.status == VideoAnalysis.FAILED and "RuntimeError" in row.error
    assert "P-SECRET" not in row.error and row.finished is not None


@pytest.mark.django_db
def test_a_stale_running_row_is_failed_and_the_page_stops_polling(client: Any, episode: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from kinetrace.web.tasks import reap_stale_videos

    old = timezone.now() - dt.timedelta(seconds=600)
    stale = _row(episode, status=VideoAnalysis.RUNNING, heartbeat=old)
    alive = _row(episode, status=VideoAnalysis.RUNNING, heartbeat=timezone.now())
    assert reap_stale_videos(120) == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == VideoAnalysis.FAILED and "worker ended" in stale.error
    assert alive.status == VideoAnalysis.RUNNING
    client.force_login(episode.patient.clinic.memberships.first().user)
    page = client.get(f"/episodes/{episode.pk}/videos/{stale.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in page and "worker ended" in page


def _env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "kt_hanging_backend.py").write_text((Path(__file__).parent / "_slow_backend.py").read_text())
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PYTEST_VERSION"}}
    env.update(
        KINETRACE_DEBUG="1",
        KINETRACE_VAR_DIR=str(tmp_path),
        PYTHONPATH=f"{tmp_path}{os.pathsep}{env.get('PYTHONPATH', '')}",
        KINETRACE_POSE_BACKEND="kt_hanging_backend.hanging_backend",
    )
    return env


SETUP = """
import django; django.setup()
from django.core.files.base import ContentFile
from kinetrace.web.models import Clinic, Patient, Episode, VideoAnalysis
from kinetrace.web.tasks import analyse_video
c = Clinic.objects.create(slug="k", name="K"); p = Patient.objects.create(clinic=c, ref="P-1")
e = Episode.objects.create(patient=p)
row = VideoAnalysis(episode=e, kind="gait", view="side"); row.file.save("x.mp4", ContentFile(b"0" * 64))
result = analyse_video.enqueue(row.pk); VideoAnalysis.objects.filter(pk=row.pk).update(task_id=str(result.id))
print(row.pk)
"""

STATUS = """
import django, sys; django.setup()
from kinetrace.web.models import VideoAnalysis
from django_tasks_db.models import DBTaskResult
row = VideoAnalysis.objects.get(pk=int(sys.argv[1]))
print(row.status, DBTaskResult.objects.get(id=row.task_id).status)
"""


def _py(code: str, env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**env, "DJANGO_SETTINGS_MODULE": "kinetrace.web.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return out.stdout.strip()


def _workers_of(var_dir: Path) -> list[int]:
    """Pids of db_worker processes running for this test's var dir (Linux /proc)."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes()
        except OSError:  # gone, or not ours to read
            continue
        if b"db_worker" in cmd and f"KINETRACE_VAR_DIR={var_dir}\0".encode() in env + b"\0":
            pids.append(int(proc.name))
    return pids


@pytest.mark.slow
def test_kill_9_of_the_worker_mid_task_is_detected_and_failed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    web = [sys.executable, "-m", "kinetrace.web"]
    subprocess.run([*web, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300)
    video_id = _py(SETUP, env)
    worker = subprocess.Popen(
        # --no-reload: with DEBUG on, the worker would run as the child of an autoreloader, and the kill
        # below would hit the reloader and leave the real worker running (as the test once did)
        [*web, "db_worker", "--no-startup-delay", "--no-reload", "-v", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while _py(STATUS, env, video_id).split()[0] != "running":
            assert time.monotonic() < deadline, "the worker never started the task"
            time.sleep(0.5)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    left = _workers_of(tmp_path)
    for pid in left:  # never leave a worker behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, "the killed worker's task is still being run by another process"
    assert _py(STATUS, env, video_id) == "running RUNNING"  # what a killed worker leaves behind
    time.sleep(1.5)
    subprocess.run([*web, "reap_tasks", "--lease", "1"], env=env, check=True, timeout=120, capture_output=True)
    assert _py(STATUS, env, video_id) == "failed FAILED"
