"""The five recognition criteria (seed 001) checked from data: evaluate(), refresh_standings(), describe()."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from activists.models import MembershipEvent, User
from activists.services import set_membership_status
from groups import criteria
from groups.criteria import AT_RISK, FAILS, MEETS, describe, described, evaluate, refresh_standings
from groups.models import (
    CriterionStatus,
    Group,
    GroupMembership,
    JoinRequest,
    Office,
    PriorityArea,
    StatutesAcceptance,
    StatutesVersion,
)
from groups.services import membership_changed, membership_lapsed
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    OfficeFactory,
    PersonFactory,
    make_group_meeting_criteria,
    region,
)

pytestmark = pytest.mark.django_db

STATUTES, MEMBERS, PRIORITIES, CONTACT, OPEN = 1, 2, 3, 4, 5
LONG_AGO = datetime.date(2020, 1, 1)


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - datetime.timedelta(days=n)


def at_noon(day):
    """A moment on that local day, far from midnight (and from a DST change shifting the date)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def check(group, number, on=None):
    """The Check for one criterion of one group, evaluated on the day."""
    return evaluate([group], on)[group.pk][number - 1]


def codes(result):
    return [entry["code"] for entry in result.evidence]


def status(group, number):
    return CriterionStatus.objects.get(group=group, number=number)


def old_group(**kwargs):
    """A group meeting every criterion that was founded, joined and staffed long ago."""
    contact = kwargs.pop("contact", None) or PersonFactory()
    group = make_group_meeting_criteria(contact=contact, founded_on=LONG_AGO, **kwargs)
    GroupMembership.objects.filter(group=group).update(joined_on=LONG_AGO)
    Office.objects.filter(group=group).update(started_on=LONG_AGO)
    return group


def new_statutes(published_on, version="2099"):
    return StatutesVersion.objects.create(version=version, published_on=published_on, summary="Nye vedtekter.")


# --- All five together -----------------------------------------------------------------------------


def test_group_meeting_every_criterion_meets_each_of_the_five():
    group = make_group_meeting_criteria()

    results = evaluate([group])[group.pk]

    assert [r.number for r in results] == [1, 2, 3, 4, 5]
    assert [r.state for r in results] == [MEETS] * 5
    assert [codes(r) for r in results] == [
        ["statutes_accepted"],
        ["members_all_paying"],
        ["priority_areas"],
        ["contact_ok"],
        ["open"],
    ]


def test_evaluate_of_no_groups_is_empty_and_asks_the_database_nothing(assert_num_queries):
    with assert_num_queries(0):
        assert evaluate([]) == {}


def test_refresh_stores_one_status_per_criterion_and_the_overall_standing():
    group = make_group_meeting_criteria()
    failing = GroupFactory()

    changed = refresh_standings([group.pk, failing.pk])

    assert CriterionStatus.objects.filter(group=group).count() == 5
    assert CriterionStatus.objects.filter(group=failing).count() == 5
    group.refresh_from_db()
    failing.refresh_from_db()
    assert group.standing == Group.Standing.MEETS
    assert failing.standing == Group.Standing.FAILS
    assert group.standing_checked_at is not None and failing.standing_checked_at is not None
    assert changed == 1  # only the failing group moved from the default (meets)


def test_overall_standing_is_the_worst_of_the_five():
    group = make_group_meeting_criteria()
    # An unanswered join request (at risk) and no priority area (fails).
    JoinRequest.objects.create(group=group, person=PersonFactory(), created_at=at_noon(days_ago(20)))
    group.priority_areas.clear()

    refresh_standings([group.pk])

    group.refresh_from_db()
    assert status(group, OPEN).state == AT_RISK
    assert status(group, PRIORITIES).state == FAILS
    assert group.standing == Group.Standing.FAILS
    assert criteria.worst([MEETS, AT_RISK]) == AT_RISK
    assert criteria.worst([]) == MEETS


# --- Criterion 1: the statutes ---------------------------------------------------------------------


def test_statutes_never_accepted_fails():
    group = make_group_meeting_criteria()
    StatutesAcceptance.objects.filter(group=group).delete()

    result = check(group, STATUTES)

    assert result.state == FAILS
    assert result.evidence == [{"code": "statutes_never_accepted", "params": {"current": "2023"}}]


def test_statutes_accepted_meets_with_who_and_when():
    contact = PersonFactory(first_name="Kari", last_name="Nordmann")
    group = make_group_meeting_criteria(contact=contact)

    result = check(group, STATUTES)

    assert result.state == MEETS
    assert result.evidence[0]["params"] == {"version": "2023", "by": "Kari Nordmann", "on": today().isoformat()}
    assert result.since == today()


@pytest.mark.parametrize("published_days_ago", [0, 1, 45, 89])
def test_outdated_statutes_within_the_90_day_grace_are_at_risk(published_days_ago):
    group = make_group_meeting_criteria()
    published = days_ago(published_days_ago)
    new_statutes(published)

    result = check(group, STATUTES)

    assert result.state == AT_RISK
    assert result.since == published
    deadline = published + datetime.timedelta(days=criteria.STATUTES_GRACE_DAYS)
    assert result.evidence == [
        {
            "code": "statutes_outdated",
            "params": {"accepted": "2023", "current": "2099", "deadline": deadline.isoformat()},
        }
    ]


@pytest.mark.parametrize("published_days_ago", [90, 91, 400])
def test_outdated_statutes_after_the_grace_fail_since_the_deadline(published_days_ago):
    group = make_group_meeting_criteria()
    published = days_ago(published_days_ago)
    new_statutes(published)

    result = check(group, STATUTES)

    assert result.state == FAILS
    assert result.since == published + datetime.timedelta(days=90)
    assert codes(result) == ["statutes_outdated"]


def test_statutes_published_in_the_future_do_not_count_yet():
    group = make_group_meeting_criteria()
    new_statutes(today() + datetime.timedelta(days=10))

    assert check(group, STATUTES).state == MEETS
    assert check(group, STATUTES, on=today() + datetime.timedelta(days=10)).state == AT_RISK


def test_accepting_the_new_version_meets_again():
    group = make_group_meeting_criteria()
    version = new_statutes(days_ago(200))
    assert check(group, STATUTES).state == FAILS

    StatutesAcceptance.objects.create(group=group, version=version)

    result = check(group, STATUTES)
    assert result.state == MEETS
    assert result.evidence[0]["params"]["version"] == "2099"


def test_before_any_statutes_are_published_criterion_1_meets():
    group = make_group_meeting_criteria()
    StatutesAcceptance.objects.filter(group=group).delete()

    result = check(group, STATUTES, on=datetime.date(2023, 5, 31))  # the first version: 2023-06-01

    assert result.state == MEETS
    assert codes(result) == ["statutes_none_published"]


# --- Criterion 2: all members are members of AiN ----------------------------------------------------


def test_group_without_members_fails():
    group = make_group_meeting_criteria()
    GroupMembership.objects.filter(group=group).update(left_on=today())

    result = check(group, MEMBERS)

    assert result.state == FAILS
    assert codes(result) == ["no_members"]


def test_members_who_left_are_not_counted():
    group = make_group_meeting_criteria()
    former = PersonFactory(membership_status=User.Membership.NON_MEMBER)
    MembershipFactory(group=group, person=former, joined_on=days_ago(10), left_on=days_ago(1))

    result = check(group, MEMBERS)

    assert result.state == MEETS
    assert result.evidence == [{"code": "members_all_paying", "params": {"count": 1}}]


def test_a_non_member_in_the_group_fails():
    group = make_group_meeting_criteria()
    activist = PersonFactory(membership_status=User.Membership.NON_MEMBER, first_name="Ola", last_name="Aktivist")
    MembershipFactory(group=group, person=activist)

    result = check(group, MEMBERS)

    assert result.state == FAILS
    assert result.evidence == [
        {"code": "members_not_paying", "params": {"people": [[activist.pk, "Ola Aktivist"]], "count": 1}}
    ]


def test_a_lapse_effective_on_the_day_of_the_check_is_at_risk():
    group = old_group()
    member = PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=today())
    MembershipFactory(group=group, person=member, joined_on=LONG_AGO)

    result = check(group, MEMBERS)

    assert result.state == AT_RISK
    assert result.since == today()
    # The day before, the lapse had not taken effect yet.
    assert check(group, MEMBERS, on=days_ago(1)).state == MEETS


def test_a_lapse_taking_effect_later_still_counts_as_paying_until_then():
    group = make_group_meeting_criteria()
    member = PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=today() + datetime.timedelta(days=3))
    MembershipFactory(group=group, person=member)

    assert check(group, MEMBERS).state == MEETS
    assert check(group, MEMBERS, on=today() + datetime.timedelta(days=3)).state == AT_RISK


@pytest.mark.parametrize(
    ("lapsed_days_ago", "state"),
    [(0, AT_RISK), (1, AT_RISK), (29, AT_RISK), (30, FAILS), (31, FAILS), (365, FAILS)],
)
def test_a_lapse_under_30_days_ago_is_at_risk_and_older_fails(lapsed_days_ago, state):
    group = old_group()
    member = PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=days_ago(lapsed_days_ago))
    MembershipFactory(group=group, person=member, joined_on=LONG_AGO)

    result = check(group, MEMBERS)

    assert result.state == state
    assert codes(result) == ["members_not_paying"]


def test_a_recent_lapse_beside_a_non_member_fails():
    group = make_group_meeting_criteria()
    MembershipFactory(group=group, person=PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=today()))
    MembershipFactory(group=group, person=PersonFactory(membership_status=User.Membership.NON_MEMBER))

    result = check(group, MEMBERS)

    assert result.state == FAILS
    assert result.evidence[0]["params"]["count"] == 2


def test_a_lapsed_member_without_a_lapse_date_fails():
    group = make_group_meeting_criteria()
    MembershipFactory(group=group, person=PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=None))

    assert check(group, MEMBERS).state == FAILS


def youth_group(*birth_years, age_exception=""):
    this_year = today().year
    contact = PersonFactory(birth_year=this_year - 16)
    group = make_group_meeting_criteria(contact=contact, category=Group.Category.YOUTH, age_exception=age_exception)
    people = []
    for birth_year in birth_years:
        person = PersonFactory(birth_year=birth_year)
        MembershipFactory(group=group, person=person)
        people.append(person)
    return group, people


def test_youth_group_member_turning_20_this_year_is_at_risk():
    group, [older] = youth_group(today().year - 20)

    result = check(group, MEMBERS)

    assert result.state == AT_RISK
    assert codes(result) == ["members_all_paying", "youth_age_outside"]
    assert result.evidence[1]["params"]["people"] == [[older.pk, str(older)]]


def test_youth_group_member_turning_19_or_13_this_year_meets():
    group, _people = youth_group(today().year - 19, today().year - 13)

    result = check(group, MEMBERS)

    assert result.state == MEETS
    assert codes(result) == ["members_all_paying"]


def test_youth_group_member_turning_12_this_year_is_at_risk():
    group, _people = youth_group(today().year - 12)

    assert check(group, MEMBERS).state == AT_RISK


def test_age_is_counted_from_the_birth_year_of_the_year_checked():
    group, _people = youth_group(today().year - 19)

    assert check(group, MEMBERS).state == MEETS
    assert check(group, MEMBERS, on=datetime.date(today().year + 1, 1, 1)).state == AT_RISK


def test_youth_group_with_an_age_exception_meets_with_the_exception_as_evidence():
    group, [older] = youth_group(today().year - 20, age_exception="Leder fra starten, går ut til sommeren.")

    result = check(group, MEMBERS)

    assert result.state == MEETS
    assert codes(result) == ["members_all_paying", "youth_age_exception"]


def test_youth_group_member_without_a_birth_year_is_not_counted_as_outside():
    group, _people = youth_group(None)

    assert check(group, MEMBERS).state == MEETS


def test_other_categories_have_no_age_limit():
    group = make_group_meeting_criteria(category=Group.Category.STUDENT)
    MembershipFactory(group=group, person=PersonFactory(birth_year=today().year - 20))

    assert check(group, MEMBERS).state == MEETS


def test_youth_group_outside_age_does_not_soften_a_failing_membership():
    group, _people = youth_group(today().year - 25)
    MembershipFactory(group=group, person=PersonFactory(membership_status=User.Membership.NON_MEMBER))

    result = check(group, MEMBERS)

    assert result.state == FAILS
    assert codes(result) == ["members_not_paying", "youth_age_outside"]


# --- Criterion 3: priority areas ---------------------------------------------------------------------


def test_group_without_a_priority_area_fails():
    group = make_group_meeting_criteria()
    group.priority_areas.clear()

    result = check(group, PRIORITIES)

    assert result.state == FAILS
    assert codes(result) == ["no_priority_area"]


def test_group_working_only_on_a_former_priority_area_fails():
    group = make_group_meeting_criteria()
    group.priority_areas.clear()
    group.priority_areas.add(PriorityArea.objects.create(name="Gammel prioritet", is_current=False))

    assert check(group, PRIORITIES).state == FAILS


def test_priority_areas_evidence_names_the_current_areas_in_order():
    group = make_group_meeting_criteria()
    first, second = PriorityArea.objects.filter(is_current=True).order_by("order", "name")[:2]
    group.priority_areas.set([second, first])
    group.priority_areas.add(PriorityArea.objects.create(name="Gammel prioritet", is_current=False))

    result = check(group, PRIORITIES)

    assert result.state == MEETS
    assert result.evidence[0]["params"]["areas"] == [first.name, second.name]


# --- Criterion 4: a contact person the secretariat can reach ---------------------------------------


def test_group_without_a_contact_fails_since_the_last_contact_ended():
    group = old_group()
    Office.objects.filter(group=group).update(ended_on=days_ago(5), end_reason=Office.EndReason.STEPPED_DOWN)

    result = check(group, CONTACT)

    assert result.state == FAILS
    assert result.since == days_ago(5)
    assert codes(result) == ["no_contact"]


def test_a_contact_office_ending_today_is_no_longer_current_today():
    group = old_group()
    Office.objects.filter(group=group).update(ended_on=today())

    assert check(group, CONTACT).state == FAILS
    assert check(group, CONTACT, on=days_ago(1)).state == MEETS


def test_a_contact_office_starting_later_does_not_count_yet():
    group = make_group_meeting_criteria()
    Office.objects.filter(group=group).update(started_on=today() + datetime.timedelta(days=1))

    assert check(group, CONTACT).state == FAILS


def test_leader_is_not_a_contact_person():
    group = make_group_meeting_criteria()
    Office.objects.filter(group=group).update(kind=Office.Kind.LEADER)

    assert check(group, CONTACT).state == FAILS


def test_contact_with_an_unconfirmed_email_is_at_risk():
    contact = PersonFactory()
    group = make_group_meeting_criteria(contact=contact)
    contact.emailaddress_set.update(verified=False)

    result = check(group, CONTACT)

    assert result.state == AT_RISK
    assert result.evidence == [
        {"code": "contact_email_unconfirmed", "params": {"name": str(contact), "person": contact.pk}}
    ]


def test_contact_without_an_email_fails():
    contact = PersonFactory()
    group = make_group_meeting_criteria(contact=contact)
    User.objects.filter(pk=contact.pk).update(email=None)

    result = check(group, CONTACT)

    assert result.state == FAILS
    assert codes(result) == ["contact_no_email"]


def test_contact_who_stopped_paying_fails_even_before_the_office_is_ended():
    contact = PersonFactory()
    group = make_group_meeting_criteria(contact=contact)
    User.objects.filter(pk=contact.pk).update(membership_status=User.Membership.LAPSED, lapsed_on=days_ago(2))

    result = check(group, CONTACT)

    assert result.state == FAILS
    assert result.since == days_ago(2)
    assert codes(result) == ["contact_not_paying"]


def test_with_several_contacts_one_reachable_contact_is_enough():
    group = make_group_meeting_criteria()
    unreachable = PersonFactory(membership_status=User.Membership.NON_MEMBER)
    MembershipFactory(group=group, person=unreachable)
    OfficeFactory(group=group, person=unreachable, kind=Office.Kind.CONTACT)

    result = check(group, CONTACT)

    assert result.state == MEETS
    assert codes(result) == ["contact_ok"]


def test_a_contact_person_of_two_groups_lets_both_meet_and_a_lapse_fails_both():
    contact = PersonFactory()
    first = old_group(contact=contact)
    second = old_group(contact=contact)
    refresh_standings([first.pk, second.pk])
    assert [status(g, CONTACT).state for g in (first, second)] == [MEETS, MEETS]

    set_membership_status(
        actor=None, person=contact, status=User.Membership.LAPSED, effective_on=today(), source="admin"
    )

    offices = Office.objects.filter(person=contact)
    assert offices.count() == 2
    assert all(o.ended_on == today() and o.end_reason == Office.EndReason.MEMBERSHIP_LAPSED for o in offices)
    for group in (first, second):
        group.refresh_from_db()
        assert status(group, CONTACT).state == FAILS
        assert status(group, CONTACT).since == today()
        assert status(group, MEMBERS).state == AT_RISK
        assert group.standing == Group.Standing.FAILS


def test_a_lapse_effective_on_the_day_of_the_check_fails_criterion_4_that_day():
    contact = PersonFactory()
    group = old_group(contact=contact)
    refresh_standings([group.pk])

    ended = membership_lapsed(actor=None, lapses=[(contact, today())])
    User.objects.filter(pk=contact.pk).update(membership_status=User.Membership.LAPSED, lapsed_on=today())
    membership_changed(person_ids=[contact.pk])

    assert [o.ended_on for o in ended] == [today()]
    assert not Office.objects.current().filter(group=group).exists()
    assert Office.objects.current(on=days_ago(1)).filter(group=group).exists()
    assert status(group, CONTACT).state == FAILS
    assert status(group, CONTACT).evidence == [{"code": "no_contact", "params": {}}]
    assert check(group, CONTACT, on=days_ago(1)).state == MEETS


def test_a_national_digital_thematic_group_is_checked_like_any_other():
    group = make_group_meeting_criteria(municipality=None, region=region("oslo"), category=Group.Category.THEMATIC)
    assert group.is_national

    refresh_standings()

    group.refresh_from_db()
    assert group.standing == Group.Standing.MEETS
    assert [s.state for s in group.criteria.order_by("number")] == [MEETS] * 5

    group.priority_areas.clear()
    Office.objects.filter(group=group).update(ended_on=today())
    refresh_standings()

    group.refresh_from_db()
    assert group.standing == Group.Standing.FAILS
    assert status(group, PRIORITIES).state == FAILS
    assert status(group, CONTACT).state == FAILS


# --- Criterion 5: open to new members -----------------------------------------------------------------


def test_a_group_closed_to_new_members_fails():
    group = make_group_meeting_criteria(is_open=False)

    result = check(group, OPEN)

    assert result.state == FAILS
    assert codes(result) == ["not_open"]


@pytest.mark.parametrize(
    ("waited", "state"),
    [(0, MEETS), (14, MEETS), (15, AT_RISK), (30, AT_RISK), (31, FAILS), (60, FAILS)],
)
def test_a_join_request_waiting_over_14_days_is_at_risk_and_over_30_fails(waited, state):
    group = make_group_meeting_criteria()
    JoinRequest.objects.create(group=group, person=PersonFactory(), created_at=at_noon(days_ago(waited)))

    result = check(group, OPEN)

    assert result.state == state
    if state == MEETS:
        assert codes(result) == ["open"]
    else:
        assert result.evidence == [{"code": "join_request_waiting", "params": {"days": waited}}]


def test_join_request_at_risk_and_failing_since_the_day_the_limits_were_passed():
    group = make_group_meeting_criteria()
    asked = days_ago(40)
    JoinRequest.objects.create(group=group, person=PersonFactory(), created_at=at_noon(asked))

    assert check(group, OPEN, on=asked + datetime.timedelta(days=15)).since == asked + datetime.timedelta(days=15)
    assert check(group, OPEN).since == asked + datetime.timedelta(days=31)


def test_the_oldest_pending_join_request_counts_and_answered_ones_do_not():
    group = make_group_meeting_criteria()
    JoinRequest.objects.create(
        group=group, person=PersonFactory(), created_at=at_noon(days_ago(60)), status=JoinRequest.Status.ACCEPTED
    )
    JoinRequest.objects.create(
        group=group, person=PersonFactory(), created_at=at_noon(days_ago(50)), status=JoinRequest.Status.WITHDRAWN
    )
    JoinRequest.objects.create(group=group, person=PersonFactory(), created_at=at_noon(days_ago(3)))
    JoinRequest.objects.create(group=group, person=PersonFactory(), created_at=at_noon(days_ago(20)))

    result = check(group, OPEN)

    assert result.state == AT_RISK
    assert result.evidence[0]["params"]["days"] == 20


# --- Storing the results: since, idempotence, which groups ---------------------------------------


def snapshot(*groups):
    return sorted(
        CriterionStatus.objects.filter(group__in=groups).values_list("group_id", "number", "state", "since", "evidence")
    )


def test_refresh_twice_changes_nothing_the_second_time():
    groups = [make_group_meeting_criteria(), GroupFactory(), old_group(is_open=False)]
    ids = [g.pk for g in groups]

    first = refresh_standings(ids)
    before = snapshot(*groups)
    standings = list(Group.objects.filter(pk__in=ids).order_by("pk").values_list("standing", flat=True))
    second = refresh_standings(ids)

    assert first == 2
    assert second == 0
    assert snapshot(*groups) == before
    assert list(Group.objects.filter(pk__in=ids).order_by("pk").values_list("standing", flat=True)) == standings
    assert CriterionStatus.objects.filter(group__in=groups).count() == 15


def test_since_is_kept_while_the_state_is_unchanged():
    group = old_group()
    asked = days_ago(30)
    JoinRequest.objects.create(group=group, person=PersonFactory(), created_at=at_noon(asked))

    refresh_standings([group.pk], today=days_ago(10))  # 20 days: at risk
    first = status(group, OPEN)
    refresh_standings([group.pk], today=days_ago(2))  # 28 days: still at risk

    second = status(group, OPEN)
    assert first.state == second.state == AT_RISK
    assert second.since == first.since == asked + datetime.timedelta(days=15)
    assert second.evidence[0]["params"]["days"] == 28  # the evidence is renewed


def test_since_moves_when_the_statutes_state_changes():
    group = old_group()
    published = days_ago(100)
    version = new_statutes(published)

    refresh_standings([group.pk], today=days_ago(50))
    assert (status(group, STATUTES).state, status(group, STATUTES).since) == (AT_RISK, published)

    refresh_standings([group.pk])
    deadline = published + datetime.timedelta(days=90)
    assert (status(group, STATUTES).state, status(group, STATUTES).since) == (FAILS, deadline)

    StatutesAcceptance.objects.create(group=group, version=version)
    refresh_standings([group.pk])
    assert (status(group, STATUTES).state, status(group, STATUTES).since) == (MEETS, today())


def test_since_moves_when_a_recent_lapse_becomes_a_failing_one():
    group = old_group()
    lapsed_on = days_ago(40)
    member = PersonFactory(membership_status=User.Membership.LAPSED, lapsed_on=lapsed_on)
    MembershipFactory(group=group, person=member, joined_on=LONG_AGO)

    refresh_standings([group.pk], today=days_ago(35))
    assert (status(group, MEMBERS).state, status(group, MEMBERS).since) == (AT_RISK, lapsed_on)

    refresh_standings([group.pk])
    failing_since = lapsed_on + datetime.timedelta(days=criteria.LAPSE_GRACE_DAYS)
    assert (status(group, MEMBERS).state, status(group, MEMBERS).since) == (FAILS, failing_since)


def test_a_state_without_a_date_of_its_own_is_dated_the_day_it_changed():
    group = old_group()
    refresh_standings([group.pk], today=days_ago(5))
    assert status(group, OPEN).state == MEETS

    Group.objects.filter(pk=group.pk).update(is_open=False)
    refresh_standings([group.pk], today=days_ago(3))
    refresh_standings([group.pk])

    assert (status(group, OPEN).state, status(group, OPEN).since) == (FAILS, days_ago(3))


def test_first_check_dates_a_met_criterion_from_approval_or_founding():
    founded = days_ago(10)
    pending = GroupFactory(status=Group.Status.PENDING, founded_on=founded)
    approved = GroupFactory(founded_on=founded, decided_at=at_noon(days_ago(4)))

    refresh_standings([pending.pk, approved.pk])

    assert status(pending, OPEN).since == founded
    assert status(approved, OPEN).since == days_ago(4)


def test_first_check_dates_an_undated_failure_from_when_it_was_first_seen():
    group = GroupFactory(founded_on=days_ago(400), decided_at=at_noon(days_ago(390)), is_open=False)

    refresh_standings([group.pk], today=days_ago(2))

    # Nothing says when the group closed its doors: the portal has known it for two days.
    assert status(group, OPEN).since == days_ago(2)


def test_never_accepted_statutes_fail_since_the_version_or_the_founding():
    group = GroupFactory(founded_on=days_ago(30))

    refresh_standings([group.pk])

    assert status(group, STATUTES).state == Group.Standing.FAILS
    assert status(group, STATUTES).since == days_ago(30)


def test_since_is_never_after_the_day_checked():
    group = make_group_meeting_criteria()  # founded and staffed today

    refresh_standings([group.pk], today=days_ago(3))

    assert all(s.since <= days_ago(3) for s in group.criteria.all())


def test_refresh_returns_how_many_groups_changed_standing():
    group = make_group_meeting_criteria()
    assert refresh_standings([group.pk]) == 0

    group.priority_areas.clear()
    assert refresh_standings([group.pk]) == 1
    assert refresh_standings([group.pk]) == 0


def test_closed_and_rejected_groups_keep_the_standing_they_had():
    closed = GroupFactory(status=Group.Status.CLOSED, standing=Group.Standing.AT_RISK)
    rejected = GroupFactory(status=Group.Status.REJECTED)
    pending = GroupFactory(status=Group.Status.PENDING)

    refresh_standings()

    closed.refresh_from_db()
    pending.refresh_from_db()
    assert closed.standing == Group.Standing.AT_RISK and closed.standing_checked_at is None
    assert not CriterionStatus.objects.filter(group__in=[closed, rejected]).exists()
    assert pending.standing == Group.Standing.FAILS
    assert refresh_standings([closed.pk, rejected.pk]) == 0


def test_refresh_without_ids_checks_every_existing_group(world):
    refresh_standings()

    assert set(CriterionStatus.objects.values_list("group_id", flat=True)) == {world.group.pk, world.other_group.pk}


def make_groups(n):
    groups = []
    for _ in range(n):
        contact = PersonFactory()
        group = make_group_meeting_criteria(contact=contact)
        MembershipFactory(group=group, person=PersonFactory(membership_status=User.Membership.NON_MEMBER))
        JoinRequest.objects.create(group=group, person=PersonFactory(), created_at=at_noon(days_ago(20)))
        groups.append(group)
    return groups


def queries_to_refresh(groups):
    with CaptureQueriesContext(connection) as context:
        refresh_standings([g.pk for g in groups])
    return len(context.captured_queries)


def test_refresh_runs_the_same_number_of_queries_for_2_and_for_10_groups():
    two, ten = make_groups(2), make_groups(10)

    first_two, first_ten = queries_to_refresh(two), queries_to_refresh(ten)
    again_two, again_ten = queries_to_refresh(two), queries_to_refresh(ten)

    assert first_two == first_ten
    assert again_two == again_ten
    assert first_ten <= 16


def test_evaluate_runs_the_same_number_of_queries_for_2_and_for_10_groups():
    two, ten = make_groups(2), make_groups(10)

    with CaptureQueriesContext(connection) as small:
        evaluate(two)
    with CaptureQueriesContext(connection) as large:
        evaluate(ten)

    assert len(small.captured_queries) == len(large.captured_queries)


# --- Putting the evidence into words ---------------------------------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def group_with_every_named_evidence():
    """A youth group whose evidence names people: the contact, a non-paying member, one too old."""
    contact = PersonFactory(first_name="Kontakt", last_name="Kontaktesen", birth_year=today().year - 17)
    group = make_group_meeting_criteria(contact=contact, category=Group.Category.YOUTH)
    contact.emailaddress_set.update(verified=False)
    MembershipFactory(
        group=group,
        person=PersonFactory(
            first_name="Utmeldt", last_name="Utmeldtsen", membership_status=User.Membership.LAPSED, lapsed_on=today()
        ),
    )
    MembershipFactory(group=group, person=PersonFactory(first_name="Voksen", last_name="Voksensen", birth_year=1980))
    return group


NAMES = ("Kontakt", "Kontaktesen", "Utmeldt", "Utmeldtsen", "Voksen", "Voksensen")


def all_texts(group, *, with_names):
    refresh_standings([group.pk])
    return [text for s in group.criteria.order_by("number") for text in described(s, with_names=with_names)]


def test_describe_without_names_reveals_no_names(english):
    group = group_with_every_named_evidence()

    texts = all_texts(group, with_names=False)

    assert len(texts) == 6
    for text in texts:
        assert not any(name in text for name in NAMES), text
    assert "2 members do not pay their membership." in texts or "1 member does not pay their membership." in texts


def test_describe_without_names_hides_who_accepted_the_statutes_and_who_is_contact(english):
    contact = PersonFactory(first_name="Kontakt", last_name="Kontaktesen")
    group = make_group_meeting_criteria(contact=contact)

    texts = all_texts(group, with_names=False)

    assert not any("Kontakt" in text for text in texts)
    assert "The group accepted version 2023" in texts[0]


def test_describe_with_names_names_the_people(english):
    group = group_with_every_named_evidence()

    text = " ".join(all_texts(group, with_names=True))

    for name in ("Kontakt Kontaktesen", "Utmeldt Utmeldtsen", "Voksen Voksensen"):
        assert name in text


def test_describe_youth_age_without_names_counts_people(english):
    group, _people = youth_group(today().year - 25, today().year - 30)
    refresh_standings([group.pk])

    texts = described(status(group, MEMBERS), with_names=False)

    assert texts[1] == "2 members are outside 13–19 this year."


def test_describe_puts_dates_in_the_readers_format_and_counts_days(english):
    deadline = datetime.date(2030, 3, 9)
    text = describe(
        {"code": "statutes_outdated", "params": {"accepted": "2023", "current": "2030", "deadline": "2030-03-09"}},
        with_names=False,
    )
    assert "2023-03-09" not in text
    assert "2030" in text and "03" in text and "09" in text
    assert text != describe(
        {"code": "statutes_outdated", "params": {"accepted": "2023", "current": "2030", "deadline": "2030-03-10"}},
        with_names=False,
    )
    assert deadline.isoformat() not in text

    assert describe({"code": "join_request_waiting", "params": {"days": 1}}, with_names=False) == (
        "A join request has waited 1 day for an answer."
    )
    assert describe({"code": "join_request_waiting", "params": {"days": 31}}, with_names=False) == (
        "A join request has waited 31 days for an answer."
    )


def test_every_stored_evidence_code_can_be_described():
    group = group_with_every_named_evidence()
    others = [
        GroupFactory(is_open=False),
        make_group_meeting_criteria(),
        old_group(),
    ]
    Office.objects.filter(group=others[2]).update(ended_on=today())
    new_statutes(days_ago(10))
    JoinRequest.objects.create(group=others[1], person=PersonFactory(), created_at=at_noon(days_ago(20)))
    refresh_standings()

    statuses = CriterionStatus.objects.filter(group__in=[group, *others])
    seen = {entry["code"] for s in statuses for entry in s.evidence}
    for language in ("nb", "en"):
        with translation.override(language):
            for s in statuses:
                for with_names in (True, False):
                    assert all(described(s, with_names=with_names))
    assert seen >= {"statutes_outdated", "members_not_paying", "youth_age_outside", "no_contact", "not_open"}


def test_since_days_counts_from_since():
    group = make_group_meeting_criteria()
    refresh_standings([group.pk])
    CriterionStatus.objects.filter(group=group).update(since=days_ago(7))

    assert criteria.since_days(status(group, OPEN)) == 7


def test_a_lapse_recorded_by_the_admin_service_re_checks_the_members_groups():
    group = make_group_meeting_criteria()
    person = PersonFactory()
    MembershipFactory(group=group, person=person)
    refresh_standings([group.pk])

    set_membership_status(
        actor=None, person=person, status=User.Membership.LAPSED, effective_on=days_ago(3), source="admin"
    )

    assert MembershipEvent.objects.get(person=person).effective_on == days_ago(3)
    assert status(group, MEMBERS).state == AT_RISK
    group.refresh_from_db()
    assert group.standing == Group.Standing.AT_RISK


@pytest.mark.parametrize("code", ["contact_ok", "contact_not_paying", "contact_no_email", "contact_email_unconfirmed"])
def test_describe_the_contact_without_names_says_the_contact_person_once(english, code):
    entry = {"code": code, "params": {"name": "Kari Nordmann", "person": 1}}

    nameless, named = describe(entry, with_names=False), describe(entry, with_names=True)

    assert "Kari" not in nameless
    assert nameless.lower().count("the contact person") == 1
    assert "Kari Nordmann" in named
