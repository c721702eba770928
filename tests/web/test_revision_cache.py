"""Values cached per episode revision: computed once, afresh after a change, never with the cache off."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F

from kinetrace.web.models import Episode
from kinetrace.web.revision_cache import per_revision

pytestmark = pytest.mark.django_db


def test_computed_once_per_revision_and_again_after_a_change(make_clinic: Any, make_episode: Any) -> None:
    ep = make_episode(make_clinic())
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert per_revision("t", ep, compute) == per_revision("t", ep, compute) == 1
    assert per_revision("t", ep, compute, also="2026-12-03") == 2  # another key part, another value
    Episode.objects.filter(pk=ep.pk).update(revision=F("revision") + 1)  # what every action does
    ep.refresh_from_db()
    assert per_revision("t", ep, compute) == 3


def test_with_the_cache_off_every_call_computes(settings: Any, make_clinic: Any, make_episode: Any) -> None:
    settings.KINETRACE_WORKBENCH_CACHE_SECONDS = 0
    ep = make_episode(make_clinic())
    calls: list[int] = []
    per_revision("t", ep, lambda: calls.append(1))
    per_revision("t", ep, lambda: calls.append(1))
    assert len(calls) == 2
