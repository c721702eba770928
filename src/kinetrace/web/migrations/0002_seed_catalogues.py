"""Seed the catalogues: marker tests from the core catalogue, interventions, the advice library."""
# ruff: noqa: RUF012 - Django's declarative Meta/admin/migration class attributes are lists by convention

from django.db import migrations


def seed(apps, schema_editor):
    from kinetrace.web.seed import seed_catalogues

    seed_catalogues(
        apps.get_model("clinic", "MarkerTest"),
        apps.get_model("clinic", "Intervention"),
        apps.get_model("clinic", "AdviceItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
