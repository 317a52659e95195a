"""`manage.py import_members FILE [--dry-run]`: sync people from the member register's CSV export."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activists.member_import import import_members


class Command(BaseCommand):
    help = "Import the member register's CSV export: create and update people by membership number."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file exported from the member register.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would change, write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(_("%(file)s is not a file.") % {"file": file})
        result = import_members(actor=None, file=file, dry_run=dry_run)
        if result.file_error:
            raise CommandError(result.file_error)
        for error in result.errors:
            if error.column:
                line = _("Line %(line)s, column %(column)s: %(message)s")
            else:
                line = _("Line %(line)s: %(message)s")
            self.stdout.write(line % {"line": error.line, "column": error.column, "message": error.message})
        if result.errors_not_shown:
            count = result.errors_not_shown
            self.stdout.write(
                ngettext("%(count)s more error not shown.", "%(count)s more errors not shown.", count)
                % {"count": count}
            )
        summary = _("New: %(new)s, changed: %(changed)s, unchanged: %(unchanged)s, rejected: %(rejected)s.")
        self.stdout.write(summary % result.counts)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was saved."))
