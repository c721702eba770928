"""The clinic's active learned engine model (a read; fitting and switching are in web/actions.py)."""

from __future__ import annotations

from kinetrace.learning import Model, ModelError, model_from_dict
from kinetrace.web import models as m


def active_clinic_model(clinic: m.Clinic) -> Model | None:
    """The clinic's active model, or None: the shipped defaults apply."""
    row = m.ClinicModel.objects.filter(clinic=clinic, active=True).first()
    if row is None:
        return None
    try:
        return model_from_dict(row.document)
    except ModelError:
        return None
