"""Backup and restore round-trip every episode exactly (SQLite online backup; pg_dump/pg_restore)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kinetrace.web.casefile import episode_to_case
from kinetrace.web.models import AuditEvent, Episode

pytestmark = pytest.mark.django_db(transaction=True)


def _exports() -> dict[int, dict[str, Any]]:
    return {ep.pk: episode_to_case(ep).to_dict() for ep in Episode.objects.all()}


def test_backup_then_restore_into_an_emptied_database_gives_every_episode_back(
    world: dict[str, Any], make_episode: Any, tmp_path: Path
) -> None:
    make_episode(world["a"], ref="second")
    before = _exports()
    audit_rows = AuditEvent.objects.count()
    assert len(before) == 3
    backup = tmp_path / "kinetrace.backup"
    call_command("backup", str(backup))
    assert backup.stat().st_size > 0 and oct(backup.stat().st_mode)[-3:] == "600"
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(backup))

    call_command("flush", "--noinput")  # a fresh, empty database
    assert Episode.objects.count() == 0
    call_command("restore", str(backup), "--yes")
    assert _exports() == before
    assert AuditEvent.objects.count() == audit_rows


def test_restore_refuses_a_file_that_is_not_a_backup(db: Any, tmp_path: Path) -> None:
    bogus = tmp_path / "x.backup"
    bogus.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), "--yes")
