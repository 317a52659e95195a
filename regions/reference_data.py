"""Loads Norway's reference data (regions/data/*.csv, see SOURCES.md there) idempotently.

Used by the data migration and by `manage.py load_reference_data` (after a refresh of the files).
"""

import csv
from pathlib import Path

from django.utils.text import slugify

DATA_DIR = Path(__file__).resolve().parent / "data"

# The default mapping of counties to regions (by county number); admins may change it.
DEFAULT_REGIONS = {
    "Oslo": {"office": "0301", "counties": ["03", "32", "31", "33", "34", "39", "40"]},
    "Bergen": {"office": "4601", "counties": ["46"]},
    "Stavanger": {"office": "1103", "counties": ["11", "42"]},
    "Trondheim": {"office": "5001", "counties": ["50", "15"]},
    "Tromsø": {"office": "5501", "counties": ["18", "55", "56"]},
}


def _rows(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def load(apps=None, *, assign_regions: bool = True) -> dict:
    """Upsert counties, municipalities, postal codes and the five regions. Returns counts."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    County = apps.get_model("regions", "County")
    Municipality = apps.get_model("regions", "Municipality")
    PostalCode = apps.get_model("regions", "PostalCode")
    Region = apps.get_model("regions", "Region")

    municipalities = list(_rows("municipalities.csv"))
    counties = {row["county_number"]: row["county_name"] for row in municipalities}
    County.objects.bulk_create(
        [County(number=number, name=name) for number, name in counties.items()],
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=["name"],
    )
    Municipality.objects.bulk_create(
        [
            Municipality(
                number=row["kommunenummer"],
                name=row["name"],
                official_name=row["name_official"],
                county_id=row["county_number"],
                centrality=int(row["centrality_class"]),
            )
            for row in municipalities
        ],
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=["name", "official_name", "county", "centrality"],
    )
    known = {row["kommunenummer"] for row in municipalities}
    postal_codes = [
        PostalCode(
            code=row["postnummer"],
            place=row["poststed"],
            municipality_id=row["kommunenummer"] if row["kommunenummer"] in known else None,
            category=row["category"],
        )
        for row in _rows("postal_codes.csv")
    ]
    PostalCode.objects.bulk_create(
        postal_codes,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["place", "municipality", "category"],
        batch_size=1000,
    )
    if assign_regions:
        for name, spec in DEFAULT_REGIONS.items():
            region, created = Region.objects.get_or_create(
                slug=slugify(name.replace("ø", "o")), defaults={"name": name, "office_municipality_id": spec["office"]}
            )
            # Only counties without a region get the default: an admin's change is kept.
            County.objects.filter(number__in=spec["counties"], region__isnull=True).update(region=region)
    return {
        "counties": len(counties),
        "municipalities": len(municipalities),
        "postal_codes": len(postal_codes),
        "regions": Region.objects.count(),
    }
