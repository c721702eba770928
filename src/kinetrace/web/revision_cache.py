"""What the web app computes from an episode, cached per process under the episode's revision.

Every change bumps the revision (:func:`kinetrace.web.actions.audit`), so a cached value is never
stale: the next read after a write computes afresh. The workbench state, the live preview's base
and the exam panel's data all go through :func:`per_revision`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from kinetrace.web import models as m

T = TypeVar("T")


def cache_seconds() -> int:
    """Seconds a computed value stays cached (setting ``KINETRACE_WORKBENCH_CACHE_SECONDS``;
    0 recomputes on every request)."""
    return int(getattr(settings, "KINETRACE_WORKBENCH_CACHE_SECONDS", 3600))


def per_revision(what: str, episode: m.Episode, compute: Callable[[], T], *, also: str = "") -> T:
    """``compute()`` once per (``what``, episode revision, ``also``), then from the cache."""
    seconds = cache_seconds()
    key = f"kinetrace:{what}:{episode.cache_key}:{also}"
    value: T | None = cache.get(key) if seconds else None
    if value is None:
        value = compute()
        if seconds:
            cache.set(key, value, seconds)
    return value
