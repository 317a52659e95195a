"""The member-register import: the service, the management command and the upload page."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from activists.member_import import COLUMNS, import_members
from activists.models import MembershipEvent, User
from amnesty_portal.models import AuditEvent

HEADER = list(COLUMNS)
KARI = ["1001", "Kari", "Nordmann", "Kari.Nordmann@Example.org", "412 34 567", "1980", "kvinne", "5003"]
KARI += ["nb", "betalende", "01.02.2015", "", "ja"]
OLA = ["1002", "Ola", "Hansen", "ola@example.org", "+47 98765432", "1975", "mann", "0150", "en"]
OLA += ["utmeldt", "2010-01-01", "2024-03-31", "nei"]
ASTRID = ["1003", "Astrid", "Ødegård", "", "", "", "ønsker ikke å oppgi", "9008", "", "ikke-medlem", "", "", ""]


def csv_bytes(*rows, header=HEADER, sep=";", encoding="utf-8"):
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(data, **kwargs):
    return import_members(actor=None, file=io.BytesIO(data), **kwargs)


def changed(row, **cells):
    row = list(row)
    for name, value in cells.items():
        row[HEADER.index(name)] = value
    return row


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English source messages; the portal's default language is Norwegian."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def secretariat(db):
    return User.objects.create_user(email="sekretariat@example.org", password="x-secret-9", is_secretariat=True)


@pytest.fixture
def volunteer(db):
    return User.objects.create_user(email="frivillig@example.org", password="x-secret-9")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- The service --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_valid_file_creates_people_with_every_field():
    result = run(csv_bytes(KARI, OLA, ASTRID))

    assert (result.new, result.changed, result.unchanged, result.rejected) == (3, 0, 0, 0)
    assert result.errors == [] and result.file_error == ""
    kari = User.objects.get(membership_number="1001")
    assert kari.email == "kari.nordmann@example.org"
    assert (kari.first_name, kari.last_name, kari.phone) == ("Kari", "Nordmann", "+4741234567")
    assert (kari.birth_year, kari.gender, kari.postal_code_id, kari.language) == (1980, "woman", "5003", "nb")
    assert kari.membership_status == User.Membership.PAYING
    assert kari.member_since == datetime.date(2015, 2, 1) and kari.lapsed_on is None
    assert kari.email_consent is True and kari.is_active is True
    assert not kari.has_usable_password()
    ola = User.objects.get(membership_number="1002")
    assert (ola.language, ola.postal_code_id, ola.email_consent) == ("en", "0150", False)
    astrid = User.objects.get(membership_number="1003")
    assert astrid.email is None and astrid.gender == User.Gender.UNSPECIFIED
    assert astrid.membership_status == User.Membership.NON_MEMBER and astrid.language == "nb"


@pytest.mark.django_db
def test_import_writes_one_audit_event_with_the_counts(secretariat):
    import_members(actor=secretariat, file=io.BytesIO(csv_bytes(KARI, OLA, changed(ASTRID, epost="nope"))))

    event = AuditEvent.objects.get()
    assert event.action == "members.imported" and event.actor == secretariat
    assert event.data == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 1}


@pytest.mark.django_db
def test_second_run_of_the_same_file_changes_nothing():
    data = csv_bytes(KARI, OLA, ASTRID)
    run(data)
    events = MembershipEvent.objects.count()

    result = run(data)

    assert (result.new, result.changed, result.unchanged, result.rejected) == (0, 0, 3, 0)
    assert MembershipEvent.objects.count() == events


@pytest.mark.django_db
def test_changed_row_updates_only_what_differs_and_empty_cells_erase_nothing():
    run(csv_bytes(KARI, OLA))
    User.objects.filter(membership_number="1001").update(first_name="Kari Anne")

    result = run(csv_bytes(changed(KARI, etternavn="Nordkvinne", telefon=""), OLA))

    assert (result.new, result.changed, result.unchanged) == (0, 1, 1)
    kari = User.objects.get(membership_number="1001")
    assert kari.last_name == "Nordkvinne"
    assert kari.first_name == "Kari"
    assert kari.phone == "+4741234567"


@pytest.mark.django_db
def test_columns_missing_from_the_file_are_left_alone():
    run(csv_bytes(KARI))

    result = run(csv_bytes(["1001", "Kari"], header=["Medlemsnummer ", " FORNAVN"]))

    assert result.unchanged == 1
    assert User.objects.get(membership_number="1001").email == "kari.nordmann@example.org"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("epost", "kari@", "is not a valid email address"),
        ("postnummer", "9999", "is not a Norwegian postal code"),
        ("fodselsar", "1850", "is not a plausible birth year"),
        ("fodselsar", "nitten", "is not a year"),
        ("telefon", "123", "is not a valid phone number"),
        ("status", "æresmedlem", "is not one of betalende, utmeldt, ikke-medlem"),
        ("kjonn", "hest", "is not one of kvinne, mann"),
        ("sprak", "de", "is not one of nb, en"),
        ("medlem_fra", "31.02.2020", "is not a date"),
        ("utmeldt_dato", "i fjor", "is not a date"),
        ("samtykke_epost", "kanskje", "is not one of ja"),
        ("medlemsnummer", "", "membership number is missing"),
    ],
)
@pytest.mark.django_db
def test_bad_value_is_reported_with_line_and_column_and_good_rows_still_import(column, value, message):
    result = run(csv_bytes(OLA, changed(KARI, **{column: value}), ASTRID))

    assert (result.new, result.rejected) == (2, 1)
    [error] = result.errors
    assert (error.line, error.column) == (3, column)
    assert message in error.message
    assert not User.objects.filter(first_name="Kari").exists()


@pytest.mark.django_db
def test_later_occurrences_of_a_membership_number_are_reported():
    result = run(csv_bytes(KARI, OLA, changed(KARI, fornavn="Karianne"), changed(KARI, fornavn="Kaja")))

    assert (result.new, result.rejected) == (2, 2)
    assert [(e.line, e.column) for e in result.errors] == [(4, "medlemsnummer"), (5, "medlemsnummer")]
    assert User.objects.get(membership_number="1001").first_name == "Kari"


@pytest.mark.django_db
def test_email_of_another_person_is_rejected(volunteer):
    result = run(csv_bytes(KARI, changed(OLA, epost="FRIVILLIG@example.org"), changed(ASTRID, epost=KARI[3])))

    assert (result.new, result.rejected) == (1, 2)
    assert [(e.line, e.column) for e in result.errors] == [(3, "epost"), (4, "epost")]
    assert "already belongs to another person" in result.errors[0].message


@pytest.mark.django_db
def test_email_taken_in_an_earlier_batch_is_rejected():
    result = run(csv_bytes(KARI, OLA, changed(ASTRID, epost=KARI[3])), batch_size=2)

    assert (result.new, result.rejected) == (2, 1)
    assert [(e.line, e.column) for e in result.errors] == [(4, "epost")]


@pytest.mark.django_db
def test_line_numbers_count_physical_lines():
    data = csv_bytes(changed(KARI, fornavn='"Kari\nAnne"'), changed(OLA, status="?"))
    data = data.replace(b"\r\n", b"\r\n\r\n", 1)  # a blank line after the header

    result = run(data)

    assert [(e.line, e.column) for e in result.errors] == [(5, "status")]
    assert User.objects.get(membership_number="1001").first_name == "Kari\nAnne"


@pytest.mark.django_db
def test_line_with_the_wrong_number_of_fields_is_rejected():
    result = run(csv_bytes(KARI, ["1002", "Ola"]))

    assert (result.new, result.rejected) == (1, 1)
    assert [(e.line, e.column) for e in result.errors] == [(3, "")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes(range(256)) * 20, "binary data"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)), "neither UTF-8 nor Windows-1252"),
        (csv_bytes(KARI[1:], header=HEADER[1:]), "no “medlemsnummer” column"),
        (csv_bytes(KARI, OLA) + b"1004;Bad\x81byte;;;;;;;;;;;\r\n", "neither UTF-8 nor Windows-1252"),
        (b"", "empty"),
        (csv_bytes(KARI, header=HEADER[:-1] + ["epost"]), "appears more than once"),
    ],
    ids=["binary", "png", "no-membership-number", "undecodable-byte-at-the-end", "empty", "duplicate-column"],
)
@pytest.mark.django_db
def test_unreadable_file_is_refused_with_one_message_and_writes_nothing(data, message):
    result = run(data)

    assert message in result.file_error
    assert (result.new, result.changed, result.rejected, result.errors) == (0, 0, 0, [])
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_file_that_breaks_the_csv_reader_midway_writes_nothing():
    data = csv_bytes(*[changed(KARI, medlemsnummer=str(n), epost="") for n in range(5)], ["9", "x" * 200_000])

    result = run(data, batch_size=2)

    assert "cannot be read as CSV near line 7" in result.file_error
    assert not User.objects.exists()


@pytest.mark.django_db
def test_reported_errors_are_capped_but_the_count_is_exact(monkeypatch):
    monkeypatch.setattr("activists.member_import.MAX_REPORTED_ERRORS", 2)

    result = run(csv_bytes(*[changed(KARI, medlemsnummer=str(n), postnummer="9999") for n in range(5)]))

    assert result.rejected == 5
    assert [e.line for e in result.errors] == [2, 3] and result.errors_not_shown == 3


@pytest.mark.django_db
def test_windows_1252_with_semicolons():
    result = run(csv_bytes(KARI, ASTRID, sep=";", encoding="cp1252"))

    assert (result.new, result.rejected) == (2, 0)
    astrid = User.objects.get(membership_number="1003")
    assert astrid.last_name == "Ødegård" and astrid.gender == User.Gender.UNSPECIFIED


@pytest.mark.django_db
def test_utf8_with_bom_and_commas_and_norwegian_header_spellings():
    header = [{"fodselsar": "Fødselsår", "kjonn": "Kjønn", "sprak": "Språk"}.get(name, name) for name in HEADER]

    result = run(csv_bytes(KARI, ASTRID, header=header, sep=",", encoding="utf-8-sig"))

    assert (result.new, result.rejected) == (2, 0)
    kari = User.objects.get(membership_number="1001")
    assert (kari.birth_year, kari.gender, kari.language) == (1980, User.Gender.WOMAN, "nb")


@pytest.mark.django_db
def test_lapse_records_a_membership_event_with_its_date_and_sets_lapsed_on():
    run(csv_bytes(KARI))

    result = run(csv_bytes(changed(KARI, status="utmeldt", utmeldt_dato="15.06.2025")))

    assert result.changed == 1
    kari = User.objects.get(membership_number="1001")
    assert (kari.membership_status, kari.lapsed_on) == (User.Membership.LAPSED, datetime.date(2025, 6, 15))
    event = kari.membership_events.first()
    assert (event.status, event.effective_on, event.source) == ("lapsed", datetime.date(2025, 6, 15), "import")


@pytest.mark.django_db
def test_new_person_starts_with_the_dates_of_the_file_and_no_event():
    run(csv_bytes(OLA, changed(KARI, medlem_fra="")))

    ola = User.objects.get(membership_number="1002")
    assert (ola.membership_status, ola.lapsed_on) == (User.Membership.LAPSED, datetime.date(2024, 3, 31))
    kari = User.objects.get(membership_number="1001")
    assert kari.member_since == timezone.localdate()
    assert not MembershipEvent.objects.exists()


@pytest.mark.django_db
def test_rejoining_clears_lapsed_on_and_records_the_event():
    run(csv_bytes(OLA))

    run(csv_bytes(changed(OLA, status="betalende", medlem_fra="", utmeldt_dato="")))

    ola = User.objects.get(membership_number="1002")
    assert (ola.membership_status, ola.lapsed_on) == (User.Membership.PAYING, None)
    assert ola.member_since == datetime.date(2010, 1, 1)
    assert [(e.status, e.effective_on) for e in ola.membership_events.all()] == [("paying", timezone.localdate())]


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_counts_like_the_real_run():
    run(csv_bytes(KARI))
    data = csv_bytes(changed(KARI, status="utmeldt"), OLA, changed(OLA, fornavn="Ole"), ASTRID, ["", *KARI[1:]])
    before = (User.objects.count(), MembershipEvent.objects.count(), AuditEvent.objects.count())

    preview = run(data, dry_run=True)

    assert (User.objects.count(), MembershipEvent.objects.count(), AuditEvent.objects.count()) == before
    assert preview.dry_run
    assert User.objects.get(membership_number="1001").membership_status == User.Membership.PAYING
    real = run(data)
    assert (preview.new, preview.changed, preview.unchanged, preview.rejected) == (2, 1, 0, 2)
    assert preview.counts == real.counts and preview.errors == real.errors


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_rows_of_a_batch():
    def queries(rows):
        with CaptureQueriesContext(connection) as context:
            run(csv_bytes(*rows))
        return len(context.captured_queries)

    def people(start, count, **cells):
        return [
            changed(KARI, medlemsnummer=str(n), epost=f"p{n}@example.org", **cells) for n in range(start, start + count)
        ]

    assert queries(people(100, 20)) == queries(people(0, 2))  # new people
    assert queries(people(100, 20)) == queries(people(0, 2))  # unchanged people
    changes = {"status": "utmeldt", "postnummer": "0150", "telefon": "98765432"}
    assert queries(people(100, 20, **changes)) == queries(people(0, 2, **changes))


# --- The command ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_prints_counts_and_row_errors(tmp_path):
    path = tmp_path / "medlemmer.csv"
    path.write_bytes(csv_bytes(KARI, changed(OLA, postnummer="9999")))
    out = io.StringIO()

    call_command("import_members", str(path), stdout=out)

    assert "New: 1, changed: 0, unchanged: 0, rejected: 1." in out.getvalue()
    assert "Line 3, column postnummer: 9999 is not a Norwegian postal code." in out.getvalue()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_command_dry_run_saves_nothing(tmp_path):
    path = tmp_path / "medlemmer.csv"
    path.write_bytes(csv_bytes(KARI, OLA))
    out = io.StringIO()

    call_command("import_members", str(path), "--dry-run", stdout=out)

    assert "New: 2," in out.getvalue()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_command_fails_on_an_unreadable_file(tmp_path):
    path = tmp_path / "medlemmer.csv"
    path.write_bytes(csv_bytes(KARI[1:], header=HEADER[1:]))

    with pytest.raises(CommandError, match="medlemsnummer"):
        call_command("import_members", str(path), stdout=io.StringIO())


# --- The upload page ----------------------------------------------------------------------------


def upload(data, name="medlemmer.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.django_db
def test_admin_sees_a_preview_then_confirms_the_import(client, secretariat, media_root):
    client.force_login(secretariat)
    url = reverse("activists:import_members")
    assert client.get(url).status_code == 200

    response = client.post(url, {"file": upload(csv_bytes(KARI, OLA, changed(ASTRID, postnummer="9999")))})

    assert response.status_code == 200
    assert response.context["report"].counts == {"new": 2, "changed": 0, "unchanged": 0, "rejected": 1}
    assert "9999 is not a Norwegian postal code." in response.content.decode()
    assert not User.objects.filter(membership_number__isnull=False).exists()
    token = client.session["member_import_token"]
    assert [p.name for p in (media_root / "imports").iterdir()] == [f"{token}.csv"]

    response = client.post(reverse("activists:import_members_confirm"), {"token": token})

    assert response.status_code == 200
    assert response.context["report"].new == 2 and not response.context["report"].dry_run
    assert User.objects.filter(membership_number__isnull=False).count() == 2
    assert AuditEvent.objects.get(action="members.imported").actor == secretariat
    assert list((media_root / "imports").iterdir()) == []
    assert "member_import_token" not in client.session


@pytest.mark.django_db
def test_confirming_twice_imports_once(client, secretariat, media_root):
    client.force_login(secretariat)
    client.post(reverse("activists:import_members"), {"file": upload(csv_bytes(KARI))})
    token = client.session["member_import_token"]
    client.post(reverse("activists:import_members_confirm"), {"token": token})

    response = client.post(reverse("activists:import_members_confirm"), {"token": token})

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="members.imported").count() == 1


@pytest.mark.django_db
def test_confirm_with_a_token_other_than_the_sessions_imports_nothing(client, secretariat, media_root):
    client.force_login(secretariat)
    client.post(reverse("activists:import_members"), {"file": upload(csv_bytes(KARI))})

    response = client.post(reverse("activists:import_members_confirm"), {"token": "../../etc/passwd"})

    assert response.status_code == 302
    assert not User.objects.filter(membership_number="1001").exists()


@pytest.mark.django_db
def test_unreadable_upload_shows_the_error_next_to_the_field_and_keeps_nothing(client, secretariat, media_root):
    client.force_login(secretariat)

    response = client.post(reverse("activists:import_members"), {"file": upload(bytes(range(256)))})

    assert response.status_code == 200
    assert "binary data" in response.context["form"].errors["file"][0]
    assert "member_import_token" not in client.session
    assert list((media_root / "imports").iterdir()) == []


@pytest.mark.django_db
def test_non_admin_gets_404(client, volunteer, media_root):
    client.force_login(volunteer)

    assert client.get(reverse("activists:import_members")).status_code == 404
    assert client.post(reverse("activists:import_members"), {"file": upload(csv_bytes(KARI))}).status_code == 404
    assert client.post(reverse("activists:import_members_confirm"), {"token": "x" * 32}).status_code == 404
    assert not (media_root / "imports").exists()
    assert not User.objects.filter(membership_number="1001").exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("activists:import_members"))

    assert response.status_code == 302 and reverse("account_login") in response["Location"]
