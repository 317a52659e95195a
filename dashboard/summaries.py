"""Recomputes the dashboards' summary tables (dashboard.models) from the registers.

One run covers the current quarter and the four before it: people as they were at each quarter's
end (today for the current quarter), and the completed activities in the groups' submitted
reports for each quarter, with those individual activists logged. A handful of grouped queries,
whatever the size of the organisation; the whole window is replaced in one transaction, so a
dashboard never sees half a refresh.
"""

import datetime
import time

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Trim
from django.utils import timezone

from activists.models import ActivistActivity, IndividualActivist, User
from dashboard.models import ActivityFigure, PeopleFigure, Refresh
from groups.models import Group, GroupMembership, QuarterlyReport, ReportActivity
from groups.quarters import Quarter
from regions.models import Region

QUARTERS = 5  # the current quarter and the four before it
_LOCK = 5_120_001  # pg_advisory_xact_lock key: one refresh at a time


def window(today: datetime.date | None = None) -> list[Quarter]:
    """The quarters the dashboards show, oldest first, ending with the current one."""
    quarter = Quarter.of(today or timezone.localdate())
    quarters = [quarter]
    for _ in range(QUARTERS - 1):
        quarters.append(quarters[-1].previous)
    return quarters[::-1]


def measured_on(quarter: Quarter, today: datetime.date) -> datetime.date:
    """People are counted at the quarter's end, or today while the quarter is still running."""
    return min(quarter.end, today)


def refresh(today: datetime.date | None = None) -> Refresh:
    today = today or timezone.localdate()
    started = time.perf_counter()
    quarters = window(today)
    cities = set(Region.objects.exclude(office_municipality=None).values_list("office_municipality_id", flat=True))
    people = [row for quarter in quarters for row in _people(quarter, measured_on(quarter, today), cities)]
    activities = _activities(quarters[:-1])
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        PeopleFigure.objects.all().delete()
        ActivityFigure.objects.all().delete()
        PeopleFigure.objects.bulk_create(people, batch_size=2000)
        ActivityFigure.objects.bulk_create(activities, batch_size=2000)
        Refresh.objects.filter(finished_at__lt=timezone.now() - datetime.timedelta(days=7)).delete()
        run = Refresh.objects.create(finished_at=timezone.now(), seconds=time.perf_counter() - started)
    from dashboard.cache import forget_all

    transaction.on_commit(forget_all)
    return run


def _age_band(day: datetime.date):
    return Case(
        When(birth_year__isnull=True, then=Value("unknown")),
        When(birth_year__gt=day.year - 30, then=Value("under_30")),
        When(birth_year__gte=day.year - 60, then=Value("30_60")),
        default=Value("over_60"),
    )


def _gender():
    return Case(
        When(gender=User.Gender.MAN, then=Value("man")),
        When(gender=User.Gender.WOMAN, then=Value("woman")),
        When(gender__in=[User.Gender.NON_BINARY, User.Gender.OTHER], then=Value("other")),
        default=Value("unknown"),
    )


def _centrality():
    centrality = "postal_code__municipality__centrality"
    return Case(
        When(**{f"{centrality}__isnull": True}, then=Value("unknown")),
        When(**{f"{centrality}__lte": 2}, then=Value("12")),
        When(**{f"{centrality}__lte": 4}, then=Value("34")),
        default=Value("56"),
    )


def active_on(day: datetime.date):
    """Active on that day: in a group that was not closed or rejected, or registered as an
    individual activist (signed up by then and not stopped yet)."""
    in_group = Exists(
        GroupMembership.objects.filter(person=OuterRef("pk"), joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .exclude(group__status=Group.Status.REJECTED)
        .filter(Q(group__closed_on__isnull=True) | Q(group__closed_on__gt=day))
    )
    end_of_day = _end_of(day)
    on_their_own = Exists(
        IndividualActivist.objects.filter(person=OuterRef("pk"), signed_up_at__lt=end_of_day).filter(
            Q(stopped_at__isnull=True) | Q(stopped_at__gte=end_of_day)
        )
    )
    return ExpressionWrapper(Q(in_group) | Q(on_their_own), output_field=BooleanField())


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def _people(quarter: Quarter, day: datetime.date, cities: set[str]) -> list[PeopleFigure]:
    member = User.member_on_q(day)
    new = member & Q(member_since__gte=quarter.start, member_since__lte=day)
    rows = (
        User.objects.annotate(
            f_member=ExpressionWrapper(member, output_field=BooleanField()),
            f_active=active_on(day),
            f_new=ExpressionWrapper(new, output_field=BooleanField()),
            band=_age_band(day),
            sex=_gender(),
            central=_centrality(),
            region_id=F("postal_code__municipality__county__region_id"),
            municipality_id=F("postal_code__municipality_id"),
        )
        .filter(Q(f_member=True) | Q(f_active=True))
        .order_by()
        .values("region_id", "municipality_id", "sex", "band", "central", "f_member", "f_active", "f_new")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple, int] = {}
    Scope = PeopleFigure.Scope
    for row in rows:
        scopes = []
        if row["f_member"]:
            scopes.append(Scope.MEMBER)
        if row["f_active"]:
            scopes.append(Scope.ACTIVE)
            if row["f_member"]:
                scopes.append(Scope.ACTIVE_MEMBER)
        if row["f_new"] and row["f_member"]:
            scopes.append(Scope.NEW_MEMBER)
            if row["f_active"]:
                scopes.append(Scope.NEW_ENGAGED)
        if row["municipality_id"] is None:
            place = "unknown"
        else:
            place = "city" if row["municipality_id"] in cities else "outside"
        values = {
            "total": "all",
            "gender": row["sex"],
            "age": row["band"],
            "place": place,
            "centrality": row["central"],
        }
        for scope in scopes:
            for dimension, value in values.items():
                key = (row["region_id"], scope, dimension, value)
                counts[key] = counts.get(key, 0) + row["n"]
    return [
        PeopleFigure(
            region_id=region_id,
            year=quarter.year,
            quarter=quarter.number,
            scope=scope,
            dimension=dimension,
            value=value,
            count=count,
        )
        for (region_id, scope, dimension, value), count in counts.items()
    ]


def _activities(quarters: list[Quarter]) -> list[ActivityFigure]:
    """The groups' completed activities and the individual activists' logged ones, side by side."""
    rows = {quarter: [*_activity_rows(quarter), *_activist_activity_rows(quarter)] for quarter in quarters}
    spelling = _campaign_spellings(row for quarter_rows in rows.values() for row in quarter_rows)
    figures = []
    for quarter, quarter_rows in rows.items():
        merged: dict[tuple, list] = {}
        for row in quarter_rows:
            values = {
                ActivityFigure.Dimension.TYPE: row["type"],
                ActivityFigure.Dimension.OUTWARD: "yes" if row["outward"] else "no",
                ActivityFigure.Dimension.PRIORITY_AREA: str(row["priority_area_id"] or ""),
                ActivityFigure.Dimension.CAMPAIGN: spelling[row["name"].casefold()],
            }
            for dimension, value in values.items():
                counts = merged.setdefault((row["region_id"], dimension, value), [0, 0])
                counts[0] += row["n"]
                counts[1] += row["people"]
        figures += [
            ActivityFigure(
                region_id=region_id,
                year=quarter.year,
                quarter=quarter.number,
                dimension=dimension,
                value=value,
                activities=n,
                participants=people,
            )
            for (region_id, dimension, value), (n, people) in merged.items()
        ]
    return figures


def _activity_rows(quarter: Quarter):
    return (
        ReportActivity.objects.filter(
            kind=ReportActivity.Kind.DONE,
            report__year=quarter.year,
            report__quarter=quarter.number,
            report__status__in=[QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.REVIEWED],
        )
        .annotate(name=Trim("campaign"), region_id=F("report__group__region_id"))
        .order_by()
        .values("region_id", "type", "outward", "priority_area_id", "name")
        .annotate(n=Count("pk"), people=Coalesce(Sum("participants"), 0))
    )


def _activist_activity_rows(quarter: Quarter):
    """Individual activists' logged activities, in the region stored when they were logged."""
    return (
        ActivistActivity.objects.filter(date__range=(quarter.start, quarter.end))
        .annotate(name=Trim("campaign"))
        .order_by()
        .values("region_id", "type", "outward", "priority_area_id", "name")
        .annotate(n=Count("pk"), people=Coalesce(Sum("participants"), 0))
    )


def _campaign_spellings(rows) -> dict[str, str]:
    """ "Skriv for liv" and "skriv for liv " are one campaign, in every quarter and region: each
    is shown as its most used spelling over the whole window (ties: the first in sort order)."""
    uses: dict[str, dict[str, int]] = {}
    for row in rows:
        spellings = uses.setdefault(row["name"].casefold(), {})
        spellings[row["name"]] = spellings.get(row["name"], 0) + row["n"]
    return {folded: min(spellings, key=lambda name: (-spellings[name], name)) for folded, spellings in uses.items()}
