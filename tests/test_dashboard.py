"""The regional dashboard and the national overview (dashboard/): figures that agree with the
registers, the to-do list, the privacy rule on pages, charts and both export formats, who may see
what, the cache of rendered dashboards and the refresh of the summary tables.

The expected figures are computed here, person by person and activity by activity, from the
registers' rows: never by calling the dashboard's code. The privacy rule itself is tested in
test_privacy.py, the status codes per role in test_permissions.py, the query counts (at 2 and at
50 groups) in test_query_counts.py.
"""

import csv
import datetime
import io
import json
from collections import Counter, defaultdict
from html.parser import HTMLParser

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from activists.models import ActivistActivity, IndividualActivist, User
from amnesty_portal.privacy import suppress
from dashboard import figures, summaries, tasks, todo
from dashboard.models import ActivityFigure, PeopleFigure, Refresh
from groups import services
from groups.models import (
    ActivityType,
    Contact,
    FollowUp,
    Group,
    GroupMembership,
    JoinRequest,
    PriorityArea,
    QuarterlyReport,
    ReportActivity,
)
from groups.quarters import Quarter
from regions.models import Municipality, PostalCode, Region, RegionRole
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
LONG_AGO = datetime.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def _uncached(settings):
    """Every test here sees the dashboards as they are built; the cache has tests of its own."""
    settings.DASHBOARD_CACHE_SECONDS = 0
    # The report for the quarter just ended is overdue whatever the day the tests run.
    settings.REPORT_DEADLINE_DAYS = 0


def _postal(code):
    return PostalCode.objects.get(code=code)


def _municipality(number):
    return Municipality.objects.get(number=number)


def _people(n, **fields):
    return [f.PersonFactory(**fields) for _ in range(n)]


def _report(group, quarter, status, **fields):
    submitted = status != QuarterlyReport.Status.DRAFT
    fields.setdefault("submitted_at", timezone.now() if submitted else None)
    return QuarterlyReport.objects.create(
        group=group, year=quarter.year, quarter=quarter.number, status=status, **fields
    )


def _activities(report, n, **fields):
    fields.setdefault("kind", ReportActivity.Kind.DONE)
    fields.setdefault("date", report.period.start + 5 * DAY)
    for _ in range(n):
        ReportActivity.objects.create(report=report, **fields)


class Organisation:
    """The world's cast, and a region (Bergen) with known people, groups, reports and to-dos.

    People: 6 men aged about 35 in Bergen (a regional-office city) who joined the student group at
    the start of last quarter; 7 women over 60 in Voss who are in no group (one was in a group that
    has since closed, one in a rejected group, one left a group last quarter); 2 non-binary people
    under 30 in Sogndal who joined as members this quarter and are in the Voss group (a cell of 2:
    hidden); 3 activists who are not members in the Voss group; a man whose membership lapsed at the
    start of this quarter; a member without a postal code and one on Svalbard (no region). Individual
    activists in Bergen (issue 6): two non-members in no group (one not heard from for six months), one
    of the Voss group's activists (counted once), and one who stopped before last quarter.

    Activities: last quarter, the student group did 6 stands ("Skriv for liv") and 2 letters to the
    editor (a cell of 2), the Voss group 5 open events ("skriv for liv ", the same campaign); the
    quarter before, the student group did 3 lobbying meetings and 9 signature drives ("Stopp
    tortur"); two quarters before that the Voss group ran 9 small campaigns, one activity each. A
    draft report, planned activities and this quarter's report are not counted. An Oslo group
    reported 4 stands last quarter. The individual activists logged 2 open events last quarter in
    Bergen (and one this quarter, not counted), and one in Oslo the quarter before.
    """

    def __init__(self, world):
        self.world = world
        self.region = world.region
        self.today = timezone.localdate()
        self.current = Quarter.of(self.today)
        self.last = self.current.previous
        self.before = self.last.previous
        self.earlier = self.before.previous
        now = timezone.now()

        g = f.GroupFactory
        self.student = g(name="Amnesty UiB", category=Group.Category.STUDENT, founded_on=LONG_AGO)
        self.voss = g(name="Amnesty Voss", municipality=_municipality("4621"), founded_on=LONG_AGO)
        self.sogndal = g(
            name="Amnesty Sogndal",
            municipality=_municipality("4640"),
            founded_on=LONG_AGO,
            standing=Group.Standing.FAILS,
            warning_deadline=self.today + 30 * DAY,
        )
        self.askoy = g(
            name="Amnesty Askøy",
            municipality=_municipality("4627"),
            founded_on=LONG_AGO,
            standing=Group.Standing.AT_RISK,
        )
        self.pending = g(
            name="Amnesty Stord",
            municipality=_municipality("4614"),
            status=Group.Status.PENDING,
            registered_by=world.member,
            registered_at=now - 3 * DAY,
        )
        self.closed = g(
            name="Amnesty Fjaler",
            municipality=_municipality("4646"),
            status=Group.Status.CLOSED,
            founded_on=LONG_AGO,
            closed_on=self.last.start + 10 * DAY,
        )
        self.rejected = g(name="Amnesty Bømlo", municipality=_municipality("4613"), status=Group.Status.REJECTED)

        self.men = _people(6, gender=User.Gender.MAN, birth_year=self.today.year - 35, member_since=LONG_AGO)
        for person in self.men:
            f.MembershipFactory(group=self.student, person=person, joined_on=self.last.start)
        self.women = _people(
            7,
            gender=User.Gender.WOMAN,
            birth_year=self.today.year - 70,
            postal_code=_postal("5700"),
            member_since=LONG_AGO,
        )
        f.MembershipFactory(group=self.closed, person=self.women[0], joined_on=LONG_AGO)
        f.MembershipFactory(group=self.rejected, person=self.women[1], joined_on=LONG_AGO)
        f.MembershipFactory(group=self.askoy, person=self.women[2], joined_on=LONG_AGO, left_on=self.last.end - 5 * DAY)
        self.newcomers = _people(
            2,
            gender=User.Gender.NON_BINARY,
            birth_year=self.today.year - 18,
            postal_code=_postal("6856"),
            member_since=self.current.start,
        )
        for person in self.newcomers:
            f.MembershipFactory(group=self.voss, person=person, joined_on=self.today)
        self.activists = _people(
            3,
            gender=User.Gender.WOMAN,
            birth_year=1985,
            membership_status=User.Membership.NON_MEMBER,
            member_since=None,
        )
        for person in self.activists:
            f.MembershipFactory(group=self.voss, person=person, joined_on=self.before.start)
        self.lapsed = f.PersonFactory(
            gender=User.Gender.MAN,
            birth_year=1970,
            postal_code=_postal("5700"),
            membership_status=User.Membership.LAPSED,
            lapsed_on=self.current.start,
            member_since=LONG_AGO,
        )
        self.nowhere = f.PersonFactory(postal_code=None, gender=User.Gender.WOMAN, member_since=LONG_AGO)
        self.individuals = _people(
            3, gender="", birth_year=1980, membership_status=User.Membership.NON_MEMBER, member_since=None
        )
        signed_up = timezone.make_aware(datetime.datetime(2020, 1, 1, 12))
        on_their_own = [
            IndividualActivist.objects.create(person=person, signed_up_at=signed_up)
            for person in [*self.individuals, self.activists[0]]
        ]
        IndividualActivist.objects.filter(pk=on_their_own[1].pk).update(last_heard_on=self.today - 200 * DAY)
        IndividualActivist.objects.filter(pk=on_their_own[2].pk).update(
            stopped_at=timezone.make_aware(datetime.datetime.combine(self.before.start, datetime.time(12)))
        )
        self.silent_activist = on_their_own[1]
        for day, region in [
            (self.last.start, self.region),
            (self.last.end, self.region),
            (self.today, self.region),
            (self.before.start, world.other_region),
        ]:
            ActivistActivity.objects.create(
                activist=on_their_own[0],
                date=day,
                type=ActivityType.OPEN_EVENT,
                description="Skrivekafé",
                participants=3,
                region=region,
            )
        self.svalbard = f.PersonFactory(postal_code=_postal("9170"), birth_year=None)

        areas = list(PriorityArea.objects.order_by("order", "name"))
        self.area, self.other_area = areas[0], areas[1]
        Status = QuarterlyReport.Status
        self.unreviewed = _report(self.student, self.last, Status.SUBMITTED, submitted_at=now - 2 * DAY)
        _activities(
            self.unreviewed,
            6,
            type=ActivityType.STAND,
            outward=True,
            priority_area=self.area,
            campaign="Skriv for liv",
            participants=4,
        )
        _activities(self.unreviewed, 2, type=ActivityType.LETTER_TO_EDITOR, outward=False, participants=1)
        _activities(self.unreviewed, 3, kind=ReportActivity.Kind.PLANNED, type=ActivityType.LOBBYING)
        voss_last = _report(self.voss, self.last, Status.REVIEWED, is_late=True)
        _activities(
            voss_last,
            5,
            type=ActivityType.OPEN_EVENT,
            outward=True,
            priority_area=self.other_area,
            campaign="skriv for liv ",
            participants=10,
        )
        student_before = _report(self.student, self.before, Status.REVIEWED)
        _activities(
            student_before,
            3,
            type=ActivityType.LOBBYING,
            outward=False,
            priority_area=self.area,
            campaign="Stopp tortur",
            participants=2,
        )
        _activities(
            student_before,
            9,
            type=ActivityType.SIGNATURES,
            outward=True,
            priority_area=self.other_area,
            campaign="Stopp tortur",
        )
        voss_earlier = _report(self.voss, self.earlier, Status.REVIEWED)
        for n in range(1, 10):
            _activities(
                voss_earlier, 1, type=ActivityType.OTHER, outward=n % 2 == 0, campaign=f"Kampanje {n}", participants=n
            )
        _activities(_report(self.sogndal, self.last, Status.DRAFT), 7, type=ActivityType.STAND)  # a draft: not counted
        _activities(_report(self.voss, self.current, Status.REVIEWED), 5, type=ActivityType.STAND)  # not over yet
        oslo = _report(world.other_group, self.last, Status.SUBMITTED)
        _activities(oslo, 4, type=ActivityType.STAND, outward=True, campaign="Skriv for liv", participants=2)

        Contact.objects.create(group=self.student, date=self.today, channel=Contact.Channel.PHONE, by=world.leader)
        Contact.objects.create(group=self.voss, date=self.last.start + 3 * DAY, channel=Contact.Channel.EMAIL)
        Contact.objects.create(group=world.other_group, date=self.today, channel=Contact.Channel.VISIT)

        self.waiting = JoinRequest.objects.create(group=self.voss, person=world.outsider, created_at=now - 20 * DAY)
        JoinRequest.objects.create(group=self.student, person=self.lapsed, created_at=now - 2 * DAY)
        self.welcome = FollowUp.objects.create(
            region=self.region, group=self.pending, kind=FollowUp.Kind.WELCOME_PACKAGE, due_on=self.today + 10 * DAY
        )
        FollowUp.objects.create(
            region=self.region, group=self.student, kind=FollowUp.Kind.FIRST_CONTACT, done_at=now - DAY
        )
        summaries.refresh()


@pytest.fixture
def org(world):
    return Organisation(world)


# --- The figures, computed independently ------------------------------------------------------------

GENDERS = ["man", "woman", "other", "unknown"]
AGES = ["under_30", "30_60", "over_60", "unknown"]
PLACES = ["city", "outside", "unknown"]
CENTRALITIES = ["12", "34", "56", "unknown"]
DIMENSIONS = {"gender": GENDERS, "age": AGES, "place": PLACES, "centrality": CENTRALITIES}
# The board's target groups: men, aged 30–60, outside the five cities, each centrality class.
TARGETS = [("gender", "man"), ("age", "30_60"), ("place", "outside"), ("centrality", "12"), ("centrality", "34")]
TARGETS.append(("centrality", "56"))
REPORT_STATES = ["on_time", "late", "draft", "not_started", "overdue"]
TOP_CAMPAIGNS = 8


def shown_quarters(today):
    """The current quarter and the four before it, oldest first."""
    quarters = [Quarter.of(today)]
    while len(quarters) < 5:
        quarters.append(quarters[-1].previous)
    return quarters[::-1]


def _gender(person):
    return {"man": "man", "woman": "woman", "non_binary": "other", "other": "other"}.get(person.gender, "unknown")


def _age(person, day):
    if person.birth_year is None:
        return "unknown"
    age = day.year - person.birth_year
    return "under_30" if age < 30 else "30_60" if age <= 60 else "over_60"


def _centrality(municipality):
    if municipality is None:
        return "unknown"
    return {1: "12", 2: "12", 3: "34", 4: "34"}.get(municipality.centrality, "56")


def people_counts(today):
    """(region pk or None, quarter, scope, dimension, value) → people, counted one person at a time.

    A member on a day: joined by then (or no date known) and paying, or lapsed only later. Active: in
    a group that day that was neither rejected nor closed by then. New: became a member in the
    quarter. People are counted at each quarter's end, the current quarter today. Individual
    activists are active from the day they sign up until the day they stop.
    """
    cities = {region.office_municipality_id for region in Region.objects.all()}
    memberships = defaultdict(list)
    for membership in GroupMembership.objects.select_related("group"):
        memberships[membership.person_id].append(membership)
    on_their_own = defaultdict(list)
    for activist in IndividualActivist.objects.all():
        on_their_own[activist.person_id].append(activist)
    counts = Counter()
    for person in User.objects.select_related("postal_code__municipality__county"):
        municipality = person.postal_code.municipality if person.postal_code else None
        region = municipality.county.region_id if municipality else None
        for quarter in shown_quarters(today):
            day = min(quarter.end, today)
            member = (person.member_since is None or person.member_since <= day) and (
                person.membership_status == User.Membership.PAYING
                or (person.membership_status == User.Membership.LAPSED and person.lapsed_on and person.lapsed_on > day)
            )
            active = any(
                m.joined_on <= day
                and (m.left_on is None or m.left_on > day)
                and m.group.status != Group.Status.REJECTED
                and (m.group.closed_on is None or m.group.closed_on > day)
                for m in memberships[person.pk]
            ) or any(
                timezone.localdate(a.signed_up_at) <= day
                and (a.stopped_at is None or timezone.localdate(a.stopped_at) > day)
                for a in on_their_own[person.pk]
            )
            new = member and person.member_since is not None and quarter.start <= person.member_since <= day
            scopes = [
                scope
                for scope, included in [
                    ("member", member),
                    ("active", active),
                    ("active_member", active and member),
                    ("new_member", new),
                    ("new_engaged", new and active),
                ]
                if included
            ]
            place = "unknown" if municipality is None else "city" if municipality.pk in cities else "outside"
            values = {
                "total": "all",
                "gender": _gender(person),
                "age": _age(person, day),
                "place": place,
                "centrality": _centrality(municipality),
            }
            for scope in scopes:
                for dimension, value in values.items():
                    counts[region, quarter, scope, dimension, value] += 1
    return counts


def activity_counts(today):
    """(region pk, quarter, dimension, value) → [activities, participants]: completed activities in
    submitted or reviewed reports for the four quarters before the current one, and the activities
    individual activists logged in them (in the region stored with each). Campaigns by name,
    trimmed and without regard to case."""
    completed = shown_quarters(today)[:-1]
    counts = defaultdict(lambda: [0, 0])
    for activity in ReportActivity.objects.select_related("report__group"):
        report = activity.report
        quarter = Quarter(report.year, report.quarter)
        if (
            activity.kind != ReportActivity.Kind.DONE
            or quarter not in completed
            or report.status not in (QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.REVIEWED)
        ):
            continue
        values = {
            "type": activity.type,
            "outward": "yes" if activity.outward else "no",
            "priority_area": str(activity.priority_area_id or ""),
            "campaign": activity.campaign.strip().casefold(),
        }
        for dimension, value in values.items():
            figure = counts[report.group.region_id, quarter, dimension, value]
            figure[0] += 1
            figure[1] += activity.participants or 0
    for activity in ActivistActivity.objects.all():
        quarter = Quarter.of(activity.date)
        if quarter not in completed:
            continue
        values = {
            "type": activity.type,
            "outward": "yes" if activity.outward else "no",
            "priority_area": str(activity.priority_area_id or ""),
            "campaign": activity.campaign.strip().casefold(),
        }
        for dimension, value in values.items():
            figure = counts[activity.region_id, quarter, dimension, value]
            figure[0] += 1
            figure[1] += activity.participants
    return counts


def group_counts(today):
    """Live counts of the groups: by (region, category, standing); report states for the quarter just
    ended by (region, state); contact this quarter by (region, "contacted"/"not_contacted")."""
    active = [g for g in Group.objects.all() if g.status in (Group.Status.PENDING, Group.Status.RECOGNISED)]
    groups = Counter((g.region_id, g.category, g.standing) for g in active)

    reporting = Quarter.of(today).previous
    approved_by = timezone.make_aware(datetime.datetime.combine(reporting.next.start, datetime.time()))
    reports = {(r.group_id, r.period): r for r in QuarterlyReport.objects.all()}
    states = Counter()
    for group in Group.objects.all():
        if (
            group.status != Group.Status.RECOGNISED
            or group.founded_on > reporting.end
            or (group.decided_at is not None and group.decided_at >= approved_by)
        ):
            continue
        report = reports.get((group.pk, reporting))
        if report is not None and report.status in (QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.REVIEWED):
            state = "late" if report.is_late else "on_time"
        elif today > reporting.deadline:
            state = "overdue"
        else:
            state = "draft" if report is not None else "not_started"
        states[group.region_id, state] += 1

    current = Quarter.of(today)
    contacted = {c.group_id for c in Contact.objects.all() if current.start <= c.date <= current.end}
    contacts = Counter((g.region_id, "contacted" if g.pk in contacted else "not_contacted") for g in active)
    return groups, states, contacts


def shown(counts, *, total_row=False, total_column=False, people=True, hide=frozenset()):
    """What a table should show: the counts with their totals and, for people, the privacy rule."""
    grid = [[*row, sum(row)] if total_column else list(row) for row in counts]
    if total_row:
        grid.append([sum(column) for column in zip(*grid, strict=True)])
    if not people:
        return grid
    cells = suppress(grid, rows_add_up=total_column, columns_add_up=total_row, hide=hide)
    return [[cell.value for cell in row] for row in cells]


def pct(part, whole):
    """A share in per cent: none (None) when either figure is hidden, or of nobody."""
    if part is None or whole is None or whole == 0:
        return None
    return round(100 * part / whole, 1)


class Expected:
    """Every table of a dashboard as it should read, from the independent counts."""

    def __init__(self, today):
        self.today = today
        self.quarters = shown_quarters(today)
        self.completed = self.quarters[:-1]
        self.current = self.quarters[-1]
        self.people = people_counts(today)
        self.activities = activity_counts(today)
        self.groups, self.reports, self.contacts = group_counts(today)
        self.regions = list(Region.objects.order_by("name"))

    def p(self, key, quarter, scope, dimension="total", value="all"):
        if key == "all":
            return sum(
                n for (_r, q, s, d, v), n in self.people.items() if (q, s, d, v) == (quarter, scope, dimension, value)
            )
        return self.people[key, quarter, scope, dimension, value]

    def a(self, key, quarter, dimension, value, measure=0):
        if key == "all":
            return sum(
                figure[measure]
                for (_r, q, d, v), figure in self.activities.items()
                if (q, d, v) == (quarter, dimension, value)
            )
        return (
            self.activities[key, quarter, dimension, value][measure]
            if (key, quarter, dimension, value) in self.activities
            else 0
        )

    def campaigns(self, key):
        totals = Counter()
        for (region, quarter, dimension, value), (n, _people) in self.activities.items():
            if dimension == "campaign" and value and quarter in self.completed and key in ("all", region):
                totals[value] += n
        ranked = sorted(totals, key=lambda name: (-totals[name], name))
        return ranked[:TOP_CAMPAIGNS], ranked[TOP_CAMPAIGNS:]

    def _activity_tables(self, key):
        tables = {}
        completed = self.completed

        def by(dimension, values, measure=0):
            return shown(
                [[self.a(key, q, dimension, value, measure) for q in completed] for value in values],
                total_row=True,
                total_column=True,
            )

        types = [value for value, _label in ActivityType.choices]
        tables["activities_by_type"] = by("type", types)
        tables["participants_by_type"] = by("type", types, measure=1)
        tables["outward"] = outward = by("outward", ["yes", "no"])
        tables["outward_share"] = [[pct(outward[0][i], outward[2][i]) for i in range(len(completed))]]
        areas = [str(area.pk) for area in PriorityArea.objects.order_by("order", "name")] + [""]
        tables["activities_by_area"] = by("priority_area", areas)
        top, rest = self.campaigns(key)
        rows = [[self.a(key, q, "campaign", name) for q in completed] for name in top]
        rows.append([sum(self.a(key, q, "campaign", name) for name in rest) for q in completed])
        rows.append([self.a(key, q, "campaign", "") for q in completed])
        tables["activities_by_campaign"] = shown(rows, total_row=True, total_column=True)
        return tables

    def few_non_members(self, key, quarter, scope):
        """Active people less active members: 1–4 would be given away by the members table."""
        return scope == "active" and 0 < self.p(key, quarter, "active") - self.p(key, quarter, "active_member") < 5

    def _dimension(self, key, scope, dimension):
        width = len(DIMENSIONS[dimension])
        return shown(
            [[self.p(key, q, scope, dimension, value) for value in DIMENSIONS[dimension]] for q in self.quarters],
            total_column=True,
            hide={(row, width) for row, q in enumerate(self.quarters) if self.few_non_members(key, q, scope)},
        )

    def _people_tables(self, key, beside_norway):
        p = self.p
        tables = {
            "members": shown(
                [[p(key, q, "active_member"), p(key, q, "member") - p(key, q, "active_member")] for q in self.quarters],
                total_column=True,
            ),
            "new_members": shown(
                [[p(key, q, "new_engaged"), p(key, q, "new_member") - p(key, q, "new_engaged")] for q in self.quarters],
                total_column=True,
            ),
        }
        for scope in ("active", "member"):
            mine = {dimension: self._dimension(key, scope, dimension) for dimension in DIMENSIONS}
            norway = {dimension: self._dimension("all", scope, dimension) for dimension in DIMENSIONS}
            for dimension in DIMENSIONS:
                tables[f"{scope}_{dimension}"] = mine[dimension]
            rows = []
            for row in range(len(self.quarters)):
                cells = []
                for dimension, value in TARGETS:
                    index = DIMENSIONS[dimension].index(value)
                    for source in [mine, norway] if beside_norway else [mine]:
                        cells.append(pct(source[dimension][row][index], source[dimension][row][-1]))
                rows.append(cells)
            tables[f"{scope}_targets"] = rows
        return tables

    def regional(self, region):
        key = region.pk
        categories = [value for value, _label in Group.Category.choices]
        standings = [value for value, _label in Group.Standing.choices]
        tables = {
            "groups_by_category": shown(
                [[self.groups[key, c, s] for s in standings] for c in categories],
                total_row=True,
                total_column=True,
                people=False,
            ),
            "reports": shown([[self.reports[key, s] for s in REPORT_STATES]], total_column=True, people=False),
            "contacts": shown(
                [[self.contacts[key, "contacted"], self.contacts[key, "not_contacted"]]],
                total_column=True,
                people=False,
            ),
        }
        tables.update(self._activity_tables(key))
        tables.update(self._people_tables(key, beside_norway=True))
        return tables

    def national(self):
        regions = [region.pk for region in self.regions]
        categories = [value for value, _label in Group.Category.choices]
        standings = [value for value, _label in Group.Standing.choices]
        tables = {
            "groups_by_region": shown(
                [[sum(self.groups[r, c, s] for c in categories) for s in standings] for r in regions],
                total_row=True,
                total_column=True,
                people=False,
            ),
            "groups_by_category": shown(
                [[sum(self.groups[r, c, s] for r in regions) for s in standings] for c in categories],
                total_row=True,
                total_column=True,
                people=False,
            ),
            "reports": shown(
                [[self.reports[r, s] for s in REPORT_STATES] for r in regions],
                total_row=True,
                total_column=True,
                people=False,
            ),
            "contacts": shown(
                [[self.contacts[r, "contacted"], self.contacts[r, "not_contacted"]] for r in regions],
                total_row=True,
                total_column=True,
                people=False,
            ),
            "activities_by_region": shown(
                [
                    [self.a(r, q, "outward", "yes") + self.a(r, q, "outward", "no") for q in self.completed]
                    for r in regions
                ],
                total_row=True,
                total_column=True,
            ),
        }
        tables.update(self._activity_tables("all"))
        keys = [*regions, None]
        now = self.current
        tables["members_by_region"] = shown(
            [
                [self.p(k, now, "active_member"), self.p(k, now, "member") - self.p(k, now, "active_member")]
                for k in keys
            ],
            total_row=True,
            total_column=True,
        )
        tables.update(self._people_tables("all", beside_norway=False))
        for scope in ("active", "member"):
            by_region = {
                dimension: shown(
                    [[self.p(k, now, scope, dimension, value) for value in values] for k in keys],
                    total_row=True,
                    total_column=True,
                    hide={
                        (row, len(values))
                        for row, k in enumerate([*keys, "all"])
                        if self.few_non_members(k, now, scope)
                    },
                )
                for dimension, values in DIMENSIONS.items()
            }
            tables[f"{scope}_targets_by_region"] = [
                [
                    pct(
                        by_region[dimension][row][DIMENSIONS[dimension].index(value)],
                        by_region[dimension][row][-1],
                    )
                    for dimension, value in TARGETS
                ]
                for row in range(len(keys) + 1)
            ]
        return tables


def values(table):
    return [[cell.value for cell in row] for row in table.cells]


# --- (a) The figures agree with the registers ------------------------------------------------------


def test_the_people_summary_rows_are_the_registers_counts(org):
    expected = people_counts(org.today)
    stored = {
        (row.region_id, Quarter(row.year, row.quarter), row.scope, row.dimension, row.value): row.count
        for row in PeopleFigure.objects.all()
    }
    assert stored == dict(expected)
    # The calculator above counts what the organisation was built with.
    bergen, now, last = org.region.pk, org.current, org.last
    assert expected[bergen, now, "member", "gender", "man"] == 6  # the lapsed man is no longer a member
    assert expected[bergen, last, "member", "gender", "man"] == 7  # …but was at the end of last quarter
    assert expected[bergen, now, "member", "gender", "other"] == 2
    assert expected[bergen, now, "new_member", "total", "all"] == 2
    assert expected[bergen, now, "new_engaged", "place", "outside"] == 2
    assert expected[bergen, now, "active", "gender", "woman"] == 3  # the activists; not the women in closed groups
    assert expected[bergen, org.before, "active", "gender", "woman"] == 3 + 2  # + the closed group's, + who left
    assert expected[bergen, now, "member", "age", "over_60"] == 7
    assert expected[bergen, now, "member", "centrality", "56"] == 2
    assert expected[None, now, "member", "total", "all"] == 2  # no postal code, Svalbard
    assert expected[bergen, last, "active_member", "total", "all"] == 6


def test_the_activity_summary_rows_are_the_registers_counts(org):
    expected = activity_counts(org.today)
    stored = {}
    for row in ActivityFigure.objects.all():
        value = row.value.casefold() if row.dimension == "campaign" else row.value
        stored[row.region_id, Quarter(row.year, row.quarter), row.dimension, value] = [row.activities, row.participants]
    assert stored == {key: figure for key, figure in expected.items() if figure[0]}
    bergen = org.region.pk
    assert expected[bergen, org.last, "type", ActivityType.STAND] == [6, 24]  # the draft's 7 are not counted
    assert expected[bergen, org.last, "type", ActivityType.LETTER_TO_EDITOR] == [2, 2]
    assert expected[bergen, org.last, "campaign", "skriv for liv"] == [11, 74]
    assert expected[bergen, org.before, "outward", "yes"] == [9, 0]
    assert (bergen, org.current, "type", ActivityType.STAND) not in expected  # the quarter is not over


def test_every_regional_table_agrees_with_the_registers(org):
    expected = Expected(org.today)
    for region in Region.objects.all():
        dashboard = figures.regional(region)
        tables = expected.regional(region)
        assert set(dashboard.tables) == set(tables), "a table without an expectation here (or the reverse)"
        for name, table in dashboard.tables.items():
            assert values(table) == tables[name], f"{region.slug}: {name}"


def test_every_national_table_agrees_with_the_registers(org):
    expected = Expected(org.today)
    dashboard = figures.national()
    tables = expected.national()
    assert set(dashboard.tables) == set(tables), "a table without an expectation here (or the reverse)"
    for name, table in dashboard.tables.items():
        assert values(table) == tables[name], name


def test_the_tables_are_labelled_as_they_are_counted(org):
    with translation.override("en"):
        dashboard = figures.regional(org.region)
        tables = dashboard.tables
        quarters = shown_quarters(org.today)
        assert tables["activities_by_type"].columns == [f"Q{q.number} {q.year}" for q in quarters[:-1]]
        assert tables["members"].rows[-1] == f"Q{org.current.number} {org.current.year} so far"
        assert tables["member_gender"].columns == ["men", "women", "other genders", "not stated"]
        campaigns = [str(label).casefold() for label in tables["activities_by_campaign"].rows]
        assert campaigns[:3] == ["stopp tortur", "skriv for liv", "kampanje 1"]
        assert campaigns[-2:] == ["other campaigns", "no campaign given"]
        assert len(campaigns) == TOP_CAMPAIGNS + 2
        national = figures.national()
        assert national.tables["members_by_region"].rows == [r.name for r in Region.objects.order_by("name")] + [
            "no known region"
        ]
        assert national.tables["groups_by_region"].rows == [r.name for r in Region.objects.order_by("name")]


def test_the_reports_and_contacts_of_the_region(org):
    tables = figures.regional(org.region).tables
    # On time (UiB), late (Voss), overdue (Sogndal's draft, Askøy's missing report); the group
    # founded this quarter does not owe it.
    assert values(tables["reports"]) == [[1, 1, 0, 0, 2, 4]]
    # Contacted this quarter: UiB. Not yet: Bergen sentrum, Voss, Sogndal, Askøy, Stord (pending).
    assert values(tables["contacts"]) == [[1, 5, 6]]


# --- (b) The regional page ---------------------------------------------------------------------------


class Page(HTMLParser):
    """A dashboard page's tables (``<table id="table-…">``: the text of every cell, row by row), its
    chart data (``<script type="application/json" id="chart-…-data">``) and its to-do section."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tables, self.charts = {}, {}
        self._table = self._row = self._cell = self._script = None
        self.feed(html)
        self.charts = {name: json.loads("".join(parts)) for name, parts in self.charts.items()}
        self.tables = {
            name: [["".join(cell).strip() for cell in row] for row in rows] for name, rows in self.tables.items()
        }

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        ident = attrs.get("id") or ""
        if tag == "table" and ident.startswith("table-"):
            self._table = self.tables.setdefault(ident.removeprefix("table-"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row.append(self._cell)
        elif tag == "script" and attrs.get("type") == "application/json" and ident.startswith("chart-"):
            self._script = ident.removeprefix("chart-").removesuffix("-data")
            self.charts[self._script] = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "tr":
            self._row = None
        elif tag in ("td", "th"):
            self._cell = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._script is not None:
            self.charts[self._script].append(data)


def as_text(value):
    """A figure as the page shows it in Norwegian: "<5", "17", "12,5"."""
    if value is None:
        return "<5"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _todo(html):
    start = html.index('aria-labelledby="to-do"')
    return html[start : html.index("</section>", start)]


def test_the_region_page_shows_the_figures_and_the_to_do_list(org, login):
    response = login(org.world.leader).get(reverse("dashboard:region", args=["bergen"]))
    assert response.status_code == 200
    html = response.content.decode()
    page = Page(html)
    expected = Expected(org.today).regional(org.region)
    assert set(page.tables) == set(expected)
    for name, rows in expected.items():
        body = page.tables[name][1:]  # after the header row
        shown_cells = [[cell.replace("\xa0%", "") for cell in row[1:]] for row in body]
        assert shown_cells == [[as_text(value) for value in row] for row in rows], name
    tasks_html = _todo(html)
    links = {
        reverse("groups:reports", args=[org.sogndal.pk]): "Amnesty Sogndal",  # overdue report (a draft)
        reverse("groups:reports", args=[org.askoy.pk]): "Amnesty Askøy",  # overdue report (none)
        reverse("groups:review_report", args=[org.unreviewed.pk]): "Amnesty UiB",  # to read
        reverse("groups:contacts", args=[org.voss.pk]): "Amnesty Voss",  # not contacted this quarter
        reverse("groups:contacts", args=[org.world.group.pk]): "Amnesty Bergen sentrum",
        reverse("groups:detail", args=[org.sogndal.pk]): "Amnesty Sogndal",  # failing
        reverse("groups:detail", args=[org.askoy.pk]): "Amnesty Askøy",  # at risk
        reverse("groups:detail", args=[org.pending.pk]): "Amnesty Stord",  # to approve; its welcome package
        reverse("groups:detail", args=[org.voss.pk]): "Amnesty Voss",  # a join request waiting 20 days
        # an individual activist not heard from for six months
        reverse("activists:activist_detail", args=[org.silent_activist.pk]): str(org.silent_activist.person),
    }
    for url, name in links.items():
        assert f'<a href="{url}">{name}</a>' in tasks_html, url
    assert tasks_html.count(f'<a href="{reverse("groups:detail", args=[org.pending.pk])}">') == 2
    # UiB was contacted this quarter, its join request is fresh and its follow-up done.
    assert f'href="{reverse("groups:contacts", args=[org.student.pk])}"' not in tasks_html
    assert f'href="{reverse("groups:detail", args=[org.student.pk])}"' not in tasks_html
    assert "Amnesty Grünerløkka" not in tasks_html  # Oslo's


def test_the_to_do_list_counts_each_kind(org, login):
    tasks = {task.key: task for task in todo.for_region(org.region)}
    assert {key: task.count for key, task in tasks.items()} == {
        "overdue_reports": 2,
        "unreviewed_reports": 1,
        "not_contacted": 5,
        "failing": 2,
        "registrations": 1,
        "join_requests": 1,
        "follow_ups": 1,
        "silent_activists": 1,
    }
    assert [item.subject for item in tasks["failing"].items] == ["Amnesty Sogndal", "Amnesty Askøy"]
    assert tasks["follow_ups"].items[0].due == org.today + 10 * DAY
    assert tasks["unreviewed_reports"].items[0].due == timezone.localdate(org.unreviewed.submitted_at) + 14 * DAY
    assert tasks["join_requests"].items[0].url == reverse("groups:detail", args=[org.voss.pk])
    assert tasks["silent_activists"].items[0].url == reverse("activists:activist_detail", args=[org.silent_activist.pk])


def test_the_national_overview_counts_the_to_dos_per_region(org, login):
    response = login(org.world.admin).get(reverse("dashboard:overview"))
    assert response.status_code == 200
    regions = list(Region.objects.order_by("name"))
    section = _todo(response.content.decode())
    for region in regions:
        assert reverse("dashboard:region", args=[region.slug]) in section
    # Bergen's column: 2 overdue, 1 to read, 5 not contacted, 2 failing, 1 to approve, 1 join request, 1 follow-up,
    # 1 individual activist not heard from for six months.
    bergen = [r.slug for r in regions].index("bergen")
    body = section[section.index("<tbody>") :]
    counts = [[cell.split(">")[-1] for cell in row.split("</td>")[:-1]] for row in body.split("</tr>")[:-1]]
    assert [row[bergen] for row in counts] == ["2", "1", "5", "2", "1", "1", "1", "1"]


# --- (c) The privacy rule on pages, charts and both export formats ---------------------------------

CHARTS = {"activities_by_type", "outward_share", "members", "active_targets", "member_targets"}


def _chart_agrees(name, chart, table):
    """A chart is the table's rows (labels are its columns) or its columns (labels are its rows):
    every point is the shown cell, and a hidden cell is a gap (null)."""
    labels = chart["labels"]
    if labels == [str(column) for column in table.columns]:
        lines = {str(label): [cell.value for cell in table.row(i)] for i, label in enumerate(table.rows)}
    else:
        assert labels == [str(row) for row in table.rows], name
        lines = {str(label): [cell.value for cell in table.series(i)] for i, label in enumerate(table.columns)}
    assert chart["datasets"], name
    for dataset in chart["datasets"]:
        assert dataset["data"] == lines[dataset["label"]], f"{name}: {dataset['label']}"


def _csv_rows(content):
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _xlsx_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _exports_agree(client, url_name, args, table):
    """Both exports hold the table's shown cells: numbers as numbers, and "<5" for every hidden cell."""
    csv_response = client.get(reverse(url_name, args=[*args, table.name, "csv"]))
    assert csv_response.status_code == 200, table.name
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv_rows(csv_response.content)
    assert len(rows) == 1 + len(table.cells), table.name
    for row, cells in zip(rows[1:], table.cells, strict=True):
        assert row[1:] == [as_text(cell.value) for cell in cells], table.name

    xlsx_response = client.get(reverse(url_name, args=[*args, table.name, "xlsx"]))
    assert xlsx_response.status_code == 200, table.name
    assert xlsx_response["Content-Disposition"].endswith('.xlsx"')
    rows = _xlsx_rows(xlsx_response.content)
    assert rows[0][0] == str(table.title)
    body = rows[3:]
    assert len(body) == len(table.cells), table.name
    for row, cells in zip(body, table.cells, strict=True):
        assert row[1:] == ["<5" if cell.hidden else cell.value for cell in cells], table.name
    return sum(cell.hidden for cells in table.cells for cell in cells)


def _page_agrees(page, table):
    body = page.tables[table.name][1:]
    assert [label for label, *_cells in body] == [str(label) for label in table.labels], table.name
    for row, cells in zip(body, table.cells, strict=True):
        assert [cell.replace("\xa0%", "") for cell in row[1:]] == [as_text(cell.value) for cell in cells], table.name


def test_no_hidden_figure_leaves_the_regional_dashboard(org, login):
    client = login(org.world.leader)
    page = Page(client.get(reverse("dashboard:region", args=["bergen"])).content.decode())
    truth = Expected(org.today).regional(org.region)
    with translation.override("nb"):
        dashboard = figures.regional(org.region)
    assert set(page.charts) == CHARTS
    hidden = {}
    for name, table in dashboard.tables.items():
        _page_agrees(page, table)
        if name in page.charts:
            _chart_agrees(name, page.charts[name], table)
        hidden[name] = _exports_agree(client, "dashboard:region_export", ["bergen"], table)
        assert values(table) == truth[name]
    # The data has cells of 1–4 people wherever people are counted by something small.
    for name in ("members", "new_members", "member_gender", "active_gender", "activities_by_type", "member_targets"):
        assert hidden[name] >= 2, name
    assert hidden["groups_by_category"] == hidden["reports"] == hidden["contacts"] == 0  # not people


def test_no_hidden_figure_leaves_the_national_overview(org, login):
    client = login(org.world.admin)
    page = Page(client.get(reverse("dashboard:overview")).content.decode())
    with translation.override("nb"):
        dashboard = figures.national()
    assert set(page.charts) == CHARTS
    hidden = {}
    for name, table in dashboard.tables.items():
        _page_agrees(page, table)
        if name in page.charts:
            _chart_agrees(name, page.charts[name], table)
        hidden[name] = _exports_agree(client, "dashboard:national_export", [], table)
    for name in ("members_by_region", "member_gender", "activities_by_region", "member_targets_by_region"):
        assert hidden[name] >= 2, name


def test_a_small_cell_and_its_complement_are_hidden_everywhere(org, login):
    """The two non-binary newcomers: "other genders" this quarter is 2. Their cell and the next
    smallest of the row read "<5" on the page and in both exports; the activity chart has a gap."""
    client = login(org.world.leader)
    html = client.get(reverse("dashboard:region", args=["bergen"])).content.decode()
    page = Page(html)
    truth = people_counts(org.today)
    bergen, now = org.region.pk, org.current
    raw = [truth[bergen, now, "member", "gender", value] for value in GENDERS]
    assert raw[2] == 2
    row = page.tables["member_gender"][-1]  # this quarter
    other = GENDERS.index("other")
    hidden = {i for i, text in enumerate(row[1:-1]) if text == "<5"}
    assert other in hidden
    smallest = min(value for i, value in enumerate(raw) if i != other)
    assert any(raw[i] == smallest for i in hidden - {other}), "the next smallest cell is hidden too"
    export = reverse("dashboard:region_export", args=["bergen", "member_gender", "csv"])
    sheet = reverse("dashboard:region_export", args=["bergen", "member_gender", "xlsx"])
    for rows in (_csv_rows(client.get(export).content), _xlsx_rows(client.get(sheet).content)):
        assert {i for i, value in enumerate(rows[-1][1:-1]) if value == "<5"} == hidden
    # The letters to the editor (2 last quarter) are a gap in the activity chart.
    chart = page.charts["activities_by_type"]
    [letters] = [d for d in chart["datasets"] if d["label"] == str(ActivityType.LETTER_TO_EDITOR.label)]
    assert letters["data"][-1] is None


def test_no_line_of_any_dashboard_table_gives_a_hidden_cell_away(org):
    """In every table of people, a row or column that adds up to a total has no hidden cell or at
    least two; every count of 1–4 people is hidden."""
    truth = Expected(org.today)
    dashboards = [(figures.national(), truth.national())]
    dashboards += [(figures.regional(region), truth.regional(region)) for region in Region.objects.all()]
    checked = 0
    for dashboard, expected in dashboards:
        for name, table in dashboard.tables.items():
            if not table.people or table.counts is None:
                continue
            lines = []
            if table.total_column:
                lines += [list(row) for row in table.cells]
            if table.total_row:
                lines += [list(column) for column in zip(*table.cells, strict=True)]
            for line in lines:
                assert sum(cell.hidden for cell in line) != 1, name
                checked += 1
            for counts, cells in zip(table.counts, table.cells, strict=False):  # (without the total row)
                for count, cell in zip(counts, cells, strict=False):  # (without the total column)
                    assert not 0 < count < 5 or cell.hidden, name
            assert values(table) == expected[name]
    assert checked > 500


def test_a_share_made_of_a_hidden_figure_is_hidden(org, login):
    tables = figures.regional(org.region).tables
    gender = tables["member_gender"]
    targets = tables["member_targets"]
    men_column = 0  # "men (Bergen)" comes first, then "men (Norway)"
    for row in range(len(gender.rows)):
        men, total = gender.cells[row][0], gender.cells[row][-1]
        share = targets.cells[row][men_column]
        assert share.hidden == (men.hidden or total.hidden)
        if not share.hidden:
            assert share.value == round(100 * men.value / total.value, 1)


# --- (d) Who may see what --------------------------------------------------------------------------


def _urls(slug="bergen"):
    return [
        reverse("dashboard:region", args=[slug]),
        reverse("dashboard:region_export", args=[slug, "members", "csv"]),
        reverse("dashboard:region_export", args=[slug, "members", "xlsx"]),
    ]


def _national():
    return [
        reverse("dashboard:national_export", args=["members", "csv"]),
        reverse("dashboard:national_export", args=["groups_by_region", "xlsx"]),
    ]


def test_another_regions_leader_gets_404(org, login):
    client = login(org.world.other_leader)
    for url in _urls("bergen"):
        assert client.get(url).status_code == 404, url
    for url in _urls("oslo"):
        assert client.get(url).status_code == 200, url


def test_regional_staff_are_taken_to_their_region(world, login):
    response = login(world.leader).get(reverse("dashboard:overview"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:region", args=["bergen"])
    coordinator = f.PersonFactory()
    RegionRole.objects.create(
        region=f.region("trondheim"), person=coordinator, kind=RegionRole.Kind.TRAINING_COORDINATOR
    )
    response = login(coordinator).get(reverse("dashboard:overview"))
    assert response["Location"] == reverse("dashboard:region", args=["trondheim"])
    assert login(coordinator).get(response["Location"]).status_code == 200


def test_a_member_or_a_group_contact_gets_404(world, login):
    for person in (world.member, world.contact, world.outsider):
        client = login(person)
        assert client.get(reverse("dashboard:overview")).status_code == 404
        for url in _urls() + _national():
            assert client.get(url).status_code == 404, url


def test_a_regional_leader_gets_404_on_the_national_exports(world, login):
    client = login(world.leader)
    for url in _national():
        assert client.get(url).status_code == 404, url


def test_an_admin_sees_every_dashboard_and_export(world, login):
    client = login(world.admin)
    assert client.get(reverse("dashboard:overview")).status_code == 200
    for region in Region.objects.all():
        for url in _urls(region.slug):
            assert client.get(url).status_code == 200, url
    for url in _national():
        assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_login(world, client):
    for url in [reverse("dashboard:overview"), *_urls(), *_national()]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_an_unknown_region_is_404(world, login):
    assert login(world.admin).get(reverse("dashboard:region", args=["narnia"])).status_code == 404


# --- (e) Unknown tables and formats ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "fmt"),
    [("nosuchtable", "csv"), ("nosuchtable", "xlsx"), ("members", "pdf"), ("members", "CSV"), ("members", "")],
)
def test_an_unknown_table_or_format_is_404(world, login, table, fmt):
    client = login(world.admin)
    if fmt:
        regional = reverse("dashboard:region_export", args=["bergen", table, fmt])
        national = reverse("dashboard:national_export", args=[table, fmt])
    else:
        regional, national = f"/oversikt/bergen/eksport/{table}.", f"/oversikt/eksport/{table}."
    assert client.get(regional).status_code == 404
    assert client.get(national).status_code == 404


def test_the_export_is_named_after_the_table_the_region_and_the_day(world, login):
    response = login(world.leader).get(reverse("dashboard:region_export", args=["bergen", "member_gender", "csv"]))
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="member-gender-bergen-{today}.csv"'
    response = login(world.admin).get(reverse("dashboard:national_export", args=["members", "xlsx"]))
    assert response["Content-Disposition"] == f'attachment; filename="members-norge-{today}.xlsx"'
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- (f) The cache ----------------------------------------------------------------------------------


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_a_rendered_dashboard_is_cached_until_a_group_or_report_changes(
    org, login, settings, django_capture_on_commit_callbacks, who
):
    settings.DASHBOARD_CACHE_SECONDS = 300
    client = login(getattr(org.world, who))
    url = reverse("dashboard:region", args=["bergen"]) if who == "leader" else reverse("dashboard:overview")
    first, built = _get(client, url)
    second, cached = _get(client, url)
    assert _todo(second) == _todo(first)
    assert Page(second).tables == Page(first).tables
    assert cached < built, "the second request should be served from the cache"
    assert cached <= built - 10

    # A group is renamed: the cached dashboard is dropped, and rebuilt with the new name.
    with django_capture_on_commit_callbacks(execute=True):
        org.sogndal.name = "Amnesty Sogndal og Leikanger"
        org.sogndal.save()
    third, rebuilt = _get(client, url)
    assert rebuilt == built
    if who == "leader":
        assert "Amnesty Sogndal og Leikanger" in third
    _fourth, cached_again = _get(client, url)
    assert cached_again == cached

    # A report is submitted: dropped again, and Askøy's report is no longer overdue.
    with django_capture_on_commit_callbacks(execute=True):
        _report(org.askoy, org.last, QuarterlyReport.Status.SUBMITTED)
    fifth, rebuilt = _get(client, url)
    assert rebuilt == built
    if who == "leader":
        assert reverse("groups:reports", args=[org.askoy.pk]) not in _todo(fifth)


def test_recomputing_the_figures_drops_the_cached_dashboards(org, login, settings, django_capture_on_commit_callbacks):
    settings.DASHBOARD_CACHE_SECONDS = 300
    client = login(org.world.leader)
    url = reverse("dashboard:region", args=["bergen"])
    _html, built = _get(client, url)
    _html, cached = _get(client, url)
    assert cached < built
    with django_capture_on_commit_callbacks(execute=True):
        summaries.refresh()
    _html, rebuilt = _get(client, url)
    assert rebuilt == built


def test_without_a_cache_every_request_builds_the_dashboard(org, login):
    client = login(org.world.leader)
    url = reverse("dashboard:region", args=["bergen"])
    _html, first = _get(client, url)
    _html, second = _get(client, url)
    assert first == second


def test_completing_a_follow_up_drops_the_cached_dashboard(org, login, settings, django_capture_on_commit_callbacks):
    settings.DASHBOARD_CACHE_SECONDS = 300
    client = login(org.world.leader)
    url = reverse("dashboard:region", args=["bergen"])
    stord = f'<a href="{reverse("groups:detail", args=[org.pending.pk])}">Amnesty Stord</a>'
    before, _built = _get(client, url)
    assert _todo(before).count(stord) == 2  # to approve, and its welcome package to send
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("groups:complete_follow_up", args=[org.welcome.pk]))
    assert response.status_code == 302
    assert FollowUp.objects.get(pk=org.welcome.pk).done_at is not None
    after, _count = _get(client, url)
    fresh = _uncached_todo(client, url, settings)
    assert fresh.count(stord) == 1
    assert _todo(after) == fresh


def test_answering_a_join_request_drops_the_cached_dashboard(org, login, settings, django_capture_on_commit_callbacks):
    settings.DASHBOARD_CACHE_SECONDS = 300
    client = login(org.world.leader)
    url = reverse("dashboard:region", args=["bergen"])
    voss = f'<a href="{reverse("groups:detail", args=[org.voss.pk])}">Amnesty Voss</a>'
    before, _built = _get(client, url)
    assert _todo(before).count(voss) == 1  # the join request waiting 20 days
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_join_request(actor=org.world.leader, join_request=org.waiting, accept=False)
    assert {task.key: task.count for task in todo.for_region(org.region)}["join_requests"] == 0
    after, _count = _get(client, url)
    assert _todo(after) == _uncached_todo(client, url, settings)


def _uncached_todo(client, url, settings):
    """The to-do list as it is now, built without the cache."""
    seconds, settings.DASHBOARD_CACHE_SECONDS = settings.DASHBOARD_CACHE_SECONDS, 0
    html, _count = _get(client, url)
    settings.DASHBOARD_CACHE_SECONDS = seconds
    return _todo(html)


# --- (g) The refresh ---------------------------------------------------------------------------------


def _rows():
    """The summary tables' rows, without their primary keys, in a stable order."""
    people = PeopleFigure.objects.values_list("region_id", "year", "quarter", "scope", "dimension", "value", "count")
    activities = ActivityFigure.objects.values_list(
        "region_id", "year", "quarter", "dimension", "value", "activities", "participants"
    )
    return sorted(people, key=repr), sorted(activities, key=repr)


def test_refreshing_twice_gives_the_same_rows(org):
    first = _rows()
    assert first[0] and first[1]
    summaries.refresh()
    assert _rows() == first
    tasks.refresh_figures_task.delay()
    assert _rows() == first
    assert Refresh.objects.count() == 3


def test_a_refresh_replaces_the_old_rows(org):
    before = PeopleFigure.objects.count()
    ids = set(PeopleFigure.objects.values_list("pk", flat=True))
    # Three more men join; one of the women moves away.
    for person in _people(3, gender=User.Gender.MAN, birth_year=1990, member_since=LONG_AGO):
        f.MembershipFactory(group=org.student, person=person, joined_on=org.last.start)
    org.women[3].postal_code = _postal("0150")
    org.women[3].save()
    summaries.refresh()
    assert not ids & set(PeopleFigure.objects.values_list("pk", flat=True)), "old rows are gone"
    stored = {
        (row.region_id, Quarter(row.year, row.quarter), row.scope, row.dimension, row.value): row.count
        for row in PeopleFigure.objects.all()
    }
    expected = people_counts(org.today)
    assert stored == dict(expected)
    assert expected[org.region.pk, org.current, "member", "gender", "man"] == 9
    assert PeopleFigure.objects.count() >= before
    assert figures.regional(org.region).tables["member_gender"].cells[-1][0].value == 9


def test_the_refresh_is_recorded_and_old_records_are_pruned(org):
    old = Refresh.objects.create(finished_at=timezone.now() - datetime.timedelta(days=8), seconds=1.0)
    run = summaries.refresh()
    assert not Refresh.objects.filter(pk=old.pk).exists()
    assert Refresh.objects.latest() == run
    assert figures.regional(org.region).refreshed == run


def test_the_refresh_is_scheduled_hourly(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["refresh-dashboard-figures"]
    assert schedule["task"] == "dashboard.refresh_figures_task"


def test_a_campaign_spelled_differently_in_two_quarters_is_one_campaign(world):
    today = timezone.localdate()
    last = Quarter.of(today).previous
    group = f.GroupFactory(founded_on=LONG_AGO)
    _activities(
        _report(group, last, QuarterlyReport.Status.SUBMITTED), 6, type=ActivityType.STAND, campaign="Skriv for liv"
    )
    _activities(
        _report(group, last.previous, QuarterlyReport.Status.SUBMITTED),
        7,
        type=ActivityType.STAND,
        campaign="SKRIV FOR LIV",
    )
    summaries.refresh()
    table = figures.regional(world.region).tables["activities_by_campaign"]
    named = [str(label).casefold() for label in table.rows[:-2]]
    assert named == ["skriv for liv"]
    assert str(table.rows[0]) == "SKRIV FOR LIV"  # the spelling most activities used
    assert table.cells[0][-1].value == 13
