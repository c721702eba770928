"""Request ids, error logging without patient data, client address, and the two-factor gate.

* :class:`RequestIdMiddleware` gives every request an id (``X-Request-ID`` response header);
  :class:`RequestIdFilter` and :class:`SafeFormatter` log a server error as one record with that
  id, the method, the route name and the exception's type and frames, and never the request
  body, query string or exception message (they can carry patient data).
* :func:`client_ip` is the address login throttling (django-axes) counts.
* :class:`TwoFactorMiddleware` sends a logged-in user who has a second factor but has not used
  it this session to the verification page, and a user of a clinic that requires 2FA but has
  none yet to the enrolment page.
"""

from __future__ import annotations

import contextvars
import logging
import secrets
import traceback
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("kinetrace_request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = secrets.token_hex(8)
        request.request_id = rid  # type: ignore[attr-defined]
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id``, ``method`` and ``route`` to a record; drops the request object itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or _request_id.get()
        record.method = getattr(request, "method", "-")
        match = getattr(request, "resolver_match", None)
        record.route = getattr(match, "route", None) or "-"
        if hasattr(record, "request"):
            record.request = None
        return True


class SafeFormatter(logging.Formatter):
    """One record, no message text from the request or the exception (type and frames only)."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", "-")
        head = f"{self.formatTime(record)} {record.levelname} {record.name} request_id={rid}"
        if record.name == "django.request":
            status = getattr(record, "status_code", "")
            head += f" {getattr(record, 'method', '-')} route={getattr(record, 'route', '-')} status={status}"
        else:
            head += " " + record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, exc, tb = record.exc_info
            frames = "".join(traceback.format_tb(tb))
            head += f"\n{frames}{exc_type.__module__}.{exc_type.__qualname__}: (message withheld)"
        return head


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the last ``X-Forwarded-For`` hop behind a trusted proxy."""
    if getattr(settings, "TRUSTED_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return str(hops[-1])
    return str(request.META.get("REMOTE_ADDR", ""))


#: Session key caching whether the user has a confirmed second factor (set at login and enrolment).
HAS_DEVICE = "kinetrace_has_2fa_device"


def has_device(request: HttpRequest) -> bool:
    """Whether the user has a confirmed 2FA device (cached in the session: two queries once per login)."""
    from django_otp import user_has_device

    cached = request.session.get(HAS_DEVICE)
    if cached is None:
        cached = user_has_device(request.user, confirmed=True)
        request.session[HAS_DEVICE] = cached
    return bool(cached)


def needs_second_factor(request: HttpRequest) -> str | None:
    """``"verify"`` when the user must enter a code this session, ``"enrol"`` when 2FA must be set up."""
    from django.core.exceptions import PermissionDenied

    from kinetrace.web.access import membership_of

    user: Any = request.user
    if not getattr(user, "is_authenticated", False) or user.is_verified():
        return None
    if has_device(request):
        return "verify"
    try:
        membership = membership_of(user)
    except PermissionDenied:
        return None
    return "enrol" if membership.clinic.require_2fa else None


class TwoFactorMiddleware:
    """Every page but login, logout, static files and the 2FA pages needs the second factor when due."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):  # bearer tokens, not sessions
            return self.get_response(request)
        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            return self.get_response(request)
        due = None if name in settings.KINETRACE_2FA_EXEMPT_URLS else needs_second_factor(request)
        if due == "verify":
            return redirect(f"/accounts/2fa/verify/?{urlencode({'next': request.path})}")
        if due == "enrol":
            return redirect("account_2fa")
        return self.get_response(request)


def _remember_device(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """At login, cache in the session whether the user has a second factor (no query on each page)."""
    from django_otp import user_has_device

    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE] = user_has_device(user, confirmed=True)


def connect_signals() -> None:
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_remember_device, dispatch_uid="kinetrace-2fa-device")
