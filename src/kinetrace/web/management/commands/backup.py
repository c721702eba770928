"""``kinetrace web backup FILE``: a consistent copy of the database while the app runs.

SQLite: the online backup API (pages copied under a read lock; writers wait at most a moment).
PostgreSQL: ``pg_dump --format=custom``. Restore with ``kinetrace web restore FILE``. Uploaded
clips (``MEDIA_ROOT``) are files beside the database: copy that folder too.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: from PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[4]))
    if not candidates:
        raise CommandError(f"{name} not found (apt-get install postgresql-client)")
    return candidates[-1]


def pg_args() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment (password) for the PostgreSQL client tools."""
    s = connection.settings_dict
    args = ["-h", str(s.get("HOST") or "localhost"), "-p", str(s.get("PORT") or 5432), "-U", str(s.get("USER") or "")]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return [*args, "-d", str(s["NAME"])], env


class Command(BaseCommand):
    help = "Back up the database to FILE (SQLite online backup, or pg_dump custom format for PostgreSQL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["file"])
        if target.exists():
            raise CommandError(f"{target} exists; choose a new file name")
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            dest = sqlite3.connect(target)
            try:
                connection.connection.backup(dest)
            finally:
                dest.close()
        elif connection.vendor == "postgresql":
            conn_args, env = pg_args()
            cmd = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "-f", str(target), *conn_args]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                raise CommandError(f"pg_dump failed: {out.stderr.strip()[:500]}")
        else:
            raise CommandError(f"no backup for the {connection.vendor} database")
        os.chmod(target, 0o600)
        self.stdout.write(f"backup written: {target} ({target.stat().st_size} bytes)")
