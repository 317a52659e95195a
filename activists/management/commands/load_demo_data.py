import time

from django.core.management.base import BaseCommand, CommandError

from activists import demo_data


class Command(BaseCommand):
    help = (
        "Load demo data (regional staff, about 70 groups, about 600 people; demo accounts share the password "
        "settings.DEMO_PASSWORD). Only with DEBUG on; does nothing when the demo data is already there."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            counts = demo_data.load()
        except demo_data.DemoDataRefused as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{key}: {value}" for key, value in counts.items() if key != "loaded")
        if counts["loaded"]:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s. {summary}"))
        else:
            self.stdout.write(f"Demo data is already loaded ({demo_data.MARKER_EMAIL} exists). {summary}")
