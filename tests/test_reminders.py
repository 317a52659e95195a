"""Quarterly-report reminders: each step on its day, at most once whatever runs the sweep, stopping
when the report is in, in the recipient's language, and in a number of queries that does not grow
with the number of groups."""

import datetime
import math
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from activists.models import User
from amnesty_portal.models import OutboxMessage
from groups import reminders
from groups.models import Group, Office, QuarterlyReport, ReminderStep
from groups.quarters import Quarter
from groups.tasks import report_reminders_task
from tests import factories as f

pytestmark = pytest.mark.django_db

Step = ReminderStep.Step
QUARTER = Quarter(2026, 2)  # ends 30 June; due 14 July with the settings below
DEADLINE = datetime.date(2026, 7, 14)
DAY = {
    Step.BEFORE_DEADLINE: datetime.date(2026, 7, 7),
    Step.OVERDUE: datetime.date(2026, 7, 15),
    Step.SECOND_OVERDUE: datetime.date(2026, 7, 22),
    Step.REGIONAL_LEADER: datetime.date(2026, 7, 28),
}
KIND = {
    Step.BEFORE_DEADLINE: "report_reminder_before",
    Step.OVERDUE: "report_overdue",
    Step.SECOND_OVERDUE: "report_second_overdue",
    Step.REGIONAL_LEADER: "report_region_told",
}


@pytest.fixture(autouse=True)
def _reminder_days(settings):
    settings.REPORT_DEADLINE_DAYS = 14
    settings.REPORT_REMINDER_DAYS_BEFORE = 7
    settings.REPORT_OVERDUE_DAYS_AFTER = 1
    settings.REPORT_SECOND_OVERDUE_DAYS_AFTER = 8
    settings.REPORT_TELL_REGION_DAYS_AFTER = 14
    settings.SITE_URL = "https://portal.example.org"


class Cast:
    """A group in Bergen with a contact, a leader and a deputy, and the region's leader."""

    def __init__(self, name="Amnesty Bergen sentrum", contact_language="nb"):
        self.group = f.GroupFactory(name=name, founded_on=datetime.date(2025, 1, 10))
        self.contact = self.officer(Office.Kind.CONTACT, first_name="Kari", language=contact_language)
        self.leader = self.officer(Office.Kind.LEADER, first_name="Leo")
        self.deputy = self.officer(Office.Kind.DEPUTY, first_name="Dina")
        self.regional_leader = f.make_regional_leader("bergen", first_name="Randi", language="en")

    def officer(self, kind, **person):
        person = f.PersonFactory(**person)
        f.MembershipFactory(group=self.group, person=person)
        f.OfficeFactory(group=self.group, person=person, kind=kind, started_on=datetime.date(2025, 1, 10))
        return person


@pytest.fixture
def cast():
    return Cast()


def sweep_every_day(start, end, times=1):
    day = start
    while day <= end:
        for _ in range(times):
            reminders.sweep(today=day)
        day += datetime.timedelta(days=1)


def mails(kind=None):
    rows = OutboxMessage.objects.order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def steps(group):
    return sorted(ReminderStep.objects.filter(group=group).values_list("step", flat=True))


# --- Each step on its day ----------------------------------------------------------------------------


@pytest.mark.parametrize("step", list(DAY))
def test_each_step_is_taken_on_its_day_and_not_the_day_before(cast, step):
    day_before = DAY[step] - datetime.timedelta(days=1)
    assert reminders.sweep(today=day_before)[step] == 0
    assert mails(KIND[step]) == []
    assert reminders.sweep(today=DAY[step])[step] == 1
    assert step in steps(cast.group)
    assert len(mails(KIND[step])) == 1


def test_nothing_is_sent_long_before_the_deadline(cast):
    assert reminders.sweep(today=datetime.date(2026, 6, 1)) == {str(step): 0 for step in Step}
    assert ReminderStep.objects.count() == 0


def test_the_reminder_before_goes_to_the_contact_with_a_link_to_the_report(cast):
    reminders.sweep(today=DAY[Step.BEFORE_DEADLINE])
    [mail] = mails()
    assert mail.kind == "report_reminder_before"
    assert mail.to == cast.contact.email
    assert mail.cc == []
    assert mail.key == f"report-reminder:{cast.group.pk}:2026-Q2:before:{cast.contact.pk}"
    assert f"https://portal.example.org{reminders.report_url(cast.group.pk, QUARTER)}" in mail.text
    assert f"/{cast.group.pk}/" in reminders.report_url(cast.group.pk, QUARTER)
    assert "2026-Q2" in reminders.report_url(cast.group.pk, QUARTER)


def test_a_sweep_that_was_stopped_sends_only_the_latest_step(cast):
    counts = reminders.sweep(today=DAY[Step.SECOND_OVERDUE])
    assert counts == {"before": 0, "overdue": 0, "second": 1, "regional": 0}
    assert [mail.kind for mail in mails()] == ["report_second_overdue"]


def test_old_quarters_are_not_dug_up(cast):
    # Nothing for 2026-Q2 was ever sent, and its last step is more than a month old.
    assert sum(reminders.sweep(today=DAY[Step.REGIONAL_LEADER] + reminders.LATE_LIMIT).values()) == 0


# --- At most once ------------------------------------------------------------------------------------


def test_each_step_is_taken_once_however_often_the_sweep_runs(cast):
    sweep_every_day(datetime.date(2026, 6, 25), datetime.date(2026, 9, 30), times=3)
    assert steps(cast.group) == ["before", "overdue", "regional", "second"]
    assert [mail.kind for mail in mails()] == [
        "report_reminder_before",
        "report_overdue",
        "report_second_overdue",
        "report_region_told",
    ]


def test_a_sweep_that_fails_leaves_the_step_to_the_next_one(cast, monkeypatch):
    def broken(rows):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(reminders, "enqueue", broken)
    with pytest.raises(RuntimeError):
        reminders.sweep(today=DAY[Step.OVERDUE])
    assert steps(cast.group) == []
    monkeypatch.undo()
    assert reminders.sweep(today=DAY[Step.OVERDUE])["overdue"] == 1
    assert len(mails("report_overdue")) == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_each_reminder_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("two transactions at once is what this proves; make test runs it on PostgreSQL")
    cast = Cast()
    others = [Cast(name=f"Amnesty Bergen {n}") for n in range(5)]
    # Both sweeps have found the same six groups due before either claims: the claim decides.
    barrier = threading.Barrier(2, timeout=30)
    claim = ReminderStep.objects.bulk_create

    def claim_together(*args, **kwargs):
        barrier.wait()
        return claim(*args, **kwargs)

    monkeypatch.setattr(ReminderStep.objects, "bulk_create", claim_together)
    results, errors = [], []

    def run():
        try:
            results.append(reminders.sweep(today=DAY[Step.OVERDUE]))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(result["overdue"] for result in results) == 6
    assert ReminderStep.objects.filter(step="overdue").count() == 6
    assert OutboxMessage.objects.filter(kind="report_overdue").count() == 6
    assert OutboxMessage.objects.filter(kind="report_overdue", to=cast.contact.email).count() == 1
    assert {mail.to for mail in mails()} == {c.contact.email for c in [cast, *others]}


# --- Submitting stops the reminders -----------------------------------------------------------------


@pytest.mark.parametrize("status", [QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.REVIEWED])
def test_submitting_the_report_stops_further_steps(cast, status):
    reminders.sweep(today=DAY[Step.OVERDUE])
    QuarterlyReport.objects.create(group=cast.group, year=2026, quarter=2, status=status)
    sweep_every_day(DAY[Step.OVERDUE], datetime.date(2026, 9, 30))
    assert steps(cast.group) == ["overdue"]
    assert [mail.kind for mail in mails()] == ["report_overdue"]


def test_a_draft_does_not_stop_the_reminders(cast):
    QuarterlyReport.objects.create(group=cast.group, year=2026, quarter=2)
    assert reminders.sweep(today=DAY[Step.OVERDUE])["overdue"] == 1


def test_a_report_for_another_quarter_does_not_stop_the_reminders(cast):
    QuarterlyReport.objects.create(group=cast.group, year=2026, quarter=1, status=QuarterlyReport.Status.SUBMITTED)
    assert reminders.sweep(today=DAY[Step.OVERDUE])["overdue"] == 1


def test_a_report_submitted_during_the_sweep_gets_no_email(cast, monkeypatch):
    # The report comes in after the sweep looked for due steps but before it claimed them.
    real = ReminderStep.objects.bulk_create

    def submit_then_claim(*args, **kwargs):
        QuarterlyReport.objects.create(group=cast.group, year=2026, quarter=2, status="submitted")
        return real(*args, **kwargs)

    monkeypatch.setattr(ReminderStep.objects, "bulk_create", submit_then_claim)
    reminders.sweep(today=DAY[Step.OVERDUE])
    assert mails() == []


# --- Who gets what ----------------------------------------------------------------------------------


def test_the_second_overdue_reminder_is_copied_to_the_leader_and_deputy(cast):
    reminders.sweep(today=DAY[Step.SECOND_OVERDUE])
    [mail] = mails()
    assert mail.kind == "report_second_overdue"
    assert mail.to == cast.contact.email
    assert sorted(mail.cc) == sorted([cast.leader.email, cast.deputy.email])


def test_the_first_overdue_reminder_is_not_copied(cast):
    reminders.sweep(today=DAY[Step.OVERDUE])
    [mail] = mails()
    assert (mail.to, mail.cc) == (cast.contact.email, [])


def test_the_regional_leader_is_told_after_fourteen_days(cast):
    other_regions_leader = f.make_regional_leader("oslo")
    reminders.sweep(today=DAY[Step.REGIONAL_LEADER])
    [mail] = mails()
    assert mail.kind == "report_region_told"
    assert mail.to == cast.regional_leader.email
    assert mail.to != other_regions_leader.email
    assert cast.group.name in mail.subject
    assert cast.contact.email in mail.text
    assert reminders.report_url(cast.group.pk, QUARTER) in mail.text


def test_without_a_contact_the_leader_and_deputy_are_reminded(cast):
    Office.objects.filter(group=cast.group, kind=Office.Kind.CONTACT).update(ended_on=datetime.date(2026, 5, 1))
    reminders.sweep(today=DAY[Step.OVERDUE])
    assert sorted(mail.to for mail in mails()) == sorted([cast.leader.email, cast.deputy.email])


def test_a_group_with_no_officers_has_the_step_recorded_and_no_email(cast):
    Office.objects.filter(group=cast.group).update(ended_on=datetime.date(2026, 5, 1))
    assert reminders.sweep(today=DAY[Step.OVERDUE])["overdue"] == 1
    assert steps(cast.group) == ["overdue"]
    assert mails() == []
    reminders.sweep(today=DAY[Step.REGIONAL_LEADER])
    [mail] = mails()
    assert mail.to == cast.regional_leader.email
    assert "no contact person" in mail.text


def test_groups_that_owe_no_report_get_no_reminders(cast):
    # Approved after the quarter ended, founded after it, awaiting approval, closed.
    late = f.GroupFactory(
        founded_on=datetime.date(2026, 5, 1), decided_at=datetime.datetime(2026, 7, 1, 9, tzinfo=datetime.UTC)
    )
    new = f.GroupFactory(founded_on=datetime.date(2026, 7, 2))
    pending = f.GroupFactory(founded_on=datetime.date(2025, 1, 1), status=Group.Status.PENDING)
    closed = f.GroupFactory(founded_on=datetime.date(2025, 1, 1), status=Group.Status.CLOSED)
    approved_in_time = f.GroupFactory(
        founded_on=datetime.date(2026, 5, 1), decided_at=datetime.datetime(2026, 6, 30, 12, tzinfo=datetime.UTC)
    )
    reminders.sweep(today=DAY[Step.OVERDUE])
    reminded = set(ReminderStep.objects.values_list("group_id", flat=True))
    assert reminded == {cast.group.pk, approved_in_time.pk}
    assert not reminded & {late.pk, new.pk, pending.pk, closed.pk}


# --- Settings ---------------------------------------------------------------------------------------


def test_the_days_come_from_the_settings(cast, settings):
    settings.REPORT_DEADLINE_DAYS = 10  # due 10 July
    settings.REPORT_REMINDER_DAYS_BEFORE = 3
    settings.REPORT_OVERDUE_DAYS_AFTER = 2
    settings.REPORT_SECOND_OVERDUE_DAYS_AFTER = 5
    settings.REPORT_TELL_REGION_DAYS_AFTER = 20
    taken = {}
    day = datetime.date(2026, 6, 25)
    while day <= datetime.date(2026, 8, 31):
        for step, count in reminders.sweep(today=day).items():
            if count:
                taken[step] = day
        day += datetime.timedelta(days=1)
    assert taken == {
        "before": datetime.date(2026, 7, 7),
        "overdue": datetime.date(2026, 7, 12),
        "second": datetime.date(2026, 7, 15),
        "regional": datetime.date(2026, 7, 30),
    }


def test_a_deadline_inside_the_quarter_gets_its_reminder_before_the_quarter_ends(cast, settings):
    settings.REPORT_DEADLINE_DAYS = 0  # due the quarter's last day, 30 June
    assert reminders.sweep(today=datetime.date(2026, 6, 22))["before"] == 0
    assert reminders.sweep(today=datetime.date(2026, 6, 23))["before"] == 1
    assert ReminderStep.objects.get().quarter == 2


# --- Language ---------------------------------------------------------------------------------------


def test_each_email_is_in_its_recipients_language():
    norwegian = Cast(name="Amnesty Bergen nord", contact_language="nb")
    english = Cast(name="Amnesty Bergen sør", contact_language="en")
    english.contact.first_name = "Kim"
    english.contact.save()
    reminders.sweep(today=DAY[Step.OVERDUE])
    [to_norwegian] = OutboxMessage.objects.filter(to=norwegian.contact.email)
    [to_english] = OutboxMessage.objects.filter(to=english.contact.email)
    assert to_norwegian.text.startswith("Hei Kari,")
    assert "14. juli 2026" in to_norwegian.text
    assert "Vennlig hilsen" in to_norwegian.text
    assert to_english.text.startswith("Hi Kim,")
    assert "July 14, 2026" in to_english.text
    assert "Best wishes," in to_english.text


@pytest.mark.parametrize("step", list(DAY))
def test_every_template_renders_a_one_line_subject_without_escaping(step):
    cast = Cast(name="Amnesty Kvinner & likestilling")
    reminders.sweep(today=DAY[step])
    for mail in mails(KIND[step]):
        assert "\n" not in mail.subject
        assert "Amnesty Kvinner & likestilling" in mail.subject
        assert "&amp;" not in mail.text
        assert "{" not in mail.text and "{" not in mail.subject
    assert cast.group.pk


# --- The task ---------------------------------------------------------------------------------------


def test_the_task_runs_the_sweep_and_is_scheduled(cast, settings, monkeypatch):
    monkeypatch.setattr(reminders.timezone, "localdate", lambda: DAY[Step.OVERDUE])
    assert report_reminders_task.delay().get()["overdue"] == 1
    assert report_reminders_task.delay().get()["overdue"] == 0
    assert "groups.report_reminders_task" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


# --- Queries ----------------------------------------------------------------------------------------


def make_groups(count, *, due):
    """`count` recognised groups in Bergen, each with a contact; all but `due` of them have submitted
    the report. Written with bulk_create: factories would take minutes for a thousand."""
    region = f.region("bergen")
    municipality = f.Municipality.objects.get(number="4601")
    groups = Group.objects.bulk_create(
        Group(
            name=f"Amnesty mengde {n}",
            category=Group.Category.LOCAL,
            status=Group.Status.RECOGNISED,
            region=region,
            municipality=municipality,
            founded_on=datetime.date(2025, 1, 1),
        )
        for n in range(count)
    )
    if not groups[0].pk:  # backends that do not return the new keys
        groups = list(Group.objects.filter(name__startswith="Amnesty mengde ").order_by("pk"))
    people = User.objects.bulk_create(
        User(email=f"kontakt{n}@example.org", first_name=f"Kontakt{n}", password="!") for n in range(count)
    )
    if not people[0].pk:
        people = list(User.objects.filter(email__startswith="kontakt").order_by("pk"))
    Office.objects.bulk_create(
        Office(group=group, person=person, kind=Office.Kind.CONTACT, started_on=datetime.date(2025, 1, 1))
        for group, person in zip(groups, people, strict=True)
    )
    QuarterlyReport.objects.bulk_create(
        QuarterlyReport(group=group, year=2026, quarter=2, status=QuarterlyReport.Status.SUBMITTED)
        for group in groups[due:]
    )
    f.make_regional_leader("bergen")
    return groups


def inserts(model, rows, *, chunked=False):
    """How many INSERTs writing `rows` rows takes: one per 1,000 on PostgreSQL; more on SQLite, whose
    limit of 999 parameters a query makes Django split them. The emails are handed to the outbox in
    chunks of 1,000 (`chunked`), the claims in one call with a batch size of 1,000."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    most = connection.ops.bulk_batch_size(fields, [None] * rows)
    if not chunked:
        return math.ceil(rows / min(reminders.BATCH_SIZE, most))
    chunks = [min(reminders.BATCH_SIZE, rows - start) for start in range(0, rows, reminders.BATCH_SIZE)]
    return sum(math.ceil(chunk / min(chunk, most)) for chunk in chunks)


# Look up what is due, claim (a savepoint around the claim and the emails, under the test's own
# transaction), read the claims back, the officers, and at the regional step the regional leaders.
FIXED = {Step.OVERDUE: 5, Step.REGIONAL_LEADER: 6}


@pytest.mark.parametrize(
    ("groups", "due", "step", "on_postgresql"),
    [
        (10, 10, Step.OVERDUE, 7),
        (1000, 10, Step.OVERDUE, 7),
        (1000, 1000, Step.OVERDUE, 7),
        (1001, 1001, Step.OVERDUE, 9),  # a second INSERT of claims and one of emails
        (10, 10, Step.REGIONAL_LEADER, 8),
        (1000, 1000, Step.REGIONAL_LEADER, 8),
    ],
)
def test_the_sweep_takes_a_number_of_queries_that_does_not_grow_with_the_groups(groups, due, step, on_postgresql):
    make_groups(groups, due=due)
    with CaptureQueriesContext(connection) as queries:
        counts = reminders.sweep(today=DAY[step])
    assert counts[step] == due
    assert OutboxMessage.objects.count() == due
    expected = FIXED[step] + inserts(ReminderStep, due) + inserts(OutboxMessage, due, chunked=True)
    listing = "\n".join(query["sql"][:200] for query in queries.captured_queries)
    assert len(queries.captured_queries) == expected, listing
    if connection.vendor == "postgresql":
        assert expected == on_postgresql


def test_a_sweep_with_nothing_due_today_makes_no_query(cast):
    with CaptureQueriesContext(connection) as queries:
        reminders.sweep(today=datetime.date(2026, 6, 1))
    assert len(queries.captured_queries) == 0


def test_a_sweep_with_nobody_left_to_remind_makes_one_query(cast):
    reminders.sweep(today=DAY[Step.OVERDUE])
    with CaptureQueriesContext(connection) as queries:
        reminders.sweep(today=DAY[Step.OVERDUE])
    assert len(queries.captured_queries) == 1
