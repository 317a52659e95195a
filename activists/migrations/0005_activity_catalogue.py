"""The engage-locally catalogue of low-threshold activities from seed 000, which admins then edit."""

from django.db import migrations


def add(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("activists", "0004_default_welcome_series")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
