"""The clinic's learned engine model: fit it from confirmed episodes, read its report, switch it.

Clinic admins only. GET shows the models and their reports (a read: audited as one, changes
nothing); POST ``action=fit`` fits a new version (switched off), ``action=activate`` with
``model`` switches one on, ``action=deactivate`` goes back to the shipped defaults. Every change
goes through :mod:`kinetrace.web.actions` (atomic, audited).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kinetrace.web import actions
from kinetrace.web import models as m
from kinetrace.web.access import clinic_of, episodes_for
from kinetrace.web.views import clinic_view


@clinic_view(("GET", "POST"), admin=True)
def learning(request: HttpRequest) -> HttpResponse:
    """The clinic's models, newest first, with the confirmed episodes available to fit on."""
    problems: list[str] = []
    if request.method == "POST":
        problems = _post(request)
        if not problems:
            return redirect("learning")
    clinic = clinic_of(request.user)
    actions.record_read(request.user, None, "view_learning", "")
    ctx = {
        "models": m.ClinicModel.objects.filter(clinic=clinic),
        "confirmed": episodes_for(request.user).exclude(confirmed_driver="").count(),
        "problems": problems,
    }
    return render(request, "web/learning.html", ctx, status=400 if problems else 200)


def _post(request: HttpRequest) -> list[str]:
    action = request.POST.get("action", "")
    try:
        if action == "fit":
            actions.do_fit_clinic_model(request.user)
        elif action == "activate":
            raw = request.POST.get("model", "")
            if not raw.isdigit():
                return [f"model: {raw[:20]!r} is not a model number"]
            actions.do_set_clinic_model(request.user, int(raw))
        elif action == "deactivate":
            actions.do_set_clinic_model(request.user, None)
        else:
            return [f"action: {action[:20]!r}; allowed: fit, activate, deactivate"]
    except actions.ActionError as exc:
        return exc.problems
    return []
