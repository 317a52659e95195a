"""The regional staff's follow-up: acknowledging reports with feedback, the contact log, the groups
to contact or visit, and the CSV exports. Status codes per role are in test_permissions.py."""

import csv
import datetime
import io
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from amnesty_portal.models import AuditEvent, OutboxMessage
from groups import follow_up
from groups.models import ActivityType, Contact, Group, QuarterlyReport, ReportActivity, ReportVersion
from groups.quarters import Quarter
from groups.services import GroupError
from tests import factories as f

pytestmark = pytest.mark.django_db

Q3 = Quarter(2026, 3)


def _report(group, status=QuarterlyReport.Status.SUBMITTED, quarter=Q3, **fields):
    submitted = status != QuarterlyReport.Status.DRAFT
    return QuarterlyReport.objects.create(
        group=group,
        year=quarter.year,
        quarter=quarter.number,
        status=status,
        submitted_at=timezone.now() if submitted else None,
        **fields,
    )


def _activity(report, **fields):
    defaults = {"type": ActivityType.STAND, "date": report.period.start + datetime.timedelta(days=10)}
    return ReportActivity.objects.create(report=report, **{**defaults, **fields})


def _review(client, report, feedback="Flott innsats med standen!", revision=None, **extra):
    data = {"feedback": feedback, "revision": report.revision if revision is None else revision, **extra}
    return client.post(reverse("groups:review_report", args=[report.pk]), data)


# --- Acknowledging a report ---------------------------------------------------------------------------


def test_acknowledging_emails_the_feedback_to_the_contact_in_their_language(
    world, login, mailoutbox, django_capture_on_commit_callbacks
):
    world.contact.language = "en"
    world.contact.first_name = "Sigrid"
    world.contact.save()
    report = _report(world.group)
    with django_capture_on_commit_callbacks(execute=True):
        response = _review(login(world.leader), report, needs_follow_up="on")
    assert response.status_code == 302
    [message] = mailoutbox
    assert message.to == [world.contact.email]
    assert message.subject == "Feedback on the quarterly report of Amnesty Bergen sentrum for 2026-Q3"
    assert message.body.startswith("Hi Sigrid,")
    assert "Flott innsats med standen!" in message.body
    assert "The regional office will contact the group" in message.body


def test_feedback_in_norwegian_for_a_norwegian_contact(world, login, mailoutbox, django_capture_on_commit_callbacks):
    world.contact.first_name = "Kari"
    world.contact.save()
    with django_capture_on_commit_callbacks(execute=True):
        _review(login(world.leader), _report(world.group))
    [message] = mailoutbox
    assert message.body.startswith("Hei Kari,")
    assert "Vennlig hilsen" in message.body


def test_acknowledging_marks_the_report_reviewed_and_logs_a_contact(world, login):
    report = _report(world.group)
    _review(login(world.leader), report, needs_follow_up="on")
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.REVIEWED
    assert report.reviewed_by == world.leader
    assert report.reviewed_at is not None
    assert report.needs_follow_up is True
    assert report.feedback == "Flott innsats med standen!"
    contact = Contact.objects.get(group=world.group)
    assert contact.channel == Contact.Channel.REPORT_FEEDBACK
    assert contact.report == report
    assert contact.by == world.leader
    assert contact.date == timezone.localdate()
    assert AuditEvent.objects.filter(action="report.reviewed", actor=world.leader).exists()


def test_feedback_is_required(world, login):
    report = _report(world.group)
    response = _review(login(world.leader), report, feedback="  ")
    assert response.status_code == 200
    assert "feedback" in response.context["form"].errors
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.SUBMITTED


def test_a_draft_cannot_be_reviewed(world, login, mailoutbox, django_capture_on_commit_callbacks):
    report = _report(world.group, status=QuarterlyReport.Status.DRAFT)
    with pytest.raises(GroupError):
        follow_up.review_report(actor=world.leader, report=report, feedback="Bra!", needs_follow_up=False)
    client = login(world.leader)
    page = client.get(reverse("groups:review_report", args=[report.pk]))
    assert "Gruppa har ikke sendt inn denne rapporten ennå." in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _review(client, report)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    report.refresh_from_db()
    assert report.status == QuarterlyReport.Status.DRAFT
    assert not Contact.objects.exists()
    assert mailoutbox == []


def test_second_leader_acknowledging_at_once_is_told_and_nothing_is_sent_twice(
    world, login, mailoutbox, django_capture_on_commit_callbacks
):
    coordinator = f.PersonFactory()
    f.RegionRole.objects.create(region=world.region, person=coordinator, kind=f.RegionRole.Kind.TRAINING_COORDINATOR)
    report = _report(world.group)
    revision = report.revision  # both loaded the page before either acknowledged
    with django_capture_on_commit_callbacks(execute=True):
        first = _review(login(world.leader), report, revision=revision)
    assert first.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        second = _review(login(coordinator), report, feedback="Min tilbakemelding", revision=revision)
    assert second.status_code == 200
    [error] = second.context["form"].non_field_errors()
    assert error.startswith("Noen andre kvitterte for denne rapporten mens du leste den.")
    assert "Flott innsats med standen!" in second.content.decode()  # the first one's feedback is shown
    report.refresh_from_db()
    assert report.reviewed_by == world.leader
    assert Contact.objects.count() == 1
    assert len(mailoutbox) == 1


def test_the_conditional_update_lets_one_review_through():
    group = f.GroupFactory()
    leader = f.make_regional_leader("bergen")
    report = _report(group)
    follow_up.review_report(actor=leader, report=report, feedback="En", needs_follow_up=False, revision=0)
    with pytest.raises(GroupError, match="Noen andre kvitterte"):
        follow_up.review_report(actor=leader, report=report, feedback="To", needs_follow_up=False, revision=0)
    assert QuarterlyReport.objects.get(pk=report.pk).feedback == "En"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_acknowledgements_in_two_transactions_make_one_outcome(world):
    if connection.vendor != "postgresql":
        pytest.skip("the conditional UPDATE waiting on the row lock is what this proves; run it on PostgreSQL")
    report = _report(world.group)
    barrier = threading.Barrier(2)
    outcomes = []

    def acknowledge(feedback):
        try:
            barrier.wait()
            follow_up.review_report(
                actor=world.leader, report=report, feedback=feedback, needs_follow_up=False, revision=0
            )
            outcomes.append("reviewed")
        except GroupError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=acknowledge, args=(text,)) for text in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "reviewed"]
    assert Contact.objects.filter(report=report).count() == 1
    assert AuditEvent.objects.filter(action="report.reviewed").count() == 1
    assert OutboxMessage.objects.filter(kind="report_feedback").count() == 1


def test_a_report_changed_by_the_group_while_reading_is_not_acknowledged(world, login):
    report = _report(world.group)
    QuarterlyReport.objects.filter(pk=report.pk).update(revision=5)
    response = _review(login(world.leader), report, revision=0)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert response.context["form"]["revision"].value() == 5  # trying again can succeed
    assert QuarterlyReport.objects.get(pk=report.pk).status == QuarterlyReport.Status.SUBMITTED


def test_review_page_shows_activities_and_versions_without_small_counts(world, login):
    report = _report(world.group, members_count=3, support_needed="Hjelp med stand")
    _activity(report, campaign="Skriv for liv", participants=2)
    _activity(report, kind=ReportActivity.Kind.PLANNED, type=ActivityType.LOBBYING, description="Møte med ordføreren")
    ReportVersion.objects.create(report=report, number=1, submitted_by=world.contact, data={})
    page = login(world.leader).get(reverse("groups:review_report", args=[report.pk])).content.decode()
    assert "Skriv for liv" in page
    assert "Møte med ordføreren" in page
    assert "Hjelp med stand" in page
    assert "&lt;5" in page
    assert str(world.contact) in page


# --- The contact log -----------------------------------------------------------------------------------


def test_recording_a_contact_shows_it_in_the_log_and_on_the_group_page(world, login):
    client = login(world.leader)
    response = client.post(
        reverse("groups:contacts", args=[world.group.pk]),
        {"date": "2026-01-15", "channel": "visit", "note": "Besøkte møtet deres"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.date, contact.channel, contact.by) == (datetime.date(2026, 1, 15), "visit", world.leader)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages
    assert "Besøkte møtet deres" in client.get(reverse("groups:contacts", args=[world.group.pk])).content.decode()
    assert "Besøkte møtet deres" in client.get(reverse("groups:detail", args=[world.group.pk])).content.decode()
    region_log = client.get(reverse("groups:region_contacts", args=["bergen"])).content.decode()
    assert "Besøkte møtet deres" in region_log


def test_contact_log_is_not_shown_to_the_group_itself(world, login):
    Contact.objects.create(group=world.group, channel="phone", note="Hemmelig notat", by=world.leader)
    page = login(world.contact).get(reverse("groups:detail", args=[world.group.pk])).content.decode()
    assert "Hemmelig notat" not in page


def test_a_contact_in_the_future_is_refused_next_to_the_date(world, login):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(world.leader).post(
        reverse("groups:contacts", args=[world.group.pk]), {"date": tomorrow.isoformat(), "channel": "phone"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["date"]
    assert not Contact.objects.exists()


def test_report_feedback_cannot_be_recorded_by_hand(world, login):
    response = login(world.leader).post(
        reverse("groups:contacts", args=[world.group.pk]), {"date": "2026-01-15", "channel": "report_feedback"}
    )
    assert "channel" in response.context["form"].errors
    with pytest.raises(GroupError):
        follow_up.record_contact(
            actor=world.leader, group=world.group, date=datetime.date(2026, 1, 15), channel="report_feedback"
        )
    assert not Contact.objects.exists()


# --- Groups to contact and visit ----------------------------------------------------------------------


def _contact(group, date, channel=Contact.Channel.PHONE):
    return Contact.objects.create(group=group, date=date, channel=channel)


def test_not_contacted_counts_only_contacts_inside_the_quarter():
    region = f.region("bergen")
    before = f.GroupFactory(name="A før kvartalet")
    first_day = f.GroupFactory(name="B første dag")
    last_day = f.GroupFactory(name="C siste dag")
    after = f.GroupFactory(name="D etter kvartalet")
    f.GroupFactory(name="E aldri")
    f.GroupFactory(name="F nedlagt", status=Group.Status.CLOSED)
    f.GroupFactory(name="G i Oslo", municipality=f.Municipality.objects.get(number="0301"))
    _contact(before, datetime.date(2026, 6, 30))
    _contact(first_day, datetime.date(2026, 7, 1))
    _contact(last_day, datetime.date(2026, 9, 30), Contact.Channel.REPORT_FEEDBACK)
    _contact(after, datetime.date(2026, 10, 1))
    listed = list(follow_up.groups_not_contacted(region, Q3))
    assert [g.name for g in listed] == ["E aldri", "A før kvartalet", "D etter kvartalet"]
    assert listed[0].last_contact is None
    assert listed[1].last_contact == datetime.date(2026, 6, 30)
    # The next quarter starts afresh.
    q4 = [g.name for g in follow_up.groups_not_contacted(region, Q3.next)]
    assert q4 == ["E aldri", "A før kvartalet", "B første dag", "C siste dag"]
    q2 = [g.name for g in follow_up.groups_not_contacted(region, Q3.previous)]
    assert q2 == ["E aldri", "B første dag", "C siste dag", "D etter kvartalet"]


def test_not_visited_looks_for_visits_in_the_last_twelve_months():
    region = f.region("bergen")
    today = datetime.date(2026, 8, 15)
    since = follow_up.visit_cutoff(today)
    assert since == datetime.date(2025, 8, 15)
    recent = f.GroupFactory(name="Besøkt i fjor høst")
    old = f.GroupFactory(name="Besøkt for lenge siden")
    phoned = f.GroupFactory(name="Bare ringt")
    _contact(recent, datetime.date(2025, 8, 15), Contact.Channel.VISIT)
    _contact(old, datetime.date(2025, 8, 14), Contact.Channel.VISIT)
    _contact(phoned, datetime.date(2026, 8, 1), Contact.Channel.PHONE)
    listed = list(follow_up.groups_not_visited(region, since))
    assert [g.name for g in listed] == ["Bare ringt", "Besøkt for lenge siden"]
    assert listed[0].last_visit is None
    assert listed[1].last_visit == datetime.date(2025, 8, 14)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 1, 10), 12, datetime.date(2025, 1, 10)),
        (datetime.date(2028, 2, 29), 12, datetime.date(2027, 2, 28)),
        (datetime.date(2026, 1, 31), 2, datetime.date(2025, 11, 30)),
    ],
)
def test_months_before(day, months, expected):
    assert follow_up.months_before(day, months) == expected


def test_region_pages_list_reports_awaiting_review_and_groups_to_contact(world, login):
    waiting = _report(world.group)
    _report(world.other_group)  # Oslo's
    _report(f.GroupFactory(name="Utkastgruppa"), status=QuarterlyReport.Status.DRAFT)
    assert list(follow_up.reports_awaiting_review(world.region)) == [waiting]
    client = login(world.leader)
    review_url = reverse("groups:review_report", args=[waiting.pk])
    for url in (reverse("regions:detail", args=["bergen"]), reverse("groups:region_follow_up", args=["bergen"])):
        page = client.get(url).content.decode()
        assert review_url in page
        assert "Amnesty Bergen sentrum" in page
        assert "Amnesty Grünerløkka" not in page


# --- Exports --------------------------------------------------------------------------------------------


def _export(client, slug="bergen", period="2026-Q3", what="aktiviteter", **headers):
    return client.get(reverse("groups:export", args=[slug]), {"period": period, "file": what}, **headers)


def _rows(response):
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def reports(world):
    report = _report(world.group, members_count=3, is_late=True)
    _activity(
        report, campaign="Skriv for liv", participants=4, signatures=120, description="=Stand på Torgallmenningen"
    )
    _activity(report, type=ActivityType.LOBBYING, participants=3, people_reached=40, outward=False)
    _activity(_report(world.group, quarter=Q3.previous, members_count=12), participants=9)
    _activity(_report(world.other_group), description="Oslo-aktivitet")
    _activity(_report(f.GroupFactory(name="Utkastgruppa"), status=QuarterlyReport.Status.DRAFT))
    return report


def test_activities_csv_for_a_quarter(world, login, reports):
    response = _export(login(world.leader))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="aktiviteter-bergen-2026-Q3.csv"'
    header, *rows = _rows(response)
    assert header[:2] == ["Gruppe", "Region"]  # the UI's default language
    assert len(header) == 16
    assert len(rows) == 2  # not the previous quarter, not Oslo, not a draft
    first = dict(zip(range(16), rows[0], strict=True))
    assert first[0] == "Amnesty Bergen sentrum"
    assert first[1] == "Bergen"
    assert (first[2], first[3]) == ("2026", "Q3")
    assert first[11] == "Skriv for liv"
    assert (first[12], first[13]) == ("4", "120")
    assert first[15] == "'=Stand på Torgallmenningen"  # never a formula in Excel
    text = response.content.decode("utf-8-sig")
    assert ";" in text.splitlines()[0]
    assert world.contact.last_name not in text
    assert "Oslo-aktivitet" not in text


def test_csv_header_is_in_the_persons_language(world, login, reports):
    client = login(world.leader)
    client.cookies["django_language"] = "en"
    header = _rows(_export(client))[0]
    assert header[:4] == ["Group", "Region", "Year", "Quarter"]
    assert "Report status" in header


def test_reports_csv_for_a_year_hides_small_counts_of_people(world, login, reports):
    client = login(world.leader)
    client.cookies["django_language"] = "en"
    response = _export(client, period="2026", what="rapporter")
    assert response["Content-Disposition"] == 'attachment; filename="rapporter-bergen-2026.csv"'
    header, *rows = _rows(response)
    assert len(rows) == 2
    by_quarter = {row[3]: dict(zip(header, row, strict=True)) for row in rows}
    q3, q2 = by_quarter["Q3"], by_quarter["Q2"]
    assert q3["Late"] == "yes"
    assert q3["Status"] == "submitted"
    assert q3["Members in the group"] == "<5"
    assert q2["Members in the group"] == "12"
    assert q3["Completed activities"] == "2"
    assert q3["Participants (sum over activities)"] == "7"
    assert q2["Participants (sum over activities)"] == "9"
    assert q3["People reached"] == "40"
    assert q3["Signatures collected"] == "120"


def test_leader_cannot_export_another_region_or_all_regions(world, login, reports):
    client = login(world.other_leader)
    assert _export(client).status_code == 404
    assert _export(client, slug="alle").status_code == 404


def test_admin_exports_all_regions(world, login, reports):
    response = _export(login(world.admin), slug="alle")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="aktiviteter-alle-2026-Q3.csv"'
    text = response.content.decode("utf-8-sig")
    assert "Oslo-aktivitet" in text
    assert "Skriv for liv" in text


def test_an_unknown_period_shows_the_form_with_an_error(world, login):
    response = _export(login(world.leader), period="1999-Q7")
    assert response.status_code == 200
    assert "period" in response.context["form"].errors


def test_parse_period():
    assert follow_up.parse_period("2026-Q3") == (2026, 3)
    assert follow_up.parse_period("2026") == (2026, None)
    with pytest.raises(ValueError):
        follow_up.parse_period("2026-Q5")


# --- Query counts for the pages whose rows are this module's -------------------------------------------


def _grow(report, n):
    for i in range(n):
        _activity(report, participants=i, priority_area=None)
        ReportVersion.objects.create(
            report=report, number=report.versions.count() + 1, submitted_by=f.PersonFactory(), data={}
        )
        Contact.objects.create(group=report.group, channel="visit", by=f.make_regional_leader("bergen"), note=str(i))
        other = f.GroupFactory()
        Contact.objects.create(group=other, channel="phone", by=f.PersonFactory())


@pytest.mark.parametrize(
    ("name", "args", "what"),
    [
        ("groups:review_report", lambda r: [r.pk], None),
        ("groups:contacts", lambda r: [r.group_id], None),
        ("groups:region_contacts", lambda r: ["bergen"], None),
        ("groups:region_follow_up", lambda r: ["bergen"], None),
        ("groups:export", lambda r: ["bergen"], "aktiviteter"),
        ("groups:export", lambda r: ["bergen"], "rapporter"),
    ],
)
def test_follow_up_pages_make_a_fixed_number_of_queries(world, login, assert_num_queries, settings, name, args, what):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    report = _report(world.group)
    url = reverse(name, args=args(report))
    params = {"period": "2026-Q3", "file": what} if what else {}
    client = login(world.leader)
    _grow(report, 2)
    _report(f.GroupFactory())
    with CaptureQueriesContext(connection) as before:
        assert client.get(url, params).status_code == 200
    _grow(report, 4)
    _report(f.GroupFactory())
    with assert_num_queries(len(before.captured_queries)):
        assert client.get(url, params).status_code == 200
