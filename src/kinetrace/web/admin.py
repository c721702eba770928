"""Django admin: the catalogues (markers, interventions, advice library), clinics and memberships.

Clinical records are not edited here: they change only through :mod:`kinetrace.web.actions`.
"""
# ruff: noqa: RUF012 - Django's declarative Meta/admin/migration class attributes are lists by convention

from __future__ import annotations

from django.contrib import admin

from kinetrace.web import models as m


@admin.register(m.MarkerTest)
class MarkerTestAdmin(admin.ModelAdmin[m.MarkerTest]):
    list_display = ["code", "name", "unit", "better", "mdc", "active"]
    search_fields = ["code", "name"]
    list_filter = ["better", "active"]


@admin.register(m.Intervention)
class InterventionAdmin(admin.ModelAdmin[m.Intervention]):
    list_display = ["name", "finding_kind"]
    list_filter = ["finding_kind"]
    search_fields = ["name"]


@admin.register(m.AdviceItem)
class AdviceItemAdmin(admin.ModelAdmin[m.AdviceItem]):
    list_display = ["kind", "text", "source"]
    list_filter = ["kind"]
    search_fields = ["text"]


@admin.register(m.Clinic)
class ClinicAdmin(admin.ModelAdmin[m.Clinic]):
    list_display = ["name", "slug"]


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin[m.Membership]):
    list_display = ["user", "clinic", "role"]
    list_filter = ["clinic", "role"]
