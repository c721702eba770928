"""Views: parse and check input, call :mod:`kinetrace.web.actions` to write, render templates.

Every episode view goes through :func:`episode_view`, which fetches the episode with
:func:`kinetrace.web.access.get_episode_for_user` (404 outside the user's clinic) *before* it
looks at the HTTP method, so another clinic's record is a 404 whatever the request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from kinetrace.web.access import get_episode_for_user, get_patient_for_user, is_clinic_admin, membership_of
from kinetrace.web.actions import record_denied

View = Callable[..., HttpResponse]


def _audited(request: HttpRequest, fetch: Callable[..., Any], ident: Any, *, what: str, **kwargs: Any) -> Any:
    """Fetch through :mod:`kinetrace.web.access`; a 404 (another clinic's id, or none) is audited as denied."""
    try:
        return fetch(request.user, ident, **kwargs)
    except Http404:
        record_denied(request.user, f"{request.method} {what}", f"{what} {ident}")
        raise


def clinic_view(methods: tuple[str, ...] = ("GET",), *, admin: bool = False) -> Callable[[View], View]:
    """A logged-in view of the user's clinic (``admin``: clinic admins only)."""

    def deco(fn: View) -> View:
        @login_required
        @wraps(fn)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            membership_of(request.user)
            if admin and not is_clinic_admin(request.user):
                record_denied(request.user, "admin_only", request.path[:200])
                raise PermissionDenied("clinic admins only")
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return fn(request, **kwargs)

        return wrapper

    return deco


def patient_view(methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    def deco(fn: View) -> View:
        @login_required
        @wraps(fn)
        def wrapper(request: HttpRequest, patient_id: int, **kwargs: Any) -> HttpResponse:
            patient = _audited(request, get_patient_for_user, patient_id, what="patient")
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return fn(request, patient, **kwargs)

        return wrapper

    return deco


def episode_view(methods: tuple[str, ...] = ("GET",), *, full: bool = False) -> Callable[[View], View]:
    """Fetch the episode in the user's clinic (404 otherwise), then check the method."""

    def deco(fn: View) -> View:
        @login_required
        @wraps(fn)
        def wrapper(request: HttpRequest, episode_id: int, **kwargs: Any) -> HttpResponse:
            episode = _audited(request, get_episode_for_user, episode_id, what="episode", full=full)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return fn(request, episode, **kwargs)

        return wrapper

    return deco


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
