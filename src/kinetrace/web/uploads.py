"""Uploads: the size limit enforced while the request body is read, and file types told by content.

:class:`LimitedUploadHandler` (first in ``FILE_UPLOAD_HANDLERS``) counts the bytes of every
uploaded file as they arrive and stops the upload as soon as the route's limit is passed, so
an oversized file is never read whole (into memory or a temporary file). The limit of a route
is ``KINETRACE_UPLOAD_LIMITS[url_name]`` or ``KINETRACE_UPLOAD_MAX_BYTES``.
:class:`UploadLimitMiddleware` turns a stopped upload into a clear ``413`` page. (A case file's
type is told from its content by :mod:`kinetrace.case.bounded`, never from its name.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse


def upload_limit(request: HttpRequest) -> int:
    """The largest upload (bytes) the requested route accepts."""
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "url_name", None) or ""
    limits: dict[str, int] = getattr(settings, "KINETRACE_UPLOAD_LIMITS", {})
    return int(limits.get(name, settings.KINETRACE_UPLOAD_MAX_BYTES))


class LimitedUploadHandler(FileUploadHandler):
    """Passes chunks on to the next handler; stops the upload once the route's limit is passed."""

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.limit = upload_limit(self.request) if self.request is not None else settings.KINETRACE_UPLOAD_MAX_BYTES
        self.received = 0
        if content_length and content_length > self.limit + 64 * 1024:  # the form fields' share
            self._stop()

    def _stop(self) -> None:
        if self.request is not None:
            self.request.upload_refused = self.limit  # type: ignore[attr-defined]

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.request is not None and getattr(self.request, "upload_refused", None):
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._stop()
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class UploadLimitMiddleware:
    """An upload stopped by :class:`LimitedUploadHandler` answers 413 with the limit named."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        limit = getattr(request, "upload_refused", None)
        if limit:
            mib = limit / 2**20
            text = f"file: larger than {mib:g} MiB (the limit for this upload); nothing was stored\n"
            return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
        return response
