"""``manage.py check`` runs the knowledge checks: a broken knowledge file fails it with its E-code."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from kinetrace.engine import atlas as atlas_module
from kinetrace.knowledge import catalogue, checks


def test_shipped_knowledge_passes_the_system_checks() -> None:
    assert [m for m in run_checks() if m.id and m.id.startswith("kinetrace.")] == []


def test_broken_knowledge_file_fails_manage_py_check(monkeypatch: pytest.MonkeyPatch) -> None:
    real = catalogue.load_yaml

    def broken(name: str) -> dict[str, Any]:
        data = copy.deepcopy(real(name))
        if name == "links.yaml":
            data["links"][0]["a"] = "elbowz"  # unknown region
        return data

    monkeypatch.setattr(checks, "load_yaml", broken)
    monkeypatch.setattr(atlas_module, "load_yaml", broken)
    ids = {m.id for m in run_checks()}
    assert "kinetrace.E003" in ids
    with pytest.raises(SystemCheckError, match=r"kinetrace\.E003.*elbowz"):
        call_command("check")
