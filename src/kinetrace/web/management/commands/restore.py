"""``kinetrace web restore FILE``: replace the database with a backup from ``kinetrace web backup``.

Stop the app and the task worker first. SQLite: the backup's pages are copied over the live
database (online backup API, reversed). PostgreSQL: ``pg_restore --clean --if-exists``.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kinetrace.web.management.commands.backup import pg_args, pg_tool


def _check_sqlite_backup(path: Path) -> sqlite3.Connection:
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise CommandError(f"{path}: not an SQLite database ({exc})") from None
    if not {"django_migrations", "clinic_episode"} <= tables:
        src.close()
        raise CommandError(f"{path}: not a Kinetrace database backup (no clinic tables)")
    return src


class Command(BaseCommand):
    help = "Restore the database from a backup FILE (made by `kinetrace web backup`). Stop the app first."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        if not options["yes"] and input(f"Replace the database {connection.settings_dict['NAME']}? [y/N] ") != "y":
            raise CommandError("not restored")
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            src = _check_sqlite_backup(source)
            try:
                src.backup(connection.connection)
            finally:
                src.close()
        elif connection.vendor == "postgresql":
            conn_args, env = pg_args()
            connection.close()
            cmd = [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *conn_args]
            out = subprocess.run([*cmd, str(source)], env=env, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                raise CommandError(f"pg_restore failed: {out.stderr.strip()[:500]}")
        else:
            raise CommandError(f"no restore for the {connection.vendor} database")
        self.stdout.write(f"restored from {source}")
