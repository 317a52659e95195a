"""AiN's priority areas and the statutes version in force, so that criteria 1 and 3 can be checked
from the first day. Both are edited in the admin afterwards."""

import datetime

from django.db import migrations

PRIORITY_AREAS = [
    "Ytringsfrihet og retten til å protestere",
    "Kvinners rettigheter og seksualisert vold",
    "Flyktninger og migranter",
    "Urfolks rettigheter",
    "Klima og menneskerettigheter",
    "Diskriminering og rasisme",
    "Skeives rettigheter (lhbti+)",
    "Dødsstraff og tortur",
    "Menneskerettighetsforsvarere",
    "Teknologi og menneskerettigheter",
]

STATUTES = {
    "version": "2023",
    "published_on": datetime.date(2023, 6, 1),
    "summary": (
        "Gruppa stiller seg bak vedtektene til Amnesty International Norge og Amnesty International, "
        "Amnestys visjon om en verden der alle mennesker har alle menneskerettighetene i Verdenserklæringen "
        "og andre menneskerettighetsstandarder, og retningslinjene for grupper."
    ),
    "url": "https://amnesty.no/vedtekter",
}


def load(apps, schema_editor):
    PriorityArea = apps.get_model("groups", "PriorityArea")
    StatutesVersion = apps.get_model("groups", "StatutesVersion")
    for order, name in enumerate(PRIORITY_AREAS):
        PriorityArea.objects.get_or_create(name=name, defaults={"order": order})
    StatutesVersion.objects.get_or_create(version=STATUTES["version"], defaults=STATUTES)


class Migration(migrations.Migration):
    dependencies = [("groups", "0002_registration_criteria_follow_up")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
