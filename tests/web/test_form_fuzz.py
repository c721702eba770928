"""A form fuzzer over every POST route of the app: hostile values never give a server error.

The routes come from the URLconf (``test_isolation.ROUTES``), so a form added later is fuzzed
too; the field names are every ``name="..."`` of the app's pages (the union), sent to every
route, with each hostile value: empty, huge, non-finite and huge numbers, control characters,
markup, and duplicated fields. Nothing non-finite may reach the database.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from django.test import Client

from .test_isolation import PROTECTED, _is_api, _params, _url

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HOSTILE: dict[str, Any] = {
    "empty": "",
    "huge": "x" * 100_000,
    "nan": "nan",
    "inf": "inf",
    "-inf": "-Infinity",
    "1e308": "1e308",
    "huge int": "9" * 5000,
    "control": "a\x00b\x1b[31m\r\nX-Injected: 1",
    "markup": "<script>alert(1)</script>",
}
PAGES = ("episode", "exam", "workbench", "sessions", "patient_new", "import", "videos", "account")
NAME = re.compile(r'name="([A-Za-z0-9_\-]+)"')


def _field_names(client: Client, params: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for name, route in PROTECTED:
        if name in PAGES:
            names |= set(NAME.findall(client.get(_url(route, params)).content.decode()))
    return names - {"csrfmiddlewaretoken"}


def test_no_form_gives_a_server_error_whatever_it_is_sent(world: dict[str, Any]) -> None:
    from kinetrace.web.models import Marker, Measurement, TrialValue

    client = Client(raise_request_exception=False)
    client.force_login(world["a_admin"])
    params = _params(world, "a")
    fields = _field_names(client, params)
    assert len(fields) >= 15, fields
    failures = []
    sent = 0
    posts = [(n, r) for n, r in PROTECTED if not _is_api(n)]
    for label, value in HOSTILE.items():
        payloads = [dict.fromkeys(fields, value), {f: [value, "1"] for f in fields}]  # duplicated fields too
        for name, route in posts:
            for data in payloads:
                resp = client.post(_url(route, params), data, HTTP_HX_REQUEST="true")
                sent += 1
                if resp.status_code >= 500:
                    failures.append((name, label, resp.status_code))
    assert not failures, failures[:10]
    assert sent >= 200
    values = [
        *Marker.objects.values_list("baseline", flat=True),
        *Measurement.objects.values_list("value", flat=True),
        *TrialValue.objects.values_list("value", flat=True),
    ]
    assert all(math.isfinite(v) and abs(v) <= 1e6 for v in values)
