"""The welcome series: who is enrolled, each step once in the person's language and only with consent,
stopping when they engage or unsubscribe, the personalised invitation, and a fixed query count."""

import datetime
import importlib
import io
import threading

import pytest
from django.apps import apps
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from activists import consent, welcome
from activists.member_import import import_members
from activists.models import (
    ActivityIdea,
    ConsentChange,
    IndividualActivist,
    User,
    WelcomeEnrolment,
    WelcomeSend,
    WelcomeStep,
)
from activists.services import set_membership_status
from amnesty_portal.models import OutboxMessage
from tests import factories as f

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 3, 2)
Reason = WelcomeEnrolment.StopReason


def default_series():
    """The migration's default series (a transactional test before may have flushed it)."""
    if not WelcomeStep.objects.exists():
        importlib.import_module("activists.migrations.0004_default_welcome_series").add(apps, None)
    return list(WelcomeStep.objects.order_by("day"))


@pytest.fixture(autouse=True)
def series(db, settings):
    settings.SITE_URL = "https://portal.example.org"
    return default_series()


def newcomer(started_on=START, **kwargs):
    """A paying member whose series started on `started_on`."""
    kwargs.setdefault("member_since", started_on)
    person = f.PersonFactory(**kwargs)
    WelcomeEnrolment.objects.update_or_create(person=person, defaults={"started_on": started_on})
    return person


def sent(person):
    return list(OutboxMessage.objects.filter(recipient=person, kind="welcome_step").order_by("created_at", "pk"))


def days(day: int) -> datetime.date:
    return START + datetime.timedelta(days=day)


# --- Who is enrolled --------------------------------------------------------------------------------

HEADER = "medlemsnummer;fornavn;etternavn;epost;status;medlem_fra;samtykke_epost;postnummer;sprak"


def test_the_register_import_enrols_new_paying_members_in_bulk():
    today = datetime.date.today()
    recent, old = today - datetime.timedelta(days=3), today - datetime.timedelta(days=900)
    data = "\n".join(
        [
            HEADER,
            f"1001;Kari;Nordmann;kari@example.org;betalende;{recent.isoformat()};ja;5003;nb",
            f"1002;Ola;Nordmann;ola@example.org;betalende;{old.isoformat()};ja;5003;nb",
            f"1003;Per;Utmeldt;per@example.org;utmeldt;{recent.isoformat()};ja;5003;nb",
            "1004;Liv;Aktivist;liv@example.org;ikke-medlem;;ja;5003;nb",
            "1005;Ny;Uten dato;ny@example.org;betalende;;nei;5003;en",
        ]
    ).encode()
    import_members(actor=None, file=io.BytesIO(data), dry_run=True)
    assert not WelcomeEnrolment.objects.exists()  # a preview enrols nobody

    result = import_members(actor=None, file=io.BytesIO(data))
    assert result.new == 5
    enrolled = dict(WelcomeEnrolment.objects.values_list("person__membership_number", "started_on"))
    # A member of many years is not a new member; lapsed and non-members get no welcome series.
    assert enrolled == {"1001": recent, "1005": today}
    import_members(actor=None, file=io.BytesIO(data))  # the nightly rerun changes nothing
    assert WelcomeEnrolment.objects.count() == 2


def test_a_lapsed_member_who_pays_again_through_the_import_is_enrolled_once():
    today = datetime.date.today()
    person = f.PersonFactory(membership_number="2001", membership_status=User.Membership.LAPSED, member_since=today)
    assert not WelcomeEnrolment.objects.filter(person=person).exists()
    data = f"{HEADER}\n2001;Kari;Nordmann;{person.email};betalende;{today.isoformat()};ja;5003;nb".encode()
    import_members(actor=None, file=io.BytesIO(data))
    assert WelcomeEnrolment.objects.get(person=person).started_on == today


def test_a_member_signing_up_or_made_paying_is_enrolled():
    today = datetime.date.today()
    member = User.objects.create_user("new.member@example.org", "x", membership_status=User.Membership.PAYING)
    assert WelcomeEnrolment.objects.get(person=member).started_on == today
    activist = User.objects.create_user("activist@example.org", "x")  # a non-member: no series
    assert not WelcomeEnrolment.objects.filter(person=activist).exists()
    set_membership_status(
        actor=None, person=activist, status=User.Membership.PAYING, effective_on=today, source="signup"
    )
    assert WelcomeEnrolment.objects.get(person=activist).started_on == today


# --- Sending ----------------------------------------------------------------------------------------


def test_each_step_is_sent_on_its_day_once_and_the_last_one_finishes_the_series(series):
    person = newcomer()
    for day in range(0, 61):
        welcome.send_due_steps(days(day))
        welcome.send_due_steps(days(day))  # the task may run twice
    subjects = [message.subject for message in sent(person)]
    assert subjects == [step.subject for step in series]
    assert WelcomeSend.objects.filter(enrolment__person=person).count() == 4
    assert [row.key for row in sent(person)] == [f"welcome:{step.pk}:{person.pk}" for step in series]
    enrolment = WelcomeEnrolment.objects.get(person=person)
    assert enrolment.stop_reason == Reason.FINISHED and enrolment.stopped_at is not None


def test_a_person_behind_gets_only_the_step_due_now():
    person = newcomer()
    counts = welcome.send_due_steps(days(30))  # imported a month after joining, or the run was down
    assert counts["by_day"] == {0: 0, 7: 0, 21: 1, 45: 0}
    assert [message.subject for message in sent(person)] == [WelcomeStep.objects.get(day=21).subject]
    welcome.send_due_steps(days(31))
    assert len(sent(person)) == 1  # the missed steps are not sent later
    welcome.send_due_steps(days(46))
    assert len(sent(person)) == 2


def test_nothing_is_sent_once_the_last_step_is_out_of_date():
    person = newcomer()
    assert welcome.send_due_steps(days(45 + welcome.LATE_LIMIT.days))["sent"] == 0
    assert welcome.send_due_steps(days(45 + welcome.LATE_LIMIT.days - 1))["sent"] == 1
    assert len(sent(person)) == 1


def test_edited_content_and_schedule_are_used():
    WelcomeStep.objects.filter(day=7).update(day=10, subject="Ny tekst", body="Redigert av en admin.")
    WelcomeStep.objects.filter(day=21).update(is_active=False)
    person = newcomer()
    welcome.send_due_steps(days(7))
    assert len(sent(person)) == 1  # day 0 only: the step moved to day 10
    welcome.send_due_steps(days(10))
    message = sent(person)[-1]
    assert message.subject == "Ny tekst"
    assert "Redigert av en admin." in message.text
    welcome.send_due_steps(days(21))
    assert len(sent(person)) == 2  # the step out of use is not sent


def test_the_email_is_in_the_persons_language():
    english = newcomer(language="en", first_name="Anna")
    norwegian = newcomer(language="nb", first_name="Kari")
    welcome.send_due_steps(days(0))
    [en], [nb] = sent(english), sent(norwegian)
    step = WelcomeStep.objects.get(day=0)
    assert en.subject == step.subject_en and step.body_en[:40] in en.text
    assert en.text.startswith("Hi Anna,")
    assert "because you became a member" in en.text
    assert nb.subject == step.subject and step.body[:40] in nb.text
    assert nb.text.startswith("Hei Kari,") or nb.text.startswith("Hi Kari,")  # before the translations


@pytest.mark.parametrize(
    "who",
    [
        {"email_consent": False},
        {"email": None},
        {"erased_at": datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)},
        {"membership_status": User.Membership.LAPSED},
    ],
    ids=["no consent", "no address", "erased", "lapsed"],
)
def test_only_paying_members_with_an_address_and_consent_get_it(who):
    person = newcomer()
    User.objects.filter(pk=person.pk).update(**who)
    assert welcome.send_due_steps(days(0))["sent"] == 0
    assert sent(person) == []


def test_joining_a_group_stops_the_series():
    person = newcomer()
    welcome.send_due_steps(days(0))
    f.MembershipFactory(person=person)
    enrolment = WelcomeEnrolment.objects.get(person=person)
    assert enrolment.stop_reason == Reason.ENGAGED
    for day in (7, 21, 45):
        welcome.send_due_steps(days(day))
    assert len(sent(person)) == 1


def test_signing_up_as_an_individual_activist_stops_the_series():
    person = newcomer()
    IndividualActivist.objects.create(person=person)
    assert WelcomeEnrolment.objects.get(person=person).stop_reason == Reason.ENGAGED
    assert welcome.send_due_steps(days(0))["sent"] == 0


def test_someone_already_active_when_enrolled_gets_nothing():
    person = f.PersonFactory(membership_status=User.Membership.NON_MEMBER)
    IndividualActivist.objects.create(person=person)
    set_membership_status(actor=None, person=person, status=User.Membership.PAYING, effective_on=START, source="admin")
    WelcomeEnrolment.objects.update_or_create(person=person, defaults={"started_on": START})
    assert welcome.send_due_steps(days(0))["sent"] == 0


def test_unsubscribing_stops_the_series():
    person = newcomer()
    welcome.send_due_steps(days(0))
    consent.unsubscribe(person=person, source=ConsentChange.Source.UNSUBSCRIBE_LINK, kind="welcome_step")
    assert WelcomeEnrolment.objects.get(person=person).stop_reason == Reason.UNSUBSCRIBED
    welcome.send_due_steps(days(7))
    assert len(sent(person)) == 1


def test_every_email_carries_one_click_unsubscribe():
    person = newcomer()
    welcome.send_due_steps(days(0))
    [message] = sent(person)
    url = consent.unsubscribe_url(person, "welcome_step")
    assert message.headers == {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert url in message.text and f'href="{url}"' in message.html


# --- The invitation to be active --------------------------------------------------------------------


@pytest.fixture
def catalogue():
    ActivityIdea.objects.all().delete()
    ideas = [
        ActivityIdea.objects.create(
            slug="skrivekafe",
            title="Skrivekafé på biblioteket",
            title_en="A writing café at the library",
            summary="Skriv brev for fanger sammen med andre.",
            summary_en="Write letters for prisoners with others.",
            how_to="…",
            times=["once"],
            order=1,
        ),
        ActivityIdea.objects.create(
            slug="foredrag",
            title="Et foredrag for en klasse",
            summary="Fortell om menneskerettigheter.",
            how_to="…",
            times=["once", "monthly"],
            order=2,
        ),
        ActivityIdea.objects.create(
            slug="moteplass",
            title="Den digitale møteplassen",
            summary="Møt andre enkeltaktivister på nett.",
            how_to="…",
            is_meeting_place=True,
            order=3,
        ),
        ActivityIdea.objects.create(
            slug="jevnlig", title="Fast stand", summary="Hver uke.", how_to="…", times=["regular"], order=4
        ),
        ActivityIdea.objects.create(
            slug="upublisert", title="Utkast", summary="Ikke klar.", how_to="…", is_published=False, order=0
        ),
    ]
    return ideas


def test_the_invitation_names_the_nearest_groups_activities_and_links_into_the_flow(catalogue):
    near = f.GroupFactory(name="Amnesty Bergen sentrum")  # in Bergen, like the person
    f.GroupFactory(name="Amnesty Lukket", is_open=False)
    f.GroupFactory(name="Amnesty Tromsø", municipality=f.Municipality.objects.get(number="5501"))
    person = newcomer(postal_code=f.PostalCode.objects.get(code="5003"))
    welcome.send_due_steps(days(45))
    [message] = sent(person)
    assert message.subject == WelcomeStep.objects.get(invites_to_engage=True).subject
    assert "Amnesty Bergen sentrum" in message.text
    assert f"https://portal.example.org/grupper/{near.pk}/bli-med/" in message.text
    assert "Amnesty Lukket" not in message.text and "Amnesty Tromsø" not in message.text
    assert "Skrivekafé på biblioteket" in message.text and "Et foredrag for en klasse" in message.text
    assert "Utkast" not in message.text
    assert "https://portal.example.org/engasjer-deg/" in message.text
    assert "postal_code=5003" in message.text


def test_far_from_any_group_the_digital_meeting_place_comes_first(catalogue):
    person = newcomer(postal_code=f.PostalCode.objects.get(code="9990"), language="en")  # Båtsfjord
    welcome.send_due_steps(days(45))
    [message] = sent(person)
    text = message.text
    assert "Den digitale møteplassen" in text
    assert text.index("Den digitale møteplassen") < text.index("A writing café at the library")
    assert "postal_code=9990" in text


def _codes_in(municipalities: int) -> list[str]:
    """A postal code in each of `municipalities` municipalities spread over the country (Bergen first)."""
    first = {}
    for code, number in f.PostalCode.objects.filter(municipality__isnull=False).values_list("code", "municipality"):
        first.setdefault(number, code)
    numbers = sorted(set(first) - {"4601"})
    return ["5003"] + [first[numbers[i * len(numbers) // municipalities]] for i in range(municipalities - 1)]


def _due_invitations(count, municipalities=1):
    f.GroupFactory(name="Amnesty Bergen sentrum")
    f.GroupFactory(name="Amnesty Tromsø", municipality=f.Municipality.objects.get(number="5501"))
    codes = {code.code: code for code in f.PostalCode.objects.filter(code__in=_codes_in(municipalities))}
    places = [codes[code] for code in _codes_in(municipalities)]
    for index in range(count):
        newcomer(postal_code=places[index % len(places)], language="en" if index % 3 == 0 else "nb")


# What the invitation's suggestions cost, once per language met in a chunk (engage.suggest_many): the
# places, the groups near any of them, the digital groups (none: their themes are not looked up), the
# ideas and their themes; whatever the number of people and of municipalities.
SUGGESTIONS = 5


@pytest.mark.parametrize(
    ("count", "municipalities"), [(10, 1), (50, 1), (10, 10), (50, 10)], ids=lambda value: str(value)
)
def test_the_daily_run_makes_the_same_queries_whatever_the_people_and_their_municipalities(
    catalogue, assert_num_queries, count, municipalities
):
    _due_invitations(count, municipalities)
    assert len(set(User.objects.values_list("postal_code__municipality", flat=True))) == municipalities
    # The steps; per chunk: a savepoint, the due rows, the claims, the claimed rows with their people,
    # the emails, the finished series, the release; the invitation's suggestions for all the chunk's
    # places, once per language (two here); then the empty chunk that ends the run (savepoint,
    # select, release).
    with assert_num_queries(1 + 7 + 2 * SUGGESTIONS + 3):
        counts = welcome.send_due_steps(days(45))
    assert counts["sent"] == count and counts["finished"] == count


def test_each_chunk_makes_the_same_queries(catalogue):
    _due_invitations(7)
    with CaptureQueriesContext(connection) as context:
        welcome.send_due_steps(days(45), chunk=3)  # three chunks: 3, 3, 1
    assert OutboxMessage.objects.filter(kind="welcome_step").count() == 7
    # Each more chunk costs the same seven queries; the suggestions are not looked up again.
    assert len(context.captured_queries) == 1 + 3 * 7 + 2 * SUGGESTIONS + 3


def test_each_chunk_looks_up_only_the_places_it_meets_first(catalogue):
    _due_invitations(7, municipalities=7)  # English: the 1st, 4th and 7th person
    with CaptureQueriesContext(connection) as context:
        welcome.send_due_steps(days(45), chunk=3)  # three chunks: 3, 3, 1
    assert OutboxMessage.objects.filter(kind="welcome_step").count() == 7
    # Every place is new: the first two chunks look up theirs in both languages, the last in English.
    assert len(context.captured_queries) == 1 + 3 * 7 + (2 + 2 + 1) * SUGGESTIONS + 3


def test_the_invitations_of_a_run_are_those_of_each_person_alone(catalogue):
    _due_invitations(12, municipalities=6)
    svalbard = newcomer(postal_code=f.PostalCode.objects.get(code="9170"), language="en")
    nowhere = newcomer(postal_code=None)
    welcome.send_due_steps(days(45))
    people = list(User.objects.filter(welcome__isnull=False).select_related("postal_code"))
    assert len(people) == 14 and {svalbard, nowhere} <= set(people)
    for person in people:
        alone = welcome.invitation(person)  # looked up for this person only
        [message] = sent(person)
        lines = [f"- {group.name} – {group.why}" for group in alone["groups"]]
        lines += [f"- {idea.title_shown}: {idea.summary_shown}" for idea in alone["ideas"]]
        lines.append(alone["flow_url"])
        assert all(line in message.text for line in lines), person.postal_code
        assert [message.text.index(line) for line in lines] == sorted(message.text.index(line) for line in lines)
        assert (alone["place"] is None) == (person.postal_code is None or person.postal_code.code == "9170")


# --- Two runs at once -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
def test_two_runs_at_the_same_time_send_each_step_once():
    default_series()
    people = [newcomer() for _ in range(300)]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(welcome.send_due_steps(days(0), chunk=50))
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
    assert sum(result["sent"] for result in results) == 300
    assert OutboxMessage.objects.filter(kind="welcome_step").count() == 300
    assert WelcomeSend.objects.count() == 300
    assert {row.recipient_id for row in OutboxMessage.objects.filter(kind="welcome_step")} == {p.pk for p in people}


def test_the_task_runs_the_series():
    from activists.tasks import send_welcome_steps_task

    newcomer(started_on=datetime.date.today())
    assert send_welcome_steps_task.apply().get() == {"sent": 1, "finished": 0}
    assert send_welcome_steps_task.apply().get() == {"sent": 0, "finished": 0}
