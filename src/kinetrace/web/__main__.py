"""``python -m kinetrace.web <command>``: Django's manage.py for the Kinetrace web app."""

from __future__ import annotations

import os
import sys


def settings_problem() -> str | None:
    """The one-line reason the settings cannot load (e.g. no secret key), or None."""
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinetrace.web.settings")
    from django.core.management import execute_from_command_line

    problem = settings_problem()
    if problem:
        print(f"kinetrace web: {problem}", file=sys.stderr)
        sys.exit(2)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
