"""Importing the member register: the CRM's CSV export, upserted into people by membership number.

The CRM is the register; the portal mirrors it. A cell the CRM leaves empty means "the CRM does not
know", so it never clears what the portal has (a person may have given the portal a phone number
the CRM lacks); a column missing from the file is not touched at all.

A status that differs from the portal's is recorded as a MembershipEvent with the date it took
effect; a new person starts with the status and dates of the file and no event.

The whole import is one transaction. A preview (dry run) runs the very same code and rolls back,
so its counts include everything the database would have said, duplicates within the file too.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activists import welcome
from activists.models import MembershipEvent, User, validate_birth_year
from activists.validators import normalise_phone
from amnesty_portal import audit
from regions.models import PostalCode

# Column names as the CRM writes them, and the spellings with Norwegian letters it may use.
MEMBERSHIP_NUMBER = "medlemsnummer"
COLUMNS = (
    MEMBERSHIP_NUMBER,
    "fornavn",
    "etternavn",
    "epost",
    "telefon",
    "fodselsar",
    "kjonn",
    "postnummer",
    "sprak",
    "status",
    "medlem_fra",
    "utmeldt_dato",
    "samtykke_epost",
)
COLUMN_ALIASES = {"fødselsår": "fodselsar", "kjønn": "kjonn", "språk": "sprak"}

STATUSES = {
    "betalende": User.Membership.PAYING,
    "utmeldt": User.Membership.LAPSED,
    "ikke-medlem": User.Membership.NON_MEMBER,
}
GENDERS = {
    "kvinne": User.Gender.WOMAN,
    "mann": User.Gender.MAN,
    "ikke-binær": User.Gender.NON_BINARY,
    "annet": User.Gender.OTHER,
    "ønsker ikke å oppgi": User.Gender.UNSPECIFIED,
}
LANGUAGES = {"nb": User.Language.NB, "en": User.Language.EN}
CONSENT = {"ja": True, "1": True, "true": True, "nei": False, "0": False, "false": False}

# Fields the import may set, fetched for the people a batch already has.
PERSON_FIELDS = (
    "membership_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "birth_year",
    "gender",
    "postal_code_id",
    "language",
    "membership_status",
    "member_since",
    "lapsed_on",
    "email_consent",
)

# A file of nothing but bad rows would otherwise give a page (and a list in memory) as long as
# the file; the count of rejected rows stays exact.
MAX_REPORTED_ERRORS = 1000
UPLOAD_DIR_NAME = "imports"
UPLOAD_MAX_AGE = datetime.timedelta(days=1)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
_CHUNK = 1 << 20
_MAX_HEADER = 1 << 16


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_not_shown: int = 0
    file_error: str = ""
    dry_run: bool = False

    @property
    def counts(self) -> dict:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "rejected": self.rejected}

    def add_error(self, line: int, column: str, message: str):
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(line, column, message))
        else:
            self.errors_not_shown += 1


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing of it is imported."""


@dataclass(slots=True)
class _Row:
    line: int
    number: str
    values: dict  # model field -> value, only for cells that had one
    status: str | None
    lapse_date: datetime.date | None


def import_members(*, actor, file, dry_run: bool = False, batch_size: int | None = None) -> ImportResult:
    """Import a CSV export of the member register (a path or a binary file). See the module docstring."""
    batch_size = batch_size or getattr(settings, "MEMBER_IMPORT_BATCH_SIZE", 2000)
    result = ImportResult(dry_run=dry_run)
    try:
        with _open_binary(file) as binary:
            encoding = _detect_encoding(binary)
            text = io.TextIOWrapper(binary, encoding=encoding, newline="")
            try:
                records = _Records(text)
                importer = _Importer(records.columns, result, actor)
                rows = importer.parse(records)
                with transaction.atomic():
                    for batch in iter(lambda: list(islice(rows, batch_size)), []):
                        importer.save(batch)
                    audit.record(actor=actor, action="members.imported", **result.counts)
                    # A batch reports its database checks after the next rows' own checks.
                    result.errors.sort(key=lambda error: error.line)
                    if dry_run:
                        transaction.set_rollback(True)
            finally:
                text.detach()  # the caller's file stays open
    except ImportFileError as exc:
        return ImportResult(file_error=str(exc), dry_run=dry_run)
    return result


# --- Reading the file -------------------------------------------------------------------------


@contextlib.contextmanager
def _open_binary(file):
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            yield handle
    else:
        file.seek(0)
        yield file


def _detect_encoding(binary) -> str:
    """UTF-8 (a BOM is dropped) if the whole file decodes as such, else Windows-1252, else refuse."""
    start = binary.tell()
    first = binary.read(_CHUNK)
    if not first.strip():
        raise ImportFileError(_("The file is empty."))
    for encoding in ("utf-8-sig", "cp1252"):
        binary.seek(start)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := binary.read(_CHUNK):
                if b"\x00" in chunk:
                    raise ImportFileError(_("This is not a CSV file: it contains binary data."))
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        binary.seek(start)
        return encoding
    raise ImportFileError(
        _("The file is neither UTF-8 nor Windows-1252 text. Export it from the member register as CSV again.")
    )


def _canonical(name: str) -> str:
    name = unicodedata.normalize("NFC", name.strip().lower())
    return COLUMN_ALIASES.get(name, name)


class _Records:
    """The file's records after the header, as (first line number, cells); blank lines skipped."""

    def __init__(self, text):
        header_line = text.readline(_MAX_HEADER)
        # Excel in Norway writes ";", most other tools ","; the header says which this file uses.
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        try:
            header = next(csv.reader([header_line], delimiter=delimiter), [])
        except csv.Error:
            raise ImportFileError(_("The file's first line is not a CSV header.")) from None
        self.columns = {}
        for index, name in enumerate(header):
            key = _canonical(name)
            if key not in COLUMNS:
                continue
            if key in self.columns:
                raise ImportFileError(
                    _("The column “%(column)s” appears more than once in the header.") % {"column": name.strip()}
                )
            self.columns[key] = (index, name.strip())
        if MEMBERSHIP_NUMBER not in self.columns:
            raise ImportFileError(
                _(
                    "The file has no “%(column)s” column, so it cannot be matched to people. "
                    "Is it the export from the member register?"
                )
                % {"column": MEMBERSHIP_NUMBER}
            )
        self.width = len(header)
        self._reader = csv.reader(text, delimiter=delimiter)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        consumed = 1  # the header
        try:
            for cells in reader:
                line = consumed + 1
                consumed = 1 + reader.line_num
                if any(cell.strip() for cell in cells):
                    yield line, cells
        except csv.Error:
            raise ImportFileError(
                _("The file cannot be read as CSV near line %(line)s.") % {"line": consumed + 1}
            ) from None


# --- Parsing and saving -----------------------------------------------------------------------


def _unusable_password() -> str:
    # What make_password(None) returns, without its per-character random.choice (40 µs a row).
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _key(value: str) -> str:
    value = value.lower()
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def _parse_date(value: str) -> datetime.date:
    if "." in value:
        day, month, year = value.split(".")
    else:
        year, month, day = value.split("-")
    if len(year) != 4:
        raise ValueError(value)
    return datetime.date(int(year), int(month), int(day))


class _Importer:
    def __init__(self, columns: dict, result: ImportResult, actor=None):
        self.actor = actor
        self.indices = {key: index for key, (index, _label) in columns.items()}
        self.labels = {key: label for key, (_index, label) in columns.items()}
        self.result = result
        self.seen_numbers = set()
        self.birth_years = {}
        self.postal_codes = set(PostalCode.objects.values_list("code", flat=True))
        self.today = timezone.localdate()

    def parse(self, records: _Records) -> Iterator[_Row]:
        """The rows that passed every check needing no database; the others are counted and reported."""
        for line, cells in records:
            errors = []
            if len(cells) == records.width:
                row = self._parse_cells(line, cells, errors)
            else:
                message = _("This line has %(found)s fields; the header has %(expected)s.")
                errors.append(("", message % {"found": len(cells), "expected": records.width}))
            if errors:
                self.result.rejected += 1
                for column, message in errors:
                    self.result.add_error(line, column, message)
            else:
                yield row

    def _parse_cells(self, line: int, cells: list[str], errors: list) -> _Row | None:
        cell = {key: cells[index].strip() for key, index in self.indices.items()}.get
        values = {}

        def bad(key, message, **params):
            errors.append((self.labels[key], message % params if params else message))

        number = cell(MEMBERSHIP_NUMBER)
        if not number:
            bad(MEMBERSHIP_NUMBER, _("The membership number is missing."))
        elif len(number) > 20:
            bad(MEMBERSHIP_NUMBER, _("The membership number is longer than %(max)s characters."), max=20)
        elif number in self.seen_numbers:
            bad(MEMBERSHIP_NUMBER, _("Membership number %(number)s appeared on an earlier line."), number=number)
        else:
            self.seen_numbers.add(number)

        for key, name in (("fornavn", "first_name"), ("etternavn", "last_name")):
            if len(value := cell(key, "")) > 100:
                bad(key, _("This is longer than %(max)s characters."), max=100)
            elif value:
                values[name] = value

        if value := cell("epost", "").lower():
            try:
                if len(value) > 254:
                    raise ValidationError("too long")
                validate_email(value)
            except ValidationError:
                bad("epost", _("“%(value)s” is not a valid email address."), value=value)
            else:
                values["email"] = value

        if value := cell("telefon"):
            try:
                values["phone"] = normalise_phone(value)
            except ValidationError as exc:
                bad("telefon", exc.messages[0])

        if value := cell("fodselsar"):
            try:
                year = int(value)
            except ValueError:
                bad("fodselsar", _("“%(value)s” is not a year."), value=value)
            else:
                if problem := self._birth_year_problem(year):
                    bad("fodselsar", problem)
                else:
                    values["birth_year"] = year

        if value := cell("postnummer", "").replace(" ", ""):
            # Spreadsheets drop the leading zero of Oslo's codes (0150 becomes 150).
            code = value.zfill(4) if value.isdigit() else value
            if code in self.postal_codes:
                values["postal_code_id"] = code
            else:
                bad("postnummer", _("%(code)s is not a Norwegian postal code."), code=value)

        for key, name, choices in (
            ("kjonn", "gender", GENDERS),
            ("sprak", "language", LANGUAGES),
            ("samtykke_epost", "email_consent", CONSENT),
        ):
            if value := cell(key):
                try:
                    values[name] = choices[_key(value)]
                except KeyError:
                    bad(key, _("“%(value)s” is not one of %(choices)s."), value=value, choices=", ".join(choices))

        status = None
        if value := cell("status"):
            try:
                status = STATUSES[_key(value)]
            except KeyError:
                bad("status", _("“%(value)s” is not one of %(choices)s."), value=value, choices=", ".join(STATUSES))

        dates = {}
        for key in ("medlem_fra", "utmeldt_dato"):
            if value := cell(key):
                try:
                    dates[key] = _parse_date(value)
                except ValueError:
                    bad(key, _("“%(value)s” is not a date. Write it as YYYY-MM-DD or DD.MM.YYYY."), value=value)
        if "medlem_fra" in dates:
            values["member_since"] = dates["medlem_fra"]

        if errors:
            return None
        return _Row(line, number, values, status, dates.get("utmeldt_dato"))

    def _birth_year_problem(self, year: int) -> str:
        # A register has a few dozen distinct years; the model's rule asks for today's date each time.
        if year not in self.birth_years:
            try:
                validate_birth_year(year)
                self.birth_years[year] = ""
            except ValidationError as exc:
                self.birth_years[year] = exc.messages[0]
        return self.birth_years[year]

    def save(self, batch: list[_Row]):
        """Look the batch's people up in one query, then create and update them in bulk."""
        result = self.result
        existing = {
            person.membership_number: person
            for person in User.objects.filter(membership_number__in=[row.number for row in batch])
            .order_by()
            .only(*PERSON_FIELDS)
        }
        emails = {row.values["email"] for row in batch if "email" in row.values}
        email_owner = dict(User.objects.filter(email__in=emails).order_by().values_list("email", "membership_number"))
        new, changed, events, changed_fields = [], [], [], set()
        for row in batch:
            email = row.values.get("email")
            if email is not None:
                owner = email_owner.setdefault(email, row.number)
                if owner != row.number:
                    result.rejected += 1
                    result.add_error(
                        row.line,
                        self.labels["epost"],
                        _("The email address “%(email)s” already belongs to another person.") % {"email": email},
                    )
                    continue
            person = existing.get(row.number)
            if person is None:
                wanted = self._wanted(row, None, events)
                new.append(User(membership_number=row.number, password=_unusable_password(), **wanted))
                continue
            fields = set()
            for name, value in self._wanted(row, person, events).items():
                if getattr(person, name) != value:
                    setattr(person, name, value)
                    fields.add(name)
            if fields:
                changed.append(person)
                changed_fields.update(fields)
            else:
                result.unchanged += 1
        User.objects.bulk_create(new)
        if changed:
            User.objects.bulk_update(changed, sorted(changed_fields), batch_size=500)
        MembershipEvent.objects.bulk_create(
            MembershipEvent(person=person, status=status, effective_on=on, source=MembershipEvent.Source.IMPORT)
            for person, status, on in events
        )
        result.new += len(new)
        result.changed += len(changed)
        # New members get the welcome series (one INSERT a batch; members of long standing are left out).
        welcome.enrol(
            [(person.pk, person.member_since) for person in new if person.membership_status == User.Membership.PAYING]
            + [(person.pk, person.member_since) for person, status, _on in events if status == User.Membership.PAYING],
            today=self.today,
        )
        if events:
            # Lapsed officers lose their offices (seed 001, section 8); their groups are re-checked.
            from groups import services as group_services

            lapses = [(person, on) for person, status, on in events if status == User.Membership.LAPSED]
            group_services.membership_lapsed(actor=self.actor, lapses=lapses)
            group_services.membership_changed(person_ids=[person.pk for person, _status, _on in events])

    def _wanted(self, row: _Row, person: User | None, events: list) -> dict:
        """The field values the row asks for, for an existing person or (None) a new one; a status
        change of an existing person is added to `events` as (person, status, effective date)."""
        wanted = dict(row.values)
        current = person.membership_status if person else None
        status = row.status or current or User.Membership.NON_MEMBER
        if row.status and row.status != current:
            if row.status == User.Membership.LAPSED:
                effective_on = row.lapse_date or self.today
            else:
                effective_on = wanted.get("member_since") or self.today
            wanted["membership_status"] = row.status
            if row.status == User.Membership.LAPSED:
                wanted["lapsed_on"] = effective_on
            elif row.status == User.Membership.PAYING:
                wanted.setdefault("member_since", (person and person.member_since) or effective_on)
            # A new person's starting status and its dates are on the person itself; events record
            # the changes after that (and writing one per new person costs a sixth of a first import).
            if person:
                events.append((person, row.status, effective_on))
        if status == User.Membership.PAYING:
            wanted["lapsed_on"] = None
        elif row.lapse_date:
            wanted["lapsed_on"] = row.lapse_date
        return wanted


# --- The upload page: a preview of an uploaded file, then the import of the same file ----------


def preview_upload(*, actor, uploaded, replacing: str = "") -> tuple[str | None, ImportResult]:
    """Keep an uploaded file (instead of the one `replacing` names) and dry-run it. Returns the token
    naming the kept file (None if the file as a whole was refused: then nothing is kept) and the preview."""
    discard_upload(replacing)
    token = store_upload(uploaded)
    result = import_members(actor=actor, file=_upload_path(token), dry_run=True)
    if result.file_error:
        discard_upload(token)
        return None, result
    return token, result


def import_upload(*, actor, token: str) -> ImportResult | None:
    """Import a file kept by preview_upload, then delete it. None if there is no such file."""
    path = stored_upload(token)
    if path is None:
        return None
    try:
        return import_members(actor=actor, file=path)
    finally:
        path.unlink(missing_ok=True)


# --- Keeping an upload between the preview and the confirmation -------------------------------


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR_NAME


def _upload_path(token: str) -> Path:
    return _upload_dir() / f"{token}.csv"


def store_upload(uploaded) -> str:
    """Save an uploaded file under a random name; return the token that names it."""
    directory = _upload_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _purge_stale_uploads(directory)
    token = secrets.token_urlsafe(24)
    descriptor = os.open(_upload_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
    return token


def stored_upload(token: str) -> Path | None:
    """The stored file a token names, if the token is one of ours and the file is still there."""
    if not (isinstance(token, str) and _TOKEN.fullmatch(token)):
        return None
    path = _upload_path(token)
    return path if path.is_file() else None


def discard_upload(token: str):
    path = stored_upload(token)
    if path is not None:
        path.unlink(missing_ok=True)


def _purge_stale_uploads(directory: Path):
    # Register exports are personal data: a preview nobody confirmed must not stay on disk.
    cutoff = time.time() - UPLOAD_MAX_AGE.total_seconds()
    for path in directory.glob("*.csv"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
