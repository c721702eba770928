"""Seed the catalogues: marker tests from the core catalogue, interventions, the advice library."""
# ruff: noqa: RUF012 - Django's declarative Meta/admin/migration class attributes are lists by convention

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from kinetrace.web.seed import seed_catalogues

    seed_catalogues(
        apps.get_model("clinic", "MarkerTest"),
        apps.get_model("clinic", "Intervention"),
        apps.get_model("clinic", "AdviceItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
