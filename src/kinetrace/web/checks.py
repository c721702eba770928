"""Django system checks for the shipped knowledge: ``manage.py check`` fails on a broken file.

Runs the same E-coded loader as ``kinetrace check`` (:func:`kinetrace.knowledge.checks.check_knowledge`);
every problem becomes a Django ``Error`` with the same id (``kinetrace.E0xx``), and a figure with no
verification status is an error too.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.compatibility, "kinetrace_knowledge")
def knowledge_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The knowledge files' E-coded problems as Django system-check errors."""
    from kinetrace.knowledge.checks import check_knowledge

    problems, verification = check_knowledge()
    errors: list[CheckMessage] = [Error(p.message, hint=p.where, obj=p.where, id=p.id) for p in problems]
    missing = [i.where for i in verification.items if i.status is None]
    if missing:
        errors.append(
            Error(
                f"{len(missing)} figure(s) without a verification status", hint=", ".join(missing), id="kinetrace.E013"
            )
        )
    return errors
