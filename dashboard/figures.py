"""The figures on the regional dashboard and the national overview, as protected tables.

Every table is an ``amnesty_portal.privacy.Table``: the rule for figures about fewer than five
people is applied when the table is built, so the page, its charts and its CSV and Excel exports
all show the same protected cells. People and activities come from the summary tables
(``dashboard.summaries``); groups, reports and contacts, which are few, are counted live.
A dashboard makes the same number of queries whatever the size of the organisation.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amnesty_portal.privacy import Cell, Table, is_small, share
from dashboard.models import ActivityFigure, PeopleFigure, Refresh
from dashboard.summaries import window
from groups.models import ActivityType, Contact, Group, PriorityArea, QuarterlyReport
from groups.quarters import Quarter
from groups.reports import groups_owing, reporting_quarter
from regions.models import Region

TOP_CAMPAIGNS = 8
REPORT_STATES = {
    "on_time": gettext_lazy("submitted on time"),
    "late": gettext_lazy("submitted late"),
    "draft": gettext_lazy("draft, not yet due"),
    "not_started": gettext_lazy("not started, not yet due"),
    "overdue": gettext_lazy("overdue"),
}
POPULATIONS = {
    PeopleFigure.Scope.ACTIVE: gettext_lazy("active people"),
    PeopleFigure.Scope.MEMBER: gettext_lazy("all members"),
}


def quarter_label(quarter: Quarter, today: datetime.date | None = None) -> str:
    if today is not None and quarter.contains(today):
        return _("Q%(number)s %(year)s so far") % {"number": quarter.number, "year": quarter.year}
    return _("Q%(number)s %(year)s") % {"number": quarter.number, "year": quarter.year}


@dataclass
class Chart:
    """A chart drawn from a table's protected cells: hidden cells are gaps, never numbers."""

    kind: str  # "bar", "stacked" or "line"
    labels: list[str]
    datasets: list[tuple[str, list[Cell]]]
    unit: str = ""

    def data(self) -> dict:
        return {
            "kind": self.kind,
            "unit": self.unit,
            "labels": [str(label) for label in self.labels],
            "datasets": [
                {"label": str(label), "data": [cell.value for cell in cells]} for label, cells in self.datasets
            ],
        }


@dataclass
class Figure:
    table: Table
    chart: Chart | None = None
    note: str = ""


@dataclass
class Section:
    id: str
    title: str
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Dashboard:
    region: Region | None  # None: the national overview
    today: datetime.date
    refreshed: Refresh | None
    sections: list[Section]

    @property
    def tables(self) -> dict[str, Table]:
        return {figure.table.name: figure.table for section in self.sections for figure in section.figures}


# --- Loading (one query each) ---------------------------------------------------------------------


def _in_window(quarters: list[Quarter]) -> Q:
    condition = Q(pk__in=[])
    for quarter in quarters:
        condition |= Q(year=quarter.year, quarter=quarter.number)
    return condition


def _groups(region):
    groups = Group.objects.active()
    if region is not None:
        groups = groups.filter(region=region)
    counts = defaultdict(int)
    for row in groups.order_by().values("region_id", "category", "standing").annotate(n=Count("pk")):
        counts[row["region_id"], row["category"], row["standing"]] += row["n"]
    return counts


def _reports(quarter: Quarter, region, today: datetime.date):
    """How the groups owing the quarter's report stand, per region: one of REPORT_STATES each."""
    groups = groups_owing(quarter)
    if region is not None:
        groups = groups.filter(region=region)
    rows = (
        groups.annotate(
            this=FilteredRelation("reports", condition=Q(reports__year=quarter.year, reports__quarter=quarter.number))
        )
        .order_by()
        .values("region_id", "this__status", "this__is_late")
        .annotate(n=Count("pk"))
    )
    overdue = today > quarter.deadline
    counts = defaultdict(int)
    for row in rows:
        status = row["this__status"]
        if status in (QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.REVIEWED):
            state = "late" if row["this__is_late"] else "on_time"
        elif overdue:
            state = "overdue"
        else:
            state = "draft" if status == QuarterlyReport.Status.DRAFT else "not_started"
        counts[row["region_id"], state] += row["n"]
    return counts


def _contacts(quarter: Quarter, region):
    """Per region: contacts logged in the quarter, groups contacted, groups not contacted yet."""
    groups = Group.objects.active()
    if region is not None:
        groups = groups.filter(region=region)
    in_quarter = Contact.objects.filter(date__range=(quarter.start, quarter.end))
    rows = (
        groups.annotate(contacted=Exists(in_quarter.filter(group=OuterRef("pk"))))
        .order_by()
        .values("region_id", "contacted")
        .annotate(n=Count("pk"))
    )
    counts = defaultdict(int)
    for row in rows:
        counts[row["region_id"], "contacted" if row["contacted"] else "not_contacted"] += row["n"]
    logged = in_quarter.exclude(group__status__in=[Group.Status.REJECTED])
    if region is not None:
        logged = logged.filter(group__region=region)
    for row in logged.order_by().values("group__region_id").annotate(n=Count("pk")):
        counts[row["group__region_id"], "logged"] += row["n"]
    return counts


def _activities(quarters: list[Quarter], region):
    figures = ActivityFigure.objects.filter(_in_window(quarters))
    if region is not None:
        figures = figures.filter(region=region)
    rows = (
        figures.order_by()
        .values("region_id", "year", "quarter", "dimension", "value")
        .annotate(activities=Sum("activities"), participants=Sum("participants"))
    )
    counts = defaultdict(lambda: [0, 0])
    for row in rows:
        for key in ("all", row["region_id"]):
            figure = counts[(key, Quarter(row["year"], row["quarter"]), row["dimension"], row["value"])]
            figure[0] += row["activities"]
            figure[1] += row["participants"]
    return counts


def _people(quarters: list[Quarter]):
    """Every region's people figures (the national ones are their sum, with those of no known region)."""
    rows = (
        PeopleFigure.objects.filter(_in_window(quarters))
        .order_by()
        .values("region_id", "year", "quarter", "scope", "dimension", "value")
        .annotate(n=Sum("count"))
    )
    counts = defaultdict(int)
    for row in rows:
        quarter = Quarter(row["year"], row["quarter"])
        for key in ("all", row["region_id"]):
            counts[key, quarter, row["scope"], row["dimension"], row["value"]] += row["n"]
    return counts


# --- Building the tables ----------------------------------------------------------------------------


def _groups_table(counts, region_ids, name="groups_by_category"):
    categories, standings = Group.Category.choices, Group.Standing.choices
    return Table(
        name=name,
        title=_("Groups by category and standing on the criteria"),
        row_heading=_("Category"),
        total_label=_("All"),
        rows=[label for _value, label in categories],
        columns=[label for _value, label in standings],
        counts=[[sum(counts[r, c, s] for r in region_ids) for s, _l in standings] for c, _l in categories],
        people=False,
        total_row=True,
        total_column=True,
    )


def _groups_by_region(counts, regions):
    standings = Group.Standing.choices
    return Table(
        name="groups_by_region",
        title=_("Groups by region and standing on the criteria"),
        row_heading=_("Region"),
        total_label=_("Norway"),
        rows=[region.name for region in regions],
        columns=[label for _value, label in standings],
        counts=[
            [sum(counts[region.pk, c, s] for c, _l in Group.Category.choices) for s, _l in standings]
            for region in regions
        ],
        people=False,
        total_row=True,
        total_column=True,
    )


def _reports_table(counts, rows, quarter: Quarter):
    return Table(
        name="reports",
        title=_("Quarterly reports for %(quarter)s (due %(deadline)s)")
        % {"quarter": quarter_label(quarter), "deadline": quarter.deadline.strftime("%d.%m.%Y")},
        row_heading=_("Region"),
        total_label=_("Groups owing the report"),
        rows=[label for label, _ids in rows],
        columns=[str(label) for label in REPORT_STATES.values()],
        counts=[[sum(counts[r, state] for r in ids) for state in REPORT_STATES] for _label, ids in rows],
        people=False,
        total_row=len(rows) > 1,
        total_column=True,
    )


def _contacts_table(counts, rows, quarter: Quarter):
    kinds = {
        "contacted": _("groups contacted"),
        "not_contacted": _("groups not contacted yet"),
    }
    table = Table(
        name="contacts",
        title=_("Contact with the groups in %(quarter)s") % {"quarter": quarter_label(quarter)},
        row_heading=_("Region"),
        total_label=_("Active groups"),
        rows=[label for label, _ids in rows],
        columns=list(kinds.values()),
        counts=[[sum(counts[r, kind] for r in ids) for kind in kinds] for _label, ids in rows],
        people=False,
        total_row=len(rows) > 1,
        total_column=True,
    )
    logged = sum(counts[r, "logged"] for _label, ids in rows for r in ids)
    return table, _("%(count)s contacts logged so far this quarter.") % {"count": logged}


def _activity_table(counts, key, quarters, name, title, dimension, values, measure=0, heading=""):
    return Table(
        name=name,
        title=title,
        row_heading=heading,
        total_label=_("All"),
        rows=[label for _value, label in values],
        columns=[quarter_label(q) for q in quarters],
        counts=[
            [counts[key, q, dimension, value][measure] if (key, q, dimension, value) in counts else 0 for q in quarters]
            for value, _label in values
        ],
        total_row=True,
        total_column=True,
    )


def _campaigns(counts, key, quarters):
    totals = defaultdict(int)
    for (k, quarter, dimension, value), (activities, _people) in counts.items():
        if k == key and dimension == ActivityFigure.Dimension.CAMPAIGN and quarter in quarters and value:
            totals[value] += activities
    ranked = sorted(totals, key=lambda name: (-totals[name], name.casefold()))
    return ranked[:TOP_CAMPAIGNS], ranked[TOP_CAMPAIGNS:]


def _activity_figures(counts, key, quarters, areas) -> list[Figure]:
    def get(quarter, dimension, value, measure=0):
        figure = counts.get((key, quarter, dimension, value))
        return figure[measure] if figure else 0

    types = list(ActivityType.choices)
    by_type = _activity_table(
        counts, key, quarters, "activities_by_type", _("Activities by type"), "type", types, heading=_("Type")
    )
    participants = _activity_table(
        counts,
        key,
        quarters,
        "participants_by_type",
        _("Participants, by type of activity (groups and individual activists)"),
        "type",
        types,
        measure=1,
        heading=_("Type"),
    )
    outward = _activity_table(
        counts,
        key,
        quarters,
        "outward",
        _("Outward-facing activities"),
        "outward",
        [("yes", _("outward-facing")), ("no", _("within the group"))],
        heading=_("Activities"),
    )
    outward_share = Table(
        name="outward_share",
        title=_("Share of the activities that were outward-facing"),
        rows=[_("outward-facing")],
        columns=outward.columns,
        unit="%",
        cells=[[share(outward.cells[0][i], outward.cells[2][i]) for i in range(len(quarters))]],
    )
    area_values = [(str(area.pk), area.name) for area in areas] + [("", _("no priority area given"))]
    by_area = _activity_table(
        counts,
        key,
        quarters,
        "activities_by_area",
        _("Activities by priority area"),
        "priority_area",
        area_values,
        heading=_("Priority area"),
    )
    top, rest = _campaigns(counts, key, quarters)
    campaign_rows = list(top)
    campaign_counts = [[get(q, "campaign", name) for q in quarters] for name in top]
    campaign_counts.append([sum(get(q, "campaign", name) for name in rest) for q in quarters])
    campaign_counts.append([get(q, "campaign", "") for q in quarters])
    by_campaign = Table(
        name="activities_by_campaign",
        title=_("Activities by campaign"),
        row_heading=_("Campaign"),
        total_label=_("All"),
        rows=[*campaign_rows, _("other campaigns"), _("no campaign given")],
        columns=[quarter_label(q) for q in quarters],
        counts=campaign_counts,
        total_row=True,
        total_column=True,
    )
    return [
        Figure(
            by_type,
            Chart("stacked", by_type.columns, [(label, by_type.row(i)) for i, label in enumerate(by_type.rows)]),
        ),
        Figure(participants),
        Figure(outward),
        Figure(
            outward_share, Chart("line", outward_share.columns, [(outward_share.rows[0], outward_share.row(0))], "%")
        ),
        Figure(by_area),
        Figure(by_campaign),
    ]


def _people_table(counts, key, quarters, today, name, title, parts, total_label):
    """Rows are quarters, columns split a scope (``parts``: (label, scope, subtract-scope))."""

    def count(quarter, scope):
        return counts[key, quarter, scope, "total", "all"]

    return Table(
        name=name,
        title=title,
        row_heading=_("Quarter"),
        total_label=total_label,
        rows=[quarter_label(q, today) for q in quarters],
        columns=[label for label, _scope, _minus in parts],
        counts=[
            [count(q, scope) - (count(q, minus) if minus else 0) for _label, scope, minus in parts] for q in quarters
        ],
        total_column=True,
    )


def _people_figures(counts, key, quarters, today) -> list[Figure]:
    Scope = PeopleFigure.Scope
    members = _people_table(
        counts,
        key,
        quarters,
        today,
        "members",
        _("Members, active (in a group or as individual activists) or not"),
        [(_("active members"), Scope.ACTIVE_MEMBER, None), (_("other members"), Scope.MEMBER, Scope.ACTIVE_MEMBER)],
        _("Members"),
    )
    new = _people_table(
        counts,
        key,
        quarters,
        today,
        "new_members",
        _("New members in the quarter, and how many of them have engaged"),
        [(_("have engaged"), Scope.NEW_ENGAGED, None), (_("not yet"), Scope.NEW_MEMBER, Scope.NEW_ENGAGED)],
        _("New members"),
    )
    return [
        Figure(
            members,
            Chart("stacked", members.rows, [(label, members.series(i)) for i, label in enumerate(members.columns)]),
        ),
        Figure(new),
    ]


DIMENSIONS = [
    ("gender", PeopleFigure.GENDERS, gettext_lazy("Gender")),
    ("age", PeopleFigure.AGES, gettext_lazy("Age")),
    ("place", PeopleFigure.PLACES, gettext_lazy("Living in one of the five regional-office cities")),
    ("centrality", PeopleFigure.CENTRALITIES, gettext_lazy("SSB centrality class of the home municipality")),
]
# The target groups' shares: (dimension, value, label).
TARGETS = [
    ("gender", "man", gettext_lazy("men")),
    ("age", "30_60", gettext_lazy("aged 30–60")),
    ("place", "outside", gettext_lazy("outside the five cities")),
    ("centrality", "12", gettext_lazy("centrality 1–2")),
    ("centrality", "34", gettext_lazy("centrality 3–4")),
    ("centrality", "56", gettext_lazy("centrality 5–6")),
]


def _dimension_table(counts, key, quarters, today, scope, dimension, values, title, name):
    # Each row's total is the whole population of that quarter: hidden where it would give away a
    # small difference from a figure shown elsewhere (see _given_away_by_difference).
    total = len(values)
    hide = {
        (row, total) for row, quarter in enumerate(quarters) if _given_away_by_difference(counts, key, quarter, scope)
    }
    return Table(
        name=name,
        title=title,
        row_heading=_("Quarter"),
        total_label=_("All"),
        rows=[quarter_label(q, today) for q in quarters],
        columns=[str(label) for label in values.values()],
        counts=[[counts[key, q, scope, dimension, value] for value in values] for q in quarters],
        total_column=True,
        hide=hide,
    )


def _given_away_by_difference(counts, key, quarter, scope) -> bool:
    """Active people are active members plus active non-members (seed 002). The members table
    shows the active members, so showing every active person too would give away the non-members
    whenever they are one to four: then the active people's total is hidden in every table."""
    if scope != PeopleFigure.Scope.ACTIVE:
        return False
    active = counts[key, quarter, PeopleFigure.Scope.ACTIVE, "total", "all"]
    return is_small(active - counts[key, quarter, PeopleFigure.Scope.ACTIVE_MEMBER, "total", "all"])


def _shares(table: Table, values: dict, value: str, row: int) -> Cell:
    return share(table.cells[row][list(values).index(value)], table.cells[row][-1])


def _target_figures(counts, key, quarters, today, place_name) -> list[Figure]:
    figures = []
    for scope, population in POPULATIONS.items():
        tables, national = {}, {}
        for dimension, values, title in DIMENSIONS:
            name = f"{scope}_{dimension}"
            heading = f"{title}: {population}"
            tables[dimension] = _dimension_table(counts, key, quarters, today, scope, dimension, values, heading, name)
            if key != "all":
                national[dimension] = _dimension_table(counts, "all", quarters, today, scope, dimension, values, "", "")
        values_of = {dimension: values for dimension, values, _title in DIMENSIONS}
        columns, cells = [], [[] for _q in quarters]
        for dimension, value, label in TARGETS:
            sources = [(place_name, tables)] + ([(_("Norway"), national)] if national else [])
            for where, source in sources:
                columns.append(f"{label} ({where})" if national else str(label))
                for row in range(len(quarters)):
                    cells[row].append(_shares(source[dimension], values_of[dimension], value, row))
        shares = Table(
            name=f"{scope}_targets",
            title=_("The target groups among %(population)s: share of all, %%") % {"population": population},
            row_heading=_("Quarter"),
            rows=[quarter_label(q, today) for q in quarters],
            columns=columns,
            unit="%",
            cells=cells,
        )
        per_measure = 2 if national else 1
        chart = Chart(
            "line",
            shares.rows,
            [(shares.columns[i], shares.series(i)) for i in range(3 * per_measure)],
            "%",
        )
        figures.append(Figure(shares, chart))
        figures.extend(Figure(tables[dimension]) for dimension, _values, _title in DIMENSIONS)
    return figures


def _targets_by_region(counts, quarter, regions, today) -> list[Figure]:
    """The national overview: each region's target-group shares now, side by side."""
    keys = [(region.name, region.pk) for region in regions] + [(_("no known region"), None)]
    figures = []
    for scope, population in POPULATIONS.items():
        tables = {}
        for dimension, values, _title in DIMENSIONS:
            given_away = [_given_away_by_difference(counts, pk, quarter, scope) for _label, pk in keys]
            given_away.append(_given_away_by_difference(counts, "all", quarter, scope))
            tables[dimension] = Table(
                name="",
                title="",
                rows=[label for label, _pk in keys],
                columns=[str(label) for label in values.values()],
                counts=[[counts[pk, quarter, scope, dimension, value] for value in values] for _label, pk in keys],
                total_row=True,
                total_column=True,
                hide={(row, len(values)) for row, hidden in enumerate(given_away) if hidden},
            )
        values_of = {dimension: values for dimension, values, _title in DIMENSIONS}
        rows = [label for label, _pk in keys] + [_("Norway")]
        cells = [
            [_shares(tables[dimension], values_of[dimension], value, row) for dimension, value, _label in TARGETS]
            for row in range(len(rows))
        ]
        figures.append(
            Figure(
                Table(
                    name=f"{scope}_targets_by_region",
                    title=_("The target groups among %(population)s in %(quarter)s, by region: share of all, %%")
                    % {"population": population, "quarter": quarter_label(quarter, today)},
                    row_heading=_("Region"),
                    rows=rows,
                    columns=[str(label) for _d, _v, label in TARGETS],
                    unit="%",
                    cells=cells,
                )
            )
        )
    return figures


def _people_by_region(counts, quarter, regions, today) -> Figure:
    Scope = PeopleFigure.Scope
    keys = [(region.name, region.pk) for region in regions] + [(_("no known region"), None)]

    def count(pk, scope):
        return counts[pk, quarter, scope, "total", "all"]

    table = Table(
        name="members_by_region",
        title=_("Members by region in %(quarter)s") % {"quarter": quarter_label(quarter, today)},
        row_heading=_("Region"),
        total_label=_("Members"),
        rows=[label for label, _pk in keys],
        columns=[_("active members"), _("other members")],
        counts=[
            [count(pk, Scope.ACTIVE_MEMBER), count(pk, Scope.MEMBER) - count(pk, Scope.ACTIVE_MEMBER)]
            for _l, pk in keys
        ],
        total_row=True,
        total_column=True,
    )
    return Figure(table)


def _activities_by_region(counts, quarters, regions) -> Figure:
    def get(pk, quarter):
        return sum(
            counts[(pk, quarter, "outward", value)][0]
            for value in ("yes", "no")
            if (pk, quarter, "outward", value) in counts
        )

    return Figure(
        Table(
            name="activities_by_region",
            title=_("Activities by region"),
            row_heading=_("Region"),
            total_label=_("All"),
            rows=[region.name for region in regions],
            columns=[quarter_label(q) for q in quarters],
            counts=[[get(region.pk, q) for q in quarters] for region in regions],
            total_row=True,
            total_column=True,
        )
    )


# --- The two dashboards -------------------------------------------------------------------------------


def _common(region, regions, today):
    quarters = window(today)
    completed = quarters[:-1]
    reporting, current = reporting_quarter(today), quarters[-1]
    region_ids = [region.pk] if region is not None else [r.pk for r in regions]
    rows = [(region.name, [region.pk])] if region is not None else [(r.name, [r.pk]) for r in regions]
    groups = _groups(region)
    contacts, logged_note = _contacts_table(_contacts(current, region), rows, current)
    areas = list(PriorityArea.objects.order_by("order", "name"))
    activities = _activities(completed, region)
    people = _people(quarters)
    return (
        quarters,
        completed,
        reporting,
        current,
        region_ids,
        rows,
        groups,
        contacts,
        logged_note,
        areas,
        activities,
        people,
    )


def regional(region: Region, today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    (quarters, completed, reporting, current, region_ids, rows, groups, contacts, note, areas, activities, people) = (
        _common(region, None, today)
    )
    reports = _reports_table(_reports(reporting, region, today), rows, reporting)
    return Dashboard(
        region=region,
        today=today,
        refreshed=Refresh.objects.order_by("-finished_at").first(),
        sections=[
            Section(
                "groups",
                _("Groups, reports and contact"),
                [Figure(_groups_table(groups, region_ids)), Figure(reports), Figure(contacts, note=note)],
            ),
            Section(
                "activity",
                _("Activity over the last four quarters"),
                _activity_figures(activities, region.pk, completed, areas),
            ),
            Section("people", _("People"), _people_figures(people, region.pk, quarters, today)),
            Section(
                "targets", _("The target groups"), _target_figures(people, region.pk, quarters, today, region.name)
            ),
        ],
    )


def national(today: datetime.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    regions = list(Region.objects.order_by("name"))
    (quarters, completed, reporting, current, region_ids, rows, groups, contacts, note, areas, activities, people) = (
        _common(None, regions, today)
    )
    reports = _reports_table(_reports(reporting, None, today), rows, reporting)
    return Dashboard(
        region=None,
        today=today,
        refreshed=Refresh.objects.order_by("-finished_at").first(),
        sections=[
            Section(
                "groups",
                _("Groups, reports and contact"),
                [
                    Figure(_groups_by_region(groups, regions)),
                    Figure(_groups_table(groups, region_ids)),
                    Figure(reports),
                    Figure(contacts, note=note),
                ],
            ),
            Section(
                "activity",
                _("Activity over the last four quarters"),
                [
                    _activities_by_region(activities, completed, regions),
                    *_activity_figures(activities, "all", completed, areas),
                ],
            ),
            Section(
                "people",
                _("People"),
                [_people_by_region(people, current, regions, today), *_people_figures(people, "all", quarters, today)],
            ),
            Section(
                "targets",
                _("The target groups"),
                [
                    *_targets_by_region(people, current, regions, today),
                    *_target_figures(people, "all", quarters, today, _("Norway")),
                ],
            ),
        ],
    )
