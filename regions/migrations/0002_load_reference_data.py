from django.db import migrations


def load(apps, schema_editor):
    from regions import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
