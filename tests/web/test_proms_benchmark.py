"""Server time of the tablet PROM pages (Django test client, SQLite): `pytest tests/web/test_proms_benchmark.py`.

A benchmark, not a timed assertion: the figures are read from pytest-benchmark's table.
"""

from __future__ import annotations

from typing import Any

import pytest

from kinetrace.web.models import PromResponse


@pytest.fixture
def ready(client: Any, make_clinic: Any, make_user: Any, make_episode: Any) -> tuple[Any, Any, Any]:
    clinic = make_clinic()
    client.force_login(make_user(clinic, "alice"))
    ep = make_episode(clinic)
    return client, ep, ep.sessions.first()


def test_prom_form_get(benchmark: Any, ready: tuple[Any, Any, Any]) -> None:
    client, ep, s1 = ready
    resp = benchmark(client.get, f"/episodes/{ep.pk}/sessions/{s1.pk}/proms/odi/")
    assert resp.status_code == 200 and b"Item 10" in resp.content


def test_prom_save_odi_items(benchmark: Any, ready: tuple[Any, Any, Any]) -> None:
    client, ep, s1 = ready
    data = {f"item_{n}": "2" for n in range(1, 11)}
    resp = benchmark(client.post, f"/episodes/{ep.pk}/sessions/{s1.pk}/proms/odi/", data)
    assert resp.status_code == 302 and PromResponse.objects.filter(instrument="odi", score=40).exists()


def test_prom_chart_page(benchmark: Any, ready: tuple[Any, Any, Any]) -> None:
    client, ep, _ = ready
    for s in ep.sessions.all():
        client.post(f"/episodes/{ep.pk}/sessions/{s.pk}/proms/lefs/", {"total": "40"})
    resp = benchmark(client.get, f"/episodes/{ep.pk}/proms/")
    assert resp.status_code == 200 and b'class="mcid-band"' in resp.content
