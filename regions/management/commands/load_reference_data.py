from django.core.management.base import BaseCommand
from django.db import transaction

from regions import reference_data


class Command(BaseCommand):
    help = "Load (or refresh) counties, municipalities, postal codes and the five regions. Idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = reference_data.load()
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
